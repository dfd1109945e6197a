package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
	"ecitizen/internal/export"
	"ecitizen/internal/identity"
	paging "ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// A partner organisation's pages: invite codes, volunteers and their hours
// (partner_sessions.go has the training sessions). A partner acts for their own
// organisation; an admin picks one (?org=). The services check the scope, as
// for the API's identity.go, partner.go and attendance.go.

// partnerOrgID is the organisation the page acts for: the partner's own, or the
// admin's ?org= (or the form's org). ok is false when an admin has not chosen
// one yet; the organisation picker has then been shown.
func (h *handler) partnerOrgID(c *gin.Context, v *view, path string) (string, bool) {
	if v.Caller.Role == identity.RolePartner {
		return v.Caller.Scope.OrganisationID, true
	}
	org := c.Query("org")
	if org == "" {
		org = c.PostForm("org")
	}
	if org != "" {
		return org, true
	}
	os, err := h.adminAllOrgs(c.Request.Context())
	if err != nil {
		h.serverError(c, err)
		return "", false
	}
	v.Data = partnerPickData{Orgs: os, Path: path}
	v.Title = v.T("partner.pick.title")
	h.render(c, http.StatusOK, "partner_pick", v)
	return "", false
}

type partnerPickData struct {
	Orgs any
	Path string
}

// partnerPath is path for org: admins carry ?org= along.
func partnerPath(v *view, path, org string) string {
	if v.Caller.Role == identity.RolePartner {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "org=" + url.QueryEscape(org)
}

// partnerHead is what every partner page shows on top.
type partnerHead struct {
	Org     string // id
	OrgName string
	Admin   bool // the reader is an admin acting for Org
}

func (h *handler) partnerHeadOf(c *gin.Context, v *view, org string) (partnerHead, error) {
	o, err := h.Directory.Organisation(c.Request.Context(), org)
	if err != nil {
		return partnerHead{}, err
	}
	return partnerHead{Org: org, OrgName: o.Name, Admin: v.Caller.IsAdmin()}, nil
}

// ---- Invites ----

type partnerInvite struct {
	I     *identity.Invite
	State string // message id
	Class string // badge class
	Link  string
}

type partnerInvitesData struct {
	partnerHead
	Invites []partnerInvite
	Next    string
}

func (h *handler) partnerLoadInvites(c *gin.Context, v *view, org string) error {
	head, err := h.partnerHeadOf(c, v, org)
	if err != nil {
		return err
	}
	p, err := adminPage(c)
	if err != nil {
		return err
	}
	invs, next, err := h.Identity.ListInvites(c.Request.Context(), v.Caller, org, p)
	if err != nil {
		return err
	}
	d := partnerInvitesData{partnerHead: head, Next: adminNext("/partner/invites", c.Request.URL.Query(), next)}
	now := time.Now()
	for i := len(invs) - 1; i >= 0; i-- { // newest first
		inv := invs[i]
		x := partnerInvite{I: inv, State: "partner.invite.valid", Class: "ok",
			Link: strings.TrimRight(h.publicURL, "/") + "/register?code=" + url.QueryEscape(inv.Code)}
		switch {
		case inv.RevokedAt != nil:
			x.State, x.Class, x.Link = "partner.invite.revoked", "bad", ""
		case !inv.ExpiresAt.After(now):
			x.State, x.Class, x.Link = "partner.invite.expired", "warn", ""
		}
		d.Invites = append(d.Invites, x)
	}
	v.Data, v.Title = d, v.T("partner.invites.title")
	return nil
}

func (h *handler) partnerInvites(c *gin.Context) {
	v := viewOf(c)
	org, ok := h.partnerOrgID(c, v, "/partner/invites")
	if !ok {
		return
	}
	if err := h.partnerLoadInvites(c, v, org); err != nil {
		h.pageError(c, err)
		return
	}
	h.render(c, http.StatusOK, "partner_invites", v)
}

// partnerDay parses a date field (YYYY-MM-DD) as the start of the next local
// day: an invite valid "until 30/11" is valid all of that day.
func partnerDay(c *gin.Context, field string) (time.Time, error) {
	s := strings.TrimSpace(c.PostForm(field))
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, zone)
	if err != nil {
		return time.Time{}, apperr.Invalid(field, "date", "Ngày không hợp lệ.", "The date is not valid.")
	}
	return d.AddDate(0, 0, 1), nil
}

