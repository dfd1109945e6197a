package mongo_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/page"
	"ecitizen/internal/resident"
	"ecitizen/internal/store/storetest"
)

// TestResidentNameWords: residents an older release stored (no name_words) get
// the words of their names at the next start, so a search finds them; an
// erasure empties the words, which are personal data.
func TestResidentNameWords(t *testing.T) {
	ctx := t.Context()
	name := dbName()
	db := open(t, name)
	ward := halfWard(t, db)
	r, keys := halfResident(ward, "words-phone")
	if err := db.CreateResident(ctx, r, keys); err != nil {
		t.Fatal(err)
	}
	client, err := mongodrv.Connect(options.Client().ApplyURI(storetest.MongoURI(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	residents := client.Database(name).Collection("residents")
	words := func() []string {
		t.Helper()
		var doc struct {
			Words []string `bson:"name_words"`
		}
		if err := residents.FindOne(ctx, bson.D{{Key: "_id", Value: r.ID}}).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		return doc.Words
	}
	if got := words(); !slices.Equal(got, []string{"ngo", "thi", "ha"}) {
		t.Fatalf("name_words %q", got)
	}
	// As an older release left it.
	if _, err := residents.UpdateOne(ctx, bson.D{{Key: "_id", Value: r.ID}}, bson.D{{Key: "$unset", Value: bson.D{{Key: "name_words", Value: ""}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Database(name).Collection("migrations").DeleteOne(ctx, bson.D{{Key: "_id", Value: "resident-name-words-v1"}}); err != nil {
		t.Fatal(err)
	}
	db = open(t, name) // the next start migrates
	if got := words(); !slices.Equal(got, []string{"ngo", "thi", "ha"}) {
		t.Fatalf("name_words after the migration %q", got)
	}
	found, err := db.ListResidents(ctx, resident.Filter{WardID: ward, Terms: []string{"th", "ng"}}, page.Request{})
	if err != nil || len(found) != 1 || found[0].ID != r.ID {
		t.Fatalf("search after the migration: %v %v", found, err)
	}
	ts := now()
	erased := &resident.Resident{ID: r.ID, WardID: r.WardID, OriginWardID: r.OriginWardID, Consent: r.Consent,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: ts, ErasedAt: &ts, ErasedBy: "staff-1"}
	if err := db.EraseResident(ctx, erased, keys, &resident.Audit{ID: uuid.Must(uuid.NewV7()).String(), ResidentID: r.ID,
		WardID: ward, Action: resident.ActionErase, Fields: resident.ErasedFields, Reason: "Người dân yêu cầu xoá", By: "staff-1", At: ts}); err != nil {
		t.Fatal(err)
	}
	if got := words(); len(got) != 0 {
		t.Fatalf("name_words of an erased resident %q", got)
	}
}
