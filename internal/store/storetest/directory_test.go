package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/page"
	"ecitizen/internal/store"
)

func TestWards(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTrip", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			target := mkWard(t, st, "26734")
			merged := mkWard(t, st, "26737", func(w *directory.Ward) {
				w.Status, w.MergedInto = directory.WardMerged, target.ID
				w.UpdatedAt = w.CreatedAt.Add(999 * time.Millisecond)
			})
			for _, want := range []*directory.Ward{target, merged} {
				got, err := st.WardByID(ctx, want.ID)
				must(t, err)
				same(t, "ward", got, want)
			}
		}},
		{"ErrNotFound", func(t *testing.T, st store.Store) {
			mkWard(t, st, "W1")
			_, err := st.WardByID(t.Context(), newID(t))
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"ErrCodeTaken", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			first := mkWard(t, st, "W1")
			dup := newWard(t, "W1")
			wantErr(t, st.CreateWard(ctx, dup), apperr.ErrConflict)
			_, err := st.WardByID(ctx, dup.ID)
			wantErr(t, err, apperr.ErrNotFound)

			// Codes are compared exactly: another case is another code.
			mkWard(t, st, "w1")

			// Renaming onto a taken code is a conflict and changes nothing.
			second := mkWard(t, st, "W2")
			upd := *second
			upd.Code = first.Code
			wantErr(t, st.UpdateWard(ctx, &upd), apperr.ErrConflict)
			got, err := st.WardByID(ctx, second.ID)
			must(t, err)
			same(t, "ward after a refused update", got, second)
		}},
		{"UpdateReplacesMutableFields", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			a, b := mkWard(t, st, "A"), mkWard(t, st, "B")
			upd := *b
			upd.Code = "C"
			upd.NameVi, upd.NameEn = "Phường Bến Nghé", "Ben Nghe Ward"
			upd.Status, upd.MergedInto = directory.WardMerged, a.ID
			upd.UpdatedAt = b.UpdatedAt.Add(time.Minute)
			must(t, st.UpdateWard(ctx, &upd))
			got, err := st.WardByID(ctx, b.ID)
			must(t, err)
			same(t, "updated ward", got, &upd)

			// The old code is free again, and lists see the new one.
			mkWard(t, st, "B")
			list, err := st.ListWards(ctx, directory.WardFilter{}, page.Request{})
			must(t, err)
			same(t, "codes", keys(list, wardCode), []string{"A", "B", "C"})

			// Back to active: MergedInto is cleared.
			upd.Status, upd.MergedInto = directory.WardActive, ""
			must(t, st.UpdateWard(ctx, &upd))
			got, err = st.WardByID(ctx, b.ID)
			must(t, err)
			same(t, "reactivated ward", got, &upd)
		}},
		{"UpdateMissingNotFound", func(t *testing.T, st store.Store) {
			wantErr(t, st.UpdateWard(t.Context(), newWard(t, "W1")), apperr.ErrNotFound)
		}},
		{"ListOrderedByCode", func(t *testing.T, st store.Store) {
			codes := []string{"26740", "26734", "Z9", "26737", "A-1", "26743", "a_2"}
			byCode := map[string]*directory.Ward{}
			for _, c := range codes {
				byCode[c] = mkWard(t, st, c)
			}
			want := slices.Sorted(slices.Values(codes))
			got, pages := allPages(t, 3, wardCode, func(r page.Request) ([]*directory.Ward, error) {
				return st.ListWards(t.Context(), directory.WardFilter{}, r)
			})
			if pages != 3 {
				t.Fatalf("pages = %d, want 3", pages)
			}
			same(t, "codes", keys(got, wardCode), want)
			for _, w := range got {
				same(t, "listed ward", w, byCode[w.Code])
			}
		}},
		{"ListFilterStatus", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			target := mkWard(t, st, "T")
			merged := func(w *directory.Ward) { w.Status, w.MergedInto = directory.WardMerged, target.ID }
			mkWard(t, st, "M2", merged)
			mkWard(t, st, "A1")
			mkWard(t, st, "M1", merged)
			for _, c := range []struct {
				status directory.WardStatus
				want   []string
			}{
				{"", []string{"A1", "M1", "M2", "T"}},
				{directory.WardActive, []string{"A1", "T"}},
				{directory.WardMerged, []string{"M1", "M2"}},
			} {
				got, err := st.ListWards(ctx, directory.WardFilter{Status: c.status}, page.Request{Limit: 10})
				must(t, err)
				same(t, "codes of status "+string(c.status), keys(got, wardCode), c.want)
			}
			// A page after "M1" of merged wards.
			got, err := st.ListWards(ctx, directory.WardFilter{Status: directory.WardMerged}, page.Request{After: "M1", Limit: 10})
			must(t, err)
			same(t, "merged after M1", keys(got, wardCode), []string{"M2"})
		}},
	})
}

