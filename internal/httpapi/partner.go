package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/course"
	"ecitizen/internal/export"
	"ecitizen/internal/partner"
)

// The partner view of an organisation and its exports.

type partnerRangeQuery struct {
	From string `form:"from"`
	To   string `form:"to"`
}

type partnerExportQuery struct {
	From   string `form:"from"`
	To     string `form:"to"`
	Format string `form:"format" binding:"required,oneof=csv xlsx"`
	Table  string `form:"table" binding:"omitempty,oneof=courses sessions volunteers"`
	Lang   string `form:"lang" binding:"omitempty,oneof=vi en"`
}

type partnerCourseJSON struct {
	CourseID         string      `json:"course_id"`
	Title            course.Text `json:"title"`
	PublishedVersion *int        `json:"published_version"`
	Archived         bool        `json:"archived"`
	Enrolments       int         `json:"enrolments"`
	Completions      int         `json:"completions"`
	EnrolmentsTotal  int         `json:"enrolments_total"`
	CompletionsTotal int         `json:"completions_total"`
}

type partnerSessionJSON struct {
	SessionID   string      `json:"session_id"`
	CourseID    string      `json:"course_id"`
	CourseTitle course.Text `json:"course_title"`
	CentreID    *string     `json:"centre_id"`
	CentreName  string      `json:"centre_name"`
	WardID      *string     `json:"ward_id"`
	Venue       string      `json:"venue"`
	StartsAt    time.Time   `json:"starts_at"`
	EndsAt      time.Time   `json:"ends_at"`
	Status      string      `json:"status"`
	Capacity    int         `json:"capacity"`
	Enrolled    int         `json:"enrolled"`
	Attended    int         `json:"attended"`
	Absent      int         `json:"absent"`
	Unmarked    int         `json:"unmarked"`
}

type partnerCoverageJSON struct {
	OrganisationID string                 `json:"organisation_id"`
	From           string                 `json:"from"`
	To             string                 `json:"to"`
	Courses        []partnerCourseJSON    `json:"courses"`
	Sessions       []partnerSessionJSON   `json:"sessions"`
	Volunteers     []volunteerMinutesJSON `json:"volunteers"`
	TotalMinutes   int                    `json:"total_minutes"`
}

// partnerCoverage reads the range and builds the view.
func (h *handler) partnerCoverage(c *gin.Context, from, to string) (*partner.Coverage, error) {
	start, end, err := h.Partner.Range(from, to)
	if err != nil {
		return nil, err
	}
	return h.Partner.Coverage(c.Request.Context(), caller(c), c.Param("id"), start, end)
}

func (h *handler) getPartnerCoverage(c *gin.Context) {
	var q partnerRangeQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	cov, err := h.partnerCoverage(c, q.From, q.To)
	if err != nil {
		fail(c, err)
		return
	}
	loc := h.Partner.Location()
	out := partnerCoverageJSON{OrganisationID: cov.OrganisationID,
		From: cov.From.In(loc).Format(time.DateOnly), To: cov.To.In(loc).AddDate(0, 0, -1).Format(time.DateOnly),
		Courses: []partnerCourseJSON{}, Sessions: []partnerSessionJSON{}, Volunteers: volunteerMinutes(cov.Volunteers),
		TotalMinutes: cov.TotalMinutes}
	for _, l := range cov.Courses {
		var published *int
		if l.PublishedVersion > 0 {
			published = &l.PublishedVersion
		}
		out.Courses = append(out.Courses, partnerCourseJSON{CourseID: l.CourseID, Title: l.Title, PublishedVersion: published,
			Archived: l.Archived, Enrolments: l.Enrolments, Completions: l.Completions,
			EnrolmentsTotal: l.EnrolmentsTotal, CompletionsTotal: l.CompletionsTotal})
	}
	for _, l := range cov.Sessions {
		out.Sessions = append(out.Sessions, partnerSessionJSON{SessionID: l.SessionID, CourseID: l.CourseID,
			CourseTitle: l.CourseTitle, CentreID: optional(l.CentreID), CentreName: l.CentreName, WardID: optional(l.WardID),
			Venue: l.Venue, StartsAt: l.StartsAt, EndsAt: l.EndsAt, Status: string(l.Status), Capacity: l.Capacity,
			Enrolled: l.Enrolled, Attended: l.Attended, Absent: l.Absent, Unmarked: l.Unmarked()})
	}
	c.JSON(http.StatusOK, out)
}

// exportPartnerCoverage answers the view's tables as a CSV file (one table) or
// an XLSX workbook (one table, or all three as sheets).
func (h *handler) exportPartnerCoverage(c *gin.Context) {
	var q partnerExportQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	format, _ := export.ParseFormat(q.Format)
	if format == export.CSV && q.Table == "" {
		fail(c, apperr.Invalid("table", "required", "Tệp CSV chứa một bảng: hãy chọn table (courses, sessions hoặc volunteers).",
			"A CSV file holds one table: choose table (courses, sessions or volunteers)."))
		return
	}
	cov, err := h.partnerCoverage(c, q.From, q.To)
	if err != nil {
		fail(c, err)
		return
	}
	var names []string
	if q.Table != "" {
		names = []string{q.Table}
	}
	tables := h.Partner.Tables(cov, q.Lang, names...)
	name := "partner-coverage"
	if q.Table != "" {
		name = "partner-" + q.Table
	}
	h.sendExport(c, name, format, q.Lang, tables)
}
