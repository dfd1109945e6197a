package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	paging "ecitizen/internal/page"
)

// The district admin's pages: wards (with merges), organisations, accounts,
// targets and the district overview (admin_district.go). Each calls the same
// service methods as the API's handlers (internal/httpapi directory.go,
// identity.go, targets.go, coverage.go).

// adminRoleMsg names each role.
var adminRoleMsg = map[identity.Role]string{identity.RoleAdmin: "role.admin", identity.RoleWardStaff: "role.ward_staff",
	identity.RolePartner: "role.partner", identity.RoleVolunteer: "role.volunteer"}

// adminPage reads the page request of a list (?cursor=).
func adminPage(c *gin.Context) (paging.Request, error) { return paging.New(0, c.Query("cursor")) }

// adminNext is the link to a list's next page: path with q and the cursor.
func adminNext(path string, q url.Values, next string) string {
	if next == "" {
		return ""
	}
	nq := url.Values{}
	for k, vs := range q {
		if k != "cursor" {
			nq[k] = vs
		}
	}
	nq.Set("cursor", next)
	return path + "?" + nq.Encode()
}

// adminAllOrgs lists every organisation.
func (h *handler) adminAllOrgs(ctx context.Context) ([]*directory.Organisation, error) {
	var out []*directory.Organisation
	p := paging.Request{Limit: paging.MaxLimit}
	for {
		os, next, err := h.Directory.Organisations(ctx, directory.OrganisationFilter{}, p)
		if err != nil {
			return nil, err
		}
		out = append(out, os...)
		if next == "" || len(os) == 0 {
			return out, nil
		}
		p.After = os[len(os)-1].ID
	}
}

// adminFormBool reads a checkbox.
func adminFormBool(c *gin.Context, name string) bool {
	v := c.PostForm(name)
	return v == "on" || v == "true" || v == "1"
}

// adminInt parses a whole number typed into field; blank or not a number is a
// field problem.
func adminInt(c *gin.Context, field string) (int, error) {
	s := strings.TrimSpace(strings.NewReplacer(".", "", ",", "", " ", "").Replace(c.PostForm(field)))
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.Invalid(field, "number", "Hãy nhập một số nguyên.", "Enter a whole number.")
	}
	return n, nil
}

func (h *handler) adminIndex(c *gin.Context) {
	v := viewOf(c)
	v.Title = v.T("admin.title")
	h.render(c, http.StatusOK, "admin_index", v)
}

// ---- Wards ----

type adminWardRow struct {
	W      *directory.Ward
	Name   string
	Into   string // the receiving ward's name, when merged
	Status string // message id
}

type adminWardsData struct {
	Wards []adminWardRow
	Next  string
}

func adminWardStatus(s directory.WardStatus) string {
	switch s {
	case directory.WardMerged:
		return "admin.ward_status.merged"
	case directory.WardMerging:
		return "admin.ward_status.merging"
	}
	return "admin.ward_status.active"
}

