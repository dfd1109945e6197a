package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/export"
)

// The admin's targets page and the district overview with its exports (the
// API's targets.go and coverage.go).

type adminTargetRow struct {
	ID, Code, Name  string
	Adults, Holds   string // the stored figures, "" when none
	AdultsF, HoldsF string // the fields' names
}

type adminTargetsData struct {
	Year  int
	Years []option
	Share string
	Rows  []adminTargetRow
}

// adminYearOf reads ?year= (or the form's year), the current year by default.
func adminYearOf(s string) int {
	y, err := strconv.Atoi(s)
	if err != nil || y < directory.MinTargetYear || y > directory.MaxTargetYear {
		return time.Now().In(zone).Year()
	}
	return y
}

func (h *handler) adminLoadTargets(c *gin.Context, v *view, year int) error {
	ctx := c.Request.Context()
	ws, err := h.allWards(ctx, directory.WardFilter{})
	if err != nil {
		return err
	}
	ts, err := h.Directory.TargetsOfYear(ctx, year)
	if err != nil {
		return err
	}
	byWard := map[string]*directory.WardTarget{}
	for _, t := range ts {
		byWard[t.WardID] = t
	}
	d := adminTargetsData{Year: year}
	now := time.Now().In(zone).Year()
	for y := now - 1; y <= now+5; y++ {
		d.Years = append(d.Years, option{strconv.Itoa(y), strconv.Itoa(y)})
	}
	if dt, ok, err := h.Directory.DistrictTargetFor(ctx, year); err != nil {
		return err
	} else if ok {
		d.Share = strconv.FormatFloat(dt.EcitizenSharePercent, 'f', -1, 64)
	}
	for _, w := range ws {
		if w.Status != directory.WardActive {
			continue
		}
		r := adminTargetRow{ID: w.ID, Code: w.Code, Name: v.WardName(w), AdultsF: "adult_population." + w.ID, HoldsF: "households." + w.ID}
		if t := byWard[w.ID]; t != nil {
			r.Adults, r.Holds = strconv.Itoa(t.AdultPopulation), strconv.Itoa(t.Households)
		}
		d.Rows = append(d.Rows, r)
	}
	v.Data = d
	v.Title = v.T("admin.targets.title")
	return nil
}

func (h *handler) adminTargets(c *gin.Context) {
	v := viewOf(c)
	if err := h.adminLoadTargets(c, v, adminYearOf(c.Query("year"))); err != nil {
		h.serverError(c, err)
		return
	}
	h.render(c, http.StatusOK, "admin_targets", v)
}

// adminSaveTargets stores the district's goal and each ward's figures typed in
// (a ward left blank is left as it was), as PUT /district/targets/:year and PUT
// /wards/:id/targets/:year do.
func (h *handler) adminSaveTargets(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	ctx := c.Request.Context()
	year, err := strconv.Atoi(c.PostForm("year"))
	if err != nil {
		year = 0
	}
	if lerr := h.adminLoadTargets(c, v, adminYearOf(c.PostForm("year"))); lerr != nil {
		h.serverError(c, lerr)
		return
	}
	d := v.Data.(adminTargetsData)
	err = func() error {
		if s := strings.TrimSpace(c.PostForm("ecitizen_share_percent")); s != "" {
			p, perr := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
			if perr != nil {
				return apperr.Invalid("ecitizen_share_percent", "number", "Hãy nhập một số (ví dụ 60 hoặc 62,5).", "Enter a number (for example 60 or 62.5).")
			}
			if _, err := h.Directory.SetDistrictTarget(ctx, v.Caller, directory.DistrictTarget{Year: year, EcitizenSharePercent: p}); err != nil {
				return err
			}
		}
		for _, r := range d.Rows {
			if strings.TrimSpace(c.PostForm(r.AdultsF)) == "" && strings.TrimSpace(c.PostForm(r.HoldsF)) == "" {
				continue
			}
			a, err := adminInt(c, r.AdultsF)
			if err != nil {
				return err
			}
			hh, err := adminInt(c, r.HoldsF)
			if err != nil {
				return err
			}
			if _, err := h.Directory.SetWardTarget(ctx, v.Caller, directory.WardTarget{WardID: r.ID, Year: year, AdultPopulation: a, Households: hh}); err != nil {
				if e := apperr.As(err); e != nil {
					e = renameField(e, "adult_population", r.AdultsF)
					return renameField(e, "households", r.HoldsF)
				}
				return err
			}
		}
		return nil
	}()
	if err != nil {
		h.fail(c, "admin_targets", v, err)
		return
	}
	h.redirect(c, "/admin/targets?year="+strconv.Itoa(year), "admin.flash.targets_saved")
}

// ---- District overview ----

type adminRankRow struct {
	Rank      int
	ID, Name  string
	Share     string // "" without a target
	ECitizens int
	Adults    int
	Needed    string
	Reached   int
	Minutes   int
}

type adminUnfilled struct {
	Centre     string
	StartsAt   time.Time
	EndsAt     time.Time
	OpenPlaces int
	Places     int
}

type adminLack struct {
	Name      string
	Residents int
}

type adminDistrictData struct {
	O        *coverage.Overview
	Goal     string
	Ranking  barChart
	Rows     []adminRankRow
	Below    []adminRankRow
	Trends   []columnChart
	Weeks    []coverage.Week
	Unfilled []adminUnfilled
	Lacking  []adminLack
	Exports  []option // table name, label
}

