// Package notify is the outbox of notifications to users: a booking confirmed, a
// place given from the waiting list, a shift changed or cancelled, a volunteer
// removed by staff, and a reminder the day before a shift.
//
// Design:
//   - A notification is written once and never rewritten but for its read mark.
//     Each carries an idempotency Key unique per user ((user_id, key) is a unique
//     key of the store), so creating the same notice twice (a retried request,
//     two API instances sending the same reminder) stores it once: the second
//     insert is ErrConflict, which the Service treats as done.
//   - Messages are rendered when the notification is created, in Vietnamese and
//     English (messages.go), so a list needs no join and a later change of the
//     shift does not rewrite what the user was told.
//   - Delivery (e-mail today: package mail; push, SMS later) is by a worker that may
//     run in several instances. A worker picks PendingDeliveries (notifications without a
//     delivery record, oldest first) and, before sending one, claims it with
//     ClaimDelivery: an insert of a delivery record keyed by the notification id.
//     The key is unique, so of any number of workers, in any number of processes,
//     exactly one claim succeeds and the others get ErrConflict and skip it. This
//     holds on SQLite and on MongoDB/FerretDB alike: it is one insert, not an
//     update of the notification (FerretDB's updates are not atomic).
//   - A failed notification never fails the action that caused it: the roster
//     service logs it and goes on.
//
// Files: notify.go (types, Store, Service), messages.go (the texts of each kind).
package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
	"ecitizen/internal/vntime"
)

// Kind is what a notification is about.
type Kind string

// Notification kinds.
const (
	KindBookingConfirmed Kind = "booking_confirmed"
	KindPromoted         Kind = "promoted"
	KindShiftChanged     Kind = "shift_changed"
	KindShiftCancelled   Kind = "shift_cancelled"
	KindReminder         Kind = "reminder"
	KindRemoved          Kind = "removed"
)

// Text is a message in Vietnamese and English.
type Text struct {
	Vi string
	En string
}

// In returns the text in lang ("en", else Vietnamese).
func (t Text) In(lang string) string {
	if lang == "en" {
		return t.En
	}
	return t.Vi
}

// Notification is a message to one user. (UserID, Key) is unique.
type Notification struct {
	ID        string // UUIDv7: time-ordered
	UserID    string
	Kind      Kind
	Key       string // idempotency key, unique per user, e.g. "reminder:"+shiftID
	Title     Text
	Body      Text
	ShiftID   string // "" when not about a shift
	CreatedAt time.Time
	ReadAt    *time.Time // nil while unread
}

// Key is a notification's page key: its ID (lists run newest first, by ID desc).
func Key(n *Notification) string { return n.ID }

// Store is the storage of the outbox. Adapters return errors wrapping
// apperr.ErrNotFound for a missing record and apperr.ErrConflict for a taken key.
type Store interface {
	// Notify inserts n; a taken (UserID, Key) or ID is ErrConflict.
	Notify(ctx context.Context, n *Notification) error
	// ListNotifications returns a user's notifications newest first (by ID
	// descending), only unread ones when unread is set, strictly before the page
	// key p.After (an ID), p.Limit+1 at most (all when p.Limit is 0).
	ListNotifications(ctx context.Context, userID string, unread bool, p page.Request) ([]*Notification, error)
	// MarkRead sets the read time of a user's notification, keeping an earlier
	// one; a missing notification, or another user's, is ErrNotFound.
	MarkRead(ctx context.Context, userID, id string, at time.Time) error
	// ClaimDelivery records that workerID sends the notification: an insert keyed
	// by the notification id, so exactly one of any number of concurrent claims
	// succeeds; the others are ErrConflict. An unknown notification is ErrNotFound.
	ClaimDelivery(ctx context.Context, notificationID, workerID string, at time.Time) error
	// PendingDeliveries returns notifications that no worker has claimed, oldest
	// first (by ID), limit at most (100 when limit <= 0).
	PendingDeliveries(ctx context.Context, limit int) ([]*Notification, error)
}

// Service creates and reads notifications. It implements roster.Notifier.
type Service struct {
	store Store
	loc   *time.Location
	now   func() time.Time
}

var _ roster.Notifier = (*Service)(nil)

// Deps are what the notification service is built from.
type Deps struct {
	// Store keeps notifications and their deliveries.
	Store Store
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// NewService returns the notification service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, loc: vntime.Zone, now: d.Now}
}

// Notify creates a notification of kind about a shift for a user, unless one with
// the same key exists already (then it does nothing).
func (s *Service) Notify(ctx context.Context, userID, kind, key string, shift *roster.Shift) error {
	title, body, err := message(Kind(kind), shift, s.loc)
	if err != nil {
		return err
	}
	n := &Notification{ID: uuid.Must(uuid.NewV7()).String(), UserID: userID, Kind: Kind(kind), Key: key,
		Title: title, Body: body, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	if shift != nil {
		n.ShiftID = shift.ID
	}
	if err := s.store.Notify(ctx, n); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil // already notified: the key makes creating it idempotent
		}
		return fmt.Errorf("notify %s of %s: %w", userID, key, err)
	}
	return nil
}

// List returns the caller's notifications, newest first, and the next cursor.
func (s *Service) List(ctx context.Context, c identity.Caller, unread bool, p page.Request) ([]*Notification, string, error) {
	if c.UserID == "" {
		return nil, "", apperr.ErrUnauthorized
	}
	ns, err := s.store.ListNotifications(ctx, c.UserID, unread, p)
	if err != nil {
		return nil, "", fmt.Errorf("list notifications: %w", err)
	}
	ns, next := page.Cut(ns, p, Key)
	return ns, next, nil
}

// MarkRead marks one of the caller's notifications read; another user's is not found.
func (s *Service) MarkRead(ctx context.Context, c identity.Caller, id string) error {
	if c.UserID == "" {
		return apperr.ErrUnauthorized
	}
	return s.store.MarkRead(ctx, c.UserID, id, s.now().UTC().Truncate(time.Millisecond))
}
