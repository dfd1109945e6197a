package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"ecitizen/internal/certificate"
	"ecitizen/internal/course"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
)

// resWorld: two wards (A with a centre), staff of each, a volunteer of a
// university, all through the services.
type resWorld struct {
	e              *testEnv
	wardA, wardB   *directory.Ward
	centre         *directory.Centre
	org            *directory.Organisation
	staffA, staffB identity.Caller
	vol            identity.Caller
	volEmail       string
}

func newResWorld(t *testing.T, e *testEnv) *resWorld {
	t.Helper()
	w := &resWorld{e: e}
	w.wardA = e.ward("PMK", "Phường Minh Khai")
	w.wardB = e.ward("PVT", "Phường Vĩnh Tuy")
	w.centre = e.centre(w.wardA.ID, "Nhà sinh hoạt cộng đồng tổ 12")
	w.org = e.organisation("Trường Đại học Kinh tế Quốc dân")
	w.staffA = e.user(identity.NewUser{Email: "canbo.a@example.vn", DisplayName: "Cán bộ Minh Khai", Role: identity.RoleWardStaff, WardIDs: []string{w.wardA.ID}})
	w.staffB = e.user(identity.NewUser{Email: "canbo.b@example.vn", DisplayName: "Cán bộ Vĩnh Tuy", Role: identity.RoleWardStaff, WardIDs: []string{w.wardB.ID}})
	w.volEmail = "tnv.lan@example.vn"
	w.vol = e.user(identity.NewUser{Email: w.volEmail, DisplayName: "Phạm Thị Lan", Role: identity.RoleVolunteer, OrganisationID: w.org.ID})
	return w
}

