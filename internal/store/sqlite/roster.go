package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// Volunteer rosters: shifts, their bookings, waiting lists and history. A booking
// is one row keyed by (shift, place), with a second unique key (shift, volunteer):
// a shift is never over-filled and a volunteer never holds two of its places,
// whatever the concurrency. That a volunteer's bookings never overlap spans rows:
// Book checks and inserts in one write transaction (BEGIN IMMEDIATE), so two
// overlapping bookings requested at once are serialised and the second sees the first.

const shiftColumns = `SELECT id, centre_id, ward_id, title, role, starts_at, ends_at,
	places, qualification_course_id, notes, signup_opens_at, cancel_deadline, status,
	created_by, created_at, updated_at, series_id, occurrence, detached FROM shifts`

// CreateShift inserts a shift; a taken ID is ErrConflict, an unknown centre, ward or
// qualification course ErrNotFound.
func (db *DB) CreateShift(ctx context.Context, s *roster.Shift) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO shifts (id, centre_id, ward_id, title, role,
		starts_at, ends_at, places, qualification_course_id, notes, signup_opens_at,
		cancel_deadline, status, created_by, created_at, updated_at, series_id, occurrence, detached)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.CentreID, s.WardID, s.Title, string(s.Role), ms(s.StartsAt), ms(s.EndsAt),
		s.Places, nullString(s.QualificationCourseID), s.Notes, ms(s.SignupOpensAt),
		ms(s.CancelDeadline), string(s.Status), s.CreatedBy, ms(s.CreatedAt), ms(s.UpdatedAt),
		nullString(s.SeriesID), occurrence(s), s.Detached)
	return wrap(err, "create shift %s", s.ID)
}

// ShiftByID finds a shift by id.
func (db *DB) ShiftByID(ctx context.Context, id string) (*roster.Shift, error) {
	s, err := scanShift(db.r.QueryRowContext(ctx, shiftColumns+` WHERE id = ?`, id))
	if err != nil {
		return nil, one(err, "shift", id)
	}
	return s, nil
}

// UpdateShift replaces every field but ID, CentreID, WardID, CreatedBy and CreatedAt
// (a series' split moves shifts to another series); a taken (series, occurrence) is
// ErrConflict, a missing shift, or an unknown qualification course, ErrNotFound.
// The times copied into the shift's bookings are not changed.
func (db *DB) UpdateShift(ctx context.Context, s *roster.Shift) error {
	res, err := db.w.ExecContext(ctx, `UPDATE shifts SET title = ?, role = ?, starts_at = ?,
		ends_at = ?, places = ?, qualification_course_id = ?, notes = ?, signup_opens_at = ?,
		cancel_deadline = ?, status = ?, updated_at = ?, series_id = ?, occurrence = ?,
		detached = ? WHERE id = ?`,
		s.Title, string(s.Role), ms(s.StartsAt), ms(s.EndsAt), s.Places,
		nullString(s.QualificationCourseID), s.Notes, ms(s.SignupOpensAt), ms(s.CancelDeadline),
		string(s.Status), ms(s.UpdatedAt), nullString(s.SeriesID), occurrence(s), s.Detached, s.ID)
	if err != nil {
		return wrap(err, "update shift %s", s.ID)
	}
	return affected(res, "shift", s.ID)
}

// ListShifts returns shifts matching f ordered by (StartsAt, ID), strictly after the
// page key p.After (roster.ShiftKey), p.Limit+1 at most (all when p.Limit is 0). A
// page key of another shape is a validation error of the cursor.
func (db *DB) ListShifts(ctx context.Context, f roster.ShiftFilter, p page.Request) ([]*roster.Shift, error) {
	var w where
	if err := w.startWindow(f.From, f.To, p.After); err != nil {
		return nil, err
	}
	if f.CentreID != "" {
		w.add(`centre_id = ?`, f.CentreID)
	}
	if f.WardID != "" {
		w.add(`ward_id = ?`, f.WardID)
	}
	if f.Status != "" {
		w.add(`status = ?`, string(f.Status))
	}
	return list(ctx, db, "shifts", shiftColumns+w.String()+` ORDER BY starts_at, id LIMIT ?`,
		append(w.args, limit(p.Limit)), scanShift)
}

