package mongo

import (
	"context"
	"time"
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
