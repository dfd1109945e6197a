package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/certificate"
	"ecitizen/internal/page"
	"ecitizen/internal/store/storetest"
)

// progressFixture records a skill of residentA, for the matrix to revoke.
func (f *matrixFixture) progressFixture(t *testing.T) {
	t.Helper()
	f.progressA = f.env.created(f.tokens[admin], "/api/v1/residents/"+f.residentA+"/progress", progressBody("use_local_platform"))
}

// progressBody records a skill as observed.
func progressBody(skill string) map[string]any {
	return map[string]any{"skill_code": skill, "method": "observed", "evidence": "Tự thực hiện trước mặt tình nguyện viên"}
}

// requiredSkills are the required skills of version 1 of content/skills.yaml.
var requiredSkills = []string{"vneid_level2", "portal_account", "submit_application", "pay_fee_online", "recognise_scam"}

// allSkills are the ten skills of content/skills.yaml.
var allSkills = []string{"vneid_level2", "use_vneid_documents", "portal_account", "submit_application", "track_application",
	"pay_fee_online", "shop_online_safely", "install_official_app", "recognise_scam", "use_local_platform"}

type statusOut struct {
	ECitizen        bool     `json:"e_citizen"`
	Missing         []string `json:"missing"`
	ReachedAt       *string  `json:"reached_at"`
	CertificateCode *string  `json:"certificate_code"`
	Shown           []struct {
		SkillCode string `json:"skill_code"`
		RecordID  string `json:"record_id"`
	} `json:"shown"`
}

func statusOf(t *testing.T, e *testEnv, token, residentID string) statusOut {
	t.Helper()
	rec := e.do("GET", "/api/v1/residents/"+residentID+"/status", token, nil)
	mustStatus(t, rec, http.StatusOK)
	var s statusOut
	decodeBody(t, rec, &s)
	return s
}

// onDutyVolunteer books vol a shift at centre A starting at start (2 hours)
// and has staff check them in.
func onDutyVolunteer(t *testing.T, w *rosterWorld, volID, volToken string, start time.Time) string {
	t.Helper()
	shift := w.shift(t, "Ca hỗ trợ người dân "+volID[len(volID)-4:], localTime(1, 8, 0), 2, 5)
	mustStatus(t, w.env.do("POST", "/api/v1/shifts/"+shift+"/bookings", volToken, map[string]bool{}), 201)
	moveShift(t, w.env, shift, start, 2*time.Hour)
	mustStatus(t, w.env.do("POST", "/api/v1/shifts/"+shift+"/attendance/"+volID, w.staffA,
		map[string]string{"action": "checkin", "reason": "Quét mã thay"}), 201)
	return shift
}

func TestProgressScopeHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "PRS")
			ids, toks := w.volunteers(t, 3)
			resA := env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Nguyễn Thị Hoa", "", ""))
			wardC := env.createWard(w.admin, "PCPRS", "Phường Thanh Lương PRS")
			resC := env.created(w.admin, "/api/v1/residents", residentBody(wardC, "Trần Văn Nam", "", ""))
			path := func(id string) string { return "/api/v1/residents/" + id + "/progress" }

			// Not checked in: not on duty.
			assertProblem(t, env.do("POST", path(resA), toks[0], progressBody("vneid_level2")), 403, "not_on_duty")
			assertProblem(t, env.do("GET", path(resA), toks[0], nil), 403, "not_on_duty")

			// Checked in on a shift that started 10 minutes ago: records, with
			// the centre and shift.
			shift := onDutyVolunteer(t, w, ids[0], toks[0], testNow().Add(-10*time.Minute))
			rec := env.do("POST", path(resA), toks[0], progressBody("vneid_level2"))
			mustStatus(t, rec, 201)
			r := decode(t, rec)
			if r["recorded_by"] != ids[0] || r["centre_id"] != w.centreA || r["shift_id"] != shift || r["method"] != "observed" {
				t.Fatalf("record %v: want recorded by %s at %s during %s", r, ids[0], w.centreA, shift)
			}
			mustStatus(t, env.do("GET", path(resA), toks[0], nil), 200)
			mustStatus(t, env.do("GET", "/api/v1/residents/"+resA+"/status", toks[0], nil), 200)
			// Naming another centre than the shift's: not on duty there.
			wrong := progressBody("portal_account")
			wrong["centre_id"] = wardC
			assertProblem(t, env.do("POST", path(resA), toks[0], wrong), 403, "not_on_duty")

			// Ward A's staff and its volunteer on duty find nothing of ward C.
			for _, tok := range []string{w.staffA, toks[0]} {
				assertProblem(t, env.do("POST", path(resC), tok, progressBody("vneid_level2")), 404, "not_found")
				assertProblem(t, env.do("GET", path(resC), tok, nil), 404, "not_found")
				assertProblem(t, env.do("GET", "/api/v1/residents/"+resC+"/status", tok, nil), 404, "not_found")
			}
			assertProblem(t, env.do("POST", path(resA), w.staffB, progressBody("vneid_level2")), 404, "not_found")

			// Checked in 20 minutes before the start: within the check-in and
			// equipment margins (30 min), outside the recording margin (10 min).
			onDutyVolunteer(t, w, ids[1], toks[1], testNow().Add(20*time.Minute))
			assertProblem(t, env.do("POST", path(resA), toks[1], progressBody("vneid_level2")), 403, "not_on_duty")
			// Checked in, then out: no longer on duty.
			out := onDutyVolunteer(t, w, ids[2], toks[2], testNow().Add(-5*time.Minute))
			mustStatus(t, env.do("POST", path(resA), toks[2], progressBody("portal_account")), 201)
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+out+"/attendance/"+ids[2], w.staffA,
				map[string]string{"action": "checkout", "reason": "Về sớm"}), 201)
			assertProblem(t, env.do("POST", path(resA), toks[2], progressBody("portal_account")), 403, "not_on_duty")

			// Volunteers do not revoke; unknown skills, quiz method and empty
			// evidence are refused; an erased resident takes no record.
			assertProblem(t, env.do("POST", "/api/v1/progress/"+r["id"].(string)+"/revoke", toks[0], map[string]string{"reason": "Nhầm"}), 403, "forbidden")
			assertField(t, env.do("POST", path(resA), w.staffA, progressBody("fly_a_drone")), "skill_code", "unknown")
			quiz := progressBody("recognise_scam")
			quiz["method"] = "quiz"
			assertField(t, env.do("POST", path(resA), w.staffA, quiz), "method", "oneof")
			blank := progressBody("recognise_scam")
			blank["evidence"] = "   "
			assertField(t, env.do("POST", path(resA), w.staffA, blank), "evidence", "length")
			long := progressBody("recognise_scam")
			long["centre_id"] = "no-such-centre"
			assertField(t, env.do("POST", path(resA), w.staffA, long), "centre_id", "not_in_ward")
			mustStatus(t, env.do("POST", "/api/v1/residents/"+resA+"/erase", w.staffA, map[string]string{"reason": "Người dân yêu cầu xoá"}), 200)
			assertProblem(t, env.do("POST", path(resA), w.staffA, progressBody("recognise_scam")), 409, "resident_erased")
		})
	}
}

func TestProgressCertificateHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "PRC")
			ctx := context.Background()
			res := env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Nguyễn Thị Hoa", "", ""))
			path := "/api/v1/residents/" + res + "/progress"

			// 50 concurrent records, 5 of each of the 10 skills.
			var wg sync.WaitGroup
			codes := make([]int, 50)
			for i := range 50 {
				wg.Go(func() {
					tok := w.staffA
					if i%2 == 1 {
						tok = w.admin
					}
					codes[i] = env.do("POST", path, tok, progressBody(allSkills[i%10])).Code
				})
			}
			wg.Wait()
			for i, c := range codes {
				if c != http.StatusCreated {
					t.Fatalf("record %d: %d", i, c)
				}
			}
			recs, revs, err := env.store.ProgressOfResident(ctx, res)
			if err != nil || len(recs) != 50 || len(revs) != 0 {
				t.Fatalf("stored %d records, %d revocations (%v), want 50, 0", len(recs), len(revs), err)
			}
			certs, err := env.store.CertificatesOfHolder(ctx, res, page.Request{})
			if err != nil || len(certs) != 1 || certs[0].Revocation != nil || certs[0].Kind != certificate.KindECitizen {
				t.Fatalf("certificates after 50 concurrent records: %d (%v), want one live e-citizen", len(certs), err)
			}
			st := statusOf(t, env, w.staffA, res)
			if !st.ECitizen || len(st.Missing) != 0 || st.ReachedAt == nil || st.CertificateCode == nil || *st.CertificateCode != certs[0].Code {
				t.Fatalf("status %+v, want an e-citizen holding %s", st, certs[0].Code)
			}
			mustStatus(t, env.do("GET", "/api/v1/verify/"+certs[0].Code, "", nil), 200)

			// Revoking every record of one required skill, concurrently by
			// two staff members each: each record is revoked once, the status
			// is lost and the certificate revoked once.
			var ofSkill []string
			for _, r := range recs {
				if r.SkillCode == "pay_fee_online" {
					ofSkill = append(ofSkill, r.ID)
				}
			}
			revCodes := make([]int, 2*len(ofSkill))
			for i := range revCodes {
				wg.Go(func() {
					tok := w.staffA
					if i%2 == 1 {
						tok = w.admin
					}
					revCodes[i] = env.do("POST", "/api/v1/progress/"+ofSkill[i/2]+"/revoke", tok,
						map[string]string{"reason": "Ghi nhầm người"}).Code
				})
			}
			wg.Wait()
			for i := 0; i < len(revCodes); i += 2 {
				if a, b := revCodes[i], revCodes[i+1]; !(a == 200 && b == 409 || a == 409 && b == 200) {
					t.Fatalf("two revocations of record %s: %d and %d, want one 200 and one 409", ofSkill[i/2], a, b)
				}
			}
			assertProblem(t, env.do("POST", "/api/v1/progress/"+ofSkill[0]+"/revoke", w.staffA, map[string]string{"reason": "Lần nữa"}),
				409, "record_revoked")
			st = statusOf(t, env, w.staffA, res)
			if st.ECitizen || st.CertificateCode != nil || fmt.Sprint(st.Missing) != "[pay_fee_online]" {
				t.Fatalf("status after revoking pay_fee_online: %+v", st)
			}
			assertProblem(t, env.do("GET", "/api/v1/verify/"+certs[0].Code, "", nil), 410, "certificate_revoked")
			old, err := env.store.CertificateByCode(ctx, certs[0].Code)
			if err != nil || old.Revocation == nil {
				t.Fatalf("certificate %s not revoked: %v", certs[0].Code, err)
			}

			// Showing the skill again makes them an e-citizen again, with a new certificate.
			mustStatus(t, env.do("POST", path, w.staffA, progressBody("pay_fee_online")), 201)
			st = statusOf(t, env, w.staffA, res)
			if !st.ECitizen || st.CertificateCode == nil || *st.CertificateCode == certs[0].Code {
				t.Fatalf("status after recording again: %+v", st)
			}
			certs, _ = env.store.CertificatesOfHolder(ctx, res, page.Request{})
			if len(certs) != 2 {
				t.Fatalf("%d certificates, want the revoked one and a new one", len(certs))
			}
			mustStatus(t, env.do("GET", "/api/v1/verify/"+*st.CertificateCode, "", nil), 200)

			// The list shows every record, revoked ones with their revocation.
			rec := env.do("GET", path, w.staffA, nil)
			mustStatus(t, rec, 200)
			var list struct {
				Items []struct {
					ID         string         `json:"id"`
					Revocation map[string]any `json:"revocation"`
				} `json:"items"`
			}
			decodeBody(t, rec, &list)
			revoked := 0
			for _, it := range list.Items {
				if it.Revocation != nil {
					revoked++
				}
			}
			if len(list.Items) != 51 || revoked != len(ofSkill) {
				t.Fatalf("list: %d items, %d revoked; want 51, %d", len(list.Items), revoked, len(ofSkill))
			}
		})
	}
}

func TestProgressRevokeCompletingRecordHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "PRV")
			res := env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Lê Thị Lan", "", ""))
			var last string
			for _, s := range requiredSkills {
				st := statusOf(t, env, w.staffA, res)
				if st.ECitizen || st.CertificateCode != nil {
					t.Fatalf("e-citizen before %s: %+v", s, st)
				}
				last = env.created(w.staffA, "/api/v1/residents/"+res+"/progress", progressBody(s))
			}
			st := statusOf(t, env, w.staffA, res)
			if !st.ECitizen || st.CertificateCode == nil {
				t.Fatalf("status after every required skill: %+v", st)
			}
			code := *st.CertificateCode
			assertProblem(t, env.do("POST", "/api/v1/progress/"+last+"/revoke", w.staffB, map[string]string{"reason": "Nhầm"}), 404, "not_found")
			rec := env.do("POST", "/api/v1/progress/"+last+"/revoke", w.staffA, map[string]string{"reason": "Ghi nhầm người"})
			mustStatus(t, rec, 200)
			if rv := decode(t, rec)["revocation"].(map[string]any); rv["reason"] != "Ghi nhầm người" {
				t.Fatalf("revocation %v", rv)
			}
			st = statusOf(t, env, w.staffA, res)
			if st.ECitizen || st.CertificateCode != nil || st.ReachedAt != nil {
				t.Fatalf("status after revoking the completing record: %+v", st)
			}
			assertProblem(t, env.do("GET", "/api/v1/verify/"+code, "", nil), 410, "certificate_revoked")
			cert, err := env.store.CertificateByCode(context.Background(), code)
			if err != nil || cert.Revocation == nil || !containsAll(cert.Revocation.Reason, last) {
				t.Fatalf("certificate revocation %+v (%v): want a reason naming record %s", cert.Revocation, err, last)
			}
		})
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// assistedQuizBody is an assisted attempt at a lesson's quiz.
func assistedQuizBody(courseID, lessonID string, answers map[string][]string) map[string]any {
	if answers == nil {
		answers = map[string][]string{}
	}
	return map[string]any{"course_id": courseID, "lesson_id": lessonID, "answers": answers}
}

func TestAssistedQuizHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			env.importBuiltins()
			w := newRosterWorld(t, env, "PRQ")
			ids, toks := w.volunteers(t, 2)
			ctx := context.Background()
			safety, err := env.store.CourseByBuiltinSlug(ctx, "online-safety") // teaches recognise_scam (quiz allowed)
			if err != nil {
				t.Fatal(err)
			}
			vneid, err := env.store.CourseByBuiltinSlug(ctx, "vneid") // teaches observed-only skills
			if err != nil {
				t.Fatal(err)
			}
			res := env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Phạm Thị Mai", "", ""))
			path := "/api/v1/residents/" + res + "/quiz-attempts"
			pass := map[string][]string{"q1": {"b", "c", "d"}, "q2": {"b"}, "q3": {"a"}, "q4": {"b"}}
			fail := map[string][]string{"q1": {"a"}, "q2": {"a"}}

			// A volunteer not on duty may not; one on duty may.
			assertProblem(t, env.do("POST", path, toks[0], assistedQuizBody(safety.ID, "impersonation-calls", pass)), 403, "not_on_duty")
			shift := onDutyVolunteer(t, w, ids[0], toks[0], testNow().Add(-5*time.Minute))
			assertProblem(t, env.do("POST", path, w.staffB, assistedQuizBody(safety.ID, "impersonation-calls", pass)), 404, "not_found")
			assertProblem(t, env.do("POST", path, w.staffA, assistedQuizBody(safety.ID, "no-such-lesson", pass)), 404, "not_found")
			assertField(t, env.do("POST", path, w.staffA, assistedQuizBody(safety.ID, "impersonation-calls",
				map[string][]string{"q9": {"a"}})), "answers.q9", "unknown_question")

			// Failed: stored, no record.
			rec := env.do("POST", path, toks[0], assistedQuizBody(safety.ID, "impersonation-calls", fail))
			mustStatus(t, rec, 201)
			failed := decode(t, rec)
			if failed["passed"] != false || len(failed["records"].([]any)) != 0 || failed["shift_id"] != shift || failed["by"] != ids[0] {
				t.Fatalf("failed attempt: %v", failed)
			}
			// Passed, of a course teaching a skill that accepts quiz evidence:
			// a quiz record of recognise_scam.
			rec = env.do("POST", path, toks[0], assistedQuizBody(safety.ID, "impersonation-calls", pass))
			mustStatus(t, rec, 201)
			passed := decode(t, rec)
			records := passed["records"].([]any)
			if passed["passed"] != true || len(records) != 1 {
				t.Fatalf("passed attempt: %v", passed)
			}
			if r := records[0].(map[string]any); r["skill_code"] != "recognise_scam" || r["method"] != "quiz" || !strings.Contains(r["evidence"].(string), passed["id"].(string)) {
				t.Fatalf("quiz record %v", r)
			}
			// Passed, of a course whose skills need an observation: stored, no record.
			vq := map[string][]string{"q1": {"a"}, "q2": {"b"}, "q3": {"a", "c", "d"}, "q4": {"b"}}
			rec = env.do("POST", path, w.staffA, assistedQuizBody(vneid.ID, "what-is-vneid", vq))
			mustStatus(t, rec, 201)
			if out := decode(t, rec); out["passed"] != true || len(out["records"].([]any)) != 0 {
				t.Fatalf("attempt of a course of observed-only skills made records: %v", out)
			}

			recs, _, err := env.store.ProgressOfResident(ctx, res)
			if err != nil || len(recs) != 1 || recs[0].Method != "quiz" {
				t.Fatalf("records after the attempts: %+v (%v), want one quiz record", recs, err)
			}
			rec = env.do("GET", path, w.staffA, nil)
			mustStatus(t, rec, 200)
			var list struct {
				Items []map[string]any `json:"items"`
			}
			decodeBody(t, rec, &list)
			if len(list.Items) != 3 || list.Items[0]["passed"] != false || list.Items[1]["passed"] != true {
				t.Fatalf("attempts: %v", list.Items)
			}
			assertProblem(t, env.do("GET", path, w.staffB, nil), 404, "not_found")
			assertProblem(t, env.do("GET", path, toks[1], nil), 403, "not_on_duty")
			st := statusOf(t, env, w.staffA, res)
			if len(st.Shown) != 1 || st.Shown[0].SkillCode != "recognise_scam" {
				t.Fatalf("status %+v: want recognise_scam shown", st)
			}
		})
	}
}
