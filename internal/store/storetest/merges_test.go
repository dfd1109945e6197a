package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/page"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// mergeWorld is ward A (two centres, two residents, a past and a future shift,
// a staff member) to merge into ward B (a resident of its own).
type mergeWorld struct {
	a, b                 *directory.Ward
	centre1, centre2     *directory.Centre
	resA1, resA2, resB   string
	pastShift, nextShift *roster.Shift
	staffA               string
}

func mkMergeWorld(t *testing.T, st store.Store) *mergeWorld {
	t.Helper()
	w := &mergeWorld{a: mkWard(t, st, "A"), b: mkWard(t, st, "B")}
	w.centre1, w.centre2 = mkCentre(t, st, w.a.ID), mkCentre(t, st, w.a.ID)
	w.resA1 = mkResident(t, st, w.a.ID, "Nguyễn Thị Hoa", 1958, "ph-1", "").ID
	w.resA2 = mkResident(t, st, w.a.ID, "Trần Văn Bình", 1949, "", "").ID
	w.resB = mkResident(t, st, w.b.ID, "Lê Thị Lan", 1962, "", "").ID
	rw := &rosterWorld{ward: w.a, centre: w.centre1}
	w.pastShift = mkShift(t, st, rw, now().Add(-48*time.Hour))
	w.nextShift = mkShift(t, st, rw, now().Add(48*time.Hour))
	w.staffA = mkUser(t, st, wardStaff(w.a.ID)).ID
	return w
}

func (w *mergeWorld) merge(by string) *directory.WardMerge {
	return &directory.WardMerge{From: w.a.ID, Into: w.b.ID, At: now(), By: by, Reason: "Nghị quyết sáp nhập 2025"}
}

// wantMerged checks everything the merge of w.a into w.b must have done.
func wantMerged(t *testing.T, st store.Store, w *mergeWorld, m *directory.WardMerge) {
	t.Helper()
	ctx := t.Context()
	a, err := st.WardByID(ctx, w.a.ID)
	must(t, err)
	if a.Status != directory.WardMerged || a.MergedInto != w.b.ID || a.MergedAt == nil || !a.MergedAt.Equal(m.At) {
		t.Fatalf("ward A after the merge: %+v", a)
	}
	b, err := st.WardByID(ctx, w.b.ID)
	must(t, err)
	if b.Status != directory.WardActive {
		t.Fatalf("ward B after the merge: %+v", b)
	}
	for _, id := range []string{w.resA1, w.resA2, w.resB} {
		r, err := st.ResidentByID(ctx, id)
		must(t, err)
		wantOrigin := w.a.ID
		if id == w.resB {
			wantOrigin = w.b.ID
		}
		if r.WardID != w.b.ID || r.OriginWardID != wantOrigin {
			t.Fatalf("resident %s: ward %s origin %s, want ward B and origin %s", id, r.WardID, r.OriginWardID, wantOrigin)
		}
	}
	same(t, "residents left in A", count(t, st, w.a.ID), 0)
	// A search by name follows the residents: the words of their names moved too.
	found, err := st.ListResidents(ctx, resident.Filter{WardID: w.b.ID, Terms: []string{"hoa"}}, page.Request{})
	must(t, err)
	same(t, "search of B", keys(found, residentID), []string{w.resA1})
	found, err = st.ListResidents(ctx, resident.Filter{WardID: w.a.ID, Terms: []string{"hoa"}}, page.Request{})
	must(t, err)
	same(t, "search of A", len(found), 0)
	same(t, "residents in B", count(t, st, w.b.ID), 3)
	for _, c := range []*directory.Centre{w.centre1, w.centre2} {
		got, err := st.CentreByID(ctx, c.ID)
		must(t, err)
		same(t, "centre's ward", got.WardID, w.b.ID)
	}
	past, err := st.ShiftByID(ctx, w.pastShift.ID)
	must(t, err)
	same(t, "past shift's ward (history keeps A)", past.WardID, w.a.ID)
	next, err := st.ShiftByID(ctx, w.nextShift.ID)
	must(t, err)
	same(t, "future shift's ward", next.WardID, w.b.ID)
	u, err := st.UserByID(ctx, w.staffA)
	must(t, err)
	if !slices.Contains(u.Scope.WardIDs, w.a.ID) || !slices.Contains(u.Scope.WardIDs, w.b.ID) {
		t.Fatalf("staff of A have wards %v, want A and B", u.Scope.WardIDs)
	}
	got, err := st.WardMergeOf(ctx, w.a.ID)
	must(t, err)
	same(t, "merge record", got, m)
	all, err := st.WardMerges(ctx)
	must(t, err)
	same(t, "merge records", all, []*directory.WardMerge{m})
}

