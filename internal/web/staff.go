package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/course"
	"ecitizen/internal/directory"
	paging "ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// The ward staff's pages (admins see every ward, staff their own): centres and
// their opening hours, shifts and weekly series, the roster of a shift, the
// centre's check-in screen and the ward's coverage dashboard. Scope is the
// services' (as in internal/httpapi's directory.go, roster.go, series.go,
// attendance.go, noshow.go and coverage.go): a ward, centre or shift outside the
// reader's wards is not found.

// staffForms gives each of several forms on one page the view it renders with:
// the submitted one keeps what was typed and its problems, the others are blank.
type staffForms struct {
	v      *view
	active string
	blank  *view
}

func newStaffForms(v *view, active string) staffForms {
	b := *v
	b.Form = &form{Values: url.Values{}, Errors: map[string]string{}}
	return staffForms{v: v, active: active, blank: &b}
}

// For is the view form key renders with.
func (f staffForms) For(key string) *view {
	if key == f.active {
		return f.v
	}
	return f.blank
}

// staffPickWard chooses the ward of a page from the query's "ward" (the first of the
// reader's wards when none); ok is false for a ward outside them.
func (h *handler) staffPickWard(c *gin.Context, v *view) (*directory.Ward, []option, bool, error) {
	ws, err := h.managedWards(c.Request.Context(), v)
	if err != nil {
		return nil, nil, false, err
	}
	want := c.Query("ward")
	var chosen *directory.Ward
	opts := make([]option, 0, len(ws))
	for _, w := range ws {
		opts = append(opts, option{Value: w.ID, Label: v.WardName(w)})
		if w.ID == want || (want == "" && chosen == nil) {
			chosen = w
		}
	}
	if want != "" && (chosen == nil || chosen.ID != want) {
		return nil, opts, false, nil
	}
	return chosen, opts, true, nil
}

// ---- /staff/centres ----

type staffCentresData struct {
	Ward    *directory.Ward
	Wards   []option
	Centres []*directory.Centre
	Days    []staffDay
}

// staffDay is one weekday of the opening-hours form: its key (the API's) and name.
type staffDay struct {
	Key     string
	Label   string
	Weekday time.Weekday
}

var staffDayKeys = []struct {
	key string
	wd  time.Weekday
}{{"mon", time.Monday}, {"tue", time.Tuesday}, {"wed", time.Wednesday}, {"thu", time.Thursday},
	{"fri", time.Friday}, {"sat", time.Saturday}, {"sun", time.Sunday}}

func (v *view) staffDays() []staffDay {
	out := make([]staffDay, 0, 7)
	for _, d := range staffDayKeys {
		out = append(out, staffDay{Key: d.key, Label: v.T("weekday." + strconv.Itoa(int(d.wd))), Weekday: d.wd})
	}
	return out
}

// staffSpans is the number of opening spans per day the form offers.
const staffSpans = 2

func (h *handler) staffCentresPage(c *gin.Context) {
	v := viewOf(c)
	// A new centre's form starts open Monday to Saturday, 08:00 to 17:00.
	for _, d := range staffDayKeys[:6] {
		v.Form.Values.Set("hours_"+d.key+"_open1", "08:00")
		v.Form.Values.Set("hours_"+d.key+"_close1", "17:00")
	}
	h.showStaffCentres(c, v, http.StatusOK)
}

func (h *handler) loadStaffCentres(c *gin.Context, v *view) (bool, error) {
	w, opts, ok, err := h.staffPickWard(c, v)
	if err != nil || !ok {
		return ok, err
	}
	d := staffCentresData{Ward: w, Wards: opts, Days: v.staffDays()}
	if w != nil {
		p, _ := paging.New(paging.MaxLimit, "")
		cs, _, err := h.Directory.Centres(c.Request.Context(), v.Caller, w.ID, p)
		if err != nil {
			return false, err
		}
		d.Centres = cs
	}
	v.Title = v.T("staff.centres_title")
	v.Data = d
	return true, nil
}

func (h *handler) showStaffCentres(c *gin.Context, v *view, status int) {
	ok, err := h.loadStaffCentres(c, v)
	if err != nil {
		h.serverError(c, err)
		return
	}
	if !ok {
		h.notFound(c)
		return
	}
	h.render(c, status, "staff_centres", v)
}

// staffHoursFromForm reads the opening hours form: for each day, up to staffSpans
// spans "hours_<day>_open<n>" / "hours_<day>_close<n>"; a span left empty is none.
func staffHoursFromForm(c *gin.Context) directory.OpeningHours {
	day := func(key string) []directory.Span {
		var out []directory.Span
		for n := 1; n <= staffSpans; n++ {
			o := strings.TrimSpace(c.PostForm("hours_" + key + "_open" + strconv.Itoa(n)))
			cl := strings.TrimSpace(c.PostForm("hours_" + key + "_close" + strconv.Itoa(n)))
			if o == "" && cl == "" {
				continue
			}
			out = append(out, directory.Span{Open: o, Close: cl})
		}
		return out
	}
	return directory.OpeningHours{Mon: day("mon"), Tue: day("tue"), Wed: day("wed"), Thu: day("thu"),
		Fri: day("fri"), Sat: day("sat"), Sun: day("sun")}
}

