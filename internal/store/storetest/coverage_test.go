package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"ecitizen/content"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/equipment"
	"ecitizen/internal/export"
	"ecitizen/internal/identity"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/skills"
	"ecitizen/internal/store"
	"ecitizen/internal/training"
	"ecitizen/internal/vntext"
	"ecitizen/internal/vntime"
)

// The randomised consistency test: a random history is written through the
// store (residents, records, revocations, erasures, shifts, bookings,
// cancellations, no-shows, attendance, work entries, training seats, equipment
// use and voids), and every summary, the district overview and every trend
// the coverage service answers is compared with a brute-force recomputation
// from the test's own log of what it wrote. The history is written in rounds
// with comparisons between them, so stale snapshots are caught too.

// hanoi is the zone the coverage service counts days in.
var hanoi = vntime.Zone

// history is the test's log: everything written, with what later happened to it.
type history struct {
	now       time.Time
	wards     []*directory.Ward
	centres   map[string][]*directory.Centre // by ward
	merged    map[string]string              // ward -> the ward it was merged into
	residents []*histResident
	records   []*histRecord
	shifts    []*histShift
	sessions  []*histSession
	usage     []*histUsage
	entries   []*roster.WorkEntry
}

type histResident struct {
	r      *resident.Resident
	origin string
	erased bool
}

type histRecord struct {
	rec     *progress.Record
	revoked bool
}

type histShift struct {
	s        *roster.Shift
	booked   map[string]bool // volunteer -> booked now
	noShow   map[string]bool // confirmed
	minutes  map[string]int  // served, by volunteer
	canceled bool
}

type histSession struct {
	s        *training.Session
	attended int
	absent   int
	enrolled int
}

type histUsage struct {
	u      *equipment.Usage
	voided bool
}

// coverageWorld is the fixed part: wards, centres, an organisation with a
// course, volunteers and a device per centre.
type coverageWorld struct {
	org        *directory.Organisation
	courseID   string
	volunteers []*identity.User
	devices    map[string]*equipment.Device // by centre
	nextSlot   map[string]time.Time         // by device: the next free usage slot
}

func TestCoverageRandomHistory(t *testing.T) {
	runCases(t, []storeCase{
		{"Seed1", func(t *testing.T, st store.Store) { randomHistory(t, st, 1) }},
		{"Seed2", func(t *testing.T, st store.Store) { randomHistory(t, st, 2) }},
		{"Seed3", func(t *testing.T, st store.Store) { randomHistory(t, st, uint64(time.Now().UnixNano())) }},
	})
}

func randomHistory(t *testing.T, st store.Store, seed uint64) {
	t.Logf("seed %d", seed)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	fw, err := skills.Load(content.FS, "skills.yaml")
	must(t, err)
	h := &history{now: now(), centres: map[string][]*directory.Centre{}, merged: map[string]string{}}
	w := &coverageWorld{org: mkOrganisation(t, st), devices: map[string]*equipment.Device{}, nextSlot: map[string]time.Time{}}
	c, _ := mkCourse(t, st, w.org.ID)
	w.courseID = c.ID
	for i := range 3 {
		ward := mkWard(t, st, fmt.Sprintf("C%d%s", i, newID(t)[28:]))
		h.wards = append(h.wards, ward)
		for range 2 {
			ce := mkCentre(t, st, ward.ID)
			h.centres[ward.ID] = append(h.centres[ward.ID], ce)
			d := &equipment.Device{ID: newID(t), CentreID: ce.ID, WardID: ward.ID, Kind: equipment.KindComputer,
				Label: "Máy tính " + ce.ID[30:], LabelKey: vntext.Key("Máy tính " + ce.ID[30:]), Status: equipment.StatusWorking,
				CreatedBy: "staff-1", CreatedAt: h.now, UpdatedAt: h.now}
			must(t, st.CreateDevice(ctx, d))
			w.devices[ce.ID] = d
			w.nextSlot[d.ID] = h.now.Add(-25 * 24 * time.Hour)
		}
	}
	for range 5 {
		w.volunteers = append(w.volunteers, mkUser(t, st, member(identity.RoleVolunteer, w.org.ID)))
	}
	nowFn := func() time.Time { return h.now }
	dir := directory.NewService(directory.Deps{Store: st, Now: nowFn})
	// Snapshots are kept at once (no settling), so a write whose mark or trigger
	// is missing leaves a stale answer that the comparisons catch.
	svc := coverage.NewService(coverage.Deps{Store: st, Directory: dir, Targets: dir, Framework: fw, NoSettling: true, Now: nowFn})
	admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}

	h.write(t, st, w, rng, fw, 25)
	compareCoverage(t, ctx, svc, admin, h, fw, fmt.Sprintf("seed %d, the first history", seed))
	// One change at a time, each followed by every comparison: a change that
	// does not move its ward's stamp leaves a stale snapshot and fails here.
	for i := range 24 {
		what := ""
		if i == 12 { // the last ward is merged into the second, half-way
			what = h.merge(t, st, h.wards[2], h.wards[1])
		} else {
			what = h.step(t, st, w, rng)
		}
		compareCoverage(t, ctx, svc, admin, h, fw, fmt.Sprintf("seed %d, step %d (%s)", seed, i, what))
	}
	h.write(t, st, w, rng, fw, 10)
	h.revokeSome(t, st, rng, 0.3)
	compareCoverage(t, ctx, svc, admin, h, fw, fmt.Sprintf("seed %d, after revoking 30%%", seed))
	compareExports(t, ctx, svc, admin, h, fw)
}

