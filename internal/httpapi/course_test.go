package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ecitizen/internal/store/storetest"
)

// courseBody is valid course content: a reading lesson and a lesson with a quiz
// (one single-choice and one multiple-choice question).
func courseBody(title string) map[string]any {
	t := func(vi, en string) map[string]string { return map[string]string{"vi": vi, "en": en} }
	return map[string]any{
		"title":    t(title, title+" (EN)"),
		"summary":  t("Hướng dẫn sử dụng dịch vụ công trực tuyến", "How to use online public services"),
		"audience": "residents", "level": "beginner", "skills": []string{"portal_account"},
		"lessons": []map[string]any{
			{"id": "gioi-thieu", "title": t("Giới thiệu", "Introduction"), "minutes": 5,
				"body": t("## Chào mừng\n\nBài học **đầu tiên**.", "## Welcome\n\nThe **first** lesson.")},
			{"id": "kiem-tra", "title": t("Kiểm tra", "Check"), "minutes": 5,
				"body": t("Trả lời các câu hỏi.", "Answer the questions."),
				"quiz": map[string]any{"pass_mark": 100, "questions": []map[string]any{
					{"id": "q1", "kind": "single", "prompt": t("Mã OTP có được cho người khác không?", "May you give your OTP to others?"),
						"explanation": t("Không bao giờ đưa mã OTP.", "Never give out an OTP."),
						"options": []map[string]any{
							{"id": "a", "text": t("Có", "Yes"), "correct": false},
							{"id": "b", "text": t("Không", "No"), "correct": true}}},
					{"id": "q2", "kind": "multiple", "prompt": t("Chọn các dịch vụ chính thức", "Pick the official services"),
						"explanation": t("VNeID và Cổng Dịch vụ công quốc gia.", "VNeID and the National Public Service Portal."),
						"options": []map[string]any{
							{"id": "a", "text": t("VNeID", "VNeID"), "correct": true},
							{"id": "b", "text": t("Cổng Dịch vụ công quốc gia", "National Public Service Portal"), "correct": true},
							{"id": "c", "text": t("Một trang lạ gửi qua tin nhắn", "A strange site sent by SMS"), "correct": false}}},
				}}},
		},
	}
}

// coursePeople signs in a partner of a new organisation and a volunteer.
type coursePeople struct {
	admin, partner, otherPartner, volunteer string
	org                                     string
}

func newCoursePeople(t *testing.T, env *testEnv, suffix string) coursePeople {
	t.Helper()
	admin := env.adminToken()
	org := env.createOrganisation(admin, "Đại học Bách khoa Hà Nội "+suffix)
	other := env.createOrganisation(admin, "Đại học Kinh tế Quốc dân "+suffix)
	mk := func(role, email, orgID string) string {
		env.createUser(admin, map[string]any{"email": email, "display_name": "Người dùng", "password": "mat-khau-2026", "role": role, "organisation_id": orgID})
		tok, _ := env.login(email, "mat-khau-2026")
		return tok
	}
	return coursePeople{admin: admin, org: org,
		partner:      mk("partner", "dt-"+suffix+"@example.vn", org),
		otherPartner: mk("partner", "dt2-"+suffix+"@example.vn", other),
		volunteer:    mk("volunteer", "tnv-"+suffix+"@example.vn", org)}
}

func (e *testEnv) transition(token, id string, n int, action, note string) int {
	e.t.Helper()
	return e.do("POST", fmt.Sprintf("/api/v1/manage/courses/%s/versions/%d/transitions", id, n), token, map[string]string{"action": action, "note": note}).Code
}

// publishCourse creates and publishes a course of the people's organisation.
func (e *testEnv) publishCourse(p coursePeople, title string) string {
	e.t.Helper()
	id := e.created(p.partner, "/api/v1/manage/courses", courseBody(title))
	if c := e.transition(p.partner, id, 1, "submit", ""); c != http.StatusOK {
		e.t.Fatalf("submit: %d", c)
	}
	if c := e.transition(p.admin, id, 1, "publish", ""); c != http.StatusOK {
		e.t.Fatalf("publish: %d", c)
	}
	return id
}

