package training

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
)

// Error codes of training sessions.
const (
	CodeSessionFull        apperr.Code = "session_full"
	CodeAlreadyEnrolled    apperr.Code = "already_enrolled"
	CodeSessionCancelled   apperr.Code = "session_cancelled"
	CodeSessionStarted     apperr.Code = "session_started"
	CodeSessionNotStarted  apperr.Code = "session_not_started"
	CodeCapacityBelowSeats apperr.Code = "capacity_below_enrolled"
)

var (
	errFull      = &apperr.Error{Code: CodeSessionFull, Vi: "Buổi học đã đủ chỗ.", En: "The session is full."}
	errEnrolled  = &apperr.Error{Code: CodeAlreadyEnrolled, Vi: "Người học đã đăng ký buổi học này.", En: "The learner is already enrolled in this session."}
	errCancelled = &apperr.Error{Code: CodeSessionCancelled, Vi: "Buổi học đã bị huỷ.", En: "The session is cancelled."}
	errStarted   = &apperr.Error{Code: CodeSessionStarted, Vi: "Buổi học đã bắt đầu.", En: "The session has started."}
)

// Courses is what training needs to know of courses.
type Courses interface {
	// CheckPublished returns an error wrapping apperr.ErrNotFound unless the course
	// is published and not archived.
	CheckPublished(ctx context.Context, courseID string) error
}

// Places is what training needs to know of the directory.
type Places interface {
	// CentreWard returns the ward of an active centre (ErrNotFound otherwise).
	CentreWard(ctx context.Context, centreID string) (string, error)
	// CheckWards returns an error wrapping apperr.ErrNotFound unless every ward exists.
	CheckWards(ctx context.Context, ids []string) error
}

// Service holds the rules of training sessions. Who may do what:
//   - anyone reads sessions (residents look for a class);
//   - partners schedule and change their organisation's sessions, admins any;
//   - any signed-in user enrols themselves; ward staff (of the session's ward),
//     volunteers and admins enrol residents by name;
//   - the running partner, the ward's staff and admins see the enrolments and
//     mark attendance once the session has started.
type Service struct {
	store   Store
	courses Courses
	places  Places
	now     func() time.Time
}

// NewService returns the training service; now may be nil for time.Now.
func NewService(st Store, courses Courses, places Places, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, courses: courses, places: places, now: now}
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Plan is what a partner gives to schedule or change a session.
type Plan struct {
	CourseID       string
	OrganisationID string // "" for a partner means their own
	CentreID       string
	WardID         string // for a venue outside a centre (optional)
	Venue          string
	StartsAt       time.Time
	EndsAt         time.Time
	Capacity       int
	Trainers       []string
	Note           string
}

// Schedule creates a session of a published course.
func (s *Service) Schedule(ctx context.Context, c identity.Caller, p Plan) (*Session, error) {
	if c.Role == identity.RolePartner && p.OrganisationID == "" {
		p.OrganisationID = c.Scope.OrganisationID
	}
	if p.OrganisationID == "" {
		return nil, apperr.Invalid("organisation_id", "required", "Cần chọn tổ chức tổ chức buổi học.", "The running organisation is required.")
	}
	if !c.HasOrganisation(p.OrganisationID) {
		if c.Role == identity.RolePartner {
			return nil, fmt.Errorf("organisation %s: %w", p.OrganisationID, apperr.ErrNotFound)
		}
		return nil, apperr.ErrForbidden
	}
	if err := s.courses.CheckPublished(ctx, p.CourseID); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, apperr.Invalid("course_id", "unknown_course", "Khoá học không tồn tại hoặc chưa xuất bản.", "The course does not exist or is not published.")
		}
		return nil, err
	}
	now := s.timestamp()
	se := &Session{ID: uuid.Must(uuid.NewV7()).String(), CourseID: p.CourseID, OrganisationID: p.OrganisationID,
		Status: StatusScheduled, CreatedBy: c.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.apply(ctx, se, p, now); err != nil {
		return nil, err
	}
	if err := s.store.CreateSession(ctx, se); err != nil {
		if errors.Is(err, apperr.ErrNotFound) { // the organisation (checked by the store)
			return nil, apperr.Invalid("organisation_id", "unknown_organisation", "Tổ chức không tồn tại.", "The organisation does not exist.")
		}
		return nil, fmt.Errorf("schedule session: %w", err)
	}
	return se, nil
}

