package mongo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/course"
	"ecitizen/internal/page"
)

// Learners' records. Each is one document whose _id is the invariant: one
// enrolment per learner and course (learner:course), one lesson completion per
// learner, course, version and lesson, one course completion per learner and
// course. Lesson completions, quiz attempts and course completions need the
// learner's enrolment, as the SQLite adapter's foreign keys do.

// recordKey joins the parts of a learner record's _id. Ids are UUIDs and lesson ids
// slugs, none with ':'; reads still check the fields of the document they find.
func recordKey(parts ...string) string { return strings.Join(parts, ":") }

type enrolmentDoc struct {
	Key       string    `bson:"_id"` // user_id:course_id
	UserID    string    `bson:"user_id"`
	CourseID  string    `bson:"course_id"`
	Version   int       `bson:"version"`
	StartedAt time.Time `bson:"started_at"`
}

func (d *enrolmentDoc) enrolment() *course.Enrolment {
	return &course.Enrolment{UserID: d.UserID, CourseID: d.CourseID, Version: d.Version, StartedAt: utc(d.StartedAt)}
}

type lessonDoneDoc struct {
	Key         string    `bson:"_id"` // user_id:course_id:version:lesson_id
	UserID      string    `bson:"user_id"`
	CourseID    string    `bson:"course_id"`
	Version     int       `bson:"version"`
	LessonID    string    `bson:"lesson_id"`
	CompletedAt time.Time `bson:"completed_at"`
}

func (d *lessonDoneDoc) completion() *course.LessonCompletion {
	return &course.LessonCompletion{UserID: d.UserID, CourseID: d.CourseID, Version: d.Version,
		LessonID: d.LessonID, CompletedAt: utc(d.CompletedAt)}
}

// answerDoc is one question's chosen options. Answers are stored as a list sorted
// by question id, never as a document keyed by them: the keys come from learners.
type answerDoc struct {
	Question string   `bson:"question"`
	Options  []string `bson:"options"`
}

type quizAttemptDoc struct {
	ID          string      `bson:"_id"`
	UserID      string      `bson:"user_id"`
	CourseID    string      `bson:"course_id"`
	Version     int         `bson:"version"`
	LessonID    string      `bson:"lesson_id"`
	Answers     []answerDoc `bson:"answers"` // null for a nil map, [] for an empty one
	Score       int         `bson:"score"`
	Passed      bool        `bson:"passed"`
	SubmittedAt time.Time   `bson:"submitted_at"`
}

func toAnswerDocs(m map[string][]string) []answerDoc {
	if m == nil {
		return nil
	}
	out := make([]answerDoc, 0, len(m))
	for q, opts := range m {
		out = append(out, answerDoc{Question: q, Options: opts})
	}
	slices.SortFunc(out, func(a, b answerDoc) int { return strings.Compare(a.Question, b.Question) })
	return out
}

func (d *quizAttemptDoc) attempt() *course.QuizAttempt {
	a := &course.QuizAttempt{ID: d.ID, UserID: d.UserID, CourseID: d.CourseID, Version: d.Version,
		LessonID: d.LessonID, Score: d.Score, Passed: d.Passed, SubmittedAt: utc(d.SubmittedAt)}
	if d.Answers != nil {
		a.Answers = make(map[string][]string, len(d.Answers))
		for _, x := range d.Answers {
			a.Answers[x.Question] = x.Options
		}
	}
	return a
}

type courseDoneDoc struct {
	Key         string    `bson:"_id"` // user_id:course_id
	UserID      string    `bson:"user_id"`
	CourseID    string    `bson:"course_id"`
	Version     int       `bson:"version"`
	CompletedAt time.Time `bson:"completed_at"`
}

// mustBeEnrolled returns ErrNotFound unless the learner started the course.
func (d *DB) mustBeEnrolled(ctx context.Context, userID, courseID string) error {
	return mustExist(ctx, d.enrolments, "enrolment", recordKey(userID, courseID))
}

// CreateEnrolment records that a learner started a course; a second one for the
// same learner and course is ErrConflict, an unknown learner or course ErrNotFound.
func (d *DB) CreateEnrolment(ctx context.Context, e *course.Enrolment) error {
	if err := mustExist(ctx, d.users, "user", e.UserID); err != nil {
		return err
	}
	if err := mustExist(ctx, d.courses, "course", e.CourseID); err != nil {
		return err
	}
	_, err := d.enrolments.InsertOne(ctx, &enrolmentDoc{
		Key:       recordKey(e.UserID, e.CourseID),
		UserID:    e.UserID,
		CourseID:  e.CourseID,
		Version:   e.Version,
		StartedAt: e.StartedAt,
	})
	return wrapErr(err, "enrolment of user "+e.UserID+" in course "+e.CourseID)
}

// Enrolment finds a learner's enrolment in a course.
func (d *DB) Enrolment(ctx context.Context, userID, courseID string) (*course.Enrolment, error) {
	what := "enrolment of user " + userID + " in course " + courseID
	doc, err := findByID[enrolmentDoc](ctx, d.enrolments, recordKey(userID, courseID), what)
	if err != nil {
		return nil, err
	}
	if doc.UserID != userID || doc.CourseID != courseID {
		return nil, notFound(what)
	}
	return doc.enrolment(), nil
}

