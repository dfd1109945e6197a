package coverage

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
	"time"

	"ecitizen/content"
	"ecitizen/internal/skills"
)

// randomFacts returns n residents of ward (IDs from first) with records at
// centres c0…c4 and "" (none), some revoked, some dated later than now, some
// at the same instant (ties broken by record ID), some of a skill the
// framework no longer lists; some residents erased, one never dated.
func randomFacts(rng *rand.Rand, fw *skills.Framework, now time.Time, ward string, first, n int) *Facts {
	codes := []string{"old_skill"}
	for _, s := range fw.Skills {
		codes = append(codes, s.Code)
	}
	f := &Facts{}
	for i := first; i < first+n; i++ {
		id := fmt.Sprintf("00000000-0000-7000-8000-%012x", i)
		created := now.Add(-time.Duration(rng.IntN(400*24)) * time.Hour)
		if i == first {
			created = time.Time{}
		}
		f.Residents = append(f.Residents, ResidentFact{ID: id, WardID: ward, OriginWardID: ward, CreatedAt: created, Erased: rng.IntN(15) == 0})
		tie := now.Add(-time.Duration(rng.IntN(60*24)) * time.Hour)
		for j := range rng.IntN(12) {
			at := now.Add(-time.Duration(rng.IntN(90*24*60)) * time.Minute)
			switch rng.IntN(10) {
			case 0:
				at = now.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
			case 1, 2:
				at = tie
			}
			centre := ""
			if c := rng.IntN(6); c < 5 {
				centre = fmt.Sprintf("c%d", c)
			}
			f.Records = append(f.Records, RecordFact{ID: fmt.Sprintf("%s-%02d-%d", id, rng.IntN(100), j), ResidentID: id,
				SkillCode: codes[rng.IntN(len(codes))], CentreID: centre, At: at, Revoked: rng.IntN(12) == 0})
		}
	}
	return f
}

// byPart splits facts of residents into their parts.
func byPart(f *Facts) map[string]*Facts {
	out := map[string]*Facts{}
	for _, r := range f.Residents {
		p := out[PartOf(r.ID)]
		if p == nil {
			p = &Facts{}
			out[PartOf(r.ID)] = p
		}
		p.Residents = append(p.Residents, r)
	}
	for _, r := range f.Records {
		out[PartOf(r.ResidentID)].Records = append(out[PartOf(r.ResidentID)].Records, r)
	}
	return out
}

// sameAnswers checks that the view over parts gives what the straightforward
// computation over the joined facts gives, for the whole and for centres.
func sameAnswers(t *testing.T, fw *skills.Framework, c Clock, roster *Facts, v *view, facts ...*Facts) {
	t.Helper()
	all := Join(append([]*Facts{roster}, facts...)...)
	def := fw.Active()
	st := Statuses(all, def)
	for _, centre := range []string{"", "c0", "c3", "c9"} {
		want, wantVols, wantUntil := Summarize(all, st, c, fw, def, centre)
		got, gotVols, gotUntil := v.summarize(c, fw, def, centre)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotVols, wantVols) || !gotUntil.Equal(wantUntil) {
			t.Fatalf("centre %q:\n got %+v %v %v\nwant %+v %v %v", centre, got, gotVols, gotUntil, want, wantVols, wantUntil)
		}
	}
	if got, want := v.lacking(def), Lacking(all, st, def); !reflect.DeepEqual(got, want) {
		t.Fatalf("lacking %v, want %v", got, want)
	}
	if got, want := v.trend(c), Trend(all, st, c); !reflect.DeepEqual(got, want) {
		t.Fatalf("trend\n got %v\nwant %v", got, want)
	}
}