// staffHoursValues puts a centre's opening hours into form values, for the edit form.
func staffHoursValues(vals url.Values, hrs directory.OpeningHours) {
	for _, d := range staffDayKeys {
		for i, s := range hrs.Day(d.wd) {
			if i >= staffSpans {
				break
			}
			n := strconv.Itoa(i + 1)
			vals.Set("hours_"+d.key+"_open"+n, s.Open)
			vals.Set("hours_"+d.key+"_close"+n, s.Close)
		}
	}
}

// staffSeatsOf reads the seats field; a malformed number is a field problem.
func staffSeatsOf(c *gin.Context) (int, error) {
	s := strings.TrimSpace(c.PostForm("seats"))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.Invalid("seats", "number", "Số chỗ ngồi phải là một số.", "Seats must be a number.")
	}
	return n, nil
}

func (h *handler) createStaffCentre(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	wardID := c.PostForm("ward_id")
	q := c.Request.URL.Query()
	q.Set("ward", wardID)
	c.Request.URL.RawQuery = q.Encode()
	ok, err := h.loadStaffCentres(c, v)
	if err != nil {
		h.serverError(c, err)
		return
	}
	if !ok {
		h.notFound(c)
		return
	}
	seats, err := staffSeatsOf(c)
	if err == nil {
		_, err = h.Directory.CreateCentre(c.Request.Context(), v.Caller, directory.Centre{
			WardID: wardID, Name: c.PostForm("name"), Address: c.PostForm("address"), Hours: staffHoursFromForm(c), Seats: seats, Active: true})
	}
	if err != nil {
		h.fail(c, "staff_centres", v, err)
		return
	}
	h.redirect(c, "/staff/centres?ward="+url.QueryEscape(wardID), "flash.staff_centre_created")
}

// ---- /staff/centres/:id/edit ----

type staffCentreEditData struct {
	Centre *directory.Centre
	Days   []staffDay
}

// staffManagedCentre loads a centre of the reader's wards; others are not found.
func (h *handler) staffManagedCentre(c *gin.Context, v *view) (*directory.Centre, error) {
	ce, err := h.Directory.Centre(c.Request.Context(), v.Caller, c.Param("id"))
	if err != nil {
		return nil, err
	}
	if !v.Caller.HasWard(ce.WardID) {
		return nil, apperr.ErrNotFound
	}
	return ce, nil
}

func (h *handler) staffCentreEditPage(c *gin.Context) {
	v := viewOf(c)
	ce, err := h.staffManagedCentre(c, v)
	if err != nil {
		h.pageError(c, err)
		return
	}
	v.Form.Values.Set("name", ce.Name)
	v.Form.Values.Set("address", ce.Address)
	v.Form.Values.Set("seats", strconv.Itoa(ce.Seats))
	if ce.Active {
		v.Form.Values.Set("active", "1")
	}
	staffHoursValues(v.Form.Values, ce.Hours)
	v.Title = ce.Name
	v.Data = staffCentreEditData{Centre: ce, Days: v.staffDays()}
	h.render(c, http.StatusOK, "staff_centre_edit", v)
}

func (h *handler) updateStaffCentre(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	ce, err := h.staffManagedCentre(c, v)
	if err != nil {
		h.pageError(c, err)
		return
	}
	v.Title = ce.Name
	v.Data = staffCentreEditData{Centre: ce, Days: v.staffDays()}
	seats, err := staffSeatsOf(c)
	if err == nil {
		name, addr, hrs, active := c.PostForm("name"), c.PostForm("address"), staffHoursFromForm(c), c.PostForm("active") == "1"
		_, err = h.Directory.UpdateCentre(c.Request.Context(), v.Caller, ce.ID, directory.CentrePatch{
			Name: &name, Address: &addr, Hours: &hrs, Seats: &seats, Active: &active})
	}
	if err != nil {
		h.fail(c, "staff_centre_edit", v, err)
		return
	}
	h.redirect(c, "/staff/centres/"+ce.ID, "flash.staff_centre_saved")
}

// ---- /staff/centres/:id ----

type staffCentreData struct {
	Centre   *directory.Centre
	Ward     *directory.Ward
	Week     time.Time // local Monday
	PrevWeek string
	NextWeek string
	Days     []staffShiftDay
	Series   []*roster.Series
	Roles    []option
	Courses  []option
	Weekdays []option // BYDAY values
	Forms    staffForms
}

