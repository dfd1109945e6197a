// Package training owns training sessions (lớp học): a partner schedules a session
// of a published course at a community centre or another venue, learners take its
// places (staff and volunteers themselves; residents are enrolled by ward staff or
// volunteers), and the partner or ward staff mark attendance. A session's places
// are never over-filled: each enrolment occupies a numbered seat, a unique key.
//
// Files: training.go (types and validation), service.go (rules and access),
// store.go (the Store port), check.go (checking and repairing sessions),
// direct.go (units of change without the service's rules, for the seeder and
// tests).
package training

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"ecitizen/internal/apperr"
	"ecitizen/internal/plaintext"
)

// Status is whether a session takes place.
type Status string

// Session statuses.
const (
	StatusScheduled Status = "scheduled"
	StatusCancelled Status = "cancelled"
)

// Session is one scheduled class of a course.
type Session struct {
	ID             string
	CourseID       string
	OrganisationID string // the partner that runs it
	CentreID       string // "" when held at another venue
	WardID         string // the centre's ward, or the ward of the venue; may be "" for a venue
	Venue          string // where, when not at a centre
	StartsAt       time.Time
	EndsAt         time.Time
	Capacity       int
	Trainers       []string
	Note           string
	Status         Status
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Limits of sessions.
const (
	MinDuration = 30 * time.Minute
	MaxDuration = 12 * time.Hour
	MaxCapacity = 500
	MaxTrainers = 10
	MaxAhead    = 366 * 24 * time.Hour
)

// Validate checks a session's own fields.
func (s *Session) Validate() error {
	d := s.EndsAt.Sub(s.StartsAt)
	if d < MinDuration || d > MaxDuration {
		return apperr.Invalid("ends_at", "duration", "Buổi học kéo dài từ 30 phút đến 12 giờ.", "A session lasts 30 minutes to 12 hours.")
	}
	if s.Capacity < 1 || s.Capacity > MaxCapacity {
		return apperr.Invalid("capacity", "range", "Số chỗ từ 1 đến 500.", "Capacity is 1 to 500.")
	}
	if (s.CentreID == "") == (strings.TrimSpace(s.Venue) == "") {
		return apperr.Invalid("centre_id", "venue", "Chọn một nhà sinh hoạt cộng đồng hoặc ghi địa điểm khác (chỉ một trong hai).", "Give either a community centre or another venue, not both.")
	}
	if utf8.RuneCountInString(s.Venue) > 300 || utf8.RuneCountInString(s.Note) > 2000 {
		return apperr.Invalid("venue", "max", "Địa điểm tối đa 300 ký tự, ghi chú tối đa 2000 ký tự.", "The venue has 300 characters at most, the note 2000.")
	}
	if err := plaintext.Line("venue", s.Venue); err != nil {
		return err
	}
	if err := plaintext.Lines("note", s.Note); err != nil {
		return err
	}
	if len(s.Trainers) == 0 || len(s.Trainers) > MaxTrainers {
		return apperr.Invalid("trainers", "range", "Cần từ 1 đến 10 giảng viên.", "A session has 1 to 10 trainers.")
	}
	for _, t := range s.Trainers {
		if strings.TrimSpace(t) == "" || utf8.RuneCountInString(t) > 120 {
			return apperr.Invalid("trainers", "length", "Tên giảng viên không được trống, tối đa 120 ký tự.", "A trainer's name is 1 to 120 characters.")
		}
		if err := plaintext.Line("trainers", t); err != nil {
			return err
		}
	}
	return nil
}

// Attendance is whether an enrolled learner came.
type Attendance string

// Attendance values; "" until marked.
const (
	Attended Attendance = "attended"
	Absent   Attendance = "absent"
)

// Seat is one enrolment: it occupies place Number (1..Capacity) of a session.
// (SessionID, Number) and (SessionID, LearnerKey) are unique keys.
type Seat struct {
	SessionID  string
	Number     int
	LearnerKey string // "user:<id>" for people with an account, "name:<id>" for others
	UserID     string // "" for a learner without an account
	Name       string // the learner's name when they have no account
	EnrolledBy string
	EnrolledAt time.Time
	Attendance Attendance
	MarkedBy   string
	MarkedAt   *time.Time
}

// SeatEvent is a line of a session's enrolment history, kept when seats come and
// go; (SessionID, Seq) is unique and Seq counts 1, 2, 3… in commit order.
type SeatEvent struct {
	SessionID  string
	Seq        int64
	Number     int    // the seat; 0 for an event of the session itself
	LearnerKey string // "" for an event of the session itself
	Kind       string // see the Event… constants
	By         string
	Reason     string
	At         time.Time
}

// Kinds of seat events: the first two change seats (ReplaySeats), the others
// record what happened to the session.
const (
	EventEnrolled         = "enrolled"
	EventWithdrawn        = "cancelled"
	EventSessionChanged   = "session_changed"
	EventSessionCancelled = "session_cancelled"
)

// Sitting is a session's seats as a unit of change reads them.
type Sitting struct {
	Session *Session
	Seats   []*Seat // ordered by Number
	Seq     int64   // the number of the session's last history event; 0 when none
}

// SeatChange is everything one transition of a session writes, whole or not at
// all: Release first, then Session and Take, with Events (numbered Sitting.Seq+1,
// +2, … in order; never empty).
type SeatChange struct {
	Session *Session // the session's new state; nil leaves it
	Release []*Seat  // seats freed (by SessionID and Number)
	Take    []*Seat  // seats taken
	Events  []*SeatEvent
}

// SeatDecide is a transition of a session: it reads its seats and returns the
// change to write, nil to write nothing, or an error to refuse. The store may
// call it again (when another unit of the session committed first), so it must
// have no effect but its answer.
type SeatDecide func(ctx context.Context, s *Sitting) (*SeatChange, error)

// ReplaySeats rebuilds a session's seats from its history (events by Seq): the
// seat number each learner holds.
func ReplaySeats(es []*SeatEvent) map[string]int {
	seats := map[string]int{}
	for _, e := range es {
		switch e.Kind {
		case EventEnrolled:
			seats[e.LearnerKey] = e.Number
		case EventWithdrawn:
			delete(seats, e.LearnerKey)
		}
	}
	return seats
}

// Check refuses a change that the seats it was decided on cannot take: events
// not numbered s.Seq+1, +2, …; a seat number or a learner taken (after the
// change's own releases). A transition never makes such a change; the stores
// check it before writing (apperr.ErrConflict), as their keys would.
func (ch *SeatChange) Check(s *Sitting) error {
	if len(ch.Events) == 0 {
		return errors.New("training: a unit of change without history")
	}
	for i, e := range ch.Events {
		if want := s.Seq + int64(i) + 1; e.Seq != want || e.SessionID != s.Session.ID {
			return fmt.Errorf("training: event %d of a unit is %s #%d, want %s #%d", i, e.SessionID, e.Seq, s.Session.ID, want)
		}
	}
	numbers, learners := map[int]bool{}, map[string]bool{}
	for _, x := range s.Seats {
		if !slices.ContainsFunc(ch.Release, func(r *Seat) bool { return r.Number == x.Number }) {
			numbers[x.Number], learners[x.LearnerKey] = true, true
		}
	}
	for _, x := range ch.Take {
		if numbers[x.Number] || learners[x.LearnerKey] || x.SessionID != s.Session.ID {
			return fmt.Errorf("training: seat %d of session %s or its learner is taken: %w", x.Number, x.SessionID, apperr.ErrConflict)
		}
		numbers[x.Number], learners[x.LearnerKey] = true, true
	}
	return nil
}
