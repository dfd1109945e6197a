package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// buildBinary compiles this program once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "ecitizen")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProcess runs the binary on a free port and returns its base URL.
func startProcess(t *testing.T, bin string, env []string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var l map[string]any
			if json.Unmarshal(sc.Bytes(), &l) == nil && l["msg"] == "listening" {
				addr <- l["addr"].(string)
			}
		}
	}()
	select {
	case a := <-addr:
		return cmd, "http://" + a
	case <-time.After(60 * time.Second):
		t.Fatal("process did not start")
	}
	return nil, ""
}

// TestKillDuringLoadKeepsCommittedWrites: the process is killed (SIGKILL) while
// volunteers register concurrently; after a restart on the same data directory
// every registration that was answered 201 is there, each email exactly once.
func TestKillDuringLoadKeepsCommittedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	env := []string{
		"ECITIZEN_DATA_DIR=" + t.TempDir(),
		"ECITIZEN_ADMIN_EMAIL=admin@quan.example.vn", "ECITIZEN_ADMIN_PASSWORD=mat-khau-quan-tri",
		"ECITIZEN_LOGIN_LIMIT=100000/1ms,100000/1ms",
	}
	cmd, base := startProcess(t, bin, env)
	admin, _ := login(t, base, "admin@quan.example.vn", "mat-khau-quan-tri")
	st, org := call(t, "POST", base+"/api/v1/organisations", admin, map[string]string{"kind": "university", "name": "Đại học Bách khoa Hà Nội"})
	if st != http.StatusCreated {
		t.Fatalf("create organisation: %d %v", st, org)
	}
	orgID := org["id"].(string)
	st, inv := call(t, "POST", base+"/api/v1/organisations/"+orgID+"/invites", admin, map[string]string{"label": "K68"})
	if st != http.StatusCreated {
		t.Fatalf("create invite: %d %v", st, inv)
	}

	var (
		mu        sync.Mutex
		committed []string
		n         atomic.Int64
		stop      atomic.Bool
		wg        sync.WaitGroup
	)
	client := &http.Client{Timeout: 5 * time.Second}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				email := fmt.Sprintf("sv%04d@example.vn", n.Add(1))
				body := fmt.Sprintf(`{"invite_code":%q,"email":%q,"display_name":"Sinh viên","password":"sinh-vien-2026"}`, inv["code"], email)
				req, _ := http.NewRequest("POST", base+"/api/v1/auth/register", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return // the process is gone
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusAccepted {
					mu.Lock()
					committed = append(committed, email)
					mu.Unlock()
				}
			}
		}()
	}
	// Kill once some registrations have committed while more are in flight; how
	// long that takes depends on the machine (password hashing is slow on purpose).
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		got := len(committed)
		mu.Unlock()
		if got >= 10 || time.Now().After(deadline) {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	wg.Wait()
	_ = cmd.Wait()
	if len(committed) < 5 {
		t.Fatalf("only %d registrations before the kill; the test proves nothing", len(committed))
	}

	_, base = startProcess(t, bin, env)
	admin, _ = login(t, base, "admin@quan.example.vn", "mat-khau-quan-tri")
	stored := map[string]int{}
	cursor := ""
	for {
		url := base + "/api/v1/users?limit=100&organisation_id=" + orgID
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		st, page := call(t, "GET", url, admin, nil)
		if st != http.StatusOK {
			t.Fatalf("list users: %d %v", st, page)
		}
		for _, it := range page["items"].([]any) {
			stored[it.(map[string]any)["email"].(string)]++
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	for _, e := range committed {
		if stored[e] != 1 {
			t.Errorf("%s was answered 201 but is stored %d times after the restart", e, stored[e])
		}
	}
	t.Logf("%d registrations committed before the kill, %d stored after restart", len(committed), len(stored))
}