// staffShiftDay is one local day of the week with its shifts.
type staffShiftDay struct {
	Day    time.Time
	Shifts []*roster.Shift
}

// staffMondayOf is the local Monday midnight of t's week.
func staffMondayOf(t time.Time) time.Time {
	t = t.In(zone)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

func (h *handler) staffCentrePage(c *gin.Context) {
	v := viewOf(c)
	h.showStaffCentre(c, v, http.StatusOK, "")
}

// loadStaffCentre fills the centre page; the series list (CentreSeries) is what
// refuses centres outside the reader's wards.
func (h *handler) loadStaffCentre(c *gin.Context, v *view, active string) error {
	ctx := c.Request.Context()
	ce, err := h.Directory.Centre(ctx, v.Caller, c.Param("id"))
	if err != nil {
		return err
	}
	p, _ := paging.New(paging.MaxLimit, "")
	series, _, err := h.Roster.CentreSeries(ctx, v.Caller, ce.ID, p)
	if err != nil {
		return err
	}
	w, err := h.Directory.Ward(ctx, ce.WardID)
	if err != nil {
		return err
	}
	week := staffMondayOf(time.Now())
	if s := c.Query("week"); s != "" {
		if d, err := time.ParseInLocation(time.DateOnly, s, zone); err == nil {
			week = staffMondayOf(d)
		}
	}
	end := week.AddDate(0, 0, 7)
	shifts, _, err := h.Roster.Shifts(ctx, roster.ShiftFilter{CentreID: ce.ID, From: week, To: end}, p)
	if err != nil {
		return err
	}
	d := staffCentreData{Centre: ce, Ward: w, Week: week, Series: series,
		PrevWeek: week.AddDate(0, 0, -7).Format(time.DateOnly), NextWeek: end.Format(time.DateOnly),
		Forms: newStaffForms(v, active)}
	for i := range 7 {
		day := week.AddDate(0, 0, i)
		sd := staffShiftDay{Day: day}
		for _, s := range shifts {
			if !s.StartsAt.Before(day) && s.StartsAt.Before(day.AddDate(0, 0, 1)) {
				sd.Shifts = append(sd.Shifts, s)
			}
		}
		d.Days = append(d.Days, sd)
	}
	for _, r := range []roster.Role{roster.RoleGuide, roster.RoleTrainer, roster.RoleEquipment} {
		d.Roles = append(d.Roles, option{Value: string(r), Label: v.T(fmt.Sprintf("staff.role_%s", r))})
	}
	d.Courses = []option{{Value: "", Label: v.T("staff.no_qualification")}}
	if ls, err := h.Courses.Catalogue(ctx, course.CatalogueQuery{Audience: course.AudienceVolunteers}, p); err == nil {
		for _, cv := range ls.Cards {
			t := cv.Title.Vi
			if v.Lang == "en" && cv.Title.En != "" {
				t = cv.Title.En
			}
			d.Courses = append(d.Courses, option{Value: cv.CourseID, Label: t})
		}
	}
	for _, wd := range []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"} {
		d.Weekdays = append(d.Weekdays, option{Value: wd, Label: v.T(fmt.Sprintf("staff.byday_%s", strings.ToLower(wd)))})
	}
	v.Title = ce.Name
	v.Data = d
	return nil
}

func (h *handler) showStaffCentre(c *gin.Context, v *view, status int, active string) {
	if err := h.loadStaffCentre(c, v, active); err != nil {
		h.pageError(c, err)
		return
	}
	h.render(c, status, "staff_centre", v)
}

// failStaffCentre re-renders the centre page with the form key's problems.
func (h *handler) failStaffCentre(c *gin.Context, v *view, active string, err error) {
	if lerr := h.loadStaffCentre(c, v, active); lerr != nil {
		h.pageError(c, lerr)
		return
	}
	h.fail(c, "staff_centre", v, err)
}

// staffLocalAt reads a local date and "HH:MM" time into an instant; field names the
// problem's field.
func staffLocalAt(date, clock, field string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(date)+" "+strings.TrimSpace(clock), zone)
	if err != nil {
		return time.Time{}, apperr.Invalid(field, "datetime", "Hãy nhập ngày và giờ (HH:MM).", "Enter a date and a time (HH:MM).")
	}
	return t, nil
}

// staffPlacesOf reads the places field.
func staffPlacesOf(c *gin.Context) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(c.PostForm("places")))
	if err != nil {
		return 0, apperr.Invalid("places", "number", "Số chỗ phải là một số từ 1 đến 100.", "Places are a number from 1 to 100.")
	}
	return n, nil
}

