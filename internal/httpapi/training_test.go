package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/store/storetest"
	"ecitizen/internal/training"
)

// sessionBody plans a session of course at centre, starting in a day.
func sessionBody(courseID, centreID string, capacity int) map[string]any {
	start := testNow().UTC().Add(24 * time.Hour).Truncate(time.Minute)
	return map[string]any{"course_id": courseID, "centre_id": centreID, "capacity": capacity,
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(2 * time.Hour).Format(time.RFC3339),
		"trainers": []string{"ThS. Nguyễn Thu Hà"}, "note": "Mang theo điện thoại và căn cước"}
}

type sessionWorld struct {
	people         coursePeople
	staffA, staffB string
	wardA, centreA string
	courseID       string
}

func newSessionWorld(t *testing.T, env *testEnv, suffix string) sessionWorld {
	t.Helper()
	p := newCoursePeople(t, env, suffix)
	w := sessionWorld{people: p}
	w.wardA = env.createWard(p.admin, "A"+suffix, "Phường Bạch Đằng "+suffix)
	wardB := env.createWard(p.admin, "B"+suffix, "Phường Bách Khoa "+suffix)
	w.centreA = env.createCentre(p.admin, w.wardA, "Nhà sinh hoạt cộng đồng tổ 5")
	for _, s := range []struct {
		email, ward string
		tok         *string
	}{{"cb-a-" + suffix + "@example.vn", w.wardA, &w.staffA}, {"cb-b-" + suffix + "@example.vn", wardB, &w.staffB}} {
		env.createUser(p.admin, map[string]any{"email": s.email, "display_name": "Cán bộ phường", "password": "mat-khau-2026", "role": "ward_staff", "ward_ids": []string{s.ward}})
		*s.tok, _ = env.login(s.email, "mat-khau-2026")
	}
	w.courseID = env.publishCourse(p, "Dùng VNeID")
	return w
}

