package mongo_test

import "testing"

// TestResidentOriginOfOldDocuments: a resident stored before ward merges has no
// origin_ward_id; it reads as its ward_id.
func TestResidentOriginOfOldDocuments(t *testing.T) {
	db := open(t, dbName())
	ctx := t.Context()
	ward := halfWard(t, db)
	r, keys := halfResident(ward, "origin-phone")
	if err := db.CreateResident(ctx, r, keys); err != nil {
		t.Fatal(err)
	}
	if err := db.UnsetOriginForTest(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.ResidentByID(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.OriginWardID != ward {
		t.Fatalf("origin of an old document %q, want its ward %q", got.OriginWardID, ward)
	}
}