// compareExports checks the export tables of every ward and of the district
// against the brute force too: the summary lines, the skills and the weeks.
func compareExports(t *testing.T, ctx context.Context, svc *coverage.Service, admin identity.Caller, h *history, fw *skills.Framework) {
	t.Helper()
	check := func(what string, tables []export.Table, want coverage.Summary, weeks []coverage.Week) {
		t.Helper()
		for _, tb := range tables {
			switch tb.Name {
			case coverage.TableSummary:
				got := map[string]any{}
				for _, r := range tb.Rows {
					got[r[0].(string)] = r[1]
				}
				for label, v := range map[string]int{
					"Residents registered": want.Residents.Registered, "E-citizens": want.Residents.ECitizens,
					"Residents with a skill shown": want.Residents.Reached, "Residents helped in the last 30 days": want.Helped.Last30Days,
					"Volunteer minutes (30 days)": want.Hours.Minutes, "Volunteers who served (30 days)": want.Hours.Volunteers,
					"Confirmed no-shows": want.Shifts.NoShows, "Open places (14 days)": want.Upcoming.OpenPlaces,
					"Training sessions held (30 days)": want.Training.Sessions, "Equipment minutes: procedures": want.Equipment[0].Minutes,
				} {
					if got[label] != v {
						t.Errorf("%s: export line %q = %v, want %d", what, label, got[label], v)
					}
				}
			case coverage.TableSkills:
				for i, r := range tb.Rows {
					if r[0] != want.Skills[i].Code || r[3] != want.Skills[i].Residents {
						t.Errorf("%s: export skill line %v, want %+v", what, r, want.Skills[i])
					}
				}
			case coverage.TableTrends:
				for i, r := range tb.Rows {
					wk := weeks[i]
					if !r[0].(time.Time).Equal(wk.Start) || r[1] != wk.NewResidents || r[2] != wk.NewECitizens || r[3] != wk.VolunteerHours {
						t.Errorf("%s: export week %v, want %+v", what, r, wk)
					}
				}
			}
		}
	}
	everything := map[string]bool{}
	for _, w := range h.wards {
		everything[w.ID] = true
		fam := h.familyOf(w.ID)
		if h.merged[w.ID] != "" {
			fam = map[string]bool{w.ID: true}
		}
		got, err := svc.Ward(ctx, admin, w.ID)
		must(t, err)
		tr, err := svc.WardTrends(ctx, admin, w.ID)
		must(t, err)
		check("ward "+w.Code, svc.WardTables(got, tr, "en"), h.expectSummary(fw, fam, ""), h.expectTrend(fw, fam))
	}
	o, err := svc.District(ctx, admin)
	must(t, err)
	tr, err := svc.DistrictTrends(ctx, admin)
	must(t, err)
	check("district", svc.DistrictTables(o, tr, nil, "en"), h.expectSummary(fw, everything, ""), h.expectTrend(fw, everything))
}

// merge merges ward from into ward into now, through the store, and moves in the
// log what a merge moves: residents (their origin stays), centres, and the
// shifts and training sessions starting from now.
func (h *history) merge(t *testing.T, st store.Store, from, into *directory.Ward) string {
	must(t, st.MergeWard(t.Context(), &directory.WardMerge{From: from.ID, Into: into.ID, At: h.now, By: "admin-1", Reason: "Sáp nhập 2025"}))
	h.merged[from.ID] = into.ID
	for _, res := range h.residents {
		if res.r.WardID == from.ID {
			res.r.WardID = into.ID
		}
	}
	for _, ce := range h.centres[from.ID] {
		ce.WardID = into.ID
	}
	h.centres[into.ID] = append(h.centres[into.ID], h.centres[from.ID]...)
	h.centres[from.ID] = nil
	for _, hs := range h.shifts {
		if hs.s.WardID == from.ID && !hs.s.StartsAt.Before(h.now) {
			hs.s.WardID = into.ID
		}
	}
	for _, se := range h.sessions {
		if se.s.WardID == from.ID && !se.s.StartsAt.Before(h.now) {
			se.s.WardID = into.ID
		}
	}
	return "merge " + from.Code + " into " + into.Code
}

