package resident

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrResealStale is returned by Store.ResealResident when the resident changed
// (its numbers were replaced, or it was erased) since it was read: nothing is
// written, and the next run of the rotation reads it again.
var ErrResealStale = errors.New("resident: changed since it was read for re-encryption")

// RotationBatch is how many residents the rotation reads at a time.
const RotationBatch = 200

// Rotation is the background job that moves residents' numbers to the current
// data key of the ring: for each resident (not erased) with a value sealed
// under an older key, it opens the value, seals it again under the current key,
// and moves its claim to the current blind index (Store.ResealResident: the new
// claim first, then the row if unchanged, then the old claim released). It is
// idempotent and resumable (it selects only what is still on an older key, by
// a cursor over resident ids), and safe when several instances run it at once.
type Rotation struct {
	store Store
	crypt *Crypter
	batch int
}

// RotationDeps are what the rotation job is built from.
type RotationDeps struct {
	// Store keeps residents and their numbers' claims.
	Store Store
	// Keys is the ring of data keys (required): numbers move to its current key.
	Keys *Crypter
}

// NewRotation returns the rotation job.
func NewRotation(d RotationDeps) *Rotation {
	return &Rotation{store: d.Store, crypt: d.Keys, batch: RotationBatch}
}

// UnknownKeysError is a store that holds residents' numbers sealed under data
// keys the configured ring does not hold: those numbers could be neither read
// nor searched, and the same number could be registered again.
type UnknownKeysError struct{ KeyIDs []string }

func (e *UnknownKeysError) Error() string {
	return fmt.Sprintf("the store holds residents' numbers sealed under data key id %s, which is neither the current data key "+
		"(ECITIZEN_DATA_KEY, or data.key in the data directory) nor in ECITIZEN_DATA_KEYS_OLD; configure the key that sealed them "+
		"(restore data.key from your backup)", strings.Join(e.KeyIDs, ", "))
}

// CheckRing returns an *UnknownKeysError when a resident's number is sealed
// under a key the ring lacks. The program refuses to start then.
func (j *Rotation) CheckRing(ctx context.Context) error {
	unknown, err := j.store.SealingKeyIDs(ctx, j.crypt.KeyIDs())
	if err != nil {
		return fmt.Errorf("data keys of the store: %w", err)
	}
	if len(unknown) > 0 {
		return &UnknownKeysError{KeyIDs: unknown}
	}
	return nil
}

// RotationReport counts what one run did; it never holds a value.
type RotationReport struct {
	CurrentKeyID string
	Resealed     int // residents moved to the current key
	// Unreadable residents have a value sealed under a key not in the ring.
	Unreadable int
	// Busy residents changed meanwhile or hold a claim another resident also
	// takes right now: the next run tries again.
	Busy int
}

// Remaining is how many residents the run left on older keys.
func (r RotationReport) Remaining() int { return r.Unreadable + r.Busy }

// Run re-encrypts every resident still on an older key.
func (j *Rotation) Run(ctx context.Context) (RotationReport, error) {
	rep := RotationReport{CurrentKeyID: j.crypt.KeyID()}
	after := ""
	for {
		rs, err := j.store.ResidentsToReseal(ctx, rep.CurrentKeyID, after, j.batch)
		if err != nil {
			return rep, fmt.Errorf("data key rotation: %w", err)
		}
		for _, r := range rs {
			after = r.ID
			err := j.reseal(ctx, r)
			var taken *KeyTakenError
			switch {
			case err == nil:
				rep.Resealed++
			case errors.Is(err, ErrUnknownKey):
				rep.Unreadable++
			case errors.Is(err, ErrResealStale) || errors.As(err, &taken):
				rep.Busy++
			default:
				return rep, fmt.Errorf("data key rotation: %w", err)
			}
		}
		if len(rs) < j.batch {
			return rep, nil
		}
	}
}

// reseal moves one resident's values on older keys to the current key.
func (j *Rotation) reseal(ctx context.Context, was *Resident) error {
	r := *was
	var err error
	if r.Phone, r.PhoneIndex, err = j.move(was.ID, KindPhone, was.Phone, was.PhoneIndex); err != nil {
		return err
	}
	if r.NationalID, r.NationalIndex, err = j.move(was.ID, KindNationalID, was.NationalID, was.NationalIndex); err != nil {
		return err
	}
	if err := j.store.ResealResident(ctx, was, &r); err != nil {
		return fmt.Errorf("reseal resident %s: %w", was.ID, err)
	}
	return nil
}

// move returns a value sealed again under the current key with its current
// index; a value already there (or none) is returned as it is.
func (j *Rotation) move(residentID string, kind KeyKind, s *Sealed, index string) (*Sealed, string, error) {
	if s == nil || s.KeyID == j.crypt.KeyID() {
		return s, index, nil
	}
	plain, err := j.crypt.Open(residentID, kind, s)
	if err != nil {
		return nil, "", fmt.Errorf("resident %s %s: %w", residentID, kind, err)
	}
	sealed, err := j.crypt.Seal(residentID, kind, plain)
	if err != nil {
		return nil, "", err
	}
	return sealed, j.crypt.Index(kind, plain), nil
}
