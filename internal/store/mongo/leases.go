package mongo

import (
	"cmp"
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

	"ecitizen/internal/apperr"
)

// Leases: short critical sections without transactions.
//
// A lease is a document {_id: the holder's random token, <field>: key,
// expires_at[, ref]} in a collection with a unique index on <field>: inserting
// it acquires the lease (the index admits one holder), deleting it by its own
// _id releases it. A holder that crashed blocks nobody for longer than leaseTTL:
// a waiter finding an expired lease deletes it by its _id, which removes that
// lease and never a newer one.
//
// Why a lease's _id is a random token and not the key: FerretDB v1.24.2 runs a
// delete as "find the matching documents, then DELETE them by _id", so a
// conditional delete such as {_id: key, holder: h} is not atomic. Measured: four
// stale {_id, holder: old} deletes racing one "delete old, insert new" removed
// the new document in 153 of 500 rounds. With _id = token, a delete by _id
// removes exactly the lease it names.
//
// A volunteer's lease names the shift whose unit holds it (ref): a unit keeps
// the lease from its question about the volunteer's other bookings until its
// booking is written, so a lease that expired may hide a committed unit not yet
// applied; whoever takes the expired lease over first settles that shift's
// units (units.go), and so sees the booking.

// leaseSpace is a kind of lease: the collection of its documents and the field
// holding what it serialises, which has a unique index.
type leaseSpace struct {
	collection string
	field      string
}

// The kinds of leases: per volunteer (units of shifts, roster.go) and per device
// (usage, equipment.go); residents.go and merges.go have theirs.
var (
	volunteerLeases = leaseSpace{collection: colLeases, field: "volunteer_id"}
	deviceLeases    = leaseSpace{collection: colDeviceLeases, field: "device_id"}
)

// leaseDoc is a held lease as read back: its token, expiry and reference.
type leaseDoc struct {
	Token     string    `bson:"_id"`
	ExpiresAt time.Time `bson:"expires_at"`
	Ref       string    `bson:"ref,omitempty"`
}

// Leases' times (leaseTTL and leaseUse are variables so that the adapter's tests
// can shorten them).
var (
	// leaseTTL is how long a lease is valid; after it, another caller may take it
	// over. It is also how long a crashed holder blocks the key.
	leaseTTL = 30 * time.Second
	// leaseUse is how long after acquiring a holder may still write. A holder that
	// took longer (a stalled process or an overloaded server) gives up instead of
	// writing under a lease that may soon be taken over. Measured: 200 concurrent
	// bookings of different volunteers on FerretDB under the race detector, on two
	// shared CPUs, held leases for up to 10 s.
	leaseUse = 2 * leaseTTL / 3
)

const (
	// leaseWait is how long a caller waits for a held lease.
	leaseWait = 5 * time.Second
	// Backoff between reads of a held lease: a wait in [b, 2b), b doubling from
	// min to max.
	leaseBackoffMin, leaseBackoffMax = 5 * time.Millisecond, 20 * time.Millisecond
	// releaseTimeout bounds the release, which runs even when the caller's context is done.
	releaseTimeout = 5 * time.Second
)

// lease is a held lease.
type lease struct {
	col      *mongodrv.Collection
	token    string
	acquired time.Time
	local    func() // releases the in-process turn
}

// leaseOpts are the variants of acquiring a lease.
type leaseOpts struct {
	// ref is stored with the lease (a volunteer's lease names its shift).
	ref string
	// onStale runs before an expired lease is taken over, with the expired
	// lease: what its holder may have left half-done is finished first.
	onStale func(ctx context.Context, stale leaseDoc) error
	// try gives up at once (errLeaseHeld) instead of waiting for a live lease.
	try bool
	// wait is how long to wait for a live lease; 0 is leaseWait.
	wait time.Duration
}

// errLeaseHeld is the answer of a try when another holds the lease.
var errLeaseHeld = errors.New("lease held by another")

// turns queues the callers of one process for a lease (or a unit, units.go), so
// that of them only one at a time polls the database: without it, 50 concurrent
// bookings of one volunteer poll the lease so often that, on FerretDB under the
// race detector, the polling starves the holder. Keys are database name + kind +
// key (two DB values on one database share the queue, as they share the lease).
// The documents are still what serialises processes; this only saves work.
var turns = struct {
	sync.Mutex
	m map[string]*turn
}{m: map[string]*turn{}}

type turn struct {
	ch    chan struct{} // holds a token while a caller has the turn
	users int           // callers holding or waiting for the turn
}

