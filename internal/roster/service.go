package roster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/logging"
	"ecitizen/internal/page"
	"ecitizen/internal/vntime"
)

// Error codes of rosters (the refusals volunteers see).
const (
	CodeShiftFull            apperr.Code = "shift_full"
	CodeAlreadyBooked        apperr.Code = "already_booked"
	CodeCollides             apperr.Code = "collides"
	CodeNotQualified         apperr.Code = "not_qualified"
	CodeSignupNotOpen        apperr.Code = "signup_not_open"
	CodeShiftStarted         apperr.Code = "shift_started"
	CodeCancelDeadlinePassed apperr.Code = "cancel_deadline_passed"
	CodeVolunteerSuspended   apperr.Code = "volunteer_suspended"
	CodeAlreadyWaiting       apperr.Code = "already_waiting"
	CodeShiftCancelled       apperr.Code = "shift_cancelled"
	CodeCentreClosed         apperr.Code = "centre_closed"
	CodePlacesBelowBooked    apperr.Code = "places_below_booked"
	CodeShiftBooked          apperr.Code = "shift_booked"
)

var (
	errFull      = &apperr.Error{Code: CodeShiftFull, Vi: "Ca trực đã đủ người.", En: "The shift is full."}
	errBooked    = &apperr.Error{Code: CodeAlreadyBooked, Vi: "Bạn đã đăng ký ca trực này.", En: "You have already booked this shift."}
	errCollides  = &apperr.Error{Code: CodeCollides, Vi: "Bạn đã có một ca trực trùng giờ.", En: "You already hold a shift at the same time."}
	errStarted   = &apperr.Error{Code: CodeShiftStarted, Vi: "Ca trực đã bắt đầu.", En: "The shift has started."}
	errCancelled = &apperr.Error{Code: CodeShiftCancelled, Vi: "Ca trực đã bị huỷ.", En: "The shift is cancelled."}
	errWaiting   = &apperr.Error{Code: CodeAlreadyWaiting, Vi: "Bạn đã ở trong danh sách chờ.", En: "You are already on the waiting list."}
)

// Centres is what rosters need of the directory.
type Centres interface {
	// ActiveCentre returns an active centre (ErrNotFound otherwise).
	ActiveCentre(ctx context.Context, id string) (*directory.Centre, error)
	// CheckWards returns ErrNotFound unless every ward exists.
	CheckWards(ctx context.Context, ids []string) error
	// CheckWardOpen returns directory.ErrWardMerged when the ward is merged or
	// being merged: it takes no new shifts.
	CheckWardOpen(ctx context.Context, wardID string) error
	// CheckOrganisation returns ErrNotFound unless the organisation is active.
	CheckOrganisation(ctx context.Context, id string) error
}

// Qualifications tells whether a volunteer completed a course.
type Qualifications interface {
	CheckPublished(ctx context.Context, courseID string) error
	Completed(ctx context.Context, userID, courseID string) (bool, error)
}

// People tells whether a user is an active volunteer.
type People interface {
	// CheckVolunteer returns an error wrapping apperr.ErrNotFound unless the user is
	// an active volunteer.
	CheckVolunteer(ctx context.Context, userID string) error
	// VolunteerOrganisation returns the organisation of a volunteer (active or
	// not); a user who is not a volunteer is ErrNotFound.
	VolunteerOrganisation(ctx context.Context, userID string) (string, error)
	// OrganisationVolunteers returns every volunteer of an organisation, active or not.
	OrganisationVolunteers(ctx context.Context, orgID string) ([]*identity.User, error)
	// DisplayNames returns the display names of users, by id.
	DisplayNames(ctx context.Context, ids []string) (map[string]string, error)
}

// Service holds the rules of shifts and bookings. Who may do what:
//   - admins and the staff of a centre's ward manage its shifts, see who booked,
//     and assign or remove volunteers outside the windows (with a reason);
//   - volunteers book and cancel their own places, or wait for one;
//   - every signed-in user reads shifts.
type Service struct {
	store   Store
	centres Centres
	quals   Qualifications
	people  People
	// notifier, when not nil, receives notices for volunteers (notices.go).
	notifier Notifier
	loc      *time.Location
	now      func() time.Time
	log      *slog.Logger
	// checkinKey signs the centres' check-in codes (attendance.go); nil: none.
	checkinKey []byte
	// noShowRule suspends self-booking after confirmed no-shows (noshow.go).
	noShowRule NoShowRule
}

