package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/page"
	"ecitizen/internal/resident"
)

// Residents: registered with consent, their phone and national ID numbers never
// in a response except an audited reveal.

type consentJSON struct {
	Version   string    `json:"version"`
	Effective string    `json:"effective"`
	TextVi    string    `json:"text_vi"`
	TextEn    string    `json:"text_en"`
	Current   time.Time `json:"as_of"`
}

func (h *handler) getConsent(c *gin.Context) {
	v := h.Residents.Consent()
	c.JSON(http.StatusOK, consentJSON{Version: v.ID, Effective: v.Effective.Format(time.DateOnly), TextVi: v.Text.Vi,
		TextEn: v.Text.En, Current: time.Now().UTC().Truncate(time.Second)})
}

type residentConsentJSON struct {
	Version    string    `json:"version"`
	GivenAt    time.Time `json:"given_at"`
	RecordedBy string    `json:"recorded_by"`
}

// residentJSON is a resident without its numbers: only whether they are recorded.
type residentJSON struct {
	ID                      string              `json:"id"`
	WardID                  string              `json:"ward_id"`
	FullName                string              `json:"full_name"`
	BirthYear               *int                `json:"birth_year"`
	Gender                  *string             `json:"gender"`
	ResidentialGroup        string              `json:"residential_group"`
	Notes                   string              `json:"notes"`
	HasPhone                bool                `json:"has_phone"`
	HasNationalID           bool                `json:"has_national_id"`
	Consent                 residentConsentJSON `json:"consent"`
	DuplicateOverrideReason *string             `json:"duplicate_override_reason"`
	CreatedBy               string              `json:"created_by"`
	CreatedAt               time.Time           `json:"created_at"`
	UpdatedAt               time.Time           `json:"updated_at"`
	ErasedAt                *time.Time          `json:"erased_at"`
	ErasedBy                *string             `json:"erased_by"`
}

func toResident(r *resident.Resident) residentJSON {
	out := residentJSON{ID: r.ID, WardID: r.WardID, FullName: r.FullName, Gender: optional(string(r.Gender)),
		ResidentialGroup: r.Group, Notes: r.Notes, HasPhone: r.Phone != nil, HasNationalID: r.NationalID != nil,
		Consent:                 residentConsentJSON{Version: r.Consent.Version, GivenAt: r.Consent.GivenAt, RecordedBy: r.Consent.RecordedBy},
		DuplicateOverrideReason: optional(r.DuplicateOverride), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, ErasedAt: r.ErasedAt, ErasedBy: optional(r.ErasedBy)}
	if r.BirthYear != 0 {
		y := r.BirthYear
		out.BirthYear = &y
	}
	return out
}

type consentRequest struct {
	Version string     `json:"version" binding:"required,max=40"`
	GivenAt *time.Time `json:"given_at"`
}

type residentRequest struct {
	WardID                  string          `json:"ward_id" binding:"max=64"`
	CentreID                string          `json:"centre_id" binding:"max=64"`
	FullName                string          `json:"full_name" binding:"required,max=120"`
	BirthYear               int             `json:"birth_year" binding:"required"`
	Gender                  string          `json:"gender" binding:"omitempty,oneof=female male other"`
	Phone                   string          `json:"phone" binding:"max=30"`
	NationalID              string          `json:"national_id" binding:"max=30"`
	ResidentialGroup        string          `json:"residential_group" binding:"required,max=60"`
	Notes                   string          `json:"notes" binding:"max=1000"`
	Consent                 *consentRequest `json:"consent"`
	DuplicateOverrideReason string          `json:"duplicate_override_reason" binding:"max=500"`
}

func (h *handler) registerResident(c *gin.Context) {
	var req residentRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	n := resident.NewResident{WardID: req.WardID, CentreID: req.CentreID, FullName: req.FullName, BirthYear: req.BirthYear,
		Gender: resident.Gender(req.Gender), Phone: req.Phone, NationalID: req.NationalID, Group: req.ResidentialGroup,
		Notes: req.Notes, DuplicateOverride: req.DuplicateOverrideReason}
	if req.Consent != nil {
		n.ConsentVersion = req.Consent.Version
		if req.Consent.GivenAt != nil {
			n.ConsentGivenAt = *req.Consent.GivenAt
		}
	}
	r, err := h.Residents.Register(c.Request.Context(), caller(c), n)
	if err != nil {
		fail(c, err)
		return
	}
	holdsDataOf(c, r.ID)
	c.Header("Location", "/api/v1/residents/"+r.ID)
	c.JSON(http.StatusCreated, toResident(r))
}

