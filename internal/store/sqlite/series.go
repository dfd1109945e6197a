package sqlite

import (
	"context"
	"database/sql"
	"time"

	"ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// Recurring shift series. Their occurrences are rows of shifts naming the series;
// UNIQUE (series_id, occurrence) makes a second insert of one occurrence a
// conflict, whoever inserts it.

const seriesColumns = `SELECT id, root_id, centre_id, ward_id, rule, first_date, start_time,
	minutes, title, role, places, qualification_course_id, notes, signup_lead_ms,
	cancel_lead_ms, horizon_weeks, until, status, created_by, created_at, updated_at
	FROM shift_series`

// occurrence stores a shift's occurrence day: NULL for a single shift.
func occurrence(s *roster.Shift) any {
	if s.Occurrence.IsZero() {
		return nil
	}
	return ms(s.Occurrence)
}

// optionalTime stores a time that may be zero: NULL when zero.
func optionalTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}

// CreateSeries inserts a series; a taken ID is ErrConflict, an unknown centre, ward
// or qualification course ErrNotFound.
func (db *DB) CreateSeries(ctx context.Context, se *roster.Series) error {
	t := se.Template
	_, err := db.w.ExecContext(ctx, `INSERT INTO shift_series (id, root_id, centre_id, ward_id,
		rule, first_date, start_time, minutes, title, role, places, qualification_course_id,
		notes, signup_lead_ms, cancel_lead_ms, horizon_weeks, until, status, created_by,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		se.ID, se.RootID, se.CentreID, se.WardID, se.Rule, ms(se.FirstDate), se.StartTime, se.Minutes,
		t.Title, string(t.Role), t.Places, nullString(t.QualificationCourseID), t.Notes,
		t.SignupLead.Milliseconds(), t.CancelLead.Milliseconds(), se.HorizonWeeks, optionalTime(se.Until),
		string(se.Status), se.CreatedBy, ms(se.CreatedAt), ms(se.UpdatedAt))
	return wrap(err, "create series %s", se.ID)
}

// SeriesByID finds a series by id.
func (db *DB) SeriesByID(ctx context.Context, id string) (*roster.Series, error) {
	se, err := scanSeries(db.queryRow(ctx, seriesColumns+` WHERE id = ?`, id))
	if err != nil {
		return nil, one(err, "series", id)
	}
	return se, nil
}

// UpdateSeries replaces the rule, times, template, horizon, end and status of a
// series; a missing one is ErrNotFound.
func (db *DB) UpdateSeries(ctx context.Context, se *roster.Series) error {
	t := se.Template
	res, err := db.w.ExecContext(ctx, `UPDATE shift_series SET rule = ?, first_date = ?,
		start_time = ?, minutes = ?, title = ?, role = ?, places = ?, qualification_course_id = ?,
		notes = ?, signup_lead_ms = ?, cancel_lead_ms = ?, horizon_weeks = ?, until = ?,
		status = ?, updated_at = ? WHERE id = ?`,
		se.Rule, ms(se.FirstDate), se.StartTime, se.Minutes, t.Title, string(t.Role), t.Places,
		nullString(t.QualificationCourseID), t.Notes, t.SignupLead.Milliseconds(),
		t.CancelLead.Milliseconds(), se.HorizonWeeks, optionalTime(se.Until), string(se.Status),
		ms(se.UpdatedAt), se.ID)
	if err != nil {
		return wrap(err, "update series %s", se.ID)
	}
	return affected(res, "series", se.ID)
}

// ListSeries returns series matching f ordered by id, strictly after p.After,
// p.Limit+1 at most (all when p.Limit is 0).
func (db *DB) ListSeries(ctx context.Context, f roster.SeriesFilter, p page.Request) ([]*roster.Series, error) {
	var w where
	if f.CentreID != "" {
		w.add(`centre_id = ?`, f.CentreID)
	}
	if f.Status != "" {
		w.add(`status = ?`, string(f.Status))
	}
	if p.After != "" {
		w.add(`id > ?`, p.After)
	}
	return list(ctx, db, "series", seriesColumns+w.String()+` ORDER BY id LIMIT ?`,
		append(w.args, limit(p.Limit)), scanSeries)
}

// ShiftsOfSeries returns a series' shifts whose occurrence is on or after from,
// ordered by occurrence.
func (db *DB) ShiftsOfSeries(ctx context.Context, seriesID string, from time.Time) ([]*roster.Shift, error) {
	return list(ctx, db, "shifts of series", shiftColumns+` WHERE series_id = ? AND occurrence >= ?
		ORDER BY occurrence`, []any{seriesID, ms(from)}, scanShift)
}

func scanSeries(s scanner) (*roster.Series, error) {
	var (
		x                                   roster.Series
		course                              sql.NullString
		until                               sql.NullInt64
		first, signup, cancel, created, upd int64
	)
	if err := s.Scan(&x.ID, &x.RootID, &x.CentreID, &x.WardID, &x.Rule, &first, &x.StartTime,
		&x.Minutes, &x.Template.Title, &x.Template.Role, &x.Template.Places, &course,
		&x.Template.Notes, &signup, &cancel, &x.HorizonWeeks, &until, &x.Status, &x.CreatedBy,
		&created, &upd); err != nil {
		return nil, err
	}
	x.Template.QualificationCourseID = course.String
	x.Template.SignupLead, x.Template.CancelLead = time.Duration(signup)*time.Millisecond, time.Duration(cancel)*time.Millisecond
	x.FirstDate, x.CreatedAt, x.UpdatedAt = at(first), at(created), at(upd)
	if until.Valid {
		x.Until = at(until.Int64)
	}
	return &x, nil
}
