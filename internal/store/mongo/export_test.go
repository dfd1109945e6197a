package mongo

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"ecitizen/internal/coverage"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
)

// LeaseForTest takes the database lease on a volunteer without the process-local
// turn, as another process would, and returns its release.
func (d *DB) LeaseForTest(ctx context.Context, volunteerID string) (func(), error) {
	return d.leaseForTest(ctx, volunteerLeases, volunteerID)
}

// DeviceLeaseForTest takes the database lease on a device as LeaseForTest does on
// a volunteer.
func (d *DB) DeviceLeaseForTest(ctx context.Context, deviceID string) (func(), error) {
	return d.leaseForTest(ctx, deviceLeases, deviceID)
}

func (d *DB) leaseForTest(ctx context.Context, space leaseSpace, key string) (func(), error) {
	token, err := randomToken()
	if err != nil {
		return nil, err
	}
	l, err := d.acquire(ctx, space, key, token, time.Now().Add(leaseWait), "test lease on "+key, leaseOpts{})
	if err != nil {
		return nil, err
	}
	l.local = func() {}
	return func() { l.release(context.Background()) }, nil
}

// ClaimForTest inserts a claim on a number as a writer that stopped half-way
// left it, age ago.
func (d *DB) ClaimForTest(ctx context.Context, k resident.Key, age time.Duration) error {
	_, err := d.residentKeys().InsertOne(ctx, &residentKeyDoc{ID: keyID(k), ResidentID: k.ResidentID, ClaimedAt: time.Now().Add(-age).UTC()})
	return err
}

// ErasureAuditForTest inserts an erasure's audit record alone, as an erasure
// that stopped right after it left it.
func (d *DB) ErasureAuditForTest(ctx context.Context, a *resident.Audit) error {
	_, err := d.residentAudit().InsertOne(ctx, toAuditDoc(a, "erase:"+a.ResidentID))
	return err
}

// CreateProgressRecordUnmarkedForTest inserts a record without marking its
// ward's coverage stamp: what a reader sees of a write that a mark announced
// but that landed after the reader read the facts.
func (d *DB) CreateProgressRecordUnmarkedForTest(ctx context.Context, r *progress.Record) error {
	_, err := d.progressRecords().InsertOne(ctx, &progressRecordDoc{ID: r.ID, ResidentID: r.ResidentID, SkillCode: r.SkillCode,
		Method: string(r.Method), Evidence: r.Evidence, RecordedBy: r.RecordedBy, CentreID: r.CentreID, ShiftID: r.ShiftID, At: r.At})
	return err
}

// SetTimesForTest shortens the times of units and leases and returns their restore.
func SetTimesForTest(unitStale, leaseStale time.Duration) func() {
	ttl, use, wait, lttl, luse := unitTTL, unitUse, unitWait, leaseTTL, leaseUse
	unitTTL, unitUse, unitWait = unitStale, unitStale/2, 4*unitStale
	leaseTTL, leaseUse = leaseStale, 2*leaseStale/3
	return func() { unitTTL, unitUse, unitWait, leaseTTL, leaseUse = ttl, use, wait, lttl, luse }
}

// CrashForTest runs a unit of change of a shift as Transact does up to its
// commit, then applies only the first n of its writes (all when n is larger)
// and stops, as a writer killed at that point would: its volunteers' leases
// are left held. It returns how many writes the unit has.
func (d *DB) CrashForTest(ctx context.Context, shiftID string, decide roster.Decide, n int) (int, error) {
	vols := &volunteers{d: d, shiftID: shiftID}
	defer func() {
		for _, l := range vols.held {
			l.local() // the process-local turn only: the lease document stays
		}
	}()
	seq, anchor, err := d.settleUnits(ctx, shiftJournal, shiftID, time.Now().Add(unitWait))
	if err != nil {
		return 0, err
	}
	h, keys, err := d.holdings(ctx, anchor, seq)
	if err != nil {
		return 0, err
	}
	ch, err := decide(ctx, h, vols)
	if err != nil {
		return 0, err
	}
	first, u, err := shiftUnit(h, ch, keys)
	if err != nil {
		return 0, err
	}
	ok, err := d.commit(ctx, shiftJournal, first, eventKey(shiftID, seq+1), u.Token)
	if err != nil || !ok {
		return 0, fmt.Errorf("commit: %v %w", ok, err)
	}
	for i, o := range u.Ops {
		if i >= n {
			break
		}
		if err := d.applyOp(ctx, o); err != nil {
			return 0, err
		}
	}
	return len(u.Ops), nil
}

