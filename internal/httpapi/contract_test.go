package httpapi

// Contract tests: api/openapi.yaml against the router and the responses.
//
// The validator is github.com/getkin/kin-openapi v0.153.0. It loads OpenAPI 3.1
// documents and, for them, openapi3filter validates bodies with a JSON Schema
// 2020-12 validator (santhosh-tekuri/jsonschema v6), so 3.1 forms such as
// `type: [string, "null"]` and `const` are enforced rather than ignored.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/httpx"
	"ecitizen/internal/store/storetest"
)

var (
	contractOnce   sync.Once
	contractDoc    *openapi3.T
	contractRouter routers.Router
	contractErr    error
)

// contract returns api/openapi.yaml loaded, validated and routed, once per process.
func contract(tb testing.TB) (*openapi3.T, routers.Router) {
	tb.Helper()
	raw := readSpec(tb)
	contractOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(raw)
		if err != nil {
			contractErr = fmt.Errorf("load: %w", err)
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			contractErr = fmt.Errorf("not a valid OpenAPI document: %w", err)
			return
		}
		// Match requests whatever their host (httptest uses example.com).
		doc.Servers = openapi3.Servers{{URL: "/"}}
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			contractErr = fmt.Errorf("router: %w", err)
			return
		}
		contractDoc, contractRouter = doc, router
	})
	if contractErr != nil {
		tb.Fatalf("api/openapi.yaml: %v", contractErr)
	}
	return contractDoc, contractRouter
}

// checkRequest validates a request the service accepted (a 2xx or 3xx answer)
// against api/openapi.yaml's request rules (parameters and body schema, with
// kin-openapi's request validator): a request the contract calls invalid must
// be refused, so the binding rules and the contract cannot drift apart.
// Requests the contract does not route are checkResponse's concern.
func checkRequest(t *testing.T, req *http.Request, body []byte, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 400 {
		return
	}
	_, router := contract(t)
	r := req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := router.FindRoute(r)
	if err != nil {
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		t.Errorf("%s %s -> %d: the contract of %s refuses this request, the service accepted it: %v\nbody: %s",
			req.Method, req.URL.RequestURI(), rec.Code, route.Operation.OperationID, err, body)
	}
}

// checkResponse validates a recorded response against api/openapi.yaml: for a
// request the contract routes, the status must be documented for the operation
// and the headers, content type and body must match it; for any other request
// the answer must be a 404 route_not_found or 405 method_not_allowed problem, a
// 413 problem, or a CORS preflight's 204. Every problem body
// must also agree with its response: status, instance, request_id and type. req
// is the request as served (its body may be consumed). Mismatches are reported
// with t.Errorf, so a test sees all of them.
func checkResponse(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	doc, router := contract(t)
	where := fmt.Sprintf("%s %s -> %d", req.Method, req.URL.RequestURI(), rec.Code)
	body := rec.Body.Bytes()
	ct := rec.Header().Get("Content-Type")

	if rec.Header().Get("X-Request-ID") == "" {
		t.Errorf("%s: no X-Request-ID header", where)
	}
	route, params, err := router.FindRoute(req)
	switch {
	case err == nil:
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 rec.Code,
			Header:                 rec.Header(),
			Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		in.SetBodyBytes(body)
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s: response does not match the contract of %s: %v\nbody: %s", where, route.Operation.OperationID, err, body)
		}
		// ValidateResponse skips the body when the response declares no content.
		if resp := route.Operation.Responses.Status(rec.Code); resp != nil && resp.Value != nil &&
			len(resp.Value.Content) == 0 && len(body) > 0 {
			t.Errorf("%s: the contract declares no body, got %q", where, body)
		}
	case errors.Is(err, routers.ErrPathNotFound), errors.Is(err, routers.ErrMethodNotAllowed):
		switch rec.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge:
			// Unknown routes and methods, and bodies refused before routing.
			checkProblemSchema(t, doc, where, ct, body)
			if rec.Code == http.StatusMethodNotAllowed && rec.Header().Get("Allow") == "" {
				t.Errorf("%s: 405 without an Allow header", where)
			}
		case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			// Gin's trailing-slash redirect (engine.RedirectTrailingSlash) answers before
			// any middleware runs: no request id, no security headers, no problem body.
			t.Errorf("%s: redirect to %q is not in the contract (Gin RedirectTrailingSlash)", where, rec.Header().Get("Location"))
		case http.StatusNoContent:
			// A CORS preflight of a configured origin, answered by the middleware.
			if req.Method != http.MethodOptions || rec.Header().Get("Access-Control-Allow-Origin") == "" {
				t.Errorf("%s: 204 for a request the contract does not route", where)
			}
		default:
			t.Errorf("%s: the contract has no operation for this request; body: %s", where, body)
		}
	default:
		t.Errorf("%s: routing against the contract: %v", where, err)
	}

	if mt, _, _ := strings.Cut(ct, ";"); strings.TrimSpace(mt) == problemJSON {
		var p Problem
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("%s: problem body: %v", where, err)
			return
		}
		if p.Status != rec.Code {
			t.Errorf("%s: problem status %d", where, p.Status)
		}
		if p.Type != problemTypePrefix+string(p.Code) {
			t.Errorf("%s: problem type %q does not match code %q", where, p.Type, p.Code)
		}
		if p.Instance != req.URL.Path {
			t.Errorf("%s: problem instance %q, want %q", where, p.Instance, req.URL.Path)
		}
		if id := rec.Header().Get("X-Request-ID"); p.RequestID != id {
			t.Errorf("%s: problem request_id %q, header X-Request-ID %q", where, p.RequestID, id)
		}
		if want, ok := httpx.Status(p.Code); !ok || want != rec.Code {
			t.Errorf("%s: code %q maps to status %d in httpx/status.go", where, p.Code, want)
		}
	} else if rec.Code >= 400 {
		t.Errorf("%s: error with Content-Type %q, want %s", where, ct, problemJSON)
	}
}

