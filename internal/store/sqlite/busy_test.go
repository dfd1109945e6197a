package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"ecitizen/internal/apperr"
)

// A unit of change meets a database whose write lock another process holds (a
// second connection to the file here, which is what another process is to
// SQLite): it is tried again a bounded number of times, and when the lock stays
// held it answers apperr.ErrBusy, having written nothing.
func TestUnitRetriesABusyDatabase(t *testing.T) {
	defer func(old time.Duration) { busyTimeout = old }(busyTimeout)
	busyTimeout = 100 * time.Millisecond
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ecitizen.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// hold takes the write lock from another connection and returns its release.
	hold := func() func() {
		t.Helper()
		conn, err := other.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			t.Fatal(err)
		}
		return func() {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
			_ = conn.Close()
		}
	}
	insert := func(id string) error {
		return db.unit(ctx, func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO wards (id, code, name_vi, name_en, status, created_at, updated_at)
				VALUES (?, ?, 'P', 'W', 'active', 0, 0)`, id, id)
			return err
		})
	}
	stored := func(id string) bool {
		var n int
		if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM wards WHERE id = ?`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}

	t.Run("HeldBrieflyIsWaitedFor", func(t *testing.T) {
		release := hold()
		go func() { time.Sleep(250 * time.Millisecond); release() }() // past one busy timeout
		if err := insert("w-brief"); err != nil {
			t.Fatalf("a unit behind a lock held 250 ms: %v", err)
		}
		if !stored("w-brief") {
			t.Fatal("the unit's write is not stored")
		}
	})
	t.Run("HeldThroughoutIsBusy", func(t *testing.T) {
		release := hold()
		err := insert("w-long")
		release()
		if !errors.Is(err, apperr.ErrBusy) {
			t.Fatalf("a unit behind a lock held throughout: %v, want ErrBusy", err)
		}
		if e := apperr.As(err); e == nil || e.RetryAfter <= 0 {
			t.Fatalf("store_busy without a Retry-After: %v", err)
		}
		if stored("w-long") {
			t.Fatal("a unit answered busy wrote anyway")
		}
	})
}
