package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/course"
	"ecitizen/internal/directory"
	paging "ecitizen/internal/page"
)

// Course authoring (partners for their organisation, admins for any) and review
// (admins), through the same course service calls as /api/v1/manage/courses.

type managedListData struct {
	Courses       []course.Managed
	Next          string
	Organisations []option // admins pick the organisation of a new course
	Audiences     []option
	Levels        []option
}

func (h *handler) levelOptions(v *view) []option {
	out := []option{}
	for _, l := range courseLevels {
		out = append(out, option{string(l), v.T(fmt.Sprintf("courses.level.%s", l))})
	}
	return out
}

func (h *handler) managedList(c *gin.Context, v *view) (*managedListData, error) {
	d := &managedListData{Audiences: h.audienceOptions(v, "courses.choose"), Levels: h.levelOptions(v)}
	v.Title = v.T("courses.manage_title")
	v.Data = d
	p, err := paging.New(20, c.Query("cursor"))
	if err != nil {
		return d, err
	}
	ms, next, err := h.Courses.ListManaged(c.Request.Context(), v.Caller, "", "", p)
	if err != nil {
		return d, err
	}
	d.Courses = ms
	if next != "" {
		d.Next = "/partner/courses?cursor=" + url.QueryEscape(next)
	}
	if v.Caller.IsAdmin() {
		orgs, _, err := h.Directory.Organisations(c.Request.Context(), directory.OrganisationFilter{}, paging.Request{Limit: paging.MaxLimit})
		if err != nil {
			return d, err
		}
		d.Organisations = []option{{"", v.T("courses.choose")}}
		for _, o := range orgs {
			d.Organisations = append(d.Organisations, option{o.ID, o.Name})
		}
	}
	return d, nil
}

func (h *handler) managedCoursesPage(c *gin.Context) {
	v := viewOf(c)
	if _, err := h.managedList(c, v); err != nil {
		h.pageError(c, err)
		return
	}
	h.render(c, http.StatusOK, "courses_manage", v)
}

func (h *handler) createCourse(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	if _, err := h.managedList(c, v); err != nil {
		h.fail(c, "courses_manage", v, err)
		return
	}
	orgID := ""
	if v.Caller.IsAdmin() {
		orgID = c.PostForm("organisation_id")
	}
	content := contentFromForm(v.Form.Values)
	content.Lessons = nil
	co, ver, err := h.Courses.CreateCourse(c.Request.Context(), v.Caller, orgID, content)
	if err != nil {
		h.fail(c, "courses_manage", v, err)
		return
	}
	h.redirect(c, versionPath(co.ID, ver.Number), "courses.flash_created")
}

func versionPath(id string, n int) string {
	return "/partner/courses/" + url.PathEscape(id) + "/versions/" + strconv.Itoa(n)
}

type versionsData struct {
	Course   *course.Course
	Latest   *course.Version
	Versions []*course.Version // newest first
}

func (h *handler) managedCoursePage(c *gin.Context) {
	v := viewOf(c)
	if _, err := h.loadVersions(c, v); err != nil {
		h.pageError(c, err)
		return
	}
	h.render(c, http.StatusOK, "courses_versions", v)
}

func (h *handler) loadVersions(c *gin.Context, v *view) (*versionsData, error) {
	ctx := c.Request.Context()
	co, latest, err := h.Courses.ManagedCourse(ctx, v.Caller, c.Param("id"))
	if err != nil {
		return nil, err
	}
	d := &versionsData{Course: co, Latest: latest, Versions: []*course.Version{latest}}
	for n := co.LatestVersion - 1; n >= 1; n-- {
		_, ver, err := h.Courses.ManagedVersion(ctx, v.Caller, co.ID, n)
		if err != nil {
			return nil, err
		}
		d.Versions = append(d.Versions, ver)
	}
	v.Title = latest.Title.In(v.Lang)
	v.Data = d
	return d, nil
}

