package roster

import (
	"context"
	"fmt"
	"time"

	"ecitizen/internal/apperr"
)

// Direct writes: each is one unit of change with its history, like every write
// of a roster, but without the service's rules (windows, deadlines, the line).
// They are for tools that build rosters as they need them: the seeder, and
// tests that set up a shift in the past or a booking without a volunteer's
// account. The store's keys still hold: a taken place or a second booking of
// the volunteer is apperr.ErrConflict, an overlap ErrOverlap.

// PutShift replaces a shift's fields (all but its ID, centre, ward and creation).
func PutShift(ctx context.Context, st Store, sh *Shift, by string) error {
	_, err := st.Transact(ctx, sh.ID, func(ctx context.Context, h *Holdings, _ Volunteers) (*Change, error) {
		upd := *sh
		upd.CentreID, upd.WardID, upd.CreatedBy, upd.CreatedAt = h.Shift.CentreID, h.Shift.WardID, h.Shift.CreatedBy, h.Shift.CreatedAt
		e := &Event{ShiftID: sh.ID, Seq: h.Seq + 1, Kind: EventShiftChanged, By: by, At: time.Now().UTC().Truncate(time.Millisecond)}
		return &Change{Shift: &upd, Events: []*Event{e}}, nil
	})
	return err
}

// PutBooking books b.VolunteerID on b.ShiftID at place b.Place, or at the lowest
// free place when b.Place is 0 (apperr.ErrConflict when the shift is full), with
// an event of kind (EventBooked, EventAssigned…) by b.BookedBy; b.Place is set
// to the place taken.
func PutBooking(ctx context.Context, st Store, b *Booking, kind string) error {
	_, err := st.Transact(ctx, b.ShiftID, func(ctx context.Context, h *Holdings, v Volunteers) (*Change, error) {
		taken := map[int]bool{}
		for _, x := range h.Bookings {
			if x.VolunteerID == b.VolunteerID {
				return nil, fmt.Errorf("volunteer booked on shift %s: %w", b.ShiftID, apperr.ErrConflict)
			}
			taken[x.Place] = true
		}
		nb := *b
		if nb.Place == 0 {
			if len(h.Bookings) >= h.Shift.Places {
				return nil, fmt.Errorf("shift %s is full: %w", b.ShiftID, apperr.ErrConflict)
			}
			for nb.Place = 1; taken[nb.Place]; nb.Place++ {
			}
		} else if taken[nb.Place] {
			return nil, fmt.Errorf("place %d of shift %s: %w", nb.Place, b.ShiftID, apperr.ErrConflict)
		}
		if err := v.Free(ctx, b.VolunteerID, b.StartsAt, b.EndsAt); err != nil {
			return nil, err
		}
		e := &Event{ShiftID: b.ShiftID, Seq: h.Seq + 1, VolunteerID: b.VolunteerID, Kind: kind, Place: nb.Place,
			By: b.BookedBy, Reason: b.Reason, At: b.BookedAt}
		ch := &Change{Book: []*Booking{&nb}, Events: []*Event{e}}
		for _, w := range h.Waiters {
			if w.VolunteerID == b.VolunteerID {
				ch.Leave = []*Waiter{w}
			}
		}
		b.Place = nb.Place
		return ch, nil
	})
	return err
}

// DropBooking frees a volunteer's place (ErrNotFound when they hold none).
func DropBooking(ctx context.Context, st Store, shiftID, volunteerID, by string) error {
	_, err := st.Transact(ctx, shiftID, func(ctx context.Context, h *Holdings, _ Volunteers) (*Change, error) {
		for _, b := range h.Bookings {
			if b.VolunteerID == volunteerID {
				e := &Event{ShiftID: shiftID, Seq: h.Seq + 1, VolunteerID: volunteerID, Kind: EventCancelled, Place: b.Place,
					By: by, At: time.Now().UTC().Truncate(time.Millisecond)}
				return &Change{Cancel: []*Booking{b}, Events: []*Event{e}}, nil
			}
		}
		return nil, errNoBooking
	})
	return err
}

// PutWaiter puts a volunteer at the end of a shift's line (ErrConflict when
// they wait already) and returns the entry.
func PutWaiter(ctx context.Context, st Store, shiftID, volunteerID string, at time.Time) (*Waiter, error) {
	var w *Waiter
	_, err := st.Transact(ctx, shiftID, func(ctx context.Context, h *Holdings, _ Volunteers) (*Change, error) {
		for _, x := range h.Waiters {
			if x.VolunteerID == volunteerID {
				return nil, fmt.Errorf("volunteer waiting on shift %s: %w", shiftID, apperr.ErrConflict)
			}
		}
		e := &Event{ShiftID: shiftID, Seq: h.Seq + 1, VolunteerID: volunteerID, Kind: EventWaiting, By: volunteerID, At: at}
		w = &Waiter{ShiftID: shiftID, VolunteerID: volunteerID, Seq: e.Seq, JoinedAt: at}
		return &Change{Join: []*Waiter{w}, Events: []*Event{e}}, nil
	})
	return w, err
}

// DropWaiter takes a volunteer out of a shift's line (ErrNotFound when not in it).
func DropWaiter(ctx context.Context, st Store, shiftID, volunteerID, by string) error {
	_, err := st.Transact(ctx, shiftID, func(ctx context.Context, h *Holdings, _ Volunteers) (*Change, error) {
		for _, w := range h.Waiters {
			if w.VolunteerID == volunteerID {
				e := &Event{ShiftID: shiftID, Seq: h.Seq + 1, VolunteerID: volunteerID, Kind: EventLeftWaiting,
					By: by, At: time.Now().UTC().Truncate(time.Millisecond)}
				return &Change{Leave: []*Waiter{w}, Events: []*Event{e}}, nil
			}
		}
		return nil, errNotWaiting
	})
	return err
}
