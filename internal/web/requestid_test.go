package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// logBuffer is a log destination that requests may write concurrently.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the decoded lines whose msg is msg and whose request_id is id;
// every line must name its request id at most once.
func (b *logBuffer) lines(t *testing.T, msg, id string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, raw := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
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

var freshRequestID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// TestRequestIDOnPagesAndLogs: the pages keep a client's well-formed
// X-Request-ID, as the API does, and make a fresh one otherwise; the access log
// line of a request, and a line logged while serving it (a failure), carry the
// id, once.
func TestRequestIDOnPagesAndLogs(t *testing.T) {
	var logs logBuffer
	e := newTestEnvWith(t, func(d *Deps) { d.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	c := e.client()
	c.signIn(testAdminEmail, testAdminPassword)
	u, _ := url.Parse(e.URL)
	cookies := c.http.Jar.Cookies(u)
	// Requests are served in-process: the log lines are written when ServeHTTP
	// returns, whatever a network client would see first.
	serve := func(path, id string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		if id != "" {
			req.Header.Set("X-Request-ID", id)
		}
		rec := httptest.NewRecorder()
		e.srv.Config.Handler.ServeHTTP(rec, req)
		return rec
	}

	rec := serve("/account?tab=secret", "trace-web-1")
	if rec.Code != http.StatusOK || rec.Header().Get("X-Request-ID") != "trace-web-1" {
		t.Fatalf("well-formed id: %d, X-Request-ID %q", rec.Code, rec.Header().Get("X-Request-ID"))
	}
	access := logs.lines(t, "web", "trace-web-1")
	if len(access) != 1 || access[0]["route"] != "/account" || access[0]["status"] != float64(200) ||
		access[0]["user_id"] != e.admin.UserID {
		t.Fatalf("access log of trace-web-1: %v", access)
	}

	fresh := map[string]bool{}
	for _, id := range []string{"", "has space", strings.Repeat("x", 65), "ngày"} {
		got := serve("/login", id).Header().Get("X-Request-ID")
		if !freshRequestID.MatchString(got) || fresh[got] {
			t.Errorf("client id %q answered with %q, want a fresh id", id, got)
		}
		fresh[got] = true
		if n := len(logs.lines(t, "web", got)); n != 1 {
			t.Errorf("%d access lines with the fresh id %s", n, got)
		}
	}

	// A failure while serving: the store is gone.
	if err := e.svc.Store.Close(); err != nil {
		t.Fatal(err)
	}
	rec = serve("/courses", "trace-web-2")
	if rec.Code < 500 || !strings.Contains(rec.Body.String(), "trace-web-2") {
		t.Fatalf("with the store closed: %d, and the page does not give the request id", rec.Code)
	}
	if failed := logs.lines(t, "web request failed", "trace-web-2"); len(failed) != 1 || failed[0]["route"] != "/courses" {
		t.Errorf("failure lines of trace-web-2: %v", failed)
	}
	if access := logs.lines(t, "web", "trace-web-2"); len(access) != 1 || access[0]["level"] != "ERROR" {
		t.Errorf("access lines of trace-web-2: %v", access)
	}
}
