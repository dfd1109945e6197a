package mongo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/apperr"
	"ecitizen/internal/coverage"
	"ecitizen/internal/roster"
)

// Coverage stamps and facts:
//
//   - coverage_stamps: _id = coverage.StampKey (ward and part), v = a random
//     value, at = when it was set. Every write a ward's summaries read first
//     marks its part (markCoverage for the roster part, markResident for a
//     resident's: a new random v, at = now), then writes under a deadline of
//     coverage.WriteBound; readers keep what they computed only under a stamp
//     older than coverage.SettleAfter (see coverage.Store). Concurrent marks
//     may overwrite each other (FerretDB's updates are read-then-replace), and
//     any of them leaves a value no earlier reader saw.
//
//   - coverage_log: _id = a random value, k = a resident part's StampKey, r =
//     the resident, or "*" for a change of the whole part (a merge), at = when.
//     markResident writes one per part it marks, after the mark and before the
//     write it announces (and fails the write when it cannot), so a write not
//     landed when a stamp was read is logged later than that stamp was set.
//     CoverageChanges reads the entries of a part from its old stamp's time
//     (less WriteBound, for clocks apart) on; entries older than logKeep are
//     pruned, and a stamp that old is answered "cannot tell".
//
// The fact queries read the ward's documents and count bookings, seats and
// no-shows in Go (FerretDB's $group has only $sum and $count). The resident
// parts are read together, a ward's or every ward's at once (coverage_fill.go);
// CoverageResidentFacts reads a few residents by _id on FerretDB, which pushes
// down that filter alone.
const colCoverageStamps = "coverage_stamps"

func (d *DB) coverageStamps() *mongodrv.Collection { return d.db.Collection(colCoverageStamps) }

type stampDoc struct {
	Key   string    `bson:"_id"` // coverage.StampKey: ward and part
	Value string    `bson:"v"`
	At    time.Time `bson:"at"`
}

// markCoverage marks the roster part of wards as changing now and returns the
// context the change must be written under (a deadline of coverage.WriteBound)
// and its cancel.
func (d *DB) markCoverage(ctx context.Context, wards ...string) (context.Context, context.CancelFunc, error) {
	keys := make([]string, 0, len(wards))
	for _, w := range wards {
		if w != "" {
			keys = append(keys, coverage.StampKey(w, coverage.RosterPart))
		}
	}
	return d.mark(ctx, keys)
}

// markResident marks a resident's part of wards (its ward and the ward it was
// registered in) as markCoverage does.
func (d *DB) markResident(ctx context.Context, residentID string, wards ...string) (context.Context, context.CancelFunc, error) {
	keys := make([]string, 0, len(wards))
	for _, w := range wards {
		if w != "" {
			keys = append(keys, coverage.StampKey(w, coverage.PartOf(residentID)))
		}
	}
	wctx, cancel, err := d.mark(ctx, keys)
	if err != nil {
		return wctx, cancel, err
	}
	if coverageFault != nil {
		coverageFault("marked", residentID)
	}
	if err := d.logChanges(wctx, keys, residentID); err != nil {
		cancel()
		return ctx, func() {}, err
	}
	if coverageFault != nil {
		coverageFault("logged", residentID)
	}
	return wctx, cancel, nil
}

// coverageFault, when set (by tests), is called in markResident after the
// marks ("marked") and after the log entries ("logged"), where a writer can be
// killed.
var coverageFault func(point, residentID string)

// markWards marks every part of wards, for a change that is not bounded by
// coverage.WriteBound and marks them again when it ends (a merge).
func (d *DB) markWards(ctx context.Context, wards ...string) error {
	var keys []string
	for _, w := range wards {
		for _, p := range coverage.Parts {
			keys = append(keys, coverage.StampKey(w, p))
		}
	}
	wctx, cancel, err := d.mark(ctx, keys)
	defer cancel()
	if err != nil {
		return err
	}
	var parts []string
	for _, k := range keys {
		if !strings.HasSuffix(k, "|"+coverage.RosterPart) {
			parts = append(parts, k)
		}
	}
	return d.logChanges(wctx, parts, wholePart)
}

const (
	colCoverageLog = "coverage_log"
	// wholePart is the resident of a log entry for a change of a whole part.
	wholePart = "*"
	// logKeep is how long log entries are kept.
	logKeep = time.Hour
)

