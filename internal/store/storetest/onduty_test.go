package storetest

import (
	"errors"
	"testing"
	"time"

	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// roster.Service.OnDuty reads attendance through the store, so it runs here on
// both adapters.
func TestOnDuty(t *testing.T) {
	runCases(t, []storeCase{
		{"CheckedInWithinTheWindow", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w, elsewhere := mkRosterWorld(t, st), mkRosterWorld(t, st)
			t0 := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
			sh := mkShift(t, st, w, t0) // [t0, t0+2h)
			other := mkShift(t, st, elsewhere, t0)
			later := mkShift(t, st, w, t0.Add(24*time.Hour))
			in, out, away, never := mkVolunteer(t, st, w), mkVolunteer(t, st, w), mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			must(t, st.AddAttendance(ctx, newAttendance(sh, in.ID, roster.KindCheckin, t0.Add(-10*time.Minute))))
			must(t, st.AddAttendance(ctx, newAttendance(sh, out.ID, roster.KindCheckin, t0)))
			must(t, st.AddAttendance(ctx, newAttendance(sh, out.ID, roster.KindCheckout, t0.Add(time.Hour))))
			must(t, st.AddAttendance(ctx, newAttendance(other, away.ID, roster.KindCheckin, t0)))
			must(t, st.AddAttendance(ctx, newAttendance(later, never.ID, roster.KindCheckin, later.StartsAt)))
			svc := roster.NewService(roster.Deps{Store: st})
			for _, c := range []struct {
				name      string
				volunteer string
				centre    string
				at        time.Time
				want      string // the shift, or "" for not on duty
			}{
				{"checked in, during the shift", in.ID, w.centre.ID, t0.Add(time.Hour), sh.ID},
				{"checked in, 30 minutes before the start", in.ID, w.centre.ID, t0.Add(-30 * time.Minute), sh.ID},
				{"checked in, 30 minutes after the end", in.ID, w.centre.ID, sh.EndsAt.Add(30 * time.Minute), sh.ID},
				{"checked in, 31 minutes before the start", in.ID, w.centre.ID, t0.Add(-31 * time.Minute), ""},
				{"checked in, 31 minutes after the end", in.ID, w.centre.ID, sh.EndsAt.Add(31 * time.Minute), ""},
				{"checked in at another centre", away.ID, w.centre.ID, t0.Add(time.Hour), ""},
				{"at the centre of the check-in", away.ID, elsewhere.centre.ID, t0.Add(time.Hour), other.ID},
				{"checked out", out.ID, w.centre.ID, t0.Add(90 * time.Minute), ""},
				{"checked in to a shift of another day", never.ID, w.centre.ID, t0.Add(time.Hour), ""},
				{"a user who is no volunteer", newID(t), w.centre.ID, t0.Add(time.Hour), ""},
			} {
				got, err := svc.OnDuty(ctx, c.volunteer, c.centre, c.at)
				switch {
				case c.want == "" && !errors.Is(err, roster.ErrNotOnDuty):
					t.Errorf("%s: shift %v, err %v; want ErrNotOnDuty", c.name, got, err)
				case c.want != "" && (err != nil || got.ID != c.want):
					t.Errorf("%s: shift %v, err %v; want shift %s", c.name, got, err, c.want)
				}
			}
			// A cancelled shift puts nobody on duty.
			sh.Status = roster.StatusCancelled
			must(t, roster.PutShift(ctx, st, sh, "test"))
			if _, err := svc.OnDuty(ctx, in.ID, w.centre.ID, t0.Add(time.Hour)); !errors.Is(err, roster.ErrNotOnDuty) {
				t.Errorf("cancelled shift: err %v, want ErrNotOnDuty", err)
			}
		}},
	})
}
