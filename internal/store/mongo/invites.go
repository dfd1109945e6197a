package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"ecitizen/internal/identity"
	"ecitizen/internal/page"
)

// inviteDoc is an organisation's invite code; code has a unique index.
type inviteDoc struct {
	ID             string     `bson:"_id"`
	OrganisationID string     `bson:"organisation_id"`
	Code           string     `bson:"code"`
	Label          string     `bson:"label"`
	CreatedBy      string     `bson:"created_by"`
	CreatedAt      time.Time  `bson:"created_at"`
	ExpiresAt      time.Time  `bson:"expires_at"`
	RevokedAt      *time.Time `bson:"revoked_at"` // null when not revoked
}

func (d *inviteDoc) invite() *identity.Invite {
	inv := &identity.Invite{
		ID:             d.ID,
		OrganisationID: d.OrganisationID,
		Code:           d.Code,
		Label:          d.Label,
		CreatedBy:      d.CreatedBy,
		CreatedAt:      utc(d.CreatedAt),
		ExpiresAt:      utc(d.ExpiresAt),
	}
	if d.RevokedAt != nil {
		t := utc(*d.RevokedAt)
		inv.RevokedAt = &t
	}
	return inv
}

// CreateInvite inserts an invite; a taken Code (or ID) is ErrConflict, an unknown
// organisation ErrNotFound.
func (d *DB) CreateInvite(ctx context.Context, inv *identity.Invite) error {
	if err := mustExist(ctx, d.organisations, "organisation", inv.OrganisationID); err != nil {
		return err
	}
	_, err := d.invites.InsertOne(ctx, &inviteDoc{
		ID:             inv.ID,
		OrganisationID: inv.OrganisationID,
		Code:           inv.Code,
		Label:          inv.Label,
		CreatedBy:      inv.CreatedBy,
		CreatedAt:      inv.CreatedAt,
		ExpiresAt:      inv.ExpiresAt,
		RevokedAt:      inv.RevokedAt,
	})
	return wrapErr(err, "invite "+inv.ID)
}

// InviteByID finds an invite by ID.
func (d *DB) InviteByID(ctx context.Context, id string) (*identity.Invite, error) {
	return d.findInvite(ctx, byID(id), "invite "+id)
}

// InviteByCode finds an invite by its normalised code.
func (d *DB) InviteByCode(ctx context.Context, code string) (*identity.Invite, error) {
	return d.findInvite(ctx, bson.D{{Key: "code", Value: code}}, "invite by code")
}

func (d *DB) findInvite(ctx context.Context, filter bson.D, what string) (*identity.Invite, error) {
	doc, err := findOne[inviteDoc](ctx, d.invites, filter, what)
	if err != nil {
		return nil, err
	}
	return doc.invite(), nil
}

// UpdateInvite replaces an invite's mutable fields (Label, ExpiresAt, RevokedAt).
func (d *DB) UpdateInvite(ctx context.Context, inv *identity.Invite) error {
	return updateByID(ctx, d.invites, inv.ID, bson.D{
		{Key: "label", Value: inv.Label},
		{Key: "expires_at", Value: inv.ExpiresAt},
		{Key: "revoked_at", Value: inv.RevokedAt},
	}, "invite "+inv.ID)
}

// ListInvites returns an organisation's invites ordered by ID, Limit+1 at most.
func (d *DB) ListInvites(ctx context.Context, organisationID string, p page.Request) ([]*identity.Invite, error) {
	filter := bson.D{{Key: "organisation_id", Value: organisationID}}
	return findAll(ctx, d.invites, filter, "_id", p, "list invites", (*inviteDoc).invite)
}
