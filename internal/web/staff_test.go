package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/directory"
	"ecitizen/internal/export"
	"ecitizen/internal/identity"
	paging "ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// staffWorld: two wards with a centre each, staff of the first and of the
// second, a volunteer of a university.
type staffWorld struct {
	e                   *testEnv
	ward, otherWard     *directory.Ward
	centre, otherCentre *directory.Centre
	staff, otherStaff   identity.Caller
	vol                 identity.Caller
}

const (
	staffEmail      = "canbo@example.vn"
	otherStaffEmail = "canbo2@example.vn"
	staffVolEmail   = "tnv@example.vn"
)

func newStaffWorld(t *testing.T) *staffWorld {
	t.Helper()
	e := newTestEnv(t)
	w := &staffWorld{e: e}
	w.ward = e.ward("BD", "Phường Bạch Đằng")
	w.otherWard = e.ward("TH", "Phường Thanh Lương")
	w.centre = e.centre(w.ward.ID, "Nhà văn hoá tổ 5")
	w.otherCentre = e.centre(w.otherWard.ID, "Nhà văn hoá tổ 9")
	w.staff = e.user(identity.NewUser{Email: staffEmail, DisplayName: "Trần Thị Bình", Role: identity.RoleWardStaff, WardIDs: []string{w.ward.ID}})
	w.otherStaff = e.user(identity.NewUser{Email: otherStaffEmail, DisplayName: "Lê Văn Cường", Role: identity.RoleWardStaff, WardIDs: []string{w.otherWard.ID}})
	org := e.organisation("Đại học Bách khoa Hà Nội")
	w.vol = e.user(identity.NewUser{Email: staffVolEmail, DisplayName: "Nguyễn Văn An", Role: identity.RoleVolunteer, OrganisationID: org.ID})
	return w
}

// staffLocal is a local time days from today at hh:mm.
func staffLocal(days, hh, mm int) time.Time {
	n := time.Now().In(zone)
	return time.Date(n.Year(), n.Month(), n.Day()+days, hh, mm, 0, 0, zone)
}

