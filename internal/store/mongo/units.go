package mongo

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/apperr"
)

// Units of change without transactions.
//
// A shift's (or a training session's) holdings change only by units of change
// (roster.Store.Transact). MongoDB through FerretDB has no transactions, so a
// unit is made atomic by its history:
//
//  1. The owner's history events have _id = eventKey(owner, seq): the number of
//     each event is a unique key. A unit reads the owner's holdings at history
//     number h and commits by inserting its first event, h+1, carrying the
//     whole unit: the writes it makes, in order, and the number of its last
//     event. The insert succeeds for one writer only; a writer that finds h+1
//     taken decides again on the new holdings. That insert is the commit point.
//  2. The writer then applies the unit's writes (ops), each idempotent: an
//     insert whose _id exists, or a delete of a missing document, is already
//     done. The last op sets the owner document's seq to the unit's last event
//     (the applied watermark), and then the unit is removed from its event.
//  3. A next unit of the owner reads the watermark and probes the event after
//     it: a pending unit there is waited for while its writer may still be
//     applying it (unitTTL after its commit), and finished by the reader after
//     that. RecoverUnits finishes every pending unit in the same way, and a
//     stale volunteer lease is taken over only after its shift's units are
//     settled (leases.go). One recoverer at a time holds a claim on a unit
//     (unit_claims: _id = event key + "#" + n, the n-th claim, each valid
//     unitTTL).
//
// So every crash point leaves either no unit (nothing happened) or a committed
// unit that the next step completes deterministically; and units of one owner
// never overlap, because a unit commits only on top of an applied one. A writer
// applies its own unit only within unitUse of committing and a recoverer only
// after unitTTL, so the two never write at once unless a process stalls for
// longer than unitTTL-unitUse between two writes; the reconciler's replay check
// (roster.Service.Check) would report what that left.

// Units' times and bounds (variables so that the adapter's tests can shorten
// them).
var (
	unitTTL  = 15 * time.Second // a pending unit older than this is finished by others
	unitUse  = 10 * time.Second // its writer applies it only within this time after commit
	unitWait = 20 * time.Second // how long a unit waits for its owner's pending unit, or its turn
)

const (
	unitTimeout = 40 * time.Second // a whole unit, retries and waits included (below the HTTP write budget)
	unitRounds  = 50               // commits lost to other writers before giving up (store_busy)
)

const colUnitClaims = "unit_claims"

// journal is a kind of owner of holdings that changes by units: its collection
// (holding the applied watermark in field seq) and its history collection.
type journal struct {
	kind    string // "shift" or "session", for messages
	anchors string // the owners' collection
	events  string // their history; events have the owner in field owner
	owner   string
}

var (
	shiftJournal   = journal{kind: "shift", anchors: colShifts, events: colShiftEvents, owner: "shift_id"}
	sessionJournal = journal{kind: "session", anchors: colSessions, events: colSeatEvents, owner: "session_id"}
	journals       = []journal{shiftJournal, sessionJournal}
)

// eventKey is the _id of an owner's history event number seq.
func eventKey(owner string, seq int64) string { return fmt.Sprintf("%s:%012d", owner, seq) }

// opDoc is one write of a unit: insert Doc (done when its _id exists), delete
// _id ID (with the extra conditions of Doc, done when missing), or set the
// fields of Doc on _id ID (done when missing: the owner was deleted).
type opDoc struct {
	Col string   `bson:"c"`
	ID  string   `bson:"id"`
	Do  string   `bson:"do"` // "ins", "del" or "set"
	Doc bson.Raw `bson:"doc,omitempty"`
}

// unitDoc is a committed unit not yet applied, carried by its first event.
type unitDoc struct {
	Token string    `bson:"token"` // tells the writer's own commit from another's
	At    time.Time `bson:"at"`    // when it was committed
	Last  int64     `bson:"last"`  // the number of its last event
	Wards []string  `bson:"wards,omitempty"`
	Ops   []opDoc   `bson:"ops"`
}

// pendingEvent is an event document read for its unit.
type pendingEvent struct {
	Key  string   `bson:"_id"`
	Unit *unitDoc `bson:"unit"`
}

func ins(col string, id string, doc any) (opDoc, error) {
	raw, err := bson.Marshal(doc)
	return opDoc{Col: col, ID: id, Do: "ins", Doc: raw}, err
}

