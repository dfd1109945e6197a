package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ecitizen/internal/roster"
)

// TestBrowserVolunteerBooksAndCancels is the scenario: a student
// registers with an invite code, signs in, books a shift, sees it among their shifts and
// cancels it; then checks in with the centre screen's link and looks at their hours.
func TestBrowserVolunteerBooksAndCancels(t *testing.T) {
	f := newVolFixture(t)
	s := f.shift(f.centre.ID, "Hỗ trợ VNeID buổi sáng", volTomorrow(8, 0), 3*time.Hour, 2)
	f.shift(f.centre.ID, "Ca chiều đã đủ", volTomorrow(14, 0), 2*time.Hour, 1)
	b := newBrowser(t, f.e)
	tab := b.tab()

	tab.open("/register?code=" + url.QueryEscape(f.invite))
	tab.fill("main form", map[string]string{"display_name": "Đỗ Thị Hoa", "email": "hoa@example.vn", "password": testPassword})
	tab.click(`main form button[type=submit]`)
	if strings.Contains(tab.location(), "/register") {
		t.Fatalf("registration failed:\n%s", tab.text())
	}
	tab.see("Đã nhận đăng ký")
	tab.signIn("hoa@example.vn", testPassword)

	tab.open("/shifts?" + volWeek())
	tab.see("Hỗ trợ VNeID buổi sáng", "Nhà văn hoá tổ 5", "Còn 2/2 chỗ")
	tab.shoot("volunteer-shifts")
	tab.click(`form[action="/shifts/` + s.ID + `/book"] button`)
	tab.see("Đã đăng ký ca trực.", "Bạn đã đăng ký ca này")

	tab.open("/me/bookings")
	tab.see("Hỗ trợ VNeID buổi sáng", "Huỷ đăng ký")
	tab.shoot("volunteer-bookings")
	// Accept the "are you sure" of the Cancel button.
	if _, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](`window.confirm = function () { return true; }; true`)); err != nil {
		t.Fatal(err)
	}
	tab.click(`form[action="/me/bookings/` + s.ID + `/cancel"] button`)
	tab.see("Đã huỷ đăng ký.", "Bạn chưa đăng ký ca trực nào.")
	if strings.Contains(tab.text(), "Hỗ trợ VNeID buổi sáng") {
		t.Fatal("the cancelled shift is still among my shifts")
	}

	// Check-in through the link of the centre's QR code, on a shift open for
	// check-in now (near local midnight, one at 23:30 or the next midnight).
	hoa := f.e.callerOf("hoa@example.vn", testPassword)
	ce, now := f.volNowShift(t)
	f.book(hoa, now.ID, false)
	code, _, err := f.e.svc.Roster.CheckinCode(t.Context(), f.e.admin, ce.ID)
	if err != nil {
		t.Fatal(err)
	}
	tab.open("/checkin?" + url.Values{"centre": {ce.ID}, "code": {code}}.Encode())
	tab.see("Ca trực ngay bây giờ", "Điểm danh vào")
	tab.shoot("volunteer-checkin")
	tab.click(`main form[action="/checkin"] button[type=submit]`)
	tab.see("Đã điểm danh vào", "Đã điểm danh vào lúc")

	today := time.Now().In(zone).Format(time.DateOnly)
	if _, err := f.e.svc.Roster.AddWorkEntry(t.Context(), f.e.admin, hoa.UserID,
		roster.NewWorkEntry{CentreID: f.centre.ID, Date: today, Minutes: 150, Reason: "Hướng dẫn thanh toán trực tuyến"}); err != nil {
		t.Fatal(err)
	}
	tab.open("/me/hours")
	tab.see("2,5 giờ", "Hướng dẫn thanh toán trực tuyến")
	tab.fill(`form[action="/me/hours/certificates"]`, map[string]string{"from": today, "to": today})
	tab.click(`form[action="/me/hours/certificates"] button`)
	tab.see("Đã cấp giấy chứng nhận.", "Tải PDF")
	tab.shoot("volunteer-hours")
}