// checkProblemSchema validates a body the contract does not route against the
// Problem schema.
func checkProblemSchema(t *testing.T, doc *openapi3.T, where, ct string, body []byte) {
	t.Helper()
	if mt, _, _ := strings.Cut(ct, ";"); strings.TrimSpace(mt) != problemJSON {
		t.Errorf("%s: Content-Type %q, want %s", where, ct, problemJSON)
		return
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s: problem body %q: %v", where, body, err)
		return
	}
	schema := doc.Components.Schemas["Problem"]
	if schema == nil || schema.Value == nil {
		t.Fatalf("the contract has no Problem schema")
	}
	if err := schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		t.Errorf("%s: body is not a Problem: %v\nbody: %s", where, err, body)
	}
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// TestRoutesMatchSpec fails for every route of the router the contract lacks, and
// every operation of the contract the router lacks.
func TestRoutesMatchSpec(t *testing.T) {
	doc, _ := contract(t)
	// Listing routes needs no services: no handler runs.
	h, err := New(Deps{Spec: readSpec(t)})
	if err != nil {
		t.Fatal(err)
	}
	engine, ok := h.(*gin.Engine)
	if !ok {
		t.Fatalf("New returned %T, want *gin.Engine", h)
	}
	router := map[string]bool{}
	for _, r := range engine.Routes() {
		router[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	spec := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			spec[strings.ToUpper(method)+" "+path] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(router)) {
		if !spec[k] {
			t.Errorf("route %s is not in api/openapi.yaml", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(spec)) {
		if !router[k] {
			t.Errorf("operation %s of api/openapi.yaml is not routed", k)
		}
	}
	if len(router) == 0 {
		t.Error("the router has no routes")
	}
}

// TestSpecConventions checks what every operation of the contract must have.
func TestSpecConventions(t *testing.T) {
	doc, _ := contract(t)
	vietnamese := regexp.MustCompile(`[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ]`)
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := strings.ToUpper(method) + " " + path
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", name)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s: operationId %s also used by %s", name, op.OperationID, other)
			}
			ids[op.OperationID] = name
			if len(op.Tags) == 0 || op.Summary == "" {
				t.Errorf("%s: needs tags and an English summary", name)
			}
			if !vietnamese.MatchString(op.Description) {
				t.Errorf("%s: the description needs a Vietnamese line", name)
			}
			codes := slices.Collect(maps.Keys(op.Responses.Map()))
			has := func(status int) bool { return slices.Contains(codes, strconv.Itoa(status)) }
			if !slices.ContainsFunc(codes, func(c string) bool { return strings.HasPrefix(c, "2") }) {
				t.Errorf("%s: no success response", name)
			}
			if !has(http.StatusInternalServerError) {
				t.Errorf("%s: no 500 response", name)
			}
			public := op.Security != nil && len(*op.Security) == 0
			if !public && !has(http.StatusUnauthorized) {
				t.Errorf("%s: accepts tokens but has no 401 response", name)
			}
			if op.RequestBody != nil {
				for _, s := range []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType} {
					if !has(s) {
						t.Errorf("%s: takes a body but has no %d response", name, s)
					}
				}
			}
			if strings.HasPrefix(path, "/api/v1/") && !has(http.StatusServiceUnavailable) {
				t.Errorf("%s: uses the store but has no 503 response", name)
			}
			for code, ref := range op.Responses.Map() {
				status, _ := strconv.Atoi(code)
				if status >= 400 && (ref.Value == nil || ref.Value.Content.Get(problemJSON) == nil) {
					t.Errorf("%s: response %s is not %s", name, code, problemJSON)
				}
			}
		}
	}
}

