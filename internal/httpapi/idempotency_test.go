package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/store/storetest"
)

// withKey sends body with an Idempotency-Key.
func (e *testEnv) withKey(method, path, token, key string, body any) *httptest.ResponseRecorder {
	e.t.Helper()
	req := e.newRequest(method, path, token, body)
	req.Header.Set("Idempotency-Key", key)
	return e.serve(req)
}

// TestIdempotencyKeyRoutesMatchSpec: exactly the operations that list the
// Idempotency-Key parameter in the contract honour it (a malformed key is refused
// there and nowhere else).
func TestIdempotencyKeyRoutesMatchSpec(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	admin := env.adminToken()
	doc, _ := contract(t)
	engine := env.handler.(*gin.Engine)
	checked := 0
	for _, r := range engine.Routes() {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			continue
		}
		if r.Path == "/api/v1/auth/logout" || r.Path == "/api/v1/me/password" {
			continue // they end the admin's sessions; neither lists the header
		}
		specPath := ginParam.ReplaceAllString(r.Path, "{$1}")
		op := doc.Paths.Find(specPath).GetOperation(r.Method)
		listed := false
		for _, p := range op.Parameters {
			listed = listed || (p.Value != nil && p.Value.Name == "Idempotency-Key")
		}
		path := ginParam.ReplaceAllString(r.Path, "x")
		req := env.newRequest(r.Method, path, admin, map[string]any{})
		req.Header.Set("Idempotency-Key", "two words")
		rec := httptest.NewRecorder()
		env.handler.ServeHTTP(rec, req)
		refused := rec.Code == http.StatusBadRequest && strings.Contains(rec.Body.String(), `"field":"Idempotency-Key"`)
		if listed != refused {
			t.Errorf("%s %s: Idempotency-Key in the contract %v, honoured %v (%d %s)", r.Method, r.Path, listed, refused, rec.Code, rec.Body)
		}
		if listed {
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("only %d routes honour Idempotency-Key", checked)
	}
}