// step makes one random change of one kind and says which.
func (h *history) step(t *testing.T, st store.Store, w *coverageWorld, rng *rand.Rand) string {
	ctx := t.Context()
	pick := func(n int) int { return rng.IntN(n) }
	for {
		switch pick(9) {
		case 0: // revoke a record
			r := h.records[pick(len(h.records))]
			if r.revoked {
				continue
			}
			must(t, st.RevokeProgressRecord(ctx, &progress.Revocation{RecordID: r.rec.ID, By: "staff-1", Reason: "Ghi nhầm", At: h.now}))
			r.revoked = true
			return "revoke a record"
		case 1: // erase a resident
			res := h.residents[pick(len(h.residents))]
			if res.erased {
				continue
			}
			ts := h.now
			erased := &resident.Resident{ID: res.r.ID, WardID: res.r.WardID, OriginWardID: res.r.OriginWardID, Consent: res.r.Consent,
				CreatedBy: res.r.CreatedBy, CreatedAt: res.r.CreatedAt, UpdatedAt: ts, ErasedAt: &ts, ErasedBy: "staff-1"}
			must(t, st.EraseResident(ctx, erased, claimsOf(res.r), &resident.Audit{ID: newID(t), ResidentID: res.r.ID,
				WardID: res.r.WardID, Action: resident.ActionErase, Fields: resident.ErasedFields, Reason: "Yêu cầu xoá", By: "staff-1", At: ts}))
			res.erased = true
			return "erase a resident"
		case 2: // a record that may complete a resident's set
			res := h.residents[pick(len(h.residents))]
			required := []string{"vneid_level2", "portal_account", "submit_application", "pay_fee_online", "recognise_scam"}
			rec := &progress.Record{ID: newID(t), ResidentID: res.r.ID, SkillCode: required[pick(len(required))], Method: progress.MethodObserved,
				Evidence: "Tự làm", RecordedBy: "staff-1", At: h.now.Add(-time.Duration(pick(20*24)) * time.Hour)}
			must(t, st.CreateProgressRecord(ctx, rec))
			h.records = append(h.records, &histRecord{rec: rec})
			return "record a skill"
		case 3: // cancel a booking
			hs := h.shifts[pick(len(h.shifts))]
			for v := range hs.booked {
				if hs.noShow[v] || hs.minutes[v] != 0 {
					continue
				}
				must(t, unbook(ctx, st, hs.s.ID, v))
				delete(hs.booked, v)
				return "cancel a booking"
			}
		case 4: // book an upcoming shift
			hs := h.shifts[pick(len(h.shifts))]
			if hs.canceled || !hs.s.StartsAt.After(h.now) || len(hs.booked) >= hs.s.Places {
				continue
			}
			v := w.volunteers[pick(len(w.volunteers))]
			if hs.booked[v.ID] {
				continue
			}
			for place := 1; place <= hs.s.Places; place++ {
				if err := book(ctx, st, newBooking(hs.s, place, v.ID)); err == nil {
					hs.booked[v.ID] = true
					return "book a place"
				}
			}
		case 5: // a no-show on a past booking
			hs := h.shifts[pick(len(h.shifts))]
			if !hs.s.EndsAt.Before(h.now) {
				continue
			}
			for v := range hs.booked {
				if hs.noShow[v] || hs.minutes[v] != 0 {
					continue
				}
				must(t, st.AddNoShow(ctx, &roster.NoShow{ShiftID: hs.s.ID, VolunteerID: v, Decision: roster.NoShowConfirm,
					Reason: "Vắng", WardID: hs.s.WardID, Title: hs.s.Title, StartsAt: hs.s.StartsAt, EndsAt: hs.s.EndsAt,
					DecidedBy: "staff-1", DecidedAt: h.now}))
				hs.noShow[v] = true
				return "confirm a no-show"
			}
		case 6: // mark a pending seat
			se := h.sessions[pick(len(h.sessions))]
			if se.enrolled == se.attended+se.absent {
				seat := &training.Seat{SessionID: se.s.ID, Number: se.enrolled + 1, LearnerKey: "name:" + newID(t), Name: "Người học",
					EnrolledBy: "partner-1", EnrolledAt: h.now}
				must(t, training.PutSeat(ctx, st, seat))
				se.enrolled++
				return "take a seat"
			}
			seats, err := st.Seats(ctx, se.s.ID)
			must(t, err)
			for _, seat := range seats {
				if seat.Attendance == "" {
					seat.Attendance, seat.MarkedBy, seat.MarkedAt = training.Attended, "partner-1", &h.now
					must(t, st.MarkAttendance(ctx, seat))
					se.attended++
					return "mark a seat attended"
				}
			}
		case 7: // void a usage
			if len(h.usage) == 0 {
				continue
			}
			u := h.usage[pick(len(h.usage))]
			if u.voided {
				continue
			}
			must(t, st.VoidUsage(ctx, &equipment.Void{UsageID: u.u.ID, Reason: "Ghi nhầm", By: "staff-1", At: h.now}))
			u.voided = true
			return "void a usage"
		case 8: // a work entry
			ward := h.wards[pick(len(h.wards))]
			if h.merged[ward.ID] != "" {
				continue
			}
			ce := h.centres[ward.ID][pick(len(h.centres[ward.ID]))]
			e := &roster.WorkEntry{ID: newID(t), VolunteerID: w.volunteers[pick(len(w.volunteers))].ID, CentreID: ce.ID, WardID: ward.ID,
				Date: localMidnight(h.now, -pick(20)).UTC(), Minutes: 15 + pick(100), Reason: "Hỗ trợ ngoài ca", CreatedBy: "staff-1", CreatedAt: h.now}
			must(t, st.AddWorkEntry(ctx, e))
			h.entries = append(h.entries, e)
			return "add a work entry"
		}
	}
}

