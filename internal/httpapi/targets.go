package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
)

// Targets (per ward and year, and the district's per year) and ward merges.

type wardTargetJSON struct {
	WardID          string    `json:"ward_id"`
	Year            int       `json:"year"`
	AdultPopulation int       `json:"adult_population"`
	Households      int       `json:"households"`
	UpdatedBy       string    `json:"updated_by"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func toWardTarget(t *directory.WardTarget) wardTargetJSON {
	return wardTargetJSON{WardID: t.WardID, Year: t.Year, AdultPopulation: t.AdultPopulation,
		Households: t.Households, UpdatedBy: t.UpdatedBy, UpdatedAt: t.UpdatedAt}
}

type districtTargetJSON struct {
	Year                 int       `json:"year"`
	EcitizenSharePercent float64   `json:"ecitizen_share_percent"`
	UpdatedBy            string    `json:"updated_by"`
	UpdatedAt            time.Time `json:"updated_at"`
}

func toDistrictTarget(t *directory.DistrictTarget) districtTargetJSON {
	return districtTargetJSON{Year: t.Year, EcitizenSharePercent: t.EcitizenSharePercent, UpdatedBy: t.UpdatedBy, UpdatedAt: t.UpdatedAt}
}

// targetYear reads the :year path parameter; anything but a year of 2000..2100
// is invalid.
func targetYear(c *gin.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y < directory.MinTargetYear || y > directory.MaxTargetYear {
		return 0, apperr.Invalid("year", "range", "Năm phải từ 2000 đến 2100.", "The year is between 2000 and 2100.")
	}
	return y, nil
}

type wardTargetRequest struct {
	AdultPopulation *int `json:"adult_population" binding:"required,min=0,max=10000000"`
	Households      *int `json:"households" binding:"required,min=0,max=10000000"`
}

func (h *handler) putWardTarget(c *gin.Context) {
	year, err := targetYear(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req wardTargetRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	t, err := h.Directory.SetWardTarget(c.Request.Context(), caller(c), directory.WardTarget{
		WardID: c.Param("id"), Year: year, AdultPopulation: *req.AdultPopulation, Households: *req.Households})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toWardTarget(t))
}

func (h *handler) listWardTargets(c *gin.Context) {
	ts, err := h.Directory.WardTargetsOf(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, ts, "", toWardTarget)
}

type districtTargetRequest struct {
	EcitizenSharePercent *float64 `json:"ecitizen_share_percent" binding:"required,min=0,max=100"`
}

func (h *handler) putDistrictTarget(c *gin.Context) {
	year, err := targetYear(c)
	if err != nil {
		fail(c, err)
		return
	}
	var req districtTargetRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	t, err := h.Directory.SetDistrictTarget(c.Request.Context(), caller(c), directory.DistrictTarget{
		Year: year, EcitizenSharePercent: *req.EcitizenSharePercent})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toDistrictTarget(t))
}

func (h *handler) listDistrictTargets(c *gin.Context) {
	ts, err := h.Directory.DistrictTargets(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, ts, "", toDistrictTarget)
}

type mergeWardRequest struct {
	IntoWardID string `json:"into_ward_id" binding:"required,max=64"`
	Reason     string `json:"reason" binding:"required,max=500"`
}

type wardMergeJSON struct {
	FromWardID string    `json:"from_ward_id"`
	IntoWardID string    `json:"into_ward_id"`
	MergedAt   time.Time `json:"merged_at"`
	MergedBy   string    `json:"merged_by"`
	Reason     string    `json:"reason"`
}

func (h *handler) mergeWard(c *gin.Context) {
	var req mergeWardRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	m, err := h.Directory.MergeWard(c.Request.Context(), caller(c), c.Param("id"), req.IntoWardID, req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, wardMergeJSON{FromWardID: m.From, IntoWardID: m.Into, MergedAt: m.At, MergedBy: m.By, Reason: m.Reason})
}
