package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/identity"
	"ecitizen/internal/roster"
	"ecitizen/internal/vntime"
)

// Attendance by rotating QR code, manual work entries, and the hours ledger.

type checkinCodeJSON struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (h *handler) getCheckinCode(c *gin.Context) {
	code, exp, err := h.Roster.CheckinCode(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, checkinCodeJSON{Code: code, ExpiresAt: exp})
}

type attendanceJSON struct {
	ShiftID     string    `json:"shift_id"`
	VolunteerID string    `json:"volunteer_id"`
	Kind        string    `json:"kind"`
	At          time.Time `json:"at"`
	By          string    `json:"by"`
	Reason      string    `json:"reason"`
}

func toAttendance(a *roster.Attendance) attendanceJSON {
	return attendanceJSON{ShiftID: a.ShiftID, VolunteerID: a.VolunteerID, Kind: string(a.Kind), At: a.At, By: a.By, Reason: a.Reason}
}

type codeRequest struct {
	Code string `json:"code" binding:"required,max=64"`
}

type attendFunc func(ctx context.Context, c identity.Caller, shiftID, code string) (*roster.Attendance, error)

func (h *handler) checkIn(c *gin.Context)  { h.attendByCode(c, h.Roster.CheckIn) }
func (h *handler) checkOut(c *gin.Context) { h.attendByCode(c, h.Roster.CheckOut) }

func (h *handler) attendByCode(c *gin.Context, do attendFunc) {
	var req codeRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	a, err := do(c.Request.Context(), caller(c), c.Param("id"), req.Code)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toAttendance(a))
}

type shiftAttendanceRequest struct {
	Action string `json:"action" binding:"required,oneof=checkin checkout"`
	Reason string `json:"reason" binding:"required,max=500"`
}

func (h *handler) recordAttendance(c *gin.Context) {
	var req shiftAttendanceRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	a, err := h.Roster.RecordAttendance(c.Request.Context(), caller(c), c.Param("id"), c.Param("volunteer_id"),
		roster.AttendanceKind(req.Action), req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toAttendance(a))
}

type workEntryRequest struct {
	Minutes  int    `json:"minutes" binding:"required,min=1,max=720"`
	Date     string `json:"date" binding:"required,max=10"`
	Reason   string `json:"reason" binding:"required,max=500"`
	CentreID string `json:"centre_id" binding:"required,max=64"`
}

