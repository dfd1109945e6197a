package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"ecitizen/internal/identity"
	"ecitizen/internal/page"
)

// userColumns selects a user with its ward scope as a JSON array sorted by ward id.
const userColumns = `SELECT u.id, u.email, u.email_key, u.display_name, u.phone, u.role,
	u.organisation_id, u.status, u.disabled_by, u.password_hash, u.created_at, u.updated_at,
	(SELECT json_group_array(w.ward_id ORDER BY w.ward_id) FROM user_wards w WHERE w.user_id = u.id)
	FROM users u`

// CreateUser inserts u and its wards; a taken EmailKey is ErrConflict and an
// unknown organisation ErrNotFound.
func (db *DB) CreateUser(ctx context.Context, u *identity.User) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, email_key, display_name,
			phone, role, organisation_id, status, disabled_by, password_hash, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Email, u.EmailKey, u.DisplayName, u.Phone, string(u.Role),
			nullString(u.Scope.OrganisationID), string(u.Status), string(u.DisabledBy), u.PasswordHash,
			ms(u.CreatedAt), ms(u.UpdatedAt)); err != nil {
			return err
		}
		return insertWards(ctx, tx, u.ID, u.Scope.WardIDs)
	})
	return wrap(err, "create user %s", u.ID)
}

// insertWards stores a user's ward scope; a repeated ward is stored once.
func insertWards(ctx context.Context, tx *sql.Tx, userID string, wardIDs []string) error {
	for _, w := range wardIDs {
		if _, err := tx.ExecContext(ctx,
			`INSERT OR IGNORE INTO user_wards (user_id, ward_id) VALUES (?, ?)`, userID, w); err != nil {
			return err
		}
	}
	return nil
}

// UserByID finds a user by id.
func (db *DB) UserByID(ctx context.Context, id string) (*identity.User, error) {
	u, err := scanUser(db.queryRow(ctx, userColumns+` WHERE u.id = ?`, id))
	if err != nil {
		return nil, one(err, "user", id)
	}
	return u, nil
}

// UserByEmail finds a user by the normalised email key.
func (db *DB) UserByEmail(ctx context.Context, emailKey string) (*identity.User, error) {
	u, err := scanUser(db.queryRow(ctx, userColumns+` WHERE u.email_key = ?`, emailKey))
	if err != nil {
		return nil, one(err, "user", "by email")
	}
	return u, nil
}

// UpdateUser replaces the mutable fields of u (all but ID, EmailKey and CreatedAt)
// and its ward list, in one transaction.
func (db *DB) UpdateUser(ctx context.Context, u *identity.User) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET email = ?, display_name = ?, phone = ?,
			role = ?, organisation_id = ?, status = ?, disabled_by = ?, password_hash = ?, updated_at = ?
			WHERE id = ?`,
			u.Email, u.DisplayName, u.Phone, string(u.Role), nullString(u.Scope.OrganisationID),
			string(u.Status), string(u.DisabledBy), u.PasswordHash, ms(u.UpdatedAt), u.ID)
		if err != nil {
			return err
		}
		if err := affected(res, "user", u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_wards WHERE user_id = ?`, u.ID); err != nil {
			return err
		}
		return insertWards(ctx, tx, u.ID, u.Scope.WardIDs)
	})
	return wrap(err, "update user %s", u.ID)
}

// ListUsers returns users matching f ordered by id, strictly after p.After,
// p.Limit+1 at most (all when p.Limit is 0).
func (db *DB) ListUsers(ctx context.Context, f identity.UserFilter, p page.Request) ([]*identity.User, error) {
	var w where
	if p.After != "" {
		w.add(`u.id > ?`, p.After)
	}
	if f.Role != "" {
		w.add(`u.role = ?`, string(f.Role))
	}
	if f.OrganisationID != "" {
		w.add(`u.organisation_id = ?`, f.OrganisationID)
	}
	if f.Status != "" {
		w.add(`u.status = ?`, string(f.Status))
	}
	if len(f.AnyWardIDs) > 0 {
		wards, err := json.Marshal(f.AnyWardIDs)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		w.add(`EXISTS (SELECT 1 FROM user_wards x WHERE x.user_id = u.id
			AND x.ward_id IN (SELECT value FROM json_each(?)))`, string(wards))
	}
	return list(ctx, db, "users", userColumns+w.String()+` ORDER BY u.id LIMIT ?`,
		append(w.args, limit(p.Limit)), scanUser)
}

// CountUsers returns how many users exist.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, wrap(err, "count users")
}

func scanUser(s scanner) (*identity.User, error) {
	var (
		u                  identity.User
		org                sql.NullString
		wards              string
		created, updatedAt int64
	)
	if err := s.Scan(&u.ID, &u.Email, &u.EmailKey, &u.DisplayName, &u.Phone, &u.Role,
		&org, &u.Status, &u.DisabledBy, &u.PasswordHash, &created, &updatedAt, &wards); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(wards), &u.Scope.WardIDs); err != nil {
		return nil, fmt.Errorf("user %s wards: %w", u.ID, err)
	}
	if len(u.Scope.WardIDs) == 0 {
		u.Scope.WardIDs = nil
	}
	u.Scope.OrganisationID = org.String
	u.CreatedAt, u.UpdatedAt = at(created), at(updatedAt)
	return &u, nil
}

// ReplacePasswordHash sets the hash of user id to next while it is old.
func (db *DB) ReplacePasswordHash(ctx context.Context, id, old, next string, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND password_hash = ?`,
		next, ms(at), id, old)
	return wrap(err, "replace password hash of user %s", id)
}