// TestSpecErrorCodesMatchStatuses keeps the contract's error codes in step with
// the status table of httpx (status.go).
func TestSpecErrorCodesMatchStatuses(t *testing.T) {
	doc, _ := contract(t)
	enum := doc.Components.Schemas["ErrorCode"].Value.Enum
	inSpec := map[string]bool{}
	for _, v := range enum {
		inSpec[fmt.Sprint(v)] = true
	}
	for code, status := range httpx.Statuses() {
		if !inSpec[string(code)] {
			t.Errorf("code %s is not in components.schemas.ErrorCode", code)
		}
		row := fmt.Sprintf("| `%s` | %d |", code, status)
		if !strings.Contains(doc.Info.Description, row) {
			t.Errorf("info.description lacks the row %q", row)
		}
	}
	for c := range inSpec {
		if _, ok := httpx.Status(apperr.Code(c)); !ok {
			t.Errorf("ErrorCode %s of the contract has no status in httpx/status.go", c)
		}
	}
}

// TestProblemsAreSpecCompliant drives error paths of the middleware and binding
// through the real router; do checks each answer against the contract.
func TestProblemsAreSpecCompliant(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	huge := `{"email":"a@example.vn","password":"` + strings.Repeat("x", 2<<20) + `"}`
	cases := []struct {
		name      string
		method    string
		path      string
		body      any
		header    map[string]string
		status    int
		code      string
		field     string // the first errors[].field, when set
		fieldCode string
	}{
		{name: "unknown route", method: "GET", path: "/api/v1/nope", status: 404, code: "route_not_found"},
		{name: "wrong method", method: "DELETE", path: "/api/v1/me", status: 405, code: "method_not_allowed"},
		{name: "malformed JSON", method: "POST", path: "/api/v1/auth/login", body: `{"email":`, status: 400, code: "malformed_json"},
		{name: "body over 1 MiB", method: "POST", path: "/api/v1/auth/login", body: huge, status: 413, code: "body_too_large"},
		{name: "unknown field", method: "POST", path: "/api/v1/auth/login",
			body:   map[string]any{"email": "a@example.vn", "password": "secret-password", "role": "admin"},
			status: 400, code: "invalid", field: "role", fieldCode: "unknown_field"},
		{name: "missing field", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": "a@example.vn"},
			status: 400, code: "invalid", field: "password", fieldCode: "required"},
		{name: "not JSON", method: "POST", path: "/api/v1/auth/login", body: `email=a`,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: 415, code: "unsupported_media_type"},
		{name: "no token", method: "GET", path: "/api/v1/me", status: 401, code: "unauthorized"},
		{name: "bad token on a public read", method: "GET", path: "/api/v1/wards", header: map[string]string{"Authorization": "Bearer nope"},
			status: 401, code: "unauthorized"},
		{name: "bad limit", method: "GET", path: "/api/v1/wards?limit=-1", status: 400, code: "invalid", field: "limit", fieldCode: "min"},
		{name: "bad cursor", method: "GET", path: "/api/v1/wards?cursor=%21%21", status: 400, code: "invalid", field: "cursor", fieldCode: "cursor"},
		{name: "wrong credentials, in English", method: "POST", path: "/api/v1/auth/login",
			body:   map[string]any{"email": testAdminEmail, "password": "not-the-password"},
			header: map[string]string{"Accept-Language": "en-GB,en;q=0.9"}, status: 401, code: "invalid_credentials"},
		{name: "unknown ward", method: "GET", path: "/api/v1/wards/does-not-exist", status: 404, code: "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := env.sub(t)
			req := env.newRequest(tc.method, tc.path, "", tc.body)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			rec := env.serve(req)
			mustStatus(t, rec, tc.status)
			if ct := rec.Header().Get("Content-Type"); ct != problemJSON {
				t.Errorf("Content-Type %q, want %s", ct, problemJSON)
			}
			var p Problem
			decodeBody(t, rec, &p)
			if string(p.Code) != tc.code {
				t.Errorf("code %q, want %q", p.Code, tc.code)
			}
			if tc.field != "" {
				// The suffix match tolerates "listQuery.limit": bindError names a field of
				// an embedded query struct by its Go path (reported to the lead).
				if len(p.Errors) == 0 || !(p.Errors[0].Field == tc.field || strings.HasSuffix(p.Errors[0].Field, "."+tc.field)) ||
					p.Errors[0].Code != tc.fieldCode {
					t.Errorf("errors %+v, want field %s with code %s first", p.Errors, tc.field, tc.fieldCode)
				}
			}
			wantLang := "vi"
			if strings.HasPrefix(tc.header["Accept-Language"], "en") {
				wantLang = "en"
			}
			if got := rec.Header().Get("Content-Language"); got != wantLang {
				t.Errorf("Content-Language %q, want %q", got, wantLang)
			}
			if tc.status == http.StatusUnauthorized && strings.HasPrefix(tc.path, "/api/v1/me") &&
				rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// TestHappyPathMatchesSpec walks the main success paths once, so every success
// schema of the contract meets a real response.
func TestHappyPathMatchesSpec(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	admin := env.adminToken()

	for _, path := range []string{"/healthz", "/readyz", "/api/openapi.yaml"} {
		mustStatus(t, env.do("GET", path, "", nil), http.StatusOK)
	}

	var ward wardJSON
	rec := env.do("POST", "/api/v1/wards", admin, map[string]any{"code": "26734", "name_vi": "Phường Bến Thành", "name_en": "Ben Thanh Ward"})
	mustStatus(t, rec, http.StatusCreated)
	decodeBody(t, rec, &ward)
	rec = env.do("POST", "/api/v1/wards", admin, map[string]any{"code": "26735", "name_vi": "Phường Sài Gòn", "name_en": "Sai Gon Ward"})
	mustStatus(t, rec, http.StatusCreated)
	var other wardJSON
	decodeBody(t, rec, &other)
	mustStatus(t, env.do("PATCH", "/api/v1/wards/"+other.ID, admin, map[string]any{"status": "merged", "merged_into": ward.ID}), http.StatusOK)
	mustStatus(t, env.do("POST", "/api/v1/wards", admin, map[string]any{"code": "26734", "name_vi": "X", "name_en": "X"}), http.StatusConflict)
	mustStatus(t, env.do("GET", "/api/v1/wards?limit=1", "", nil), http.StatusOK)
	mustStatus(t, env.do("GET", "/api/v1/wards/"+ward.ID, "", nil), http.StatusOK)

	var centre centreJSON
	rec = env.do("POST", "/api/v1/wards/"+ward.ID+"/centres", admin, map[string]any{
		"name": "Nhà văn hoá Bến Thành", "address": "1 Lê Lợi", "seats": 12,
		"opening_hours": map[string]any{"mon": []map[string]string{{"open": "08:00", "close": "11:30"}, {"open": "13:30", "close": "17:00"}}},
	})
	mustStatus(t, rec, http.StatusCreated)
	decodeBody(t, rec, &centre)
	mustStatus(t, env.do("PATCH", "/api/v1/centres/"+centre.ID, admin, map[string]any{"active": false}), http.StatusOK)
	mustStatus(t, env.do("GET", "/api/v1/centres/"+centre.ID, admin, nil), http.StatusOK)
	mustStatus(t, env.do("GET", "/api/v1/centres/"+centre.ID, "", nil), http.StatusNotFound)
	mustStatus(t, env.do("GET", "/api/v1/wards/"+ward.ID+"/centres", admin, nil), http.StatusOK)

	var org organisationJSON
	rec = env.do("POST", "/api/v1/organisations", admin, map[string]any{"kind": "university", "name": "Đại học Khoa học Tự nhiên", "contact_email": "dtn@example.vn"})
	mustStatus(t, rec, http.StatusCreated)
	decodeBody(t, rec, &org)
	mustStatus(t, env.do("PATCH", "/api/v1/organisations/"+org.ID, admin, map[string]any{"contact_phone": "0281234567"}), http.StatusOK)
	mustStatus(t, env.do("GET", "/api/v1/organisations?kind=university", admin, nil), http.StatusOK)
	mustStatus(t, env.do("GET", "/api/v1/organisations/"+org.ID, admin, nil), http.StatusOK)

	var inv inviteJSON
	rec = env.do("POST", "/api/v1/organisations/"+org.ID+"/invites", admin, map[string]any{"label": "K47"})
	mustStatus(t, rec, http.StatusCreated)
	decodeBody(t, rec, &inv)
	mustStatus(t, env.do("GET", "/api/v1/organisations/"+org.ID+"/invites", admin, nil), http.StatusOK)

	rec = env.do("POST", "/api/v1/auth/register", "", map[string]any{
		"invite_code": inv.Code, "email": "tnv@example.vn", "display_name": "Tình nguyện viên", "password": "volunteer-pass-1",
	})
	mustStatus(t, rec, http.StatusAccepted)
	volAccess, _ := env.login("tnv@example.vn", "volunteer-pass-1")
	var reg struct{ User userJSON }
	decodeBody(t, env.do("GET", "/api/v1/me", volAccess, nil), &reg.User)
	mustStatus(t, env.do("DELETE", "/api/v1/organisations/"+org.ID+"/invites/"+inv.ID, admin, nil), http.StatusOK)

	var staff userJSON
	rec = env.do("POST", "/api/v1/users", admin, map[string]any{
		"email": "canbo@example.vn", "display_name": "Cán bộ phường", "phone": "+84901234567",
		"password": "ward-staff-pass", "role": "ward_staff", "ward_ids": []string{ward.ID},
	})
	mustStatus(t, rec, http.StatusCreated)
	decodeBody(t, rec, &staff)
	mustStatus(t, env.do("GET", "/api/v1/users?role=ward_staff&limit=5", admin, nil), http.StatusOK)
	mustStatus(t, env.do("GET", "/api/v1/users/"+staff.ID, admin, nil), http.StatusOK)
	mustStatus(t, env.do("PATCH", "/api/v1/users/"+reg.User.ID, admin, map[string]any{"status": "disabled"}), http.StatusOK)

	access, refresh := env.login("canbo@example.vn", "ward-staff-pass")
	mustStatus(t, env.do("GET", "/api/v1/me", access, nil), http.StatusOK)
	mustStatus(t, env.do("PATCH", "/api/v1/me", access, map[string]any{"phone": ""}), http.StatusOK)
	mustStatus(t, env.do("POST", "/api/v1/users", access, map[string]any{}), http.StatusForbidden)
	mustStatus(t, env.do("POST", "/api/v1/me/password", access, map[string]any{"current_password": "nope", "new_password": "another-pass-1"}), http.StatusBadRequest)
	mustStatus(t, env.do("POST", "/api/v1/me/password", access, map[string]any{"current_password": "ward-staff-pass", "new_password": "another-pass-1"}), http.StatusNoContent)
	mustStatus(t, env.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}), http.StatusOK)
	// Presenting the spent token again revokes the session, access token included.
	mustStatus(t, env.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}), http.StatusUnauthorized)
	mustStatus(t, env.do("GET", "/api/v1/me", access, nil), http.StatusUnauthorized)

	access, _ = env.login("canbo@example.vn", "another-pass-1")
	mustStatus(t, env.do("POST", "/api/v1/auth/logout", access, nil), http.StatusNoContent)
	mustStatus(t, env.do("GET", "/api/v1/me", access, nil), http.StatusUnauthorized)
}
