// Package partner is the partner view: what a partner organisation sees of its
// own work over a range of days — its courses' enrolments and completions, its
// training sessions' attendance, and its volunteers' hours — and the tables of
// it for export (CSV, XLSX). It reads counts from indexed store queries and
// the organisation's hours from the roster's one-query totals, never one query
// per record. It holds no personal numbers: volunteers appear by display name.
//
// Files: partner.go (types, the Store port, the service), tables.go (export
// tables).
package partner

import (
	"context"
	"fmt"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/course"
	"ecitizen/internal/identity"
	"ecitizen/internal/roster"
	"ecitizen/internal/training"
	"ecitizen/internal/vntime"
)

// MaxDays bounds a range, both days counted.
const MaxDays = 366

// DefaultDays is the range when none is given: the last 365 days, today included.
const DefaultDays = 365

// CourseLine is a course of the organisation with its learners.
type CourseLine struct {
	CourseID string
	// Title is the published version's, or the latest version's when none is published.
	Title            course.Text
	PublishedVersion int // 0 when none
	Archived         bool
	Enrolments       int // learners who started it in the range
	Completions      int // learners who completed it in the range
	EnrolmentsTotal  int // all time
	CompletionsTotal int // all time
}

// SessionLine is a training session of the organisation with its attendance.
type SessionLine struct {
	SessionID   string
	CourseID    string
	CourseTitle course.Text
	CentreID    string // "" at another venue
	CentreName  string
	WardID      string
	Venue       string // where, when not at a centre
	StartsAt    time.Time
	EndsAt      time.Time
	Status      training.Status
	Capacity    int
	Enrolled    int // seats taken
	Attended    int
	Absent      int
}

// Unmarked is the seats whose attendance is not marked yet.
func (l *SessionLine) Unmarked() int { return l.Enrolled - l.Attended - l.Absent }

// Store is the storage the partner view needs.
type Store interface {
	// PartnerCourses returns every course of an organisation (archived ones too),
	// ordered by CourseID, with its enrolments and completions all time and in
	// [from, to).
	PartnerCourses(ctx context.Context, orgID string, from, to time.Time) ([]*CourseLine, error)
	// PartnerSessions returns the organisation's sessions starting in [from, to)
	// (cancelled ones too), ordered by (StartsAt, SessionID), with their seat counts.
	PartnerSessions(ctx context.Context, orgID string, from, to time.Time) ([]*SessionLine, error)
}

// Hours is the roster's totals of an organisation's volunteers.
type Hours interface {
	OrganisationHours(ctx context.Context, c identity.Caller, orgID string, from, to time.Time) (*roster.OrganisationHours, error)
}

// Organisations tells whether an organisation exists and is active.
type Organisations interface {
	CheckOrganisation(ctx context.Context, id string) error
}

// Coverage is the partner view of one organisation over [From, To).
type Coverage struct {
	OrganisationID string
	// From and To are local midnights (Asia/Ho_Chi_Minh) in UTC; To is exclusive.
	From, To     time.Time
	Courses      []*CourseLine
	Sessions     []*SessionLine
	Volunteers   []roster.VolunteerMinutes // every volunteer of the organisation, by ID
	TotalMinutes int
}

// Service builds partner views.
type Service struct {
	store Store
	orgs  Organisations
	hours Hours
	loc   *time.Location
	now   func() time.Time
}

// Deps are what the partner view service is built from.
type Deps struct {
	// Store counts an organisation's courses and sessions.
	Store Store
	// Organisations tells whether an organisation is active (directory.Service).
	Organisations Organisations
	// Hours totals an organisation's volunteer hours (roster.Service).
	Hours Hours
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// NewService returns the partner view service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, orgs: d.Organisations, hours: d.Hours, loc: vntime.Zone, now: d.Now}
}

// Location is where the view's days are counted (Asia/Ho_Chi_Minh).
func (s *Service) Location() *time.Location { return s.loc }

// Range turns the days from and to (YYYY-MM-DD, both included, local days) into
// [from, to) in UTC. An empty to is today; an empty from is DefaultDays days up
// to to. A range is at most MaxDays days.
func (s *Service) Range(from, to string) (time.Time, time.Time, error) {
	var last time.Time
	if to == "" {
		n := s.now().In(s.loc)
		last = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, s.loc)
	} else {
		d, err := vntime.ParseDate("to", to)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		last = d
	}
	end := last.AddDate(0, 0, 1)
	var start time.Time
	if from == "" {
		start = end.AddDate(0, 0, -DefaultDays)
	} else {
		d, err := vntime.ParseDate("from", from)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		start = d
	}
	if !end.After(start) || end.Sub(start) > MaxDays*24*time.Hour {
		return time.Time{}, time.Time{}, apperr.Invalid("to", "range",
			fmt.Sprintf("Ngày to không trước ngày from, và khoảng tối đa %d ngày.", MaxDays),
			fmt.Sprintf("The day to is not before from, and the range is %d days at most.", MaxDays))
	}
	return start.UTC(), end.UTC(), nil
}

// Coverage returns the partner view of an organisation over [from, to) for its
// partners and admins; a partner of another organisation finds none (404),
// anyone else is forbidden.
func (s *Service) Coverage(ctx context.Context, c identity.Caller, orgID string, from, to time.Time) (*Coverage, error) {
	switch {
	case c.Role == identity.RolePartner && !c.HasOrganisation(orgID):
		return nil, fmt.Errorf("organisation %s: %w", orgID, apperr.ErrNotFound)
	case !c.HasOrganisation(orgID):
		return nil, apperr.ErrForbidden
	}
	if err := s.orgs.CheckOrganisation(ctx, orgID); err != nil {
		return nil, err
	}
	h, err := s.hours.OrganisationHours(ctx, c, orgID, from, to)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.PartnerCourses(ctx, orgID, from, to)
	if err != nil {
		return nil, fmt.Errorf("courses of organisation %s: %w", orgID, err)
	}
	ss, err := s.store.PartnerSessions(ctx, orgID, from, to)
	if err != nil {
		return nil, fmt.Errorf("sessions of organisation %s: %w", orgID, err)
	}
	if cs == nil {
		cs = []*CourseLine{}
	}
	if ss == nil {
		ss = []*SessionLine{}
	}
	return &Coverage{OrganisationID: orgID, From: from, To: to, Courses: cs, Sessions: ss,
		Volunteers: h.Volunteers, TotalMinutes: h.TotalMinutes}, nil
}
