package httpapi

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/page"
	"ecitizen/internal/store/storetest"
)

// The principals of the authorisation matrix (SECURITY.md).
const (
	anon = iota
	admin
	staffA // ward staff of ward A
	staffB // ward staff of ward B
	partnerX
	partnerY
	volunteerX
	volunteerY
	nPrincipals
)

var principalNames = [nPrincipals]string{"anonymous", "admin", "staff_A", "staff_B", "partner_X", "partner_Y", "volunteer_X", "volunteer_Y"}

// matrixFixture holds the objects the matrix routes act on: ward A with a centre,
// organisation X with a volunteer and invites.
type matrixFixture struct {
	env                          *testEnv
	tokens                       [nPrincipals]string
	passwords                    [nPrincipals]string
	emails                       [nPrincipals]string
	wardA, wardB, centreA        string
	orgX, orgY, volX             string
	inviteCodeX, inviteToRevokeX string
	courseX, draftX              string           // a published course and a draft course of X
	sessionX, cancelX            string           // sessions of X at centre A
	seats                        [nPrincipals]int // per principal, a seat of sessionX that admin enrolled
	volY                         string
	shiftA, fullShift            string // shifts at an all-day centre of ward A
	cancelShift, assignShift     string
	removeShift                  string
	noteX                        string // a notification of volunteer X (their booking of shiftA)
	feedToken                    string // the all-day centre's calendar feed
	deviceA, usageA              string // a device at centre A and a session of its use (equipmentFixture)
	certX, certToRevokeX         string // hours certificates of volunteer X (work at centre A)
	seriesA, cancelSeries        string // shift series at the all-day centre
	removeSeries                 string
	residentA, eraseResidentA    string // residents of ward A (residentFixture)
	progressA                    string // a progress record of residentA (progressFixture)
	personalToken                string // a personal link of a resident of ward A (personalLinkFixture)
	mergeW                       string // a ward without staff that admin merges into ward B
	seq                          atomic.Int64
}

func (f *matrixFixture) unique(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, f.seq.Add(1))
}

func newMatrixFixture(t *testing.T) *matrixFixture {
	env := newTestEnv(t, storetest.SQLite())
	f := &matrixFixture{env: env}
	a, _ := env.login(testAdminEmail, testAdminPassword)
	f.tokens[admin] = a
	f.emails[admin], f.passwords[admin] = testAdminEmail, testAdminPassword
	f.wardA = env.createWard(a, "A01", "Phường Bạch Đằng")
	f.wardB = env.createWard(a, "B01", "Phường Bách Khoa")
	f.mergeW = env.createWard(a, "M01", "Phường Cửa Nam")
	f.centreA = env.createCentre(a, f.wardA, "Nhà sinh hoạt cộng đồng tổ 5")
	f.orgX = env.createOrganisation(a, "Đại học Bách khoa Hà Nội")
	f.orgY = env.createOrganisation(a, "Đại học Kinh tế Quốc dân")
	f.inviteCodeX = env.createInvite(a, f.orgX)
	revoke := env.createInvite(a, f.orgX)
	inv, err := env.store.InviteByCode(t.Context(), revoke)
	if err != nil {
		t.Fatal(err)
	}
	f.inviteToRevokeX = inv.ID
	users := map[int]map[string]any{
		staffA:     {"role": "ward_staff", "ward_ids": []string{f.wardA}},
		staffB:     {"role": "ward_staff", "ward_ids": []string{f.wardB}},
		partnerX:   {"role": "partner", "organisation_id": f.orgX},
		partnerY:   {"role": "partner", "organisation_id": f.orgY},
		volunteerX: {"role": "volunteer", "organisation_id": f.orgX},
		volunteerY: {"role": "volunteer", "organisation_id": f.orgY},
	}
	for p, u := range users {
		u["email"] = principalNames[p] + "@example.vn"
		u["display_name"] = "Người dùng " + principalNames[p]
		u["password"] = fmt.Sprintf("mat-khau-so-%d-2026", p)
		id := env.createUser(a, u)
		switch p {
		case volunteerX:
			f.volX = id
		case volunteerY:
			f.volY = id
		}
		f.emails[p], f.passwords[p] = u["email"].(string), u["password"].(string)
		f.tokens[p], _ = env.login(f.emails[p], f.passwords[p])
	}
	people := coursePeople{admin: a, partner: f.tokens[partnerX]}
	f.courseX = env.publishCourse(people, "Khoá học đã xuất bản")
	f.draftX = env.created(f.tokens[partnerX], "/api/v1/manage/courses", courseBody("Khoá học nháp"))
	for p := admin; p < nPrincipals; p++ {
		mustStatus(t, env.do("POST", "/api/v1/courses/"+f.courseX+"/start", f.tokens[p], nil), http.StatusCreated)
	}
	f.sessionX = env.created(f.tokens[partnerX], "/api/v1/sessions", sessionBody(f.courseX, f.centreA, 50))
	f.cancelX = env.created(f.tokens[partnerX], "/api/v1/sessions", sessionBody(f.courseX, f.centreA, 5))
	for p := range nPrincipals {
		rec := env.do("POST", "/api/v1/sessions/"+f.sessionX+"/enrolments", a, map[string]string{"name": "Người dân " + principalNames[p]})
		mustStatus(t, rec, http.StatusCreated)
		f.seats[p] = int(decode(t, rec)["number"].(float64))
	}
	f.rosterFixture(t)
	f.noteX = f.notificationOf(t, f.volX)
	f.equipmentFixture(t)
	f.certificateFixture(t)
	f.residentFixture(t)
	f.progressFixture(t)
	f.personalLinkFixture(t)
	return f
}

