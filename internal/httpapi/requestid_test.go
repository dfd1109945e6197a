package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/store/storetest"
)

// TestLogLinesCarryRequestID: the access log line of a request, and the lines
// logged while serving it (a panic and its failure, the store not ready), carry
// the request's id, once.
func TestLogLinesCarryRequestID(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	env := newTestEnvWith(t, storetest.SQLite(), func(d *Deps) { d.Logger = testLogger(&lockedWriter{w: &buf, mu: &mu}) })
	admin := env.adminToken()
	lines := func(msg, id string) []map[string]any {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		var out []map[string]any
		for _, raw := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if n := strings.Count(raw, `"request_id":`); n > 1 {
				t.Errorf("the request id is %d times on %s", n, raw)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(raw), &m); err != nil {
				t.Fatalf("log line %q: %v", raw, err)
			}
			if m["msg"] == msg && m["request_id"] == id {
				out = append(out, m)
			}
		}
		return out
	}
	get := func(path, id string) int {
		t.Helper()
		req := env.newRequest("GET", path, admin, nil)
		req.Header.Set("X-Request-ID", id)
		return env.serve(req).Code
	}

	if code := get("/api/v1/wards?limit=5", "trace-api-1"); code != http.StatusOK {
		t.Fatalf("wards: %d", code)
	}
	access := lines("http", "trace-api-1")
	if len(access) != 1 || access[0]["route"] != "/api/v1/wards" || access[0]["user_id"] == nil {
		t.Fatalf("access lines of trace-api-1: %v", access)
	}

	// A handler that panics, added to the real engine: the client gets a 500
	// problem with the id and without the panic; the log has both.
	env.handler.(*gin.Engine).GET("/test/panic", func(*gin.Context) { panic("the secret detail") })
	req := env.newRequest("GET", "/test/panic", "", nil)
	req.Header.Set("X-Request-ID", "trace-api-3")
	rec := httptest.NewRecorder()
	env.handler.ServeHTTP(rec, req) // not env.serve: the route is not in the contract
	if p := problemOf(t, rec); rec.Code != http.StatusInternalServerError || p.RequestID != "trace-api-3" ||
		strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("panic: %d %s", rec.Code, rec.Body)
	}
	if n := len(lines("panic", "trace-api-3")); n != 1 {
		t.Errorf("%d panic lines with trace-api-3", n)
	}
	if failed := lines("request failed", "trace-api-3"); len(failed) != 1 || failed[0]["route"] != "/test/panic" {
		t.Errorf("failure lines of trace-api-3: %v", failed)
	}

	if err := env.store.Close(); err != nil {
		t.Fatal(err)
	}
	if code := get("/readyz", "trace-api-2"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the store closed: %d", code)
	}
	if n := len(lines("store not ready", "trace-api-2")); n != 1 {
		t.Errorf("%d lines of the store not ready with trace-api-2", n)
	}
	if access := lines("http", "trace-api-2"); len(access) != 1 || access[0]["level"] != "ERROR" {
		t.Errorf("access lines of trace-api-2: %v", access)
	}
}
