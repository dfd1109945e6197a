// Package roster owns volunteer rosters: shifts at community centres, booking
// their places, waiting lists, attendance, hours and no-shows.
//
// Every change of a shift's holdings is one unit of change (unit.go): a
// transition decides on the shift's bookings and line as they are and the store
// writes its change whole, with its history, or not at all (Store.Transact), so
// places are never over-filled, the line is served in order, positions are
// unique, and the history replays to the stored roster, whatever the
// concurrency, a crash or a dropped connection. Unique keys back the rules up:
// (shift, place) and (shift, volunteer) of a booking, (shift, volunteer) of a
// waiter, (shift, number) of an event. A volunteer's bookings never overlap:
// the store answers Volunteers.Free inside the unit (a transaction on SQLite, a
// lease on the volunteer on MongoDB). reconcile.go checks all of it and repairs
// what a crash of an older release or a direct write can leave behind.
//
// Files: roster.go (types and validation), unit.go (units of change and the
// rules of places and lines), booking.go (booking, waiting, cancelling,
// assigning and removing), service.go (shifts and access), reconcile.go
// (checking and repairing rosters), store.go (the Store port), notices.go
// (notifications to volunteers and reminders), calendar.go (calendar feeds),
// attendance.go (check-in codes, attendance, a volunteer's hours), totals.go
// (hours per centre, ward and organisation), noshow.go (no-show decisions and
// suspension), onduty.go (whether a volunteer is on duty at a centre now),
// series.go (weekly recurring series: rules and occurrences), series_service.go
// (creating, extending, changing, cancelling and removing series), direct.go
// (units of change without the service's rules, for the seeder and tests).
package roster

import (
	"strings"
	"time"
	"unicode/utf8"

	"ecitizen/internal/apperr"
	"ecitizen/internal/plaintext"
)

// Role is what a volunteer does on a shift.
type Role string

// Shift roles.
const (
	RoleGuide     Role = "guide"     // helps residents with online services
	RoleTrainer   Role = "trainer"   // teaches at the centre
	RoleEquipment Role = "equipment" // looks after the centre's devices
)

// Status is whether a shift takes place.
type Status string

// Shift statuses.
const (
	StatusScheduled Status = "scheduled"
	StatusCancelled Status = "cancelled"
)

// Shift is a time slot at a centre with a number of volunteer places.
type Shift struct {
	ID       string
	CentreID string
	WardID   string // the centre's ward: ward staff scope
	Title    string
	Role     Role
	StartsAt time.Time
	EndsAt   time.Time
	Places   int
	// QualificationCourseID, when set, is a course a volunteer must have completed.
	QualificationCourseID string
	Notes                 string
	SignupOpensAt         time.Time // default 14 days before the start
	CancelDeadline        time.Time // default 3 hours before the start
	Status                Status
	CreatedBy             string
	CreatedAt             time.Time
	UpdatedAt             time.Time
	// SeriesID is the series the shift is an occurrence of ("" for a single shift).
	SeriesID string
	// Occurrence is the local day of the occurrence (midnight in the centre's zone,
	// as UTC): with SeriesID, the shift's unique key. Zero for a single shift.
	Occurrence time.Time
	// Detached marks an occurrence changed on its own ("this shift"): edits of its
	// series leave it alone, as an RFC 5545 override (RECURRENCE-ID) would be.
	Detached bool
}

// Limits and defaults of shifts.
const (
	MinShift              = 30 * time.Minute
	MaxShift              = 12 * time.Hour
	MaxPlaces             = 100
	DefaultSignupLead     = 14 * 24 * time.Hour
	DefaultCancelDeadline = 3 * time.Hour
)

