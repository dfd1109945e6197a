package roster

// No-shows and suspension.
//
// A pending no-show is derived, never stored: a booking of a shift that has ended
// without a check-in row. Staff of the shift's ward (or an admin) decide on it
// once: confirm or excuse, with a reason; the decision is an insert-only row keyed
// by (shift, volunteer), so a second decision is impossible under any concurrency.
// A row copies the shift's ward, title and times, so a volunteer's standing is
// read without a join. When a volunteer books a shift themselves, their confirmed
// no-shows of shifts that ended in the rule's window are counted; at the rule's
// count or more, self-booking is refused until the suspension has passed since
// the latest of them. Staff assignment is not affected.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
)

// Error codes of no-shows.
const (
	CodeNoShowDecided apperr.Code = "no_show_decided"
	CodeNotANoShow    apperr.Code = "not_a_no_show"
)

var (
	errNoShowDecided = &apperr.Error{Code: CodeNoShowDecided, Vi: "Vắng mặt này đã được quyết định.", En: "This no-show has already been decided."}
	errNotANoShow    = &apperr.Error{Code: CodeNotANoShow,
		Vi: "Không phải vắng mặt: chỉ quyết định cho người đã đăng ký một ca đã kết thúc mà không điểm danh vào.",
		En: "Not a no-show: only a booking of an ended shift without a check-in can be decided."}
)

// NoShowDecision is staff's decision on a no-show.
type NoShowDecision string

// No-show decisions.
const (
	NoShowConfirm NoShowDecision = "confirm"
	NoShowExcuse  NoShowDecision = "excuse"
)

// MaxNoShowReason is the longest reason of a decision, in characters.
const MaxNoShowReason = 500

// NoShow is staff's decision on a volunteer's no-show; (ShiftID, VolunteerID) is
// unique. WardID, Title, StartsAt and EndsAt copy the shift's.
type NoShow struct {
	ShiftID     string
	VolunteerID string
	Decision    NoShowDecision
	Reason      string
	WardID      string
	Title       string
	StartsAt    time.Time
	EndsAt      time.Time
	DecidedBy   string
	DecidedAt   time.Time
}

// NoShowStore is the storage of no-show decisions. Adapters return
// apperr.ErrConflict for a taken (shift, volunteer) and apperr.ErrNotFound for an
// unknown shift or volunteer.
type NoShowStore interface {
	AddNoShow(ctx context.Context, n *NoShow) error
	// NoShows returns a shift's decisions ordered by VolunteerID.
	NoShows(ctx context.Context, shiftID string) ([]*NoShow, error)
	// ConfirmedNoShows returns a volunteer's confirmed no-shows of shifts that
	// ended in [from, to), ordered by (EndsAt, ShiftID).
	ConfirmedNoShows(ctx context.Context, volunteerID string, from, to time.Time) ([]*NoShow, error)
}

// NoShowRule is when self-booking is suspended: Count confirmed no-shows of shifts
// that ended within Window suspend it for Suspension after the latest of them.
type NoShowRule struct {
	Count      int
	Window     time.Duration
	Suspension time.Duration
}

// DefaultNoShowRule is "3/90d/30d".
var DefaultNoShowRule = NoShowRule{Count: 3, Window: 90 * 24 * time.Hour, Suspension: 30 * 24 * time.Hour}

// NoShowRule returns the service's suspension rule.
func (s *Service) NoShowRule() NoShowRule { return s.noShowRule }

// AttendanceState is a booking's attendance as staff see it on the roster.
type AttendanceState string

// Attendance states; a booking of a shift that has not ended and has no
// check-in has none ("").
const (
	StateCheckedIn       AttendanceState = "checked_in"
	StateCheckedOut      AttendanceState = "checked_out"
	StateNoShowPending   AttendanceState = "no_show_pending"
	StateNoShowConfirmed AttendanceState = "no_show_confirmed"
	StateNoShowExcused   AttendanceState = "excused"
	stateNone            AttendanceState = ""
)

// attendanceStates returns each booked volunteer's state on a shift.
func (s *Service) attendanceStates(ctx context.Context, sh *Shift, bs []*Booking) (map[string]AttendanceState, error) {
	rows, err := s.store.Attendance(ctx, sh.ID)
	if err != nil {
		return nil, err
	}
	ns, err := s.store.NoShows(ctx, sh.ID)
	if err != nil {
		return nil, err
	}
	in, out := map[string]bool{}, map[string]bool{}
	for _, a := range rows {
		if a.Kind == KindCheckout {
			out[a.VolunteerID] = true
		} else {
			in[a.VolunteerID] = true
		}
	}
	decided := map[string]NoShowDecision{}
	for _, n := range ns {
		decided[n.VolunteerID] = n.Decision
	}
	ended := !sh.EndsAt.After(s.timestamp())
	states := make(map[string]AttendanceState, len(bs))
	for _, b := range bs {
		v := b.VolunteerID
		switch {
		case out[v]:
			states[v] = StateCheckedOut
		case in[v]:
			states[v] = StateCheckedIn
		case decided[v] == NoShowConfirm:
			states[v] = StateNoShowConfirmed
		case decided[v] == NoShowExcuse:
			states[v] = StateNoShowExcused
		case ended:
			states[v] = StateNoShowPending
		default:
			states[v] = stateNone
		}
	}
	return states, nil
}

