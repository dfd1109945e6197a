// Package store opens the configured storage adapter: the embedded SQLite file by
// default (store/sqlite), or MongoDB when a URI is configured (store/mongo). Both
// satisfy every domain's Store interface; store/storetest holds the one conformance
// suite they must pass. Bulk is the batch writes of tools that load a whole
// district (the seeder).
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
	Bulk
	// Ping reports whether the store is reachable (for /readyz).
	Ping(ctx context.Context) error
	Close() error
}

// Bulk writes many new records at once, for tools that load a whole district
// (the seeder, scripts/seed/seeding): one call is one batch. Each method
// maintains every side table its single write maintains (a resident's claims
// on its numbers and its name words, the coverage stamps and log, a shift's
// history number), and the stores' unique keys still refuse what is taken. The
// caller has built every record within the domain's rules (resident.Service's
// Prepare, certificate.Service's PrepareECitizen, roster's windows and places).
//
// On SQLite a batch is one transaction: all of it lands or none of it does. On
// MongoDB (no transactions) a batch is written with unordered InsertMany: a
// record whose unique key is taken is refused (ErrConflict, or
// *resident.KeyTakenError for a number) while the others of the batch land,
// so a batch written again adds nothing and reports the conflict.
type Bulk interface {
	// InsertShifts inserts new shifts, as CreateShift does each.
	InsertShifts(ctx context.Context, shifts []*roster.Shift) error
	// InsertBookings inserts bookings of shifts that have no history yet, with
	// their history events (events[i] is the booking's, numbered from 1 on each
	// shift, in the order of its bookings), as roster.PutBooking would write
	// them one unit at a time. SQLite also refuses a booking beyond the shift's
	// places or overlapping another booking of the volunteer (roster.ErrOverlap);
	// MongoDB relies on the caller's plan for those and on its keys for places,
	// one booking per volunteer and shift, and event numbers.
	InsertBookings(ctx context.Context, bookings []*roster.Booking, events []*roster.Event) error
	// InsertResidents claims each resident's keys and inserts it with its name
	// words, as CreateResident does each (a resident of a merged ward goes to
	// the ward it was merged into).
	InsertResidents(ctx context.Context, residents []resident.Prepared) error
	// InsertProgressRecords inserts records of existing residents.
	InsertProgressRecords(ctx context.Context, records []progress.Record) error
	// InsertCertificates inserts certificates, as CreateCertificate does each.
	InsertCertificates(ctx context.Context, certs []*certificate.Certificate) error
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
