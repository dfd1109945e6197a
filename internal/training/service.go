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
	"ecitizen/internal/plaintext"
)

// Error codes of training sessions.
const (
	CodeSessionFull        apperr.Code = "session_full"
	CodeAlreadyEnrolled    apperr.Code = "already_enrolled"
	CodeSessionCancelled   apperr.Code = "session_cancelled"
	CodeSessionStarted     apperr.Code = "session_started"
	CodeSessionNotStarted  apperr.Code = "session_not_started"
	CodeCapacityBelowSeats apperr.Code = "capacity_below_enrolled"
	CodeEnrolLimit         apperr.Code = "enrol_limit"
)

// MaxNamedByVolunteer is how many people a volunteer may enrol by name in one
// session; the session's overseers (its ward's staff, its partner, admins) are
// not limited.
const MaxNamedByVolunteer = 3

var (
	errFull      = &apperr.Error{Code: CodeSessionFull, Vi: "Buổi học đã đủ chỗ.", En: "The session is full."}
	errEnrolled  = &apperr.Error{Code: CodeAlreadyEnrolled, Vi: "Người học đã đăng ký buổi học này.", En: "The learner is already enrolled in this session."}
	errCancelled = &apperr.Error{Code: CodeSessionCancelled, Vi: "Buổi học đã bị huỷ.", En: "The session is cancelled."}
	errStarted   = &apperr.Error{Code: CodeSessionStarted, Vi: "Buổi học đã bắt đầu.", En: "The session has started."}
	errLimit     = &apperr.Error{Code: CodeEnrolLimit,
		Vi: fmt.Sprintf("Mỗi tình nguyện viên ghi danh hộ tối đa %d người cho một buổi học; hãy nhờ cán bộ phường ghi danh thêm.", MaxNamedByVolunteer),
		En: fmt.Sprintf("A volunteer enrols at most %d other people in one session; ask the ward's staff to enrol more.", MaxNamedByVolunteer)}
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

// Deps are what the training service is built from.
type Deps struct {
	// Store keeps sessions and enrolments.
	Store Store
	// Courses checks that a session's course is published (course.Service).
	Courses Courses
	// Places finds centres and wards (directory.Service).
	Places Places
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// NewService returns the training service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, courses: d.Courses, places: d.Places, now: d.Now}
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

// Change replaces a session's plan, or cancels it (cancel true), in one unit with
// its seats: capacity never drops below the learners enrolled (withdraw some
// first, with a reason). Cancelling keeps the seats, as the record of who had
// enrolled.
func (s *Service) Change(ctx context.Context, c identity.Caller, id string, p Plan, cancel bool) (*Session, error) {
	se, err := s.store.SessionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !runs(c, se) {
		return nil, fmt.Errorf("session %s: %w", id, apperr.ErrNotFound)
	}
	var out *Session
	_, err = s.transact(ctx, id, func(ctx context.Context, t *seatTx) error {
		cur := t.sitting.Session
		if cur.Status == StatusCancelled {
			return errCancelled
		}
		now := s.timestamp()
		if !cur.StartsAt.After(now) {
			return errStarted
		}
		upd := *cur
		kind := EventSessionChanged
		if cancel {
			upd.Status, kind = StatusCancelled, EventSessionCancelled
		} else {
			if err := s.apply(ctx, &upd, p, now); err != nil {
				return err
			}
			if n := len(t.sitting.Seats); n > upd.Capacity {
				return &apperr.Error{Code: CodeCapacityBelowSeats,
					Vi: fmt.Sprintf("Đã có %d người đăng ký; không thể giảm số chỗ xuống %d. Hãy huỷ bớt đăng ký (kèm lý do) trước.", n, upd.Capacity),
					En: fmt.Sprintf("%d learners are enrolled; capacity cannot drop to %d. Withdraw some first, with a reason.", n, upd.Capacity)}
			}
		}
		upd.UpdatedAt = now
		t.ch.Session = &upd
		t.record(0, "", kind, c.UserID, "")
		out = &upd
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("change session: %w", err)
	}
	return out, nil
}

// Enrol takes a place in a session: for the caller (name "") or, by ward staff,
// volunteers and admins, for a resident without an account given by name. In one
// unit with the session's seats: the lowest free number is taken while fewer
// learners are enrolled than the capacity.
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
		if err := plaintext.Line("name", name); err != nil {
			return nil, err
		}
		seat.Name, seat.LearnerKey = name, "name:"+uuid.NewString()
	}
	if err := s.open(se); err != nil {
		return nil, err
	}
	_, err = s.transact(ctx, id, func(ctx context.Context, t *seatTx) error {
		if err := s.open(t.sitting.Session); err != nil {
			return err
		}
		taken := make(map[int]bool, len(t.sitting.Seats))
		for _, st := range t.sitting.Seats {
			if st.LearnerKey == seat.LearnerKey {
				return errEnrolled
			}
			taken[st.Number] = true
		}
		if len(t.sitting.Seats) >= t.sitting.Session.Capacity {
			return errFull
		}
		if seat.Name != "" && !oversees(c, t.sitting.Session) {
			named := 0
			for _, st := range t.sitting.Seats {
				if st.EnrolledBy == c.UserID && st.Name != "" {
					named++
				}
			}
			if named >= MaxNamedByVolunteer {
				return errLimit
			}
		}
		n := 1
		for taken[n] {
			n++
		}
		seat.Number, seat.EnrolledAt = n, s.timestamp()
		t.ch.Take = []*Seat{seat}
		t.record(n, seat.LearnerKey, EventEnrolled, c.UserID, "")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return seat, nil
}

// open refuses enrolments in a cancelled or started session.
func (s *Service) open(se *Session) error {
	switch {
	case se.Status == StatusCancelled:
		return errCancelled
	case !se.StartsAt.After(s.timestamp()):
		return errStarted
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
	_, err = s.transact(ctx, id, func(ctx context.Context, t *seatTx) error {
		var st *Seat
		for _, x := range t.sitting.Seats {
			if x.Number == number {
				st = x
			}
		}
		if st == nil || !(st.UserID == c.UserID || st.EnrolledBy == c.UserID || oversees(c, se)) {
			return fmt.Errorf("enrolment %d: %w", number, apperr.ErrNotFound)
		}
		if !t.sitting.Session.StartsAt.After(s.timestamp()) {
			return errStarted
		}
		t.ch.Release = []*Seat{st}
		t.record(st.Number, st.LearnerKey, EventWithdrawn, c.UserID, reason)
		return nil
	})
	return err
}

// seatTx is a transition of a session being decided.
type seatTx struct {
	sitting *Sitting
	now     time.Time
	ch      SeatChange
}

// record appends a history event, numbered after the sitting's last.
func (t *seatTx) record(number int, learnerKey, kind, by, reason string) {
	t.ch.Events = append(t.ch.Events, &SeatEvent{SessionID: t.sitting.Session.ID, Seq: t.sitting.Seq + int64(len(t.ch.Events)) + 1,
		Number: number, LearnerKey: learnerKey, Kind: kind, By: by, Reason: reason, At: t.now})
}

// transact runs one transition of a session as a unit (Store.TransactSession).
func (s *Service) transact(ctx context.Context, id string, step func(ctx context.Context, t *seatTx) error) (*SeatChange, error) {
	return s.store.TransactSession(ctx, id, func(ctx context.Context, st *Sitting) (*SeatChange, error) {
		t := &seatTx{sitting: st, now: s.timestamp()}
		if err := step(ctx, t); err != nil {
			return nil, err
		}
		if len(t.ch.Events) == 0 {
			return nil, nil
		}
		return &t.ch, nil
	})
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