// apply sets the plan's place, times, capacity and people on se and checks them.
func (s *Service) apply(ctx context.Context, se *Session, p Plan, now time.Time) error {
	se.CentreID, se.Venue, se.WardID = p.CentreID, strings.TrimSpace(p.Venue), p.WardID
	se.StartsAt, se.EndsAt = p.StartsAt.UTC().Truncate(time.Millisecond), p.EndsAt.UTC().Truncate(time.Millisecond)
	se.Capacity, se.Note = p.Capacity, p.Note
	se.Trainers = nil
	for _, t := range p.Trainers {
		se.Trainers = append(se.Trainers, strings.TrimSpace(t))
	}
	if err := se.Validate(); err != nil {
		return err
	}
	if !se.StartsAt.After(now) || se.StartsAt.After(now.Add(MaxAhead)) {
		return apperr.Invalid("starts_at", "range", "Buổi học phải bắt đầu trong tương lai, trong vòng một năm.", "A session starts in the future, within a year.")
	}
	if se.CentreID != "" {
		ward, err := s.places.CentreWard(ctx, se.CentreID)
		if errors.Is(err, apperr.ErrNotFound) {
			return apperr.Invalid("centre_id", "unknown_centre", "Nhà sinh hoạt cộng đồng không tồn tại hoặc ngừng hoạt động.", "The centre does not exist or is inactive.")
		}
		if err != nil {
			return err
		}
		se.WardID = ward
	} else if se.WardID != "" {
		if err := s.places.CheckWards(ctx, []string{se.WardID}); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				return apperr.Invalid("ward_id", "unknown_ward", "Phường không tồn tại.", "The ward does not exist.")
			}
			return err
		}
	}
	return nil
}

