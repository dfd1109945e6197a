package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// Volunteer rosters: shifts, their bookings, waiting lists and history. A unit of
// change (Transact) is one BEGIN IMMEDIATE transaction: it reads the shift's
// holdings, lets the transition decide (asking about the volunteer's other
// bookings in the same transaction), writes the change and its numbered history
// events, and commits. Write transactions are serialised across connections and
// processes sharing the file, so a unit always decides on what it will change.
// The keys back the rules up: a booking is one row keyed by (shift, place) and
// unique on (shift, volunteer); a waiter is keyed by (shift, volunteer); an
// event by (shift, seq).

const shiftColumns = `SELECT id, centre_id, ward_id, title, role, starts_at, ends_at,
	places, qualification_course_id, notes, signup_opens_at, cancel_deadline, status,
	created_by, created_at, updated_at, series_id, occurrence, detached FROM shifts`

// CreateShift inserts a shift; a taken ID is ErrConflict, an unknown centre, ward or
// qualification course ErrNotFound.
func (db *DB) CreateShift(ctx context.Context, s *roster.Shift) error {
	_, err := db.w.ExecContext(ctx, insertShift, shiftArgs(s)...)
	return wrap(err, "create shift %s", s.ID)
}

const insertShift = `INSERT INTO shifts (id, centre_id, ward_id, title, role,
	starts_at, ends_at, places, qualification_course_id, notes, signup_opens_at,
	cancel_deadline, status, created_by, created_at, updated_at, series_id, occurrence, detached)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// shiftArgs are the values of insertShift.
func shiftArgs(s *roster.Shift) []any {
	return []any{s.ID, s.CentreID, s.WardID, s.Title, string(s.Role), ms(s.StartsAt), ms(s.EndsAt),
		s.Places, nullString(s.QualificationCourseID), s.Notes, ms(s.SignupOpensAt),
		ms(s.CancelDeadline), string(s.Status), s.CreatedBy, ms(s.CreatedAt), ms(s.UpdatedAt),
		nullString(s.SeriesID), occurrence(s), s.Detached}
}

// ShiftByID finds a shift by id.
func (db *DB) ShiftByID(ctx context.Context, id string) (*roster.Shift, error) {
	s, err := scanShift(db.queryRow(ctx, shiftColumns+` WHERE id = ?`, id))
	if err != nil {
		return nil, one(err, "shift", id)
	}
	return s, nil
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

// Units of change.

// Transact runs decide on the shift's holdings and writes its change, all in
// one write transaction (see the top of this file and unit).
func (db *DB) Transact(ctx context.Context, shiftID string, decide roster.Decide) (*roster.Change, error) {
	var out *roster.Change
	err := db.unit(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out = nil
		h, err := holdings(ctx, tx, shiftID)
		if err != nil {
			return err
		}
		ch, err := decide(ctx, h, txVolunteers{tx: tx, shiftID: shiftID})
		if err != nil || ch == nil {
			return err
		}
		if err := writeChange(ctx, tx, h, ch); err != nil {
			return err
		}
		out = ch
		return nil
	})
	if err != nil {
		return nil, wrap(err, "unit of shift %s", shiftID)
	}
	return out, nil
}

// RecoverUnits has nothing to do: a unit is a transaction, which SQLite rolls
// back whole when it does not commit.
func (db *DB) RecoverUnits(context.Context) (int, error) { return 0, nil }

// holdings reads a shift's holdings inside tx.
func holdings(ctx context.Context, tx *sql.Tx, shiftID string) (*roster.Holdings, error) {
	sh, err := scanShift(tx.QueryRowContext(ctx, shiftColumns+` WHERE id = ?`, shiftID))
	if err != nil {
		return nil, one(err, "shift", shiftID)
	}
	h := &roster.Holdings{Shift: sh}
	if h.Bookings, err = txList(ctx, tx, bookingColumns+` WHERE shift_id = ? ORDER BY place`, []any{shiftID}, scanBooking); err != nil {
		return nil, err
	}
	if h.Waiters, err = txList(ctx, tx, waiterColumns+` WHERE shift_id = ? ORDER BY seq, joined_at, volunteer_id`,
		[]any{shiftID}, scanWaiter); err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM shift_events WHERE shift_id = ?`,
		shiftID).Scan(&h.Seq); err != nil {
		return nil, err
	}
	return h, nil
}

