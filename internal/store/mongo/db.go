// Package mongo is the MongoDB storage adapter (production), tested against FerretDB v1.
//
// Design: MongoDB through FerretDB offers no transactions and no atomic
// read-modify-write (FerretDB's updates are read-then-replace), so every invariant
// that must hold under concurrency is a unique key enforced on insert:
//
//   - users: unique email_key; a second account with the same email fails on insert.
//   - refresh_spent: one document per spent refresh token, _id = token hash.
//     Spending a token is an insert, so exactly one of any number of concurrent
//     spends succeeds; the others get a duplicate key and return ErrConflict.
//   - revoked_families: one document per revoked family, _id = family id; revoking
//     is an insert whose duplicate key is ignored, which makes it idempotent.
//   - invites: unique code; wards: unique code.
//   - builtin_slugs: one document per built-in course, _id = slug, inserted before
//     the course (a unique index on an optional courses field would treat every
//     course without a slug as a duplicate null, and partial indexes are missing).
//   - course_versions: _id = course id + ":" + zero-padded number, so a version
//     number is taken once. Enrolments and course completions are keyed by
//     learner:course, lesson completions by learner:course:version:lesson.
//   - course_cards: the catalogue card of a published version, _id = the
//     version's _id, written after the version and before any course points to
//     it, derived again from the version when missing (courses.go).
//   - session_seats: a place of a training session, _id = session id + ":" +
//     zero-padded place number, plus a unique index on (session_id, learner_key):
//     a session never holds more places than its capacity, nor a learner twice.
//   - shift_bookings: a volunteer's place on a shift, _id = shift id + ":" +
//     zero-padded place, plus a unique index on (shift_id, volunteer_id).
//   - shift_events and session_seat_events: _id = owner id + ":" + zero-padded
//     history number. Rosters and training sessions change only by units of
//     change (units.go): a unit commits by inserting its first history event,
//     which carries its writes until they are applied, so two units never take
//     one number and a unit a crashed writer left half-applied is finished by
//     whoever comes next.
//   - volunteer_leases: the per-volunteer critical section of a unit that books
//     someone (a lease document with a random _id, unique on volunteer_id,
//     expiring, naming its shift; leases.go): no overlapping booking lands while
//     it is held. FerretDB applies a filtered delete by _id after a separate
//     read, so only deletes that name a document's own unique _id are relied on.
//   - notifications: unique index on (user_id, key), an idempotency key: a notice
//     created twice is stored once. notification_deliveries: a worker's claim to
//     send a notification, _id = notification id, so exactly one worker sends it
//     (notify.go).
//   - calendar_feeds: a live calendar feed, _id = SHA-256 of its secret token, plus a
//     unique index on (kind, owner_id): an owner has one live feed; a reset deletes
//     the old one by its _id and inserts the new one (calendar.go).
//   - shift_attendance: a check-in or check-out, _id = shift:volunteer:kind, so a
//     volunteer checks in once per shift; work_entries: _id = entry id
//     (attendance.go). Both are insert-only.
//   - shifts of a recurring series: _id derived from the series lineage and the
//     occurrence's day, so the _id is the unique key of (series, occurrence)
//     (series.go).
//   - no_shows: staff's decision on a no-show, _id = shift:volunteer, so a no-show
//     is decided once (noshow.go); insert-only.
//   - devices: a centre's device, unique index on (centre_id, label_key), so a
//     label is taken once per centre. device_usage: a session of use, insert-only;
//     device_usage_voids: staff's correction of one, _id = usage id (voided once);
//     device_leases: the per-device critical section in which AddUsage checks for
//     an overlapping session and inserts (equipment.go; the lease of roster.go).
//   - certificates: _id = the certificate's code, plus a unique index on
//     issue_key, so a re-issue of the same period and total lands once;
//     certificate_revocations: _id = the certificate's code, so a certificate is
//     revoked once (certificates.go). Both are insert-only.
//   - resident_keys: a claim on a resident's phone or national ID number, _id =
//     kind:blind index, inserted before the resident, so a number is held once;
//     resident_audit: insert-only, unique once_key ("erase:" + resident id for an
//     erasure), so a resident is erased once (residents.go).
//   - ward_targets: _id = ward:year; district_targets: _id = year (settings: an
//     upsert by _id, the last write wins). ward_merges: insert-only, _id = the
//     merged ward, so a ward is merged once; the move that follows is resumable,
//     and runs under ward_merge_leases, the lease of the merged ward (merges.go).
//
// Without transactions, a write of several documents inserts them in an order
// that leaves nothing visible when it stops half-way: a course's slug claim, then
// its first version, then the course itself.
//
// Updates replace typed fields of one document by _id ($set); no filter or update
// document is ever built from a map of client input. MongoDB has no foreign keys:
// writes that reference another record (a centre's ward, a merged ward's successor,
// a user's or an invite's organisation, a refresh token's user, a spent token)
// check by _id that it exists first, matching the SQLite adapter's foreign keys;
// records they point to are never deleted, so the check cannot be overtaken
// (seats are deleted, but nothing points to a seat).
//
// FerretDB v1 quirks handled here: indexes are created one per command (several
// existing ones in one createIndexes make it panic), and a unique violation on
// update comes back as InternalError "UNIQUE constraint failed", not E11000.
//
// Transient errors (FerretDB's "database is locked", a primary stepping down, a
// timeout of one operation) are retried a few times (retry, units.go) and then
// answered apperr.ErrBusy, never as an internal error.
//
// Files: db.go (Open, indexes, errors), find.go (the read helpers every read
// goes through), migrate.go (documents of older releases),
// units.go (units of change, transient errors), leases.go, users.go, tokens.go,
// invites.go, notify.go (the outbox and delivery claims), directory.go, courses.go (courses and versions), learning.go
// (learners' records), training.go (training sessions, their seats and enrolment
// history), roster.go (shifts, bookings, waiting lists), calendar.go (calendar feeds), attendance.go
// (attendance and work entries), noshow.go (no-show decisions), idempotency.go
// (Idempotency-Key records), equipment.go (devices and their usage log),
// certificates.go (certificates and their revocations), series.go
// (recurring shift series), residents.go (residents, claims on their numbers,
// the audit trail of their personal data), progress.go (residents' progress
// records, their revocations and assisted quiz attempts), residents_rotation.go
// (moving residents' numbers to the current data key, under a lease per resident),
// merges.go (ward and district targets, ward merges), orghours.go (an
// organisation's hours), partner.go (the partner view's counts), coverage.go
// (coverage stamps, marked before each write a summary reads, and facts),
// coverage_fill.go (a ward's or the district's coverage parts read together),
// bulk.go (batch writes for the seeder, with unordered InsertMany).
package mongo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"ecitizen/internal/apperr"
	"ecitizen/internal/course"
	"ecitizen/internal/logging"
	"ecitizen/internal/page"
)

