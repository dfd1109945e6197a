package equipment

import (
	"context"
	"errors"
	"time"

	"ecitizen/internal/page"
)

// ErrInUse is returned by Store.AddUsage when another usage of the device
// overlaps the new one.
var ErrInUse = errors.New("the device has an overlapping usage")

// Store is the storage of devices and their usage. Adapters return errors
// wrapping apperr.ErrNotFound for a missing record (or an unknown centre or
// device referenced by a new one) and apperr.ErrConflict for a taken unique key.
type Store interface {
	// CreateDevice inserts a device; a taken (CentreID, LabelKey) is ErrConflict.
	CreateDevice(ctx context.Context, d *Device) error
	DeviceByID(ctx context.Context, id string) (*Device, error)
	// UpdateDevice replaces Kind, Label, LabelKey, Status, Notes and UpdatedAt; a
	// taken (CentreID, LabelKey) is ErrConflict.
	UpdateDevice(ctx context.Context, d *Device) error
	// ListDevices returns a centre's devices ordered by ID, Limit+1 at most (all
	// when Limit is 0), strictly after the ID p.After.
	ListDevices(ctx context.Context, centreID string, p page.Request) ([]*Device, error)

	// AddUsage inserts u unless another usage of the device that is not voided
	// overlaps [u.From, u.To) (ErrInUse). The check and the insert run inside a
	// critical section per device, so two overlapping usages recorded at once
	// never both land. u.Void is ignored.
	AddUsage(ctx context.Context, u *Usage) error
	// UsageByID returns a usage with its Void, if any.
	UsageByID(ctx context.Context, id string) (*Usage, error)
	// ListUsage returns the usage matching f, each with its Void, ordered by
	// (From, ID), Limit+1 at most (all when Limit is 0), strictly after the page
	// key p.After (UsageKey).
	ListUsage(ctx context.Context, f UsageFilter, p page.Request) ([]*Usage, error)
	// VoidUsage inserts a void; a second one of the same usage is ErrConflict,
	// an unknown usage ErrNotFound.
	VoidUsage(ctx context.Context, v *Void) error
}

// UsageFilter selects a centre's usage starting in [From, To).
type UsageFilter struct {
	CentreID string
	From, To time.Time
}

// UsageKey is a usage's page key: its start and ID (page.TimeKey).
func UsageKey(u *Usage) string { return page.TimeKey(u.From, u.ID) }
