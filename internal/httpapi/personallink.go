package httpapi

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/certificate"
	"ecitizen/internal/progress"
)

// A resident's personal link: a secret URL, shown as a QR code by a volunteer,
// with which a resident without an account sees their own progress.

// personalLinkJSON is a new personal link: the secret token, shown once, its
// absolute URL, and a QR code of the URL (a PNG data URL).
type personalLinkJSON struct {
	URL    string `json:"url"`
	Token  string `json:"token"`
	QRCode string `json:"qr_code"`
}

func (h *handler) resetPersonalLink(c *gin.Context) {
	token, err := h.Progress.ResetPersonalLink(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	// The link given to the resident opens the web page; its JSON is GET /api/v1/personal/:token.
	url := strings.TrimRight(h.PublicURL, "/") + progress.PersonalPagePath(token)
	png, err := certificate.QRCode(url)
	if err != nil {
		fail(c, fmt.Errorf("personal link QR code: %w", err))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, personalLinkJSON{URL: url, Token: token,
		QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)})
}

func (h *handler) deletePersonalLink(c *gin.Context) {
	if err := h.Progress.DeletePersonalLink(c.Request.Context(), caller(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type personalSkillJSON struct {
	SkillCode string    `json:"skill_code"`
	NameVi    string    `json:"name_vi"`
	NameEn    string    `json:"name_en"`
	Required  bool      `json:"required"`
	At        time.Time `json:"at"`
}

type missingSkillJSON struct {
	SkillCode string `json:"skill_code"`
	NameVi    string `json:"name_vi"`
	NameEn    string `json:"name_en"`
}

type personalCertificateJSON struct {
	Code      string `json:"code"`
	VerifyURL string `json:"verify_url"`
}

// personalViewJSON is what a resident sees through their personal link: never
// their phone number or national ID.
type personalViewJSON struct {
	FullName         string                   `json:"full_name"`
	WardNameVi       string                   `json:"ward_name_vi"`
	WardNameEn       string                   `json:"ward_name_en"`
	FrameworkVersion int                      `json:"framework_version"`
	Shown            []personalSkillJSON      `json:"shown"`
	Missing          []missingSkillJSON       `json:"missing"`
	ECitizen         bool                     `json:"e_citizen"`
	ReachedAt        *time.Time               `json:"reached_at"`
	Certificate      *personalCertificateJSON `json:"certificate"`
}

// getPersonal serves a resident's own view by the secret token of their
// personal link, without authentication.
func (h *handler) getPersonal(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	v, err := h.Progress.PersonalView(c.Request.Context(), c.Param("token"))
	if err != nil {
		fail(c, err)
		return
	}
	ward, err := h.Directory.Ward(c.Request.Context(), v.Resident.WardID)
	if err != nil {
		fail(c, fmt.Errorf("ward of resident %s: %w", v.Resident.ID, err))
		return
	}
	f := h.Progress.Framework()
	required := map[string]bool{}
	if codes, ok := f.RequiredIn(v.Status.Version); ok {
		for _, code := range codes {
			required[code] = true
		}
	}
	out := personalViewJSON{FullName: v.Resident.FullName, WardNameVi: ward.NameVi, WardNameEn: ward.NameEn,
		FrameworkVersion: v.Status.Version, Shown: []personalSkillJSON{}, Missing: []missingSkillJSON{}, ECitizen: v.Status.ECitizen}
	for _, sh := range v.Status.Shown {
		sk, _ := f.Skill(sh.SkillCode)
		out.Shown = append(out.Shown, personalSkillJSON{SkillCode: sh.SkillCode, NameVi: sk.Name.Vi, NameEn: sk.Name.En,
			Required: required[sh.SkillCode], At: sh.Record.At})
	}
	for _, code := range v.Status.Missing {
		sk, _ := f.Skill(code)
		out.Missing = append(out.Missing, missingSkillJSON{SkillCode: code, NameVi: sk.Name.Vi, NameEn: sk.Name.En})
	}
	if v.Status.ECitizen {
		at := v.Status.ReachedAt
		out.ReachedAt = &at
	}
	if v.Certificate != nil {
		out.Certificate = &personalCertificateJSON{Code: v.Certificate.Code, VerifyURL: h.Certificates.VerifyURL(v.Certificate.Code)}
	}
	c.JSON(http.StatusOK, out)
}