func (h *handler) adminLoadWards(c *gin.Context, v *view) error {
	p, err := adminPage(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	ws, next, err := h.Directory.Wards(ctx, directory.WardFilter{}, p)
	if err != nil {
		return err
	}
	d := adminWardsData{Next: adminNext("/admin/wards", c.Request.URL.Query(), next)}
	for _, w := range ws {
		r := adminWardRow{W: w, Name: v.WardName(w), Status: adminWardStatus(w.Status)}
		if w.MergedInto != "" {
			if into, err := h.Directory.Ward(ctx, w.MergedInto); err == nil {
				r.Into = v.WardName(into)
			}
		}
		d.Wards = append(d.Wards, r)
	}
	v.Data = d
	v.Title = v.T("admin.wards.title")
	return nil
}

func (h *handler) adminWards(c *gin.Context) {
	v := viewOf(c)
	if err := h.adminLoadWards(c, v); err != nil {
		h.serverError(c, err)
		return
	}
	h.render(c, http.StatusOK, "admin_wards", v)
}

func (h *handler) adminCreateWard(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	_, err := h.Directory.CreateWard(c.Request.Context(), v.Caller, directory.Ward{
		Code: strings.TrimSpace(c.PostForm("code")), NameVi: strings.TrimSpace(c.PostForm("name_vi")), NameEn: strings.TrimSpace(c.PostForm("name_en"))})
	if err != nil {
		if e := apperr.As(err); e != nil && e.Code == directory.CodeWardCodeTaken {
			err = fieldOf(e, "code")
		}
		if lerr := h.adminLoadWards(c, v); lerr != nil {
			h.serverError(c, lerr)
			return
		}
		h.fail(c, "admin_wards", v, err)
		return
	}
	h.redirect(c, "/admin/wards", "admin.flash.ward_created")
}

type adminWardData struct {
	W       *directory.Ward
	Name    string
	Status  string
	Into    string
	Others  []option // active wards it may merge into
	Merge   *directory.WardMerge
	MergeBy string
	// Confirm is the merge waiting for the admin's confirmation.
	Confirm *adminMergeConfirm
}

type adminMergeConfirm struct {
	Into, IntoName, Reason string
}

// adminLoadWard fills the ward page; a ward that does not exist is apperr.ErrNotFound.
func (h *handler) adminLoadWard(c *gin.Context, v *view) (*adminWardData, error) {
	ctx := c.Request.Context()
	w, err := h.Directory.Ward(ctx, c.Param("id"))
	if err != nil {
		return nil, err
	}
	d := &adminWardData{W: w, Name: v.WardName(w), Status: adminWardStatus(w.Status)}
	ws, err := h.allWards(ctx, directory.WardFilter{})
	if err != nil {
		return nil, err
	}
	d.Others = []option{{"", v.T("admin.merge.choose")}}
	for _, o := range ws {
		if o.ID == w.MergedInto {
			d.Into = v.WardName(o)
		}
		if o.ID != w.ID && o.Status == directory.WardActive {
			d.Others = append(d.Others, option{o.ID, o.Code + " – " + v.WardName(o)})
		}
	}
	ms, err := h.Directory.WardMerges(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.From == w.ID {
			d.Merge = m
			if u, err := h.Identity.User(ctx, v.Caller, m.By); err == nil {
				d.MergeBy = u.DisplayName
			}
		}
	}
	v.Data = d
	v.Title = d.Name
	return d, nil
}

func (h *handler) adminWard(c *gin.Context) {
	v := viewOf(c)
	if _, err := h.adminLoadWard(c, v); err != nil {
		h.pageError(c, err)
		return
	}
	h.render(c, http.StatusOK, "admin_ward", v)
}

func (h *handler) adminUpdateWard(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	code, vi, en := strings.TrimSpace(c.PostForm("code")), strings.TrimSpace(c.PostForm("name_vi")), strings.TrimSpace(c.PostForm("name_en"))
	_, err := h.Directory.UpdateWard(c.Request.Context(), v.Caller, c.Param("id"), directory.WardPatch{Code: &code, NameVi: &vi, NameEn: &en})
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			h.notFound(c)
			return
		}
		if e := apperr.As(err); e != nil && e.Code == directory.CodeWardCodeTaken {
			err = fieldOf(e, "code")
		}
		if _, lerr := h.adminLoadWard(c, v); lerr != nil {
			h.pageError(c, lerr)
			return
		}
		h.fail(c, "admin_ward", v, err)
		return
	}
	h.redirect(c, "/admin/wards/"+url.PathEscape(c.Param("id")), "admin.flash.ward_saved")
}

// adminMergeWard asks to confirm the merge (the first post), then merges (the
// post with confirm=yes) and shows the ward with its merge record.
func (h *handler) adminMergeWard(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	d, err := h.adminLoadWard(c, v)
	if err != nil {
		h.pageError(c, err)
		return
	}
	into, reason := c.PostForm("into_ward_id"), strings.TrimSpace(c.PostForm("reason"))
	var problem error
	switch {
	case into == "":
		problem = apperr.Invalid("into_ward_id", "required", "Hãy chọn phường tiếp nhận.", "Choose the receiving ward.")
	case reason == "":
		problem = apperr.Invalid("reason", "required", "Hãy ghi lý do sáp nhập.", "Give the reason for the merge.")
	}
	if problem != nil {
		h.fail(c, "admin_ward", v, problem)
		return
	}
	name := ""
	for _, o := range d.Others {
		if o.Value == into {
			name = o.Label
		}
	}
	if name == "" {
		// Itself, a merged ward or none: the service refuses it; ask before confirming.
		h.fail(c, "admin_ward", v, apperr.Invalid("into_ward_id", "unknown_ward", "Hãy chọn một phường đang hoạt động khác.", "Choose another active ward."))
		return
	}
	if c.PostForm("confirm") != "yes" {
		d.Confirm = &adminMergeConfirm{Into: into, IntoName: name, Reason: reason}
		h.render(c, http.StatusOK, "admin_ward", v)
		return
	}
	if _, err := h.Directory.MergeWard(c.Request.Context(), v.Caller, c.Param("id"), into, reason); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			err = apperr.Invalid("into_ward_id", "unknown_ward", "Phường tiếp nhận không tồn tại.", "The receiving ward does not exist.")
		} else if e := apperr.As(err); e != nil && (e.Code == directory.CodeWardMergeSelf || e.Code == directory.CodeWardMerged) {
			err = fieldOf(e, "into_ward_id")
		}
		h.fail(c, "admin_ward", v, err)
		return
	}
	h.redirect(c, "/admin/wards/"+url.PathEscape(c.Param("id")), "admin.flash.ward_merged")
}