// DecideNoShow records staff's decision on a volunteer's no-show: a booking of an
// ended shift without a check-in (else not_a_no_show), decided once (else
// no_show_decided). Staff of other wards find no shift.
func (s *Service) DecideNoShow(ctx context.Context, c identity.Caller, shiftID, volunteerID string, d NoShowDecision, reason string) (*NoShow, error) {
	sh, err := s.managed(ctx, c, shiftID)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case d != NoShowConfirm && d != NoShowExcuse:
		return nil, apperr.Invalid("decision", "oneof", "Quyết định là confirm hoặc excuse.", "The decision is confirm or excuse.")
	case reason == "" || utf8.RuneCountInString(reason) > MaxNoShowReason:
		return nil, apperr.Invalid("reason", "length", "Lý do từ 1 đến 500 ký tự.", "A reason has 1 to 500 characters.")
	}
	now := s.timestamp()
	if sh.EndsAt.After(now) {
		return nil, errNotANoShow
	}
	if _, err := s.store.Booking(ctx, shiftID, volunteerID); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, errNotANoShow
		}
		return nil, err
	}
	rows, err := s.store.Attendance(ctx, shiftID)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(rows, func(a *Attendance) bool { return a.VolunteerID == volunteerID && a.Kind == KindCheckin }) {
		return nil, errNotANoShow
	}
	n := &NoShow{ShiftID: sh.ID, VolunteerID: volunteerID, Decision: d, Reason: reason, WardID: sh.WardID, Title: sh.Title,
		StartsAt: sh.StartsAt, EndsAt: sh.EndsAt, DecidedBy: c.UserID, DecidedAt: now}
	if err := s.store.AddNoShow(ctx, n); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil, errNoShowDecided
		}
		return nil, fmt.Errorf("decide no-show: %w", err)
	}
	return n, nil
}

// Standing is why a volunteer may or may not book shifts themselves.
type Standing struct {
	// SuspendedUntil is when self-booking opens again; nil when not suspended.
	SuspendedUntil *time.Time
	// NoShows are the confirmed no-shows within the rule's window, oldest first.
	NoShows []*NoShow
	Rule    NoShowRule
}

// standing counts a volunteer's confirmed no-shows of shifts that ended in the
// rule's window before now.
func (s *Service) standing(ctx context.Context, volunteerID string) (*Standing, error) {
	now := s.timestamp()
	r := s.noShowRule
	ns, err := s.store.ConfirmedNoShows(ctx, volunteerID, now.Add(-r.Window), now.Add(time.Millisecond))
	if err != nil {
		return nil, fmt.Errorf("no-shows of %s: %w", volunteerID, err)
	}
	st := &Standing{NoShows: ns, Rule: r}
	if r.Count > 0 && len(ns) >= r.Count {
		until := ns[len(ns)-1].EndsAt.Add(r.Suspension)
		if until.After(now) {
			st.SuspendedUntil = &until
		}
	}
	return st, nil
}

// MyStanding is the calling user's own standing.
func (s *Service) MyStanding(ctx context.Context, c identity.Caller) (*Standing, error) {
	return s.standing(ctx, c.UserID)
}

// checkNotSuspended refuses self-booking while the volunteer is suspended.
func (s *Service) checkNotSuspended(ctx context.Context, volunteerID string) error {
	st, err := s.standing(ctx, volunteerID)
	if err != nil {
		return err
	}
	if st.SuspendedUntil == nil {
		return nil
	}
	until := *st.SuspendedUntil
	return &apperr.Error{Code: CodeVolunteerSuspended,
		Vi: fmt.Sprintf("Bạn tạm thời không thể tự đăng ký ca trực đến %s vì đã vắng mặt %d lần trong %d ngày; xem GET /api/v1/me/standing.",
			until.In(s.loc).Format("15:04 02/01/2006"), len(st.NoShows), days(st.Rule.Window)),
		En: fmt.Sprintf("You cannot book shifts yourself until %s after %d confirmed no-shows in %d days; see GET /api/v1/me/standing.",
			until.In(s.loc).Format("2006-01-02 15:04"), len(st.NoShows), days(st.Rule.Window))}
}

// days is a duration in whole days, rounded up.
func days(d time.Duration) int {
	const day = 24 * time.Hour
	return int((d + day - 1) / day)
}
