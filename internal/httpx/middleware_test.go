package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/logging"
)

// TestMain quiets gin, which the package itself leaves alone.
func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	os.Exit(m.Run())
}

// logLines decodes the JSON lines of buf, each with its raw text.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, raw := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if raw == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		if n := strings.Count(raw, `"request_id":`); n > 1 {
			t.Errorf("the request id is %d times on %s", n, raw)
		}
		m["raw"] = raw
		lines = append(lines, m)
	}
	return lines
}

// serve runs one request through engine, with header X-Request-ID id when id is
// not empty.
func serve(engine http.Handler, method, target, id string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	if id != "" {
		req.Header.Set("X-Request-ID", id)
	}
	rec := httptest.NewRecorder()
	engine.ServeHTTP(rec, req)
	return rec
}

var freshID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// TestRequestID: a client's well-formed id is kept, anything else is replaced
// by a fresh one; the id is in the answer's header, the gin context and the
// request's context.
func TestRequestID(t *testing.T) {
	r := gin.New()
	r.Use(WithRequestID)
	r.GET("/", func(c *gin.Context) {
		if RequestID(c) != logging.RequestID(c.Request.Context()) {
			t.Errorf("gin context %q, request context %q", RequestID(c), logging.RequestID(c.Request.Context()))
		}
		c.String(http.StatusOK, RequestID(c))
	})
	for _, id := range []string{"trace-123", "A.b_c-9", strings.Repeat("x", 64)} {
		rec := serve(r, "GET", "/", id)
		if got := rec.Header().Get("X-Request-ID"); got != id || rec.Body.String() != id {
			t.Errorf("client id %q: header %q, handler saw %q", id, got, rec.Body)
		}
	}
	seen := map[string]bool{}
	for _, id := range []string{"", "has space", "line\nbreak", strings.Repeat("x", 65), "ngày", `"quoted"`, "a/b"} {
		rec := serve(r, "GET", "/", id)
		got := rec.Header().Get("X-Request-ID")
		if !freshID.MatchString(got) || rec.Body.String() != got {
			t.Errorf("client id %q: header %q, handler saw %q, want a fresh id", id, got, rec.Body)
		}
		if seen[got] {
			t.Errorf("id %q given twice", got)
		}
		seen[got] = true
	}
}

// TestAccessLog: one line per request with the route template (never the
// path's values or the query), the request id once, and the user when known; a
// line a handler logs with the request's context carries the id too.
func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil)) // not wrapped: AccessLog adds the ids
	r := gin.New()
	r.Use(WithRequestID, AccessLog(log, "web", func(c *gin.Context) string { return c.GetString("user") }))
	r.GET("/things/:id", func(c *gin.Context) {
		c.Set("user", "u-1")
		logging.WithRequestIDs(log).InfoContext(c.Request.Context(), "inside")
		c.String(http.StatusOK, "ok")
	})
	r.POST("/fail", func(c *gin.Context) { c.Status(http.StatusServiceUnavailable) })

	serve(r, "GET", "/things/secret-42?token=hunter2", "trace-1")
	serve(r, "POST", "/fail", "trace-2")
	serve(r, "GET", "/nowhere", "")
	lines := logLines(t, &buf)
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4: %v", len(lines), lines)
	}
	if l := lines[0]; l["msg"] != "inside" || l["request_id"] != "trace-1" {
		t.Errorf("handler's line: %v", l["raw"])
	}
	if l := lines[1]; l["msg"] != "web" || l["request_id"] != "trace-1" || l["route"] != "/things/:id" || l["method"] != "GET" ||
		l["status"] != float64(200) || l["bytes"] != float64(2) || l["user_id"] != "u-1" || l["level"] != "INFO" {
		t.Errorf("access line: %v", l["raw"])
	}
	if raw := lines[1]["raw"].(string); strings.Contains(raw, "secret-42") || strings.Contains(raw, "hunter2") {
		t.Errorf("the access line holds the path's values or the query: %s", raw)
	}
	if l := lines[2]; l["request_id"] != "trace-2" || l["status"] != float64(503) || l["level"] != "ERROR" || l["user_id"] != nil {
		t.Errorf("access line of a 503: %v", l["raw"])
	}
	if l := lines[3]; l["route"] != "unmatched" || !freshID.MatchString(l["request_id"].(string)) {
		t.Errorf("access line of an unknown route: %v", l["raw"])
	}
}

