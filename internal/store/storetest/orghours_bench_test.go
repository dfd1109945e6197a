package storetest

import (
	"testing"
	"time"

	"ecitizen/internal/identity"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// BenchmarkOrganisationMinutes compares the one-query totals of an organisation
// (300 volunteers, 20 attended shifts and 2 work entries each) with reading
// every volunteer's ledger, as GET /organisations/{id}/hours did before. SQLite
// only: FerretDB scans a collection for every filter, which says nothing of MongoDB.
func BenchmarkOrganisationMinutes(b *testing.B) {
	for _, ad := range []Adapter{SQLite()} {
		b.Run(ad.Name, func(b *testing.B) {
			st := ad.Open(b)
			ctx := b.Context()
			w := mkRosterWorld(b, st)
			from := day().Add(-30 * 24 * time.Hour)
			var vs []*identity.User
			for range 300 {
				vs = append(vs, mkVolunteer(b, st, w))
			}
			for i := range 20 {
				s := mkShift(b, st, w, from.Add(time.Duration(i)*24*time.Hour))
				for _, v := range vs {
					if err := st.AddAttendance(ctx, newAttendance(s, v.ID, roster.KindCheckin, s.StartsAt)); err != nil {
						b.Fatal(err)
					}
					if err := st.AddAttendance(ctx, newAttendance(s, v.ID, roster.KindCheckout, s.EndsAt)); err != nil {
						b.Fatal(err)
					}
				}
			}
			for _, v := range vs {
				for i := range 2 {
					if err := st.AddWorkEntry(ctx, newWorkEntry(b, w, v.ID, from.Add(time.Duration(i)*24*time.Hour), 30)); err != nil {
						b.Fatal(err)
					}
				}
			}
			to := from.Add(60 * 24 * time.Hour)
			b.Run("OneQuery", func(b *testing.B) {
				for b.Loop() {
					if _, err := st.OrganisationMinutes(ctx, w.org.ID, from, to); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("PerVolunteer", func(b *testing.B) {
				for b.Loop() {
					perVolunteer(b, st, vs, from, to)
				}
			})
		})
	}
}

func perVolunteer(b *testing.B, st store.Store, vs []*identity.User, from, to time.Time) {
	for _, v := range vs {
		f := roster.HoursFilter{VolunteerID: v.ID, From: from, To: to}
		rows, err := st.AttendanceOfVolunteer(b.Context(), f)
		if err != nil {
			b.Fatal(err)
		}
		es, err := st.WorkEntries(b.Context(), f)
		if err != nil {
			b.Fatal(err)
		}
		_ = roster.MinutesByVolunteer(rows, es)
	}
}