// txVolunteers answers a unit's questions about volunteers inside its transaction.
type txVolunteers struct {
	tx      *sql.Tx
	shiftID string
}

// Free reports roster.ErrOverlap when the volunteer holds a booking of another
// shift overlapping [from, to); the transaction keeps the answer true until it
// commits.
func (v txVolunteers) Free(ctx context.Context, volunteerID string, from, to time.Time) error {
	var found int
	err := v.tx.QueryRowContext(ctx, `SELECT 1 FROM shift_bookings WHERE volunteer_id = ?
		AND starts_at < ? AND ends_at > ? AND shift_id <> ? LIMIT 1`,
		volunteerID, ms(to), ms(from), v.shiftID).Scan(&found)
	switch {
	case err == nil:
		return roster.ErrOverlap
	case errors.Is(err, sql.ErrNoRows):
		return nil
	}
	return err
}

// writeChange writes a unit's change inside tx: removals first, then the shift,
// insertions and the history.
func writeChange(ctx context.Context, tx *sql.Tx, h *roster.Holdings, ch *roster.Change) error {
	if err := ch.Check(h); err != nil {
		return err
	}
	for _, b := range ch.Cancel {
		if err := exec1(ctx, tx, "booking of volunteer on shift "+b.ShiftID,
			`DELETE FROM shift_bookings WHERE shift_id = ? AND volunteer_id = ?`, b.ShiftID, b.VolunteerID); err != nil {
			return err
		}
	}
	for _, w := range ch.Leave {
		if err := exec1(ctx, tx, "waiter on shift "+w.ShiftID,
			`DELETE FROM shift_waiters WHERE shift_id = ? AND volunteer_id = ?`, w.ShiftID, w.VolunteerID); err != nil {
			return err
		}
	}
	switch s := ch.Shift; {
	case ch.Delete:
		if err := exec1(ctx, tx, "shift "+h.Shift.ID, `DELETE FROM shifts WHERE id = ?`, h.Shift.ID); err != nil {
			return err
		}
	case s != nil:
		if err := exec1(ctx, tx, "shift "+s.ID, `UPDATE shifts SET title = ?, role = ?, starts_at = ?,
			ends_at = ?, places = ?, qualification_course_id = ?, notes = ?, signup_opens_at = ?,
			cancel_deadline = ?, status = ?, updated_at = ?, series_id = ?, occurrence = ?,
			detached = ? WHERE id = ?`,
			s.Title, string(s.Role), ms(s.StartsAt), ms(s.EndsAt), s.Places,
			nullString(s.QualificationCourseID), s.Notes, ms(s.SignupOpensAt), ms(s.CancelDeadline),
			string(s.Status), ms(s.UpdatedAt), nullString(s.SeriesID), occurrence(s), s.Detached, s.ID); err != nil {
			return err
		}
	}
	for _, b := range ch.Book {
		if _, err := tx.ExecContext(ctx, `INSERT INTO shift_bookings (shift_id, place,
			volunteer_id, starts_at, ends_at, booked_by, reason, booked_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ShiftID, b.Place, b.VolunteerID, ms(b.StartsAt), ms(b.EndsAt), b.BookedBy,
			b.Reason, ms(b.BookedAt)); err != nil {
			return wrap(err, "book place %d of shift %s", b.Place, b.ShiftID)
		}
	}
	for _, w := range ch.Join {
		if _, err := tx.ExecContext(ctx, `INSERT INTO shift_waiters (shift_id, volunteer_id, seq, joined_at)
			VALUES (?, ?, ?, ?)`, w.ShiftID, w.VolunteerID, w.Seq, ms(w.JoinedAt)); err != nil {
			return wrap(err, "add waiter to shift %s", w.ShiftID)
		}
	}
	for _, e := range ch.Events {
		if _, err := tx.ExecContext(ctx, `INSERT INTO shift_events (id, shift_id, seq, volunteer_id,
			kind, place, by_user, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			eventID(e.ShiftID, e.Seq), e.ShiftID, e.Seq, e.VolunteerID, e.Kind, e.Place, e.By, e.Reason, ms(e.At)); err != nil {
			return wrap(err, "add event %d of shift %s", e.Seq, e.ShiftID)
		}
	}
	return nil
}

// eventID is the id of a history row: its owner and number, which are unique together.
func eventID(ownerID string, seq int64) string { return fmt.Sprintf("%s:%012d", ownerID, seq) }

// exec1 runs a statement that must change one row: none is notFound(what).
func exec1(ctx context.Context, tx *sql.Tx, what, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return wrap(err, "%s", what)
	}
	return affected(res, what, "")
}