// takeTurn waits for the process-local turn on key until deadline or the end of
// ctx, and returns its release; with try it does not wait (errLeaseHeld).
func takeTurn(ctx context.Context, key string, deadline time.Time, try bool) (func(), error) {
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
	if try {
		select {
		case t.ch <- struct{}{}:
			return func() { <-t.ch; done() }, nil
		default:
			done()
			return nil, errLeaseHeld
		}
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case t.ch <- struct{}{}:
		return func() { <-t.ch; done() }, nil
	case <-ctx.Done():
		done()
		return nil, fmt.Errorf("%w: %w", apperr.ErrBusy, ctx.Err())
	case <-timer.C:
		done()
		return nil, fmt.Errorf("waited too long for the turn: %w", apperr.ErrBusy)
	}
}

// lock acquires the lease of space on key: callers in one process first queue
// for a local turn (see turns); when the lease is held by another process, the
// caller waits, reading the held lease after a jittered backoff growing from
// leaseBackoffMin to leaseBackoffMax, and inserts again once the lease is gone;
// a waiter polls with reads, so it does not compete with the holder's writes. A
// held lease that has expired (its holder crashed or stalled) is deleted by its
// own _id. After leaseWait (or when ctx ends sooner) the error is ErrBusy. The
// caller must release the lease.
func (d *DB) lock(ctx context.Context, space leaseSpace, key string) (*lease, error) {
	return d.lockWith(ctx, space, key, leaseOpts{})
}

// lockWith acquires a lease as lock does, with the variants of o.
func (d *DB) lockWith(ctx context.Context, space leaseSpace, key string, o leaseOpts) (*lease, error) {
	what := "lease on " + space.field + " " + key
	token, err := randomToken()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	deadline := time.Now().Add(cmp.Or(o.wait, leaseWait))
	local, err := takeTurn(ctx, d.db.Name()+"\x00"+space.collection+"\x00"+key, deadline, o.try)
	if err != nil {
		return nil, err
	}
	l, err := d.acquire(ctx, space, key, token, deadline, what, o)
	if err != nil {
		local()
		return nil, err
	}
	l.local = local
	return l, nil
}

// acquire inserts the lease document, waiting while another holds it.
func (d *DB) acquire(ctx context.Context, space leaseSpace, key, token string, deadline time.Time, what string, o leaseOpts) (*lease, error) {
	col := d.db.Collection(space.collection)
	backoff := leaseBackoffMin
	for {
		start := time.Now()
		doc := bson.D{{Key: "_id", Value: token}, {Key: space.field, Value: key}, {Key: "expires_at", Value: start.Add(leaseTTL)}}
		if o.ref != "" {
			doc = append(doc, bson.E{Key: "ref", Value: o.ref})
		}
		err := retry(ctx, func() error { _, err := col.InsertOne(ctx, doc); return err })
		if err == nil {
			return &lease{col: col, token: token, acquired: start}, nil
		}
		if !duplicateKey(err) {
			return nil, wrapErr(err, what)
		}
		// Held: wait until it is released or expires.
		for held := true; held; {
			doc, err := findOne[leaseDoc](ctx, col, bson.D{{Key: space.field, Value: key}}, what)
			switch {
			case errors.Is(err, apperr.ErrNotFound):
				held = false
				continue
			case err != nil:
				return nil, err
			case doc.Token == token:
				// Our own insert landed although the driver saw an error (a retried
				// write whose first attempt succeeded): the lease is ours.
				return &lease{col: col, token: token, acquired: start}, nil
			case doc.ExpiresAt.Before(time.Now()):
				if o.onStale != nil {
					if err := o.onStale(ctx, *doc); err != nil {
						return nil, err
					}
				}
				if _, err := col.DeleteOne(ctx, byID(doc.Token)); err != nil {
					return nil, wrapErr(err, what)
				}
				held = false
				continue
			case o.try:
				return nil, errLeaseHeld
			}
			wait := backoff + mrand.N(backoff)
			backoff = min(2*backoff, leaseBackoffMax)
			if time.Now().Add(wait).After(deadline) {
				return nil, fmt.Errorf("%s: held by another too long: %w", what, apperr.ErrBusy)
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("%s: %w: %w", what, apperr.ErrBusy, ctx.Err())
			case <-t.C:
			}
		}
	}
}

// check returns ErrBusy when the lease is too old to write under: its holder
// stalled, and the lease may be taken over as soon as it expires.
func (l *lease) check(what string) error {
	if time.Since(l.acquired) > leaseUse {
		return fmt.Errorf("%s: lease held too long: %w", what, apperr.ErrBusy)
	}
	return nil
}

// release deletes the lease by its token, even when ctx is done; a lease that
// cannot be deleted expires after leaseTTL.
func (l *lease) release(ctx context.Context) {
	defer l.local()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	_ = retry(ctx, func() error { _, err := l.col.DeleteOne(ctx, byID(l.token)); return err })
}

func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
