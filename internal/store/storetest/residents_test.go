package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"ecitizen/internal/apperr"
	"ecitizen/internal/page"
	"ecitizen/internal/resident"
	"ecitizen/internal/store"
	"ecitizen/internal/vntext"
)

func residentID(r *resident.Resident) string { return r.ID }

// newResident builds a resident of a ward; phone and national are blind indexes
// ("" for none), with stand-in ciphertexts (the store never decrypts).
func newResident(t testing.TB, wardID, name string, year int, phone, national string) (*resident.Resident, []resident.Key) {
	ts := now()
	r := &resident.Resident{ID: newID(t), WardID: wardID, FullName: name, BirthYear: year, Gender: resident.GenderFemale,
		Group: "Tổ 5", Notes: "Cần hỗ trợ đăng ký tài khoản VNeID", DuplicateOverride: "",
		Consent:   resident.Consent{Version: "2026-11", GivenAt: ts, RecordedBy: "staff-1"},
		CreatedBy: "staff-1", CreatedAt: ts, UpdatedAt: ts}
	r.NameKey = vntext.Fold(name)
	r.DupKey = resident.DupKeyOf(name, year, r.Group)
	if phone != "" {
		r.Phone, r.PhoneIndex = &resident.Sealed{KeyID: "k1", Box: []byte("box-" + phone)}, phone
	}
	if national != "" {
		r.NationalID, r.NationalIndex = &resident.Sealed{KeyID: "k1", Box: []byte("box-" + national)}, national
	}
	return r, claimsOf(r)
}

func claimsOf(r *resident.Resident) []resident.Key {
	var keys []resident.Key
	if r.PhoneIndex != "" {
		keys = append(keys, resident.Key{Kind: resident.KindPhone, Index: r.PhoneIndex, ResidentID: r.ID})
	}
	if r.NationalIndex != "" {
		keys = append(keys, resident.Key{Kind: resident.KindNationalID, Index: r.NationalIndex, ResidentID: r.ID})
	}
	return keys
}

func mkResident(t testing.TB, st store.Store, wardID, name string, year int, phone, national string) *resident.Resident {
	t.Helper()
	r, keys := newResident(t, wardID, name, year, phone, national)
	must(t, st.CreateResident(t.Context(), r, keys))
	return r
}

// wantTaken fails unless err is a *resident.KeyTakenError naming holder.
func wantTaken(t testing.TB, err error, kind resident.KeyKind, holder string) {
	t.Helper()
	var taken *resident.KeyTakenError
	if !errors.As(err, &taken) || taken.Kind != kind || taken.ResidentID != holder || !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("error %v, want the %s held by %s", err, kind, holder)
	}
}

func count(t testing.TB, st store.Store, wardID string) int {
	t.Helper()
	n, err := st.CountResidents(t.Context(), wardID)
	must(t, err)
	return n
}