type workEntryJSON struct {
	ID          string    `json:"id"`
	VolunteerID string    `json:"volunteer_id"`
	CentreID    string    `json:"centre_id"`
	Date        string    `json:"date"`
	Minutes     int       `json:"minutes"`
	Reason      string    `json:"reason"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

func toWorkEntry(e *roster.WorkEntry) workEntryJSON {
	return workEntryJSON{ID: e.ID, VolunteerID: e.VolunteerID, CentreID: e.CentreID, Date: e.Date.In(hoChiMinh).Format(time.DateOnly),
		Minutes: e.Minutes, Reason: e.Reason, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt}
}

// hoChiMinh is the zone of work entries' dates (Vietnam has no daylight saving time).
var hoChiMinh = vntime.Zone

func (h *handler) addWorkEntry(c *gin.Context) {
	var req workEntryRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	e, err := h.Roster.AddWorkEntry(c.Request.Context(), caller(c), c.Param("id"),
		roster.NewWorkEntry{CentreID: req.CentreID, Date: req.Date, Minutes: req.Minutes, Reason: req.Reason})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toWorkEntry(e))
}

type hoursQuery struct {
	From time.Time `form:"from" time_format:"2006-01-02T15:04:05Z07:00"`
	To   time.Time `form:"to" time_format:"2006-01-02T15:04:05Z07:00"`
}

// bindHours reads from and to; to defaults to now and from to a year before to.
func bindHours(c *gin.Context) (from, to time.Time, err error) {
	var q hoursQuery
	if err := bindQuery(c, &q); err != nil {
		return time.Time{}, time.Time{}, err
	}
	if q.To.IsZero() {
		q.To = time.Now()
	}
	if q.From.IsZero() {
		q.From = q.To.Add(-365 * 24 * time.Hour)
	}
	return q.From.UTC(), q.To.UTC(), nil
}

type shiftHoursJSON struct {
	ShiftID      string     `json:"shift_id"`
	CentreID     string     `json:"centre_id"`
	StartsAt     time.Time  `json:"starts_at"`
	EndsAt       time.Time  `json:"ends_at"`
	CheckedInAt  *time.Time `json:"checked_in_at"`
	CheckedOutAt *time.Time `json:"checked_out_at"`
	Minutes      int        `json:"minutes"`
}

type hoursJSON struct {
	VolunteerID  string           `json:"volunteer_id"`
	From         time.Time        `json:"from"`
	To           time.Time        `json:"to"`
	TotalMinutes int              `json:"total_minutes"`
	Shifts       []shiftHoursJSON `json:"shifts"`
	Entries      []workEntryJSON  `json:"entries"`
}

func toHours(x *roster.Hours) hoursJSON {
	out := hoursJSON{VolunteerID: x.VolunteerID, From: x.From, To: x.To, TotalMinutes: x.TotalMinutes,
		Shifts: []shiftHoursJSON{}, Entries: []workEntryJSON{}}
	for _, l := range x.Shifts {
		out.Shifts = append(out.Shifts, shiftHoursJSON{ShiftID: l.ShiftID, CentreID: l.CentreID, StartsAt: l.StartsAt, EndsAt: l.EndsAt,
			CheckedInAt: l.CheckedInAt, CheckedOutAt: l.CheckedOutAt, Minutes: l.Minutes})
	}
	for _, e := range x.Entries {
		out.Entries = append(out.Entries, toWorkEntry(e))
	}
	return out
}

func (h *handler) myHours(c *gin.Context) {
	from, to, err := bindHours(c)
	if err != nil {
		fail(c, err)
		return
	}
	x, err := h.Roster.MyHours(c.Request.Context(), caller(c), from, to)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toHours(x))
}

func (h *handler) volunteerHours(c *gin.Context) {
	from, to, err := bindHours(c)
	if err != nil {
		fail(c, err)
		return
	}
	x, err := h.Roster.VolunteerHours(c.Request.Context(), caller(c), c.Param("id"), from, to)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toHours(x))
}

type volunteerMinutesJSON struct {
	VolunteerID string `json:"volunteer_id"`
	DisplayName string `json:"display_name,omitempty"` // in an organisation's totals
	Minutes     int    `json:"minutes"`
}

func volunteerMinutes(vs []roster.VolunteerMinutes) []volunteerMinutesJSON {
	out := []volunteerMinutesJSON{}
	for _, v := range vs {
		out = append(out, volunteerMinutesJSON(v))
	}
	return out
}

type centreHoursJSON struct {
	CentreID     string                 `json:"centre_id"`
	From         time.Time              `json:"from"`
	To           time.Time              `json:"to"`
	TotalMinutes int                    `json:"total_minutes"`
	Volunteers   []volunteerMinutesJSON `json:"volunteers"`
}

func (h *handler) centreHours(c *gin.Context) {
	from, to, err := bindHours(c)
	if err != nil {
		fail(c, err)
		return
	}
	x, err := h.Roster.CentreHours(c.Request.Context(), caller(c), c.Param("id"), from, to)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, centreHoursJSON{CentreID: x.CentreID, From: x.From, To: x.To, TotalMinutes: x.TotalMinutes,
		Volunteers: volunteerMinutes(x.Volunteers)})
}

type centreMinutesJSON struct {
	CentreID string `json:"centre_id"`
	Minutes  int    `json:"minutes"`
}

type wardHoursJSON struct {
	WardID       string                 `json:"ward_id"`
	From         time.Time              `json:"from"`
	To           time.Time              `json:"to"`
	TotalMinutes int                    `json:"total_minutes"`
	Centres      []centreMinutesJSON    `json:"centres"`
	Volunteers   []volunteerMinutesJSON `json:"volunteers"`
}

func (h *handler) wardHours(c *gin.Context) {
	from, to, err := bindHours(c)
	if err != nil {
		fail(c, err)
		return
	}
	x, err := h.Roster.WardHours(c.Request.Context(), caller(c), c.Param("id"), from, to)
	if err != nil {
		fail(c, err)
		return
	}
	out := wardHoursJSON{WardID: x.WardID, From: x.From, To: x.To, TotalMinutes: x.TotalMinutes,
		Centres: []centreMinutesJSON{}, Volunteers: volunteerMinutes(x.Volunteers)}
	for _, m := range x.Centres {
		out.Centres = append(out.Centres, centreMinutesJSON(m))
	}
	c.JSON(http.StatusOK, out)
}

type organisationHoursJSON struct {
	OrganisationID string                 `json:"organisation_id"`
	From           time.Time              `json:"from"`
	To             time.Time              `json:"to"`
	TotalMinutes   int                    `json:"total_minutes"`
	Volunteers     []volunteerMinutesJSON `json:"volunteers"`
}

func (h *handler) organisationHours(c *gin.Context) {
	from, to, err := bindHours(c)
	if err != nil {
		fail(c, err)
		return
	}
	x, err := h.Roster.OrganisationHours(c.Request.Context(), caller(c), c.Param("id"), from, to)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, organisationHoursJSON{OrganisationID: x.OrganisationID, From: x.From, To: x.To,
		TotalMinutes: x.TotalMinutes, Volunteers: volunteerMinutes(x.Volunteers)})
}
