package mongo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/apperr"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// Volunteer rosters: shifts, their bookings, waiting lists and history.
//
//   - shifts: _id = shift id. A cancelled shift keeps its status; only an
//     occurrence of a removed series that never had a booking, a waiter or any
//     history is deleted (series.go).
//   - shift_bookings: one document per booked place, _id = bookingKey(shift, place),
//     so a place is taken once, and a unique index on (shift_id, volunteer_id), so a
//     volunteer holds one place per shift. Booking is one insert, as for training
//     seats. starts_at and ends_at copy the shift's times, so a volunteer's
//     overlapping bookings are found without a join.
//   - shift_waiters: _id = waiter id (time-ordered, never reused), unique index on
//     (shift_id, volunteer_id).
//   - shift_events: _id = event id; append-only history.
//   - volunteer_leases: the per-volunteer critical section of Book and
//     CancelBooking (see lockVolunteer).
//
// That a volunteer's bookings never overlap spans documents, and MongoDB through
// FerretDB has no transactions, so Book checks and inserts while holding a lease on
// the volunteer: a document inserted with a unique volunteer_id (acquire) and
// deleted by its own _id (release), with an expiry so that a crashed holder blocks
// nobody for longer than leaseTTL.
//
// Why a lease's _id is a random token and not the volunteer id: FerretDB v1.24.2
// runs a delete as "find the matching documents, then DELETE them by _id", so a
// conditional delete such as {_id: volunteer, holder: h} is not atomic. Measured:
// four stale {_id, holder: old} deletes racing one "delete old, insert new" removed
// the new document in 153 of 500 rounds. With _id = token, a delete by _id removes
// exactly the lease it names and never a newer one; the unique index on volunteer_id
// is what admits one holder at a time.
//
// The same effect rules CancelBooking: a delete by {shift_id, volunteer_id} finds
// the booking's _id (shift:place), and a stale one could remove another volunteer
// who took the freed place meanwhile. So CancelBooking finds and deletes under the
// volunteer's lease: only a lease holder removes the volunteer's bookings, so the
// _id it found still names the same booking when it deletes it. RemoveWaiter needs
// no lease: a waiter's _id names one entry for ever. Concurrent deletes of one _id
// are counted once (FerretDB's DELETE reports SQLite's rows affected; measured: 50
// concurrent DeleteOne of one document, 20 rounds, exactly one DeletedCount 1 each).
//
// MongoDB has no foreign keys: CreateShift checks the centre, the ward and the
// qualification course, UpdateShift the course, and Book and AddWaiter the shift
// and the volunteer by _id, as the SQLite adapter's foreign keys do.

// Collection names of rosters.
const (
	colShifts      = "shifts"
	colBookings    = "shift_bookings"
	colWaiters     = "shift_waiters"
	colShiftEvents = "shift_events"
	colLeases      = "volunteer_leases"
)

// Leases on volunteers.
const (
	// leaseTTL is how long a lease is valid; after it, another caller may take it
	// over. It is also how long a crashed holder blocks the volunteer's bookings.
	leaseTTL = 30 * time.Second
	// leaseUse is how long after acquiring a holder may still write. A holder that
	// took longer (a stalled process or an overloaded server) gives up instead of
	// writing under a lease that may soon be taken over. Measured: 200 concurrent
	// bookings of different volunteers on FerretDB under the race detector, on two
	// shared CPUs, held leases for up to 10 s.
	leaseUse = 2 * leaseTTL / 3
	// leaseWait is how long Book and CancelBooking wait for a held lease.
	leaseWait = 5 * time.Second
	// Backoff between reads of a held lease: a wait in [b, 2b), b doubling from
	// min to max.
	leaseBackoffMin, leaseBackoffMax = 5 * time.Millisecond, 20 * time.Millisecond
	// releaseTimeout bounds the release, which runs even when the caller's context is done.
	releaseTimeout = 5 * time.Second
)

func (d *DB) shifts() *mongodrv.Collection      { return d.db.Collection(colShifts) }
func (d *DB) bookings() *mongodrv.Collection    { return d.db.Collection(colBookings) }
func (d *DB) waiters() *mongodrv.Collection     { return d.db.Collection(colWaiters) }
func (d *DB) shiftEvents() *mongodrv.Collection { return d.db.Collection(colShiftEvents) }
func (d *DB) leases() *mongodrv.Collection      { return d.db.Collection(colLeases) }

