package web

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/coverage"
	"ecitizen/internal/export"
	paging "ecitizen/internal/page"
)

// The coverage pages: the ward's dashboard and a centre's coverage, from the
// same coverage service as GET /api/v1/wards/:id/coverage(/trends) and
// /centres/:id/coverage, and their exports with the same bytes as the API's
// (coverage tables written by internal/export).

type staffSkillRow struct {
	Name      string
	Required  bool
	Residents int
}

type staffWeekRow struct {
	Start          time.Time
	NewResidents   int
	NewECitizens   int
	VolunteerHours int // minutes
}

type staffUnfilledRow struct {
	coverage.UnfilledShift
	Centre string
}

type staffDashboardData struct {
	Ward     *coverage.WardSummary
	Wards    []option
	Skills   []staffSkillRow
	Weeks    []staffWeekRow
	Unfilled []staffUnfilledRow
	// Share and Goal are percentages (HasShare, HasGoal when known); Needed the
	// e-citizens still needed for the goal (-1 when unknown).
	Share, Goal       float64
	HasShare, HasGoal bool
	Needed            int
	SkillChart        barChart
	ShareChart        barChart
	ECitizenChart     columnChart
	HoursChart        columnChart
	Tables            []string // names of the tables to export
}

type staffCentreCoverageData struct {
	Centre     *coverage.CentreSummary
	Skills     []staffSkillRow
	SkillChart barChart
	Unfilled   []staffUnfilledRow
	Tables     []string
}

// staffSkillRows names a summary's skills in the reader's language.
func (h *handler) staffSkillRows(v *view, s coverage.Summary) []staffSkillRow {
	fw := h.Coverage.Framework()
	out := make([]staffSkillRow, 0, len(s.Skills))
	for _, sk := range s.Skills {
		r := staffSkillRow{Name: sk.Code, Required: sk.Required, Residents: sk.Residents}
		if def, ok := fw.Skill(sk.Code); ok {
			r.Name = def.Name.Vi
			if v.Lang == "en" && def.Name.En != "" {
				r.Name = def.Name.En
			}
		}
		out = append(out, r)
	}
	return out
}

func staffSkillChart(v *view, rows []staffSkillRow) barChart {
	bars := make([]bar, 0, len(rows))
	for _, r := range rows {
		bars = append(bars, bar{Label: r.Name, Value: float64(r.Residents), Display: v.Num(r.Residents)})
	}
	return newBarChart(v.T("staff.chart_skills"), 0, bars)
}

func (h *handler) staffDashboardPage(c *gin.Context) {
	v := viewOf(c)
	ctx := c.Request.Context()
	w, opts, ok, err := h.staffPickWard(c, v)
	if err != nil {
		h.serverError(c, err)
		return
	}
	if !ok {
		h.notFound(c)
		return
	}
	v.Title = v.T("staff.dashboard_title")
	d := staffDashboardData{Wards: opts, Tables: coverage.WardTables}
	if w == nil {
		v.Data = d
		h.render(c, http.StatusOK, "staff_dashboard", v)
		return
	}
	ws, err := h.Coverage.Ward(ctx, v.Caller, w.ID)
	if err != nil {
		h.pageError(c, err)
		return
	}
	tr, err := h.Coverage.WardTrends(ctx, v.Caller, w.ID)
	if err != nil {
		h.pageError(c, err)
		return
	}
	d.Ward = ws
	d.Skills = h.staffSkillRows(v, ws.Summary)
	d.SkillChart = staffSkillChart(v, d.Skills)
	d.Needed = -1
	if ws.Needed != nil {
		d.Needed = *ws.Needed
	}
	if ws.Goal != nil {
		d.Goal, d.HasGoal = *ws.Goal, true
	}
	if ws.Share != nil {
		d.Share, d.HasShare = *ws.Share, true
		bars := []bar{{Label: v.T("staff.share_now"), Value: *ws.Share, Display: v.Num(*ws.Share) + " %"}}
		if ws.Goal != nil {
			bars = append(bars, bar{Label: v.T("staff.share_goal"), Value: *ws.Goal, Display: v.Num(*ws.Goal) + " %"})
		}
		d.ShareChart = newBarChart(v.T("staff.chart_share"), 100, bars)
	}
	var ec, hrs []column
	for _, wk := range tr.Weeks {
		d.Weeks = append(d.Weeks, staffWeekRow(wk))
		ec = append(ec, column{Label: v.Date(wk.Start), Value: float64(wk.NewECitizens), Display: v.Num(wk.NewECitizens)})
		hrs = append(hrs, column{Label: v.Date(wk.Start), Value: float64(wk.VolunteerHours) / 60, Display: v.Hours(wk.VolunteerHours)})
	}
	d.ECitizenChart = newColumnChart(v.T("staff.chart_ecitizens"), v.T("chart.empty"), ec, func(f float64) string { return v.Num(int(f)) })
	d.HoursChart = newColumnChart(v.T("staff.chart_hours"), v.T("chart.empty"), hrs, func(f float64) string { return v.Num(f) })
	// Upcoming shifts with open places, from each centre's coverage.
	p, _ := paging.New(paging.MaxLimit, "")
	cs, _, err := h.Directory.Centres(ctx, v.Caller, w.ID, p)
	if err != nil {
		h.serverError(c, err)
		return
	}
	for _, ce := range cs {
		if !ce.Active {
			continue
		}
		x, err := h.Coverage.Centre(ctx, v.Caller, ce.ID)
		if err != nil {
			h.pageError(c, err)
			return
		}
		for _, u := range x.Unfilled {
			d.Unfilled = append(d.Unfilled, staffUnfilledRow{UnfilledShift: u, Centre: ce.Name})
		}
	}
	slices.SortFunc(d.Unfilled, func(a, b staffUnfilledRow) int { return cmp.Compare(a.StartsAt.UnixNano(), b.StartsAt.UnixNano()) })
	v.Data = d
	h.render(c, http.StatusOK, "staff_dashboard", v)
}

