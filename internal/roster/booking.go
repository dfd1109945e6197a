package roster

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
)

// BookResult tells how a booking request ended: a place, or a position on the
// waiting list (1 is next in line).
type BookResult struct {
	Booking  *Booking
	Waiting  *Waiter
	Position int
}

// Book gives the calling volunteer a place on a shift, or, when the shift is full
// and wait is true, a place on its waiting list.
func (s *Service) Book(ctx context.Context, c identity.Caller, shiftID string, wait bool) (*BookResult, error) {
	if c.Role != identity.RoleVolunteer {
		return nil, apperr.New(apperr.CodeForbidden, "Chỉ tình nguyện viên tự đăng ký ca trực.", "Only volunteers book shifts themselves.")
	}
	sh, err := s.store.ShiftByID(ctx, shiftID)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	switch {
	case sh.Status == StatusCancelled:
		return nil, errCancelled
	case !sh.StartsAt.After(now):
		return nil, errStarted
	case now.Before(sh.SignupOpensAt):
		return nil, &apperr.Error{Code: CodeSignupNotOpen,
			Vi: "Chưa mở đăng ký ca trực này (mở lúc " + sh.SignupOpensAt.In(s.loc).Format("15:04 02/01/2006") + ").",
			En: "Sign-up for this shift is not open yet (it opens " + sh.SignupOpensAt.In(s.loc).Format("2006-01-02 15:04") + ")."}
	}
	if err := s.checkNotSuspended(ctx, c.UserID); err != nil {
		return nil, err
	}
	if sh.QualificationCourseID != "" {
		ok, err := s.quals.Completed(ctx, c.UserID, sh.QualificationCourseID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &apperr.Error{Code: CodeNotQualified, Vi: "Ca trực này yêu cầu hoàn thành một khoá học trước.", En: "This shift requires completing a course first."}
		}
	}
	// While people wait, a freed place is theirs: newcomers queue behind them.
	ws, err := s.store.Waiters(ctx, sh.ID)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		b, err := s.place(ctx, sh, c.UserID, c.UserID, "")
		if err == nil {
			if err := s.event(ctx, sh.ID, c.UserID, "booked", b.Place, c.UserID, ""); err != nil {
				return nil, err
			}
			s.notify(ctx, c.UserID, NoticeBookingConfirmed, noticeKey("booked", sh.ID, b.BookedAt), sh)
			return &BookResult{Booking: b}, nil
		}
		if !errors.Is(err, errFull) || !wait {
			return nil, err
		}
	} else {
		if _, err := s.store.Booking(ctx, sh.ID, c.UserID); err == nil {
			return nil, errBooked
		}
		if !wait {
			return nil, errFull
		}
	}
	return s.join(ctx, sh, c.UserID)
}

// place inserts a booking into the first free place of the shift. A place taken
// meanwhile moves on to the next (re-reading the shift's places when a round
// fails, so a place freed meanwhile is found); the volunteer's own booking
// landing meanwhile is already_booked; an overlapping booking of theirs is collides.
//
// After its insert, a booking re-reads the shift (recheck): one cancelled or
// removed meanwhile withdraws the booking (shift_cancelled); one whose times
// changed meanwhile withdraws it and books again at the new times (sh is updated).
func (s *Service) place(ctx context.Context, sh *Shift, volunteerID, by, reason string) (*Booking, error) {
rounds:
	for round := 0; round < 3; round++ {
		bs, err := s.store.Bookings(ctx, sh.ID)
		if err != nil {
			return nil, err
		}
		taken := make(map[int]bool, len(bs))
		for _, b := range bs {
			if b.VolunteerID == volunteerID {
				return nil, errBooked
			}
			taken[b.Place] = true
		}
		if len(taken) >= sh.Places {
			return nil, errFull
		}
		for n := 1; n <= sh.Places; n++ {
			if taken[n] {
				continue
			}
			b := &Booking{ShiftID: sh.ID, Place: n, VolunteerID: volunteerID, StartsAt: sh.StartsAt, EndsAt: sh.EndsAt,
				BookedBy: by, Reason: reason, BookedAt: s.timestamp()}
			err := s.store.Book(ctx, b)
			switch {
			case err == nil:
				undo := func() error { return s.store.CancelBooking(ctx, sh.ID, volunteerID) }
				fresh, err := s.recheck(ctx, sh.ID, undo)
				if err != nil {
					return nil, err
				}
				if !fresh.StartsAt.Equal(b.StartsAt) || !fresh.EndsAt.Equal(b.EndsAt) {
					if err := undo(); err != nil && !errors.Is(err, apperr.ErrNotFound) {
						return nil, err
					}
					*sh = *fresh
					continue rounds
				}
				return b, nil
			case errors.Is(err, ErrOverlap):
				return nil, errCollides
			case !errors.Is(err, apperr.ErrConflict):
				return nil, fmt.Errorf("book shift %s: %w", sh.ID, err)
			}
			if _, err := s.store.Booking(ctx, sh.ID, volunteerID); err == nil {
				return nil, errBooked
			}
		}
	}
	return nil, errFull
}

