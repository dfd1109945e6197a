package web

import (
	"context"
	"net/url"
	"testing"
	"time"

	"ecitizen/internal/course"
	"ecitizen/internal/identity"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/training"
)

// The matrix rows of the audiences' pages and the objects they name: all of
// ward A and org X, so that staff of ward B and the partner of org Y are out of
// scope. Ids that name nothing ("nope") test the gate only.

// objects makes the fixture's objects through the services.
func (f *matrixFixture) objects(t *testing.T) {
	ctx := context.Background()
	e := f.e
	day := time.Now().In(zone).AddDate(0, 0, 2)
	at := func(h int) time.Time { return time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, zone) }
	sh, err := e.svc.Roster.CreateShift(ctx, e.admin, roster.Plan{CentreID: f.centreA.ID, Title: "Hướng dẫn VNeID",
		Role: roster.RoleGuide, StartsAt: at(9), EndsAt: at(11), Places: 3})
	if err != nil {
		t.Fatal(err)
	}
	f.extra["shift"] = sh.ID
	if _, err := e.svc.Roster.Book(ctx, f.users[volX], sh.ID, false); err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.Residents.Register(ctx, f.users[staffA], resident.NewResident{WardID: f.wardA.ID, FullName: "Nguyễn Thị Hoa",
		BirthYear: 1960, Group: "Tổ 3", Phone: "0912345678", ConsentVersion: e.svc.Residents.Consent().ID})
	if err != nil {
		t.Fatal(err)
	}
	f.extra["resident"] = r.ID
	rec, err := e.svc.Progress.Record(ctx, f.users[staffA], r.ID, progress.NewRecord{SkillCode: e.svc.Framework.Required()[0], Evidence: "Tự kích hoạt VNeID"})
	if err != nil {
		t.Fatal(err)
	}
	f.extra["record"] = rec.ID
	co, _, err := e.svc.Courses.CreateCourse(ctx, f.users[partnerX], "", courseContent("Khoá học của X", "Nội dung"))
	if err != nil {
		t.Fatal(err)
	}
	f.extra["course"] = co.ID
	ls, err := e.svc.Courses.Catalogue(ctx, course.CatalogueQuery{}, adminPageAll())
	vs := ls.Cards
	if err != nil || len(vs) == 0 {
		t.Fatalf("catalogue: %v", err)
	}
	f.extra["published"] = vs[0].CourseID
	f.extra["lesson"] = vs[0].Lessons[0].ID
	se, err := e.svc.Training.Schedule(ctx, f.users[partnerX], training.Plan{CourseID: vs[0].CourseID, CentreID: f.centreA.ID,
		StartsAt: at(14), EndsAt: at(16), Capacity: 10, Trainers: []string{"ThS. Nguyễn Lan"}})
	if err != nil {
		t.Fatal(err)
	}
	f.extra["session"] = se.ID
	inv, err := e.svc.Identity.CreateInvite(ctx, f.users[partnerX], f.orgX.ID, "K66", time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f.extra["invite"] = inv.ID
	// Accounts whose status rows change: not the principals'.
	f.extra["spare_volunteer"] = e.user(identity.NewUser{Email: "du-bi@example.vn", DisplayName: "Tình nguyện viên dự bị",
		Role: identity.RoleVolunteer, OrganisationID: f.orgX.ID}).UserID
}

// at builds a row's URL from a pattern whose ":name" parts are fixture ids.
func at(pattern string, names ...string) func(*matrixFixture) string {
	return func(f *matrixFixture) string {
		u := pattern
		for _, n := range names {
			id, ok := f.extra[n]
			switch {
			case n == "centre":
				id, ok = f.centreA.ID, true
			case n == "wardA":
				id, ok = f.wardA.ID, true
			case n == "volX":
				id, ok = f.users[volX].UserID, true
			case n == "orgX":
				id, ok = f.orgX.ID, true
			}
			if !ok {
				id = "nope"
			}
			u = replaceFirst(u, "{}", id)
		}
		return u
	}
}

func replaceFirst(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	return s
}

var (
	partnersOut = []string{partnerY}
	staffOut    = []string{staffB}
)

