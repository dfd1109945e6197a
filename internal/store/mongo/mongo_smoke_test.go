package mongo_test

// Checks of the MongoDB adapter that the conformance suite in internal/store/storetest
// does not make: reopening a database (indexes created once, kept, and still
// enforced), failing fast on an unreachable server, and the foreign-key checks the
// suite does not exercise yet.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/store/mongo"
	"ecitizen/internal/store/storetest"
)

func dbName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "t_" + hex.EncodeToString(b)
}

func open(t *testing.T, name string) *mongo.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	db, err := mongo.Open(ctx, storetest.MongoURI(t), mongo.Options{Database: name})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

func newUser(id, emailKey string) *identity.User {
	ts := now()
	return &identity.User{
		ID: id, Email: emailKey, EmailKey: emailKey, DisplayName: "U " + id,
		Role: identity.RoleAdmin, Status: identity.StatusActive, PasswordHash: "h",
		CreatedAt: ts, UpdatedAt: ts,
	}
}

// FerretDB v1.24.2 panics on a createIndexes command that lists two or more existing
// indexes; the adapter creates them one at a time, so reopening must work and keep
// every index.
func TestReopenKeepsIndexes(t *testing.T) {
	ctx := t.Context()
	name := dbName()
	first := open(t, name)
	if err := first.CreateUser(ctx, newUser("u1", "a@example.org")); err != nil {
		t.Fatal(err)
	}
	second := open(t, name)
	open(t, name)
	if err := second.CreateUser(ctx, newUser("u2", "a@example.org")); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("duplicate email after reopen: %v, want ErrConflict", err)
	}

	c, err := mongodrv.Connect(options.Client().ApplyURI(storetest.MongoURI(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Disconnect(context.Background()) }()
	want := map[string][]string{
		"users":          {"_id_", "email_key_unique", "organisation_id", "role", "ward_ids"},
		"refresh_tokens": {"_id_", "family_id", "user_id"},
		"invites":        {"_id_", "code_unique", "organisation_id"},
		"wards":          {"_id_", "code_unique"},
		"centres":        {"_id_", "ward_id"},
	}
	for col, names := range want {
		specs, err := c.Database(name).Collection(col).Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range specs {
			got = append(got, s.Name)
		}
		slices.Sort(got)
		if !reflect.DeepEqual(got, names) {
			t.Errorf("indexes of %s: %v, want %v", col, got, names)
		}
	}
}

func TestUnreachableFailsFast(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	start := time.Now()
	// Port 1 refuses connections; the URI's timeouts override the adapter's defaults.
	_, err := mongo.Open(ctx, "mongodb://127.0.0.1:1/?connectTimeoutMS=200&serverSelectionTimeoutMS=500", mongo.Options{})
	if !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("open unreachable: %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("open unreachable took %v", d)
	}
}

// The SQLite adapter's foreign keys, which the MongoDB adapter checks on insert.
func TestReferencesChecked(t *testing.T) {
	ctx := t.Context()
	db := open(t, dbName())

	tok := &identity.RefreshToken{Hash: "h1", FamilyID: "f1", UserID: "nobody", IssuedAt: now(), ExpiresAt: now()}
	if err := db.CreateRefreshToken(ctx, tok); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("token of an unknown user: %v, want ErrNotFound", err)
	}
	if err := db.SpendRefreshToken(ctx, "h1", now()); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("spend an unknown token: %v, want ErrNotFound", err)
	}

	ts := now()
	w := &directory.Ward{ID: "w1", Code: "W1", NameVi: "P", NameEn: "W", Status: directory.WardMerged, MergedInto: "w9", CreatedAt: ts, UpdatedAt: ts}
	if err := db.CreateWard(ctx, w); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("ward merged into an unknown ward: %v, want ErrNotFound", err)
	}
	w.Status, w.MergedInto = directory.WardActive, ""
	if err := db.CreateWard(ctx, w); err != nil {
		t.Fatal(err)
	}
	w.Status, w.MergedInto = directory.WardMerged, "w9"
	if err := db.UpdateWard(ctx, w); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("update ward merged into an unknown ward: %v, want ErrNotFound", err)
	}

	u := newUser("u1", "a@example.org")
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	u.Role, u.Scope.OrganisationID = identity.RolePartner, "o9"
	if err := db.UpdateUser(ctx, u); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("update user into an unknown organisation: %v, want ErrNotFound", err)
	}
}
