package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	paging "ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// ---- /staff/shifts/:id: the roster ----

type staffRosterData struct {
	Shift      *roster.Shift
	Centre     *directory.Centre
	Week       string // the shift's week on the centre's page
	Ended      bool
	Started    bool
	Bookings   []staffBookingRow
	Waiting    []staffWaitingRow
	History    []staffEventRow
	Volunteers []option // whom staff may assign
	Forms      staffForms
}

type staffBookingRow struct {
	VolunteerID string
	Name        string
	Place       int
	BookedAt    time.Time
	Assigned    bool
	State       string // roster.AttendanceState
}

type staffWaitingRow struct {
	Position int
	Name     string
	JoinedAt time.Time
}

type staffEventRow struct {
	Kind   string
	Name   string
	By     string
	Reason string
	At     time.Time
}

// loadStaffRoster fills the roster page; Roster refuses shifts outside the
// reader's wards (not found).
func (h *handler) loadStaffRoster(c *gin.Context, v *view, active string) error {
	ctx := c.Request.Context()
	r, err := h.Roster.Roster(ctx, v.Caller, c.Param("id"))
	if err != nil {
		return err
	}
	ce, err := h.Directory.Centre(ctx, v.Caller, r.Shift.CentreID)
	if err != nil {
		return err
	}
	now := time.Now()
	d := staffRosterData{Shift: r.Shift, Centre: ce, Ended: !r.Shift.EndsAt.After(now), Started: !r.Shift.StartsAt.After(now),
		Week:  staffMondayOf(r.Shift.StartsAt).Format(time.DateOnly),
		Forms: newStaffForms(v, active)}
	names := r.Names
	name := func(id string) string {
		if n, ok := names[id]; ok || id == "" {
			return n
		}
		return shortID(id)
	}
	booked := map[string]bool{}
	for _, b := range r.Bookings {
		booked[b.VolunteerID] = true
		d.Bookings = append(d.Bookings, staffBookingRow{VolunteerID: b.VolunteerID, Name: name(b.VolunteerID), Place: b.Place,
			BookedAt: b.BookedAt, Assigned: b.BookedBy != b.VolunteerID, State: string(r.States[b.VolunteerID])})
	}
	for i, w := range r.Waiting {
		d.Waiting = append(d.Waiting, staffWaitingRow{Position: i + 1, Name: name(w.VolunteerID), JoinedAt: w.JoinedAt})
	}
	for i := len(r.History) - 1; i >= 0; i-- {
		e := r.History[i]
		by := name(e.By)
		switch e.By { // the roster's own actors, not users
		case roster.ByPromotion:
			by = v.T("staff.by_promotion")
		case roster.BySeries:
			by = v.T("staff.by_series")
		case roster.ByReconciler:
			by = v.T("staff.by_reconciler")
		}
		reason := e.Reason
		if key, ok := systemReasons[reason]; ok { // the roster's own reasons are codes; people write theirs
			reason = v.T(key)
		}
		d.History = append(d.History, staffEventRow{Kind: e.Kind, Name: name(e.VolunteerID), By: by, Reason: reason, At: e.At})
	}
	// Whom to assign: the API's assign takes any active volunteer's id. Admins
	// read every volunteer (GET /users?role=volunteer). Ward staff read no
	// volunteer accounts (volunteers belong to organisations, not wards), so they
	// pick from the volunteers their ward shows them: this shift's waiting list
	// and those who served in the ward in the last 180 days (GET
	// /wards/:id/hours); the assign form also takes a volunteer's id.
	d.Volunteers = []option{{Value: "", Label: v.T("staff.pick_volunteer")}}
	seen := map[string]bool{}
	add := func(id, label string) {
		if booked[id] || seen[id] {
			return
		}
		seen[id] = true
		d.Volunteers = append(d.Volunteers, option{Value: id, Label: label})
	}
	for _, w := range r.Waiting {
		add(w.VolunteerID, v.T("staff.waiting_label", "Name", name(w.VolunteerID)))
	}
	if v.Caller.IsAdmin() {
		p, _ := paging.New(paging.MaxLimit, "")
		us, _, err := h.Identity.ListUsers(ctx, v.Caller, identity.UserFilter{Role: identity.RoleVolunteer, Status: identity.StatusActive}, p)
		if err != nil {
			return err
		}
		for _, u := range us {
			add(u.ID, u.DisplayName)
		}
	} else if wh, err := h.Roster.WardHours(ctx, v.Caller, r.Shift.WardID, now.AddDate(0, 0, -180), now); err == nil {
		// The ward's hours name its volunteers to its staff.
		ids := make([]string, 0, len(wh.Volunteers))
		for _, m := range wh.Volunteers {
			ids = append(ids, m.VolunteerID)
		}
		served, err := h.Identity.DisplayNames(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if n, ok := served[id]; ok {
				names[id] = n
			}
			add(id, name(id))
		}
	}
	v.Title = r.Shift.Title
	v.Data = d
	return nil
}