func (h *handler) partnerCreateInvite(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	org, ok := h.partnerOrgID(c, v, "/partner/invites")
	if !ok {
		return
	}
	exp, err := partnerDay(c, "expires_at")
	if err == nil {
		_, err = h.Identity.CreateInvite(c.Request.Context(), v.Caller, org, strings.TrimSpace(c.PostForm("label")), exp)
	}
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			h.notFound(c)
			return
		}
		if lerr := h.partnerLoadInvites(c, v, org); lerr != nil {
			h.pageError(c, lerr)
			return
		}
		h.fail(c, "partner_invites", v, err)
		return
	}
	h.redirect(c, partnerPath(v, "/partner/invites", org), "partner.flash.invite_created")
}

func (h *handler) partnerRevokeInvite(c *gin.Context) {
	v := viewOf(c)
	org, ok := h.partnerOrgID(c, v, "/partner/invites")
	if !ok {
		return
	}
	if _, err := h.Identity.RevokeInvite(c.Request.Context(), v.Caller, org, c.Param("id")); err != nil {
		h.pageError(c, err)
		return
	}
	h.redirect(c, partnerPath(v, "/partner/invites", org), "partner.flash.invite_revoked")
}

// ---- Volunteers ----

type partnerVolunteer struct {
	ID, Name, Email string
	Minutes         int
	Status          identity.Status
}

type partnerVolunteersData struct {
	partnerHead
	From, To   string // the range shown, YYYY-MM-DD
	Volunteers []partnerVolunteer
	Total      int
	Exports    []option // link, label
}

func (h *handler) partnerLoadVolunteers(c *gin.Context, v *view, org, fromDay, toDay string) error {
	head, err := h.partnerHeadOf(c, v, org)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	from, to, err := h.Partner.Range(fromDay, toDay)
	if err != nil {
		return err
	}
	x, err := h.Roster.OrganisationHours(ctx, v.Caller, org, from, to)
	if err != nil {
		return err
	}
	minutes := map[string]roster.VolunteerMinutes{}
	for _, m := range x.Volunteers {
		minutes[m.VolunteerID] = m
	}
	d := partnerVolunteersData{partnerHead: head, Total: x.TotalMinutes,
		From: from.In(zone).Format(time.DateOnly), To: to.In(zone).AddDate(0, 0, -1).Format(time.DateOnly)}
	// Every volunteer of the organisation with their status (GET /users?role=volunteer).
	p := paging.Request{Limit: paging.MaxLimit}
	for {
		us, next, err := h.Identity.ListUsers(ctx, v.Caller, identity.UserFilter{Role: identity.RoleVolunteer, OrganisationID: org}, p)
		if err != nil {
			return err
		}
		for _, u := range us {
			d.Volunteers = append(d.Volunteers, partnerVolunteer{ID: u.ID, Name: u.DisplayName, Email: u.Email,
				Minutes: minutes[u.ID].Minutes, Status: u.Status})
		}
		if next == "" || len(us) == 0 {
			break
		}
		p.After = us[len(us)-1].ID
	}
	for _, x := range []struct{ table, label string }{{"", "partner.export.xlsx"}, {"volunteers", "partner.export.volunteers"},
		{"sessions", "partner.export.sessions"}, {"courses", "partner.export.courses"}} {
		q := url.Values{"from": {d.From}, "to": {d.To}, "format": {"xlsx"}}
		if x.table != "" {
			q.Set("format", "csv")
			q.Set("table", x.table)
		}
		if head.Admin {
			q.Set("org", org)
		}
		d.Exports = append(d.Exports, option{"/partner/export?" + q.Encode(), v.T(x.label)})
	}
	sort.SliceStable(d.Volunteers, func(i, j int) bool { return d.Volunteers[i].Minutes > d.Volunteers[j].Minutes })
	v.Data, v.Title = d, v.T("partner.volunteers.title")
	return nil
}

