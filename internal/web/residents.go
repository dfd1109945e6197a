package web

import (
	"context"
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
	"ecitizen/internal/httpx"
	"ecitizen/internal/identity"
	paging "ecitizen/internal/page"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/skills"
)

// Residents and their progress, for ward staff (their wards), admins and
// volunteers on duty (the ward of the centre where they are checked in). The
// resident, progress and certificate services decide scope, as for the API
// (internal/httpapi/resident.go, progress.go, personallink.go).

// resDuty is where a volunteer is on duty now.
type resDuty struct {
	CentreID, CentreName string
	WardID               string
}

// onDuty finds where a volunteer is on duty now (at any centre), with the
// margin the resident service allows; the refusal is roster's not_on_duty.
func (h *handler) onDuty(ctx context.Context, c identity.Caller) (*resDuty, error) {
	sh, err := h.Roster.OnDutyInWard(ctx, c.UserID, "", "", time.Now(), roster.OnDutyMargin)
	if err != nil {
		return nil, err
	}
	d := &resDuty{CentreID: sh.CentreID, WardID: sh.WardID, CentreName: sh.CentreID}
	if ce, err := h.Directory.ActiveCentre(ctx, sh.CentreID); err == nil {
		d.CentreName = ce.Name
	}
	return d, nil
}

// resWards are the wards a staff member (or an admin: every active ward) may choose.
func (h *handler) resWards(ctx context.Context, v *view) ([]option, error) {
	ws, err := h.managedWards(ctx, v)
	if err != nil {
		return nil, err
	}
	out := make([]option, 0, len(ws))
	for _, w := range ws {
		out = append(out, option{w.ID, v.WardName(w)})
	}
	return out, nil
}

type resRow struct {
	R        *resident.Resident
	ECitizen bool
	Known    bool // the status could be read
}

type resSearchData struct {
	Wards    []option
	WardID   string
	Q        string
	Duty     *resDuty
	Rows     []resRow
	Next     string
	Staff    bool
	Searched bool
}

// residentsPage: search a ward's residents by name (diacritics and case ignored
// by the service). Staff choose among their wards; a volunteer searches the
// ward where they are on duty.
func (h *handler) residentsPage(c *gin.Context) {
	v := viewOf(c)
	ctx := c.Request.Context()
	d := &resSearchData{Q: strings.TrimSpace(c.Query("q")), Staff: v.Caller.Role != identity.RoleVolunteer}
	if d.Staff {
		ws, err := h.resWards(ctx, v)
		if err != nil {
			h.serverError(c, err)
			return
		}
		d.Wards = ws
		d.WardID = c.Query("ward")
		if d.WardID == "" && len(ws) > 0 {
			d.WardID = ws[0].Value
		}
	} else {
		duty, err := h.onDuty(ctx, v.Caller)
		if err != nil {
			h.pageError(c, err)
			return
		}
		d.Duty, d.WardID = duty, duty.WardID
	}
	v.Title = v.T("residents.title")
	v.Data = d
	if d.WardID == "" {
		h.render(c, http.StatusOK, "residents_search", v)
		return
	}
	p, err := paging.New(paging.DefaultLimit, c.Query("after"))
	if err != nil {
		h.pageError(c, err)
		return
	}
	rs, next, err := h.Residents.Search(ctx, v.Caller, d.WardID, resident.Query{Q: d.Q}, p)
	if err != nil {
		h.pageError(c, err)
		return
	}
	d.Searched = true
	for _, r := range rs {
		row := resRow{R: r}
		if st, err := h.Progress.Status(ctx, v.Caller, r.ID); err == nil {
			row.Known, row.ECitizen = true, st.Status.ECitizen
		}
		d.Rows = append(d.Rows, row)
	}
	if next != "" {
		q := url.Values{"ward": {d.WardID}, "q": {d.Q}, "after": {next}}
		d.Next = "/residents?" + q.Encode()
	}
	h.render(c, http.StatusOK, "residents_search", v)
}

type resNewData struct {
	Wards          []option
	Duty           *resDuty
	ConsentVersion string
	ConsentText    string
	Genders        []option
	Existing       string // the resident a duplicate refusal names
}

