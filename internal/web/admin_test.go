package web

import (
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/directory"
	"ecitizen/internal/export"
	"ecitizen/internal/httpapi"
	"ecitizen/internal/identity"
	paging "ecitizen/internal/page"
)

func adminPageAll() paging.Request { return paging.Request{Limit: paging.MaxLimit} }

// adminClient is a client signed in as the test admin.
func (e *testEnv) adminClient() *client {
	c := e.client()
	c.signIn(testAdminEmail, testAdminPassword)
	return c
}

// adminSignedIn is a client signed in as a new user n.
func (e *testEnv) adminSignedIn(n identity.NewUser) *client {
	e.t.Helper()
	e.user(n)
	c := e.client()
	c.signIn(n.Email, testPassword)
	return c
}

func TestAdminPagesRefuseOtherRoles(t *testing.T) {
	e := newTestEnv(t)
	w := e.ward("HB01", "Phường Hàng Bạc")
	org := e.organisation("Trường Đại học Thủy lợi")
	staff := e.adminSignedIn(identity.NewUser{Email: "staff@example.vn", DisplayName: "Cán bộ", Role: identity.RoleWardStaff, WardIDs: []string{w.ID}})
	partner := e.adminSignedIn(identity.NewUser{Email: "p@example.vn", DisplayName: "Đối tác", Role: identity.RolePartner, OrganisationID: org.ID})
	vol := e.adminSignedIn(identity.NewUser{Email: "v@example.vn", DisplayName: "Tình nguyện viên", Role: identity.RoleVolunteer, OrganisationID: org.ID})
	for _, path := range []string{"/admin", "/admin/wards", "/admin/wards/" + w.ID, "/admin/organisations", "/admin/users", "/admin/targets", "/admin/district", "/admin/district/export?format=xlsx"} {
		// Signed out: sent to sign in, and back here after.
		if p := e.client().get(path); !strings.HasPrefix(p.URL, "/login?next=") {
			t.Fatalf("signed out %s: at %s", path, p.URL)
		}
		for _, c := range []*client{staff, partner, vol} {
			c.get(path).must(t, http.StatusForbidden, "Bạn không có quyền xem trang này.")
		}
	}
	for _, path := range []string{"/partner/invites", "/partner/volunteers", "/partner/sessions"} {
		if p := e.client().get(path); !strings.HasPrefix(p.URL, "/login?next=") {
			t.Fatalf("signed out %s: at %s", path, p.URL)
		}
		staff.get(path).must(t, http.StatusForbidden)
		vol.get(path).must(t, http.StatusForbidden)
	}
	// Posts too.
	staff.get("/account")
	staff.post("/admin/wards", url.Values{"code": {"X1"}, "name_vi": {"X"}, "name_en": {"X"}}).must(t, http.StatusForbidden)
	vol.get("/account")
	vol.post("/partner/invites", url.Values{"label": {"x"}}).must(t, http.StatusForbidden)
}