// Validate checks a shift's own fields.
func (s *Shift) Validate() error {
	d := s.EndsAt.Sub(s.StartsAt)
	switch {
	case d < MinShift || d > MaxShift:
		return apperr.Invalid("ends_at", "duration", "Ca trực kéo dài từ 30 phút đến 12 giờ.", "A shift lasts 30 minutes to 12 hours.")
	case s.Places < 1 || s.Places > MaxPlaces:
		return apperr.Invalid("places", "range", "Số chỗ từ 1 đến 100.", "Places are 1 to 100.")
	case strings.TrimSpace(s.Title) == "" || utf8.RuneCountInString(s.Title) > 160:
		return apperr.Invalid("title", "length", "Tên ca trực từ 1 đến 160 ký tự.", "A shift title has 1 to 160 characters.")
	case utf8.RuneCountInString(s.Notes) > 2000:
		return apperr.Invalid("notes", "max", "Ghi chú tối đa 2000 ký tự.", "Notes have 2000 characters at most.")
	case plaintext.Line("title", s.Title) != nil:
		return plaintext.Line("title", s.Title)
	case plaintext.Lines("notes", s.Notes) != nil:
		return plaintext.Lines("notes", s.Notes)
	case s.Role != RoleGuide && s.Role != RoleTrainer && s.Role != RoleEquipment:
		return apperr.Invalid("role", "oneof", "Vai trò là guide, trainer hoặc equipment.", "The role is guide, trainer or equipment.")
	case !s.SignupOpensAt.Before(s.StartsAt):
		return apperr.Invalid("signup_opens_at", "range", "Mở đăng ký phải trước giờ bắt đầu.", "Sign-up opens before the start.")
	case s.CancelDeadline.After(s.StartsAt) || s.CancelDeadline.Before(s.SignupOpensAt):
		return apperr.Invalid("cancel_deadline", "range", "Hạn huỷ nằm giữa lúc mở đăng ký và giờ bắt đầu.", "The cancel deadline lies between sign-up opening and the start.")
	}
	return nil
}

// Overlaps reports whether [a1, a2) and [b1, b2) share time.
func Overlaps(a1, a2, b1, b2 time.Time) bool { return a1.Before(b2) && b1.Before(a2) }

// Booking is a volunteer's place on a shift. (ShiftID, Place) and (ShiftID,
// VolunteerID) are unique keys; StartsAt/EndsAt copy the shift's times so the
// store can find a volunteer's overlapping bookings without a join.
type Booking struct {
	ShiftID     string
	Place       int
	VolunteerID string
	StartsAt    time.Time
	EndsAt      time.Time
	BookedBy    string // the volunteer, or staff who assigned them
	Reason      string // why staff assigned them outside the rules, if they did
	BookedAt    time.Time
}

// Waiter is a volunteer on a shift's waiting list; first come, first promoted.
// (ShiftID, VolunteerID) is unique.
type Waiter struct {
	ShiftID     string
	VolunteerID string
	// Seq is the number of the "waiting" event that put them in line: the line's
	// order.
	Seq      int64
	JoinedAt time.Time
}

// HoldKind is how a volunteer holds a shift.
type HoldKind string

// Hold kinds; the zero HoldKind is neither.
const (
	HoldBooked  HoldKind = "booked"
	HoldWaiting HoldKind = "waiting"
)

// Hold is a volunteer's hold on one shift: a booked place, a place in its
// waiting line, or neither (the zero Hold).
type Hold struct {
	Kind     HoldKind
	Position int // in the line, 1 being next; 0 unless Kind is HoldWaiting
}

// HoldOf is volunteerID's hold on a shift with these bookings and this waiting
// line, in line order (as Service.Shift returns them). A volunteer both booked
// and in line — a waiter left behind, until Reconcile takes them out of the
// line — holds it as waiting, as the API and the web app have always shown.
func HoldOf(bookings []*Booking, line []*Waiter, volunteerID string) Hold {
	for i, w := range line {
		if w.VolunteerID == volunteerID {
			return Hold{Kind: HoldWaiting, Position: i + 1}
		}
	}
	for _, b := range bookings {
		if b.VolunteerID == volunteerID {
			return Hold{Kind: HoldBooked}
		}
	}
	return Hold{}
}

// Event is a line of a shift's booking history; (ShiftID, Seq) is unique and
// Seq counts 1, 2, 3… in commit order (see unit.go for the kinds).
type Event struct {
	ShiftID     string
	Seq         int64
	VolunteerID string // "" for an event of the shift itself
	Kind        string
	Place       int
	By          string
	Reason      string
	At          time.Time
}