// write adds n residents and a random history around them.
func (h *history) write(t *testing.T, st store.Store, w *coverageWorld, rng *rand.Rand, fw *skills.Framework, n int) {
	ctx := t.Context()
	day := 24 * time.Hour
	at := func(pastDays, futureDays int) time.Time {
		span := time.Duration(pastDays+futureDays) * day
		return h.now.Add(-time.Duration(pastDays) * day).Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Millisecond)
	}
	var active []*directory.Ward
	for _, ward := range h.wards {
		if h.merged[ward.ID] == "" {
			active = append(active, ward)
		}
	}
	for range n {
		ward := active[rng.IntN(len(active))]
		r, keys := newResident(t, ward.ID, "Nguyễn Văn "+newID(t)[30:], 1950+rng.IntN(50), "", "")
		r.CreatedAt, r.OriginWardID = at(400, 0), ward.ID
		must(t, st.CreateResident(ctx, r, keys))
		h.residents = append(h.residents, &histResident{r: r, origin: ward.ID})
	}
	codes := make([]string, 0, len(fw.Skills))
	for _, sk := range fw.Skills {
		codes = append(codes, sk.Code)
	}
	required := fw.Active().Required
	for range 4 * n {
		res := h.residents[rng.IntN(len(h.residents))]
		skill := required[rng.IntN(len(required))]
		if rng.IntN(4) == 0 {
			skill = codes[rng.IntN(len(codes))]
		}
		centre := ""
		if cs := h.centres[res.r.WardID]; rng.IntN(5) > 0 {
			centre = cs[rng.IntN(len(cs))].ID
		}
		rec := &progress.Record{ID: newID(t), ResidentID: res.r.ID, SkillCode: skill, Method: progress.MethodObserved,
			Evidence: "Tự làm trước mặt tình nguyện viên", RecordedBy: "staff-1", CentreID: centre, At: at(400, 0)}
		must(t, st.CreateProgressRecord(ctx, rec))
		h.records = append(h.records, &histRecord{rec: rec})
	}
	for _, res := range h.residents {
		if !res.erased && rng.IntN(12) == 0 {
			ts := h.now
			erased := &resident.Resident{ID: res.r.ID, WardID: res.r.WardID, OriginWardID: res.r.OriginWardID, Consent: res.r.Consent, CreatedBy: res.r.CreatedBy,
				CreatedAt: res.r.CreatedAt, UpdatedAt: ts, ErasedAt: &ts, ErasedBy: "staff-1"}
			must(t, st.EraseResident(ctx, erased, claimsOf(res.r), &resident.Audit{ID: newID(t), ResidentID: res.r.ID,
				WardID: res.r.WardID, Action: resident.ActionErase, Fields: resident.ErasedFields, Reason: "Yêu cầu xoá", By: "staff-1", At: ts}))
			res.erased = true
		}
	}
	// Shifts over the last 40 days and the next 20, bookings, cancellations,
	// no-shows and attendance.
	for range n / 2 {
		ward := active[rng.IntN(len(active))]
		ce := h.centres[ward.ID][rng.IntN(len(h.centres[ward.ID]))]
		start := at(40, 20).Truncate(time.Minute)
		s := &roster.Shift{ID: newID(t), CentreID: ce.ID, WardID: ce.WardID, Title: "Hướng dẫn dịch vụ công", Role: roster.RoleGuide,
			StartsAt: start, EndsAt: start.Add(2 * time.Hour), Places: 1 + rng.IntN(4), Notes: "",
			SignupOpensAt: start.Add(-roster.DefaultSignupLead), CancelDeadline: start.Add(-roster.DefaultCancelDeadline),
			Status: roster.StatusScheduled, CreatedBy: "staff-1", CreatedAt: h.now, UpdatedAt: h.now}
		must(t, st.CreateShift(ctx, s))
		hs := &histShift{s: s, booked: map[string]bool{}, noShow: map[string]bool{}, minutes: map[string]int{}}
		h.shifts = append(h.shifts, hs)
		place := 1
		for _, v := range w.volunteers {
			if place > s.Places || rng.IntN(3) == 0 {
				continue
			}
			b := newBooking(s, place, v.ID)
			if err := book(ctx, st, b); err != nil {
				continue // an overlapping booking of this volunteer
			}
			place++
			hs.booked[v.ID] = true
			if rng.IntN(6) == 0 {
				must(t, unbook(ctx, st, s.ID, v.ID))
				delete(hs.booked, v.ID)
				continue
			}
			if !s.EndsAt.Before(h.now) {
				continue
			}
			if rng.IntN(4) == 0 {
				must(t, st.AddNoShow(ctx, &roster.NoShow{ShiftID: s.ID, VolunteerID: v.ID, Decision: roster.NoShowConfirm,
					Reason: "Vắng không báo", WardID: s.WardID, Title: s.Title, StartsAt: s.StartsAt, EndsAt: s.EndsAt,
					DecidedBy: "staff-1", DecidedAt: h.now}))
				hs.noShow[v.ID] = true
				continue
			}
			in := s.StartsAt.Add(time.Duration(rng.IntN(40)-10) * time.Minute)
			out := s.EndsAt.Add(time.Duration(rng.IntN(40)-30) * time.Minute)
			for _, a := range []*roster.Attendance{
				{ShiftID: s.ID, VolunteerID: v.ID, Kind: roster.KindCheckin, At: in},
				{ShiftID: s.ID, VolunteerID: v.ID, Kind: roster.KindCheckout, At: out},
			} {
				a.CentreID, a.WardID, a.StartsAt, a.EndsAt, a.By = s.CentreID, s.WardID, s.StartsAt, s.EndsAt, v.ID
				must(t, st.AddAttendance(ctx, a))
			}
			from, to := in, out
			if from.Before(s.StartsAt) {
				from = s.StartsAt
			}
			if to.After(s.EndsAt) {
				to = s.EndsAt
			}
			hs.minutes[v.ID] = int(to.Sub(from) / time.Minute)
		}
		if rng.IntN(10) == 0 && len(hs.booked) == 0 {
			s.Status = roster.StatusCancelled
			must(t, roster.PutShift(ctx, st, s, "test"))
			hs.canceled = true
		}
	}
	// Work entries, training sessions with seats, equipment use.
	for range n / 5 {
		ward := active[rng.IntN(len(active))]
		ce := h.centres[ward.ID][rng.IntN(len(h.centres[ward.ID]))]
		d := at(60, 0).In(hanoi)
		e := &roster.WorkEntry{ID: newID(t), VolunteerID: w.volunteers[rng.IntN(len(w.volunteers))].ID, CentreID: ce.ID, WardID: ward.ID,
			Date: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, hanoi).UTC(), Minutes: 30 + rng.IntN(200),
			Reason: "Hỗ trợ ngoài ca", CreatedBy: "staff-1", CreatedAt: h.now}
		must(t, st.AddWorkEntry(ctx, e))
		h.entries = append(h.entries, e)
	}
	for range n / 5 {
		ward := active[rng.IntN(len(active))]
		ce := h.centres[ward.ID][rng.IntN(len(h.centres[ward.ID]))]
		start := at(40, 10).Truncate(time.Minute)
		s := &training.Session{ID: newID(t), CourseID: w.courseID, OrganisationID: w.org.ID, CentreID: ce.ID, WardID: ward.ID,
			StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 10, Trainers: []string{"Lê Văn Minh"},
			Status: training.StatusScheduled, CreatedBy: "partner-1", CreatedAt: h.now, UpdatedAt: h.now}
		if rng.IntN(8) == 0 {
			s.Status = training.StatusCancelled
		}
		must(t, st.CreateSession(ctx, s))
		hs := &histSession{s: s}
		for i := range rng.IntN(5) {
			seat := &training.Seat{SessionID: s.ID, Number: i + 1, LearnerKey: "name:" + newID(t), Name: "Người học",
				EnrolledBy: "partner-1", EnrolledAt: h.now}
			must(t, training.PutSeat(ctx, st, seat))
			hs.enrolled++
			switch rng.IntN(3) {
			case 0:
				seat.Attendance, seat.MarkedBy, seat.MarkedAt = training.Attended, "partner-1", &h.now
				must(t, st.MarkAttendance(ctx, seat))
				hs.attended++
			case 1:
				seat.Attendance, seat.MarkedBy, seat.MarkedAt = training.Absent, "partner-1", &h.now
				must(t, st.MarkAttendance(ctx, seat))
				hs.absent++
			}
		}
		h.sessions = append(h.sessions, hs)
	}
	for range n / 3 {
		ward := active[rng.IntN(len(active))]
		ce := h.centres[ward.ID][rng.IntN(len(h.centres[ward.ID]))]
		d := w.devices[ce.ID]
		from := w.nextSlot[d.ID].Add(time.Duration(rng.IntN(600)) * time.Minute).Truncate(time.Minute)
		if from.After(h.now) {
			continue
		}
		u := &equipment.Usage{ID: newID(t), DeviceID: d.ID, CentreID: ce.ID, WardID: ward.ID, From: from,
			To: from.Add(time.Duration(10+rng.IntN(50)) * time.Minute), Purpose: equipment.Purposes[rng.IntN(3)],
			RecordedBy: "staff-1", CreatedAt: h.now}
		w.nextSlot[d.ID] = u.To
		must(t, st.AddUsage(ctx, u))
		hu := &histUsage{u: u}
		if rng.IntN(5) == 0 {
			must(t, st.VoidUsage(ctx, &equipment.Void{UsageID: u.ID, Reason: "Ghi nhầm", By: "staff-1", At: h.now}))
			hu.voided = true
		}
		h.usage = append(h.usage, hu)
	}
}

