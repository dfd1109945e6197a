package sqlite

import (
	"context"
	"database/sql"

	"ecitizen/internal/identity"
	"ecitizen/internal/page"
)

const inviteColumns = `SELECT id, organisation_id, code, label, created_by, created_at,
	expires_at, revoked_at FROM invites`

// CreateInvite inserts an invite; a taken Code is ErrConflict and an unknown
// organisation ErrNotFound.
func (db *DB) CreateInvite(ctx context.Context, inv *identity.Invite) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO invites (id, organisation_id, code, label,
		created_by, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		inv.ID, inv.OrganisationID, inv.Code, inv.Label, inv.CreatedBy,
		ms(inv.CreatedAt), ms(inv.ExpiresAt), nullTime(inv.RevokedAt))
	return wrap(err, "create invite %s", inv.ID)
}

// InviteByID finds an invite by id.
func (db *DB) InviteByID(ctx context.Context, id string) (*identity.Invite, error) {
	inv, err := scanInvite(db.queryRow(ctx, inviteColumns+` WHERE id = ?`, id))
	if err != nil {
		return nil, one(err, "invite", id)
	}
	return inv, nil
}

// InviteByCode finds an invite by its normalised code.
func (db *DB) InviteByCode(ctx context.Context, code string) (*identity.Invite, error) {
	inv, err := scanInvite(db.queryRow(ctx, inviteColumns+` WHERE code = ?`, code))
	if err != nil {
		return nil, one(err, "invite", "by code")
	}
	return inv, nil
}

// UpdateInvite replaces an invite's mutable fields (Label, ExpiresAt, RevokedAt).
func (db *DB) UpdateInvite(ctx context.Context, inv *identity.Invite) error {
	res, err := db.w.ExecContext(ctx, `UPDATE invites SET label = ?, expires_at = ?, revoked_at = ?
		WHERE id = ?`, inv.Label, ms(inv.ExpiresAt), nullTime(inv.RevokedAt), inv.ID)
	if err != nil {
		return wrap(err, "update invite %s", inv.ID)
	}
	return wrap(affected(res, "invite", inv.ID), "update invite %s", inv.ID)
}

// ListInvites returns an organisation's invites ordered by id, strictly after
// p.After, p.Limit+1 at most (all when p.Limit is 0).
func (db *DB) ListInvites(ctx context.Context, organisationID string, p page.Request) ([]*identity.Invite, error) {
	var w where
	w.add(`organisation_id = ?`, organisationID)
	if p.After != "" {
		w.add(`id > ?`, p.After)
	}
	return list(ctx, db, "invites", inviteColumns+w.String()+` ORDER BY id LIMIT ?`,
		append(w.args, limit(p.Limit)), scanInvite)
}

func scanInvite(s scanner) (*identity.Invite, error) {
	var (
		inv             identity.Invite
		created, expire int64
		revoked         sql.NullInt64
	)
	if err := s.Scan(&inv.ID, &inv.OrganisationID, &inv.Code, &inv.Label, &inv.CreatedBy,
		&created, &expire, &revoked); err != nil {
		return nil, err
	}
	inv.CreatedAt, inv.ExpiresAt = at(created), at(expire)
	if revoked.Valid {
		t := at(revoked.Int64)
		inv.RevokedAt = &t
	}
	return &inv, nil
}
