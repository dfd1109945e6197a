package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"ecitizen/internal/equipment"
	"ecitizen/internal/page"
)

// Devices of centres and their usage log. A device's (centre, label_key) is a
// UNIQUE key. That a device's sessions (those not voided) never overlap spans
// rows: AddUsage checks and inserts in one write transaction (BEGIN IMMEDIATE),
// so two overlapping sessions recorded at once are serialised and the second
// sees the first. A void is a row keyed by its session.

const deviceColumns = `SELECT id, centre_id, ward_id, kind, label, label_key, status,
	notes, created_by, created_at, updated_at FROM devices`

// CreateDevice inserts a device; a taken ID or (centre, label key) is ErrConflict,
// an unknown centre ErrNotFound.
func (db *DB) CreateDevice(ctx context.Context, d *equipment.Device) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO devices (id, centre_id, ward_id, kind, label,
		label_key, status, notes, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.CentreID, d.WardID, string(d.Kind), d.Label, d.LabelKey, string(d.Status), d.Notes,
		d.CreatedBy, ms(d.CreatedAt), ms(d.UpdatedAt))
	return wrap(err, "create device %s", d.ID)
}

// DeviceByID finds a device by id.
func (db *DB) DeviceByID(ctx context.Context, id string) (*equipment.Device, error) {
	d, err := scanDevice(db.queryRow(ctx, deviceColumns+` WHERE id = ?`, id))
	if err != nil {
		return nil, one(err, "device", id)
	}
	return d, nil
}

// UpdateDevice replaces a device's kind, label, label key, status, notes and
// update time; a missing device is ErrNotFound, a taken label key ErrConflict.
func (db *DB) UpdateDevice(ctx context.Context, d *equipment.Device) error {
	res, err := db.w.ExecContext(ctx, `UPDATE devices SET kind = ?, label = ?, label_key = ?,
		status = ?, notes = ?, updated_at = ? WHERE id = ?`,
		string(d.Kind), d.Label, d.LabelKey, string(d.Status), d.Notes, ms(d.UpdatedAt), d.ID)
	if err != nil {
		return wrap(err, "update device %s", d.ID)
	}
	return affected(res, "device", d.ID)
}

// ListDevices returns a centre's devices ordered by id, strictly after p.After.
func (db *DB) ListDevices(ctx context.Context, centreID string, p page.Request) ([]*equipment.Device, error) {
	return list(ctx, db, "devices", deviceColumns+` WHERE centre_id = ? AND id > ? ORDER BY id LIMIT ?`,
		[]any{centreID, p.After, limit(p.Limit)}, scanDevice)
}

func scanDevice(s scanner) (*equipment.Device, error) {
	var (
		d                equipment.Device
		created, updated int64
	)
	if err := s.Scan(&d.ID, &d.CentreID, &d.WardID, &d.Kind, &d.Label, &d.LabelKey, &d.Status,
		&d.Notes, &d.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt = at(created), at(updated)
	return &d, nil
}

const usageColumns = `SELECT u.id, u.device_id, u.centre_id, u.ward_id, u.starts_at, u.ends_at,
	u.purpose, u.procedure, u.note, u.recorded_by, u.shift_id, u.created_at, v.reason, v.by_user, v.at
	FROM device_usage u LEFT JOIN device_usage_voids v ON v.usage_id = u.id`

// AddUsage inserts a session of use unless another session of the device
// overlaps it (equipment.ErrInUse); the check and the insert run in one BEGIN
// IMMEDIATE transaction. A taken ID is ErrConflict, an unknown device or centre
// ErrNotFound. Sessions last equipment.MaxUsage at most, so an overlapping one
// starts after u.From - MaxUsage: the check is one index range.
func (db *DB) AddUsage(ctx context.Context, u *equipment.Usage) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var found int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM device_usage u WHERE device_id = ?
			AND starts_at > ? AND starts_at < ? AND ends_at > ?
			AND NOT EXISTS (SELECT 1 FROM device_usage_voids v WHERE v.usage_id = u.id) LIMIT 1`,
			u.DeviceID, ms(u.From.Add(-equipment.MaxUsage)), ms(u.To), ms(u.From)).Scan(&found)
		switch {
		case err == nil:
			return fmt.Errorf("device %s: %w", u.DeviceID, equipment.ErrInUse)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO device_usage (id, device_id, centre_id, ward_id,
			starts_at, ends_at, purpose, procedure, note, recorded_by, shift_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.DeviceID, u.CentreID, u.WardID, ms(u.From), ms(u.To), string(u.Purpose),
			u.Procedure, u.Note, u.RecordedBy, nullString(u.ShiftID), ms(u.CreatedAt))
		return err
	})
	return wrap(err, "add usage %s of device %s", u.ID, u.DeviceID)
}

// UsageByID finds a session by id, with its void.
func (db *DB) UsageByID(ctx context.Context, id string) (*equipment.Usage, error) {
	u, err := scanUsage(db.queryRow(ctx, usageColumns+` WHERE u.id = ?`, id))
	if err != nil {
		return nil, one(err, "usage", id)
	}
	return u, nil
}

// ListUsage returns a centre's sessions starting in [f.From, f.To), each with its
// void, ordered by (start, id), strictly after the page key p.After
// (equipment.UsageKey).
func (db *DB) ListUsage(ctx context.Context, f equipment.UsageFilter, p page.Request) ([]*equipment.Usage, error) {
	// The conditions of startWindow name starts_at and id, which are the session's
	// own: the void table has neither.
	var w where
	if err := w.startWindow(f.From, f.To, p.After); err != nil {
		return nil, err
	}
	w.add(`centre_id = ?`, f.CentreID)
	return list(ctx, db, "device usage", usageColumns+w.String()+` ORDER BY u.starts_at, u.id LIMIT ?`,
		append(w.args, limit(p.Limit)), scanUsage)
}

// VoidUsage inserts a void; a second one of the session is ErrConflict, an
// unknown session ErrNotFound.
func (db *DB) VoidUsage(ctx context.Context, v *equipment.Void) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO device_usage_voids (usage_id, reason, by_user, at)
		VALUES (?, ?, ?, ?)`, v.UsageID, v.Reason, v.By, ms(v.At))
	return wrap(err, "void usage %s", v.UsageID)
}

func scanUsage(s scanner) (*equipment.Usage, error) {
	var (
		u                     equipment.Usage
		shift, reason, by     sql.NullString
		starts, ends, created int64
		voided                sql.NullInt64
	)
	if err := s.Scan(&u.ID, &u.DeviceID, &u.CentreID, &u.WardID, &starts, &ends, &u.Purpose,
		&u.Procedure, &u.Note, &u.RecordedBy, &shift, &created, &reason, &by, &voided); err != nil {
		return nil, err
	}
	u.ShiftID = shift.String
	if voided.Valid {
		u.Void = &equipment.Void{UsageID: u.ID, Reason: reason.String, By: by.String, At: at(voided.Int64)}
	}
	u.From, u.To, u.CreatedAt = at(starts), at(ends), at(created)
	return &u, nil
}
