package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/roster"
)

// No-shows: staff's decisions, and a volunteer's standing (why self-booking is
// suspended, and until when).

type noShowRequest struct {
	Decision string `json:"decision" binding:"required,oneof=confirm excuse"`
	Reason   string `json:"reason" binding:"required,max=500"`
}

type noShowJSON struct {
	ShiftID     string    `json:"shift_id"`
	VolunteerID string    `json:"volunteer_id"`
	Decision    string    `json:"decision"`
	Reason      string    `json:"reason"`
	DecidedBy   string    `json:"decided_by"`
	DecidedAt   time.Time `json:"decided_at"`
}

func (h *handler) decideNoShow(c *gin.Context) {
	var req noShowRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	n, err := h.Roster.DecideNoShow(c.Request.Context(), caller(c), c.Param("id"), c.Param("volunteer_id"),
		roster.NoShowDecision(req.Decision), req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, noShowJSON{ShiftID: n.ShiftID, VolunteerID: n.VolunteerID, Decision: string(n.Decision),
		Reason: n.Reason, DecidedBy: n.DecidedBy, DecidedAt: n.DecidedAt})
}

type confirmedNoShowJSON struct {
	ShiftID   string    `json:"shift_id"`
	Title     string    `json:"title"`
	StartsAt  time.Time `json:"starts_at"`
	Reason    string    `json:"reason"`
	DecidedAt time.Time `json:"decided_at"`
}

type noShowRuleJSON struct {
	Count          int `json:"count"`
	WindowDays     int `json:"window_days"`
	SuspensionDays int `json:"suspension_days"`
}

type standingJSON struct {
	SuspendedUntil   *time.Time            `json:"suspended_until"`
	ConfirmedNoShows []confirmedNoShowJSON `json:"confirmed_no_shows"`
	Rule             noShowRuleJSON        `json:"rule"`
}

// wholeDays is a duration in days, rounded up.
func wholeDays(d time.Duration) int {
	const day = 24 * time.Hour
	return int((d + day - 1) / day)
}

func (h *handler) myStanding(c *gin.Context) {
	st, err := h.Roster.MyStanding(c.Request.Context(), caller(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := standingJSON{SuspendedUntil: st.SuspendedUntil, ConfirmedNoShows: []confirmedNoShowJSON{},
		Rule: noShowRuleJSON{Count: st.Rule.Count, WindowDays: wholeDays(st.Rule.Window), SuspensionDays: wholeDays(st.Rule.Suspension)}}
	for _, n := range st.NoShows {
		out.ConfirmedNoShows = append(out.ConfirmedNoShows, confirmedNoShowJSON{ShiftID: n.ShiftID, Title: n.Title,
			StartsAt: n.StartsAt, Reason: n.Reason, DecidedAt: n.DecidedAt})
	}
	c.JSON(http.StatusOK, out)
}