// futureShift creates a shift at the centre days ahead, 09:00 to 11:00.
func (w *staffWorld) futureShift(t *testing.T, title string, days, places int) *roster.Shift {
	t.Helper()
	s, err := w.e.svc.Roster.CreateShift(context.Background(), w.e.admin, roster.Plan{CentreID: w.centre.ID, Title: title,
		Role: roster.RoleGuide, StartsAt: staffLocal(days, 9, 0), EndsAt: staffLocal(days, 11, 0), Places: places})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// endedShift creates a shift that ended yesterday with the volunteer booked and
// never checked in: a roster service on the same store whose clock stands three
// days back creates and books it while it was still ahead.
func (w *staffWorld) endedShift(t *testing.T, title string) *roster.Shift {
	t.Helper()
	ctx := context.Background()
	then := staffLocal(-3, 9, 0)
	past := roster.NewService(roster.Deps{Store: w.e.svc.Store, Centres: w.e.svc.Directory, Qualifications: w.e.svc.Courses,
		People: w.e.svc.Identity, NoShowRule: w.e.svc.Roster.NoShowRule(), Now: func() time.Time { return then }})
	s, err := past.CreateShift(ctx, w.e.admin, roster.Plan{CentreID: w.centre.ID, Title: title, Role: roster.RoleGuide,
		StartsAt: staffLocal(-1, 9, 0), EndsAt: staffLocal(-1, 11, 0), Places: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := past.Book(ctx, w.vol, s.ID, false); err != nil {
		t.Fatal(err)
	}
	return s
}

func (w *staffWorld) book(t *testing.T, s *roster.Shift) {
	t.Helper()
	if _, err := w.e.svc.Roster.Book(context.Background(), w.vol, s.ID, false); err != nil {
		t.Fatal(err)
	}
}

func (w *staffWorld) signedIn(t *testing.T, email string) *client {
	c := w.e.client()
	pw := testPassword
	if email == testAdminEmail {
		pw = testAdminPassword
	}
	c.signIn(email, pw)
	return c
}

// staffGates: signed-out readers are sent to sign in, volunteers refused, staff
// of another ward find nothing.
func TestStaffPagesGates(t *testing.T) {
	w := newStaffWorld(t)
	s := w.futureShift(t, "Ca sáng", 2, 2)
	paths := []string{"/staff/centres", "/staff/centres/" + w.centre.ID, "/staff/shifts/" + s.ID,
		"/staff/centres/" + w.centre.ID + "/screen", "/staff/dashboard", "/staff/centres/" + w.centre.ID + "/coverage"}
	anon := w.e.client()
	for _, p := range paths {
		if got := anon.get(p); got.Status != http.StatusOK || !strings.HasPrefix(got.URL, "/login?next=") {
			t.Fatalf("signed out %s: %d at %s", p, got.Status, got.URL)
		}
	}
	vol := w.signedIn(t, staffVolEmail)
	for _, p := range paths {
		vol.get(p).must(t, http.StatusForbidden, "Bạn không có quyền xem trang này.")
	}
	other := w.signedIn(t, otherStaffEmail)
	for _, p := range paths[1:] {
		if p == "/staff/dashboard" {
			continue
		}
		other.get(p).must(t, http.StatusNotFound, "Không tìm thấy trang này.")
	}
	other.get("/staff/centres?ward="+w.ward.ID).must(t, http.StatusNotFound)
	other.get("/staff/dashboard?ward="+w.ward.ID).must(t, http.StatusNotFound)
	other.get("/staff/centres/"+w.centre.ID+"/edit").must(t, http.StatusNotFound)
	other.get("/staff/wards/"+w.ward.ID+"/export?format=xlsx").must(t, http.StatusNotFound)
	other.get("/staff/centres/"+w.centre.ID+"/coverage/export?format=xlsx").must(t, http.StatusNotFound)
	// Forms of another ward's objects are not found either.
	other.get("/staff/centres")
	other.post("/staff/centres/"+w.centre.ID+"/shifts", url.Values{"title": {"X"}}).must(t, http.StatusNotFound)
	other.post("/staff/shifts/"+s.ID+"/cancel", url.Values{"reason": {"X"}}).must(t, http.StatusNotFound)
	// Their own pages work and show only their ward.
	other.get("/staff/centres").must(t, http.StatusOK, "Nhà văn hoá tổ 9")
	if p := other.get("/staff/centres"); strings.Contains(p.Body, "Nhà văn hoá tổ 5") {
		t.Fatal("staff see another ward's centre")
	}
}

func TestStaffCentres(t *testing.T) {
	w := newStaffWorld(t)
	c := w.signedIn(t, staffEmail)
	p := c.get("/staff/centres").must(t, http.StatusOK, "Nhà văn hoá tổ 5", "Phường Bạch Đằng", `name="hours_mon_open1"`)
	if strings.Contains(p.Body, "<script>") || !strings.Contains(p.Body, `<form method="post" action="/staff/centres"`) {
		t.Fatal("the centres page needs a plain form")
	}
	// A missing name is shown next to the field; the address and hours are kept.
	bad := url.Values{"ward_id": {w.ward.ID}, "name": {""}, "address": {"Số 3 phố Lê Lợi"}, "seats": {"10"},
		"hours_mon_open1": {"07:30"}, "hours_mon_close1": {"11:30"}}
	c.post("/staff/centres", bad).must(t, http.StatusBadRequest, `id="e-name"`, `value="Số 3 phố Lê Lợi"`, `value="07:30"`)
	// Opening hours in the wrong order are the hours' problem.
	bad.Set("name", "Nhà văn hoá tổ 7")
	bad.Set("hours_mon_close1", "06:00")
	c.post("/staff/centres", bad).must(t, http.StatusBadRequest, `id="e-hours"`, `value="Nhà văn hoá tổ 7"`)
	bad.Set("hours_mon_close1", "11:30")
	bad.Set("hours_mon_open2", "13:30")
	bad.Set("hours_mon_close2", "17:00")
	c.post("/staff/centres", bad).must(t, http.StatusOK, "Đã thêm nhà sinh hoạt cộng đồng.", "Nhà văn hoá tổ 7")
	// Staff cannot add a centre to another ward.
	bad.Set("ward_id", w.otherWard.ID)
	c.post("/staff/centres", bad).must(t, http.StatusNotFound)

	// Edit: the form shows the centre; a bad seat count keeps the input.
	c.get("/staff/centres/"+w.centre.ID+"/edit").must(t, http.StatusOK, `value="Nhà văn hoá tổ 5"`, `value="06:00"`, `value="22:00"`)
	form := url.Values{"name": {"Nhà văn hoá tổ 5 (mới)"}, "address": {"Số 5 ngõ 12"}, "seats": {"nhiều"}, "active": {"1"},
		"hours_sat_open1": {"08:00"}, "hours_sat_close1": {"12:00"}}
	c.post("/staff/centres/"+w.centre.ID+"/edit", form).must(t, http.StatusBadRequest, `id="e-seats"`, `value="Nhà văn hoá tổ 5 (mới)"`)
	form.Set("seats", "12")
	c.post("/staff/centres/"+w.centre.ID+"/edit", form).must(t, http.StatusOK, "Đã lưu thông tin nhà sinh hoạt.", "Nhà văn hoá tổ 5 (mới)")
	ce, err := w.e.svc.Directory.Centre(context.Background(), w.e.admin, w.centre.ID)
	if err != nil || ce.Seats != 12 || len(ce.Hours.Mon) != 0 || len(ce.Hours.Sat) != 1 {
		t.Fatalf("centre after edit: %+v %v", ce, err)
	}

	// Admins choose among every ward.
	a := w.signedIn(t, testAdminEmail)
	a.get("/staff/centres?ward="+w.otherWard.ID).must(t, http.StatusOK, "Nhà văn hoá tổ 9", `<select id="ward" name="ward">`)
}

func TestStaffShiftsAndSeries(t *testing.T) {
	w := newStaffWorld(t)
	c := w.signedIn(t, staffEmail)
	c.get("/staff/centres/"+w.centre.ID).must(t, http.StatusOK, "Nhà văn hoá tổ 5", "Tạo ca trực", `name="starts_at"`)
	day := staffLocal(3, 0, 0).Format(time.DateOnly)
	shift := url.Values{"title": {"Hỗ trợ dịch vụ công"}, "role": {"guide"}, "date": {day}, "starts_at": {"10:00"}, "ends_at": {"09:00"},
		"places": {"3"}, "notes": {"Mang thẻ sinh viên"}}
	c.post("/staff/centres/"+w.centre.ID+"/shifts", shift).must(t, http.StatusBadRequest, `id="e-ends_at"`, `value="Hỗ trợ dịch vụ công"`, "Mang thẻ sinh viên")
	shift.Set("ends_at", "12:00")
	p := c.post("/staff/centres/"+w.centre.ID+"/shifts", shift).must(t, http.StatusOK, "Đã tạo ca trực.", "Hỗ trợ dịch vụ công", "10:00–12:00")
	if !strings.Contains(p.URL, "week=") {
		t.Fatalf("after creating a shift: %s", p.URL)
	}

	// A weekly series: a missing start time is its field's problem; then created.
	c.get("/staff/centres/"+w.centre.ID+"/series/new").must(t, http.StatusOK, `name="byday"`)
	series := url.Values{"title": {"Trực tối"}, "role": {"guide"}, "byday": {"TU", "TH"}, "start_time": {""}, "end_time": {"20:00"},
		"first_date": {staffLocal(1, 0, 0).Format(time.DateOnly)}, "places": {"2"}}
	c.post("/staff/centres/"+w.centre.ID+"/series", series).must(t, http.StatusBadRequest, `id="e-start_time"`, `value="Trực tối"`, `value="TU" checked`)
	series.Set("start_time", "18:00")
	c.post("/staff/centres/"+w.centre.ID+"/series", series).must(t, http.StatusOK, "Đã tạo chuỗi ca trực hằng tuần.", "Trực tối", "Thứ Ba, Thứ Năm")
	list, _, err := w.e.svc.Roster.CentreSeries(context.Background(), w.staff, w.centre.ID, mustPage(t))
	if err != nil || len(list) != 1 {
		t.Fatalf("series: %v %v", list, err)
	}
	c.post("/staff/centres/"+w.centre.ID+"/series/"+list[0].ID+"/cancel", url.Values{"reason": {"Nghỉ lễ"}}).must(t, http.StatusOK, "Đã huỷ các ca sắp tới của chuỗi.")
	c.post("/staff/centres/"+w.centre.ID+"/series/"+list[0].ID+"/remove", nil).must(t, http.StatusOK, "Đã xoá chuỗi ca trực.")
}

func TestStaffRoster(t *testing.T) {
	w := newStaffWorld(t)
	s := w.futureShift(t, "Ca sáng thứ Bảy", 2, 1)
	w.book(t, s)
	c := w.signedIn(t, staffEmail)
	path := "/staff/shifts/" + s.ID
	c.get(path).must(t, http.StatusOK, "Ca sáng thứ Bảy", "Đã đăng ký 1/1", "Rút tình nguyện viên khỏi ca", "Huỷ ca trực",
		"Nguyễn Văn An") // staff of the ward see who is on their roster by name

	// Removing needs a reason, shown on that form with the page kept.
	vid := w.vol.UserID
	c.post(path+"/remove/"+vid, url.Values{"reason": {""}}).must(t, http.StatusBadRequest, "Hãy ghi lý do.", `<details open>`)
	c.post(path+"/remove/"+vid, url.Values{"reason": {"Đổi lịch thi"}}).must(t, http.StatusOK, "Đã rút tình nguyện viên khỏi ca.", "Chưa có ai đăng ký.", "Đổi lịch thi")
	// Assigning needs a reason; by id when the volunteer is in no list.
	c.post(path+"/assign", url.Values{"volunteer_other": {vid}, "reason": {""}}).must(t, http.StatusBadRequest, `id="e-reason"`, `value="`+vid+`"`)
	c.post(path+"/assign", url.Values{"volunteer_other": {"no-such-volunteer"}, "reason": {"Thiếu người"}}).must(t, http.StatusBadRequest, `id="e-volunteer_id"`)
	c.post(path+"/assign", url.Values{"volunteer_other": {vid}, "reason": {"Thiếu người"}}).must(t, http.StatusOK, "Đã phân công tình nguyện viên.", "được phân công lúc")
	// Attendance without the code, before the check-in window, is refused by the service.
	p := c.post(path+"/attendance/"+vid, url.Values{"action": {"checkin"}, "reason": {"Điện thoại hết pin"}})
	if p.Status == http.StatusOK {
		t.Fatalf("a check-in two days ahead was recorded")
	}
	p.must(t, p.Status, `<details open>`, "Điện thoại hết pin")
	// Cancelling the shift.
	c.post(path+"/cancel", url.Values{"reason": {"Mất điện"}}).must(t, http.StatusOK, "Đã huỷ ca trực.", "Ca trực này đã bị huỷ.")

	// An ended shift: the booked volunteer who never came is a pending no-show.
	ended := w.endedShift(t, "Ca hôm qua")
	epath := "/staff/shifts/" + ended.ID
	c.get(epath).must(t, http.StatusOK, "Vắng mặt, chờ xác nhận", "Xác nhận vắng mặt")
	c.post(epath+"/no-show/"+vid, url.Values{"decision": {"confirm"}, "reason": {""}}).must(t, http.StatusBadRequest, "Lý do từ 1 đến 500 ký tự.")
	c.post(epath+"/no-show/"+vid, url.Values{"decision": {"confirm"}, "reason": {"Không báo trước"}}).must(t, http.StatusOK,
		"Đã ghi nhận quyết định về vắng mặt.", "Vắng mặt (đã xác nhận)")
}

func TestStaffAttendanceWithoutCode(t *testing.T) {
	w := newStaffWorld(t)
	ended := w.endedShift(t, "Ca hôm qua")
	c := w.signedIn(t, staffEmail)
	path := "/staff/shifts/" + ended.ID
	c.get(path)
	// A reason is required, shown next to that volunteer's form.
	c.post(path+"/attendance/"+w.vol.UserID, url.Values{"action": {"checkin"}, "reason": {""}}).must(t, http.StatusBadRequest, "Hãy ghi lý do.", `<details open>`)
	c.post(path+"/attendance/"+w.vol.UserID, url.Values{"action": {"checkin"}, "reason": {"Quên điện thoại"}}).must(t, http.StatusOK,
		"Đã ghi nhận điểm danh.", "Đã vào ca")
	// Checked in: no longer a no-show to decide.
	if p := c.get(path); strings.Contains(p.Body, "Xác nhận vắng mặt") {
		t.Fatal("a checked-in volunteer is offered as a no-show")
	}
}

func TestStaffScreen(t *testing.T) {
	w := newStaffWorld(t)
	c := w.signedIn(t, staffEmail)
	p := c.get("/staff/centres/"+w.centre.ID+"/screen").must(t, http.StatusOK, `src="data:image/png;base64,`, `<meta http-equiv="refresh" content="`, "Mã đổi lúc")
	code, _, err := w.e.svc.Roster.CheckinCode(context.Background(), w.staff, w.centre.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Body, code) {
		// The code may have rotated between the page and this call.
		t.Logf("code %s not in the page (rotated?)", code)
	}
}

func TestStaffDashboardAndExports(t *testing.T) {
	w := newStaffWorld(t)
	w.futureShift(t, "Ca còn thiếu", 2, 2)
	c := w.signedIn(t, staffEmail)
	c.get("/staff/dashboard").must(t, http.StatusOK, "Tổng quan phường", "Phường Bạch Đằng", `<svg class="chart"`, "Công dân số mới mỗi tuần",
		"Ca trực sắp tới còn thiếu người", "Nhà văn hoá tổ 5", "/staff/wards/"+w.ward.ID+"/export?format=csv&amp;table=summary")
	c.get("/staff/centres/"+w.centre.ID+"/coverage").must(t, http.StatusOK, "Kết quả phổ cập tại Nhà văn hoá tổ 5", `<svg class="chart"`)

	csv := c.get("/staff/wards/" + w.ward.ID + "/export?format=csv&table=summary")
	if csv.Status != http.StatusOK || csv.Header.Get("Content-Type") != export.ContentTypeCSV || !strings.Contains(csv.Body, "Chỉ số") {
		t.Fatalf("ward CSV: %d %s\n%.300s", csv.Status, csv.Header.Get("Content-Type"), csv.Body)
	}
	if !strings.HasPrefix(csv.Header.Get("Content-Disposition"), `attachment; filename="ecitizen-ward-BD-summary-`) {
		t.Fatalf("ward CSV disposition %q", csv.Header.Get("Content-Disposition"))
	}
	x := c.get("/staff/wards/" + w.ward.ID + "/export?format=xlsx")
	if x.Status != http.StatusOK || x.Header.Get("Content-Type") != export.ContentTypeXLSX || !strings.HasPrefix(x.Body, "PK") {
		t.Fatalf("ward XLSX: %d %s", x.Status, x.Header.Get("Content-Type"))
	}
	cc := c.get("/staff/centres/" + w.centre.ID + "/coverage/export?format=csv&table=unfilled")
	if cc.Status != http.StatusOK || cc.Header.Get("Content-Type") != export.ContentTypeCSV || !strings.Contains(strings.SplitN(cc.Body, "\n", 2)[0], ",") {
		t.Fatalf("centre CSV: %d %s\n%.300s", cc.Status, cc.Header.Get("Content-Type"), cc.Body)
	}
	c.get("/staff/centres/"+w.centre.ID+"/coverage/export?format=csv").must(t, http.StatusBadRequest)
	c.get("/staff/wards/"+w.ward.ID+"/export?format=pdf").must(t, http.StatusBadRequest)
	// English headers for an English reader.
	c.get("/lang/en?next=/staff/dashboard").must(t, http.StatusOK, "Ward dashboard")
	en := c.get("/staff/wards/" + w.ward.ID + "/export?format=csv&table=summary")
	if !strings.Contains(en.Body, "Indicator") {
		t.Fatalf("English CSV:\n%.300s", en.Body)
	}
}

func mustPage(t *testing.T) paging.Request {
	t.Helper()
	p, err := paging.New(paging.MaxLimit, "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}
