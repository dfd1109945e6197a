package web

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"ecitizen/internal/roster"
	"ecitizen/internal/store/storetest"
)

// TestPagesOnMongoDB: the pages only call the services, which run on either
// store; this walks one volunteer's path on the MongoDB adapter (FerretDB in the
// test process) to show the web app works when MongoDB is configured: register
// with an invite code, book a shift, see it, cancel it, read the catalogue.
func TestPagesOnMongoDB(t *testing.T) {
	e := newTestEnvOn(t, storetest.Mongo(), nil)
	org := e.organisation("Đại học Bách khoa Hà Nội")
	w := e.ward("BD", "Phường Bạch Đằng")
	ce := e.centre(w.ID, "Nhà văn hoá tổ 5")
	day := time.Now().In(zone).AddDate(0, 0, 2)
	at := func(h int) time.Time { return time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, zone) }
	sh, err := e.svc.Roster.CreateShift(t.Context(), e.admin, roster.Plan{CentreID: ce.ID, Title: "Hướng dẫn VNeID",
		Role: roster.RoleGuide, StartsAt: at(9), EndsAt: at(11), Places: 2})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := e.svc.Identity.CreateInvite(t.Context(), e.admin, org.ID, "K66", time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.get("/register")
	c.post("/register", url.Values{"invite_code": {inv.Code}, "display_name": {"Nguyễn Văn An"}, "email": {"an@example.vn"},
		"password": {testPassword}}).must(t, http.StatusOK, "Đã nhận đăng ký")
	c.signIn("an@example.vn", testPassword)
	c.get("/shifts?week="+day.Format(time.DateOnly)).must(t, http.StatusOK, "Hướng dẫn VNeID")
	vol := e.callerOf("an@example.vn", testPassword)
	held := func() int {
		bs, err := e.svc.Roster.MyBookings(t.Context(), vol, time.Now(), time.Now().AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		return len(bs)
	}
	c.post("/shifts/"+sh.ID+"/book", nil).must(t, http.StatusOK)
	if n := held(); n != 1 {
		t.Fatalf("%d bookings stored after booking", n)
	}
	c.get("/me/bookings").must(t, http.StatusOK, "Hướng dẫn VNeID")
	c.post("/me/bookings/"+sh.ID+"/cancel", nil).must(t, http.StatusOK)
	if n := held(); n != 0 {
		t.Fatalf("%d bookings stored after cancelling", n)
	}
	if p := c.get("/courses?q=dich+vu+cong"); p.Status != http.StatusOK || !regexp.MustCompile(`(?i)dịch vụ công`).MatchString(p.Body) {
		t.Fatalf("catalogue search on MongoDB: %d", p.Status)
	}
}
