package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
	"ecitizen/internal/progress"
)

// Public pages, no sign-in: the verification of a certificate code (hours and
// e-citizen; it shows only what the certificate service's Verify answers, as
// GET /api/v1/verify/:code), and a resident's own progress by their personal
// link (GET /api/v1/personal/:token).

type verifyData struct {
	Code    string
	Valid   bool
	Refusal string // the service's refusal: unknown or revoked
	Revoked bool
	Cert    *certificate.Certificate
	Display string
}

// verifyPage is the form for a code; a code given in the query goes to its page.
func (h *handler) verifyPage(c *gin.Context) {
	v := viewOf(c)
	if code := strings.TrimSpace(c.Query("code")); code != "" {
		c.Redirect(http.StatusSeeOther, "/verify/"+url.PathEscape(code))
		return
	}
	v.Title = v.T("residents.verify_title")
	v.Data = &verifyData{}
	h.render(c, http.StatusOK, "public_verify", v)
}

// verifyCode shows whether a code is a valid certificate: valid with what it
// states, revoked, or unknown (404 and 410 as the API).
func (h *handler) verifyCode(c *gin.Context) {
	v := viewOf(c)
	code := c.Param("code")
	d := &verifyData{Code: code}
	v.Title = v.T("residents.verify_title")
	v.Data = d
	v.Form.Values.Set("code", code)
	cert, err := h.Certificates.Verify(c.Request.Context(), code)
	if err != nil {
		e := apperr.As(err)
		if e == nil || (e.Code != certificate.CodeCertificateNotFound && e.Code != certificate.CodeCertificateRevoked) {
			h.serverError(c, err)
			return
		}
		d.Refusal, d.Revoked = e.Message(v.Lang), e.Code == certificate.CodeCertificateRevoked
		status := http.StatusNotFound
		if d.Revoked {
			status = http.StatusGone
		}
		h.render(c, status, "public_certificate", v)
		return
	}
	d.Valid, d.Cert, d.Display = true, cert, certificate.Display(cert.Code)
	h.render(c, http.StatusOK, "public_certificate", v)
}

// ReachedOn is an e-citizen statement's YYYY-MM-DD day as the reader's date.
func (v *view) ReachedOn(day string) string {
	t, err := time.ParseInLocation(time.DateOnly, day, zone)
	if err != nil {
		return day
	}
	return v.Date(t)
}

type personalData struct {
	View     *progress.PersonalView
	WardName string
	Shown    []resSkill
	Missing  []resSkill
	CertCode string
	Refusal  string
}

// personalPage is a resident's progress by the secret token of their personal
// link: readable without an account and without JavaScript.
func (h *handler) personalPage(c *gin.Context) {
	v := viewOf(c)
	ctx := c.Request.Context()
	c.Header("Referrer-Policy", "no-referrer")
	v.Title = v.T("residents.personal_title")
	d := &personalData{}
	v.Data = d
	pv, err := h.Progress.PersonalView(ctx, c.Param("token"))
	if err != nil {
		e := apperr.As(err)
		if e == nil || e.Code == apperr.CodeUnavailable || e.Code == apperr.CodeStoreBusy {
			h.serverError(c, err)
			return
		}
		d.Refusal = e.Message(v.Lang)
		h.render(c, http.StatusNotFound, "public_personal", v)
		return
	}
	d.View = pv
	d.WardName = h.wardNameOf(ctx, v, pv.Resident.WardID)
	f := h.Progress.Framework()
	for _, s := range pv.Status.Shown {
		d.Shown = append(d.Shown, resSkill{Code: s.SkillCode, Name: skillName(f, s.SkillCode, v.Lang), Shown: true, At: s.Record.At})
	}
	for _, code := range pv.Status.Missing {
		d.Missing = append(d.Missing, resSkill{Code: code, Name: skillName(f, code, v.Lang)})
	}
	if pv.Certificate != nil {
		d.CertCode = certificate.Display(pv.Certificate.Code)
	}
	h.render(c, http.StatusOK, "public_personal", v)
}
