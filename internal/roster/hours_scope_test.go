package roster

import (
	"context"
	"slices"
	"testing"
	"time"

	"ecitizen/internal/identity"
)

// scopeStore records the filters of a volunteer's hours queries.
type scopeStore struct {
	Store
	attendance, entries []HoursFilter
}

func (s *scopeStore) AttendanceOfVolunteer(_ context.Context, f HoursFilter) ([]*Attendance, error) {
	s.attendance = append(s.attendance, f)
	return nil, nil
}

func (s *scopeStore) WorkEntries(_ context.Context, f HoursFilter) ([]*WorkEntry, error) {
	s.entries = append(s.entries, f)
	return nil, nil
}

type orgPeople struct{ People }

func (orgPeople) VolunteerOrganisation(context.Context, string) (string, error) { return "org-x", nil }

// The ward scope of ward staff goes into the store queries, not a filter after loading.
func TestVolunteerHoursScopeIsInTheQuery(t *testing.T) {
	to := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	from := to.Add(-30 * 24 * time.Hour)
	for _, c := range []struct {
		name   string
		caller identity.Caller
		calls  int
		wards  []string
	}{
		{"admin", identity.Caller{UserID: "a", Role: identity.RoleAdmin}, 1, nil},
		{"ward staff", identity.Caller{UserID: "s", Role: identity.RoleWardStaff, Scope: identity.Scope{WardIDs: []string{"w1", "w2"}}}, 1, []string{"w1", "w2"}},
		{"ward staff of no ward", identity.Caller{UserID: "s", Role: identity.RoleWardStaff}, 0, nil},
		{"partner", identity.Caller{UserID: "p", Role: identity.RolePartner, Scope: identity.Scope{OrganisationID: "org-x"}}, 1, nil},
	} {
		st := &scopeStore{}
		s := NewService(Deps{Store: st, People: orgPeople{}})
		h, err := s.VolunteerHours(t.Context(), c.caller, "v1", from, to)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if h.TotalMinutes != 0 || len(st.attendance) != c.calls || len(st.entries) != c.calls {
			t.Fatalf("%s: %d and %d queries, want %d", c.name, len(st.attendance), len(st.entries), c.calls)
		}
		for _, f := range append(st.attendance, st.entries...) {
			if f.VolunteerID != "v1" || !f.From.Equal(from) || !f.To.Equal(to) || !slices.Equal(f.WardIDs, c.wards) {
				t.Errorf("%s: filter %+v, want wards %v", c.name, f, c.wards)
			}
		}
	}
}

// noShowStore returns fixed confirmed no-shows within the asked range.
type noShowStore struct {
	Store
	ns       []*NoShow
	from, to time.Time
}

func (s *noShowStore) ConfirmedNoShows(_ context.Context, _ string, from, to time.Time) ([]*NoShow, error) {
	s.from, s.to = from, to
	var out []*NoShow
	for _, n := range s.ns {
		if !n.EndsAt.Before(from) && n.EndsAt.Before(to) {
			out = append(out, n)
		}
	}
	return out, nil
}

func TestStandingFollowsTheRule(t *testing.T) {
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ended := func(daysAgo int) *NoShow { return &NoShow{EndsAt: now.Add(-time.Duration(daysAgo) * day)} }
	rule := NoShowRule{Count: 2, Window: 10 * day, Suspension: 5 * day}
	for _, c := range []struct {
		name  string
		ns    []*NoShow
		until *time.Time
	}{
		{"one", []*NoShow{ended(1)}, nil},
		{"two, the latest 3 days ago", []*NoShow{ended(8), ended(3)}, new(now.Add(2 * day))},
		{"two, the latest 6 days ago: served", []*NoShow{ended(9), ended(6)}, nil},
		{"one outside the window", []*NoShow{ended(11), ended(1)}, nil},
	} {
		st := &noShowStore{ns: c.ns}
		s := NewService(Deps{Store: st, NoShowRule: rule, Now: func() time.Time { return now }})
		got, err := s.MyStanding(t.Context(), identity.Caller{UserID: "v"})
		if err != nil {
			t.Fatal(err)
		}
		if !st.from.Equal(now.Add(-10*day)) || (got.SuspendedUntil == nil) != (c.until == nil) ||
			(c.until != nil && !got.SuspendedUntil.Equal(*c.until)) || got.Rule != rule {
			t.Errorf("%s: until %v, want %v (queried from %v)", c.name, got.SuspendedUntil, c.until, st.from)
		}
		err = s.checkNotSuspended(t.Context(), "v")
		if (err != nil) != (c.until != nil) {
			t.Errorf("%s: checkNotSuspended = %v", c.name, err)
		}
	}
}
