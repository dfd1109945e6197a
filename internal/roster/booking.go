package roster

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

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

var (
	errNoBooking  = fmt.Errorf("booking of the volunteer on the shift: %w", apperr.ErrNotFound)
	errNotWaiting = fmt.Errorf("waiting-list entry of the volunteer: %w", apperr.ErrNotFound)
)

// Book gives the calling volunteer a place on a shift, or, when the shift is full
// or people wait for a place and wait is true, a place at the end of its line.
// While anyone waits, a newcomer never takes a freed place: it goes to the line.
func (s *Service) Book(ctx context.Context, c identity.Caller, shiftID string, wait bool) (*BookResult, error) {
	if c.Role != identity.RoleVolunteer {
		return nil, apperr.New(apperr.CodeForbidden, "Chỉ tình nguyện viên tự đăng ký ca trực.", "Only volunteers book shifts themselves.")
	}
	// The cheap refusals first, on the shift as read; the unit checks again.
	sh, err := s.store.ShiftByID(ctx, shiftID)
	if err != nil {
		return nil, err
	}
	if err := s.bookable(sh); err != nil {
		return nil, err
	}
	if err := s.checkNotSuspended(ctx, c.UserID); err != nil {
		return nil, err
	}
	if err := s.qualified(ctx, c.UserID, sh); err != nil {
		return nil, err
	}
	var res BookResult
	ch, err := s.transact(ctx, shiftID, func(ctx context.Context, t *tx) error {
		res = BookResult{}
		if err := s.bookable(t.shift); err != nil {
			return err
		}
		if t.shift.QualificationCourseID != sh.QualificationCourseID {
			if err := s.qualified(ctx, c.UserID, t.shift); err != nil {
				return err
			}
		}
		if _, ok := t.booked[c.UserID]; ok {
			return errBooked
		}
		if t.position(c.UserID) > 0 {
			return errWaiting
		}
		if len(t.waiting) == 0 {
			b, err := t.book(ctx, c.UserID, EventBooked, c.UserID, "")
			if err == nil {
				res.Booking = b
				return nil
			}
			if !errors.Is(err, errFull) {
				return err
			}
		}
		if !wait {
			return errFull
		}
		res.Waiting, res.Position = t.join(c.UserID)
		return t.fill(ctx)
	})
	if err != nil {
		return nil, err
	}
	s.announce(ctx, ch, nil)
	return &res, nil
}

// qualified refuses a volunteer who has not completed the shift's required course.
func (s *Service) qualified(ctx context.Context, volunteerID string, sh *Shift) error {
	if sh.QualificationCourseID == "" {
		return nil
	}
	ok, err := s.quals.Completed(ctx, volunteerID, sh.QualificationCourseID)
	if err != nil {
		return err
	}
	if !ok {
		return &apperr.Error{Code: CodeNotQualified, Vi: "Ca trực này yêu cầu hoàn thành một khoá học trước.", En: "This shift requires completing a course first."}
	}
	return nil
}

// bookable refuses bookings of a cancelled or started shift, and before its
// sign-up opens.
func (s *Service) bookable(sh *Shift) error {
	now := s.timestamp()
	switch {
	case sh.Status == StatusCancelled:
		return errCancelled
	case !sh.StartsAt.After(now):
		return errStarted
	case now.Before(sh.SignupOpensAt):
		return &apperr.Error{Code: CodeSignupNotOpen,
			Vi: "Chưa mở đăng ký ca trực này (mở lúc " + sh.SignupOpensAt.In(s.loc).Format("15:04 02/01/2006") + ").",
			En: "Sign-up for this shift is not open yet (it opens " + sh.SignupOpensAt.In(s.loc).Format("2006-01-02 15:04") + ")."}
	}
	return nil
}

