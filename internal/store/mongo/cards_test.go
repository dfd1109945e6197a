package mongo_test

import (
	"reflect"
	"testing"

	"ecitizen/internal/course"
	"ecitizen/internal/store/mongo"
)

// TestCatalogueCardsOfOlderDocuments: versions published without a card (by an
// older release, or by a writer that stopped between its version and its card)
// are listed with the card derived from them, which is then stored; and the
// migration gives every published version its card.
func TestCatalogueCardsOfOlderDocuments(t *testing.T) {
	name := dbName()
	db := open(t, name)
	ctx := t.Context()
	ts := now()
	var want []*course.Card
	for i, title := range []string{"Một", "Hai"} {
		c := &course.Course{ID: "c" + title, PublishedVersion: 1, LatestVersion: 1, CreatedAt: ts, UpdatedAt: ts}
		v := &course.Version{CourseID: c.ID, Number: 1, Status: course.StatusPublished, Title: course.Text{Vi: title, En: title},
			Summary: course.Text{Vi: "T", En: "S"}, Audience: course.AudienceResidents, Level: course.LevelBeginner,
			Lessons: []course.Lesson{{ID: "l", Title: course.Text{Vi: "L", En: "L"}, Minutes: 5 + i,
				Quiz: &course.Quiz{PassMark: 50}}}, CreatedAt: ts, UpdatedAt: ts, PublishedAt: &ts, SearchText: "mot hai"}
		if err := db.CreateCourse(ctx, c, v); err != nil {
			t.Fatal(err)
		}
		want = append(want, course.CardOf(v))
	}
	check := func(db *mongo.DB, what string) {
		t.Helper()
		got, _, err := db.CatalogueCards(ctx, course.CatalogueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 2 && got[0].CourseID > got[1].CourseID {
			got[0], got[1] = got[1], got[0]
		}
		if !reflect.DeepEqual(got, []*course.Card{want[1], want[0]}) { // "cHai" < "cMột"
			t.Fatalf("%s: cards %+v", what, got)
		}
	}
	check(db, "written with the courses")
	// Another instance (this one keeps the cards it read), as a writer that
	// stopped before its cards left the store.
	if err := db.DropCardsForTest(ctx, false); err != nil {
		t.Fatal(err)
	}
	other := open(t, name)
	check(other, "derived from the versions")
	if n, err := other.CardsForTest(ctx); err != nil || n != 2 {
		t.Fatalf("%d cards stored after the catalogue was read (%v), want 2", n, err)
	}
	// As an older release left it: the migration runs at the next start.
	if err := db.DropCardsForTest(ctx, true); err != nil {
		t.Fatal(err)
	}
	started := open(t, name)
	if n, err := started.CardsForTest(ctx); err != nil || n != 2 {
		t.Fatalf("%d cards stored by the migration (%v), want 2", n, err)
	}
	check(started, "filled by the migration")
}
