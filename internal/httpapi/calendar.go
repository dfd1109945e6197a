package httpapi

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/roster"
)

// calendarFeedJSON is a new feed: its secret token, shown once, and its URL path.
type calendarFeedJSON struct {
	URL   string `json:"url"`
	Token string `json:"token"`
}

func feedCreated(c *gin.Context, token string) {
	c.JSON(http.StatusCreated, calendarFeedJSON{URL: roster.FeedPath(token), Token: token})
}

// resetMyCalendar creates or replaces the caller's feed of their bookings.
func (h *handler) resetMyCalendar(c *gin.Context) {
	token, err := h.Roster.ResetMyFeed(c.Request.Context(), caller(c))
	if err != nil {
		fail(c, err)
		return
	}
	feedCreated(c, token)
}

func (h *handler) deleteMyCalendar(c *gin.Context) {
	if err := h.Roster.DeleteMyFeed(c.Request.Context(), caller(c)); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// resetCentreCalendar creates or replaces a centre's feed of its shifts.
func (h *handler) resetCentreCalendar(c *gin.Context) {
	token, err := h.Roster.ResetCentreFeed(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	feedCreated(c, token)
}

// getCalendar serves a feed by its secret token, without authentication
// (calendar applications send none). Gin cannot route a parameter followed by
// ".ics" within one segment, so the segment is the token with an optional
// ".ics" suffix.
func (h *handler) getCalendar(c *gin.Context) {
	token := strings.TrimSuffix(c.Param("token"), ".ics")
	body, err := h.Roster.Feed(c.Request.Context(), token)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", body)
}
