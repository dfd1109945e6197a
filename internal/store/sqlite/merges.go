package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
)

// Ward targets, district targets and ward merges. Targets are settings keyed by
// (ward, year) and year: a put is one INSERT ... ON CONFLICT DO UPDATE, so
// concurrent puts leave one row (the last). A merge is one BEGIN IMMEDIATE
// transaction: the insert-only merge record (primary key: the merged ward), the
// moves, and the ward's new status.

// openWard returns the ward a new row of wardID goes to: wardID while active, the
// ward it was merged into otherwise (a row racing a merge follows it); an unknown
// ward is ErrNotFound.
func openWard(ctx context.Context, tx *sql.Tx, wardID string) (string, error) {
	var (
		status string
		into   sql.NullString
	)
	err := tx.QueryRowContext(ctx, `SELECT status, merged_into FROM wards WHERE id = ?`, wardID).Scan(&status, &into)
	if err != nil {
		return "", one(err, "ward", wardID)
	}
	if status != string(directory.WardActive) && into.Valid {
		return into.String, nil
	}
	return wardID, nil
}

// PutWardTarget inserts or replaces the target of (t.WardID, t.Year).
func (db *DB) PutWardTarget(ctx context.Context, t *directory.WardTarget) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO ward_targets (ward_id, year, adult_population, households,
		updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (ward_id, year) DO UPDATE SET adult_population = excluded.adult_population,
		households = excluded.households, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		t.WardID, t.Year, t.AdultPopulation, t.Households, t.UpdatedBy, ms(t.UpdatedAt))
	return wrap(err, "put target of ward %s in %d", t.WardID, t.Year)
}

const wardTargetColumns = `SELECT ward_id, year, adult_population, households, updated_by, updated_at FROM ward_targets`

func scanWardTarget(s scanner) (*directory.WardTarget, error) {
	var (
		t       directory.WardTarget
		updated int64
	)
	if err := s.Scan(&t.WardID, &t.Year, &t.AdultPopulation, &t.Households, &t.UpdatedBy, &updated); err != nil {
		return nil, err
	}
	t.UpdatedAt = at(updated)
	return &t, nil
}

// WardTarget returns the target of (wardID, year).
func (db *DB) WardTarget(ctx context.Context, wardID string, year int) (*directory.WardTarget, error) {
	t, err := scanWardTarget(db.queryRow(ctx, wardTargetColumns+` WHERE ward_id = ? AND year = ?`, wardID, year))
	if err != nil {
		return nil, one(err, "ward target", wardID)
	}
	return t, nil
}

// WardTargetsOf returns a ward's targets ordered by year.
func (db *DB) WardTargetsOf(ctx context.Context, wardID string) ([]*directory.WardTarget, error) {
	return list(ctx, db, "ward targets", wardTargetColumns+` WHERE ward_id = ? ORDER BY year`, []any{wardID}, scanWardTarget)
}

// WardTargets returns every ward's target of a year ordered by ward id.
func (db *DB) WardTargets(ctx context.Context, year int) ([]*directory.WardTarget, error) {
	return list(ctx, db, "ward targets", wardTargetColumns+` WHERE year = ? ORDER BY ward_id`, []any{year}, scanWardTarget)
}

// PutDistrictTarget inserts or replaces the district's target of t.Year.
func (db *DB) PutDistrictTarget(ctx context.Context, t *directory.DistrictTarget) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO district_targets (year, ecitizen_share_percent, updated_by, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (year) DO UPDATE SET ecitizen_share_percent = excluded.ecitizen_share_percent,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		t.Year, t.EcitizenSharePercent, t.UpdatedBy, ms(t.UpdatedAt))
	return wrap(err, "put district target of %d", t.Year)
}

const districtTargetColumns = `SELECT year, ecitizen_share_percent, updated_by, updated_at FROM district_targets`

func scanDistrictTarget(s scanner) (*directory.DistrictTarget, error) {
	var (
		t       directory.DistrictTarget
		updated int64
	)
	if err := s.Scan(&t.Year, &t.EcitizenSharePercent, &t.UpdatedBy, &updated); err != nil {
		return nil, err
	}
	t.UpdatedAt = at(updated)
	return &t, nil
}

// DistrictTarget returns the district's target of a year.
func (db *DB) DistrictTarget(ctx context.Context, year int) (*directory.DistrictTarget, error) {
	t, err := scanDistrictTarget(db.queryRow(ctx, districtTargetColumns+` WHERE year = ?`, year))
	if err != nil {
		return nil, one(err, "district target", "")
	}
	return t, nil
}

// DistrictTargets returns the district's targets ordered by year.
func (db *DB) DistrictTargets(ctx context.Context) ([]*directory.DistrictTarget, error) {
	return list(ctx, db, "district targets", districtTargetColumns+` ORDER BY year`, nil, scanDistrictTarget)
}

// MergeWard records m and moves everything in one transaction.
func (db *DB) MergeWard(ctx context.Context, m *directory.WardMerge) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := beginMerge(ctx, tx, m); err != nil {
			return err
		}
		return finishMerge(ctx, tx, m)
	})
	return mergeErr(err, m)
}

