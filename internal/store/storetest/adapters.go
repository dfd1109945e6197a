// Package storetest is the conformance suite that every storage adapter passes:
// Adapters(t) opens a fresh, empty store of each kind, and the tests in this package
// run every store rule against each of them. The MongoDB adapter is exercised
// against FerretDB v1 (SQLite handler) started inside the test process, or against
// the real MongoDB named by ECITIZEN_TEST_MONGODB_URI.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"

	"ecitizen/internal/store"
)

// Adapter names one kind of store and opens fresh, empty instances of it.
type Adapter struct {
	Name string
	// Open returns a new empty store, closed when the test ends.
	Open func(tb testing.TB) store.Store
	// Config returns the store.Config of a new empty store, for tests that start the
	// whole service (the store is opened by the service itself).
	Config func(tb testing.TB) store.Config
}

// Adapters returns the SQLite and the MongoDB adapter.
func Adapters(tb testing.TB) []Adapter {
	tb.Helper()
	return []Adapter{SQLite(), Mongo()}
}

// SQLite is the embedded adapter, each store a file in the test's temp dir.
func SQLite() Adapter {
	cfg := func(tb testing.TB) store.Config {
		return store.Config{SQLitePath: filepath.Join(tb.TempDir(), "ecitizen.db")}
	}
	return Adapter{Name: "sqlite", Config: cfg, Open: func(tb testing.TB) store.Store {
		return MustOpen(tb, cfg(tb))
	}}
}

// Mongo is the MongoDB adapter, each store a new database on the shared server.
func Mongo() Adapter {
	cfg := func(tb testing.TB) store.Config {
		return store.Config{MongoURI: MongoURI(tb), MongoDatabase: "t_" + randomHex(6)}
	}
	return Adapter{Name: "mongo", Config: cfg, Open: func(tb testing.TB) store.Store {
		return MustOpen(tb, cfg(tb))
	}}
}

// MustOpen opens the store of cfg and closes it when the test ends.
func MustOpen(tb testing.TB, cfg store.Config) store.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

var (
	ferretOnce sync.Once
	ferretURI  string
	ferretErr  error
)

// MongoURI returns ECITIZEN_TEST_MONGODB_URI when set; otherwise it starts one
// FerretDB server for the whole test process (SQLite handler, files in a temp dir)
// and returns its URI.
func MongoURI(tb testing.TB) string {
	tb.Helper()
	if uri := os.Getenv("ECITIZEN_TEST_MONGODB_URI"); uri != "" {
		return uri
	}
	ferretOnce.Do(func() { ferretURI, ferretErr = startFerretDB() })
	if ferretErr != nil {
		tb.Fatalf("start FerretDB: %v", ferretErr)
	}
	return ferretURI
}

func startFerretDB() (string, error) {
	// The directory outlives any one test: the server serves the whole process.
	// synchronous(NORMAL) is what the SQLite adapter uses too: in WAL mode a commit
	// survives a killed process (what the tests do) without an fsync of its own,
	// which on a busy machine costs more than the rest of the test run.
	dir, err := os.MkdirTemp("", "ecitizen-ferretdb-")
	if err != nil {
		return "", err
	}
	return serveFerretDB(context.Background(), "file:"+dir+"/?_txlock=immediate&_pragma=synchronous(NORMAL)")
}

// serveFerretDB starts a FerretDB server (SQLite handler) on sqliteURL until ctx
// ends and returns its URI once it accepts connections.
func serveFerretDB(ctx context.Context, sqliteURL string) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	_ = l.Close()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return "", err
	}
	go func() { _ = f.Run(ctx) }()
	// Wait until the listener accepts connections.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			return "", err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return f.MongoDBURI(), nil
}

// LockableMongo is the MongoDB adapter on a FerretDB server of the test's own,
// whose SQLite backend waits 20 ms for a lock (FerretDB's default is 10 s), with
// one database. Lock takes that database's write lock from another connection
// (to SQLite, another process) and returns its release: meanwhile FerretDB
// answers "database is locked", as it does under heavy contention, a real
// transient failure, not a mock.
type LockableMongo struct {
	Adapter
	Lock func(tb testing.TB) (release func())
}

// NewLockableMongo starts the server, stopped when the test ends.
func NewLockableMongo(tb testing.TB) *LockableMongo {
	tb.Helper()
	dir := tb.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	uri, err := serveFerretDB(ctx, "file:"+dir+"/?_pragma=busy_timeout(20)")
	if err != nil {
		tb.Fatalf("start FerretDB: %v", err)
	}
	name := "t_" + randomHex(6)
	cfg := func(testing.TB) store.Config { return store.Config{MongoURI: uri, MongoDatabase: name} }
	return &LockableMongo{
		Adapter: Adapter{Name: "mongo-lockable", Config: cfg, Open: func(tb testing.TB) store.Store { return MustOpen(tb, cfg(tb)) }},
		Lock: func(tb testing.TB) func() {
			tb.Helper()
			db, err := sql.Open("sqlite", filepath.Join(dir, name+".sqlite")+"?_pragma=busy_timeout(5000)")
			if err != nil {
				tb.Fatal(err)
			}
			conn, err := db.Conn(context.Background())
			if err != nil {
				tb.Fatal(err)
			}
			if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
				tb.Fatalf("lock the database file: %v", err)
			}
			var once sync.Once
			release := func() {
				once.Do(func() {
					_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
					_ = conn.Close()
					_ = db.Close()
				})
			}
			tb.Cleanup(release)
			return release
		},
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