func TestCourseWorkflow(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			p := newCoursePeople(t, env, ad.Name)
			rec := env.do("POST", "/api/v1/manage/courses", p.partner, courseBody("Dịch vụ công cho người mới"))
			mustStatus(t, rec, http.StatusCreated)
			m := decode(t, rec)
			id := m["id"].(string)
			if m["organisation_id"] != p.org || m["latest"].(map[string]any)["status"] != "draft" {
				t.Fatalf("created %v", m)
			}
			v1 := fmt.Sprintf("/api/v1/manage/courses/%s/versions/1", id)

			t.Run("IllegalTransitionsRefused", func(t *testing.T) {
				e := env.sub(t)
				for _, tc := range []struct {
					token, action string
					status        int
				}{
					{p.admin, "publish", 409}, {p.admin, "request_changes", 409}, {p.partner, "withdraw", 409},
					{p.partner, "publish", 403}, {p.partner, "request_changes", 403}, {p.otherPartner, "submit", 404},
				} {
					rec := e.do("POST", v1+"/transitions", tc.token, map[string]string{"action": tc.action, "note": "x"})
					if rec.Code != tc.status {
						t.Errorf("%s: %d, want %d (%s)", tc.action, rec.Code, tc.status, rec.Body)
					}
					if tc.status == 409 {
						assertProblem(t, rec, 409, "illegal_transition")
					}
				}
				assertProblem(t, e.do("POST", v1+"/transitions", p.partner, map[string]string{"action": "archive"}), 400, "invalid")
			})
			t.Run("ReviewRoundTrip", func(t *testing.T) {
				e := env.sub(t)
				mustStatus(t, e.do("POST", v1+"/transitions", p.partner, map[string]string{"action": "submit"}), 200)
				assertProblem(t, e.do("PUT", v1, p.partner, courseBody("Sửa khi đang duyệt")), 409, "not_editable")
				assertProblem(t, e.do("POST", v1+"/transitions", p.partner, map[string]string{"action": "submit"}), 409, "illegal_transition")
				assertProblem(t, e.do("POST", v1+"/transitions", p.admin, map[string]string{"action": "request_changes"}), 400, "invalid")
				rec := e.do("POST", v1+"/transitions", p.admin, map[string]string{"action": "request_changes", "note": "Thêm bài về thanh toán"})
				mustStatus(t, rec, 200)
				if v := decode(t, rec); v["status"] != "changes_requested" || v["review_note"] != "Thêm bài về thanh toán" {
					t.Fatalf("after request_changes: %v", v)
				}
				mustStatus(t, e.do("PUT", v1, p.partner, courseBody("Dịch vụ công trực tuyến")), 200)
				mustStatus(t, e.do("POST", v1+"/transitions", p.partner, map[string]string{"action": "submit"}), 200)
				rec = e.do("POST", v1+"/transitions", p.admin, map[string]string{"action": "publish"})
				mustStatus(t, rec, 200)
				if v := decode(t, rec); v["status"] != "published" || v["published_at"] == nil {
					t.Fatalf("after publish: %v", v)
				}
				assertProblem(t, e.do("POST", v1+"/transitions", p.admin, map[string]string{"action": "publish"}), 409, "illegal_transition")
			})
			published := env.do("GET", v1, p.partner, nil).Body.String()

			t.Run("PublishedVersionNeverChanges", func(t *testing.T) {
				e := env.sub(t)
				assertProblem(t, e.do("PUT", v1, p.partner, courseBody("Sửa bản đã xuất bản")), 409, "not_editable")
				assertProblem(t, e.do("PUT", v1, p.admin, courseBody("Sửa bản đã xuất bản")), 409, "not_editable")
				if got := e.do("GET", v1, p.partner, nil).Body.String(); got != published {
					t.Fatalf("published version changed:\n%s\n%s", published, got)
				}
			})
			t.Run("LearnerKeepsStartedVersion", func(t *testing.T) {
				e := env.sub(t)
				mustStatus(t, e.do("POST", "/api/v1/courses/"+id+"/start", p.volunteer, nil), 201)
				mustStatus(t, e.do("POST", "/api/v1/courses/"+id+"/start", p.volunteer, nil), 200)
				rec := e.do("POST", "/api/v1/manage/courses/"+id+"/versions", p.partner, nil)
				mustStatus(t, rec, 201)
				if v := decode(t, rec); v["number"] != float64(2) || v["status"] != "draft" {
					t.Fatalf("new version %v", v)
				}
				assertProblem(t, e.do("POST", "/api/v1/manage/courses/"+id+"/versions", p.partner, nil), 409, "draft_exists")
				v2 := fmt.Sprintf("/api/v1/manage/courses/%s/versions/2", id)
				mustStatus(t, e.do("PUT", v2, p.partner, courseBody("Phiên bản hai")), 200)
				mustStatus(t, e.do("POST", v2+"/transitions", p.partner, map[string]string{"action": "submit"}), 200)
				mustStatus(t, e.do("POST", v2+"/transitions", p.admin, map[string]string{"action": "publish"}), 200)

				if got := decode(t, e.do("GET", "/api/v1/courses/"+id, "", nil)); got["title"] != "Phiên bản hai" || got["version"] != float64(2) {
					t.Fatalf("newcomers see %v, want version 2", got)
				}
				if got := decode(t, e.do("GET", "/api/v1/courses/"+id, p.volunteer, nil)); got["title"] != "Dịch vụ công trực tuyến" || got["version"] != float64(1) {
					t.Fatalf("the learner who started v1 sees %v", got)
				}
				if got := decode(t, e.do("GET", "/api/v1/me/courses/"+id, p.volunteer, nil)); got["version"] != float64(1) {
					t.Fatalf("progress %v", got)
				}
				if got := e.do("GET", v1, p.partner, nil).Body.String(); got != published {
					t.Fatal("publishing v2 changed v1")
				}
			})
			t.Run("OtherPartnerSeesNothing", func(t *testing.T) {
				e := env.sub(t)
				for _, r := range []struct{ method, path string }{
					{"GET", "/api/v1/manage/courses/" + id}, {"GET", v1}, {"PUT", v1},
					{"POST", "/api/v1/manage/courses/" + id + "/versions"}, {"POST", "/api/v1/manage/courses/" + id + "/archive"},
				} {
					var body any
					if r.method == "PUT" {
						body = courseBody("x")
					}
					if r.path == "/api/v1/manage/courses/"+id+"/archive" {
						body = map[string]bool{"archived": true}
					}
					assertProblem(t, e.do(r.method, r.path, p.otherPartner, body), 404, "not_found")
				}
				list := decode(t, e.do("GET", "/api/v1/manage/courses", p.otherPartner, nil))["items"].([]any)
				if len(list) != 0 {
					t.Fatalf("other partner lists %d courses", len(list))
				}
			})
			t.Run("ArchivedLeavesCatalogue", func(t *testing.T) {
				// The catalogue's answers are kept between requests (answers):
				// each is read twice, so that the second comes from what was kept.
				e := env.sub(t)
				listed := func() (bool, string) {
					t.Helper()
					var etags []string
					found := false
					for range 2 {
						rec := e.do("GET", "/api/v1/courses", "", nil)
						mustStatus(t, rec, 200)
						etags = append(etags, rec.Header().Get("ETag"))
						found = false
						for _, it := range decode(t, rec)["items"].([]any) {
							found = found || it.(map[string]any)["id"] == id
						}
					}
					if etags[0] != etags[1] {
						t.Fatalf("ETags of one catalogue: %v", etags)
					}
					return found, etags[0]
				}
				if ok, _ := listed(); !ok {
					t.Fatal("published course not in the catalogue")
				}
				mustStatus(t, e.do("POST", "/api/v1/manage/courses/"+id+"/archive", p.partner, map[string]bool{"archived": true}), 200)
				assertProblem(t, e.do("GET", "/api/v1/courses/"+id, "", nil), 404, "not_found")
				ok, archived := listed()
				if ok {
					t.Fatal("archived course still in the catalogue")
				}
				mustStatus(t, e.do("POST", "/api/v1/manage/courses/"+id+"/archive", p.partner, map[string]bool{"archived": false}), 200)
				mustStatus(t, e.do("GET", "/api/v1/courses/"+id, "", nil), 200)
				if ok, restored := listed(); !ok || restored == archived {
					t.Fatalf("restored course listed %v, ETag %s (archived: %s)", ok, restored, archived)
				}
			})
		})
	}
}