// revokeSome revokes a share of the records not revoked yet.
func (h *history) revokeSome(t *testing.T, st store.Store, rng *rand.Rand, share float64) {
	for _, r := range h.records {
		if !r.revoked && rng.Float64() < share {
			must(t, st.RevokeProgressRecord(t.Context(), &progress.Revocation{RecordID: r.rec.ID, By: "staff-1", Reason: "Ghi nhầm", At: h.now}))
			r.revoked = true
		}
	}
}

// familyOf returns the ward and those merged into it, by the test's log.
func (h *history) familyOf(ward string) map[string]bool {
	fam := map[string]bool{ward: true}
	for changed := true; changed; {
		changed = false
		for from, into := range h.merged {
			if fam[into] && !fam[from] {
				fam[from], changed = true, true
			}
		}
	}
	return fam
}

// shown is a resident's earliest record (not revoked) per skill.
func (h *history) shown() map[string]map[string]*progress.Record {
	out := map[string]map[string]*progress.Record{}
	for _, r := range h.records {
		if r.revoked {
			continue
		}
		m := out[r.rec.ResidentID]
		if m == nil {
			m = map[string]*progress.Record{}
			out[r.rec.ResidentID] = m
		}
		if old := m[r.rec.SkillCode]; old == nil || r.rec.At.Before(old.At) || (r.rec.At.Equal(old.At) && r.rec.ID < old.ID) {
			m[r.rec.SkillCode] = r.rec
		}
	}
	return out
}

