package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/directory"
	"ecitizen/internal/store/storetest"
)

// mergeHTTPWorld is wards A, B and C, a centre open all day in A, a staff
// member of A and one of B.
type mergeHTTPWorld struct {
	env                 *testEnv
	admin, staffA       string
	staffB              string
	wardA, wardB, wardC string
	centreA             string
}

func newMergeHTTPWorld(t *testing.T, env *testEnv) *mergeHTTPWorld {
	t.Helper()
	w := &mergeHTTPWorld{env: env, admin: env.adminToken()}
	w.wardA = env.createWard(w.admin, "MA", "Phường Hàng Bông")
	w.wardB = env.createWard(w.admin, "MB", "Phường Hoàn Kiếm")
	w.wardC = env.createWard(w.admin, "MC", "Phường Cửa Nam")
	body := centreBody("Nhà sinh hoạt cộng đồng tổ 3")
	body["opening_hours"] = allDay()
	w.centreA = env.created(w.admin, "/api/v1/wards/"+w.wardA+"/centres", body)
	for _, s := range []struct {
		email, ward string
		tok         *string
	}{{"m-cb-a@example.vn", w.wardA, &w.staffA}, {"m-cb-b@example.vn", w.wardB, &w.staffB}} {
		env.createUser(w.admin, map[string]any{"email": s.email, "display_name": "Cán bộ phường", "password": "mat-khau-2026",
			"role": "ward_staff", "ward_ids": []string{s.ward}})
		*s.tok, _ = env.login(s.email, "mat-khau-2026")
	}
	return w
}

func TestTargetsHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newMergeHTTPWorld(t, env)
			put := func(token, path string, body any) map[string]any {
				t.Helper()
				rec := env.do("PUT", path, token, body)
				mustStatus(t, rec, http.StatusOK)
				return decode(t, rec)
			}
			path := "/api/v1/wards/" + w.wardA + "/targets/"

			got := put(w.admin, path+"2026", map[string]int{"adult_population": 12000, "households": 4100})
			if got["ward_id"] != w.wardA || got["year"] != 2026.0 || got["adult_population"] != 12000.0 || got["households"] != 4100.0 || got["updated_by"] == "" {
				t.Fatalf("stored target %v", got)
			}
			// Last write wins: one target per ward and year.
			put(w.admin, path+"2026", map[string]int{"adult_population": 12500, "households": 0})
			put(w.admin, path+"2025", map[string]int{"adult_population": 11900, "households": 4000})
			var list struct {
				Items []wardTargetJSON `json:"items"`
			}
			rec := env.do("GET", "/api/v1/wards/"+w.wardA+"/targets", w.staffA, nil)
			mustStatus(t, rec, http.StatusOK)
			decodeBody(t, rec, &list)
			if len(list.Items) != 2 || list.Items[0].Year != 2025 || list.Items[1].Year != 2026 || list.Items[1].AdultPopulation != 12500 || list.Items[1].Households != 0 {
				t.Fatalf("targets of A: %+v", list.Items)
			}
			assertProblem(t, env.do("GET", "/api/v1/wards/"+w.wardA+"/targets", w.staffB, nil), 404, "not_found")
			assertProblem(t, env.do("PUT", path+"2026", w.staffA, map[string]int{"adult_population": 1, "households": 1}), 403, "forbidden")

			// Validation.
			assertField(t, env.do("PUT", path+"1999", w.admin, map[string]int{"adult_population": 1, "households": 1}), "year", "range")
			assertField(t, env.do("PUT", path+"2101", w.admin, map[string]int{"adult_population": 1, "households": 1}), "year", "range")
			assertField(t, env.do("PUT", path+"năm", w.admin, map[string]int{"adult_population": 1, "households": 1}), "year", "range")
			assertField(t, env.do("PUT", path+"2026", w.admin, map[string]int{"adult_population": 1}), "households", "required")
			assertField(t, env.do("PUT", path+"2026", w.admin, map[string]int{"adult_population": -1, "households": 1}), "adult_population", "min")
			assertField(t, env.do("PUT", path+"2026", w.admin, map[string]any{"adult_population": 1.5, "households": 1}), "adult_population", "type")
			assertField(t, env.do("PUT", path+"2026", w.admin, map[string]any{"adult_population": 1, "households": 1, "ward_id": w.wardB}), "ward_id", "unknown_field")
			assertProblem(t, env.do("PUT", "/api/v1/wards/"+uuid.NewString()+"/targets/2026", w.admin, map[string]int{"adult_population": 1, "households": 1}), 404, "not_found")

			// The district's share.
			d := put(w.admin, "/api/v1/district/targets/2026", map[string]float64{"ecitizen_share_percent": 35.5})
			if d["year"] != 2026.0 || d["ecitizen_share_percent"] != 35.5 {
				t.Fatalf("district target %v", d)
			}
			put(w.admin, "/api/v1/district/targets/2026", map[string]float64{"ecitizen_share_percent": 40})
			assertField(t, env.do("PUT", "/api/v1/district/targets/2026", w.admin, map[string]float64{"ecitizen_share_percent": 100.5}), "ecitizen_share_percent", "max")
			assertField(t, env.do("PUT", "/api/v1/district/targets/2026", w.admin, map[string]any{}), "ecitizen_share_percent", "required")
			assertField(t, env.do("PUT", "/api/v1/district/targets/3000", w.admin, map[string]float64{"ecitizen_share_percent": 1}), "year", "range")
			assertProblem(t, env.do("PUT", "/api/v1/district/targets/2026", w.staffA, map[string]float64{"ecitizen_share_percent": 1}), 403, "forbidden")
			var dl struct {
				Items []districtTargetJSON `json:"items"`
			}
			rec = env.do("GET", "/api/v1/district/targets", w.staffB, nil)
			mustStatus(t, rec, http.StatusOK)
			decodeBody(t, rec, &dl)
			if len(dl.Items) != 1 || dl.Items[0].EcitizenSharePercent != 40 {
				t.Fatalf("district targets: %+v", dl.Items)
			}

			// What the coverage summaries call.
			ctx := context.Background()
			wt, found, err := env.directory.TargetFor(ctx, w.wardA, 2026)
			if err != nil || !found || wt.AdultPopulation != 12500 {
				t.Fatalf("TargetFor: %+v %v %v", wt, found, err)
			}
			if _, found, err := env.directory.TargetFor(ctx, w.wardB, 2026); err != nil || found {
				t.Fatalf("TargetFor a ward without one: %v %v", found, err)
			}
			dt, found, err := env.directory.DistrictTargetFor(ctx, 2026)
			if err != nil || !found || dt.EcitizenSharePercent != 40 {
				t.Fatalf("DistrictTargetFor: %+v %v %v", dt, found, err)
			}
			year, err := env.directory.TargetsOfYear(ctx, 2026)
			if err != nil || len(year) != 1 || year[0].WardID != w.wardA {
				t.Fatalf("TargetsOfYear: %v %v", year, err)
			}
		})
	}
}

func TestWardMergeHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newMergeHTTPWorld(t, env)
			ctx := context.Background()
			merge := func(token, from, into, reason string) *httptest.ResponseRecorder {
				return env.do("POST", "/api/v1/wards/"+from+"/merge", token, map[string]string{"into_ward_id": into, "reason": reason})
			}
			resident := env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Nguyễn Thị Hoa", "", ""))
			shift := env.created(w.staffA, "/api/v1/centres/"+w.centreA+"/shifts", shiftBody("Hướng dẫn VNeID", localTime(3, 8, 0), 2, 3))

			// Refusals.
			assertField(t, env.do("POST", "/api/v1/wards/"+w.wardA+"/merge", w.admin, map[string]string{"into_ward_id": w.wardB}), "reason", "required")
			assertField(t, merge(w.admin, w.wardA, w.wardB, "   "), "reason", "length")
			assertField(t, env.do("POST", "/api/v1/wards/"+w.wardA+"/merge", w.admin, map[string]string{"reason": "Sáp nhập"}), "into_ward_id", "required")
			assertProblem(t, merge(w.staffA, w.wardA, w.wardB, "Sáp nhập"), 403, "forbidden")
			assertProblem(t, merge(w.admin, w.wardA, w.wardA, "Sáp nhập"), 409, "ward_merge_self")
			assertProblem(t, merge(w.admin, w.wardA, uuid.NewString(), "Sáp nhập"), 404, "not_found")
			assertProblem(t, merge(w.admin, uuid.NewString(), w.wardB, "Sáp nhập"), 404, "not_found")

			rec := merge(w.admin, w.wardA, w.wardB, "Nghị quyết sáp nhập 2025")
			mustStatus(t, rec, http.StatusOK)
			var m wardMergeJSON
			decodeBody(t, rec, &m)
			if m.FromWardID != w.wardA || m.IntoWardID != w.wardB || m.MergedBy == "" || m.Reason != "Nghị quyết sáp nhập 2025" || m.MergedAt.IsZero() {
				t.Fatalf("merge %+v", m)
			}
			rec = env.do("GET", "/api/v1/wards/"+w.wardA, "", nil)
			mustStatus(t, rec, http.StatusOK)
			var a wardJSON
			decodeBody(t, rec, &a)
			if a.Status != "merged" || a.MergedInto == nil || *a.MergedInto != w.wardB || a.MergedAt == nil || !a.MergedAt.Equal(m.MergedAt) {
				t.Fatalf("ward A after the merge: %+v", a)
			}

			// A ward is merged once, and not into a merged ward; the label stays.
			assertProblem(t, merge(w.admin, w.wardA, w.wardB, "Lần nữa"), 409, "ward_merged")
			assertProblem(t, merge(w.admin, w.wardA, w.wardC, "Lần nữa"), 409, "ward_merged")
			assertProblem(t, merge(w.admin, w.wardC, w.wardA, "Vào phường đã sáp nhập"), 409, "ward_merged")
			assertProblem(t, env.do("PATCH", "/api/v1/wards/"+w.wardA, w.admin, map[string]any{"status": "active"}), 409, "ward_merged")

			// Ward A takes nothing new.
			assertProblem(t, env.do("POST", "/api/v1/residents", w.staffA, residentBody(w.wardA, "Trần Văn Nam", "", "")), 409, "ward_merged")
			assertProblem(t, env.do("POST", "/api/v1/residents", w.admin, residentBody(w.wardA, "Trần Văn Nam", "", "")), 409, "ward_merged")
			assertProblem(t, env.do("POST", "/api/v1/wards/"+w.wardA+"/centres", w.admin, centreBody("Nhà mới")), 409, "ward_merged")

			// The resident, the centre and the future shift are B's; A's staff keep
			// seeing them, and so do B's.
			for _, tok := range []string{w.staffA, w.staffB} {
				rec = env.do("GET", "/api/v1/residents/"+resident, tok, nil)
				mustStatus(t, rec, http.StatusOK)
				if r := decode(t, rec); r["ward_id"] != w.wardB {
					t.Fatalf("moved resident %v", r)
				}
				rec = env.do("GET", "/api/v1/wards/"+w.wardB+"/residents", tok, nil)
				mustStatus(t, rec, http.StatusOK)
				if items := decode(t, rec)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != resident {
					t.Fatalf("residents of B: %v", items)
				}
			}
			stored, err := env.store.ResidentByID(ctx, resident)
			if err != nil || stored.OriginWardID != w.wardA {
				t.Fatalf("origin ward of the moved resident: %+v %v", stored, err)
			}
			rec = env.do("GET", "/api/v1/centres/"+w.centreA, "", nil)
			mustStatus(t, rec, http.StatusOK)
			if c := decode(t, rec); c["ward_id"] != w.wardB {
				t.Fatalf("moved centre %v", c)
			}
			sh, err := env.store.ShiftByID(ctx, shift)
			if err != nil || sh.WardID != w.wardB {
				t.Fatalf("future shift after the merge: %+v %v", sh, err)
			}
			// New shifts at the moved centre are B's; A's staff may plan them.
			next := env.created(w.staffA, "/api/v1/centres/"+w.centreA+"/shifts", shiftBody("Hướng dẫn dịch vụ công", localTime(4, 8, 0), 2, 3))
			if sh, err := env.store.ShiftByID(ctx, next); err != nil || sh.WardID != w.wardB {
				t.Fatalf("shift created after the merge: %+v %v", sh, err)
			}
			// Registration into B by A's staff.
			env.created(w.staffA, "/api/v1/residents", residentBody(w.wardB, "Trần Văn Nam", "", ""))

			// Chains: B into C; C's history includes A and B.
			mustStatus(t, merge(w.admin, w.wardB, w.wardC, "Sáp nhập tiếp"), http.StatusOK)
			into, err := env.directory.MergedInto(ctx, w.wardC)
			want := []string{w.wardA, w.wardB}
			slices.Sort(want)
			if err != nil || !slices.Equal(into, want) {
				t.Fatalf("MergedInto(C) = %v, %v; want %v", into, err, want)
			}
			if sh, err := env.store.ShiftByID(ctx, next); err != nil || sh.WardID != w.wardC {
				t.Fatalf("shift after the second merge: %+v %v", sh, err)
			}
		})
	}
}

