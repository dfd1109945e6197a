package storetest

import (
	"sync"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/store"
)

func wardTarget(wardID string, year, adults, households int) *directory.WardTarget {
	return &directory.WardTarget{WardID: wardID, Year: year, AdultPopulation: adults, Households: households,
		UpdatedBy: "admin-1", UpdatedAt: now()}
}

func TestTargets(t *testing.T) {
	runCases(t, []storeCase{
		{"WardTargetUpsertAndList", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			a, b := mkWard(t, st, "A"), mkWard(t, st, "B")
			first := wardTarget(a.ID, 2026, 12000, 4000)
			must(t, st.PutWardTarget(ctx, first))
			must(t, st.PutWardTarget(ctx, wardTarget(a.ID, 2025, 11800, 3900)))
			must(t, st.PutWardTarget(ctx, wardTarget(b.ID, 2026, 9000, 3000)))
			// A second put of (ward, year) replaces the first.
			second := wardTarget(a.ID, 2026, 12500, 4200)
			second.UpdatedBy, second.UpdatedAt = "admin-2", first.UpdatedAt.Add(time.Second)
			must(t, st.PutWardTarget(ctx, second))

			got, err := st.WardTarget(ctx, a.ID, 2026)
			must(t, err)
			same(t, "ward target", got, second)
			_, err = st.WardTarget(ctx, a.ID, 2027)
			wantErr(t, err, apperr.ErrNotFound)

			of, err := st.WardTargetsOf(ctx, a.ID)
			must(t, err)
			if len(of) != 2 {
				t.Fatalf("%d targets of A, want 2", len(of))
			}
			same(t, "years of A", []int{of[0].Year, of[1].Year}, []int{2025, 2026})
			year, err := st.WardTargets(ctx, 2026)
			must(t, err)
			if len(year) != 2 {
				t.Fatalf("%d targets of 2026, want 2", len(year))
			}
			byWard := map[string]int{}
			for _, x := range year {
				byWard[x.WardID] = x.AdultPopulation
			}
			same(t, "2026 targets", byWard, map[string]int{a.ID: 12500, b.ID: 9000})
			for i := 1; i < len(year); i++ {
				if year[i-1].WardID > year[i].WardID {
					t.Fatalf("targets of a year not ordered by ward")
				}
			}
		}},
		{"WardTargetOfUnknownWard", func(t *testing.T, st store.Store) {
			wantErr(t, st.PutWardTarget(t.Context(), wardTarget(newID(t), 2026, 1, 1)), apperr.ErrNotFound)
		}},
		{"ConcurrentPutsStoreOne", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			a := mkWard(t, st, "A")
			var wg sync.WaitGroup
			errs := make([]error, 20)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = st.PutWardTarget(ctx, wardTarget(a.ID, 2026, 1000+i, 500))
					if i%2 == 0 {
						errs[i] = st.PutDistrictTarget(ctx, &directory.DistrictTarget{Year: 2026, EcitizenSharePercent: float64(i),
							UpdatedBy: "admin-1", UpdatedAt: now()})
					}
				}()
			}
			wg.Wait()
			for _, err := range errs {
				must(t, err)
			}
			of, err := st.WardTargetsOf(ctx, a.ID)
			must(t, err)
			if len(of) != 1 || of[0].AdultPopulation < 1000 || of[0].AdultPopulation >= 1020 {
				t.Fatalf("after 20 concurrent puts: %s, want one of them", show(of))
			}
			ds, err := st.DistrictTargets(ctx)
			must(t, err)
			if len(ds) != 1 {
				t.Fatalf("after concurrent puts: %d district targets of 2026, want 1", len(ds))
			}
		}},
		{"DistrictTargets", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			_, err := st.DistrictTarget(ctx, 2026)
			wantErr(t, err, apperr.ErrNotFound)
			d26 := &directory.DistrictTarget{Year: 2026, EcitizenSharePercent: 42.5, UpdatedBy: "admin-1", UpdatedAt: now()}
			d25 := &directory.DistrictTarget{Year: 2025, EcitizenSharePercent: 30, UpdatedBy: "admin-1", UpdatedAt: now()}
			must(t, st.PutDistrictTarget(ctx, d26))
			must(t, st.PutDistrictTarget(ctx, d25))
			d26b := *d26
			d26b.EcitizenSharePercent = 45
			must(t, st.PutDistrictTarget(ctx, &d26b))
			got, err := st.DistrictTarget(ctx, 2026)
			must(t, err)
			same(t, "district target", got, &d26b)
			all, err := st.DistrictTargets(ctx)
			must(t, err)
			same(t, "district targets", all, []*directory.DistrictTarget{d25, &d26b})
		}},
	})
}
