package resident

import (
	"context"
	"fmt"
	"slices"
	"strings"

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
	// inserts r, then releases the transient keys; a claim held by another
	// resident is a *KeyTakenError, and then nothing is stored.
	CreateResident(ctx context.Context, r *Resident, keys []Key) error
	// ResidentByID returns a resident with its ciphertexts and indexes.
	ResidentByID(ctx context.Context, id string) (*Resident, error)
	// UpdateResident claims add for r.ID (*KeyTakenError when another resident
	// holds one, and then nothing changes), replaces the resident's fields, then
	// releases drop (claims of r.ID) and the transient keys of add.
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
	// SealingKeyIDs returns the ids of the data keys, other than known, under
	// which any resident's phone or national ID is sealed (erased residents hold
	// none).
	SealingKeyIDs(ctx context.Context, known []string) ([]string, error)
	// ResidentsToReseal returns the residents (never erased ones) with a phone or
	// national ID sealed under a key other than currentKeyID, ordered by ID,
	// strictly after the ID after, limit at most.
	ResidentsToReseal(ctx context.Context, currentKeyID, after string, limit int) ([]*Resident, error)
	// ResealResident replaces the numbers of was (ciphertexts and indexes) with
	// those of r (the same resident): it claims ClaimsOf(r) not in ClaimsOf(was)
	// (*KeyTakenError when another resident holds one, and then nothing
	// changes), writes r's numbers only if the stored resident still has was's
	// ciphertexts and is not erased (ErrResealStale otherwise, and then nothing
	// changes), then releases ClaimsOf(was) not in ClaimsOf(r).
	ResealResident(ctx context.Context, was, r *Resident) error
	// ListAudit returns a ward's audit records newest first (ID descending),
	// Limit+1 at most, strictly before the ID p.After.
	ListAudit(ctx context.Context, wardID string, p page.Request) ([]*Audit, error)
}

// ErrErased is returned by Store.EraseResident for a resident erased before.
var ErrErased = errErased

// Filter selects a ward's residents. Erased residents are never listed. Every set
// field narrows the list: Terms are folded words, each the start of a word of the
// folded name; PhoneIndexes and NationalIndexes are blind indexes of one number
// (under each key of the ring), of which a resident's index is any; DupKey is exact.
type Filter struct {
	WardID          string
	Terms           []string
	PhoneIndexes    []string
	NationalIndexes []string
	DupKey          string
}

// NameWords returns the distinct words of a folded name (Resident.NameKey), in
// their order: what the stores index so that a search term, which matches the
// start of a word, is found through an index over words instead of a scan of a
// ward's names (none for an erased resident, whose NameKey is empty).
func NameWords(nameKey string) []string {
	words := []string{}
	for _, w := range strings.Fields(nameKey) {
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	return words
}

// ClaimsOf returns the claims a stored resident holds: its phone's and national
// ID's blind indexes (those under the key that sealed them).
func ClaimsOf(r *Resident) []Key { return keysOf(r) }

// KeyDiff returns the claims of to that from does not hold (add), and those of
// from that to does not keep (drop).
func KeyDiff(from, to []Key) (add, drop []Key) {
	for _, k := range to {
		if !keyIn(from, k.Kind, k.Index) {
			add = append(add, k)
		}
	}
	for _, k := range from {
		if !keyIn(to, k.Kind, k.Index) {
			drop = append(drop, k)
		}
	}
	return add, drop
}

// Prepared is a resident built by Service.Prepare, with the claims its
// numbers need, for a batch insert (store.Bulk's InsertResidents).
type Prepared struct {
	Resident *Resident
	Keys     []Key
}

// TransientKeys returns the transient keys of keys.
func TransientKeys(keys []Key) []Key {
	var out []Key
	for _, k := range keys {
		if k.Transient {
			out = append(out, k)
		}
	}
	return out
}