// TestRecover: a panic is logged with the request id and answered by the
// surface's function; nothing of it reaches the client but what that writes.
func TestRecover(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	var answered error
	r := gin.New()
	r.Use(WithRequestID, Recover(log, func(c *gin.Context, err error) {
		answered = err
		c.String(http.StatusInternalServerError, "sorry "+RequestID(c))
	}))
	r.GET("/boom", func(c *gin.Context) { panic("the secret detail") })

	rec := serve(r, "GET", "/boom", "trace-9")
	if rec.Code != http.StatusInternalServerError || rec.Body.String() != "sorry trace-9" {
		t.Errorf("answer %d %q", rec.Code, rec.Body)
	}
	if answered == nil || !strings.Contains(answered.Error(), "panic: the secret detail") {
		t.Errorf("answer got %v", answered)
	}
	lines := logLines(t, &buf)
	if len(lines) != 1 || lines[0]["msg"] != "panic" || lines[0]["request_id"] != "trace-9" ||
		lines[0]["route"] != "/boom" || lines[0]["panic"] != "the secret detail" {
		t.Errorf("log: %v", lines)
	}
}

// TestSecurityHeaders: the common headers and the surface's own, on every answer.
func TestSecurityHeaders(t *testing.T) {
	r := gin.New()
	r.Use(SecurityHeaders(SecurityPolicy{ContentSecurityPolicy: "default-src 'none'", ReferrerPolicy: "no-referrer",
		Extra: map[string]string{"cache-control": "no-store"}}))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	for _, path := range []string{"/", "/missing"} {
		rec := serve(r, "GET", path, "")
		for h, want := range map[string]string{
			"X-Content-Type-Options":    "nosniff",
			"X-Frame-Options":           "DENY",
			"Strict-Transport-Security": "max-age=31536000",
			"Content-Security-Policy":   "default-src 'none'",
			"Referrer-Policy":           "no-referrer",
			"Cache-Control":             "no-store",
		} {
			if got := rec.Header().Values(h); len(got) != 1 || got[0] != want {
				t.Errorf("%s: %s = %q, want %q", path, h, got, want)
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a policy without a Content-Security-Policy was taken")
		}
	}()
	SecurityHeaders(SecurityPolicy{ReferrerPolicy: "no-referrer"})
}

// TestDetachWrites: a write goes on when its client is gone, with a deadline of
// its own and the request's values; a read stops with its client.
func TestDetachWrites(t *testing.T) {
	r := gin.New()
	r.Use(WithRequestID, DetachWrites)
	check := func(c *gin.Context) {
		ctx := c.Request.Context()
		_, deadline := ctx.Deadline()
		c.JSON(http.StatusOK, gin.H{"canceled": errors.Is(ctx.Err(), context.Canceled), "deadline": deadline,
			"id": logging.RequestID(ctx)})
	}
	r.GET("/", check)
	r.POST("/", check)
	for method, want := range map[string]string{
		"GET":  `{"canceled":true,"deadline":false,"id":"trace-1"}`,
		"POST": `{"canceled":false,"deadline":true,"id":"trace-1"}`,
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // the client is gone
		req := httptest.NewRequestWithContext(ctx, method, "/", nil)
		req.Header.Set("X-Request-ID", "trace-1")
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if got := rec.Body.String(); got != want {
			t.Errorf("%s: %s, want %s", method, got, want)
		}
	}
}

// TestStatuses: every code of the table answers an error status, and a code
// outside it has none.
func TestStatuses(t *testing.T) {
	n := 0
	for code, status := range Statuses() {
		n++
		if status < 400 || status > 599 || http.StatusText(status) == "" {
			t.Errorf("%s: status %d", code, status)
		}
		if s, ok := Status(code); !ok || s != status {
			t.Errorf("Status(%s) = %d, %v", code, s, ok)
		}
	}
	if n == 0 {
		t.Fatal("empty table")
	}
	if _, ok := Status("no_such_code"); ok {
		t.Error("an unknown code has a status")
	}
}
