package mongo

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"ecitizen/internal/apperr"
	"ecitizen/internal/coverage"
)

// Fills: the parts of wards read together.
//
// coverage.Service asks for a ward's resident facts part by part
// (CoverageResidents, then CoverageRecords, of each of sixteen parts), so that
// a change reads again only its part. Read part by part, a ward nothing is
// known of costs 64 queries and the district 18 times that; on FerretDB v1,
// which pushes down to SQLite only a filter that is {_id: v} alone and answers
// every other one by decoding the whole collection (an $in of n values costing
// n comparisons per document), that was over a thousand scans for the
// district, and its time-outs. So the read of a part fills the parts of its
// ward, or of every ward, at once, and keeps them for the parts asked next
// (fillTTL):
//
//   - on FerretDB, every ward: the wards, the residents, the records and the
//     revocations, each one scan without a filter (projected), matched in Go;
//     a scan with a filter would cost as much, and there is one scan a
//     collection whichever ward is asked;
//   - on MongoDB, the asked ward: its residents by the ward_id and
//     origin_ward_id indexes, their records and revocations by resident_id in
//     batches of 500.
//
// The roster part (CoverageShifts, CoverageSessions, CoverageUsage, each asked
// once a ward) is filled the same way for the window asked (the day's), with
// its bookings, no-shows, seats and voids counted: every ward's shifts,
// sessions and usage of the window on FerretDB, the ward's on MongoDB. The
// attendance and work entries the roster part also reads (AttendanceAt,
// WorkEntriesAt, which other callers share) are read a ward at a time.
//
// Stamps before facts (coverage.Store) holds for what is kept: a fill reads the
// stamps first, then the facts. A part is served from a fill (other than to
// the read that started it) only while its stamp is the one the fill read (a
// read by _id, which FerretDB pushes down) and only if that stamp had settled
// when the fill read it (coverage.SettleAfter, as the service's own rule): every
// write a mark up to it announced had landed before the facts were read. A
// part whose stamp has not settled is read alone, as before, so what a read
// returns holds every write that finished before it asked.

// fillTTL is how long the parts of a fill are kept for the reads that follow.
const fillTTL = time.Minute

// fillSettle is how old a stamp must have been when a fill read it for the
// fill to serve its part to later reads (coverage.SettleAfter; tests shorten it).
var fillSettle = coverage.SettleAfter

// partFill is a resident part of a ward as a fill read it.
type partFill struct {
	stamp     string // the part's stamp when the fill read it ("": never marked)
	settled   bool   // whether that stamp had settled then
	expires   time.Time
	residents []coverage.ResidentFact
	records   []coverage.RecordFact
	// The roster part: its window and facts.
	from, to time.Time
	shifts   []coverage.ShiftFact
	sessions []coverage.SessionFact
	usage    []coverage.UsageFact
}

// fills holds the parts of recent fills and the fills running.
type fills struct {
	mu      sync.Mutex
	parts   map[string]*partFill // by coverage.StampKey
	running map[string]*fillRun  // by scope: a ward, or allWards
	until   time.Time            // when parts is dropped: fillTTL after the last fill
	count   atomic.Int64         // fills run
}

// fillRun is a fill running; done closes when parts (or err) is set.
type fillRun struct {
	done  chan struct{}
	parts map[string]*partFill
	err   error
}

// allWards is the scope of a fill of every ward (FerretDB).
const allWards = "*"

// residentPart returns the facts of a resident part of a ward from a fill, or
// nil when the part must be read alone (its stamp has not settled, or a fill
// another read started could not serve it).
func (d *DB) residentPart(ctx context.Context, wardID, part string) (*partFill, error) {
	return d.fromFill(ctx, wardID, part, time.Time{}, time.Time{})
}

// rosterPart returns the roster part of a ward in the window [from, to) from a
// fill, or nil when it must be read alone, as residentPart.
func (d *DB) rosterPart(ctx context.Context, wardID string, from, to time.Time) (*partFill, error) {
	return d.fromFill(ctx, wardID, coverage.RosterPart, from, to)
}

