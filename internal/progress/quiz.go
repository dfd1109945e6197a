package progress

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"ecitizen/internal/course"
	"ecitizen/internal/identity"
	"ecitizen/internal/skills"
)

// Grader grades a course quiz without storing it (course.Service.GradeQuiz).
type Grader interface {
	GradeQuiz(ctx context.Context, courseID, lessonID string, answers map[string][]string) (*course.Graded, error)
}

// Assisted is an assisted quiz attempt with its per-question results and the
// progress records its pass made (none for a failed attempt, nor for a course
// whose skills accept no quiz evidence).
type Assisted struct {
	Attempt *QuizAttempt
	Results []course.QuestionResult
	Records []*Record
}

// AssistQuiz grades a resident's answers to a course quiz, taken on the
// caller's device, and stores the attempt for the resident. The caller is
// their ward's staff or a volunteer on duty in their ward (±10 minutes), as
// for recording. A passed attempt records, with method quiz, each skill the
// course version teaches whose framework entry accepts quiz evidence; the
// others still need an observation. An erased resident is resident_erased.
func (s *Service) AssistQuiz(ctx context.Context, c identity.Caller, residentID, courseID, lessonID string, answers map[string][]string) (*Assisted, error) {
	r, where, err := s.reach(ctx, c, residentID, "", true)
	if err != nil {
		return nil, err
	}
	if r.Erased() {
		return nil, errErased
	}
	g, err := s.grader.GradeQuiz(ctx, courseID, lessonID, answers)
	if err != nil {
		return nil, err
	}
	a := &QuizAttempt{ID: uuid.Must(uuid.NewV7()).String(), ResidentID: r.ID, CourseID: courseID, Version: g.Version,
		LessonID: lessonID, Answers: answers, Score: g.Score, Passed: g.Passed, By: c.UserID, CentreID: where.CentreID,
		ShiftID: where.ShiftID, At: s.timestamp()}
	if a.Answers == nil {
		a.Answers = map[string][]string{}
	}
	if err := s.store.CreateResidentQuizAttempt(ctx, a); err != nil {
		return nil, fmt.Errorf("store quiz attempt of %s: %w", r.ID, err)
	}
	out := &Assisted{Attempt: a, Results: g.Results, Records: []*Record{}}
	if !a.Passed {
		return out, nil
	}
	for _, code := range g.Skills {
		if sk, ok := s.framework.Skill(code); !ok || !sk.Accepts(skills.EvidenceQuiz) {
			continue
		}
		evidence := fmt.Sprintf("Đạt bài kiểm tra %s (phiên bản %d, bài %s) với %d%%; lượt làm %s. / Passed the quiz of course %s (version %d, lesson %s) with %d%%; attempt %s.",
			courseID, g.Version, lessonID, g.Score, a.ID, courseID, g.Version, lessonID, g.Score, a.ID)
		rec, err := s.add(ctx, c, r, where, code, MethodQuiz, evidence)
		if err != nil {
			return nil, err
		}
		out.Records = append(out.Records, rec)
	}
	return out, nil
}

// QuizAttempts returns a resident's assisted attempts, oldest first, for the
// callers who may read their records.
func (s *Service) QuizAttempts(ctx context.Context, c identity.Caller, residentID string) ([]*QuizAttempt, error) {
	r, _, err := s.reach(ctx, c, residentID, "", true)
	if err != nil {
		return nil, err
	}
	return s.store.ResidentQuizAttempts(ctx, r.ID)
}