// keysIn returns every object key in a JSON document, with its path.
func keysIn(t *testing.T, raw []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	var out []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, vv := range x {
				out = append(out, path+"."+k)
				walk(path+"."+k, vv)
			}
		case []any:
			for _, vv := range x {
				walk(path+"[]", vv)
			}
		}
	}
	walk("", v)
	return out
}

func TestQuizKeysNeverReachLearners(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	p := newCoursePeople(t, env, "keys")
	id := env.publishCourse(p, "Khoá có bài kiểm tra")
	start := env.do("POST", "/api/v1/courses/"+id+"/start", p.volunteer, nil)
	responses := map[string][]byte{
		"catalogue":       env.do("GET", "/api/v1/courses", "", nil).Body.Bytes(),
		"course":          env.do("GET", "/api/v1/courses/"+id, "", nil).Body.Bytes(),
		"lesson":          env.do("GET", "/api/v1/courses/"+id+"/lessons/kiem-tra", "", nil).Body.Bytes(),
		"lesson_signedin": env.do("GET", "/api/v1/courses/"+id+"/lessons/kiem-tra", p.volunteer, nil).Body.Bytes(),
		"start":           start.Body.Bytes(),
		"progress":        env.do("GET", "/api/v1/me/courses/"+id, p.volunteer, nil).Body.Bytes(),
		"my_courses":      env.do("GET", "/api/v1/me/courses", p.volunteer, nil).Body.Bytes(),
	}
	attempt := env.do("POST", "/api/v1/courses/"+id+"/lessons/kiem-tra/attempts", p.volunteer, map[string]any{"answers": map[string][]string{"q1": {"a"}}})
	mustStatus(t, attempt, http.StatusCreated)
	for name, raw := range responses {
		for _, k := range keysIn(t, raw) {
			if strings.HasSuffix(k, ".correct") || strings.HasSuffix(k, ".explanation") || strings.HasSuffix(k, ".body") {
				t.Errorf("%s has %s: %s", name, k, raw)
			}
		}
		if strings.Contains(string(raw), `"correct"`) {
			t.Errorf("%s mentions correct: %s", name, raw)
		}
	}
	// An attempt says per question whether it was right, never which option is.
	for _, k := range keysIn(t, attempt.Body.Bytes()) {
		if strings.HasSuffix(k, ".correct") && k != ".results[].correct" {
			t.Errorf("attempt has %s", k)
		}
		if strings.Contains(k, "options") {
			t.Errorf("attempt has %s", k)
		}
	}
	lesson := decode(t, env.do("GET", "/api/v1/courses/"+id+"/lessons/kiem-tra", "", nil))
	if q := lesson["quiz"].(map[string]any); len(q["questions"].([]any)) != 2 {
		t.Fatalf("lesson quiz %v", q)
	}
}