// newResidentData prepares the registration form; a volunteer off duty is refused.
func (h *handler) newResidentData(c *gin.Context, v *view) (*resNewData, bool) {
	ctx := c.Request.Context()
	cv := h.Residents.Consent()
	d := &resNewData{ConsentVersion: cv.ID, ConsentText: cv.Text.Vi, Genders: []option{{"", v.T("residents.gender_none")},
		{string(resident.GenderFemale), v.T("residents.gender_female")}, {string(resident.GenderMale), v.T("residents.gender_male")},
		{string(resident.GenderOther), v.T("residents.gender_other")}}}
	if v.Lang == "en" {
		d.ConsentText = cv.Text.En
	}
	if v.Caller.Role == identity.RoleVolunteer {
		duty, err := h.onDuty(ctx, v.Caller)
		if err != nil {
			h.pageError(c, err)
			return nil, false
		}
		d.Duty = duty
	} else {
		ws, err := h.resWards(ctx, v)
		if err != nil {
			h.serverError(c, err)
			return nil, false
		}
		d.Wards = ws
	}
	v.Title = v.T("residents.new_title")
	v.Data = d
	return d, true
}

func (h *handler) residentNewPage(c *gin.Context) {
	v := viewOf(c)
	if _, ok := h.newResidentData(c, v); !ok {
		return
	}
	if w := c.Query("ward"); w != "" {
		v.Form.Values.Set("ward_id", w)
	}
	h.render(c, http.StatusOK, "residents_new", v)
}

func (h *handler) residentRegister(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	d, ok := h.newResidentData(c, v)
	if !ok {
		return
	}
	n := resident.NewResident{FullName: c.PostForm("full_name"), Gender: resident.Gender(c.PostForm("gender")),
		Phone: c.PostForm("phone"), NationalID: c.PostForm("national_id"), Group: c.PostForm("residential_group"),
		Notes: c.PostForm("notes"), DuplicateOverride: c.PostForm("duplicate_override_reason"), ConsentVersion: c.PostForm("consent")}
	if d.Duty != nil {
		n.CentreID = d.Duty.CentreID
	} else {
		n.WardID = c.PostForm("ward_id")
	}
	var fields []apperr.FieldError
	if s := strings.TrimSpace(c.PostForm("birth_year")); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil {
			fields = append(fields, apperr.FieldError{Field: "birth_year", Code: "integer", Vi: "Năm sinh là một số, ví dụ 1960.", En: "The birth year is a number, for example 1960."})
		}
		n.BirthYear = y
	}
	if len(fields) > 0 {
		h.fail(c, "residents_new", v, &apperr.Error{Code: apperr.CodeInvalid, Vi: "Dữ liệu không hợp lệ.", En: "The input is not valid.", Fields: fields})
		return
	}
	r, err := h.Residents.Register(c.Request.Context(), v.Caller, n)
	if err != nil {
		if e := apperr.As(err); e != nil {
			d.Existing = e.Existing
			switch e.Code {
			case resident.CodePossibleDuplicate:
				err = fieldOf(e, "duplicate_override_reason")
			case "invalid":
				err = renameField(renameField(e, "consent.version", "consent"), "group", "residential_group")
			}
		}
		h.fail(c, "residents_new", v, err)
		return
	}
	h.redirect(c, "/residents/"+r.ID, "residents.flash_registered")
}

type resSkill struct {
	Code, Name string
	Shown      bool
	Method     string
	At         time.Time
}

type resRecord struct {
	progress.Entry
	Name string
}

type resShowData struct {
	R         *resident.Resident
	WardName  string
	Version   int
	Required  []resSkill
	Others    []resSkill
	ECitizen  bool
	ReachedAt time.Time
	CertCode  string
	Records   []resRecord
	Attempts  []*progress.QuizAttempt
	Skills    []option // skills a record may show (observed evidence)
	Staff     bool
	// Link is a personal link just created (shown once).
	Link   string
	LinkQR template.URL // a PNG data URL made here, never user input
}

