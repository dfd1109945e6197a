package roster

// Totals of the hours ledger per centre, per ward (every centre of the ward) and
// per organisation (its volunteers, wherever they served). Minutes are counted as
// in a volunteer's own ledger (attendance.go): check-in to check-out capped to the
// shift, plus staff's work entries. An organisation's totals are one store query
// (OrganisationMinutes), whose adapters keep that definition.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
)

// VolunteerMinutes is one volunteer's total; DisplayName is set in an
// organisation's totals only.
type VolunteerMinutes struct {
	VolunteerID string
	DisplayName string
	Minutes     int
}

// CentreMinutes is one centre's total.
type CentreMinutes struct {
	CentreID string
	Minutes  int
}

// CentreHours is a centre's total over a range, per volunteer.
type CentreHours struct {
	CentreID     string
	From, To     time.Time
	TotalMinutes int
	Volunteers   []VolunteerMinutes // ordered by VolunteerID
}

// WardHours is a ward's total over a range, per centre and per volunteer.
type WardHours struct {
	WardID       string
	From, To     time.Time
	TotalMinutes int
	Centres      []CentreMinutes    // ordered by CentreID
	Volunteers   []VolunteerMinutes // ordered by VolunteerID
}

// OrganisationHours is the total of an organisation's volunteers over a range.
type OrganisationHours struct {
	OrganisationID string
	From, To       time.Time
	TotalMinutes   int
	Volunteers     []VolunteerMinutes // every volunteer of the organisation, by VolunteerID
}

// tallied is the minutes at a place, per volunteer and per centre.
type tallied struct {
	total       int
	byVolunteer map[string]int
	byCentre    map[string]int
}

// tally adds up the attendance and work entries at a place in [from, to).
func (s *Service) tally(ctx context.Context, at Place, from, to time.Time) (*tallied, error) {
	rows, err := s.store.AttendanceAt(ctx, at, from, to)
	if err != nil {
		return nil, err
	}
	es, err := s.store.WorkEntriesAt(ctx, at, from, to)
	if err != nil {
		return nil, err
	}
	t := &tallied{byVolunteer: map[string]int{}, byCentre: map[string]int{}}
	add := func(volunteerID, centreID string, m int) {
		t.total += m
		t.byVolunteer[volunteerID] += m
		t.byCentre[centreID] += m
	}
	byVolunteer := map[string][]*Attendance{}
	for _, a := range rows {
		byVolunteer[a.VolunteerID] = append(byVolunteer[a.VolunteerID], a)
	}
	for v, rs := range byVolunteer {
		for _, l := range Ledger(rs) {
			add(v, l.CentreID, l.Minutes)
		}
	}
	for _, e := range es {
		add(e.VolunteerID, e.CentreID, e.Minutes)
	}
	return t, nil
}

func (t *tallied) volunteers() []VolunteerMinutes {
	out := []VolunteerMinutes{}
	for v, m := range t.byVolunteer {
		out = append(out, VolunteerMinutes{VolunteerID: v, Minutes: m})
	}
	slices.SortFunc(out, func(a, b VolunteerMinutes) int { return strings.Compare(a.VolunteerID, b.VolunteerID) })
	return out
}

func (t *tallied) centres() []CentreMinutes {
	out := []CentreMinutes{}
	for c, m := range t.byCentre {
		out = append(out, CentreMinutes{CentreID: c, Minutes: m})
	}
	slices.SortFunc(out, func(a, b CentreMinutes) int { return strings.Compare(a.CentreID, b.CentreID) })
	return out
}