func TestCentres(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTripWithHours", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkWard(t, st, "W1")
			full := mkCentre(t, st, w.ID, func(c *directory.Centre) {
				c.Hours = directory.OpeningHours{
					Mon: []directory.Span{{Open: "07:30", Close: "11:00"}, {Open: "13:00", Close: "16:30"}, {Open: "18:00", Close: "21:00"}},
					Tue: []directory.Span{{Open: "07:30", Close: "11:00"}},
					Wed: []directory.Span{{Open: "00:00", Close: "24:00"}},
					Sun: []directory.Span{{Open: "08:00", Close: "10:00"}},
				}
				c.Seats = 0
				c.Active = false
			})
			closed := mkCentre(t, st, w.ID, func(c *directory.Centre) { c.Hours = directory.OpeningHours{} })
			for _, want := range []*directory.Centre{full, closed} {
				got, err := st.CentreByID(ctx, want.ID)
				must(t, err)
				same(t, "centre", got, want)
			}
		}},
		{"ErrNotFound", func(t *testing.T, st store.Store) {
			_, err := st.CentreByID(t.Context(), newID(t))
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"UnknownWardNotFound", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			mkWard(t, st, "W1")
			c := newCentre(t, newID(t))
			wantErr(t, st.CreateCentre(ctx, c), apperr.ErrNotFound)
			_, err := st.CentreByID(ctx, c.ID)
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"UpdateReplacesMutableFields", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w1, w2 := mkWard(t, st, "W1"), mkWard(t, st, "W2")
			orig := mkCentre(t, st, w1.ID)
			upd := *orig
			upd.WardID = w2.ID
			upd.Name, upd.Address = "Nhà văn hoá mới", "1 Nguyễn Huệ"
			upd.Hours = directory.OpeningHours{Fri: []directory.Span{{Open: "14:00", Close: "20:00"}}}
			upd.Seats, upd.Active = 40, false
			upd.UpdatedAt = orig.UpdatedAt.Add(time.Minute)
			must(t, st.UpdateCentre(ctx, &upd))
			got, err := st.CentreByID(ctx, orig.ID)
			must(t, err)
			same(t, "updated centre", got, &upd)
		}},
		{"UpdateMissingNotFound", func(t *testing.T, st store.Store) {
			w := mkWard(t, st, "W1")
			wantErr(t, st.UpdateCentre(t.Context(), newCentre(t, w.ID)), apperr.ErrNotFound)
		}},
		{"ListByWardAndActive", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w1, w2 := mkWard(t, st, "W1"), mkWard(t, st, "W2")
			inactive := func(c *directory.Centre) { c.Active = false }
			var all []*directory.Centre
			for i := range 9 {
				ward := w1
				if i%3 == 0 {
					ward = w2
				}
				var opts []func(*directory.Centre)
				if i%2 == 0 {
					opts = append(opts, inactive)
				}
				all = append(all, mkCentre(t, st, ward.ID, opts...))
			}
			yes, no := true, false
			for _, c := range []struct {
				name string
				f    directory.CentreFilter
			}{
				{"None", directory.CentreFilter{}},
				{"Ward", directory.CentreFilter{WardID: w1.ID}},
				{"Active", directory.CentreFilter{Active: &yes}},
				{"Inactive", directory.CentreFilter{Active: &no}},
				{"WardActive", directory.CentreFilter{WardID: w1.ID, Active: &yes}},
				{"WardInactive", directory.CentreFilter{WardID: w2.ID, Active: &no}},
				{"UnknownWard", directory.CentreFilter{WardID: newID(t)}},
			} {
				var want []*directory.Centre
				for _, x := range all {
					if (c.f.WardID == "" || x.WardID == c.f.WardID) && (c.f.Active == nil || x.Active == *c.f.Active) {
						want = append(want, x)
					}
				}
				slices.SortFunc(want, func(a, b *directory.Centre) int { return strings.Compare(a.ID, b.ID) })
				got, _ := allPages(t, 2, centreID, func(r page.Request) ([]*directory.Centre, error) {
					return st.ListCentres(ctx, c.f, r)
				})
				if len(want) == 0 {
					if len(got) != 0 {
						t.Fatalf("%s: got %s, want none", c.name, show(got))
					}
					continue
				}
				same(t, c.name, got, want)
			}
		}},
	})
}

