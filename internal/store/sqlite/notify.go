package sqlite

import (
	"context"
	"database/sql"
	"time"

	"ecitizen/internal/notify"
	"ecitizen/internal/page"
)

// The outbox of notifications. (user_id, key) is unique, so a notice created twice
// is stored once; a delivery is a row keyed by its notification, so of concurrent
// claims exactly one inserts it.

const notificationColumns = `SELECT id, user_id, kind, key, title_vi, title_en, body_vi,
	body_en, shift_id, created_at, read_at FROM notifications`

// Notify inserts a notification; a taken (user, key) or ID is ErrConflict, an
// unknown user ErrNotFound.
func (db *DB) Notify(ctx context.Context, n *notify.Notification) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO notifications (id, user_id, kind, key, title_vi,
		title_en, body_vi, body_en, shift_id, created_at, read_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.ID, n.UserID, string(n.Kind), n.Key, n.Title.Vi, n.Title.En, n.Body.Vi, n.Body.En,
		n.ShiftID, ms(n.CreatedAt), nullTime(n.ReadAt))
	return wrap(err, "notification %s for user %s", n.Key, n.UserID)
}

// ListNotifications returns a user's notifications newest first (by id
// descending), unread ones only when unread is set, strictly before p.After.
func (db *DB) ListNotifications(ctx context.Context, userID string, unread bool, p page.Request) ([]*notify.Notification, error) {
	var w where
	w.add(`user_id = ?`, userID)
	if unread {
		w.add(`read_at IS NULL`)
	}
	if p.After != "" {
		w.add(`id < ?`, p.After)
	}
	return list(ctx, db, "notifications", notificationColumns+w.String()+` ORDER BY id DESC LIMIT ?`,
		append(w.args, limit(p.Limit)), scanNotification)
}

// MarkRead sets the read time of a user's notification unless it is read already;
// a missing notification, or another user's, is ErrNotFound.
func (db *DB) MarkRead(ctx context.Context, userID, id string, at time.Time) error {
	res, err := db.w.ExecContext(ctx, `UPDATE notifications SET read_at = coalesce(read_at, ?)
		WHERE id = ? AND user_id = ?`, ms(at), id, userID)
	if err != nil {
		return wrap(err, "mark notification %s read", id)
	}
	return affected(res, "notification", id)
}

// ClaimDelivery inserts the delivery row of a notification: a taken one is
// ErrConflict, an unknown notification ErrNotFound.
func (db *DB) ClaimDelivery(ctx context.Context, notificationID, workerID string, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO notification_deliveries (notification_id, worker_id,
		claimed_at) VALUES (?, ?, ?)`, notificationID, workerID, ms(at))
	return wrap(err, "claim delivery of notification %s", notificationID)
}

// PendingDeliveries returns notifications without a delivery row, oldest first.
func (db *DB) PendingDeliveries(ctx context.Context, n int) ([]*notify.Notification, error) {
	if n <= 0 {
		n = 100
	}
	return list(ctx, db, "pending deliveries", notificationColumns+` AS n WHERE NOT EXISTS
		(SELECT 1 FROM notification_deliveries d WHERE d.notification_id = n.id) ORDER BY n.id LIMIT ?`,
		[]any{n}, scanNotification)
}

func scanNotification(s scanner) (*notify.Notification, error) {
	var (
		x       notify.Notification
		created int64
		read    sql.NullInt64
	)
	if err := s.Scan(&x.ID, &x.UserID, &x.Kind, &x.Key, &x.Title.Vi, &x.Title.En, &x.Body.Vi,
		&x.Body.En, &x.ShiftID, &created, &read); err != nil {
		return nil, err
	}
	x.CreatedAt = at(created)
	if read.Valid {
		t := at(read.Int64)
		x.ReadAt = &t
	}
	return &x, nil
}
