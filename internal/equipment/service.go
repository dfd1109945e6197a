package equipment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// Error codes of equipment.
const (
	CodeDeviceLabelTaken apperr.Code = "device_label_taken"
	CodeDeviceInUse      apperr.Code = "device_in_use"
	CodeDeviceRetired    apperr.Code = "device_retired"
	CodeUsageVoided      apperr.Code = "usage_voided"
)

var (
	errLabelTaken = &apperr.Error{Code: CodeDeviceLabelTaken,
		Vi: "Nhà sinh hoạt cộng đồng đã có thiết bị mang tên này.", En: "The centre already has a device with this label."}
	errInUse = &apperr.Error{Code: CodeDeviceInUse,
		Vi: "Thiết bị đã có một lượt sử dụng trùng thời gian.", En: "The device already has a session of use at an overlapping time."}
	errRetired = &apperr.Error{Code: CodeDeviceRetired,
		Vi: "Thiết bị đã ngừng sử dụng.", En: "The device is retired."}
	errVoided = &apperr.Error{Code: CodeUsageVoided,
		Vi: "Lượt sử dụng này đã bị huỷ.", En: "This session of use has already been voided."}
)

// Centres is what equipment needs of the directory.
type Centres interface {
	// ActiveCentre returns an active centre (ErrNotFound otherwise).
	ActiveCentre(ctx context.Context, id string) (*directory.Centre, error)
}

// Duty tells whether a volunteer is on duty at a centre (roster.Service.OnDuty).
type Duty interface {
	// OnDuty returns the volunteer's shift at the centre at time at, or an error
	// (roster.ErrNotOnDuty when they are not on duty).
	OnDuty(ctx context.Context, volunteerID, centreID string, at time.Time) (*roster.Shift, error)
}

// Service holds the rules of devices and their usage. Who may do what:
//   - every signed-in user lists a centre's devices (volunteers pick one);
//   - admins and the staff of a centre's ward add and change its devices, record
//     usage at any time within a year, void usage recorded in error, and read
//     the usage log with its totals;
//   - a volunteer records usage at a centre only while on duty there, for a
//     session overlapping their shift (roster.Service.OnDuty).
type Service struct {
	store   Store
	centres Centres
	duty    Duty
	now     func() time.Time
}

// Deps are what the equipment service is built from.
type Deps struct {
	// Store keeps devices and their usage log.
	Store Store
	// Centres finds active centres (directory.Service).
	Centres Centres
	// Duty tells whether a volunteer is on duty at a centre (roster.Service).
	Duty Duty
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// NewService returns the equipment service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, centres: d.Centres, duty: d.Duty, now: d.Now}
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// managedCentre returns an active centre of the caller's wards; for other ward
// staff it is not found, for other roles forbidden.
func (s *Service) managedCentre(ctx context.Context, c identity.Caller, centreID string) (*directory.Centre, error) {
	centre, err := s.centres.ActiveCentre(ctx, centreID)
	if err != nil {
		return nil, err
	}
	if !c.HasWard(centre.WardID) {
		if c.Role == identity.RoleWardStaff {
			return nil, fmt.Errorf("centre %s: %w", centreID, apperr.ErrNotFound)
		}
		return nil, apperr.ErrForbidden
	}
	return centre, nil
}

// Devices lists an active centre's devices, for any signed-in user.
func (s *Service) Devices(ctx context.Context, centreID string, p page.Request) ([]*Device, string, error) {
	centre, err := s.centres.ActiveCentre(ctx, centreID)
	if err != nil {
		return nil, "", err
	}
	ds, err := s.store.ListDevices(ctx, centre.ID, p)
	if err != nil {
		return nil, "", fmt.Errorf("list devices: %w", err)
	}
	ds, next := page.Cut(ds, p, func(d *Device) string { return d.ID })
	return ds, next, nil
}

// NewDevice is what staff give to add a device; a zero Status is working.
type NewDevice struct {
	Kind   Kind
	Label  string
	Status Status
	Notes  string
}

// CreateDevice adds a device to a centre of the caller's wards.
func (s *Service) CreateDevice(ctx context.Context, c identity.Caller, centreID string, n NewDevice) (*Device, error) {
	centre, err := s.managedCentre(ctx, c, centreID)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	d := &Device{ID: uuid.Must(uuid.NewV7()).String(), CentreID: centre.ID, WardID: centre.WardID, Kind: n.Kind,
		Label: n.Label, Status: n.Status, Notes: n.Notes, CreatedBy: c.UserID, CreatedAt: now, UpdatedAt: now}
	if d.Status == "" {
		d.Status = StatusWorking
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.CreateDevice(ctx, d); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil, errLabelTaken
		}
		return nil, fmt.Errorf("create device: %w", err)
	}
	return d, nil
}

// DevicePatch changes a device; nil fields stay. A device never moves to another centre.
type DevicePatch struct {
	Kind   *Kind
	Label  *string
	Status *Status
	Notes  *string
}

// UpdateDevice changes a device of a centre of the caller's wards; others are
// not found.
func (s *Service) UpdateDevice(ctx context.Context, c identity.Caller, id string, p DevicePatch) (*Device, error) {
	if !c.IsStaff() {
		return nil, apperr.ErrForbidden
	}
	d, err := s.store.DeviceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.HasWard(d.WardID) {
		return nil, fmt.Errorf("device %s: %w", id, apperr.ErrNotFound)
	}
	if p.Kind != nil {
		d.Kind = *p.Kind
	}
	if p.Label != nil {
		d.Label = *p.Label
	}
	if p.Status != nil {
		d.Status = *p.Status
	}
	if p.Notes != nil {
		d.Notes = *p.Notes
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	d.UpdatedAt = s.timestamp()
	if err := s.store.UpdateDevice(ctx, d); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil, errLabelTaken
		}
		return nil, fmt.Errorf("update device: %w", err)
	}
	return d, nil
}