func TestCompactPartsGiveTheSameAnswers(t *testing.T) {
	fw, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		t.Fatal(err)
	}
	def := fw.Active()
	now := time.Now().UTC().Truncate(time.Millisecond)
	c := NewClock(now, time.FixedZone("ICT", 7*3600))
	roster := &Facts{Hours: []HoursFact{{VolunteerID: "v1", CentreID: "c0", At: now.AddDate(0, 0, -3), Minutes: 90},
		{VolunteerID: "v2", CentreID: "c3", At: now.AddDate(0, 0, -40), Minutes: 60}}}
	for seed := range uint64(6) {
		rng := rand.New(rand.NewPCG(seed, 7))
		facts := randomFacts(rng, fw, now, "w", 0, 300)
		parts := byPart(facts)

		// One ward: one part, and every part at once (the centre's view).
		p3 := parts["r3"]
		sameAnswers(t, fw, c, roster, newView(roster, []*residentPart{buildPart(p3.Residents, p3.Records, def)}, []string{"r3"}), p3)
		var built []*residentPart
		var names []string
		var each []*Facts
		for _, name := range ResidentParts {
			if p := parts[name]; p != nil {
				built = append(built, buildPart(p.Residents, p.Records, def))
				names = append(names, name)
				each = append(each, p)
			}
		}
		sameAnswers(t, fw, c, roster, newView(roster, built, names), each...)

		// A family of two wards: residents moved by a merge are in the part of
		// each, counted once.
		other := byPart(randomFacts(rng, fw, now, "w2", 1000, 200))["r3"]
		moved := &Facts{Residents: append(append([]ResidentFact{}, other.Residents...), p3.Residents[:5]...),
			Records: append([]RecordFact{}, other.Records...)}
		for _, r := range p3.Records {
			for _, m := range p3.Residents[:5] {
				if r.ResidentID == m.ID {
					moved.Records = append(moved.Records, r)
				}
			}
		}
		v := newView(roster, []*residentPart{buildPart(p3.Residents, p3.Records, def), buildPart(moved.Residents, moved.Records, def)}, []string{"r3", "r3"})
		if v.skip == nil {
			t.Fatal("no resident of the merged ward skipped")
		}
		sameAnswers(t, fw, c, roster, v, p3, moved)

		// A patch: some residents changed (records added, revoked, a resident
		// erased, one gone from the part), read again with all their records.
		old := buildPart(p3.Residents, p3.Records, def)
		changed := map[string]bool{}
		next := &Facts{}
		var fresh []ResidentFact
		var freshRecs []RecordFact
		for i, r := range p3.Residents {
			if i%7 != 0 {
				next.Residents = append(next.Residents, r)
				continue
			}
			changed[r.ID] = true
			if i%14 == 0 && i > 0 {
				continue // left the ward
			}
			r.Erased = !r.Erased
			next.Residents = append(next.Residents, r)
			fresh = append(fresh, r)
		}
		for _, r := range p3.Records {
			if !changed[r.ResidentID] {
				next.Records = append(next.Records, r)
				continue
			}
			r.Revoked = !r.Revoked
			next.Records = append(next.Records, r)
			freshRecs = append(freshRecs, r)
		}
		for _, r := range fresh {
			rec := RecordFact{ID: r.ID + "-new", ResidentID: r.ID, SkillCode: def.Required[0], CentreID: "c7", At: now.Add(-time.Hour)}
			next.Records = append(next.Records, rec)
			freshRecs = append(freshRecs, rec)
		}
		var kept []RecordFact // records of residents who left are not read again
		for _, r := range next.Records {
			for _, res := range next.Residents {
				if res.ID == r.ResidentID {
					kept = append(kept, r)
					break
				}
			}
		}
		next.Records = kept
		sameAnswers(t, fw, c, roster, newView(roster, []*residentPart{old.patched(changed, fresh, freshRecs, def)}, []string{"r3"}), next)
		// The old part is unchanged.
		sameAnswers(t, fw, c, roster, newView(roster, []*residentPart{old}, []string{"r3"}), p3)
	}
}

func TestInstants(t *testing.T) {
	for _, tm := range []time.Time{{}, time.Date(2026, 12, 8, 1, 2, 3, 456789, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)} {
		i := instantOf(tm)
		if tm.Year() > 1 && !i.time().Equal(tm) {
			t.Errorf("%v comes back %v", tm, i.time())
		}
		if tm.Year() == 1 && (i.time().Before(tm.Add(-time.Second)) || !i.time().IsZero()) {
			t.Errorf("%v comes back %v", tm, i.time())
		}
	}
	if instantOf(time.Time{}) >= instantOf(time.Unix(0, 0)) {
		t.Error("the zero time is not the earliest")
	}
}

// BenchmarkWardRecomputeCompact is BenchmarkWardRecompute as the service
// does it: a ward's residents read into compact parts (statuses evaluated),
// then its summary and weeks; it reports the live heap of the parts.
func BenchmarkWardRecomputeCompact(b *testing.B) {
	fw, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	parts := byPart(randomFacts(rand.New(rand.NewPCG(1, 2)), fw, now, "w", 0, 2200))
	c := NewClock(now, time.FixedZone("ICT", 7*3600))
	def := fw.Active()
	build := func() *view {
		var built []*residentPart
		var names []string
		for name, p := range parts {
			built = append(built, buildPart(p.Residents, p.Records, def))
			names = append(names, name)
		}
		return newView(&Facts{}, built, names)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	for b.Loop() {
		v := build()
		v.summarize(c, fw, def, "")
		v.trend(c)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc), "live-B")
}