// DefaultDatabase is the database used when Open is given none.
const DefaultDatabase = "ecitizen"

// Timeouts so that an unreachable server fails fast instead of hanging.
const (
	connectTimeout = 5 * time.Second
	selectTimeout  = 5 * time.Second
	closeTimeout   = 5 * time.Second
)

// Collection names.
const (
	colUsers         = "users"
	colRefreshTokens = "refresh_tokens"
	colRefreshSpent  = "refresh_spent"
	colRevoked       = "revoked_families"
	colInvites       = "invites"
	colWards         = "wards"
	colCentres       = "centres"
	colOrganisations = "organisations"
	colCourses       = "courses"
	colBuiltinSlugs  = "builtin_slugs"
	colVersions      = "course_versions"
	colEnrolments    = "enrolments"
	colLessonsDone   = "lesson_completions"
	colQuizAttempts  = "quiz_attempts"
	colCoursesDone   = "course_completions"
)

// DB is the MongoDB adapter; it satisfies store.Store.
type DB struct {
	client *mongodrv.Client
	db     *mongodrv.Database
	// instance names this DB value among others on the same database (the units'
	// process-local turns are per instance, units.go).
	instance string
	// log takes the adapter's warnings (units of change left for recovery).
	log *slog.Logger

	users, refreshTokens, refreshSpent, revoked, invites *mongodrv.Collection
	wards, centres, organisations                        *mongodrv.Collection
	courses, builtinSlugs, versions                      *mongodrv.Collection
	enrolments, lessonsDone, quizAttempts, coursesDone   *mongodrv.Collection

	// logged counts the coverage log's writes, to prune it now and then (coverage.go).
	logged atomic.Uint64
	// ferret is whether the server is FerretDB (its buildInfo names its
	// version), which answers every filter but {_id: v} by a scan: coverage
	// reads whole collections once rather than a ward's at a time (coverage_fill.go).
	ferret bool
	// fills holds the resident parts coverage read together (coverage_fill.go).
	fills fills
	// cardCache holds the catalogue's cards between reads (CatalogueCards).
	cardCache course.CardCache
}

