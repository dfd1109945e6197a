// Package sqlite is the embedded storage adapter: one SQLite file (pure Go driver
// modernc.org/sqlite, no cgo) that satisfies every domain's Store (store.Store).
// It is the default store, so `go run ./api` needs nothing else on the machine.
//
// Two connection pools share the file: a writer with a single connection, whose
// transactions are BEGIN IMMEDIATE, and a read-only pool of a few connections. WAL
// mode lets readers run while the writer writes. Invariants live in the schema
// (PRIMARY KEY, UNIQUE, FOREIGN KEY), and driver constraint errors are mapped to
// apperr.ErrConflict and apperr.ErrNotFound. The rules that span rows (a
// shift's places and line, a volunteer's overlapping bookings, a session's
// seats) are decided inside units of change (unit): one BEGIN IMMEDIATE
// transaction that reads, decides and writes, serialised with every other
// writer of the file, in this process or another; a database another process
// keeps locked is apperr.ErrBusy after a few tries.
//
// The file and its -wal and -shm companions are readable by the service's user
// only (0600), whatever the directory's mode, and secure_delete overwrites what
// is deleted or replaced (an erased resident's data) instead of leaving it in
// free pages. Open refuses a file that fails
// SQLite's PRAGMA quick_check, and Ping (the readiness check) reports a file that
// an operation later found damaged.
//
// The schema is versioned: migrations/NNNN_name.sql are embedded and applied at
// Open, each in its own transaction, and recorded in schema_migrations. Times are
// stored as INTEGER unix milliseconds and read back in UTC.
//
// Files: db.go (Open, pools, migrations, error mapping), users.go, tokens.go
// (refresh tokens and families), invites.go, directory.go (wards, centres,
// organisations), courses.go (courses and versions), learning.go (enrolments,
// completions, quiz attempts), training.go (training sessions, seats, history),
// roster.go (shifts, bookings, waiting lists), calendar.go (calendar feeds),
// noshow.go (no-show decisions), attendance.go (attendance and
// work entries), notify.go (notifications and their delivery claims),
// idempotency.go (Idempotency-Key records), equipment.go (devices of centres and
// their usage log), certificates.go (certificates and their revocations),
// series.go (recurring shift series), residents.go (residents, claims on their
// numbers, the audit trail of their personal data), progress.go (residents'
// progress records and their revocations), residents_rotation.go (moving
// residents' numbers to the current data key), orghours.go (an organisation's
// hours in one query), partner.go (the partner view's counts), merges.go (ward
// and district targets, ward merges), coverage.go (coverage stamps, moved by the
// triggers of migration 0041, and the facts summaries are computed from),
// stmts.go (the readers' prepared statements), bulk.go (batch writes for the
// seeder, one transaction a batch).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"ecitizen/internal/apperr"
	"ecitizen/internal/page"
)

// DB is the SQLite store.
type DB struct {
	w    *sql.DB // writer: one connection, BEGIN IMMEDIATE transactions
	r    *sql.DB // readers: query_only connections
	path string
	// checked is the damageSeen count at the last quick_check of this file, and
	// damaged what a failed one found (the file stays damaged until restart).
	checked atomic.Int64
	damaged atomic.Pointer[error]
	// stamps is every coverage stamp as last read, with the district's total
	// they were read with (coverage.go).
	stamps atomic.Pointer[stampsCopy]
	// catalogue is the catalogue's cards, kept between reads (courses.go),
	// shared by every DB of this process open on the same file.
	catalogue *catalogueMemo
	// stmts are the readers' prepared statements (stmts.go).
	stmts stmtCache
}

// damageSeen counts the errors, of any database open in this process, that said
// the file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB). Ping checks its own file
// again whenever the count moved, so one damaged file is reported by its own
// store only.
var damageSeen atomic.Int64

// checkAtOpen is whether Open runs PRAGMA quick_check; only this package's tests
// turn it off, to open a file they damaged.
var checkAtOpen = true

// readers is the size of the read pool.
const readers = 4

// cacheKiB is each connection's page cache (PRAGMA cache_size, in KiB; SQLite's
// default is 2000). The caches live outside the Go heap and its memory limit,
// so the process holds up to (readers+1) × cacheKiB of them (10 MiB): enough
// for the indexes every request walks; the coverage snapshots, not SQLite's
// cache, keep the large reads from being repeated (docs/operations.md).
const cacheKiB = 2048

