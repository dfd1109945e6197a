package directory

import (
	"context"

	"ecitizen/internal/page"
)

// Store is the storage directory needs. Adapters return errors wrapping
// apperr.ErrNotFound for a missing record and apperr.ErrConflict for a taken unique key.
type Store interface {
	TargetStore
	MergeStore

	// CreateWard inserts w; a taken Code is ErrConflict.
	CreateWard(ctx context.Context, w *Ward) error
	// UpdateWard replaces a ward's mutable fields; a taken Code is ErrConflict.
	UpdateWard(ctx context.Context, w *Ward) error
	WardByID(ctx context.Context, id string) (*Ward, error)
	// ListWards returns wards ordered by Code (page key), Limit+1 at most.
	ListWards(ctx context.Context, f WardFilter, p page.Request) ([]*Ward, error)

	// CreateCentre inserts c; its ward must exist (ErrNotFound otherwise).
	CreateCentre(ctx context.Context, c *Centre) error
	UpdateCentre(ctx context.Context, c *Centre) error
	CentreByID(ctx context.Context, id string) (*Centre, error)
	// ListCentres returns centres matching f ordered by ID, Limit+1 at most.
	ListCentres(ctx context.Context, f CentreFilter, p page.Request) ([]*Centre, error)

	CreateOrganisation(ctx context.Context, o *Organisation) error
	UpdateOrganisation(ctx context.Context, o *Organisation) error
	OrganisationByID(ctx context.Context, id string) (*Organisation, error)
	// ListOrganisations returns organisations matching f ordered by ID, Limit+1 at most.
	ListOrganisations(ctx context.Context, f OrganisationFilter, p page.Request) ([]*Organisation, error)
}

// WardFilter selects wards; empty fields match all.
type WardFilter struct {
	Status WardStatus
}

// CentreFilter selects centres; empty fields match all.
type CentreFilter struct {
	WardID string
	Active *bool
}

// OrganisationFilter selects organisations; empty fields match all.
type OrganisationFilter struct {
	Kind OrganisationKind
}