// ---- Organisations ----

type adminOrgsData struct {
	Orgs  []*directory.Organisation
	Next  string
	Kinds []option
}

func adminKinds(v *view) []option {
	return []option{
		{string(directory.KindUniversity), v.T("admin.kind.university")},
		{string(directory.KindYouthUnion), v.T("admin.kind.youth_union")},
		{string(directory.KindOther), v.T("admin.kind.other")},
	}
}

func (h *handler) adminLoadOrgs(c *gin.Context, v *view) error {
	p, err := adminPage(c)
	if err != nil {
		return err
	}
	os, next, err := h.Directory.Organisations(c.Request.Context(), directory.OrganisationFilter{}, p)
	if err != nil {
		return err
	}
	v.Data = adminOrgsData{Orgs: os, Next: adminNext("/admin/organisations", c.Request.URL.Query(), next), Kinds: adminKinds(v)}
	v.Title = v.T("admin.orgs.title")
	return nil
}

func (h *handler) adminOrgs(c *gin.Context) {
	v := viewOf(c)
	if err := h.adminLoadOrgs(c, v); err != nil {
		h.serverError(c, err)
		return
	}
	h.render(c, http.StatusOK, "admin_orgs", v)
}

// adminOrgEmail checks a contact email as the API's binding does (it is optional).
func adminOrgEmail(s string) error {
	if s != "" && (!strings.Contains(s, "@") || strings.ContainsAny(s, " \t") || len(s) > 254) {
		return apperr.Invalid("contact_email", "email", "Email không hợp lệ.", "The email address is not valid.")
	}
	return nil
}

func (h *handler) adminCreateOrg(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	o := directory.Organisation{Kind: directory.OrganisationKind(c.PostForm("kind")), Name: strings.TrimSpace(c.PostForm("name")),
		ContactName: strings.TrimSpace(c.PostForm("contact_name")), ContactEmail: strings.TrimSpace(c.PostForm("contact_email")),
		ContactPhone: strings.TrimSpace(c.PostForm("contact_phone"))}
	err := adminOrgEmail(o.ContactEmail)
	if err == nil {
		_, err = h.Directory.CreateOrganisation(c.Request.Context(), v.Caller, o)
	}
	if err != nil {
		if lerr := h.adminLoadOrgs(c, v); lerr != nil {
			h.serverError(c, lerr)
			return
		}
		h.fail(c, "admin_orgs", v, err)
		return
	}
	h.redirect(c, "/admin/organisations", "admin.flash.org_created")
}

type adminOrgData struct {
	O     *directory.Organisation
	Kinds []option
}

func (h *handler) adminOrg(c *gin.Context) {
	v := viewOf(c)
	o, err := h.Directory.Organisation(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.pageError(c, err)
		return
	}
	v.Data, v.Title = adminOrgData{O: o, Kinds: adminKinds(v)}, o.Name
	h.render(c, http.StatusOK, "admin_org", v)
}

func (h *handler) adminUpdateOrg(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	ctx := c.Request.Context()
	o, err := h.Directory.Organisation(ctx, c.Param("id"))
	if err != nil {
		h.pageError(c, err)
		return
	}
	v.Data, v.Title = adminOrgData{O: o, Kinds: adminKinds(v)}, o.Name
	kind := directory.OrganisationKind(c.PostForm("kind"))
	name, cn, ce, cp := strings.TrimSpace(c.PostForm("name")), strings.TrimSpace(c.PostForm("contact_name")),
		strings.TrimSpace(c.PostForm("contact_email")), strings.TrimSpace(c.PostForm("contact_phone"))
	active := adminFormBool(c, "active")
	err = adminOrgEmail(ce)
	if err == nil {
		_, err = h.Directory.UpdateOrganisation(ctx, v.Caller, o.ID, directory.OrganisationPatch{Kind: &kind, Name: &name,
			ContactName: &cn, ContactEmail: &ce, ContactPhone: &cp, Active: &active})
	}
	if err != nil {
		h.fail(c, "admin_org", v, err)
		return
	}
	h.redirect(c, "/admin/organisations/"+url.PathEscape(o.ID), "admin.flash.org_saved")
}

// ---- Users ----

type adminUserRow struct {
	U     *identity.User
	Scope string
}

type adminUsersData struct {
	Users   []adminUserRow
	Next    string
	Role    string
	Roles   []option // the filter's
	New     []option // the roles an admin creates here
	Wards   []*directory.Ward
	WardNm  map[string]string
	Orgs    []option
	Created bool
}