// recheck re-reads a shift after a booking or a waiter was inserted: when the
// shift was cancelled (or removed) meanwhile, undo withdraws the insert and the
// answer is shift_cancelled; otherwise it returns the shift as it is now.
// Cancelling marks the shift first and reads its bookings after (and a change of
// times writes them first and reads the bookings after: dropStale), so an insert
// is either seen by the other side or sees it.
func (s *Service) recheck(ctx context.Context, shiftID string, undo func() error) (*Shift, error) {
	sh, err := s.store.ShiftByID(ctx, shiftID)
	switch {
	case err == nil && sh.Status != StatusCancelled:
		return sh, nil
	case err != nil && !errors.Is(err, apperr.ErrNotFound):
		return nil, err
	}
	if err := undo(); err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	return nil, errCancelled
}

// dropStale runs after a shift's times were written: a booking that still carries
// other times landed while they changed, and its booker's recheck saw the old
// times, so it is cancelled here, recorded, and its volunteer notified (never
// kept with times that are no longer the shift's: the overlap guard reads them).
func (s *Service) dropStale(ctx context.Context, sh *Shift, by string) error {
	bs, err := s.store.Bookings(ctx, sh.ID)
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.StartsAt.Equal(sh.StartsAt) && b.EndsAt.Equal(sh.EndsAt) {
			continue
		}
		if err := s.store.CancelBooking(ctx, sh.ID, b.VolunteerID); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				continue // its booker withdrew it
			}
			return err
		}
		if err := s.event(ctx, sh.ID, b.VolunteerID, "cancelled", b.Place, by, "shift_changed"); err != nil {
			return err
		}
		s.notify(ctx, b.VolunteerID, NoticeShiftChanged, noticeKey("changed", sh.ID, sh.UpdatedAt), sh)
	}
	return nil
}

// join puts a volunteer on the waiting list and returns their position.
func (s *Service) join(ctx context.Context, sh *Shift, volunteerID string) (*BookResult, error) {
	w := &Waiter{ID: uuid.Must(uuid.NewV7()).String(), ShiftID: sh.ID, VolunteerID: volunteerID, JoinedAt: s.timestamp()}
	if err := s.store.AddWaiter(ctx, w); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil, errWaiting
		}
		return nil, fmt.Errorf("join waiting list: %w", err)
	}
	if _, err := s.recheck(ctx, sh.ID, func() error { return s.store.RemoveWaiter(ctx, sh.ID, volunteerID) }); err != nil {
		return nil, err
	}
	if err := s.event(ctx, sh.ID, volunteerID, "waiting", 0, volunteerID, ""); err != nil {
		return nil, err
	}
	pos, err := s.position(ctx, sh.ID, volunteerID)
	if err != nil {
		return nil, err
	}
	// A place may have freed up between the full answer and joining: promote now.
	bs, err := s.store.Bookings(ctx, sh.ID)
	if err != nil {
		return nil, err
	}
	if err := s.promote(ctx, sh, sh.Places-len(bs)); err != nil {
		return nil, err
	}
	if b, err := s.store.Booking(ctx, sh.ID, volunteerID); err == nil {
		return &BookResult{Booking: b}, nil
	}
	return &BookResult{Waiting: w, Position: pos}, nil
}

// position is a volunteer's 1-based place in the waiting list, 0 when not on it.
func (s *Service) position(ctx context.Context, shiftID, volunteerID string) (int, error) {
	ws, err := s.store.Waiters(ctx, shiftID)
	if err != nil {
		return 0, err
	}
	for i, w := range ws {
		if w.VolunteerID == volunteerID {
			return i + 1, nil
		}
	}
	return 0, nil
}

// promote gives up to n freed places to the waiting list, in arrival order. A
// waiter is claimed by removing their entry, which succeeds for one caller only;
// and since every freed place starts one promotion of one waiter, no more waiters
// are claimed than there are free places: two places freed at the same moment
// promote the first two in line, each once.
func (s *Service) promote(ctx context.Context, sh *Shift, n int) error {
	if n <= 0 || sh.Status == StatusCancelled || !sh.StartsAt.After(s.timestamp()) {
		return nil
	}
	ws, err := s.store.Waiters(ctx, sh.ID)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if n == 0 {
			return nil
		}
		if err := s.store.RemoveWaiter(ctx, sh.ID, w.VolunteerID); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				continue // another promoter claimed this one
			}
			return err
		}
		b, err := s.place(ctx, sh, w.VolunteerID, "promotion", "")
		switch {
		case err == nil:
			n--
			if err := s.event(ctx, sh.ID, w.VolunteerID, "promoted", b.Place, "promotion", ""); err != nil {
				return err
			}
			s.notify(ctx, w.VolunteerID, NoticePromoted, noticeKey("promoted", sh.ID, b.BookedAt), sh)
		case errors.Is(err, errFull):
			// The place went to someone else meanwhile: back in line, same position.
			if err := s.store.AddWaiter(ctx, w); err != nil && !errors.Is(err, apperr.ErrConflict) {
				return err
			}
			return nil
		case errors.Is(err, errCancelled):
			return nil // cancelled meanwhile: its waiting list is cleared
		case errors.Is(err, errCollides), errors.Is(err, errBooked):
			if err := s.event(ctx, sh.ID, w.VolunteerID, "left_waiting", 0, "promotion", string(apperr.As(err).Code)); err != nil {
				return err
			}
		default:
			return err
		}
	}
	return nil
}