func del(col, id string, cond bson.D) (opDoc, error) {
	o := opDoc{Col: col, ID: id, Do: "del"}
	if len(cond) > 0 {
		raw, err := bson.Marshal(cond)
		if err != nil {
			return o, err
		}
		o.Doc = raw
	}
	return o, nil
}

func set(col, id string, fields bson.D) (opDoc, error) {
	raw, err := bson.Marshal(fields)
	return opDoc{Col: col, ID: id, Do: "set", Doc: raw}, err
}

// settleUnits returns the owner's last history number once none of its units is
// pending, and the owner's document (nil when there is none). A pending unit is
// waited for until deadline while its writer may still apply it, and finished
// here once it is older than unitTTL.
func (d *DB) settleUnits(ctx context.Context, j journal, owner string, deadline time.Time) (int64, bson.Raw, error) {
	what := j.kind + " " + owner
	backoff := leaseBackoffMin
	behind := int64(-1) // an applied event found past the watermark last time round
read:
	for {
		var anchor bson.Raw
		err := retry(ctx, func() error { return d.db.Collection(j.anchors).FindOne(ctx, byID(owner)).Decode(&anchor) })
		switch {
		case errors.Is(err, mongodrv.ErrNoDocuments):
			anchor = nil
		case err != nil:
			return 0, nil, wrapErr(err, what)
		}
		if afterAnchorRead != nil {
			afterAnchorRead(owner)
		}
		seq := watermark(anchor)
		var e pendingEvent
		for {
			e = pendingEvent{}
			err := retry(ctx, func() error {
				return d.db.Collection(j.events).FindOne(ctx, byID(eventKey(owner, seq+1)),
					options.FindOne().SetProjection(bson.D{{Key: "unit", Value: 1}})).Decode(&e)
			})
			if errors.Is(err, mongodrv.ErrNoDocuments) {
				return seq, anchor, nil
			}
			if err != nil {
				return 0, nil, wrapErr(err, what)
			}
			if e.Unit != nil {
				break // pending
			}
			// Applied past the watermark read: a unit committed and was applied
			// since the owner's document was read, which is stale then (read it
			// again: the holdings are decided on it), or the owner was deleted and
			// no watermark moves any more.
			if anchor != nil && behind != seq+1 {
				behind = seq + 1
				continue read
			}
			seq++
		}
		// A unit is pending: finish it when its writer is presumed gone (unless
		// another recoverer is at it), else wait.
		if time.Since(e.Unit.At) >= unitTTL {
			done, err := d.recoverUnit(ctx, j, owner, &e)
			if err != nil {
				return 0, nil, err
			}
			if done {
				continue
			}
		}
		wait := backoff + mrand.N(backoff)
		backoff = min(2*backoff, 100*time.Millisecond)
		if time.Now().Add(wait).After(deadline) {
			return 0, nil, fmt.Errorf("%s: a unit of change is still being written: %w", what, apperr.ErrBusy)
		}
		select {
		case <-ctx.Done():
			return 0, nil, fmt.Errorf("%s: %w: %w", what, apperr.ErrBusy, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// afterAnchorRead, when set (by the adapter's tests only), runs in settleUnits
// right after it read the owner's document: a test commits a unit there.
var afterAnchorRead func(owner string)

// watermark is the seq field of an owner's document: its last applied event.
func watermark(anchor bson.Raw) int64 {
	if anchor == nil {
		return 0
	}
	v, err := anchor.LookupErr("seq")
	if err != nil {
		return 0
	}
	if n, ok := v.AsInt64OK(); ok {
		return n
	}
	return 0
}

// commit inserts a unit's first event carrying the unit: true when it landed,
// false when another unit took that number first.
func (d *DB) commit(ctx context.Context, j journal, first bson.D, key, token string) (bool, error) {
	col := d.db.Collection(j.events)
	err := retry(ctx, func() error { _, err := col.InsertOne(ctx, first); return err })
	if err == nil {
		return true, nil
	}
	if !duplicateKey(err) && !transient(err) {
		return false, wrapErr(err, "commit "+key)
	}
	// Taken, or unknown: read who holds the number (a retried insert of ours may
	// have landed before the driver saw an error).
	var e pendingEvent
	if rerr := retry(ctx, func() error { return col.FindOne(ctx, byID(key)).Decode(&e) }); rerr != nil {
		if errors.Is(rerr, mongodrv.ErrNoDocuments) {
			return false, wrapErr(err, "commit "+key)
		}
		return false, wrapErr(rerr, "commit "+key)
	}
	return e.Unit != nil && e.Unit.Token == token, nil
}

// apply makes a committed unit's writes, in order, then removes the unit from
// its event. It stops, leaving the unit pending for a recoverer, once until has
// passed (see unitUse).
func (d *DB) apply(ctx context.Context, j journal, key string, u *unitDoc, until time.Time) error {
	if len(u.Wards) > 0 {
		wctx, done, err := d.markCoverage(ctx, u.Wards...)
		if err != nil {
			return err
		}
		defer done()
		ctx = wctx
	}
	for _, o := range u.Ops {
		if time.Now().After(until) {
			return fmt.Errorf("apply %s: %w", key, errUnitStalled)
		}
		if err := retry(ctx, func() error { return d.applyOp(ctx, o) }); err != nil {
			return wrapErr(err, "apply "+key)
		}
	}
	err := retry(ctx, func() error {
		_, err := d.db.Collection(j.events).UpdateOne(ctx, byID(key), bson.D{{Key: "$unset", Value: bson.D{{Key: "unit", Value: ""}}}})
		return err
	})
	return wrapErr(err, "apply "+key)
}

// logUnfinished logs a committed unit its writer could not finish applying: it
// stands, and settleUnits or RecoverUnits finishes it.
func (d *DB) logUnfinished(ctx context.Context, key string, err error) {
	d.log.WarnContext(ctx, "unit of change committed, left for recovery", "unit", key, "err", err)
}

// errUnitStalled stops a writer that took too long to apply its unit.
var errUnitStalled = errors.New("the unit's writer ran out of time; a recoverer finishes it")

func (d *DB) applyOp(ctx context.Context, o opDoc) error {
	col := d.db.Collection(o.Col)
	switch o.Do {
	case "ins":
		_, err := col.InsertOne(ctx, o.Doc)
		if duplicateKey(err) {
			return nil
		}
		return err
	case "del":
		filter := byID(o.ID)
		if len(o.Doc) > 0 {
			var cond bson.D
			if err := bson.Unmarshal(o.Doc, &cond); err != nil {
				return err
			}
			filter = append(filter, cond...)
		}
		_, err := col.DeleteOne(ctx, filter)
		return err
	case "set":
		_, err := col.UpdateOne(ctx, byID(o.ID), bson.D{{Key: "$set", Value: o.Doc}})
		return err
	}
	return fmt.Errorf("unknown op %q", o.Do)
}

// recoverUnit finishes a pending unit whose writer is presumed gone, under a
// claim so that one recoverer writes at a time; it reports false, having done
// nothing, when another recoverer holds the claim. A unit whose owner's
// watermark already reached its last event was applied whole (the watermark is
// its last op) and only loses its mark.
func (d *DB) recoverUnit(ctx context.Context, j journal, owner string, e *pendingEvent) (bool, error) {
	ok, err := d.claim(ctx, e.Key)
	if err != nil || !ok {
		return false, err
	}
	var anchor bson.Raw
	err = retry(ctx, func() error { return d.db.Collection(j.anchors).FindOne(ctx, byID(owner)).Decode(&anchor) })
	if err != nil && !errors.Is(err, mongodrv.ErrNoDocuments) {
		return false, wrapErr(err, "recover "+e.Key)
	}
	u := *e.Unit
	if anchor != nil && watermark(anchor) >= u.Last {
		u.Ops = nil
	}
	d.log.WarnContext(ctx, "finishing a unit of change its writer left half-applied", "unit", e.Key)
	return true, d.apply(ctx, j, e.Key, &u, time.Now().Add(unitUse))
}

// claim takes the right to recover the unit at key: the first of key#1, key#2, …
// not taken is inserted, after the one before it has aged unitTTL (its holder
// stalled or crashed). False when another holds a live claim.
func (d *DB) claim(ctx context.Context, key string) (bool, error) {
	col := d.db.Collection(colUnitClaims)
	for n := 1; n < 1000; n++ {
		id := fmt.Sprintf("%s#%d", key, n)
		var c struct {
			At time.Time `bson:"at"`
		}
		err := col.FindOne(ctx, byID(id)).Decode(&c)
		switch {
		case errors.Is(err, mongodrv.ErrNoDocuments):
			_, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "at", Value: time.Now()}})
			if duplicateKey(err) {
				return false, nil
			}
			return err == nil, wrapErr(err, "claim "+id)
		case err != nil:
			return false, wrapErr(err, "claim "+id)
		case time.Since(c.At) < unitTTL:
			return false, nil
		}
	}
	return false, nil
}

// RecoverUnits finishes every unit (of shifts and sessions) that was committed
// more than unitTTL ago and is still pending: its writer crashed or stalled. It
// returns how many it finished.
func (d *DB) RecoverUnits(ctx context.Context) (int, error) {
	n := 0
	for _, j := range journals {
		var pending []struct {
			Key     string   `bson:"_id"`
			Shift   string   `bson:"shift_id"`
			Session string   `bson:"session_id"`
			Unit    *unitDoc `bson:"unit"`
		}
		// A range on the commit time: with the index on unit.at, MongoDB reads the
		// pending units only (documents without a unit are not in the range).
		stale := time.Now().Add(-unitTTL)
		cur, err := d.db.Collection(j.events).Find(ctx, bson.D{{Key: "unit.at", Value: bson.D{{Key: "$lte", Value: stale}}}},
			options.Find().SetProjection(bson.D{{Key: j.owner, Value: 1}, {Key: "unit", Value: 1}}))
		if err != nil {
			return n, wrapErr(err, "pending units of "+j.kind+"s")
		}
		if err := cur.All(ctx, &pending); err != nil {
			return n, wrapErr(err, "pending units of "+j.kind+"s")
		}
		for _, p := range pending {
			if p.Unit == nil {
				continue
			}
			done, err := d.recoverUnit(ctx, j, p.Shift+p.Session, &pendingEvent{Key: p.Key, Unit: p.Unit})
			if err != nil {
				return n, err
			}
			if done {
				n++
			}
		}
	}
	return n, nil
}

// transact runs the loop of a unit of change of an owner, detached from ctx's
// cancellation and with its own deadline (a client that goes away never stops a
// unit half-way): it waits for its turn in this process, settles the owner's
// pending unit, lets step read the holdings at history number seq and decide,
// and commits the unit step returns and applies it. step returns a nil unit to
// write nothing, or an error to refuse; a refusal stands only when no other unit
// committed since it read. When another unit commits first, step runs again on
// the new holdings. transact reports whether it committed.
//
// Before taking its turn it probes: step runs once with probe set, and must then
// write nothing and hold nothing (errWrites as soon as it would); a transition
// that refuses (a full shift, a second booking) is answered from the probe, in
// parallel with the others, without waiting behind the writers.
func (d *DB) transact(ctx context.Context, j journal, owner string,
	step func(ctx context.Context, seq int64, anchor bson.Raw, probe bool) (bson.D, *unitDoc, error)) (bool, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unitTimeout)
	defer cancel()
	seq, anchor, answered, err := d.probe(ctx, j, owner, step)
	if answered {
		return false, err
	}
	what := "unit of " + j.kind + " " + owner
	deadline := time.Now().Add(unitWait)
	done, err := d.unitTurn(ctx, j, owner, deadline)
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	defer done()
	for round := range unitRounds {
		// The probe's holdings serve while no unit committed since it read them.
		if round > 0 || anchor == nil || d.movedSince(ctx, j, owner, seq) {
			if seq, anchor, err = d.settleUnits(ctx, j, owner, deadline); err != nil {
				return false, err
			}
		}
		if anchor == nil {
			return false, notFound(j.kind + " " + owner)
		}
		first, u, err := step(ctx, seq, anchor, false)
		if err != nil || u == nil {
			if moved, perr := d.committedSince(ctx, j, owner, seq); perr == nil && moved {
				continue
			}
			return false, err
		}
		key := eventKey(owner, seq+1)
		ok, err := d.commit(ctx, j, first, key, u.Token)
		if err != nil {
			return false, err
		}
		if !ok {
			continue // another unit took seq+1: decide again on the new holdings
		}
		if err := d.apply(ctx, j, key, u, u.At.Add(unitUse)); err != nil {
			d.logUnfinished(ctx, key, err) // committed: the unit stands
		}
		return true, nil
	}
	return false, fmt.Errorf("%s: lost %d commits to other writers: %w", what, unitRounds, apperr.ErrBusy)
}