// rosterFixture makes shifts at an all-day centre of ward A: shiftA booked by both
// volunteers, fullShift (one place, taken) with both volunteers waiting, and
// shifts to cancel, assign to and remove from.
func (f *matrixFixture) rosterFixture(t *testing.T) {
	env, a, staff := f.env, f.tokens[admin], f.tokens[staffA]
	body := centreBody("Điểm hỗ trợ mở cả ngày")
	body["opening_hours"] = allDay()
	centre := env.created(a, "/api/v1/wards/"+f.wardA+"/centres", body)
	shift := func(title string, days, places int) string {
		return env.created(staff, "/api/v1/centres/"+centre+"/shifts", shiftBody(title, localTime(days, 8, 0), 2, places))
	}
	f.shiftA, f.fullShift = shift("Ca hướng dẫn", 2, 20), shift("Ca đã đủ", 3, 1)
	f.cancelShift, f.assignShift, f.removeShift = shift("Ca sẽ huỷ", 4, 5), shift("Ca phân công", 5, 5), shift("Ca rút tên", 6, 5)
	rec := env.do("POST", "/api/v1/centres/"+centre+"/calendar", staff, nil)
	mustStatus(t, rec, http.StatusCreated)
	f.feedToken = decode(t, rec)["token"].(string)
	env.createUser(a, map[string]any{"email": "filler@example.vn", "display_name": "Người giữ chỗ", "password": "mat-khau-2026", "role": "volunteer", "organisation_id": f.orgX})
	filler, _ := env.login("filler@example.vn", "mat-khau-2026")
	mustStatus(t, env.do("POST", "/api/v1/shifts/"+f.fullShift+"/bookings", filler, map[string]bool{}), http.StatusCreated)
	series := func() string {
		rec := env.do("POST", "/api/v1/centres/"+centre+"/shift-series", staff, seriesBody("FREQ=WEEKLY;BYDAY=TU,TH", "08:00", "10:00", 1))
		mustStatus(t, rec, http.StatusCreated)
		return decode(t, rec)["series"].(map[string]any)["id"].(string)
	}
	f.seriesA, f.cancelSeries, f.removeSeries = series(), series(), series()
	for _, v := range []int{volunteerX, volunteerY} {
		mustStatus(t, env.do("POST", "/api/v1/shifts/"+f.shiftA+"/bookings", f.tokens[v], map[string]bool{}), http.StatusCreated)
		mustStatus(t, env.do("POST", "/api/v1/shifts/"+f.fullShift+"/bookings", f.tokens[v], map[string]bool{"waitlist": true}), http.StatusAccepted)
		mustStatus(t, env.do("POST", "/api/v1/shifts/"+f.removeShift+"/bookings", f.tokens[v], map[string]bool{}), http.StatusCreated)
	}
}

// volFor is the volunteer a principal acts on in the assignment rows: the admin
// on volunteer X, everyone else on volunteer Y.
func (f *matrixFixture) volFor(p int) string {
	if p == admin {
		return f.volX
	}
	return f.volY
}

// matrixRow is one route: how to call it, and the status each principal gets.
type matrixRow struct {
	path string
	body func(f *matrixFixture, p int) any
	want [nPrincipals]int
	// fresh signs the principal in again for this row (for rows that end a session).
	fresh bool
}

// all returns the same status for every principal.
func all(s int) [nPrincipals]int {
	var w [nPrincipals]int
	for i := range w {
		w[i] = s
	}
	return w
}

// signedIn returns 401 for anonymous and s for everyone else.
func signedIn(s int) [nPrincipals]int {
	w := all(s)
	w[anon] = http.StatusUnauthorized
	return w
}

// only returns 401 for anonymous, 403 for everyone, then the given overrides.
func only(over map[int]int) [nPrincipals]int {
	w := signedIn(http.StatusForbidden)
	for p, s := range over {
		w[p] = s
	}
	return w
}

