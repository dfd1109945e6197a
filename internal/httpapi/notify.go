package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/notify"
	"ecitizen/internal/page"
)

type notificationJSON struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	ShiftID   *string    `json:"shift_id"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// toNotification renders a notification in lang.
func toNotification(lang string) func(*notify.Notification) notificationJSON {
	return func(n *notify.Notification) notificationJSON {
		return notificationJSON{ID: n.ID, Kind: string(n.Kind), Title: n.Title.In(lang), Body: n.Body.In(lang),
			ShiftID: optional(n.ShiftID), CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
	}
}

type notificationQuery struct {
	Limit  int    `form:"limit" binding:"omitempty,min=1"`
	Cursor string `form:"cursor" binding:"max=300"`
	Unread bool   `form:"unread"`
}

func (h *handler) myNotifications(c *gin.Context) {
	var q notificationQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	p, err := page.New(q.Limit, q.Cursor)
	if err != nil {
		fail(c, err)
		return
	}
	ns, next, err := h.Notify.List(c.Request.Context(), caller(c), q.Unread, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.Writer.Header().Add("Vary", "Accept-Language")
	renderList(c, ns, next, toNotification(lang(c)))
}

func (h *handler) readNotification(c *gin.Context) {
	if err := h.Notify.MarkRead(c.Request.Context(), caller(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