// errWrites ends a probe: the transition would write (or hold a volunteer),
// which it does in its turn.
var errWrites = errors.New("the transition writes")

// probe runs step once without the turn and without waiting for a pending
// unit; it reports whether that answered the transition: a refusal (or nothing
// to write) decided on holdings no unit changed while they were read. When the
// transition writes, it returns the history number and the owner's document
// it read, which the turn reuses while no unit commits after them.
func (d *DB) probe(ctx context.Context, j journal, owner string,
	step func(ctx context.Context, seq int64, anchor bson.Raw, probe bool) (bson.D, *unitDoc, error)) (int64, bson.Raw, bool, error) {
	seq, anchor, err := d.settleUnits(ctx, j, owner, time.Now())
	switch {
	case err != nil:
		return 0, nil, false, nil // a unit is being written: wait in turn
	case anchor == nil:
		return 0, nil, true, notFound(j.kind + " " + owner)
	}
	_, u, err := step(ctx, seq, anchor, true)
	if u != nil || errors.Is(err, errWrites) {
		return seq, anchor, false, nil
	}
	if d.movedSince(ctx, j, owner, seq) {
		return 0, nil, false, nil
	}
	return 0, nil, true, err
}

// movedSince reports whether a unit of the owner committed after history
// number seq (or whether that cannot be read: then it presumes so).
func (d *DB) movedSince(ctx context.Context, j journal, owner string, seq int64) bool {
	moved, err := d.committedSince(ctx, j, owner, seq)
	return err != nil || moved
}

