package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/course"
	paging "ecitizen/internal/page"
	"ecitizen/internal/training"
)

// A partner's training sessions (the API's training.go): list, schedule at a
// centre for a published course, change, cancel; a session's enrolments and
// their attendance. The public schedule /sessions lists every organisation's.

const partnerClock = "2006-01-02T15:04" // an <input type="datetime-local">

type partnerSessionRow struct {
	S       *training.Session
	Course  string
	Place   string
	Status  string // message id
	Class   string
	Enrols  int
	Edit    string // link to its page
	Started bool
}

type partnerSessionsData struct {
	partnerHead
	Sessions []partnerSessionRow
	Next     string
	Courses  []option
	Centres  []option
}

// partnerChoices are the published courses and the active centres a session
// can be scheduled for.
func (h *handler) partnerChoices(ctx context.Context, v *view) (courses, centres []option, err error) {
	courses = []option{{"", v.T("partner.session.choose_course")}}
	p := paging.Request{Limit: paging.MaxLimit}
	for {
		ls, err := h.Courses.Catalogue(ctx, course.CatalogueQuery{}, p)
		if err != nil {
			return nil, nil, err
		}
		next := ls.Next
		for _, x := range ls.Cards {
			courses = append(courses, option{x.CourseID, x.Title.In(v.Lang)})
		}
		if next == "" {
			break
		}
		p.After = strconv.Itoa(len(courses) - 1)
	}
	centres = []option{{"", v.T("partner.session.other_venue")}}
	cs, err := h.activeCentres(ctx, v)
	if err != nil {
		return nil, nil, err
	}
	for _, ce := range cs {
		centres = append(centres, option{ce.ID, ce.Name + " (" + ce.Ward + ")"})
	}
	return courses, centres, nil
}

// partnerNames finds the titles of courses and the names of centres.
type partnerNames struct {
	h       *handler
	ctx     context.Context
	v       *view
	courses map[string]string
	centres map[string]string
}

func (n *partnerNames) course(id string) string {
	if t, ok := n.courses[id]; ok {
		return t
	}
	t := id
	if _, ver, err := n.h.Courses.Published(n.ctx, n.v.Caller, id); err == nil {
		t = ver.Title.In(n.v.Lang)
	}
	n.courses[id] = t
	return t
}

func (n *partnerNames) place(s *training.Session) string {
	if s.CentreID == "" {
		return s.Venue
	}
	if t, ok := n.centres[s.CentreID]; ok {
		return t
	}
	t := ""
	if ce, err := n.h.Directory.Centre(n.ctx, n.v.Caller, s.CentreID); err == nil {
		t = ce.Name
	}
	n.centres[s.CentreID] = t
	return t
}

func (h *handler) partnerNamesFor(c *gin.Context, v *view) *partnerNames {
	return &partnerNames{h: h, ctx: c.Request.Context(), v: v, courses: map[string]string{}, centres: map[string]string{}}
}

func partnerSessionStatus(s *training.Session, now time.Time) (string, string) {
	switch {
	case s.Status == training.StatusCancelled:
		return "partner.session.cancelled", "bad"
	case !s.EndsAt.After(now):
		return "partner.session.ended", ""
	case !s.StartsAt.After(now):
		return "partner.session.running", "warn"
	}
	return "partner.session.scheduled", "ok"
}

func (h *handler) partnerLoadSessions(c *gin.Context, v *view, org string) error {
	head, err := h.partnerHeadOf(c, v, org)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	p, err := adminPage(c)
	if err != nil {
		return err
	}
	ss, next, err := h.Training.List(ctx, training.SessionFilter{OrganisationID: org}, p)
	if err != nil {
		return err
	}
	d := partnerSessionsData{partnerHead: head, Next: adminNext("/partner/sessions", c.Request.URL.Query(), next)}
	if d.Courses, d.Centres, err = h.partnerChoices(ctx, v); err != nil {
		return err
	}
	names, now := h.partnerNamesFor(c, v), time.Now()
	for _, s := range ss {
		_, n, err := h.Training.Session(ctx, s.ID)
		if err != nil {
			return err
		}
		st, cl := partnerSessionStatus(s, now)
		d.Sessions = append(d.Sessions, partnerSessionRow{S: s, Course: names.course(s.CourseID), Place: names.place(s), Status: st, Class: cl,
			Enrols: n, Edit: partnerPath(v, "/partner/sessions/"+url.PathEscape(s.ID), org), Started: !s.StartsAt.After(now)})
	}
	v.Data, v.Title = d, v.T("partner.sessions.title")
	return nil
}