// Options are the settings of Open besides the server's URI.
type Options struct {
	// Database is the database to use; "": DefaultDatabase.
	Database string
	// Logger takes the adapter's warnings; nil: logs nothing.
	Logger *slog.Logger
}

// Open connects to uri, checks that the server answers and creates the indexes
// (idempotently).
func Open(ctx context.Context, uri string, o Options) (*DB, error) {
	database := o.Database
	if database == "" {
		database = DefaultDatabase
	}
	// Defaults first: connectTimeoutMS and serverSelectionTimeoutMS in the URI win.
	opts := options.Client().
		SetConnectTimeout(connectTimeout).
		SetServerSelectionTimeout(selectTimeout).
		ApplyURI(uri)
	client, err := mongodrv.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("mongo: connect: %w", err)
	}
	d := newDB(client, database, logging.OrDiscard(o.Logger))
	if err := d.Ping(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	d.ferret = isFerretDB(ctx, client)
	if err := d.createIndexes(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	if err := d.migrate(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	return d, nil
}

func newDB(client *mongodrv.Client, database string, log *slog.Logger) *DB {
	db := client.Database(database)
	instance, _ := randomToken()
	return &DB{
		client:        client,
		db:            db,
		instance:      instance,
		log:           log,
		users:         db.Collection(colUsers),
		refreshTokens: db.Collection(colRefreshTokens),
		refreshSpent:  db.Collection(colRefreshSpent),
		revoked:       db.Collection(colRevoked),
		invites:       db.Collection(colInvites),
		wards:         db.Collection(colWards),
		centres:       db.Collection(colCentres),
		organisations: db.Collection(colOrganisations),
		courses:       db.Collection(colCourses),
		builtinSlugs:  db.Collection(colBuiltinSlugs),
		versions:      db.Collection(colVersions),
		enrolments:    db.Collection(colEnrolments),
		lessonsDone:   db.Collection(colLessonsDone),
		quizAttempts:  db.Collection(colQuizAttempts),
		coursesDone:   db.Collection(colCoursesDone),
	}
}

// Ping reports whether the server is reachable.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.client.Ping(ctx, nil); err != nil {
		return wrapErr(err, "mongo: ping")
	}
	return nil
}

// Close disconnects from the server.
func (d *DB) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	if err := d.client.Disconnect(ctx); err != nil && !errors.Is(err, mongodrv.ErrClientDisconnected) {
		return fmt.Errorf("mongo: disconnect: %w", err)
	}
	return nil
}

// isFerretDB reports whether the server is FerretDB: its buildInfo names its
// version (ferretdbVersion), MongoDB's does not.
func isFerretDB(ctx context.Context, client *mongodrv.Client) bool {
	var info bson.M
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return false
	}
	_, ok := info["ferretdbVersion"]
	return ok
}

// index builds a named index model on the given keys (ascending).
func index(name string, unique bool, keys ...string) mongodrv.IndexModel {
	k := bson.D{}
	for _, key := range keys {
		k = append(k, bson.E{Key: key, Value: 1})
	}
	o := options.Index().SetName(name)
	if unique {
		o.SetUnique(true)
	}
	return mongodrv.IndexModel{Keys: k, Options: o}
}

