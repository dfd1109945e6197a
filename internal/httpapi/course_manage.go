package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/course"
	"ecitizen/internal/page"
)

// textJSON is a text in both languages, as authors write it.
type textJSON struct {
	Vi string `json:"vi" binding:"required"`
	En string `json:"en" binding:"required"`
}

func (t textJSON) text() course.Text { return course.Text{Vi: t.Vi, En: t.En} }
func toText(t course.Text) textJSON  { return textJSON{Vi: t.Vi, En: t.En} }

type optionJSON struct {
	ID      string   `json:"id" binding:"required,max=64"`
	Text    textJSON `json:"text"`
	Correct bool     `json:"correct"`
}

type questionJSON struct {
	ID          string       `json:"id" binding:"required,max=64"`
	Kind        string       `json:"kind" binding:"required,oneof=single multiple"`
	Prompt      textJSON     `json:"prompt"`
	Explanation textJSON     `json:"explanation"`
	Options     []optionJSON `json:"options" binding:"required,min=2,max=10,dive"`
}

type quizJSON struct {
	PassMark  int            `json:"pass_mark" binding:"required,min=1,max=100"`
	Questions []questionJSON `json:"questions" binding:"required,min=1,max=50,dive"`
}

type lessonJSON struct {
	ID       string    `json:"id" binding:"required,max=64"`
	Title    textJSON  `json:"title"`
	Body     textJSON  `json:"body"`
	HTML     *textJSON `json:"html,omitempty" binding:"isdefault"` // output only
	VideoURL string    `json:"video_url" binding:"max=500"`
	Minutes  int       `json:"minutes" binding:"required,min=1,max=600"`
	Quiz     *quizJSON `json:"quiz"`
}

// contentJSON is the editable content of a version.
type contentJSON struct {
	Title    textJSON     `json:"title"`
	Summary  textJSON     `json:"summary"`
	Audience string       `json:"audience" binding:"required,oneof=residents civil_servants volunteers"`
	Level    string       `json:"level" binding:"required,oneof=beginner intermediate advanced"`
	Skills   []string     `json:"skills" binding:"max=20,dive,max=40"`
	Lessons  []lessonJSON `json:"lessons" binding:"max=100,dive"`
}

func (r *contentJSON) content() course.Content {
	out := course.Content{Title: r.Title.text(), Summary: r.Summary.text(), Audience: course.Audience(r.Audience),
		Level: course.Level(r.Level), Skills: r.Skills}
	for _, l := range r.Lessons {
		ls := course.Lesson{ID: l.ID, Title: l.Title.text(), Body: l.Body.text(), VideoURL: l.VideoURL, Minutes: l.Minutes}
		if l.Quiz != nil {
			q := &course.Quiz{PassMark: l.Quiz.PassMark}
			for _, qq := range l.Quiz.Questions {
				cq := course.Question{ID: qq.ID, Kind: course.QuestionKind(qq.Kind), Prompt: qq.Prompt.text(), Explanation: qq.Explanation.text()}
				for _, o := range qq.Options {
					cq.Options = append(cq.Options, course.Option{ID: o.ID, Text: o.Text.text(), Correct: o.Correct})
				}
				q.Questions = append(q.Questions, cq)
			}
			ls.Quiz = q
		}
		out.Lessons = append(out.Lessons, ls)
	}
	return out
}

