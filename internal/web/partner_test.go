package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/course"
	"ecitizen/internal/export"
	"ecitizen/internal/identity"
	"ecitizen/internal/training"
)

// partnerFixture is two organisations, each with a partner signed in.
type partnerFixture struct {
	e          *testEnv
	org, other string
	p, q       *client // partners of org and other
}

func newPartnerFixture(t *testing.T) *partnerFixture {
	e := newTestEnv(t)
	org, other := e.organisation("Trường Đại học Bách khoa Hà Nội"), e.organisation("Học viện Ngân hàng")
	f := &partnerFixture{e: e, org: org.ID, other: other.ID}
	f.p = e.adminSignedIn(identity.NewUser{Email: "p1@example.vn", DisplayName: "Phạm Thu Hà", Role: identity.RolePartner, OrganisationID: org.ID})
	f.q = e.adminSignedIn(identity.NewUser{Email: "p2@example.vn", DisplayName: "Đỗ Minh Quân", Role: identity.RolePartner, OrganisationID: other.ID})
	return f
}

func TestPartnerInvites(t *testing.T) {
	f := newPartnerFixture(t)
	e, c := f.e, f.p
	c.get("/partner/invites").must(t, http.StatusOK, "Trường Đại học Bách khoa Hà Nội", "Tạo mã mời")
	// A past expiry is refused next to its field; the label stays.
	past := time.Now().In(zone).AddDate(0, 0, -2).Format(time.DateOnly)
	c.post("/partner/invites", url.Values{"label": {"Lớp K66"}, "expires_at": {past}}).
		must(t, http.StatusBadRequest, `id="e-expires_at"`, `value="Lớp K66"`)
	c.post("/partner/invites", url.Values{"label": {"Lớp K66"}, "expires_at": {"hôm qua"}}).must(t, http.StatusBadRequest, `id="e-expires_at"`)
	p := c.post("/partner/invites", url.Values{"label": {"Lớp K66"}}).must(t, http.StatusOK, "Đã tạo mã mời.", "Lớp K66", "Còn hiệu lực", "/register?code=")
	invs, _, err := e.svc.Identity.ListInvites(t.Context(), e.admin, f.org, adminPageAll())
	if err != nil || len(invs) != 1 {
		t.Fatalf("invites %v %v", invs, err)
	}
	inv := invs[0]
	if !strings.Contains(p.Body, e.URL+"/register?code="+inv.Code) {
		t.Fatal("no registration link with the code")
	}
	// The link opens the registration form with the code filled in.
	e.client().get("/register?code="+inv.Code).must(t, http.StatusOK, `value="`+inv.Code+`"`)

	// Another organisation's partner neither sees nor revokes it.
	if q := f.q.get("/partner/invites"); strings.Contains(q.Body, inv.Code) {
		t.Fatal("another organisation's partner sees the code")
	}
	f.q.post("/partner/invites/"+inv.ID+"/revoke", nil).must(t, http.StatusNotFound)
	c.post("/partner/invites/"+inv.ID+"/revoke", nil).must(t, http.StatusOK, "Đã thu hồi mã mời.", "Đã thu hồi")
	c.post("/partner/invites/nope/revoke", nil).must(t, http.StatusNotFound)

	// An admin picks the organisation first.
	a := e.adminClient()
	a.get("/partner/invites").must(t, http.StatusOK, "Chọn tổ chức", "/partner/invites?org="+f.other)
	a.get("/partner/invites?org="+f.org).must(t, http.StatusOK, inv.Code)
	a.post("/partner/invites", url.Values{"org": {f.other}, "label": {"Chi đoàn"}}).must(t, http.StatusOK, "Học viện Ngân hàng", "Chi đoàn")
	a.get("/partner/invites?org=nope").must(t, http.StatusNotFound)
}

