package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"

	"ecitizen/internal/idempotency"
)

// Idempotency records: _id is the claim's own random id and (user_id, key) is a
// unique index, so of concurrent claims of one key exactly one insert lands. Only
// the claimant updates or deletes its document, by _id, so FerretDB's non-atomic
// updates never race on one.

const colIdempotency = "idempotency_records"

func (d *DB) idempotency() *mongodrv.Collection { return d.db.Collection(colIdempotency) }

type idempotencyDoc struct {
	ID          string    `bson:"_id"`
	UserID      string    `bson:"user_id"`
	Key         string    `bson:"key"`
	Fingerprint string    `bson:"fingerprint"`
	Done        bool      `bson:"done"`
	Status      int       `bson:"status"`
	ContentType string    `bson:"content_type"`
	Location    string    `bson:"location"`
	Body        []byte    `bson:"body"`
	Subject     string    `bson:"subject,omitempty"`
	CreatedAt   time.Time `bson:"created_at"`
}

// AddIdempotencyRecord inserts a claim; a taken (user, key) is ErrConflict, an
// unknown user ErrNotFound.
func (d *DB) AddIdempotencyRecord(ctx context.Context, r *idempotency.Record) error {
	if err := mustExist(ctx, d.users, "user", r.UserID); err != nil {
		return err
	}
	_, err := d.idempotency().InsertOne(ctx, &idempotencyDoc{ID: r.ID, UserID: r.UserID, Key: r.Key,
		Fingerprint: r.Fingerprint, CreatedAt: r.CreatedAt})
	return wrapErr(err, "claim idempotency key")
}

// IdempotencyRecord returns the record of a user's key.
func (d *DB) IdempotencyRecord(ctx context.Context, userID, key string) (*idempotency.Record, error) {
	doc, err := findOne[idempotencyDoc](ctx, d.idempotency(), bson.D{{Key: "user_id", Value: userID}, {Key: "key", Value: key}},
		"idempotency key of user "+userID)
	if err != nil {
		return nil, err
	}
	return &idempotency.Record{ID: doc.ID, UserID: doc.UserID, Key: doc.Key, Fingerprint: doc.Fingerprint,
		Done: doc.Done, Status: doc.Status, ContentType: doc.ContentType, Location: doc.Location,
		Body: doc.Body, Subject: doc.Subject, CreatedAt: utc(doc.CreatedAt)}, nil
}

// FinishIdempotencyRecord stores the response on the record r.ID.
func (d *DB) FinishIdempotencyRecord(ctx context.Context, r *idempotency.Record) error {
	res, err := d.idempotency().UpdateOne(ctx, byID(r.ID), bson.D{{Key: "$set", Value: bson.D{
		{Key: "done", Value: true}, {Key: "status", Value: r.Status}, {Key: "content_type", Value: r.ContentType},
		{Key: "location", Value: r.Location}, {Key: "body", Value: r.Body}, {Key: "subject", Value: r.Subject},
	}}})
	if err != nil {
		return wrapErr(err, "finish idempotency record "+r.ID)
	}
	if res.MatchedCount == 0 {
		return notFound("idempotency record " + r.ID)
	}
	return nil
}

// DeleteIdempotencyRecord deletes the record id.
func (d *DB) DeleteIdempotencyRecord(ctx context.Context, id string) error {
	res, err := d.idempotency().DeleteOne(ctx, byID(id))
	if err != nil {
		return wrapErr(err, "delete idempotency record "+id)
	}
	if res.DeletedCount == 0 {
		return notFound("idempotency record " + id)
	}
	return nil
}

// DeleteIdempotencyRecordsBefore deletes the records created before t.
func (d *DB) DeleteIdempotencyRecordsBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := d.idempotency().DeleteMany(ctx, bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: t}}}})
	if err != nil {
		return 0, wrapErr(err, "sweep idempotency records")
	}
	return int(res.DeletedCount), nil
}

// DeleteIdempotencyRecordsOf deletes the records of subject.
func (d *DB) DeleteIdempotencyRecordsOf(ctx context.Context, subject string) (int, error) {
	if subject == "" {
		return 0, nil
	}
	res, err := d.idempotency().DeleteMany(ctx, bson.D{{Key: "subject", Value: subject}})
	if err != nil {
		return 0, wrapErr(err, "forget idempotency records")
	}
	return int(res.DeletedCount), nil
}
