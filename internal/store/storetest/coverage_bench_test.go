package storetest

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"ecitizen/content"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/progress"
	"ecitizen/internal/skills"
	"ecitizen/internal/store"
)

// benchDistrict is a district for the coverage benchmarks: 18 wards, one of
// them of the seeded district's size (2,200 residents with five records each)
// and the others smaller, built through the store directly.
type benchDistrict struct {
	st        store.Store
	svc       *coverage.Service
	deps      coverage.Deps
	ward      *directory.Ward // the full-sized ward
	centre    string
	residents []string // of the full-sized ward
	skills    []string
}

func mkBenchDistrict(b *testing.B, st store.Store) *benchDistrict {
	ctx := b.Context()
	fw, err := skills.Load(content.FS, "skills.yaml")
	must(b, err)
	rng := rand.New(rand.NewPCG(16, 16))
	d := &benchDistrict{st: st}
	for _, sk := range fw.Skills {
		d.skills = append(d.skills, sk.Code)
	}
	t0 := now()
	for i := range 18 {
		w := mkWard(b, st, fmt.Sprintf("B%02d%s", i, newID(b)[28:]))
		ce := mkCentre(b, st, w.ID)
		n := 150
		if i == 0 {
			d.ward, d.centre, n = w, ce.ID, 2200
		}
		for range n {
			r, keys := newResident(b, w.ID, "Nguyễn Văn "+newID(b)[30:], 1950+rng.IntN(50), "", "")
			r.OriginWardID = w.ID
			r.CreatedAt = t0.Add(-time.Duration(rng.IntN(365*24)) * time.Hour)
			must(b, st.CreateResident(ctx, r, keys))
			if i == 0 {
				d.residents = append(d.residents, r.ID)
			}
			for range 5 {
				must(b, st.CreateProgressRecord(ctx, &progress.Record{ID: newID(b), ResidentID: r.ID, SkillCode: d.skills[rng.IntN(len(d.skills))],
					Method: progress.MethodObserved, Evidence: "Tự làm", RecordedBy: "staff-1", CentreID: ce.ID,
					At: t0.Add(-time.Duration(rng.IntN(365*24)) * time.Hour)}))
			}
		}
	}
	dir := directory.NewService(directory.Deps{Store: st})
	d.deps = coverage.Deps{Store: st, Directory: dir, Targets: dir, Framework: fw, NoSettling: true}
	d.svc = coverage.NewService(d.deps)
	return d
}

// record records one more skill for a resident of the full-sized ward.
func (d *benchDistrict) record(b *testing.B, i int) {
	must(b, d.st.CreateProgressRecord(b.Context(), &progress.Record{ID: newID(b), ResidentID: d.residents[i%len(d.residents)],
		SkillCode: d.skills[i%len(d.skills)], Method: progress.MethodObserved, Evidence: "Tự làm", RecordedBy: "staff-1",
		CentreID: d.centre, At: now()}))
}

// BenchmarkCoverage measures recording a skill (Record), the ward summary asked
// right after a skill was recorded for one of its residents (WardAfterRecord:
// the record is part of each op), the ward summary and the district overview
// with nothing changed since the last (Ward, District), and the overview right
// after a record (DistrictAfterRecord). SQLite only: FerretDB scans a
// collection for every filter, which says nothing of MongoDB.
func BenchmarkCoverage(b *testing.B) {
	for _, ad := range []Adapter{SQLite()} {
		b.Run(ad.Name, func(b *testing.B) {
			d := mkBenchDistrict(b, ad.Open(b))
			ctx := b.Context()
			admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
			if _, err := d.svc.District(ctx, admin); err != nil {
				b.Fatal(err)
			}
			i := 0
			b.Run("Record", func(b *testing.B) {
				for b.Loop() {
					i++
					d.record(b, i)
				}
			})
			b.Run("WardAfterRecord", func(b *testing.B) {
				if _, err := d.svc.Ward(ctx, admin, d.ward.ID); err != nil { // the snapshots of now, as a served ward has
					b.Fatal(err)
				}
				for b.Loop() {
					i++
					d.record(b, i)
					if _, err := d.svc.Ward(ctx, admin, d.ward.ID); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Ward", func(b *testing.B) {
				for b.Loop() {
					if _, err := d.svc.Ward(ctx, admin, d.ward.ID); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("District", func(b *testing.B) {
				for b.Loop() {
					if _, err := d.svc.District(ctx, admin); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Snapshots", func(b *testing.B) {
				// Every op reads the whole district into a new service's
				// snapshots; live-B is what those snapshots (and the
				// memoised results) keep on the heap afterwards.
				var live uint64
				for b.Loop() {
					live = d.snapshotsHeap(b)
				}
				b.ReportMetric(float64(live), "live-B")
			})
			b.Run("DistrictAfterRecord", func(b *testing.B) {
				for b.Loop() {
					i++
					d.record(b, i)
					if _, err := d.svc.District(ctx, admin); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// snapshotsHeap builds a new coverage service, reads the district's overview
// (every ward's snapshots) and returns how much more live heap there is with
// the service than without it.
func (d *benchDistrict) snapshotsHeap(b *testing.B) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	svc := coverage.NewService(d.deps)
	if _, err := svc.District(b.Context(), identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(svc)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}