// reached returns the record that completed a resident's required set (nil
// when a required skill is missing).
func reached(shown map[string]*progress.Record, required []string) *progress.Record {
	var last *progress.Record
	for _, code := range required {
		r := shown[code]
		if r == nil {
			return nil
		}
		if last == nil || r.At.After(last.At) || (r.At.Equal(last.At) && r.ID > last.ID) {
			last = r
		}
	}
	return last
}

// localMidnight returns the local midnight of t's day, days later.
func localMidnight(t time.Time, days int) time.Time {
	l := t.In(hanoi)
	return time.Date(l.Year(), l.Month(), l.Day()+days, 0, 0, 0, 0, hanoi)
}

// expectSummary recomputes a summary by brute force: the wards in fam, and
// centre "" or one centre.
func (h *history) expectSummary(fw *skills.Framework, fam map[string]bool, centre string) coverage.Summary {
	required := fw.Active().Required
	at := func(c string) bool { return centre == "" || c == centre }
	from30, from7 := localMidnight(h.now, -29), localMidnight(h.now, -6)
	s := coverage.Summary{AsOf: h.now}
	shown := h.shown()
	perSkill := map[string]int{}
	helped7, helped30 := map[string]bool{}, map[string]bool{}
	inView := map[string]bool{}
	for _, res := range h.residents {
		if !fam[res.r.WardID] && !fam[res.origin] {
			continue
		}
		inView[res.r.ID] = true
		if centre == "" {
			s.Residents.Registered++
			if res.erased {
				s.Residents.Erased++
			}
		}
		any := false
		for code, r := range shown[res.r.ID] {
			if at(r.CentreID) {
				perSkill[code]++
				any = true
			}
		}
		if any {
			s.Residents.Reached++
		}
		if last := reached(shown[res.r.ID], required); last != nil && at(last.CentreID) {
			s.Residents.ECitizens++
		}
	}
	for _, sk := range fw.Skills {
		s.Skills = append(s.Skills, coverage.SkillCount{Code: sk.Code, Required: slices.Contains(required, sk.Code), Residents: perSkill[sk.Code]})
	}
	for _, r := range h.records {
		if r.revoked || !inView[r.rec.ResidentID] || !at(r.rec.CentreID) || r.rec.At.After(h.now) {
			continue
		}
		if !r.rec.At.Before(from30) {
			helped30[r.rec.ResidentID] = true
		}
		if !r.rec.At.Before(from7) {
			helped7[r.rec.ResidentID] = true
		}
	}
	s.Helped = coverage.Helped{Last7Days: len(helped7), Last30Days: len(helped30)}
	for _, se := range h.sessions {
		if !fam[se.s.WardID] || !at(se.s.CentreID) || se.s.Status == training.StatusCancelled || se.s.StartsAt.Before(from30) || se.s.EndsAt.After(h.now) {
			continue
		}
		s.Training.Sessions++
		s.Training.Enrolled += se.enrolled
		s.Training.Attended += se.attended
		s.Training.Absent += se.absent
	}
	vols := map[string]bool{}
	horizon := h.now.AddDate(0, 0, coverage.UpcomingDays)
	for _, hs := range h.shifts {
		sh := hs.s
		if !fam[sh.WardID] || !at(sh.CentreID) {
			continue
		}
		if !sh.StartsAt.Before(from30) && !sh.StartsAt.After(h.now) {
			for v, m := range hs.minutes {
				if m > 0 {
					s.Hours.Minutes += m
					vols[v] = true
				}
			}
		}
		if hs.canceled {
			continue
		}
		booked := len(hs.booked)
		switch {
		case !sh.StartsAt.Before(from30) && !sh.StartsAt.After(h.now):
			s.Shifts.Offered++
			s.Shifts.Places += sh.Places
			s.Shifts.Booked += booked
			s.Shifts.NoShows += len(hs.noShow)
			if booked >= sh.Places {
				s.Shifts.Filled++
			}
		case sh.StartsAt.After(h.now) && sh.StartsAt.Before(horizon):
			s.Upcoming.Shifts++
			s.Upcoming.Places += sh.Places
			s.Upcoming.Booked += booked
			if booked < sh.Places {
				s.Upcoming.OpenPlaces += sh.Places - booked
				s.Upcoming.Unfilled++
			}
		}
	}
	for _, e := range h.entries {
		if fam[e.WardID] && at(e.CentreID) && !e.Date.Before(from30) && !e.Date.After(h.now) {
			s.Hours.Minutes += e.Minutes
			vols[e.VolunteerID] = true
		}
	}
	s.Hours.Volunteers = len(vols)
	for _, p := range equipment.Purposes {
		uc := coverage.UsageCount{Purpose: string(p)}
		for _, u := range h.usage {
			if u.u.Purpose == p && !u.voided && fam[u.u.WardID] && at(u.u.CentreID) && !u.u.From.Before(from30) && !u.u.From.After(h.now) {
				uc.Sessions++
				uc.Minutes += int(u.u.To.Sub(u.u.From) / time.Minute)
			}
		}
		s.Equipment = append(s.Equipment, uc)
	}
	return s
}