// Deps are what the roster service is built from.
type Deps struct {
	// Store keeps shifts, bookings, attendance and hours.
	Store Store
	// Centres finds centres, wards and organisations (directory.Service).
	Centres Centres
	// Qualifications tells whether a volunteer completed a course (course.Service).
	Qualifications Qualifications
	// People finds volunteers and their names (identity.Service).
	People People
	// Notifier receives the notices for volunteers (notify.Service); nil: no
	// notices are sent.
	Notifier Notifier
	// JWTKey derives the key of the centres' check-in codes (CheckinKey); nil:
	// check-in codes are unavailable.
	JWTKey []byte
	// NoShowRule suspends self-booking after confirmed no-shows (a running
	// service has DefaultNoShowRule or ECITIZEN_NO_SHOW_RULE); the zero value
	// suspends nobody.
	NoShowRule NoShowRule
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// Logger takes what the service logs (failed notices, repaired rosters);
	// nil: logs nothing.
	Logger *slog.Logger
}

// NewService returns the roster service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Service{store: d.Store, centres: d.Centres, quals: d.Qualifications, people: d.People, notifier: d.Notifier,
		loc: vntime.Zone, now: d.Now, log: logging.OrDiscard(d.Logger), noShowRule: d.NoShowRule}
	if len(d.JWTKey) > 0 {
		s.checkinKey = CheckinKey(d.JWTKey)
	}
	return s
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Plan is what ward staff give to create or change a shift; zero windows take the defaults.
type Plan struct {
	CentreID              string
	Title                 string
	Role                  Role
	StartsAt, EndsAt      time.Time
	Places                int
	QualificationCourseID string
	Notes                 string
	SignupOpensAt         time.Time
	CancelDeadline        time.Time
}

// manages reports whether the caller manages shifts of the ward.
func manages(c identity.Caller, wardID string) bool { return c.HasWard(wardID) }

// CreateShift creates a shift at a centre of the caller's wards.
func (s *Service) CreateShift(ctx context.Context, c identity.Caller, p Plan) (*Shift, error) {
	centre, err := s.centres.ActiveCentre(ctx, p.CentreID)
	if err != nil {
		return nil, err // a missing or inactive centre (in the path) is not found
	}
	if !manages(c, centre.WardID) {
		if c.Role == identity.RoleWardStaff {
			return nil, fmt.Errorf("centre %s: %w", p.CentreID, apperr.ErrNotFound)
		}
		return nil, apperr.ErrForbidden
	}
	if err := s.centres.CheckWardOpen(ctx, centre.WardID); err != nil {
		return nil, err
	}
	now := s.timestamp()
	sh := &Shift{ID: uuid.Must(uuid.NewV7()).String(), CentreID: centre.ID, WardID: centre.WardID, Status: StatusScheduled,
		CreatedBy: c.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.apply(ctx, sh, centre, p, now); err != nil {
		return nil, err
	}
	if err := s.store.CreateShift(ctx, sh); err != nil {
		return nil, fmt.Errorf("create shift: %w", err)
	}
	return sh, nil
}

// apply sets a plan on a shift and checks it: times in the future, within the
// centre's opening hours of that (local) day, windows defaulted and in order.
func (s *Service) apply(ctx context.Context, sh *Shift, centre *directory.Centre, p Plan, now time.Time) error {
	ms := func(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }
	sh.Title, sh.Role, sh.Places, sh.Notes = strings.TrimSpace(p.Title), p.Role, p.Places, p.Notes
	sh.StartsAt, sh.EndsAt = ms(p.StartsAt), ms(p.EndsAt)
	sh.QualificationCourseID = p.QualificationCourseID
	sh.SignupOpensAt, sh.CancelDeadline = ms(p.SignupOpensAt), ms(p.CancelDeadline)
	if p.SignupOpensAt.IsZero() {
		sh.SignupOpensAt = sh.StartsAt.Add(-DefaultSignupLead)
	}
	if p.CancelDeadline.IsZero() {
		sh.CancelDeadline = sh.StartsAt.Add(-DefaultCancelDeadline)
		if sh.CancelDeadline.Before(sh.SignupOpensAt) {
			sh.CancelDeadline = sh.SignupOpensAt
		}
	}
	if err := sh.Validate(); err != nil {
		return err
	}
	if !sh.StartsAt.After(now) {
		return apperr.Invalid("starts_at", "range", "Ca trực phải bắt đầu trong tương lai.", "A shift starts in the future.")
	}
	if err := s.withinHours(centre, sh); err != nil {
		return err
	}
	if sh.QualificationCourseID != "" {
		if err := s.quals.CheckPublished(ctx, sh.QualificationCourseID); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				return apperr.Invalid("qualification_course_id", "unknown_course", "Khoá học yêu cầu không tồn tại hoặc chưa xuất bản.", "The required course does not exist or is not published.")
			}
			return err
		}
	}
	return nil
}