func TestOrganisations(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTrip", func(t *testing.T, st store.Store) {
			o := mkOrganisation(t, st)
			bare := mkOrganisation(t, st, func(o *directory.Organisation) {
				o.Kind, o.ContactName, o.ContactEmail, o.ContactPhone = directory.KindOther, "", "", ""
				o.Active = false
			})
			for _, want := range []*directory.Organisation{o, bare} {
				got, err := st.OrganisationByID(t.Context(), want.ID)
				must(t, err)
				same(t, "organisation", got, want)
			}
		}},
		{"ErrNotFound", func(t *testing.T, st store.Store) {
			_, err := st.OrganisationByID(t.Context(), newID(t))
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"ErrIDTaken", func(t *testing.T, st store.Store) {
			first := mkOrganisation(t, st)
			dup := newOrganisation(t, func(o *directory.Organisation) { o.ID, o.Name = first.ID, "Khác" })
			wantErr(t, st.CreateOrganisation(t.Context(), dup), apperr.ErrConflict)
			got, err := st.OrganisationByID(t.Context(), first.ID)
			must(t, err)
			same(t, "stored organisation", got, first)
		}},
		{"UpdateReplacesMutableFields", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			orig := mkOrganisation(t, st)
			upd := *orig
			upd.Kind, upd.Name = directory.KindYouthUnion, "Đoàn Thanh niên phường"
			upd.ContactName, upd.ContactEmail, upd.ContactPhone = "Phạm D", "doan@example.vn", "0280000000"
			upd.Active = false
			upd.UpdatedAt = orig.UpdatedAt.Add(time.Minute)
			must(t, st.UpdateOrganisation(ctx, &upd))
			got, err := st.OrganisationByID(ctx, orig.ID)
			must(t, err)
			same(t, "updated organisation", got, &upd)
		}},
		{"UpdateMissingNotFound", func(t *testing.T, st store.Store) {
			wantErr(t, st.UpdateOrganisation(t.Context(), newOrganisation(t)), apperr.ErrNotFound)
		}},
		{"ListByKindPaginated", func(t *testing.T, st store.Store) {
			kinds := []directory.OrganisationKind{directory.KindUniversity, directory.KindYouthUnion, directory.KindOther}
			var all []*directory.Organisation
			for i := range 10 {
				all = append(all, mkOrganisation(t, st, func(o *directory.Organisation) { o.Kind = kinds[i%3] }))
			}
			for _, kind := range append([]directory.OrganisationKind{""}, kinds...) {
				var want []*directory.Organisation
				for _, o := range all {
					if kind == "" || o.Kind == kind {
						want = append(want, o)
					}
				}
				slices.SortFunc(want, func(a, b *directory.Organisation) int { return strings.Compare(a.ID, b.ID) })
				got, pages := allPages(t, 2, organisationID, func(r page.Request) ([]*directory.Organisation, error) {
					return st.ListOrganisations(t.Context(), directory.OrganisationFilter{Kind: kind}, r)
				})
				if wantPages := (len(want) + 1) / 2; pages != wantPages {
					t.Fatalf("kind %q: pages = %d, want %d", kind, pages, wantPages)
				}
				same(t, "organisations of kind "+string(kind), got, want)
			}
		}},
	})
}