func TestWardMerges(t *testing.T) {
	runCases(t, []storeCase{
		{"MovesPresentKeepsPast", func(t *testing.T, st store.Store) {
			w := mkMergeWorld(t, st)
			m := w.merge("admin-1")
			must(t, st.MergeWard(t.Context(), m))
			wantMerged(t, st, w, m)
			_, err := st.WardMergeOf(t.Context(), w.b.ID)
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"NewRowsOfAMergedWardGoToItsSuccessor", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkMergeWorld(t, st)
			must(t, st.MergeWard(ctx, w.merge("admin-1")))
			r, keys := newResident(t, w.a.ID, "Phạm Văn Đức", 1970, "", "")
			must(t, st.CreateResident(ctx, r, keys))
			got, err := st.ResidentByID(ctx, r.ID)
			must(t, err)
			if got.WardID != w.b.ID || got.OriginWardID != w.a.ID {
				t.Fatalf("resident registered in merged A: ward %s origin %s", got.WardID, got.OriginWardID)
			}
			c := newCentre(t, w.a.ID)
			must(t, st.CreateCentre(ctx, c))
			gc, err := st.CentreByID(ctx, c.ID)
			must(t, err)
			same(t, "centre created in merged A", gc.WardID, w.b.ID)
			// A change of a centre read before the merge does not move it back.
			stale := *w.centre2
			stale.Name = "Nhà sinh hoạt cộng đồng tổ 9"
			must(t, st.UpdateCentre(ctx, &stale))
			gc, err = st.CentreByID(ctx, w.centre2.ID)
			must(t, err)
			same(t, "centre changed from a read before the merge", gc.WardID, w.b.ID)
		}},
		{"Refusals", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkMergeWorld(t, st)
			c := mkWard(t, st, "C")
			must(t, st.MergeWard(ctx, w.merge("admin-1")))
			// A again: its record exists.
			again := w.merge("admin-2")
			again.Into = c.ID
			wantErr(t, st.MergeWard(ctx, again), apperr.ErrConflict)
			// Into A, merged already.
			wantErr(t, st.MergeWard(ctx, &directory.WardMerge{From: c.ID, Into: w.a.ID, At: now(), By: "admin-1", Reason: "x"}), directory.ErrWardMerged)
			// An unknown ward.
			wantErr(t, st.MergeWard(ctx, &directory.WardMerge{From: c.ID, Into: newID(t), At: now(), By: "admin-1", Reason: "x"}), apperr.ErrNotFound)
			all, err := st.WardMerges(ctx)
			must(t, err)
			same(t, "merge records", len(all), 1)
			cw, err := st.WardByID(ctx, c.ID)
			must(t, err)
			same(t, "ward C after refused merges", cw.Status, directory.WardActive)
		}},
		{"ConcurrentMergesOfOneWardStoreOne", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkMergeWorld(t, st)
			const n = 30
			errs := make([]error, n)
			merges := make([]*directory.WardMerge, n)
			var wg sync.WaitGroup
			for i := range n {
				merges[i] = w.merge("admin-" + string(rune('a'+i)))
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = st.MergeWard(ctx, merges[i])
				}()
			}
			wg.Wait()
			won := -1
			for i, err := range errs {
				switch {
				case err == nil:
					if won >= 0 {
						t.Fatalf("merges %d and %d both succeeded", won, i)
					}
					won = i
				case errors.Is(err, apperr.ErrConflict), errors.Is(err, directory.ErrWardMerged):
				default:
					t.Fatalf("merge %d: %v", i, err)
				}
			}
			if won < 0 {
				t.Fatal("no merge succeeded")
			}
			wantMerged(t, st, w, merges[won])
		}},
		{"HalfDoneMoveIsFinishedByARetry", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkMergeWorld(t, st)
			m := w.merge("admin-1")
			// The server stops after marking and moving one centre.
			must(t, st.BeginWardMerge(ctx, m))
			moved := *w.centre1
			moved.WardID = w.b.ID
			must(t, st.UpdateCentre(ctx, &moved))
			a, err := st.WardByID(ctx, w.a.ID)
			must(t, err)
			if a.Status != directory.WardMerging || a.MergedInto != w.b.ID || a.MergedAt != nil {
				t.Fatalf("ward A half-way: %+v", a)
			}
			same(t, "residents still in A", count(t, st, w.a.ID), 2)
			// A second merge of A is refused while the first is unfinished.
			wantErr(t, st.MergeWard(ctx, w.merge("admin-2")), apperr.ErrConflict)
			// The retry finishes it, and finishing again changes nothing.
			marked, err := st.FinishWardMerge(ctx, m)
			must(t, err)
			same(t, "the retry marked the ward merged", marked, true)
			wantMerged(t, st, w, m)
			marked, err = st.FinishWardMerge(ctx, m)
			must(t, err)
			same(t, "a second finish marked the ward merged", marked, false)
			wantMerged(t, st, w, m)
		}},
	})
}