// fromFill returns the part of a ward (in the window [from, to) for the roster
// part) from a fill, or nil when it must be read alone.
func (d *DB) fromFill(ctx context.Context, wardID, part string, from, to time.Time) (*partFill, error) {
	key := coverage.StampKey(wardID, part)
	cur, err := d.stampOf(ctx, key)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	d.fills.mu.Lock()
	if !now.Before(d.fills.until) {
		d.fills.parts = nil // the fills are kept fillTTL, then dropped whole
	}
	p := d.fills.parts[key]
	d.fills.mu.Unlock()
	if servable(p, cur, now, from, to) {
		return p, nil
	}
	if cur.Value != "" && !cur.Settled(now, fillSettle) {
		return nil, nil
	}
	scope := wardID
	if d.ferret {
		scope = allWards
	}
	run := scope + "|residents"
	if part == coverage.RosterPart {
		run = scope + "|roster|" + from.Format(time.RFC3339Nano) + "|" + to.Format(time.RFC3339Nano)
	}
	d.fills.mu.Lock()
	if d.fills.running == nil {
		d.fills.running = map[string]*fillRun{}
	}
	r, joined := d.fills.running[run]
	if !joined {
		r = &fillRun{done: make(chan struct{})}
		d.fills.running[run] = r
	}
	d.fills.mu.Unlock()
	if joined {
		select {
		case <-r.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if p := r.parts[key]; r.err == nil && servable(p, cur, time.Now(), from, to) {
			return p, nil
		}
		return nil, nil // a fill begun before this read's stamps may lack what it must see
	}
	if part == coverage.RosterPart {
		r.parts, r.err = d.fillRoster(ctx, scope, wardID, from, to)
	} else {
		r.parts, r.err = d.fill(ctx, scope, wardID)
	}
	d.fills.mu.Lock()
	delete(d.fills.running, run)
	if r.err == nil {
		if d.fills.parts == nil || !time.Now().Before(d.fills.until) {
			d.fills.parts = map[string]*partFill{}
		}
		d.fills.until = time.Now().Add(fillTTL)
		for k, p := range r.parts {
			if p.settled {
				d.fills.parts[k] = p
			}
		}
	}
	d.fills.mu.Unlock()
	close(r.done)
	if r.err != nil {
		return nil, r.err
	}
	if p := r.parts[key]; p != nil {
		return p, nil // read after this read's stamps: whatever its stamp
	}
	return &partFill{}, nil
}

// servable reports whether p (from an earlier fill) may answer a read that
// found the part's stamp cur at now.
func servable(p *partFill, cur coverage.Stamp, now, from, to time.Time) bool {
	return p != nil && p.settled && p.stamp == cur.Value && now.Before(p.expires) && p.from.Equal(from) && p.to.Equal(to)
}

// stampOf reads one stamp by its _id (zero when the part was never marked).
func (d *DB) stampOf(ctx context.Context, key string) (coverage.Stamp, error) {
	s, err := findByID[stampDoc](ctx, d.coverageStamps(), key, "coverage stamp "+key)
	if errors.Is(err, apperr.ErrNotFound) {
		return coverage.Stamp{}, nil
	}
	if err != nil {
		return coverage.Stamp{}, err
	}
	return coverage.Stamp{Value: s.Value, At: utc(s.At)}, nil
}

// fill reads the resident parts of scope (a ward, or allWards), stamps first.
func (d *DB) fill(ctx context.Context, scope, wardID string) (map[string]*partFill, error) {
	d.fills.count.Add(1)
	read := time.Now()
	var (
		stamps []stampDoc
		wards  []string
		res    []residentFactDoc
		recs   []coverage.RecordFact
		err    error
	)
	if scope == allWards {
		if stamps, err = factDocs[stampDoc](ctx, d.coverageStamps(), bson.D{}, nil, "coverage stamps"); err != nil {
			return nil, err
		}
		if wards, err = d.wardIDs(ctx); err != nil {
			return nil, err
		}
		if res, err = factDocs[residentFactDoc](ctx, d.residents(), bson.D{}, residentFactFields, "coverage residents"); err != nil {
			return nil, err
		}
		if recs, err = d.allRecordFacts(ctx); err != nil {
			return nil, err
		}
	} else {
		keys := make([]string, 0, len(coverage.ResidentParts))
		for _, p := range coverage.ResidentParts {
			keys = append(keys, coverage.StampKey(wardID, p))
		}
		if stamps, err = factDocs[stampDoc](ctx, d.coverageStamps(), bson.D{{Key: "_id", Value: in(keys)}}, nil, "coverage stamps"); err != nil {
			return nil, err
		}
		wards = []string{wardID}
		if res, err = factDocs[residentFactDoc](ctx, d.residents(), wardResidents(wardID), residentFactFields, "coverage residents"); err != nil {
			return nil, err
		}
		ids := make([]string, len(res))
		for i, r := range res {
			ids[i] = r.ID
		}
		if recs, err = d.recordFacts(ctx, ids); err != nil {
			return nil, err
		}
	}
	parts, part := newParts(scope, wards, coverage.ResidentParts, stamps, read, time.Time{}, time.Time{})
	byResident := map[string][]*partFill{}
	for _, f := range residentFacts(res) {
		for i, w := range []string{f.WardID, f.OriginWardID} {
			if i == 1 && w == f.WardID {
				break
			}
			if p := part(w, coverage.PartOf(f.ID)); p != nil {
				p.residents = append(p.residents, f)
				byResident[f.ID] = append(byResident[f.ID], p)
			}
		}
	}
	for _, r := range recs {
		for _, p := range byResident[r.ResidentID] {
			p.records = append(p.records, r)
		}
	}
	return parts, nil
}

// newParts makes the parts of every ward of wards in scope, and returns them
// with part, which returns a ward's part, made on first use when scope is
// allWards (a ward of the facts not listed), nil for a ward out of scope. Each
// part has its stamp as read at read (settled or not), or none.
func newParts(scope string, wards, names []string, stamps []stampDoc, read, from, to time.Time) (map[string]*partFill, func(w, p string) *partFill) {
	expires := time.Now().Add(fillTTL)
	parts := make(map[string]*partFill, len(wards)*len(names))
	byKey := make(map[string]stampDoc, len(stamps))
	for _, s := range stamps {
		byKey[s.Key] = s
	}
	part := func(w, p string) *partFill {
		if scope != allWards && w != scope {
			return nil
		}
		key := coverage.StampKey(w, p)
		pf := parts[key]
		if pf == nil {
			pf = &partFill{settled: true, expires: expires, from: from, to: to}
			if s, ok := byKey[key]; ok {
				pf.stamp, pf.settled = s.Value, coverage.Stamp{At: utc(s.At)}.Settled(read, fillSettle)
			}
			parts[key] = pf
		}
		return pf
	}
	for _, w := range wards {
		for _, p := range names {
			part(w, p)
		}
	}
	return parts, part
}

// fillRoster reads the roster parts of scope (a ward, or allWards) in the
// window [from, to), stamps first: shifts counted, sessions counted, usage.
func (d *DB) fillRoster(ctx context.Context, scope, wardID string, from, to time.Time) (map[string]*partFill, error) {
	d.fills.count.Add(1)
	read := time.Now()
	window := bson.D{startsIn("starts_at", from, to)}
	var (
		stamps []stampDoc
		wards  []string
		err    error
	)
	if scope == allWards {
		if stamps, err = factDocs[stampDoc](ctx, d.coverageStamps(), bson.D{}, nil, "coverage stamps"); err != nil {
			return nil, err
		}
		if wards, err = d.wardIDs(ctx); err != nil {
			return nil, err
		}
	} else {
		if stamps, err = factDocs[stampDoc](ctx, d.coverageStamps(), byID(coverage.StampKey(wardID, coverage.RosterPart)), nil, "coverage stamps"); err != nil {
			return nil, err
		}
		wards = []string{wardID}
		window = append(bson.D{{Key: "ward_id", Value: wardID}}, window...)
	}
	shifts, err := d.shiftFacts(ctx, window)
	if err != nil {
		return nil, err
	}
	sessions, sessionWards, err := d.sessionFacts(ctx, window)
	if err != nil {
		return nil, err
	}
	usage, usageWards, err := d.usageFacts(ctx, window)
	if err != nil {
		return nil, err
	}
	parts, part := newParts(scope, wards, []string{coverage.RosterPart}, stamps, read, from, to)
	for _, f := range shifts {
		if p := part(f.WardID, coverage.RosterPart); p != nil {
			p.shifts = append(p.shifts, f)
		}
	}
	for i, f := range sessions {
		if p := part(sessionWards[i], coverage.RosterPart); p != nil {
			p.sessions = append(p.sessions, f)
		}
	}
	for i, f := range usage {
		if p := part(usageWards[i], coverage.RosterPart); p != nil {
			p.usage = append(p.usage, f)
		}
	}
	return parts, nil
}

// wardIDs returns the _id of every ward.
func (d *DB) wardIDs(ctx context.Context) ([]string, error) {
	ws, err := factDocs[struct {
		ID string `bson:"_id"`
	}](ctx, d.wards, bson.D{}, bson.D{{Key: "_id", Value: 1}}, "coverage wards")
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	return ids, nil
}

// residentFactFields is the projection of residentFactDoc.
var residentFactFields = bson.D{{Key: "ward_id", Value: 1}, {Key: "origin_ward_id", Value: 1}, {Key: "created_at", Value: 1}, {Key: "erased", Value: 1}}

// wardResidents is the filter of the residents now in a ward or registered in it.
func wardResidents(wardID string) bson.D {
	return bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "ward_id", Value: wardID}}, bson.D{{Key: "origin_ward_id", Value: wardID}}}}}
}

