package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/course"
	"ecitizen/internal/page"
	"ecitizen/internal/store"
)

// race runs n calls of f at once and returns the index of the one that succeeded;
// it fails unless exactly one did and every other failed with ErrConflict.
func race(t *testing.T, n int, f func(i int) error) int {
	t.Helper()
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("calls %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, apperr.ErrConflict):
			t.Fatalf("call %d: %v, want nil or ErrConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no call succeeded")
	}
	return winner
}

func TestCourses(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTrip", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			c, v := mkCourse(t, st, org.ID)
			got, err := st.CourseByID(ctx, c.ID)
			must(t, err)
			same(t, "CourseByID", got, c)
			gotV, err := st.Version(ctx, c.ID, 1)
			must(t, err)
			same(t, "Version", gotV, v)

			// Published, with nil skills and an empty lesson list; a quiz question
			// without options and a lesson whose quiz has nil questions.
			c2, v2 := mkCourse(t, st, org.ID, published, func(c *course.Course, v *course.Version) {
				c.Archived = true
				c.UpdatedAt = c.CreatedAt.Add(1500 * time.Millisecond)
				v.Skills, v.Lessons, v.ReviewNote = nil, []course.Lesson{}, "Sửa phần mở đầu."
			})
			gotV, err = st.Version(ctx, c2.ID, 1)
			must(t, err)
			same(t, "published version with nil skills and no lessons", gotV, v2)
			got, err = st.CourseByID(ctx, c2.ID)
			must(t, err)
			same(t, "archived course", got, c2)

			v3 := newVersion(c2.ID, 2, func(v *course.Version) {
				v.Skills, v.Lessons = []string{}, nil
			})
			must(t, st.CreateVersion(ctx, v3))
			gotV, err = st.Version(ctx, c2.ID, 2)
			must(t, err)
			same(t, "version with empty skills and nil lessons", gotV, v3)
		}},
		{"ErrNotFound", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			c, _ := mkCourse(t, st, org.ID)
			_, err := st.CourseByID(ctx, newID(t))
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.Version(ctx, c.ID, 2)
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.Version(ctx, newID(t), 1)
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.CourseByBuiltinSlug(ctx, "")
			wantErr(t, err, apperr.ErrNotFound)
			wantErr(t, st.UpdateCourse(ctx, &course.Course{ID: newID(t), UpdatedAt: now()}), apperr.ErrNotFound)
			wantErr(t, st.UpdateVersion(ctx, newVersion(c.ID, 3)), apperr.ErrNotFound)
			wantErr(t, st.CreateVersion(ctx, newVersion(newID(t), 1)), apperr.ErrNotFound)

			nc, nv := newCourse(t, newID(t))
			wantErr(t, st.CreateCourse(ctx, nc, nv), apperr.ErrNotFound)
			_, err = st.CourseByID(ctx, nc.ID)
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"BuiltinSlug", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			b, _ := mkCourse(t, st, org.ID, func(c *course.Course, _ *course.Version) { c.BuiltinSlug = "dich-vu-cong" })
			got, err := st.CourseByBuiltinSlug(ctx, "dich-vu-cong")
			must(t, err)
			same(t, "CourseByBuiltinSlug", got, b)
			_, err = st.CourseByBuiltinSlug(ctx, "khac")
			wantErr(t, err, apperr.ErrNotFound)

			dup, dupV := newCourse(t, org.ID, func(c *course.Course, _ *course.Version) { c.BuiltinSlug = "dich-vu-cong" })
			wantErr(t, st.CreateCourse(ctx, dup, dupV), apperr.ErrConflict)
			_, err = st.CourseByID(ctx, dup.ID)
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.Version(ctx, dup.ID, 1)
			wantErr(t, err, apperr.ErrNotFound)
			got, err = st.CourseByBuiltinSlug(ctx, "dich-vu-cong")
			must(t, err)
			same(t, "the slug's course after a conflict", got, b)

			// Courses without a slug do not collide with each other.
			p1, _ := mkCourse(t, st, org.ID)
			p2, _ := mkCourse(t, st, org.ID)
			for _, c := range []*course.Course{p1, p2} {
				got, err := st.CourseByID(ctx, c.ID)
				must(t, err)
				same(t, "course without a slug", got, c)
			}

			// A built-in course needs no organisation.
			o, _ := mkCourse(t, st, "", func(c *course.Course, _ *course.Version) { c.BuiltinSlug = "an-toan-mang" })
			got, err = st.CourseByBuiltinSlug(ctx, "an-toan-mang")
			must(t, err)
			same(t, "built-in course without an organisation", got, o)
		}},
		{"ConcurrentBuiltinSlug", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			const n = 20
			cs := make([]*course.Course, n)
			vs := make([]*course.Version, n)
			for i := range n {
				cs[i], vs[i] = newCourse(t, "", func(c *course.Course, _ *course.Version) { c.BuiltinSlug = "dua-tranh" })
			}
			w := race(t, n, func(i int) error { return st.CreateCourse(ctx, cs[i], vs[i]) })
			got, err := st.CourseByBuiltinSlug(ctx, "dua-tranh")
			must(t, err)
			same(t, "the slug's course", got, cs[w])
			all, err := st.ListCourses(ctx, course.CourseFilter{}, page.Request{})
			must(t, err)
			same(t, "stored courses", keys(all, courseKey), []string{cs[w].ID})
		}},
		{"CreateVersionConflict", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			c, v := mkCourse(t, st, mkOrganisation(t, st).ID)
			wantErr(t, st.CreateVersion(ctx, newVersion(c.ID, 1, func(v *course.Version) { v.CreatedBy = "other" })), apperr.ErrConflict)
			got, err := st.Version(ctx, c.ID, 1)
			must(t, err)
			same(t, "version 1 after a conflict", got, v)
			v2 := newVersion(c.ID, 2)
			must(t, st.CreateVersion(ctx, v2))
			got, err = st.Version(ctx, c.ID, 2)
			must(t, err)
			same(t, "version 2", got, v2)
		}},
		{"ConcurrentCreateVersion", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			c, _ := mkCourse(t, st, mkOrganisation(t, st).ID)
			const n = 50
			vs := make([]*course.Version, n)
			for i := range vs {
				vs[i] = newVersion(c.ID, 2, func(v *course.Version) { v.CreatedBy = newID(t) })
			}
			w := race(t, n, func(i int) error { return st.CreateVersion(ctx, vs[i]) })
			got, err := st.Version(ctx, c.ID, 2)
			must(t, err)
			same(t, "the one version 2", got, vs[w])
		}},
		{"UpdateVersion", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			c, v := mkCourse(t, st, mkOrganisation(t, st).ID)
			up := newVersion(c.ID, 1, func(x *course.Version) {
				x.CreatedAt, x.CreatedBy = v.CreatedAt, v.CreatedBy
				x.Status, x.ReviewNote = course.StatusChangesRequested, "Thêm ví dụ."
				x.Title = course.Text{Vi: "Dịch vụ công (mới)", En: "Public services (new)"}
				x.Audience, x.Level, x.Skills = course.AudienceVolunteers, course.LevelAdvanced, []string{"x"}
				x.Lessons = x.Lessons[:1]
				x.Lessons[0].Quiz.PassMark = 100
				x.SearchText = "dich vu cong moi"
				x.UpdatedAt = v.UpdatedAt.Add(time.Minute)
			})
			must(t, st.UpdateVersion(ctx, up))
			got, err := st.Version(ctx, c.ID, 1)
			must(t, err)
			same(t, "updated draft", got, up)

			// Publishing is an update of a version that is not yet published.
			pub := *up
			ts := up.UpdatedAt.Add(time.Minute)
			pub.Status, pub.PublishedAt, pub.UpdatedAt, pub.ReviewNote = course.StatusPublished, &ts, ts, ""
			must(t, st.UpdateVersion(ctx, &pub))
			got, err = st.Version(ctx, c.ID, 1)
			must(t, err)
			same(t, "published version", got, &pub)

			again := pub
			again.Title = course.Text{Vi: "Đổi", En: "Changed"}
			again.Status = course.StatusDraft
			wantErr(t, st.UpdateVersion(ctx, &again), apperr.ErrNotFound)
			got, err = st.Version(ctx, c.ID, 1)
			must(t, err)
			same(t, "published version after a refused update", got, &pub)
		}},
		{"UpdateCourse", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			c, _ := mkCourse(t, st, org.ID, func(c *course.Course, _ *course.Version) { c.BuiltinSlug = "cu" })
			up := *c
			up.PublishedVersion, up.LatestVersion, up.Archived = 2, 3, true
			up.UpdatedAt = c.UpdatedAt.Add(time.Hour)
			must(t, st.UpdateCourse(ctx, &up))
			// Only the four fields change.
			other := up
			other.OrganisationID, other.BuiltinSlug, other.CreatedAt = mkOrganisation(t, st).ID, "moi", c.CreatedAt.Add(-time.Hour)
			must(t, st.UpdateCourse(ctx, &other))
			got, err := st.CourseByID(ctx, c.ID)
			must(t, err)
			same(t, "updated course", got, &up)
			got, err = st.CourseByBuiltinSlug(ctx, "cu")
			must(t, err)
			same(t, "updated course by slug", got, &up)
		}},
		{"ListCourses", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			a, b := mkOrganisation(t, st), mkOrganisation(t, st)
			var inA, all []string
			for i := range 7 {
				org := a
				if i%3 == 2 {
					org = b
				}
				c, _ := mkCourse(t, st, org.ID)
				all = append(all, c.ID)
				if org == a {
					inA = append(inA, c.ID)
				}
			}
			slices.Sort(inA)
			slices.Sort(all)
			got, pages := allPages(t, 2, courseKey, func(r page.Request) ([]*course.Course, error) {
				return st.ListCourses(ctx, course.CourseFilter{OrganisationID: a.ID}, r)
			})
			same(t, "courses of a", keys(got, courseKey), inA)
			if pages != 3 {
				t.Fatalf("%d pages of 2 for 5 courses", pages)
			}
			got, _ = allPages(t, 3, courseKey, func(r page.Request) ([]*course.Course, error) {
				return st.ListCourses(ctx, course.CourseFilter{}, r)
			})
			same(t, "all courses", keys(got, courseKey), all)
			got, err := st.ListCourses(ctx, course.CourseFilter{OrganisationID: opNe}, page.Request{Limit: 10})
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("organisation %q matched %s", opNe, show(got))
			}
		}},
		{"CatalogueCards", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			// c1: version 1 published, a draft version 2 that also matches.
			c1, v1 := mkCourse(t, st, org.ID, published)
			must(t, st.CreateVersion(ctx, newVersion(c1.ID, 2, func(v *course.Version) {
				v.SearchText = "dich vu cong ban nhap"
			})))
			// c2: published but archived.
			mkCourse(t, st, org.ID, published, func(c *course.Course, _ *course.Version) { c.Archived = true })
			// c3: never published.
			mkCourse(t, st, org.ID)
			// c4: another audience and skill.
			_, v4 := mkCourse(t, st, org.ID, published, func(_ *course.Course, v *course.Version) {
				v.Audience, v.Skills = course.AudienceVolunteers, []string{"first-aid"}
				v.SearchText = "so cuu cong dong first aid"
			})
			// c5: version 2 is the published one.
			c5, _ := mkCourse(t, st, org.ID, published)
			v5 := newVersion(c5.ID, 2, func(v *course.Version) {
				v.Status, v.PublishedAt = course.StatusPublished, &v.CreatedAt
				v.SearchText = `ky nang so {"$ne": ""} c.ng`
			})
			must(t, st.CreateVersion(ctx, v5))
			c5.PublishedVersion, c5.LatestVersion = 2, 2
			must(t, st.UpdateCourse(ctx, c5))

			find := func(f course.CatalogueFilter) []string {
				t.Helper()
				got, _, err := st.CatalogueCards(ctx, f)
				must(t, err)
				ks := keys(got, cardKey)
				slices.Sort(ks)
				return ks
			}
			sorted := func(vs ...*course.Version) []string {
				ks := keys(vs, versionKey)
				slices.Sort(ks)
				return ks
			}
			same(t, "every published version", find(course.CatalogueFilter{}), sorted(v1, v4, v5))
			same(t, "terms dich+cong", find(course.CatalogueFilter{Terms: []string{"dich", "cong"}}), sorted(v1))
			same(t, "term cong", find(course.CatalogueFilter{Terms: []string{"cong"}}), sorted(v1, v4))
			same(t, "terms dich+cuu", find(course.CatalogueFilter{Terms: []string{"dich", "cuu"}}), []string{})
			same(t, "term ban nhap (draft)", find(course.CatalogueFilter{Terms: []string{"ban nhap"}}), []string{})
			same(t, "audience", find(course.CatalogueFilter{Audience: course.AudienceVolunteers}), sorted(v4))
			same(t, "skill", find(course.CatalogueFilter{Skill: "online-safety"}), sorted(v1, v5))
			same(t, "skill first-aid and term", find(course.CatalogueFilter{Skill: "first-aid", Terms: []string{"aid"}}), sorted(v4))
			same(t, "unknown skill", find(course.CatalogueFilter{Skill: "online"}), []string{})
			// Terms are literal substrings: no operators, no regular expressions.
			same(t, "operator-like term", find(course.CatalogueFilter{Terms: []string{opNe}}), sorted(v5))
			same(t, "other operator", find(course.CatalogueFilter{Terms: []string{opGt}}), []string{})
			same(t, "dot", find(course.CatalogueFilter{Terms: []string{"c.ng"}}), sorted(v5))
			same(t, "regexp", find(course.CatalogueFilter{Terms: []string{"d.ch"}}), []string{})
			same(t, "operator-like audience", find(course.CatalogueFilter{Audience: course.Audience(opNe)}), []string{})
			same(t, "operator-like skill", find(course.CatalogueFilter{Skill: opNe}), []string{})

			if got := find(course.CatalogueFilter{Max: 2}); len(got) != 2 {
				t.Fatalf("Max 2 returned %v", got)
			}
			got, _, err := st.CatalogueCards(ctx, course.CatalogueFilter{Terms: []string{"truc tuyen"}, Audience: course.AudienceResidents})
			must(t, err)
			same(t, "the card of the published version of c1", got, []*course.Card{course.CardOf(v1)})
		}},
	})
}

