package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/course"
	"ecitizen/internal/identity"
	paging "ecitizen/internal/page"
	"ecitizen/internal/resident"
)

// Assisted quizzes: a volunteer (or staff) picks a lesson quiz of a published
// course, answers it with the resident on their device and submits it; the
// progress service grades it and records the skills a pass shows.

type resQuizLesson struct {
	CourseID, LessonID string
	Course, Lesson     string
}

type resQuizData struct {
	R        *resident.Resident
	Lessons  []resQuizLesson // lessons with a quiz, to pick from
	CourseID string
	LessonID string
	Course   string
	Lesson   *course.Lesson
}

// quizData reads the resident and the chosen lesson (course, lesson from the
// query or the form); without a choice it lists the lessons with a quiz.
func (h *handler) quizData(c *gin.Context, v *view, courseID, lessonID string) (*resQuizData, bool) {
	ctx := c.Request.Context()
	r, err := h.Residents.Get(ctx, v.Caller, c.Param("id"))
	if err != nil {
		h.pageError(c, err)
		return nil, false
	}
	d := &resQuizData{R: r, CourseID: courseID, LessonID: lessonID}
	v.Title = v.T("residents.quiz_title")
	v.Data = d
	if courseID != "" && lessonID != "" {
		ver, l, err := h.Courses.PublishedLesson(ctx, identity.Caller{}, courseID, lessonID)
		if err != nil || l.Quiz == nil {
			h.notFound(c)
			return nil, false
		}
		d.Course, d.Lesson = ver.Title.In(v.Lang), l
		return d, true
	}
	ls, err := h.Courses.Catalogue(ctx, course.CatalogueQuery{Audience: course.AudienceResidents}, paging.Request{Limit: paging.MaxLimit})
	if err != nil {
		h.serverError(c, err)
		return nil, false
	}
	for _, ver := range ls.Cards {
		for _, l := range ver.Lessons {
			if l.HasQuiz {
				d.Lessons = append(d.Lessons, resQuizLesson{CourseID: ver.CourseID, LessonID: l.ID, Course: ver.Title.In(v.Lang), Lesson: l.Title.In(v.Lang)})
			}
		}
	}
	return d, true
}

func (h *handler) residentQuizPage(c *gin.Context) {
	v := viewOf(c)
	if _, ok := h.quizData(c, v, c.Query("course"), c.Query("lesson")); !ok {
		return
	}
	h.render(c, http.StatusOK, "residents_quiz", v)
}

func (h *handler) residentQuiz(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	d, ok := h.quizData(c, v, c.PostForm("course_id"), c.PostForm("lesson_id"))
	if !ok {
		return
	}
	if d.Lesson == nil {
		h.notFound(c)
		return
	}
	answers := map[string][]string{}
	for k, vs := range v.Form.Values {
		if qid, ok := strings.CutPrefix(k, "answers."); ok {
			answers[qid] = vs
		}
	}
	var missing []apperr.FieldError
	for _, q := range d.Lesson.Quiz.Questions {
		if len(answers[q.ID]) == 0 {
			missing = append(missing, apperr.FieldError{Field: "answers." + q.ID, Code: "required",
				Vi: "Hãy chọn một đáp án.", En: "Choose an answer."})
		}
	}
	if len(missing) > 0 {
		h.fail(c, "residents_quiz", v, &apperr.Error{Code: apperr.CodeInvalid, Vi: "Còn câu hỏi chưa trả lời.", En: "Some questions have no answer.", Fields: missing})
		return
	}
	a, err := h.Progress.AssistQuiz(c.Request.Context(), v.Caller, d.R.ID, d.CourseID, d.LessonID, answers)
	if err != nil {
		if e := apperr.As(err); e != nil && e.Code == apperr.CodeInvalid {
			h.fail(c, "residents_quiz", v, err)
			return
		}
		h.pageError(c, err)
		return
	}
	flash := "residents.flash_quiz_failed"
	if a.Attempt.Passed {
		flash = "residents.flash_quiz_passed"
	}
	h.redirect(c, "/residents/"+d.R.ID, flash)
}
