package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/identity"
	"ecitizen/internal/store"
	"ecitizen/internal/store/storetest"
)

// TestKillDuringCancelsKeepsRosters: the process is killed (SIGKILL, a power cut)
// while volunteers cancel, leave and re-join the waiting lists of full shifts.
// After a restart on the same store, every answer the service gave stands: a
// volunteer answered 204 to a cancel is neither booked nor waiting, one answered
// 202 still waits or was promoted; no shift keeps free places while people wait,
// nobody is booked and waiting, and the history replays to the stored rosters,
// which the check command confirms (at once on SQLite, where a unit is a
// transaction; on MongoDB once the restarted service finished the units the kill
// left half-applied).
func TestKillDuringCancelsKeepsRosters(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	for name, newEnv := range envs(t) {
		t.Run(name, func(t *testing.T) {
			key := make([]byte, 32)
			_, _ = rand.Read(key)
			envMap := newEnv()
			envMap["ECITIZEN_JWT_KEY"] = base64.StdEncoding.EncodeToString(key)
			envMap["ECITIZEN_ADMIN_EMAIL"] = "admin@quan.example.vn"
			envMap["ECITIZEN_ADMIN_PASSWORD"] = "mat-khau-quan-tri"
			var env []string
			for k, v := range envMap {
				env = append(env, k+"="+v)
			}
			cmd, base := startProcess(t, bin, env)
			admin, _ := login(t, base, "admin@quan.example.vn", "mat-khau-quan-tri")
			st, ward := call(t, "POST", base+"/api/v1/wards", admin, map[string]string{"code": "KILL1", "name_vi": "Phường Trương Định", "name_en": "Truong Dinh Ward"})
			if st != http.StatusCreated {
				t.Fatalf("create ward: %d %v", st, ward)
			}
			day := []map[string]string{{"open": "00:00", "close": "24:00"}}
			hours := map[string]any{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}
			st, centre := call(t, "POST", base+"/api/v1/wards/"+ward["id"].(string)+"/centres", admin, map[string]any{
				"name": "Nhà sinh hoạt cộng đồng tổ 3", "address": "3 Trương Định", "opening_hours": hours, "seats": 4})
			if st != http.StatusCreated {
				t.Fatalf("create centre: %d %v", st, centre)
			}
			st, org := call(t, "POST", base+"/api/v1/organisations", admin, map[string]string{"kind": "university", "name": "Đoàn phường Trương Định"})
			if st != http.StatusCreated {
				t.Fatalf("create organisation: %d %v", st, org)
			}

			// Volunteers straight into the store (hashing a password each is slow),
			// with access tokens signed by the service's key.
			const perShift, places, shifts = 20, 3, 6
			vols, tokens := crashVolunteers(t, envMap, key, org["id"].(string), perShift)
			var shiftIDs []string
			// 06:00 local the day after tomorrow: six shifts three hours apart end
			// at 23:00, so none crosses midnight (a shift is one local day) at
			// whatever hour the test runs.
			ict := time.FixedZone("ICT", 7*3600)
			after := time.Now().In(ict).AddDate(0, 0, 2)
			start := time.Date(after.Year(), after.Month(), after.Day(), 6, 0, 0, 0, ict)
			for i := range shifts {
				s := start.Add(time.Duration(i) * 3 * time.Hour)
				st, sh := call(t, "POST", base+"/api/v1/centres/"+centre["id"].(string)+"/shifts", admin, map[string]any{
					"title": fmt.Sprintf("Ca %d", i+1), "role": "guide", "places": places,
					"starts_at": s.UTC().Format(time.RFC3339), "ends_at": s.Add(2 * time.Hour).UTC().Format(time.RFC3339)})
				if st != http.StatusCreated {
					t.Fatalf("create shift: %d %v", st, sh)
				}
				shiftIDs = append(shiftIDs, sh["id"].(string))
				for v := range perShift {
					st, body := call(t, "POST", base+"/api/v1/shifts/"+sh["id"].(string)+"/bookings", tokens[v], map[string]bool{"waitlist": true})
					if st != http.StatusCreated && st != http.StatusAccepted {
						t.Fatalf("book: %d %v", st, body)
					}
				}
			}

			// Each volunteer, on each shift, in turn: cancel (or leave the line),
			// then join the line again; what the service answered is recorded
			// until a request gets no answer (the kill).
			type known struct {
				state string // "out" after a 204, "in" (waiting or booked) after a 201 or 202
				sure  bool   // the last request was answered
			}
			var (
				mu     sync.Mutex
				states = map[[2]int]known{}
				acked  atomic.Int64
				wg     sync.WaitGroup
				stop   atomic.Bool
			)
			for sh := range shifts { // every volunteer was answered 201 or 202 above
				for v := range perShift {
					states[[2]int{sh, v}] = known{state: "in", sure: true}
				}
			}
			client := &http.Client{Timeout: 10 * time.Second}
			do := func(method, url, token string, body string) int {
				req, _ := http.NewRequest(method, url, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := client.Do(req)
				if err != nil {
					return 0
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			for s := range shifts {
				for v := range perShift {
					wg.Go(func() {
						url := base + "/api/v1/shifts/" + shiftIDs[s]
						for !stop.Load() {
							for _, step := range []struct{ method, path, body string }{
								{"DELETE", "/bookings/me", ""},
								{"DELETE", "/waiting/me", ""},
								{"POST", "/bookings", `{"waitlist": true}`},
							} {
								mu.Lock()
								states[[2]int{s, v}] = known{state: states[[2]int{s, v}].state}
								mu.Unlock()
								code := do(step.method, url+step.path, tokens[v], step.body)
								if code == 0 {
									return // the process is gone: this request's fate is unknown
								}
								mu.Lock()
								k := states[[2]int{s, v}]
								switch {
								case code == 204:
									k = known{state: "out", sure: true}
								case code == 201 || code == 202:
									k = known{state: "in", sure: true}
								case code == 404 || code == 409:
									k.sure = true // nothing to cancel, or already in: unchanged
								default:
									t.Errorf("%s %s: %d", step.method, step.path, code)
								}
								states[[2]int{s, v}] = k
								mu.Unlock()
								acked.Add(1)
							}
						}
					})
				}
			}
			for deadline := time.Now().Add(2 * time.Minute); acked.Load() < 400 && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			stop.Store(true)
			wg.Wait()
			_ = cmd.Wait()
			if acked.Load() < 100 {
				t.Fatalf("only %d answers before the kill; the test proves nothing", acked.Load())
			}

			_, base = startProcess(t, bin, env)
			// The check command sees a consistent store: at once on SQLite; on
			// MongoDB once the restarted service finished the units the kill left
			// half-applied (after they are presumed abandoned, 15 s).
			var out string
			for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(time.Second) {
				b, err := checkCmd(bin, env).CombinedOutput()
				out = string(b)
				if err == nil {
					break
				}
				if name == "sqlite" || time.Now().After(deadline) {
					t.Fatalf("check after the restart: %v\n%s", err, out)
				}
			}
			t.Logf("check: %s", strings.TrimSpace(out))

			st2 := storetest.MustOpen(t, storeConfig(envMap))
			lost := 0
			for key, k := range states {
				if !k.sure {
					continue
				}
				id, v := shiftIDs[key[0]], vols[key[1]]
				_, berr := st2.Booking(context.Background(), id, v)
				ws, err := st2.Waiters(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				waiting := false
				for _, w := range ws {
					waiting = waiting || w.VolunteerID == v
				}
				in := berr == nil || waiting
				if (k.state == "in") != in {
					lost++
					t.Errorf("shift %d, volunteer %d: answered %q, stored booked=%v waiting=%v", key[0], key[1], k.state, berr == nil, waiting)
				}
			}
			t.Logf("%d answers before the kill, %d volunteer states checked, %d lost", acked.Load(), len(states), lost)
		})
	}
}

// crashVolunteers stores n volunteers of org and mints their access tokens.
func crashVolunteers(t *testing.T, env map[string]string, key []byte, org string, n int) (ids, tokens []string) {
	t.Helper()
	st := storetest.MustOpen(t, storeConfig(env))
	tok, err := identity.NewTokens(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i := range n {
		u := &identity.User{ID: uuid.Must(uuid.NewV7()).String(), Email: fmt.Sprintf("tnv%02d@example.vn", i),
			DisplayName: fmt.Sprintf("Tình nguyện viên %d", i), Role: identity.RoleVolunteer, Status: identity.StatusActive,
			Scope: identity.Scope{OrganisationID: org}, PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
		u.EmailKey = identity.NormaliseEmail(u.Email)
		if err := st.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
		access, err := tok.Issue(u, uuid.NewString())
		if err != nil {
			t.Fatal(err)
		}
		ids, tokens = append(ids, u.ID), append(tokens, access)
	}
	return ids, tokens
}

// storeConfig is the store a service with env uses.
func storeConfig(env map[string]string) store.Config {
	if uri := env["ECITIZEN_MONGODB_URI"]; uri != "" {
		return store.Config{MongoURI: uri, MongoDatabase: env["ECITIZEN_MONGODB_DATABASE"]}
	}
	return store.Config{SQLitePath: env["ECITIZEN_DATA_DIR"] + "/ecitizen.db"}
}

// checkCmd runs `ecitizen check` with env.
func checkCmd(bin string, env []string) *exec.Cmd {
	cmd := exec.Command(bin, "check")
	cmd.Env = append(cmd.Environ(), env...)
	return cmd
}