func (h *handler) adminRankRows(v *view, rows []coverage.WardRow) []adminRankRow {
	var out []adminRankRow
	for _, r := range rows {
		x := adminRankRow{Rank: r.Rank, ID: r.Ward.ID, Name: v.WardName(r.Ward), ECitizens: r.Summary.Residents.ECitizens,
			Reached: r.Summary.Residents.Reached, Minutes: r.Summary.Hours.Minutes}
		if r.Share != nil {
			x.Share = v.Num(*r.Share) + " %"
		}
		if r.Target != nil {
			x.Adults = r.Target.AdultPopulation
		}
		if r.Needed != nil {
			x.Needed = v.Num(*r.Needed)
		}
		out = append(out, x)
	}
	return out
}

func (h *handler) adminDistrict(c *gin.Context) {
	v := viewOf(c)
	ctx := c.Request.Context()
	o, err := h.Coverage.District(ctx, v.Caller)
	if err != nil {
		h.serverError(c, err)
		return
	}
	tr, err := h.Coverage.DistrictTrends(ctx, v.Caller)
	if err != nil {
		h.serverError(c, err)
		return
	}
	d := adminDistrictData{O: o, Weeks: tr.Weeks, Rows: h.adminRankRows(v, o.Wards), Below: h.adminRankRows(v, o.BelowTarget)}
	if o.Goal != nil {
		d.Goal = v.Num(*o.Goal) + " %"
	}
	var bars []bar
	for _, r := range o.Wards {
		b := bar{Label: v.WardName(r.Ward), Display: v.T("admin.district.no_target")}
		if r.Share != nil {
			b.Value, b.Display = *r.Share, v.Num(*r.Share)+" %"
		}
		bars = append(bars, b)
	}
	d.Ranking = newBarChart(v.T("admin.district.ranking_chart"), 100, bars)
	series := []struct {
		title string
		get   func(coverage.Week) float64
		show  func(float64) string
	}{
		{v.T("admin.district.trend_residents"), func(w coverage.Week) float64 { return float64(w.NewResidents) }, func(x float64) string { return v.Num(int(x)) }},
		{v.T("admin.district.trend_ecitizens"), func(w coverage.Week) float64 { return float64(w.NewECitizens) }, func(x float64) string { return v.Num(int(x)) }},
		{v.T("admin.district.trend_hours"), func(w coverage.Week) float64 { return float64(w.VolunteerHours) / 60 }, func(x float64) string { return v.Num(x) }},
	}
	for _, s := range series {
		var cols []column
		for _, w := range tr.Weeks {
			cols = append(cols, column{Label: v.Date(w.Start), Value: s.get(w), Display: s.show(s.get(w))})
		}
		d.Trends = append(d.Trends, newColumnChart(s.title, v.T("chart.empty"), cols, s.show))
	}
	names := h.adminCentreNames(c, o)
	for _, u := range o.Unfilled {
		d.Unfilled = append(d.Unfilled, adminUnfilled{Centre: names[u.CentreID], StartsAt: u.StartsAt, EndsAt: u.EndsAt, OpenPlaces: u.OpenPlaces, Places: u.Places})
	}
	fw := h.Coverage.Framework()
	for _, l := range o.Lacking {
		name := l.SkillCode
		if def, ok := fw.Skill(l.SkillCode); ok {
			name = def.Name.Vi
			if v.Lang == "en" {
				name = def.Name.En
			}
		}
		d.Lacking = append(d.Lacking, adminLack{Name: name, Residents: l.Residents})
	}
	for _, t := range coverage.DistrictTables {
		d.Exports = append(d.Exports, option{t, v.T(adminExportMsg[t])})
	}
	v.Data, v.Title = d, v.T("admin.district.title")
	h.render(c, http.StatusOK, "admin_district", v)
}

// adminExportMsg names each district table.
var adminExportMsg = map[string]string{
	coverage.TableWards: "admin.export.wards", coverage.TableBelowTarget: "admin.export.below_target",
	coverage.TableUnfilled: "admin.export.unfilled", coverage.TableLacking: "admin.export.lacking",
	coverage.TableSummary: "admin.export.summary", coverage.TableSkills: "admin.export.skills", coverage.TableTrends: "admin.export.trends",
}

// adminCentreNames names the centres of the overview's unfilled shifts, as the
// API's district export does.
func (h *handler) adminCentreNames(c *gin.Context, o *coverage.Overview) map[string]string {
	centres := map[string]string{}
	for _, u := range o.Unfilled {
		if _, ok := centres[u.CentreID]; ok {
			continue
		}
		if ce, err := h.Directory.Centre(c.Request.Context(), viewOf(c).Caller, u.CentreID); err == nil {
			centres[u.CentreID] = ce.Name
		} else {
			centres[u.CentreID] = ""
		}
	}
	return centres
}

// adminDistrictExport answers the district's tables as GET
// /district/coverage/export does: a CSV file of one table or an XLSX workbook,
// headers in the reader's language unless ?lang= says otherwise.
func (h *handler) adminDistrictExport(c *gin.Context) {
	v := viewOf(c)
	format, ok := export.ParseFormat(c.Query("format"))
	table := c.Query("table")
	lang := c.Query("lang")
	if lang != "vi" && lang != "en" {
		lang = v.Lang
	}
	if !ok || (table != "" && !slices.Contains(coverage.DistrictTables, table)) || (format == export.CSV && table == "") {
		h.notFound(c)
		return
	}
	ctx := c.Request.Context()
	o, err := h.Coverage.District(ctx, v.Caller)
	if err != nil {
		h.serverError(c, err)
		return
	}
	tr, err := h.Coverage.DistrictTrends(ctx, v.Caller)
	if err != nil {
		h.serverError(c, err)
		return
	}
	var names []string
	name := "district"
	if table != "" {
		names = []string{table}
		name = "district-" + strings.ReplaceAll(table, "_", "-")
	}
	tables := h.Coverage.DistrictTables(o, tr, h.adminCentreNames(c, o), lang, names...)
	h.sendTables(c, name, format, lang, tables)
}