func scanShift(s scanner) (*roster.Shift, error) {
	var (
		x                                      roster.Shift
		course, series                         sql.NullString
		starts, ends, opens, deadline, created int64
		updated                                int64
		occ                                    sql.NullInt64
	)
	if err := s.Scan(&x.ID, &x.CentreID, &x.WardID, &x.Title, &x.Role, &starts, &ends,
		&x.Places, &course, &x.Notes, &opens, &deadline, &x.Status, &x.CreatedBy, &created,
		&updated, &series, &occ, &x.Detached); err != nil {
		return nil, err
	}
	x.SeriesID = series.String
	if occ.Valid {
		x.Occurrence = at(occ.Int64)
	}
	x.QualificationCourseID = course.String
	x.StartsAt, x.EndsAt = at(starts), at(ends)
	x.SignupOpensAt, x.CancelDeadline = at(opens), at(deadline)
	x.CreatedAt, x.UpdatedAt = at(created), at(updated)
	return &x, nil
}

// Bookings.

const bookingColumns = `SELECT shift_id, place, volunteer_id, starts_at, ends_at,
	booked_by, reason, booked_at FROM shift_bookings`

// Book inserts a booking unless the volunteer holds a booking of another shift
// overlapping [b.StartsAt, b.EndsAt) (roster.ErrOverlap). The checks and the insert
// run in one BEGIN IMMEDIATE transaction. A taken (ShiftID, Place) or (ShiftID,
// VolunteerID) is ErrConflict; an unknown shift or volunteer ErrNotFound. Refusals
// come in that order: a conflict wins over an overlap (a second booking of the same
// shift is a conflict).
func (db *DB) Book(ctx context.Context, b *roster.Booking) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		// The refusals in the MongoDB adapter's order: a taken key, an unknown shift
		// or volunteer (the foreign keys would only fail the insert), an overlap.
		var found int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM shift_bookings WHERE shift_id = ?
			AND (place = ? OR volunteer_id = ?) LIMIT 1`, b.ShiftID, b.Place, b.VolunteerID).Scan(&found)
		switch {
		case err == nil:
			return fmt.Errorf("book place %d of shift %s: %w", b.Place, b.ShiftID, apperr.ErrConflict)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var shift, volunteer bool
		err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM shifts WHERE id = ?),
			EXISTS (SELECT 1 FROM users WHERE id = ?)`, b.ShiftID, b.VolunteerID).Scan(&shift, &volunteer)
		switch {
		case err != nil:
			return err
		case !shift:
			return notFound("shift", b.ShiftID)
		case !volunteer:
			return notFound("volunteer", b.VolunteerID)
		}
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM shift_bookings WHERE volunteer_id = ?
			AND starts_at < ? AND ends_at > ? AND shift_id <> ? LIMIT 1`,
			b.VolunteerID, ms(b.EndsAt), ms(b.StartsAt), b.ShiftID).Scan(&found)
		switch {
		case err == nil:
			return roster.ErrOverlap // wrapped with the booking below
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO shift_bookings (shift_id, place,
			volunteer_id, starts_at, ends_at, booked_by, reason, booked_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ShiftID, b.Place, b.VolunteerID, ms(b.StartsAt), ms(b.EndsAt), b.BookedBy,
			b.Reason, ms(b.BookedAt))
		return err
	})
	return wrap(err, "book place %d of shift %s", b.Place, b.ShiftID)
}

// Bookings returns a shift's bookings ordered by place.
func (db *DB) Bookings(ctx context.Context, shiftID string) ([]*roster.Booking, error) {
	return list(ctx, db, "bookings", bookingColumns+` WHERE shift_id = ? ORDER BY place`,
		[]any{shiftID}, scanBooking)
}

// Booking finds the booking a volunteer holds on a shift.
func (db *DB) Booking(ctx context.Context, shiftID, volunteerID string) (*roster.Booking, error) {
	b, err := scanBooking(db.r.QueryRowContext(ctx, bookingColumns+` WHERE shift_id = ? AND volunteer_id = ?`,
		shiftID, volunteerID))
	if err != nil {
		return nil, one(err, "booking of volunteer on shift", shiftID)
	}
	return b, nil
}

// CancelBooking deletes a booking; a missing one is ErrNotFound. The DELETE runs
// on the single writer, so exactly one of concurrent cancellations deletes the row.
func (db *DB) CancelBooking(ctx context.Context, shiftID, volunteerID string) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM shift_bookings WHERE shift_id = ? AND volunteer_id = ?`,
		shiftID, volunteerID)
	if err != nil {
		return wrap(err, "cancel booking on shift %s", shiftID)
	}
	return affected(res, "booking of volunteer on shift", shiftID)
}

