package sqlite

import (
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"ecitizen/internal/directory"
)

// Adapter rules are tested by the conformance suite in store/storetest; these
// tests cover what only this adapter has: the file, its pragmas and migrations.

func TestOpenCreatesDirectoryAndReopens(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "a", "b", "ecitizen.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Now().UTC().Truncate(time.Millisecond)
	w := &directory.Ward{ID: "w1", Code: "26734", NameVi: "P", NameEn: "W", Status: directory.WardActive, CreatedAt: ts, UpdatedAt: ts}
	if err := db.CreateWard(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, path) // migrations already applied: a no-op
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.WardByID(ctx, "w1"); err != nil {
		t.Fatalf("ward lost on reopen: %v", err)
	}
	var versions int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&versions); err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if versions != len(files) {
		t.Fatalf("schema_migrations has %d rows, want %d", versions, len(files))
	}
}

func TestPragmas(t *testing.T) {
	ctx := t.Context()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "ecitizen.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, pool := range []struct {
		name     string
		q        func(string) (string, error)
		readOnly string
	}{
		{"writer", func(p string) (s string, err error) { return s, db.w.QueryRowContext(ctx, "PRAGMA "+p).Scan(&s) }, "0"},
		{"reader", func(p string) (s string, err error) { return s, db.r.QueryRowContext(ctx, "PRAGMA "+p).Scan(&s) }, "1"},
	} {
		for pragma, want := range map[string]string{
			"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000",
			"synchronous": "1", "query_only": pool.readOnly, "secure_delete": "1", "cache_size": "-2048",
		} {
			got, err := pool.q(pragma)
			if err != nil {
				t.Fatalf("%s %s: %v", pool.name, pragma, err)
			}
			if got != want {
				t.Errorf("%s: PRAGMA %s = %s, want %s", pool.name, pragma, got, want)
			}
		}
	}
	if _, err := db.r.ExecContext(ctx, `DELETE FROM wards`); err == nil {
		t.Error("the read pool can write")
	}
}

func TestOpenRejectsBadPath(t *testing.T) {
	for _, p := range []string{"", "x.db?mode=ro"} {
		if _, err := Open(t.Context(), p); err == nil {
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}