func skillName(f *skills.Framework, code, lang string) string {
	if sk, ok := f.Skill(code); ok {
		return sk.Name.In(lang)
	}
	return code
}

// residentData reads the resident page's data; on a refusal it has answered.
func (h *handler) residentData(c *gin.Context, v *view, id string) (*resShowData, bool) {
	ctx := c.Request.Context()
	r, err := h.Residents.Get(ctx, v.Caller, id)
	if err != nil {
		h.pageError(c, err)
		return nil, false
	}
	d := &resShowData{R: r, WardName: h.wardNameOf(ctx, v, r.WardID), Staff: v.Caller.HasWard(r.WardID)}
	v.Title = r.FullName
	v.Data = d
	if r.Erased() {
		v.Title = v.T("residents.erased_title")
		return d, true
	}
	st, err := h.Progress.Status(ctx, v.Caller, id)
	if err != nil {
		h.pageError(c, err)
		return nil, false
	}
	f := h.Progress.Framework()
	d.Version, d.ECitizen = st.Status.Version, st.Status.ECitizen
	if d.ECitizen {
		d.ReachedAt = st.Status.ReachedAt
	}
	if st.Certificate != nil {
		d.CertCode = certificate.Display(st.Certificate.Code)
	}
	shown := map[string]progress.Shown{}
	for _, s := range st.Status.Shown {
		shown[s.SkillCode] = s
	}
	required := map[string]bool{}
	codes, _ := f.RequiredIn(st.Status.Version)
	for _, code := range codes {
		required[code] = true
		s, ok := shown[code]
		d.Required = append(d.Required, resSkill{Code: code, Name: skillName(f, code, v.Lang), Shown: ok, Method: string(s.Record.Method), At: s.Record.At})
	}
	for _, s := range st.Status.Shown {
		if !required[s.SkillCode] {
			d.Others = append(d.Others, resSkill{Code: s.SkillCode, Name: skillName(f, s.SkillCode, v.Lang), Shown: true, Method: string(s.Record.Method), At: s.Record.At})
		}
	}
	entries, err := h.Progress.List(ctx, v.Caller, id)
	if err != nil {
		h.pageError(c, err)
		return nil, false
	}
	for _, e := range entries {
		d.Records = append(d.Records, resRecord{Entry: e, Name: skillName(f, e.Record.SkillCode, v.Lang)})
	}
	if d.Attempts, err = h.Progress.QuizAttempts(ctx, v.Caller, id); err != nil {
		h.pageError(c, err)
		return nil, false
	}
	d.Skills = []option{{"", v.T("residents.choose_skill")}}
	for _, sk := range f.Skills {
		if sk.Accepts(skills.EvidenceObserved) {
			label := sk.Name.In(v.Lang)
			if !shown[sk.Code].Record.At.IsZero() {
				label += " ✓"
			}
			d.Skills = append(d.Skills, option{sk.Code, label})
		}
	}
	return d, true
}

func (h *handler) residentPage(c *gin.Context) {
	v := viewOf(c)
	if _, ok := h.residentData(c, v, c.Param("id")); !ok {
		return
	}
	h.render(c, http.StatusOK, "residents_show", v)
}

// residentRecord records that the resident showed a skill, observed by the reader.
func (h *handler) residentRecord(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	id := c.Param("id")
	_, err := h.Progress.Record(c.Request.Context(), v.Caller, id,
		progress.NewRecord{SkillCode: c.PostForm("skill_code"), Evidence: c.PostForm("evidence")})
	if err != nil {
		if e := apperr.As(err); e == nil || e.Code == apperr.CodeInvalid {
			if _, ok := h.residentData(c, v, id); !ok {
				return
			}
			h.fail(c, "residents_show", v, err)
			return
		}
		h.pageError(c, err)
		return
	}
	h.redirect(c, "/residents/"+id, "residents.flash_recorded")
}

type resRevokeData struct {
	R      *resident.Resident
	Record resRecord
}