func TestIdempotentRequests(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			admin := env.adminToken()
			wards := func() int {
				ws, err := env.store.ListWards(context.Background(), directory.WardFilter{}, pageAll)
				if err != nil {
					t.Fatal(err)
				}
				return len(ws)
			}
			ward := map[string]string{"code": "I01", "name_vi": "Phường Đồng Nhân", "name_en": "Dong Nhan Ward"}

			t.Run("RetryReplaysTheFirstResponse", func(t *testing.T) {
				first := env.withKey("POST", "/api/v1/wards", admin, "k-ward-1", ward)
				mustStatus(t, first, http.StatusCreated)
				again := env.withKey("POST", "/api/v1/wards", admin, "k-ward-1", ward)
				mustStatus(t, again, http.StatusCreated)
				if again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" ||
					again.Header().Get("Location") != first.Header().Get("Location") {
					t.Fatalf("replay differs: %s %v\nfirst: %s %v", again.Body, again.Header(), first.Body, first.Header())
				}
				if first.Header().Get("Idempotent-Replayed") != "" {
					t.Error("the first response is marked as replayed")
				}
				if n := wards(); n != 1 {
					t.Fatalf("%d wards stored, want 1", n)
				}
				// Without a key, the same body is a new request: the code is taken.
				assertProblem(t, env.do("POST", "/api/v1/wards", admin, ward), http.StatusConflict, "ward_code_taken")
			})
			t.Run("ErrKeyReusedWithAnotherRequest", func(t *testing.T) {
				other := map[string]string{"code": "I02", "name_vi": "Phường Lê Đại Hành", "name_en": "Le Dai Hanh Ward"}
				assertProblem(t, env.withKey("POST", "/api/v1/wards", admin, "k-ward-1", other), http.StatusUnprocessableEntity, "idempotency_key_reused")
				if n := wards(); n != 1 {
					t.Fatalf("%d wards stored, want 1", n)
				}
			})
			t.Run("RefusalsAreNotKept", func(t *testing.T) {
				for range 2 { // the retry runs again rather than replaying the refusal
					rec := env.withKey("POST", "/api/v1/wards", admin, "k-dup", ward)
					assertProblem(t, rec, http.StatusConflict, "ward_code_taken")
					if rec.Header().Get("Idempotent-Replayed") != "" {
						t.Error("a refusal was replayed")
					}
				}
				// The key was released, so the corrected request runs under it.
				fixed := map[string]string{"code": "I04", "name_vi": "Phường Phố Huế", "name_en": "Pho Hue Ward"}
				mustStatus(t, env.withKey("POST", "/api/v1/wards", admin, "k-dup", fixed), http.StatusCreated)
				if n := wards(); n != 2 {
					t.Fatalf("%d wards stored, want 2", n)
				}
			})
			t.Run("KeysArePerUser", func(t *testing.T) {
				w := newRosterWorld(t, env, "I")
				shift := w.shift(t, "Hướng dẫn VNeID", localTime(3, 8, 0), 2, 5)
				_, vols := w.volunteers(t, 2)
				for _, tok := range vols {
					mustStatus(t, env.withKey("POST", "/api/v1/shifts/"+shift+"/bookings", tok, "same-key", nil), http.StatusCreated)
				}
				bs, err := env.store.Bookings(context.Background(), shift)
				if err != nil || len(bs) != 2 {
					t.Fatalf("bookings: %d %v, want 2", len(bs), err)
				}
				// A quoted key (a structured-field string) is the same key.
				rec := env.withKey("POST", "/api/v1/shifts/"+shift+"/bookings", vols[0], `"same-key"`, nil)
				if rec.Code != http.StatusCreated || rec.Header().Get("Idempotent-Replayed") != "true" {
					t.Fatalf("quoted key: %d %v", rec.Code, rec.Header())
				}
			})
			t.Run("ErrMalformedKey", func(t *testing.T) {
				before := wards()
				for _, key := range []string{"a b", strings.Repeat("k", 256), "khóa"} {
					rec := env.withKey("POST", "/api/v1/wards", admin, key, map[string]string{"code": "I09", "name_vi": "Phường", "name_en": "Ward"})
					if p := problemOf(t, rec); rec.Code != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != "Idempotency-Key" {
						t.Errorf("key %q: %d %+v", key, rec.Code, p)
					}
				}
				if n := wards(); n != before {
					t.Fatalf("%d wards stored, want %d", n, before)
				}
			})
			t.Run("ConcurrentRetriesCreateOnce", func(t *testing.T) {
				burst := map[string]string{"code": "I03", "name_vi": "Phường Bạch Mai", "name_en": "Bach Mai Ward"}
				before := wards()
				const n = 30
				var (
					wg            sync.WaitGroup
					mu            sync.Mutex
					created, busy int
				)
				for range n {
					wg.Go(func() {
						req := env.newRequest("POST", "/api/v1/wards", admin, burst)
						req.Header.Set("Idempotency-Key", "k-burst")
						rec := httptest.NewRecorder()
						env.handler.ServeHTTP(rec, req)
						mu.Lock()
						defer mu.Unlock()
						switch {
						case rec.Code == http.StatusCreated:
							created++
						case rec.Code == http.StatusConflict && strings.Contains(rec.Body.String(), "idempotency_key_in_use") && rec.Header().Get("Retry-After") != "":
							busy++
						default:
							t.Errorf("burst: %d %s", rec.Code, rec.Body)
						}
					})
				}
				wg.Wait()
				if created < 1 || created+busy != n {
					t.Fatalf("%d created, %d busy of %d", created, busy, n)
				}
				if got := wards(); got != before+1 {
					t.Fatalf("%d wards stored, want %d", got, before+1)
				}
			})
		})
	}
}

// TestErasureForgetsStoredResponses: the stored response of a registration (or
// of a skill recorded for the resident) sent with an Idempotency-Key holds the
// resident's data; erasing the resident deletes it, on both adapters, and a
// response about another resident stays.
func TestErasureForgetsStoredResponses(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "FG")
			staffID := decode(t, env.do("GET", "/api/v1/me", w.staffA, nil))["id"].(string)
			register := func(key, name string) string {
				rec := env.withKey("POST", "/api/v1/residents", w.staffA, key, residentBody(w.wardA, name, "", ""))
				mustStatus(t, rec, 201)
				return decode(t, rec)["id"].(string)
			}
			gone := register("dk-1", "Nguyễn Thị Quên")
			register("dk-2", "Trần Văn Giữ")
			for _, k := range []string{"dk-1", "dk-2"} {
				if _, err := env.store.IdempotencyRecord(t.Context(), staffID, k); err != nil {
					t.Fatalf("stored response %s: %v", k, err)
				}
			}
			mustStatus(t, env.do("POST", "/api/v1/residents/"+gone+"/erase", w.staffA, map[string]string{"reason": "Người dân yêu cầu xoá"}), 200)
			if _, err := env.store.IdempotencyRecord(t.Context(), staffID, "dk-1"); !errors.Is(err, apperr.ErrNotFound) {
				t.Fatalf("the erased resident's stored response: %v, want gone", err)
			}
			if _, err := env.store.IdempotencyRecord(t.Context(), staffID, "dk-2"); err != nil {
				t.Fatalf("another resident's stored response: %v", err)
			}

		})
	}
}
