package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/course"
	paging "ecitizen/internal/page"
)

// The public course pages: the catalogue with its diacritics-insensitive search,
// a course with its lessons and the reader's progress, and the lesson reader
// with its quiz. Anyone reads them; signed-in learners' progress and quiz
// attempts are recorded as the API records them (/api/v1/courses...).

// audiences and levels in the order the pages list them.
var (
	courseAudiences = []course.Audience{course.AudienceResidents, course.AudienceCivilServants, course.AudienceVolunteers}
	courseLevels    = []course.Level{course.LevelBeginner, course.LevelIntermediate, course.LevelAdvanced}
)

type catalogueData struct {
	Q, Audience, Skill string
	Courses            []*course.Card
	Next               string
	Audiences, Skills  []option
	Searched           bool
}

func (h *handler) audienceOptions(v *view, all string) []option {
	out := []option{{"", v.T(all)}}
	for _, a := range courseAudiences {
		out = append(out, option{string(a), v.T(fmt.Sprintf("courses.audience.%s", a))})
	}
	return out
}

func (h *handler) skillOptions(v *view, all string) []option {
	out := []option{}
	if all != "" {
		out = append(out, option{"", v.T(all)})
	}
	for _, s := range h.Framework.Skills {
		out = append(out, option{s.Code, s.Name.In(v.Lang)})
	}
	return out
}

func (h *handler) courseCatalogue(c *gin.Context) {
	v := viewOf(c)
	q := strings.TrimSpace(c.Query("q"))
	for utf8.RuneCountInString(q) > 200 {
		_, n := utf8.DecodeLastRuneInString(q)
		q = q[:len(q)-n]
	}
	d := catalogueData{Q: q, Searched: q != "", Audiences: h.audienceOptions(v, "courses.all_audiences"),
		Skills: h.skillOptions(v, "courses.all_skills")}
	if a := c.Query("audience"); isAudience(a) {
		d.Audience = a
	}
	if s := c.Query("skill"); h.Framework.Known(s) {
		d.Skill = s
	}
	v.Title = v.T("courses.catalogue_title")
	v.Data = &d
	p, err := paging.New(20, c.Query("cursor"))
	if err != nil {
		p, _ = paging.New(20, "")
	}
	ls, err := h.Courses.Catalogue(c.Request.Context(), course.CatalogueQuery{Q: q, Audience: course.Audience(d.Audience), Skill: d.Skill}, p)
	if err != nil {
		h.serverError(c, err)
		return
	}
	d.Courses = ls.Cards
	if ls.Next != "" {
		qs := url.Values{"cursor": {ls.Next}}
		for k, val := range map[string]string{"q": q, "audience": d.Audience, "skill": d.Skill} {
			if val != "" {
				qs.Set(k, val)
			}
		}
		d.Next = "/courses?" + qs.Encode()
	}
	h.render(c, http.StatusOK, "courses_catalogue", v)
}

func isAudience(a string) bool {
	for _, x := range courseAudiences {
		if string(x) == a {
			return true
		}
	}
	return false
}

// courseData is a published course as its page shows it, with the signed-in
// reader's progress (nil when signed out or not started).
type courseData struct {
	Course   *course.Course
	Version  *course.Version
	Progress *course.Progress
	Skills   []string // names of the skills taught
}

// LessonDone reports whether the reader has finished a lesson.
func (d *courseData) LessonDone(id string) bool { return d.Progress != nil && d.Progress.Done[id] }

// DoneCount is how many lessons the reader has finished.
func (d *courseData) DoneCount() int {
	n := 0
	if d.Progress != nil {
		for _, l := range d.Version.Lessons {
			if d.Progress.Done[l.ID] {
				n++
			}
		}
	}
	return n
}

// BestScore is the reader's best score of a lesson's quiz, -1 when none.
func (d *courseData) BestScore(id string) int {
	if d.Progress == nil {
		return -1
	}
	if s, ok := d.Progress.BestScore[id]; ok {
		return s
	}
	return -1
}

func (h *handler) skillNames(codes []string, lang string) []string {
	out := make([]string, 0, len(codes))
	for _, code := range codes {
		if s, ok := h.Framework.Skill(code); ok {
			out = append(out, s.Name.In(lang))
		} else {
			out = append(out, code)
		}
	}
	return out
}

// loadCourse fills the course page's data; false when it answered already.
func (h *handler) loadCourse(c *gin.Context, v *view, id string) (*courseData, bool) {
	ctx := c.Request.Context()
	co, ver, err := h.Courses.Published(ctx, v.Caller, id)
	if err != nil {
		h.pageError(c, err)
		return nil, false
	}
	d := &courseData{Course: co, Version: ver, Skills: h.skillNames(ver.Skills, v.Lang)}
	if v.User != nil {
		p, err := h.Courses.Progress(ctx, v.Caller, id)
		switch e := apperr.As(err); {
		case err == nil:
			d.Progress = p
		case e != nil && e.Code == course.CodeNotStarted:
		default:
			h.serverError(c, err)
			return nil, false
		}
	}
	return d, true
}

func (h *handler) coursePage(c *gin.Context) {
	v := viewOf(c)
	d, ok := h.loadCourse(c, v, c.Param("id"))
	if !ok {
		return
	}
	v.Title = d.Version.Title.In(v.Lang)
	v.Data = d
	h.render(c, http.StatusOK, "courses_course", v)
}

