package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/coverage"
	"ecitizen/internal/export"
)

// Coverage: ward and centre summaries, the district overview and weekly trends.

type residentsJSON struct {
	Registered int `json:"registered"`
	Erased     int `json:"erased"`
	ECitizens  int `json:"ecitizens"`
	Reached    int `json:"reached"`
}

type skillCountJSON struct {
	Code      string `json:"code"`
	NameVi    string `json:"name_vi"`
	NameEn    string `json:"name_en"`
	Required  bool   `json:"required"`
	Residents int    `json:"residents"`
}

type helpedJSON struct {
	Last7Days  int `json:"last_7_days"`
	Last30Days int `json:"last_30_days"`
}

type trainingJSON struct {
	Sessions int `json:"sessions"`
	Enrolled int `json:"enrolled"`
	Attended int `json:"attended"`
	Absent   int `json:"absent"`
}

type coverageHoursJSON struct {
	Minutes    int `json:"minutes"`
	Volunteers int `json:"volunteers"`
}

type shiftCountsJSON struct {
	Offered int `json:"offered"`
	Filled  int `json:"filled"`
	Places  int `json:"places"`
	Booked  int `json:"booked"`
	NoShows int `json:"no_shows"`
}

type upcomingJSON struct {
	Shifts     int `json:"shifts"`
	Places     int `json:"places"`
	Booked     int `json:"booked"`
	OpenPlaces int `json:"open_places"`
	Unfilled   int `json:"unfilled"`
}

type usageCountJSON struct {
	Purpose  string `json:"purpose"`
	Sessions int    `json:"sessions"`
	Minutes  int    `json:"minutes"`
}

type summaryJSON struct {
	AsOf      time.Time         `json:"as_of"`
	Residents residentsJSON     `json:"residents"`
	Skills    []skillCountJSON  `json:"skills"`
	Helped    helpedJSON        `json:"helped"`
	Training  trainingJSON      `json:"training"`
	Hours     coverageHoursJSON `json:"volunteer_hours"`
	Shifts    shiftCountsJSON   `json:"shifts"`
	Upcoming  upcomingJSON      `json:"upcoming"`
	Equipment []usageCountJSON  `json:"equipment"`
}

type targetJSON struct {
	AdultPopulation int `json:"adult_population"`
	Households      int `json:"households"`
}

type wardSummaryJSON struct {
	WardID       string      `json:"ward_id"`
	WardCode     string      `json:"ward_code"`
	NameVi       string      `json:"name_vi"`
	NameEn       string      `json:"name_en"`
	Status       string      `json:"status"`
	Merged       []string    `json:"merged_ward_ids"`
	Year         int         `json:"year"`
	Target       *targetJSON `json:"target"`
	SharePercent *float64    `json:"share_percent"`
	GoalPercent  *float64    `json:"goal_percent"`
	Needed       *int        `json:"ecitizens_needed"`
	Summary      summaryJSON `json:"summary"`
}

