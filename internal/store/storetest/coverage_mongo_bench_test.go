package storetest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"ecitizen/content"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/skills"
	"ecitizen/internal/vntext"
)

// BenchmarkMongoCoverage measures coverage and the residents' search on the
// MongoDB adapter, over the FerretDB the tests start (or the MongoDB of
// ECITIZEN_TEST_MONGODB_URI), on the small district of the FerretDB bench in
// docs/development.md: 18 wards, 1,000 residents with five records each, 1,000
// shifts with 500 bookings. Each op of WardCold and DistrictCold is a new
// coverage service on a store opened anew (no snapshot, no fill: every part
// read from the database), as after a restart; WardAfterRecord records a
// skill of one resident and asks the ward again (its part patched from the
// coverage log). The stamps are left to settle
// (coverage.SettleAfter) after seeding, as a served district's are.
//
//	go test -bench MongoCoverage -run '^$' -benchtime 3x ./internal/store/storetest/
func BenchmarkMongoCoverage(b *testing.B) {
	cfg := Mongo().Config(b)
	st := MustOpen(b, cfg)
	ctx := b.Context()
	fw, err := skills.Load(content.FS, "skills.yaml")
	must(b, err)
	var codes []string
	for _, sk := range fw.Skills {
		codes = append(codes, sk.Code)
	}
	rng := rand.New(rand.NewPCG(16, 16))
	t0 := now()
	org := mkOrganisation(b, st)
	var (
		wards     []*directory.Ward
		centres   []*directory.Centre
		residents []string
	)
	for i := range 18 {
		w := mkWard(b, st, fmt.Sprintf("M%02d%s", i, newID(b)[28:]))
		wards, centres = append(wards, w), append(centres, mkCentre(b, st, w.ID))
	}
	for i := range 1000 {
		w := i % len(wards)
		name := benchFamily[rng.IntN(len(benchFamily))] + " " + benchMiddle[rng.IntN(len(benchMiddle))] + " " +
			benchGiven[rng.IntN(len(benchGiven))]
		r, keys := newResident(b, wards[w].ID, name, 1950+rng.IntN(50), "", "")
		r.OriginWardID = wards[w].ID
		r.CreatedAt = t0.Add(-time.Duration(rng.IntN(365*24)) * time.Hour)
		must(b, st.CreateResident(ctx, r, keys))
		residents = append(residents, r.ID)
		for range 5 {
			must(b, st.CreateProgressRecord(ctx, &progress.Record{ID: newID(b), ResidentID: r.ID, SkillCode: codes[rng.IntN(len(codes))],
				Method: progress.MethodObserved, Evidence: "Tự làm", RecordedBy: "staff-1", CentreID: centres[w].ID,
				At: t0.Add(-time.Duration(rng.IntN(365*24)) * time.Hour)}))
		}
	}
	var volunteers []*identity.User
	for range 50 {
		volunteers = append(volunteers, mkUser(b, st, member(identity.RoleVolunteer, org.ID)))
	}
	for i := range 1000 {
		w := &rosterWorld{org: org, ward: wards[i%len(wards)], centre: centres[i%len(wards)]}
		s := mkShift(b, st, w, t0.Truncate(time.Hour).Add(time.Duration(rng.IntN(300*24)-150*24)*time.Hour))
		if i%2 == 0 { // a volunteer already booked at that time is refused: fewer bookings, no matter
			_ = book(ctx, st, newBooking(s, 1, volunteers[rng.IntN(len(volunteers))].ID))
		}
	}
	time.Sleep(coverage.SettleAfter)
	dir := directory.NewService(directory.Deps{Store: st})
	admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
	service := func() *coverage.Service {
		return coverage.NewService(coverage.Deps{Store: st, Directory: dir, Targets: dir, Framework: fw})
	}
	// cold is a coverage service on a store opened anew (opening not timed),
	// which has read nothing yet either.
	cold := func(b *testing.B) *coverage.Service {
		b.StopTimer()
		defer b.StartTimer()
		return coverage.NewService(coverage.Deps{Store: MustOpen(b, cfg), Directory: dir, Targets: dir, Framework: fw})
	}
	b.ResetTimer()
	b.Run("WardCold", func(b *testing.B) {
		for b.Loop() {
			if _, err := cold(b).Ward(ctx, admin, wards[0].ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DistrictCold", func(b *testing.B) {
		for b.Loop() {
			if _, err := cold(b).District(ctx, admin); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("WardAfterRecord", func(b *testing.B) {
		svc := service()
		if _, err := svc.Ward(ctx, admin, wards[0].ID); err != nil {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() { // one resident of the ward, so that each op patches one part
			i++
			must(b, st.CreateProgressRecord(ctx, &progress.Record{ID: newID(b), ResidentID: residents[0],
				SkillCode: codes[i%len(codes)], Method: progress.MethodObserved, Evidence: "Tự làm", RecordedBy: "staff-1",
				CentreID: centres[0].ID, At: now()}))
			if _, err := svc.Ward(ctx, admin, wards[0].ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, q := range []string{"nguyễn văn", "ng", "khoa", "zz"} {
		f := resident.Filter{WardID: wards[3].ID, Terms: vntext.Terms(q)}
		b.Run("Search/"+q, func(b *testing.B) {
			for b.Loop() {
				if _, err := st.ListResidents(ctx, f, page.Request{Limit: 20}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