func (h *handler) newCourseVersion(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	d, err := h.loadVersions(c, v)
	if err != nil {
		h.pageError(c, err)
		return
	}
	ver, err := h.Courses.NewVersion(c.Request.Context(), v.Caller, d.Course.ID)
	if err != nil {
		h.fail(c, "courses_versions", v, err)
		return
	}
	h.redirect(c, versionPath(d.Course.ID, ver.Number), "courses.flash_new_version")
}

// editorData is the draft editor, or the read-only view of a version in review
// or published.
type editorData struct {
	Course    *course.Course
	Version   *course.Version // as stored
	Editable  bool
	Lessons   []editorLesson // as typed
	Audiences []option
	Levels    []option
	Kinds     []option
	Skills    []option
	Preview   *lessonPreview
	Unsaved   bool // a structural change is shown but not saved yet
	Review    bool // an admin's review page
}

// lessonPreview is a lesson's Markdown rendered and sanitised by the course
// package, as learners will see it.
type lessonPreview struct {
	Index  int
	Title  string
	Vi, En template.HTML
}

// LessonHTML is a stored lesson's HTML in lang (rendered and sanitised by the
// course package when the version was saved).
func (d *editorData) LessonHTML(l course.Lesson, lang string) template.HTML {
	return template.HTML(l.HTML.In(lang)) // #nosec G203 -- sanitised by course.RenderMarkdown
}

func versionParam(c *gin.Context) (int, bool) {
	n, err := strconv.Atoi(c.Param("n"))
	return n, err == nil && n >= 1 && n <= 1_000_000
}

// loadEditor loads the version and lays out content (what was typed, or the
// stored content when nil).
func (h *handler) loadEditor(c *gin.Context, v *view, content *course.Content) (*editorData, bool) {
	n, ok := versionParam(c)
	if !ok {
		h.notFound(c)
		return nil, false
	}
	co, ver, err := h.Courses.ManagedVersion(c.Request.Context(), v.Caller, c.Param("id"), n)
	if err != nil {
		h.pageError(c, err)
		return nil, false
	}
	d := &editorData{Course: co, Version: ver, Editable: ver.Status.Editable() && ver.Number == co.LatestVersion && !co.Archived,
		Audiences: h.audienceOptions(v, "courses.choose"), Levels: h.levelOptions(v), Skills: h.skillOptions(v, ""),
		Kinds: []option{{string(course.Single), v.T("courses.kind.single")}, {string(course.Multiple), v.T("courses.kind.multiple")}}}
	if content == nil {
		stored := course.Content{Title: ver.Title, Summary: ver.Summary, Audience: ver.Audience, Level: ver.Level, Skills: ver.Skills, Lessons: ver.Lessons}
		content = &stored
		v.Form.Values = contentValues(stored)
	}
	d.Lessons = editorLessons(*content)
	v.Title = v.T("courses.editor_title", "Title", ver.Title.In(v.Lang), "N", ver.Number)
	v.Data = d
	return d, true
}

func (h *handler) editorPage(c *gin.Context) {
	v := viewOf(c)
	if _, ok := h.loadEditor(c, v, nil); !ok {
		return
	}
	h.render(c, http.StatusOK, "courses_editor", v)
}

