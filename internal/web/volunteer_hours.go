package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
	paging "ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// Hours: the volunteer's ledger of the last year (as the API's GET /me/hours),
// hours certificates issued by the volunteer for a period, and their PDFs.

type volHoursLine struct {
	*roster.ShiftHours
	Centre string
}

type volEntryLine struct {
	*roster.WorkEntry
	Centre string
}

type volCertificate struct {
	Code, Display string
	IssuedAt      time.Time
	From, To      time.Time // the period's first and last local days
	Minutes       int
	Revoked       bool
}

type volHoursData struct {
	From, To     time.Time
	TotalMinutes int
	Shifts       []volHoursLine
	Entries      []volEntryLine
	Certificates []volCertificate
	Next         string
	// The certificate form's default period: this year so far.
	DefaultFrom, DefaultTo string
}

func (h *handler) volLoadHours(ctx context.Context, v *view, cursor string) error {
	v.Title = v.T("volunteer.hours.title")
	now := time.Now()
	to, from := now, now.Add(-365*24*time.Hour)
	x, err := h.Roster.MyHours(ctx, v.Caller, from, to)
	if err != nil {
		return err
	}
	cs, err := h.activeCentres(ctx, v)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, c := range cs {
		names[c.ID] = c.Name
	}
	local := now.In(zone)
	d := &volHoursData{From: from, To: to, TotalMinutes: x.TotalMinutes,
		DefaultFrom: time.Date(local.Year(), 1, 1, 0, 0, 0, 0, zone).Format(time.DateOnly), DefaultTo: local.Format(time.DateOnly)}
	v.Data = d
	for _, l := range x.Shifts {
		d.Shifts = append(d.Shifts, volHoursLine{ShiftHours: l, Centre: names[l.CentreID]})
	}
	for _, e := range x.Entries {
		d.Entries = append(d.Entries, volEntryLine{WorkEntry: e, Centre: names[e.CentreID]})
	}
	p, err := paging.New(paging.DefaultLimit, cursor)
	if err != nil {
		return err
	}
	certs, next, err := h.Certificates.Mine(ctx, v.Caller, p)
	if err != nil {
		return err
	}
	for _, c := range certs {
		vc := volCertificate{Code: c.Code, Display: certificate.Display(c.Code), IssuedAt: c.IssuedAt, Revoked: c.Revocation != nil}
		if st := c.Statement.Hours; st != nil {
			vc.Minutes = st.TotalMinutes
			vc.From, _ = time.ParseInLocation(time.DateOnly, st.From, zone)
			vc.To, _ = time.ParseInLocation(time.DateOnly, st.To, zone)
		}
		d.Certificates = append(d.Certificates, vc)
	}
	if next != "" {
		d.Next = "/me/hours?cursor=" + next
	}
	return nil
}

func (h *handler) volHoursPage(c *gin.Context) {
	v := viewOf(c)
	if err := h.volLoadHours(c.Request.Context(), v, c.Query("cursor")); err != nil {
		if e := apperr.As(err); e != nil && e.Code == apperr.CodeInvalid {
			h.notFound(c) // a forged cursor
			return
		}
		h.serverError(c, err)
		return
	}
	h.render(c, http.StatusOK, "volunteer_hours", v)
}

// volIssueCertificate issues (or finds again) the certificate of a period.
func (h *handler) volIssueCertificate(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	ctx := c.Request.Context()
	_, created, err := h.Certificates.IssueHours(ctx, v.Caller, certificate.Period{From: c.PostForm("from"), To: c.PostForm("to")})
	if err != nil {
		if lerr := h.volLoadHours(ctx, v, ""); lerr != nil {
			h.serverError(c, lerr)
			return
		}
		if e := apperr.As(err); e != nil && e.Code == certificate.CodeNoHours {
			err = fieldOf(e, "from")
		}
		h.fail(c, "volunteer_hours", v, err)
		return
	}
	flash := "volunteer.flash.certificate_issued"
	if !created {
		flash = "volunteer.flash.certificate_exists"
	}
	h.redirect(c, "/me/hours", flash)
}

// volCertificatePDF serves a certificate's PDF to its holder, as the API's
// GET /certificates/:code/pdf does.
func (h *handler) volCertificatePDF(c *gin.Context) {
	v := viewOf(c)
	cert, pdf, err := h.Certificates.Document(c.Request.Context(), v.Caller, c.Param("code"))
	if err != nil {
		if e := apperr.As(err); e != nil && (e.Code == certificate.CodeCertificateNotFound || e.Code == apperr.CodeNotFound) {
			h.notFound(c)
			return
		}
		if lerr := h.volLoadHours(c.Request.Context(), v, ""); lerr != nil {
			h.serverError(c, lerr)
			return
		}
		h.fail(c, "volunteer_hours", v, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="ecitizen-certificate-`+certificate.Display(cert.Code)+`.pdf"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", pdf)
}
