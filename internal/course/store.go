package course

import (
	"context"
	"time"

	"ecitizen/internal/page"
)

// Store is the storage courses need. Adapters return errors wrapping
// apperr.ErrNotFound for a missing record and apperr.ErrConflict for a taken unique key.
// Invariants are unique keys: (course, version number), a built-in slug, one
// enrolment per learner and course, one completion per learner and lesson or course.
type Store interface {
	// CreateCourse inserts a course and its first version; a taken BuiltinSlug is ErrConflict.
	CreateCourse(ctx context.Context, c *Course, v *Version) error
	CourseByID(ctx context.Context, id string) (*Course, error)
	CourseByBuiltinSlug(ctx context.Context, slug string) (*Course, error)
	// UpdateCourse replaces PublishedVersion, LatestVersion, Archived and UpdatedAt.
	UpdateCourse(ctx context.Context, c *Course) error
	// ListCourses returns courses matching f ordered by ID, Limit+1 at most.
	ListCourses(ctx context.Context, f CourseFilter, p page.Request) ([]*Course, error)

	// CreateVersion inserts a version; a taken (CourseID, Number) is ErrConflict.
	CreateVersion(ctx context.Context, v *Version) error
	Version(ctx context.Context, courseID string, number int) (*Version, error)
	// UpdateVersion replaces the content, status, review note, search text and
	// times of a version that is not published; a published one is ErrNotFound.
	UpdateVersion(ctx context.Context, v *Version) error
	// CatalogueCards returns the card of the current published version of every
	// course that is not archived and matches f (CatalogueFilter.Matches). Order is
	// unspecified; at most f.Max (0: no limit). Adapters keep the card (CardOf) of
	// every published version, written in the same unit as the version when
	// CreateCourse, CreateVersion or UpdateVersion stores it published. The cards
	// may be shared (CardCache): callers do not change them. The stamp is the
	// one CatalogueStamp gives for the catalogue the cards were read from.
	CatalogueCards(ctx context.Context, f CatalogueFilter) (cards []*Card, stamp string, err error)
	// CatalogueStamp returns a value that is different whenever CatalogueCards
	// could answer differently (a course created, published, archived or
	// restored), for caches of the catalogue's answers: equal stamps mean equal
	// catalogues. It is cheap (at most one small read).
	CatalogueStamp(ctx context.Context) (string, error)

	// CreateEnrolment records that a learner started a course; a second one for
	// the same learner and course is ErrConflict.
	CreateEnrolment(ctx context.Context, e *Enrolment) error
	Enrolment(ctx context.Context, userID, courseID string) (*Enrolment, error)
	// ListEnrolments returns a learner's enrolments ordered by CourseID, Limit+1 at most.
	ListEnrolments(ctx context.Context, userID string, p page.Request) ([]*Enrolment, error)
	// CompleteLesson records a completed lesson; a second one for the same learner,
	// course, version and lesson is ErrConflict.
	CompleteLesson(ctx context.Context, lc *LessonCompletion) error
	LessonCompletions(ctx context.Context, userID, courseID string, version int) ([]*LessonCompletion, error)
	// AddQuizAttempt appends a quiz attempt.
	AddQuizAttempt(ctx context.Context, a *QuizAttempt) error
	// QuizAttempts returns a learner's attempts in a course version, oldest first.
	QuizAttempts(ctx context.Context, userID, courseID string, version int) ([]*QuizAttempt, error)
	// CompleteCourse records a completed course; a second one is ErrConflict.
	CompleteCourse(ctx context.Context, c *Completion) error
	Completion(ctx context.Context, userID, courseID string) (*Completion, error)
}

// CourseFilter selects courses; empty fields match all.
type CourseFilter struct {
	OrganisationID string
}

// CatalogueFilter selects published courses.
type CatalogueFilter struct {
	Terms    []string // folded terms, all of which must occur in a card's SearchText
	Audience Audience
	Skill    string
	Max      int
}

// Enrolment is a learner's start of a course: the version they keep.
type Enrolment struct {
	UserID    string
	CourseID  string
	Version   int
	StartedAt time.Time
}

// LessonCompletion is a lesson a learner finished.
type LessonCompletion struct {
	UserID      string
	CourseID    string
	Version     int
	LessonID    string
	CompletedAt time.Time
}

// QuizAttempt is one submission of a lesson's quiz.
type QuizAttempt struct {
	ID          string
	UserID      string
	CourseID    string
	Version     int
	LessonID    string
	Answers     map[string][]string // question id -> chosen option ids
	Score       int                 // percent
	Passed      bool
	SubmittedAt time.Time
}

// Completion is a course a learner completed: every lesson done and every quiz
// passed. Later features use it as a volunteer qualification.
type Completion struct {
	UserID      string
	CourseID    string
	Version     int
	CompletedAt time.Time
}
