package storetest

import (
	"errors"
	"testing"
	"time"

	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// roster.Service.OnDutyInWard: at any centre of a ward, with the caller's
// margin (progress records use 10 minutes).
func TestOnDutyInWard(t *testing.T) {
	runCases(t, []storeCase{
		{"WardAndMargin", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w, elsewhere := mkRosterWorld(t, st), mkRosterWorld(t, st)
			t0 := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
			sh := mkShift(t, st, w, t0) // [t0, t0+2h)
			other := mkShift(t, st, elsewhere, t0)
			in, away := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			must(t, st.AddAttendance(ctx, newAttendance(sh, in.ID, roster.KindCheckin, t0.Add(-5*time.Minute))))
			must(t, st.AddAttendance(ctx, newAttendance(other, away.ID, roster.KindCheckin, t0)))
			svc := roster.NewService(roster.Deps{Store: st})
			const margin = 10 * time.Minute
			for _, c := range []struct {
				name         string
				volunteer    string
				ward, centre string
				at           time.Time
				want         string
			}{
				{"in the ward, during the shift", in.ID, w.ward.ID, "", t0.Add(time.Hour), sh.ID},
				{"at the named centre", in.ID, w.ward.ID, w.centre.ID, t0.Add(time.Hour), sh.ID},
				{"10 minutes before the start", in.ID, w.ward.ID, "", t0.Add(-margin), sh.ID},
				{"10 minutes after the end", in.ID, w.ward.ID, "", sh.EndsAt.Add(margin), sh.ID},
				{"11 minutes before the start", in.ID, w.ward.ID, "", t0.Add(-11 * time.Minute), ""},
				{"11 minutes after the end", in.ID, w.ward.ID, "", sh.EndsAt.Add(11 * time.Minute), ""},
				{"on duty in another ward", away.ID, w.ward.ID, "", t0.Add(time.Hour), ""},
				{"any ward", away.ID, "", "", t0.Add(time.Hour), other.ID},
				{"another centre named", in.ID, w.ward.ID, elsewhere.centre.ID, t0.Add(time.Hour), ""},
			} {
				got, err := svc.OnDutyInWard(ctx, c.volunteer, c.ward, c.centre, c.at, margin)
				switch {
				case c.want == "" && !errors.Is(err, roster.ErrNotOnDuty):
					t.Errorf("%s: shift %v, err %v; want ErrNotOnDuty", c.name, got, err)
				case c.want != "" && (err != nil || got.ID != c.want):
					t.Errorf("%s: shift %v, err %v; want shift %s", c.name, got, err, c.want)
				}
			}
		}},
	})
}
