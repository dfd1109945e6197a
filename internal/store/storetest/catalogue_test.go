package storetest

import (
	"testing"

	"ecitizen/internal/course"
	"ecitizen/internal/identity"
	"ecitizen/internal/store"
)

// TestCatalogueCards: through the course service's writes (publishing, a new
// version published, archiving and restoring, importing built-in courses and a
// changed built-in), the catalogue lists exactly the card of each listed course's
// current published version, derived from the version as stored, and search
// finds what that version's text holds and no longer what an older one held.
func TestCatalogueCards(t *testing.T) {
	runCases(t, []storeCase{
		{"Lifecycle", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			svc := course.NewService(course.Deps{Store: st, KnownSkill: func(string) bool { return true }})
			admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
			// shows checks the whole catalogue (terms, when given) against the
			// current published versions of the courses named, and that its stamp is
			// the store's current one.
			shows := func(what string, terms []string, courses ...string) {
				t.Helper()
				got, stamp, err := st.CatalogueCards(ctx, course.CatalogueFilter{Terms: terms})
				must(t, err)
				if now, err := st.CatalogueStamp(ctx); err != nil || now != stamp {
					t.Fatalf("%s: cards read at stamp %q, store's stamp %q (%v)", what, stamp, now, err)
				}
				want := map[string]*course.Card{}
				for _, id := range courses {
					co, err := st.CourseByID(ctx, id)
					must(t, err)
					v, err := st.Version(ctx, id, co.PublishedVersion)
					must(t, err)
					want[id] = course.CardOf(v)
				}
				if len(got) != len(want) {
					t.Fatalf("%s: %d cards %v, want %d", what, len(got), keys(got, cardKey), len(want))
				}
				for _, k := range got {
					same(t, what+": card of "+k.CourseID, k, want[k.CourseID])
				}
			}
			// moved checks that the stamp moved since the last call when the
			// catalogue changed, and stayed when it did not.
			var last string
			moved := func(what string, changed bool) {
				t.Helper()
				now, err := st.CatalogueStamp(ctx)
				must(t, err)
				if now == "" || (now != last) != changed {
					t.Fatalf("%s: stamp %q after %q, want changed=%v", what, now, last, changed)
				}
				last = now
			}
			publish := func(id string, n int) {
				t.Helper()
				_, err := svc.Transition(ctx, admin, id, n, course.ActionSubmit, "")
				must(t, err)
				_, err = svc.Transition(ctx, admin, id, n, course.ActionPublish, "")
				must(t, err)
			}
			content := func(title string) course.Content {
				v := newVersion("", 0, func(v *course.Version) { v.Title = course.Text{Vi: title, En: title + " (en)"} })
				return course.Content{Title: v.Title, Summary: v.Summary, Audience: v.Audience, Level: v.Level,
					Skills: v.Skills, Lessons: v.Lessons}
			}

			co, _, err := svc.CreateCourse(ctx, admin, org.ID, content("Khoá Hoa sen"))
			must(t, err)
			shows("a draft", nil)
			moved("a draft", true)
			moved("nothing", false)
			publish(co.ID, 1)
			moved("published", true)
			shows("published", nil, co.ID)
			shows("search", []string{"hoa", "sen"}, co.ID)
			moved("reads", false)

			// A new version: the published one stays listed until the new one is published.
			_, err = svc.NewVersion(ctx, admin, co.ID)
			must(t, err)
			_, err = svc.UpdateVersion(ctx, admin, co.ID, 2, content("Khoá Cúc vàng"))
			must(t, err)
			shows("a new draft", nil, co.ID)
			shows("the draft's text", []string{"cuc"})
			last, _ = st.CatalogueStamp(ctx) // drafts may move it or not
			publish(co.ID, 2)
			moved("version 2 published", true)
			shows("version 2 published", nil, co.ID)
			shows("version 2's text", []string{"cuc", "vang"}, co.ID)
			shows("version 1's text", []string{"hoa", "sen"})

			_, err = svc.Archive(ctx, admin, co.ID, true)
			must(t, err)
			moved("archived", true)
			shows("archived", nil)
			_, err = svc.Archive(ctx, admin, co.ID, false)
			must(t, err)
			moved("restored", true)
			shows("restored", nil, co.ID)

			// Built-in courses: created published, then a changed file publishes version 2.
			builtin := func(title string) []course.Builtin {
				v := newVersion("", 0, func(v *course.Version) { v.Title = course.Text{Vi: title, En: title + " (en)"} })
				return []course.Builtin{{Slug: "tu-cach-cong-dan-so", Version: *v}}
			}
			res, err := svc.ImportBuiltins(ctx, org.ID, builtin("Công dân số"))
			must(t, err)
			if res.Created != 1 {
				t.Fatalf("import: %+v", res)
			}
			b, err := st.CourseByBuiltinSlug(ctx, "tu-cach-cong-dan-so")
			must(t, err)
			moved("a built-in imported", true)
			shows("a built-in imported", nil, co.ID, b.ID)
			res, err = svc.ImportBuiltins(ctx, org.ID, builtin("Công dân số nâng cao"))
			must(t, err)
			if res.Updated != 1 {
				t.Fatalf("re-import: %+v", res)
			}
			moved("a built-in changed", true)
			shows("a built-in changed", nil, co.ID, b.ID)
			shows("the changed built-in's text", []string{"nang", "cao"}, b.ID)
			if b, err = st.CourseByBuiltinSlug(ctx, "tu-cach-cong-dan-so"); err != nil || b.PublishedVersion != 2 {
				t.Fatalf("built-in after its change: %+v %v", b, err)
			}
		}},
	})
}

// TestCatalogueCardsAcrossInstances: two stores on one database, as two
// instances of the service: what one writes (a new version published, an
// archive) the other lists at once, whatever cards it kept from earlier reads.
func TestCatalogueCardsAcrossInstances(t *testing.T) {
	for _, ad := range Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			ctx := t.Context()
			cfg := ad.Config(t)
			a, b := MustOpen(t, cfg), MustOpen(t, cfg)
			org := mkOrganisation(t, b)
			c, v1 := mkCourse(t, b, org.ID, published)
			var last string
			lists := func(what string, want ...*course.Version) {
				t.Helper()
				got, stamp, err := a.CatalogueCards(ctx, course.CatalogueFilter{})
				must(t, err)
				if stamp == last {
					t.Fatalf("%s: the stamp %q did not change", what, stamp)
				}
				last = stamp
				cards := []*course.Card{}
				for _, v := range want {
					cards = append(cards, course.CardOf(v))
				}
				if len(got) == 0 {
					got = []*course.Card{}
				}
				same(t, what, got, cards)
			}
			lists("published by the other", v1)
			v2 := newVersion(c.ID, 2, func(v *course.Version) {
				v.Status, v.PublishedAt = course.StatusPublished, &v.CreatedAt
				v.Title.Vi, v.SearchText = "Phiên bản hai", "phien ban hai"
			})
			must(t, b.CreateVersion(ctx, v2))
			c.PublishedVersion, c.LatestVersion = 2, 2
			must(t, b.UpdateCourse(ctx, c))
			lists("version 2 published by the other", v2)
			c.Archived = true
			must(t, b.UpdateCourse(ctx, c))
			lists("archived by the other")
			c.Archived = false
			must(t, b.UpdateCourse(ctx, c))
			lists("restored by the other", v2)
		})
	}
}