func (d *DB) coverageLog() *mongodrv.Collection { return d.db.Collection(colCoverageLog) }

type logDoc struct {
	ID       string    `bson:"_id"`
	Key      string    `bson:"k"`
	Resident string    `bson:"r"`
	At       time.Time `bson:"at"`
}

// logChanges logs a change of residentID (or wholePart) in each part of keys,
// and now and then prunes the entries older than logKeep.
func (d *DB) logChanges(ctx context.Context, keys []string, residentID string) error {
	if len(keys) == 0 {
		return nil
	}
	now := time.Now().UTC()
	docs := make([]any, len(keys))
	for i, k := range keys {
		var b [12]byte
		_, _ = rand.Read(b[:])
		docs[i] = logDoc{ID: hex.EncodeToString(b[:]), Key: k, Resident: residentID, At: now}
	}
	if _, err := d.coverageLog().InsertMany(ctx, docs); err != nil {
		return fmt.Errorf("mongo: coverage log: %w", err)
	}
	if d.logged.Add(1)%256 == 0 { // a failed prune leaves entries that are only read if asked for
		_, _ = d.coverageLog().DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: now.Add(-logKeep)}}}})
	}
	return nil
}

// CoverageChanges returns the residents logged for a resident part since the
// stamp since was set (see coverage_log above); until is not needed, as every
// entry is kept until logKeep.
func (d *DB) CoverageChanges(ctx context.Context, wardID, part string, since, _ coverage.Stamp) ([]string, bool, error) {
	if since.At.IsZero() || time.Since(since.At) > logKeep-2*coverage.WriteBound {
		return nil, false, nil
	}
	docs, err := factDocs[logDoc](ctx, d.coverageLog(), bson.D{{Key: "k", Value: coverage.StampKey(wardID, part)},
		{Key: "at", Value: bson.D{{Key: "$gte", Value: since.At.Add(-coverage.WriteBound)}}}}, bson.D{{Key: "r", Value: 1}}, "coverage log")
	if err != nil {
		return nil, false, err
	}
	ids := make([]string, 0, len(docs))
	for _, l := range docs {
		if l.Resident == wholePart {
			return nil, false, nil
		}
		ids = append(ids, l.Resident)
	}
	return ids, true, nil
}

