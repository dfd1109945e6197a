package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"ecitizen/internal/page"
	"ecitizen/internal/training"
)

// Training sessions, their seats and the enrolment history. Every change of a
// session's seats is a unit of change (TransactSession): one BEGIN IMMEDIATE
// transaction that reads the seats, lets the transition decide, and writes the
// change with its numbered history. A seat is one row keyed by (session,
// number), with a second unique key (session, learner).

const sessionColumns = `SELECT id, course_id, organisation_id, centre_id, ward_id, venue,
	starts_at, ends_at, capacity, trainers, note, status, created_by, created_at,
	updated_at FROM training_sessions`

// CreateSession inserts a session; a taken ID is ErrConflict, an unknown course,
// organisation, centre or ward ErrNotFound.
func (db *DB) CreateSession(ctx context.Context, s *training.Session) error {
	trainers, err := json.Marshal(s.Trainers)
	if err != nil {
		return fmt.Errorf("create session %s: trainers: %w", s.ID, err)
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO training_sessions (id, course_id,
		organisation_id, centre_id, ward_id, venue, starts_at, ends_at, capacity, trainers,
		note, status, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.CourseID, s.OrganisationID, nullString(s.CentreID), nullString(s.WardID), s.Venue,
		ms(s.StartsAt), ms(s.EndsAt), s.Capacity, string(trainers), s.Note, string(s.Status),
		s.CreatedBy, ms(s.CreatedAt), ms(s.UpdatedAt))
	return wrap(err, "create session %s", s.ID)
}

// SessionByID finds a session by id.
func (db *DB) SessionByID(ctx context.Context, id string) (*training.Session, error) {
	s, err := scanSession(db.queryRow(ctx, sessionColumns+` WHERE id = ?`, id))
	if err != nil {
		return nil, one(err, "session", id)
	}
	return s, nil
}

// TransactSession runs decide on the session's seats and writes its change, all
// in one write transaction (see unit).
func (db *DB) TransactSession(ctx context.Context, sessionID string, decide training.SeatDecide) (*training.SeatChange, error) {
	var out *training.SeatChange
	err := db.unit(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out = nil
		se, err := scanSession(tx.QueryRowContext(ctx, sessionColumns+` WHERE id = ?`, sessionID))
		if err != nil {
			return one(err, "session", sessionID)
		}
		st := &training.Sitting{Session: se}
		if st.Seats, err = txList(ctx, tx, seatColumns+` WHERE session_id = ? ORDER BY number`, []any{sessionID}, scanSeat); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM session_seat_events WHERE session_id = ?`,
			sessionID).Scan(&st.Seq); err != nil {
			return err
		}
		ch, err := decide(ctx, st)
		if err != nil || ch == nil {
			return err
		}
		if err := writeSeatChange(ctx, tx, st, ch); err != nil {
			return err
		}
		out = ch
		return nil
	})
	if err != nil {
		return nil, wrap(err, "unit of session %s", sessionID)
	}
	return out, nil
}

// writeSeatChange writes a unit's change of a session inside tx.
func writeSeatChange(ctx context.Context, tx *sql.Tx, st *training.Sitting, ch *training.SeatChange) error {
	if err := ch.Check(st); err != nil {
		return err
	}
	for _, x := range ch.Release {
		if err := exec1(ctx, tx, fmt.Sprintf("seat %s/%d", x.SessionID, x.Number),
			`DELETE FROM session_seats WHERE session_id = ? AND number = ?`, x.SessionID, x.Number); err != nil {
			return err
		}
	}
	if s := ch.Session; s != nil {
		trainers, err := json.Marshal(s.Trainers)
		if err != nil {
			return fmt.Errorf("update session %s: trainers: %w", s.ID, err)
		}
		if err := exec1(ctx, tx, "session "+s.ID, `UPDATE training_sessions SET centre_id = ?, ward_id = ?,
			venue = ?, starts_at = ?, ends_at = ?, capacity = ?, trainers = ?, note = ?, status = ?,
			updated_at = ? WHERE id = ?`,
			nullString(s.CentreID), nullString(s.WardID), s.Venue, ms(s.StartsAt), ms(s.EndsAt),
			s.Capacity, string(trainers), s.Note, string(s.Status), ms(s.UpdatedAt), s.ID); err != nil {
			return err
		}
	}
	for _, x := range ch.Take {
		if _, err := tx.ExecContext(ctx, `INSERT INTO session_seats (session_id, number,
			learner_key, user_id, name, enrolled_by, enrolled_at, attendance, marked_by, marked_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			x.SessionID, x.Number, x.LearnerKey, nullString(x.UserID), x.Name, x.EnrolledBy,
			ms(x.EnrolledAt), string(x.Attendance), x.MarkedBy, nullTime(x.MarkedAt)); err != nil {
			return wrap(err, "take seat %d of session %s", x.Number, x.SessionID)
		}
	}
	for _, e := range ch.Events {
		if _, err := tx.ExecContext(ctx, `INSERT INTO session_seat_events (id, session_id, seq, number,
			learner_key, kind, by_user, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			eventID(e.SessionID, e.Seq), e.SessionID, e.Seq, e.Number, e.LearnerKey, e.Kind, e.By, e.Reason, ms(e.At)); err != nil {
			return wrap(err, "add event %d of session %s", e.Seq, e.SessionID)
		}
	}
	return nil
}

// ListSessions returns sessions matching f ordered by (StartsAt, ID), strictly after
// the page key p.After (training.SessionKey), p.Limit+1 at most (all when p.Limit is
// 0). A page key of another shape is a validation error of the cursor.
func (db *DB) ListSessions(ctx context.Context, f training.SessionFilter, p page.Request) ([]*training.Session, error) {
	var w where
	if err := w.startWindow(f.From, f.To, p.After); err != nil {
		return nil, err
	}
	if f.CourseID != "" {
		w.add(`course_id = ?`, f.CourseID)
	}
	if f.OrganisationID != "" {
		w.add(`organisation_id = ?`, f.OrganisationID)
	}
	if f.WardID != "" {
		w.add(`ward_id = ?`, f.WardID)
	}
	if f.CentreID != "" {
		w.add(`centre_id = ?`, f.CentreID)
	}
	if f.Status != "" {
		w.add(`status = ?`, string(f.Status))
	}
	return list(ctx, db, "sessions", sessionColumns+w.String()+` ORDER BY starts_at, id LIMIT ?`,
		append(w.args, limit(p.Limit)), scanSession)
}

func scanSession(s scanner) (*training.Session, error) {
	var (
		x                                training.Session
		centre, ward                     sql.NullString
		trainers                         string
		starts, ends, created, updatedAt int64
	)
	if err := s.Scan(&x.ID, &x.CourseID, &x.OrganisationID, &centre, &ward, &x.Venue, &starts,
		&ends, &x.Capacity, &trainers, &x.Note, &x.Status, &x.CreatedBy, &created,
		&updatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(trainers), &x.Trainers); err != nil {
		return nil, fmt.Errorf("session %s: trainers: %w", x.ID, err)
	}
	x.CentreID, x.WardID = centre.String, ward.String
	x.StartsAt, x.EndsAt = at(starts), at(ends)
	x.CreatedAt, x.UpdatedAt = at(created), at(updatedAt)
	return &x, nil
}

// Seats.

const seatColumns = `SELECT session_id, number, learner_key, user_id, name, enrolled_by,
	enrolled_at, attendance, marked_by, marked_at FROM session_seats`

// Seats returns a session's seats ordered by number.
func (db *DB) Seats(ctx context.Context, sessionID string) ([]*training.Seat, error) {
	return list(ctx, db, "seats", seatColumns+` WHERE session_id = ? ORDER BY number`,
		[]any{sessionID}, scanSeat)
}

// Seat finds seat number of a session.
func (db *DB) Seat(ctx context.Context, sessionID string, number int) (*training.Seat, error) {
	s, err := scanSeat(db.queryRow(ctx, seatColumns+` WHERE session_id = ? AND number = ?`,
		sessionID, number))
	if err != nil {
		return nil, one(err, "seat", fmt.Sprintf("%s/%d", sessionID, number))
	}
	return s, nil
}

// SeatOfLearner finds the seat a learner holds in a session.
func (db *DB) SeatOfLearner(ctx context.Context, sessionID, learnerKey string) (*training.Seat, error) {
	s, err := scanSeat(db.queryRow(ctx, seatColumns+` WHERE session_id = ? AND learner_key = ?`,
		sessionID, learnerKey))
	if err != nil {
		return nil, one(err, "seat of learner in session", sessionID)
	}
	return s, nil
}

// MarkAttendance replaces Attendance, MarkedBy and MarkedAt of a seat; a missing
// seat is ErrNotFound.
func (db *DB) MarkAttendance(ctx context.Context, s *training.Seat) error {
	res, err := db.w.ExecContext(ctx, `UPDATE session_seats SET attendance = ?, marked_by = ?,
		marked_at = ? WHERE session_id = ? AND number = ?`,
		string(s.Attendance), s.MarkedBy, nullTime(s.MarkedAt), s.SessionID, s.Number)
	if err != nil {
		return wrap(err, "mark attendance of seat %d of session %s", s.Number, s.SessionID)
	}
	return affected(res, "seat", fmt.Sprintf("%s/%d", s.SessionID, s.Number))
}

// SeatsOfUser returns the seats a user holds ordered by session id (then number),
// strictly after the session id p.After, p.Limit+1 at most (all when p.Limit is 0).
// Learners without an account (UserID "") hold none.
func (db *DB) SeatsOfUser(ctx context.Context, userID string, p page.Request) ([]*training.Seat, error) {
	var w where
	w.add(`user_id = ?`, userID)
	if p.After != "" {
		w.add(`session_id > ?`, p.After)
	}
	return list(ctx, db, "seats of user", seatColumns+w.String()+` ORDER BY session_id, number LIMIT ?`,
		append(w.args, limit(p.Limit)), scanSeat)
}

func scanSeat(s scanner) (*training.Seat, error) {
	var (
		x        training.Seat
		user     sql.NullString
		enrolled int64
		marked   sql.NullInt64
	)
	if err := s.Scan(&x.SessionID, &x.Number, &x.LearnerKey, &user, &x.Name, &x.EnrolledBy,
		&enrolled, &x.Attendance, &x.MarkedBy, &marked); err != nil {
		return nil, err
	}
	x.UserID, x.EnrolledAt = user.String, at(enrolled)
	if marked.Valid {
		t := at(marked.Int64)
		x.MarkedAt = &t
	}
	return &x, nil
}

// Enrolment history.

// SeatEvents returns a session's history by seq.
func (db *DB) SeatEvents(ctx context.Context, sessionID string) ([]*training.SeatEvent, error) {
	return list(ctx, db, "seat events", `SELECT session_id, seq, number, learner_key, kind,
		by_user, reason, at FROM session_seat_events WHERE session_id = ? ORDER BY seq`,
		[]any{sessionID}, func(s scanner) (*training.SeatEvent, error) {
			var (
				e    training.SeatEvent
				when int64
			)
			if err := s.Scan(&e.SessionID, &e.Seq, &e.Number, &e.LearnerKey, &e.Kind, &e.By,
				&e.Reason, &when); err != nil {
				return nil, err
			}
			e.At = at(when)
			return &e, nil
		})
}
