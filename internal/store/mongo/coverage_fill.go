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

// Fills: the resident parts of wards read together.
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
	if servable(p, cur, now) {
		return p, nil
	}
	if cur.Value != "" && !cur.Settled(now, fillSettle) {
		return nil, nil
	}
	scope := wardID
	if d.ferret {
		scope = allWards
	}
	d.fills.mu.Lock()
	if d.fills.running == nil {
		d.fills.running = map[string]*fillRun{}
	}
	run, joined := d.fills.running[scope]
	if !joined {
		run = &fillRun{done: make(chan struct{})}
		d.fills.running[scope] = run
	}
	d.fills.mu.Unlock()
	if joined {
		select {
		case <-run.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if p := run.parts[key]; run.err == nil && servable(p, cur, time.Now()) {
			return p, nil
		}
		return nil, nil // a fill begun before this read's stamps may lack what it must see
	}
	run.parts, run.err = d.fill(ctx, scope, wardID)
	d.fills.mu.Lock()
	delete(d.fills.running, scope)
	if run.err == nil {
		if d.fills.parts == nil || !time.Now().Before(d.fills.until) {
			d.fills.parts = map[string]*partFill{}
		}
		d.fills.until = time.Now().Add(fillTTL)
		for k, p := range run.parts {
			if p.settled {
				d.fills.parts[k] = p
			}
		}
	}
	d.fills.mu.Unlock()
	close(run.done)
	if run.err != nil {
		return nil, run.err
	}
	if p := run.parts[key]; p != nil {
		return p, nil // read after this read's stamps: whatever its stamp
	}
	return &partFill{}, nil
}

// servable reports whether p (from an earlier fill) may answer a read that
// found the part's stamp cur at now.
func servable(p *partFill, cur coverage.Stamp, now time.Time) bool {
	return p != nil && p.settled && p.stamp == cur.Value && now.Before(p.expires)
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
		ws, err := factDocs[struct {
			ID string `bson:"_id"`
		}](ctx, d.wards, bson.D{}, bson.D{{Key: "_id", Value: 1}}, "coverage wards")
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			wards = append(wards, w.ID)
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
	expires := time.Now().Add(fillTTL)
	parts := make(map[string]*partFill, len(wards)*len(coverage.ResidentParts))
	settledAt := make(map[string]stampDoc, len(stamps))
	for _, s := range stamps {
		settledAt[s.Key] = s
	}
	// part returns the part of a ward in scope, made on first use: a part
	// without residents is known to be empty.
	part := func(w, p string) *partFill {
		if scope != allWards && w != scope {
			return nil
		}
		key := coverage.StampKey(w, p)
		pf := parts[key]
		if pf == nil {
			pf = &partFill{settled: true, expires: expires}
			if s, ok := settledAt[key]; ok {
				pf.stamp, pf.settled = s.Value, coverage.Stamp{At: utc(s.At)}.Settled(read, fillSettle)
			}
			parts[key] = pf
		}
		return pf
	}
	for _, w := range wards {
		for _, p := range coverage.ResidentParts {
			part(w, p)
		}
	}
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