// CentreHours totals the minutes served at a centre (shifts starting, and entries
// dated, in [from, to)), for admins and the staff of its ward.
func (s *Service) CentreHours(ctx context.Context, c identity.Caller, centreID string, from, to time.Time) (*CentreHours, error) {
	centre, err := s.centres.ActiveCentre(ctx, centreID)
	if err != nil {
		return nil, err
	}
	if !manages(c, centre.WardID) {
		if c.Role == identity.RoleWardStaff {
			return nil, fmt.Errorf("centre %s: %w", centreID, apperr.ErrNotFound)
		}
		return nil, apperr.ErrForbidden
	}
	if err := span(from, to); err != nil {
		return nil, err
	}
	t, err := s.tally(ctx, Place{CentreID: centre.ID}, from, to)
	if err != nil {
		return nil, err
	}
	return &CentreHours{CentreID: centre.ID, From: from, To: to, TotalMinutes: t.total, Volunteers: t.volunteers()}, nil
}

// WardHours totals the minutes served at every centre of a ward (shifts
// starting, and entries dated, in [from, to)), for admins and the ward's staff.
func (s *Service) WardHours(ctx context.Context, c identity.Caller, wardID string, from, to time.Time) (*WardHours, error) {
	switch {
	case c.Role == identity.RoleWardStaff && !c.HasWard(wardID):
		return nil, fmt.Errorf("ward %s: %w", wardID, apperr.ErrNotFound)
	case !manages(c, wardID):
		return nil, apperr.ErrForbidden
	}
	if err := s.centres.CheckWards(ctx, []string{wardID}); err != nil {
		return nil, err
	}
	if err := span(from, to); err != nil {
		return nil, err
	}
	t, err := s.tally(ctx, Place{WardID: wardID}, from, to)
	if err != nil {
		return nil, err
	}
	return &WardHours{WardID: wardID, From: from, To: to, TotalMinutes: t.total, Centres: t.centres(), Volunteers: t.volunteers()}, nil
}

// OrganisationHours totals the minutes its volunteers served anywhere (shifts
// starting, and entries dated, in [from, to)), with every volunteer listed (0
// for those who did not serve), for admins and the organisation's partners.
func (s *Service) OrganisationHours(ctx context.Context, c identity.Caller, orgID string, from, to time.Time) (*OrganisationHours, error) {
	switch {
	case c.Role == identity.RolePartner && !c.HasOrganisation(orgID):
		return nil, fmt.Errorf("organisation %s: %w", orgID, apperr.ErrNotFound)
	case !c.HasOrganisation(orgID):
		return nil, apperr.ErrForbidden
	}
	if err := s.centres.CheckOrganisation(ctx, orgID); err != nil {
		return nil, err
	}
	if err := span(from, to); err != nil {
		return nil, err
	}
	vs, err := s.people.OrganisationVolunteers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	minutes, err := s.store.OrganisationMinutes(ctx, orgID, from, to)
	if err != nil {
		return nil, fmt.Errorf("hours of organisation %s: %w", orgID, err)
	}
	out := &OrganisationHours{OrganisationID: orgID, From: from, To: to, Volunteers: []VolunteerMinutes{}}
	for _, v := range vs {
		m := minutes[v.ID]
		out.Volunteers = append(out.Volunteers, VolunteerMinutes{VolunteerID: v.ID, DisplayName: v.DisplayName, Minutes: m})
		out.TotalMinutes += m
	}
	slices.SortFunc(out.Volunteers, func(a, b VolunteerMinutes) int { return strings.Compare(a.VolunteerID, b.VolunteerID) })
	return out, nil
}

// MinutesByVolunteer adds up attendance rows and work entries per volunteer,
// exactly as each volunteer's own ledger does (Service.VolunteerHours): a
// shift's minutes run from check-in to check-out capped to the shift, 0 without
// a check-out; entries count their minutes. Adapters without a way to sum in the
// database use it to implement OrganisationMinutes.
func MinutesByVolunteer(rows []*Attendance, entries []*WorkEntry) map[string]int {
	out := map[string]int{}
	for _, l := range Ledger(rows) {
		out[l.volunteerID] += l.Minutes
	}
	for _, e := range entries {
		out[e.VolunteerID] += e.Minutes
	}
	return out
}
