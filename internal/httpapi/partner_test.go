package httpapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/xuri/excelize/v2"

	"ecitizen/internal/course"
	"ecitizen/internal/export"
	"ecitizen/internal/roster"
	"ecitizen/internal/store/storetest"
	"ecitizen/internal/training"
)

func init() {
	openapi3filter.RegisterBodyDecoder(export.ContentTypeXLSX, openapi3filter.FileBodyDecoder)
}

const (
	partnerPhone = "+84987654321"
	partnerEmail = "lan.tnv@example.vn"
)

// partnerWorld is a constructed history of an organisation: a published course
// with learners, a training session yesterday at centre A with marked seats,
// and volunteers with hours (a shift and work entries).
type partnerWorld struct {
	*rosterWorld
	partner, otherPartner string // tokens
	volunteerTok          string
	ids                   []string
	courseID, sessionID   string
}

func newPartnerWorld(t *testing.T, env *testEnv) *partnerWorld {
	t.Helper()
	ctx := context.Background()
	w := &partnerWorld{rosterWorld: newRosterWorld(t, env, "PV")}
	ids, toks := w.volunteers(t, 3)
	w.ids, w.volunteerTok = ids, toks[0]
	// A volunteer with a phone and an email that no export may show.
	u, err := env.store.UserByID(ctx, ids[2])
	if err != nil {
		t.Fatal(err)
	}
	u.DisplayName, u.Phone, u.Email = "Phạm Thị Lan", partnerPhone, partnerEmail
	if err := env.store.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	other := env.createOrganisation(w.admin, "Hội Sinh viên PV")
	for _, p := range []struct {
		email, org string
		tok        *string
	}{{"doi-tac-pv@example.vn", w.org, &w.partner}, {"doi-tac-khac-pv@example.vn", other, &w.otherPartner}} {
		env.createUser(w.admin, map[string]any{"email": p.email, "display_name": "Đối tác", "password": "mat-khau-2026", "role": "partner", "organisation_id": p.org})
		*p.tok, _ = env.login(p.email, "mat-khau-2026")
	}

	// A published course: 3 learners started it today, 2 completed it; one
	// started two years ago (outside the default range).
	now := testNow().UTC().Truncate(time.Millisecond)
	co := &course.Course{ID: "course-pv-1", OrganisationID: w.org, PublishedVersion: 1, LatestVersion: 1, CreatedAt: now, UpdatedAt: now}
	v := &course.Version{CourseID: co.ID, Number: 1, Status: course.StatusPublished,
		Title:    course.Text{Vi: "=Dịch vụ công trực tuyến", En: "Online public services"},
		Summary:  course.Text{Vi: "Nộp hồ sơ trực tuyến.", En: "Filing online."},
		Audience: course.AudienceResidents, Level: course.LevelBeginner,
		Lessons:   []course.Lesson{{ID: "l1", Title: course.Text{Vi: "Bài 1", En: "Lesson 1"}, Body: course.Text{Vi: "Nội dung", En: "Body"}, Minutes: 5}},
		CreatedBy: "author", CreatedAt: now, UpdatedAt: now, PublishedAt: &now, SearchText: "dich vu cong"}
	must(t, env.store.CreateCourse(ctx, co, v))
	w.courseID = co.ID
	for i, id := range ids {
		must(t, env.store.CreateEnrolment(ctx, &course.Enrolment{UserID: id, CourseID: co.ID, Version: 1, StartedAt: now}))
		if i < 2 {
			must(t, env.store.CompleteCourse(ctx, &course.Completion{UserID: id, CourseID: co.ID, Version: 1, CompletedAt: now}))
		}
	}
	old := w.oneMore(t)
	must(t, env.store.CreateEnrolment(ctx, &course.Enrolment{UserID: old, CourseID: co.ID, Version: 1, StartedAt: now.AddDate(-2, 0, 0)}))

	// A session yesterday at centre A: 4 seats, 2 attended, 1 absent, 1 unmarked.
	start := now.Add(-24 * time.Hour)
	s := &training.Session{ID: "session-pv-1", CourseID: co.ID, OrganisationID: w.org, CentreID: w.centreA, WardID: w.wardA,
		StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 10, Trainers: []string{"Nguyễn Văn An"},
		Status: training.StatusScheduled, CreatedBy: "partner", CreatedAt: now, UpdatedAt: now}
	must(t, env.store.CreateSession(ctx, s))
	w.sessionID = s.ID
	for i, m := range []training.Attendance{training.Attended, training.Attended, training.Absent, ""} {
		seat := &training.Seat{SessionID: s.ID, Number: i + 1, LearnerKey: "name:pv" + string(rune('a'+i)), Name: "Người học",
			EnrolledBy: "partner", EnrolledAt: now}
		must(t, training.PutSeat(ctx, env.store, seat))
		if m != "" {
			seat.Attendance, seat.MarkedBy, seat.MarkedAt = m, "partner", &now
			must(t, env.store.MarkAttendance(ctx, seat))
		}
	}

	// Hours: volunteer 0 served 90 minutes of a past shift and 45 of work; the
	// volunteer with a phone 30 of work; volunteer 1 nothing.
	sh := w.shift(t, "Ca đã qua", localTime(1, 8, 0), 2, 5)
	mustStatus(t, env.do("POST", "/api/v1/shifts/"+sh+"/bookings", toks[0], map[string]bool{}), 201)
	past := moveShift(t, env, sh, testNow().Add(-5*time.Hour), 2*time.Hour)
	for kind, at := range map[roster.AttendanceKind]time.Time{roster.KindCheckin: past.StartsAt.Add(-10 * time.Minute), roster.KindCheckout: past.StartsAt.Add(90 * time.Minute)} {
		must(t, env.store.AddAttendance(ctx, &roster.Attendance{ShiftID: sh, VolunteerID: ids[0], Kind: kind, CentreID: past.CentreID,
			WardID: past.WardID, StartsAt: past.StartsAt, EndsAt: past.EndsAt, At: at, By: ids[0]}))
	}
	today := testNow().In(hanoi).Format(time.DateOnly)
	for id, m := range map[string]int{ids[0]: 45, ids[2]: 30} {
		mustStatus(t, env.do("POST", "/api/v1/volunteers/"+id+"/work-entries", w.staffA,
			map[string]any{"minutes": m, "date": today, "reason": "Hướng dẫn ngoài ca", "centre_id": w.centreA}), 201)
	}
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// oneMore stores one more volunteer of the world's organisation and returns its id.
func (w *partnerWorld) oneMore(t *testing.T) string {
	t.Helper()
	ids, _ := w.volunteers(t, 1)
	return ids[0]
}

func TestPartnerCoverage(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newPartnerWorld(t, env)
			path := "/api/v1/organisations/" + w.org + "/coverage"

			t.Run("NumbersOfTheHistory", func(t *testing.T) {
				env := env.sub(t)
				rec := env.do("GET", path, w.partner, nil)
				mustStatus(t, rec, 200)
				var got partnerCoverageJSON
				decodeBody(t, rec, &got)
				today := testNow().In(hanoi)
				if got.To != today.Format(time.DateOnly) || got.From != today.AddDate(0, 0, -364).Format(time.DateOnly) {
					t.Errorf("default range %s..%s, want the last 365 days up to today", got.From, got.To)
				}
				if len(got.Courses) != 1 {
					t.Fatalf("courses: %s", rec.Body)
				}
				c := got.Courses[0]
				if c.CourseID != w.courseID || c.Title.Vi != "=Dịch vụ công trực tuyến" || c.Title.En != "Online public services" ||
					c.PublishedVersion == nil || *c.PublishedVersion != 1 || c.Enrolments != 3 || c.Completions != 2 ||
					c.EnrolmentsTotal != 4 || c.CompletionsTotal != 2 {
					t.Errorf("course line: %+v", c)
				}
				if len(got.Sessions) != 1 {
					t.Fatalf("sessions: %s", rec.Body)
				}
				s := got.Sessions[0]
				if s.SessionID != w.sessionID || s.CentreName != "Nhà sinh hoạt cộng đồng tổ 12" || s.CentreID == nil || *s.CentreID != w.centreA ||
					s.Enrolled != 4 || s.Attended != 2 || s.Absent != 1 || s.Unmarked != 1 || s.Capacity != 10 || s.Status != "scheduled" ||
					s.CourseTitle.En != "Online public services" {
					t.Errorf("session line: %+v", s)
				}
				minutes := map[string]int{}
				for _, v := range got.Volunteers {
					minutes[v.VolunteerID] = v.Minutes
				}
				if got.TotalMinutes != 165 || len(got.Volunteers) != 4 || minutes[w.ids[0]] != 135 || minutes[w.ids[1]] != 0 || minutes[w.ids[2]] != 30 {
					t.Errorf("volunteers: total %d, %v", got.TotalMinutes, got.Volunteers)
				}
				// The same minutes as the organisation's hours route.
				var hours organisationHoursJSON
				rec = env.do("GET", "/api/v1/organisations/"+w.org+"/hours", w.partner, nil)
				mustStatus(t, rec, 200)
				decodeBody(t, rec, &hours)
				if hours.TotalMinutes != got.TotalMinutes || len(hours.Volunteers) != len(got.Volunteers) {
					t.Errorf("hours route total %d, coverage %d", hours.TotalMinutes, got.TotalMinutes)
				}
				body := rec.Body.String()
				for _, secret := range []string{partnerPhone, partnerEmail, "@example.vn"} {
					if strings.Contains(body, secret) {
						t.Errorf("the answer holds %q", secret)
					}
				}
			})

			t.Run("ARangeWithoutTheHistory", func(t *testing.T) {
				env := env.sub(t)
				rec := env.do("GET", path+"?from=2020-01-01&to=2020-12-31", w.admin, nil)
				mustStatus(t, rec, 200)
				var got partnerCoverageJSON
				decodeBody(t, rec, &got)
				if got.From != "2020-01-01" || got.To != "2020-12-31" || len(got.Sessions) != 0 || got.TotalMinutes != 0 ||
					len(got.Courses) != 1 || got.Courses[0].Enrolments != 0 || got.Courses[0].EnrolmentsTotal != 4 {
					t.Errorf("an old range: %s", rec.Body)
				}
			})

			t.Run("ErrInvalidRange", func(t *testing.T) {
				env := env.sub(t)
				for _, q := range []string{"?from=2026-13-01", "?to=yesterday", "?from=2026-02-01&to=2026-01-31", "?from=2024-01-01&to=2025-01-01"} {
					assertProblem(t, env.do("GET", path+q, w.partner, nil), 400, "invalid")
				}
				// 366 days, both included, is the longest range.
				mustStatus(t, env.do("GET", path+"?from=2024-01-01&to=2024-12-31", w.partner, nil), 200)
			})

			t.Run("Scope", func(t *testing.T) {
				env := env.sub(t)
				for _, p := range []string{path, path + "/export?format=xlsx", path + "/export?format=csv&table=courses"} {
					assertProblem(t, env.do("GET", p, w.otherPartner, nil), 404, "not_found")
					assertProblem(t, env.do("GET", p, w.staffA, nil), 403, "forbidden")
					assertProblem(t, env.do("GET", p, w.volunteerTok, nil), 403, "forbidden")
					assertProblem(t, env.do("GET", p, "", nil), 401, "unauthorized")
				}
				assertProblem(t, env.do("GET", "/api/v1/organisations/nope/coverage", w.admin, nil), 404, "not_found")
			})

			t.Run("ExportCSV", func(t *testing.T) {
				env := env.sub(t)
				rec := env.do("GET", path+"/export?format=csv&table=courses", w.partner, nil)
				mustStatus(t, rec, 200)
				if ct := rec.Header().Get("Content-Type"); ct != export.ContentTypeCSV {
					t.Errorf("Content-Type %q", ct)
				}
				day := time.Now().In(hanoi).Format(time.DateOnly) // the handler dates the file by the wall clock
				if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="ecitizen-partner-courses-`+day+`.csv"` {
					t.Errorf("Content-Disposition %q", cd)
				}
				recs := readCSVExport(t, rec.Body.Bytes())
				if len(recs) != 2 || recs[0][1] != "Tên khoá học" || recs[1][0] != w.courseID || recs[1][1] != "'=Dịch vụ công trực tuyến" ||
					recs[1][4] != "3" || recs[1][5] != "2" || recs[1][6] != "4" || recs[1][8] != "50" {
					t.Errorf("courses CSV: %q", recs)
				}
				rec = env.do("GET", path+"/export?format=csv&table=sessions&lang=en", w.admin, nil)
				mustStatus(t, rec, 200)
				recs = readCSVExport(t, rec.Body.Bytes())
				if len(recs) != 2 || recs[0][0] != "Session ID" || recs[1][2] != "Nhà sinh hoạt cộng đồng tổ 12" || recs[1][5] != "scheduled" ||
					recs[1][7] != "4" || recs[1][8] != "2" || recs[1][9] != "1" || recs[1][10] != "1" || recs[1][11] != "50" {
					t.Errorf("sessions CSV: %q", recs)
				}
				rec = env.do("GET", path+"/export?format=csv&table=volunteers", w.partner, nil)
				mustStatus(t, rec, 200)
				noPersonalNumbers(t, rec.Body.Bytes())
				recs = readCSVExport(t, rec.Body.Bytes())
				last := recs[len(recs)-1]
				if len(recs) != 6 || last[1] != "Tổng cộng" || last[2] != "165" || last[3] != "2.75" {
					t.Errorf("volunteers CSV: %q", recs)
				}
			})

			t.Run("ExportXLSX", func(t *testing.T) {
				env := env.sub(t)
				rec := env.do("GET", path+"/export?format=xlsx", w.partner, nil)
				mustStatus(t, rec, 200)
				if ct := rec.Header().Get("Content-Type"); ct != export.ContentTypeXLSX {
					t.Errorf("Content-Type %q", ct)
				}
				if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="ecitizen-partner-coverage-`) || !strings.HasSuffix(cd, `.xlsx"`) {
					t.Errorf("Content-Disposition %q", cd)
				}
				f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if got := strings.Join(f.GetSheetList(), ","); got != "courses,sessions,volunteers" {
					t.Fatalf("sheets %s", got)
				}
				var all strings.Builder
				for _, sheet := range f.GetSheetList() {
					rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range rows {
						all.WriteString(strings.Join(r, "|") + "\n")
					}
				}
				noPersonalNumbers(t, []byte(all.String()))
				rows, _ := f.GetRows("courses", excelize.Options{RawCellValue: true})
				if rows[1][0] != "Mã khoá học" || rows[2][1] != "=Dịch vụ công trực tuyến" || rows[2][4] != "3" {
					t.Errorf("courses sheet: %q", rows)
				}
				if typ, _ := f.GetCellType("courses", "E3"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
					t.Errorf("enrolments cell type %v, want a number", typ)
				}
				if formula, _ := f.GetCellFormula("courses", "B3"); formula != "" {
					t.Errorf("a title became a formula: %q", formula)
				}
				rows, _ = f.GetRows("volunteers", excelize.Options{RawCellValue: true})
				if last := rows[len(rows)-1]; last[1] != "Tổng cộng" || last[2] != "165" {
					t.Errorf("volunteers sheet: %q", rows)
				}

				rec = env.do("GET", path+"/export?format=xlsx&table=sessions&lang=en", w.partner, nil)
				mustStatus(t, rec, 200)
				f2, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				defer f2.Close()
				rows, _ = f2.GetRows("sessions")
				if len(f2.GetSheetList()) != 1 || rows[1][0] != "Session ID" || rows[2][0] != w.sessionID {
					t.Errorf("one English sheet: %v %q", f2.GetSheetList(), rows)
				}
			})

			t.Run("ErrInvalidExport", func(t *testing.T) {
				env := env.sub(t)
				for q, field := range map[string]string{
					"":                                "format",
					"?format=pdf":                     "format",
					"?format=csv":                     "table",
					"?format=csv&table=residents":     "table",
					"?format=xlsx&lang=fr":            "lang",
					"?format=xlsx&from=2026-02-30":    "from",
					"?format=csv&table=courses&to=x1": "to",
				} {
					rec := env.do("GET", path+"/export"+q, w.partner, nil)
					assertProblem(t, rec, 400, "invalid")
					if p := problemOf(t, rec); len(p.Errors) != 1 || p.Errors[0].Field != field {
						t.Errorf("%s: errors %+v, want one on %s", q, p.Errors, field)
					}
				}
			})
		})
	}
}

func readCSVExport(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// noPersonalNumbers fails when b holds a phone number or an email address.
func noPersonalNumbers(t *testing.T, b []byte) {
	t.Helper()
	for _, s := range []string{partnerPhone, "987654321", partnerEmail, "@"} {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("the export holds %q", s)
		}
	}
	if !bytes.Contains(b, []byte("Phạm Thị Lan")) {
		t.Error("the export lacks the volunteer's display name")
	}
}