func (h *handler) staffRosterPage(c *gin.Context) {
	v := viewOf(c)
	if err := h.loadStaffRoster(c, v, ""); err != nil {
		h.pageError(c, err)
		return
	}
	h.render(c, http.StatusOK, "staff_shift", v)
}

// staffRosterAction runs a form of the roster page: do's domain error re-renders the
// page with the problem next to that form's fields; success goes back with flash.
func (h *handler) staffRosterAction(c *gin.Context, active, flash string, do func(v *view) error) {
	v := viewOf(c)
	v.Form = newForm(c)
	if err := do(v); err != nil {
		if lerr := h.loadStaffRoster(c, v, active); lerr != nil {
			h.pageError(c, lerr)
			return
		}
		h.fail(c, "staff_shift", v, err)
		return
	}
	h.redirect(c, "/staff/shifts/"+c.Param("id"), flash)
}

func (h *handler) assignStaffVolunteer(c *gin.Context) {
	h.staffRosterAction(c, "assign", "flash.staff_assigned", func(v *view) error {
		id := c.PostForm("volunteer_id")
		if id == "" {
			id = strings.TrimSpace(c.PostForm("volunteer_other"))
		}
		_, err := h.Roster.Assign(c.Request.Context(), v.Caller, c.Param("id"), id, c.PostForm("reason"))
		return err
	})
}

func (h *handler) removeStaffVolunteer(c *gin.Context) {
	vid := c.Param("volunteer_id")
	h.staffRosterAction(c, "remove:"+vid, "flash.staff_removed", func(v *view) error {
		return h.Roster.Remove(c.Request.Context(), v.Caller, c.Param("id"), vid, c.PostForm("reason"))
	})
}

func (h *handler) recordStaffAttendance(c *gin.Context) {
	vid := c.Param("volunteer_id")
	h.staffRosterAction(c, "attend:"+vid, "flash.staff_attendance", func(v *view) error {
		_, err := h.Roster.RecordAttendance(c.Request.Context(), v.Caller, c.Param("id"), vid,
			roster.AttendanceKind(c.PostForm("action")), c.PostForm("reason"))
		return err
	})
}

func (h *handler) decideStaffNoShow(c *gin.Context) {
	vid := c.Param("volunteer_id")
	h.staffRosterAction(c, "noshow:"+vid, "flash.staff_noshow", func(v *view) error {
		_, err := h.Roster.DecideNoShow(c.Request.Context(), v.Caller, c.Param("id"), vid,
			roster.NoShowDecision(c.PostForm("decision")), c.PostForm("reason"))
		return err
	})
}

func (h *handler) cancelStaffShift(c *gin.Context) {
	h.staffRosterAction(c, "cancel", "flash.staff_shift_cancelled", func(v *view) error {
		_, err := h.Roster.CancelShift(c.Request.Context(), v.Caller, c.Param("id"), c.PostForm("reason"))
		return err
	})
}

// ---- /staff/centres/:id/screen: the check-in screen ----

type staffScreenData struct {
	Centre    *directory.Centre
	Code      string
	ExpiresAt time.Time
	URL       string
	QR        template.URL // a PNG as a data: URI (made here, never from input)
}

func (h *handler) staffScreenPage(c *gin.Context) {
	v := viewOf(c)
	ctx := c.Request.Context()
	code, exp, err := h.Roster.CheckinCode(ctx, v.Caller, c.Param("id"))
	if err != nil {
		h.pageError(c, err)
		return
	}
	ce, err := h.Directory.Centre(ctx, v.Caller, c.Param("id"))
	if err != nil {
		h.pageError(c, err)
		return
	}
	link := h.publicURL + "/checkin?centre=" + url.QueryEscape(ce.ID) + "&code=" + url.QueryEscape(code)
	qr, err := qrImage(link)
	if err != nil {
		h.serverError(c, err)
		return
	}
	// The previous code stays valid one more window, so the screen reloads just
	// after the rotation and always shows the code of the moment.
	v.Refresh = max(5, int(time.Until(exp).Seconds())+2)
	v.Title = ce.Name
	v.Data = staffScreenData{Centre: ce, Code: code, ExpiresAt: exp, URL: link,
		QR: qr}
	h.render(c, http.StatusOK, "staff_screen", v)
}

// systemReasons are the reasons the roster itself records on its events, with
// their messages; any other reason was written by a person.
var systemReasons = map[string]string{
	"collides":        "staff.reason_collides",
	"shift_cancelled": "staff.reason_shift_cancelled",
	"series_changed":  "staff.reason_series_changed",
	"series_ended":    "staff.reason_series_ended",
	"series_removed":  "staff.reason_series_removed",
	"series_split":    "staff.reason_series_split",
	"reconciled":      "staff.reason_reconciled",
}