// ListEnrolments returns a learner's enrolments ordered by CourseID, Limit+1 at most.
func (d *DB) ListEnrolments(ctx context.Context, userID string, p page.Request) ([]*course.Enrolment, error) {
	return findAll(ctx, d.enrolments, bson.D{{Key: "user_id", Value: userID}}, "course_id", p,
		"list enrolments", (*enrolmentDoc).enrolment)
}

// CompleteLesson records a completed lesson; a second one for the same learner,
// course, version and lesson is ErrConflict, one without an enrolment ErrNotFound.
func (d *DB) CompleteLesson(ctx context.Context, lc *course.LessonCompletion) error {
	if err := d.mustBeEnrolled(ctx, lc.UserID, lc.CourseID); err != nil {
		return err
	}
	_, err := d.lessonsDone.InsertOne(ctx, &lessonDoneDoc{
		Key:         recordKey(lc.UserID, lc.CourseID, fmt.Sprint(lc.Version), lc.LessonID),
		UserID:      lc.UserID,
		CourseID:    lc.CourseID,
		Version:     lc.Version,
		LessonID:    lc.LessonID,
		CompletedAt: lc.CompletedAt,
	})
	return wrapErr(err, "completion of lesson "+lc.LessonID+" of course "+lc.CourseID+" by user "+lc.UserID)
}

// learnerFind finds the documents of one learner's course version, in the order of sort.
func learnerFind[D, T any](ctx context.Context, col *mongodrv.Collection, userID, courseID string, version int, sort bson.D, what string, conv func(*D) *T) ([]*T, error) {
	return find(ctx, col, bson.D{
		{Key: "user_id", Value: userID},
		{Key: "course_id", Value: courseID},
		{Key: "version", Value: version},
	}, options.Find().SetSort(sort), what, conv)
}

// LessonCompletions returns a learner's completed lessons of a course version,
// ordered by completion time, then lesson id.
func (d *DB) LessonCompletions(ctx context.Context, userID, courseID string, version int) ([]*course.LessonCompletion, error) {
	return learnerFind(ctx, d.lessonsDone, userID, courseID, version,
		bson.D{{Key: "completed_at", Value: 1}, {Key: "lesson_id", Value: 1}},
		"lesson completions", (*lessonDoneDoc).completion)
}

// AddQuizAttempt appends a quiz attempt; a taken ID is ErrConflict, one without an
// enrolment ErrNotFound.
func (d *DB) AddQuizAttempt(ctx context.Context, a *course.QuizAttempt) error {
	if err := d.mustBeEnrolled(ctx, a.UserID, a.CourseID); err != nil {
		return err
	}
	_, err := d.quizAttempts.InsertOne(ctx, &quizAttemptDoc{
		ID:          a.ID,
		UserID:      a.UserID,
		CourseID:    a.CourseID,
		Version:     a.Version,
		LessonID:    a.LessonID,
		Answers:     toAnswerDocs(a.Answers),
		Score:       a.Score,
		Passed:      a.Passed,
		SubmittedAt: a.SubmittedAt,
	})
	return wrapErr(err, "quiz attempt "+a.ID)
}

// QuizAttempts returns a learner's attempts in a course version, oldest first
// (ties by ID).
func (d *DB) QuizAttempts(ctx context.Context, userID, courseID string, version int) ([]*course.QuizAttempt, error) {
	return learnerFind(ctx, d.quizAttempts, userID, courseID, version,
		bson.D{{Key: "submitted_at", Value: 1}, {Key: "_id", Value: 1}},
		"quiz attempts", (*quizAttemptDoc).attempt)
}

// CompleteCourse records a completed course; a second one for the same learner and
// course is ErrConflict, one without an enrolment ErrNotFound.
func (d *DB) CompleteCourse(ctx context.Context, c *course.Completion) error {
	if err := d.mustBeEnrolled(ctx, c.UserID, c.CourseID); err != nil {
		return err
	}
	_, err := d.coursesDone.InsertOne(ctx, &courseDoneDoc{
		Key:         recordKey(c.UserID, c.CourseID),
		UserID:      c.UserID,
		CourseID:    c.CourseID,
		Version:     c.Version,
		CompletedAt: c.CompletedAt,
	})
	return wrapErr(err, "completion of course "+c.CourseID+" by user "+c.UserID)
}

// Completion finds a learner's completion of a course.
func (d *DB) Completion(ctx context.Context, userID, courseID string) (*course.Completion, error) {
	what := "completion of course " + courseID + " by user " + userID
	doc, err := findByID[courseDoneDoc](ctx, d.coursesDone, recordKey(userID, courseID), what)
	if err != nil {
		return nil, err
	}
	if doc.UserID != userID || doc.CourseID != courseID {
		return nil, notFound(what)
	}
	return &course.Completion{UserID: doc.UserID, CourseID: doc.CourseID, Version: doc.Version,
		CompletedAt: utc(doc.CompletedAt)}, nil
}
