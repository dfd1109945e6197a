package mongo

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/identity"
)

// refreshTokenDoc is a refresh token, keyed by the hash of its value. A token is
// never updated: spending it inserts a spentDoc, revoking its family a revokedDoc.
type refreshTokenDoc struct {
	Hash      string    `bson:"_id"`
	FamilyID  string    `bson:"family_id"`
	UserID    string    `bson:"user_id"`
	IssuedAt  time.Time `bson:"issued_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// spentDoc records that the token with this hash was spent; _id makes it unique.
type spentDoc struct {
	Hash    string    `bson:"_id"`
	SpentAt time.Time `bson:"spent_at"`
}

// revokedDoc records that a token family was revoked; _id makes it unique.
type revokedDoc struct {
	FamilyID  string    `bson:"_id"`
	Reason    string    `bson:"reason"`
	RevokedAt time.Time `bson:"revoked_at"`
}

// CreateRefreshToken stores a new refresh token of a family; a taken hash is
// ErrConflict and an unknown user ErrNotFound.
func (d *DB) CreateRefreshToken(ctx context.Context, t *identity.RefreshToken) error {
	if err := mustExist(ctx, d.users, "user", t.UserID); err != nil {
		return err
	}
	_, err := d.refreshTokens.InsertOne(ctx, &refreshTokenDoc{
		Hash:      t.Hash,
		FamilyID:  t.FamilyID,
		UserID:    t.UserID,
		IssuedAt:  t.IssuedAt,
		ExpiresAt: t.ExpiresAt,
	})
	return wrapErr(err, "refresh token")
}

// RefreshTokenByHash finds a refresh token by the hash of its value.
func (d *DB) RefreshTokenByHash(ctx context.Context, hash string) (*identity.RefreshToken, error) {
	doc, err := findByID[refreshTokenDoc](ctx, d.refreshTokens, hash, "refresh token")
	if err != nil {
		return nil, err
	}
	return &identity.RefreshToken{
		Hash:      doc.Hash,
		FamilyID:  doc.FamilyID,
		UserID:    doc.UserID,
		IssuedAt:  utc(doc.IssuedAt),
		ExpiresAt: utc(doc.ExpiresAt),
	}, nil
}

// SpendRefreshToken marks the token spent by inserting its spent record: the unique
// _id lets exactly one of any number of concurrent calls succeed; the others, and
// every later call, get ErrConflict. An unknown token is ErrNotFound.
func (d *DB) SpendRefreshToken(ctx context.Context, hash string, at time.Time) error {
	// Tokens are never deleted, so this check cannot be overtaken by a later write.
	if err := mustExist(ctx, d.refreshTokens, "refresh token", hash); err != nil {
		return err
	}
	_, err := d.refreshSpent.InsertOne(ctx, &spentDoc{Hash: hash, SpentAt: at})
	return wrapErr(err, "spend refresh token")
}

// RevokeFamily revokes every token of a family. Idempotent: the first revocation
// (its reason and time) is kept.
func (d *DB) RevokeFamily(ctx context.Context, familyID, reason string, at time.Time) error {
	_, err := d.revoked.InsertOne(ctx, &revokedDoc{FamilyID: familyID, Reason: reason, RevokedAt: at})
	if err != nil && !duplicateKey(err) {
		return wrapErr(err, "revoke family "+familyID)
	}
	return nil
}

// FamilyRevoked reports whether a family is revoked.
func (d *DB) FamilyRevoked(ctx context.Context, familyID string) (bool, error) {
	ok, err := exists(ctx, d.revoked, familyID)
	if err != nil {
		return false, wrapErr(err, "family "+familyID)
	}
	return ok, nil
}

// FamiliesOfUser returns the IDs of the user's token families that are not revoked,
// sorted; nil when there are none. Two queries, since FerretDB has no $lookup;
// the tokens are read and their families collected, since FerretDB's distinct
// refuses the maxTimeMS the driver sends under a deadline.
func (d *DB) FamiliesOfUser(ctx context.Context, userID string) ([]string, error) {
	toks, err := find(ctx, d.refreshTokens, bson.D{{Key: "user_id", Value: userID}},
		options.Find().SetProjection(bson.D{{Key: "family_id", Value: 1}}), "families of user "+userID,
		func(t *struct {
			FamilyID string `bson:"family_id"`
		}) *string {
			return &t.FamilyID
		})
	if err != nil {
		return nil, err
	}
	var families []string
	seen := map[string]bool{}
	for _, f := range toks {
		if !seen[*f] {
			seen[*f] = true
			families = append(families, *f)
		}
	}
	if len(families) == 0 {
		return nil, nil
	}
	revoked, err := findDocs[revokedDoc](ctx, d.revoked, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: families}}}}, options.Find(),
		"revoked families of user "+userID)
	if err != nil {
		return nil, err
	}
	gone := make(map[string]bool, len(revoked))
	for _, r := range revoked {
		gone[r.FamilyID] = true
	}
	var out []string
	for _, f := range families {
		if !gone[f] {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out, nil
}