// BeginWardMerge records m and marks its ward merging, in one transaction.
func (db *DB) BeginWardMerge(ctx context.Context, m *directory.WardMerge) error {
	return mergeErr(db.tx(ctx, func(tx *sql.Tx) error { return beginMerge(ctx, tx, m) }), m)
}

// FinishWardMerge moves what is left of m's ward and marks it merged, in one
// transaction; it reports whether the ward was not merged before.
func (db *DB) FinishWardMerge(ctx context.Context, m *directory.WardMerge) (bool, error) {
	var marked bool
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM wards WHERE id = ?`, m.From).Scan(&status); err != nil {
			return one(err, "ward", m.From)
		}
		marked = status != string(directory.WardMerged)
		return finishMerge(ctx, tx, m)
	})
	if err != nil {
		return false, mergeErr(err, m)
	}
	return marked, nil
}

func mergeErr(err error, m *directory.WardMerge) error {
	if errors.Is(err, directory.ErrWardMerged) {
		return err
	}
	return wrap(err, "merge ward %s into %s", m.From, m.Into)
}

func beginMerge(ctx context.Context, tx *sql.Tx, m *directory.WardMerge) error {
	for _, id := range []string{m.From, m.Into} {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM wards WHERE id = ?`, id).Scan(&status); err != nil {
			return one(err, "ward", id)
		}
		if status != string(directory.WardActive) {
			var taken int
			_ = tx.QueryRowContext(ctx, `SELECT count(*) FROM ward_merges WHERE from_ward_id = ?`, m.From).Scan(&taken)
			if id == m.From && taken > 0 {
				return apperr.ErrConflict
			}
			return directory.ErrWardMerged
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ward_merges (from_ward_id, into_ward_id, merged_at, merged_by, reason)
		VALUES (?, ?, ?, ?, ?)`, m.From, m.Into, ms(m.At), m.By, m.Reason); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE wards SET status = ?, merged_into = ?, updated_at = ? WHERE id = ?`,
		string(directory.WardMerging), m.Into, ms(m.At), m.From)
	return err
}

// finishMerge moves the rows of the present and future from m.From to m.Into;
// rows of the past keep m.From. Every statement is idempotent.
func finishMerge(ctx context.Context, tx *sql.Tx, m *directory.WardMerge) error {
	from, into, t := m.From, m.Into, ms(m.At)
	steps := []struct {
		q    string
		args []any
	}{
		{`UPDATE residents SET ward_id = ? WHERE ward_id = ?`, []any{into, from}},
		{`UPDATE resident_name_words SET ward_id = ? WHERE ward_id = ?`, []any{into, from}},
		{`UPDATE centres SET ward_id = ?, updated_at = max(updated_at, ?) WHERE ward_id = ?`, []any{into, t, from}},
		{`UPDATE devices SET ward_id = ? WHERE ward_id = ?`, []any{into, from}},
		{`UPDATE shift_series SET ward_id = ? WHERE ward_id = ?`, []any{into, from}},
		{`UPDATE shifts SET ward_id = ? WHERE ward_id = ? AND starts_at >= ?`, []any{into, from, t}},
		{`UPDATE training_sessions SET ward_id = ? WHERE ward_id = ? AND starts_at >= ?`, []any{into, from, t}},
		{`INSERT OR IGNORE INTO user_wards (user_id, ward_id) SELECT user_id, ? FROM user_wards WHERE ward_id = ?`, []any{into, from}},
		{`UPDATE wards SET status = ?, merged_into = ?, merged_at = ?, updated_at = max(updated_at, ?) WHERE id = ?`,
			[]any{string(directory.WardMerged), into, t, t, from}},
	}
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return err
		}
	}
	return nil
}

const wardMergeColumns = `SELECT from_ward_id, into_ward_id, merged_at, merged_by, reason FROM ward_merges`

func scanWardMerge(s scanner) (*directory.WardMerge, error) {
	var (
		m  directory.WardMerge
		t0 int64
	)
	if err := s.Scan(&m.From, &m.Into, &t0, &m.By, &m.Reason); err != nil {
		return nil, err
	}
	m.At = at(t0)
	return &m, nil
}

// WardMergeOf returns the merge record of a ward.
func (db *DB) WardMergeOf(ctx context.Context, fromWardID string) (*directory.WardMerge, error) {
	m, err := scanWardMerge(db.queryRow(ctx, wardMergeColumns+` WHERE from_ward_id = ?`, fromWardID))
	if err != nil {
		return nil, one(err, "ward merge", fromWardID)
	}
	return m, nil
}

// WardMerges returns every merge record ordered by time, then merged ward.
func (db *DB) WardMerges(ctx context.Context) ([]*directory.WardMerge, error) {
	return list(ctx, db, "ward merges", wardMergeColumns+` ORDER BY merged_at, from_ward_id`, nil, scanWardMerge)
}
