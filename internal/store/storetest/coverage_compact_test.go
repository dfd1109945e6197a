package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"ecitizen/content"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/skills"
	"ecitizen/internal/store"
)

// TestCoverageCompactEqualsPlain checks that the service's summaries, computed
// from its compact snapshots (internal/coverage/compact.go), are those of the
// straightforward computation (coverage.Statuses, Summarize, Lacking, Trend)
// over the facts the store returns, for a family of two wards (one merged into
// the other, so some residents are in a part of each), its centres, the
// district's skills lacking and the trends, before and after changes patch the
// snapshots.
func TestCoverageCompactEqualsPlain(t *testing.T) {
	runCases(t, []storeCase{{"Family", coverageCompactEqualsPlain}})
}

func coverageCompactEqualsPlain(t *testing.T, st store.Store) {
	ctx := t.Context()
	fw, err := skills.Load(content.FS, "skills.yaml")
	must(t, err)
	into, from := mkWard(t, st, "CI"+newID(t)[30:]), mkWard(t, st, "CF"+newID(t)[30:])
	centres := []string{mkCentre(t, st, into.ID).ID, mkCentre(t, st, into.ID).ID, mkCentre(t, st, from.ID).ID}
	t0 := now()
	clk := coverage.NewClock(t0, hanoi) // the service's and the plain computation's
	dir := directory.NewService(directory.Deps{Store: st})
	svc := coverage.NewService(coverage.Deps{Store: st, Directory: dir, Targets: dir, Framework: fw, NoSettling: true,
		Now: func() time.Time { return t0 }})
	admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
	codes := []string{}
	for _, sk := range fw.Skills {
		codes = append(codes, sk.Code)
	}
	var (
		residents []*resident.Resident
		records   []*progress.Record
	)
	record := func(i int, res *resident.Resident, at time.Time) {
		rec := &progress.Record{ID: newID(t), ResidentID: res.ID, SkillCode: codes[(i*7)%len(codes)], Method: progress.MethodObserved,
			Evidence: "Tự làm", RecordedBy: "staff-1", CentreID: centres[i%len(centres)], At: at}
		must(t, st.CreateProgressRecord(ctx, rec))
		records = append(records, rec)
	}
	for i := range 48 {
		w := into
		if i%3 == 0 {
			w = from
		}
		r, keys := newResident(t, w.ID, "Trần Thị Hoa", 1950+i, "", "")
		r.OriginWardID = w.ID
		r.CreatedAt = t0.Add(-time.Duration(i*53) * time.Hour)
		must(t, st.CreateResident(ctx, r, keys))
		residents = append(residents, r)
		for j := range i % 9 {
			at := t0.Add(-time.Duration((i*j*37)%(100*24)) * time.Hour)
			if j == 4 {
				at = t0.Add(time.Duration(1+i) * time.Hour) // dated later than now
			}
			record(i+j, r, at)
		}
	}
	for i := 0; i < len(records); i += 6 {
		must(t, st.RevokeProgressRecord(ctx, &progress.Revocation{RecordID: records[i].ID, By: "staff-1", Reason: "Ghi nhầm", At: now()}))
	}
	compareCompactPlain(t, ctx, st, svc, clk, admin, fw, into, from, centres, "before the merge")
	must(t, st.MergeWard(ctx, &directory.WardMerge{From: from.ID, Into: into.ID, At: now(), By: "admin-1", Reason: "Sáp nhập 2025"}))
	compareCompactPlain(t, ctx, st, svc, clk, admin, fw, into, from, centres, "after the merge")
	// Changes the snapshots are patched with.
	for i, res := range residents[:12] {
		record(i, res, t0.Add(-time.Duration(1+i)*time.Hour))
	}
	must(t, st.RevokeProgressRecord(ctx, &progress.Revocation{RecordID: records[3].ID, By: "staff-1", Reason: "Ghi nhầm", At: now()}))
	compareCompactPlain(t, ctx, st, svc, clk, admin, fw, into, from, centres, "after changes")
}

// compareCompactPlain compares the service's answers for the family of into
// (and from, merged into it or not yet) with the plain computation.
func compareCompactPlain(t *testing.T, ctx context.Context, st store.Store, svc *coverage.Service, clk coverage.Clock, admin identity.Caller, fw *skills.Framework,
	into, from *directory.Ward, centres []string, what string) {
	t.Helper()
	ws, _, err := directory.NewService(directory.Deps{Store: st}).Wards(ctx, directory.WardFilter{}, page.Request{})
	must(t, err)
	merged := false
	for _, w := range ws {
		if w.ID == from.ID && w.MergedInto == into.ID {
			merged = true
		}
	}
	def := fw.Active()
	plain := func(wards ...string) (*coverage.Facts, map[string]progress.Status) {
		var all []*coverage.Facts
		for _, id := range wards {
			f := &coverage.Facts{}
			for _, part := range coverage.ResidentParts {
				rs, err := st.CoverageResidents(ctx, id, part)
				must(t, err)
				recs, err := st.CoverageRecords(ctx, id, part)
				must(t, err)
				f.Residents, f.Records = append(f.Residents, rs...), append(f.Records, recs...)
			}
			from, to := clk.Window()
			f.Shifts, err = st.CoverageShifts(ctx, id, from, to)
			must(t, err)
			f.Sessions, err = st.CoverageSessions(ctx, id, from, to)
			must(t, err)
			f.Usage, err = st.CoverageUsage(ctx, id, from, to)
			must(t, err)
			rows, err := st.AttendanceAt(ctx, roster.Place{WardID: id}, from, to)
			must(t, err)
			entries, err := st.WorkEntriesAt(ctx, roster.Place{WardID: id}, from, to)
			must(t, err)
			f.Hours = coverage.HoursFacts(rows, entries)
			all = append(all, f)
		}
		f := coverage.Join(all...)
		return f, coverage.Statuses(f, def)
	}
	check := func(label string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: %s\n got %+v\nwant %+v", what, label, got, want)
		}
	}
	family := []string{into.ID}
	if merged {
		family = append(family, from.ID)
	}
	f, sts := plain(family...)
	got, err := svc.Ward(ctx, admin, into.ID)
	must(t, err)
	want, _, _ := coverage.Summarize(f, sts, clk, fw, def, "")
	got.Summary.AsOf, want.AsOf = time.Time{}, time.Time{}
	check("summary of the ward", got.Summary, want)
	for _, ce := range centres {
		got, err := svc.Centre(ctx, admin, ce)
		must(t, err)
		cf, csts := f, sts
		if !merged && ce == centres[2] {
			cf, csts = plain(from.ID)
		}
		want, _, _ := coverage.Summarize(cf, csts, clk, fw, def, ce)
		got.Summary.AsOf, want.AsOf = time.Time{}, time.Time{}
		check("summary of centre "+ce, got.Summary, want)
	}
	tr, err := svc.WardTrends(ctx, admin, into.ID)
	must(t, err)
	check("trend of the ward", tr.Weeks, coverage.Trend(f, sts, clk))
	all, allSts := plain(into.ID, from.ID)
	o, err := svc.District(ctx, admin)
	must(t, err)
	lacking := map[string]int{}
	for _, l := range o.Lacking {
		lacking[l.SkillCode] = l.Residents
	}
	check("skills lacking in the district", lacking, coverage.Lacking(all, allSts, def))
}