// createIndexes creates every index, idempotently.
// Only unique indexes carry invariants; the others are for MongoDB's query planner.
func (d *DB) createIndexes(ctx context.Context) error {
	specs := []struct {
		col    *mongodrv.Collection
		models []mongodrv.IndexModel
	}{
		{d.users, []mongodrv.IndexModel{
			index("email_key_unique", true, "email_key"),
			index("organisation_id", false, "organisation_id"),
			index("ward_ids", false, "ward_ids"),
			index("role", false, "role"),
		}},
		{d.refreshTokens, []mongodrv.IndexModel{
			index("user_id", false, "user_id"),
			index("family_id", false, "family_id"),
		}},
		{d.invites, []mongodrv.IndexModel{
			index("code_unique", true, "code"),
			index("organisation_id", false, "organisation_id"),
		}},
		{d.wards, []mongodrv.IndexModel{
			index("code_unique", true, "code"),
		}},
		{d.coverageLog(), []mongodrv.IndexModel{
			index("k_at", false, "k", "at"),
			index("at", false, "at"),
		}},
		{d.centres, []mongodrv.IndexModel{
			index("ward_id", false, "ward_id"),
		}},
		{d.courses, []mongodrv.IndexModel{
			index("organisation_id", false, "organisation_id"),
			index("published", false, "archived", "published_version"),
		}},
		{d.versions, []mongodrv.IndexModel{
			index("course_id", false, "course_id"),
		}},
		{d.enrolments, []mongodrv.IndexModel{
			index("user_id_course_id", false, "user_id", "course_id"),
		}},
		{d.lessonsDone, []mongodrv.IndexModel{
			index("learner", false, "user_id", "course_id", "version"),
		}},
		{d.quizAttempts, []mongodrv.IndexModel{
			index("learner", false, "user_id", "course_id", "version", "submitted_at"),
		}},
		{d.sessions(), []mongodrv.IndexModel{
			index("course_id", false, "course_id"),
			index("organisation_id", false, "organisation_id"),
			index("ward_id", false, "ward_id"),
			index("centre_id", false, "centre_id"),
			index("starts_at", false, "starts_at", "_id"),
		}},
		{d.seats(), []mongodrv.IndexModel{
			index("session_id_learner_key_unique", true, "session_id", "learner_key"),
			index("user_id", false, "user_id", "session_id"),
		}},
		{d.seatEvents(), []mongodrv.IndexModel{
			index("session_id_seq", false, "session_id", "seq"),
			index("pending_units", false, "unit.at"),
		}},
		{d.shifts(), []mongodrv.IndexModel{
			index("centre_id", false, "centre_id", "starts_at", "_id"),
			index("ward_id", false, "ward_id", "starts_at", "_id"),
			index("starts_at", false, "starts_at", "_id"),
		}},
		{d.bookings(), []mongodrv.IndexModel{
			index("shift_id_volunteer_id_unique", true, "shift_id", "volunteer_id"),
			index("volunteer_id", false, "volunteer_id", "starts_at"),
		}},
		{d.waiters(), []mongodrv.IndexModel{
			index("shift_id_volunteer_id_unique", true, "shift_id", "volunteer_id"),
			index("line", false, "shift_id", "seq", "joined_at"),
			index("volunteer_id_joined_at", false, "volunteer_id", "joined_at"),
		}},
		{d.series(), []mongodrv.IndexModel{
			index("centre_id", false, "centre_id", "_id"),
			index("status", false, "status", "_id"),
		}},
		{d.shifts(), []mongodrv.IndexModel{
			index("series_id", false, "series_id", "occurrence"),
		}},
		{d.shiftEvents(), []mongodrv.IndexModel{
			index("shift_id_seq", false, "shift_id", "seq"),
			index("pending_units", false, "unit.at"),
		}},
		{d.leases(), []mongodrv.IndexModel{
			index("volunteer_id_unique", true, "volunteer_id"),
		}},
		{d.notifications(), []mongodrv.IndexModel{
			index("user_id_key_unique", true, "user_id", "key"),
			index("user_id", false, "user_id", "_id"),
		}},
		{d.calendarFeeds(), []mongodrv.IndexModel{
			index("kind_owner_id_unique", true, "kind", "owner_id"),
		}},
		{d.attendance(), []mongodrv.IndexModel{
			index("shift_id", false, "shift_id"),
			index("volunteer_id", false, "volunteer_id", "starts_at"),
			index("centre_id", false, "centre_id", "starts_at"),
			index("ward_id", false, "ward_id", "starts_at"),
		}},
		{d.workEntries(), []mongodrv.IndexModel{
			index("volunteer_id", false, "volunteer_id", "date", "_id"),
			index("centre_id", false, "centre_id", "date", "_id"),
			index("ward_id", false, "ward_id", "date", "_id"),
		}},
		{d.noShows(), []mongodrv.IndexModel{
			index("shift_id", false, "shift_id", "volunteer_id"),
			index("volunteer_id", false, "volunteer_id", "decision", "ends_at"),
		}},
		{d.idempotency(), []mongodrv.IndexModel{
			index("user_id_key_unique", true, "user_id", "key"),
			index("created_at", false, "created_at"),
			index("subject", false, "subject"),
		}},
		{d.devices(), []mongodrv.IndexModel{
			index("centre_id_label_key_unique", true, "centre_id", "label_key"),
		}},
		{d.deviceUsage(), []mongodrv.IndexModel{
			index("device_id", false, "device_id", "starts_at"),
			index("centre_id", false, "centre_id", "starts_at", "_id"),
			index("ward_id", false, "ward_id", "starts_at"),
		}},
		{d.usageVoids(), []mongodrv.IndexModel{
			index("by", false, "by"),
		}},
		{d.deviceLeases(), []mongodrv.IndexModel{
			index("device_id_unique", true, "device_id"),
		}},
		{d.certificates(), []mongodrv.IndexModel{
			index("issue_key_unique", true, "issue_key"),
			index("holder_id", false, "holder_id", "id"),
		}},
		{d.residents(), []mongodrv.IndexModel{
			index("ward_id", false, "ward_id", "erased", "_id"),
			index("ward_id_dup_key", false, "ward_id", "dup_key"),
			index("phone_index", false, "phone_index"),
			index("national_index", false, "national_index"),
		}},
		{d.residentAudit(), []mongodrv.IndexModel{
			index("once_key_unique", true, "once_key"),
			index("ward_id", false, "ward_id", "_id"),
		}},
		{d.progressRecords(), []mongodrv.IndexModel{
			index("resident_id", false, "resident_id", "at", "_id"),
		}},
		{d.progressRevocations(), []mongodrv.IndexModel{
			index("resident_id", false, "resident_id"),
		}},
		{d.residentQuizAttempts(), []mongodrv.IndexModel{
			index("resident_id", false, "resident_id", "at", "_id"),
		}},
		{d.db.Collection(residentLeases.collection), []mongodrv.IndexModel{
			index("resident_id_unique", true, residentLeases.field),
		}},
		{d.residents(), []mongodrv.IndexModel{
			index("origin_ward_id", false, "origin_ward_id", "created_at"),
		}},
		// The search of a ward's residents by the words of their names (residents.go).
		{d.residents(), []mongodrv.IndexModel{
			index("ward_id_name_words", false, "ward_id", "name_words"),
		}},
		{d.wardTargets(), []mongodrv.IndexModel{
			index("year_ward_id", false, "year", "ward_id"),
			index("ward_id_year", false, "ward_id", "year"),
		}},
		{d.wardMerges(), []mongodrv.IndexModel{
			index("into_ward_id", false, "into_ward_id"),
		}},
		{d.db.Collection(mergeLeases.collection), []mongodrv.IndexModel{
			index("ward_id_unique", true, mergeLeases.field),
		}},
		{d.devices(), []mongodrv.IndexModel{
			index("ward_id", false, "ward_id"),
		}},
		{d.series(), []mongodrv.IndexModel{
			index("ward_id", false, "ward_id"),
		}},
		// The partner view (partner.go): learners per course in a range, sessions of an organisation.
		{d.enrolments, []mongodrv.IndexModel{index("course_id_started_at", false, "course_id", "started_at")}},
		{d.coursesDone, []mongodrv.IndexModel{index("course_id_completed_at", false, "course_id", "completed_at")}},
		{d.sessions(), []mongodrv.IndexModel{index("organisation_id_starts_at", false, "organisation_id", "starts_at", "_id")}},
	}
	// One index per call: FerretDB v1.24.2 panics (and can skip a new index) when
	// one createIndexes command lists two or more indexes that already exist.
	// Creating an identical existing index is a no-op on MongoDB and FerretDB.
	for _, s := range specs {
		for _, m := range s.models {
			if _, err := s.col.Indexes().CreateOne(ctx, m); err != nil {
				return wrapErr(err, "mongo: create indexes on "+s.col.Name())
			}
		}
	}
	return nil
}

