package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/store/storetest"
)

// logBuffer collects the service's JSON log lines; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the decoded log records so far.
func (b *logBuffer) lines() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// service is one running instance of run().
type service struct {
	base   string
	logs   *logBuffer
	cancel context.CancelFunc
	done   chan error
}

// startService runs run() on port 0 with env and waits until /healthz answers.
func startService(t *testing.T, env map[string]string) *service {
	t.Helper()
	env["ECITIZEN_ADDR"] = "127.0.0.1:0"
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	s := &service{logs: &logBuffer{}, cancel: cancel, done: make(chan error, 1)}
	var stderr bytes.Buffer
	go func() { s.done <- run(ctx, nil, getenv, s.logs, &stderr) }()
	deadline := time.Now().Add(60 * time.Second)
	for s.base == "" {
		for _, l := range s.logs.lines() {
			if l["msg"] == "listening" {
				s.base = "http://" + l["addr"].(string)
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("run ended early: %v\nlogs:\n%s\nstderr: %s", err, s.logs, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("service did not start; logs:\n%s", s.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop cancels run's context (as SIGTERM does) and waits for run to return nil.
func (s *service) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("run did not stop")
	}
}

func call(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func login(t *testing.T, base, email, pw string) (access, refresh string) {
	t.Helper()
	st, m := call(t, "POST", base+"/api/v1/auth/login", "", map[string]string{"email": email, "password": pw})
	if st != http.StatusOK {
		t.Fatalf("login %s: %d %v", email, st, m)
	}
	if m["token_type"] != "Bearer" || m["expires_in"] != float64(900) {
		t.Fatalf("login response %v", m)
	}
	return m["access_token"].(string), m["refresh_token"].(string)
}

// envs returns the configuration of a fresh service on each adapter.
func envs(t *testing.T) map[string]func() map[string]string {
	return map[string]func() map[string]string{
		"sqlite": func() map[string]string {
			return map[string]string{"ECITIZEN_DATA_DIR": t.TempDir()}
		},
		"mongo": func() map[string]string {
			cfg := storetest.Mongo().Config(t)
			return map[string]string{"ECITIZEN_DATA_DIR": t.TempDir(), "ECITIZEN_MONGODB_URI": cfg.MongoURI, "ECITIZEN_MONGODB_DATABASE": cfg.MongoDatabase}
		},
	}
}

func TestRunServesAndRestarts(t *testing.T) {
	for name, newEnv := range envs(t) {
		t.Run(name, func(t *testing.T) {
			env := newEnv()
			env["ECITIZEN_ADMIN_EMAIL"] = "admin@quan.example.vn"
			env["ECITIZEN_ADMIN_PASSWORD"] = "mat-khau-quan-tri"
			env["ECITIZEN_SMTP_URL"] = "smtp://mailer:mat-khau-smtp@127.0.0.1:1"
			env["ECITIZEN_MAIL_FROM"] = "ecitizen@quan.example.vn"
			s := startService(t, env)

			for _, p := range []string{"/healthz", "/readyz"} {
				if st, m := call(t, "GET", s.base+p, "", nil); st != http.StatusOK {
					t.Fatalf("%s: %d %v", p, st, m)
				}
			}
			access, refresh := login(t, s.base, "admin@quan.example.vn", "mat-khau-quan-tri")
			st, me := call(t, "GET", s.base+"/api/v1/me", access, nil)
			if st != http.StatusOK || me["role"] != "admin" || me["email"] != "admin@quan.example.vn" {
				t.Fatalf("/me: %d %v", st, me)
			}
			// A second session that is then logged out: its family must stay revoked.
			access2, refresh2 := login(t, s.base, "admin@quan.example.vn", "mat-khau-quan-tri")
			if st, _ := call(t, "POST", s.base+"/api/v1/auth/logout", access2, nil); st != http.StatusNoContent {
				t.Fatalf("logout: %d", st)
			}
			s.stop(t)

			// Restart on the same data: same users, same token families, no new admin.
			s2 := startService(t, env)
			if st, m := call(t, "GET", s2.base+"/api/v1/me", access, nil); st != http.StatusOK || m["id"] != me["id"] {
				t.Fatalf("/me after restart with the old access token: %d %v", st, m)
			}
			st, m := call(t, "POST", s2.base+"/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh})
			if st != http.StatusOK {
				t.Fatalf("refresh after restart: %d %v", st, m)
			}
			if st, _ := call(t, "POST", s2.base+"/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh2}); st != http.StatusUnauthorized {
				t.Fatalf("refresh of a logged-out family after restart: %d, want 401", st)
			}
			for _, l := range s2.logs.lines() {
				if strings.HasPrefix(fmt.Sprint(l["msg"]), "first admin created") {
					t.Fatalf("restart created an admin again: %v", l)
				}
			}
			// No password or token ever reaches the log.
			for _, secret := range []string{"mat-khau-quan-tri", "mat-khau-smtp", access, refresh, access2, refresh2} {
				if strings.Contains(s.logs.String()+s2.logs.String(), secret) {
					t.Fatalf("the log contains a secret: %.12s…", secret)
				}
			}
			if !strings.Contains(s.logs.String(), `"route":"/api/v1/auth/login"`) {
				t.Fatal("no access log line for login")
			}
		})
	}
}

func TestRunGeneratesFirstAdminPasswordOnce(t *testing.T) {
	env := map[string]string{"ECITIZEN_DATA_DIR": t.TempDir()}
	s := startService(t, env)
	var pw string
	for _, l := range s.logs.lines() {
		if strings.HasPrefix(fmt.Sprint(l["msg"]), "first admin created") {
			pw, _ = l["password"].(string)
			if l["email"] != "admin@localhost" {
				t.Fatalf("admin email %v", l["email"])
			}
		}
	}
	if len(pw) < 20 {
		t.Fatalf("no generated password in the log:\n%s", s.logs)
	}
	if n := strings.Count(s.logs.String(), `"msg":"mail off: ECITIZEN_SMTP_URL is not set"`); n != 1 {
		t.Fatalf("mail off said %d times, want once:\n%s", n, s.logs)
	}
	login(t, s.base, "admin@localhost", pw)
	s.stop(t)
	s2 := startService(t, env)
	if strings.Contains(s2.logs.String(), pw) {
		t.Fatal("the generated password was logged again on restart")
	}
	login(t, s2.base, "admin@localhost", pw)
}

func TestRunRefusesInvalidConfig(t *testing.T) {
	cases := map[string]map[string]string{
		"ECITIZEN_ADDR":            {"ECITIZEN_ADDR": "no-port"},
		"ECITIZEN_MONGODB_URI":     {"ECITIZEN_MONGODB_URI": "http://db"},
		"ECITIZEN_JWT_KEY":         {"ECITIZEN_JWT_KEY": "c2hvcnQ="},
		"ECITIZEN_DATA_KEY":        {"ECITIZEN_DATA_KEY": "not base64!"},
		"ECITIZEN_LOG_LEVEL":       {"ECITIZEN_LOG_LEVEL": "loud"},
		"ECITIZEN_CORS_ORIGINS":    {"ECITIZEN_CORS_ORIGINS": "ftp://x"},
		"ECITIZEN_TRUSTED_PROXIES": {"ECITIZEN_TRUSTED_PROXIES": "10.0.0.300"},
		"ECITIZEN_ADMIN_PASSWORD":  {"ECITIZEN_ADMIN_PASSWORD": "short"},
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			env["ECITIZEN_DATA_DIR"] = t.TempDir()
			var out, errOut bytes.Buffer
			err := run(context.Background(), nil, func(k string) string { return env[k] }, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("run error = %v, want one line naming %s", err, name)
			}
		})
	}
}

func TestRunFinishesInFlightRequestOnShutdown(t *testing.T) {
	env := map[string]string{"ECITIZEN_DATA_DIR": t.TempDir(), "ECITIZEN_ADMIN_EMAIL": "admin@quan.example.vn", "ECITIZEN_ADMIN_PASSWORD": "mat-khau-quan-tri"}
	s := startService(t, env)
	// A login whose body arrives slowly: the request is in flight when shutdown starts.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", s.base+"/api/v1/auth/login", pr)
	req.Header.Set("Content-Type", "application/json")
	type result struct {
		status int
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		resp.Body.Close()
		got <- result{status: resp.StatusCode}
	}()
	_, _ = pw.Write([]byte(`{"email":"admin@quan.example.vn",`))
	time.Sleep(200 * time.Millisecond) // the server has the headers and part of the body
	s.cancel()                         // SIGTERM
	time.Sleep(300 * time.Millisecond)
	_, _ = pw.Write([]byte(`"password":"mat-khau-quan-tri"}`))
	_ = pw.Close()
	select {
	case r := <-got:
		if r.err != nil || r.status != http.StatusOK {
			t.Fatalf("in-flight login: status %d, err %v", r.status, r.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("in-flight request did not complete")
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after shutdown")
	}
	s.cancel = nil
	// New connections are refused after shutdown.
	if _, err := http.Get(s.base + "/healthz"); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}

// TestRunServesPagesBesideTheAPI: the web app answers at /, the API keeps its
// problem+json answers under /api/, and the ops routes stay the API's.
func TestRunServesPagesBesideTheAPI(t *testing.T) {
	s := startService(t, map[string]string{"ECITIZEN_DATA_DIR": t.TempDir(), "ECITIZEN_ADMIN_PASSWORD": "mat-khau-quan-tri"})
	res, err := http.Get(s.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), `<html lang="vi">`) {
		t.Fatalf("/: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, err = http.Get(s.base + "/api/v1/no-such-route")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("an unknown API route: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, err = http.Get(s.base + "/no-such-page")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("an unknown page: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestRunRefusesALostDataKey: once residents' numbers are sealed under the
// data key of DATA_DIR/data.key, a start without that file refuses, naming the
// file and the key id, and makes no new key (a second try refuses the same
// way); with the file restored the service starts and reveals the numbers.
func TestRunRefusesALostDataKey(t *testing.T) {
	for name, newEnv := range envs(t) {
		t.Run(name, func(t *testing.T) {
			env := newEnv()
			env["ECITIZEN_ADMIN_EMAIL"] = "admin@quan.example.vn"
			env["ECITIZEN_ADMIN_PASSWORD"] = "mat-khau-quan-tri"
			s := startService(t, env)
			access, _ := login(t, s.base, "admin@quan.example.vn", "mat-khau-quan-tri")
			st, ward := call(t, "POST", s.base+"/api/v1/wards", access, map[string]string{"code": "26734", "name_vi": "Phường Mẫu", "name_en": "Sample Ward"})
			if st != http.StatusCreated {
				t.Fatalf("ward: %d %v", st, ward)
			}
			st, res := call(t, "POST", s.base+"/api/v1/residents", access, map[string]any{"ward_id": ward["id"], "full_name": "Nguyễn Thị Mẫu",
				"birth_year": 1958, "residential_group": "Tổ 5", "phone": "0912 000 001", "consent": map[string]any{"version": "2026-11"}})
			if st != http.StatusCreated {
				t.Fatalf("resident: %d %v", st, res)
			}
			s.stop(t)

			keyPath := filepath.Join(env["ECITIZEN_DATA_DIR"], "data.key")
			key, err := os.ReadFile(keyPath)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(keyPath); err != nil {
				t.Fatal(err)
			}
			for try := range 2 {
				var out, errOut bytes.Buffer
				err := run(context.Background(), nil, func(k string) string { return env[k] }, &out, &errOut)
				if err == nil || !strings.Contains(err.Error(), keyPath) || !strings.Contains(err.Error(), "data key id") {
					t.Fatalf("start %d without data.key: %v", try+1, err)
				}
				if _, err := os.Stat(keyPath); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("start %d without data.key left a new key file: %v", try+1, err)
				}
			}

			if err := os.WriteFile(keyPath, key, 0o600); err != nil {
				t.Fatal(err)
			}
			s = startService(t, env)
			access, _ = login(t, s.base, "admin@quan.example.vn", "mat-khau-quan-tri")
			st, rev := call(t, "POST", s.base+"/api/v1/residents/"+res["id"].(string)+"/reveal", access, map[string]string{"reason": "Kiểm tra sau khi khôi phục khoá"})
			if st != http.StatusOK || rev["phone"] != "+84912000001" {
				t.Fatalf("reveal after the key came back: %d %v", st, rev)
			}
		})
	}
}

// TestErasureLeavesNoCopyOnDisk: a resident registered with an Idempotency-Key
// and then erased leaves neither their name nor their notes in any file of the
// data directory after a clean stop: not in the database (secure_delete), not
// in its WAL, not in the stored response of the registration.
func TestErasureLeavesNoCopyOnDisk(t *testing.T) {
	env := map[string]string{"ECITIZEN_DATA_DIR": t.TempDir(), "ECITIZEN_ADMIN_EMAIL": "admin@quan.example.vn", "ECITIZEN_ADMIN_PASSWORD": "mat-khau-quan-tri"}
	s := startService(t, env)
	access, _ := login(t, s.base, "admin@quan.example.vn", "mat-khau-quan-tri")
	st, ward := call(t, "POST", s.base+"/api/v1/wards", access, map[string]string{"code": "26734", "name_vi": "Phường Mẫu", "name_en": "Sample Ward"})
	if st != http.StatusCreated {
		t.Fatalf("ward: %d %v", st, ward)
	}
	const name, notes = "Quách Thị Xoá Sạch", "Ghi chú Zượcqx của bà, cần xoá hẳn"
	var ids []string
	for i := range 3 {
		body, _ := json.Marshal(map[string]any{"ward_id": ward["id"], "full_name": fmt.Sprintf("%s %d", name, i), "birth_year": 1950 + i,
			"residential_group": "Tổ 9", "notes": notes, "phone": fmt.Sprintf("091200000%d", i), "consent": map[string]any{"version": "2026-11"}})
		req, _ := http.NewRequest("POST", s.base+"/api/v1/residents", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+access)
		req.Header.Set("Idempotency-Key", fmt.Sprintf("dang-ky-%d", i))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var r map[string]any
		_ = json.NewDecoder(res.Body).Decode(&r)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("resident: %d %v", res.StatusCode, r)
		}
		ids = append(ids, r["id"].(string))
	}
	for _, id := range ids {
		if st, m := call(t, "POST", s.base+"/api/v1/residents/"+id+"/erase", access, map[string]string{"reason": "Người dân yêu cầu xoá dữ liệu"}); st != http.StatusOK {
			t.Fatalf("erase: %d %v", st, m)
		}
	}
	s.stop(t)
	files, err := filepath.Glob(filepath.Join(env["ECITIZEN_DATA_DIR"], "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{name, notes, "Quách Thị", "Zượcqx"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s still holds %q after the erasure", filepath.Base(f), secret)
			}
		}
	}
}