func TestLearning(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			p := newCoursePeople(t, env, ad.Name)
			id := env.publishCourse(p, "Học qua điện thoại")
			base := "/api/v1/courses/" + id
			assertProblem(t, env.do("POST", base+"/lessons/gioi-thieu/complete", p.volunteer, nil), 409, "course_not_started")
			mustStatus(t, env.do("POST", base+"/start", p.volunteer, nil), 201)
			rec := env.do("POST", base+"/lessons/gioi-thieu/complete", p.volunteer, nil)
			mustStatus(t, rec, 200)
			if got := decode(t, rec); fmt.Sprint(got["lessons_done"]) != "[gioi-thieu]" || got["completed_at"] != nil {
				t.Fatalf("after lesson 1: %v", got)
			}
			assertProblem(t, env.do("POST", base+"/lessons/kiem-tra/complete", p.volunteer, nil), 409, "quiz_not_passed")
			assertProblem(t, env.do("POST", base+"/lessons/khong-co/complete", p.volunteer, nil), 404, "not_found")
			assertProblem(t, env.do("POST", base+"/lessons/kiem-tra/attempts", p.volunteer, map[string]any{"answers": map[string][]string{"q9": {"a"}}}), 400, "invalid")
			assertProblem(t, env.do("POST", base+"/lessons/kiem-tra/attempts", p.volunteer, map[string]any{"answers": map[string][]string{"q1": {"a", "b"}}}), 400, "invalid")
			assertProblem(t, env.do("POST", base+"/lessons/kiem-tra/attempts", p.volunteer, map[string]any{"answers": map[string][]string{"q1": {"z"}}}), 400, "invalid")
			assertProblem(t, env.do("POST", base+"/lessons/gioi-thieu/attempts", p.volunteer, map[string]any{"answers": map[string][]string{}}), 404, "not_found")

			// Half right: 50 < pass mark 100.
			rec = env.do("POST", base+"/lessons/kiem-tra/attempts", p.volunteer, map[string]any{"answers": map[string][]string{"q1": {"b"}, "q2": {"a"}}})
			mustStatus(t, rec, 201)
			got := decode(t, rec)
			if got["score"] != float64(50) || got["passed"] != false {
				t.Fatalf("failed attempt %v", got)
			}
			results := got["results"].([]any)
			if results[0].(map[string]any)["correct"] != true || results[1].(map[string]any)["correct"] != false || results[1].(map[string]any)["explanation"] == "" {
				t.Fatalf("results %v", results)
			}
			rec = env.do("POST", base+"/lessons/kiem-tra/attempts", p.volunteer, map[string]any{"answers": map[string][]string{"q1": {"b"}, "q2": {"b", "a"}}})
			mustStatus(t, rec, 201)
			got = decode(t, rec)
			prog := got["progress"].(map[string]any)
			if got["score"] != float64(100) || got["passed"] != true || prog["completed_at"] == nil || fmt.Sprint(prog["lessons_done"]) != "[gioi-thieu kiem-tra]" {
				t.Fatalf("passing attempt %v", got)
			}
			if prog["best_scores"].(map[string]any)["kiem-tra"] != float64(100) {
				t.Fatalf("best scores %v", prog["best_scores"])
			}
			list := decode(t, env.do("GET", "/api/v1/me/courses", p.volunteer, nil))["items"].([]any)
			if len(list) != 1 || list[0].(map[string]any)["completed_at"] == nil {
				t.Fatalf("my courses %v", list)
			}
			assertProblem(t, env.do("GET", "/api/v1/me/courses/"+id, p.partner, nil), 409, "course_not_started")

			// A draft is, to a learner, what an unknown id is: 404 on every
			// learning route.
			draft := env.created(p.partner, "/api/v1/manage/courses", courseBody("Bản nháp chưa duyệt"))
			for _, learner := range []string{p.volunteer, p.partner} {
				for _, r := range []struct{ method, path string }{{"GET", "/api/v1/me/courses/%s"}, {"POST", "/api/v1/courses/%s/start"},
					{"POST", "/api/v1/courses/%s/lessons/gioi-thieu/complete"}, {"GET", "/api/v1/courses/%s"}} {
					for _, course := range []string{draft, "01a20000-0000-7000-8000-000000000000"} {
						assertProblem(t, env.do(r.method, fmt.Sprintf(r.path, course), learner, nil), 404, "not_found")
					}
				}
			}
		})
	}
}