type residentQuery struct {
	Limit      int    `form:"limit" binding:"omitempty,min=1"`
	Cursor     string `form:"cursor" binding:"max=300"`
	Q          string `form:"q" binding:"max=200"`
	Phone      string `form:"phone" binding:"max=30"`
	NationalID string `form:"national_id" binding:"max=30"`
}

func (h *handler) searchResidents(c *gin.Context) {
	var q residentQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	p, err := page.New(q.Limit, q.Cursor)
	if err != nil {
		fail(c, err)
		return
	}
	rs, next, err := h.Residents.Search(c.Request.Context(), caller(c), c.Param("id"),
		resident.Query{Q: q.Q, Phone: q.Phone, NationalID: q.NationalID}, p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, rs, next, toResident)
}

func (h *handler) getResident(c *gin.Context) {
	r, err := h.Residents.Get(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toResident(r))
}

type residentPatchRequest struct {
	FullName         *string `json:"full_name" binding:"omitempty,max=120"`
	BirthYear        *int    `json:"birth_year"`
	Gender           *string `json:"gender" binding:"omitempty,oneof=female male other"`
	ResidentialGroup *string `json:"residential_group" binding:"omitempty,max=60"`
	Notes            *string `json:"notes" binding:"omitempty,max=1000"`
	Phone            *string `json:"phone" binding:"omitempty,max=30"`
	NationalID       *string `json:"national_id" binding:"omitempty,max=30"`
}

func (h *handler) updateResident(c *gin.Context) {
	var req residentPatchRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	p := resident.Patch{FullName: req.FullName, BirthYear: req.BirthYear, Group: req.ResidentialGroup, Notes: req.Notes,
		Phone: req.Phone, NationalID: req.NationalID}
	if req.Gender != nil {
		g := resident.Gender(*req.Gender)
		p.Gender = &g
	}
	r, err := h.Residents.Update(c.Request.Context(), caller(c), c.Param("id"), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toResident(r))
}

type revealJSON struct {
	ResidentID string    `json:"resident_id"`
	Phone      *string   `json:"phone"`
	NationalID *string   `json:"national_id"`
	AuditID    string    `json:"audit_id"`
	RevealedAt time.Time `json:"revealed_at"`
}

// revealResident answers a resident's numbers; the answer is never cached nor
// replayed (no Idempotency-Key), and each call writes one audit record.
func (h *handler) revealResident(c *gin.Context) {
	var req requiredReasonRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	r, err := h.Residents.Reveal(c.Request.Context(), caller(c), c.Param("id"), req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, revealJSON{ResidentID: r.ResidentID, Phone: optional(r.Phone), NationalID: optional(r.NationalID),
		AuditID: r.Audit.ID, RevealedAt: r.Audit.At})
}

func (h *handler) eraseResident(c *gin.Context) {
	holdsDataOf(c, c.Param("id"))
	var req requiredReasonRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	r, err := h.Residents.Erase(c.Request.Context(), caller(c), c.Param("id"), req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toResident(r))
}

type auditJSON struct {
	ID         string    `json:"id"`
	ResidentID string    `json:"resident_id"`
	WardID     string    `json:"ward_id"`
	Action     string    `json:"action"`
	Fields     []string  `json:"fields"`
	Reason     string    `json:"reason"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

func toAudit(a *resident.Audit) auditJSON {
	fields := a.Fields
	if fields == nil {
		fields = []string{}
	}
	return auditJSON{ID: a.ID, ResidentID: a.ResidentID, WardID: a.WardID, Action: string(a.Action), Fields: fields,
		Reason: a.Reason, By: a.By, At: a.At}
}

func (h *handler) wardAudit(c *gin.Context) {
	var q listQuery
	p, err := pageOf(c, &q)
	if err != nil {
		fail(c, err)
		return
	}
	as, next, err := h.Residents.AuditTrail(c.Request.Context(), caller(c), c.Param("id"), p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, as, next, toAudit)
}
