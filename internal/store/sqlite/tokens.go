package sqlite

import (
	"context"
	"time"

	"ecitizen/internal/identity"
)

// CreateRefreshToken stores a new refresh token of a family; a taken hash is
// ErrConflict and an unknown user ErrNotFound.
func (db *DB) CreateRefreshToken(ctx context.Context, t *identity.RefreshToken) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO refresh_tokens (hash, family_id, user_id,
		issued_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		t.Hash, t.FamilyID, t.UserID, ms(t.IssuedAt), ms(t.ExpiresAt))
	return wrap(err, "create refresh token of family %s", t.FamilyID)
}

// RefreshTokenByHash finds a refresh token by the hash of its value.
func (db *DB) RefreshTokenByHash(ctx context.Context, hash string) (*identity.RefreshToken, error) {
	var (
		t              identity.RefreshToken
		issued, expire int64
	)
	err := db.queryRow(ctx, `SELECT hash, family_id, user_id, issued_at, expires_at
		FROM refresh_tokens WHERE hash = ?`, hash).
		Scan(&t.Hash, &t.FamilyID, &t.UserID, &issued, &expire)
	if err != nil {
		return nil, one(err, "refresh token", "(hash)")
	}
	t.IssuedAt, t.ExpiresAt = at(issued), at(expire)
	return &t, nil
}

// SpendRefreshToken marks the token spent by inserting its hash into
// refresh_spent. The primary key lets exactly one call succeed whatever the
// concurrency; later calls are ErrConflict. An unknown token is ErrNotFound.
func (db *DB) SpendRefreshToken(ctx context.Context, hash string, spentAt time.Time) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO refresh_spent (hash, spent_at) VALUES (?, ?)`,
		hash, ms(spentAt))
	return wrap(err, "spend refresh token")
}

// RevokeFamily revokes every token of a family. Idempotent: the first revocation
// (and its reason and time) is kept.
func (db *DB) RevokeFamily(ctx context.Context, familyID, reason string, revokedAt time.Time) error {
	_, err := db.w.ExecContext(ctx, `INSERT OR IGNORE INTO revoked_families (family_id, reason,
		revoked_at) VALUES (?, ?, ?)`, familyID, reason, ms(revokedAt))
	return wrap(err, "revoke family %s", familyID)
}

// FamilyRevoked reports whether a family is revoked.
func (db *DB) FamilyRevoked(ctx context.Context, familyID string) (bool, error) {
	var revoked bool
	err := db.queryRow(ctx,
		`SELECT EXISTS (SELECT 1 FROM revoked_families WHERE family_id = ?)`, familyID).Scan(&revoked)
	return revoked, wrap(err, "read family %s", familyID)
}

// FamiliesOfUser returns the IDs of the user's token families that are not
// revoked, sorted; nil when there are none.
func (db *DB) FamiliesOfUser(ctx context.Context, userID string) ([]string, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT t.family_id FROM refresh_tokens t
		WHERE t.user_id = ?
		AND NOT EXISTS (SELECT 1 FROM revoked_families r WHERE r.family_id = t.family_id)
		ORDER BY t.family_id`, userID)
	if err != nil {
		return nil, wrap(err, "families of user %s", userID)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return nil, wrap(err, "families of user %s", userID)
		}
		out = append(out, f)
	}
	return out, wrap(rows.Err(), "families of user %s", userID)
}