type shiftDoc struct {
	ID                    string    `bson:"_id"`
	CentreID              string    `bson:"centre_id"`
	WardID                string    `bson:"ward_id"`
	Title                 string    `bson:"title"`
	Role                  string    `bson:"role"`
	StartsAt              time.Time `bson:"starts_at"`
	EndsAt                time.Time `bson:"ends_at"`
	Places                int       `bson:"places"`
	QualificationCourseID string    `bson:"qualification_course_id"` // "" when none
	Notes                 string    `bson:"notes"`
	SignupOpensAt         time.Time `bson:"signup_opens_at"`
	CancelDeadline        time.Time `bson:"cancel_deadline"`
	Status                string    `bson:"status"`
	CreatedBy             string    `bson:"created_by"`
	CreatedAt             time.Time `bson:"created_at"`
	UpdatedAt             time.Time `bson:"updated_at"`
	// SeriesID and Occurrence are missing for a single shift (documents stored
	// before series existed have neither).
	SeriesID   string     `bson:"series_id,omitempty"`
	Occurrence *time.Time `bson:"occurrence,omitempty"`
	Detached   bool       `bson:"detached"`
}

func (d *shiftDoc) shift() *roster.Shift {
	var occ time.Time
	if d.Occurrence != nil {
		occ = utc(*d.Occurrence)
	}
	return &roster.Shift{
		SeriesID:              d.SeriesID,
		Occurrence:            occ,
		Detached:              d.Detached,
		ID:                    d.ID,
		CentreID:              d.CentreID,
		WardID:                d.WardID,
		Title:                 d.Title,
		Role:                  roster.Role(d.Role),
		StartsAt:              utc(d.StartsAt),
		EndsAt:                utc(d.EndsAt),
		Places:                d.Places,
		QualificationCourseID: d.QualificationCourseID,
		Notes:                 d.Notes,
		SignupOpensAt:         utc(d.SignupOpensAt),
		CancelDeadline:        utc(d.CancelDeadline),
		Status:                roster.Status(d.Status),
		CreatedBy:             d.CreatedBy,
		CreatedAt:             utc(d.CreatedAt),
		UpdatedAt:             utc(d.UpdatedAt),
	}
}

// bookingDoc is one booked place of a shift; _id is bookingKey(shift_id, place).
type bookingDoc struct {
	Key         string    `bson:"_id"`
	ShiftID     string    `bson:"shift_id"`
	Place       int       `bson:"place"`
	VolunteerID string    `bson:"volunteer_id"`
	StartsAt    time.Time `bson:"starts_at"`
	EndsAt      time.Time `bson:"ends_at"`
	BookedBy    string    `bson:"booked_by"`
	Reason      string    `bson:"reason"`
	BookedAt    time.Time `bson:"booked_at"`
}

func (d *bookingDoc) booking() *roster.Booking {
	return &roster.Booking{
		ShiftID:     d.ShiftID,
		Place:       d.Place,
		VolunteerID: d.VolunteerID,
		StartsAt:    utc(d.StartsAt),
		EndsAt:      utc(d.EndsAt),
		BookedBy:    d.BookedBy,
		Reason:      d.Reason,
		BookedAt:    utc(d.BookedAt),
	}
}

type waiterDoc struct {
	ID          string    `bson:"_id"`
	ShiftID     string    `bson:"shift_id"`
	VolunteerID string    `bson:"volunteer_id"`
	JoinedAt    time.Time `bson:"joined_at"`
}

func (d *waiterDoc) waiter() *roster.Waiter {
	return &roster.Waiter{ID: d.ID, ShiftID: d.ShiftID, VolunteerID: d.VolunteerID, JoinedAt: utc(d.JoinedAt)}
}

type shiftEventDoc struct {
	ID          string    `bson:"_id"`
	ShiftID     string    `bson:"shift_id"`
	VolunteerID string    `bson:"volunteer_id"`
	Kind        string    `bson:"kind"`
	Place       int       `bson:"place"`
	By          string    `bson:"by"`
	Reason      string    `bson:"reason"`
	At          time.Time `bson:"at"`
}