// wrapErr maps a driver error to the store's errors: no document is ErrNotFound, a
// duplicate key is ErrConflict, an unreachable server is ErrUnavailable, a
// transient failure (lock contention, a primary stepping down, a timeout of the
// operation) ErrBusy (keeping the driver error in the chain for the log);
// anything else is wrapped with what. An error that already carries an
// *apperr.Error is returned as is.
func wrapErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case apperr.As(err) != nil:
		return err
	case errors.Is(err, mongodrv.ErrNoDocuments):
		return fmt.Errorf("%s: %w", what, apperr.ErrNotFound)
	case duplicateKey(err):
		return fmt.Errorf("%s: %w", what, apperr.ErrConflict)
	case transient(err):
		return fmt.Errorf("%s: %w: %w", what, apperr.ErrBusy, err)
	case unreachable(err):
		return fmt.Errorf("%s: %w: %w", what, apperr.ErrUnavailable, err)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}

// duplicateKey reports whether err is a unique index violation. MongoDB reports it
// as E11000 on insert and update; FerretDB v1 (SQLite handler) does so on insert
// only: on update it answers InternalError with SQLite's own message.
func duplicateKey(err error) bool {
	if mongodrv.IsDuplicateKeyError(err) {
		return true
	}
	var se mongodrv.ServerError
	return errors.As(err, &se) && se.HasErrorMessage("UNIQUE constraint failed")
}