func TestResidents(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTripAndClaims", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkWard(t, st, "R01")
			a := mkResident(t, st, w.ID, "Nguyễn Văn A", 1958, "p-1", "n-1")
			got, err := st.ResidentByID(ctx, a.ID)
			must(t, err)
			same(t, "resident", got, a)
			// Another resident with a's phone, or a's national ID: nothing stored.
			b, keys := newResident(t, w.ID, "Trần Thị B", 1960, "p-1", "n-2")
			wantTaken(t, st.CreateResident(ctx, b, keys), resident.KindPhone, a.ID)
			c, keys := newResident(t, w.ID, "Lê Văn C", 1961, "p-3", "n-1")
			wantTaken(t, st.CreateResident(ctx, c, keys), resident.KindNationalID, a.ID)
			same(t, "count", count(t, st, w.ID), 1)
			// The claims of the refused ones were released: p-3 and n-2 are free.
			mkResident(t, st, w.ID, "Phạm Văn D", 1970, "p-3", "n-2")
			// No numbers at all, twice: no claims.
			mkResident(t, st, w.ID, "Hoàng Thị E", 1980, "", "")
			mkResident(t, st, w.ID, "Hoàng Thị G", 1980, "", "")
			same(t, "count", count(t, st, w.ID), 4)
			_, err = st.ResidentByID(ctx, newID(t))
			wantErr(t, err, apperr.ErrNotFound)
			ghost, keys := newResident(t, newID(t), "Ma", 1990, "p-9", "")
			wantErr(t, st.CreateResident(ctx, ghost, keys), apperr.ErrNotFound)
		}},
		{"SearchWithinWard", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w, other := mkWard(t, st, "R02"), mkWard(t, st, "R03")
			var want []*resident.Resident
			for i := range 5 {
				want = append(want, mkResident(t, st, w.ID, fmt.Sprintf("Nguyễn Văn An %d", i), 1950+i, fmt.Sprintf("p%d", i), ""))
			}
			binh := mkResident(t, st, w.ID, "Trần Thị Bình", 1962, "", "n-7")
			mkResident(t, st, other.ID, "Nguyễn Văn An 9", 1950, "px", "")
			all, pages := allPages(t, 2, residentID, func(p page.Request) ([]*resident.Resident, error) {
				return st.ListResidents(ctx, resident.Filter{WardID: w.ID, Terms: []string{"nguyen", "an"}}, p)
			})
			same(t, "search by name", all, want)
			same(t, "pages", pages, 3)
			got, err := st.ListResidents(ctx, resident.Filter{WardID: w.ID, Terms: []string{"binh"}}, page.Request{})
			must(t, err)
			same(t, "by a word", got, []*resident.Resident{binh})
			got, err = st.ListResidents(ctx, resident.Filter{WardID: w.ID, Terms: []string{"inh"}}, page.Request{})
			must(t, err)
			same(t, "inside a word", len(got), 0)
			got, err = st.ListResidents(ctx, resident.Filter{WardID: w.ID, PhoneIndexes: []string{"p3"}}, page.Request{})
			must(t, err)
			same(t, "by phone", got, []*resident.Resident{want[3]})
			got, err = st.ListResidents(ctx, resident.Filter{WardID: w.ID, PhoneIndexes: []string{"px"}}, page.Request{})
			must(t, err)
			same(t, "another ward's phone", len(got), 0)
			got, err = st.ListResidents(ctx, resident.Filter{WardID: w.ID, NationalIndexes: []string{"n-7"}}, page.Request{})
			must(t, err)
			same(t, "by national id", got, []*resident.Resident{binh})
			got, err = st.ListResidents(ctx, resident.Filter{WardID: w.ID, DupKey: binh.DupKey}, page.Request{})
			must(t, err)
			same(t, "by duplicate key", got, []*resident.Resident{binh})
			// Operator- and pattern-like terms are data.
			for _, term := range []string{`{"$ne": ""}`, "%", "_", ".*", `\`} {
				got, err = st.ListResidents(ctx, resident.Filter{WardID: w.ID, Terms: []string{term}}, page.Request{})
				must(t, err)
				same(t, "search "+term, len(got), 0)
			}
		}},
		{"SearchByNameWords", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w, other := mkWard(t, st, "R06"), mkWard(t, st, "R07")
			search := func(wardID, q string, limit int) []string {
				t.Helper()
				all, _ := allPages(t, limit, residentID, func(p page.Request) ([]*resident.Resident, error) {
					return st.ListResidents(ctx, resident.Filter{WardID: wardID, Terms: vntext.Terms(q)}, p)
				})
				return keys(all, residentID)
			}
			// Created in id order; their matching words sort the other way
			// ("anh" after "an"), so the order of a page is the ids', not the words'.
			anh := mkResident(t, st, w.ID, "Bùi Thị Anh", 1950, "", "")
			an := mkResident(t, st, w.ID, "Nguyễn Văn An", 1951, "", "")
			ngoc := mkResident(t, st, w.ID, "Nguyễn Ngọc Ánh", 1952, "", "")
			dang := mkResident(t, st, w.ID, "Đặng Hữu Nam", 1953, "", "")
			mkResident(t, st, other.ID, "Nguyễn An Đặng", 1954, "", "")
			for _, c := range []struct {
				q    string
				want []*resident.Resident
			}{
				{"an", []*resident.Resident{anh, an, ngoc}},   // prefix of words, diacritics ignored
				{"AN", []*resident.Resident{anh, an, ngoc}},   // case ignored
				{"ng", []*resident.Resident{an, ngoc}},        // two words of Ngọc's name start with it: listed once
				{"nguyễn an", []*resident.Resident{an, ngoc}}, // every term, each in any word
				{"an nguyen van", []*resident.Resident{an}},   // in any order
				{"dang", []*resident.Resident{dang}},          // đ folds to d; not the other ward's
				{"anh nam", nil},                              // no resident has both
				{"guyen", nil},                                // inside a word
				{"nguyễn văn an nữa", nil},                    // a term no word starts with
				{"nguyenvan", nil},                            // across words
			} {
				got := search(w.ID, c.q, 1)
				same(t, "search "+c.q+" (pages of 1)", got, keys(c.want, residentID))
				same(t, "search "+c.q, search(w.ID, c.q, 20), got)
			}
			same(t, "the other ward", len(search(other.ID, "bui", 20)), 0)
			// A rename changes the words: the old name is not found, the new one is.
			renamed := *an
			renamed.FullName, renamed.UpdatedAt = "Lý Quốc Bảo", now()
			renamed.NameKey = vntext.Fold(renamed.FullName)
			must(t, st.UpdateResident(ctx, &renamed, nil, nil))
			same(t, "old name", search(w.ID, "nguyen an", 20), []string{ngoc.ID})
			same(t, "new name", search(w.ID, "bao ly", 20), []string{an.ID})
			// An erased resident is not found by any word of its former name.
			ts := now()
			erased := &resident.Resident{ID: ngoc.ID, WardID: ngoc.WardID, OriginWardID: ngoc.OriginWardID, Consent: ngoc.Consent,
				CreatedBy: ngoc.CreatedBy, CreatedAt: ngoc.CreatedAt, UpdatedAt: ts, ErasedAt: &ts, ErasedBy: "staff-1"}
			must(t, st.EraseResident(ctx, erased, nil, &resident.Audit{ID: newID(t), ResidentID: ngoc.ID, WardID: w.ID,
				Action: resident.ActionErase, Fields: resident.ErasedFields, Reason: "Người dân yêu cầu xoá", By: "staff-1", At: ts}))
			for _, q := range []string{"nguyen", "ngoc", "anh"} {
				for _, id := range search(w.ID, q, 20) {
					if id == ngoc.ID {
						t.Fatalf("search %q finds the erased resident", q)
					}
				}
			}
			same(t, "anh after the erasure", search(w.ID, "anh", 20), []string{anh.ID})
		}},
		{"UpdateMovesClaims", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkWard(t, st, "R04")
			a := mkResident(t, st, w.ID, "Nguyễn Văn A", 1958, "p-1", "")
			b := mkResident(t, st, w.ID, "Trần Thị B", 1960, "p-2", "")
			// b takes a's phone: refused, b unchanged.
			changed := *b
			changed.Phone, changed.PhoneIndex = &resident.Sealed{KeyID: "k1", Box: []byte("x")}, "p-1"
			wantTaken(t, st.UpdateResident(ctx, &changed, claimsOf(&changed), claimsOf(b)), resident.KindPhone, a.ID)
			got, err := st.ResidentByID(ctx, b.ID)
			must(t, err)
			same(t, "b after a refused change", got, b)
			// a moves to p-3 and adds a national ID; p-1 is free for b.
			moved := *a
			moved.Phone, moved.PhoneIndex = &resident.Sealed{KeyID: "k1", Box: []byte("p-3")}, "p-3"
			moved.NationalID, moved.NationalIndex = &resident.Sealed{KeyID: "k1", Box: []byte("n-3")}, "n-3"
			moved.FullName, moved.UpdatedAt = "Nguyễn Văn Anh", now()
			must(t, st.UpdateResident(ctx, &moved, claimsOf(&moved), claimsOf(a)))
			got, err = st.ResidentByID(ctx, a.ID)
			must(t, err)
			same(t, "a moved", got, &moved)
			must(t, st.UpdateResident(ctx, &changed, claimsOf(&changed), claimsOf(b)))
			d, keys := newResident(t, w.ID, "Lê D", 1990, "p-3", "")
			wantTaken(t, st.CreateResident(ctx, d, keys), resident.KindPhone, a.ID)
			wantErr(t, st.UpdateResident(ctx, d, nil, nil), apperr.ErrNotFound)
		}},
		{"EraseKeepsCountAndFreesNumbers", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkWard(t, st, "R05")
			a := mkResident(t, st, w.ID, "Nguyễn Văn A", 1958, "p-1", "n-1")
			mkResident(t, st, w.ID, "Trần Thị B", 1960, "p-2", "")
			reveal := &resident.Audit{ID: newID(t), ResidentID: a.ID, WardID: w.ID, Action: resident.ActionReveal,
				Fields: []string{resident.FieldPhone, resident.FieldNationalID}, Reason: "Gọi lại hẹn lịch", By: "staff-1", At: now()}
			must(t, st.AddAudit(ctx, reveal))
			ts := now()
			erased := &resident.Resident{ID: a.ID, WardID: a.WardID, OriginWardID: a.OriginWardID, Consent: a.Consent, CreatedBy: a.CreatedBy,
				CreatedAt: a.CreatedAt, UpdatedAt: ts, ErasedAt: &ts, ErasedBy: "staff-1"}
			erase := &resident.Audit{ID: newID(t), ResidentID: a.ID, WardID: w.ID, Action: resident.ActionErase,
				Fields: resident.ErasedFields, Reason: "Người dân yêu cầu xoá", By: "staff-1", At: ts}
			must(t, st.EraseResident(ctx, erased, claimsOf(a), erase))
			got, err := st.ResidentByID(ctx, a.ID)
			must(t, err)
			same(t, "erased resident", got, erased)
			if got.Phone != nil || got.NationalID != nil || got.FullName != "" || got.PhoneIndex != "" {
				t.Fatalf("personal data left: %+v", got)
			}
			same(t, "count", count(t, st, w.ID), 2)
			list, err := st.ListResidents(ctx, resident.Filter{WardID: w.ID}, page.Request{})
			must(t, err)
			same(t, "listed", len(list), 1)
			again := &resident.Audit{ID: newID(t), ResidentID: a.ID, WardID: w.ID, Action: resident.ActionErase,
				Fields: resident.ErasedFields, Reason: "Lần hai", By: "staff-1", At: now()}
			wantErr(t, st.EraseResident(ctx, erased, nil, again), resident.ErrErased)
			// The numbers are free again.
			mkResident(t, st, w.ID, "Lê Văn C", 1970, "p-1", "n-1")
			trail, pages := allPages(t, 1, func(a *resident.Audit) string { return a.ID }, func(p page.Request) ([]*resident.Audit, error) {
				return st.ListAudit(ctx, w.ID, p)
			})
			same(t, "audit newest first", trail, []*resident.Audit{erase, reveal})
			same(t, "pages", pages, 2)
			other, err := st.ListAudit(ctx, newID(t), page.Request{})
			must(t, err)
			same(t, "another ward's audit", len(other), 0)
		}},
	})
}

func TestResidentConcurrency(t *testing.T) {
	runCases(t, []storeCase{
		{"SamePhoneRegisteredOnce", func(t *testing.T, st store.Store) {
			const n = 100
			w := mkWard(t, st, "R10")
			rs := make([]*resident.Resident, n)
			ks := make([][]resident.Key, n)
			for i := range rs {
				rs[i], ks[i] = newResident(t, w.ID, fmt.Sprintf("Người dân %d", i), 1960, "same-phone", fmt.Sprintf("n-%d", i))
			}
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					errs[i] = st.CreateResident(t.Context(), rs[i], ks[i])
				})
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner >= 0:
					t.Fatalf("residents %d and %d both hold one phone", winner, i)
				case err == nil:
					winner = i
				default:
					var taken *resident.KeyTakenError
					if !errors.As(err, &taken) {
						t.Fatalf("create %d: %v, want nil or a taken key", i, err)
					}
				}
			}
			if winner < 0 {
				t.Fatal("no resident created")
			}
			same(t, "stored", count(t, st, w.ID), 1)
			// The losers' national ID claims were released.
			mkResident(t, st, w.ID, "Người mới", 1990, "", fmt.Sprintf("n-%d", (winner+1)%n))
		}},
		{"ConcurrentErasuresAuditedOnce", func(t *testing.T, st store.Store) {
			const n = 20
			w := mkWard(t, st, "R11")
			a := mkResident(t, st, w.ID, "Nguyễn Văn A", 1958, "p-1", "n-1")
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					ts := now()
					e := &resident.Resident{ID: a.ID, WardID: a.WardID, Consent: a.Consent, CreatedBy: a.CreatedBy,
						CreatedAt: a.CreatedAt, UpdatedAt: ts, ErasedAt: &ts, ErasedBy: "staff-1"}
					errs[i] = st.EraseResident(t.Context(), e, claimsOf(a), &resident.Audit{ID: newID(t), ResidentID: a.ID,
						WardID: w.ID, Action: resident.ActionErase, Fields: resident.ErasedFields, Reason: "Yêu cầu xoá", By: "staff-1", At: ts})
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil && !errors.Is(err, resident.ErrErased) {
					t.Fatalf("erasure %d: %v", i, err)
				}
			}
			trail, err := st.ListAudit(t.Context(), w.ID, page.Request{})
			must(t, err)
			same(t, "erasure audit records", len(trail), 1)
			got, err := st.ResidentByID(t.Context(), a.ID)
			must(t, err)
			if !got.Erased() || got.Phone != nil || got.FullName != "" {
				t.Fatalf("not erased: %+v", got)
			}
			mkResident(t, st, w.ID, "Lê Văn C", 1970, "p-1", "n-1")
		}},
	})
}