// allRecordFacts returns every progress record with whether it is revoked: two
// scans without a filter, for FerretDB.
func (d *DB) allRecordFacts(ctx context.Context) ([]coverage.RecordFact, error) {
	recs, err := factDocs[progressRecordDoc](ctx, d.progressRecords(), bson.D{}, recordFactFields, "coverage records")
	if err != nil {
		return nil, err
	}
	revs, err := factDocs[progressRevocationDoc](ctx, d.progressRevocations(), bson.D{}, bson.D{{Key: "_id", Value: 1}}, "coverage revocations")
	if err != nil {
		return nil, err
	}
	return recordFactsOf(recs, revs), nil
}

// recordFactFields is the projection of the record facts.
var recordFactFields = bson.D{{Key: "resident_id", Value: 1}, {Key: "skill_code", Value: 1}, {Key: "centre_id", Value: 1}, {Key: "at", Value: 1}}

// recordFactsOf joins records and their revocations.
func recordFactsOf(recs []progressRecordDoc, revs []progressRevocationDoc) []coverage.RecordFact {
	revoked := make(map[string]bool, len(revs))
	for _, r := range revs {
		revoked[r.RecordID] = true
	}
	out := make([]coverage.RecordFact, 0, len(recs))
	for _, r := range recs {
		out = append(out, coverage.RecordFact{ID: r.ID, ResidentID: r.ResidentID, SkillCode: r.SkillCode,
			CentreID: r.CentreID, At: utc(r.At), Revoked: revoked[r.ID]})
	}
	return out
}

// clonedResidents and clonedRecords copy a fill's slices for a caller.
func clonedResidents(p *partFill) []coverage.ResidentFact { return slices.Clone(p.residents) }
func clonedRecords(p *partFill) []coverage.RecordFact     { return slices.Clone(p.records) }