// matrix is the authorisation matrix: every route x every principal. The keys are
// "METHOD /gin/path"; a route of the router without a row fails the test.
var matrix = map[string]matrixRow{
	"GET /healthz":          {path: "/healthz", want: all(200)},
	"GET /readyz":           {path: "/readyz", want: all(200)},
	"GET /api/openapi.yaml": {path: "/api/openapi.yaml", want: all(200)},
	"POST /api/v1/auth/login": {path: "/api/v1/auth/login", want: all(401),
		body: func(*matrixFixture, int) any {
			return map[string]string{"email": "nobody@example.vn", "password": "wrong-password"}
		}},
	"POST /api/v1/auth/refresh": {path: "/api/v1/auth/refresh", want: all(401),
		body: func(*matrixFixture, int) any { return map[string]string{"refresh_token": "not-a-token"} }},
	"POST /api/v1/auth/register": {path: "/api/v1/auth/register", want: all(202),
		body: func(f *matrixFixture, _ int) any {
			return registration(f.inviteCodeX, f.unique("sv")+"@example.vn")
		}},
	"POST /api/v1/auth/logout": {path: "/api/v1/auth/logout", want: signedIn(204), fresh: true},
	"GET /api/v1/me":           {path: "/api/v1/me", want: signedIn(200)},
	"PATCH /api/v1/me": {path: "/api/v1/me", want: signedIn(200),
		body: func(*matrixFixture, int) any { return map[string]string{"display_name": "Tên mới"} }},
	"POST /api/v1/me/password": {path: "/api/v1/me/password", want: signedIn(204),
		body: func(f *matrixFixture, p int) any {
			return map[string]string{"current_password": f.passwords[p], "new_password": f.passwords[p]}
		}},
	"GET /api/v1/users": {path: "/api/v1/users", want: only(map[int]int{admin: 200, staffA: 200, staffB: 200, partnerX: 200, partnerY: 200})},
	"POST /api/v1/users": {path: "/api/v1/users", want: only(map[int]int{admin: 201}),
		body: func(f *matrixFixture, _ int) any {
			return map[string]any{"email": f.unique("cb") + "@example.vn", "display_name": "Cán bộ mới", "password": "mat-khau-can-bo", "role": "ward_staff", "ward_ids": []string{f.wardA}}
		}},
	"GET /api/v1/users/:id": {path: "/api/v1/users/{volX}", want: only(map[int]int{admin: 200, staffA: 404, staffB: 404, partnerX: 200, partnerY: 404})},
	"PATCH /api/v1/users/:id": {path: "/api/v1/users/{volX}", want: only(map[int]int{admin: 200, partnerX: 200, partnerY: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"status": "active"} }},
	"GET /api/v1/wards":     {path: "/api/v1/wards", want: all(200)},
	"GET /api/v1/wards/:id": {path: "/api/v1/wards/{wardA}", want: all(200)},
	"POST /api/v1/wards": {path: "/api/v1/wards", want: only(map[int]int{admin: 201}),
		body: func(f *matrixFixture, _ int) any {
			return map[string]string{"code": f.unique("W"), "name_vi": "Phường Mới", "name_en": "New Ward"}
		}},
	"PATCH /api/v1/wards/:id": {path: "/api/v1/wards/{wardA}", want: only(map[int]int{admin: 200}),
		body: func(*matrixFixture, int) any { return map[string]string{"name_en": "Bach Dang Ward"} }},
	"GET /api/v1/wards/:id/centres": {path: "/api/v1/wards/{wardA}/centres", want: all(200)},
	"POST /api/v1/wards/:id/centres": {path: "/api/v1/wards/{wardA}/centres", want: only(map[int]int{admin: 201, staffA: 201, staffB: 404}),
		body: func(f *matrixFixture, _ int) any { return centreBody(f.unique("Nhà văn hoá ")) }},
	"GET /api/v1/centres/:id": {path: "/api/v1/centres/{centreA}", want: all(200)},
	"PATCH /api/v1/centres/:id": {path: "/api/v1/centres/{centreA}", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404}),
		body: func(*matrixFixture, int) any { return map[string]int{"seats": 12} }},
	"GET /api/v1/organisations": {path: "/api/v1/organisations", want: signedIn(200)},
	"POST /api/v1/organisations": {path: "/api/v1/organisations", want: only(map[int]int{admin: 201}),
		body: func(f *matrixFixture, _ int) any {
			return map[string]string{"kind": "university", "name": f.unique("Trường ")}
		}},
	"GET /api/v1/organisations/:id": {path: "/api/v1/organisations/{orgX}", want: signedIn(200)},
	"PATCH /api/v1/organisations/:id": {path: "/api/v1/organisations/{orgX}", want: only(map[int]int{admin: 200}),
		body: func(*matrixFixture, int) any {
			return map[string]string{"contact_name": "Phòng Công tác sinh viên"}
		}},
	"GET /api/v1/organisations/:id/invites": {path: "/api/v1/organisations/{orgX}/invites", want: only(map[int]int{admin: 200, partnerX: 200, partnerY: 404})},
	"POST /api/v1/organisations/:id/invites": {path: "/api/v1/organisations/{orgX}/invites", want: only(map[int]int{admin: 201, partnerX: 201, partnerY: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"label": "Khoá 2026"} }},
	"DELETE /api/v1/organisations/:id/invites/:invite_id": {path: "/api/v1/organisations/{orgX}/invites/{inviteX}", want: only(map[int]int{admin: 200, partnerX: 200, partnerY: 404})},

	"GET /api/v1/courses":                                  {path: "/api/v1/courses?q=khoa+hoc", want: all(200)},
	"GET /api/v1/courses/:id":                              {path: "/api/v1/courses/{courseX}", want: all(200)},
	"GET /api/v1/courses/:id/lessons/:lesson_id":           {path: "/api/v1/courses/{courseX}/lessons/kiem-tra", want: all(200)},
	"POST /api/v1/courses/:id/start":                       {path: "/api/v1/courses/{courseX}/start", want: signedIn(200)},
	"POST /api/v1/courses/:id/lessons/:lesson_id/complete": {path: "/api/v1/courses/{courseX}/lessons/gioi-thieu/complete", want: signedIn(200)},
	"POST /api/v1/courses/:id/lessons/:lesson_id/attempts": {path: "/api/v1/courses/{courseX}/lessons/kiem-tra/attempts", want: signedIn(201),
		body: func(*matrixFixture, int) any { return map[string]any{"answers": map[string][]string{"q1": {"b"}}} }},
	"GET /api/v1/me/courses":     {path: "/api/v1/me/courses", want: signedIn(200)},
	"GET /api/v1/me/courses/:id": {path: "/api/v1/me/courses/{courseX}", want: signedIn(200)},
	"GET /api/v1/manage/courses": {path: "/api/v1/manage/courses", want: only(map[int]int{admin: 200, partnerX: 200, partnerY: 200})},
	"POST /api/v1/manage/courses": {path: "/api/v1/manage/courses", want: only(map[int]int{admin: 201, partnerX: 201, partnerY: 404}),
		body: func(f *matrixFixture, _ int) any {
			b := courseBody(f.unique("Khoá mới "))
			b["organisation_id"] = f.orgX
			return b
		}},
	"GET /api/v1/manage/courses/:id": {path: "/api/v1/manage/courses/{draftX}", want: only(map[int]int{admin: 200, partnerX: 200, partnerY: 404})},
	"POST /api/v1/manage/courses/:id/archive": {path: "/api/v1/manage/courses/{draftX}/archive", want: only(map[int]int{admin: 200, partnerX: 200, partnerY: 404}),
		body: func(*matrixFixture, int) any { return map[string]bool{"archived": false} }},
	// The draft has an open version: a new one is refused once access is granted.
	"POST /api/v1/manage/courses/:id/versions":        {path: "/api/v1/manage/courses/{draftX}/versions", want: only(map[int]int{admin: 409, partnerX: 409, partnerY: 404})},
	"GET /api/v1/manage/courses/:id/versions/:number": {path: "/api/v1/manage/courses/{draftX}/versions/1", want: only(map[int]int{admin: 200, partnerX: 200, partnerY: 404})},
	"PUT /api/v1/manage/courses/:id/versions/:number": {path: "/api/v1/manage/courses/{draftX}/versions/1", want: only(map[int]int{admin: 200, partnerX: 200, partnerY: 404}),
		body: func(*matrixFixture, int) any { return courseBody("Khoá học nháp đã sửa") }},
	// Publishing a draft is illegal (409) for the reviewer, forbidden for its author.
	"POST /api/v1/manage/courses/:id/versions/:number/transitions": {path: "/api/v1/manage/courses/{draftX}/versions/1/transitions", want: only(map[int]int{admin: 409, partnerX: 403, partnerY: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"action": "publish"} }},

	"GET /api/v1/sessions":     {path: "/api/v1/sessions?course_id={courseX}", want: all(200)},
	"GET /api/v1/sessions/:id": {path: "/api/v1/sessions/{sessionX}", want: all(200)},
	"POST /api/v1/sessions": {path: "/api/v1/sessions", want: only(map[int]int{admin: 201, partnerX: 201, partnerY: 404}),
		body: func(f *matrixFixture, _ int) any {
			b := sessionBody(f.courseX, f.centreA, 20)
			b["organisation_id"] = f.orgX
			return b
		}},
	"PUT /api/v1/sessions/:id": {path: "/api/v1/sessions/{sessionX}", want: only(map[int]int{admin: 200, partnerX: 200, partnerY: 404}),
		body: func(f *matrixFixture, _ int) any {
			b := sessionBody(f.courseX, f.centreA, 50)
			delete(b, "course_id")
			return b
		}},
	// The admin cancels first; the partner then finds it cancelled (but may act on it).
	"POST /api/v1/sessions/:id/cancel":    {path: "/api/v1/sessions/{cancelX}/cancel", want: only(map[int]int{admin: 200, partnerX: 409, partnerY: 404})},
	"GET /api/v1/sessions/:id/enrolments": {path: "/api/v1/sessions/{sessionX}/enrolments", want: only(map[int]int{admin: 200, staffA: 200, partnerX: 200})},
	"POST /api/v1/sessions/:id/enrolments": {path: "/api/v1/sessions/{sessionX}/enrolments", want: signedIn(201),
		body: func(*matrixFixture, int) any { return map[string]any{} }},
	// Each principal acts on a seat of its own that the admin enrolled.
	"DELETE /api/v1/sessions/:id/enrolments/:number": {path: "/api/v1/sessions/{sessionX}/enrolments/{seatP}",
		want: only(map[int]int{admin: 204, staffA: 204, staffB: 404, partnerX: 204, partnerY: 404, volunteerX: 404, volunteerY: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"reason": "Đổi lịch"} }},
	// The session has not started: those who may mark attendance are told so.
	"PATCH /api/v1/sessions/:id/enrolments/:number": {path: "/api/v1/sessions/{sessionX}/enrolments/1", want: only(map[int]int{admin: 409, staffA: 409, partnerX: 409}),
		body: func(*matrixFixture, int) any { return map[string]string{"attendance": "attended"} }},
	"GET /api/v1/me/sessions": {path: "/api/v1/me/sessions", want: signedIn(200)},

	"GET /api/v1/centres/:id/shifts": {path: "/api/v1/centres/{centreA}/shifts", want: signedIn(200)},
	"POST /api/v1/centres/:id/shifts": {path: "/api/v1/centres/{centreA}/shifts", want: only(map[int]int{admin: 201, staffA: 201, staffB: 404}),
		body: func(*matrixFixture, int) any { return shiftBody("Ca thứ Hai", nextMonday(8, 30), 2, 3) }},
	"GET /api/v1/shifts/:id": {path: "/api/v1/shifts/{shiftA}", want: signedIn(200)},
	"PUT /api/v1/shifts/:id": {path: "/api/v1/shifts/{shiftA}", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404}),
		body: func(*matrixFixture, int) any { return shiftBody("Ca hướng dẫn", localTime(2, 8, 0), 2, 20) }},
	// The admin cancels first; ward A's staff then find it cancelled (but may act on it).
	"POST /api/v1/shifts/:id/cancel": {path: "/api/v1/shifts/{cancelShift}/cancel", want: only(map[int]int{admin: 200, staffA: 409, staffB: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"reason": "Mất điện"} }},
	"GET /api/v1/shifts/:id/roster": {path: "/api/v1/shifts/{shiftA}/roster", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	// Both volunteers hold a place on shiftA: they cancel it here, then book again below.
	"DELETE /api/v1/shifts/:id/bookings/me": {path: "/api/v1/shifts/{shiftA}/bookings/me", want: signedInExcept(404, map[int]int{volunteerX: 204, volunteerY: 204})},
	"POST /api/v1/shifts/:id/bookings": {path: "/api/v1/shifts/{shiftA}/bookings", want: only(map[int]int{volunteerX: 201, volunteerY: 201}),
		body: func(*matrixFixture, int) any { return map[string]bool{} }},
	"DELETE /api/v1/shifts/:id/waiting/me": {path: "/api/v1/shifts/{fullShift}/waiting/me", want: signedInExcept(404, map[int]int{volunteerX: 204, volunteerY: 204})},
	"POST /api/v1/shifts/:id/assignments": {path: "/api/v1/shifts/{assignShift}/assignments", want: only(map[int]int{admin: 201, staffA: 201, staffB: 404}),
		body: func(f *matrixFixture, p int) any {
			return map[string]string{"volunteer_id": f.volFor(p), "reason": "Thiếu người"}
		}},
	"DELETE /api/v1/shifts/:id/assignments/:volunteer_id": {path: "/api/v1/shifts/{removeShift}/assignments/{volP}", want: only(map[int]int{admin: 204, staffA: 204, staffB: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"reason": "Đổi người"} }},
	"GET /api/v1/me/bookings": {path: "/api/v1/me/bookings", want: signedIn(200)},
	"GET /api/v1/me/waiting":  {path: "/api/v1/me/waiting", want: signedIn(200)},

	// Attendance: the code is the centre's staff's; shiftA (booked by both
	// volunteers, rebooked above) starts in two days, so its window is closed for
	// them, and nobody else holds a booking on it. Staff record attendance on
	// assignShift (volP assigned above), also days ahead.
	"GET /api/v1/centres/:id/checkin-code": {path: "/api/v1/centres/{centreA}/checkin-code", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"POST /api/v1/shifts/:id/checkin": {path: "/api/v1/shifts/{shiftA}/checkin", want: signedInExcept(404, map[int]int{volunteerX: 409, volunteerY: 409}),
		body: func(*matrixFixture, int) any { return map[string]string{"code": "AAAAAAAAAAAAAAAAAAAAAAA"} }},
	"POST /api/v1/shifts/:id/checkout": {path: "/api/v1/shifts/{shiftA}/checkout", want: signedInExcept(404, map[int]int{volunteerX: 409, volunteerY: 409}),
		body: func(*matrixFixture, int) any { return map[string]string{"code": "AAAAAAAAAAAAAAAAAAAAAAA"} }},
	"POST /api/v1/shifts/:id/attendance/:volunteer_id": {path: "/api/v1/shifts/{assignShift}/attendance/{volP}", want: only(map[int]int{admin: 409, staffA: 409, staffB: 404}),
		body: func(*matrixFixture, int) any {
			return map[string]string{"action": "checkin", "reason": "Điện thoại hết pin"}
		}},
	"POST /api/v1/volunteers/:id/work-entries": {path: "/api/v1/volunteers/{volX}/work-entries", want: only(map[int]int{admin: 201, staffA: 201, staffB: 404}),
		body: func(f *matrixFixture, _ int) any {
			return map[string]any{"minutes": 30, "date": testNow().In(hanoi).Format(time.DateOnly), "reason": "Trực thay", "centre_id": f.centreA}
		}},
	"GET /api/v1/me/hours": {path: "/api/v1/me/hours", want: signedIn(200)},
	// As for a user: the partner of another organisation finds no volunteer.
	"GET /api/v1/volunteers/:id/hours":    {path: "/api/v1/volunteers/{volX}/hours", want: only(map[int]int{admin: 200, staffA: 200, staffB: 200, partnerX: 200, partnerY: 404})},
	"GET /api/v1/centres/:id/hours":       {path: "/api/v1/centres/{centreA}/hours", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"GET /api/v1/wards/:id/hours":         {path: "/api/v1/wards/{wardA}/hours", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"GET /api/v1/organisations/:id/hours": {path: "/api/v1/organisations/{orgX}/hours", want: only(map[int]int{admin: 200, partnerX: 200, partnerY: 404})},
	// No-shows: shiftA has not ended, so its bookings are no no-shows yet for
	// those who may decide; another ward's staff find no shift.
	"POST /api/v1/shifts/:id/no-shows/:volunteer_id": {path: "/api/v1/shifts/{shiftA}/no-shows/{volP}", want: only(map[int]int{admin: 409, staffA: 409, staffB: 404}),
		body: func(*matrixFixture, int) any {
			return map[string]string{"decision": "confirm", "reason": "Không đến"}
		}},
	"GET /api/v1/me/standing": {path: "/api/v1/me/standing", want: signedIn(200)},

	"GET /api/v1/me/notifications": {path: "/api/v1/me/notifications?unread=true", want: signedIn(200)},
	// Volunteer X's notification: theirs to mark read, not found for everyone else.
	"POST /api/v1/me/notifications/:id/read": {path: "/api/v1/me/notifications/{noteX}/read", want: signedInExcept(404, map[int]int{volunteerX: 204})},

	// Calendar feeds: any signed-in user has one of their own; a centre's is its
	// ward's. The feed itself needs no token, only its secret URL (here the
	// all-day centre's, which no row resets).
	"POST /api/v1/me/calendar":   {path: "/api/v1/me/calendar", want: signedIn(201)},
	"DELETE /api/v1/me/calendar": {path: "/api/v1/me/calendar", want: signedIn(204)},
	"POST /api/v1/centres/:id/calendar": {path: "/api/v1/centres/{centreA}/calendar",
		want: only(map[int]int{admin: 201, staffA: 201, staffB: 404})},
	"GET /api/v1/calendar/:token": {path: "/api/v1/calendar/{feedToken}.ics", want: all(200)},

	// Equipment: everyone signed in lists a centre's devices; its ward's staff
	// manage them. No volunteer is on duty, so they may not log usage; staff log
	// sessions an hour apart (f.unique), so none overlaps another.
	"GET /api/v1/centres/:id/devices": {path: "/api/v1/centres/{centreA}/devices", want: signedIn(200)},
	"POST /api/v1/centres/:id/devices": {path: "/api/v1/centres/{centreA}/devices", want: only(map[int]int{admin: 201, staffA: 201, staffB: 404}),
		body: func(f *matrixFixture, _ int) any {
			return map[string]string{"kind": "tablet", "label": f.unique("Máy tính bảng ")}
		}},
	"PATCH /api/v1/devices/:id": {path: "/api/v1/devices/{deviceA}", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"status": "working"} }},
	"POST /api/v1/centres/:id/device-usage": {path: "/api/v1/centres/{centreA}/device-usage",
		want: only(map[int]int{admin: 201, staffA: 201, staffB: 404, volunteerX: 403, volunteerY: 403}),
		body: func(f *matrixFixture, _ int) any {
			ago := time.Duration(f.seq.Add(1)) * time.Hour
			return usageBody(f.deviceA, ago, 30*time.Minute)
		}},
	"GET /api/v1/centres/:id/device-usage": {path: "/api/v1/centres/{centreA}/device-usage", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	// The admin voids first; ward A's staff then find it voided.
	"POST /api/v1/device-usage/:id/void": {path: "/api/v1/device-usage/{usageA}/void", want: only(map[int]int{admin: 200, staffA: 409, staffB: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"reason": "Ghi nhầm"} }},
	// Hours certificates: volunteer X has one of the fixture's period already
	// (so issuing it again is 200), volunteer Y has no hours. The admin revokes
	// certToRevokeX first; ward A's staff then find it revoked.
	"POST /api/v1/me/hours-certificates": {path: "/api/v1/me/hours-certificates", want: only(map[int]int{volunteerX: 200, volunteerY: 409}),
		body: func(*matrixFixture, int) any { return certificatePeriod(30) }},
	"GET /api/v1/me/hours-certificates": {path: "/api/v1/me/hours-certificates", want: signedIn(200)},
	"GET /api/v1/certificates/:code/pdf": {path: "/api/v1/certificates/{certX}/pdf",
		want: signedInExcept(404, map[int]int{admin: 200, staffA: 200, partnerX: 200, volunteerX: 200})},
	"POST /api/v1/certificates/:code/revoke": {path: "/api/v1/certificates/{certToRevokeX}/revoke", want: only(map[int]int{admin: 200, staffA: 409, staffB: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"reason": "Khai sai số giờ"} }},
	"GET /api/v1/verify/:code": {path: "/api/v1/verify/{certX}", want: all(200)},
	// Recurring shifts: the ward's staff only (centre A opens Monday mornings).
	"GET /api/v1/centres/:id/shift-series": {path: "/api/v1/centres/{centreA}/shift-series", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"POST /api/v1/centres/:id/shift-series": {path: "/api/v1/centres/{centreA}/shift-series", want: only(map[int]int{admin: 201, staffA: 201, staffB: 404}),
		body: func(*matrixFixture, int) any { return seriesBody("FREQ=WEEKLY;BYDAY=MO", "08:30", "10:30", 2) }},
	"GET /api/v1/shift-series/:id": {path: "/api/v1/shift-series/{seriesA}", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"PUT /api/v1/shift-series/:id": {path: "/api/v1/shift-series/{seriesA}", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404}),
		body: func(*matrixFixture, int) any {
			return seriesChange("09:00", "11:00", "Ca hướng dẫn thứ Ba, thứ Năm")
		}},
	// The admin cancels first; ward A's staff then find it ended (but may act on it).
	"POST /api/v1/shift-series/:id/cancel": {path: "/api/v1/shift-series/{cancelSeries}/cancel", want: only(map[int]int{admin: 200, staffA: 409, staffB: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"reason": "Nhà văn hoá sửa chữa"} }},
	// Removing a removed series again removes nothing more.
	"DELETE /api/v1/shift-series/:id": {path: "/api/v1/shift-series/{removeSeries}", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	// Residents: the consent text is public; registration at centre A by its
	// ward's staff or a volunteer on duty (none is); reads for the ward's staff
	// and volunteers on duty; numbers, changes, erasure and audit for staff. The
	// admin erases first; ward A's staff then find it erased.
	"GET /api/v1/consent": {path: "/api/v1/consent", want: all(200)},
	"POST /api/v1/residents": {path: "/api/v1/residents", want: only(map[int]int{admin: 201, staffA: 201, staffB: 404}),
		body: func(f *matrixFixture, _ int) any {
			b := residentBody("", f.unique("Người dân "), "", "")
			delete(b, "ward_id")
			b["centre_id"] = f.centreA
			return b
		}},
	"GET /api/v1/wards/:id/residents": {path: "/api/v1/wards/{wardA}/residents?q=nguyen", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"GET /api/v1/residents/:id":       {path: "/api/v1/residents/{residentA}", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"PATCH /api/v1/residents/:id": {path: "/api/v1/residents/{residentA}", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404}),
		body: func(*matrixFixture, int) any {
			return map[string]string{"notes": "Đã hướng dẫn tra cứu hồ sơ"}
		}},
	"POST /api/v1/residents/:id/reveal": {path: "/api/v1/residents/{residentA}/reveal", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"reason": "Gọi điện hẹn lịch"} }},
	"POST /api/v1/residents/:id/erase": {path: "/api/v1/residents/{eraseResidentA}/erase", want: only(map[int]int{admin: 200, staffA: 409, staffB: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"reason": "Người dân yêu cầu xoá"} }},
	"GET /api/v1/wards/:id/audit": {path: "/api/v1/wards/{wardA}/audit", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"POST /api/v1/wards/:id/residents/import": {path: "/api/v1/wards/{wardA}/residents/import?dry_run=true",
		want: only(map[int]int{admin: 200, staffA: 200, staffB: 404}),
		body: func(*matrixFixture, int) any {
			return csvBody("ho_ten,nam_sinh,to_dan_pho,dong_y\nNguyễn Thị Matrận,1950,Tổ 3,có\n")
		}},
	// Progress: ward A's staff record, read and revoke; no fixture volunteer is
	// on duty (403 not_on_duty). The admin revokes first; ward A's staff then
	// find it revoked.
	"POST /api/v1/residents/:id/progress": {path: "/api/v1/residents/{residentA}/progress",
		want: only(map[int]int{admin: 201, staffA: 201, staffB: 404, volunteerX: 403, volunteerY: 403}),
		body: func(*matrixFixture, int) any { return progressBody("track_application") }},
	"GET /api/v1/residents/:id/progress": {path: "/api/v1/residents/{residentA}/progress", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"POST /api/v1/progress/:record_id/revoke": {path: "/api/v1/progress/{progressA}/revoke", want: only(map[int]int{admin: 200, staffA: 409, staffB: 404}),
		body: func(*matrixFixture, int) any { return map[string]string{"reason": "Ghi nhầm người"} }},
	"GET /api/v1/residents/:id/status": {path: "/api/v1/residents/{residentA}/status", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"POST /api/v1/residents/:id/quiz-attempts": {path: "/api/v1/residents/{residentA}/quiz-attempts",
		want: only(map[int]int{admin: 201, staffA: 201, staffB: 404, volunteerX: 403, volunteerY: 403}),
		body: func(f *matrixFixture, _ int) any { return assistedQuizBody(f.courseX, "kiem-tra", nil) }},
	"GET /api/v1/residents/:id/quiz-attempts": {path: "/api/v1/residents/{residentA}/quiz-attempts", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	// Personal links: as for progress (no fixture volunteer is on duty); the
	// view is public, by its secret token.
	"POST /api/v1/residents/:id/personal-link": {path: "/api/v1/residents/{residentA}/personal-link",
		want: only(map[int]int{admin: 201, staffA: 201, staffB: 404, volunteerX: 403, volunteerY: 403})},
	"DELETE /api/v1/residents/:id/personal-link": {path: "/api/v1/residents/{residentA}/personal-link",
		want: only(map[int]int{admin: 204, staffA: 204, staffB: 404, volunteerX: 403, volunteerY: 403})},
	"GET /api/v1/personal/:token": {path: "/api/v1/personal/{personalToken}", want: all(200)},
	// Targets: admins set them; a ward's targets are read by its staff, the
	// district's by all staff. Merges: admins only.
	"GET /api/v1/wards/:id/targets": {path: "/api/v1/wards/{wardA}/targets", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"PUT /api/v1/wards/:id/targets/:year": {path: "/api/v1/wards/{wardA}/targets/2026", want: only(map[int]int{admin: 200}),
		body: func(*matrixFixture, int) any { return map[string]int{"adult_population": 12000, "households": 4100} }},
	"GET /api/v1/district/targets": {path: "/api/v1/district/targets", want: only(map[int]int{admin: 200, staffA: 200, staffB: 200})},
	"PUT /api/v1/district/targets/:year": {path: "/api/v1/district/targets/2026", want: only(map[int]int{admin: 200}),
		body: func(*matrixFixture, int) any { return map[string]float64{"ecitizen_share_percent": 35} }},
	"POST /api/v1/wards/:id/merge": {path: "/api/v1/wards/{mergeW}/merge", want: only(map[int]int{admin: 200}),
		body: func(f *matrixFixture, _ int) any {
			return map[string]string{"into_ward_id": f.wardB, "reason": "Nghị quyết sáp nhập 2025"}
		}},
	// Coverage: a ward's and its centres' figures for admins and its staff; the
	// district's for admins.
	"GET /api/v1/wards/:id/coverage":        {path: "/api/v1/wards/{wardA}/coverage", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"GET /api/v1/wards/:id/coverage/trends": {path: "/api/v1/wards/{wardA}/coverage/trends", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"GET /api/v1/centres/:id/coverage":      {path: "/api/v1/centres/{centreA}/coverage", want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"GET /api/v1/district/coverage":         {path: "/api/v1/district/coverage", want: only(map[int]int{admin: 200})},
	"GET /api/v1/district/coverage/trends":  {path: "/api/v1/district/coverage/trends", want: only(map[int]int{admin: 200})},
	"GET /api/v1/wards/:id/coverage/export": {path: "/api/v1/wards/{wardA}/coverage/export?format=xlsx",
		want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"GET /api/v1/centres/:id/coverage/export": {path: "/api/v1/centres/{centreA}/coverage/export?format=csv&table=summary",
		want: only(map[int]int{admin: 200, staffA: 200, staffB: 404})},
	"GET /api/v1/district/coverage/export": {path: "/api/v1/district/coverage/export?format=xlsx&lang=en", want: only(map[int]int{admin: 200})},
	// Partner view: as an organisation's hours (the partner of another
	// organisation finds none; ward staff and volunteers are forbidden).
	"GET /api/v1/organisations/:id/coverage": {path: "/api/v1/organisations/{orgX}/coverage", want: only(map[int]int{admin: 200, partnerX: 200, partnerY: 404})},
	"GET /api/v1/organisations/:id/coverage/export": {path: "/api/v1/organisations/{orgX}/coverage/export?format=xlsx",
		want: only(map[int]int{admin: 200, partnerX: 200, partnerY: 404})},
}

// signedInExcept returns 401 for anonymous, s for everyone else, then the overrides.
func signedInExcept(s int, over map[int]int) [nPrincipals]int {
	w := signedIn(s)
	for p, st := range over {
		w[p] = st
	}
	return w
}

// nextMonday returns the next Monday at hh:mm in Hanoi (the matrix's centre A
// opens Monday mornings only).
func nextMonday(hh, mm int) time.Time {
	day := 1
	for localTime(day, hh, mm).Weekday() != time.Monday {
		day++
	}
	return localTime(day, hh, mm)
}

func centreBody(name string) map[string]any {
	return map[string]any{"name": name, "address": "Số 5 ngõ 12 phố Bạch Đằng", "seats": 8,
		"opening_hours": map[string]any{"mon": []map[string]string{{"open": "08:00", "close": "11:30"}}}}
}

// TestAuthorisationMatrix runs every route as every principal and checks the status.
func TestAuthorisationMatrix(t *testing.T) {
	f := newMatrixFixture(t)
	engine := f.env.handler.(*gin.Engine)
	var routes []string
	for _, r := range engine.Routes() {
		routes = append(routes, r.Method+" "+r.Path)
	}
	sort.Strings(routes)
	for _, r := range routes {
		if _, ok := matrix[r]; !ok {
			t.Errorf("route %s has no row in the authorisation matrix", r)
		}
	}
	if len(routes) != len(matrix) {
		t.Errorf("matrix has %d rows, router has %d routes", len(matrix), len(routes))
	}
	repl := strings.NewReplacer("{volX}", f.volX, "{wardA}", f.wardA, "{centreA}", f.centreA, "{orgX}", f.orgX, "{inviteX}", f.inviteToRevokeX,
		"{courseX}", f.courseX, "{draftX}", f.draftX, "{sessionX}", f.sessionX, "{cancelX}", f.cancelX,
		"{shiftA}", f.shiftA, "{fullShift}", f.fullShift, "{cancelShift}", f.cancelShift, "{assignShift}", f.assignShift, "{removeShift}", f.removeShift,
		"{feedToken}", f.feedToken, "{noteX}", f.noteX, "{deviceA}", f.deviceA, "{usageA}", f.usageA,
		"{certX}", f.certX, "{certToRevokeX}", f.certToRevokeX,
		"{seriesA}", f.seriesA, "{cancelSeries}", f.cancelSeries, "{removeSeries}", f.removeSeries,
		"{residentA}", f.residentA, "{eraseResidentA}", f.eraseResidentA, "{progressA}", f.progressA,
		"{personalToken}", f.personalToken, "{mergeW}", f.mergeW)
	for _, r := range routes {
		row, ok := matrix[r]
		if !ok {
			continue
		}
		method, _, _ := strings.Cut(r, " ")
		for p := range nPrincipals {
			path := strings.NewReplacer("{seatP}", strconv.Itoa(f.seats[p]), "{volP}", f.volFor(p)).Replace(repl.Replace(row.path))
			t.Run(r+"/"+principalNames[p], func(t *testing.T) {
				token := f.tokens[p]
				if row.fresh && p != anon {
					token, _ = f.env.login(f.emails[p], f.passwords[p])
				}
				var body any
				if row.body != nil {
					body = row.body(f, p)
				}
				rec := f.env.do(method, path, token, body)
				if rec.Code != row.want[p] {
					t.Errorf("%s as %s: status %d, want %d; body %s", r, principalNames[p], rec.Code, row.want[p], rec.Body)
				}
			})
		}
	}
}

// notificationOf returns the id of a user's newest notification.
func (f *matrixFixture) notificationOf(t *testing.T, userID string) string {
	ns, err := f.env.store.ListNotifications(t.Context(), userID, false, page.Request{Limit: 1})
	if err != nil || len(ns) == 0 {
		t.Fatalf("notifications of %s: %v (%d)", userID, err, len(ns))
	}
	return ns[0].ID
}
