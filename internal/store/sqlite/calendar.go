package sqlite

import (
	"context"

	"ecitizen/internal/roster"
)

// Calendar feeds: one row per live feed, keyed by the SHA-256 of its token, with
// a unique (kind, owner_id) so an owner has one live feed (roster.ReplaceCalendarFeed).

const feedColumns = `SELECT token_hash, kind, owner_id, created_by, created_at FROM calendar_feeds`

// CreateCalendarFeed inserts a feed; a taken hash, or a live feed of the same
// owner, is ErrConflict.
func (db *DB) CreateCalendarFeed(ctx context.Context, f *roster.CalendarFeed) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO calendar_feeds (token_hash, kind, owner_id,
		created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		f.Hash, string(f.Kind), f.OwnerID, f.CreatedBy, ms(f.CreatedAt))
	return wrap(err, "create calendar feed of %s %s", f.Kind, f.OwnerID)
}

// CalendarFeedByHash finds a feed by the hash of its token.
func (db *DB) CalendarFeedByHash(ctx context.Context, hash string) (*roster.CalendarFeed, error) {
	f, err := scanFeed(db.queryRow(ctx, feedColumns+` WHERE token_hash = ?`, hash))
	if err != nil {
		return nil, one(err, "calendar feed", "by token")
	}
	return f, nil
}

// CalendarFeedOf finds the live feed of an owner.
func (db *DB) CalendarFeedOf(ctx context.Context, kind roster.FeedKind, ownerID string) (*roster.CalendarFeed, error) {
	f, err := scanFeed(db.queryRow(ctx, feedColumns+` WHERE kind = ? AND owner_id = ?`, string(kind), ownerID))
	if err != nil {
		return nil, one(err, "calendar feed of "+string(kind), ownerID)
	}
	return f, nil
}

// DeleteCalendarFeed deletes the feed with hash; a missing one is ErrNotFound.
func (db *DB) DeleteCalendarFeed(ctx context.Context, hash string) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM calendar_feeds WHERE token_hash = ?`, hash)
	if err != nil {
		return wrap(err, "delete calendar feed")
	}
	return affected(res, "calendar feed", "by token")
}

func scanFeed(s scanner) (*roster.CalendarFeed, error) {
	var (
		f       roster.CalendarFeed
		created int64
	)
	if err := s.Scan(&f.Hash, &f.Kind, &f.OwnerID, &f.CreatedBy, &created); err != nil {
		return nil, err
	}
	f.CreatedAt = at(created)
	return &f, nil
}