// TestCoverageDistrictMemo checks that the district's overview, kept between
// requests, is always the one a new service computes: after a record, a ward
// renamed, a ward's target and the district's goal set, a new ward, a shift
// entering the next GapDays, and a new day.
func TestCoverageDistrictMemo(t *testing.T) {
	runCases(t, []storeCase{{"Invalidation", coverageDistrictMemo}})
}

func coverageDistrictMemo(t *testing.T, st store.Store) {
	ctx := t.Context()
	fw, err := skills.Load(content.FS, "skills.yaml")
	must(t, err)
	w := mkRosterWorld(t, st)
	clock := now()
	nowFn := func() time.Time { return clock }
	dir := directory.NewService(directory.Deps{Store: st, Now: nowFn})
	deps := coverage.Deps{Store: st, Directory: dir, Targets: dir, Framework: fw, NoSettling: true, Now: nowFn}
	svc := coverage.NewService(deps)
	admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
	r, keys := newResident(t, w.ward.ID, "Phạm Văn Bình", 1970, "", "")
	r.OriginWardID = w.ward.ID
	must(t, st.CreateResident(ctx, r, keys))
	// A shift that enters the next GapDays an hour from now.
	mkShift(t, st, w, clock.AddDate(0, 0, coverage.GapDays).Add(time.Hour))
	check := func(what string) {
		t.Helper()
		got, err := svc.District(ctx, admin)
		must(t, err)
		again, err := svc.District(ctx, admin)
		must(t, err)
		want, err := coverage.NewService(deps).District(ctx, admin)
		must(t, err)
		if again.Version != got.Version {
			t.Fatalf("%s: versions %d then %d of one overview", what, got.Version, again.Version)
		}
		for _, o := range []*coverage.Overview{got, again} {
			if !o.AsOf.Equal(clock) || !o.Total.AsOf.Equal(clock) {
				t.Fatalf("%s: as of %v, want %v", what, o.AsOf, clock)
			}
			want.Version = o.Version // a service's own count
			if !reflect.DeepEqual(o, want) {
				t.Fatalf("%s: the overview kept\n%+v\nis not the one computed again\n%+v", what, o, want)
			}
		}
	}
	check("first")
	clock = clock.Add(time.Minute)
	check("a minute later")
	must(t, st.CreateProgressRecord(ctx, &progress.Record{ID: newID(t), ResidentID: r.ID, SkillCode: fw.Active().Required[0],
		Method: progress.MethodObserved, Evidence: "Tự làm", RecordedBy: "staff-1", CentreID: w.centre.ID, At: clock.Add(-time.Second)}))
	check("after a record")
	renamed := *w.ward
	renamed.NameEn, renamed.UpdatedAt = "Renamed ward", clock
	must(t, st.UpdateWard(ctx, &renamed))
	check("after a rename")
	year := coverage.NewClock(clock, hanoi).Today.Year()
	must(t, st.PutWardTarget(ctx, &directory.WardTarget{WardID: w.ward.ID, Year: year, AdultPopulation: 9000, Households: 3000, UpdatedBy: "admin-1", UpdatedAt: clock}))
	check("after a ward's target")
	must(t, st.PutDistrictTarget(ctx, &directory.DistrictTarget{Year: year, EcitizenSharePercent: 30, UpdatedBy: "admin-1", UpdatedAt: clock}))
	check("after the district's goal")
	must(t, st.PutDistrictTarget(ctx, &directory.DistrictTarget{Year: year, EcitizenSharePercent: 35, UpdatedBy: "admin-1", UpdatedAt: clock}))
	check("after the district's goal changed")
	mkWard(t, st, "N"+newID(t)[28:])
	check("after a new ward")
	before, err := svc.District(ctx, admin)
	must(t, err)
	clock = clock.Add(90 * time.Minute)
	check("once the shift is within the gap days")
	after, err := svc.District(ctx, admin)
	must(t, err)
	if len(after.Unfilled) != len(before.Unfilled)+1 {
		t.Fatalf("unfilled shifts %d then %d, want one more", len(before.Unfilled), len(after.Unfilled))
	}
	clock = clock.Add(24 * time.Hour)
	check("a day later")
}