// TestWardMergeResumes: a merge that stopped after its record (the ward still
// merging, nothing moved) refuses registrations, and is finished by sending it again.
func TestWardMergeResumes(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newMergeHTTPWorld(t, env)
			ctx := context.Background()
			resident := env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Nguyễn Thị Hoa", "", ""))
			admin, err := env.identity.Authenticate(ctx, w.admin)
			if err != nil {
				t.Fatal(err)
			}
			m := &directory.WardMerge{From: w.wardA, Into: w.wardB, At: testNow().UTC().Truncate(time.Millisecond), By: admin.UserID, Reason: "Sáp nhập"}
			if err := env.store.BeginWardMerge(ctx, m); err != nil {
				t.Fatal(err)
			}
			rec := env.do("GET", "/api/v1/wards/"+w.wardA, "", nil)
			if a := decode(t, rec); a["status"] != "merging" || a["merged_at"] != nil {
				t.Fatalf("ward half-way: %v", a)
			}
			assertProblem(t, env.do("POST", "/api/v1/residents", w.staffA, residentBody(w.wardA, "Trần Văn Nam", "", "")), 409, "ward_merged")
			// Another target is refused; the same one finishes the move.
			assertProblem(t, env.do("POST", "/api/v1/wards/"+w.wardA+"/merge", w.admin, map[string]string{"into_ward_id": w.wardC, "reason": "x"}), 409, "ward_merged")
			rec = env.do("POST", "/api/v1/wards/"+w.wardA+"/merge", w.admin, map[string]string{"into_ward_id": w.wardB, "reason": "Thử lại"})
			mustStatus(t, rec, http.StatusOK)
			var got wardMergeJSON
			decodeBody(t, rec, &got)
			if got.Reason != "Sáp nhập" || !got.MergedAt.Equal(m.At) {
				t.Fatalf("resumed merge %+v, want the recorded one", got)
			}
			if r, err := env.store.ResidentByID(ctx, resident); err != nil || r.WardID != w.wardB {
				t.Fatalf("resident after the resumed merge: %+v %v", r, err)
			}
			assertProblem(t, env.do("POST", "/api/v1/wards/"+w.wardA+"/merge", w.admin, map[string]string{"into_ward_id": w.wardB, "reason": "x"}), 409, "ward_merged")
		})
	}
}

