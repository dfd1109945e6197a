package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/course"
	"ecitizen/internal/page"
)

// Learner-facing course responses are in one language (the request's) and never
// carry a quiz's answer key; authoring responses carry both languages and the key.

type catalogueItemJSON struct {
	ID          string   `json:"id"`
	Version     int      `json:"version"`
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
	Audience    string   `json:"audience"`
	Level       string   `json:"level"`
	Skills      []string `json:"skills"`
	Minutes     int      `json:"minutes"`
	LessonCount int      `json:"lesson_count"`
}

// catalogueItem is a course as the catalogue lists it, from its card.
func catalogueItem(k *course.Card, l string) catalogueItemJSON {
	skills := k.Skills
	if skills == nil {
		skills = []string{}
	}
	return catalogueItemJSON{ID: k.CourseID, Version: k.Number, Title: k.Title.In(l), Summary: k.Summary.In(l),
		Audience: string(k.Audience), Level: string(k.Level), Skills: skills, Minutes: k.Minutes, LessonCount: len(k.Lessons)}
}

type catalogueQuery struct {
	Limit    int    `form:"limit" binding:"omitempty,min=1"`
	Cursor   string `form:"cursor" binding:"max=300"`
	Q        string `form:"q" binding:"max=200"`
	Audience string `form:"audience" binding:"omitempty,oneof=residents civil_servants volunteers"`
	Skill    string `form:"skill" binding:"max=40"`
}

// cacheable answers 304 when the client holds the current representation, and
// otherwise writes body with an ETag; public responses may be kept by shared
// caches for a few minutes (residents on slow phones).
func cacheable(c *gin.Context, public bool, body any) {
	a, err := encodeAnswer(body)
	if err != nil {
		fail(c, err)
		return
	}
	a.write(c, public)
}

// answer is an encoded JSON response body with its ETag.
type answer struct {
	raw  []byte
	etag string
}

