package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/directory"
	"ecitizen/internal/page"
)

type wardJSON struct {
	ID         string     `json:"id"`
	Code       string     `json:"code"`
	NameVi     string     `json:"name_vi"`
	NameEn     string     `json:"name_en"`
	Status     string     `json:"status"`
	MergedInto *string    `json:"merged_into"`
	MergedAt   *time.Time `json:"merged_at"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

func toWard(w *directory.Ward) wardJSON {
	j := wardJSON{ID: w.ID, Code: w.Code, NameVi: w.NameVi, NameEn: w.NameEn, Status: string(w.Status),
		MergedAt: w.MergedAt, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
	if w.MergedInto != "" {
		j.MergedInto = &w.MergedInto
	}
	return j
}

type wardQuery struct {
	listQuery
	Status string `form:"status" binding:"omitempty,oneof=active merging merged"`
}

func (h *handler) listWards(c *gin.Context) {
	var q wardQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	p, err := page.New(q.Limit, q.Cursor)
	if err != nil {
		fail(c, err)
		return
	}
	ws, next, err := h.Directory.Wards(c.Request.Context(), directory.WardFilter{Status: directory.WardStatus(q.Status)}, p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, ws, next, toWard)
}

func (h *handler) getWard(c *gin.Context) {
	w, err := h.Directory.Ward(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toWard(w))
}

type createWardRequest struct {
	Code   string `json:"code" binding:"required,max=16"`
	NameVi string `json:"name_vi" binding:"required,max=120"`
	NameEn string `json:"name_en" binding:"required,max=120"`
}

func (h *handler) createWard(c *gin.Context) {
	var req createWardRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	w, err := h.Directory.CreateWard(c.Request.Context(), caller(c), directory.Ward{Code: req.Code, NameVi: req.NameVi, NameEn: req.NameEn})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toWard(w))
}

type updateWardRequest struct {
	Code       *string `json:"code" binding:"omitempty,max=16"`
	NameVi     *string `json:"name_vi" binding:"omitempty,max=120"`
	NameEn     *string `json:"name_en" binding:"omitempty,max=120"`
	Status     *string `json:"status" binding:"omitempty,oneof=active merged"`
	MergedInto *string `json:"merged_into" binding:"omitempty,max=64"`
}

func (h *handler) updateWard(c *gin.Context) {
	var req updateWardRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	p := directory.WardPatch{Code: req.Code, NameVi: req.NameVi, NameEn: req.NameEn, MergedInto: req.MergedInto}
	if req.Status != nil {
		s := directory.WardStatus(*req.Status)
		p.Status = &s
	}
	w, err := h.Directory.UpdateWard(c.Request.Context(), caller(c), c.Param("id"), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toWard(w))
}

type centreJSON struct {
	ID        string                 `json:"id"`
	WardID    string                 `json:"ward_id"`
	Name      string                 `json:"name"`
	Address   string                 `json:"address"`
	Hours     directory.OpeningHours `json:"opening_hours"`
	Seats     int                    `json:"seats"`
	Active    bool                   `json:"active"`
	CreatedAt time.Time              `json:"created_at"`
	UpdatedAt time.Time              `json:"updated_at"`
}

func toCentre(c *directory.Centre) centreJSON {
	h := c.Hours
	for _, d := range []*[]directory.Span{&h.Mon, &h.Tue, &h.Wed, &h.Thu, &h.Fri, &h.Sat, &h.Sun} {
		if *d == nil {
			*d = []directory.Span{}
		}
	}
	return centreJSON{ID: c.ID, WardID: c.WardID, Name: c.Name, Address: c.Address, Hours: h, Seats: c.Seats,
		Active: c.Active, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func (h *handler) listCentres(c *gin.Context) {
	var q listQuery
	p, err := pageOf(c, &q)
	if err != nil {
		fail(c, err)
		return
	}
	cs, next, err := h.Directory.Centres(c.Request.Context(), caller(c), c.Param("id"), p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, cs, next, toCentre)
}

func (h *handler) getCentre(c *gin.Context) {
	ce, err := h.Directory.Centre(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toCentre(ce))
}

type hoursRequest struct {
	Mon []spanRequest `json:"mon" binding:"max=4,dive"`
	Tue []spanRequest `json:"tue" binding:"max=4,dive"`
	Wed []spanRequest `json:"wed" binding:"max=4,dive"`
	Thu []spanRequest `json:"thu" binding:"max=4,dive"`
	Fri []spanRequest `json:"fri" binding:"max=4,dive"`
	Sat []spanRequest `json:"sat" binding:"max=4,dive"`
	Sun []spanRequest `json:"sun" binding:"max=4,dive"`
}

type spanRequest struct {
	Open  string `json:"open" binding:"required,len=5"`
	Close string `json:"close" binding:"required,len=5"`
}

func (r *hoursRequest) hours() directory.OpeningHours {
	conv := func(in []spanRequest) []directory.Span {
		var out []directory.Span
		for _, s := range in {
			out = append(out, directory.Span{Open: s.Open, Close: s.Close})
		}
		return out
	}
	return directory.OpeningHours{Mon: conv(r.Mon), Tue: conv(r.Tue), Wed: conv(r.Wed), Thu: conv(r.Thu),
		Fri: conv(r.Fri), Sat: conv(r.Sat), Sun: conv(r.Sun)}
}

type createCentreRequest struct {
	Name    string       `json:"name" binding:"required,max=160"`
	Address string       `json:"address" binding:"required,max=300"`
	Hours   hoursRequest `json:"opening_hours"`
	Seats   int          `json:"seats" binding:"min=0,max=500"`
	Active  *bool        `json:"active"`
}

func (h *handler) createCentre(c *gin.Context) {
	var req createCentreRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	active := req.Active == nil || *req.Active
	ce, err := h.Directory.CreateCentre(c.Request.Context(), caller(c), directory.Centre{
		WardID: c.Param("id"), Name: req.Name, Address: req.Address, Hours: req.Hours.hours(), Seats: req.Seats, Active: active,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toCentre(ce))
}

type updateCentreRequest struct {
	Name    *string       `json:"name" binding:"omitempty,max=160"`
	Address *string       `json:"address" binding:"omitempty,max=300"`
	Hours   *hoursRequest `json:"opening_hours"`
	Seats   *int          `json:"seats" binding:"omitempty,min=0,max=500"`
	Active  *bool         `json:"active"`
}

func (h *handler) updateCentre(c *gin.Context) {
	var req updateCentreRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	p := directory.CentrePatch{Name: req.Name, Address: req.Address, Seats: req.Seats, Active: req.Active}
	if req.Hours != nil {
		hrs := req.Hours.hours()
		p.Hours = &hrs
	}
	ce, err := h.Directory.UpdateCentre(c.Request.Context(), caller(c), c.Param("id"), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toCentre(ce))
}

type organisationJSON struct {
	ID           string    `json:"id"`
	Kind         string    `json:"kind"`
	Name         string    `json:"name"`
	ContactName  string    `json:"contact_name"`
	ContactEmail string    `json:"contact_email"`
	ContactPhone string    `json:"contact_phone"`
	Active       bool      `json:"active"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func toOrganisation(o *directory.Organisation) organisationJSON {
	return organisationJSON{ID: o.ID, Kind: string(o.Kind), Name: o.Name, ContactName: o.ContactName,
		ContactEmail: o.ContactEmail, ContactPhone: o.ContactPhone, Active: o.Active, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

type organisationQuery struct {
	listQuery
	Kind string `form:"kind" binding:"omitempty,oneof=university youth_union other"`
}

func (h *handler) listOrganisations(c *gin.Context) {
	var q organisationQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	p, err := page.New(q.Limit, q.Cursor)
	if err != nil {
		fail(c, err)
		return
	}
	orgs, next, err := h.Directory.Organisations(c.Request.Context(), directory.OrganisationFilter{Kind: directory.OrganisationKind(q.Kind)}, p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, orgs, next, toOrganisation)
}

func (h *handler) getOrganisation(c *gin.Context) {
	o, err := h.Directory.Organisation(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toOrganisation(o))
}

type createOrganisationRequest struct {
	Kind         string `json:"kind" binding:"required,oneof=university youth_union other"`
	Name         string `json:"name" binding:"required,max=200"`
	ContactName  string `json:"contact_name" binding:"max=120"`
	ContactEmail string `json:"contact_email" binding:"omitempty,max=254,email"`
	ContactPhone string `json:"contact_phone" binding:"max=20"`
}

func (h *handler) createOrganisation(c *gin.Context) {
	var req createOrganisationRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	o, err := h.Directory.CreateOrganisation(c.Request.Context(), caller(c), directory.Organisation{
		Kind: directory.OrganisationKind(req.Kind), Name: req.Name, ContactName: req.ContactName,
		ContactEmail: req.ContactEmail, ContactPhone: req.ContactPhone,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toOrganisation(o))
}

type updateOrganisationRequest struct {
	Kind         *string `json:"kind" binding:"omitempty,oneof=university youth_union other"`
	Name         *string `json:"name" binding:"omitempty,max=200"`
	ContactName  *string `json:"contact_name" binding:"omitempty,max=120"`
	ContactEmail *string `json:"contact_email" binding:"omitempty,max=254,email"`
	ContactPhone *string `json:"contact_phone" binding:"omitempty,max=20"`
	Active       *bool   `json:"active"`
}

func (h *handler) updateOrganisation(c *gin.Context) {
	var req updateOrganisationRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	p := directory.OrganisationPatch{Name: req.Name, ContactName: req.ContactName, ContactEmail: req.ContactEmail,
		ContactPhone: req.ContactPhone, Active: req.Active}
	if req.Kind != nil {
		k := directory.OrganisationKind(*req.Kind)
		p.Kind = &k
	}
	o, err := h.Directory.UpdateOrganisation(c.Request.Context(), caller(c), c.Param("id"), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toOrganisation(o))
}