// Cancel frees the calling volunteer's place before the cancel deadline and
// promotes the next in line.
func (s *Service) Cancel(ctx context.Context, c identity.Caller, shiftID string) error {
	sh, err := s.store.ShiftByID(ctx, shiftID)
	if err != nil {
		return err
	}
	if _, err := s.store.Booking(ctx, shiftID, c.UserID); err != nil {
		return err
	}
	if !s.timestamp().Before(sh.CancelDeadline) {
		return &apperr.Error{Code: CodeCancelDeadlinePassed,
			Vi: "Đã quá hạn huỷ ca trực; hãy liên hệ cán bộ phường.", En: "The cancel deadline has passed; contact the ward staff."}
	}
	return s.release(ctx, sh, c.UserID, c.UserID, "cancelled", "")
}

// release deletes a booking, records why, and promotes the waiting list.
func (s *Service) release(ctx context.Context, sh *Shift, volunteerID, by, kind, reason string) error {
	b, err := s.store.Booking(ctx, sh.ID, volunteerID)
	if err != nil {
		return err
	}
	if err := s.store.CancelBooking(ctx, sh.ID, volunteerID); err != nil {
		return err
	}
	if err := s.event(ctx, sh.ID, volunteerID, kind, b.Place, by, reason); err != nil {
		return err
	}
	return s.promote(ctx, sh, 1)
}

// LeaveWaiting takes the calling volunteer off a shift's waiting list.
func (s *Service) LeaveWaiting(ctx context.Context, c identity.Caller, shiftID string) error {
	if err := s.store.RemoveWaiter(ctx, shiftID, c.UserID); err != nil {
		return err
	}
	return s.event(ctx, shiftID, c.UserID, "left_waiting", 0, c.UserID, "")
}

// Assign books a volunteer on a shift by ward staff, outside the sign-up window
// and the qualification rule but never above capacity; the reason is kept.
func (s *Service) Assign(ctx context.Context, c identity.Caller, shiftID, volunteerID, reason string) (*Booking, error) {
	sh, err := s.managed(ctx, c, shiftID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.Invalid("reason", "required", "Hãy ghi lý do phân công.", "Give a reason for the assignment.")
	}
	switch {
	case sh.Status == StatusCancelled:
		return nil, errCancelled
	case !sh.EndsAt.After(s.timestamp()):
		return nil, errStarted
	}
	if err := s.people.CheckVolunteer(ctx, volunteerID); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, apperr.Invalid("volunteer_id", "unknown_volunteer", "Không có tình nguyện viên đang hoạt động với mã này.", "There is no active volunteer with this id.")
		}
		return nil, err
	}
	b, err := s.place(ctx, sh, volunteerID, c.UserID, reason)
	if err != nil {
		return nil, err
	}
	// An assigned volunteer no longer waits.
	if err := s.store.RemoveWaiter(ctx, sh.ID, volunteerID); err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	if err := s.event(ctx, sh.ID, volunteerID, "assigned", b.Place, c.UserID, reason); err != nil {
		return nil, err
	}
	s.notify(ctx, volunteerID, NoticeBookingConfirmed, noticeKey("booked", sh.ID, b.BookedAt), sh)
	return b, nil
}

// Remove takes a volunteer off a shift by ward staff, at any time, with a reason.
func (s *Service) Remove(ctx context.Context, c identity.Caller, shiftID, volunteerID, reason string) error {
	sh, err := s.managed(ctx, c, shiftID)
	if err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return apperr.Invalid("reason", "required", "Hãy ghi lý do.", "Give a reason.")
	}
	if err := s.release(ctx, sh, volunteerID, c.UserID, "removed", reason); err != nil {
		return err
	}
	s.notify(ctx, volunteerID, NoticeRemoved, noticeKey("removed", sh.ID, s.timestamp()), sh)
	return nil
}

// managed loads a shift of the caller's wards; others are not found.
func (s *Service) managed(ctx context.Context, c identity.Caller, shiftID string) (*Shift, error) {
	sh, err := s.store.ShiftByID(ctx, shiftID)
	if err != nil {
		return nil, err
	}
	if !manages(c, sh.WardID) {
		if c.Role == identity.RoleWardStaff || c.IsAdmin() {
			return nil, fmt.Errorf("shift %s: %w", shiftID, apperr.ErrNotFound)
		}
		return nil, apperr.ErrForbidden
	}
	return sh, nil
}

func (s *Service) event(ctx context.Context, shiftID, volunteerID, kind string, place int, by, reason string) error {
	e := &Event{ID: uuid.Must(uuid.NewV7()).String(), ShiftID: shiftID, VolunteerID: volunteerID, Kind: kind, Place: place,
		By: by, Reason: reason, At: s.timestamp()}
	if err := s.store.AddEvent(ctx, e); err != nil {
		return fmt.Errorf("booking history: %w", err)
	}
	return nil
}