func TestTrainingSessions(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newSessionWorld(t, env, ad.Name)
			p := w.people

			t.Run("ErrInvalidPlan", func(t *testing.T) {
				e := env.sub(t)
				draft := e.created(p.partner, "/api/v1/manage/courses", courseBody("Nháp"))
				for name, mutate := range map[string]func(b map[string]any){
					"ZeroMinutes":    func(b map[string]any) { b["ends_at"] = b["starts_at"] },
					"ThirteenHours":  func(b map[string]any) { b["ends_at"] = testNow().Add(37 * time.Hour).UTC().Format(time.RFC3339) },
					"InThePast":      func(b map[string]any) { b["starts_at"] = "2020-01-01T08:00:00Z"; b["ends_at"] = "2020-01-01T10:00:00Z" },
					"CentreAndVenue": func(b map[string]any) { b["venue"] = "Hội trường UBND phường" },
					"NoPlace":        func(b map[string]any) { delete(b, "centre_id") },
					"UnknownCentre":  func(b map[string]any) { b["centre_id"] = "nope" },
					"DraftCourse":    func(b map[string]any) { b["course_id"] = draft },
					"NoTrainer":      func(b map[string]any) { b["trainers"] = []string{} },
					"ZeroCapacity":   func(b map[string]any) { b["capacity"] = 0 },
				} {
					b := sessionBody(w.courseID, w.centreA, 10)
					mutate(b)
					rec := e.do("POST", "/api/v1/sessions", p.partner, b)
					if rec.Code != http.StatusBadRequest {
						t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
					}
				}
				assertProblem(t, e.do("POST", "/api/v1/sessions", p.otherPartner, func() map[string]any {
					b := sessionBody(w.courseID, w.centreA, 10)
					b["organisation_id"] = p.org
					return b
				}()), 404, "not_found")
			})

			id := env.created(p.partner, "/api/v1/sessions", sessionBody(w.courseID, w.centreA, 10))
			got := decode(t, env.do("GET", "/api/v1/sessions/"+id, "", nil))
			if got["ward_id"] != w.wardA || got["organisation_id"] != p.org || got["places_open"] != float64(10) {
				t.Fatalf("session %v", got)
			}

			t.Run("SelfEnrolmentOnce", func(t *testing.T) {
				e := env.sub(t)
				rec := e.do("POST", "/api/v1/sessions/"+id+"/enrolments", p.volunteer, map[string]any{})
				mustStatus(t, rec, 201)
				if s := decode(t, rec); s["number"] != float64(1) || s["user_id"] == nil {
					t.Fatalf("seat %v", s)
				}
				assertProblem(t, e.do("POST", "/api/v1/sessions/"+id+"/enrolments", p.volunteer, map[string]any{}), 409, "already_enrolled")
				if mine := decode(t, e.do("GET", "/api/v1/me/sessions", p.volunteer, nil))["items"].([]any); len(mine) != 1 {
					t.Fatalf("my sessions %v", mine)
				}
			})
			t.Run("ResidentsByNameOnlyByStaffVolunteersAdmins", func(t *testing.T) {
				e := env.sub(t)
				assertProblem(t, e.do("POST", "/api/v1/sessions/"+id+"/enrolments", p.partner, map[string]string{"name": "Bà Lan"}), 403, "forbidden")
				assertProblem(t, e.do("POST", "/api/v1/sessions/"+id+"/enrolments", w.staffB, map[string]string{"name": "Bà Lan"}), 403, "forbidden")
				mustStatus(t, e.do("POST", "/api/v1/sessions/"+id+"/enrolments", w.staffA, map[string]string{"name": "Bà Lan"}), 201)
				assertProblem(t, e.do("POST", "/api/v1/sessions/"+id+"/enrolments", p.partner, map[string]string{"name": "   "}), 400, "invalid")
			})
			t.Run("HundredConcurrentEnrolmentsFillTen", func(t *testing.T) {
				e := env.sub(t)
				full := e.created(p.partner, "/api/v1/sessions", sessionBody(w.courseID, w.centreA, 10))
				var wg sync.WaitGroup
				codes := make([]int, 100)
				for i := range codes {
					wg.Add(1)
					go func() {
						defer wg.Done()
						codes[i] = e.do("POST", "/api/v1/sessions/"+full+"/enrolments", w.staffA, map[string]string{"name": fmt.Sprintf("Người dân %03d", i)}).Code
					}()
				}
				wg.Wait()
				ok := 0
				for _, c := range codes {
					switch c {
					case 201:
						ok++
					case 409:
					default:
						t.Fatalf("unexpected status %d", c)
					}
				}
				seats, err := e.store.Seats(context.Background(), full)
				if err != nil {
					t.Fatal(err)
				}
				if ok != 10 || len(seats) != 10 {
					t.Fatalf("%d enrolments answered 201 and %d stored, want 10 and 10", ok, len(seats))
				}
				for i, s := range seats {
					if s.Number != i+1 {
						t.Fatalf("seat numbers %v", seats)
					}
				}
				assertProblem(t, e.do("POST", "/api/v1/sessions/"+full+"/enrolments", p.volunteer, map[string]any{}), 409, "session_full")
				// A withdrawal frees a place, which the next enrolment takes.
				rec := e.do("DELETE", "/api/v1/sessions/"+full+"/enrolments/4", w.staffA, map[string]string{"reason": "Ốm"})
				mustStatus(t, rec, 204)
				rec = e.do("POST", "/api/v1/sessions/"+full+"/enrolments", p.volunteer, map[string]any{})
				mustStatus(t, rec, 201)
				if decode(t, rec)["number"] != float64(4) {
					t.Fatalf("re-used place %v", rec.Body)
				}
				// Capacity cannot drop below a taken place.
				b := sessionBody(w.courseID, w.centreA, 9)
				delete(b, "course_id") // a session keeps its course
				assertProblem(t, e.do("PUT", "/api/v1/sessions/"+full, p.partner, b), 409, "capacity_below_enrolled")
			})
			t.Run("EnrolmentsVisibleToOverseersOnly", func(t *testing.T) {
				e := env.sub(t)
				for tok, want := range map[string]int{p.admin: 200, w.staffA: 200, p.partner: 200, w.staffB: 403, p.otherPartner: 403, p.volunteer: 403} {
					if rec := e.do("GET", "/api/v1/sessions/"+id+"/enrolments", tok, nil); rec.Code != want {
						t.Errorf("status %d, want %d", rec.Code, want)
					}
				}
			})
			t.Run("AttendanceAfterStart", func(t *testing.T) {
				e := env.sub(t)
				assertProblem(t, e.do("PATCH", "/api/v1/sessions/"+id+"/enrolments/1", w.staffA, map[string]string{"attendance": "attended"}), 409, "session_not_started")
				se, err := e.store.SessionByID(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				se.StartsAt = testNow().UTC().Add(-time.Hour).Truncate(time.Millisecond)
				se.EndsAt = se.StartsAt.Add(2 * time.Hour)
				if err := training.PutSession(context.Background(), e.store, se, "test"); err != nil {
					t.Fatal(err)
				}
				assertProblem(t, e.do("PATCH", "/api/v1/sessions/"+id+"/enrolments/1", w.staffB, map[string]string{"attendance": "attended"}), 403, "forbidden")
				rec := e.do("PATCH", "/api/v1/sessions/"+id+"/enrolments/1", w.staffA, map[string]string{"attendance": "attended"})
				mustStatus(t, rec, 200)
				if s := decode(t, rec); s["attendance"] != "attended" || s["marked_at"] == nil {
					t.Fatalf("attendance %v", s)
				}
				assertProblem(t, e.do("POST", "/api/v1/sessions/"+id+"/enrolments", w.staffA, map[string]string{"name": "Muộn"}), 409, "session_started")
				assertProblem(t, e.do("DELETE", "/api/v1/sessions/"+id+"/enrolments/1", p.volunteer, map[string]string{}), 409, "session_started")
				assertProblem(t, e.do("POST", "/api/v1/sessions/"+id+"/cancel", p.partner, nil), 409, "session_started")
			})
			t.Run("CancelledSessionTakesNoOne", func(t *testing.T) {
				e := env.sub(t)
				other := e.created(p.partner, "/api/v1/sessions", sessionBody(w.courseID, w.centreA, 5))
				assertProblem(t, e.do("POST", "/api/v1/sessions/"+other+"/cancel", p.otherPartner, nil), 404, "not_found")
				mustStatus(t, e.do("POST", "/api/v1/sessions/"+other+"/cancel", p.partner, nil), 200)
				assertProblem(t, e.do("POST", "/api/v1/sessions/"+other+"/enrolments", p.volunteer, map[string]any{}), 409, "session_cancelled")
				list := decode(t, e.do("GET", "/api/v1/sessions?status=cancelled&course_id="+w.courseID, "", nil))["items"].([]any)
				if len(list) != 1 {
					t.Fatalf("cancelled sessions %v", list)
				}
			})
		})
	}
}

