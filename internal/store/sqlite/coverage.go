package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"time"

	"ecitizen/internal/coverage"
	"ecitizen/internal/roster"
)

// Coverage facts. The stamps (per ward and part) are moved by the triggers of
// migrations/0041_coverage_stamps.sql, inside the transaction of each change;
// those of migration 0049 also log, with each move of a resident part's stamp,
// the resident it was for (coverage_log, read by CoverageChanges).

// stampsCopy is every coverage stamp, by coverage.StampKey, read in one
// statement with the district's total (migration 0049).
type stampsCopy struct {
	total int64
	all   map[string]coverage.Stamp
	// answers are CoverageStamps' answers from this copy, by the wards asked
	// for (the service asks for every ward, each time).
	mu      sync.Mutex
	answers map[string]map[string]coverage.Stamp
}

// CoverageStamps returns the stamps of wardIDs. The copy of every stamp is
// read again only when the district's total moved: the total moves with every
// stamp, in the same transaction, so an unchanged total means unchanged stamps
// (a cache invalidated exactly; one row read instead of every ward's parts).
// The answer for the same wards from the same copy is the same map, which
// callers only read.
func (db *DB) CoverageStamps(ctx context.Context, wardIDs []string) (map[string]coverage.Stamp, error) {
	var total int64
	if err := db.queryRow(ctx, `SELECT n FROM coverage_total`).Scan(&total); err != nil {
		return nil, wrap(err, "coverage stamps")
	}
	c := db.stamps.Load()
	if c == nil || c.total != total {
		var err error
		if c, err = db.readStamps(ctx); err != nil {
			return nil, err
		}
		db.stamps.Store(c)
	}
	asked := strings.Join(wardIDs, ",")
	c.mu.Lock()
	defer c.mu.Unlock()
	if out, ok := c.answers[asked]; ok {
		return out, nil
	}
	if c.answers == nil || len(c.answers) >= 8 {
		c.answers = map[string]map[string]coverage.Stamp{}
	}
	out := make(map[string]coverage.Stamp, len(wardIDs)*len(coverage.Parts))
	for _, id := range wardIDs {
		for _, part := range coverage.Parts {
			key := coverage.StampKey(id, part)
			if s, ok := c.all[key]; ok {
				out[key] = s
			}
		}
	}
	c.answers[asked] = out
	return out, nil
}

// readStamps reads every stamp and the total in one statement (one snapshot).
func (db *DB) readStamps(ctx context.Context) (*stampsCopy, error) {
	rows, err := db.query(ctx, `SELECT s.ward_id, s.part, s.n, t.n FROM coverage_total t LEFT JOIN coverage_stamps s`)
	if err != nil {
		return nil, wrap(err, "coverage stamps")
	}
	defer rows.Close()
	c := &stampsCopy{all: map[string]coverage.Stamp{}}
	for rows.Next() {
		var (
			id, part sql.NullString
			n        sql.NullInt64
		)
		if err := rows.Scan(&id, &part, &n, &c.total); err != nil {
			return nil, wrap(err, "coverage stamps")
		}
		if id.Valid {
			c.all[coverage.StampKey(id.String, part.String)] = coverage.Stamp{Value: strconv.FormatInt(n.Int64, 10)}
		}
	}
	return c, wrap(rows.Err(), "coverage stamps")
}

// CoverageResidents returns the residents of a part now in the ward or registered in it.
func (db *DB) CoverageResidents(ctx context.Context, wardID, part string) ([]coverage.ResidentFact, error) {
	// A UNION of two lookups of the part indexes of migration 0041.
	return facts(ctx, db, "coverage residents", `SELECT id, ward_id, origin_ward_id, created_at, erased_at IS NOT NULL
		FROM residents WHERE ward_id = ?1 AND substr(id, -1) = ?2
		UNION SELECT id, ward_id, origin_ward_id, created_at, erased_at IS NOT NULL
		FROM residents WHERE origin_ward_id = ?1 AND substr(id, -1) = ?2`, []any{wardID, digit(part)}, scanResidentFact)
}

