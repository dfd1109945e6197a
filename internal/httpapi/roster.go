package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/page"
	"ecitizen/internal/roster"
)

type shiftJSON struct {
	ID                    string    `json:"id"`
	CentreID              string    `json:"centre_id"`
	WardID                string    `json:"ward_id"`
	Title                 string    `json:"title"`
	Role                  string    `json:"role"`
	StartsAt              time.Time `json:"starts_at"`
	EndsAt                time.Time `json:"ends_at"`
	Places                int       `json:"places"`
	QualificationCourseID *string   `json:"qualification_course_id"`
	Notes                 string    `json:"notes"`
	SignupOpensAt         time.Time `json:"signup_opens_at"`
	CancelDeadline        time.Time `json:"cancel_deadline"`
	Status                string    `json:"status"`
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`
	// SeriesID and Occurrence (the local day) are null for a single shift.
	SeriesID   *string `json:"series_id"`
	Occurrence *string `json:"occurrence"`
	Detached   bool    `json:"detached"`
}

func toShift(s *roster.Shift) shiftJSON {
	return shiftJSON{ID: s.ID, CentreID: s.CentreID, WardID: s.WardID, Title: s.Title, Role: string(s.Role), StartsAt: s.StartsAt,
		EndsAt: s.EndsAt, Places: s.Places, QualificationCourseID: optional(s.QualificationCourseID), Notes: s.Notes,
		SignupOpensAt: s.SignupOpensAt, CancelDeadline: s.CancelDeadline, Status: string(s.Status), CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
		SeriesID: optional(s.SeriesID), Occurrence: localDate(s.Occurrence), Detached: s.Detached}
}

type shiftDetailJSON struct {
	shiftJSON
	Booked  int `json:"booked"`
	Open    int `json:"places_open"`
	Waiting int `json:"waiting"`
	// Mine is the caller's hold on the shift (roster.HoldOf): "booked", "waiting" or null.
	Mine            *string `json:"mine"`
	WaitingPosition *int    `json:"waiting_position"`
}

type shiftQuery struct {
	Limit  int       `form:"limit" binding:"omitempty,min=1"`
	Cursor string    `form:"cursor" binding:"max=300"`
	Status string    `form:"status" binding:"omitempty,oneof=scheduled cancelled"`
	From   time.Time `form:"from" time_format:"2006-01-02T15:04:05Z07:00"`
	To     time.Time `form:"to" time_format:"2006-01-02T15:04:05Z07:00"`
}

func (h *handler) listCentreShifts(c *gin.Context) {
	var q shiftQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	p, err := page.New(q.Limit, q.Cursor)
	if err != nil {
		fail(c, err)
		return
	}
	if _, err := h.Directory.Centre(c.Request.Context(), caller(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	ss, next, err := h.Roster.Shifts(c.Request.Context(), roster.ShiftFilter{CentreID: c.Param("id"), Status: roster.Status(q.Status), From: q.From, To: q.To}, p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, ss, next, toShift)
}

type shiftRequest struct {
	Title                 string    `json:"title" binding:"required,max=160"`
	Role                  string    `json:"role" binding:"required,oneof=guide trainer equipment"`
	StartsAt              time.Time `json:"starts_at" binding:"required"`
	EndsAt                time.Time `json:"ends_at" binding:"required"`
	Places                int       `json:"places" binding:"required,min=1,max=100"`
	QualificationCourseID string    `json:"qualification_course_id" binding:"max=64"`
	Notes                 string    `json:"notes" binding:"max=2000"`
	SignupOpensAt         time.Time `json:"signup_opens_at"`
	CancelDeadline        time.Time `json:"cancel_deadline"`
}

func (r *shiftRequest) plan(centreID string) roster.Plan {
	return roster.Plan{CentreID: centreID, Title: r.Title, Role: roster.Role(r.Role), StartsAt: r.StartsAt, EndsAt: r.EndsAt,
		Places: r.Places, QualificationCourseID: r.QualificationCourseID, Notes: r.Notes, SignupOpensAt: r.SignupOpensAt, CancelDeadline: r.CancelDeadline}
}

func (h *handler) createShift(c *gin.Context) {
	var req shiftRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	s, err := h.Roster.CreateShift(c.Request.Context(), caller(c), req.plan(c.Param("id")))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toShift(s))
}

func (h *handler) getShift(c *gin.Context) {
	s, bs, ws, err := h.Roster.Shift(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	out := shiftDetailJSON{shiftJSON: toShift(s), Booked: len(bs), Open: max(0, s.Places-len(bs)), Waiting: len(ws)}
	hold := roster.HoldOf(bs, ws, caller(c).UserID)
	out.Mine = optional(string(hold.Kind))
	if hold.Kind == roster.HoldWaiting {
		out.WaitingPosition = &hold.Position
	}
	c.JSON(http.StatusOK, out)
}

func (h *handler) updateShift(c *gin.Context) {
	var req shiftRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	s, err := h.Roster.ChangeShift(c.Request.Context(), caller(c), c.Param("id"), req.plan(""))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toShift(s))
}

type reasonRequest struct {
	Reason string `json:"reason" binding:"max=500"`
}

func (h *handler) cancelShift(c *gin.Context) {
	var req reasonRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	s, err := h.Roster.CancelShift(c.Request.Context(), caller(c), c.Param("id"), req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toShift(s))
}

type bookingJSON struct {
	ShiftID     string    `json:"shift_id"`
	Place       int       `json:"place"`
	VolunteerID string    `json:"volunteer_id"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	BookedBy    string    `json:"booked_by"`
	Reason      string    `json:"reason"`
	BookedAt    time.Time `json:"booked_at"`
}

