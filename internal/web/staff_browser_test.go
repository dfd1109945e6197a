package web

import (
	"strings"
	"testing"
	"time"
)

// TestBrowserStaffShiftAndNoShow: a ward staff member creates a shift through
// the form of the centre's page, and marks a no-show on the roster of a shift
// that ended with a booked volunteer who never checked in; screenshots of the
// centre's page and the roster.
func TestBrowserStaffShiftAndNoShow(t *testing.T) {
	w := newStaffWorld(t)
	ended := w.endedShift(t, "Ca hôm qua")
	b := newBrowser(t, w.e)
	tab := b.tab()
	tab.signIn(staffEmail, testPassword)

	tab.open("/staff/centres/" + w.centre.ID)
	tab.fill("form[action$='/shifts']", map[string]string{
		"title": "Hướng dẫn nộp hồ sơ trực tuyến", "date": staffLocal(2, 0, 0).Format(time.DateOnly),
		"starts_at": "08:00", "ends_at": "10:30", "places": "3", "notes": "Mang theo máy tính",
	})
	tab.click("form[action$='/shifts'] button[type=submit]")
	tab.see("Đã tạo ca trực.", "Hướng dẫn nộp hồ sơ trực tuyến", "08:00–10:30")
	tab.shoot("staff-centre")

	tab.open("/staff/shifts/" + ended.ID)
	tab.see("Ca hôm qua", "Vắng mặt, chờ xác nhận")
	tab.shoot("staff-shift")
	form := "form[action$='/no-show/" + w.vol.UserID + "']"
	tab.fill(form, map[string]string{"reason": "Không báo trước, không liên lạc được"})
	tab.click(form + " button[value=confirm]")
	tab.see("Đã ghi nhận quyết định về vắng mặt.", "Vắng mặt (đã xác nhận)")
}

// TestBrowserStaffPages: screenshots of the centres list, the check-in screen
// and the dashboard at 360 and 1280 px.
func TestBrowserStaffPages(t *testing.T) {
	w := newStaffWorld(t)
	w.futureShift(t, "Ca còn thiếu người", 2, 2)
	b := newBrowser(t, w.e)
	tab := b.tab()
	tab.signIn(staffEmail, testPassword)

	tab.open("/staff/centres")
	tab.see("Nhà văn hoá tổ 5")
	tab.shoot("staff-centres")

	tab.open("/staff/centres/" + w.centre.ID + "/screen")
	tab.see("Điểm danh tại Nhà văn hoá tổ 5")
	if !strings.Contains(tab.location(), "/screen") {
		t.Fatalf("screen at %s", tab.location())
	}
	tab.shoot("staff-screen")

	tab.open("/staff/dashboard")
	tab.see("Tổng quan phường", "Công dân số mới mỗi tuần")
	tab.shoot("staff-dashboard")
}