func (h *handler) adminLoadUsers(c *gin.Context, v *view) error {
	ctx := c.Request.Context()
	p, err := adminPage(c)
	if err != nil {
		return err
	}
	role := c.Query("role")
	if role != "" && !identity.Role(role).Valid() {
		role = ""
	}
	us, next, err := h.Identity.ListUsers(ctx, v.Caller, identity.UserFilter{Role: identity.Role(role)}, p)
	if err != nil {
		return err
	}
	ws, err := h.allWards(ctx, directory.WardFilter{})
	if err != nil {
		return err
	}
	os, err := h.adminAllOrgs(ctx)
	if err != nil {
		return err
	}
	d := adminUsersData{Next: adminNext("/admin/users", c.Request.URL.Query(), next), Role: role, WardNm: map[string]string{}}
	d.Roles = []option{{"", v.T("admin.users.all_roles")}}
	for _, r := range identity.Roles {
		d.Roles = append(d.Roles, option{string(r), v.T(adminRoleMsg[r])})
	}
	for _, r := range []identity.Role{identity.RoleWardStaff, identity.RolePartner, identity.RoleAdmin} {
		d.New = append(d.New, option{string(r), v.T(adminRoleMsg[r])})
	}
	for _, w := range ws {
		d.WardNm[w.ID] = v.WardName(w)
		if w.Status == directory.WardActive {
			d.Wards = append(d.Wards, w)
		}
	}
	orgNm := map[string]string{}
	d.Orgs = []option{{"", v.T("admin.users.no_org")}}
	for _, o := range os {
		orgNm[o.ID] = o.Name
		if o.Active {
			d.Orgs = append(d.Orgs, option{o.ID, o.Name})
		}
	}
	for _, u := range us {
		var scope []string
		for _, id := range u.Scope.WardIDs {
			scope = append(scope, d.WardNm[id])
		}
		if u.Scope.OrganisationID != "" {
			scope = append(scope, orgNm[u.Scope.OrganisationID])
		}
		d.Users = append(d.Users, adminUserRow{U: u, Scope: strings.Join(scope, ", ")})
	}
	v.Data = d
	v.Title = v.T("admin.users.title")
	return nil
}

func (h *handler) adminUsers(c *gin.Context) {
	v := viewOf(c)
	if err := h.adminLoadUsers(c, v); err != nil {
		h.serverError(c, err)
		return
	}
	h.render(c, http.StatusOK, "admin_users", v)
}

func (h *handler) adminCreateUser(c *gin.Context) {
	v := viewOf(c)
	v.Form = newForm(c)
	role := identity.Role(c.PostForm("role"))
	n := identity.NewUser{Email: strings.TrimSpace(c.PostForm("email")), DisplayName: strings.TrimSpace(c.PostForm("display_name")),
		Phone: strings.TrimSpace(c.PostForm("phone")), Password: c.PostForm("password"), Role: role}
	// Only the scope of the chosen role is sent: a ward staff's wards, a partner's organisation.
	switch role {
	case identity.RoleWardStaff:
		n.WardIDs = c.PostFormArray("ward_ids")
	case identity.RolePartner:
		n.OrganisationID = c.PostForm("organisation_id")
	}
	var err error
	if n.Email == "" {
		err = apperr.Invalid("email", "required", "Hãy nhập email.", "Enter the email address.")
	} else if n.DisplayName == "" {
		err = apperr.Invalid("display_name", "required", "Hãy nhập họ tên.", "Enter the full name.")
	} else {
		_, err = h.Identity.CreateUser(c.Request.Context(), v.Caller, n)
	}
	if err != nil {
		if e := apperr.As(err); e != nil && e.Code == identity.CodeEmailTaken {
			err = fieldOf(e, "email")
		}
		if lerr := h.adminLoadUsers(c, v); lerr != nil {
			h.serverError(c, lerr)
			return
		}
		h.fail(c, "admin_users", v, err)
		return
	}
	h.redirect(c, "/admin/users", "admin.flash.user_created")
}

// adminUserStatus disables or re-enables an account (PATCH /users/:id status).
func (h *handler) adminUserStatus(c *gin.Context) {
	v := viewOf(c)
	st := identity.Status(c.PostForm("status"))
	if st != identity.StatusActive && st != identity.StatusDisabled {
		h.refuse(c, http.StatusBadRequest, "admin.error.status")
		return
	}
	if _, err := h.Identity.UpdateUser(c.Request.Context(), v.Caller, c.Param("id"), identity.UserPatch{Status: &st}); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			h.notFound(c)
			return
		}
		if lerr := h.adminLoadUsers(c, v); lerr != nil {
			h.serverError(c, lerr)
			return
		}
		h.fail(c, "admin_users", v, err)
		return
	}
	flash := "admin.flash.user_enabled"
	if st == identity.StatusDisabled {
		flash = "admin.flash.user_disabled"
	}
	h.redirect(c, localPath(c.PostForm("back")), flash)
}
