package httpapi

import (
	"net/http"
	"testing"

	"ecitizen/internal/store/storetest"
)

// TestStoreUnavailable: with the store gone, /readyz and requests answer 503 with
// Retry-After, never a hang or a 500; /healthz still answers.
func TestStoreUnavailable(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			if rec := env.do("GET", "/readyz", "", nil); rec.Code != http.StatusOK {
				t.Fatalf("/readyz before: %d", rec.Code)
			}
			if err := env.store.Close(); err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{"/readyz", "/api/v1/wards"} {
				rec := env.do("GET", path, "", nil)
				assertProblem(t, rec, http.StatusServiceUnavailable, "unavailable")
				if rec.Header().Get("Retry-After") == "" {
					t.Errorf("%s: no Retry-After", path)
				}
			}
			rec := env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": testAdminEmail, "password": testAdminPassword})
			assertProblem(t, rec, http.StatusServiceUnavailable, "unavailable")
			if rec := env.do("GET", "/healthz", "", nil); rec.Code != http.StatusOK {
				t.Fatalf("/healthz: %d", rec.Code)
			}
		})
	}
}

// TestSecurityHeadersAndRequestID: every response carries the security headers
// and a request id, and a client's well-formed request id is kept.
func TestSecurityHeadersAndRequestID(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	req := env.newRequest("GET", "/api/v1/wards", "", nil)
	req.Header.Set("X-Request-ID", "trace-123")
	rec := env.serve(req)
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
		"X-Request-Id":           "trace-123",
		"Cache-Control":          "no-store",
	} {
		if got := rec.Header().Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	req = env.newRequest("GET", "/api/v1/wards", "", nil)
	req.Header.Set("X-Request-ID", "bad id with spaces\r\n")
	if got := env.serve(req).Header().Get("X-Request-ID"); got == "" || got == "bad id with spaces\r\n" {
		t.Errorf("malformed request id kept: %q", got)
	}
}

// TestCORS: only configured origins get CORS headers; preflights answer 204.
func TestCORS(t *testing.T) {
	env := newTestEnvWith(t, storetest.SQLite(), func(d *Deps) { d.CORSOrigins = []string{"https://ecitizen.example.vn"} })
	req := env.newRequest("OPTIONS", "/api/v1/me", "", nil)
	req.Header.Set("Origin", "https://ecitizen.example.vn")
	req.Header.Set("Access-Control-Request-Method", "GET")
	rec := env.serve(req)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "https://ecitizen.example.vn" {
		t.Fatalf("preflight: %d %v", rec.Code, rec.Header())
	}
	req = env.newRequest("GET", "/api/v1/wards", "", nil)
	req.Header.Set("Origin", "https://evil.example")
	if got := env.serve(req).Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Fatalf("foreign origin allowed: %q", got)
	}
}
