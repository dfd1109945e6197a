package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	paging "ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// The volunteer's own lists: bookings and waiting-list places, notifications,
// and the calendar feed of their bookings.

// How far the bookings page looks back (recent shifts) and ahead (bookings).
const (
	volRecent = 14 * 24 * time.Hour
	volAhead  = 90 * 24 * time.Hour
)

type volBookingsData struct {
	Upcoming []volShift
	Recent   []volShift
	Waiting  []volShift
}

func (h *handler) volBookingsPage(c *gin.Context) {
	v := viewOf(c)
	if err := h.volLoadBookings(c.Request.Context(), v); err != nil {
		h.serverError(c, err)
		return
	}
	h.render(c, http.StatusOK, "volunteer_bookings", v)
}

// volLoadBookings fills v.Data with the caller's bookings of shifts that ended in
// the last two weeks or are to come, and their places on waiting lists.
func (h *handler) volLoadBookings(ctx context.Context, v *view) error {
	v.Title = v.T("volunteer.bookings.title")
	now := time.Now()
	cs, err := h.activeCentres(ctx, v)
	if err != nil {
		return err
	}
	byID := map[string]centreChoice{}
	for _, ce := range cs {
		byID[ce.ID] = ce
	}
	d := &volBookingsData{}
	v.Data = d
	// The same window as the API's GET /me/bookings, with two weeks of history.
	mine, err := h.Roster.MyBookings(ctx, v.Caller, now.Add(-volRecent), now.Add(volAhead))
	if err != nil {
		return err
	}
	courses := map[string]volCourse{}
	for _, b := range mine {
		sh, bs, ws, err := h.Roster.Shift(ctx, b.ShiftID)
		if err != nil {
			return err
		}
		item, err := h.volShiftView(ctx, v, sh, bs, ws, mine, byID, courses, now)
		if err != nil {
			return err
		}
		if sh.EndsAt.After(now) {
			d.Upcoming = append(d.Upcoming, item)
		} else {
			d.Recent = append(d.Recent, item)
		}
	}
	// Waiting lists: the shifts to come on which the caller waits.
	waits, err := h.Roster.MyWaiting(ctx, v.Caller)
	if err != nil {
		return err
	}
	for _, w := range waits {
		sh, bs, ws, err := h.Roster.Shift(ctx, w.ShiftID)
		if err != nil {
			return err
		}
		item, err := h.volShiftView(ctx, v, sh, bs, ws, mine, byID, courses, now)
		if err != nil {
			return err
		}
		d.Waiting = append(d.Waiting, item)
	}
	return nil
}

// volBookingsFail shows a refusal on the bookings page.
func (h *handler) volBookingsFail(c *gin.Context, v *view, err error) {
	if lerr := h.volLoadBookings(c.Request.Context(), v); lerr != nil {
		h.serverError(c, lerr)
		return
	}
	if e := apperr.As(err); e != nil && e.Code == apperr.CodeNotFound {
		err = h.volError(apperr.CodeNotFound, "volunteer.bookings.gone")
	}
	h.fail(c, "volunteer_bookings", v, err)
}

// volError is a domain error with a message of the catalogue in both languages.
func (h *handler) volError(code apperr.Code, id string) *apperr.Error {
	return apperr.New(code, h.i18n.translate("vi", id), h.i18n.translate("en", id))
}

func (h *handler) volCancelBooking(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	if err := h.Roster.Cancel(c.Request.Context(), v.Caller, c.Param("id")); err != nil {
		h.volBookingsFail(c, v, err)
		return
	}
	h.redirect(c, "/me/bookings", "volunteer.flash.cancelled")
}

func (h *handler) volLeaveWaiting(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	if err := h.Roster.LeaveWaiting(c.Request.Context(), v.Caller, c.Param("id")); err != nil {
		h.volBookingsFail(c, v, err)
		return
	}
	h.redirect(c, "/me/bookings", "volunteer.flash.left_waiting")
}

// Notifications.

type volNotification struct {
	ID, Title, Body string
	ShiftID         string
	CreatedAt       time.Time
	Read            bool
}

