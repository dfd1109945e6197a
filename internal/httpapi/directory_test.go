package httpapi

import (
	"fmt"
	"net/http"
	"testing"

	"ecitizen/internal/store/storetest"
)

// TestDirectory covers the rules of wards, centres and organisations over HTTP.
func TestDirectory(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	admin := env.adminToken()
	wardA := env.createWard(admin, "00091", "Phường Bạch Đằng")
	wardB := env.createWard(admin, "00094", "Phường Bách Khoa")
	env.createUser(admin, map[string]any{"email": "cb-a@example.vn", "display_name": "Cán bộ A", "password": "mat-khau-can-bo", "role": "ward_staff", "ward_ids": []string{wardA}})
	staffA, _ := env.login("cb-a@example.vn", "mat-khau-can-bo")

	t.Run("ErrWardCodeTaken", func(t *testing.T) {
		e := env.sub(t)
		rec := e.do("POST", "/api/v1/wards", admin, map[string]string{"code": "00091", "name_vi": "Trùng", "name_en": "Duplicate"})
		assertProblem(t, rec, http.StatusConflict, "ward_code_taken")
	})
	t.Run("WardsListedByCodeAcrossPages", func(t *testing.T) {
		e := env.sub(t)
		for i := range 5 {
			e.createWard(admin, fmt.Sprintf("1%04d", i), fmt.Sprintf("Phường %d", i))
		}
		var codes []string
		path := "/api/v1/wards?limit=3"
		for range 10 {
			rec := e.do("GET", path, "", nil)
			mustStatus(t, rec, http.StatusOK)
			var page struct {
				Items      []wardJSON `json:"items"`
				NextCursor *string    `json:"next_cursor"`
			}
			decodeBody(t, rec, &page)
			for _, w := range page.Items {
				codes = append(codes, w.Code)
			}
			if page.NextCursor == nil {
				break
			}
			path = "/api/v1/wards?limit=3&cursor=" + *page.NextCursor
		}
		want := []string{"00091", "00094", "10000", "10001", "10002", "10003", "10004"}
		if fmt.Sprint(codes) != fmt.Sprint(want) {
			t.Fatalf("codes %v, want %v", codes, want)
		}
	})
	t.Run("MergeWard", func(t *testing.T) {
		e := env.sub(t)
		old := e.createWard(admin, "00097", "Phường Cũ")
		rec := e.do("PATCH", "/api/v1/wards/"+old, admin, map[string]any{"status": "merged", "merged_into": wardB})
		mustStatus(t, rec, http.StatusOK)
		if m := decode(t, rec); m["status"] != "merged" || m["merged_into"] != wardB {
			t.Fatalf("merged ward %v", m)
		}
		// A ward cannot merge into a merged or unknown ward.
		other := e.createWard(admin, "00098", "Phường Khác")
		for _, into := range []string{old, "unknown"} {
			rec := e.do("PATCH", "/api/v1/wards/"+other, admin, map[string]any{"status": "merged", "merged_into": into})
			assertProblem(t, rec, http.StatusBadRequest, "invalid")
		}
		rec = e.do("GET", "/api/v1/wards?status=merged", "", nil)
		mustStatus(t, rec, http.StatusOK)
		if items := decode(t, rec)["items"].([]any); len(items) != 1 {
			t.Fatalf("merged wards: %v", items)
		}
	})
	t.Run("InactiveCentreHiddenFromPublic", func(t *testing.T) {
		e := env.sub(t)
		id := e.createCentre(staffA, wardA, "Nhà văn hoá tổ 3")
		mustStatus(t, e.do("PATCH", "/api/v1/centres/"+id, staffA, map[string]any{"active": false}), http.StatusOK)
		assertProblem(t, e.do("GET", "/api/v1/centres/"+id, "", nil), http.StatusNotFound, "not_found")
		mustStatus(t, e.do("GET", "/api/v1/centres/"+id, staffA, nil), http.StatusOK)
		count := func(token string) int {
			rec := e.do("GET", "/api/v1/wards/"+wardA+"/centres", token, nil)
			mustStatus(t, rec, http.StatusOK)
			n := 0
			for _, it := range decode(t, rec)["items"].([]any) {
				if it.(map[string]any)["id"] == id {
					n++
				}
			}
			return n
		}
		if count("") != 0 || count(staffA) != 1 || count(admin) != 1 {
			t.Fatal("inactive centre visibility is wrong")
		}
	})
	t.Run("ErrOpeningHours", func(t *testing.T) {
		e := env.sub(t)
		for name, spans := range map[string][]map[string]string{
			"CloseBeforeOpen": {{"open": "11:00", "close": "08:00"}},
			"Overlap":         {{"open": "08:00", "close": "11:00"}, {"open": "10:00", "close": "12:00"}},
			"NotDigits":       {{"open": " 8:00", "close": "11:00"}},
			"Signed":          {{"open": "+8:00", "close": "11:00"}},
			"Hour25":          {{"open": "08:00", "close": "25:00"}},
		} {
			t.Run(name, func(t *testing.T) {
				body := centreBody("Nhà văn hoá")
				body["opening_hours"] = map[string]any{"tue": spans}
				assertProblem(t, e.sub(t).do("POST", "/api/v1/wards/"+wardA+"/centres", staffA, body), http.StatusBadRequest, "invalid")
			})
		}
	})
	t.Run("StaffCannotReachAnotherWard", func(t *testing.T) {
		e := env.sub(t)
		other := e.createCentre(admin, wardB, "Nhà văn hoá phường B")
		assertProblem(t, e.do("PATCH", "/api/v1/centres/"+other, staffA, map[string]any{"seats": 3}), http.StatusNotFound, "not_found")
		assertProblem(t, e.do("POST", "/api/v1/wards/"+wardB+"/centres", staffA, centreBody("X")), http.StatusNotFound, "not_found")
	})
}

