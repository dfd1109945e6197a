package training

import (
	"context"
	"time"

	"ecitizen/internal/page"
)

// Store is the storage training sessions need. Adapters return errors wrapping
// apperr.ErrNotFound for a missing record, apperr.ErrConflict for a taken unique
// key and apperr.ErrBusy when the store stayed contended after its own retries.
// A session's seats, its history and every change of the session after its
// creation are written only by TransactSession, one unit at a time.
type Store interface {
	CreateSession(ctx context.Context, s *Session) error
	SessionByID(ctx context.Context, id string) (*Session, error)
	// ListSessions returns sessions matching f ordered by (StartsAt, ID), Limit+1 at
	// most, strictly after the page key p.After (see SessionKey).
	ListSessions(ctx context.Context, f SessionFilter, p page.Request) ([]*Session, error)

	// TransactSession runs decide on the session's seats and writes the change it
	// returns as one unit with its history, as roster.Store.Transact does for a
	// shift: all of it or none, the units of one session serialised, committed
	// work finished even when ctx ends. A missing session is ErrNotFound.
	TransactSession(ctx context.Context, sessionID string, decide SeatDecide) (*SeatChange, error)
	// RecoverUnits finishes the units a crashed writer left half-applied (of
	// sessions and of shifts) and returns how many.
	RecoverUnits(ctx context.Context) (int, error)

	// Seats returns a session's seats ordered by Number.
	Seats(ctx context.Context, sessionID string) ([]*Seat, error)
	Seat(ctx context.Context, sessionID string, number int) (*Seat, error)
	SeatOfLearner(ctx context.Context, sessionID, learnerKey string) (*Seat, error)
	// MarkAttendance replaces Attendance, MarkedBy and MarkedAt of a seat.
	MarkAttendance(ctx context.Context, s *Seat) error
	// SeatsOfUser returns the seats a user holds, ordered by SessionID, Limit+1 at most.
	SeatsOfUser(ctx context.Context, userID string, p page.Request) ([]*Seat, error)
	// SeatEvents returns a session's history by Seq.
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