func (h *handler) partnerSessions(c *gin.Context) {
	v := viewOf(c)
	org, ok := h.partnerOrgID(c, v, "/partner/sessions")
	if !ok {
		return
	}
	if err := h.partnerLoadSessions(c, v, org); err != nil {
		h.pageError(c, err)
		return
	}
	h.render(c, http.StatusOK, "partner_sessions", v)
}

// partnerPlan reads the session form into a plan (the API's sessionRequest).
func partnerPlan(c *gin.Context) (training.Plan, error) {
	p := training.Plan{CourseID: c.PostForm("course_id"), CentreID: c.PostForm("centre_id"), Venue: strings.TrimSpace(c.PostForm("venue")),
		Note: strings.TrimSpace(c.PostForm("note"))}
	var err error
	if p.StartsAt, err = time.ParseInLocation(partnerClock, c.PostForm("starts_at"), zone); err != nil {
		return p, apperr.Invalid("starts_at", "datetime", "Hãy chọn ngày giờ bắt đầu.", "Choose the start date and time.")
	}
	if p.EndsAt, err = time.ParseInLocation(partnerClock, c.PostForm("ends_at"), zone); err != nil {
		return p, apperr.Invalid("ends_at", "datetime", "Hãy chọn ngày giờ kết thúc.", "Choose the end date and time.")
	}
	if p.Capacity, err = partnerAtoi(c, "capacity"); err != nil {
		return p, err
	}
	for _, t := range strings.FieldsFunc(c.PostForm("trainers"), func(r rune) bool { return r == '\n' || r == ',' }) {
		if t = strings.TrimSpace(t); t != "" {
			p.Trainers = append(p.Trainers, t)
		}
	}
	if len(p.Trainers) == 0 {
		return p, apperr.Invalid("trainers", "required", "Cần ít nhất một giảng viên.", "Name at least one trainer.")
	}
	return p, nil
}

func (h *handler) partnerCreateSession(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	org, ok := h.partnerOrgID(c, v, "/partner/sessions")
	if !ok {
		return
	}
	p, err := partnerPlan(c)
	if err == nil {
		if p.CourseID == "" {
			err = apperr.Invalid("course_id", "required", "Hãy chọn khoá học.", "Choose the course.")
		} else {
			p.OrganisationID = org
			_, err = h.Training.Schedule(c.Request.Context(), v.Caller, p)
		}
	}
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			h.notFound(c)
			return
		}
		if lerr := h.partnerLoadSessions(c, v, org); lerr != nil {
			h.pageError(c, lerr)
			return
		}
		h.fail(c, "partner_sessions", v, err)
		return
	}
	h.redirect(c, partnerPath(v, "/partner/sessions", org), "partner.flash.session_created")
}

type partnerSeat struct {
	Number     int
	Name       string
	EnrolledAt time.Time
	Attendance string // message id, "" unmarked
	Class      string
}

type partnerSessionData struct {
	partnerHead
	S        *training.Session
	Course   string
	Place    string
	Status   string
	Class    string
	Seats    []partnerSeat
	Centres  []option
	Trainers string
	Starts   string // the fields' values
	Ends     string
	Editable bool // not started, not cancelled
	Marking  bool // started, not cancelled
	Self     string
}

