package training

import (
	"context"
	"time"

	"ecitizen/internal/page"
)

// Store is the storage training sessions need. Adapters return errors wrapping
// apperr.ErrNotFound for a missing record and apperr.ErrConflict for a taken unique key.
type Store interface {
	CreateSession(ctx context.Context, s *Session) error
	SessionByID(ctx context.Context, id string) (*Session, error)
	// UpdateSession replaces every field but ID, CourseID, OrganisationID, CreatedBy and CreatedAt.
	UpdateSession(ctx context.Context, s *Session) error
	// ListSessions returns sessions matching f ordered by (StartsAt, ID), Limit+1 at
	// most, strictly after the page key p.After (see SessionKey).
	ListSessions(ctx context.Context, f SessionFilter, p page.Request) ([]*Session, error)

	// TakeSeat inserts a seat. A taken (SessionID, Number) or (SessionID, LearnerKey)
	// is ErrConflict; that is the whole capacity guard, so it holds under any concurrency.
	TakeSeat(ctx context.Context, s *Seat) error
	// Seats returns a session's seats ordered by Number.
	Seats(ctx context.Context, sessionID string) ([]*Seat, error)
	Seat(ctx context.Context, sessionID string, number int) (*Seat, error)
	SeatOfLearner(ctx context.Context, sessionID, learnerKey string) (*Seat, error)
	// ReleaseSeat deletes a seat; a missing one is ErrNotFound.
	ReleaseSeat(ctx context.Context, sessionID string, number int) error
	// MarkAttendance replaces Attendance, MarkedBy and MarkedAt of a seat.
	MarkAttendance(ctx context.Context, s *Seat) error
	// SeatsOfUser returns the seats a user holds, ordered by SessionID, Limit+1 at most.
	SeatsOfUser(ctx context.Context, userID string, p page.Request) ([]*Seat, error)
	// AddSeatEvent appends a line of enrolment history.
	AddSeatEvent(ctx context.Context, e *SeatEvent) error
	// SeatEvents returns a session's history, oldest first.
	SeatEvents(ctx context.Context, sessionID string) ([]*SeatEvent, error)
}

// SessionFilter selects sessions; empty fields match all.
type SessionFilter struct {
	CourseID       string
	OrganisationID string
	WardID         string
	CentreID       string
	Status         Status
	From, To       time.Time // StartsAt in [From, To) when set
}

// SessionKey is a session's page key: its start and ID (page.TimeKey).
func SessionKey(s *Session) string { return page.TimeKey(s.StartsAt, s.ID) }