func TestAdminWardsCreateEditMerge(t *testing.T) {
	e := newTestEnv(t)
	c := e.adminClient()
	c.get("/admin").must(t, http.StatusOK, `href="/admin/wards"`, `href="/admin/district"`)
	c.get("/admin/wards").must(t, http.StatusOK, "Thêm phường")

	// A bad code is shown next to its field; the names typed stay.
	p := c.post("/admin/wards", url.Values{"code": {"bad code!"}, "name_vi": {"Phường Hàng Đào"}, "name_en": {"Hang Dao Ward"}})
	p.must(t, http.StatusBadRequest, `id="e-code"`, `value="Phường Hàng Đào"`, `value="Hang Dao Ward"`)

	c.post("/admin/wards", url.Values{"code": {"HD01"}, "name_vi": {"Phường Hàng Đào"}, "name_en": {"Hang Dao Ward"}}).
		must(t, http.StatusOK, "Đã thêm phường.", "Phường Hàng Đào", "HD01")
	// The same code again is refused next to the code.
	c.post("/admin/wards", url.Values{"code": {"HD01"}, "name_vi": {"Khác"}, "name_en": {"Other"}}).
		must(t, http.StatusConflict, `id="e-code"`, "Mã phường đã được dùng.")

	into := e.ward("HK01", "Phường Hoàn Kiếm")
	ws, _, err := e.svc.Directory.Wards(t.Context(), directory.WardFilter{}, adminPageAll())
	if err != nil {
		t.Fatal(err)
	}
	var from *directory.Ward
	for _, w := range ws {
		if w.Code == "HD01" {
			from = w
		}
	}
	path := "/admin/wards/" + from.ID
	c.get(path).must(t, http.StatusOK, `value="Hang Dao Ward"`, "Phường Hoàn Kiếm")
	c.post(path, url.Values{"code": {"HD01"}, "name_vi": {"Phường Hàng Đào"}, "name_en": {"Hang Dao"}}).must(t, http.StatusOK, "Đã lưu thông tin phường.", `value="Hang Dao"`)
	c.post(path, url.Values{"code": {""}, "name_vi": {"Phường Hàng Đào"}, "name_en": {"Hang Dao"}}).must(t, http.StatusBadRequest, `id="e-code"`)

	// A merge asks for a reason, then for confirmation, then shows its result.
	c.post(path+"/merge", url.Values{"into_ward_id": {into.ID}, "reason": {""}}).must(t, http.StatusBadRequest, `id="e-reason"`)
	c.post(path+"/merge", url.Values{"into_ward_id": {from.ID}, "reason": {"Tự sáp nhập"}}).must(t, http.StatusBadRequest, `id="e-into_ward_id"`)
	c.post(path+"/merge", url.Values{"into_ward_id": {into.ID}, "reason": {"Nghị quyết 2025"}}).
		must(t, http.StatusOK, "Xác nhận sáp nhập", `name="confirm" value="yes"`)
	if w, _ := e.svc.Directory.Ward(t.Context(), from.ID); w.Status != directory.WardActive {
		t.Fatal("the ward was merged before the confirmation")
	}
	c.post(path+"/merge", url.Values{"into_ward_id": {into.ID}, "reason": {"Nghị quyết 2025"}, "confirm": {"yes"}}).
		must(t, http.StatusOK, "Đã sáp nhập phường.", "Kết quả sáp nhập", "Nghị quyết 2025", "Phường Hoàn Kiếm", "Quản trị viên")
	c.get("/admin/wards").must(t, http.StatusOK, "Đã sáp nhập", "vào Phường Hoàn Kiếm")
	c.get("/admin/wards/nope").must(t, http.StatusNotFound)
}

func TestAdminOrganisations(t *testing.T) {
	e := newTestEnv(t)
	c := e.adminClient()
	c.get("/admin/organisations").must(t, http.StatusOK, "Thêm tổ chức")
	c.post("/admin/organisations", url.Values{"kind": {"university"}, "name": {"Trường ĐH Mở"}, "contact_email": {"not-an-email"}, "contact_name": {"Cô Lan"}}).
		must(t, http.StatusBadRequest, `id="e-contact_email"`, `value="Cô Lan"`, `value="Trường ĐH Mở"`)
	c.post("/admin/organisations", url.Values{"kind": {"university"}, "name": {"Trường ĐH Mở"}, "contact_email": {"lan@hou.edu.vn"}}).
		must(t, http.StatusOK, "Đã thêm tổ chức.", "Trường ĐH Mở", "lan@hou.edu.vn")
	orgs, _, err := e.svc.Directory.Organisations(t.Context(), directory.OrganisationFilter{}, adminPageAll())
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, o := range orgs {
		if o.Name == "Trường ĐH Mở" {
			id = o.ID
		}
	}
	path := "/admin/organisations/" + id
	c.get(path).must(t, http.StatusOK, `value="lan@hou.edu.vn"`, `name="active" value="on" checked`)
	c.post(path, url.Values{"kind": {"youth_union"}, "name": {""}}).must(t, http.StatusBadRequest, `id="e-name"`)
	c.post(path, url.Values{"kind": {"youth_union"}, "name": {"Đoàn trường ĐH Mở"}}).must(t, http.StatusOK, "Đã lưu thông tin tổ chức.")
	o, _ := e.svc.Directory.Organisation(t.Context(), id)
	if o.Active || o.Kind != directory.KindYouthUnion || o.Name != "Đoàn trường ĐH Mở" {
		t.Fatalf("organisation after the edit: %+v", o)
	}
	c.get("/admin/organisations/nope").must(t, http.StatusNotFound)
}