// busyTimeout is how long a statement waits for another connection's (or
// process's) write lock before SQLite answers SQLITE_BUSY. A variable so that
// the adapter's tests can shorten it.
var busyTimeout = 10 * time.Second

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens (creating when missing) the database file at path, with its parent
// directory, and applies pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlite: invalid database path %q", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: create data directory: %w", err)
	}
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	pragmas := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)", busyTimeout.Milliseconds()) +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)" +
		fmt.Sprintf("&_pragma=cache_size(-%d)", cacheKiB)

	w, err := sql.Open("sqlite", path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	db := &DB{w: w, path: path, catalogue: catalogueOf(path)}
	db.checked.Store(damageSeen.Load()) // damage met before this Open is another file's
	// The writer connects first so that the file is created and switched to WAL
	// before any reader opens it.
	if err := w.PingContext(ctx); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if checkAtOpen {
		if err := db.quickCheck(ctx, w); err != nil {
			_ = w.Close()
			return nil, err
		}
	}
	if err := db.migrate(ctx); err != nil {
		_ = w.Close()
		return nil, err
	}
	if err := db.pruneCoverageLog(ctx); err != nil {
		_ = w.Close()
		return nil, err
	}

	r, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("sqlite: open readers: %w", err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	db.r = r
	if err := db.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// ownerOnly creates the database file readable by its owner only (0600) when
// it is missing, and takes every other permission away from the file and its
// -wal and -shm companions when they exist; SQLite creates the companions with
// the mode of the database file.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sqlite: make %s readable by its owner only: %w", p, err)
		}
	}
	return nil
}

// quickCheck runs PRAGMA quick_check (every page and index entry is well formed;
// linear in the file's size) on conn and records and returns what it finds wrong.
func (db *DB) quickCheck(ctx context.Context, conn *sql.DB) error {
	seen := damageSeen.Load()
	rows, err := conn.QueryContext(ctx, `PRAGMA quick_check(20)`)
	if err != nil {
		if !damage(err) {
			return fmt.Errorf("sqlite: check %s: %w", db.path, err)
		}
		return db.markDamaged([]string{err.Error()})
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("sqlite: check %s: %w", db.path, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		if !damage(err) {
			return fmt.Errorf("sqlite: check %s: %w", db.path, err)
		}
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return db.markDamaged(problems)
	}
	db.checked.Store(seen)
	return nil
}

func (db *DB) markDamaged(problems []string) error {
	err := fmt.Errorf("sqlite: the database file %s is damaged (PRAGMA quick_check: %s); "+
		"stop the service and restore the file from a backup: %w", db.path, strings.Join(problems, "; "), apperr.ErrUnavailable)
	db.damaged.Store(&err)
	return err
}

// damage reports whether err says the database file is damaged, and counts it.
func damage(err error) bool {
	var se *msqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_CORRUPT || se.Code()&0xff == sqlite3.SQLITE_NOTADB) {
		damageSeen.Add(1)
		return true
	}
	return false
}

// Ping reports whether the file can be read and is not known to be damaged: an
// operation that found a damaged page since the last check makes Ping run
// PRAGMA quick_check again.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.damaged.Load(); err != nil {
		return *err
	}
	if damageSeen.Load() != db.checked.Load() {
		if err := db.quickCheck(ctx, db.r); err != nil {
			return err
		}
	}
	var n int
	if err := db.queryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// Close closes both pools.
func (db *DB) Close() error {
	var errs []error
	db.closeStmts()
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	errs = append(errs, db.w.Close())
	return errors.Join(errs...)
}

// migrate applies every embedded migration not yet recorded in schema_migrations,
// each in its own transaction, in version order.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT    NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("sqlite: list migrations: %w", err)
	}
	type migration struct {
		version int
		name    string
	}
	var ms []migration
	seen := map[int]string{}
	for _, name := range names {
		base := filepath.Base(name)
		digits, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(digits)
		if !ok || err != nil || v <= 0 {
			return fmt.Errorf("sqlite: migration %s: name must be NNNN_description.sql", base)
		}
		if other, dup := seen[v]; dup {
			return fmt.Errorf("sqlite: migrations %s and %s share version %d", other, base, v)
		}
		seen[v] = base
		ms = append(ms, migration{v, name})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for _, m := range ms {
		if err := db.apply(ctx, m.version, m.name); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", filepath.Base(m.name), err)
		}
	}
	return nil
}

// apply runs one migration unless it is already recorded. The check runs inside
// the BEGIN IMMEDIATE transaction, so two processes opening the same file at once
// cannot both apply it.
func (db *DB) apply(ctx context.Context, version int, name string) error {
	script, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var done bool
		if err := tx.QueryRowContext(ctx,
			`SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)`, version).Scan(&done); err != nil {
			return err
		}
		if done {
			return nil
		}
		if _, err := tx.ExecContext(ctx, string(script)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			version, time.Now().UTC().Format(time.RFC3339))
		return err
	})
}

// tx runs fn in a write transaction (BEGIN IMMEDIATE) and commits when it returns nil.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Units of change (Transact, TransactSession) run at most unitTimeout, retries
// included, and are tried unitAttempts times when the database stays busy.
const (
	unitTimeout  = 30 * time.Second
	unitAttempts = 3
)