// CoverageRecords returns the records of the residents of a part of the ward.
func (db *DB) CoverageRecords(ctx context.Context, wardID, part string) ([]coverage.RecordFact, error) {
	return facts(ctx, db, "coverage records", `WITH r (id) AS (
			SELECT id FROM residents WHERE ward_id = ?1 AND substr(id, -1) = ?2
			UNION SELECT id FROM residents WHERE origin_ward_id = ?1 AND substr(id, -1) = ?2)
		SELECT p.id, p.resident_id, p.skill_code, p.centre_id, p.at, v.record_id IS NOT NULL
		FROM r JOIN progress_records p ON p.resident_id = r.id
		LEFT JOIN progress_revocations v ON v.record_id = p.id`, []any{wardID, digit(part)}, scanRecordFact)
}

// CoverageChanges returns the residents logged (migration 0049) for the moves
// of a resident part's stamp after since, when the log still holds every move
// up to until; the stamps are counters, so that is until - since rows.
func (db *DB) CoverageChanges(ctx context.Context, wardID, part string, since, until coverage.Stamp) ([]string, bool, error) {
	from, err1 := stampN(since)
	to, err2 := stampN(until)
	if err1 != nil || err2 != nil || to < from {
		return nil, false, nil
	}
	ids, err := facts(ctx, db, "coverage changes", `SELECT resident_id FROM coverage_log
		WHERE ward_id = ? AND part = ? AND n > ? AND n <= ?`, []any{wardID, part, from, to},
		func(s scanner, id *string) error { return s.Scan(id) })
	if err != nil {
		return nil, false, err
	}
	return ids, int64(len(ids)) == to-from, nil
}

// logKept is how many of a part's last moves Open keeps in its log.
const logKept = 1024

