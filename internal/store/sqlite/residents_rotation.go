package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"ecitizen/internal/resident"
)

// Moving residents' numbers to the current data key (resident.Rotation).

// SealingKeyIDs returns the data key ids, other than known, that seal a number.
func (db *DB) SealingKeyIDs(ctx context.Context, known []string) ([]string, error) {
	var out []string
	for {
		var id string
		// A key not yet found, one lookup per key: the residents are read once
		// for each data key the store holds, which is a handful.
		marks := strings.TrimSuffix(strings.Repeat("?,", len(known)+len(out)), ",")
		args := append(append([]any{}, anySlice(known)...), anySlice(out)...)
		q := `SELECT k FROM (SELECT phone_key_id AS k FROM residents UNION ALL SELECT national_key_id FROM residents)
			WHERE k IS NOT NULL`
		if marks != "" {
			q += ` AND k NOT IN (` + marks + `)`
		}
		err := db.queryRow(ctx, q+` LIMIT 1`, args...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return out, nil
		}
		if err != nil {
			return nil, wrap(err, "data keys of residents")
		}
		out = append(out, id)
	}
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// ResidentsToReseal returns the residents (not erased) with a number sealed
// under a key other than currentKeyID, by id, strictly after after.
func (db *DB) ResidentsToReseal(ctx context.Context, currentKeyID, after string, limit int) ([]*resident.Resident, error) {
	return list(ctx, db, "residents to reseal", residentColumns+` WHERE erased_at IS NULL AND id > ?
		AND ((phone_key_id IS NOT NULL AND phone_key_id != ?) OR (national_key_id IS NOT NULL AND national_key_id != ?))
		ORDER BY id LIMIT ?`, []any{after, currentKeyID, currentKeyID, limit}, scanResident)
}

// ResealResident claims r's new keys, writes r's numbers if the row still has
// was's ciphertexts and is not erased (resident.ErrResealStale otherwise), and
// releases was's old keys, in one transaction.
func (db *DB) ResealResident(ctx context.Context, was, r *resident.Resident) error {
	add, drop := resident.KeyDiff(resident.ClaimsOf(was), resident.ClaimsOf(r))
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := claim(ctx, tx, add); err != nil {
			return err
		}
		wpk, wpb := sealed(was.Phone)
		wnk, wnb := sealed(was.NationalID)
		pk, pb := sealed(r.Phone)
		nk, nb := sealed(r.NationalID)
		res, err := tx.ExecContext(ctx, `UPDATE residents SET phone_key_id = ?, phone_box = ?, phone_index = ?,
			national_key_id = ?, national_box = ?, national_index = ?
			WHERE id = ? AND erased_at IS NULL AND phone_key_id IS ? AND phone_box IS ? AND national_key_id IS ? AND national_box IS ?`,
			pk, pb, nullString(r.PhoneIndex), nk, nb, nullString(r.NationalIndex), r.ID, wpk, wpb, wnk, wnb)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return resident.ErrResealStale
		}
		return release(ctx, tx, drop)
	})
	var taken *resident.KeyTakenError
	if errors.As(err, &taken) || errors.Is(err, resident.ErrResealStale) {
		return err
	}
	return wrap(err, "reseal resident %s", r.ID)
}
