package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	paging "ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// The volunteer's pages: shifts to book (this file), their bookings and waiting
// lists, notifications and calendar feed (volunteer_me.go), check-in by the
// centre's code (volunteer_checkin.go), hours and certificates
// (volunteer_hours.go). Every rule is the roster service's: the pages call the
// same methods as the API's handlers with the reader as the caller.

func volCentreOptions(v *view, cs []centreChoice, all string) []option {
	var out []option
	if all != "" {
		out = append(out, option{"", v.T(all)})
	}
	for _, c := range cs {
		out = append(out, option{c.ID, c.Name + " – " + c.Ward})
	}
	return out
}

// volShift is a shift as the volunteer sees it: where and when, places left,
// whether they hold it or wait for it, what stands in the way of booking it.
type volShift struct {
	*roster.Shift
	Centre, Ward    string
	Booked, Open    int
	Waiting         int
	Mine            string // "booked", "waiting" or ""
	Position        int    // on the waiting list
	Conflicts       []*roster.Booking
	Qualification   string // the required course's title ("" when none)
	QualificationID string
	Qualified       bool
	SignupOpen      bool
	CancelOpen      bool // before the cancel deadline
	Started         bool
	Cancelled       bool
}

// CanBook is whether the Book (or Join the waiting list) button is shown.
func (s volShift) CanBook() bool {
	return s.Mine == "" && s.SignupOpen && !s.Started && !s.Cancelled
}

// volShiftView builds a shift's view for the caller; mine are the caller's
// bookings around it (for conflicts), centres the known centres by id.
func (h *handler) volShiftView(ctx context.Context, v *view, sh *roster.Shift, bs []*roster.Booking, ws []*roster.Waiter,
	mine []*roster.Booking, centres map[string]centreChoice, courses map[string]volCourse, now time.Time) (volShift, error) {
	out := volShift{Shift: sh, Booked: len(bs), Open: max(0, sh.Places-len(bs)), Waiting: len(ws),
		SignupOpen: !now.Before(sh.SignupOpensAt), CancelOpen: now.Before(sh.CancelDeadline), Started: !sh.StartsAt.After(now), Cancelled: sh.Status == roster.StatusCancelled}
	if c, ok := centres[sh.CentreID]; ok {
		out.Centre, out.Ward = c.Name, c.Ward
	}
	me := v.Caller.UserID
	hold := roster.HoldOf(bs, ws, me)
	out.Mine, out.Position = string(hold.Kind), hold.Position
	for _, b := range mine {
		if b.ShiftID != sh.ID && roster.Overlaps(b.StartsAt, b.EndsAt, sh.StartsAt, sh.EndsAt) {
			out.Conflicts = append(out.Conflicts, b)
		}
	}
	if id := sh.QualificationCourseID; id != "" {
		q, ok := courses[id]
		if !ok {
			q = volCourse{}
			if _, ver, err := h.Courses.Published(ctx, v.Caller, id); err == nil {
				q.Title = ver.Title.In(v.Lang)
			} else if !errors.Is(err, apperr.ErrNotFound) {
				return out, err
			}
			done, err := h.Courses.Completed(ctx, me, id)
			if err != nil {
				return out, err
			}
			q.Done = done
			courses[id] = q
		}
		out.QualificationID, out.Qualification, out.Qualified = id, q.Title, q.Done
		if out.Qualification == "" {
			out.Qualification = v.T("volunteer.shifts.course_unavailable")
		}
	}
	return out, nil
}

type volCourse struct {
	Title string
	Done  bool
}

type volShiftsData struct {
	Centres   []option
	Centre    string
	Week      string // the week's Monday, YYYY-MM-DD
	WeekStart time.Time
	WeekEnd   time.Time // the Sunday
	Prev      string
	Next      string
	Shifts    []volShift
	Standing  *roster.Standing
	Back      string
	// Detail: one shift's page (/shifts/:id).
	Detail bool
}

// volWeekOf returns the Monday 00:00 (local) of the week of day (YYYY-MM-DD; today when
// empty or malformed).
func volWeekOf(day string, now time.Time) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, day, zone)
	if err != nil {
		y, m, dd := now.In(zone).Date()
		d = time.Date(y, m, dd, 0, 0, 0, 0, zone)
	}
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

func (h *handler) volShiftsPage(c *gin.Context) {
	v := viewOf(c)
	if err := h.volLoadShifts(c, v); err != nil {
		h.serverError(c, err)
		return
	}
	v.Title = v.T("volunteer.shifts.title")
	h.render(c, http.StatusOK, "volunteer_shifts", v)
}

