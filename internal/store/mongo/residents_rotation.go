package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/apperr"
	"ecitizen/internal/resident"
)

// Moving residents' numbers to the current data key (resident.Rotation). The
// rotation of a resident, its updates and its erasure run under the resident's
// lease (resident_leases, unique resident_id): FerretDB's conditional updates
// are not atomic, and a re-encryption written over an erasure would bring the
// erased numbers back.

var residentLeases = leaseSpace{collection: "resident_leases", field: "resident_id"}

// SealingKeyIDs returns the data key ids, other than known, that seal a number:
// one lookup per key found (a handful), each for a resident with a key not yet
// known.
func (d *DB) SealingKeyIDs(ctx context.Context, known []string) ([]string, error) {
	var out []string
	for {
		seen := append(append([]string{}, known...), out...) // never nil: $nin needs an array
		other := func(field string) bson.D {
			return bson.D{{Key: field, Value: bson.D{{Key: "$exists", Value: true}, {Key: "$nin", Value: seen}}}}
		}
		doc, err := findOne[residentDoc](ctx, d.residents(), bson.D{{Key: "$or", Value: bson.A{other("phone.key_id"), other("national_id.key_id")}}},
			"data keys of residents")
		if errors.Is(err, apperr.ErrNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		found := false
		for _, s := range []*resident.Sealed{doc.resident().Phone, doc.resident().NationalID} {
			if s != nil && !slices.Contains(seen, s.KeyID) && !slices.Contains(out, s.KeyID) {
				out, found = append(out, s.KeyID), true
			}
		}
		if !found {
			return nil, fmt.Errorf("data keys of residents: resident %s matched without a new key", doc.ID)
		}
	}
}

// ResidentsToReseal returns the residents (not erased) with a number sealed
// under a key other than currentKeyID, by _id, strictly after after.
func (d *DB) ResidentsToReseal(ctx context.Context, currentKeyID, after string, limit int) ([]*resident.Resident, error) {
	other := func(field string) bson.D {
		return bson.D{{Key: field, Value: bson.D{{Key: "$exists", Value: true}, {Key: "$ne", Value: currentKeyID}}}}
	}
	filter := bson.D{{Key: "erased", Value: false}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}},
		{Key: "$or", Value: bson.A{other("phone.key_id"), other("national_id.key_id")}}}
	return find(ctx, d.residents(), filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)),
		"residents to reseal", (*residentDoc).resident)
}

// ResealResident, under the resident's lease: checks that the document still
// has was's ciphertexts and is not erased (resident.ErrResealStale otherwise),
// claims r's new keys, writes r's numbers, then releases was's old keys.
func (d *DB) ResealResident(ctx context.Context, was, r *resident.Resident) error {
	what := "reseal resident " + r.ID
	l, err := d.lock(ctx, residentLeases, r.ID)
	if err != nil {
		return err
	}
	defer l.release(ctx)
	// Compared before claiming: a resident moved meanwhile holds the new claims
	// already, and releasing them on the way out would strip it of its number.
	cur, err := d.ResidentByID(ctx, r.ID)
	if err != nil {
		return err
	}
	if cur.Erased() || !sameSealed(cur.Phone, was.Phone) || !sameSealed(cur.NationalID, was.NationalID) {
		return resident.ErrResealStale
	}
	add, drop := resident.KeyDiff(resident.ClaimsOf(was), resident.ClaimsOf(r))
	if err := d.claimKeys(ctx, add); err != nil {
		return err
	}
	undo := func(err error) error {
		d.releaseKeys(context.WithoutCancel(ctx), add)
		return err
	}
	// A claim older than residentClaimTTL may be taken over: write only while
	// the lease (taken before the claims) is young.
	if err := l.check(what); err != nil {
		return undo(err)
	}
	doc := toResidentDoc(r)
	if err := updateByID(ctx, d.residents(), r.ID, bson.D{
		{Key: "phone", Value: doc.Phone}, {Key: "phone_index", Value: doc.PhoneIndex},
		{Key: "national_id", Value: doc.National}, {Key: "national_index", Value: doc.NationalIndex},
	}, what); err != nil {
		return undo(err)
	}
	d.releaseKeys(ctx, drop)
	return nil
}

func sameSealed(a, b *resident.Sealed) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.KeyID == b.KeyID && string(a.Box) == string(b.Box)
}