func toBooking(b *roster.Booking) bookingJSON {
	return bookingJSON{ShiftID: b.ShiftID, Place: b.Place, VolunteerID: b.VolunteerID, StartsAt: b.StartsAt, EndsAt: b.EndsAt,
		BookedBy: b.BookedBy, Reason: b.Reason, BookedAt: b.BookedAt}
}

type waitingJSON struct {
	ShiftID     string    `json:"shift_id"`
	VolunteerID string    `json:"volunteer_id"`
	Position    int       `json:"position"`
	JoinedAt    time.Time `json:"joined_at"`
}

type bookRequest struct {
	// Waitlist asks for a place on the waiting list when the shift is full.
	Waitlist bool `json:"waitlist"`
}

// book answers 201 with the booking, or 202 with the waiting-list position.
func (h *handler) book(c *gin.Context) {
	var req bookRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	r, err := h.Roster.Book(c.Request.Context(), caller(c), c.Param("id"), req.Waitlist)
	if err != nil {
		fail(c, err)
		return
	}
	if r.Booking != nil {
		c.JSON(http.StatusCreated, toBooking(r.Booking))
		return
	}
	c.JSON(http.StatusAccepted, waitingJSON{ShiftID: r.Waiting.ShiftID, VolunteerID: r.Waiting.VolunteerID, Position: r.Position, JoinedAt: r.Waiting.JoinedAt})
}

func (h *handler) cancelMyBooking(c *gin.Context) {
	if err := h.Roster.Cancel(c.Request.Context(), caller(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handler) leaveWaiting(c *gin.Context) {
	if err := h.Roster.LeaveWaiting(c.Request.Context(), caller(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type eventJSON struct {
	Seq         int64     `json:"seq"`
	VolunteerID *string   `json:"volunteer_id"`
	Kind        string    `json:"kind"`
	Place       *int      `json:"place"`
	By          string    `json:"by"`
	Reason      string    `json:"reason"`
	At          time.Time `json:"at"`
}

// rosterBookingJSON is a booking on the roster with its attendance state (null
// before the shift ends without a check-in).
type rosterBookingJSON struct {
	bookingJSON
	Attendance *string `json:"attendance"`
}

type rosterJSON struct {
	Shift    shiftJSON           `json:"shift"`
	Bookings []rosterBookingJSON `json:"bookings"`
	Waiting  []waitingJSON       `json:"waiting"`
	// Volunteers are the display names of the people on the roster, by id.
	Volunteers map[string]string `json:"volunteers"`
	History    []eventJSON       `json:"history"`
}

func (h *handler) getRoster(c *gin.Context) {
	r, err := h.Roster.Roster(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	ws, es := r.Waiting, r.History
	out := rosterJSON{Shift: toShift(r.Shift), Bookings: []rosterBookingJSON{}, Waiting: []waitingJSON{}, History: []eventJSON{},
		Volunteers: r.Names}
	for _, b := range r.Bookings {
		out.Bookings = append(out.Bookings, rosterBookingJSON{bookingJSON: toBooking(b), Attendance: optional(string(r.States[b.VolunteerID]))})
	}
	for i, w := range ws {
		out.Waiting = append(out.Waiting, waitingJSON{ShiftID: w.ShiftID, VolunteerID: w.VolunteerID, Position: i + 1, JoinedAt: w.JoinedAt})
	}
	for _, e := range es {
		ev := eventJSON{Seq: e.Seq, VolunteerID: optional(e.VolunteerID), Kind: e.Kind, By: e.By, Reason: e.Reason, At: e.At}
		if e.Place > 0 {
			ev.Place = &e.Place
		}
		out.History = append(out.History, ev)
	}
	c.JSON(http.StatusOK, out)
}

type assignRequest struct {
	VolunteerID string `json:"volunteer_id" binding:"required,max=64"`
	Reason      string `json:"reason" binding:"required,max=500"`
}

func (h *handler) assign(c *gin.Context) {
	var req assignRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	b, err := h.Roster.Assign(c.Request.Context(), caller(c), c.Param("id"), req.VolunteerID, req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toBooking(b))
}

func (h *handler) unassign(c *gin.Context) {
	var req reasonRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := h.Roster.Remove(c.Request.Context(), caller(c), c.Param("id"), c.Param("volunteer_id"), req.Reason); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type myBookingsQuery struct {
	From time.Time `form:"from" time_format:"2006-01-02T15:04:05Z07:00"`
	To   time.Time `form:"to" time_format:"2006-01-02T15:04:05Z07:00"`
}

// myWaiting lists the caller's places on waiting lists of shifts to come.
func (h *handler) myWaiting(c *gin.Context) {
	ws, err := h.Roster.MyWaiting(c.Request.Context(), caller(c))
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, ws, "", func(w roster.WaitingPlace) waitingJSON {
		return waitingJSON{ShiftID: w.ShiftID, VolunteerID: w.VolunteerID, Position: w.Position, JoinedAt: w.JoinedAt}
	})
}

func (h *handler) myBookings(c *gin.Context) {
	var q myBookingsQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	if q.From.IsZero() {
		q.From = time.Now().Add(-24 * time.Hour)
	}
	if q.To.IsZero() {
		q.To = q.From.Add(90 * 24 * time.Hour)
	}
	bs, err := h.Roster.MyBookings(c.Request.Context(), caller(c), q.From, q.To)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, bs, "", toBooking)
}