// TestPartnerManagesOwnVolunteers: a partner may disable a volunteer of their own
// organisation (ending their sessions) and re-enable them, and nothing else; a
// volunteer an admin disabled stays disabled until an admin enables them.
func TestPartnerManagesOwnVolunteers(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) { partnerManagesOwnVolunteers(t, newTestEnv(t, ad)) })
	}
}

func partnerManagesOwnVolunteers(t *testing.T, env *testEnv) {
	admin := env.adminToken()
	org := env.createOrganisation(admin, "Đại học Xây dựng Hà Nội")
	env.createUser(admin, map[string]any{"email": "dt@example.vn", "display_name": "Đối tác", "password": "doi-tac-2026", "role": "partner", "organisation_id": org})
	partner, _ := env.login("dt@example.vn", "doi-tac-2026")
	vol := env.createUser(admin, map[string]any{"email": "tnv@example.vn", "display_name": "Tình nguyện viên", "password": "tinh-nguyen-2026", "role": "volunteer", "organisation_id": org})
	volToken, _ := env.login("tnv@example.vn", "tinh-nguyen-2026")
	partner2 := env.createUser(admin, map[string]any{"email": "dt2@example.vn", "display_name": "Đối tác 2", "password": "doi-tac-2026", "role": "partner", "organisation_id": org})

	mustStatus(t, env.do("PATCH", "/api/v1/users/"+vol, partner, map[string]any{"status": "disabled"}), http.StatusOK)
	assertProblem(t, env.do("GET", "/api/v1/me", volToken, nil), http.StatusUnauthorized, "unauthorized")
	assertProblem(t, env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "tnv@example.vn", "password": "tinh-nguyen-2026"}), http.StatusForbidden, "account_disabled")
	mustStatus(t, env.do("PATCH", "/api/v1/users/"+vol, partner, map[string]any{"status": "active"}), http.StatusOK)
	env.login("tnv@example.vn", "tinh-nguyen-2026")

	// Not a volunteer, or not the status: forbidden; mass assignment of role: forbidden.
	assertProblem(t, env.do("PATCH", "/api/v1/users/"+partner2, partner, map[string]any{"status": "disabled"}), http.StatusForbidden, "forbidden")
	assertProblem(t, env.do("PATCH", "/api/v1/users/"+vol, partner, map[string]any{"role": "admin"}), http.StatusForbidden, "forbidden")
	assertProblem(t, env.do("PATCH", "/api/v1/users/"+vol, partner, map[string]any{"organisation_id": org}), http.StatusForbidden, "forbidden")
	rec := env.do("GET", "/api/v1/users/"+vol, admin, nil)
	if m := decode(t, rec); m["role"] != "volunteer" || m["status"] != "active" {
		t.Fatalf("volunteer after refused changes: %v", m)
	}
	// An admin cannot lock themselves out.
	me := decode(t, env.do("GET", "/api/v1/me", admin, nil))["id"].(string)
	assertProblem(t, env.do("PATCH", "/api/v1/users/"+me, admin, map[string]any{"status": "disabled"}), http.StatusForbidden, "forbidden")

	// Disabled by the admin: the partner cannot undo it (nor by disabling
	// again first), the admin can; then the partner's own disable is theirs.
	mustStatus(t, env.do("PATCH", "/api/v1/users/"+vol, admin, map[string]any{"status": "disabled"}), http.StatusOK)
	mustStatus(t, env.do("PATCH", "/api/v1/users/"+vol, partner, map[string]any{"status": "disabled"}), http.StatusOK)
	assertProblem(t, env.do("PATCH", "/api/v1/users/"+vol, partner, map[string]any{"status": "active"}), http.StatusForbidden, "forbidden")
	if m := decode(t, env.do("GET", "/api/v1/users/"+vol, admin, nil)); m["status"] != "disabled" {
		t.Fatalf("a partner re-enabled a volunteer the admin disabled: %v", m)
	}
	mustStatus(t, env.do("PATCH", "/api/v1/users/"+vol, admin, map[string]any{"status": "active"}), http.StatusOK)
	mustStatus(t, env.do("PATCH", "/api/v1/users/"+vol, partner, map[string]any{"status": "disabled"}), http.StatusOK)
	mustStatus(t, env.do("PATCH", "/api/v1/users/"+vol, partner, map[string]any{"status": "active"}), http.StatusOK)
	env.login("tnv@example.vn", "tinh-nguyen-2026")
}
