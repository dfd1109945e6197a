package mongo_test

import (
	"cmp"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/store/mongo"
)

// fillWorld is a district for the fill tests: two wards, residents in every
// part of the first, some in the second, one registered in the first and now
// in the second (as a merge leaves it), one erased, records, some revoked.
type fillWorld struct {
	name      string
	wards     []string
	residents []*resident.Resident
	byPart    map[string][]*resident.Resident // the first ward's, by part
	records   []*progress.Record
	erased    *resident.Resident
}

func mkFillWorld(t *testing.T) *fillWorld {
	ctx := t.Context()
	w := &fillWorld{name: dbName(), byPart: map[string][]*resident.Resident{}}
	db := open(t, w.name)
	dir := directory.NewService(directory.Deps{Store: db})
	admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
	for _, code := range []string{"F01", "F02"} {
		wd, err := dir.CreateWard(ctx, admin, directory.Ward{Code: code, NameVi: "Phường " + code, NameEn: "Ward " + code})
		if err != nil {
			t.Fatal(err)
		}
		w.wards = append(w.wards, wd.ID)
	}
	add := func(ward, origin string) *resident.Resident {
		r := newFillResident(ward, origin)
		if err := db.CreateResident(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
		w.residents = append(w.residents, r)
		if ward == w.wards[0] || origin == w.wards[0] {
			p := coverage.PartOf(r.ID)
			w.byPart[p] = append(w.byPart[p], r)
		}
		return r
	}
	for i := 0; len(w.byPart) < len(coverage.ResidentParts) || i < 40; i++ {
		add(w.wards[0], w.wards[0])
	}
	for range 8 {
		add(w.wards[1], w.wards[1])
	}
	add(w.wards[1], w.wards[0])
	for i, r := range w.residents {
		for k := range 2 {
			rec := fillRecord(r.ID, []string{"vneid_level2", "submit_application", "pay_fee_online"}[(i+k)%3])
			if err := db.CreateProgressRecord(ctx, rec); err != nil {
				t.Fatal(err)
			}
			w.records = append(w.records, rec)
		}
	}
	for i := 0; i < len(w.records); i += 7 {
		rec := w.records[i]
		if err := db.RevokeProgressRecord(ctx, &progress.Revocation{RecordID: rec.ID, By: "staff-1", Reason: "Ghi nhầm", At: now()}); err != nil {
			t.Fatal(err)
		}
	}
	// Shifts in both wards, some booked, for the roster parts.
	ts0 := now()
	day := []directory.Span{{Open: "00:00", Close: "24:00"}}
	vol := newUser(uuid.Must(uuid.NewV7()).String(), uuid.NewString()+"@example.vn")
	vol.Role = identity.RoleVolunteer
	if err := db.CreateUser(ctx, vol); err != nil {
		t.Fatal(err)
	}
	for i, ward := range w.wards {
		c := &directory.Centre{ID: uuid.NewString(), WardID: ward, Name: "Nhà văn hoá tổ 5", Address: "5 Lương Định Của",
			Hours: directory.OpeningHours{Mon: day, Tue: day, Wed: day, Thu: day, Fri: day, Sat: day, Sun: day}, Seats: 4, Active: true,
			CreatedAt: ts0, UpdatedAt: ts0}
		if err := db.CreateCentre(ctx, c); err != nil {
			t.Fatal(err)
		}
		for k := range 4 + 2*i {
			start := ts0.Truncate(time.Hour).Add(time.Duration(k*26-40+3*i) * time.Hour) // apart: one volunteer books them
			sh := &roster.Shift{ID: uuid.Must(uuid.NewV7()).String(), CentreID: c.ID, WardID: ward, Title: "Hướng dẫn dịch vụ công",
				Role: roster.RoleGuide, StartsAt: start, EndsAt: start.Add(2 * time.Hour), Places: 3,
				SignupOpensAt: start.Add(-roster.DefaultSignupLead), CancelDeadline: start.Add(-roster.DefaultCancelDeadline),
				Status: roster.StatusScheduled, CreatedBy: "staff-1", CreatedAt: ts0, UpdatedAt: ts0}
			if err := db.CreateShift(ctx, sh); err != nil {
				t.Fatal(err)
			}
			if k%2 == 0 {
				b := &roster.Booking{ShiftID: sh.ID, VolunteerID: vol.ID, StartsAt: sh.StartsAt, EndsAt: sh.EndsAt, BookedBy: vol.ID, BookedAt: ts0}
				if err := roster.PutBooking(ctx, db, b, roster.EventBooked); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	er := w.residents[3]
	w.erased = er
	ts := now()
	erased := &resident.Resident{ID: er.ID, WardID: er.WardID, OriginWardID: er.OriginWardID, Consent: er.Consent, CreatedBy: er.CreatedBy,
		CreatedAt: er.CreatedAt, UpdatedAt: ts, ErasedAt: &ts, ErasedBy: "staff-1"}
	if err := db.EraseResident(ctx, erased, nil, &resident.Audit{ID: uuid.Must(uuid.NewV7()).String(), ResidentID: er.ID, WardID: er.WardID,
		Action: resident.ActionErase, Fields: []string{}, Reason: "Yêu cầu", By: "staff-1", At: ts}); err != nil {
		t.Fatal(err)
	}
	return w
}

func newFillResident(ward, origin string) *resident.Resident {
	ts := now()
	return &resident.Resident{ID: uuid.Must(uuid.NewV7()).String(), WardID: ward, OriginWardID: origin, FullName: "Lê Thị Lan",
		NameKey: "le thi lan", BirthYear: 1962, Group: "Tổ 2", DupKey: "le thi lan|1962", CreatedBy: "staff-1", CreatedAt: ts, UpdatedAt: ts,
		Consent: resident.Consent{Version: "2026-11", GivenAt: ts, RecordedBy: "staff-1"}}
}

func fillRecord(residentID, skill string) *progress.Record {
	return &progress.Record{ID: uuid.Must(uuid.NewV7()).String(), ResidentID: residentID, SkillCode: skill,
		Method: progress.MethodObserved, Evidence: "Tự làm", RecordedBy: "staff-1", At: now()}
}

// rosterFacts is a roster part's facts.
type rosterFacts struct {
	Shifts   []coverage.ShiftFact
	Sessions []coverage.SessionFact
	Usage    []coverage.UsageFact
}

func (f rosterFacts) sorted() rosterFacts {
	out := rosterFacts{slices.Clone(f.Shifts), slices.Clone(f.Sessions), slices.Clone(f.Usage)}
	slices.SortFunc(out.Shifts, func(a, b coverage.ShiftFact) int { return cmp.Compare(a.ID, b.ID) })
	if len(out.Sessions) == 0 {
		out.Sessions = nil
	}
	if len(out.Usage) == 0 {
		out.Usage = nil
	}
	return out
}

// partFacts is a part's facts in a comparable order.
type partFacts struct {
	Residents []coverage.ResidentFact
	Records   []coverage.RecordFact
}

func sortedFacts(res []coverage.ResidentFact, recs []coverage.RecordFact) partFacts {
	res, recs = slices.Clone(res), slices.Clone(recs)
	slices.SortFunc(res, func(a, b coverage.ResidentFact) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(recs, func(a, b coverage.RecordFact) int { return cmp.Compare(a.ID, b.ID) })
	if len(res) == 0 {
		res = nil
	}
	if len(recs) == 0 {
		recs = nil
	}
	return partFacts{res, recs}
}

func readPart(t *testing.T, db *mongo.DB, ward, part string) partFacts {
	t.Helper()
	res, err := db.CoverageResidents(t.Context(), ward, part)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := db.CoverageRecords(t.Context(), ward, part)
	if err != nil {
		t.Fatal(err)
	}
	return sortedFacts(res, recs)
}

// The parts a fill serves (of every ward, as on FerretDB; of the asked ward,
// as on MongoDB) are the parts read alone, part by part: residents moved to
// another ward in both wards, erased ones, revoked records; shifts counted. One
// fill serves them all (one per ward on MongoDB), and one the roster parts,
// once their stamps have settled.
func TestCoverageFillsEqualReadsAlone(t *testing.T) {
	w := mkFillWorld(t)
	ctx := t.Context()
	defer mongo.SetFillSettleForTest(0)()
	alone := open(t, w.name)
	for _, scope := range []struct {
		name      string
		ferret    bool
		wantFills int64
	}{{"EveryWard", true, 1}, {"OneWard", false, 2}} {
		t.Run(scope.name, func(t *testing.T) {
			db := open(t, w.name)
			db.SetFerretForTest(scope.ferret)
			for _, ward := range w.wards {
				for _, part := range coverage.ResidentParts {
					res, recs, err := alone.CoverageReadAloneForTest(ctx, ward, part)
					if err != nil {
						t.Fatal(err)
					}
					want, got := sortedFacts(res, recs), readPart(t, db, ward, part)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s/%s from a fill:\n%+v\nread alone:\n%+v", ward, part, got, want)
					}
					if ward == w.wards[0] && len(want.Residents) != len(w.byPart[part]) {
						t.Fatalf("%s/%s: %d residents, the world has %d", ward, part, len(want.Residents), len(w.byPart[part]))
					}
				}
			}
			// The roster parts, in a window holding some of the shifts, then in
			// a shorter one (the day after): each filled once.
			from, to := now().Add(-30*time.Hour), now().Add(30*24*time.Hour)
			for i, ward := range append(slices.Clone(w.wards), w.wards...) {
				if i == len(w.wards) {
					to = now().Add(20 * time.Hour)
				}
				shifts, sessions, usage, err := alone.CoverageRosterAloneForTest(ctx, ward, from, to)
				if err != nil {
					t.Fatal(err)
				}
				want := rosterFacts{shifts, sessions, usage}
				got := rosterFacts{}
				if got.Shifts, err = db.CoverageShifts(ctx, ward, from, to); err != nil {
					t.Fatal(err)
				}
				if got.Sessions, err = db.CoverageSessions(ctx, ward, from, to); err != nil {
					t.Fatal(err)
				}
				if got.Usage, err = db.CoverageUsage(ctx, ward, from, to); err != nil {
					t.Fatal(err)
				}
				if len(want.Shifts) < 1 || !slices.ContainsFunc(want.Shifts, func(s coverage.ShiftFact) bool { return s.Booked == 1 }) {
					t.Fatalf("%s: shifts %+v, want some, some booked", ward, want.Shifts)
				}
				if !reflect.DeepEqual(got.sorted(), want.sorted()) {
					t.Fatalf("%s roster from a fill:\n%+v\nread alone:\n%+v", ward, got, want)
				}
			}
			if n := db.FillsForTest(); n != 3*scope.wantFills {
				t.Fatalf("%d fills, want %d", n, 3*scope.wantFills)
			}
		})
	}
}

// A fill serves a part to later reads only while the part's stamp is the one
// it read, and only if that stamp had settled then: a record marked after the
// fill is read, and so is a write that its (unsettled) mark announced and that
// landed after the fill, even though its stamp settles meanwhile.
func TestCoverageFillsKeepOnlySettledParts(t *testing.T) {
	w := mkFillWorld(t)
	ctx := t.Context()
	defer mongo.SetFillSettleForTest(time.Hour)()
	db := open(t, w.name)
	ward := w.wards[0]
	var settled, fresh string // two parts of the first ward
	for _, p := range coverage.ResidentParts {
		if settled == "" {
			settled = p
		} else if fresh == "" {
			fresh = p
		}
	}
	for _, p := range coverage.ResidentParts {
		if p != fresh {
			if err := db.AgeStampForTest(ctx, coverage.StampKey(ward, p), 2*time.Hour); err != nil {
				t.Fatal(err)
			}
		}
	}
	readPart(t, db, ward, settled) // fills: every part but fresh is kept
	if n := db.FillsForTest(); n != 1 {
		t.Fatalf("%d fills, want 1", n)
	}
	late := fillRecord(w.byPart[fresh][0].ID, "vneid_level2")
	if err := db.CreateProgressRecordUnmarkedForTest(ctx, late); err != nil { // announced by the fresh mark, landed after the fill
		t.Fatal(err)
	}
	if err := db.AgeStampForTest(ctx, coverage.StampKey(ward, fresh), 2*time.Hour); err != nil { // settled now
		t.Fatal(err)
	}
	got := readPart(t, db, ward, fresh)
	if !slices.ContainsFunc(got.Records, func(r coverage.RecordFact) bool { return r.ID == late.ID }) {
		t.Fatalf("the record that landed after the fill is missing from %s: %+v", fresh, got.Records)
	}
	fills := db.FillsForTest()
	// A record marked after the fill moves its part's stamp: read again.
	other := ""
	for _, p := range coverage.ResidentParts {
		if p != settled && p != fresh {
			other = p
			break
		}
	}
	rec := fillRecord(w.byPart[other][0].ID, "submit_application")
	if err := db.CreateProgressRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	got = readPart(t, db, ward, other)
	if !slices.ContainsFunc(got.Records, func(r coverage.RecordFact) bool { return r.ID == rec.ID }) {
		t.Fatalf("the record marked after the fill is missing from %s: %+v", other, got.Records)
	}
	// The parts whose stamps did not move are still served from a fill.
	before := db.FillsForTest()
	for _, p := range coverage.ResidentParts {
		if p != other {
			readPart(t, db, ward, p)
		}
	}
	if n := db.FillsForTest(); n != before {
		t.Fatalf("%d fills after reading unchanged parts, want %d (%d before the late record)", n, before, fills)
	}
}

// A patch's residents and records (CoverageResidentFacts) are the same read by
// $in (MongoDB, or a few ids) and, past 64 ids on FerretDB, by one scan matched
// in Go; so are a few ids read one by one.
func TestCoverageResidentFactsEveryWay(t *testing.T) {
	w := mkFillWorld(t)
	ids := []string{uuid.Must(uuid.NewV7()).String()} // unknown: left out
	for _, r := range w.residents {
		ids = append(ids, r.ID)
	}
	for len(ids) <= 64 {
		ids = append(ids, uuid.Must(uuid.NewV7()).String())
	}
	for _, n := range []int{3, len(ids)} {
		var want partFacts
		for i, ferret := range []bool{false, true} {
			db := open(t, w.name)
			db.SetFerretForTest(ferret)
			res, recs, err := db.CoverageResidentFacts(t.Context(), ids[:n])
			if err != nil {
				t.Fatal(err)
			}
			got := sortedFacts(res, recs)
			if i == 0 {
				want = got
				if len(want.Residents) != min(n, len(w.residents)+1)-1 || len(want.Records) == 0 {
					t.Fatalf("%d ids: %d residents, %d records", n, len(want.Residents), len(want.Records))
				}
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%d ids on FerretDB's way:\n%+v\nby $in:\n%+v", n, got, want)
			}
		}
	}
}
