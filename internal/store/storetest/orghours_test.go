package storetest

import (
	"math/rand/v2"
	"testing"
	"time"

	"ecitizen/internal/identity"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// TestOrganisationMinutes checks the one-query totals of an organisation against
// each volunteer's own ledger (the per-volunteer queries and the ledger rule) on a
// random history: check-ins before the start, check-outs after the end or before
// the check-in, missing check-outs, odd milliseconds, shifts and entries on both
// sides of the range, and volunteers of another organisation.
func TestOrganisationMinutes(t *testing.T) {
	runCases(t, []storeCase{
		{"EqualsEveryVolunteersLedger", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			seed := uint64(time.Now().UnixNano())
			t.Logf("seed %d", seed)
			rnd := rand.New(rand.NewPCG(seed, 7))
			w := mkRosterWorld(t, st)
			other := mkOrganisation(t, st)
			var mine, theirs []*identity.User
			for range 6 {
				mine = append(mine, mkVolunteer(t, st, w))
			}
			partner := mkUser(t, st, member(identity.RolePartner, w.org.ID)) // a user of the organisation with no rows
			mine = append(mine, partner)
			for range 2 {
				theirs = append(theirs, mkUser(t, st, member(identity.RoleVolunteer, other.ID)))
			}
			everyone := append(append([]*identity.User{}, mine...), theirs...)
			from := day().Add(-10 * 24 * time.Hour)
			to := from.Add(7 * 24 * time.Hour)
			for range 12 {
				start := from.Add(time.Duration(rnd.IntN(9*24)-24) * time.Hour).Add(time.Duration(rnd.IntN(60_000)) * time.Millisecond)
				s := mkShift(t, st, w, start, lasting(time.Duration(30+rnd.IntN(240))*time.Minute))
				for _, v := range everyone {
					if rnd.IntN(3) == 0 {
						continue
					}
					in := s.StartsAt.Add(time.Duration(rnd.IntN(90*60_000)-45*60_000) * time.Millisecond)
					must(t, st.AddAttendance(ctx, newAttendance(s, v.ID, roster.KindCheckin, in)))
					if rnd.IntN(5) == 0 {
						continue // no check-out: 0 minutes
					}
					out := in.Add(time.Duration(rnd.IntN(6*3600_000)-600_000) * time.Millisecond)
					must(t, st.AddAttendance(ctx, newAttendance(s, v.ID, roster.KindCheckout, out)))
				}
			}
			loc := time.FixedZone("ICT", 7*3600)
			for _, v := range everyone {
				for range rnd.IntN(4) {
					d := from.Add(time.Duration(rnd.IntN(10)-2) * 24 * time.Hour).In(loc)
					date := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).UTC()
					must(t, st.AddWorkEntry(ctx, newWorkEntry(t, w, v.ID, date, 1+rnd.IntN(roster.MaxEntryMinutes))))
				}
			}

			got, err := st.OrganisationMinutes(ctx, w.org.ID, from, to)
			must(t, err)
			for _, v := range everyone {
				f := roster.HoursFilter{VolunteerID: v.ID, From: from, To: to}
				rows, err := st.AttendanceOfVolunteer(ctx, f)
				must(t, err)
				es, err := st.WorkEntries(ctx, f)
				must(t, err)
				ledger := roster.MinutesByVolunteer(rows, es)[v.ID]
				if by := byHand(rows, es); by != ledger {
					t.Fatalf("volunteer %s: the ledger rule gives %d, by hand %d", v.ID, ledger, by)
				}
				want := ledger
				if v.Scope.OrganisationID != w.org.ID {
					want = 0
				}
				if got[v.ID] != want {
					t.Errorf("volunteer %s: organisation minutes %d, own ledger %d (rows %d, entries %d)", v.ID, got[v.ID], want, len(rows), len(es))
				}
			}
			for id := range got {
				if !contains(mine, id) {
					t.Errorf("minutes of %s, who is not of the organisation", id)
				}
			}
			none, err := st.OrganisationMinutes(ctx, newID(t), from, to)
			must(t, err)
			same(t, "minutes of an unknown organisation", len(none), 0)
		}},
	})
}

// byHand is the ledger rule written out: per shift, whole minutes from check-in
// to check-out inside [start, end], plus every entry.
func byHand(rows []*roster.Attendance, es []*roster.WorkEntry) int {
	type pair struct{ in, out *roster.Attendance }
	shifts := map[string]*pair{}
	for _, a := range rows {
		p := shifts[a.ShiftID]
		if p == nil {
			p = &pair{}
			shifts[a.ShiftID] = p
		}
		if a.Kind == roster.KindCheckin {
			p.in = a
		} else {
			p.out = a
		}
	}
	total := 0
	for _, p := range shifts {
		if p.in == nil || p.out == nil {
			continue
		}
		in, out := p.in.At.UnixMilli(), p.out.At.UnixMilli()
		in, out = max(in, p.in.StartsAt.UnixMilli()), min(out, p.in.EndsAt.UnixMilli())
		if out > in {
			total += int((out - in) / 60_000)
		}
	}
	for _, e := range es {
		total += e.Minutes
	}
	return total
}

func contains(us []*identity.User, id string) bool {
	for _, u := range us {
		if u.ID == id {
			return true
		}
	}
	return false
}
