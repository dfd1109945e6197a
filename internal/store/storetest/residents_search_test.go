package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"ecitizen/internal/page"
	"ecitizen/internal/resident"
	"ecitizen/internal/store"
	"ecitizen/internal/vntext"
)

// TestResidentSearchModel: a ward's residents searched by name, page by page,
// are exactly those whose folded name has, for every term, a word starting with
// it, in id order — checked against that rule computed here, for terms that are
// whole words shared by most of the ward, prefixes of a few words, prefixes of
// more words than an adapter reads one by one, words nobody has, and several
// terms at once, with the residents of another ward and erased ones never found.
func TestResidentSearchModel(t *testing.T) {
	runCases(t, []storeCase{
		{"Model", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w, other := mkWard(t, st, "S01"), mkWard(t, st, "S02")
			// Given names: the bench's, and thirty that start with "kh", more
			// than an adapter may read word by word.
			given := slices.Clone(benchGiven)
			for i := range 30 {
				given = append(given, fmt.Sprintf("Kh%c%c", 'a'+i%26, 'a'+i/26))
			}
			rnd := rand.New(rand.NewPCG(7, 7))
			var in []*resident.Resident
			for i := range 260 {
				name := benchFamily[rnd.IntN(len(benchFamily))] + " " + benchMiddle[rnd.IntN(len(benchMiddle))] + " " +
					given[rnd.IntN(len(given))]
				ward := w.ID
				if i%7 == 0 {
					ward = other.ID
				}
				r := mkResident(t, st, ward, name, 1950+i%50, "", "")
				if ward == w.ID {
					in = append(in, r)
				}
			}
			// One erased resident of the ward, whose name every query below
			// would find otherwise.
			res, ts := in[3], now()
			erased := &resident.Resident{ID: res.ID, WardID: res.WardID, Consent: res.Consent, CreatedBy: res.CreatedBy,
				CreatedAt: res.CreatedAt, UpdatedAt: ts, ErasedAt: &ts, ErasedBy: "staff-1"}
			must(t, st.EraseResident(ctx, erased, claimsOf(res), &resident.Audit{ID: newID(t), ResidentID: res.ID, WardID: res.WardID,
				Action: resident.ActionErase, Fields: resident.ErasedFields, Reason: "Yêu cầu xoá", By: "staff-1", At: ts}))
			in = slices.Delete(in, 3, 4)

			matches := func(r *resident.Resident, terms []string) bool {
				words := strings.Fields(vntext.Fold(r.FullName))
				for _, t := range terms {
					if !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, t) }) {
						return false
					}
				}
				return true
			}
			for _, q := range []string{"nguyen", "nguyen th", "ng", "n", "t", "kh", "kha", "khab", "thi huong", "van kh",
				"ly quoc yen", "zz", "nguyen van an", "h h", "tran thi", "a"} {
				terms := vntext.Terms(q)
				var want []string
				for _, r := range in {
					if matches(r, terms) {
						want = append(want, r.ID)
					}
				}
				slices.Sort(want)
				for _, limit := range []int{7, 50} {
					got, _ := allPages(t, limit, residentID, func(p page.Request) ([]*resident.Resident, error) {
						return st.ListResidents(ctx, resident.Filter{WardID: w.ID, Terms: terms}, p)
					})
					same(t, fmt.Sprintf("%q by %d", q, limit), keys(got, residentID), append([]string{}, want...))
				}
			}
		}},
	})
}
