package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"ecitizen/internal/directory"
	"ecitizen/internal/page"
)

// Wards.

const wardColumns = `SELECT id, code, name_vi, name_en, status, merged_into, created_at,
	updated_at, merged_at FROM wards`

// CreateWard inserts w; a taken Code is ErrConflict, an unknown MergedInto ErrNotFound.
func (db *DB) CreateWard(ctx context.Context, w *directory.Ward) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO wards (id, code, name_vi, name_en, status,
		merged_into, created_at, updated_at, merged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.Code, w.NameVi, w.NameEn, string(w.Status), nullString(w.MergedInto),
		ms(w.CreatedAt), ms(w.UpdatedAt), nullTime(w.MergedAt))
	return wrap(err, "create ward %s", w.ID)
}

// UpdateWard replaces a ward's code, names, status, merger and update time; a
// taken Code is ErrConflict.
func (db *DB) UpdateWard(ctx context.Context, w *directory.Ward) error {
	res, err := db.w.ExecContext(ctx, `UPDATE wards SET code = ?, name_vi = ?, name_en = ?,
		status = ?, merged_into = ?, updated_at = ?, merged_at = ? WHERE id = ?`,
		w.Code, w.NameVi, w.NameEn, string(w.Status), nullString(w.MergedInto), ms(w.UpdatedAt),
		nullTime(w.MergedAt), w.ID)
	if err != nil {
		return wrap(err, "update ward %s", w.ID)
	}
	return affected(res, "ward", w.ID)
}

// WardByID finds a ward by id.
func (db *DB) WardByID(ctx context.Context, id string) (*directory.Ward, error) {
	w, err := scanWard(db.queryRow(ctx, wardColumns+` WHERE id = ?`, id))
	if err != nil {
		return nil, one(err, "ward", id)
	}
	return w, nil
}

// ListWards returns wards matching f ordered by code, strictly after the code
// p.After, p.Limit+1 at most (all when p.Limit is 0).
func (db *DB) ListWards(ctx context.Context, f directory.WardFilter, p page.Request) ([]*directory.Ward, error) {
	var w where
	if p.After != "" {
		w.add(`code > ?`, p.After)
	}
	if f.Status != "" {
		w.add(`status = ?`, string(f.Status))
	}
	return list(ctx, db, "wards", wardColumns+w.String()+` ORDER BY code LIMIT ?`,
		append(w.args, limit(p.Limit)), scanWard)
}

func scanWard(s scanner) (*directory.Ward, error) {
	var (
		w                  directory.Ward
		merged             sql.NullString
		created, updatedAt int64
		mergedAt           sql.NullInt64
	)
	if err := s.Scan(&w.ID, &w.Code, &w.NameVi, &w.NameEn, &w.Status, &merged,
		&created, &updatedAt, &mergedAt); err != nil {
		return nil, err
	}
	w.MergedInto = merged.String
	if mergedAt.Valid {
		t := at(mergedAt.Int64)
		w.MergedAt = &t
	}
	w.CreatedAt, w.UpdatedAt = at(created), at(updatedAt)
	return &w, nil
}

// Centres.

const centreColumns = `SELECT id, ward_id, name, address, hours, seats, active, created_at,
	updated_at FROM centres`

// CreateCentre inserts c; an unknown ward is ErrNotFound. A centre of a ward
// merged meanwhile goes to the ward it was merged into (c.WardID is changed).
func (db *DB) CreateCentre(ctx context.Context, c *directory.Centre) error {
	hours, err := json.Marshal(c.Hours)
	if err != nil {
		return fmt.Errorf("create centre %s: hours: %w", c.ID, err)
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		ward, err := openWard(ctx, tx, c.WardID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO centres (id, ward_id, name, address, hours,
			seats, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, ward, c.Name, c.Address, string(hours), c.Seats, c.Active,
			ms(c.CreatedAt), ms(c.UpdatedAt))
		if err == nil {
			c.WardID = ward
		}
		return err
	})
	return wrap(err, "create centre %s in ward %s", c.ID, c.WardID)
}

