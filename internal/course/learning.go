package course

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
)

// Progress is where a learner stands in a course.
type Progress struct {
	Enrolment *Enrolment
	Version   *Version
	// Done holds the ids of the completed lessons.
	Done map[string]bool
	// BestScore holds each quiz lesson's best score, for lessons attempted.
	BestScore map[string]int
	Completed *Completion
}

func mustSignIn(c identity.Caller) error {
	if c.UserID == "" {
		return apperr.ErrUnauthorized
	}
	return nil
}

// Start enrols the caller in a course on its current published version; starting
// again keeps the first enrolment (and its version). created tells which happened.
func (s *Service) Start(ctx context.Context, c identity.Caller, courseID string) (*Progress, bool, error) {
	if err := mustSignIn(c); err != nil {
		return nil, false, err
	}
	co, err := s.store.CourseByID(ctx, courseID)
	if err != nil {
		return nil, false, err
	}
	if co.Archived || co.PublishedVersion == 0 {
		return nil, false, notFound(courseID)
	}
	e := &Enrolment{UserID: c.UserID, CourseID: courseID, Version: co.PublishedVersion, StartedAt: s.timestamp()}
	created := true
	if err := s.store.CreateEnrolment(ctx, e); err != nil {
		if !errors.Is(err, apperr.ErrConflict) {
			return nil, false, fmt.Errorf("start course: %w", err)
		}
		created = false
	}
	p, err := s.Progress(ctx, c, courseID)
	return p, created, err
}

// Progress returns the caller's progress in a course they started.
func (s *Service) Progress(ctx context.Context, c identity.Caller, courseID string) (*Progress, error) {
	if err := mustSignIn(c); err != nil {
		return nil, err
	}
	e, err := s.store.Enrolment(ctx, c.UserID, courseID)
	if errors.Is(err, apperr.ErrNotFound) {
		co, err := s.store.CourseByID(ctx, courseID)
		if err != nil {
			return nil, err // no such course
		}
		if co.Archived || co.PublishedVersion == 0 {
			// A draft or archived course is, to a learner, no course at all: the
			// same 404 as an unknown id, so ids of drafts are not confirmed.
			return nil, notFound(courseID)
		}
		return nil, &apperr.Error{Code: CodeNotStarted, Vi: "Bạn chưa bắt đầu khoá học này.", En: "You have not started this course."}
	}
	if err != nil {
		return nil, err
	}
	v, err := s.store.Version(ctx, courseID, e.Version)
	if err != nil {
		return nil, err
	}
	p := &Progress{Enrolment: e, Version: v, Done: map[string]bool{}, BestScore: map[string]int{}}
	done, err := s.store.LessonCompletions(ctx, c.UserID, courseID, e.Version)
	if err != nil {
		return nil, err
	}
	for _, d := range done {
		p.Done[d.LessonID] = true
	}
	attempts, err := s.store.QuizAttempts(ctx, c.UserID, courseID, e.Version)
	if err != nil {
		return nil, err
	}
	for _, a := range attempts {
		if best, ok := p.BestScore[a.LessonID]; !ok || a.Score > best {
			p.BestScore[a.LessonID] = a.Score
		}
	}
	cc, err := s.store.Completion(ctx, c.UserID, courseID)
	switch {
	case err == nil:
		p.Completed = cc
	case !errors.Is(err, apperr.ErrNotFound):
		return nil, err
	}
	return p, nil
}

// MyLearning lists the caller's enrolments with their progress.
func (s *Service) MyLearning(ctx context.Context, c identity.Caller, pr page.Request) ([]*Progress, string, error) {
	if err := mustSignIn(c); err != nil {
		return nil, "", err
	}
	es, err := s.store.ListEnrolments(ctx, c.UserID, pr)
	if err != nil {
		return nil, "", fmt.Errorf("list enrolments: %w", err)
	}
	es, next := page.Cut(es, pr, func(e *Enrolment) string { return e.CourseID })
	out := make([]*Progress, 0, len(es))
	for _, e := range es {
		p, err := s.Progress(ctx, c, e.CourseID)
		if err != nil {
			return nil, "", err
		}
		out = append(out, p)
	}
	return out, next, nil
}

// CompleteLesson marks a lesson done. A lesson with a quiz is done when its quiz
// is passed (SubmitQuiz marks it); asking before that is quiz_not_passed.
// Completing the last lesson completes the course.
func (s *Service) CompleteLesson(ctx context.Context, c identity.Caller, courseID, lessonID string) (*Progress, error) {
	p, err := s.Progress(ctx, c, courseID)
	if err != nil {
		return nil, err
	}
	l := p.Version.Lesson(lessonID)
	if l == nil {
		return nil, fmt.Errorf("lesson %s: %w", lessonID, apperr.ErrNotFound)
	}
	if l.Quiz != nil && !p.Done[lessonID] {
		return nil, &apperr.Error{Code: CodeQuizNotPassed, Vi: "Hãy làm đạt bài kiểm tra của bài học này trước.", En: "Pass this lesson's quiz first."}
	}
	return s.markDone(ctx, c, p, lessonID)
}

