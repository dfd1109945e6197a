package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"ecitizen/internal/course"
	"ecitizen/internal/page"
)

// Learners' records. Each is one row whose primary key is the invariant: one
// enrolment per learner and course, one completion per learner and lesson of a
// version, one completion per learner and course. Lesson completions, quiz
// attempts and course completions reference the learner's enrolment.

// CreateEnrolment records that a learner started a course; a second one for the
// same learner and course is ErrConflict, an unknown learner or course ErrNotFound.
func (db *DB) CreateEnrolment(ctx context.Context, e *course.Enrolment) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO enrolments (user_id, course_id, version,
		started_at) VALUES (?, ?, ?, ?)`, e.UserID, e.CourseID, e.Version, ms(e.StartedAt))
	return wrap(err, "create enrolment of user %s in course %s", e.UserID, e.CourseID)
}

const enrolmentColumns = `SELECT user_id, course_id, version, started_at FROM enrolments`

// Enrolment finds a learner's enrolment in a course.
func (db *DB) Enrolment(ctx context.Context, userID, courseID string) (*course.Enrolment, error) {
	e, err := scanEnrolment(db.queryRow(ctx,
		enrolmentColumns+` WHERE user_id = ? AND course_id = ?`, userID, courseID))
	if err != nil {
		return nil, one(err, "enrolment", userID+"/"+courseID)
	}
	return e, nil
}

// ListEnrolments returns a learner's enrolments ordered by course id, strictly
// after p.After, p.Limit+1 at most (all when p.Limit is 0).
func (db *DB) ListEnrolments(ctx context.Context, userID string, p page.Request) ([]*course.Enrolment, error) {
	var w where
	w.add(`user_id = ?`, userID)
	if p.After != "" {
		w.add(`course_id > ?`, p.After)
	}
	return list(ctx, db, "enrolments", enrolmentColumns+w.String()+` ORDER BY course_id LIMIT ?`,
		append(w.args, limit(p.Limit)), scanEnrolment)
}

func scanEnrolment(s scanner) (*course.Enrolment, error) {
	var (
		e       course.Enrolment
		started int64
	)
	if err := s.Scan(&e.UserID, &e.CourseID, &e.Version, &started); err != nil {
		return nil, err
	}
	e.StartedAt = at(started)
	return &e, nil
}

// CompleteLesson records a completed lesson; a second one for the same learner,
// course, version and lesson is ErrConflict, one without an enrolment ErrNotFound.
func (db *DB) CompleteLesson(ctx context.Context, lc *course.LessonCompletion) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO lesson_completions (user_id, course_id,
		version, lesson_id, completed_at) VALUES (?, ?, ?, ?, ?)`,
		lc.UserID, lc.CourseID, lc.Version, lc.LessonID, ms(lc.CompletedAt))
	return wrap(err, "complete lesson %s of course %s for user %s", lc.LessonID, lc.CourseID, lc.UserID)
}

// LessonCompletions returns a learner's completed lessons of a course version,
// ordered by completion time, then lesson id.
func (db *DB) LessonCompletions(ctx context.Context, userID, courseID string, version int) ([]*course.LessonCompletion, error) {
	return list(ctx, db, "lesson completions", `SELECT user_id, course_id, version, lesson_id,
		completed_at FROM lesson_completions WHERE user_id = ? AND course_id = ? AND version = ?
		ORDER BY completed_at, lesson_id`, []any{userID, courseID, version},
		func(s scanner) (*course.LessonCompletion, error) {
			var (
				lc        course.LessonCompletion
				completed int64
			)
			if err := s.Scan(&lc.UserID, &lc.CourseID, &lc.Version, &lc.LessonID, &completed); err != nil {
				return nil, err
			}
			lc.CompletedAt = at(completed)
			return &lc, nil
		})
}

// AddQuizAttempt appends a quiz attempt; a taken ID is ErrConflict, one without an
// enrolment ErrNotFound.
func (db *DB) AddQuizAttempt(ctx context.Context, a *course.QuizAttempt) error {
	answers, err := json.Marshal(a.Answers)
	if err != nil {
		return fmt.Errorf("add quiz attempt %s: answers: %w", a.ID, err)
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO quiz_attempts (id, user_id, course_id, version,
		lesson_id, answers, score, passed, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.UserID, a.CourseID, a.Version, a.LessonID, string(answers), a.Score, a.Passed,
		ms(a.SubmittedAt))
	return wrap(err, "add quiz attempt %s", a.ID)
}

// QuizAttempts returns a learner's attempts in a course version, oldest first
// (ties by id).
func (db *DB) QuizAttempts(ctx context.Context, userID, courseID string, version int) ([]*course.QuizAttempt, error) {
	return list(ctx, db, "quiz attempts", `SELECT id, user_id, course_id, version, lesson_id,
		answers, score, passed, submitted_at FROM quiz_attempts
		WHERE user_id = ? AND course_id = ? AND version = ? ORDER BY submitted_at, id`,
		[]any{userID, courseID, version},
		func(s scanner) (*course.QuizAttempt, error) {
			var (
				a         course.QuizAttempt
				answers   string
				submitted int64
			)
			if err := s.Scan(&a.ID, &a.UserID, &a.CourseID, &a.Version, &a.LessonID, &answers,
				&a.Score, &a.Passed, &submitted); err != nil {
				return nil, err
			}
			if err := json.Unmarshal([]byte(answers), &a.Answers); err != nil {
				return nil, fmt.Errorf("quiz attempt %s answers: %w", a.ID, err)
			}
			a.SubmittedAt = at(submitted)
			return &a, nil
		})
}

// CompleteCourse records a completed course; a second one for the same learner and
// course is ErrConflict, one without an enrolment ErrNotFound.
func (db *DB) CompleteCourse(ctx context.Context, c *course.Completion) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO course_completions (user_id, course_id,
		version, completed_at) VALUES (?, ?, ?, ?)`,
		c.UserID, c.CourseID, c.Version, ms(c.CompletedAt))
	return wrap(err, "complete course %s for user %s", c.CourseID, c.UserID)
}

// Completion finds a learner's completion of a course.
func (db *DB) Completion(ctx context.Context, userID, courseID string) (*course.Completion, error) {
	var (
		c         course.Completion
		completed int64
	)
	err := db.queryRow(ctx, `SELECT user_id, course_id, version, completed_at
		FROM course_completions WHERE user_id = ? AND course_id = ?`, userID, courseID).
		Scan(&c.UserID, &c.CourseID, &c.Version, &completed)
	if err != nil {
		return nil, one(err, "course completion", userID+"/"+courseID)
	}
	c.CompletedAt = at(completed)
	return &c, nil
}