// UpdateCentre replaces a centre's ward, name, address, hours, seats, active flag
// and update time; an unknown ward is ErrNotFound. A centre read before its ward
// was merged goes to the ward it was merged into (c.WardID is changed).
func (db *DB) UpdateCentre(ctx context.Context, c *directory.Centre) error {
	hours, err := json.Marshal(c.Hours)
	if err != nil {
		return fmt.Errorf("update centre %s: hours: %w", c.ID, err)
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		ward, err := openWard(ctx, tx, c.WardID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE centres SET ward_id = ?, name = ?, address = ?,
			hours = ?, seats = ?, active = ?, updated_at = ? WHERE id = ?`,
			ward, c.Name, c.Address, string(hours), c.Seats, c.Active, ms(c.UpdatedAt), c.ID)
		if err != nil {
			return err
		}
		if err := affected(res, "centre", c.ID); err != nil {
			return err
		}
		c.WardID = ward
		return nil
	})
	return wrap(err, "update centre %s in ward %s", c.ID, c.WardID)
}

// CentreByID finds a centre by id.
func (db *DB) CentreByID(ctx context.Context, id string) (*directory.Centre, error) {
	c, err := scanCentre(db.queryRow(ctx, centreColumns+` WHERE id = ?`, id))
	if err != nil {
		return nil, one(err, "centre", id)
	}
	return c, nil
}

// ListCentres returns centres matching f ordered by id, strictly after p.After,
// p.Limit+1 at most (all when p.Limit is 0).
func (db *DB) ListCentres(ctx context.Context, f directory.CentreFilter, p page.Request) ([]*directory.Centre, error) {
	var w where
	if p.After != "" {
		w.add(`id > ?`, p.After)
	}
	if f.WardID != "" {
		w.add(`ward_id = ?`, f.WardID)
	}
	if f.Active != nil {
		w.add(`active = ?`, *f.Active)
	}
	return list(ctx, db, "centres", centreColumns+w.String()+` ORDER BY id LIMIT ?`,
		append(w.args, limit(p.Limit)), scanCentre)
}

func scanCentre(s scanner) (*directory.Centre, error) {
	var (
		c                  directory.Centre
		hours              string
		created, updatedAt int64
	)
	if err := s.Scan(&c.ID, &c.WardID, &c.Name, &c.Address, &hours, &c.Seats, &c.Active,
		&created, &updatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(hours), &c.Hours); err != nil {
		return nil, fmt.Errorf("centre %s hours: %w", c.ID, err)
	}
	c.CreatedAt, c.UpdatedAt = at(created), at(updatedAt)
	return &c, nil
}

// Organisations.

const organisationColumns = `SELECT id, kind, name, contact_name, contact_email,
	contact_phone, active, created_at, updated_at FROM organisations`

// CreateOrganisation inserts o; a taken id is ErrConflict.
func (db *DB) CreateOrganisation(ctx context.Context, o *directory.Organisation) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO organisations (id, kind, name, contact_name,
		contact_email, contact_phone, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, string(o.Kind), o.Name, o.ContactName, o.ContactEmail, o.ContactPhone, o.Active,
		ms(o.CreatedAt), ms(o.UpdatedAt))
	return wrap(err, "create organisation %s", o.ID)
}

// UpdateOrganisation replaces an organisation's fields but its id and creation time.
func (db *DB) UpdateOrganisation(ctx context.Context, o *directory.Organisation) error {
	res, err := db.w.ExecContext(ctx, `UPDATE organisations SET kind = ?, name = ?,
		contact_name = ?, contact_email = ?, contact_phone = ?, active = ?, updated_at = ?
		WHERE id = ?`,
		string(o.Kind), o.Name, o.ContactName, o.ContactEmail, o.ContactPhone, o.Active,
		ms(o.UpdatedAt), o.ID)
	if err != nil {
		return wrap(err, "update organisation %s", o.ID)
	}
	return affected(res, "organisation", o.ID)
}

// OrganisationByID finds an organisation by id.
func (db *DB) OrganisationByID(ctx context.Context, id string) (*directory.Organisation, error) {
	o, err := scanOrganisation(db.queryRow(ctx, organisationColumns+` WHERE id = ?`, id))
	if err != nil {
		return nil, one(err, "organisation", id)
	}
	return o, nil
}

// ListOrganisations returns organisations matching f ordered by id, strictly after
// p.After, p.Limit+1 at most (all when p.Limit is 0).
func (db *DB) ListOrganisations(ctx context.Context, f directory.OrganisationFilter, p page.Request) ([]*directory.Organisation, error) {
	var w where
	if p.After != "" {
		w.add(`id > ?`, p.After)
	}
	if f.Kind != "" {
		w.add(`kind = ?`, string(f.Kind))
	}
	return list(ctx, db, "organisations", organisationColumns+w.String()+` ORDER BY id LIMIT ?`,
		append(w.args, limit(p.Limit)), scanOrganisation)
}

func scanOrganisation(s scanner) (*directory.Organisation, error) {
	var (
		o                  directory.Organisation
		created, updatedAt int64
	)
	if err := s.Scan(&o.ID, &o.Kind, &o.Name, &o.ContactName, &o.ContactEmail, &o.ContactPhone,
		&o.Active, &created, &updatedAt); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = at(created), at(updatedAt)
	return &o, nil
}