type unfilledJSON struct {
	ShiftID    string    `json:"shift_id"`
	CentreID   string    `json:"centre_id"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
	Places     int       `json:"places"`
	Booked     int       `json:"booked"`
	OpenPlaces int       `json:"open_places"`
}

type centreSummaryJSON struct {
	CentreID string         `json:"centre_id"`
	WardID   string         `json:"ward_id"`
	Name     string         `json:"name"`
	Summary  summaryJSON    `json:"summary"`
	Unfilled []unfilledJSON `json:"unfilled_shifts"`
}

type wardRowJSON struct {
	Rank int             `json:"rank"`
	Ward wardSummaryJSON `json:"ward"`
}

type lackJSON struct {
	Code      string `json:"code"`
	NameVi    string `json:"name_vi"`
	NameEn    string `json:"name_en"`
	Residents int    `json:"residents"`
}

type overviewJSON struct {
	AsOf        time.Time      `json:"as_of"`
	Year        int            `json:"year"`
	GoalPercent *float64       `json:"goal_percent"`
	Total       summaryJSON    `json:"total"`
	Wards       []wardRowJSON  `json:"wards"`
	BelowTarget []wardRowJSON  `json:"below_target"`
	Unfilled    []unfilledJSON `json:"unfilled_shifts"`
	Lacking     []lackJSON     `json:"skills_lacking"`
}

type weekJSON struct {
	WeekStart      string `json:"week_start"`
	NewResidents   int    `json:"new_residents"`
	NewECitizens   int    `json:"new_ecitizens"`
	VolunteerHours int    `json:"volunteer_minutes"`
}

type trendsJSON struct {
	WardID string     `json:"ward_id,omitempty"`
	Merged []string   `json:"merged_ward_ids"`
	Weeks  []weekJSON `json:"weeks"`
}

func (h *handler) summaryJSON(s coverage.Summary) summaryJSON {
	out := summaryJSON{AsOf: s.AsOf, Residents: residentsJSON(s.Residents), Helped: helpedJSON(s.Helped),
		Training: trainingJSON(s.Training), Hours: coverageHoursJSON(s.Hours), Shifts: shiftCountsJSON(s.Shifts),
		Upcoming: upcomingJSON(s.Upcoming), Skills: []skillCountJSON{}, Equipment: []usageCountJSON{}}
	fw := h.Coverage.Framework()
	for _, sk := range s.Skills {
		x := skillCountJSON{Code: sk.Code, Required: sk.Required, Residents: sk.Residents}
		if def, ok := fw.Skill(sk.Code); ok {
			x.NameVi, x.NameEn = def.Name.Vi, def.Name.En
		}
		out.Skills = append(out.Skills, x)
	}
	for _, u := range s.Equipment {
		out.Equipment = append(out.Equipment, usageCountJSON(u))
	}
	return out
}

func (h *handler) wardSummaryJSON(w *coverage.WardSummary) wardSummaryJSON {
	out := wardSummaryJSON{WardID: w.Ward.ID, WardCode: w.Ward.Code, NameVi: w.Ward.NameVi, NameEn: w.Ward.NameEn,
		Status: string(w.Ward.Status), Merged: append([]string{}, w.Merged...), Year: w.Year,
		SharePercent: w.Share, GoalPercent: w.Goal, Needed: w.Needed, Summary: h.summaryJSON(w.Summary)}
	if w.Target != nil {
		out.Target = &targetJSON{AdultPopulation: w.Target.AdultPopulation, Households: w.Target.Households}
	}
	return out
}

func unfilledList(us []coverage.UnfilledShift) []unfilledJSON {
	out := make([]unfilledJSON, 0, len(us))
	for _, u := range us {
		out = append(out, unfilledJSON(u))
	}
	return out
}

func (h *handler) wardCoverage(c *gin.Context) {
	w, err := h.Coverage.Ward(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h.wardSummaryJSON(w))
}

func (h *handler) centreCoverage(c *gin.Context) {
	x, err := h.Coverage.Centre(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, centreSummaryJSON{CentreID: x.Centre.ID, WardID: x.Centre.WardID, Name: x.Centre.Name,
		Summary: h.summaryJSON(x.Summary), Unfilled: unfilledList(x.Unfilled)})
}

func (h *handler) overviewJSON(o *coverage.Overview) overviewJSON {
	out := overviewJSON{AsOf: o.AsOf, Year: o.Year, GoalPercent: o.Goal, Total: h.summaryJSON(o.Total),
		Wards: []wardRowJSON{}, BelowTarget: []wardRowJSON{}, Unfilled: unfilledList(o.Unfilled), Lacking: []lackJSON{}}
	for _, r := range o.Wards {
		out.Wards = append(out.Wards, wardRowJSON{Rank: r.Rank, Ward: h.wardSummaryJSON(&r.WardSummary)})
	}
	for _, r := range o.BelowTarget {
		out.BelowTarget = append(out.BelowTarget, wardRowJSON{Rank: r.Rank, Ward: h.wardSummaryJSON(&r.WardSummary)})
	}
	fw := h.Coverage.Framework()
	for _, l := range o.Lacking {
		x := lackJSON{Code: l.SkillCode, Residents: l.Residents}
		if def, ok := fw.Skill(l.SkillCode); ok {
			x.NameVi, x.NameEn = def.Name.Vi, def.Name.En
		}
		out.Lacking = append(out.Lacking, x)
	}
	return out
}

func (h *handler) districtCoverage(c *gin.Context) {
	o, err := h.Coverage.District(c.Request.Context(), caller(c))
	if err != nil {
		fail(c, err)
		return
	}
	body, err := h.district.body(o, h.overviewJSON)
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// renderedOverview is the JSON of the last district overview rendered, with
// every "as_of" left at the zero time. An overview of the same Version has the
// same figures (coverage.Overview), so its JSON is that one with "as_of" set:
// about 100 KB for a district, rendered once per change, not per request.
type renderedOverview struct {
	mu      sync.Mutex
	version uint64
	json    []byte
}

// zeroAsOf is how "as_of" reads in the rendered JSON.
var zeroAsOf = []byte(`"as_of":"0001-01-01T00:00:00Z"`)

// body returns the JSON of o, as json.Marshal of render(o) gives it.
func (r *renderedOverview) body(o *coverage.Overview, render func(*coverage.Overview) overviewJSON) ([]byte, error) {
	r.mu.Lock()
	version, body := r.version, r.json
	r.mu.Unlock()
	if body == nil || version != o.Version {
		x := render(o)
		x.AsOf, x.Total.AsOf = time.Time{}, time.Time{}
		for _, rows := range [][]wardRowJSON{x.Wards, x.BelowTarget} {
			for i := range rows {
				rows[i].Ward.Summary.AsOf = time.Time{}
			}
		}
		var err error
		if body, err = json.Marshal(x); err != nil {
			return nil, err
		}
		r.mu.Lock()
		r.version, r.json = o.Version, body
		r.mu.Unlock()
	}
	asOf, err := json.Marshal(o.AsOf)
	if err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(body, zeroAsOf, append([]byte(`"as_of":`), asOf...)), nil
}

func trendsOut(t *coverage.Trends) trendsJSON {
	out := trendsJSON{WardID: t.WardID, Merged: append([]string{}, t.Merged...), Weeks: make([]weekJSON, 0, len(t.Weeks))}
	for _, w := range t.Weeks {
		out.Weeks = append(out.Weeks, weekJSON{WeekStart: w.Start.Format(time.DateOnly), NewResidents: w.NewResidents,
			NewECitizens: w.NewECitizens, VolunteerHours: w.VolunteerHours})
	}
	return out
}

func (h *handler) wardTrends(c *gin.Context) {
	t, err := h.Coverage.WardTrends(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, trendsOut(t))
}

func (h *handler) districtTrends(c *gin.Context) {
	t, err := h.Coverage.DistrictTrends(c.Request.Context(), caller(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, trendsOut(t))
}

// coverageExportQuery is the query of the coverage exports; each route checks
// the table against its own list.
type coverageExportQuery struct {
	Format string `form:"format" binding:"required,oneof=csv xlsx"`
	Table  string `form:"table"`
	Lang   string `form:"lang" binding:"omitempty,oneof=vi en"`
}

// bindExport binds the query and checks table against tables; CSV needs one.
func bindExport(c *gin.Context, tables []string) (coverageExportQuery, export.Format, []string, error) {
	var q coverageExportQuery
	if err := bindQuery(c, &q); err != nil {
		return q, "", nil, err
	}
	list := strings.Join(tables, ", ")
	if q.Table != "" && !slices.Contains(tables, q.Table) {
		return q, "", nil, apperr.Invalid("table", "oneof", "Bảng là một trong: "+list+".", "The table is one of: "+list+".")
	}
	format, _ := export.ParseFormat(q.Format)
	if format == export.CSV && q.Table == "" {
		return q, "", nil, apperr.Invalid("table", "required", "Tệp CSV chứa một bảng: hãy chọn table ("+list+").",
			"A CSV file holds one table: choose table ("+list+").")
	}
	var names []string
	if q.Table != "" {
		names = []string{q.Table}
	}
	return q, format, names, nil
}

// sendExport writes tables as the file of format, named after the local day
// (Asia/Ho_Chi_Minh), built whole before the first byte is sent (a failure is a
// problem answer, never half a file).
func (h *handler) sendExport(c *gin.Context, name string, format export.Format, lang string, tables []export.Table) {
	var buf bytes.Buffer
	if err := export.Write(&buf, format, tables, lang); err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", export.ContentDisposition(export.FileName(name, time.Now().In(seriesZone), format)))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, format.ContentType(), buf.Bytes())
}

func (h *handler) exportWardCoverage(c *gin.Context) {
	q, format, names, err := bindExport(c, coverage.WardTables)
	if err != nil {
		fail(c, err)
		return
	}
	ctx, who := c.Request.Context(), caller(c)
	w, err := h.Coverage.Ward(ctx, who, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	tr, err := h.Coverage.WardTrends(ctx, who, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	h.sendExport(c, export.Name("ward-"+w.Ward.Code, names), format, q.Lang, h.Coverage.WardTables(w, tr, q.Lang, names...))
}

func (h *handler) exportCentreCoverage(c *gin.Context) {
	q, format, names, err := bindExport(c, coverage.CentreTables)
	if err != nil {
		fail(c, err)
		return
	}
	x, err := h.Coverage.Centre(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	h.sendExport(c, export.Name("centre", names), format, q.Lang, h.Coverage.CentreTables(x, q.Lang, names...))
}

func (h *handler) exportDistrictCoverage(c *gin.Context) {
	q, format, names, err := bindExport(c, coverage.DistrictTables)
	if err != nil {
		fail(c, err)
		return
	}
	ctx, who := c.Request.Context(), caller(c)
	o, err := h.Coverage.District(ctx, who)
	if err != nil {
		fail(c, err)
		return
	}
	tr, err := h.Coverage.DistrictTrends(ctx, who)
	if err != nil {
		fail(c, err)
		return
	}
	centres := map[string]string{}
	for _, u := range o.Unfilled {
		if _, ok := centres[u.CentreID]; ok {
			continue
		}
		if ce, err := h.Directory.Centre(ctx, who, u.CentreID); err == nil {
			centres[u.CentreID] = ce.Name
		} else {
			centres[u.CentreID] = ""
		}
	}
	h.sendExport(c, export.Name("district", names), format, q.Lang, h.Coverage.DistrictTables(o, tr, centres, q.Lang, names...))
}
