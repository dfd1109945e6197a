package storetest

import (
	"sync"
	"testing"

	"ecitizen/internal/resident"
	"ecitizen/internal/store"
)

// The claims of kind import that a resident created by a bulk import holds: one
// holder (under concurrency too), free again once released by an erasure or a
// change.
func TestResidentImportClaims(t *testing.T) {
	imp := func(r *resident.Resident, index string) resident.Key {
		return resident.Key{Kind: resident.KindImport, Index: index, ResidentID: r.ID}
	}
	runCases(t, []storeCase{
		{"OneHolder", func(t *testing.T, st store.Store) {
			w := mkWard(t, st, "RI1")
			a, keys := newResident(t, w.ID, "Nguyễn Văn A", 1958, "", "")
			must(t, st.CreateResident(t.Context(), a, append([]resident.Key{imp(a, "row-1")}, keys...)))
			b, keys := newResident(t, w.ID, "Nguyễn Văn A", 1958, "pi-1", "")
			wantTaken(t, st.CreateResident(t.Context(), b, append([]resident.Key{imp(b, "row-1")}, keys...)), resident.KindImport, a.ID)
			same(t, "count", count(t, st, w.ID), 1)
			// b's phone was not kept either.
			c, keys := newResident(t, w.ID, "Trần Thị C", 1960, "pi-1", "")
			must(t, st.CreateResident(t.Context(), c, keys))
		}},
		{"ReleasedByEraseAndUpdate", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkWard(t, st, "RI2")
			a, _ := newResident(t, w.ID, "Lê Văn A", 1958, "", "")
			must(t, st.CreateResident(ctx, a, []resident.Key{imp(a, "row-a")}))
			ts := now()
			erased := &resident.Resident{ID: a.ID, WardID: a.WardID, Consent: a.Consent, CreatedBy: a.CreatedBy,
				CreatedAt: a.CreatedAt, UpdatedAt: ts, ErasedAt: &ts, ErasedBy: "staff-1"}
			must(t, st.EraseResident(ctx, erased, []resident.Key{imp(a, "row-a")}, &resident.Audit{ID: newID(t), ResidentID: a.ID,
				WardID: w.ID, Action: resident.ActionErase, Fields: resident.ErasedFields, Reason: "Yêu cầu xoá", By: "staff-1", At: ts}))
			b, _ := newResident(t, w.ID, "Lê Văn A", 1958, "", "")
			must(t, st.CreateResident(ctx, b, []resident.Key{imp(b, "row-a")}))
			b.FullName = "Lê Văn Bê"
			must(t, st.UpdateResident(ctx, b, nil, []resident.Key{imp(b, "row-a")}))
			c, _ := newResident(t, w.ID, "Lê Văn A", 1958, "", "")
			must(t, st.CreateResident(ctx, c, []resident.Key{imp(c, "row-a")}))
			same(t, "count", count(t, st, w.ID), 3)
		}},
		{"ConcurrentImportsOfOneRow", func(t *testing.T, st store.Store) {
			w := mkWard(t, st, "RI3")
			const n = 20
			errs := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				r, _ := newResident(t, w.ID, "Phạm Thị D", 1970, "", "")
				wg.Go(func() {
					<-start
					errs[i] = st.CreateResident(t.Context(), r, []resident.Key{imp(r, "row-d")})
				})
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				}
			}
			same(t, "created", ok, 1)
			same(t, "count", count(t, st, w.ID), 1)
		}},
	})
}