// startCourse enrols the signed-in reader and opens the first lesson.
func (h *handler) startCourse(c *gin.Context) {
	v := viewOf(c)
	id := c.Param("id")
	p, _, err := h.Courses.Start(c.Request.Context(), v.Caller, id)
	if err != nil {
		h.pageError(c, err)
		return
	}
	to := "/courses/" + url.PathEscape(id)
	if len(p.Version.Lessons) > 0 {
		to += "/lessons/" + url.PathEscape(p.Version.Lessons[0].ID)
	}
	h.redirect(c, to, "courses.flash_started")
}

// lessonData is a lesson as its reader sees it, with the graded quiz after a submission.
type lessonData struct {
	courseData
	Lesson     *course.Lesson
	Index      int
	Prev, Next *course.Lesson
	HTML       template.HTML // sanitised by the course package
	Result     *quizResult
}

// quizResult is a graded attempt; Recorded when it was stored for the learner.
type quizResult struct {
	Score    int
	Passed   bool
	Recorded bool
	Correct  map[string]bool
	Explain  map[string]string
}

// Chosen reports whether the reader picked option o of question q.
func (d *lessonData) Chosen(f *form, q, o string) bool { return f.Has("answers."+q, o) }

func (h *handler) loadLesson(c *gin.Context, v *view) (*lessonData, bool) {
	d, ok := h.loadCourse(c, v, c.Param("id"))
	if !ok {
		return nil, false
	}
	lid := c.Param("lesson_id")
	ld := &lessonData{courseData: *d, Index: -1}
	for i := range d.Version.Lessons {
		if d.Version.Lessons[i].ID == lid {
			ld.Lesson, ld.Index = &d.Version.Lessons[i], i
		}
	}
	if ld.Lesson == nil {
		h.notFound(c)
		return nil, false
	}
	if ld.Index > 0 {
		ld.Prev = &d.Version.Lessons[ld.Index-1]
	}
	if ld.Index+1 < len(d.Version.Lessons) {
		ld.Next = &d.Version.Lessons[ld.Index+1]
	}
	// The course package rendered this HTML from Markdown and sanitised it.
	ld.HTML = template.HTML(ld.Lesson.HTML.In(v.Lang)) // #nosec G203 -- sanitised by course.RenderMarkdown
	v.Title = ld.Lesson.Title.In(v.Lang)
	v.Data = ld
	return ld, true
}

func (h *handler) lessonPage(c *gin.Context) {
	v := viewOf(c)
	if _, ok := h.loadLesson(c, v); !ok {
		return
	}
	h.render(c, http.StatusOK, "courses_lesson", v)
}

// submitQuiz grades the lesson's quiz. A signed-in learner's attempt is stored
// (starting the course if they had not); a reader without an account gets the
// same grading without a record. The result is this response's page.
func (h *handler) submitQuiz(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	d, ok := h.loadLesson(c, v)
	if !ok {
		return
	}
	if d.Lesson.Quiz == nil {
		h.notFound(c)
		return
	}
	answers := map[string][]string{}
	for _, q := range d.Lesson.Quiz.Questions {
		if a := v.Form.Values["answers."+q.ID]; len(a) > 0 {
			answers[q.ID] = a
		}
	}
	ctx := c.Request.Context()
	id, lid := c.Param("id"), c.Param("lesson_id")
	res := &quizResult{Correct: map[string]bool{}, Explain: map[string]string{}}
	var results []course.QuestionResult
	if v.User == nil {
		g, err := h.Courses.GradeQuiz(ctx, id, lid, answers)
		if err != nil {
			h.fail(c, "courses_lesson", v, err)
			return
		}
		res.Score, res.Passed, results = g.Score, g.Passed, g.Results
	} else {
		if d.Progress == nil {
			if _, _, err := h.Courses.Start(ctx, v.Caller, id); err != nil {
				h.fail(c, "courses_lesson", v, err)
				return
			}
		}
		a, rs, p, err := h.Courses.SubmitQuiz(ctx, v.Caller, id, lid, answers)
		if err != nil {
			h.fail(c, "courses_lesson", v, err)
			return
		}
		res.Score, res.Passed, res.Recorded, results = a.Score, a.Passed, true, rs
		d.Progress = p
	}
	for _, r := range results {
		res.Correct[r.QuestionID] = r.Correct
		res.Explain[r.QuestionID] = r.Explanation.In(v.Lang)
	}
	d.Result = res
	h.render(c, http.StatusOK, "courses_lesson", v)
}

// completeLesson marks a lesson without a quiz done (starting the course if the
// learner had not) and goes on to the next lesson.
func (h *handler) completeLesson(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	d, ok := h.loadLesson(c, v)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	id := c.Param("id")
	if d.Progress == nil {
		if _, _, err := h.Courses.Start(ctx, v.Caller, id); err != nil {
			h.fail(c, "courses_lesson", v, err)
			return
		}
	}
	p, err := h.Courses.CompleteLesson(ctx, v.Caller, id, d.Lesson.ID)
	if err != nil {
		h.fail(c, "courses_lesson", v, err)
		return
	}
	to, flash := "/courses/"+url.PathEscape(id), "courses.flash_lesson_done"
	if p.Completed != nil {
		flash = "courses.flash_course_done"
	} else if d.Next != nil {
		to += "/lessons/" + url.PathEscape(d.Next.ID)
	}
	h.redirect(c, to, flash)
}

// toLesson sends a reload of a quiz or completion result (a GET of the form's
// address, e.g. from the language switch) back to the lesson.
func (h *handler) toLesson(c *gin.Context) {
	c.Redirect(http.StatusSeeOther, "/courses/"+url.PathEscape(c.Param("id"))+"/lessons/"+url.PathEscape(c.Param("lesson_id")))
}
