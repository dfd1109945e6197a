package resident

import (
	"context"
	"fmt"

	"ecitizen/internal/apperr"
	"ecitizen/internal/page"
)

// KeyTakenError is what a store returns when a claim of a personal number is
// held by another resident; it matches apperr.ErrConflict. It names the holder
// and the kind, never the number.
type KeyTakenError struct {
	Kind       KeyKind
	ResidentID string
}

func (e *KeyTakenError) Error() string {
	return fmt.Sprintf("resident %s already holds this %s", e.ResidentID, e.Kind)
}

// Unwrap makes the error match apperr.ErrConflict.
func (e *KeyTakenError) Unwrap() error { return apperr.ErrConflict }

// Store is the storage of residents, the claims on their personal numbers, and
// the audit trail of their personal data. Adapters return errors wrapping
// apperr.ErrNotFound for a missing record (or an unknown ward of a new resident)
// and *KeyTakenError for a claim held by another resident.
type Store interface {
	// CreateResident claims keys (each unique by (Kind, Index)) for r.ID, then
	// inserts r; a claim held by another resident is a *KeyTakenError, and then
	// nothing is stored.
	CreateResident(ctx context.Context, r *Resident, keys []Key) error
	// ResidentByID returns a resident with its ciphertexts and indexes.
	ResidentByID(ctx context.Context, id string) (*Resident, error)
	// UpdateResident claims add for r.ID (*KeyTakenError when another resident
	// holds one, and then nothing changes), replaces the resident's fields, then
	// releases drop (claims of r.ID).
	UpdateResident(ctx context.Context, r *Resident, add, drop []Key) error
	// ListResidents returns the residents matching f, ordered by ID, Limit+1 at
	// most (all when Limit is 0), strictly after the ID p.After.
	ListResidents(ctx context.Context, f Filter, p page.Request) ([]*Resident, error)
	// CountResidents counts a ward's residents, erased ones included.
	CountResidents(ctx context.Context, wardID string) (int, error)
	// EraseResident replaces r's fields with the erased ones (r already
	// anonymised, ErasedAt set), releases drop, and inserts the audit record a;
	// a resident erased before is ErrErased and then nothing changes.
	EraseResident(ctx context.Context, r *Resident, drop []Key, a *Audit) error
	// AddAudit inserts an audit record.
	AddAudit(ctx context.Context, a *Audit) error
	// ListAudit returns a ward's audit records newest first (ID descending),
	// Limit+1 at most, strictly before the ID p.After.
	ListAudit(ctx context.Context, wardID string, p page.Request) ([]*Audit, error)
}

// ErrErased is returned by Store.EraseResident for a resident erased before.
var ErrErased = errErased

// Filter selects a ward's residents. Erased residents are never listed. Every set
// field narrows the list: Terms are folded words, each the start of a word of the
// folded name; PhoneIndex and NationalIndex are blind indexes; DupKey is exact.
type Filter struct {
	WardID        string
	Terms         []string
	PhoneIndex    string
	NationalIndex string
	DupKey        string
}