// withinHours checks that a shift lies within one local day of the centre, between
// its first opening and last closing time that day.
func (s *Service) withinHours(centre *directory.Centre, sh *Shift) error {
	start, end := sh.StartsAt.In(s.loc), sh.EndsAt.In(s.loc)
	y1, m1, d1 := start.Date()
	endDay := end.Add(-time.Nanosecond) // a shift may end at midnight
	if y2, m2, d2 := endDay.Date(); y1 != y2 || m1 != m2 || d1 != d2 {
		return apperr.Invalid("ends_at", "same_day", "Ca trực phải nằm trong một ngày.", "A shift lies within one day.")
	}
	spans := centre.Hours.Day(start.Weekday())
	if len(spans) == 0 {
		return &apperr.Error{Code: CodeCentreClosed, Vi: "Nhà sinh hoạt cộng đồng đóng cửa ngày này.", En: "The centre is closed that day."}
	}
	open, _ := directory.Minutes(spans[0].Open)
	closing, _ := directory.Minutes(spans[len(spans)-1].Close)
	from := start.Hour()*60 + start.Minute()
	to := from + int(sh.EndsAt.Sub(sh.StartsAt).Minutes())
	if from < open || to > closing {
		return &apperr.Error{Code: CodeCentreClosed,
			Vi: fmt.Sprintf("Ca trực phải nằm trong giờ mở cửa (%s–%s).", spans[0].Open, spans[len(spans)-1].Close),
			En: fmt.Sprintf("The shift must lie within opening hours (%s–%s).", spans[0].Open, spans[len(spans)-1].Close)}
	}
	return nil
}