func (h *handler) partnerVolunteers(c *gin.Context) {
	v := viewOf(c)
	org, ok := h.partnerOrgID(c, v, "/partner/volunteers")
	if !ok {
		return
	}
	if err := h.partnerLoadVolunteers(c, v, org, c.Query("from"), c.Query("to")); err != nil {
		if e := apperr.As(err); e != nil && e.Code == apperr.CodeInvalid {
			// A bad range is shown next to its field, with the default range's figures.
			v.Form = &form{Values: c.Request.URL.Query(), Errors: map[string]string{}}
			v.Form.setError(e, v.Lang)
			if lerr := h.partnerLoadVolunteers(c, v, org, "", ""); lerr != nil {
				h.pageError(c, lerr)
				return
			}
			h.render(c, http.StatusBadRequest, "partner_volunteers", v)
			return
		}
		h.pageError(c, err)
		return
	}
	h.render(c, http.StatusOK, "partner_volunteers", v)
}

// partnerVolunteerStatus disables or re-enables a volunteer of the organisation.
func (h *handler) partnerVolunteerStatus(c *gin.Context) {
	v := viewOf(c)
	org, ok := h.partnerOrgID(c, v, "/partner/volunteers")
	if !ok {
		return
	}
	st := identity.Status(c.PostForm("status"))
	if st != identity.StatusActive && st != identity.StatusDisabled {
		h.refuse(c, http.StatusBadRequest, "admin.error.status")
		return
	}
	ctx := c.Request.Context()
	u, err := h.Identity.User(ctx, v.Caller, c.Param("id"))
	if err != nil || u.Role != identity.RoleVolunteer || u.Scope.OrganisationID != org {
		h.notFound(c)
		return
	}
	if _, err := h.Identity.UpdateUser(ctx, v.Caller, u.ID, identity.UserPatch{Status: &st}); err != nil {
		h.pageError(c, err)
		return
	}
	flash := "partner.flash.volunteer_enabled"
	if st == identity.StatusDisabled {
		flash = "partner.flash.volunteer_disabled"
	}
	h.redirect(c, partnerPath(v, "/partner/volunteers", org), flash)
}

// partnerCertificate downloads an hours certificate of one of the
// organisation's volunteers by its code (GET /certificates/:code/pdf).
func (h *handler) partnerCertificate(c *gin.Context) {
	v := viewOf(c)
	v.Form = &form{Values: c.Request.URL.Query(), Errors: map[string]string{}}
	org, ok := h.partnerOrgID(c, v, "/partner/volunteers")
	if !ok {
		return
	}
	cert, pdf, err := h.Certificates.Document(c.Request.Context(), v.Caller, c.Query("code"))
	if err != nil {
		e := apperr.As(err)
		if e == nil {
			h.serverError(c, err)
			return
		}
		if lerr := h.partnerLoadVolunteers(c, v, org, "", ""); lerr != nil {
			h.pageError(c, lerr)
			return
		}
		h.fail(c, "partner_volunteers", v, fieldOf(e, "code"))
		return
	}
	c.Header("Content-Disposition", `attachment; filename="ecitizen-certificate-`+certificate.Display(cert.Code)+`.pdf"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// partnerExport downloads the organisation's tables over the range shown (GET
// /organisations/:id/coverage/export): one table as CSV, or all as XLSX.
func (h *handler) partnerExport(c *gin.Context) {
	v := viewOf(c)
	org, ok := h.partnerOrgID(c, v, "/partner/volunteers")
	if !ok {
		return
	}
	format, fok := export.ParseFormat(c.Query("format"))
	table := c.Query("table")
	switch table {
	case "", "courses", "sessions", "volunteers":
	default:
		fok = false
	}
	if !fok || (format == export.CSV && table == "") {
		h.notFound(c)
		return
	}
	from, to, err := h.Partner.Range(c.Query("from"), c.Query("to"))
	if err != nil {
		h.notFound(c)
		return
	}
	cov, err := h.Partner.Coverage(c.Request.Context(), v.Caller, org, from, to)
	if err != nil {
		h.pageError(c, err)
		return
	}
	var names []string
	name := "partner-coverage"
	if table != "" {
		names, name = []string{table}, "partner-"+table
	}
	h.sendTables(c, name, format, v.Lang, h.Partner.Tables(cov, v.Lang, names...))
}

// partnerAtoi reads a whole number of a form field.
func partnerAtoi(c *gin.Context, field string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(c.PostForm(field)))
	if err != nil {
		return 0, apperr.Invalid(field, "number", "Hãy nhập một số nguyên.", "Enter a whole number.")
	}
	return n, nil
}
