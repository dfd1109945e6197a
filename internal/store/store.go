// Package store opens the configured storage adapter: the embedded SQLite file by
// default (store/sqlite), or MongoDB when a URI is configured (store/mongo). Both
// satisfy every domain's Store interface; store/storetest holds the one conformance
// suite they must pass.
package store

import (
	"context"
	"log/slog"

	"ecitizen/internal/certificate"
	"ecitizen/internal/course"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/equipment"
	"ecitizen/internal/idempotency"
	"ecitizen/internal/identity"
	"ecitizen/internal/notify"
	"ecitizen/internal/partner"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/store/mongo"
	"ecitizen/internal/store/sqlite"
	"ecitizen/internal/training"
)

// Store is everything the domains need from storage, plus health and lifecycle.
type Store interface {
	identity.Store
	directory.Store
	course.Store
	training.Store
	roster.Store
	notify.Store
	idempotency.Store
	equipment.Store
	certificate.Store
	resident.Store
	progress.Store
	coverage.Store
	partner.Store
	// Ping reports whether the store is reachable (for /readyz).
	Ping(ctx context.Context) error
	Close() error
}

// Compile-time proof that both adapters are complete.
var (
	_ Store = (*sqlite.DB)(nil)
	_ Store = (*mongo.DB)(nil)
)

// Config chooses and locates the adapter.
type Config struct {
	SQLitePath    string // used when MongoURI is empty
	MongoURI      string
	MongoDatabase string
	// Logger takes the adapter's warnings (MongoDB's units of change left for
	// recovery); nil: logs nothing.
	Logger *slog.Logger
}

// Open opens the adapter cfg names and applies its migrations or indexes.
func Open(ctx context.Context, cfg Config) (Store, error) {
	if cfg.MongoURI != "" {
		return mongo.Open(ctx, cfg.MongoURI, mongo.Options{Database: cfg.MongoDatabase, Logger: cfg.Logger})
	}
	return sqlite.Open(ctx, cfg.SQLitePath)
}