// AfterAnchorReadForTest runs f once, in the next settle of owner, right after
// it read the owner's document (the narrowest window between two reads of a
// unit), and returns its restore.
func AfterAnchorReadForTest(owner string, f func()) func() {
	var done atomic.Bool
	afterAnchorRead = func(o string) {
		if o == owner && done.CompareAndSwap(false, true) { // f's own settles pass
			f()
		}
	}
	return func() { afterAnchorRead = nil }
}

// DropCardsForTest deletes every catalogue card, as writers that stopped before
// their cards leave them missing, and with migration the record of the migration
// that fills them, as an older release left the database.
func (d *DB) DropCardsForTest(ctx context.Context, migration bool) error {
	if _, err := d.cards().DeleteMany(ctx, bson.D{}); err != nil || !migration {
		return err
	}
	_, err := d.db.Collection(colMigrations).DeleteOne(ctx, byID("catalogue-cards-v1"))
	return err
}

// CardsForTest counts the stored catalogue cards.
func (d *DB) CardsForTest(ctx context.Context) (int64, error) {
	return d.cards().CountDocuments(ctx, bson.D{})
}

// CoverageFaultForTest runs f once, the next time a change of residentID
// reaches point of markResident ("marked": its stamps set; "logged": its
// coverage log entries written, before the write they announce), and returns
// its restore.
func CoverageFaultForTest(point, residentID string, f func()) func() {
	var done atomic.Bool
	coverageFault = func(p, r string) {
		if p == point && r == residentID && done.CompareAndSwap(false, true) {
			f()
		}
	}
	return func() { coverageFault = nil }
}

// SetFillSettleForTest sets how old a stamp must have been when a fill read it
// for the fill to serve its part later, and returns its restore.
func SetFillSettleForTest(d time.Duration) func() {
	old := fillSettle
	fillSettle = d
	return func() { fillSettle = old }
}

// SetFerretForTest makes d fill as on FerretDB (every ward) or as on MongoDB
// (the asked ward), whatever its server.
func (d *DB) SetFerretForTest(ferret bool) { d.ferret = ferret }

// FillsForTest counts the fills d ran.
func (d *DB) FillsForTest() int64 { return d.fills.count.Load() }

// CoverageReadAloneForTest reads a resident part of a ward without fills.
func (d *DB) CoverageReadAloneForTest(ctx context.Context, wardID, part string) ([]coverage.ResidentFact, []coverage.RecordFact, error) {
	res, err := d.coverageResidentDocs(ctx, wardID, part)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(res))
	for i, r := range res {
		ids[i] = r.ID
	}
	recs, err := d.recordFacts(ctx, ids)
	return residentFacts(res), recs, err
}

// AgeStampForTest sets back the time of a coverage stamp by age, as if its
// part had last been marked that long ago.
func (d *DB) AgeStampForTest(ctx context.Context, key string, age time.Duration) error {
	s, err := d.stampOf(ctx, key)
	if err != nil {
		return err
	}
	_, err = d.coverageStamps().UpdateOne(ctx, byID(key), bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: s.At.Add(-age)}}}})
	return err
}

// CoverageRosterAloneForTest reads the roster part of a ward without fills.
func (d *DB) CoverageRosterAloneForTest(ctx context.Context, wardID string, from, to time.Time) ([]coverage.ShiftFact, []coverage.SessionFact, []coverage.UsageFact, error) {
	window := bson.D{{Key: "ward_id", Value: wardID}, startsIn("starts_at", from, to)}
	shifts, err := d.shiftFacts(ctx, window)
	if err != nil {
		return nil, nil, nil, err
	}
	sessions, _, err := d.sessionFacts(ctx, window)
	if err != nil {
		return nil, nil, nil, err
	}
	usage, _, err := d.usageFacts(ctx, window)
	return shifts, sessions, usage, err
}
