package mongo

import (
	"context"
	"time"

	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
)

// LeaseForTest takes the database lease on a volunteer without the process-local
// turn, as another process would, and returns its release.
func (d *DB) LeaseForTest(ctx context.Context, volunteerID string) (func(), error) {
	return d.leaseForTest(ctx, volunteerLeases, volunteerID)
}

// DeviceLeaseForTest takes the database lease on a device as LeaseForTest does on
// a volunteer.
func (d *DB) DeviceLeaseForTest(ctx context.Context, deviceID string) (func(), error) {
	return d.leaseForTest(ctx, deviceLeases, deviceID)
}

func (d *DB) leaseForTest(ctx context.Context, space leaseSpace, key string) (func(), error) {
	token, err := randomToken()
	if err != nil {
		return nil, err
	}
	l, err := d.acquire(ctx, space, key, token, time.Now().Add(leaseWait), "test lease on "+key)
	if err != nil {
		return nil, err
	}
	l.local = func() {}
	return func() { l.release(context.Background()) }, nil
}

// ClaimForTest inserts a claim on a number as a writer that stopped half-way
// left it, age ago.
func (d *DB) ClaimForTest(ctx context.Context, k resident.Key, age time.Duration) error {
	_, err := d.residentKeys().InsertOne(ctx, &residentKeyDoc{ID: keyID(k), ResidentID: k.ResidentID, ClaimedAt: time.Now().Add(-age).UTC()})
	return err
}

// ErasureAuditForTest inserts an erasure's audit record alone, as an erasure
// that stopped right after it left it.
func (d *DB) ErasureAuditForTest(ctx context.Context, a *resident.Audit) error {
	_, err := d.residentAudit().InsertOne(ctx, toAuditDoc(a, "erase:"+a.ResidentID))
	return err
}

// CreateProgressRecordUnmarkedForTest inserts a record without marking its
// ward's coverage stamp: what a reader sees of a write that a mark announced
// but that landed after the reader read the facts.
func (d *DB) CreateProgressRecordUnmarkedForTest(ctx context.Context, r *progress.Record) error {
	_, err := d.progressRecords().InsertOne(ctx, &progressRecordDoc{ID: r.ID, ResidentID: r.ResidentID, SkillCode: r.SkillCode,
		Method: string(r.Method), Evidence: r.Evidence, RecordedBy: r.RecordedBy, CentreID: r.CentreID, ShiftID: r.ShiftID, At: r.At})
	return err
}