func TestLearning(t *testing.T) {
	runCases(t, []storeCase{
		{"Enrolment", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			u := mkUser(t, st)
			c, _ := mkCourse(t, st, org.ID, published)
			other, _ := mkCourse(t, st, org.ID, published)
			e := mkEnrolment(t, st, u.ID, c.ID, 1)
			got, err := st.Enrolment(ctx, u.ID, c.ID)
			must(t, err)
			same(t, "Enrolment", got, e)

			again := &course.Enrolment{UserID: u.ID, CourseID: c.ID, Version: 2, StartedAt: now()}
			wantErr(t, st.CreateEnrolment(ctx, again), apperr.ErrConflict)
			got, err = st.Enrolment(ctx, u.ID, c.ID)
			must(t, err)
			same(t, "enrolment after a conflict", got, e)

			_, err = st.Enrolment(ctx, u.ID, other.ID)
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.Enrolment(ctx, opNe, c.ID)
			wantErr(t, err, apperr.ErrNotFound)
			wantErr(t, st.CreateEnrolment(ctx, &course.Enrolment{UserID: newID(t), CourseID: c.ID, Version: 1, StartedAt: now()}), apperr.ErrNotFound)
			wantErr(t, st.CreateEnrolment(ctx, &course.Enrolment{UserID: u.ID, CourseID: newID(t), Version: 1, StartedAt: now()}), apperr.ErrNotFound)
		}},
		{"ConcurrentEnrolment", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			c, _ := mkCourse(t, st, mkOrganisation(t, st).ID, published)
			const n = 100
			es := make([]*course.Enrolment, n)
			for i := range es {
				es[i] = &course.Enrolment{UserID: u.ID, CourseID: c.ID, Version: 1, StartedAt: now().Add(time.Duration(i) * time.Millisecond)}
			}
			w := race(t, n, func(i int) error { return st.CreateEnrolment(ctx, es[i]) })
			got, err := st.Enrolment(ctx, u.ID, c.ID)
			must(t, err)
			same(t, "the one enrolment", got, es[w])
			list, err := st.ListEnrolments(ctx, u.ID, page.Request{})
			must(t, err)
			same(t, "enrolments", list, []*course.Enrolment{es[w]})
		}},
		{"ListEnrolments", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org := mkOrganisation(t, st)
			u, other := mkUser(t, st), mkUser(t, st)
			var want []string
			for i := range 5 {
				c, _ := mkCourse(t, st, org.ID, published)
				mkEnrolment(t, st, u.ID, c.ID, 1)
				want = append(want, c.ID)
				if i < 2 {
					mkEnrolment(t, st, other.ID, c.ID, 1)
				}
			}
			slices.Sort(want)
			got, pages := allPages(t, 2, enrolmentCourse, func(r page.Request) ([]*course.Enrolment, error) {
				return st.ListEnrolments(ctx, u.ID, r)
			})
			same(t, "enrolled courses", keys(got, enrolmentCourse), want)
			if pages != 3 {
				t.Fatalf("%d pages of 2 for 5 enrolments", pages)
			}
			for _, e := range got {
				if e.UserID != u.ID {
					t.Fatalf("enrolment of another user: %s", show(e))
				}
			}
			got, err := st.ListEnrolments(ctx, opNe, page.Request{Limit: 10})
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("enrolments of %q: %s", opNe, show(got))
			}
		}},
		{"LessonCompletions", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			c, _ := mkCourse(t, st, mkOrganisation(t, st).ID, published)
			ts := now()
			lc := func(version int, lesson string, at time.Duration) *course.LessonCompletion {
				return &course.LessonCompletion{UserID: u.ID, CourseID: c.ID, Version: version, LessonID: lesson, CompletedAt: ts.Add(at)}
			}
			// No enrolment yet: no record.
			wantErr(t, st.CompleteLesson(ctx, lc(1, "tai-khoan", 0)), apperr.ErrNotFound)
			mkEnrolment(t, st, u.ID, c.ID, 1)

			first, second, v2 := lc(1, "tai-khoan", time.Second), lc(1, "nop-ho-so", 2*time.Second), lc(2, "tai-khoan", 0)
			must(t, st.CompleteLesson(ctx, second))
			must(t, st.CompleteLesson(ctx, first))
			must(t, st.CompleteLesson(ctx, v2))
			wantErr(t, st.CompleteLesson(ctx, lc(1, "tai-khoan", time.Hour)), apperr.ErrConflict)

			got, err := st.LessonCompletions(ctx, u.ID, c.ID, 1)
			must(t, err)
			same(t, "version 1", got, []*course.LessonCompletion{first, second})
			got, err = st.LessonCompletions(ctx, u.ID, c.ID, 2)
			must(t, err)
			same(t, "version 2", got, []*course.LessonCompletion{v2})
			got, err = st.LessonCompletions(ctx, u.ID, c.ID, 3)
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("version 3: %s", show(got))
			}
		}},
		{"ConcurrentCompleteLesson", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			c, _ := mkCourse(t, st, mkOrganisation(t, st).ID, published)
			mkEnrolment(t, st, u.ID, c.ID, 1)
			const n = 30
			race(t, n, func(int) error {
				return st.CompleteLesson(ctx, &course.LessonCompletion{UserID: u.ID, CourseID: c.ID, Version: 1, LessonID: "tai-khoan", CompletedAt: now()})
			})
			got, err := st.LessonCompletions(ctx, u.ID, c.ID, 1)
			must(t, err)
			if len(got) != 1 {
				t.Fatalf("%d completions stored", len(got))
			}
		}},
		{"QuizAttempts", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			c, _ := mkCourse(t, st, mkOrganisation(t, st).ID, published)
			ts := now()
			attempt := func(version int, at time.Duration, answers map[string][]string) *course.QuizAttempt {
				return &course.QuizAttempt{ID: newID(t), UserID: u.ID, CourseID: c.ID, Version: version,
					LessonID: "tai-khoan", Answers: answers, Score: 50, SubmittedAt: ts.Add(at)}
			}
			wantErr(t, st.AddQuizAttempt(ctx, attempt(1, 0, nil)), apperr.ErrNotFound)
			mkEnrolment(t, st, u.ID, c.ID, 1)

			a1 := attempt(1, time.Second, map[string][]string{"q1": {"b"}, "q2": {"cccd"}})
			a2 := attempt(1, 2*time.Second, map[string][]string{"q1": {"a"}, "q2": {"sdt", "cccd"}, "$where": {"x.y"}})
			a2.Score, a2.Passed = 100, true
			a3 := attempt(1, 3*time.Second, map[string][]string{})
			a4 := attempt(1, 4*time.Second, nil)
			a5 := attempt(1, 5*time.Second, map[string][]string{"q1": nil, "q2": {}})
			other := attempt(2, 0, map[string][]string{"q1": {"a"}})
			for _, a := range []*course.QuizAttempt{a3, a5, a1, other, a4, a2} {
				must(t, st.AddQuizAttempt(ctx, a))
			}
			wantErr(t, st.AddQuizAttempt(ctx, a1), apperr.ErrConflict)
			got, err := st.QuizAttempts(ctx, u.ID, c.ID, 1)
			must(t, err)
			same(t, "attempts of version 1, oldest first", got, []*course.QuizAttempt{a1, a2, a3, a4, a5})
			got, err = st.QuizAttempts(ctx, u.ID, c.ID, 2)
			must(t, err)
			same(t, "attempts of version 2", got, []*course.QuizAttempt{other})
		}},
		{"Completion", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u := mkUser(t, st)
			org := mkOrganisation(t, st)
			c, _ := mkCourse(t, st, org.ID, published)
			other, _ := mkCourse(t, st, org.ID, published)
			done := &course.Completion{UserID: u.ID, CourseID: c.ID, Version: 1, CompletedAt: now()}
			wantErr(t, st.CompleteCourse(ctx, done), apperr.ErrNotFound)
			mkEnrolment(t, st, u.ID, c.ID, 1)
			mkEnrolment(t, st, u.ID, other.ID, 1)
			must(t, st.CompleteCourse(ctx, done))
			got, err := st.Completion(ctx, u.ID, c.ID)
			must(t, err)
			same(t, "Completion", got, done)
			wantErr(t, st.CompleteCourse(ctx, &course.Completion{UserID: u.ID, CourseID: c.ID, Version: 2, CompletedAt: now()}), apperr.ErrConflict)
			got, err = st.Completion(ctx, u.ID, c.ID)
			must(t, err)
			same(t, "completion after a conflict", got, done)
			_, err = st.Completion(ctx, u.ID, other.ID)
			wantErr(t, err, apperr.ErrNotFound)

			const n = 30
			race(t, n, func(int) error {
				return st.CompleteCourse(ctx, &course.Completion{UserID: u.ID, CourseID: other.ID, Version: 1, CompletedAt: now()})
			})
		}},
	})
}
