package storetest

import (
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// newNoShow builds a decision on the volunteer's no-show of s.
func newNoShow(s *roster.Shift, volunteerID string, d roster.NoShowDecision) *roster.NoShow {
	return &roster.NoShow{ShiftID: s.ID, VolunteerID: volunteerID, Decision: d, Reason: "Không đến, không báo trước",
		WardID: s.WardID, Title: s.Title, StartsAt: s.StartsAt, EndsAt: s.EndsAt, DecidedBy: "staff-1", DecidedAt: now()}
}

func TestNoShows(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTrip", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v1, v2 := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			s := mkShift(t, st, w, day())
			n1 := newNoShow(s, v1.ID, roster.NoShowConfirm)
			n2 := newNoShow(s, v2.ID, roster.NoShowExcuse)
			must(t, st.AddNoShow(ctx, n2))
			must(t, st.AddNoShow(ctx, n1))
			got, err := st.NoShows(ctx, s.ID)
			must(t, err)
			want := []*roster.NoShow{n1, n2}
			if v2.ID < v1.ID {
				want = []*roster.NoShow{n2, n1}
			}
			same(t, "no-shows of shift", got, want)
			got, err = st.NoShows(ctx, newID(t))
			must(t, err)
			same(t, "no-shows of another shift", len(got), 0)
		}},
		{"UniqueDecisionAndReferences", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v := mkVolunteer(t, st, w)
			s := mkShift(t, st, w, day())
			must(t, st.AddNoShow(ctx, newNoShow(s, v.ID, roster.NoShowExcuse)))
			wantErr(t, st.AddNoShow(ctx, newNoShow(s, v.ID, roster.NoShowConfirm)), apperr.ErrConflict)
			wantErr(t, st.AddNoShow(ctx, newNoShow(s, v.ID, roster.NoShowExcuse)), apperr.ErrConflict)
			wantErr(t, st.AddNoShow(ctx, newNoShow(newShift(t, w, day()), v.ID, roster.NoShowConfirm)), apperr.ErrNotFound)
			wantErr(t, st.AddNoShow(ctx, newNoShow(s, newID(t), roster.NoShowConfirm)), apperr.ErrNotFound)
			got, err := st.NoShows(ctx, s.ID)
			must(t, err)
			same(t, "decision kept", got[0].Decision, roster.NoShowExcuse)
		}},
		{"ConcurrentDecisionsOneRow", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v := mkVolunteer(t, st, w)
			s := mkShift(t, st, w, day())
			raceOne(t, 20, apperr.ErrConflict, func(i int) error {
				d := roster.NoShowConfirm
				if i%2 == 1 {
					d = roster.NoShowExcuse
				}
				return st.AddNoShow(ctx, newNoShow(s, v.ID, d))
			})
			got, err := st.NoShows(ctx, s.ID)
			must(t, err)
			same(t, "rows after 20 concurrent decisions", len(got), 1)
		}},
		{"ConfirmedByTimeWindow", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v, other := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			base := day()
			s1 := mkShift(t, st, w, base)
			s2 := mkShift(t, st, w, base.Add(24*time.Hour))
			s3 := mkShift(t, st, w, base.Add(48*time.Hour))
			s4 := mkShift(t, st, w, base.Add(72*time.Hour))
			n1 := newNoShow(s1, v.ID, roster.NoShowConfirm)
			n2 := newNoShow(s2, v.ID, roster.NoShowExcuse) // an excuse never counts
			n3 := newNoShow(s3, v.ID, roster.NoShowConfirm)
			n4 := newNoShow(s4, v.ID, roster.NoShowConfirm)
			for _, n := range []*roster.NoShow{n4, n2, n1, n3, newNoShow(s1, other.ID, roster.NoShowConfirm)} {
				must(t, st.AddNoShow(ctx, n))
			}
			got, err := st.ConfirmedNoShows(ctx, v.ID, s1.EndsAt, s4.EndsAt.Add(time.Millisecond))
			must(t, err)
			same(t, "confirmed, whole range", got, []*roster.NoShow{n1, n3, n4})
			got, err = st.ConfirmedNoShows(ctx, v.ID, s1.EndsAt.Add(time.Millisecond), s4.EndsAt)
			must(t, err)
			same(t, "confirmed, [from, to) by end", got, []*roster.NoShow{n3})
			got, err = st.ConfirmedNoShows(ctx, newID(t), s1.EndsAt, s4.EndsAt)
			must(t, err)
			same(t, "confirmed of nobody", len(got), 0)
		}},
	})
}