func TestAdminUsers(t *testing.T) {
	e := newTestEnv(t)
	w1, w2 := e.ward("W1", "Phường Một"), e.ward("W2", "Phường Hai")
	org := e.organisation("Học viện Bưu chính")
	c := e.adminClient()
	c.get("/admin/users").must(t, http.StatusOK, "Tạo tài khoản", `name="ward_ids" value="`+w1.ID+`"`, "Học viện Bưu chính")

	// Ward staff without a ward: the problem is shown at the wards, the input kept.
	p := c.post("/admin/users", url.Values{"role": {"ward_staff"}, "display_name": {"Trần Thị Bình"}, "email": {"binh@example.vn"}, "password": {testPassword}})
	p.must(t, http.StatusBadRequest, `id="e-ward_ids"`, `value="Trần Thị Bình"`, `value="binh@example.vn"`)
	if strings.Contains(p.Body, testPassword) {
		t.Fatal("the password was sent back")
	}
	c.post("/admin/users", url.Values{"role": {"ward_staff"}, "display_name": {"Trần Thị Bình"}, "email": {"binh@example.vn"}, "password": {"short"}, "ward_ids": {w1.ID}}).
		must(t, http.StatusBadRequest, `id="e-password"`, `checked`)
	c.post("/admin/users", url.Values{"role": {"ward_staff"}, "display_name": {"Trần Thị Bình"}, "email": {"binh@example.vn"}, "password": {testPassword}, "ward_ids": {w1.ID, w2.ID}}).
		must(t, http.StatusOK, "Đã tạo tài khoản.", "binh@example.vn", "Phường Một, Phường Hai")
	c.post("/admin/users", url.Values{"role": {"partner"}, "display_name": {"Lê Văn Cường"}, "email": {"cuong@example.vn"}, "password": {testPassword}, "organisation_id": {org.ID}}).
		must(t, http.StatusOK, "Đã tạo tài khoản.", "cuong@example.vn")
	c.post("/admin/users", url.Values{"role": {"partner"}, "display_name": {"Lê Văn Cường"}, "email": {"CUONG@example.vn"}, "password": {testPassword}, "organisation_id": {org.ID}}).
		must(t, http.StatusConflict, `id="e-email"`)
	e.callerOf("cuong@example.vn", testPassword)

	// The role filter.
	f := c.get("/admin/users?role=partner").must(t, http.StatusOK, "cuong@example.vn")
	if strings.Contains(f.Body, "binh@example.vn") {
		t.Fatal("the partner filter shows ward staff")
	}

	// Disable and re-enable.
	u, _, _ := e.svc.Identity.ListUsers(t.Context(), e.admin, identity.UserFilter{Role: identity.RoleWardStaff}, adminPageAll())
	c.get("/admin/users")
	c.post("/admin/users/"+u[0].ID+"/status", url.Values{"status": {"disabled"}, "back": {"/admin/users?role=ward_staff"}}).
		must(t, http.StatusOK, "Đã khoá tài khoản.", "Đã khoá")
	if _, err := e.svc.Identity.Login(t.Context(), "binh@example.vn", testPassword, "192.0.2.9"); err == nil {
		t.Fatal("a disabled account signs in")
	}
	c.post("/admin/users/"+u[0].ID+"/status", url.Values{"status": {"active"}}).must(t, http.StatusOK, "Đã mở khoá tài khoản.")
	e.callerOf("binh@example.vn", testPassword)
	c.post("/admin/users/nope/status", url.Values{"status": {"active"}}).must(t, http.StatusNotFound)
}

func TestAdminTargets(t *testing.T) {
	e := newTestEnv(t)
	w := e.ward("T1", "Phường Tràng Tiền")
	c := e.adminClient()
	year := time.Now().In(zone).Year()
	c.get("/admin/targets").must(t, http.StatusOK, "Phường Tràng Tiền", `name="adult_population.`+w.ID+`"`)
	y := strconv.Itoa(year)
	c.post("/admin/targets", url.Values{"year": {y}, "ecitizen_share_percent": {"62,5"}, "adult_population." + w.ID: {"nhiều"}, "households." + w.ID: {"300"}}).
		must(t, http.StatusBadRequest, `id="e-adult_population.`+w.ID+`"`, `value="300"`)
	c.post("/admin/targets", url.Values{"year": {y}, "ecitizen_share_percent": {"120"}}).must(t, http.StatusBadRequest, `id="e-ecitizen_share_percent"`)
	c.post("/admin/targets", url.Values{"year": {y}, "ecitizen_share_percent": {"62,5"}, "adult_population." + w.ID: {"1.200"}, "households." + w.ID: {"400"}}).
		must(t, http.StatusOK, "Đã lưu chỉ tiêu.", `value="1200"`, `value="62.5"`)
	tg, ok, err := e.svc.Directory.TargetFor(t.Context(), w.ID, year)
	if err != nil || !ok || tg.AdultPopulation != 1200 || tg.Households != 400 {
		t.Fatalf("target %+v %v %v", tg, ok, err)
	}
	c.get("/admin/district").must(t, http.StatusOK, "Phường Tràng Tiền", "62,5 %", "<svg", "Xu hướng theo tuần")
}

