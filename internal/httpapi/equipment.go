package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/equipment"
	"ecitizen/internal/page"
)

// Equipment at centres: devices and the usage log kept by the volunteer on duty.

type deviceJSON struct {
	ID        string    `json:"id"`
	CentreID  string    `json:"centre_id"`
	WardID    string    `json:"ward_id"`
	Kind      string    `json:"kind"`
	Label     string    `json:"label"`
	Status    string    `json:"status"`
	Notes     string    `json:"notes"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toDevice(d *equipment.Device) deviceJSON {
	return deviceJSON{ID: d.ID, CentreID: d.CentreID, WardID: d.WardID, Kind: string(d.Kind), Label: d.Label,
		Status: string(d.Status), Notes: d.Notes, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

func (h *handler) listDevices(c *gin.Context) {
	var q listQuery
	p, err := pageOf(c, &q)
	if err != nil {
		fail(c, err)
		return
	}
	ds, next, err := h.Equipment.Devices(c.Request.Context(), c.Param("id"), p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, ds, next, toDevice)
}

type deviceRequest struct {
	Kind   string `json:"kind" binding:"required,oneof=computer laptop tablet smartphone printer scanner router other"`
	Label  string `json:"label" binding:"required,max=80"`
	Status string `json:"status" binding:"omitempty,oneof=working broken in_repair retired"`
	Notes  string `json:"notes" binding:"max=1000"`
}

func (h *handler) createDevice(c *gin.Context) {
	var req deviceRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	d, err := h.Equipment.CreateDevice(c.Request.Context(), caller(c), c.Param("id"), equipment.NewDevice{
		Kind: equipment.Kind(req.Kind), Label: req.Label, Status: equipment.Status(req.Status), Notes: req.Notes})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toDevice(d))
}

type devicePatchRequest struct {
	Kind   *string `json:"kind" binding:"omitempty,oneof=computer laptop tablet smartphone printer scanner router other"`
	Label  *string `json:"label" binding:"omitempty,max=80"`
	Status *string `json:"status" binding:"omitempty,oneof=working broken in_repair retired"`
	Notes  *string `json:"notes" binding:"omitempty,max=1000"`
}

func (h *handler) updateDevice(c *gin.Context) {
	var req devicePatchRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	var p equipment.DevicePatch
	if req.Kind != nil {
		k := equipment.Kind(*req.Kind)
		p.Kind = &k
	}
	if req.Status != nil {
		s := equipment.Status(*req.Status)
		p.Status = &s
	}
	p.Label, p.Notes = req.Label, req.Notes
	d, err := h.Equipment.UpdateDevice(c.Request.Context(), caller(c), c.Param("id"), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toDevice(d))
}

type usageJSON struct {
	ID         string    `json:"id"`
	DeviceID   string    `json:"device_id"`
	CentreID   string    `json:"centre_id"`
	WardID     string    `json:"ward_id"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Minutes    int       `json:"minutes"`
	Purpose    string    `json:"purpose"`
	Procedure  *string   `json:"procedure"`
	Note       string    `json:"note"`
	RecordedBy string    `json:"recorded_by"`
	ShiftID    *string   `json:"shift_id"`
	CreatedAt  time.Time `json:"created_at"`
	Voided     *voidJSON `json:"voided"`
}