// expectTrend recomputes the weekly series of the wards in fam.
func (h *history) expectTrend(fw *skills.Framework, fam map[string]bool) []coverage.Week {
	thisMonday := localMidnight(h.now, -((int(h.now.In(hanoi).Weekday()) + 6) % 7))
	first := thisMonday.AddDate(0, 0, -7*(coverage.TrendWeeks-1))
	weeks := make([]coverage.Week, coverage.TrendWeeks)
	for i := range weeks {
		weeks[i].Start = first.AddDate(0, 0, 7*i)
	}
	index := func(t time.Time) int {
		if t.Before(first) || t.After(h.now) {
			return -1
		}
		return int(localMidnight(t, 0).Sub(first).Hours()/24) / 7
	}
	shown := h.shown()
	for _, res := range h.residents {
		if !fam[res.r.WardID] && !fam[res.origin] {
			continue
		}
		if i := index(res.r.CreatedAt); i >= 0 {
			weeks[i].NewResidents++
		}
		if last := reached(shown[res.r.ID], fw.Active().Required); last != nil {
			if i := index(last.At); i >= 0 {
				weeks[i].NewECitizens++
			}
		}
	}
	for _, hs := range h.shifts {
		if i := index(hs.s.StartsAt); i >= 0 && fam[hs.s.WardID] {
			for _, m := range hs.minutes {
				if m > 0 {
					weeks[i].VolunteerHours += m
				}
			}
		}
	}
	for _, e := range h.entries {
		if i := index(e.Date); i >= 0 && fam[e.WardID] {
			weeks[i].VolunteerHours += e.Minutes
		}
	}
	return weeks
}