// putOnDuty books the volunteer a shift at the centre, moves it to have
// started 10 minutes ago, and has the admin check them in (as staff do when
// the QR scan fails): the volunteer is on duty now.
func (w *resWorld) putOnDuty(t *testing.T) *roster.Shift {
	t.Helper()
	ctx := context.Background()
	e := w.e
	day := time.Now().In(zone).AddDate(0, 0, 2)
	start := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, zone)
	sh, err := e.svc.Roster.CreateShift(ctx, e.admin, roster.Plan{CentreID: w.centre.ID, Title: "Hỗ trợ người dân", Role: roster.RoleGuide,
		StartsAt: start, EndsAt: start.Add(2 * time.Hour), Places: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Roster.Book(ctx, w.vol, sh.ID, false); err != nil {
		t.Fatal(err)
	}
	sh, err = e.svc.Store.ShiftByID(ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	sh.StartsAt = time.Now().Add(-10 * time.Minute).UTC().Truncate(time.Millisecond)
	sh.EndsAt = sh.StartsAt.Add(2 * time.Hour)
	sh.SignupOpensAt, sh.CancelDeadline = sh.StartsAt.Add(-48*time.Hour), sh.StartsAt.Add(-3*time.Hour)
	if err := roster.PutShift(ctx, e.svc.Store, sh, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Roster.RecordAttendance(ctx, e.admin, sh.ID, w.vol.UserID, roster.KindCheckin, "Quét mã thay"); err != nil {
		t.Fatal(err)
	}
	return sh
}

// resident registers a resident of ward A through the service.
func (w *resWorld) resident(t *testing.T, name, phone string) *resident.Resident {
	t.Helper()
	r, err := w.e.svc.Residents.Register(context.Background(), w.staffA, resident.NewResident{WardID: w.wardA.ID, FullName: name,
		BirthYear: 1958, Group: "Tổ 12", Phone: phone, ConsentVersion: w.e.svc.Residents.Consent().ID})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var residentPath = regexp.MustCompile(`^/residents/([0-9a-f-]{36})$`)

func TestResidentsStaffPages(t *testing.T) {
	e := newTestEnv(t)
	w := newResWorld(t, e)
	c := e.client()
	c.signIn("canbo.a@example.vn", testPassword)

	c.get("/residents").must(t, http.StatusOK, "Tìm người dân theo họ tên", `href="/residents/new?ward=`+w.wardA.ID)
	form := c.get("/residents/new?ward="+w.wardA.ID).must(t, http.StatusOK, `name="consent"`, e.svc.Residents.Consent().Text.Vi[:20])
	_ = form
	// No consent: refused next to the checkbox, what was typed kept.
	vals := url.Values{"ward_id": {w.wardA.ID}, "full_name": {"Nguyễn Thị Hoa"}, "birth_year": {"1956"}, "residential_group": {"Tổ 7"},
		"phone": {"0912 345 678"}, "gender": {"female"}}
	c.post("/residents", vals).must(t, http.StatusBadRequest, `id="e-consent"`, `value="Nguyễn Thị Hoa"`, `value="0912 345 678"`)
	// A birth year that is no number: next to its field.
	bad := cloneValues(vals)
	bad.Set("birth_year", "năm")
	bad.Set("consent", e.svc.Residents.Consent().ID)
	c.post("/residents", bad).must(t, http.StatusBadRequest, `id="e-birth_year"`, `value="Nguyễn Thị Hoa"`)
	vals.Set("consent", e.svc.Residents.Consent().ID)
	p := c.post("/residents", vals).must(t, http.StatusOK, "Đã ghi nhận người dân.", "Nguyễn Thị Hoa", "Đã ghi nhận (ẩn)", "Còn thiếu")
	m := residentPath.FindStringSubmatch(p.URL)
	if m == nil {
		t.Fatalf("registered resident at %s", p.URL)
	}
	id := m[1]
	if strings.Contains(p.Body, "345") {
		t.Fatal("the phone number is shown in clear on the resident page")
	}
	// The same phone again: a duplicate, with a link to the existing resident.
	again := cloneValues(vals)
	again.Set("full_name", "Nguyễn Văn Khác")
	c.post("/residents", again).must(t, http.StatusConflict, `href="/residents/`+id+`"`)

	// Search, diacritics-insensitive, with the status.
	c.get("/residents?ward="+w.wardA.ID+"&q=nguyen+hoa").must(t, http.StatusOK, `href="/residents/`+id+`"`, "Chưa là công dân số")
	c.get("/residents?ward="+w.wardA.ID+"&q=tran").must(t, http.StatusOK, "Không tìm thấy người dân nào")

	// Record a skill: evidence missing, then recorded.
	skill := e.svc.Framework.Required()[0]
	c.get("/residents/" + id)
	c.post("/residents/"+id+"/progress", url.Values{"skill_code": {skill}}).must(t, http.StatusBadRequest, `id="e-evidence"`)
	c.post("/residents/"+id+"/progress", url.Values{"skill_code": {skill}, "evidence": {"Tự cài VNeID và đăng nhập"}}).
		must(t, http.StatusOK, "Đã ghi nhận kỹ năng.", "Tự cài VNeID và đăng nhập")
	entries, err := e.svc.Progress.List(t.Context(), w.staffA, id)
	if err != nil || len(entries) != 1 {
		t.Fatalf("records: %v %v", entries, err)
	}
	rec := entries[0].Record.ID
	// Revoke: a reason is required.
	rp := "/residents/" + id + "/records/" + rec + "/revoke"
	c.get(rp).must(t, http.StatusOK, "Thu hồi bản ghi")
	c.post(rp, url.Values{"reason": {" "}}).must(t, http.StatusBadRequest, `id="e-reason"`)
	c.post(rp, url.Values{"reason": {"Ghi nhầm người"}}).must(t, http.StatusOK, "Đã thu hồi bản ghi.", "Ghi nhầm người")

	// Reveal: reason required; then the numbers, once, audited.
	c.get("/residents/"+id+"/reveal").must(t, http.StatusOK, "Mỗi lần xem được ghi vào nhật ký")
	c.post("/residents/"+id+"/reveal", url.Values{}).must(t, http.StatusBadRequest, `id="e-reason"`)
	c.post("/residents/"+id+"/reveal", url.Values{"reason": {"Gọi điện hẹn lịch"}}).must(t, http.StatusOK, "&#43;84912345678")
	c.get("/residents/audit?ward="+w.wardA.ID).must(t, http.StatusOK, "Xem số", "Gọi điện hẹn lịch")

	// Personal link: shown once; the public page reads it; deleted, it is gone.
	lp := c.post("/residents/"+id+"/link", nil).must(t, http.StatusOK, "chỉ hiện một lần", "data:image/png;base64,")
	link := regexp.MustCompile(`href="` + regexp.QuoteMeta(e.URL) + `(/p/[^"]+)"`).FindStringSubmatch(lp.Body)
	if link == nil {
		t.Fatalf("no personal link in\n%s", excerpt(lp.Body))
	}
	anon := e.client()
	anon.get(link[1]).must(t, http.StatusOK, "Xin chào Nguyễn Thị Hoa", "Kỹ năng cần thực hiện tiếp")
	if strings.Contains(anon.get(link[1]).Body, "345") {
		t.Fatal("the personal page shows the phone")
	}
	c.post("/residents/"+id+"/link/delete", nil).must(t, http.StatusOK, "Đã xoá đường liên kết cá nhân.")
	anon.get(link[1]).must(t, http.StatusNotFound, "không hợp lệ hoặc đã bị thu hồi")

	// Erase: reason required, then the page says so.
	c.get("/residents/"+id+"/erase").must(t, http.StatusOK, "Xoá dữ liệu cá nhân")
	c.post("/residents/"+id+"/erase", url.Values{}).must(t, http.StatusBadRequest, `id="e-reason"`)
	c.post("/residents/"+id+"/erase", url.Values{"reason": {"Người dân yêu cầu xoá"}}).must(t, http.StatusOK, "Đã xoá dữ liệu cá nhân.", "Người dân đã bị xoá dữ liệu")
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string{}, vs...)
	}
	return out
}

func TestResidentsScopeAndRoles(t *testing.T) {
	e := newTestEnv(t)
	w := newResWorld(t, e)
	r := w.resident(t, "Lê Văn Tám", "")

	// Signed out: sent to sign in.
	anon := e.client()
	if p := anon.get("/residents/" + r.ID); !strings.HasPrefix(p.URL, "/login?next=") {
		t.Fatalf("signed out: at %s", p.URL)
	}
	// Staff of another ward: not found; nor revealed, nor erased.
	b := e.client()
	b.signIn("canbo.b@example.vn", testPassword)
	b.get("/residents/"+r.ID).must(t, http.StatusNotFound, "Không tìm thấy trang này")
	b.get("/residents/"+r.ID+"/reveal").must(t, http.StatusNotFound)
	b.post("/residents/"+r.ID+"/erase", url.Values{"reason": {"thử"}}).must(t, http.StatusNotFound)
	b.get("/residents?ward="+w.wardA.ID).must(t, http.StatusNotFound)

	// A volunteer off duty: the domain's not_on_duty refusal, clearly.
	v := e.client()
	v.signIn(w.volEmail, testPassword)
	v.get("/residents").must(t, http.StatusForbidden, "Bạn không đang trực")
	v.get("/residents/new").must(t, http.StatusForbidden, "Bạn không đang trực")
	v.get("/residents/"+r.ID).must(t, http.StatusForbidden, "Bạn không đang trực")
	// Staff-only pages are refused to volunteers.
	v.get("/residents/import").must(t, http.StatusForbidden)
	v.get("/residents/"+r.ID+"/reveal").must(t, http.StatusForbidden)

	// On duty: they search their centre's ward and record.
	w.putOnDuty(t)
	v.get("/residents?q=tam").must(t, http.StatusOK, "Nhà sinh hoạt cộng đồng tổ 12", "Lê Văn Tám")
	v.get("/residents/"+r.ID).must(t, http.StatusOK, "Lê Văn Tám", "Ghi nhận kỹ năng đã thực hiện")
	if p := v.get("/residents/" + r.ID); strings.Contains(p.Body, "/reveal") || strings.Contains(p.Body, "/revoke") {
		t.Fatal("a volunteer sees staff actions")
	}
	// A resident of another ward is out of their reach.
	other, err := e.svc.Residents.Register(t.Context(), e.admin, resident.NewResident{WardID: w.wardB.ID, FullName: "Đỗ Thị Mai",
		BirthYear: 1970, Group: "Tổ 1", ConsentVersion: e.svc.Residents.Consent().ID})
	if err != nil {
		t.Fatal(err)
	}
	// (the resident service answers not_on_duty: on duty, but not in that ward)
	v.get("/residents/"+other.ID).must(t, http.StatusForbidden, "Bạn không đang trực")
}

func TestResidentsImport(t *testing.T) {
	e := newTestEnv(t)
	w := newResWorld(t, e)
	c := e.client()
	c.signIn("canbo.a@example.vn", testPassword)
	c.get("/residents/import").must(t, http.StatusOK, `enctype="multipart/form-data"`)
	day := time.Now().In(zone).Format(time.DateOnly)
	csv := "full_name,birth_year,residential_group,consent,consent_given_at\nNguyễn Văn Bình,1950,Tổ 3,x," + day + "\nTrần Thị Cúc,năm,Tổ 3,x," + day + "\n"
	p := c.upload("/residents/import", map[string]string{"ward_id": w.wardA.ID}, "file", "nguoidan.csv", csv)
	p.must(t, http.StatusOK, "Báo cáo nhập", "birth_year")
	c.get("/residents?ward="+w.wardA.ID+"&q=binh").must(t, http.StatusOK, "Nguyễn Văn Bình")
	// No file: next to the file field.
	c.upload("/residents/import", map[string]string{"ward_id": w.wardA.ID}, "", "", "").must(t, http.StatusBadRequest, `id="e-file"`)
}

// upload posts a multipart form with one file (none when field is "").
func (c *client) upload(path string, fields map[string]string, field, name, content string) *page {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", c.csrf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if field != "" {
		fw, _ := mw.CreateFormFile(field, name)
		_, _ = io.WriteString(fw, content)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.read(c.http.Do(req))
}

func TestResidentsQuiz(t *testing.T) {
	e := newTestEnv(t)
	w := newResWorld(t, e)
	r := w.resident(t, "Vũ Thị Hạnh", "")
	c := e.client()
	c.signIn("canbo.a@example.vn", testPassword)
	list := c.get("/residents/"+r.ID+"/quiz").must(t, http.StatusOK, "Chọn bài kiểm tra của một bài học")
	m := regexp.MustCompile(`href="(/residents/[^"]+/quiz\?course=([^&]+)&amp;lesson=([^"]+))"`).FindStringSubmatch(list.Body)
	if m == nil {
		t.Fatalf("no quiz to pick:\n%s", excerpt(list.Body))
	}
	courseID, lessonID := m[2], m[3]
	c.get(strings.ReplaceAll(m[1], "&amp;", "&")).must(t, http.StatusOK, `name="lesson_id"`)
	_, l, err := e.svc.Courses.PublishedLesson(t.Context(), identity.Caller{}, courseID, lessonID)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing answered: each question says so.
	q0 := l.Quiz.Questions[0]
	c.post("/residents/"+r.ID+"/quiz", url.Values{"course_id": {courseID}, "lesson_id": {lessonID}}).
		must(t, http.StatusBadRequest, `id="e-answers.`+q0.ID+`"`)
	vals := url.Values{"course_id": {courseID}, "lesson_id": {lessonID}}
	for _, q := range l.Quiz.Questions {
		for _, o := range q.Options {
			if o.Correct {
				vals.Add("answers."+q.ID, o.ID)
			}
		}
	}
	c.post("/residents/"+r.ID+"/quiz", vals).must(t, http.StatusOK, "Đạt bài kiểm tra", "100%")
	_ = course.Single
}

func TestVerifyPages(t *testing.T) {
	e := newTestEnv(t)
	w := newResWorld(t, e)
	r := w.resident(t, "Nguyễn Thị Hoa", "")
	ctx := t.Context()
	for _, s := range e.svc.Framework.Required() {
		if _, err := e.svc.Progress.Record(ctx, w.staffA, r.ID, progressRecord(s)); err != nil {
			t.Fatal(err)
		}
	}
	st, err := e.svc.Progress.Status(ctx, w.staffA, r.ID)
	if err != nil || st.Certificate == nil {
		t.Fatalf("no certificate: %v %v", st, err)
	}
	code := certificate.Display(st.Certificate.Code)
	c := e.client()
	c.get("/verify").must(t, http.StatusOK, `name="code"`)
	p := c.get("/verify?code="+strings.ToLower(code)).must(t, http.StatusOK, "Hợp lệ", "H.", "Phường Minh Khai", "Công dân số")
	if strings.Contains(p.Body, "Nguyễn Thị Hoa") {
		t.Fatal("the verification shows the resident's name")
	}
	c.get("/verify/AAAA-BBBB-CCCC").must(t, http.StatusNotFound, "Không xác định", "Không tìm thấy giấy chứng nhận")
	if _, err := e.svc.Certificates.Revoke(ctx, e.admin, code, "Cấp nhầm"); err != nil {
		t.Fatal(err)
	}
	c.get("/verify/"+code).must(t, http.StatusGone, "Đã thu hồi", "không còn hiệu lực")
	c.get("/lang/en?next=/verify/"+code).must(t, http.StatusGone, "Revoked", "no longer valid")
}

// TestResidentsXSS: a name with markup is text on every page that shows it.
func TestResidentsXSS(t *testing.T) {
	e := newTestEnv(t)
	w := newResWorld(t, e)
	const name = "<script>alert(1)</script> Nguyễn"
	r := w.resident(t, name, "")
	c := e.client()
	c.signIn("canbo.a@example.vn", testPassword)
	for _, p := range []*page{c.get("/residents?ward=" + w.wardA.ID + "&q=nguyen"), c.get("/residents/" + r.ID)} {
		p.must(t, http.StatusOK, "&lt;script&gt;alert(1)&lt;/script&gt; Nguyễn")
		if strings.Contains(p.Body, "<script>alert(1)") {
			t.Fatalf("%s: the name is not escaped", p.URL)
		}
	}
}

func TestResidentsPagesReadWithoutJavaScript(t *testing.T) {
	e := newTestEnv(t)
	w := newResWorld(t, e)
	r := w.resident(t, "Hoàng Văn Sơn", "")
	c := e.client()
	c.signIn("canbo.a@example.vn", testPassword)
	for _, path := range []string{"/residents", "/residents/new", "/residents/" + r.ID, "/residents/import", "/residents/audit", "/residents/" + r.ID + "/quiz"} {
		p := c.get(path).must(t, http.StatusOK)
		if strings.Contains(p.Body, "<script>") || !strings.Contains(p.Body, "<h1>") {
			t.Fatalf("%s: inline script or no heading", path)
		}
		for _, f := range regexp.MustCompile(`<form method="post"[^>]*>`).FindAllString(p.Body, -1) {
			if !strings.Contains(f, `action="/`) {
				t.Fatalf("%s: a form without a local action: %s", path, f)
			}
		}
	}

}

func progressRecord(skill string) progress.NewRecord {
	return progress.NewRecord{SkillCode: skill, Evidence: "Tự làm được trước mặt cán bộ"}
}

// TestBrowserVolunteerMakesAnECitizen: a volunteer checked in at a centre
// registers a resident through the page and records the required skills until
// the resident is an e-citizen; signed out, the certificate verifies on /verify.
func TestBrowserVolunteerMakesAnECitizen(t *testing.T) {
	e := newTestEnv(t)
	w := newResWorld(t, e)
	w.putOnDuty(t)
	// A resident whose name is markup, to be shown as text.
	const xss = "<script>alert(1)</script> Nguyễn"
	w.resident(t, xss, "")
	b := newBrowser(t, e)
	tab := b.tab()
	var dialogs atomic.Int32
	if err := chromedp.Listen(tab.ctx, func(ev any) {
		if _, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	tab.signIn(w.volEmail, testPassword)

	tab.open("/residents/new")
	tab.see("Nhà sinh hoạt cộng đồng tổ 12", "Sự đồng ý")
	tab.fill("main form", map[string]string{"full_name": "Trần Thị Hoa", "birth_year": "1957", "residential_group": "Tổ 12"})
	tab.do("tick consent", chromedp.Click(chromedp.CSS("#f-consent")))
	tab.click(`main form button[type=submit]`)
	tab.see("Đã ghi nhận người dân.", "Trần Thị Hoa", "Còn thiếu")
	m := residentPath.FindStringSubmatch(strings.TrimPrefix(tab.location(), e.URL))
	if m == nil {
		t.Fatalf("not on the resident page: %s", tab.location())
	}
	id := m[1]
	for _, skill := range e.svc.Framework.Required() {
		tab.fill(`form[action$="/progress"]`, map[string]string{"skill_code": skill, "evidence": "Tự làm trên điện thoại của mình"})
		tab.click(`form[action$="/progress"] button[type=submit]`)
		tab.see("Đã ghi nhận kỹ năng.")
	}
	tab.see("Công dân số", "Giấy chứng nhận:")
	code, err := chromedp.Run(tab.ctx, chromedp.Text(chromedp.CSS(`main a[href^="/verify/"]`)))
	if err != nil || code == "" {
		t.Fatalf("no certificate code: %v", err)
	}
	tab.shoot("residents-resident")

	// The name with markup is text in the search results and on its page.
	tab.open("/residents?q=nguyen")
	tab.see(xss)
	scripts, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll("script")].some(s => s.textContent.includes("alert(1)"))`))
	if err != nil || scripts {
		t.Fatalf("a script element holds the name (%v)", err)
	}
	tab.click(`main table a`)
	tab.see(xss)
	if n := dialogs.Load(); n != 0 {
		t.Fatalf("%d dialogs opened", n)
	}
	tab.open("/residents?q=hoa")
	tab.see("Trần Thị Hoa", "Công dân số")
	tab.shoot("residents-search")

	// Signed out, anyone verifies the code.
	token, err := e.svc.Progress.ResetPersonalLink(t.Context(), w.staffA, id)
	if err != nil {
		t.Fatal(err)
	}
	anon := b.tab()
	anon.open("/verify")
	anon.fill("main form", map[string]string{"code": strings.ToLower(code)})
	anon.click(`main form button[type=submit]`)
	anon.see("Hợp lệ", "H.", "Phường Minh Khai")
	anon.shoot("residents-verify")
	anon.open("/p/" + token)
	anon.see("Xin chào Trần Thị Hoa", "Công dân số")
	anon.shoot("residents-personal")
}