func TestCatalogueSearch(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			res := env.importBuiltins()
			if res.Created < 7 {
				t.Fatalf("imported %+v", res)
			}
			search := func(q, lang string) []map[string]any {
				req := env.newRequest("GET", "/api/v1/courses?q="+q, "", nil)
				if lang != "" {
					req.Header.Set("Accept-Language", lang)
				}
				rec := env.serve(req)
				mustStatus(t, rec, http.StatusOK)
				var out []map[string]any
				for _, it := range decode(t, rec)["items"].([]any) {
					out = append(out, it.(map[string]any))
				}
				return out
			}
			for _, tc := range []struct{ q, want string }{
				{"dich+vu+cong", "dịch vụ công"}, {"DICH%20VU%20CONG", "dịch vụ công"}, {"d%E1%BB%8Bch+v%E1%BB%A5+c%C3%B4ng", "dịch vụ công"},
				{"vneid", "vneid"}, {"lua+dao", "lừa đảo"}, {"thanh+toan", "thanh toán"},
			} {
				items := search(tc.q, "")
				if len(items) == 0 {
					t.Errorf("q=%s found nothing", tc.q)
					continue
				}
				first := strings.ToLower(items[0]["title"].(string) + " " + items[0]["summary"].(string))
				if !strings.Contains(first, tc.want) {
					t.Errorf("q=%s: first result %q does not contain %q", tc.q, items[0]["title"], tc.want)
				}
			}
			if items := search("%7B%22%24ne%22%3A%20%22%22%7D", ""); len(items) != 0 {
				t.Errorf("an operator-looking query matched %d courses", len(items))
			}
			if items := search("khong+co+khoa+nao+nhu+the", ""); len(items) != 0 {
				t.Errorf("nonsense matched %d", len(items))
			}
			all := search("", "")
			en := search("", "en")
			if len(all) < 7 || len(en) != len(all) || all[0]["title"] == en[0]["title"] {
				t.Fatalf("catalogue vi %d en %d", len(all), len(en))
			}

			t.Run("ETagAndCaching", func(t *testing.T) {
				e := env.sub(t)
				rec := e.do("GET", "/api/v1/courses", "", nil)
				etag := rec.Header().Get("ETag")
				if etag == "" || !strings.Contains(rec.Header().Get("Cache-Control"), "public") {
					t.Fatalf("headers %v", rec.Header())
				}
				req := e.newRequest("GET", "/api/v1/courses", "", nil)
				req.Header.Set("If-None-Match", etag)
				if rec := e.serve(req); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
					t.Fatalf("If-None-Match: %d %q", rec.Code, rec.Body)
				}
			})
			t.Run("ReimportIsIdempotent", func(t *testing.T) {
				again := env.sub(t).importBuiltins()
				if again.Created != 0 || again.Updated != 0 || again.Unchanged != res.Created {
					t.Fatalf("second import %+v after %+v", again, res)
				}
				if n := len(search("", "")); n != len(all) {
					t.Fatalf("catalogue has %d courses after re-import, %d before", n, len(all))
				}
			})
		})
	}
}