func TestPartnerVolunteers(t *testing.T) {
	f := newPartnerFixture(t)
	e, c := f.e, f.p
	c.get("/partner/volunteers").must(t, http.StatusOK, "Chưa có tình nguyện viên")
	mine := e.user(identity.NewUser{Email: "an@example.vn", DisplayName: "Nguyễn Văn An", Role: identity.RoleVolunteer, OrganisationID: f.org})
	theirs := e.user(identity.NewUser{Email: "bao@example.vn", DisplayName: "Trần Gia Bảo", Role: identity.RoleVolunteer, OrganisationID: f.other})
	p := c.get("/partner/volunteers").must(t, http.StatusOK, "Nguyễn Văn An", "an@example.vn", "Đang hoạt động")
	if strings.Contains(p.Body, "Trần Gia Bảo") {
		t.Fatal("another organisation's volunteer is listed")
	}
	// A bad range is shown next to its field.
	c.get("/partner/volunteers?from=2026-05-01&to=2026-01-01").must(t, http.StatusBadRequest, `id="e-to"`, "Nguyễn Văn An")
	c.get("/partner/volunteers?from=2026-01-01&to=2026-05-01").must(t, http.StatusOK, `value="2026-01-01"`)

	c.post("/partner/volunteers/"+theirs.UserID+"/status", url.Values{"status": {"disabled"}}).must(t, http.StatusNotFound)
	c.post("/partner/volunteers/"+mine.UserID+"/status", url.Values{"status": {"disabled"}}).must(t, http.StatusOK, "Đã khoá tài khoản tình nguyện viên.", "Đã khoá")
	if _, err := e.svc.Identity.Login(t.Context(), "an@example.vn", testPassword, "192.0.2.7"); err == nil {
		t.Fatal("a disabled volunteer signs in")
	}
	c.post("/partner/volunteers/"+mine.UserID+"/status", url.Values{"status": {"active"}}).must(t, http.StatusOK, "Đã mở khoá tài khoản tình nguyện viên.")
	// The organisation's tables as files.
	c.get("/partner/volunteers").must(t, http.StatusOK, "/partner/export?format=csv")
	if p := c.get("/partner/export?format=csv&table=volunteers"); p.Status != http.StatusOK || p.Header.Get("Content-Type") != export.ContentTypeCSV || !strings.Contains(p.Body, "Nguyễn Văn An") {
		t.Fatalf("volunteers CSV: %d %q %q", p.Status, p.Header.Get("Content-Type"), p.Body)
	}
	if p := c.get("/partner/export?format=xlsx"); p.Status != http.StatusOK || p.Header.Get("Content-Type") != export.ContentTypeXLSX {
		t.Fatalf("XLSX: %d %q", p.Status, p.Header.Get("Content-Type"))
	}
	if p := f.q.get("/partner/export?format=csv&table=volunteers"); strings.Contains(p.Body, "Nguyễn Văn An") {
		t.Fatal("another organisation's partner downloads our volunteers")
	}
	c.get("/partner/export?format=csv").must(t, http.StatusNotFound)
	// A certificate code that is not one of ours is not found, next to the field.
	c.get("/partner/certificate?code=HC-NOPE-NOPE").must(t, http.StatusNotFound, `id="e-code"`, `value="HC-NOPE-NOPE"`)
}

// partnerCourse is a course of the built-in catalogue.
func partnerCourse(t *testing.T, e *testEnv) (string, string) {
	ls, err := e.svc.Courses.Catalogue(t.Context(), course.CatalogueQuery{}, adminPageAll())
	vs := ls.Cards
	if err != nil || len(vs) == 0 {
		t.Fatalf("catalogue: %v %v", vs, err)
	}
	return vs[0].CourseID, vs[0].Title.Vi
}