// unit runs fn in one write transaction, as tx does, for a unit of change: on a
// context detached from the caller's, so that a client going away never stops a
// unit half-way and the answer the caller gets is what was stored, with its own
// deadline; and again, a bounded number of times, when the database stayed
// locked past the busy timeout (another process held the write lock).
func (db *DB) unit(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unitTimeout)
	defer cancel()
	var err error
	for attempt := range unitAttempts {
		err = db.tx(ctx, func(tx *sql.Tx) error { return fn(ctx, tx) })
		if !busy(err) || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
	}
	if (busy(err) || ctx.Err() != nil) && apperr.As(err) == nil {
		return fmt.Errorf("unit of change: %w (%v)", apperr.ErrBusy, err)
	}
	return err
}

// busy reports whether err is the database staying locked by another writer.
func busy(err error) bool {
	if errors.Is(err, apperr.ErrBusy) {
		return true
	}
	var se *msqlite.Error
	return errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED)
}

// txList runs a query inside tx and scans every row with scan.
func txList[T any](ctx context.Context, tx *sql.Tx, query string, args []any, scan func(scanner) (*T, error)) ([]*T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// wrap adds context to a driver error and maps constraint violations to the store
// sentinels: a taken unique or primary key is apperr.ErrConflict, a reference to a
// missing row (foreign key) is apperr.ErrNotFound, a database still locked after
// the busy timeout is apperr.ErrBusy, and a failing disk, a damaged file (which
// Ping then reports) or a closed database is apperr.ErrUnavailable. The driver's text is kept after the sentinel for logs. An error that already carries an *apperr.Error is returned as is.
func wrap(err error, format string, args ...any) error {
	if err == nil || apperr.As(err) != nil {
		return err // nil, or already mapped with its context
	}
	msg := fmt.Sprintf(format, args...)
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch code := se.Code(); {
		case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%s: %w (%v)", msg, apperr.ErrConflict, err)
		case code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%s: %w (%v)", msg, apperr.ErrNotFound, err)
		case code&0xff == sqlite3.SQLITE_BUSY || code&0xff == sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%s: %w (%v)", msg, apperr.ErrBusy, err)
		case code&0xff == sqlite3.SQLITE_IOERR || code&0xff == sqlite3.SQLITE_FULL || code&0xff == sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("%s: %w (%v)", msg, apperr.ErrUnavailable, err)
		case damage(err):
			return fmt.Errorf("%s: the database file is damaged: %w (%v)", msg, apperr.ErrUnavailable, err)
		}
	}
	// database/sql's "database is closed" has no exported sentinel.
	if errors.Is(err, sql.ErrConnDone) || strings.Contains(err.Error(), "sql: database is closed") {
		return fmt.Errorf("%s: %w (%v)", msg, apperr.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// notFound is the error of a missing record: "user 42: not_found: Not found."
func notFound(kind, id string) error {
	return fmt.Errorf("%s %s: %w", kind, id, apperr.ErrNotFound)
}

// one maps a QueryRow scan error: no row is notFound(kind, id).
func one(err error, kind, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(kind, id)
	}
	return wrap(err, "read %s %s", kind, id)
}

// affected returns notFound(kind, id) when an UPDATE touched no row.
func affected(res sql.Result, kind, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(kind, id)
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// list runs a query on the read pool and scans every row with scan.
func list[T any](ctx context.Context, db *DB, what, query string, args []any, scan func(scanner) (*T, error)) ([]*T, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, wrap(err, "list %s", what)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, wrap(err, "list %s", what)
		}
		out = append(out, v)
	}
	return out, wrap(rows.Err(), "list %s", what)
}

// ms is how a time is stored: unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// at reads a stored time back, in UTC.
func at(x int64) time.Time { return time.UnixMilli(x).UTC() }

// nullString stores an optional string: NULL when empty.
func nullString(s string) any { return sql.NullString{String: s, Valid: s != ""} }

// nullTime stores an optional time: NULL when nil.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// limit is the SQL LIMIT of a page: one more than asked for, or all (-1) when 0.
func limit(n int) int {
	if n <= 0 {
		return -1
	}
	return n + 1
}

// where collects the AND-ed conditions of a query. Conditions are constant SQL
// written in this package; every value goes through a placeholder.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// startWindow narrows w to rows starting in [from, to) (each bound when set) and
// strictly after the page key after (page.TimeKey), for lists ordered by
// (starts_at, id). A malformed key is an invalid cursor.
func (w *where) startWindow(from, to time.Time, after string) error {
	if after != "" {
		start, id, err := page.ParseTimeKey(after)
		if err != nil {
			return err
		}
		w.add(`(starts_at > ? OR (starts_at = ? AND id > ?))`, ms(start), ms(start), id)
	}
	if !from.IsZero() {
		w.add(`starts_at >= ?`, ms(from))
	}
	if !to.IsZero() {
		w.add(`starts_at < ?`, ms(to))
	}
	return nil
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