// revokeData finds a record of the resident for the revocation page.
func (h *handler) revokeData(c *gin.Context, v *view) (*resRevokeData, bool) {
	ctx := c.Request.Context()
	r, err := h.Residents.Get(ctx, v.Caller, c.Param("id"))
	if err != nil {
		h.pageError(c, err)
		return nil, false
	}
	entries, err := h.Progress.List(ctx, v.Caller, r.ID)
	if err != nil {
		h.pageError(c, err)
		return nil, false
	}
	for _, e := range entries {
		if e.Record.ID == c.Param("record") {
			d := &resRevokeData{R: r, Record: resRecord{Entry: e, Name: skillName(h.Progress.Framework(), e.Record.SkillCode, v.Lang)}}
			v.Title = v.T("residents.revoke_title")
			v.Data = d
			return d, true
		}
	}
	h.notFound(c)
	return nil, false
}

func (h *handler) residentRevokePage(c *gin.Context) {
	v := viewOf(c)
	if _, ok := h.revokeData(c, v); !ok {
		return
	}
	h.render(c, http.StatusOK, "residents_revoke", v)
}

func (h *handler) residentRevoke(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	if _, ok := h.revokeData(c, v); !ok {
		return
	}
	if _, err := h.Progress.Revoke(c.Request.Context(), v.Caller, c.Param("record"), c.PostForm("reason")); err != nil {
		h.fail(c, "residents_revoke", v, err)
		return
	}
	h.redirect(c, "/residents/"+c.Param("id"), "residents.flash_revoked")
}

// residentLinkReset creates (or replaces) the resident's personal link and
// shows it once, with its QR code; it is never stored in clear.
func (h *handler) residentLinkReset(c *gin.Context) {
	v := viewOf(c)
	id := c.Param("id")
	token, err := h.Progress.ResetPersonalLink(c.Request.Context(), v.Caller, id)
	if err != nil {
		h.pageError(c, err)
		return
	}
	d, ok := h.residentData(c, v, id)
	if !ok {
		return
	}
	d.Link = strings.TrimRight(h.publicURL, "/") + progress.PersonalPagePath(token)
	if qr, err := qrImage(d.Link); err == nil {
		d.LinkQR = qr
	}
	v.Flash = v.T("residents.flash_link")
	c.Header("Referrer-Policy", "no-referrer")
	h.render(c, http.StatusOK, "residents_show", v)
}

func (h *handler) residentLinkDelete(c *gin.Context) {
	v := viewOf(c)
	id := c.Param("id")
	if err := h.Progress.DeletePersonalLink(c.Request.Context(), v.Caller, id); err != nil {
		h.pageError(c, err)
		return
	}
	h.redirect(c, "/residents/"+id, "residents.flash_link_deleted")
}

type resRevealData struct {
	R        *resident.Resident
	Revealed *resident.Revealed
}

func (h *handler) residentRevealPage(c *gin.Context) {
	v := viewOf(c)
	r, err := h.Residents.Get(c.Request.Context(), v.Caller, c.Param("id"))
	if err != nil {
		h.pageError(c, err)
		return
	}
	v.Title = v.T("residents.reveal_title")
	v.Data = &resRevealData{R: r}
	h.render(c, http.StatusOK, "residents_reveal", v)
}

// residentReveal shows the numbers once: the page is not stored by the browser
// (no-store, as every page) and a reload asks again (a POST).
func (h *handler) residentReveal(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	ctx := c.Request.Context()
	r, err := h.Residents.Get(ctx, v.Caller, c.Param("id"))
	if err != nil {
		h.pageError(c, err)
		return
	}
	d := &resRevealData{R: r}
	v.Title = v.T("residents.reveal_title")
	v.Data = d
	rv, err := h.Residents.Reveal(ctx, v.Caller, r.ID, c.PostForm("reason"))
	if err != nil {
		h.fail(c, "residents_reveal", v, err)
		return
	}
	d.Revealed = rv
	h.render(c, http.StatusOK, "residents_reveal", v)
}

func (h *handler) residentErasePage(c *gin.Context) {
	v := viewOf(c)
	r, err := h.Residents.Get(c.Request.Context(), v.Caller, c.Param("id"))
	if err != nil {
		h.pageError(c, err)
		return
	}
	v.Title = v.T("residents.erase_title")
	v.Data = &resRevealData{R: r}
	h.render(c, http.StatusOK, "residents_erase", v)
}