// partnerLoadSession fills a session's page; a session the reader does not run is not
// found (the service forbids its enrolments to others).
func (h *handler) partnerLoadSession(c *gin.Context, v *view) (*partnerSessionData, error) {
	ctx := c.Request.Context()
	se, seats, err := h.Training.Enrolments(ctx, v.Caller, c.Param("id"))
	if err != nil {
		if errors.Is(err, apperr.ErrForbidden) {
			return nil, apperr.ErrNotFound
		}
		return nil, err
	}
	if !v.Caller.HasOrganisation(se.OrganisationID) {
		return nil, apperr.ErrNotFound
	}
	head, err := h.partnerHeadOf(c, v, se.OrganisationID)
	if err != nil {
		return nil, err
	}
	names, now := h.partnerNamesFor(c, v), time.Now()
	d := &partnerSessionData{partnerHead: head, S: se, Course: names.course(se.CourseID), Place: names.place(se),
		Trainers: strings.Join(se.Trainers, "\n"), Starts: se.StartsAt.In(zone).Format(partnerClock), Ends: se.EndsAt.In(zone).Format(partnerClock),
		Editable: se.Status == training.StatusScheduled && se.StartsAt.After(now),
		Marking:  se.Status == training.StatusScheduled && !se.StartsAt.After(now),
		Self:     partnerPath(v, "/partner/sessions/"+url.PathEscape(se.ID), se.OrganisationID)}
	d.Status, d.Class = partnerSessionStatus(se, now)
	if d.Editable {
		if _, d.Centres, err = h.partnerChoices(ctx, v); err != nil {
			return nil, err
		}
	}
	for _, s := range seats {
		x := partnerSeat{Number: s.Number, Name: s.Name, EnrolledAt: s.EnrolledAt}
		if s.UserID != "" {
			if u, err := h.Identity.User(ctx, v.Caller, s.UserID); err == nil {
				x.Name = u.DisplayName
			} else {
				x.Name = v.T("partner.seat.learner", "Number", s.Number)
			}
		}
		switch s.Attendance {
		case training.Attended:
			x.Attendance, x.Class = "partner.seat.attended", "ok"
		case training.Absent:
			x.Attendance, x.Class = "partner.seat.absent", "bad"
		}
		d.Seats = append(d.Seats, x)
	}
	v.Data, v.Title = d, d.Course
	return d, nil
}

func (h *handler) partnerSession(c *gin.Context) {
	v := viewOf(c)
	if _, err := h.partnerLoadSession(c, v); err != nil {
		h.pageError(c, err)
		return
	}
	h.render(c, http.StatusOK, "partner_session", v)
}

func (h *handler) partnerUpdateSession(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	d, err := h.partnerLoadSession(c, v)
	if err != nil {
		h.pageError(c, err)
		return
	}
	p, err := partnerPlan(c)
	if err == nil {
		_, err = h.Training.Change(c.Request.Context(), v.Caller, d.S.ID, p, false)
	}
	if err != nil {
		h.fail(c, "partner_session", v, err)
		return
	}
	h.redirect(c, d.Self, "partner.flash.session_saved")
}

func (h *handler) partnerCancelSession(c *gin.Context) {
	v := viewOf(c)
	d, err := h.partnerLoadSession(c, v)
	if err != nil {
		h.pageError(c, err)
		return
	}
	if _, err := h.Training.Change(c.Request.Context(), v.Caller, d.S.ID, training.Plan{}, true); err != nil {
		h.fail(c, "partner_session", v, err)
		return
	}
	h.redirect(c, d.Self, "partner.flash.session_cancelled")
}

func (h *handler) partnerMarkAttendance(c *gin.Context) {
	v := viewOf(c)
	d, err := h.partnerLoadSession(c, v)
	if err != nil {
		h.pageError(c, err)
		return
	}
	n, err := strconv.Atoi(c.Param("number"))
	if err != nil || n < 1 || n > training.MaxCapacity {
		h.notFound(c)
		return
	}
	if _, err := h.Training.MarkAttendance(c.Request.Context(), v.Caller, d.S.ID, n, training.Attendance(c.PostForm("attendance"))); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			h.notFound(c)
			return
		}
		h.fail(c, "partner_session", v, err)
		return
	}
	h.redirect(c, d.Self, "partner.flash.attendance_marked")
}

// ---- The public schedule ----

type partnerScheduleRow struct {
	S      *training.Session
	Course string
	Place  string
	Open   int
}

type partnerScheduleData struct {
	Sessions []partnerScheduleRow
	Next     string
}

// partnerSchedule is the schedule of training sessions still to come (GET /sessions).
func (h *handler) partnerSchedule(c *gin.Context) {
	v := viewOf(c)
	ctx := c.Request.Context()
	p, err := adminPage(c)
	if err != nil {
		h.notFound(c)
		return
	}
	ss, next, err := h.Training.List(ctx, training.SessionFilter{Status: training.StatusScheduled, From: time.Now()}, p)
	if err != nil {
		h.serverError(c, err)
		return
	}
	d := partnerScheduleData{Next: adminNext("/sessions", c.Request.URL.Query(), next)}
	names := h.partnerNamesFor(c, v)
	for _, s := range ss {
		_, n, err := h.Training.Session(ctx, s.ID)
		if err != nil {
			h.serverError(c, err)
			return
		}
		d.Sessions = append(d.Sessions, partnerScheduleRow{S: s, Course: names.course(s.CourseID), Place: names.place(s), Open: max(0, s.Capacity-n)})
	}
	v.Data, v.Title = d, v.T("partner.schedule.title")
	h.render(c, http.StatusOK, "partner_schedule", v)
}
