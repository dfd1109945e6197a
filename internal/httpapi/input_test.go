package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ecitizen/internal/directory"
	"ecitizen/internal/store/storetest"
)

// TestBadInput: malformed, mistyped, oversized or hostile bodies get a 4xx
// problem with a code, never a 500, and nothing is stored.
func TestBadInput(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	admin, _ := env.login(testAdminEmail, testAdminPassword)
	countUsers := func() int {
		n, err := env.store.CountUsers(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	countWards := func() int {
		ws, err := env.store.ListWards(context.Background(), directory.WardFilter{}, pageAll)
		if err != nil {
			t.Fatal(err)
		}
		return len(ws)
	}
	users, wards := countUsers(), countWards()
	big := `{"email":"a@example.vn","display_name":"` + strings.Repeat("x", 2<<20) + `"}`
	cases := []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"MalformedJSON", "/api/v1/users", `{"email":`, 400, "malformed_json"},
		{"NotAnObject", "/api/v1/users", `[1,2]`, 400, "invalid"},
		{"WrongType", "/api/v1/users", `{"email":42,"display_name":"A","password":"mat-khau-dai-1","role":"admin"}`, 400, "invalid"},
		{"UnknownField", "/api/v1/users", `{"email":"u@example.vn","display_name":"A","password":"mat-khau-dai-1","role":"admin","is_root":true}`, 400, "invalid"},
		{"TwoMegabyteBody", "/api/v1/users", big, 413, "body_too_large"},
		{"InvalidUTF8", "/api/v1/users", "{\"email\":\"u@example.vn\",\"display_name\":\"\xff\xfe\",\"password\":\"mat-khau-dai-1\",\"role\":\"admin\"}", 400, "malformed_json"},
		{"OperatorAsEmail", "/api/v1/users", `{"email":{"$ne":""},"display_name":"A","password":"mat-khau-dai-1","role":"admin"}`, 400, "invalid"},
		{"OperatorStringAsEmail", "/api/v1/users", `{"email":"$where","display_name":"A","password":"mat-khau-dai-1","role":"admin"}`, 400, "invalid"},
		{"MissingRequired", "/api/v1/users", `{"email":"u@example.vn"}`, 400, "invalid"},
		{"BadRole", "/api/v1/users", `{"email":"u@example.vn","display_name":"A","password":"mat-khau-dai-1","role":"root"}`, 400, "invalid"},
		{"ShortPassword", "/api/v1/users", `{"email":"u@example.vn","display_name":"A","password":"short","role":"admin"}`, 400, "invalid"},
		{"ScopeDoesNotFitRole", "/api/v1/users", `{"email":"u@example.vn","display_name":"A","password":"mat-khau-dai-1","role":"ward_staff"}`, 400, "invalid"},
		{"UnknownWard", "/api/v1/users", `{"email":"u@example.vn","display_name":"A","password":"mat-khau-dai-1","role":"ward_staff","ward_ids":["nope"]}`, 400, "invalid"},
		{"TrailingGarbage", "/api/v1/wards", `{"code":"P01","name_vi":"Phường 1","name_en":"Ward 1"} {"x":1}`, 400, "malformed_json"},
		{"WardCodeOperator", "/api/v1/wards", `{"code":{"$gt":""},"name_vi":"Phường","name_en":"Ward"}`, 400, "invalid"},
		{"WardNameTooLong", "/api/v1/wards", `{"code":"P02","name_vi":"` + strings.Repeat("ư", 121) + `","name_en":"Ward"}`, 400, "invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", tc.path, bytes.NewBufferString(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+admin)
			rec := env.serve(req)
			assertProblem(t, rec, tc.status, tc.code)
		})
	}
	t.Run("LoginWithOperators", func(t *testing.T) {
		for _, body := range []string{
			`{"email":{"$ne":""},"password":{"$ne":""}}`,
			`{"email":"` + testAdminEmail + `","password":{"$ne":""}}`,
			`{"email":{"$regex":".*"},"password":"x"}`,
		} {
			req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			assertProblem(t, env.serve(req), http.StatusBadRequest, "invalid")
		}
		// As a literal string, "$ne" is just a wrong email.
		rec := env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": `{"$ne": ""}`, "password": `{"$ne": ""}`})
		assertProblem(t, rec, http.StatusUnauthorized, "invalid_credentials")
	})
	t.Run("UnsupportedMediaType", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/api/v1/wards", strings.NewReader(`code=P1`))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+admin)
		assertProblem(t, env.serve(req), http.StatusUnsupportedMediaType, "unsupported_media_type")
	})
	t.Run("LimitIsCappedAndCursorChecked", func(t *testing.T) {
		if rec := env.do("GET", "/api/v1/users?limit=1000", admin, nil); rec.Code != http.StatusOK {
			t.Fatalf("limit=1000: %d", rec.Code)
		}
		assertProblem(t, env.do("GET", "/api/v1/users?limit=abc", admin, nil), http.StatusBadRequest, "invalid")
		assertProblem(t, env.do("GET", "/api/v1/users?limit=-1", admin, nil), http.StatusBadRequest, "invalid")
		assertProblem(t, env.do("GET", "/api/v1/users?cursor=%%%", admin, nil), http.StatusBadRequest, "invalid")
	})
	t.Run("EnglishMessages", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/api/v1/users", strings.NewReader(`{"email":"u@example.vn"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Accept-Language", "en-US,en;q=0.9")
		p := problemOf(t, env.serve(req))
		if p.Title != "Bad request" || len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Message, "required") {
			t.Fatalf("English problem: %+v", p)
		}
		req.Header.Set("Accept-Language", "vi")
		p = problemOf(t, env.serve(req))
		if p.Title != "Yêu cầu không hợp lệ" || !strings.Contains(p.Errors[0].Message, "không được bỏ trống") {
			t.Fatalf("Vietnamese problem: %+v", p)
		}
	})
	if got := countUsers(); got != users {
		t.Errorf("users stored: %d, want %d", got, users)
	}
	if got := countWards(); got != wards {
		t.Errorf("wards stored: %d, want %d", got, wards)
	}
}