// Session returns one session (public).
func (s *Service) Session(ctx context.Context, id string) (*Session, int, error) {
	se, err := s.store.SessionByID(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	seats, err := s.store.Seats(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	return se, len(seats), nil
}

// List lists sessions by start time (public).
func (s *Service) List(ctx context.Context, f SessionFilter, p page.Request) ([]*Session, string, error) {
	ss, err := s.store.ListSessions(ctx, f, p)
	if err != nil {
		return nil, "", fmt.Errorf("list sessions: %w", err)
	}
	ss, next := page.Cut(ss, p, SessionKey)
	return ss, next, nil
}

// runs reports whether the caller runs the session (its partner or an admin).
func runs(c identity.Caller, se *Session) bool { return c.HasOrganisation(se.OrganisationID) }

// oversees reports whether the caller runs the session or is staff of its ward.
func oversees(c identity.Caller, se *Session) bool {
	return runs(c, se) || (se.WardID != "" && c.HasWard(se.WardID))
}

// Change replaces a session's plan, or cancels it (cancel true). Capacity cannot
// drop below a place that is taken.
func (s *Service) Change(ctx context.Context, c identity.Caller, id string, p Plan, cancel bool) (*Session, error) {
	se, err := s.store.SessionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !runs(c, se) {
		return nil, fmt.Errorf("session %s: %w", id, apperr.ErrNotFound)
	}
	if se.Status == StatusCancelled {
		return nil, errCancelled
	}
	now := s.timestamp()
	if !se.StartsAt.After(now) {
		return nil, errStarted
	}
	if cancel {
		se.Status = StatusCancelled
	} else {
		if err := s.apply(ctx, se, p, now); err != nil {
			return nil, err
		}
		seats, err := s.store.Seats(ctx, id)
		if err != nil {
			return nil, err
		}
		if n := len(seats); n > 0 && seats[n-1].Number > se.Capacity {
			return nil, &apperr.Error{Code: CodeCapacityBelowSeats,
				Vi: fmt.Sprintf("Chỗ số %d đã có người; không thể giảm số chỗ xuống %d.", seats[n-1].Number, se.Capacity),
				En: fmt.Sprintf("Place %d is taken; capacity cannot drop to %d.", seats[n-1].Number, se.Capacity)}
		}
	}
	se.UpdatedAt = now
	if err := s.store.UpdateSession(ctx, se); err != nil {
		return nil, fmt.Errorf("change session: %w", err)
	}
	return se, nil
}

// Enrol takes a place in a session: for the caller (name "") or, by ward staff,
// volunteers and admins, for a resident without an account given by name. The
// first free place is inserted as a seat; a taken one (a concurrent enrolment)
// moves on to the next, so the places are never over-filled.
func (s *Service) Enrol(ctx context.Context, c identity.Caller, id, name string) (*Seat, error) {
	se, err := s.store.SessionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	seat := &Seat{SessionID: id, EnrolledBy: c.UserID}
	if name != "" && strings.TrimSpace(name) == "" {
		return nil, apperr.Invalid("name", "blank", "Tên người học không được để trống.", "The learner's name must not be blank.")
	}
	if name = strings.TrimSpace(name); name == "" {
		seat.UserID, seat.LearnerKey = c.UserID, "user:"+c.UserID
	} else {
		if !(c.Role == identity.RoleVolunteer || c.IsAdmin() || (c.Role == identity.RoleWardStaff && se.WardID != "" && c.HasWard(se.WardID))) {
			return nil, apperr.New(apperr.CodeForbidden, "Chỉ cán bộ phường, tình nguyện viên và quản trị viên ghi danh người dân.", "Only ward staff, volunteers and admins enrol residents.")
		}
		if len([]rune(name)) > 120 {
			return nil, apperr.Invalid("name", "max", "Tên tối đa 120 ký tự.", "A name has 120 characters at most.")
		}
		seat.Name, seat.LearnerKey = name, "name:"+uuid.NewString()
	}
	now := s.timestamp()
	switch {
	case se.Status == StatusCancelled:
		return nil, errCancelled
	case !se.StartsAt.After(now):
		return nil, errStarted
	}
	seats, err := s.store.Seats(ctx, id)
	if err != nil {
		return nil, err
	}
	taken := make(map[int]bool, len(seats))
	for _, st := range seats {
		if st.LearnerKey == seat.LearnerKey {
			return nil, errEnrolled
		}
		taken[st.Number] = true
	}
	for n := 1; n <= se.Capacity; n++ {
		if taken[n] {
			continue
		}
		seat.Number, seat.EnrolledAt = n, now
		err := s.store.TakeSeat(ctx, seat)
		if err == nil {
			return seat, s.event(ctx, seat, "enrolled", c.UserID, "")
		}
		if !errors.Is(err, apperr.ErrConflict) {
			return nil, fmt.Errorf("enrol: %w", err)
		}
		// Either place n was taken meanwhile, or this learner enrolled meanwhile.
		if _, err := s.store.SeatOfLearner(ctx, id, seat.LearnerKey); err == nil {
			return nil, errEnrolled
		}
	}
	return nil, errFull
}

func (s *Service) event(ctx context.Context, st *Seat, kind, by, reason string) error {
	e := &SeatEvent{ID: uuid.Must(uuid.NewV7()).String(), SessionID: st.SessionID, Number: st.Number, LearnerKey: st.LearnerKey,
		Kind: kind, By: by, Reason: reason, At: s.timestamp()}
	if err := s.store.AddSeatEvent(ctx, e); err != nil {
		return fmt.Errorf("enrolment history: %w", err)
	}
	return nil
}

// Withdraw frees a place: the learner themselves, whoever enrolled them, the
// ward's staff, the running partner or an admin may, before the session starts.
func (s *Service) Withdraw(ctx context.Context, c identity.Caller, id string, number int, reason string) error {
	se, err := s.store.SessionByID(ctx, id)
	if err != nil {
		return err
	}
	st, err := s.store.Seat(ctx, id, number)
	if err != nil {
		return err
	}
	if !(st.UserID == c.UserID || st.EnrolledBy == c.UserID || oversees(c, se)) {
		return fmt.Errorf("enrolment %d: %w", number, apperr.ErrNotFound)
	}
	if !se.StartsAt.After(s.timestamp()) {
		return errStarted
	}
	if err := s.store.ReleaseSeat(ctx, id, number); err != nil {
		return err
	}
	return s.event(ctx, st, "cancelled", c.UserID, reason)
}

// Enrolments lists a session's seats, for those who oversee it.
func (s *Service) Enrolments(ctx context.Context, c identity.Caller, id string) (*Session, []*Seat, error) {
	se, err := s.store.SessionByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !oversees(c, se) {
		return nil, nil, apperr.ErrForbidden
	}
	seats, err := s.store.Seats(ctx, id)
	return se, seats, err
}

// MarkAttendance records whether a learner came, once the session has started.
func (s *Service) MarkAttendance(ctx context.Context, c identity.Caller, id string, number int, a Attendance) (*Seat, error) {
	se, err := s.store.SessionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !oversees(c, se) {
		return nil, apperr.ErrForbidden
	}
	if se.Status == StatusCancelled {
		return nil, errCancelled
	}
	if se.StartsAt.After(s.timestamp()) {
		return nil, &apperr.Error{Code: CodeSessionNotStarted, Vi: "Chỉ điểm danh khi buổi học đã bắt đầu.", En: "Attendance is marked once the session has started."}
	}
	if a != Attended && a != Absent {
		return nil, apperr.Invalid("attendance", "oneof", "Điểm danh là attended hoặc absent.", "Attendance is attended or absent.")
	}
	st, err := s.store.Seat(ctx, id, number)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	st.Attendance, st.MarkedBy, st.MarkedAt = a, c.UserID, &now
	if err := s.store.MarkAttendance(ctx, st); err != nil {
		return nil, fmt.Errorf("mark attendance: %w", err)
	}
	return st, nil
}

// MySeats lists the places the caller holds.
func (s *Service) MySeats(ctx context.Context, c identity.Caller, p page.Request) ([]*Seat, string, error) {
	seats, err := s.store.SeatsOfUser(ctx, c.UserID, p)
	if err != nil {
		return nil, "", fmt.Errorf("my sessions: %w", err)
	}
	seats, next := page.Cut(seats, p, func(st *Seat) string { return st.SessionID })
	return seats, next, nil
}
