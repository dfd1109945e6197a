package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"

	"ecitizen/internal/roster"
)

// Calendar feeds: calendar_feeds holds one document per live feed, _id = the
// SHA-256 of its token, with a unique index on (kind, owner_id) so that an owner
// has one live feed. Resetting a feed (roster.ReplaceCalendarFeed) deletes the
// live document by its own _id and inserts the new one: a hash names one feed for
// ever, so a stale delete never removes a newer feed (FerretDB runs a filtered
// delete as a read, then a delete by _id), and the unique index, enforced on
// insert, admits one of concurrent inserts.

const colCalendarFeeds = "calendar_feeds"

func (d *DB) calendarFeeds() *mongodrv.Collection { return d.db.Collection(colCalendarFeeds) }

type calendarFeedDoc struct {
	Hash      string    `bson:"_id"`
	Kind      string    `bson:"kind"`
	OwnerID   string    `bson:"owner_id"`
	CreatedBy string    `bson:"created_by"`
	CreatedAt time.Time `bson:"created_at"`
}

func (d *calendarFeedDoc) feed() *roster.CalendarFeed {
	return &roster.CalendarFeed{Hash: d.Hash, Kind: roster.FeedKind(d.Kind), OwnerID: d.OwnerID,
		CreatedBy: d.CreatedBy, CreatedAt: utc(d.CreatedAt)}
}

// CreateCalendarFeed inserts a feed; a taken hash (_id), or a live feed of the
// same owner (the unique index), is ErrConflict.
func (d *DB) CreateCalendarFeed(ctx context.Context, f *roster.CalendarFeed) error {
	_, err := d.calendarFeeds().InsertOne(ctx, &calendarFeedDoc{
		Hash:      f.Hash,
		Kind:      string(f.Kind),
		OwnerID:   f.OwnerID,
		CreatedBy: f.CreatedBy,
		CreatedAt: f.CreatedAt,
	})
	return wrapErr(err, "calendar feed of "+string(f.Kind)+" "+f.OwnerID)
}

// CalendarFeedByHash finds a feed by the hash of its token.
func (d *DB) CalendarFeedByHash(ctx context.Context, hash string) (*roster.CalendarFeed, error) {
	doc, err := findByID[calendarFeedDoc](ctx, d.calendarFeeds(), hash, "calendar feed")
	if err != nil {
		return nil, err
	}
	return doc.feed(), nil
}

// CalendarFeedOf finds the live feed of an owner.
func (d *DB) CalendarFeedOf(ctx context.Context, kind roster.FeedKind, ownerID string) (*roster.CalendarFeed, error) {
	doc, err := findOne[calendarFeedDoc](ctx, d.calendarFeeds(), bson.D{
		{Key: "kind", Value: string(kind)},
		{Key: "owner_id", Value: ownerID},
	}, "calendar feed of "+string(kind)+" "+ownerID)
	if err != nil {
		return nil, err
	}
	return doc.feed(), nil
}

// DeleteCalendarFeed deletes the feed with hash, by _id; a missing one is
// ErrNotFound. Of concurrent deletes of one feed exactly one succeeds.
func (d *DB) DeleteCalendarFeed(ctx context.Context, hash string) error {
	res, err := d.calendarFeeds().DeleteOne(ctx, byID(hash))
	if err != nil {
		return wrapErr(err, "delete calendar feed")
	}
	if res.DeletedCount == 0 {
		return notFound("calendar feed")
	}
	return nil
}
