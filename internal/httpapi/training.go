package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/page"
	"ecitizen/internal/training"
)

type sessionJSON struct {
	ID             string    `json:"id"`
	CourseID       string    `json:"course_id"`
	OrganisationID string    `json:"organisation_id"`
	CentreID       *string   `json:"centre_id"`
	WardID         *string   `json:"ward_id"`
	Venue          string    `json:"venue"`
	StartsAt       time.Time `json:"starts_at"`
	EndsAt         time.Time `json:"ends_at"`
	Capacity       int       `json:"capacity"`
	Trainers       []string  `json:"trainers"`
	Note           string    `json:"note"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toSession(s *training.Session) sessionJSON {
	return sessionJSON{ID: s.ID, CourseID: s.CourseID, OrganisationID: s.OrganisationID, CentreID: optional(s.CentreID),
		WardID: optional(s.WardID), Venue: s.Venue, StartsAt: s.StartsAt, EndsAt: s.EndsAt, Capacity: s.Capacity,
		Trainers: s.Trainers, Note: s.Note, Status: string(s.Status), CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

type sessionDetailJSON struct {
	sessionJSON
	Enrolled int `json:"enrolled"`
	Open     int `json:"places_open"`
}

type sessionQuery struct {
	Limit          int       `form:"limit" binding:"omitempty,min=1"`
	Cursor         string    `form:"cursor" binding:"max=300"`
	CourseID       string    `form:"course_id" binding:"max=64"`
	OrganisationID string    `form:"organisation_id" binding:"max=64"`
	WardID         string    `form:"ward_id" binding:"max=64"`
	CentreID       string    `form:"centre_id" binding:"max=64"`
	Status         string    `form:"status" binding:"omitempty,oneof=scheduled cancelled"`
	From           time.Time `form:"from" time_format:"2006-01-02T15:04:05Z07:00"`
	To             time.Time `form:"to" time_format:"2006-01-02T15:04:05Z07:00"`
}

func (h *handler) listSessions(c *gin.Context) {
	var q sessionQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	p, err := page.New(q.Limit, q.Cursor)
	if err != nil {
		fail(c, err)
		return
	}
	ss, next, err := h.Training.List(c.Request.Context(), training.SessionFilter{CourseID: q.CourseID, OrganisationID: q.OrganisationID,
		WardID: q.WardID, CentreID: q.CentreID, Status: training.Status(q.Status), From: q.From, To: q.To}, p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, ss, next, toSession)
}

func (h *handler) getSession(c *gin.Context) {
	s, n, err := h.Training.Session(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sessionDetailJSON{sessionJSON: toSession(s), Enrolled: n, Open: max(0, s.Capacity-n)})
}

type sessionRequest struct {
	CourseID       string    `json:"course_id" binding:"required,max=64"`
	OrganisationID string    `json:"organisation_id" binding:"max=64"`
	CentreID       string    `json:"centre_id" binding:"max=64"`
	WardID         string    `json:"ward_id" binding:"max=64"`
	Venue          string    `json:"venue" binding:"max=300"`
	StartsAt       time.Time `json:"starts_at" binding:"required"`
	EndsAt         time.Time `json:"ends_at" binding:"required"`
	Capacity       int       `json:"capacity" binding:"required,min=1,max=500"`
	Trainers       []string  `json:"trainers" binding:"required,min=1,max=10,dive,max=120"`
	Note           string    `json:"note" binding:"max=2000"`
}

func (r *sessionRequest) plan() training.Plan {
	return training.Plan{CourseID: r.CourseID, OrganisationID: r.OrganisationID, CentreID: r.CentreID, WardID: r.WardID,
		Venue: r.Venue, StartsAt: r.StartsAt, EndsAt: r.EndsAt, Capacity: r.Capacity, Trainers: r.Trainers, Note: r.Note}
}

func (h *handler) createSession(c *gin.Context) {
	var req sessionRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	s, err := h.Training.Schedule(c.Request.Context(), caller(c), req.plan())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toSession(s))
}

type changeSessionRequest struct {
	CentreID string    `json:"centre_id" binding:"max=64"`
	WardID   string    `json:"ward_id" binding:"max=64"`
	Venue    string    `json:"venue" binding:"max=300"`
	StartsAt time.Time `json:"starts_at" binding:"required"`
	EndsAt   time.Time `json:"ends_at" binding:"required"`
	Capacity int       `json:"capacity" binding:"required,min=1,max=500"`
	Trainers []string  `json:"trainers" binding:"required,min=1,max=10,dive,max=120"`
	Note     string    `json:"note" binding:"max=2000"`
}

// updateSession replaces a session's plan (PUT semantics: the whole plan).
func (h *handler) updateSession(c *gin.Context) {
	var req changeSessionRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	s, err := h.Training.Change(c.Request.Context(), caller(c), c.Param("id"), training.Plan{CentreID: req.CentreID, WardID: req.WardID,
		Venue: req.Venue, StartsAt: req.StartsAt, EndsAt: req.EndsAt, Capacity: req.Capacity, Trainers: req.Trainers, Note: req.Note}, false)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSession(s))
}

func (h *handler) cancelSession(c *gin.Context) {
	s, err := h.Training.Change(c.Request.Context(), caller(c), c.Param("id"), training.Plan{}, true)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSession(s))
}

type seatJSON struct {
	SessionID  string     `json:"session_id"`
	Number     int        `json:"number"`
	UserID     *string    `json:"user_id"`
	Name       string     `json:"name"`
	EnrolledBy string     `json:"enrolled_by"`
	EnrolledAt time.Time  `json:"enrolled_at"`
	Attendance *string    `json:"attendance"`
	MarkedAt   *time.Time `json:"marked_at"`
}

func toSeat(s *training.Seat) seatJSON {
	return seatJSON{SessionID: s.SessionID, Number: s.Number, UserID: optional(s.UserID), Name: s.Name, EnrolledBy: s.EnrolledBy,
		EnrolledAt: s.EnrolledAt, Attendance: optional(string(s.Attendance)), MarkedAt: s.MarkedAt}
}

func (h *handler) listEnrolments(c *gin.Context) {
	_, seats, err := h.Training.Enrolments(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, seats, "", toSeat)
}

type enrolRequest struct {
	// Name enrols a resident without an account; empty enrols the caller.
	Name string `json:"name" binding:"max=120"`
}

func (h *handler) enrol(c *gin.Context) {
	var req enrolRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	s, err := h.Training.Enrol(c.Request.Context(), caller(c), c.Param("id"), req.Name)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toSeat(s))
}

func seatNumber(c *gin.Context) (int, error) {
	n, err := strconv.Atoi(c.Param("number"))
	if err != nil || n < 1 || n > training.MaxCapacity {
		return 0, apperr.ErrNotFound
	}
	return n, nil
}

type withdrawRequest struct {
	Reason string `json:"reason" binding:"max=500"`
}

func (h *handler) withdraw(c *gin.Context) {
	n, err := seatNumber(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req withdrawRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := h.Training.Withdraw(c.Request.Context(), caller(c), c.Param("id"), n, req.Reason); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type attendanceRequest struct {
	Attendance string `json:"attendance" binding:"required,oneof=attended absent"`
}

func (h *handler) markAttendance(c *gin.Context) {
	n, err := seatNumber(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req attendanceRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	s, err := h.Training.MarkAttendance(c.Request.Context(), caller(c), c.Param("id"), n, training.Attendance(req.Attendance))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSeat(s))
}

func (h *handler) mySessions(c *gin.Context) {
	var q listQuery
	p, err := pageOf(c, &q)
	if err != nil {
		fail(c, err)
		return
	}
	seats, next, err := h.Training.MySeats(c.Request.Context(), caller(c), p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, seats, next, toSeat)
}