// CoverageResidentFacts returns the residents of ids and their records.
func (d *DB) CoverageResidentFacts(ctx context.Context, ids []string) ([]coverage.ResidentFact, []coverage.RecordFact, error) {
	docs, err := d.residentFactsByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	recs, err := d.recordFacts(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	return residentFacts(docs), recs, nil
}

// pointReads is the most residents CoverageResidentFacts reads one by one on
// FerretDB (a read by _id, pushed down) rather than by one $in (a scan).
const pointReads = 8

// residentFactsByID reads the residents of ids that exist.
func (d *DB) residentFactsByID(ctx context.Context, ids []string) ([]residentFactDoc, error) {
	if !d.ferret || len(ids) > pointReads {
		return factDocsIn(ctx, d, d.residents(), "_id", ids, nil, residentFactFields,
			func(r *residentFactDoc) string { return r.ID }, "coverage residents")
	}
	var out []residentFactDoc
	for _, id := range ids {
		doc, err := findByID[residentFactDoc](ctx, d.residents(), id, "coverage resident "+id, options.FindOne().SetProjection(residentFactFields))
		if errors.Is(err, apperr.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *doc)
	}
	return out, nil
}

// mark sets each stamp key to a new random value and the time.
func (d *DB) mark(ctx context.Context, keys []string) (context.Context, context.CancelFunc, error) {
	for _, k := range keys {
		var b [12]byte
		_, _ = rand.Read(b[:])
		now := time.Now().UTC()
		up := bson.D{{Key: "$set", Value: bson.D{{Key: "v", Value: hex.EncodeToString(b[:])}, {Key: "at", Value: now}}}}
		_, err := d.coverageStamps().UpdateOne(ctx, byID(k), up, options.UpdateOne().SetUpsert(true))
		if duplicateKey(err) { // two first marks of a part raced; the second now updates
			_, err = d.coverageStamps().UpdateOne(ctx, byID(k), up)
		}
		if err != nil {
			return ctx, func() {}, fmt.Errorf("mongo: mark coverage %s: %w", k, err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, coverage.WriteBound)
	return wctx, cancel, nil
}

// wardOf returns the ward_id of the document id of collection col ("" when missing).
func (d *DB) wardOf(ctx context.Context, col, id string) string {
	type wardOnly struct {
		WardID string `bson:"ward_id"`
	}
	doc, err := findByID[wardOnly](ctx, d.db.Collection(col), id, col+" "+id, options.FindOne().SetProjection(bson.D{{Key: "ward_id", Value: 1}}))
	if err != nil {
		return ""
	}
	return doc.WardID
}

// CoverageStamps returns the stamps of every part of wardIDs.
func (d *DB) CoverageStamps(ctx context.Context, wardIDs []string) (map[string]coverage.Stamp, error) {
	keys := make([]string, 0, len(wardIDs)*len(coverage.Parts))
	for _, w := range wardIDs {
		for _, p := range coverage.Parts {
			keys = append(keys, coverage.StampKey(w, p))
		}
	}
	docs, err := factDocs[stampDoc](ctx, d.coverageStamps(), bson.D{{Key: "_id", Value: in(keys)}}, nil, "coverage stamps")
	if err != nil {
		return nil, err
	}
	out := make(map[string]coverage.Stamp, len(docs))
	for _, s := range docs {
		out[s.Key] = coverage.Stamp{Value: s.Value, At: utc(s.At)}
	}
	return out, nil
}

func in(ids []string) bson.D { return bson.D{{Key: "$in", Value: ids}} }

func startsIn(field string, from, to time.Time) bson.E {
	return bson.E{Key: field, Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}}
}

// chunks calls fn with ids in slices of at most 500.
func chunks(ids []string, fn func([]string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

type residentFactDoc struct {
	ID        string    `bson:"_id"`
	WardID    string    `bson:"ward_id"`
	Origin    string    `bson:"origin_ward_id"` // missing before merges existed: the ward_id`
	CreatedAt time.Time `bson:"created_at"`
	Erased    bool      `bson:"erased"`
}

// coverageResidentDocs reads the ward's residents and keeps those of part.
func (d *DB) coverageResidentDocs(ctx context.Context, wardID, part string) ([]residentFactDoc, error) {
	docs, err := factDocs[residentFactDoc](ctx, d.residents(), wardResidents(wardID), residentFactFields, "coverage residents")
	if err != nil {
		return nil, err
	}
	kept := docs[:0]
	for _, r := range docs {
		if coverage.PartOf(r.ID) == part {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// CoverageResidents returns the residents of a part now in the ward or
// registered in it, from a fill when it may (coverage_fill.go).
func (d *DB) CoverageResidents(ctx context.Context, wardID, part string) ([]coverage.ResidentFact, error) {
	if p, err := d.residentPart(ctx, wardID, part); err != nil || p != nil {
		if err != nil {
			return nil, err
		}
		return clonedResidents(p), nil
	}
	docs, err := d.coverageResidentDocs(ctx, wardID, part)
	if err != nil {
		return nil, err
	}
	return residentFacts(docs), nil
}

func residentFacts(docs []residentFactDoc) []coverage.ResidentFact {
	out := make([]coverage.ResidentFact, len(docs))
	for i, r := range docs {
		origin := r.Origin
		if origin == "" {
			origin = r.WardID
		}
		out[i] = coverage.ResidentFact{ID: r.ID, WardID: r.WardID, OriginWardID: origin, CreatedAt: utc(r.CreatedAt), Erased: r.Erased}
	}
	return out
}

// CoverageRecords returns the records of the residents of a part of the ward,
// from a fill when it may (coverage_fill.go).
func (d *DB) CoverageRecords(ctx context.Context, wardID, part string) ([]coverage.RecordFact, error) {
	if p, err := d.residentPart(ctx, wardID, part); err != nil || p != nil {
		if err != nil {
			return nil, err
		}
		return clonedRecords(p), nil
	}
	res, err := d.coverageResidentDocs(ctx, wardID, part)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res))
	for i, r := range res {
		ids[i] = r.ID
	}
	return d.recordFacts(ctx, ids)
}

// recordFacts returns the records of the residents of ids.
func (d *DB) recordFacts(ctx context.Context, ids []string) ([]coverage.RecordFact, error) {
	recs, err := factDocsIn(ctx, d, d.progressRecords(), "resident_id", ids, nil, recordFactFields,
		func(r *progressRecordDoc) string { return r.ResidentID }, "coverage records")
	if err != nil {
		return nil, err
	}
	revs, err := factDocsIn(ctx, d, d.progressRevocations(), "resident_id", ids, nil, bson.D{{Key: "resident_id", Value: 1}},
		func(r *progressRevocationDoc) string { return r.ResidentID }, "coverage revocations")
	if err != nil {
		return nil, err
	}
	return recordFactsOf(recs, revs), nil
}

// manyIn is how many values an $in holds at most on FerretDB: past it, one scan
// without it, matched in Go, costs less (FerretDB scans the collection for
// either, and compares each document with every value of an $in).
const manyIn = 64

// factDocsIn returns the documents of col whose field is one of ids (and that
// match extra), projected (projection must hold field): by $in in batches of
// 500, or on FerretDB, past manyIn ids, by one scan matched in Go.
func factDocsIn[T any](ctx context.Context, d *DB, col *mongodrv.Collection, field string, ids []string, extra, projection bson.D,
	keyOf func(*T) string, what string) ([]T, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if d.ferret && len(ids) > manyIn {
		all, err := factDocs[T](ctx, col, append(bson.D{}, extra...), projection, what)
		if err != nil {
			return nil, err
		}
		want := make(map[string]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
		kept := all[:0]
		for i := range all {
			if want[keyOf(&all[i])] {
				kept = append(kept, all[i])
			}
		}
		return kept, nil
	}
	var out []T
	err := chunks(ids, func(part []string) error {
		docs, err := factDocs[T](ctx, col, append(bson.D{{Key: field, Value: in(part)}}, extra...), projection, what)
		out = append(out, docs...)
		return err
	})
	return out, err
}

// CoverageShifts returns the ward's shifts starting in [from, to), counted,
// from a fill when it may (coverage_fill.go).
func (d *DB) CoverageShifts(ctx context.Context, wardID string, from, to time.Time) ([]coverage.ShiftFact, error) {
	if p, err := d.rosterPart(ctx, wardID, from, to); err != nil || p != nil {
		if err != nil {
			return nil, err
		}
		return slices.Clone(p.shifts), nil
	}
	return d.shiftFacts(ctx, bson.D{{Key: "ward_id", Value: wardID}, startsIn("starts_at", from, to)})
}

// shiftFacts returns the shifts filter matches, counted.
func (d *DB) shiftFacts(ctx context.Context, filter bson.D) ([]coverage.ShiftFact, error) {
	shifts, err := factDocs[shiftDoc](ctx, d.shifts(), filter, nil, "coverage shifts")
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(shifts))
	for i, s := range shifts {
		ids[i] = s.ID
	}
	booked, noShows := map[string]int{}, map[string]int{}
	bs, err := factDocsIn(ctx, d, d.bookings(), "shift_id", ids, nil, bson.D{{Key: "shift_id", Value: 1}},
		func(b *bookingDoc) string { return b.ShiftID }, "coverage bookings")
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		booked[b.ShiftID]++
	}
	ns, err := factDocsIn(ctx, d, d.noShows(), "shift_id", ids, bson.D{{Key: "decision", Value: string(roster.NoShowConfirm)}},
		bson.D{{Key: "shift_id", Value: 1}}, func(n *noShowDoc) string { return n.ShiftID }, "coverage no-shows")
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		noShows[n.ShiftID]++
	}
	out := make([]coverage.ShiftFact, len(shifts))
	for i, s := range shifts {
		out[i] = coverage.ShiftFact{ID: s.ID, CentreID: s.CentreID, WardID: s.WardID, StartsAt: utc(s.StartsAt), EndsAt: utc(s.EndsAt),
			Places: s.Places, Booked: booked[s.ID], NoShows: noShows[s.ID], Status: roster.Status(s.Status)}
	}
	return out, nil
}

// CoverageSessions returns the training sessions of the ward starting in [from,
// to), counted, from a fill when it may (coverage_fill.go).
func (d *DB) CoverageSessions(ctx context.Context, wardID string, from, to time.Time) ([]coverage.SessionFact, error) {
	if p, err := d.rosterPart(ctx, wardID, from, to); err != nil || p != nil {
		if err != nil {
			return nil, err
		}
		return slices.Clone(p.sessions), nil
	}
	out, _, err := d.sessionFacts(ctx, bson.D{{Key: "ward_id", Value: wardID}, startsIn("starts_at", from, to)})
	return out, err
}

// sessionFacts returns the sessions filter matches, counted, and the ward of each.
func (d *DB) sessionFacts(ctx context.Context, filter bson.D) ([]coverage.SessionFact, []string, error) {
	sessions, err := factDocs[sessionDoc](ctx, d.sessions(), filter, nil, "coverage sessions")
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(sessions))
	for i, s := range sessions {
		ids[i] = s.ID
	}
	type count struct{ enrolled, attended, absent int }
	counts := map[string]*count{}
	seats, err := factDocsIn(ctx, d, d.seats(), "session_id", ids, nil, bson.D{{Key: "session_id", Value: 1}, {Key: "attendance", Value: 1}},
		func(s *seatDoc) string { return s.SessionID }, "coverage seats")
	if err != nil {
		return nil, nil, err
	}
	for _, s := range seats {
		c := counts[s.SessionID]
		if c == nil {
			c = &count{}
			counts[s.SessionID] = c
		}
		c.enrolled++
		switch s.Attendance {
		case "attended":
			c.attended++
		case "absent":
			c.absent++
		}
	}
	out, wards := make([]coverage.SessionFact, len(sessions)), make([]string, len(sessions))
	for i, s := range sessions {
		f := coverage.SessionFact{ID: s.ID, CentreID: s.CentreID, StartsAt: utc(s.StartsAt), EndsAt: utc(s.EndsAt), Status: s.Status}
		if c := counts[s.ID]; c != nil {
			f.Enrolled, f.Attended, f.Absent = c.enrolled, c.attended, c.absent
		}
		out[i], wards[i] = f, s.WardID
	}
	return out, wards, nil
}

// CoverageUsage returns the ward's equipment usage starting in [from, to), from
// a fill when it may (coverage_fill.go).
func (d *DB) CoverageUsage(ctx context.Context, wardID string, from, to time.Time) ([]coverage.UsageFact, error) {
	if p, err := d.rosterPart(ctx, wardID, from, to); err != nil || p != nil {
		if err != nil {
			return nil, err
		}
		return slices.Clone(p.usage), nil
	}
	out, _, err := d.usageFacts(ctx, bson.D{{Key: "ward_id", Value: wardID}, startsIn("starts_at", from, to)})
	return out, err
}

// usageFacts returns the usage filter matches and the ward of each.
func (d *DB) usageFacts(ctx context.Context, filter bson.D) ([]coverage.UsageFact, []string, error) {
	usage, err := factDocs[usageDoc](ctx, d.deviceUsage(), filter, nil, "coverage usage")
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(usage))
	for i, u := range usage {
		ids[i] = u.ID
	}
	voided := map[string]bool{}
	vs, err := factDocsIn(ctx, d, d.usageVoids(), "_id", ids, nil, bson.D{{Key: "_id", Value: 1}},
		func(v *voidDoc) string { return v.UsageID }, "coverage voids")
	if err != nil {
		return nil, nil, err
	}
	for _, v := range vs {
		voided[v.UsageID] = true
	}
	out, wards := make([]coverage.UsageFact, len(usage)), make([]string, len(usage))
	for i, u := range usage {
		out[i] = coverage.UsageFact{ID: u.ID, CentreID: u.CentreID, Purpose: u.Purpose, From: utc(u.StartsAt), To: utc(u.EndsAt), Voided: voided[u.ID]}
		wards[i] = u.WardID
	}
	return out, wards, nil
}

// residentWards returns a resident's ward and the ward it was registered in
// (empty when missing).
func (d *DB) residentWards(ctx context.Context, residentID string) []string {
	doc, err := findByID[residentFactDoc](ctx, d.residents(), residentID, "resident "+residentID,
		options.FindOne().SetProjection(bson.D{{Key: "ward_id", Value: 1}, {Key: "origin_ward_id", Value: 1}}))
	if err != nil {
		return nil
	}
	return []string{doc.WardID, doc.Origin}
}

// markRecord marks the part of a progress record's resident, as markResident.
func (d *DB) markRecord(ctx context.Context, recordID string) (context.Context, context.CancelFunc, error) {
	doc, err := findByID[progressRecordDoc](ctx, d.progressRecords(), recordID, "progress record "+recordID)
	if err != nil {
		return d.mark(ctx, nil) // an unknown record: the revocation will fail
	}
	return d.markResident(ctx, doc.ResidentID, d.residentWards(ctx, doc.ResidentID)...)
}
