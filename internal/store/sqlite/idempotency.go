package sqlite

import (
	"context"
	"time"

	"ecitizen/internal/idempotency"
)

// Idempotency records: a claim is an insert under UNIQUE (user_id, key); only the
// claimant updates or deletes its row, by id.

// AddIdempotencyRecord inserts a claim; a taken (user, key) is ErrConflict.
func (db *DB) AddIdempotencyRecord(ctx context.Context, r *idempotency.Record) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO idempotency_records (id, user_id, key, fingerprint, created_at)
		VALUES (?, ?, ?, ?, ?)`, r.ID, r.UserID, r.Key, r.Fingerprint, ms(r.CreatedAt))
	return wrap(err, "claim idempotency key")
}

// IdempotencyRecord returns the record of a user's key.
func (db *DB) IdempotencyRecord(ctx context.Context, userID, key string) (*idempotency.Record, error) {
	var (
		r       idempotency.Record
		done    int
		created int64
	)
	err := db.queryRow(ctx, `SELECT id, user_id, key, fingerprint, done, status, content_type,
		location, body, subject, created_at FROM idempotency_records WHERE user_id = ? AND key = ?`, userID, key).
		Scan(&r.ID, &r.UserID, &r.Key, &r.Fingerprint, &done, &r.Status, &r.ContentType, &r.Location, &r.Body, &r.Subject, &created)
	if err != nil {
		return nil, one(err, "idempotency key of user", userID)
	}
	r.Done, r.CreatedAt = done == 1, at(created)
	return &r, nil
}

// FinishIdempotencyRecord stores the response on the record r.ID.
func (db *DB) FinishIdempotencyRecord(ctx context.Context, r *idempotency.Record) error {
	res, err := db.w.ExecContext(ctx, `UPDATE idempotency_records SET done = 1, status = ?, content_type = ?,
		location = ?, body = ?, subject = ? WHERE id = ?`, r.Status, r.ContentType, r.Location, r.Body, r.Subject, r.ID)
	if err != nil {
		return wrap(err, "finish idempotency record %s", r.ID)
	}
	return affected(res, "idempotency record", r.ID)
}

// DeleteIdempotencyRecord deletes the record id.
func (db *DB) DeleteIdempotencyRecord(ctx context.Context, id string) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM idempotency_records WHERE id = ?`, id)
	if err != nil {
		return wrap(err, "delete idempotency record %s", id)
	}
	return affected(res, "idempotency record", id)
}

// DeleteIdempotencyRecordsBefore deletes the records created before t.
func (db *DB) DeleteIdempotencyRecordsBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM idempotency_records WHERE created_at < ?`, ms(t))
	if err != nil {
		return 0, wrap(err, "sweep idempotency records")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DeleteIdempotencyRecordsOf deletes the records of subject.
func (db *DB) DeleteIdempotencyRecordsOf(ctx context.Context, subject string) (int, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM idempotency_records WHERE subject = ? AND subject != ''`, subject)
	if err != nil {
		return 0, wrap(err, "forget idempotency records")
	}
	n, err := res.RowsAffected()
	return int(n), err
}
