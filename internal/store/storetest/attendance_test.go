package storetest

import (
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// newAttendance builds a row of kind for the volunteer on s, at the given time.
func newAttendance(s *roster.Shift, volunteerID string, kind roster.AttendanceKind, at time.Time) *roster.Attendance {
	return &roster.Attendance{ShiftID: s.ID, VolunteerID: volunteerID, Kind: kind, CentreID: s.CentreID, WardID: s.WardID,
		StartsAt: s.StartsAt, EndsAt: s.EndsAt, At: at, By: volunteerID}
}

func newWorkEntry(t testing.TB, w *rosterWorld, volunteerID string, date time.Time, minutes int) *roster.WorkEntry {
	return &roster.WorkEntry{ID: newID(t), VolunteerID: volunteerID, CentreID: w.centre.ID, WardID: w.ward.ID,
		Date: date, Minutes: minutes, Reason: "Hỗ trợ người dân ngoài ca", CreatedBy: "staff-1", CreatedAt: now()}
}

func TestAttendance(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTripAndRanges", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v1, v2 := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			s1 := mkShift(t, st, w, day())
			s2 := mkShift(t, st, w, day().Add(24*time.Hour))
			in := newAttendance(s1, v1.ID, roster.KindCheckin, s1.StartsAt.Add(-5*time.Minute))
			out := newAttendance(s1, v1.ID, roster.KindCheckout, s1.EndsAt)
			out.By, out.Reason = "staff-1", "Quên quét mã"
			in2 := newAttendance(s1, v2.ID, roster.KindCheckin, s1.StartsAt)
			in3 := newAttendance(s2, v1.ID, roster.KindCheckin, s2.StartsAt)
			for _, a := range []*roster.Attendance{out, in, in2, in3} {
				must(t, st.AddAttendance(ctx, a))
			}
			got, err := st.Attendance(ctx, s1.ID)
			must(t, err)
			want := []*roster.Attendance{in, out, in2}
			if v2.ID < v1.ID {
				want = []*roster.Attendance{in2, in, out}
			}
			same(t, "attendance of shift", got, want)
			got, err = st.AttendanceOfVolunteer(ctx, roster.HoursFilter{VolunteerID: v1.ID, From: s1.StartsAt, To: s2.StartsAt.Add(time.Millisecond)})
			must(t, err)
			same(t, "attendance of volunteer", got, []*roster.Attendance{in, out, in3})
			got, err = st.AttendanceOfVolunteer(ctx, roster.HoursFilter{VolunteerID: v1.ID, From: s1.StartsAt.Add(time.Millisecond), To: s2.StartsAt})
			must(t, err)
			same(t, "attendance of volunteer, empty range", len(got), 0)
			for _, at := range []roster.Place{{CentreID: w.centre.ID}, {WardID: w.ward.ID}} {
				got, err = st.AttendanceAt(ctx, at, s1.StartsAt, s1.StartsAt.Add(time.Hour))
				must(t, err)
				same(t, "attendance at place", len(got), 3)
			}
			other := mkRosterWorld(t, st)
			for _, at := range []roster.Place{{CentreID: other.centre.ID}, {WardID: other.ward.ID}} {
				got, err = st.AttendanceAt(ctx, at, s1.StartsAt, s1.StartsAt.Add(time.Hour))
				must(t, err)
				same(t, "attendance at another place", len(got), 0)
			}
		}},
		{"UniqueKeysAndReferences", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v := mkVolunteer(t, st, w)
			s := mkShift(t, st, w, day())
			must(t, st.AddAttendance(ctx, newAttendance(s, v.ID, roster.KindCheckin, now())))
			wantErr(t, st.AddAttendance(ctx, newAttendance(s, v.ID, roster.KindCheckin, now())), apperr.ErrConflict)
			must(t, st.AddAttendance(ctx, newAttendance(s, v.ID, roster.KindCheckout, now())))
			wantErr(t, st.AddAttendance(ctx, newAttendance(s, v.ID, roster.KindCheckout, now())), apperr.ErrConflict)
			ghost := newShift(t, w, day())
			wantErr(t, st.AddAttendance(ctx, newAttendance(ghost, v.ID, roster.KindCheckin, now())), apperr.ErrNotFound)
			wantErr(t, st.AddAttendance(ctx, newAttendance(s, newID(t), roster.KindCheckin, now())), apperr.ErrNotFound)
		}},
		{"ConcurrentCheckinsOneRow", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v := mkVolunteer(t, st, w)
			s := mkShift(t, st, w, day())
			raceOne(t, 20, apperr.ErrConflict, func(int) error {
				return st.AddAttendance(ctx, newAttendance(s, v.ID, roster.KindCheckin, now()))
			})
			got, err := st.Attendance(ctx, s.ID)
			must(t, err)
			same(t, "rows after 20 concurrent check-ins", len(got), 1)
		}},
		{"VolunteerHoursWardScope", func(t *testing.T, st store.Store) {
			// The ward scope is part of the query: rows of other wards are not returned.
			ctx := t.Context()
			wa, wb := mkRosterWorld(t, st), mkRosterWorld(t, st)
			v := mkVolunteer(t, st, wa)
			sa := mkShift(t, st, wa, day())
			sb := mkShift(t, st, wb, day().Add(24*time.Hour))
			ina := newAttendance(sa, v.ID, roster.KindCheckin, sa.StartsAt)
			inb := newAttendance(sb, v.ID, roster.KindCheckin, sb.StartsAt)
			must(t, st.AddAttendance(ctx, ina))
			must(t, st.AddAttendance(ctx, inb))
			d := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
			ea := newWorkEntry(t, wa, v.ID, d, 60)
			eb := newWorkEntry(t, wb, v.ID, d.Add(24*time.Hour), 30)
			must(t, st.AddWorkEntry(ctx, ea))
			must(t, st.AddWorkEntry(ctx, eb))
			rows := roster.HoursFilter{VolunteerID: v.ID, From: sa.StartsAt, To: sb.EndsAt}
			entries := roster.HoursFilter{VolunteerID: v.ID, From: d, To: d.Add(48 * time.Hour)}
			for _, c := range []struct {
				name    string
				wards   []string
				att     []*roster.Attendance
				entries []*roster.WorkEntry
			}{
				{"all wards", nil, []*roster.Attendance{ina, inb}, []*roster.WorkEntry{ea, eb}},
				{"ward A", []string{wa.ward.ID}, []*roster.Attendance{ina}, []*roster.WorkEntry{ea}},
				{"ward B", []string{wb.ward.ID}, []*roster.Attendance{inb}, []*roster.WorkEntry{eb}},
				{"both", []string{wb.ward.ID, wa.ward.ID}, []*roster.Attendance{ina, inb}, []*roster.WorkEntry{ea, eb}},
				{"another ward", []string{newID(t)}, nil, nil},
				{"literal operator", []string{`{"$ne": ""}`}, nil, nil},
			} {
				rows.WardIDs, entries.WardIDs = c.wards, c.wards
				got, err := st.AttendanceOfVolunteer(ctx, rows)
				must(t, err)
				same(t, "attendance, "+c.name, len(got), len(c.att))
				if len(c.att) > 0 {
					same(t, "attendance, "+c.name, got, c.att)
				}
				es, err := st.WorkEntries(ctx, entries)
				must(t, err)
				same(t, "entries, "+c.name, len(es), len(c.entries))
				if len(c.entries) > 0 {
					same(t, "entries, "+c.name, es, c.entries)
				}
			}
		}},
		{"WorkEntries", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v1, v2 := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			d := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC) // a local midnight in Hanoi
			e1 := newWorkEntry(t, w, v1.ID, d, 90)
			e2 := newWorkEntry(t, w, v1.ID, d.Add(24*time.Hour), 30)
			e3 := newWorkEntry(t, w, v2.ID, d, 45)
			for _, e := range []*roster.WorkEntry{e2, e1, e3} {
				must(t, st.AddWorkEntry(ctx, e))
			}
			wantErr(t, st.AddWorkEntry(ctx, e1), apperr.ErrConflict)
			wantErr(t, st.AddWorkEntry(ctx, newWorkEntry(t, w, newID(t), d, 10)), apperr.ErrNotFound)
			got, err := st.WorkEntries(ctx, roster.HoursFilter{VolunteerID: v1.ID, From: d, To: d.Add(48 * time.Hour)})
			must(t, err)
			same(t, "entries of volunteer", got, []*roster.WorkEntry{e1, e2})
			got, err = st.WorkEntries(ctx, roster.HoursFilter{VolunteerID: v1.ID, From: d, To: d.Add(24 * time.Hour)})
			must(t, err)
			same(t, "entries of volunteer, one day", got, []*roster.WorkEntry{e1})
			for _, at := range []roster.Place{{CentreID: w.centre.ID}, {WardID: w.ward.ID}} {
				got, err = st.WorkEntriesAt(ctx, at, d, d.Add(time.Hour))
				must(t, err)
				same(t, "entries at place", len(got), 2)
			}
			other := mkRosterWorld(t, st)
			got, err = st.WorkEntriesAt(ctx, roster.Place{WardID: other.ward.ID}, d, d.Add(time.Hour))
			must(t, err)
			same(t, "entries at another ward", len(got), 0)
		}},
	})
}
