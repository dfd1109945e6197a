package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/page"
)

// TestFilesAreOwnerOnly: in a data directory anyone may read (a Docker volume is
// 0755), the database and its -wal and -shm files are created 0600, and a file
// an older version left 0644 is made 0600 at the next Open.
func TestFilesAreOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ecitizen.db")
	check := func(when string) {
		t.Helper()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s has mode %v, want 0600", when, filepath.Base(p), fi.Mode().Perm())
			}
		}
	}
	db := openWithWards(t, path, 1)
	check("created")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	createWards(t, db, 1, 1)
	check("reopened")
}

// TestDamagedFile: Open refuses a file with a damaged page, naming the file and
// what PRAGMA quick_check found; and when a damaged page is only met by an
// operation (the file was opened without the check), the operation fails as
// unavailable and Ping, the readiness check, reports the damage from then on,
// while another store of the same process stays ready.
func TestDamagedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ecitizen.db")
	db := openWithWards(t, path, 300)
	var root int64
	var pageSize int64
	if err := db.r.QueryRowContext(t.Context(), `SELECT rootpage FROM sqlite_schema WHERE name = 'wards'`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := db.r.QueryRowContext(t.Context(), `PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// The root page of the wards table gets an invalid b-tree page type.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0x01, 0xff, 0xff, 0xff}, (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	_, err = Open(t.Context(), path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "quick_check") || !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("Open of a damaged file: %v", err)
	}

	other := openWithWards(t, filepath.Join(t.TempDir(), "ecitizen.db"), 1)
	defer other.Close()
	checkAtOpen = false
	db, err = Open(t.Context(), path)
	checkAtOpen = true
	if err != nil {
		t.Fatalf("open without the check: %v", err)
	}
	defer db.Close()
	if err := db.Ping(t.Context()); err != nil {
		t.Fatalf("Ping before any operation met the damage: %v", err)
	}
	if _, err := db.ListWards(t.Context(), directory.WardFilter{}, page.Request{Limit: 1000}); !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("listing the damaged table: %v, want unavailable", err)
	}
	for range 2 {
		if err := db.Ping(t.Context()); err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Fatalf("Ping after the damage was met: %v", err)
		}
	}
	if err := other.Ping(t.Context()); err != nil {
		t.Fatalf("another, sound store: %v", err)
	}
}

func openWithWards(t *testing.T, path string, n int) *DB {
	t.Helper()
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	createWards(t, db, 0, n)
	return db
}

func createWards(t *testing.T, db *DB, from, n int) {
	t.Helper()
	ts := time.Now().UTC().Truncate(time.Millisecond)
	for i := from; i < from+n; i++ {
		w := &directory.Ward{ID: fmt.Sprintf("w%04d", i), Code: fmt.Sprintf("%05d", 20000+i), NameVi: fmt.Sprintf("Phường số %d", i),
			NameEn: fmt.Sprintf("Ward %d", i), Status: directory.WardActive, CreatedAt: ts, UpdatedAt: ts}
		if err := db.CreateWard(t.Context(), w); err != nil {
			t.Fatal(err)
		}
	}
}
