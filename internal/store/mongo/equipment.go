package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/equipment"
	"ecitizen/internal/page"
)

// Devices of centres and their usage log:
//
//   - devices: _id = device id, unique index on (centre_id, label_key), so a
//     label is taken once per centre (on insert and on update).
//   - device_usage: _id = usage id; insert-only. starts_at and ends_at are the
//     session's times.
//   - device_usage_voids: staff's correction of a session, _id = usage id, so a
//     session is voided once; insert-only.
//   - device_leases: the per-device critical section of AddUsage (the lease of
//     roster.go, in its own collection, unique on device_id).
//
// That a device's sessions (those not voided) never overlap spans documents, and
// MongoDB through FerretDB has no transactions, so AddUsage checks for an
// overlapping session and inserts while holding the device's lease, as Book does
// on a volunteer's. A void racing AddUsage can only make it refuse a session it
// could have taken, never admit an overlap.
// MongoDB has no foreign keys: CreateDevice checks the centre and AddUsage the
// device and the centre, by _id, as SQLite's foreign keys do.

const (
	colDevices      = "devices"
	colDeviceUsage  = "device_usage"
	colDeviceLeases = "device_leases"
	colUsageVoids   = "device_usage_voids"
)

func (d *DB) devices() *mongodrv.Collection      { return d.db.Collection(colDevices) }
func (d *DB) deviceUsage() *mongodrv.Collection  { return d.db.Collection(colDeviceUsage) }
func (d *DB) deviceLeases() *mongodrv.Collection { return d.db.Collection(colDeviceLeases) }
func (d *DB) usageVoids() *mongodrv.Collection   { return d.db.Collection(colUsageVoids) }

type voidDoc struct {
	UsageID string    `bson:"_id"`
	Reason  string    `bson:"reason"`
	By      string    `bson:"by"`
	At      time.Time `bson:"at"`
}

func (d *voidDoc) void() *equipment.Void {
	return &equipment.Void{UsageID: d.UsageID, Reason: d.Reason, By: d.By, At: utc(d.At)}
}