// TestWardMergeConcurrent: admins sending the merge of one ward at once store one
// merge record, and one request answers 200; the others 409 ward_merged.
func TestWardMergeConcurrent(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newMergeHTTPWorld(t, env)
			for range 5 {
				env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Nguyễn Thị Hoa "+uuid.NewString()[:4], "", ""))
			}
			const n = 12
			recs := make([]*httptest.ResponseRecorder, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					recs[i] = env.do("POST", "/api/v1/wards/"+w.wardA+"/merge", w.admin,
						map[string]string{"into_ward_id": w.wardB, "reason": fmt.Sprintf("Sáp nhập %d", i)})
				}()
			}
			wg.Wait()
			reasons, oks := map[string]bool{}, 0
			for _, rec := range recs {
				switch rec.Code {
				case http.StatusOK:
					oks++
					var m wardMergeJSON
					decodeBody(t, rec, &m)
					reasons[m.Reason] = true
				case http.StatusConflict:
					assertProblem(t, rec, http.StatusConflict, "ward_merged")
				default:
					t.Fatalf("concurrent merge: %d %s", rec.Code, rec.Body)
				}
			}
			if oks != 1 || len(reasons) != 1 {
				t.Fatalf("%d answers 200 naming %d merges, want 1: %v", oks, len(reasons), reasons)
			}
			ms, err := env.directory.WardMerges(context.Background())
			if err != nil || len(ms) != 1 || !reasons[ms[0].Reason] {
				t.Fatalf("merge records %v %v", ms, err)
			}
			if n, err := env.store.CountResidents(context.Background(), w.wardB); err != nil || n != 5 {
				t.Fatalf("residents of B: %d %v", n, err)
			}
		})
	}
}