// unreachable reports whether err means the server could not be reached.
func unreachable(err error) bool {
	var sel topology.ServerSelectionError
	return errors.As(err, &sel) || mongodrv.IsNetworkError(err) || errors.Is(err, mongodrv.ErrClientDisconnected)
}

// notFound is the error of a missing record.
func notFound(what string) error {
	return fmt.Errorf("%s: %w", what, apperr.ErrNotFound)
}

// conflict is the error of a taken unique key found without an insert failing.
func conflict(what string) error {
	return fmt.Errorf("%s: %w", what, apperr.ErrConflict)
}

// updateByID sets fields of the document id; no matching document is ErrNotFound.
func updateByID(ctx context.Context, col *mongodrv.Collection, id string, set bson.D, what string) error {
	var res *mongodrv.UpdateResult
	err := retry(ctx, func() (err error) {
		res, err = col.UpdateOne(ctx, byID(id), bson.D{{Key: "$set", Value: set}})
		return err
	})
	if err != nil {
		return wrapErr(err, what)
	}
	if res.MatchedCount == 0 {
		return notFound(what)
	}
	return nil
}

// utc returns t in UTC (BSON datetimes carry no zone).
func utc(t time.Time) time.Time { return t.UTC() }

// sortedOrNil returns a sorted copy of ids, nil when there are none.
func sortedOrNil(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// startWindow adds to filter the documents starting in [from, to) (each bound when
// set) and strictly after the page key after (page.TimeKey), for lists sorted by
// (starts_at, _id). A malformed key is an invalid cursor.
func startWindow(filter bson.D, from, to time.Time, after string) (bson.D, error) {
	if !from.IsZero() || !to.IsZero() {
		span := bson.D{}
		if !from.IsZero() {
			span = append(span, bson.E{Key: "$gte", Value: from})
		}
		if !to.IsZero() {
			span = append(span, bson.E{Key: "$lt", Value: to})
		}
		filter = append(filter, bson.E{Key: "starts_at", Value: span})
	}
	if after != "" {
		start, id, err := page.ParseTimeKey(after)
		if err != nil {
			return nil, err
		}
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "starts_at", Value: bson.D{{Key: "$gt", Value: start}}}},
			bson.D{{Key: "starts_at", Value: start}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: id}}}},
		}})
	}
	return filter, nil
}
