package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"ecitizen/internal/progress"
)

// Progress records and their revocations (migration 0021), both insert-only: a
// revocation's primary key is the record's id, so a second one is ErrConflict;
// its foreign key makes an unknown record ErrNotFound, as the record's makes an
// unknown resident.

const progressColumns = `SELECT id, resident_id, skill_code, method, evidence, recorded_by, centre_id, shift_id, at
	FROM progress_records`

// CreateProgressRecord inserts a record; a taken id is ErrConflict, an unknown
// resident ErrNotFound.
func (db *DB) CreateProgressRecord(ctx context.Context, r *progress.Record) error {
	_, err := db.w.ExecContext(ctx, insertRecord, recordArgs(r)...)
	return wrap(err, "create progress record %s", r.ID)
}

const insertRecord = `INSERT INTO progress_records (id, resident_id, skill_code, method, evidence,
	recorded_by, centre_id, shift_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// recordArgs are the values of insertRecord.
func recordArgs(r *progress.Record) []any {
	return []any{r.ID, r.ResidentID, r.SkillCode, string(r.Method), r.Evidence, r.RecordedBy, r.CentreID, r.ShiftID, ms(r.At)}
}

// ProgressRecordByID returns a record with its revocation (nil when none).
func (db *DB) ProgressRecordByID(ctx context.Context, id string) (*progress.Record, *progress.Revocation, error) {
	r, err := scanRecord(db.queryRow(ctx, progressColumns+` WHERE id = ?`, id))
	if err != nil {
		return nil, nil, one(err, "progress record", id)
	}
	rv, err := scanProgressRevocation(db.queryRow(ctx, `SELECT record_id, revoked_by, reason, revoked_at
		FROM progress_revocations WHERE record_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil, nil
	}
	if err != nil {
		return nil, nil, wrap(err, "read revocation of progress record %s", id)
	}
	return r, rv, nil
}

// ProgressOfResident returns a resident's records, oldest first, and their revocations.
func (db *DB) ProgressOfResident(ctx context.Context, residentID string) ([]progress.Record, []progress.Revocation, error) {
	recs, err := list(ctx, db, "progress records", progressColumns+` WHERE resident_id = ? ORDER BY at, id`,
		[]any{residentID}, scanRecord)
	if err != nil {
		return nil, nil, err
	}
	revs, err := list(ctx, db, "progress revocations", `SELECT record_id, revoked_by, reason, revoked_at
		FROM progress_revocations WHERE resident_id = ? ORDER BY revoked_at, record_id`, []any{residentID}, scanProgressRevocation)
	if err != nil {
		return nil, nil, err
	}
	outRecs := make([]progress.Record, 0, len(recs))
	for _, r := range recs {
		outRecs = append(outRecs, *r)
	}
	outRevs := make([]progress.Revocation, 0, len(revs))
	for _, r := range revs {
		outRevs = append(outRevs, *r)
	}
	return outRecs, outRevs, nil
}

// RevokeProgressRecord inserts a revocation, with the record's resident; a
// second one is ErrConflict, an unknown record ErrNotFound.
func (db *DB) RevokeProgressRecord(ctx context.Context, r *progress.Revocation) error {
	res, err := db.w.ExecContext(ctx, `INSERT INTO progress_revocations (record_id, resident_id, revoked_by, reason, revoked_at)
		SELECT id, resident_id, ?, ?, ? FROM progress_records WHERE id = ?`, r.By, r.Reason, ms(r.At), r.RecordID)
	if err != nil {
		return wrap(err, "revoke progress record %s", r.RecordID)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap(err, "revoke progress record %s", r.RecordID)
	} else if n == 0 {
		return notFound("progress record", r.RecordID)
	}
	return nil
}

func scanRecord(s scanner) (*progress.Record, error) {
	var r progress.Record
	var when int64
	if err := s.Scan(&r.ID, &r.ResidentID, &r.SkillCode, &r.Method, &r.Evidence, &r.RecordedBy, &r.CentreID, &r.ShiftID, &when); err != nil {
		return nil, err
	}
	r.At = at(when)
	return &r, nil
}

func scanProgressRevocation(s scanner) (*progress.Revocation, error) {
	var r progress.Revocation
	var when int64
	if err := s.Scan(&r.RecordID, &r.By, &r.Reason, &when); err != nil {
		return nil, err
	}
	r.At = at(when)
	return &r, nil
}

// CreateResidentQuizAttempt inserts an assisted quiz attempt; a taken id is
// ErrConflict, an unknown resident ErrNotFound.
func (db *DB) CreateResidentQuizAttempt(ctx context.Context, a *progress.QuizAttempt) error {
	answers, err := json.Marshal(a.Answers)
	if err != nil {
		return fmt.Errorf("quiz attempt %s: %w", a.ID, err)
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO resident_quiz_attempts (id, resident_id, course_id, version, lesson_id,
		answers, score, passed, by_user, centre_id, shift_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.ResidentID, a.CourseID, a.Version, a.LessonID, string(answers), a.Score, a.Passed, a.By, a.CentreID, a.ShiftID, ms(a.At))
	return wrap(err, "create quiz attempt %s", a.ID)
}

// ResidentQuizAttempts returns a resident's assisted attempts, oldest first.
func (db *DB) ResidentQuizAttempts(ctx context.Context, residentID string) ([]*progress.QuizAttempt, error) {
	return list(ctx, db, "quiz attempts", `SELECT id, resident_id, course_id, version, lesson_id, answers, score, passed,
		by_user, centre_id, shift_id, at FROM resident_quiz_attempts WHERE resident_id = ? ORDER BY at, id`,
		[]any{residentID}, func(s scanner) (*progress.QuizAttempt, error) {
			var a progress.QuizAttempt
			var answers string
			var when int64
			if err := s.Scan(&a.ID, &a.ResidentID, &a.CourseID, &a.Version, &a.LessonID, &answers, &a.Score, &a.Passed,
				&a.By, &a.CentreID, &a.ShiftID, &when); err != nil {
				return nil, err
			}
			if err := json.Unmarshal([]byte(answers), &a.Answers); err != nil {
				return nil, fmt.Errorf("quiz attempt %s: answers: %w", a.ID, err)
			}
			a.At = at(when)
			return &a, nil
		})
}