func encodeAnswer(body any) (answer, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return answer{}, err
	}
	sum := sha256.Sum256(raw)
	return answer{raw: raw, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`}, nil
}

// write is cacheable's answer: 304 when the client holds it.
func (a answer) write(c *gin.Context, public bool) {
	c.Header("ETag", a.etag)
	c.Writer.Header().Add("Vary", "Accept-Language, Authorization") // keep CORS's Vary: Origin
	if public {
		c.Header("Cache-Control", "public, max-age=300")
	} else {
		c.Header("Cache-Control", "private, no-cache")
	}
	if match := c.GetHeader("If-None-Match"); match != "" && (match == a.etag || match == "W/"+a.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", a.raw)
}

// answers keeps encoded answers of one public, anonymous list (the catalogue)
// by request, for one stamp of what they were read from (Service.CatalogueStamp).
// It is exact: an answer is kept only under the stamp of the listing it was
// built from (course.Listing.Stamp), and served only to a request that read
// that same stamp, which the store changes whenever the list could change; a
// new stamp drops every answer kept. It holds maxAnswers at most (free text
// makes requests countless): when full, it starts again.
type answers struct {
	mu    sync.Mutex
	stamp string
	kept  map[string]answer
}

const maxAnswers = 512

func (s *answers) get(stamp, key string) (answer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stamp != stamp {
		return answer{}, false
	}
	a, ok := s.kept[key]
	return a, ok
}

func (s *answers) put(stamp, key string, a answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stamp != stamp || len(s.kept) >= maxAnswers {
		s.stamp, s.kept = stamp, make(map[string]answer)
	}
	s.kept[key] = a
}

func (h *handler) listCourses(c *gin.Context) {
	ctx := c.Request.Context()
	l := lang(c)
	c.Header("Content-Language", l)
	// The answer depends on the catalogue, the language and the query string
	// only: the catalogue is public and the same for every caller. Only answers
	// to valid queries are kept, so a kept one needs no binding again.
	stamp, err := h.Courses.CatalogueStamp(ctx)
	if err != nil {
		fail(c, err)
		return
	}
	key := l + "?" + c.Request.URL.RawQuery
	if a, ok := h.catalogue.get(stamp, key); ok {
		a.write(c, true)
		return
	}
	var q catalogueQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	p, err := page.New(q.Limit, q.Cursor)
	if err != nil {
		fail(c, err)
		return
	}
	ls, err := h.Courses.Catalogue(ctx, course.CatalogueQuery{Q: q.Q, Audience: course.Audience(q.Audience), Skill: q.Skill}, p)
	if err != nil {
		fail(c, err)
		return
	}
	out := listJSON[catalogueItemJSON]{Items: make([]catalogueItemJSON, 0, len(ls.Cards))}
	for _, k := range ls.Cards {
		out.Items = append(out.Items, catalogueItem(k, l))
	}
	if ls.Next != "" {
		out.NextCursor = &ls.Next
	}
	a, err := encodeAnswer(out)
	if err != nil {
		fail(c, err)
		return
	}
	if ls.Stamp == stamp {
		h.catalogue.put(stamp, key, a)
	}
	a.write(c, true)
}

type lessonSummaryJSON struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Minutes int    `json:"minutes"`
	HasQuiz bool   `json:"has_quiz"`
}

type publishedCourseJSON struct {
	catalogueItemJSON
	OrganisationID string              `json:"organisation_id"`
	Lessons        []lessonSummaryJSON `json:"lessons"`
}

func (h *handler) getCourse(c *gin.Context) {
	co, v, err := h.Courses.Published(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	l := lang(c)
	c.Header("Content-Language", l)
	out := publishedCourseJSON{catalogueItemJSON: catalogueItem(course.CardOf(v), l), OrganisationID: co.OrganisationID, Lessons: make([]lessonSummaryJSON, 0, len(v.Lessons))}
	for _, ls := range v.Lessons {
		out.Lessons = append(out.Lessons, lessonSummaryJSON{ID: ls.ID, Title: ls.Title.In(l), Minutes: ls.Minutes, HasQuiz: ls.Quiz != nil})
	}
	cacheable(c, caller(c).UserID == "", out)
}

type learnerOptionJSON struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

type learnerQuestionJSON struct {
	ID      string              `json:"id"`
	Kind    string              `json:"kind"`
	Prompt  string              `json:"prompt"`
	Options []learnerOptionJSON `json:"options"`
}

type learnerQuizJSON struct {
	PassMark  int                   `json:"pass_mark"`
	Questions []learnerQuestionJSON `json:"questions"`
}

type learnerLessonJSON struct {
	ID       string           `json:"id"`
	CourseID string           `json:"course_id"`
	Version  int              `json:"version"`
	Title    string           `json:"title"`
	Minutes  int              `json:"minutes"`
	VideoURL string           `json:"video_url,omitempty"`
	HTML     string           `json:"html"`
	Quiz     *learnerQuizJSON `json:"quiz"`
}

// learnerLesson is a lesson for learners: rendered, one language, no answer key
// and no explanations (those come with an attempt's results).
func learnerLesson(v *course.Version, ls *course.Lesson, l string) learnerLessonJSON {
	out := learnerLessonJSON{ID: ls.ID, CourseID: v.CourseID, Version: v.Number, Title: ls.Title.In(l), Minutes: ls.Minutes,
		VideoURL: ls.VideoURL, HTML: ls.HTML.In(l)}
	if ls.Quiz != nil {
		q := &learnerQuizJSON{PassMark: ls.Quiz.PassMark, Questions: make([]learnerQuestionJSON, 0, len(ls.Quiz.Questions))}
		for _, qq := range ls.Quiz.Questions {
			lq := learnerQuestionJSON{ID: qq.ID, Kind: string(qq.Kind), Prompt: qq.Prompt.In(l)}
			for _, o := range qq.Options {
				lq.Options = append(lq.Options, learnerOptionJSON{ID: o.ID, Text: o.Text.In(l)})
			}
			q.Questions = append(q.Questions, lq)
		}
		out.Quiz = q
	}
	return out
}

func (h *handler) getLesson(c *gin.Context) {
	v, ls, err := h.Courses.PublishedLesson(c.Request.Context(), caller(c), c.Param("id"), c.Param("lesson_id"))
	if err != nil {
		fail(c, err)
		return
	}
	l := lang(c)
	c.Header("Content-Language", l)
	cacheable(c, caller(c).UserID == "", learnerLesson(v, ls, l))
}

type progressJSON struct {
	CourseID     string         `json:"course_id"`
	Version      int            `json:"version"`
	Title        string         `json:"title"`
	StartedAt    time.Time      `json:"started_at"`
	LessonsTotal int            `json:"lessons_total"`
	LessonsDone  []string       `json:"lessons_done"`
	BestScores   map[string]int `json:"best_scores"`
	CompletedAt  *time.Time     `json:"completed_at"`
}

func toProgress(p *course.Progress, l string) progressJSON {
	out := progressJSON{CourseID: p.Enrolment.CourseID, Version: p.Version.Number, Title: p.Version.Title.In(l),
		StartedAt: p.Enrolment.StartedAt, LessonsTotal: len(p.Version.Lessons), LessonsDone: []string{}, BestScores: p.BestScore}
	for _, ls := range p.Version.Lessons { // in lesson order
		if p.Done[ls.ID] {
			out.LessonsDone = append(out.LessonsDone, ls.ID)
		}
	}
	if p.Completed != nil {
		out.CompletedAt = &p.Completed.CompletedAt
	}
	return out
}

func (h *handler) startCourse(c *gin.Context) {
	p, created, err := h.Courses.Start(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, toProgress(p, lang(c)))
}

func (h *handler) completeLesson(c *gin.Context) {
	p, err := h.Courses.CompleteLesson(c.Request.Context(), caller(c), c.Param("id"), c.Param("lesson_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toProgress(p, lang(c)))
}

type attemptRequest struct {
	Answers map[string][]string `json:"answers" binding:"required,max=50,dive,keys,max=64,endkeys,max=10,dive,max=64"`
}

type questionResultJSON struct {
	QuestionID  string `json:"question_id"`
	Correct     bool   `json:"correct"`
	Explanation string `json:"explanation"`
}

type attemptJSON struct {
	ID          string               `json:"id"`
	Score       int                  `json:"score"`
	Passed      bool                 `json:"passed"`
	SubmittedAt time.Time            `json:"submitted_at"`
	Results     []questionResultJSON `json:"results"`
	Progress    progressJSON         `json:"progress"`
}

func (h *handler) submitAttempt(c *gin.Context) {
	var req attemptRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	a, results, p, err := h.Courses.SubmitQuiz(c.Request.Context(), caller(c), c.Param("id"), c.Param("lesson_id"), req.Answers)
	if err != nil {
		fail(c, err)
		return
	}
	l := lang(c)
	out := attemptJSON{ID: a.ID, Score: a.Score, Passed: a.Passed, SubmittedAt: a.SubmittedAt, Progress: toProgress(p, l)}
	for _, r := range results {
		out.Results = append(out.Results, questionResultJSON{QuestionID: r.QuestionID, Correct: r.Correct, Explanation: r.Explanation.In(l)})
	}
	c.JSON(http.StatusCreated, out)
}

func (h *handler) myCourses(c *gin.Context) {
	var q listQuery
	p, err := pageOf(c, &q)
	if err != nil {
		fail(c, err)
		return
	}
	ps, next, err := h.Courses.MyLearning(c.Request.Context(), caller(c), p)
	if err != nil {
		fail(c, err)
		return
	}
	l := lang(c)
	renderList(c, ps, next, func(p *course.Progress) progressJSON { return toProgress(p, l) })
}

func (h *handler) myCourse(c *gin.Context) {
	p, err := h.Courses.Progress(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toProgress(p, lang(c)))
}

// versionNumber reads the :number path parameter.
func versionNumber(c *gin.Context) (int, error) {
	n, err := strconv.Atoi(c.Param("number"))
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, apperr.ErrNotFound
	}
	return n, nil
}
