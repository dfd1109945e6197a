package directory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
)

// WardTarget is what a ward has to reach in a year: its adult population and
// households (the denominators of coverage). One per (ward, year); the last write
// wins, as for any setting.
type WardTarget struct {
	WardID          string
	Year            int
	AdultPopulation int
	Households      int
	UpdatedBy       string
	UpdatedAt       time.Time
}

// DistrictTarget is the share of the adult population the district aims to make
// e-citizens in a year, in percent (0 to 100). One per year; the last write wins.
type DistrictTarget struct {
	Year                 int
	EcitizenSharePercent float64
	UpdatedBy            string
	UpdatedAt            time.Time
}

// Bounds of targets.
const (
	MinTargetYear = 2000
	MaxTargetYear = 2100
	// MaxPopulation bounds a ward's adult population and households.
	MaxPopulation = 10_000_000
)

// TargetStore is the storage of targets. Targets are keyed by (ward, year) and by
// year: a put replaces the stored one, and concurrent puts never store two.
type TargetStore interface {
	// PutWardTarget inserts or replaces the target of (t.WardID, t.Year); an unknown
	// ward is ErrNotFound.
	PutWardTarget(ctx context.Context, t *WardTarget) error
	// WardTarget returns the target of (wardID, year), ErrNotFound when none.
	WardTarget(ctx context.Context, wardID string, year int) (*WardTarget, error)
	// WardTargetsOf returns a ward's targets ordered by year.
	WardTargetsOf(ctx context.Context, wardID string) ([]*WardTarget, error)
	// WardTargets returns every ward's target of a year ordered by ward id, in one query.
	WardTargets(ctx context.Context, year int) ([]*WardTarget, error)
	// PutDistrictTarget inserts or replaces the district's target of t.Year.
	PutDistrictTarget(ctx context.Context, t *DistrictTarget) error
	// DistrictTarget returns the district's target of a year, ErrNotFound when none.
	DistrictTarget(ctx context.Context, year int) (*DistrictTarget, error)
	// DistrictTargets returns the district's targets ordered by year.
	DistrictTargets(ctx context.Context) ([]*DistrictTarget, error)
}

func checkYear(year int) error {
	if year < MinTargetYear || year > MaxTargetYear {
		return apperr.Invalid("year", "range", "Năm phải từ 2000 đến 2100.", "The year is between 2000 and 2100.")
	}
	return nil
}

// Validate checks a ward target's fields.
func (t *WardTarget) Validate() error {
	if err := checkYear(t.Year); err != nil {
		return err
	}
	if t.AdultPopulation < 0 || t.AdultPopulation > MaxPopulation {
		return apperr.Invalid("adult_population", "range", "Dân số trưởng thành từ 0 đến 10 000 000.", "The adult population is between 0 and 10,000,000.")
	}
	if t.Households < 0 || t.Households > MaxPopulation {
		return apperr.Invalid("households", "range", "Số hộ gia đình từ 0 đến 10 000 000.", "Households are between 0 and 10,000,000.")
	}
	return nil
}

// Validate checks a district target's fields.
func (t *DistrictTarget) Validate() error {
	if err := checkYear(t.Year); err != nil {
		return err
	}
	if !(t.EcitizenSharePercent >= 0 && t.EcitizenSharePercent <= 100) { // NaN too
		return apperr.Invalid("ecitizen_share_percent", "range", "Tỉ lệ công dân số mục tiêu từ 0 đến 100 (%).", "The target e-citizen share is between 0 and 100 (%).")
	}
	return nil
}

// SetWardTarget stores a ward's target of a year (replacing the previous one).
// Admins only; an unknown ward is not found.
func (s *Service) SetWardTarget(ctx context.Context, c identity.Caller, t WardTarget) (*WardTarget, error) {
	if !c.IsAdmin() {
		return nil, apperr.ErrForbidden
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.store.WardByID(ctx, t.WardID); err != nil {
		return nil, err
	}
	t.UpdatedBy, t.UpdatedAt = c.UserID, s.timestamp()
	if err := s.store.PutWardTarget(ctx, &t); err != nil {
		return nil, fmt.Errorf("put ward target: %w", err)
	}
	return &t, nil
}

// WardTargetsOf lists a ward's targets by year: admins and the ward's staff; other
// ward staff find no ward, other roles are forbidden.
func (s *Service) WardTargetsOf(ctx context.Context, c identity.Caller, wardID string) ([]*WardTarget, error) {
	if !c.HasWard(wardID) {
		if c.Role == identity.RoleWardStaff {
			return nil, fmt.Errorf("ward %s: %w", wardID, apperr.ErrNotFound)
		}
		return nil, apperr.ErrForbidden
	}
	if _, err := s.store.WardByID(ctx, wardID); err != nil {
		return nil, err
	}
	ts, err := s.store.WardTargetsOf(ctx, wardID)
	if err != nil {
		return nil, fmt.Errorf("list ward targets: %w", err)
	}
	return ts, nil
}

// TargetFor returns a ward's target of a year; found is false when none is set.
func (s *Service) TargetFor(ctx context.Context, wardID string, year int) (WardTarget, bool, error) {
	t, err := s.store.WardTarget(ctx, wardID, year)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return WardTarget{}, false, nil
	case err != nil:
		return WardTarget{}, false, fmt.Errorf("ward target: %w", err)
	}
	return *t, true, nil
}

// TargetsOfYear returns every ward's target of a year (wards without one are
// missing), ordered by ward id.
func (s *Service) TargetsOfYear(ctx context.Context, year int) ([]*WardTarget, error) {
	ts, err := s.store.WardTargets(ctx, year)
	if err != nil {
		return nil, fmt.Errorf("ward targets of %d: %w", year, err)
	}
	return ts, nil
}

// SetDistrictTarget stores the district's target of a year. Admins only.
func (s *Service) SetDistrictTarget(ctx context.Context, c identity.Caller, t DistrictTarget) (*DistrictTarget, error) {
	if !c.IsAdmin() {
		return nil, apperr.ErrForbidden
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	t.UpdatedBy, t.UpdatedAt = c.UserID, s.timestamp()
	if err := s.store.PutDistrictTarget(ctx, &t); err != nil {
		return nil, fmt.Errorf("put district target: %w", err)
	}
	return &t, nil
}

// DistrictTargets lists the district's targets by year (any staff; the HTTP layer
// checks the role).
func (s *Service) DistrictTargets(ctx context.Context) ([]*DistrictTarget, error) {
	ts, err := s.store.DistrictTargets(ctx)
	if err != nil {
		return nil, fmt.Errorf("list district targets: %w", err)
	}
	return ts, nil
}

// DistrictTargetFor returns the district's target of a year; found is false when
// none is set.
func (s *Service) DistrictTargetFor(ctx context.Context, year int) (DistrictTarget, bool, error) {
	t, err := s.store.DistrictTarget(ctx, year)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return DistrictTarget{}, false, nil
	case err != nil:
		return DistrictTarget{}, false, fmt.Errorf("district target: %w", err)
	}
	return *t, true, nil
}