// newUnit starts a unit whose last event is last, marking wards' coverage
// before it is applied.
func newUnit(last int64, wards ...string) (*unitDoc, error) {
	token, err := randomToken()
	if err != nil {
		return nil, err
	}
	return &unitDoc{Token: token, At: time.Now().UTC(), Last: last, Wards: wards}, nil
}

// firstEvent is the document of a unit's first event carrying the unit.
func firstEvent(doc any, u *unitDoc) (bson.D, error) {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	ops, err := bson.Marshal(u)
	if err != nil {
		return nil, err
	}
	return append(d, bson.E{Key: "unit", Value: bson.Raw(ops)}), nil
}

// unitTurn queues the units of one owner that this DB value writes (see turns):
// of them one at a time reads, decides and commits, so they do not lose
// commits to each other. Other instances (other processes, or other DB values
// in tests) race them by the commit insert alone.
func (d *DB) unitTurn(ctx context.Context, j journal, owner string, deadline time.Time) (func(), error) {
	return takeTurn(ctx, d.instance+"\x00unit\x00"+j.kind+"\x00"+owner, deadline, false)
}

// committedSince reports whether a unit of the owner committed after history
// number seq: a refusal decided on holdings read at seq stands only when none did.
func (d *DB) committedSince(ctx context.Context, j journal, owner string, seq int64) (bool, error) {
	ok, err := exists(ctx, d.db.Collection(j.events), eventKey(owner, seq+1))
	return ok, wrapErr(err, j.kind+" "+owner)
}