// pruneCoverageLog deletes each part's log but its last logKept moves, at Open:
// pruning in the triggers would cost every record. Between restarts the log
// grows by a row or two per change of a resident (tens of MB a year at the
// district's pace), and it is only ever read by its key.
func (db *DB) pruneCoverageLog(ctx context.Context) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM coverage_log WHERE n <= (SELECT s.n - ? FROM coverage_stamps s
		WHERE s.ward_id = coverage_log.ward_id AND s.part = coverage_log.part)`, logKept)
	return wrap(err, "prune coverage log")
}

// stampN is the counter of a stamp; a part never changed has none: 0.
func stampN(s coverage.Stamp) (int64, error) {
	if s.Value == "" {
		return 0, nil
	}
	return strconv.ParseInt(s.Value, 10, 64)
}

// CoverageResidentFacts returns the residents of ids and their records.
func (db *DB) CoverageResidentFacts(ctx context.Context, ids []string) ([]coverage.ResidentFact, []coverage.RecordFact, error) {
	var (
		res  []coverage.ResidentFact
		recs []coverage.RecordFact
	)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 200)]
		ids = ids[len(chunk):]
		marks := strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rs, err := facts(ctx, db, "coverage residents", `SELECT id, ward_id, origin_ward_id, created_at, erased_at IS NOT NULL
			FROM residents WHERE id IN (`+marks+`)`, args, scanResidentFact)
		if err != nil {
			return nil, nil, err
		}
		res = append(res, rs...)
		rc, err := facts(ctx, db, "coverage records", `SELECT p.id, p.resident_id, p.skill_code, p.centre_id, p.at, v.record_id IS NOT NULL
			FROM progress_records p LEFT JOIN progress_revocations v ON v.record_id = p.id
			WHERE p.resident_id IN (`+marks+`)`, args, scanRecordFact)
		if err != nil {
			return nil, nil, err
		}
		recs = append(recs, rc...)
	}
	return res, recs, nil
}

func scanResidentFact(s scanner, r *coverage.ResidentFact) error {
	var created int64
	if err := s.Scan(&r.ID, &r.WardID, &r.OriginWardID, &created, &r.Erased); err != nil {
		return err
	}
	r.CreatedAt = at(created)
	return nil
}

func scanRecordFact(s scanner, r *coverage.RecordFact) error {
	var when int64
	if err := s.Scan(&r.ID, &r.ResidentID, &r.SkillCode, &r.CentreID, &when, &r.Revoked); err != nil {
		return err
	}
	r.At = at(when)
	return nil
}

// CoverageShifts returns the ward's shifts starting in [from, to), counted.
func (db *DB) CoverageShifts(ctx context.Context, wardID string, from, to time.Time) ([]coverage.ShiftFact, error) {
	return facts(ctx, db, "coverage shifts", `SELECT s.id, s.centre_id, s.ward_id, s.starts_at, s.ends_at, s.places, s.status,
			(SELECT COUNT(*) FROM shift_bookings b WHERE b.shift_id = s.id),
			(SELECT COUNT(*) FROM no_shows n WHERE n.shift_id = s.id AND n.decision = ?)
		FROM shifts s WHERE s.ward_id = ? AND s.starts_at >= ? AND s.starts_at < ?`,
		[]any{string(roster.NoShowConfirm), wardID, ms(from), ms(to)},
		func(s scanner, f *coverage.ShiftFact) error {
			var starts, ends int64
			if err := s.Scan(&f.ID, &f.CentreID, &f.WardID, &starts, &ends, &f.Places, &f.Status, &f.Booked, &f.NoShows); err != nil {
				return err
			}
			f.StartsAt, f.EndsAt = at(starts), at(ends)
			return nil
		})
}

// CoverageSessions returns the training sessions of the ward starting in [from, to), counted.
func (db *DB) CoverageSessions(ctx context.Context, wardID string, from, to time.Time) ([]coverage.SessionFact, error) {
	return facts(ctx, db, "coverage sessions", `SELECT t.id, COALESCE(t.centre_id, ''), t.starts_at, t.ends_at, t.status,
			(SELECT COUNT(*) FROM session_seats s WHERE s.session_id = t.id),
			(SELECT COUNT(*) FROM session_seats s WHERE s.session_id = t.id AND s.attendance = 'attended'),
			(SELECT COUNT(*) FROM session_seats s WHERE s.session_id = t.id AND s.attendance = 'absent')
		FROM training_sessions t WHERE t.ward_id = ? AND t.starts_at >= ? AND t.starts_at < ?`,
		[]any{wardID, ms(from), ms(to)},
		func(s scanner, f *coverage.SessionFact) error {
			var starts, ends int64
			if err := s.Scan(&f.ID, &f.CentreID, &starts, &ends, &f.Status, &f.Enrolled, &f.Attended, &f.Absent); err != nil {
				return err
			}
			f.StartsAt, f.EndsAt = at(starts), at(ends)
			return nil
		})
}

// CoverageUsage returns the ward's equipment usage starting in [from, to).
func (db *DB) CoverageUsage(ctx context.Context, wardID string, from, to time.Time) ([]coverage.UsageFact, error) {
	return facts(ctx, db, "coverage usage", `SELECT u.id, u.centre_id, u.purpose, u.starts_at, u.ends_at, v.usage_id IS NOT NULL
		FROM device_usage u LEFT JOIN device_usage_voids v ON v.usage_id = u.id
		WHERE u.ward_id = ? AND u.starts_at >= ? AND u.starts_at < ?`,
		[]any{wardID, ms(from), ms(to)},
		func(s scanner, f *coverage.UsageFact) error {
			var starts, ends int64
			if err := s.Scan(&f.ID, &f.CentreID, &f.Purpose, &starts, &ends, &f.Voided); err != nil {
				return err
			}
			f.From, f.To = at(starts), at(ends)
			return nil
		})
}

// digit is the last character of the resident IDs of a resident part ("r7" -> "7").
func digit(part string) string { return strings.TrimPrefix(part, "r") }

// facts runs a query on the read pool and scans every row into a value.
func facts[T any](ctx context.Context, db *DB, what, query string, args []any, scan func(scanner, *T) error) ([]T, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, wrap(err, "%s", what)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, wrap(err, "%s", what)
		}
		out = append(out, v)
	}
	return out, wrap(rows.Err(), "%s", what)
}