// TestTimeErrorNamesField: a time that is not RFC 3339 is refused with the name of
// the field that holds it, also inside arrays, not with "body".
func TestTimeErrorNamesField(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	admin, _ := env.login(testAdminEmail, testAdminPassword)
	ward := env.createWard(admin, "T01", "Phường Thanh Lương")
	centre := env.createCentre(admin, ward, "Nhà văn hoá tổ 3")
	rec := env.do("POST", "/api/v1/centres/"+centre+"/shifts", admin, map[string]any{
		"title": "Hướng dẫn VNeID", "role": "guide", "places": 2,
		"starts_at": "2027-01-04T08:00:00Z", "ends_at": "mai lúc 11 giờ",
	})
	p := problemOf(t, rec)
	if rec.Code != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != "ends_at" || p.Errors[0].Code != "date_time" {
		t.Fatalf("bad ends_at: %d %+v", rec.Code, p)
	}
	for _, tc := range []struct{ body, value, want string }{
		{`{"a":{"b":[{"c":"x"},{"d":"bad"}]}}`, "bad", "a.b[1].d"},
		{`{"starts_at":"ok","ends_at":"bad"}`, "bad", "ends_at"},
		{`{"x":"y"}`, "missing", "body"},
		{`not json`, "bad", "body"},
	} {
		if got := valuePath([]byte(tc.body), tc.value); got != tc.want {
			t.Errorf("valuePath(%s, %q) = %q, want %q", tc.body, tc.value, got, tc.want)
		}
	}
}

// TestKeysAreExact: a key that matches a field only case-insensitively is an
// unknown field, at any depth, and nothing is stored.
func TestKeysAreExact(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	admin, _ := env.login(testAdminEmail, testAdminPassword)
	for _, tc := range []struct{ path, body, field string }{
		{"/api/v1/wards", `{"CODE":"P09","name_vi":"Phường 9","name_en":"Ward 9"}`, "CODE"},
		{"/api/v1/users", `{"email":"k@example.vn","Display_Name":"A","password":"mat-khau-dai-1","role":"admin"}`, "Display_Name"},
	} {
		req := httptest.NewRequest("POST", tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+admin)
		rec := env.serve(req)
		p := problemOf(t, rec)
		if rec.Code != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != tc.field || p.Errors[0].Code != "unknown_field" {
			t.Errorf("%s %s: %d %+v", tc.path, tc.body, rec.Code, p)
		}
	}
	ward := env.createWard(admin, "P10", "Phường Minh Khai")
	rec := env.do("POST", "/api/v1/wards/"+ward+"/centres", admin, map[string]any{
		"name": "Nhà văn hoá", "address": "Số 1", "opening_hours": map[string]any{"mon": []map[string]string{{"OPEN": "08:00", "close": "11:00"}}},
	})
	if p := problemOf(t, rec); rec.Code != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != "opening_hours.mon[0].OPEN" {
		t.Errorf("nested key: %d %+v", rec.Code, p)
	}
	if ws, err := env.store.ListWards(context.Background(), directory.WardFilter{}, pageAll); err != nil || len(ws) != 1 {
		t.Errorf("wards stored: %d %v, want 1", len(ws), err)
	}
}
