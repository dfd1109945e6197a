package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/page"
	"ecitizen/internal/roster"
	"ecitizen/internal/vntime"
)

// seriesZone is where occurrence days are counted.
var seriesZone = vntime.Zone

// localDate renders an occurrence day as YYYY-MM-DD; nil for none.
func localDate(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.In(seriesZone).Format(time.DateOnly)
	return &s
}

type seriesJSON struct {
	ID                    string  `json:"id"`
	CentreID              string  `json:"centre_id"`
	WardID                string  `json:"ward_id"`
	Rule                  string  `json:"rule"`
	FirstDate             string  `json:"first_date"`
	StartTime             string  `json:"start_time"`
	EndTime               string  `json:"end_time"`
	Title                 string  `json:"title"`
	Role                  string  `json:"role"`
	Places                int     `json:"places"`
	QualificationCourseID *string `json:"qualification_course_id"`
	Notes                 string  `json:"notes"`
	// SignupLeadHours and CancelLeadHours are null when the defaults apply.
	SignupLeadHours *int      `json:"signup_lead_hours"`
	CancelLeadHours *int      `json:"cancel_lead_hours"`
	HorizonWeeks    int       `json:"horizon_weeks"`
	Until           *string   `json:"until"`
	Status          string    `json:"status"`
	CreatedBy       string    `json:"created_by"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func hoursOrNil(d time.Duration) *int {
	if d == 0 {
		return nil
	}
	h := int(d / time.Hour)
	return &h
}

func toSeries(se *roster.Series) seriesJSON {
	end := se.StartTime
	if m, ok := minutesOf(se.StartTime); ok {
		m += se.Minutes
		end = time.Date(2000, 1, 1, m/60, m%60, 0, 0, time.UTC).Format("15:04")
	}
	t := se.Template
	return seriesJSON{ID: se.ID, CentreID: se.CentreID, WardID: se.WardID, Rule: se.Rule, FirstDate: *localDate(se.FirstDate),
		StartTime: se.StartTime, EndTime: end, Title: t.Title, Role: string(t.Role), Places: t.Places,
		QualificationCourseID: optional(t.QualificationCourseID), Notes: t.Notes, SignupLeadHours: hoursOrNil(t.SignupLead),
		CancelLeadHours: hoursOrNil(t.CancelLead), HorizonWeeks: se.HorizonWeeks, Until: localDate(se.Until),
		Status: string(se.Status), CreatedBy: se.CreatedBy, CreatedAt: se.CreatedAt, UpdatedAt: se.UpdatedAt}
}

// minutesOf reads "HH:MM" as minutes after midnight.
func minutesOf(hhmm string) (int, bool) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

type skippedJSON struct {
	Date   string `json:"date"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

type seriesResultJSON struct {
	Series  seriesJSON    `json:"series"`
	Created []shiftJSON   `json:"created"`
	Changed []shiftJSON   `json:"changed"`
	Deleted int           `json:"deleted"`
	Removed int           `json:"cancelled"`
	Skipped []skippedJSON `json:"skipped"`
}

func toSeriesResult(c *gin.Context, r *roster.SeriesResult) seriesResultJSON {
	out := seriesResultJSON{Series: toSeries(r.Series), Created: []shiftJSON{}, Changed: []shiftJSON{}, Skipped: []skippedJSON{},
		Deleted: r.Deleted, Removed: r.Removed}
	for _, sh := range r.Created {
		out.Created = append(out.Created, toShift(sh))
	}
	for _, sh := range r.Changed {
		out.Changed = append(out.Changed, toShift(sh))
	}
	l := lang(c)
	for _, sk := range r.Skipped {
		out.Skipped = append(out.Skipped, skippedJSON{Date: *localDate(sk.Day), Code: string(sk.Code), Reason: sk.Reason.Message(l)})
	}
	return out
}

// seriesRequest is a series' rule, times, horizon and template. On a change, an
// empty rule and an absent horizon keep the series' own; a horizon sent is 1 to
// 26 weeks (0 is refused, as the contract says).
type seriesRequest struct {
	Rule                  string `json:"rule" binding:"max=200"`
	StartTime             string `json:"start_time" binding:"required,max=5"`
	EndTime               string `json:"end_time" binding:"required,max=5"`
	HorizonWeeks          *int   `json:"horizon_weeks" binding:"omitempty,min=1,max=26"`
	Title                 string `json:"title" binding:"required,max=160"`
	Role                  string `json:"role" binding:"required,oneof=guide trainer equipment"`
	Places                int    `json:"places" binding:"required,min=1,max=100"`
	QualificationCourseID string `json:"qualification_course_id" binding:"max=64"`
	Notes                 string `json:"notes" binding:"max=2000"`
	SignupLeadHours       int    `json:"signup_lead_hours" binding:"min=0,max=2160"`
	CancelLeadHours       int    `json:"cancel_lead_hours" binding:"min=0,max=2160"`
}

func (r *seriesRequest) plan() roster.SeriesPlan {
	horizon := 0 // the service's default, or the series' own on a change
	if r.HorizonWeeks != nil {
		horizon = *r.HorizonWeeks
	}
	return roster.SeriesPlan{Rule: r.Rule, StartTime: r.StartTime, EndTime: r.EndTime, HorizonWeeks: horizon,
		Template: roster.SeriesTemplate{Title: r.Title, Role: roster.Role(r.Role), Places: r.Places,
			QualificationCourseID: r.QualificationCourseID, Notes: r.Notes,
			SignupLead: time.Duration(r.SignupLeadHours) * time.Hour, CancelLead: time.Duration(r.CancelLeadHours) * time.Hour}}
}

type createSeriesRequest struct {
	seriesRequest
	FirstDate string `json:"first_date" binding:"required,max=10"`
}

func (h *handler) createSeries(c *gin.Context) {
	var req createSeriesRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	p := req.plan()
	p.CentreID, p.FirstDate = c.Param("id"), req.FirstDate
	if p.Rule == "" {
		p.Rule = "FREQ=WEEKLY"
	}
	r, err := h.Roster.CreateSeries(c.Request.Context(), caller(c), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toSeriesResult(c, r))
}

type seriesListQuery struct {
	Limit  int    `form:"limit" binding:"omitempty,min=1"`
	Cursor string `form:"cursor" binding:"max=300"`
}

func (h *handler) listCentreSeries(c *gin.Context) {
	var q seriesListQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	p, err := page.New(q.Limit, q.Cursor)
	if err != nil {
		fail(c, err)
		return
	}
	list, next, err := h.Roster.CentreSeries(c.Request.Context(), caller(c), c.Param("id"), p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, list, next, toSeries)
}

type seriesDetailJSON struct {
	seriesJSON
	Shifts []shiftJSON `json:"shifts"`
}

func (h *handler) getSeries(c *gin.Context) {
	se, shifts, err := h.Roster.SeriesDetail(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	out := seriesDetailJSON{seriesJSON: toSeries(se), Shifts: make([]shiftJSON, 0, len(shifts))}
	for _, sh := range shifts {
		out.Shifts = append(out.Shifts, toShift(sh))
	}
	c.JSON(http.StatusOK, out)
}

type changeSeriesRequest struct {
	seriesRequest
	// FromShiftID makes the change "this and following" from that occurrence.
	FromShiftID string `json:"from_shift_id" binding:"max=64"`
}

func (h *handler) updateSeries(c *gin.Context) {
	var req changeSeriesRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	p := req.plan()
	p.FromShiftID = req.FromShiftID
	r, err := h.Roster.ChangeSeries(c.Request.Context(), caller(c), c.Param("id"), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSeriesResult(c, r))
}

type cancelSeriesRequest struct {
	Reason      string `json:"reason" binding:"max=500"`
	FromShiftID string `json:"from_shift_id" binding:"max=64"`
}

type cancelSeriesJSON struct {
	Series    seriesJSON  `json:"series"`
	Cancelled []shiftJSON `json:"cancelled"`
}

func (h *handler) cancelSeries(c *gin.Context) {
	var req cancelSeriesRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	se, shifts, err := h.Roster.CancelSeries(c.Request.Context(), caller(c), c.Param("id"), req.Reason, req.FromShiftID)
	if err != nil {
		fail(c, err)
		return
	}
	out := cancelSeriesJSON{Series: toSeries(se), Cancelled: make([]shiftJSON, 0, len(shifts))}
	for _, sh := range shifts {
		out.Cancelled = append(out.Cancelled, toShift(sh))
	}
	c.JSON(http.StatusOK, out)
}

type removeSeriesJSON struct {
	Deleted   int `json:"deleted"`
	Cancelled int `json:"cancelled"`
}

func (h *handler) removeSeries(c *gin.Context) {
	deleted, cancelled, err := h.Roster.RemoveSeries(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, removeSeriesJSON{Deleted: deleted, Cancelled: cancelled})
}