func TestLessonMarkdownIsSanitised(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	p := newCoursePeople(t, env, "xss")
	body := courseBody("Bài độc hại")
	lessons := body["lessons"].([]map[string]any)
	lessons[0]["body"] = map[string]string{
		"vi": "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) ![y](data:image/png;base64,AAAA)",
		"en": "[a](JaVaScRiPt:alert(1)) <a href=\"javascript:alert(1)\">b</a> <iframe src=//evil></iframe>",
	}
	id := env.created(p.partner, "/api/v1/manage/courses", body)
	mustStatus(t, env.do("POST", fmt.Sprintf("/api/v1/manage/courses/%s/versions/1/transitions", id), p.partner, map[string]string{"action": "submit"}), 200)
	mustStatus(t, env.do("POST", fmt.Sprintf("/api/v1/manage/courses/%s/versions/1/transitions", id), p.admin, map[string]string{"action": "publish"}), 200)
	for _, lang := range []string{"vi", "en"} {
		req := env.newRequest("GET", "/api/v1/courses/"+id+"/lessons/gioi-thieu", "", nil)
		req.Header.Set("Accept-Language", lang)
		html := strings.ToLower(decode(t, env.serve(req))["html"].(string))
		for _, bad := range []string{"<script", "onerror", `="javascript:`, `="data:`, "<iframe"} {
			if strings.Contains(html, bad) {
				t.Errorf("%s html %q contains %q", lang, html, bad)
			}
		}
	}
}