// markDone records a completed lesson (once) and, when every lesson is done, the course.
func (s *Service) markDone(ctx context.Context, c identity.Caller, p *Progress, lessonID string) (*Progress, error) {
	now := s.timestamp()
	if !p.Done[lessonID] {
		err := s.store.CompleteLesson(ctx, &LessonCompletion{UserID: c.UserID, CourseID: p.Enrolment.CourseID, Version: p.Version.Number, LessonID: lessonID, CompletedAt: now})
		if err != nil && !errors.Is(err, apperr.ErrConflict) {
			return nil, fmt.Errorf("complete lesson: %w", err)
		}
		p.Done[lessonID] = true
	}
	if p.Completed != nil {
		return p, nil
	}
	for _, l := range p.Version.Lessons {
		if !p.Done[l.ID] {
			return p, nil
		}
	}
	cc := &Completion{UserID: c.UserID, CourseID: p.Enrolment.CourseID, Version: p.Version.Number, CompletedAt: now}
	if err := s.store.CompleteCourse(ctx, cc); err != nil {
		if !errors.Is(err, apperr.ErrConflict) {
			return nil, fmt.Errorf("complete course: %w", err)
		}
		if cc, err = s.store.Completion(ctx, c.UserID, cc.CourseID); err != nil {
			return nil, err
		}
	}
	p.Completed = cc
	return p, nil
}

// QuestionResult tells a learner whether one answer was right, with the
// explanation; it never says which options are correct.
type QuestionResult struct {
	QuestionID  string
	Correct     bool
	Explanation Text
}

// SubmitQuiz grades an attempt at a lesson's quiz and stores it; passing marks the
// lesson done.
func (s *Service) SubmitQuiz(ctx context.Context, c identity.Caller, courseID, lessonID string, answers map[string][]string) (*QuizAttempt, []QuestionResult, *Progress, error) {
	p, err := s.Progress(ctx, c, courseID)
	if err != nil {
		return nil, nil, nil, err
	}
	l := p.Version.Lesson(lessonID)
	if l == nil || l.Quiz == nil {
		return nil, nil, nil, fmt.Errorf("quiz of lesson %s: %w", lessonID, apperr.ErrNotFound)
	}
	if err := checkAnswers(l.Quiz, answers); err != nil {
		return nil, nil, nil, err
	}
	score, passed := l.Quiz.Grade(answers)
	a := &QuizAttempt{ID: uuid.Must(uuid.NewV7()).String(), UserID: c.UserID, CourseID: courseID, Version: p.Version.Number,
		LessonID: lessonID, Answers: answers, Score: score, Passed: passed, SubmittedAt: s.timestamp()}
	if err := s.store.AddQuizAttempt(ctx, a); err != nil {
		return nil, nil, nil, fmt.Errorf("store quiz attempt: %w", err)
	}
	if best, ok := p.BestScore[lessonID]; !ok || score > best {
		p.BestScore[lessonID] = score
	}
	results := questionResults(l.Quiz, answers)
	if passed {
		if p, err = s.markDone(ctx, c, p, lessonID); err != nil {
			return nil, nil, nil, err
		}
	}
	return a, results, p, nil
}

// checkAnswers refuses answers to unknown questions or with unknown options, and
// more than one option for a single-choice question.
func checkAnswers(q *Quiz, answers map[string][]string) error {
	for qid, chosen := range answers {
		i := -1
		for j := range q.Questions {
			if q.Questions[j].ID == qid {
				i = j
			}
		}
		if i < 0 {
			return apperr.Invalid("answers."+qid, "unknown_question", "Câu hỏi không có trong bài kiểm tra.", "The question is not in this quiz.")
		}
		qq := q.Questions[i]
		if qq.Kind == Single && len(chosen) > 1 {
			return apperr.Invalid("answers."+qid, "single_answer", "Câu hỏi này chỉ chọn một đáp án.", "This question takes one answer.")
		}
		for _, o := range chosen {
			found := false
			for _, opt := range qq.Options {
				found = found || opt.ID == o
			}
			if !found {
				return apperr.Invalid("answers."+qid, "unknown_option", "Lựa chọn không có trong câu hỏi.", "The option is not in this question.")
			}
		}
	}
	return nil
}

// Completed reports whether a user completed a course (any version): the
// qualification rosters check.
func (s *Service) Completed(ctx context.Context, userID, courseID string) (bool, error) {
	_, err := s.store.Completion(ctx, userID, courseID)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, apperr.ErrNotFound):
		return false, nil
	}
	return false, err
}