func (h *handler) staffCentreCoveragePage(c *gin.Context) {
	v := viewOf(c)
	x, err := h.Coverage.Centre(c.Request.Context(), v.Caller, c.Param("id"))
	if err != nil {
		h.pageError(c, err)
		return
	}
	d := staffCentreCoverageData{Centre: x, Skills: h.staffSkillRows(v, x.Summary), Tables: coverage.CentreTables}
	d.SkillChart = staffSkillChart(v, d.Skills)
	for _, u := range x.Unfilled {
		d.Unfilled = append(d.Unfilled, staffUnfilledRow{UnfilledShift: u, Centre: x.Centre.Name})
	}
	v.Title = v.T("staff.coverage_of", "Name", x.Centre.Name)
	v.Data = d
	h.render(c, http.StatusOK, "staff_coverage", v)
}

// staffExportQuery reads format and table as the API's bindExport does: a CSV file
// holds one table; a workbook all of them or the one named.
func staffExportQuery(c *gin.Context, tables []string) (export.Format, []string, bool) {
	f, ok := export.ParseFormat(c.Query("format"))
	if !ok {
		return "", nil, false
	}
	t := c.Query("table")
	if t != "" && !slices.Contains(tables, t) {
		return "", nil, false
	}
	if f == export.CSV && t == "" {
		return "", nil, false
	}
	if t == "" {
		return f, nil, true
	}
	return f, []string{t}, true
}

func (h *handler) staffWardExport(c *gin.Context) {
	v := viewOf(c)
	ctx := c.Request.Context()
	format, names, ok := staffExportQuery(c, coverage.WardTables)
	if !ok {
		h.refuse(c, http.StatusBadRequest, "staff.export_bad")
		return
	}
	id := c.Param("id")
	w, err := h.Coverage.Ward(ctx, v.Caller, id)
	if err != nil {
		h.pageError(c, err)
		return
	}
	tr, err := h.Coverage.WardTrends(ctx, v.Caller, id)
	if err != nil {
		h.pageError(c, err)
		return
	}
	h.sendTables(c, export.Name("ward-"+w.Ward.Code, names), format, v.Lang, h.Coverage.WardTables(w, tr, v.Lang, names...))
}

func (h *handler) staffCentreExport(c *gin.Context) {
	v := viewOf(c)
	format, names, ok := staffExportQuery(c, coverage.CentreTables)
	if !ok {
		h.refuse(c, http.StatusBadRequest, "staff.export_bad")
		return
	}
	x, err := h.Coverage.Centre(c.Request.Context(), v.Caller, c.Param("id"))
	if err != nil {
		h.pageError(c, err)
		return
	}
	h.sendTables(c, export.Name("centre", names), format, v.Lang, h.Coverage.CentreTables(x, v.Lang, names...))
}