// editVersion handles every button of the editor: Save, Submit for review,
// Preview of a lesson, and the structural buttons.
func (h *handler) editVersion(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	content := contentFromForm(v.Form.Values)
	op := parseOp(c.PostForm("op"))
	if op.apply(&content) {
		// The indices moved: lay the form out again from the new structure.
		v.Form.Values = contentValues(content)
		d, ok := h.loadEditor(c, v, &content)
		if !ok {
			return
		}
		d.Unsaved = true
		h.render(c, http.StatusOK, "courses_editor", v)
		return
	}
	d, ok := h.loadEditor(c, v, &content)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	switch op.Name {
	case "preview":
		l := op.lessonAt(&content)
		if l == nil {
			h.render(c, http.StatusOK, "courses_editor", v)
			return
		}
		vi, err := course.RenderMarkdown(l.Body.Vi)
		if err == nil {
			var en string
			en, err = course.RenderMarkdown(l.Body.En)
			d.Preview = &lessonPreview{Index: op.Args[0], Title: l.Title.In(v.Lang),
				Vi: template.HTML(vi), En: template.HTML(en)} // #nosec G203 -- sanitised by course.RenderMarkdown
		}
		if err != nil {
			h.fail(c, "courses_editor", v, err)
			return
		}
		d.Unsaved = true
		h.render(c, http.StatusOK, "courses_editor", v)
	case "save", "submit":
		if _, err := h.Courses.UpdateVersion(ctx, v.Caller, d.Course.ID, d.Version.Number, content); err != nil {
			h.fail(c, "courses_editor", v, err)
			return
		}
		if op.Name == "save" {
			h.redirect(c, versionPath(d.Course.ID, d.Version.Number), "courses.flash_saved")
			return
		}
		if _, err := h.Courses.Transition(ctx, v.Caller, d.Course.ID, d.Version.Number, course.ActionSubmit, ""); err != nil {
			h.fail(c, "courses_editor", v, err)
			return
		}
		h.redirect(c, "/partner/courses/"+url.PathEscape(d.Course.ID), "courses.flash_submitted")
	default:
		h.render(c, http.StatusBadRequest, "courses_editor", v)
	}
}

// withdrawVersion takes a version out of review, back to draft.
func (h *handler) withdrawVersion(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	d, ok := h.loadEditor(c, v, nil)
	if !ok {
		return
	}
	if _, err := h.Courses.Transition(c.Request.Context(), v.Caller, d.Course.ID, d.Version.Number, course.ActionWithdraw, ""); err != nil {
		h.fail(c, "courses_editor", v, err)
		return
	}
	h.redirect(c, versionPath(d.Course.ID, d.Version.Number), "courses.flash_withdrawn")
}

// reviewItem is a version waiting for review with its organisation's name.
type reviewItem struct {
	course.Managed
	Organisation string
}

type reviewsData struct {
	Items []reviewItem
	Next  string
}

func (h *handler) reviewsPage(c *gin.Context) {
	v := viewOf(c)
	ctx := c.Request.Context()
	p, err := paging.New(20, c.Query("cursor"))
	if err != nil {
		p, _ = paging.New(20, "")
	}
	ms, next, err := h.Courses.ListManaged(ctx, v.Caller, "", course.StatusInReview, p)
	if err != nil {
		h.serverError(c, err)
		return
	}
	d := &reviewsData{}
	names := map[string]string{}
	for _, m := range ms {
		name, ok := names[m.Course.OrganisationID]
		if !ok {
			if o, err := h.Directory.Organisation(ctx, m.Course.OrganisationID); err == nil {
				name = o.Name
			}
			names[m.Course.OrganisationID] = name
		}
		d.Items = append(d.Items, reviewItem{Managed: m, Organisation: name})
	}
	if next != "" {
		d.Next = "/admin/reviews?cursor=" + url.QueryEscape(next)
	}
	v.Title = v.T("courses.reviews_title")
	v.Data = d
	h.render(c, http.StatusOK, "courses_reviews", v)
}

func (h *handler) reviewPage(c *gin.Context) {
	v := viewOf(c)
	d, ok := h.loadEditor(c, v, nil)
	if !ok {
		return
	}
	d.Review = true
	h.render(c, http.StatusOK, "courses_editor", v)
}

// reviewVersion publishes a version in review or returns it with a note.
func (h *handler) reviewVersion(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	d, ok := h.loadEditor(c, v, nil)
	if !ok {
		return
	}
	d.Review = true
	v.Form = newForm(c) // loadEditor replaced the values with the stored content
	a, flash := course.ActionPublish, "courses.flash_published"
	if c.PostForm("action") == string(course.ActionRequestChanges) {
		a, flash = course.ActionRequestChanges, "courses.flash_returned"
	}
	if _, err := h.Courses.Transition(c.Request.Context(), v.Caller, d.Course.ID, d.Version.Number, a, c.PostForm("note")); err != nil {
		h.fail(c, "courses_editor", v, err)
		return
	}
	h.redirect(c, "/admin/reviews", flash)
}