func (d *shiftEventDoc) event() *roster.Event {
	return &roster.Event{ID: d.ID, ShiftID: d.ShiftID, VolunteerID: d.VolunteerID, Kind: d.Kind,
		Place: d.Place, By: d.By, Reason: d.Reason, At: utc(d.At)}
}

// leaseSpace is a kind of lease: the collection of its documents and the field
// holding what it serialises, which has a unique index. A lease document is
// {_id: the holder's random token, <field>: key, expires_at}.
type leaseSpace struct {
	collection string
	field      string
}

// The kinds of leases: per volunteer (bookings, here) and per device (usage,
// equipment.go).
var (
	volunteerLeases = leaseSpace{collection: colLeases, field: "volunteer_id"}
	deviceLeases    = leaseSpace{collection: colDeviceLeases, field: "device_id"}
)

// leaseDoc is a held lease as read back: its token and expiry.
type leaseDoc struct {
	Token     string    `bson:"_id"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// bookingKey is the _id of a booking: the place is zero-padded and has no ':', so
// the key names one (shift, place) pair.
func bookingKey(shiftID string, place int) string {
	return fmt.Sprintf("%s:%06d", shiftID, place)
}

// find runs a find on col and converts every document with conv.
func find[D, T any](ctx context.Context, col *mongodrv.Collection, filter bson.D, o *options.FindOptionsBuilder, what string, conv func(*D) *T) ([]*T, error) {
	cur, err := col.Find(ctx, filter, o)
	if err != nil {
		return nil, wrapErr(err, what)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrapErr(err, what)
	}
	out := make([]*T, 0, len(docs))
	for i := range docs {
		out = append(out, conv(&docs[i]))
	}
	return out, nil
}

// --- shifts ---

// CreateShift inserts a shift; a taken ID is ErrConflict, an unknown centre, ward or
// qualification course ErrNotFound.
func (d *DB) CreateShift(ctx context.Context, s *roster.Shift) error {
	ctx, markDone, merr := d.markCoverage(ctx, s.WardID)
	if merr != nil {
		return merr
	}
	defer markDone()
	if err := mustExist(ctx, d.centres, "centre", s.CentreID); err != nil {
		return err
	}
	if err := mustExist(ctx, d.wards, "ward", s.WardID); err != nil {
		return err
	}
	if s.QualificationCourseID != "" {
		if err := mustExist(ctx, d.courses, "course", s.QualificationCourseID); err != nil {
			return err
		}
	}
	_, err := d.shifts().InsertOne(ctx, &shiftDoc{
		ID:                    s.ID,
		CentreID:              s.CentreID,
		WardID:                s.WardID,
		Title:                 s.Title,
		Role:                  string(s.Role),
		StartsAt:              s.StartsAt,
		EndsAt:                s.EndsAt,
		Places:                s.Places,
		QualificationCourseID: s.QualificationCourseID,
		Notes:                 s.Notes,
		SignupOpensAt:         s.SignupOpensAt,
		CancelDeadline:        s.CancelDeadline,
		Status:                string(s.Status),
		CreatedBy:             s.CreatedBy,
		CreatedAt:             s.CreatedAt,
		UpdatedAt:             s.UpdatedAt,
		SeriesID:              s.SeriesID,
		Occurrence:            occurrence(s),
		Detached:              s.Detached,
	})
	return wrapErr(err, "shift "+s.ID)
}

// ShiftByID finds a shift by ID.
func (d *DB) ShiftByID(ctx context.Context, id string) (*roster.Shift, error) {
	var doc shiftDoc
	if err := d.shifts().FindOne(ctx, byID(id)).Decode(&doc); err != nil {
		return nil, wrapErr(err, "shift "+id)
	}
	return doc.shift(), nil
}

// UpdateShift replaces every field but ID, CentreID, WardID, CreatedBy and CreatedAt;
// a missing shift, or an unknown qualification course, is ErrNotFound. The times
// copied into the shift's bookings are not changed.
func (d *DB) UpdateShift(ctx context.Context, s *roster.Shift) error {
	ctx, markDone, merr := d.markCoverage(ctx, s.WardID)
	if merr != nil {
		return merr
	}
	defer markDone()
	if s.QualificationCourseID != "" {
		if err := mustExist(ctx, d.courses, "course", s.QualificationCourseID); err != nil {
			return err
		}
	}
	return updateByID(ctx, d.shifts(), s.ID, bson.D{
		{Key: "title", Value: s.Title},
		{Key: "role", Value: string(s.Role)},
		{Key: "starts_at", Value: s.StartsAt},
		{Key: "ends_at", Value: s.EndsAt},
		{Key: "places", Value: s.Places},
		{Key: "qualification_course_id", Value: s.QualificationCourseID},
		{Key: "notes", Value: s.Notes},
		{Key: "signup_opens_at", Value: s.SignupOpensAt},
		{Key: "cancel_deadline", Value: s.CancelDeadline},
		{Key: "status", Value: string(s.Status)},
		{Key: "updated_at", Value: s.UpdatedAt},
		{Key: "series_id", Value: s.SeriesID},
		{Key: "detached", Value: s.Detached},
	}, "shift "+s.ID)
}

// ListShifts returns shifts matching f ordered by (StartsAt, ID), strictly after the
// page key p.After (roster.ShiftKey), Limit+1 at most (all when Limit is 0). A page
// key of another shape is a validation error of the cursor.
func (d *DB) ListShifts(ctx context.Context, f roster.ShiftFilter, p page.Request) ([]*roster.Shift, error) {
	filter := bson.D{}
	if f.CentreID != "" {
		filter = append(filter, bson.E{Key: "centre_id", Value: f.CentreID})
	}
	if f.WardID != "" {
		filter = append(filter, bson.E{Key: "ward_id", Value: f.WardID})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(f.Status)})
	}
	filter, err := startWindow(filter, f.From, f.To, p.After)
	if err != nil {
		return nil, err
	}
	o := options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}})
	if p.Limit > 0 {
		o.SetLimit(int64(p.Limit) + 1)
	}
	return find(ctx, d.shifts(), filter, o, "list shifts", (*shiftDoc).shift)
}

// --- leases ---

// lease is a held lease (on a volunteer, or a device).
type lease struct {
	col      *mongodrv.Collection
	token    string
	acquired time.Time
	local    func() // releases the in-process turn
}

// turns queues the callers of one process for a lease, so that of them only one
// at a time polls the database: without it, 50 concurrent bookings of one
// volunteer poll the lease so often that, on FerretDB under the race detector,
// the polling starves the holder. Keys are database name + lease collection +
// key (two DB values on one database share the queue, as they share the lease).
// The lease document is still what serialises processes; this only saves work.
var turns = struct {
	sync.Mutex
	m map[string]*turn
}{m: map[string]*turn{}}

type turn struct {
	ch    chan struct{} // holds a token while a caller has the turn
	users int           // callers holding or waiting for the turn
}

// takeTurn waits for the process-local turn on key until deadline or the end of
// ctx, and returns its release.
func takeTurn(ctx context.Context, key string, deadline time.Time) (func(), error) {
	turns.Lock()
	t := turns.m[key]
	if t == nil {
		t = &turn{ch: make(chan struct{}, 1)}
		turns.m[key] = t
	}
	t.users++
	turns.Unlock()
	done := func() {
		turns.Lock()
		if t.users--; t.users == 0 {
			delete(turns.m, key)
		}
		turns.Unlock()
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case t.ch <- struct{}{}:
		return func() { <-t.ch; done() }, nil
	case <-ctx.Done():
		done()
		return nil, fmt.Errorf("%w: %w", apperr.ErrUnavailable, ctx.Err())
	case <-timer.C:
		done()
		return nil, fmt.Errorf("held for %s: %w", leaseWait, apperr.ErrUnavailable)
	}
}

// lockVolunteer acquires the lease on a volunteer: an insert of {_id: token,
// volunteer_id, expires_at}, which the unique index on volunteer_id admits once.
// Callers in one process first queue for a local turn (see turns). When the lease
// is held by another process, the caller waits, reading the held lease after a
// jittered backoff growing from leaseBackoffMin to leaseBackoffMax, and inserts
// again once the lease is gone; a waiter polls with reads, so it does not compete
// with the holder's writes. A held lease that has expired (its holder crashed or
// stalled) is deleted by its own _id, which removes that lease and never a newer
// one. After leaseWait (or when ctx ends sooner) the error is ErrUnavailable. The
// caller must release the lease.
func (d *DB) lockVolunteer(ctx context.Context, volunteerID string) (*lease, error) {
	return d.lock(ctx, volunteerLeases, volunteerID)
}

// lock acquires the lease of space on key, as lockVolunteer describes.
func (d *DB) lock(ctx context.Context, space leaseSpace, key string) (*lease, error) {
	what := "lease on " + space.field + " " + key
	token, err := randomToken()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	deadline := time.Now().Add(leaseWait)
	local, err := takeTurn(ctx, d.db.Name()+"\x00"+space.collection+"\x00"+key, deadline)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	l, err := d.acquire(ctx, space, key, token, deadline, what)
	if err != nil {
		local()
		return nil, err
	}
	l.local = local
	return l, nil
}

// acquire inserts the lease document, waiting while another holds it.
func (d *DB) acquire(ctx context.Context, space leaseSpace, key, token string, deadline time.Time, what string) (*lease, error) {
	col := d.db.Collection(space.collection)
	backoff := leaseBackoffMin
	for {
		start := time.Now()
		_, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: token}, {Key: space.field, Value: key},
			{Key: "expires_at", Value: start.Add(leaseTTL)}})
		if err == nil {
			return &lease{col: col, token: token, acquired: start}, nil
		}
		if !duplicateKey(err) {
			return nil, wrapErr(err, what)
		}
		// Held: wait until it is released or expires.
		for held := true; held; {
			wait := backoff + mrand.N(backoff)
			backoff = min(2*backoff, leaseBackoffMax)
			if time.Now().Add(wait).After(deadline) {
				return nil, fmt.Errorf("%s: held by another for %s: %w", what, leaseWait, apperr.ErrUnavailable)
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("%s: %w: %w", what, apperr.ErrUnavailable, ctx.Err())
			case <-t.C:
			}
			var doc leaseDoc
			err := col.FindOne(ctx, bson.D{{Key: space.field, Value: key}}).Decode(&doc)
			switch {
			case errors.Is(err, mongodrv.ErrNoDocuments):
				held = false
			case err != nil:
				return nil, wrapErr(err, what)
			case doc.Token == token:
				// Our own insert landed although the driver saw an error (a retried
				// write whose first attempt succeeded): the lease is ours.
				return &lease{col: col, token: token, acquired: start}, nil
			case doc.ExpiresAt.Before(time.Now()):
				if _, err := col.DeleteOne(ctx, byID(doc.Token)); err != nil {
					return nil, wrapErr(err, what)
				}
				held = false
			}
		}
	}
}

// check returns ErrUnavailable when the lease is too old to write under: its
// holder stalled, and the lease may be taken over as soon as it expires.
func (l *lease) check(what string) error {
	if time.Since(l.acquired) > leaseUse {
		return fmt.Errorf("%s: lease held too long: %w", what, apperr.ErrUnavailable)
	}
	return nil
}

// release deletes the lease by its token, even when ctx is done; a lease that
// cannot be deleted expires after leaseTTL.
func (l *lease) release(ctx context.Context) {
	defer l.local()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	_, _ = l.col.DeleteOne(ctx, byID(l.token))
}

func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// --- bookings ---

// Book inserts a booking unless the volunteer holds a booking of another shift
// overlapping [b.StartsAt, b.EndsAt) (roster.ErrOverlap); the check and the insert
// run under the volunteer's lease. A taken (ShiftID, Place) is a duplicate _id and a
// taken (ShiftID, VolunteerID) a duplicate of the unique index, both ErrConflict; an
// unknown shift or volunteer is ErrNotFound; a lease held elsewhere for too long
// ErrUnavailable. Refusals come in that order: a conflict wins over an overlap (a
// second booking of the same shift is a conflict), as on SQLite.
func (d *DB) Book(ctx context.Context, b *roster.Booking) error {
	ctx, markDone, merr := d.markCoverage(ctx, d.wardOf(ctx, colShifts, b.ShiftID))
	if merr != nil {
		return merr
	}
	defer markDone()
	what := fmt.Sprintf("book place %d of shift %s", b.Place, b.ShiftID)
	// Before the lease, the cheap refusals: a taken place (a read by _id, the most
	// common refusal when callers try places in turn), an unknown shift or
	// volunteer. The insert still enforces both keys.
	taken, err := exists(ctx, d.bookings(), bookingKey(b.ShiftID, b.Place))
	if err != nil {
		return wrapErr(err, what)
	}
	if taken {
		return conflict(what)
	}
	if err := mustExist(ctx, d.shifts(), "shift", b.ShiftID); err != nil {
		return err
	}
	if err := mustExist(ctx, d.users, "volunteer", b.VolunteerID); err != nil {
		return err
	}
	l, err := d.lockVolunteer(ctx, b.VolunteerID)
	if err != nil {
		return err
	}
	defer l.release(ctx)

	// The volunteer's booking of the same shift (a conflict) and bookings
	// overlapping the new one (an overlap). A volunteer's bookings do not overlap
	// one another, so they are few.
	var held []bookingDoc
	cur, err := d.bookings().Find(ctx, bson.D{
		{Key: "volunteer_id", Value: b.VolunteerID},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "shift_id", Value: b.ShiftID}},
			bson.D{
				{Key: "starts_at", Value: bson.D{{Key: "$lt", Value: b.EndsAt}}},
				{Key: "ends_at", Value: bson.D{{Key: "$gt", Value: b.StartsAt}}},
			},
		}},
	}, options.Find().SetProjection(bson.D{{Key: "shift_id", Value: 1}}))
	if err != nil {
		return wrapErr(err, what)
	}
	if err := cur.All(ctx, &held); err != nil {
		return wrapErr(err, what)
	}
	for _, h := range held {
		if h.ShiftID == b.ShiftID {
			return conflict(what)
		}
	}
	if len(held) > 0 {
		return fmt.Errorf("%s: %w", what, roster.ErrOverlap)
	}
	if err := l.check(what); err != nil {
		return err
	}
	_, err = d.bookings().InsertOne(ctx, &bookingDoc{
		Key:         bookingKey(b.ShiftID, b.Place),
		ShiftID:     b.ShiftID,
		Place:       b.Place,
		VolunteerID: b.VolunteerID,
		StartsAt:    b.StartsAt,
		EndsAt:      b.EndsAt,
		BookedBy:    b.BookedBy,
		Reason:      b.Reason,
		BookedAt:    b.BookedAt,
	})
	return wrapErr(err, what)
}

// Bookings returns a shift's bookings ordered by Place.
func (d *DB) Bookings(ctx context.Context, shiftID string) ([]*roster.Booking, error) {
	return find(ctx, d.bookings(), bson.D{{Key: "shift_id", Value: shiftID}},
		options.Find().SetSort(bson.D{{Key: "place", Value: 1}}),
		"bookings of shift "+shiftID, (*bookingDoc).booking)
}

// Booking finds the booking a volunteer holds on a shift.
func (d *DB) Booking(ctx context.Context, shiftID, volunteerID string) (*roster.Booking, error) {
	var doc bookingDoc
	err := d.bookings().FindOne(ctx, bson.D{
		{Key: "shift_id", Value: shiftID},
		{Key: "volunteer_id", Value: volunteerID},
	}).Decode(&doc)
	if err != nil {
		return nil, wrapErr(err, "booking of volunteer on shift "+shiftID)
	}
	return doc.booking(), nil
}

// CancelBooking deletes a booking; a missing one is ErrNotFound. It finds the
// booking and deletes it by _id under the volunteer's lease, so of concurrent
// cancellations the first deletes it and the others find none, and the _id found
// cannot have been freed and taken by another volunteer before the delete.
func (d *DB) CancelBooking(ctx context.Context, shiftID, volunteerID string) error {
	ctx, markDone, merr := d.markCoverage(ctx, d.wardOf(ctx, colShifts, shiftID))
	if merr != nil {
		return merr
	}
	defer markDone()
	what := "booking of volunteer on shift " + shiftID
	l, err := d.lockVolunteer(ctx, volunteerID)
	if err != nil {
		return err
	}
	defer l.release(ctx)

	var doc bookingDoc
	err = d.bookings().FindOne(ctx, bson.D{
		{Key: "shift_id", Value: shiftID},
		{Key: "volunteer_id", Value: volunteerID},
	}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Decode(&doc)
	if err != nil {
		return wrapErr(err, what)
	}
	if err := l.check(what); err != nil {
		return err
	}
	res, err := d.bookings().DeleteOne(ctx, byID(doc.Key))
	if err != nil {
		return wrapErr(err, what)
	}
	if res.DeletedCount == 0 {
		return notFound(what)
	}
	return nil
}

// BookingsOfVolunteer returns a volunteer's bookings starting in [from, to), ordered
// by StartsAt (ties by shift id).
func (d *DB) BookingsOfVolunteer(ctx context.Context, volunteerID string, from, to time.Time) ([]*roster.Booking, error) {
	return find(ctx, d.bookings(), bson.D{
		{Key: "volunteer_id", Value: volunteerID},
		{Key: "starts_at", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
	}, options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}}),
		"bookings of volunteer "+volunteerID, (*bookingDoc).booking)
}

// --- waiting lists ---

// AddWaiter appends a volunteer to a shift's waiting list; a taken ID or a second
// entry of the volunteer is ErrConflict, an unknown shift or volunteer ErrNotFound.
func (d *DB) AddWaiter(ctx context.Context, w *roster.Waiter) error {
	if err := mustExist(ctx, d.shifts(), "shift", w.ShiftID); err != nil {
		return err
	}
	if err := mustExist(ctx, d.users, "volunteer", w.VolunteerID); err != nil {
		return err
	}
	_, err := d.waiters().InsertOne(ctx, &waiterDoc{
		ID:          w.ID,
		ShiftID:     w.ShiftID,
		VolunteerID: w.VolunteerID,
		JoinedAt:    w.JoinedAt,
	})
	return wrapErr(err, fmt.Sprintf("waiter %s on shift %s", w.ID, w.ShiftID))
}

// Waiters returns a shift's waiting list in arrival order (by ID).
func (d *DB) Waiters(ctx context.Context, shiftID string) ([]*roster.Waiter, error) {
	return find(ctx, d.waiters(), bson.D{{Key: "shift_id", Value: shiftID}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}),
		"waiters of shift "+shiftID, (*waiterDoc).waiter)
}

// WaitingOf returns a volunteer's waiting-list entries on every shift, by _id.
func (d *DB) WaitingOf(ctx context.Context, volunteerID string) ([]*roster.Waiter, error) {
	return find(ctx, d.waiters(), bson.D{{Key: "volunteer_id", Value: volunteerID}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}),
		"waiting of volunteer "+volunteerID, (*waiterDoc).waiter)
}

// RemoveWaiter deletes a volunteer's entry in a shift's waiting list; a missing one
// is ErrNotFound. The entry is deleted by its _id, which names it for ever (waiter
// IDs are never reused), so of concurrent removals exactly one deletes it.
func (d *DB) RemoveWaiter(ctx context.Context, shiftID, volunteerID string) error {
	what := "waiter on shift " + shiftID
	var doc waiterDoc
	err := d.waiters().FindOne(ctx, bson.D{
		{Key: "shift_id", Value: shiftID},
		{Key: "volunteer_id", Value: volunteerID},
	}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Decode(&doc)
	if err != nil {
		return wrapErr(err, what)
	}
	res, err := d.waiters().DeleteOne(ctx, byID(doc.ID))
	if err != nil {
		return wrapErr(err, what)
	}
	if res.DeletedCount == 0 {
		return notFound(what)
	}
	return nil
}

// --- history ---

// AddEvent appends a line of booking history; a taken ID is ErrConflict.
func (d *DB) AddEvent(ctx context.Context, e *roster.Event) error {
	_, err := d.shiftEvents().InsertOne(ctx, &shiftEventDoc{
		ID:          e.ID,
		ShiftID:     e.ShiftID,
		VolunteerID: e.VolunteerID,
		Kind:        e.Kind,
		Place:       e.Place,
		By:          e.By,
		Reason:      e.Reason,
		At:          e.At,
	})
	return wrapErr(err, "shift event "+e.ID)
}

// Events returns a shift's history, oldest first (ties by ID).
func (d *DB) Events(ctx context.Context, shiftID string) ([]*roster.Event, error) {
	return find(ctx, d.shiftEvents(), bson.D{{Key: "shift_id", Value: shiftID}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}),
		"events of shift "+shiftID, (*shiftEventDoc).event)
}