type volNotificationsData struct {
	Items  []volNotification
	Next   string
	Unread bool
}

func (h *handler) volNotificationsPage(c *gin.Context) {
	v := viewOf(c)
	v.Title = v.T("volunteer.notifications.title")
	p, err := paging.New(paging.DefaultLimit, c.Query("cursor"))
	if err != nil {
		h.notFound(c)
		return
	}
	ns, next, err := h.Notify.List(c.Request.Context(), v.Caller, false, p)
	if err != nil {
		h.serverError(c, err)
		return
	}
	d := &volNotificationsData{}
	for _, n := range ns {
		d.Items = append(d.Items, volNotification{ID: n.ID, Title: n.Title.In(v.Lang), Body: n.Body.In(v.Lang), ShiftID: n.ShiftID,
			CreatedAt: n.CreatedAt, Read: n.ReadAt != nil})
		d.Unread = d.Unread || n.ReadAt == nil
	}
	if next != "" {
		d.Next = "/me/notifications?cursor=" + next
	}
	v.Data = d
	h.render(c, http.StatusOK, "volunteer_notifications", v)
}

func (h *handler) volReadNotification(c *gin.Context) {
	v := viewOf(c)
	if err := h.Notify.MarkRead(c.Request.Context(), v.Caller, c.Param("id")); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			h.notFound(c)
			return
		}
		h.serverError(c, err)
		return
	}
	h.redirect(c, "/me/notifications", "volunteer.flash.read")
}

// volReadAllNotifications marks every unread notification read, one by one
// with the service's MarkRead (it has no bulk method).
func (h *handler) volReadAllNotifications(c *gin.Context) {
	v := viewOf(c)
	ctx := c.Request.Context()
	for range 50 {
		p, _ := paging.New(paging.MaxLimit, "")
		ns, _, err := h.Notify.List(ctx, v.Caller, true, p)
		if err != nil {
			h.serverError(c, err)
			return
		}
		if len(ns) == 0 {
			break
		}
		for _, n := range ns {
			if err := h.Notify.MarkRead(ctx, v.Caller, n.ID); err != nil && !errors.Is(err, apperr.ErrNotFound) {
				h.serverError(c, err)
				return
			}
		}
	}
	h.redirect(c, "/me/notifications", "volunteer.flash.read_all")
}

// Calendar feed.

type volCalendarData struct {
	URL    string       // the new feed's URL, shown once after it was made
	Webcal template.URL // webcal:// opens the phone's calendar app; built here from the public URL
}

func (h *handler) volCalendarPage(c *gin.Context) {
	v := viewOf(c)
	v.Title = v.T("volunteer.calendar.title")
	v.Data = volCalendarData{}
	h.render(c, http.StatusOK, "volunteer_calendar", v)
}

// volResetCalendar makes a new feed URL and shows it in its answer: the token is
// shown once (only its hash is stored), so there is nothing to redirect to.
func (h *handler) volResetCalendar(c *gin.Context) {
	v := viewOf(c)
	v.Title = v.T("volunteer.calendar.title")
	v.Form = newForm(c)
	v.Data = volCalendarData{}
	token, err := h.Roster.ResetMyFeed(c.Request.Context(), v.Caller)
	if err != nil {
		h.fail(c, "volunteer_calendar", v, err)
		return
	}
	u := strings.TrimRight(h.publicURL, "/") + roster.FeedPath(token)
	d := volCalendarData{URL: u}
	if i := strings.Index(u, "://"); i > 0 {
		d.Webcal = template.URL("webcal" + u[i:])
	}
	v.Data = d
	v.Flash = v.T("volunteer.flash.calendar_created")
	h.render(c, http.StatusOK, "volunteer_calendar", v)
}

func (h *handler) volDeleteCalendar(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	v.Data = volCalendarData{}
	if err := h.Roster.DeleteMyFeed(c.Request.Context(), v.Caller); err != nil {
		h.fail(c, "volunteer_calendar", v, err)
		return
	}
	h.redirect(c, "/me/calendar", "volunteer.flash.calendar_deleted")
}