func (h *handler) residentErase(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	ctx := c.Request.Context()
	r, err := h.Residents.Get(ctx, v.Caller, c.Param("id"))
	if err != nil {
		h.pageError(c, err)
		return
	}
	v.Title = v.T("residents.erase_title")
	v.Data = &resRevealData{R: r}
	if _, err := h.Residents.Erase(ctx, v.Caller, r.ID, c.PostForm("reason")); err != nil {
		h.fail(c, "residents_erase", v, err)
		return
	}
	h.redirect(c, "/residents/"+r.ID, "residents.flash_erased")
}

type resImportData struct {
	Wards  []option
	Report *resident.ImportReport
}

func (h *handler) importData(c *gin.Context, v *view) (*resImportData, bool) {
	ws, err := h.resWards(c.Request.Context(), v)
	if err != nil {
		h.serverError(c, err)
		return nil, false
	}
	d := &resImportData{Wards: ws}
	v.Title = v.T("residents.import_title")
	v.Data = d
	return d, true
}

func (h *handler) residentImportPage(c *gin.Context) {
	v := viewOf(c)
	if _, ok := h.importData(c, v); !ok {
		return
	}
	h.render(c, http.StatusOK, "residents_import", v)
}

// residentImport reads the uploaded CSV file (1 MiB at most, as the API) and
// shows the service's per-row report.
func (h *handler) residentImport(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	d, ok := h.importData(c, v)
	if !ok {
		return
	}
	fileErr := func(vi, en string) {
		h.fail(c, "residents_import", v, apperr.Invalid("file", "required", vi, en))
	}
	fh, err := c.FormFile("file")
	if err != nil {
		fileErr("Chọn một tệp CSV (UTF-8).", "Choose a CSV file (UTF-8).")
		return
	}
	if fh.Size > httpx.MaxBody {
		fileErr("Tệp quá lớn (tối đa 1 MiB).", "The file is too large (1 MiB at most).")
		return
	}
	f, err := fh.Open()
	if err != nil {
		h.fail(c, "residents_import", v, err)
		return
	}
	defer f.Close()
	body := make([]byte, fh.Size)
	if _, err := io.ReadFull(f, body); err != nil {
		h.fail(c, "residents_import", v, err)
		return
	}
	rep, err := h.Residents.Import(c.Request.Context(), v.Caller, c.PostForm("ward_id"), body, c.PostForm("dry_run") == "true")
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			err = fieldOf(apperr.As(err), "ward_id")
		}
		h.fail(c, "residents_import", v, err)
		return
	}
	d.Report = rep
	h.render(c, http.StatusOK, "residents_import", v)
}

// IssueText is an import issue's message in the reader's language.
func (v *view) IssueText(is resident.ImportIssue) string {
	if v.Lang == "en" {
		return is.En
	}
	return is.Vi
}

type resAuditData struct {
	Wards  []option
	WardID string
	Items  []*resident.Audit
	Next   string
}

// residentAuditPage lists the audit trail (reveals, erasures) of a ward.
func (h *handler) residentAuditPage(c *gin.Context) {
	v := viewOf(c)
	ctx := c.Request.Context()
	ws, err := h.resWards(ctx, v)
	if err != nil {
		h.serverError(c, err)
		return
	}
	d := &resAuditData{Wards: ws, WardID: c.Query("ward")}
	if d.WardID == "" && len(ws) > 0 {
		d.WardID = ws[0].Value
	}
	v.Title = v.T("residents.audit_title")
	v.Data = d
	if d.WardID != "" {
		p, err := paging.New(50, c.Query("after"))
		if err != nil {
			h.pageError(c, err)
			return
		}
		items, next, err := h.Residents.AuditTrail(ctx, v.Caller, d.WardID, p)
		if err != nil {
			h.pageError(c, err)
			return
		}
		d.Items = items
		if next != "" {
			d.Next = "/residents/audit?" + url.Values{"ward": {d.WardID}, "after": {next}}.Encode()
		}
	}
	h.render(c, http.StatusOK, "residents_audit", v)
}