// volLoadShifts fills v.Data with the shifts of the week and centre of the query.
func (h *handler) volLoadShifts(c *gin.Context, v *view) error {
	ctx := c.Request.Context()
	now := time.Now()
	start := volWeekOf(c.Query("week"), now)
	end := start.AddDate(0, 0, 7)
	centreID := c.Query("centre")
	cs, err := h.activeCentres(ctx, v)
	if err != nil {
		return err
	}
	byID := map[string]centreChoice{}
	for _, ce := range cs {
		byID[ce.ID] = ce
	}
	if _, ok := byID[centreID]; !ok {
		centreID = ""
	}
	d := &volShiftsData{Centres: volCentreOptions(v, cs, "volunteer.shifts.all_centres"), Centre: centreID,
		Week: start.Format(time.DateOnly), WeekStart: start, WeekEnd: end.AddDate(0, 0, -1), Back: c.Request.URL.RequestURI()}
	link := func(t time.Time) string {
		q := url.Values{"week": {t.Format(time.DateOnly)}}
		if centreID != "" {
			q.Set("centre", centreID)
		}
		return "/shifts?" + q.Encode()
	}
	d.Prev, d.Next = link(start.AddDate(0, 0, -7)), link(end)
	v.Data = d
	if d.Standing, err = h.Roster.MyStanding(ctx, v.Caller); err != nil {
		return err
	}
	mine, err := h.Roster.MyBookings(ctx, v.Caller, start.Add(-24*time.Hour), end.Add(24*time.Hour))
	if err != nil {
		return err
	}
	from := start
	if from.Before(now) {
		from = now
	}
	courses := map[string]volCourse{}
	cursor := ""
	for range 10 {
		p, err := paging.New(paging.MaxLimit, cursor)
		if err != nil {
			return err
		}
		ss, next, err := h.Roster.Shifts(ctx, roster.ShiftFilter{CentreID: centreID, Status: roster.StatusScheduled, From: from, To: end}, p)
		if err != nil {
			return err
		}
		for _, s := range ss {
			if _, ok := byID[s.CentreID]; !ok {
				continue // an inactive centre takes no volunteers
			}
			sh, bs, ws, err := h.Roster.Shift(ctx, s.ID)
			if err != nil {
				return err
			}
			item, err := h.volShiftView(ctx, v, sh, bs, ws, mine, byID, courses, now)
			if err != nil {
				return err
			}
			d.Shifts = append(d.Shifts, item)
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	return nil
}

func (h *handler) volShiftPage(c *gin.Context) {
	v := viewOf(c)
	if err := h.volLoadShift(c, v, c.Param("id")); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			h.notFound(c)
			return
		}
		h.serverError(c, err)
		return
	}
	h.render(c, http.StatusOK, "volunteer_shifts", v)
}

// volLoadShift fills v.Data with one shift.
func (h *handler) volLoadShift(c *gin.Context, v *view, id string) error {
	ctx := c.Request.Context()
	now := time.Now()
	sh, bs, ws, err := h.Roster.Shift(ctx, id)
	if err != nil {
		return err
	}
	centres := map[string]centreChoice{}
	ce, err := h.Directory.Centre(ctx, v.Caller, sh.CentreID)
	if err != nil {
		return err
	}
	w, err := h.Directory.Ward(ctx, ce.WardID)
	if err != nil {
		return err
	}
	wname := w.NameVi
	if v.Lang == "en" && w.NameEn != "" {
		wname = w.NameEn
	}
	centres[ce.ID] = centreChoice{ID: ce.ID, Name: ce.Name, Ward: wname}
	mine, err := h.Roster.MyBookings(ctx, v.Caller, sh.StartsAt.Add(-roster.MaxShift), sh.EndsAt)
	if err != nil {
		return err
	}
	item, err := h.volShiftView(ctx, v, sh, bs, ws, mine, centres, map[string]volCourse{}, now)
	if err != nil {
		return err
	}
	d := &volShiftsData{Detail: true, Shifts: []volShift{item}, Back: "/shifts/" + sh.ID}
	if d.Standing, err = h.Roster.MyStanding(ctx, v.Caller); err != nil {
		return err
	}
	v.Data = d
	v.Title = sh.Title
	return nil
}

// book books the shift, or joins its waiting list when asked ("waitlist"), and
// returns to the page the button was on. A refusal is shown on the shift's page.
func (h *handler) volBook(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	ctx := c.Request.Context()
	r, err := h.Roster.Book(ctx, v.Caller, c.Param("id"), c.PostForm("waitlist") == "1")
	if err != nil {
		if lerr := h.volLoadShift(c, v, c.Param("id")); lerr != nil {
			if errors.Is(lerr, apperr.ErrNotFound) {
				h.notFound(c)
				return
			}
			h.serverError(c, lerr)
			return
		}
		h.fail(c, "volunteer_shifts", v, err)
		return
	}
	back := localPath(c.PostForm("back"))
	if back == "/" {
		back = "/me/bookings"
	}
	if r.Booking != nil {
		h.redirect(c, back, "volunteer.flash.booked")
		return
	}
	h.redirect(c, back, "volunteer.flash.waiting")
}

// RoleKey is the message id of the shift's role.
func (s volShift) RoleKey() string {
	switch s.Role {
	case roster.RoleTrainer:
		return "volunteer.role.trainer"
	case roster.RoleEquipment:
		return "volunteer.role.equipment"
	}
	return "volunteer.role.guide"
}