// Transient errors.

// retryAttempts bounds the tries of one operation that meets transient errors;
// the backoff between them doubles from 10 ms up to 400 ms (about 2 s in all).
const retryAttempts = 8

// retry runs op again, after a short jittered backoff, while it fails with a
// transient error (transient), up to retryAttempts times in all.
func retry(ctx context.Context, op func() error) error {
	backoff := 10 * time.Millisecond
	var err error
	for range retryAttempts {
		if err = op(); err == nil || !transient(err) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff + mrand.N(backoff)):
		}
		backoff = min(2*backoff, 400*time.Millisecond)
	}
	return err
}

// Server error codes that mean "try again": the primary stepped down or is
// shutting down, the operation or the network timed out.
var transientCodes = map[int32]bool{
	6: true, 7: true, 89: true, 91: true, 189: true, 262: true, 9001: true,
	10107: true, 11600: true, 11602: true, 13435: true, 13436: true,
}

// transient reports whether err is worth trying again: lock contention
// (FerretDB's SQLite backend answers "database is locked"), a primary stepping
// down, a network error or a timeout of the operation (not of the caller's
// context).
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if mongodrv.IsNetworkError(err) || (mongodrv.IsTimeout(err) && !errors.Is(err, context.DeadlineExceeded)) {
		return true
	}
	var se mongodrv.ServerError
	if errors.As(err, &se) {
		if se.HasErrorMessage("database is locked") || se.HasErrorMessage("SQLITE_BUSY") ||
			se.HasErrorLabel("TransientTransactionError") || se.HasErrorLabel("RetryableWriteError") {
			return true
		}
		for code := range transientCodes {
			if se.HasErrorCode(int(code)) {
				return true
			}
		}
	}
	return false
}
