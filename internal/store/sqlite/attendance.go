package sqlite

import (
	"context"
	"strings"
	"time"

	"ecitizen/internal/roster"
)

// Attendance and work entries: insert-only rows. An attendance row's primary key
// (shift, volunteer, kind) admits one check-in and one check-out per volunteer
// and shift; the foreign keys make an unknown shift, volunteer or centre ErrNotFound.

const attendanceColumns = `SELECT shift_id, volunteer_id, kind, centre_id, ward_id,
	starts_at, ends_at, at, by_user, reason FROM shift_attendance`

// AddAttendance inserts a check-in or check-out; a second one of the same kind is
// ErrConflict.
func (db *DB) AddAttendance(ctx context.Context, a *roster.Attendance) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO shift_attendance (shift_id, volunteer_id,
		kind, centre_id, ward_id, starts_at, ends_at, at, by_user, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ShiftID, a.VolunteerID, string(a.Kind), a.CentreID, a.WardID, ms(a.StartsAt),
		ms(a.EndsAt), ms(a.At), a.By, a.Reason)
	return wrap(err, "add %s on shift %s", a.Kind, a.ShiftID)
}

// Attendance returns a shift's rows ordered by (volunteer, kind).
func (db *DB) Attendance(ctx context.Context, shiftID string) ([]*roster.Attendance, error) {
	return list(ctx, db, "attendance", attendanceColumns+` WHERE shift_id = ?
		ORDER BY volunteer_id, kind`, []any{shiftID}, scanAttendance)
}

// AttendanceOfVolunteer returns a volunteer's rows of shifts starting in [f.From,
// f.To) at f.WardIDs (every ward when empty).
func (db *DB) AttendanceOfVolunteer(ctx context.Context, f roster.HoursFilter) ([]*roster.Attendance, error) {
	wards, args := wardScope(f.WardIDs, []any{f.VolunteerID, ms(f.From), ms(f.To)})
	return list(ctx, db, "attendance of volunteer", attendanceColumns+` WHERE volunteer_id = ?
		AND starts_at >= ? AND starts_at < ?`+wards+` ORDER BY starts_at, shift_id, kind`,
		args, scanAttendance)
}

// wardScope returns the condition " AND ward_id IN (?, ...)" of a ward scope and
// args with the wards appended; an empty scope is no condition.
func wardScope(wardIDs []string, args []any) (string, []any) {
	if len(wardIDs) == 0 {
		return "", args
	}
	var b strings.Builder
	b.WriteString(" AND ward_id IN (")
	for i, w := range wardIDs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("?")
		args = append(args, w)
	}
	b.WriteString(")")
	return b.String(), args
}

// AttendanceAt returns the rows of the shifts at a centre or ward starting in [from, to).
func (db *DB) AttendanceAt(ctx context.Context, at roster.Place, from, to time.Time) ([]*roster.Attendance, error) {
	col, id := placeColumn(at)
	return list(ctx, db, "attendance at "+id, attendanceColumns+` WHERE `+col+` = ?
		AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, shift_id, volunteer_id, kind`,
		[]any{id, ms(from), ms(to)}, scanAttendance)
}

// placeColumn is the column and value a Place selects on.
func placeColumn(at roster.Place) (column, id string) {
	if at.CentreID != "" {
		return "centre_id", at.CentreID
	}
	return "ward_id", at.WardID
}

func scanAttendance(s scanner) (*roster.Attendance, error) {
	var (
		a                  roster.Attendance
		starts, ends, when int64
	)
	if err := s.Scan(&a.ShiftID, &a.VolunteerID, &a.Kind, &a.CentreID, &a.WardID, &starts,
		&ends, &when, &a.By, &a.Reason); err != nil {
		return nil, err
	}
	a.StartsAt, a.EndsAt, a.At = at(starts), at(ends), at(when)
	return &a, nil
}

const workEntryColumns = `SELECT id, volunteer_id, centre_id, ward_id, day, minutes,
	reason, created_by, created_at FROM work_entries`

// AddWorkEntry inserts a work entry; a taken id is ErrConflict.
func (db *DB) AddWorkEntry(ctx context.Context, e *roster.WorkEntry) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO work_entries (id, volunteer_id, centre_id,
		ward_id, day, minutes, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.VolunteerID, e.CentreID, e.WardID, ms(e.Date), e.Minutes, e.Reason,
		e.CreatedBy, ms(e.CreatedAt))
	return wrap(err, "add work entry %s", e.ID)
}

// WorkEntries returns a volunteer's entries dated in [f.From, f.To) at f.WardIDs
// (every ward when empty), by (date, id).
func (db *DB) WorkEntries(ctx context.Context, f roster.HoursFilter) ([]*roster.WorkEntry, error) {
	wards, args := wardScope(f.WardIDs, []any{f.VolunteerID, ms(f.From), ms(f.To)})
	return list(ctx, db, "work entries", workEntryColumns+` WHERE volunteer_id = ?
		AND day >= ? AND day < ?`+wards+` ORDER BY day, id`, args, scanWorkEntry)
}

// WorkEntriesAt returns the entries at a centre or ward dated in [from, to), by (date, id).
func (db *DB) WorkEntriesAt(ctx context.Context, at roster.Place, from, to time.Time) ([]*roster.WorkEntry, error) {
	col, id := placeColumn(at)
	return list(ctx, db, "work entries at "+id, workEntryColumns+` WHERE `+col+` = ?
		AND day >= ? AND day < ? ORDER BY day, id`, []any{id, ms(from), ms(to)}, scanWorkEntry)
}

func scanWorkEntry(s scanner) (*roster.WorkEntry, error) {
	var (
		e            roster.WorkEntry
		day, created int64
	)
	if err := s.Scan(&e.ID, &e.VolunteerID, &e.CentreID, &e.WardID, &day, &e.Minutes,
		&e.Reason, &e.CreatedBy, &created); err != nil {
		return nil, err
	}
	e.Date, e.CreatedAt = at(day), at(created)
	return &e, nil
}
