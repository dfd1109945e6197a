package directory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
)

// Error codes of directory.
const (
	CodeWardCodeTaken apperr.Code = "ward_code_taken"
)

// Service holds the rules of the directory. Who may do what:
//   - wards: anyone reads; admins create and change them.
//   - centres: anyone reads active centres; admins and the ward's staff also read
//     inactive ones, and create and change the centres of their wards.
//   - organisations: signed-in users read; admins create and change them.
type Service struct {
	store Store
	now   func() time.Time
}

// Deps are what the directory service is built from.
type Deps struct {
	// Store keeps wards, centres and organisations.
	Store Store
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// NewService returns the directory service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, now: d.Now}
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// CheckOrganisation implements identity.Directory.
func (s *Service) CheckOrganisation(ctx context.Context, id string) error {
	o, err := s.store.OrganisationByID(ctx, id)
	if err != nil {
		return err
	}
	if !o.Active {
		return fmt.Errorf("organisation %s inactive: %w", id, apperr.ErrNotFound)
	}
	return nil
}

// CheckWards implements identity.Directory.
func (s *Service) CheckWards(ctx context.Context, ids []string) error {
	for _, id := range ids {
		if _, err := s.store.WardByID(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// Wards lists wards by code.
func (s *Service) Wards(ctx context.Context, f WardFilter, p page.Request) ([]*Ward, string, error) {
	ws, err := s.store.ListWards(ctx, f, p)
	if err != nil {
		return nil, "", fmt.Errorf("list wards: %w", err)
	}
	ws, next := page.Cut(ws, p, func(w *Ward) string { return w.Code })
	return ws, next, nil
}

// Ward returns one ward.
func (s *Service) Ward(ctx context.Context, id string) (*Ward, error) {
	return s.store.WardByID(ctx, id)
}

// CreateWard creates an active ward. Admins only.
func (s *Service) CreateWard(ctx context.Context, c identity.Caller, w Ward) (*Ward, error) {
	if !c.IsAdmin() {
		return nil, apperr.ErrForbidden
	}
	now := s.timestamp()
	w.ID, w.Status, w.MergedInto, w.MergedAt, w.CreatedAt, w.UpdatedAt = newID(), WardActive, "", nil, now, now
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.CreateWard(ctx, &w); err != nil {
		return nil, wardErr(err)
	}
	return &w, nil
}

func wardErr(err error) error {
	if errors.Is(err, apperr.ErrConflict) {
		return apperr.New(CodeWardCodeTaken, "Mã phường đã được dùng.", "This ward code is already used.")
	}
	return fmt.Errorf("store ward: %w", err)
}

// WardPatch changes a ward; nil fields stay.
type WardPatch struct {
	Code       *string
	NameVi     *string
	NameEn     *string
	Status     *WardStatus
	MergedInto *string
}

// UpdateWard changes a ward, including marking it merged into another active ward.
// Admins only.
func (s *Service) UpdateWard(ctx context.Context, c identity.Caller, id string, p WardPatch) (*Ward, error) {
	if !c.IsAdmin() {
		return nil, apperr.ErrForbidden
	}
	w, err := s.store.WardByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != nil || p.MergedInto != nil {
		// A ward merged through POST /wards/{id}/merge stays merged.
		if _, err := s.store.WardMergeOf(ctx, id); err == nil {
			return nil, ErrWardMerged
		} else if !errors.Is(err, apperr.ErrNotFound) {
			return nil, fmt.Errorf("merge of ward %s: %w", id, err)
		}
	}
	wasMerged := w.Status == WardMerged
	set(&w.Code, p.Code)
	set(&w.NameVi, p.NameVi)
	set(&w.NameEn, p.NameEn)
	set(&w.Status, p.Status)
	set(&w.MergedInto, p.MergedInto)
	if w.Status == WardActive && p.MergedInto == nil {
		w.MergedInto = ""
	}
	if p.Status != nil && *p.Status == WardMerging {
		return nil, apperr.Invalid("status", "oneof", "Trạng thái phường là active hoặc merged.", "The ward status is active or merged.")
	}
	switch {
	case w.Status == WardActive:
		w.MergedAt = nil
	case !wasMerged:
		at := s.timestamp()
		w.MergedAt = &at
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if w.Status == WardMerged {
		into, err := s.store.WardByID(ctx, w.MergedInto)
		if err != nil || into.Status != WardActive {
			return nil, apperr.Invalid("merged_into", "unknown_ward", "Phường tiếp nhận không tồn tại hoặc đã sáp nhập.", "The receiving ward does not exist or was merged itself.")
		}
	}
	w.UpdatedAt = s.timestamp()
	if err := s.store.UpdateWard(ctx, w); err != nil {
		return nil, wardErr(err)
	}
	return w, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Centres lists a ward's centres; inactive ones only for admins and the ward's staff.
func (s *Service) Centres(ctx context.Context, c identity.Caller, wardID string, p page.Request) ([]*Centre, string, error) {
	if _, err := s.store.WardByID(ctx, wardID); err != nil {
		return nil, "", err
	}
	f := CentreFilter{WardID: wardID}
	if !c.HasWard(wardID) {
		active := true
		f.Active = &active
	}
	cs, err := s.store.ListCentres(ctx, f, p)
	if err != nil {
		return nil, "", fmt.Errorf("list centres: %w", err)
	}
	cs, next := page.Cut(cs, p, func(c *Centre) string { return c.ID })
	return cs, next, nil
}

// ActiveCentres lists the active centres of every ward by ID, a page at a time
// (public, as each ward's active centres are).
func (s *Service) ActiveCentres(ctx context.Context, p page.Request) ([]*Centre, string, error) {
	active := true
	cs, err := s.store.ListCentres(ctx, CentreFilter{Active: &active}, p)
	if err != nil {
		return nil, "", fmt.Errorf("list active centres: %w", err)
	}
	cs, next := page.Cut(cs, p, func(c *Centre) string { return c.ID })
	return cs, next, nil
}

// Centre returns one centre; an inactive one is not found except for admins and the
// ward's staff.
func (s *Service) Centre(ctx context.Context, c identity.Caller, id string) (*Centre, error) {
	ce, err := s.store.CentreByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ce.Active && !c.HasWard(ce.WardID) {
		return nil, fmt.Errorf("centre %s: %w", id, apperr.ErrNotFound)
	}
	return ce, nil
}

// CreateCentre creates a centre in a ward. Admins and the ward's staff may; for
// anyone else the ward is not found.
func (s *Service) CreateCentre(ctx context.Context, c identity.Caller, ce Centre) (*Centre, error) {
	if !c.HasWard(ce.WardID) {
		if c.Role == identity.RoleWardStaff {
			return nil, fmt.Errorf("ward %s: %w", ce.WardID, apperr.ErrNotFound)
		}
		return nil, apperr.ErrForbidden
	}
	now := s.timestamp()
	ce.ID, ce.CreatedAt, ce.UpdatedAt = newID(), now, now
	if err := ce.Validate(); err != nil {
		return nil, err
	}
	if err := s.CheckWardOpen(ctx, ce.WardID); err != nil {
		return nil, err
	}
	if err := s.store.CreateCentre(ctx, &ce); err != nil {
		return nil, fmt.Errorf("create centre: %w", err)
	}
	return &ce, nil
}

// CentrePatch changes a centre; nil fields stay. A centre never moves to another ward.
type CentrePatch struct {
	Name    *string
	Address *string
	Hours   *OpeningHours
	Seats   *int
	Active  *bool
}

// UpdateCentre changes a centre of the caller's wards; others are not found.
func (s *Service) UpdateCentre(ctx context.Context, c identity.Caller, id string, p CentrePatch) (*Centre, error) {
	if !c.IsStaff() {
		return nil, apperr.ErrForbidden
	}
	ce, err := s.store.CentreByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.HasWard(ce.WardID) {
		return nil, fmt.Errorf("centre %s: %w", id, apperr.ErrNotFound)
	}
	set(&ce.Name, p.Name)
	set(&ce.Address, p.Address)
	set(&ce.Hours, p.Hours)
	set(&ce.Seats, p.Seats)
	set(&ce.Active, p.Active)
	if err := ce.Validate(); err != nil {
		return nil, err
	}
	ce.UpdatedAt = s.timestamp()
	if err := s.store.UpdateCentre(ctx, ce); err != nil {
		return nil, fmt.Errorf("update centre: %w", err)
	}
	return ce, nil
}

// Organisations lists organisations. Signed-in users only (the HTTP layer checks).
func (s *Service) Organisations(ctx context.Context, f OrganisationFilter, p page.Request) ([]*Organisation, string, error) {
	orgs, err := s.store.ListOrganisations(ctx, f, p)
	if err != nil {
		return nil, "", fmt.Errorf("list organisations: %w", err)
	}
	orgs, next := page.Cut(orgs, p, func(o *Organisation) string { return o.ID })
	return orgs, next, nil
}

// Organisation returns one organisation.
func (s *Service) Organisation(ctx context.Context, id string) (*Organisation, error) {
	return s.store.OrganisationByID(ctx, id)
}

// CreateOrganisation creates an active organisation. Admins only.
func (s *Service) CreateOrganisation(ctx context.Context, c identity.Caller, o Organisation) (*Organisation, error) {
	if !c.IsAdmin() {
		return nil, apperr.ErrForbidden
	}
	now := s.timestamp()
	o.ID, o.Active, o.CreatedAt, o.UpdatedAt = newID(), true, now, now
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.CreateOrganisation(ctx, &o); err != nil {
		return nil, fmt.Errorf("create organisation: %w", err)
	}
	return &o, nil
}

// OrganisationPatch changes an organisation; nil fields stay.
type OrganisationPatch struct {
	Kind         *OrganisationKind
	Name         *string
	ContactName  *string
	ContactEmail *string
	ContactPhone *string
	Active       *bool
}

// UpdateOrganisation changes an organisation. Admins only.
func (s *Service) UpdateOrganisation(ctx context.Context, c identity.Caller, id string, p OrganisationPatch) (*Organisation, error) {
	if !c.IsAdmin() {
		return nil, apperr.ErrForbidden
	}
	o, err := s.store.OrganisationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	set(&o.Kind, p.Kind)
	set(&o.Name, p.Name)
	set(&o.ContactName, p.ContactName)
	set(&o.ContactEmail, p.ContactEmail)
	set(&o.ContactPhone, p.ContactPhone)
	set(&o.Active, p.Active)
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o.UpdatedAt = s.timestamp()
	if err := s.store.UpdateOrganisation(ctx, o); err != nil {
		return nil, fmt.Errorf("update organisation: %w", err)
	}
	return o, nil
}

// BuiltinOrganisationID is the organisation that owns the built-in catalogue.
const BuiltinOrganisationID = "ecitizen"

// EnsureBuiltinOrganisation creates the organisation of the built-in catalogue
// unless it exists. Safe to call at every start, from several instances at once.
func (s *Service) EnsureBuiltinOrganisation(ctx context.Context) error {
	now := s.timestamp()
	o := &Organisation{ID: BuiltinOrganisationID, Kind: KindOther, Name: "Thư viện bài học ecitizen (ecitizen lesson library)",
		Active: true, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateOrganisation(ctx, o); err != nil && !errors.Is(err, apperr.ErrConflict) {
		return fmt.Errorf("built-in organisation: %w", err)
	}
	return nil
}

// CentreWard returns the ward of an active centre; a missing or inactive centre is
// not found.
func (s *Service) CentreWard(ctx context.Context, centreID string) (string, error) {
	c, err := s.ActiveCentre(ctx, centreID)
	if err != nil {
		return "", err
	}
	return c.WardID, nil
}

// ActiveCentre returns an active centre; a missing or inactive one is not found.
func (s *Service) ActiveCentre(ctx context.Context, id string) (*Centre, error) {
	c, err := s.store.CentreByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.Active {
		return nil, fmt.Errorf("centre %s inactive: %w", id, apperr.ErrNotFound)
	}
	return c, nil
}
