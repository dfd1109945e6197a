package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/notify"
	"ecitizen/internal/page"
)

// The outbox of notifications. A notification is inserted once, with a unique
// index on (user_id, key), so a notice created twice is stored once; the only
// later write is its read mark ($set by _id). A delivery claim is a document of
// notification_deliveries whose _id is the notification id: a claim is an insert,
// so of any number of workers, in any number of processes, exactly one succeeds,
// without relying on FerretDB's non-atomic updates. PendingDeliveries reads
// notifications in _id order and drops those with a claim (no $lookup on FerretDB).

// Collection names of the outbox.
const (
	colNotifications = "notifications"
	colDeliveries    = "notification_deliveries"
)

func (d *DB) notifications() *mongodrv.Collection { return d.db.Collection(colNotifications) }
func (d *DB) deliveries() *mongodrv.Collection    { return d.db.Collection(colDeliveries) }

type notificationDoc struct {
	ID        string     `bson:"_id"`
	UserID    string     `bson:"user_id"`
	Kind      string     `bson:"kind"`
	Key       string     `bson:"key"`
	TitleVi   string     `bson:"title_vi"`
	TitleEn   string     `bson:"title_en"`
	BodyVi    string     `bson:"body_vi"`
	BodyEn    string     `bson:"body_en"`
	ShiftID   string     `bson:"shift_id"`
	CreatedAt time.Time  `bson:"created_at"`
	Read      bool       `bson:"read"` // what the unread filter matches
	ReadAt    *time.Time `bson:"read_at"`
}

func (d *notificationDoc) notification() *notify.Notification {
	n := &notify.Notification{ID: d.ID, UserID: d.UserID, Kind: notify.Kind(d.Kind), Key: d.Key,
		Title: notify.Text{Vi: d.TitleVi, En: d.TitleEn}, Body: notify.Text{Vi: d.BodyVi, En: d.BodyEn},
		ShiftID: d.ShiftID, CreatedAt: utc(d.CreatedAt)}
	if d.ReadAt != nil {
		t := utc(*d.ReadAt)
		n.ReadAt = &t
	}
	return n
}

type deliveryDoc struct {
	NotificationID string    `bson:"_id"`
	WorkerID       string    `bson:"worker_id"`
	ClaimedAt      time.Time `bson:"claimed_at"`
}

// Notify inserts a notification; a taken (user, key) or ID is ErrConflict, an
// unknown user ErrNotFound.
func (d *DB) Notify(ctx context.Context, n *notify.Notification) error {
	if err := mustExist(ctx, d.users, "user", n.UserID); err != nil {
		return err
	}
	_, err := d.notifications().InsertOne(ctx, &notificationDoc{
		ID: n.ID, UserID: n.UserID, Kind: string(n.Kind), Key: n.Key,
		TitleVi: n.Title.Vi, TitleEn: n.Title.En, BodyVi: n.Body.Vi, BodyEn: n.Body.En,
		ShiftID: n.ShiftID, CreatedAt: n.CreatedAt, Read: n.ReadAt != nil, ReadAt: n.ReadAt,
	})
	return wrapErr(err, "notification "+n.Key+" for user "+n.UserID)
}

// ListNotifications returns a user's notifications newest first (by _id
// descending), unread ones only when unread is set, strictly before p.After.
func (d *DB) ListNotifications(ctx context.Context, userID string, unread bool, p page.Request) ([]*notify.Notification, error) {
	filter := bson.D{{Key: "user_id", Value: userID}}
	if unread {
		filter = append(filter, bson.E{Key: "read", Value: false})
	}
	if p.After != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: p.After}}})
	}
	o := options.Find().SetSort(bson.D{{Key: "_id", Value: -1}})
	if p.Limit > 0 {
		o.SetLimit(int64(p.Limit) + 1)
	}
	return find(ctx, d.notifications(), filter, o, "notifications of user "+userID, (*notificationDoc).notification)
}

// MarkRead sets the read time of a user's notification unless it is read already;
// a missing notification, or another user's, is ErrNotFound.
func (d *DB) MarkRead(ctx context.Context, userID, id string, at time.Time) error {
	what := "notification " + id
	doc, err := findByID[notificationDoc](ctx, d.notifications(), id, what)
	switch {
	case err != nil:
		return err
	case doc.UserID != userID:
		return notFound(what)
	case doc.Read:
		return nil
	}
	return updateByID(ctx, d.notifications(), id, bson.D{{Key: "read", Value: true}, {Key: "read_at", Value: at}}, what)
}

// ClaimDelivery inserts the delivery document of a notification (_id = its id): a
// taken one is ErrConflict, an unknown notification ErrNotFound.
func (d *DB) ClaimDelivery(ctx context.Context, notificationID, workerID string, at time.Time) error {
	if err := mustExist(ctx, d.notifications(), "notification", notificationID); err != nil {
		return err
	}
	_, err := d.deliveries().InsertOne(ctx, &deliveryDoc{NotificationID: notificationID, WorkerID: workerID, ClaimedAt: at})
	return wrapErr(err, "claim delivery of notification "+notificationID)
}

// PendingDeliveries returns notifications without a delivery claim, oldest first:
// it reads notifications in _id order, a batch at a time, and drops the claimed
// ones (found by _id in notification_deliveries).
func (d *DB) PendingDeliveries(ctx context.Context, n int) ([]*notify.Notification, error) {
	if n <= 0 {
		n = 100
	}
	batch := max(n, 100)
	var out []*notify.Notification
	after := ""
	for len(out) < n {
		ns, err := findAll(ctx, d.notifications(), bson.D{}, "_id", page.Request{After: after, Limit: batch - 1},
			"pending deliveries", (*notificationDoc).notification)
		if err != nil {
			return nil, err
		}
		if len(ns) == 0 {
			break
		}
		ids := make(bson.A, len(ns))
		for i, x := range ns {
			ids[i] = x.ID
		}
		claimed, err := find(ctx, d.deliveries(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
			options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), "deliveries", func(x *deliveryDoc) *string { return &x.NotificationID })
		if err != nil {
			return nil, err
		}
		done := make(map[string]bool, len(claimed))
		for _, id := range claimed {
			done[*id] = true
		}
		for _, x := range ns {
			if !done[x.ID] && len(out) < n {
				out = append(out, x)
			}
		}
		if len(ns) < batch {
			break
		}
		after = ns[len(ns)-1].ID
	}
	return out, nil
}
