package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// Reads go through prepared statements kept by their text: compiling a
// statement costs SQLite about as much as running a small one, and the
// adapter's reads are a few hundred texts run again and again (a list's text
// varies with its filters, so there are more texts than methods, but few).
// database/sql prepares a kept statement again on each reader connection the
// first time it runs there, and after a connection is replaced.

// maxStmts bounds the statements kept; texts beyond it run unprepared.
const maxStmts = 512

// stmtCache holds prepared read statements by text.
type stmtCache struct {
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

// stmt returns the kept statement of query on the readers, preparing and
// keeping it the first time; nil when it cannot be kept (the cache is full, or
// preparing failed: the caller runs the text as it is and meets the error there).
func (db *DB) stmt(ctx context.Context, query string) *sql.Stmt {
	c := &db.stmts
	c.mu.RLock()
	s, ok := c.stmts[query]
	full := len(c.stmts) >= maxStmts
	c.mu.RUnlock()
	if ok || full {
		return s
	}
	s, err := db.r.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if kept, ok := c.stmts[query]; ok { // prepared beside us
		_ = s.Close()
		return kept
	}
	if c.stmts == nil {
		c.stmts = make(map[string]*sql.Stmt)
	}
	if len(c.stmts) >= maxStmts {
		_ = s.Close()
		return nil
	}
	c.stmts[query] = s
	return s
}

// query runs a read on the readers, prepared once (stmt).
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := db.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.r.QueryContext(ctx, query, args...)
}

// queryRow runs a read of one row on the readers, prepared once (stmt).
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if s := db.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.r.QueryRowContext(ctx, query, args...)
}

// closeStmts closes every kept statement (Close).
func (db *DB) closeStmts() {
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		_ = s.Close()
	}
	c.stmts = nil
}
