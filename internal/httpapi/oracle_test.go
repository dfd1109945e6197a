package httpapi

import (
	"strings"
	"testing"
	"time"

	"ecitizen/internal/resident"
	"ecitizen/internal/store/storetest"
)

// TestNumbersOutsideTheWardsRevealNothing: staff of ward B registering, or
// checking by dry-run import, a number recorded in ward A learn only that it
// is taken (no id, no ward); ward A's audit trail shows who checked it; and a
// user's number checks are throttled (429 with Retry-After). On both adapters.
func TestNumbersOutsideTheWardsRevealNothing(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := buildTestEnv(t, ad, envSettings{residents: func(d *resident.Deps) { d.NumberCheckBurst, d.NumberCheckEvery = 4, time.Hour }})
			w := newRosterWorld(t, env, "OR")
			wardB := env.createWard(w.admin, "ORB", "Phường Ngoài")
			env.createUser(w.admin, map[string]any{"email": "cb-or-b@example.vn", "display_name": "Cán bộ phường B",
				"password": "mat-khau-2026", "role": "ward_staff", "ward_ids": []string{wardB}})
			tokB, _ := env.login("cb-or-b@example.vn", "mat-khau-2026")
			holder := env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Nguyễn Thị Có Số", "0912 345 001", "001203009001"))

			// The ward's own staff are told who holds it.
			rec := env.do("POST", "/api/v1/residents", w.staffA, residentBody(w.wardA, "Người khác", "0912345001", ""))
			if p := decode(t, rec); rec.Code != 409 || p["existing_id"] != holder {
				t.Fatalf("same ward: %d %v", rec.Code, p)
			}
			// Another ward's staff: taken, nothing more.
			rec = env.do("POST", "/api/v1/residents", tokB, residentBody(wardB, "Người khác", "0912345001", ""))
			p := decode(t, rec)
			if rec.Code != 409 || p["code"] != "duplicate_resident" || p["existing_id"] != nil ||
				strings.Contains(rec.Body.String(), holder) || strings.Contains(rec.Body.String(), w.wardA) || strings.Contains(rec.Body.String(), "Minh Khai") {
				t.Fatalf("another ward: %d %s", rec.Code, rec.Body)
			}
			csv := "full_name,birth_year,residential_group,consent,national_id\nTrần Văn Dò,1960,Tổ 1,x,001203009001\n"
			rec = env.do("POST", "/api/v1/wards/"+wardB+"/residents/import?dry_run=true", tokB, csvBody(csv))
			if rec.Code != 200 || strings.Contains(rec.Body.String(), holder) || !strings.Contains(rec.Body.String(), "duplicate_resident") {
				t.Fatalf("dry-run import from another ward: %d %s", rec.Code, rec.Body)
			}
			// Ward A sees both checks in its audit trail, by staff B.
			audit := env.do("GET", "/api/v1/wards/"+w.wardA+"/audit", w.staffA, nil)
			mustStatus(t, audit, 200)
			checks := 0
			for _, it := range decode(t, audit)["items"].([]any) {
				if a := it.(map[string]any); a["action"] == "number_check" && a["resident_id"] == holder {
					checks++
				}
			}
			if checks != 2 {
				t.Fatalf("%d number checks audited, want 2: %s", checks, audit.Body)
			}
			// Staff B has used 2 of 4 checks; the third and fourth pass, the fifth is throttled.
			for i, phone := range []string{"0912345101", "0912345102"} {
				mustStatus(t, env.do("POST", "/api/v1/residents", tokB, residentBody(wardB, "Người thứ "+string(rune('A'+i)), phone, "")), 201)
			}
			rec = env.do("POST", "/api/v1/residents", tokB, residentBody(wardB, "Người thứ năm", "0912345103", ""))
			assertProblem(t, rec, 429, "rate_limited")
			if rec.Header().Get("Retry-After") == "" {
				t.Fatal("no Retry-After")
			}
			// A resident without numbers checks nothing and passes.
			mustStatus(t, env.do("POST", "/api/v1/residents", tokB, residentBody(wardB, "Người không số", "", "")), 201)
		})
	}
}