// Shift returns one shift with its bookings and waiting list.
func (s *Service) Shift(ctx context.Context, id string) (*Shift, []*Booking, []*Waiter, error) {
	sh, err := s.store.ShiftByID(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	bs, err := s.store.Bookings(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	ws, err := s.store.Waiters(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	return sh, bs, ws, nil
}

// Shifts lists shifts by start time.
func (s *Service) Shifts(ctx context.Context, f ShiftFilter, p page.Request) ([]*Shift, string, error) {
	ss, err := s.store.ListShifts(ctx, f, p)
	if err != nil {
		return nil, "", fmt.Errorf("list shifts: %w", err)
	}
	ss, next := page.Cut(ss, p, ShiftKey)
	return ss, next, nil
}

// ChangeShift replaces a shift's plan (not its centre), in one unit with its
// holdings: a booked shift keeps its times (cancel it and create another
// instead), places never drop below the volunteers booked (staff remove some
// first, with a reason), and extra places go to the line at once.
func (s *Service) ChangeShift(ctx context.Context, c identity.Caller, id string, p Plan) (*Shift, error) {
	sh, err := s.managed(ctx, c, id)
	if err != nil {
		return nil, err
	}
	centre, err := s.centres.ActiveCentre(ctx, sh.CentreID)
	if err != nil {
		return nil, err
	}
	var (
		out  *Shift
		stay []*Booking
	)
	ch, err := s.transact(ctx, id, func(ctx context.Context, t *tx) error {
		now := s.timestamp()
		switch {
		case t.shift.Status == StatusCancelled:
			return errCancelled
		case !t.shift.StartsAt.After(now):
			return errStarted
		}
		upd := *t.shift
		if err := s.apply(ctx, &upd, centre, p, now); err != nil {
			return err
		}
		if len(t.booked) > 0 && (!upd.StartsAt.Equal(t.shift.StartsAt) || !upd.EndsAt.Equal(t.shift.EndsAt)) {
			return &apperr.Error{Code: CodeShiftBooked,
				Vi: "Ca trực đã có người đăng ký nên không thể đổi giờ; hãy huỷ ca và tạo ca mới.",
				En: "The shift has bookings, so its times cannot change; cancel it and create another."}
		}
		if n := len(t.booked); n > upd.Places {
			return placesBelowBooked(n, upd.Places, "")
		}
		// An occurrence of a series changed on its own is detached: series edits
		// leave it alone from now on.
		upd.UpdatedAt, upd.Detached = now, upd.SeriesID != ""
		t.setShift(&upd)
		t.record("", EventShiftChanged, 0, c.UserID, "")
		out, stay = &upd, t.h.Bookings
		return t.fill(ctx)
	})
	if err != nil {
		return nil, err
	}
	s.announce(ctx, ch, stay)
	return out, nil
}

// placesBelowBooked refuses places below the number of volunteers booked; day,
// when set, names the occurrence of a series (with "nothing was changed").
func placesBelowBooked(booked, places int, day string) error {
	if day == "" {
		return &apperr.Error{Code: CodePlacesBelowBooked,
			Vi: fmt.Sprintf("Đã có %d tình nguyện viên đăng ký; không thể giảm số chỗ xuống %d. Hãy gỡ bớt người khỏi ca (kèm lý do) trước.", booked, places),
			En: fmt.Sprintf("%d volunteers are booked; places cannot drop to %d. Remove some from the shift first, with a reason.", booked, places)}
	}
	return &apperr.Error{Code: CodePlacesBelowBooked,
		Vi: fmt.Sprintf("Ca trực ngày %s đã có %d tình nguyện viên đăng ký; không thể giảm số chỗ xuống %d. Không có thay đổi nào được lưu.", day, booked, places),
		En: fmt.Sprintf("The shift of %s has %d volunteers booked; places cannot drop to %d. Nothing was changed.", day, booked, places)}
}

// CancelShift cancels a shift that has not started, in one unit: its
// volunteers' places are freed (and they are notified), its line is cleared, and
// the history keeps who held what.
func (s *Service) CancelShift(ctx context.Context, c identity.Caller, id, reason string) (*Shift, error) {
	if _, err := s.managed(ctx, c, id); err != nil {
		return nil, err
	}
	var out *Shift
	ch, err := s.transact(ctx, id, func(ctx context.Context, t *tx) error {
		switch {
		case t.shift.Status == StatusCancelled:
			return errCancelled
		case !t.shift.StartsAt.After(s.timestamp()):
			return errStarted
		}
		out = t.cancelShift(c.UserID, reason)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.announce(ctx, ch, nil)
	return out, nil
}

// MyBookings lists the caller's bookings starting in [from, to).
func (s *Service) MyBookings(ctx context.Context, c identity.Caller, from, to time.Time) ([]*Booking, error) {
	return s.store.BookingsOfVolunteer(ctx, c.UserID, from, to)
}

// WaitingPlace is a volunteer's entry on a shift's waiting list with its
// position, 1 being next in line.
type WaitingPlace struct {
	*Waiter
	Position int
}

// MyWaiting lists the caller's places on the waiting lists of scheduled shifts
// that have not started, in the order they joined.
func (s *Service) MyWaiting(ctx context.Context, c identity.Caller) ([]WaitingPlace, error) {
	ws, err := s.store.WaitingOf(ctx, c.UserID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]WaitingPlace, 0, len(ws))
	for _, w := range ws {
		sh, err := s.store.ShiftByID(ctx, w.ShiftID)
		if err != nil {
			return nil, err
		}
		if sh.Status != StatusScheduled || !sh.StartsAt.After(now) {
			continue
		}
		pos, err := s.position(ctx, w.ShiftID, c.UserID)
		if err != nil {
			return nil, err
		}
		if pos > 0 { // promoted or removed since
			out = append(out, WaitingPlace{Waiter: w, Position: pos})
		}
	}
	return out, nil
}

// RosterView is a shift with its bookings (and each booked volunteer's
// attendance state), waiting list and history.
type RosterView struct {
	Shift    *Shift
	Bookings []*Booking
	States   map[string]AttendanceState // by VolunteerID
	Waiting  []*Waiter
	History  []*Event
	// Names are the display names of the people on the roster (volunteers, and
	// the staff who assigned or removed them), by user id: its ward's staff run
	// the shift with them.
	Names map[string]string
}

// Roster returns a shift's bookings, waiting list and history, for its ward's staff.
func (s *Service) Roster(ctx context.Context, c identity.Caller, id string) (*RosterView, error) {
	sh, err := s.managed(ctx, c, id)
	if err != nil {
		return nil, err
	}
	_, bs, ws, err := s.Shift(ctx, id)
	if err != nil {
		return nil, err
	}
	states, err := s.attendanceStates(ctx, sh, bs)
	if err != nil {
		return nil, err
	}
	es, err := s.store.Events(ctx, id)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, b := range bs {
		ids = append(ids, b.VolunteerID, b.BookedBy)
	}
	for _, w := range ws {
		ids = append(ids, w.VolunteerID)
	}
	for _, e := range es {
		ids = append(ids, e.VolunteerID, e.By)
	}
	names, err := s.people.DisplayNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &RosterView{Shift: sh, Bookings: bs, States: states, Waiting: ws, History: es, Names: names}, nil
}