func TestPartnerSessions(t *testing.T) {
	f := newPartnerFixture(t)
	e, c := f.e, f.p
	w := e.ward("HB01", "Phường Hàng Bạc")
	ce := e.centre(w.ID, "Nhà văn hoá Hàng Bạc")
	courseID, title := partnerCourse(t, e)
	c.get("/partner/sessions").must(t, http.StatusOK, "Tạo buổi học", "Nhà văn hoá Hàng Bạc", title)

	day := time.Now().In(zone).AddDate(0, 0, 3).Format(time.DateOnly)
	form := url.Values{"course_id": {courseID}, "centre_id": {ce.ID}, "starts_at": {day + "T09:00"}, "ends_at": {day + "T08:00"},
		"capacity": {"20"}, "trainers": {"ThS. Nguyễn Lan\nCN. Vũ Hùng"}, "note": {"Mang theo CCCD"}}
	// Ending before it starts: the problem at the end time, the input kept.
	c.post("/partner/sessions", form).must(t, http.StatusBadRequest, `id="e-ends_at"`, `value="`+day+`T09:00"`, "Mang theo CCCD", "CN. Vũ Hùng")
	form.Set("ends_at", day+"T11:00")
	c.post("/partner/sessions", form).must(t, http.StatusOK, "Đã tạo buổi học.", title, "0/20")
	ss, _, err := e.svc.Training.List(t.Context(), training.SessionFilter{OrganisationID: f.org}, adminPageAll())
	if err != nil || len(ss) != 1 {
		t.Fatalf("sessions %v %v", ss, err)
	}
	se := ss[0]
	if se.StartsAt.In(zone).Format("15:04") != "09:00" || len(se.Trainers) != 2 || se.CentreID != ce.ID {
		t.Fatalf("session %+v", se)
	}
	// A volunteer enrols; the session's page lists them.
	vol := e.user(identity.NewUser{Email: "an@example.vn", DisplayName: "Nguyễn Văn An", Role: identity.RoleVolunteer, OrganisationID: f.org})
	if _, err := e.svc.Training.Enrol(t.Context(), vol, se.ID, ""); err != nil {
		t.Fatal(err)
	}
	path := "/partner/sessions/" + se.ID
	c.get(path).must(t, http.StatusOK, "Nguyễn Văn An", "Điểm danh khi buổi học đã bắt đầu.", `value="`+day+`T09:00"`)
	// Attendance waits for the start.
	c.post(path+"/attendance/1", url.Values{"attendance": {"attended"}}).must(t, http.StatusConflict, "Chỉ điểm danh khi buổi học đã bắt đầu.")

	// Another organisation's partner finds none of it.
	f.q.get(path).must(t, http.StatusNotFound)
	theirs := url.Values{}
	for k, v := range form {
		if k != "_csrf" {
			theirs[k] = v
		}
	}
	f.q.post(path, theirs).must(t, http.StatusNotFound)
	f.q.post(path+"/cancel", nil).must(t, http.StatusNotFound)
	f.q.post(path+"/attendance/1", url.Values{"attendance": {"attended"}}).must(t, http.StatusNotFound)
	if p := f.q.get("/partner/sessions"); strings.Contains(p.Body, path) {
		t.Fatal("another organisation's partner lists the session")
	}

	// Capacity below a taken place is refused; a change is saved.
	form.Set("capacity", "0")
	c.post(path, form).must(t, http.StatusBadRequest, `id="e-capacity"`)
	form.Set("capacity", "25")
	form.Set("ends_at", day+"T11:30")
	c.post(path, form).must(t, http.StatusOK, "Đã lưu buổi học.", "1/25")

	// The public schedule shows it.
	e.client().get("/sessions").must(t, http.StatusOK, title, "Nhà văn hoá Hàng Bạc", "Còn 24/25 chỗ")

	c.post(path+"/cancel", nil).must(t, http.StatusOK, "Đã huỷ buổi học.", "Đã huỷ")
	if p := e.client().get("/sessions"); strings.Contains(p.Body, "Nhà văn hoá Hàng Bạc") {
		t.Fatal("a cancelled session is on the public schedule")
	}
	c.get("/partner/sessions/nope").must(t, http.StatusNotFound)
}

// TestPartnerMarksAttendanceOnceStarted: a session that has started takes its
// learners' attendance from the session's page. The session was scheduled and
// the learner enrolled by a training service whose clock stands a day back,
// while the session was still ahead.
func TestPartnerMarksAttendanceOnceStarted(t *testing.T) {
	f := newPartnerFixture(t)
	e, c := f.e, f.p
	w := e.ward("HB01", "Phường Hàng Bạc")
	ce := e.centre(w.ID, "Nhà văn hoá Hàng Bạc")
	courseID, _ := partnerCourse(t, e)
	partner := e.callerOf("p1@example.vn", testPassword)
	past := training.NewService(training.Deps{Store: e.svc.Store, Courses: e.svc.Courses, Places: e.svc.Directory,
		Now: func() time.Time { return time.Now().AddDate(0, 0, -1) }})
	now := time.Now()
	se, err := past.Schedule(t.Context(), partner, training.Plan{CourseID: courseID, CentreID: ce.ID,
		StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour), Capacity: 5, Trainers: []string{"ThS. Nguyễn Lan"}})
	if err != nil {
		t.Fatal(err)
	}
	vol := e.user(identity.NewUser{Email: "an@example.vn", DisplayName: "Nguyễn Văn An", Role: identity.RoleVolunteer, OrganisationID: f.org})
	if _, err := past.Enrol(t.Context(), vol, se.ID, ""); err != nil {
		t.Fatal(err)
	}
	path := "/partner/sessions/" + se.ID
	c.get(path).must(t, http.StatusOK, "Nguyễn Văn An")
	c.post(path+"/attendance/1", url.Values{"attendance": {"maybe"}}).must(t, http.StatusBadRequest)
	c.post(path+"/attendance/1", url.Values{"attendance": {"attended"}}).must(t, http.StatusOK, "Đã điểm danh.", "Có mặt")
	_, seats, err := e.svc.Training.Enrolments(t.Context(), partner, se.ID)
	if err != nil || len(seats) != 1 || string(seats[0].Attendance) != "attended" {
		t.Fatalf("seats %+v %v", seats, err)
	}
	// Another organisation's partner cannot mark it.
	f.q.post(path+"/attendance/1", url.Values{"attendance": {"absent"}}).must(t, http.StatusNotFound)
}
