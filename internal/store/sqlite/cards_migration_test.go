package sqlite

import (
	"path/filepath"
	"reflect"
	"testing"

	"ecitizen/internal/course"
)

// TestMigrationFillsCatalogueCards: migration 0047 gives every version an older
// release published its catalogue card, the one CardOf derives from the version
// (lesson titles in order, quizzes, minutes, skills null or not), and none to
// versions not published.
func TestMigrationFillsCatalogueCards(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ecitizen.db")
	raw := olderRelease(t, path, 47)
	quiz := &course.Quiz{PassMark: 50, Questions: []course.Question{{ID: "q", Kind: course.Single,
		Prompt: course.Text{Vi: "Hỏi?", En: "Ask?"}, Options: []course.Option{{ID: "a", Text: course.Text{Vi: "A", En: "A"}, Correct: true}}}}}
	version := func(id string, n int, status course.Status, title string, skills []string, lessons ...course.Lesson) *course.Version {
		return &course.Version{CourseID: id, Number: n, Status: status,
			Title: course.Text{Vi: title, En: title + " en"}, Summary: course.Text{Vi: "Tóm tắt " + title, En: "Summary"},
			Audience: course.AudienceResidents, Level: course.LevelBeginner, Skills: skills, Lessons: lessons,
			SearchText: "tim " + title}
	}
	lesson := func(id, title string, minutes int, q *course.Quiz) course.Lesson {
		return course.Lesson{ID: id, Title: course.Text{Vi: title, En: title + " en"}, Body: course.Text{Vi: "x", En: "x"},
			Minutes: minutes, Quiz: q, HTML: course.Text{Vi: "<p>x</p>", En: "<p>x</p>"}}
	}
	vs := []*course.Version{
		version("a", 1, course.StatusPublished, "Một", []string{"s1", "s2"},
			lesson("l3", "Ba", 7, nil), lesson("l1", "Một", 5, quiz), lesson("l2", "Hai", 11, nil)),
		version("b", 1, course.StatusPublished, "Hai cũ", nil, lesson("x", "X", 3, quiz)),
		version("b", 2, course.StatusPublished, "Hai", []string{}, lesson("x", "X", 4, nil)),
		version("c", 1, course.StatusDraft, "Nháp", nil, lesson("d", "D", 1, nil)),
	}
	for _, c := range []struct {
		id        string
		published int
	}{{"a", 1}, {"b", 2}, {"c", 0}} {
		if _, err := raw.ExecContext(ctx, `INSERT INTO courses (id, published_version, latest_version, archived,
			created_at, updated_at) VALUES (?, ?, 2, 0, 0, 0)`, c.id, c.published); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range vs {
		skills, lessons, err := versionJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.ExecContext(ctx, `INSERT INTO course_versions (course_id, number, status, title_vi,
			title_en, summary_vi, summary_en, audience, level, skills, lessons, review_note, created_by,
			created_at, updated_at, search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 'x', 0, 0, ?)`,
			v.CourseID, v.Number, string(v.Status), v.Title.Vi, v.Title.En, v.Summary.Vi, v.Summary.En,
			string(v.Audience), string(v.Level), skills, lessons, v.SearchText); err != nil {
			t.Fatal(err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("migrate to 0047: %v", err)
	}
	defer db.Close()

	got, _, err := db.CatalogueCards(ctx, course.CatalogueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d cards listed, want 2: %+v", len(got), got)
	}
	for _, k := range got {
		want := course.CardOf(vs[0])
		if k.CourseID == "b" {
			want = course.CardOf(vs[2])
		}
		if !reflect.DeepEqual(k, want) {
			t.Errorf("card of %s/%d:\n got  %+v\n want %+v", k.CourseID, k.Number, k, want)
		}
	}
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM course_cards`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d cards stored (%v), want one per published version: 3", n, err)
	}
}