func (h *handler) createStaffShift(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	ctx := c.Request.Context()
	plan := roster.Plan{CentreID: c.Param("id"), Title: c.PostForm("title"), Role: roster.Role(c.PostForm("role")),
		QualificationCourseID: c.PostForm("qualification_course_id"), Notes: c.PostForm("notes")}
	var err error
	if plan.Places, err = staffPlacesOf(c); err == nil {
		if plan.StartsAt, err = staffLocalAt(c.PostForm("date"), c.PostForm("starts_at"), "starts_at"); err == nil {
			plan.EndsAt, err = staffLocalAt(c.PostForm("date"), c.PostForm("ends_at"), "ends_at")
		}
	}
	var sh *roster.Shift
	if err == nil {
		sh, err = h.Roster.CreateShift(ctx, v.Caller, plan)
	}
	if err != nil {
		h.failStaffCentre(c, v, "shift", err)
		return
	}
	h.redirect(c, "/staff/centres/"+sh.CentreID+"?week="+staffMondayOf(sh.StartsAt).Format(time.DateOnly), "flash.staff_shift_created")
}

func (h *handler) staffSeriesPage(c *gin.Context) {
	v := viewOf(c)
	if err := h.loadStaffCentre(c, v, ""); err != nil {
		h.pageError(c, err)
		return
	}
	v.Title = v.T("staff.new_series")
	h.render(c, http.StatusOK, "staff_series", v)
}

func (h *handler) createStaffSeries(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	ctx := c.Request.Context()
	rule := "FREQ=WEEKLY"
	if days := c.PostFormArray("byday"); len(days) > 0 {
		rule += ";BYDAY=" + strings.Join(days, ",")
	}
	var err error
	if until := strings.TrimSpace(c.PostForm("until")); until != "" {
		d, perr := time.Parse(time.DateOnly, until)
		if perr != nil {
			err = apperr.Invalid("until", "date", "Hãy nhập một ngày.", "Enter a date.")
		}
		rule += ";UNTIL=" + d.Format("20060102")
	}
	p := roster.SeriesPlan{CentreID: c.Param("id"), Rule: rule, FirstDate: c.PostForm("first_date"),
		StartTime: c.PostForm("start_time"), EndTime: c.PostForm("end_time"),
		Template: roster.SeriesTemplate{Title: c.PostForm("title"), Role: roster.Role(c.PostForm("role")),
			QualificationCourseID: c.PostForm("qualification_course_id"), Notes: c.PostForm("notes")}}
	if err == nil {
		p.Template.Places, err = staffPlacesOf(c)
	}
	var r *roster.SeriesResult
	if err == nil {
		r, err = h.Roster.CreateSeries(ctx, v.Caller, p)
	}
	if err != nil {
		if e := apperr.As(err); e != nil {
			err = renameField(e, "rule", "byday")
		}
		if lerr := h.loadStaffCentre(c, v, ""); lerr != nil {
			h.pageError(c, lerr)
			return
		}
		h.fail(c, "staff_series", v, err)
		return
	}
	flash := "flash.staff_series_created"
	if len(r.Skipped) > 0 {
		flash = "flash.staff_series_created_skipped"
	}
	h.redirect(c, "/staff/centres/"+r.Series.CentreID, flash)
}

func (h *handler) cancelStaffSeries(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	se, _, err := h.Roster.CancelSeries(c.Request.Context(), v.Caller, c.Param("sid"), c.PostForm("reason"), "")
	if err != nil {
		h.failStaffCentre(c, v, "cancel:"+c.Param("sid"), err)
		return
	}
	h.redirect(c, "/staff/centres/"+se.CentreID, "flash.staff_series_cancelled")
}

func (h *handler) removeStaffSeries(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	if _, _, err := h.Roster.RemoveSeries(c.Request.Context(), v.Caller, c.Param("sid")); err != nil {
		h.failStaffCentre(c, v, "remove:"+c.Param("sid"), err)
		return
	}
	h.redirect(c, "/staff/centres/"+c.Param("id"), "flash.staff_series_removed")
}

// StaffSeriesDays is a series rule's weekdays as the reader reads them.
func (v *view) StaffSeriesDays(rule string) string {
	var out []string
	for _, part := range strings.Split(rule, ";") {
		k, val, _ := strings.Cut(part, "=")
		if k != "BYDAY" {
			continue
		}
		for _, d := range strings.Split(val, ",") {
			out = append(out, v.T(fmt.Sprintf("staff.byday_%s", strings.ToLower(d))))
		}
	}
	return strings.Join(out, ", ")
}

// StaffSeriesEnd is a series' end time of day.
func (v *view) StaffSeriesEnd(se *roster.Series) string {
	t, err := time.Parse("15:04", se.StartTime)
	if err != nil {
		return ""
	}
	return t.Add(time.Duration(se.Minutes) * time.Minute).Format("15:04")
}

// shortID is how a person the reader may not name is shown: their id's start.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}
