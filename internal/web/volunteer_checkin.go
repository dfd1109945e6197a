package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/roster"
)

// Check-in: the centre's screen shows a QR code of
// <public URL>/checkin?centre=<id>&code=<code>; the phone's camera (or the
// scanner of app.js, or the code typed by hand) opens this page with both, and
// the volunteer checks in to or out of their shift there with that code.

type volCheckinShift struct {
	*roster.Shift
	CheckedIn, CheckedOut *time.Time
	CanIn, CanOut         bool
	OpensAt               time.Time // check-in opens (when it is too early)
	Closed                bool      // the attendance window has passed
}

type volCheckinData struct {
	Centres    []option
	Centre     string
	CentreName string
	Code       string
	Shifts     []volCheckinShift
}

// volLoadCheckin fills v.Data with the caller's shifts of today at centreID
// (every centre when "") and whether each can be checked in or out now.
func (h *handler) volLoadCheckin(ctx context.Context, v *view, centreID, code string) error {
	v.Title = v.T("volunteer.checkin.title")
	now := time.Now()
	cs, err := h.activeCentres(ctx, v)
	if err != nil {
		return err
	}
	d := &volCheckinData{Centres: volCentreOptions(v, cs, "volunteer.checkin.choose_centre"), Centre: centreID, Code: code}
	v.Data = d
	for _, ce := range cs {
		if ce.ID == centreID {
			d.CentreName = ce.Name
		}
	}
	if centreID != "" && d.CentreName == "" {
		v.Form.Errors["centre"] = v.T("volunteer.checkin.unknown_centre")
		d.Centre = ""
		return nil
	}
	from := now.Add(-roster.MaxShift - roster.CheckoutLate)
	mine, err := h.Roster.MyBookings(ctx, v.Caller, from, now.Add(24*time.Hour))
	if err != nil {
		return err
	}
	hours, err := h.Roster.MyHours(ctx, v.Caller, from, now.Add(24*time.Hour))
	if err != nil {
		return err
	}
	lines := map[string]*roster.ShiftHours{}
	for _, l := range hours.Shifts {
		lines[l.ShiftID] = l
	}
	for _, b := range mine {
		sh, _, _, err := h.Roster.Shift(ctx, b.ShiftID)
		if err != nil {
			return err
		}
		if (centreID != "" && sh.CentreID != centreID) || sh.Status == roster.StatusCancelled {
			continue
		}
		it := volCheckinShift{Shift: sh}
		if l := lines[sh.ID]; l != nil {
			it.CheckedIn, it.CheckedOut = l.CheckedInAt, l.CheckedOutAt
		}
		opens := sh.StartsAt.Add(-roster.CheckinEarly)
		switch {
		case now.Before(opens):
			it.OpensAt = opens
		case it.CheckedIn == nil:
			it.CanIn = !now.After(sh.EndsAt)
			it.Closed = !it.CanIn
		case it.CheckedOut == nil:
			it.CanOut = !now.After(sh.EndsAt.Add(roster.CheckoutLate))
			it.Closed = !it.CanOut
		}
		d.Shifts = append(d.Shifts, it)
	}
	return nil
}

func (h *handler) volCheckinPage(c *gin.Context) {
	v := viewOf(c)
	if err := h.volLoadCheckin(c.Request.Context(), v, c.Query("centre"), c.Query("code")); err != nil {
		h.serverError(c, err)
		return
	}
	status := http.StatusOK
	if v.Form.Err("centre") != "" {
		status = http.StatusNotFound
	}
	h.render(c, status, "volunteer_checkin", v)
}

// volCheckin checks in or out (action) of shift_id with the code; a refusal is
// shown on the check-in page with the centre and code kept.
func (h *handler) volCheckin(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	ctx := c.Request.Context()
	centreID, code, shiftID := c.PostForm("centre"), c.PostForm("code"), c.PostForm("shift_id")
	do, flash := h.Roster.CheckIn, "volunteer.flash.checked_in"
	if c.PostForm("action") == "checkout" {
		do, flash = h.Roster.CheckOut, "volunteer.flash.checked_out"
	}
	_, err := do(ctx, v.Caller, shiftID, code)
	if err == nil {
		h.redirect(c, "/checkin?"+url.Values{"centre": {centreID}}.Encode(), flash)
		return
	}
	if lerr := h.volLoadCheckin(ctx, v, centreID, code); lerr != nil {
		h.serverError(c, lerr)
		return
	}
	if e := apperr.As(err); e != nil {
		switch e.Code {
		case apperr.CodeNotFound:
			err = h.volError(apperr.CodeNotFound, "volunteer.checkin.not_booked")
		case roster.CodeCheckinCodeInvalid:
			err = fieldOf(e, "code")
		}
	}
	h.fail(c, "volunteer_checkin", v, err)
}