type deviceDoc struct {
	ID        string    `bson:"_id"`
	CentreID  string    `bson:"centre_id"`
	WardID    string    `bson:"ward_id"`
	Kind      string    `bson:"kind"`
	Label     string    `bson:"label"`
	LabelKey  string    `bson:"label_key"`
	Status    string    `bson:"status"`
	Notes     string    `bson:"notes"`
	CreatedBy string    `bson:"created_by"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

func (d *deviceDoc) device() *equipment.Device {
	return &equipment.Device{ID: d.ID, CentreID: d.CentreID, WardID: d.WardID, Kind: equipment.Kind(d.Kind),
		Label: d.Label, LabelKey: d.LabelKey, Status: equipment.Status(d.Status), Notes: d.Notes,
		CreatedBy: d.CreatedBy, CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt)}
}

type usageDoc struct {
	ID         string    `bson:"_id"`
	DeviceID   string    `bson:"device_id"`
	CentreID   string    `bson:"centre_id"`
	WardID     string    `bson:"ward_id"`
	StartsAt   time.Time `bson:"starts_at"`
	EndsAt     time.Time `bson:"ends_at"`
	Purpose    string    `bson:"purpose"`
	Procedure  string    `bson:"procedure"`
	Note       string    `bson:"note"`
	RecordedBy string    `bson:"recorded_by"`
	ShiftID    string    `bson:"shift_id"` // "" for staff
	CreatedAt  time.Time `bson:"created_at"`
}

func (d *usageDoc) usage() *equipment.Usage {
	return &equipment.Usage{ID: d.ID, DeviceID: d.DeviceID, CentreID: d.CentreID, WardID: d.WardID,
		From: utc(d.StartsAt), To: utc(d.EndsAt), Purpose: equipment.Purpose(d.Purpose), Procedure: d.Procedure,
		Note: d.Note, RecordedBy: d.RecordedBy, ShiftID: d.ShiftID, CreatedAt: utc(d.CreatedAt)}
}

// CreateDevice inserts a device; a taken ID or (centre, label key) is ErrConflict,
// an unknown centre ErrNotFound.
func (d *DB) CreateDevice(ctx context.Context, x *equipment.Device) error {
	if err := mustExist(ctx, d.centres, "centre", x.CentreID); err != nil {
		return err
	}
	_, err := d.devices().InsertOne(ctx, &deviceDoc{ID: x.ID, CentreID: x.CentreID, WardID: x.WardID,
		Kind: string(x.Kind), Label: x.Label, LabelKey: x.LabelKey, Status: string(x.Status), Notes: x.Notes,
		CreatedBy: x.CreatedBy, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt})
	return wrapErr(err, "device "+x.ID)
}

// DeviceByID finds a device by ID.
func (d *DB) DeviceByID(ctx context.Context, id string) (*equipment.Device, error) {
	doc, err := findByID[deviceDoc](ctx, d.devices(), id, "device "+id)
	if err != nil {
		return nil, err
	}
	return doc.device(), nil
}

// UpdateDevice replaces a device's kind, label, label key, status, notes and
// update time; a missing device is ErrNotFound, a taken label key ErrConflict.
func (d *DB) UpdateDevice(ctx context.Context, x *equipment.Device) error {
	return updateByID(ctx, d.devices(), x.ID, bson.D{
		{Key: "kind", Value: string(x.Kind)},
		{Key: "label", Value: x.Label},
		{Key: "label_key", Value: x.LabelKey},
		{Key: "status", Value: string(x.Status)},
		{Key: "notes", Value: x.Notes},
		{Key: "updated_at", Value: x.UpdatedAt},
	}, "device "+x.ID)
}

// ListDevices returns a centre's devices ordered by ID, strictly after p.After.
func (d *DB) ListDevices(ctx context.Context, centreID string, p page.Request) ([]*equipment.Device, error) {
	return findAll(ctx, d.devices(), bson.D{{Key: "centre_id", Value: centreID}}, "_id", p,
		"devices of centre "+centreID, (*deviceDoc).device)
}

// AddUsage inserts a session of use unless another session of the device
// overlaps it (equipment.ErrInUse); the check and the insert run under the
// device's lease. A taken ID is ErrConflict, an unknown device or centre
// ErrNotFound, a lease held elsewhere for too long ErrUnavailable.
func (d *DB) AddUsage(ctx context.Context, u *equipment.Usage) error {
	ctx, markDone, merr := d.markCoverage(ctx, u.WardID)
	if merr != nil {
		return merr
	}
	defer markDone()
	what := fmt.Sprintf("usage %s of device %s", u.ID, u.DeviceID)
	if err := mustExist(ctx, d.devices(), "device", u.DeviceID); err != nil {
		return err
	}
	if err := mustExist(ctx, d.centres, "centre", u.CentreID); err != nil {
		return err
	}
	l, err := d.lock(ctx, deviceLeases, u.DeviceID)
	if err != nil {
		return err
	}
	defer l.release(ctx)

	// The overlapping sessions (a device's sessions do not overlap one another
	// unless voided, so they are few), then whether each is voided.
	overlapping, err := findDocs[usageDoc](ctx, d.deviceUsage(), bson.D{
		{Key: "device_id", Value: u.DeviceID},
		{Key: "starts_at", Value: bson.D{{Key: "$gt", Value: u.From.Add(-equipment.MaxUsage)}, {Key: "$lt", Value: u.To}}},
		{Key: "ends_at", Value: bson.D{{Key: "$gt", Value: u.From}}},
	}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), what)
	if err != nil {
		return err
	}
	for _, o := range overlapping {
		voided, err := exists(ctx, d.usageVoids(), o.ID)
		if err != nil {
			return wrapErr(err, what)
		}
		if !voided {
			return fmt.Errorf("%s: %w", what, equipment.ErrInUse)
		}
	}
	if err := l.check(what); err != nil {
		return err
	}
	_, err = d.deviceUsage().InsertOne(ctx, &usageDoc{ID: u.ID, DeviceID: u.DeviceID, CentreID: u.CentreID,
		WardID: u.WardID, StartsAt: u.From, EndsAt: u.To, Purpose: string(u.Purpose), Procedure: u.Procedure,
		Note: u.Note, RecordedBy: u.RecordedBy, ShiftID: u.ShiftID, CreatedAt: u.CreatedAt})
	return wrapErr(err, what)
}

// UsageByID finds a session by ID, with its void.
func (d *DB) UsageByID(ctx context.Context, id string) (*equipment.Usage, error) {
	doc, err := findByID[usageDoc](ctx, d.deviceUsage(), id, "usage "+id)
	if err != nil {
		return nil, err
	}
	u := doc.usage()
	if err := d.withVoids(ctx, []*equipment.Usage{u}); err != nil {
		return nil, err
	}
	return u, nil
}

// VoidUsage inserts a void; a second one of the session is ErrConflict, an
// unknown session ErrNotFound.
func (d *DB) VoidUsage(ctx context.Context, v *equipment.Void) error {
	ctx, markDone, merr := d.markCoverage(ctx, d.wardOf(ctx, colDeviceUsage, v.UsageID))
	if merr != nil {
		return merr
	}
	defer markDone()
	if err := mustExist(ctx, d.deviceUsage(), "usage", v.UsageID); err != nil {
		return err
	}
	_, err := d.usageVoids().InsertOne(ctx, &voidDoc{UsageID: v.UsageID, Reason: v.Reason, By: v.By, At: v.At})
	return wrapErr(err, "void of usage "+v.UsageID)
}

// voidBatch bounds the ids of one $in query for voids.
const voidBatch = 500

// withVoids sets the Void of each session that has one.
func (d *DB) withVoids(ctx context.Context, us []*equipment.Usage) error {
	byID := make(map[string]*equipment.Usage, len(us))
	for _, u := range us {
		byID[u.ID] = u
	}
	for start := 0; start < len(us); start += voidBatch {
		ids := bson.A{}
		for _, u := range us[start:min(start+voidBatch, len(us))] {
			ids = append(ids, u.ID)
		}
		vs, err := find(ctx, d.usageVoids(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, options.Find(),
			"voids of usage", (*voidDoc).void)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if u := byID[v.UsageID]; u != nil {
				u.Void = v
			}
		}
	}
	return nil
}

// ListUsage returns a centre's sessions starting in [f.From, f.To), each with its
// void, ordered by (start, ID), strictly after the page key p.After
// (equipment.UsageKey).
func (d *DB) ListUsage(ctx context.Context, f equipment.UsageFilter, p page.Request) ([]*equipment.Usage, error) {
	filter, err := startWindow(bson.D{{Key: "centre_id", Value: f.CentreID}}, f.From, f.To, p.After)
	if err != nil {
		return nil, err
	}
	o := options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}})
	if p.Limit > 0 {
		o.SetLimit(int64(p.Limit) + 1)
	}
	us, err := find(ctx, d.deviceUsage(), filter, o, "usage at centre "+f.CentreID, (*usageDoc).usage)
	if err != nil {
		return nil, err
	}
	return us, d.withVoids(ctx, us)
}
