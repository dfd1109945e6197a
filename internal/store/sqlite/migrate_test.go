package sqlite

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// olderRelease makes the database file at path as a release before migration
// version `before` left it: the earlier migrations applied and recorded. It
// returns a raw connection (foreign keys on) to fill it, which the caller closes
// before Open migrates the rest.
func olderRelease(t *testing.T, path string, before int) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		digits, _, _ := strings.Cut(filepath.Base(name), "_")
		v, err := strconv.Atoi(digits)
		if err != nil {
			t.Fatal(err)
		}
		if v >= before {
			break
		}
		script, _ := migrations.ReadFile(name)
		if _, err := raw.Exec(string(script)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (?, '2026-11-01T00:00:00Z')`, v); err != nil {
			t.Fatal(err)
		}
	}
	return raw
}
