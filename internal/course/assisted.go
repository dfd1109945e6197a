package course

import (
	"context"
	"fmt"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
)

// Graded is a quiz graded for someone without an account (a resident helped by
// a volunteer): nothing is stored here; the caller keeps the attempt.
type Graded struct {
	CourseID string
	Version  int
	LessonID string
	Score    int // percent
	Passed   bool
	Results  []QuestionResult
	Skills   []string // the skills the course version teaches
}

// GradeQuiz grades answers to the quiz of a lesson of the published version of
// a course, as SubmitQuiz does for a signed-in learner (same checks, same
// grading), without storing anything.
func (s *Service) GradeQuiz(ctx context.Context, courseID, lessonID string, answers map[string][]string) (*Graded, error) {
	v, l, err := s.PublishedLesson(ctx, identity.Caller{}, courseID, lessonID)
	if err != nil {
		return nil, err
	}
	if l.Quiz == nil {
		return nil, fmt.Errorf("quiz of lesson %s: %w", lessonID, apperr.ErrNotFound)
	}
	if err := checkAnswers(l.Quiz, answers); err != nil {
		return nil, err
	}
	score, passed := l.Quiz.Grade(answers)
	return &Graded{CourseID: courseID, Version: v.Number, LessonID: lessonID, Score: score, Passed: passed,
		Results: questionResults(l.Quiz, answers), Skills: append([]string{}, v.Skills...)}, nil
}

// questionResults tells, question by question, whether the answer was right.
func questionResults(q *Quiz, answers map[string][]string) []QuestionResult {
	results := make([]QuestionResult, 0, len(q.Questions))
	for _, qq := range q.Questions {
		one := Quiz{PassMark: 100, Questions: []Question{qq}}
		_, ok := one.Grade(answers)
		results = append(results, QuestionResult{QuestionID: qq.ID, Correct: ok, Explanation: qq.Explanation})
	}
	return results
}
