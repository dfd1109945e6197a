package training

import (
	"context"
	"fmt"
	"time"

	"ecitizen/internal/apperr"
)

// Direct writes, each one unit of change with its history but without the
// service's rules, for tools that set sessions up as they need them (the
// seeder, tests). The keys still hold: a taken seat number or a second seat of
// a learner is apperr.ErrConflict.

// PutSession replaces a session's fields (all but its ID, course, organisation
// and creation).
func PutSession(ctx context.Context, st Store, se *Session, by string) error {
	_, err := st.TransactSession(ctx, se.ID, func(ctx context.Context, s *Sitting) (*SeatChange, error) {
		upd := *se
		upd.CourseID, upd.OrganisationID, upd.CreatedBy, upd.CreatedAt = s.Session.CourseID, s.Session.OrganisationID, s.Session.CreatedBy, s.Session.CreatedAt
		e := &SeatEvent{SessionID: se.ID, Seq: s.Seq + 1, Kind: EventSessionChanged, By: by, At: time.Now().UTC().Truncate(time.Millisecond)}
		return &SeatChange{Session: &upd, Events: []*SeatEvent{e}}, nil
	})
	return err
}

// PutSeat takes seat st.Number for its learner, with an "enrolled" event.
func PutSeat(ctx context.Context, st Store, seat *Seat) error {
	_, err := st.TransactSession(ctx, seat.SessionID, func(ctx context.Context, s *Sitting) (*SeatChange, error) {
		for _, x := range s.Seats {
			if x.Number == seat.Number || x.LearnerKey == seat.LearnerKey {
				return nil, fmt.Errorf("seat %d of session %s: %w", seat.Number, seat.SessionID, apperr.ErrConflict)
			}
		}
		e := &SeatEvent{SessionID: seat.SessionID, Seq: s.Seq + 1, Number: seat.Number, LearnerKey: seat.LearnerKey,
			Kind: EventEnrolled, By: seat.EnrolledBy, At: seat.EnrolledAt}
		return &SeatChange{Take: []*Seat{seat}, Events: []*SeatEvent{e}}, nil
	})
	return err
}

// DropSeat frees seat number of a session, with a "cancelled" event
// (ErrNotFound when it is free).
func DropSeat(ctx context.Context, st Store, sessionID string, number int, by string) error {
	_, err := st.TransactSession(ctx, sessionID, func(ctx context.Context, s *Sitting) (*SeatChange, error) {
		for _, x := range s.Seats {
			if x.Number == number {
				e := &SeatEvent{SessionID: sessionID, Seq: s.Seq + 1, Number: number, LearnerKey: x.LearnerKey,
					Kind: EventWithdrawn, By: by, At: time.Now().UTC().Truncate(time.Millisecond)}
				return &SeatChange{Release: []*Seat{x}, Events: []*SeatEvent{e}}, nil
			}
		}
		return nil, fmt.Errorf("seat %d of session %s: %w", number, sessionID, apperr.ErrNotFound)
	})
	return err
}