// BookingsOfVolunteer returns a volunteer's bookings starting in [from, to), ordered
// by StartsAt (ties by shift id).
func (db *DB) BookingsOfVolunteer(ctx context.Context, volunteerID string, from, to time.Time) ([]*roster.Booking, error) {
	return list(ctx, db, "bookings of volunteer", bookingColumns+` WHERE volunteer_id = ?
		AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, shift_id`,
		[]any{volunteerID, ms(from), ms(to)}, scanBooking)
}

func scanBooking(s scanner) (*roster.Booking, error) {
	var (
		x                    roster.Booking
		starts, ends, booked int64
	)
	if err := s.Scan(&x.ShiftID, &x.Place, &x.VolunteerID, &starts, &ends, &x.BookedBy,
		&x.Reason, &booked); err != nil {
		return nil, err
	}
	x.StartsAt, x.EndsAt, x.BookedAt = at(starts), at(ends), at(booked)
	return &x, nil
}

// Waiting lists.

// AddWaiter appends a volunteer to a shift's waiting list; a taken ID or a second
// entry of the volunteer is ErrConflict, an unknown shift or volunteer ErrNotFound.
func (db *DB) AddWaiter(ctx context.Context, w *roster.Waiter) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO shift_waiters (id, shift_id, volunteer_id,
		joined_at) VALUES (?, ?, ?, ?)`, w.ID, w.ShiftID, w.VolunteerID, ms(w.JoinedAt))
	return wrap(err, "add waiter %s to shift %s", w.ID, w.ShiftID)
}

// Waiters returns a shift's waiting list in arrival order (by id).
func (db *DB) Waiters(ctx context.Context, shiftID string) ([]*roster.Waiter, error) {
	return list(ctx, db, "waiters", `SELECT id, shift_id, volunteer_id, joined_at
		FROM shift_waiters WHERE shift_id = ? ORDER BY id`, []any{shiftID},
		scanWaiter)
}

// scanWaiter reads a row of id, shift_id, volunteer_id, joined_at.
func scanWaiter(s scanner) (*roster.Waiter, error) {
	var (
		w      roster.Waiter
		joined int64
	)
	if err := s.Scan(&w.ID, &w.ShiftID, &w.VolunteerID, &joined); err != nil {
		return nil, err
	}
	w.JoinedAt = at(joined)
	return &w, nil
}

// WaitingOf returns a volunteer's waiting-list entries on every shift, by id
// (index shift_waiters_volunteer, migration 0043).
func (db *DB) WaitingOf(ctx context.Context, volunteerID string) ([]*roster.Waiter, error) {
	return list(ctx, db, "waiting of volunteer", `SELECT id, shift_id, volunteer_id, joined_at
		FROM shift_waiters WHERE volunteer_id = ? ORDER BY id`, []any{volunteerID},
		scanWaiter)
}

// RemoveWaiter deletes a volunteer's entry in a shift's waiting list; a missing one
// is ErrNotFound. Exactly one of concurrent removals deletes the row.
func (db *DB) RemoveWaiter(ctx context.Context, shiftID, volunteerID string) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM shift_waiters WHERE shift_id = ? AND volunteer_id = ?`,
		shiftID, volunteerID)
	if err != nil {
		return wrap(err, "remove waiter from shift %s", shiftID)
	}
	return affected(res, "waiter on shift", shiftID)
}

// Booking history.

// AddEvent appends a line of booking history; a taken ID is ErrConflict.
func (db *DB) AddEvent(ctx context.Context, e *roster.Event) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO shift_events (id, shift_id, volunteer_id,
		kind, place, by_user, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.ShiftID, e.VolunteerID, e.Kind, e.Place, e.By, e.Reason, ms(e.At))
	return wrap(err, "add shift event %s", e.ID)
}

// Events returns a shift's history, oldest first (ties by id).
func (db *DB) Events(ctx context.Context, shiftID string) ([]*roster.Event, error) {
	return list(ctx, db, "shift events", `SELECT id, shift_id, volunteer_id, kind, place,
		by_user, reason, at FROM shift_events WHERE shift_id = ? ORDER BY at, id`,
		[]any{shiftID}, func(s scanner) (*roster.Event, error) {
			var (
				e    roster.Event
				when int64
			)
			if err := s.Scan(&e.ID, &e.ShiftID, &e.VolunteerID, &e.Kind, &e.Place, &e.By,
				&e.Reason, &when); err != nil {
				return nil, err
			}
			e.At = at(when)
			return &e, nil
		})
}