// Bookings.

const bookingColumns = `SELECT shift_id, place, volunteer_id, starts_at, ends_at,
	booked_by, reason, booked_at FROM shift_bookings`

// Bookings returns a shift's bookings ordered by place.
func (db *DB) Bookings(ctx context.Context, shiftID string) ([]*roster.Booking, error) {
	return list(ctx, db, "bookings", bookingColumns+` WHERE shift_id = ? ORDER BY place`,
		[]any{shiftID}, scanBooking)
}

// Booking finds the booking a volunteer holds on a shift.
func (db *DB) Booking(ctx context.Context, shiftID, volunteerID string) (*roster.Booking, error) {
	b, err := scanBooking(db.queryRow(ctx, bookingColumns+` WHERE shift_id = ? AND volunteer_id = ?`,
		shiftID, volunteerID))
	if err != nil {
		return nil, one(err, "booking of volunteer on shift", shiftID)
	}
	return b, nil
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

const waiterColumns = `SELECT shift_id, volunteer_id, seq, joined_at FROM shift_waiters`

// Waiters returns a shift's waiting list in line (by seq; entries an older
// release left without a number first, by when they joined).
func (db *DB) Waiters(ctx context.Context, shiftID string) ([]*roster.Waiter, error) {
	return list(ctx, db, "waiters", waiterColumns+` WHERE shift_id = ? ORDER BY seq, joined_at, volunteer_id`,
		[]any{shiftID}, scanWaiter)
}

func scanWaiter(s scanner) (*roster.Waiter, error) {
	var (
		w      roster.Waiter
		joined int64
	)
	if err := s.Scan(&w.ShiftID, &w.VolunteerID, &w.Seq, &joined); err != nil {
		return nil, err
	}
	w.JoinedAt = at(joined)
	return &w, nil
}

// WaitingOf returns a volunteer's waiting-list entries on every shift, in the
// order they joined (index shift_waiters_volunteer).
func (db *DB) WaitingOf(ctx context.Context, volunteerID string) ([]*roster.Waiter, error) {
	return list(ctx, db, "waiting of volunteer", waiterColumns+` WHERE volunteer_id = ?
		ORDER BY joined_at, shift_id`, []any{volunteerID}, scanWaiter)
}

// WaitingShifts returns the shifts that have a waiting list.
func (db *DB) WaitingShifts(ctx context.Context) ([]string, error) {
	ids, err := list(ctx, db, "shifts with a waiting list", `SELECT DISTINCT shift_id FROM shift_waiters ORDER BY shift_id`,
		nil, func(s scanner) (*string, error) {
			var id string
			return &id, s.Scan(&id)
		})
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, *id)
	}
	return out, err
}

// Booking history.

// Events returns a shift's history by seq.
func (db *DB) Events(ctx context.Context, shiftID string) ([]*roster.Event, error) {
	return list(ctx, db, "shift events", `SELECT shift_id, seq, volunteer_id, kind, place,
		by_user, reason, at FROM shift_events WHERE shift_id = ? ORDER BY seq`,
		[]any{shiftID}, func(s scanner) (*roster.Event, error) {
			var (
				e    roster.Event
				when int64
			)
			if err := s.Scan(&e.ShiftID, &e.Seq, &e.VolunteerID, &e.Kind, &e.Place, &e.By,
				&e.Reason, &when); err != nil {
				return nil, err
			}
			e.At = at(when)
			return &e, nil
		})
}