// compareCoverage checks every answer of svc against the brute force.
func compareCoverage(t *testing.T, ctx context.Context, svc *coverage.Service, admin identity.Caller, h *history, fw *skills.Framework, what string) {
	t.Helper()
	everything := map[string]bool{}
	for _, w := range h.wards {
		everything[w.ID] = true
	}
	for _, w := range h.wards {
		fam := h.familyOf(w.ID)
		if h.merged[w.ID] != "" {
			fam = map[string]bool{w.ID: true}
		}
		got, err := svc.Ward(ctx, admin, w.ID)
		must(t, err)
		same(t, what+": summary of ward "+w.Code, got.Summary, h.expectSummary(fw, fam, ""))
		tr, err := svc.WardTrends(ctx, admin, w.ID)
		must(t, err)
		same(t, what+": trend of ward "+w.Code, tr.Weeks, h.expectTrend(fw, fam))
		for _, ce := range h.centres[w.ID] {
			cs, err := svc.Centre(ctx, admin, ce.ID)
			must(t, err)
			same(t, what+": summary of centre "+ce.ID, cs.Summary, h.expectSummary(fw, h.familyOf(ce.WardID), ce.ID))
		}
	}
	o, err := svc.District(ctx, admin)
	must(t, err)
	same(t, what+": district total", o.Total, h.expectSummary(fw, everything, ""))
	// Ranks: no targets, so by e-citizens, then code.
	var order []string
	type row struct {
		code string
		n    int
	}
	var rows []row
	for _, w := range h.wards {
		if h.merged[w.ID] == "" {
			rows = append(rows, row{w.Code, h.expectSummary(fw, h.familyOf(w.ID), "").Residents.ECitizens})
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		if a.n != b.n {
			return b.n - a.n
		}
		if a.code < b.code {
			return -1
		}
		return 1
	})
	for _, r := range rows {
		order = append(order, r.code)
	}
	var gotOrder []string
	for i, r := range o.Wards {
		gotOrder = append(gotOrder, r.Ward.Code)
		same(t, what+": rank", r.Rank, i+1)
	}
	same(t, what+": ward order", gotOrder, order)
	lacking := map[string]int{}
	shown := h.shown()
	required := fw.Active().Required
	for _, code := range required {
		lacking[code] = 0
	}
	for _, res := range h.residents {
		if res.erased || reached(shown[res.r.ID], required) != nil {
			continue
		}
		for _, code := range required {
			if shown[res.r.ID][code] == nil {
				lacking[code]++
			}
		}
	}
	gotLacking := map[string]int{}
	for _, l := range o.Lacking {
		gotLacking[l.SkillCode] = l.Residents
	}
	same(t, what+": skills lacking", gotLacking, lacking)
	var unfilled []string
	for _, hs := range h.shifts {
		if !hs.canceled && hs.s.StartsAt.After(h.now) && hs.s.StartsAt.Before(h.now.AddDate(0, 0, coverage.GapDays)) && len(hs.booked) < hs.s.Places {
			unfilled = append(unfilled, hs.s.ID)
		}
	}
	var gotUnfilled []string
	for _, u := range o.Unfilled {
		gotUnfilled = append(gotUnfilled, u.ShiftID)
	}
	slices.Sort(unfilled)
	slices.Sort(gotUnfilled)
	same(t, what+": unfilled shifts", gotUnfilled, unfilled)
	tr, err := svc.DistrictTrends(ctx, admin)
	must(t, err)
	same(t, what+": district trend", tr.Weeks, h.expectTrend(fw, everything))
}