// versionJSON is a whole version, answer keys included: for authors and reviewers only.
type versionJSON struct {
	CourseID    string       `json:"course_id"`
	Number      int          `json:"number"`
	Status      string       `json:"status"`
	Title       textJSON     `json:"title"`
	Summary     textJSON     `json:"summary"`
	Audience    string       `json:"audience"`
	Level       string       `json:"level"`
	Skills      []string     `json:"skills"`
	Minutes     int          `json:"minutes"`
	Lessons     []lessonJSON `json:"lessons"`
	ReviewNote  string       `json:"review_note"`
	CreatedBy   string       `json:"created_by"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	PublishedAt *time.Time   `json:"published_at"`
}

func toVersion(v *course.Version) versionJSON {
	out := versionJSON{CourseID: v.CourseID, Number: v.Number, Status: string(v.Status), Title: toText(v.Title), Summary: toText(v.Summary),
		Audience: string(v.Audience), Level: string(v.Level), Skills: v.Skills, Minutes: v.Minutes(), Lessons: []lessonJSON{},
		ReviewNote: v.ReviewNote, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, PublishedAt: v.PublishedAt}
	if out.Skills == nil {
		out.Skills = []string{}
	}
	for _, l := range v.Lessons {
		html := toText(l.HTML)
		lj := lessonJSON{ID: l.ID, Title: toText(l.Title), Body: toText(l.Body), HTML: &html, VideoURL: l.VideoURL, Minutes: l.Minutes}
		if l.Quiz != nil {
			q := &quizJSON{PassMark: l.Quiz.PassMark, Questions: []questionJSON{}}
			for _, qq := range l.Quiz.Questions {
				qj := questionJSON{ID: qq.ID, Kind: string(qq.Kind), Prompt: toText(qq.Prompt), Explanation: toText(qq.Explanation)}
				for _, o := range qq.Options {
					qj.Options = append(qj.Options, optionJSON{ID: o.ID, Text: toText(o.Text), Correct: o.Correct})
				}
				q.Questions = append(q.Questions, qj)
			}
			lj.Quiz = q
		}
		out.Lessons = append(out.Lessons, lj)
	}
	return out
}

type managedCourseJSON struct {
	ID               string      `json:"id"`
	OrganisationID   string      `json:"organisation_id"`
	Builtin          bool        `json:"builtin"`
	Archived         bool        `json:"archived"`
	PublishedVersion *int        `json:"published_version"`
	LatestVersion    int         `json:"latest_version"`
	CreatedAt        time.Time   `json:"created_at"`
	UpdatedAt        time.Time   `json:"updated_at"`
	Latest           versionJSON `json:"latest"`
}

func toManaged(co *course.Course, latest *course.Version) managedCourseJSON {
	out := managedCourseJSON{ID: co.ID, OrganisationID: co.OrganisationID, Builtin: co.BuiltinSlug != "", Archived: co.Archived,
		LatestVersion: co.LatestVersion, CreatedAt: co.CreatedAt, UpdatedAt: co.UpdatedAt, Latest: toVersion(latest)}
	if co.PublishedVersion > 0 {
		out.PublishedVersion = &co.PublishedVersion
	}
	return out
}

type manageQuery struct {
	Limit          int    `form:"limit" binding:"omitempty,min=1"`
	Cursor         string `form:"cursor" binding:"max=300"`
	OrganisationID string `form:"organisation_id" binding:"max=64"`
	Status         string `form:"status" binding:"omitempty,oneof=draft in_review changes_requested published"`
}

func (h *handler) listManagedCourses(c *gin.Context) {
	var q manageQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	p, err := page.New(q.Limit, q.Cursor)
	if err != nil {
		fail(c, err)
		return
	}
	ms, next, err := h.Courses.ListManaged(c.Request.Context(), caller(c), q.OrganisationID, course.Status(q.Status), p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, ms, next, func(m course.Managed) managedCourseJSON { return toManaged(m.Course, m.Latest) })
}

type createCourseRequest struct {
	OrganisationID string `json:"organisation_id" binding:"max=64"`
	contentJSON
}

func (h *handler) createCourse(c *gin.Context) {
	var req createCourseRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	co, v, err := h.Courses.CreateCourse(c.Request.Context(), caller(c), req.OrganisationID, req.content())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toManaged(co, v))
}

func (h *handler) getManagedCourse(c *gin.Context) {
	co, v, err := h.Courses.ManagedCourse(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toManaged(co, v))
}

func (h *handler) getVersion(c *gin.Context) {
	n, err := versionNumber(c)
	if err != nil {
		fail(c, err)
		return
	}
	_, v, err := h.Courses.ManagedVersion(c.Request.Context(), caller(c), c.Param("id"), n)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toVersion(v))
}

func (h *handler) updateVersion(c *gin.Context) {
	n, err := versionNumber(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req contentJSON
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	v, err := h.Courses.UpdateVersion(c.Request.Context(), caller(c), c.Param("id"), n, req.content())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toVersion(v))
}

func (h *handler) newVersion(c *gin.Context) {
	v, err := h.Courses.NewVersion(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toVersion(v))
}

type transitionRequest struct {
	Action string `json:"action" binding:"required,oneof=submit publish request_changes withdraw"`
	Note   string `json:"note" binding:"max=2000"`
}

func (h *handler) transitionVersion(c *gin.Context) {
	n, err := versionNumber(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req transitionRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	v, err := h.Courses.Transition(c.Request.Context(), caller(c), c.Param("id"), n, course.Action(req.Action), req.Note)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toVersion(v))
}

type archiveRequest struct {
	Archived *bool `json:"archived" binding:"required"`
}

func (h *handler) archiveCourse(c *gin.Context) {
	var req archiveRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	co, err := h.Courses.Archive(c.Request.Context(), caller(c), c.Param("id"), *req.Archived)
	if err != nil {
		fail(c, err)
		return
	}
	_, v, err := h.Courses.ManagedCourse(c.Request.Context(), caller(c), co.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toManaged(co, v))
}