func TestAdminDistrictExport(t *testing.T) {
	e := newTestEnv(t)
	e.ward("D1", "Phường Đồng Xuân")
	c := e.adminClient()
	c.get("/admin/district").must(t, http.StatusOK, "Phường Đồng Xuân", `/admin/district/export?format=csv&amp;table=wards&amp;lang=vi`)
	p := c.get("/admin/district/export?format=csv&table=wards")
	if p.Status != http.StatusOK || p.Header.Get("Content-Type") != export.ContentTypeCSV || !strings.Contains(p.Header.Get("Content-Disposition"), "ecitizen-district-wards-") {
		t.Fatalf("CSV export: %d %q %q", p.Status, p.Header.Get("Content-Type"), p.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("CSV: %v %q", err, p.Body)
	}
	if !strings.Contains(strings.Join(rows[0], ","), "Phường") || !strings.Contains(p.Body, "Phường Đồng Xuân") {
		t.Fatalf("Vietnamese header row: %q", rows[0])
	}
	// The same bytes as the API's district export.
	api, err := httpapi.New(httpapi.Deps{Identity: e.svc.Identity, Directory: e.svc.Directory, Courses: e.svc.Courses, Training: e.svc.Training,
		Roster: e.svc.Roster, Notify: e.svc.Notify, Equipment: e.svc.Equipment, Certificates: e.svc.Certificates, Residents: e.svc.Residents,
		Progress: e.svc.Progress, Coverage: e.svc.Coverage, Partner: e.svc.Partner, PublicURL: e.URL, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := e.svc.Identity.Login(t.Context(), testAdminEmail, testAdminPassword, "192.0.2.3")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"format=csv&table=wards&lang=vi", "format=csv&table=skills&lang=en"} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/district/coverage/export?"+q, nil)
		req.Header.Set("Authorization", "Bearer "+pair.AccessToken)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if web := c.get("/admin/district/export?" + q); rec.Code != http.StatusOK || web.Body != rec.Body.String() || web.Header.Get("Content-Type") != rec.Header().Get("Content-Type") {
			t.Fatalf("%s: the web export differs from the API's (%d)\nweb: %q\napi: %q", q, rec.Code, web.Body, rec.Body.String())
		}
	}
	// English readers get English headers.
	c.get("/lang/en")
	p = c.get("/admin/district/export?format=csv&table=wards")
	rows, _ = csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\ufeff"))).ReadAll()
	if len(rows) == 0 || !strings.Contains(strings.Join(rows[0], ","), "Ward") {
		t.Fatalf("English header row: %q", rows)
	}
	p = c.get("/admin/district/export?format=xlsx")
	if p.Status != http.StatusOK || p.Header.Get("Content-Type") != export.ContentTypeXLSX || !strings.HasPrefix(p.Body, "PK") {
		t.Fatalf("XLSX export: %d %q", p.Status, p.Header.Get("Content-Type"))
	}
	c.get("/admin/district/export?format=csv").must(t, http.StatusNotFound)
	c.get("/admin/district/export?format=pdf&table=wards").must(t, http.StatusNotFound)
}

// TestAdminAndPartnerPagesInBothLanguages: every page reads in Vietnamese and in
// English with no message id left untranslated.
func TestAdminAndPartnerPagesInBothLanguages(t *testing.T) {
	e := newTestEnv(t)
	w := e.ward("HB01", "Phường Hàng Bạc")
	org := e.organisation("Trường Đại học Thủy lợi")
	c := e.adminClient()
	ids := regexp.MustCompile(`\b(admin|partner|role|nav)\.[a-z_]+(\.[a-z_]+)?\b`)
	paths := []string{"/admin", "/admin/wards", "/admin/wards/" + w.ID, "/admin/organisations", "/admin/organisations/" + org.ID,
		"/admin/users", "/admin/targets", "/admin/district", "/partner/invites", "/partner/invites?org=" + org.ID,
		"/partner/volunteers?org=" + org.ID, "/partner/sessions?org=" + org.ID, "/sessions"}
	for _, lang := range []string{"vi", "en"} {
		c.get("/lang/" + lang)
		for _, p := range paths {
			pg := c.get(p).must(t, http.StatusOK, `lang="`+lang+`"`)
			if m := ids.FindString(pg.Body[strings.Index(pg.Body, "<main"):]); m != "" {
				t.Errorf("%s in %s: untranslated %q", p, lang, m)
			}
		}
	}
}