// Cancel frees the calling volunteer's place before the cancel deadline; the
// first in line takes it in the same unit.
func (s *Service) Cancel(ctx context.Context, c identity.Caller, shiftID string) error {
	ch, err := s.transact(ctx, shiftID, func(ctx context.Context, t *tx) error {
		if _, ok := t.booked[c.UserID]; !ok {
			return errNoBooking
		}
		if !s.timestamp().Before(t.shift.CancelDeadline) {
			return &apperr.Error{Code: CodeCancelDeadlinePassed,
				Vi: "Đã quá hạn huỷ ca trực; hãy liên hệ cán bộ phường.", En: "The cancel deadline has passed; contact the ward staff."}
		}
		if err := t.cancel(c.UserID, EventCancelled, c.UserID, ""); err != nil {
			return err
		}
		return t.fill(ctx)
	})
	if err != nil {
		return err
	}
	s.announce(ctx, ch, nil)
	return nil
}

// LeaveWaiting takes the calling volunteer off a shift's waiting list.
func (s *Service) LeaveWaiting(ctx context.Context, c identity.Caller, shiftID string) error {
	_, err := s.transact(ctx, shiftID, func(ctx context.Context, t *tx) error {
		return t.leave(c.UserID, c.UserID, "")
	})
	return err
}

