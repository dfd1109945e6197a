package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/app"
	"ecitizen/internal/course"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	paging "ecitizen/internal/page"
	"ecitizen/internal/roster"
	"ecitizen/internal/store/storetest"
)

// volFixture is a ward with a centre, a university with an invite code, and a
// signed-in volunteer of it (both as a service caller and as a no-JS client).
type volFixture struct {
	e      *testEnv
	ward   *directory.Ward
	centre *directory.Centre
	org    *directory.Organisation
	invite string
	vol    identity.Caller
	c      *client
}

const volEmail = "sv.an@example.vn"

func newVolFixture(t *testing.T) *volFixture {
	t.Helper()
	return newVolFixtureOn(newTestEnv(t))
}

// newVolFixtureOn is newVolFixture on the env e.
func newVolFixtureOn(e *testEnv) *volFixture {
	t := e.t
	t.Helper()
	f := &volFixture{e: e}
	f.ward = e.ward("00004", "Phường Ba Đình")
	f.centre = e.centre(f.ward.ID, "Nhà văn hoá tổ 5")
	f.org = e.organisation("Trường Đại học Bách khoa Hà Nội")
	inv, err := e.svc.Identity.CreateInvite(t.Context(), e.admin, f.org.ID, "K66", time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f.invite = inv.Code
	f.vol = f.volunteer(volEmail, "Nguyễn Văn An")
	f.c = e.client()
	f.c.signIn(volEmail, testPassword)
	return f
}

// volunteer creates another volunteer of the fixture's university.
func (f *volFixture) volunteer(email, name string) identity.Caller {
	return f.e.user(identity.NewUser{Email: email, DisplayName: name, Role: identity.RoleVolunteer, OrganisationID: f.org.ID})
}

// volTomorrow is tomorrow at hh:mm in Asia/Ho_Chi_Minh.
func volTomorrow(hh, mm int) time.Time {
	y, m, d := time.Now().In(zone).AddDate(0, 0, 1).Date()
	return time.Date(y, m, d, hh, mm, 0, 0, zone)
}

// volWeek is the /shifts query of tomorrow's week.
func volWeek() string { return "week=" + volTomorrow(0, 0).Format(time.DateOnly) }

// shift creates a guide shift at centreID as the admin.
func (f *volFixture) shift(centreID, title string, start time.Time, d time.Duration, places int) *roster.Shift {
	f.e.t.Helper()
	return f.shiftPlan(roster.Plan{CentreID: centreID, Title: title, Role: roster.RoleGuide, StartsAt: start, EndsAt: start.Add(d), Places: places})
}

func (f *volFixture) shiftPlan(p roster.Plan) *roster.Shift {
	f.e.t.Helper()
	s, err := f.e.svc.Roster.CreateShift(context.Background(), f.e.admin, p)
	if err != nil {
		f.e.t.Fatalf("create shift %s: %v", p.Title, err)
	}
	return s
}

func (f *volFixture) book(c identity.Caller, shiftID string, wait bool) {
	f.e.t.Helper()
	if _, err := f.e.svc.Roster.Book(context.Background(), c, shiftID, wait); err != nil {
		f.e.t.Fatalf("book %s: %v", shiftID, err)
	}
}

// volNotThere fails if p contains s.
func volNotThere(t *testing.T, p *page, s string) {
	t.Helper()
	if strings.Contains(p.Body, s) {
		t.Fatalf("%s: %q is still in the page\n%s", p.URL, s, excerpt(p.Body))
	}
}

func TestVolunteerPagesNeedAVolunteer(t *testing.T) {
	f := newVolFixture(t)
	s := f.shift(f.centre.ID, "Hỗ trợ VNeID buổi sáng", volTomorrow(8, 0), 3*time.Hour, 2)
	paths := []string{"/shifts", "/shifts/" + s.ID, "/me/bookings", "/checkin", "/me/hours", "/me/calendar", "/me/notifications"}
	anon := f.e.client()
	admin := f.e.client()
	admin.signIn(testAdminEmail, testAdminPassword)
	for _, p := range paths {
		if got := anon.get(p); !strings.HasPrefix(got.URL, "/login?next=") {
			t.Errorf("signed out %s: at %s", p, got.URL)
		}
		admin.get(p).must(t, http.StatusForbidden, "Bạn không có quyền xem trang này.")
		// Every page reads without JavaScript: no script is needed for its content.
		f.c.get(p).must(t, http.StatusOK, "<h1>")
	}
	// Forms of another role are refused too.
	admin.post("/shifts/"+s.ID+"/book", nil).must(t, http.StatusForbidden)
	// A signed-out post is asked to sign in.
	anon.get("/login")
	anon.post("/shifts/"+s.ID+"/book", nil).must(t, http.StatusUnauthorized)
	f.c.get("/shifts/no-such-shift").must(t, http.StatusNotFound)
}

func TestVolunteerBooksShiftsAndWaits(t *testing.T) {
	f := newVolFixture(t)
	other := f.e.centre(f.ward.ID, "Nhà sinh hoạt cộng đồng tổ 9")
	morning := f.shift(f.centre.ID, "Hỗ trợ VNeID buổi sáng", volTomorrow(8, 0), 3*time.Hour, 2)
	overlap := f.shift(other.ID, "Hướng dẫn dịch vụ công", volTomorrow(9, 0), 2*time.Hour, 3)
	full := f.shift(f.centre.ID, "Ca chiều đã đủ", volTomorrow(14, 0), 2*time.Hour, 1)
	f.book(f.volunteer("sv.binh@example.vn", "Trần Thị Bình"), full.ID, false)

	list := "/shifts?" + volWeek()
	p := f.c.get(list).must(t, http.StatusOK, "Hỗ trợ VNeID buổi sáng", "Nhà văn hoá tổ 5 – Phường Ba Đình", "Còn 2/2 chỗ",
		"08:00–11:00", `action="/shifts/`+morning.ID+`/book"`, "Vào danh sách chờ", "Tuần sau")
	volNotThere(t, p, "Trùng giờ")
	// The centre filter shows one centre's shifts.
	f.c.get(list+"&centre="+other.ID).must(t, http.StatusOK, "Hướng dẫn dịch vụ công")
	volNotThere(t, f.c.get(list+"&centre="+other.ID), "Hỗ trợ VNeID buổi sáng")

	// Book: back on the list with a message, the shift held, the overlapping one flagged.
	p = f.c.post("/shifts/"+morning.ID+"/book", url.Values{"back": {list}})
	p.must(t, http.StatusOK, "Đã đăng ký ca trực.", "Bạn đã đăng ký ca này", "Trùng giờ với ca của bạn 08:00–11:00")
	if p.URL != list {
		t.Fatalf("after booking at %s, want %s", p.URL, list)
	}
	// The overlapping shift is refused with the domain's message, on its page.
	p = f.c.post("/shifts/"+overlap.ID+"/book", url.Values{"back": {list}})
	p.must(t, http.StatusConflict, "Bạn đã có một ca trực trùng giờ.", "Hướng dẫn dịch vụ công", `role="alert"`)

	// A full shift: the waiting list, with the position on my shifts; leaving it.
	f.c.post("/shifts/"+full.ID+"/book", url.Values{"waitlist": {"1"}, "back": {"/shifts/" + full.ID}}).
		must(t, http.StatusOK, "Bạn đã vào danh sách chờ.", "Bạn đang ở danh sách chờ, số thứ tự 1")
	f.c.get("/me/bookings").must(t, http.StatusOK, "Hỗ trợ VNeID buổi sáng", "Ca chiều đã đủ", "số thứ tự 1",
		`action="/me/waiting/`+full.ID+`/leave"`)
	f.c.post("/me/waiting/"+full.ID+"/leave", nil).must(t, http.StatusOK, "Bạn đã rời danh sách chờ.", "Bạn không ở danh sách chờ nào.")
	// Leaving again: refused clearly.
	f.c.post("/me/waiting/"+full.ID+"/leave", nil).must(t, http.StatusNotFound, "Bạn không (còn) giữ chỗ")

	// Cancel: gone from my shifts, and the place is free again.
	p = f.c.post("/me/bookings/"+morning.ID+"/cancel", nil).must(t, http.StatusOK, "Đã huỷ đăng ký.", "Bạn chưa đăng ký ca trực nào.")
	volNotThere(t, p, "Hỗ trợ VNeID buổi sáng")
	f.c.get("/shifts/"+morning.ID).must(t, http.StatusOK, "Còn 2/2 chỗ", "Đăng ký")

	// English.
	f.c.get("/lang/en?next="+url.QueryEscape(list)).must(t, http.StatusOK, "Shifts to book", "2 of 2 left", "Join the waiting list")
}

func TestVolunteerCancelAfterDeadlineIsRefused(t *testing.T) {
	f := newVolFixture(t)
	now := time.Now()
	s := f.shiftPlan(roster.Plan{CentreID: f.centre.ID, Title: "Ca sáng mai", Role: roster.RoleGuide, StartsAt: volTomorrow(8, 0),
		EndsAt: volTomorrow(10, 0), Places: 3, SignupOpensAt: now.Add(-2 * time.Hour), CancelDeadline: now.Add(-time.Hour)})
	f.book(f.vol, s.ID, false)
	f.c.get("/me/bookings")
	f.c.post("/me/bookings/"+s.ID+"/cancel", nil).must(t, http.StatusConflict, "Đã quá hạn huỷ ca trực; hãy liên hệ cán bộ phường.", "Ca sáng mai")
	// Still booked.
	f.c.get("/me/bookings").must(t, http.StatusOK, "Ca sáng mai", "Huỷ đăng ký", "Đã quá hạn huỷ (")
}

func TestVolunteerSignupNotOpenIsShown(t *testing.T) {
	f := newVolFixture(t)
	// A signup window that has not opened: the page says when it opens.
	s := f.shiftPlan(roster.Plan{CentreID: f.centre.ID, Title: "Ca tuần sau", Role: roster.RoleGuide, StartsAt: volTomorrow(8, 0),
		EndsAt: volTomorrow(10, 0), Places: 3, SignupOpensAt: time.Now().Add(time.Hour)})
	p := f.c.get("/shifts/"+s.ID).must(t, http.StatusOK, "Mở đăng ký lúc")
	volNotThere(t, p, `action="/shifts/`+s.ID+`/book"`)
	f.c.post("/shifts/"+s.ID+"/book", nil).must(t, http.StatusConflict, "Chưa mở đăng ký ca trực này")
}

// volNowShift creates a shift at a centre open day and night that can be checked
// in to now: it starts in a few minutes, or, near local midnight, at the next
// midnight or at 23:30 (volNowStart).
func (f *volFixture) volNowShift(t *testing.T) (*directory.Centre, *roster.Shift) {
	t.Helper()
	start, wait := volNowStart(time.Now())
	time.Sleep(wait) // at most 10 s, and only in the ten seconds before 23:30 local
	d := []directory.Span{{Open: "00:00", Close: "24:00"}}
	ce, err := f.e.svc.Directory.CreateCentre(context.Background(), f.e.admin, directory.Centre{WardID: f.ward.ID, Name: "Điểm hỗ trợ 24 giờ",
		Address: "Số 1 phố Kim Mã", Hours: directory.OpeningHours{Mon: d, Tue: d, Wed: d, Thu: d, Fri: d, Sat: d, Sun: d}, Seats: 4, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return ce, f.shift(ce.ID, "Ca trực ngay bây giờ", start, 30*time.Minute, 2)
}

// volNowStart is the start of a 30-minute shift that lies within one local day,
// starts at least 10 seconds after now+wait and is open for check-in
// (roster.CheckinEarly) from then on: a few minutes from now; from 23:27 local,
// when that would cross midnight, 23:30 (until 23:29:50) or the next midnight
// (whose check-in opens at 23:30: wait until then).
func volNowStart(now time.Time) (start time.Time, wait time.Duration) {
	start = now.Add(3 * time.Minute).Truncate(time.Minute)
	l := now.In(zone)
	midnight := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, zone)
	switch late := midnight.Add(-30 * time.Minute); {
	case !start.Add(30 * time.Minute).After(midnight):
		return start, 0
	case now.Before(late.Add(-10 * time.Second)):
		return late, 0
	case now.Before(late):
		return midnight, late.Sub(now)
	default:
		return midnight, 0
	}
}

// volLaterStart is the start of a 30-minute shift after the one starting at
// start (30 minutes long) that is not open for check-in yet, lies within one
// local day and starts within the next 24 hours: 90 minutes after start, or
// the next midnight when that would cross it.
func volLaterStart(start time.Time) time.Time {
	later := start.Add(90 * time.Minute)
	if l := later.In(zone); l.Day() != later.Add(30*time.Minute-time.Second).In(zone).Day() {
		return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, zone)
	}
	return later
}

// TestVolunteerNowShiftsAtAnyTime: volNowStart and volLaterStart keep their
// promises every ten seconds of a local day, so the check-in tests run (and hold)
// at whatever time they are run.
func TestVolunteerNowShiftsAtAnyTime(t *testing.T) {
	day := time.Date(2026, 12, 31, 0, 0, 0, 0, zone)
	for m := range 24 * 60 * 6 {
		now := day.Add(time.Duration(m) * 10 * time.Second)
		start, wait := volNowStart(now)
		at := now.Add(wait)
		end := start.Add(30 * time.Minute)
		if wait > 10*time.Second || start.Sub(at) < 10*time.Second || at.Before(start.Add(-roster.CheckinEarly)) ||
			start.In(zone).Day() != end.Add(-time.Second).In(zone).Day() {
			t.Fatalf("at %s: a shift %s–%s after waiting %s", now.In(zone).Format(time.DateTime), start.In(zone).Format(time.DateTime), end.In(zone).Format("15:04"), wait)
		}
		later := volLaterStart(start)
		if !later.After(end) || !later.Add(-roster.CheckinEarly).After(at.Add(10*time.Minute)) || !later.Before(at.Add(24*time.Hour)) ||
			later.In(zone).Day() != later.Add(30*time.Minute-time.Second).In(zone).Day() {
			t.Fatalf("at %s: a later shift at %s after %s", now.In(zone).Format(time.DateTime), later.In(zone).Format(time.DateTime), start.In(zone).Format(time.DateTime))
		}
	}
}

func TestVolunteerChecksInWithTheScreenCode(t *testing.T) {
	f := newVolFixture(t)
	ce, s := f.volNowShift(t)
	// A later shift of the next 24 hours, not open for check-in yet.
	later := f.shift(ce.ID, "Ca sau", volLaterStart(s.StartsAt), 30*time.Minute, 2)
	f.book(f.vol, s.ID, false)
	f.book(f.vol, later.ID, false)
	code, _, err := f.e.svc.Roster.CheckinCode(t.Context(), f.e.admin, ce.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Without a code: the form to type it, and the camera scanner box.
	f.c.get("/checkin").must(t, http.StatusOK, `id="scanner"`, `id="scan-start" hidden`, `name="code"`, `name="centre"`)

	landing := "/checkin?" + url.Values{"centre": {ce.ID}, "code": {code}}.Encode()
	f.c.get(landing).must(t, http.StatusOK, "Điểm danh: Điểm hỗ trợ 24 giờ", "Ca trực ngay bây giờ", `name="shift_id" value="`+s.ID+`"`,
		"Điểm danh vào", "Còn sớm: được điểm danh vào từ")
	// A wrong (or expired) code is refused next to the code field, the centre kept.
	f.c.post("/checkin", url.Values{"centre": {ce.ID}, "code": {"AAAAAAAAAAAAAAAAAAAAAAAA"}, "shift_id": {s.ID}, "action": {"checkin"}}).
		must(t, http.StatusConflict, `id="e-code"`, "Mã điểm danh không hợp lệ hoặc đã hết hạn", `value="AAAAAAAAAAAAAAAAAAAAAAAA"`)
	// Too early for the later shift.
	f.c.get(landing)
	f.c.post("/checkin", url.Values{"centre": {ce.ID}, "code": {code}, "shift_id": {later.ID}, "action": {"checkin"}}).
		must(t, http.StatusConflict, "Ngoài giờ điểm danh")
	// Check in, then out.
	f.c.get(landing)
	f.c.post("/checkin", url.Values{"centre": {ce.ID}, "code": {code}, "shift_id": {s.ID}, "action": {"checkin"}}).must(t, http.StatusOK, "Đã điểm danh vào. Chúc bạn một ca trực tốt!", "Đã điểm danh vào lúc")
	f.c.get(landing).must(t, http.StatusOK, "Điểm danh ra")
	f.c.post("/checkin", url.Values{"centre": {ce.ID}, "code": {code}, "shift_id": {s.ID}, "action": {"checkin"}}).
		must(t, http.StatusConflict, "Đã điểm danh vào ca này.")
	f.c.post("/checkin", url.Values{"centre": {ce.ID}, "code": {code}, "shift_id": {s.ID}, "action": {"checkout"}}).
		must(t, http.StatusOK, "Đã điểm danh ra. Cảm ơn bạn!", "Đã điểm danh ra lúc")

	// A volunteer who did not book it: told so.
	other := f.e.client()
	f.volunteer("sv.cuong@example.vn", "Lê Văn Cường")
	other.signIn("sv.cuong@example.vn", testPassword)
	other.get(landing).must(t, http.StatusOK, "Hôm nay bạn không có ca trực đã đăng ký ở nhà sinh hoạt cộng đồng này.")
	other.post("/checkin", url.Values{"centre": {ce.ID}, "code": {code}, "shift_id": {s.ID}, "action": {"checkin"}}).
		must(t, http.StatusNotFound, "Bạn chưa đăng ký ca trực này nên không thể điểm danh.")
	// A phone that is not signed in signs in first and comes back to the link.
	phone := f.e.client()
	if p := phone.get(landing); !strings.HasPrefix(p.URL, "/login?next=") {
		t.Fatalf("signed out, the link went to %s", p.URL)
	}
	phone.post("/login", url.Values{"email": {volEmail}, "password": {testPassword}, "next": {landing}}).
		must(t, http.StatusOK, "Ca trực ngay bây giờ", "Đã điểm danh ra lúc")
	// An unknown centre.
	other.get("/checkin?centre=nope&code=X").must(t, http.StatusNotFound, "Không có nhà sinh hoạt cộng đồng đang hoạt động như vậy")
}

func TestVolunteerHoursAndCertificates(t *testing.T) {
	f := newVolFixture(t)
	today := time.Now().In(zone).Format(time.DateOnly)
	if _, err := f.e.svc.Roster.AddWorkEntry(t.Context(), f.e.admin, f.vol.UserID,
		roster.NewWorkEntry{CentreID: f.centre.ID, Date: today, Minutes: 90, Reason: "Hướng dẫn cài VNeID tại tổ dân phố"}); err != nil {
		t.Fatal(err)
	}
	f.c.get("/me/hours").must(t, http.StatusOK, "1,5 giờ", "Hướng dẫn cài VNeID tại tổ dân phố", "Nhà văn hoá tổ 5", "Chưa có giấy chứng nhận nào.")
	// A period ending before it starts: refused next to its field, the dates kept.
	f.c.post("/me/hours/certificates", url.Values{"from": {today}, "to": {"2020-01-01"}}).
		must(t, http.StatusBadRequest, `id="e-to"`, `value="2020-01-01"`, `value="`+today+`"`)
	// A period without hours.
	f.c.post("/me/hours/certificates", url.Values{"from": {"2021-01-01"}, "to": {"2021-12-31"}}).
		must(t, http.StatusConflict, "Không có giờ tình nguyện nào trong khoảng thời gian này.", `value="2021-01-01"`)
	p := f.c.post("/me/hours/certificates", url.Values{"from": {today}, "to": {today}})
	p.must(t, http.StatusOK, "Đã cấp giấy chứng nhận.", "Còn hiệu lực", "1,5 giờ", `href="/verify/`)
	certs, _, err := f.e.svc.Certificates.Mine(t.Context(), f.vol, volPage1())
	if err != nil || len(certs) != 1 {
		t.Fatalf("certificates: %v %d", err, len(certs))
	}
	pdf := f.c.get("/me/certificates/" + certs[0].Code + "/pdf")
	if pdf.Status != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatalf("pdf: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
	}
	// Issuing the same period again finds the same certificate.
	f.c.get("/me/hours")
	f.c.post("/me/hours/certificates", url.Values{"from": {today}, "to": {today}}).must(t, http.StatusOK, "Bạn đã có giấy chứng nhận cho khoảng thời gian này")
	// Another volunteer finds no such certificate.
	other := f.e.client()
	f.volunteer("sv.dung@example.vn", "Phạm Dũng")
	other.signIn("sv.dung@example.vn", testPassword)
	other.get("/me/certificates/"+certs[0].Code+"/pdf").must(t, http.StatusNotFound)
}

func TestVolunteerCalendarFeed(t *testing.T) {
	f := newVolFixture(t)
	s := f.shift(f.centre.ID, "Hỗ trợ VNeID buổi sáng", volTomorrow(8, 0), 3*time.Hour, 2)
	f.book(f.vol, s.ID, false)
	f.c.get("/me/calendar").must(t, http.StatusOK, "Google Lịch")
	p := f.c.post("/me/calendar", nil).must(t, http.StatusOK, "chỉ hiện một lần", f.e.URL+"/api/v1/calendar/", "webcal://")
	i := strings.Index(p.Body, f.e.URL+"/api/v1/calendar/")
	feed := p.Body[i : i+strings.Index(p.Body[i:], `"`)]
	// The API serves the feed; the web app only hands out its URL.
	if !strings.HasSuffix(feed, ".ics") {
		t.Fatalf("feed URL %q", feed)
	}
	if _, err := f.e.svc.Roster.Feed(t.Context(), strings.TrimSuffix(feed[strings.LastIndex(feed, "/")+1:], ".ics")); err != nil {
		t.Fatalf("the feed shown does not work: %v", err)
	}
	f.c.post("/me/calendar/delete", nil).must(t, http.StatusOK, "Đã xoá đường dẫn lịch.")
	if _, err := f.e.svc.Roster.Feed(t.Context(), strings.TrimSuffix(feed[strings.LastIndex(feed, "/")+1:], ".ics")); err == nil {
		t.Fatal("the deleted feed still works")
	}
}

func TestVolunteerNotifications(t *testing.T) {
	f := newVolFixture(t)
	s := f.shift(f.centre.ID, "Hỗ trợ VNeID buổi sáng", volTomorrow(8, 0), 3*time.Hour, 2)
	s2 := f.shift(f.centre.ID, "Ca chiều", volTomorrow(14, 0), 2*time.Hour, 2)
	f.book(f.vol, s.ID, false)
	f.book(f.vol, s2.ID, false)
	p := f.c.get("/me/notifications").must(t, http.StatusOK, "Hỗ trợ VNeID buổi sáng", "Mới", "Đánh dấu tất cả là đã đọc")
	// Newest first.
	if strings.Index(p.Body, "Ca chiều") > strings.Index(p.Body, "Hỗ trợ VNeID buổi sáng") {
		t.Fatal("notifications are not newest first")
	}
	ns, _, err := f.e.svc.Notify.List(t.Context(), f.vol, true, volPage1())
	if err != nil || len(ns) != 2 {
		t.Fatalf("notifications: %v %d", err, len(ns))
	}
	f.c.post("/me/notifications/"+ns[0].ID+"/read", nil).must(t, http.StatusOK, "Đã đánh dấu đã đọc.")
	if ns, _, _ := f.e.svc.Notify.List(t.Context(), f.vol, true, volPage1()); len(ns) != 1 {
		t.Fatalf("%d unread after reading one", len(ns))
	}
	// Another user's notification is not found.
	f.c.post("/me/notifications/no-such-id/read", nil).must(t, http.StatusNotFound)
	f.c.get("/me/notifications")
	p = f.c.post("/me/notifications/read-all", nil).must(t, http.StatusOK, "Đã đánh dấu tất cả thông báo là đã đọc.")
	volNotThere(t, p, "Đánh dấu tất cả là đã đọc")
	if ns, _, _ := f.e.svc.Notify.List(t.Context(), f.vol, true, volPage1()); len(ns) != 0 {
		t.Fatalf("%d unread after reading all", len(ns))
	}
}

// volPage1 is a first page of up to 100 items.
func volPage1() paging.Request { return paging.Request{Limit: paging.MaxLimit} }

// pastShift stores a shift that ended yesterday, booked by volunteerID, straight
// in the store (the service creates only shifts to come).
func (f *volFixture) pastShift(title, volunteerID string, daysAgo int) *roster.Shift {
	f.e.t.Helper()
	ctx := context.Background()
	start := volTomorrow(8, 0).AddDate(0, 0, -1-daysAgo).UTC()
	now := time.Now().UTC().Truncate(time.Millisecond)
	s := &roster.Shift{ID: "past-" + title, CentreID: f.centre.ID, WardID: f.ward.ID, Title: title, Role: roster.RoleGuide,
		StartsAt: start, EndsAt: start.Add(2 * time.Hour), Places: 2, SignupOpensAt: start.Add(-48 * time.Hour),
		CancelDeadline: start.Add(-3 * time.Hour), Status: roster.StatusScheduled, CreatedBy: f.e.admin.UserID, CreatedAt: now, UpdatedAt: now}
	if err := f.e.svc.Store.CreateShift(ctx, s); err != nil {
		f.e.t.Fatal(err)
	}
	if err := roster.PutBooking(ctx, f.e.svc.Store, &roster.Booking{ShiftID: s.ID, Place: 1, VolunteerID: volunteerID, StartsAt: s.StartsAt,
		EndsAt: s.EndsAt, BookedBy: volunteerID, BookedAt: s.SignupOpensAt}, roster.EventBooked); err != nil {
		f.e.t.Fatal(err)
	}
	return s
}

func TestVolunteerSuspensionIsShown(t *testing.T) {
	// The test environment runs without a rule; this test's services get the default one.
	f := newVolFixtureOn(buildTestEnv(t, storetest.SQLite(), func(o *app.Options) { o.NoShowRule = roster.DefaultNoShowRule }, nil))
	s := f.shift(f.centre.ID, "Hỗ trợ VNeID buổi sáng", volTomorrow(8, 0), 3*time.Hour, 2)
	for i, title := range []string{"Ca một", "Ca hai", "Ca ba"} {
		past := f.pastShift(title, f.vol.UserID, i+1)
		if _, err := f.e.svc.Roster.DecideNoShow(t.Context(), f.e.admin, past.ID, f.vol.UserID, roster.NoShowConfirm, "Không đến, không báo"); err != nil {
			t.Fatal(err)
		}
	}
	f.c.get("/shifts?"+volWeek()).must(t, http.StatusOK, "Bạn tạm thời không thể tự đăng ký ca trực đến", "3 lần vắng mặt")
	f.c.post("/shifts/"+s.ID+"/book", nil).must(t, http.StatusConflict, "Bạn tạm thời không thể tự đăng ký ca trực")
	// Recent shifts are listed on my shifts.
	f.c.get("/me/bookings").must(t, http.StatusOK, "Ca trực gần đây", "Ca một")
}

var volMessageID = regexp.MustCompile(`volunteer\.[a-z_]+\.[a-z_]+`)

// TestVolunteerPagesAreTranslated: no message id shows through, in either language.
func TestVolunteerPagesAreTranslated(t *testing.T) {
	f := newVolFixture(t)
	s := f.shift(f.centre.ID, "Hỗ trợ VNeID buổi sáng", volTomorrow(8, 0), 3*time.Hour, 2)
	f.book(f.vol, s.ID, false)
	for _, lang := range []string{"vi", "en"} {
		f.c.get("/lang/" + lang)
		for _, p := range []string{"/shifts?" + volWeek(), "/shifts/" + s.ID, "/me/bookings", "/checkin?centre=" + f.centre.ID, "/me/hours", "/me/calendar", "/me/notifications"} {
			got := f.c.get(p).must(t, http.StatusOK)
			if id := volMessageID.FindString(got.Body); id != "" {
				t.Errorf("%s in %s: the message id %s shows", p, lang, id)
			}
		}
	}
}

func TestVolunteerQualificationIsShown(t *testing.T) {
	f := newVolFixture(t)
	ls, err := f.e.svc.Courses.Catalogue(t.Context(), course.CatalogueQuery{}, volPage1())
	vs := ls.Cards
	if err != nil || len(vs) == 0 {
		t.Fatalf("built-in catalogue: %v %d", err, len(vs))
	}
	c := vs[0]
	s := f.shiftPlan(roster.Plan{CentreID: f.centre.ID, Title: "Ca hướng dẫn nâng cao", Role: roster.RoleTrainer, StartsAt: volTomorrow(8, 0),
		EndsAt: volTomorrow(10, 0), Places: 2, QualificationCourseID: c.CourseID})
	f.c.get("/shifts?"+volWeek()).must(t, http.StatusOK, "Yêu cầu khoá học", c.Title.Vi, "Bạn chưa hoàn thành", "Giảng dạy")
	f.c.post("/shifts/"+s.ID+"/book", nil).must(t, http.StatusConflict, "Ca trực này yêu cầu hoàn thành một khoá học trước.", c.Title.Vi)
}