func init() {
	empty := url.Values{}
	webRows = append(webRows,
		// Volunteer.
		row{method: "GET", route: "/shifts", gate: volunteers},
		row{method: "GET", route: "/shifts/:id", url: at("/shifts/{}", "shift"), gate: volunteers},
		row{method: "POST", route: "/shifts/:id/book", url: at("/shifts/{}/book", "shift"), gate: volunteers, form: empty},
		row{method: "GET", route: "/me/bookings", gate: volunteers},
		// Both hold a place now (volunteer X from the fixture, Y from the row above).
		row{method: "POST", route: "/me/bookings/:id/cancel", url: at("/me/bookings/{}/cancel", "shift"), gate: volunteers, form: empty},
		row{method: "POST", route: "/me/waiting/:id/leave", url: at("/me/waiting/{}/leave", "shift"), gate: volunteers, notFound: volunteers, form: empty},
		row{method: "GET", route: "/checkin", gate: volunteers},
		row{method: "POST", route: "/checkin", gate: volunteers, notFound: volunteers, form: url.Values{"code": {"NOPE"}}},
		row{method: "GET", route: "/me/hours", gate: volunteers},
		row{method: "POST", route: "/me/hours/certificates", gate: volunteers, form: empty},
		row{method: "GET", route: "/me/certificates/:code/pdf", url: at("/me/certificates/{}/pdf", "certificate"), gate: volunteers, notFound: volunteers},
		row{method: "GET", route: "/me/calendar", gate: volunteers},
		row{method: "POST", route: "/me/calendar", gate: volunteers, form: empty},
		row{method: "POST", route: "/me/calendar/delete", gate: volunteers, form: empty},
		row{method: "GET", route: "/me/notifications", gate: volunteers},
		row{method: "POST", route: "/me/notifications/read-all", gate: volunteers, form: empty},
		row{method: "POST", route: "/me/notifications/:id/read", url: at("/me/notifications/{}/read", "notification"), gate: volunteers, notFound: volunteers, form: empty},
		// Ward staff (admins too).
		row{method: "GET", route: "/staff/centres", gate: staffGate},
		// Without a ward: staff find none to add to.
		row{method: "POST", route: "/staff/centres", gate: staffGate, notFound: []string{staffA, staffB}, form: empty},
		row{method: "GET", route: "/staff/centres/:id", url: at("/staff/centres/{}", "centre"), gate: staffGate, notFound: staffOut},
		row{method: "GET", route: "/staff/centres/:id/edit", url: at("/staff/centres/{}/edit", "centre"), gate: staffGate, notFound: staffOut},
		row{method: "POST", route: "/staff/centres/:id/edit", url: at("/staff/centres/{}/edit", "centre"), gate: staffGate, notFound: staffOut, form: empty},
		row{method: "POST", route: "/staff/centres/:id/shifts", url: at("/staff/centres/{}/shifts", "centre"), gate: staffGate, notFound: staffOut, form: empty},
		row{method: "GET", route: "/staff/centres/:id/series/new", url: at("/staff/centres/{}/series/new", "centre"), gate: staffGate, notFound: staffOut},
		row{method: "POST", route: "/staff/centres/:id/series", url: at("/staff/centres/{}/series", "centre"), gate: staffGate, notFound: staffOut, form: empty},
		row{method: "POST", route: "/staff/centres/:id/series/:sid/cancel", url: at("/staff/centres/{}/series/{}/cancel", "centre", "series"), gate: staffGate, notFound: staffGate, form: empty},
		row{method: "POST", route: "/staff/centres/:id/series/:sid/remove", url: at("/staff/centres/{}/series/{}/remove", "centre", "series"), gate: staffGate, notFound: staffGate, form: empty},
		row{method: "GET", route: "/staff/centres/:id/screen", url: at("/staff/centres/{}/screen", "centre"), gate: staffGate, notFound: staffOut},
		row{method: "GET", route: "/staff/centres/:id/coverage", url: at("/staff/centres/{}/coverage", "centre"), gate: staffGate, notFound: staffOut},
		row{method: "GET", route: "/staff/centres/:id/coverage/export", url: at("/staff/centres/{}/coverage/export?format=xlsx", "centre"), gate: staffGate, notFound: staffOut},
		row{method: "GET", route: "/staff/shifts/:id", url: at("/staff/shifts/{}", "shift"), gate: staffGate, notFound: staffOut},
		row{method: "POST", route: "/staff/shifts/:id/cancel", url: at("/staff/shifts/{}/cancel", "shift"), gate: staffGate, notFound: staffOut, form: empty},
		row{method: "POST", route: "/staff/shifts/:id/assign", url: at("/staff/shifts/{}/assign", "shift"), gate: staffGate, notFound: staffOut, form: empty},
		row{method: "POST", route: "/staff/shifts/:id/remove/:volunteer_id", url: at("/staff/shifts/{}/remove/{}", "shift", "volX"), gate: staffGate, notFound: staffOut, form: empty},
		row{method: "POST", route: "/staff/shifts/:id/attendance/:volunteer_id", url: at("/staff/shifts/{}/attendance/{}", "shift", "volX"), gate: staffGate, notFound: staffOut, form: empty},
		row{method: "POST", route: "/staff/shifts/:id/no-show/:volunteer_id", url: at("/staff/shifts/{}/no-show/{}", "shift", "volX"), gate: staffGate, notFound: staffOut, form: empty},
		row{method: "GET", route: "/staff/dashboard", gate: staffGate},
		row{method: "GET", route: "/staff/wards/:id/export", url: at("/staff/wards/{}/export?format=xlsx", "wardA"), gate: staffGate, notFound: staffOut},
		// Residents: staff of their wards; volunteers only on duty (none is here,
		// so the service refuses them with 403 not_on_duty).
		row{method: "GET", route: "/residents", gate: residentsGate, refused: volunteers},
		row{method: "GET", route: "/residents/new", gate: residentsGate, refused: volunteers},
		row{method: "POST", route: "/residents", gate: residentsGate, refused: volunteers, form: empty},
		row{method: "GET", route: "/residents/import", gate: staffGate},
		row{method: "POST", route: "/residents/import", gate: staffGate, form: empty},
		row{method: "GET", route: "/residents/audit", gate: staffGate},
		row{method: "GET", route: "/residents/:id", url: at("/residents/{}", "resident"), gate: residentsGate, notFound: staffOut, refused: volunteers},
		row{method: "POST", route: "/residents/:id/progress", url: at("/residents/{}/progress", "resident"), gate: residentsGate, notFound: staffOut, refused: volunteers, form: empty},
		row{method: "GET", route: "/residents/:id/records/:record/revoke", url: at("/residents/{}/records/{}/revoke", "resident", "record"), gate: staffGate, notFound: staffOut},
		row{method: "POST", route: "/residents/:id/records/:record/revoke", url: at("/residents/{}/records/{}/revoke", "resident", "record"), gate: staffGate, notFound: staffOut, form: empty},
		row{method: "GET", route: "/residents/:id/quiz", url: at("/residents/{}/quiz", "resident"), gate: residentsGate, notFound: staffOut, refused: volunteers},
		// Without a lesson: none is found.
		row{method: "POST", route: "/residents/:id/quiz", url: at("/residents/{}/quiz", "resident"), gate: residentsGate, notFound: staffGate, refused: volunteers, form: empty},
		row{method: "POST", route: "/residents/:id/link", url: at("/residents/{}/link", "resident"), gate: residentsGate, notFound: staffOut, refused: volunteers, form: empty},
		row{method: "POST", route: "/residents/:id/link/delete", url: at("/residents/{}/link/delete", "resident"), gate: residentsGate, notFound: staffOut, refused: volunteers, form: empty},
		row{method: "GET", route: "/residents/:id/reveal", url: at("/residents/{}/reveal", "resident"), gate: staffGate, notFound: staffOut},
		row{method: "POST", route: "/residents/:id/reveal", url: at("/residents/{}/reveal", "resident"), gate: staffGate, notFound: staffOut, form: empty},
		row{method: "GET", route: "/residents/:id/erase", url: at("/residents/{}/erase", "resident"), gate: staffGate, notFound: staffOut},
		row{method: "POST", route: "/residents/:id/erase", url: at("/residents/{}/erase", "resident"), gate: staffGate, notFound: staffOut, form: empty},
		// Public: certificates and personal links (unknown ones are not found).
		row{method: "GET", route: "/verify", gate: everyone},
		row{method: "GET", route: "/verify/:code", url: at("/verify/{}", "certificate"), gate: everyone, notFound: everyone},
		row{method: "GET", route: "/p/:token", url: at("/p/{}", "token"), gate: everyone, notFound: everyone},
		row{method: "GET", route: "/sessions", gate: everyone},
		// Courses: the public catalogue, learners, partners' authoring, reviews.
		row{method: "GET", route: "/courses", gate: everyone},
		row{method: "GET", route: "/courses/:id", url: at("/courses/{}", "published"), gate: everyone},
		row{method: "POST", route: "/courses/:id/start", url: at("/courses/{}/start", "published"), gate: signedIn, form: empty},
		row{method: "GET", route: "/courses/:id/lessons/:lesson_id", url: at("/courses/{}/lessons/{}", "published", "lesson"), gate: everyone},
		row{method: "GET", route: "/courses/:id/lessons/:lesson_id/quiz", url: at("/courses/{}/lessons/{}/quiz", "published", "lesson"), gate: everyone},
		row{method: "POST", route: "/courses/:id/lessons/:lesson_id/quiz", url: at("/courses/{}/lessons/{}/quiz", "published", "lesson"), gate: everyone, form: empty},
		row{method: "GET", route: "/courses/:id/lessons/:lesson_id/complete", url: at("/courses/{}/lessons/{}/complete", "published", "lesson"), gate: everyone},
		row{method: "POST", route: "/courses/:id/lessons/:lesson_id/complete", url: at("/courses/{}/lessons/{}/complete", "published", "lesson"), gate: signedIn, form: empty},
		row{method: "GET", route: "/partner/courses", gate: partGate},
		row{method: "POST", route: "/partner/courses", gate: partGate, form: empty},
		row{method: "GET", route: "/partner/courses/:id", url: at("/partner/courses/{}", "course"), gate: partGate, notFound: partnersOut},
		row{method: "POST", route: "/partner/courses/:id/versions", url: at("/partner/courses/{}/versions", "course"), gate: partGate, notFound: partnersOut, form: empty},
		row{method: "GET", route: "/partner/courses/:id/versions/:n", url: at("/partner/courses/{}/versions/1", "course"), gate: partGate, notFound: partnersOut},
		row{method: "POST", route: "/partner/courses/:id/versions/:n", url: at("/partner/courses/{}/versions/1", "course"), gate: partGate, notFound: partnersOut, form: empty},
		row{method: "POST", route: "/partner/courses/:id/versions/:n/withdraw", url: at("/partner/courses/{}/versions/1/withdraw", "course"), gate: partGate, notFound: partnersOut, form: empty},
		row{method: "GET", route: "/admin/reviews", gate: adminGate},
		row{method: "GET", route: "/admin/reviews/:id/versions/:n", url: at("/admin/reviews/{}/versions/1", "course"), gate: adminGate},
		row{method: "POST", route: "/admin/reviews/:id/versions/:n", url: at("/admin/reviews/{}/versions/1", "course"), gate: adminGate, form: empty},
		// Partners (admins pick an organisation).
		row{method: "GET", route: "/partner/invites", gate: partGate},
		row{method: "POST", route: "/partner/invites", gate: partGate, form: empty},
		row{method: "GET", route: "/partner/volunteers", gate: partGate},
		row{method: "GET", route: "/partner/certificate", url: at("/partner/certificate?code={}", "certificate"), gate: partGate, notFound: []string{partnerX, partnerY}},
		row{method: "GET", route: "/partner/export", url: at("/partner/export?format=xlsx"), gate: partGate},
		row{method: "GET", route: "/partner/sessions", gate: partGate},
		row{method: "POST", route: "/partner/sessions", gate: partGate, form: empty},
		row{method: "GET", route: "/partner/sessions/:id", url: at("/partner/sessions/{}", "session"), gate: partGate, notFound: partnersOut},
		row{method: "POST", route: "/partner/sessions/:id", url: at("/partner/sessions/{}", "session"), gate: partGate, notFound: partnersOut, form: empty},
		row{method: "POST", route: "/partner/sessions/:id/attendance/:number", url: at("/partner/sessions/{}/attendance/1", "session"), gate: partGate, notFound: partnersOut, form: empty},
		row{method: "POST", route: "/partner/sessions/:id/cancel", url: at("/partner/sessions/{}/cancel", "session"), gate: partGate, notFound: partnersOut, form: empty},
		// Admin.
		row{method: "GET", route: "/admin", gate: adminGate},
		row{method: "GET", route: "/admin/wards", gate: adminGate},
		row{method: "POST", route: "/admin/wards", gate: adminGate, form: empty},
		row{method: "GET", route: "/admin/wards/:id", url: at("/admin/wards/{}", "wardA"), gate: adminGate},
		row{method: "POST", route: "/admin/wards/:id", url: at("/admin/wards/{}", "wardA"), gate: adminGate, form: empty},
		row{method: "POST", route: "/admin/wards/:id/merge", url: at("/admin/wards/{}/merge", "wardA"), gate: adminGate, form: empty},
		row{method: "GET", route: "/admin/organisations", gate: adminGate},
		row{method: "POST", route: "/admin/organisations", gate: adminGate, form: empty},
		row{method: "GET", route: "/admin/organisations/:id", url: at("/admin/organisations/{}", "orgX"), gate: adminGate},
		row{method: "POST", route: "/admin/organisations/:id", url: at("/admin/organisations/{}", "orgX"), gate: adminGate, form: empty},
		row{method: "GET", route: "/admin/users", gate: adminGate},
		row{method: "POST", route: "/admin/users", gate: adminGate, form: empty},
		row{method: "GET", route: "/admin/targets", gate: adminGate},
		row{method: "POST", route: "/admin/targets", gate: adminGate, form: empty},
		row{method: "GET", route: "/admin/district", gate: adminGate},
		row{method: "GET", route: "/admin/district/export", url: at("/admin/district/export?format=xlsx"), gate: adminGate},
		// Rows that change accounts and bookings, late.
		row{method: "POST", route: "/partner/invites/:id/revoke", url: at("/partner/invites/{}/revoke", "invite"), gate: partGate, notFound: partnersOut, form: empty},
		row{method: "POST", route: "/partner/volunteers/:id/status", url: at("/partner/volunteers/{}/status", "spare_volunteer"), gate: partGate, notFound: partnersOut, form: url.Values{"status": {"disabled"}}},
		row{method: "POST", route: "/admin/users/:id/status", url: at("/admin/users/{}/status", "spare_volunteer"), gate: adminGate, form: empty},
	)
}