// Assign books a volunteer on a shift by ward staff, outside the sign-up window,
// the qualification rule and the line, but never above its places; the reason
// is kept, and an assigned volunteer leaves the line.
func (s *Service) Assign(ctx context.Context, c identity.Caller, shiftID, volunteerID, reason string) (*Booking, error) {
	if _, err := s.managed(ctx, c, shiftID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.Invalid("reason", "required", "Hãy ghi lý do phân công.", "Give a reason for the assignment.")
	}
	if err := s.people.CheckVolunteer(ctx, volunteerID); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, apperr.Invalid("volunteer_id", "unknown_volunteer", "Không có tình nguyện viên đang hoạt động với mã này.", "There is no active volunteer with this id.")
		}
		return nil, err
	}
	var b *Booking
	ch, err := s.transact(ctx, shiftID, func(ctx context.Context, t *tx) error {
		switch {
		case t.shift.Status == StatusCancelled:
			return errCancelled
		case !t.shift.EndsAt.After(s.timestamp()):
			return errStarted
		}
		var err error
		b, err = t.book(ctx, volunteerID, EventAssigned, c.UserID, reason)
		if errors.Is(err, ErrLater) {
			return apperr.ErrBusy // never: the first volunteer of a unit is always held
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s.announce(ctx, ch, nil)
	return b, nil
}

// Remove takes a volunteer off a shift by ward staff, at any time, with a reason;
// the first in line takes the place in the same unit.
func (s *Service) Remove(ctx context.Context, c identity.Caller, shiftID, volunteerID, reason string) error {
	if _, err := s.managed(ctx, c, shiftID); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return apperr.Invalid("reason", "required", "Hãy ghi lý do.", "Give a reason.")
	}
	ch, err := s.transact(ctx, shiftID, func(ctx context.Context, t *tx) error {
		if err := t.cancel(volunteerID, EventRemoved, c.UserID, reason); err != nil {
			return err
		}
		return t.fill(ctx)
	})
	if err != nil {
		return err
	}
	s.announce(ctx, ch, nil)
	return nil
}

// managed loads a shift of the caller's wards; others are not found.
func (s *Service) managed(ctx context.Context, c identity.Caller, shiftID string) (*Shift, error) {
	sh, err := s.store.ShiftByID(ctx, shiftID)
	if err != nil {
		return nil, err
	}
	if !manages(c, sh.WardID) {
		if c.IsStaff() {
			return nil, fmt.Errorf("shift %s: %w", shiftID, apperr.ErrNotFound)
		}
		return nil, apperr.ErrForbidden
	}
	return sh, nil
}

// transact runs one transition of a shift as a unit (Store.Transact) and, when
// it had to stop promoting early (a store that holds one volunteer per unit),
// goes on filling the shift's free places from its line in further units.
func (s *Service) transact(ctx context.Context, shiftID string, step func(ctx context.Context, t *tx) error) (*Change, error) {
	later := false
	ch, err := s.store.Transact(ctx, shiftID, func(ctx context.Context, h *Holdings, v Volunteers) (*Change, error) {
		t := newTx(h, v, s.timestamp())
		err := step(ctx, t)
		later = t.later
		if err != nil {
			return nil, err
		}
		return t.change(), nil
	})
	if err != nil {
		return nil, err
	}
	if ch != nil && later {
		s.promoteLine(ctx, shiftID)
	}
	return ch, nil
}

// promoteLine fills a shift's free places from its line, one unit at a time, until
// none is left or a unit changes nothing; it is what Reconcile repairs with, and
// a failure here is repaired there later. It returns the changes it wrote.
func (s *Service) promoteLine(ctx context.Context, shiftID string) []*Change {
	var out []*Change
	for range maxSettleUnits {
		ch, err := s.store.Transact(ctx, shiftID, func(ctx context.Context, h *Holdings, v Volunteers) (*Change, error) {
			if !needsFill(h, s.timestamp()) {
				return nil, nil
			}
			t := newTx(h, v, s.timestamp())
			if err := t.fill(ctx); err != nil {
				return nil, err
			}
			return t.change(), nil
		})
		if err != nil {
			s.log.ErrorContext(ctx, "roster: filling free places failed; the reconciler retries", "shift_id", shiftID, "err", err)
			return out
		}
		if ch == nil {
			return out
		}
		out = append(out, ch)
		s.announce(ctx, ch, nil)
	}
	return out
}

// maxSettleUnits bounds the units one promoteLine writes (a shift has at most
// MaxPlaces places to fill, and each unit fills at least one or removes a
// colliding waiter).
const maxSettleUnits = 2 * MaxPlaces

// announce sends the notices a committed change owes its volunteers: a place
// confirmed, promoted, removed or cancelled with its shift. A shift changed
// notifies, in changed, who stays booked (the caller knows them).
func (s *Service) announce(ctx context.Context, ch *Change, changed []*Booking) {
	if ch == nil || s.notifier == nil {
		return
	}
	sh := ch.Shift
	shift := func(id string) *Shift { // the shift the notices describe, read once when needed
		if sh == nil {
			fresh, err := s.store.ShiftByID(ctx, id)
			if err != nil {
				s.log.ErrorContext(ctx, "roster: notices not sent", "shift_id", id, "err", err)
				return nil
			}
			sh = fresh
		}
		return sh
	}
	for _, e := range ch.Events {
		var to []string
		kind, key := "", eventKey(e)
		switch {
		case e.Kind == EventBooked || e.Kind == EventAssigned:
			to, kind = []string{e.VolunteerID}, NoticeBookingConfirmed
		case e.Kind == EventPromoted:
			to, kind = []string{e.VolunteerID}, NoticePromoted
		case e.Kind == EventRemoved:
			to, kind = []string{e.VolunteerID}, NoticeRemoved
		case e.Kind == EventCancelled && e.Reason == reasonShiftCancelled:
			to, kind, key = []string{e.VolunteerID}, NoticeShiftCancelled, "cancelled:"+e.ShiftID
		case e.Kind == EventShiftChanged:
			for _, b := range changed {
				to = append(to, b.VolunteerID)
			}
			kind = NoticeShiftChanged
		}
		if len(to) == 0 {
			continue
		}
		about := shift(e.ShiftID)
		if about == nil {
			return
		}
		for _, v := range to {
			s.notify(ctx, v, kind, key, about)
		}
	}
}

// reasonShiftCancelled is the reason of the events a cancelled shift records.
const reasonShiftCancelled = "shift_cancelled"

// eventKey is the idempotency key of a notice about a history event: its kind,
// shift and number, the same however often it is sent.
func eventKey(e *Event) string {
	return e.Kind + ":" + e.ShiftID + ":" + strconv.FormatInt(e.Seq, 10)
}

// position is a volunteer's place in a shift's line (1 is next), 0 when not in it.
func (s *Service) position(ctx context.Context, shiftID, volunteerID string) (int, error) {
	ws, err := s.store.Waiters(ctx, shiftID)
	if err != nil {
		return 0, err
	}
	return HoldOf(nil, ws, volunteerID).Position, nil
}