type voidJSON struct {
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

func toUsage(u *equipment.Usage) usageJSON {
	out := usageJSON{ID: u.ID, DeviceID: u.DeviceID, CentreID: u.CentreID, WardID: u.WardID, From: u.From, To: u.To,
		Minutes: u.Minutes(), Purpose: string(u.Purpose), Procedure: optional(u.Procedure), Note: u.Note,
		RecordedBy: u.RecordedBy, ShiftID: optional(u.ShiftID), CreatedAt: u.CreatedAt}
	if u.Void != nil {
		out.Voided = &voidJSON{Reason: u.Void.Reason, By: u.Void.By, At: u.Void.At}
	}
	return out
}

type usageRequest struct {
	DeviceID  string    `json:"device_id" binding:"required,max=64"`
	From      time.Time `json:"from" binding:"required"`
	To        time.Time `json:"to" binding:"required"`
	Purpose   string    `json:"purpose" binding:"required,oneof=procedure learning other"`
	Procedure string    `json:"procedure" binding:"max=200"`
	Note      string    `json:"note" binding:"max=500"`
}

func (h *handler) logUsage(c *gin.Context) {
	var req usageRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	u, err := h.Equipment.LogUsage(c.Request.Context(), caller(c), c.Param("id"), equipment.NewUsage{DeviceID: req.DeviceID,
		From: req.From, To: req.To, Purpose: equipment.Purpose(req.Purpose), Procedure: req.Procedure, Note: req.Note})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toUsage(u))
}

type usageQuery struct {
	Limit  int       `form:"limit" binding:"omitempty,min=1"`
	Cursor string    `form:"cursor" binding:"max=300"`
	From   time.Time `form:"from" time_format:"2006-01-02T15:04:05Z07:00"`
	To     time.Time `form:"to" time_format:"2006-01-02T15:04:05Z07:00"`
}

type purposeTotalJSON struct {
	Purpose  string `json:"purpose"`
	Sessions int    `json:"sessions"`
	Minutes  int    `json:"minutes"`
}

type deviceTotalJSON struct {
	DeviceID string `json:"device_id"`
	Label    string `json:"label"`
	Sessions int    `json:"sessions"`
	Minutes  int    `json:"minutes"`
}

type usageTotalsJSON struct {
	Sessions  int                `json:"sessions"`
	Minutes   int                `json:"minutes"`
	ByPurpose []purposeTotalJSON `json:"by_purpose"`
	ByDevice  []deviceTotalJSON  `json:"by_device"`
}

type usageReportJSON struct {
	CentreID   string          `json:"centre_id"`
	From       time.Time       `json:"from"`
	To         time.Time       `json:"to"`
	Items      []usageJSON     `json:"items"`
	NextCursor *string         `json:"next_cursor"`
	Totals     usageTotalsJSON `json:"totals"`
}

// usageReport answers a page of a centre's usage log with the totals of the
// whole range (default: the last 365 days).
func (h *handler) usageReport(c *gin.Context) {
	var q usageQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	p, err := page.New(q.Limit, q.Cursor)
	if err != nil {
		fail(c, err)
		return
	}
	if q.To.IsZero() {
		q.To = time.Now()
	}
	if q.From.IsZero() {
		q.From = q.To.Add(-365 * 24 * time.Hour)
	}
	r, err := h.Equipment.UsageReport(c.Request.Context(), caller(c), c.Param("id"), q.From.UTC(), q.To.UTC(), p)
	if err != nil {
		fail(c, err)
		return
	}
	out := usageReportJSON{CentreID: r.CentreID, From: r.From, To: r.To, Items: []usageJSON{}, NextCursor: optional(r.Next),
		Totals: usageTotalsJSON{Sessions: r.Totals.Sessions, Minutes: r.Totals.Minutes, ByPurpose: []purposeTotalJSON{}, ByDevice: []deviceTotalJSON{}}}
	for _, u := range r.Items {
		out.Items = append(out.Items, toUsage(u))
	}
	for _, t := range r.Totals.ByPurpose {
		out.Totals.ByPurpose = append(out.Totals.ByPurpose, purposeTotalJSON{Purpose: string(t.Purpose), Sessions: t.Sessions, Minutes: t.Minutes})
	}
	for _, t := range r.Totals.ByDevice {
		out.Totals.ByDevice = append(out.Totals.ByDevice, deviceTotalJSON(t))
	}
	c.JSON(http.StatusOK, out)
}

func (h *handler) voidUsage(c *gin.Context) {
	var req requiredReasonRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	u, err := h.Equipment.VoidUsage(c.Request.Context(), caller(c), c.Param("id"), req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUsage(u))
}