// TestEnrolByNameLimit: a volunteer enrols at most training.MaxNamedByVolunteer
// people by name in one session, even with ten requests at once; the ward's
// staff are not limited; withdrawing one of them frees the allowance. Counted
// in the stored enrolments, on both adapters.
func TestEnrolByNameLimit(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newSessionWorld(t, env, "L"+ad.Name)
			p := w.people
			id := env.created(p.partner, "/api/v1/sessions", sessionBody(w.courseID, w.centreA, 30))
			base := "/api/v1/sessions/" + id + "/enrolments"
			codes := make([]int, 10)
			var wg sync.WaitGroup
			for i := range codes {
				wg.Go(func() {
					codes[i] = env.do("POST", base, p.volunteer, map[string]string{"name": fmt.Sprintf("Người dân %d", i)}).Code
				})
			}
			wg.Wait()
			created := 0
			for _, c := range codes {
				switch c {
				case 201:
					created++
				case 409:
				default:
					t.Errorf("status %d", c)
				}
			}
			if created != training.MaxNamedByVolunteer {
				t.Fatalf("%d of 10 named enrolments by one volunteer succeeded, want %d", created, training.MaxNamedByVolunteer)
			}
			assertProblem(t, env.do("POST", base, p.volunteer, map[string]string{"name": "Một người nữa"}), 409, "enrol_limit")
			mustStatus(t, env.do("POST", base, p.volunteer, nil), 201) // themselves: not by name
			for i := range 5 {
				mustStatus(t, env.do("POST", base, w.staffA, map[string]string{"name": fmt.Sprintf("Cán bộ ghi danh %d", i)}), 201)
			}
			items := decode(t, env.do("GET", base+"?limit=100", p.partner, nil))["items"].([]any)
			if len(items) != training.MaxNamedByVolunteer+1+5 {
				t.Fatalf("%d enrolments stored, want %d", len(items), training.MaxNamedByVolunteer+6)
			}
			var mine float64
			for _, it := range items {
				if m := it.(map[string]any); m["name"] != nil && strings.HasPrefix(m["name"].(string), "Người dân") {
					mine = m["number"].(float64)
				}
			}
			mustStatus(t, env.do("DELETE", fmt.Sprintf("%s/%d", base, int(mine)), p.volunteer, map[string]string{"reason": "Bà không đến được"}), 204)
			mustStatus(t, env.do("POST", base, p.volunteer, map[string]string{"name": "Người thay"}), 201)
		})
	}
}
