package httpapi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"ecitizen/internal/identity"
	"ecitizen/internal/store/storetest"
)

// claimsFor returns valid access claims for the env's admin; tests then break one thing.
func claimsFor(t *testing.T, env *testEnv) jwt.MapClaims {
	t.Helper()
	access, _ := env.login(testAdminEmail, testAdminPassword)
	var c identity.AccessClaims
	if _, _, err := jwt.NewParser().ParseUnverified(access, &c); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	return jwt.MapClaims{
		"iss": identity.Issuer, "aud": []string{identity.Audience}, "sub": c.Subject,
		"exp": now.Add(time.Minute).Unix(), "iat": now.Unix(), "nbf": now.Unix(), "jti": "t",
		"role": "admin", "sid": c.SessionID, "token_use": "access",
	}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func with(c jwt.MapClaims, k string, v any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for kk, vv := range c {
		out[kk] = vv
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

// TestAuthenticationAttacks: every token SECURITY.md lists is refused with 401.
func TestAuthenticationAttacks(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	valid := claimsFor(t, env)
	if rec := env.do("GET", "/api/v1/me", sign(t, jwt.SigningMethodHS256, env.jwtKey, valid), nil); rec.Code != http.StatusOK {
		t.Fatalf("control: a correctly signed token got %d", rec.Code)
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, refresh := env.login(testAdminEmail, testAdminPassword)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, valid).SignedString(jwt.UnsafeAllowNoneSignatureType)
	tampered := sign(t, jwt.SigningMethodHS256, env.jwtKey, valid)
	tampered = tampered[:len(tampered)-4] + "AAAA"
	cases := map[string]string{
		"NoToken":              "",
		"AlgNone":              none,
		"RS256":                sign(t, jwt.SigningMethodRS256, rsaKey, valid),
		"ES256":                sign(t, jwt.SigningMethodES256, ecKey, valid),
		"HS512SameKey":         sign(t, jwt.SigningMethodHS512, env.jwtKey, valid),
		"BadSignature":         tampered,
		"OtherKey":             sign(t, jwt.SigningMethodHS256, []byte("another-key-of-thirty-two-bytes!!"), valid),
		"Expired":              sign(t, jwt.SigningMethodHS256, env.jwtKey, with(valid, "exp", time.Now().Add(-time.Hour).Unix())),
		"NoExp":                sign(t, jwt.SigningMethodHS256, env.jwtKey, with(valid, "exp", nil)),
		"NotBeforeInFuture":    sign(t, jwt.SigningMethodHS256, env.jwtKey, with(valid, "nbf", time.Now().Add(time.Hour).Unix())),
		"WrongIssuer":          sign(t, jwt.SigningMethodHS256, env.jwtKey, with(valid, "iss", "someone-else")),
		"NoIssuer":             sign(t, jwt.SigningMethodHS256, env.jwtKey, with(valid, "iss", nil)),
		"WrongAudience":        sign(t, jwt.SigningMethodHS256, env.jwtKey, with(valid, "aud", []string{"other-api"})),
		"NoAudience":           sign(t, jwt.SigningMethodHS256, env.jwtKey, with(valid, "aud", nil)),
		"NotAnAccessToken":     sign(t, jwt.SigningMethodHS256, env.jwtKey, with(valid, "token_use", "refresh")),
		"UnknownUser":          sign(t, jwt.SigningMethodHS256, env.jwtKey, with(valid, "sub", "0190aaaa-0000-7000-8000-000000000000")),
		"RefreshTokenAsAccess": refresh,
		"Garbage":              "not.a.jwt",
		"OneMegabyteHeader":    strings.Repeat("a", 1<<20),
	}
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			rec := env.do("GET", "/api/v1/me", token, nil)
			assertProblem(t, rec, http.StatusUnauthorized, "unauthorized")
		})
	}
	t.Run("NotBearerScheme", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header.Set("Authorization", "Basic YWRtaW46cGFzc3dvcmQ=")
		rec := env.serve(req)
		assertProblem(t, rec, http.StatusUnauthorized, "unauthorized")
	})
	t.Run("LoggedOutSession", func(t *testing.T) {
		access, _ := env.login(testAdminEmail, testAdminPassword)
		if rec := env.do("POST", "/api/v1/auth/logout", access, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("logout: %d", rec.Code)
		}
		assertProblem(t, env.do("GET", "/api/v1/me", access, nil), http.StatusUnauthorized, "unauthorized")
	})
}

// TestLogin covers the answers of login: the same for unknown users and wrong
// passwords, and throttling per account and per address.
func TestLogin(t *testing.T) {
	t.Run("UnknownAndWrongAnswerAlike", func(t *testing.T) {
		env := newTestEnv(t, storetest.SQLite())
		a := env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "nobody@example.vn", "password": "whatever-password"})
		b := env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": testAdminEmail, "password": "wrong-password"})
		assertProblem(t, a, http.StatusUnauthorized, "invalid_credentials")
		assertProblem(t, b, http.StatusUnauthorized, "invalid_credentials")
		if problemOf(t, a).Detail != problemOf(t, b).Detail {
			t.Fatal("unknown user and wrong password answer differently")
		}
	})
	t.Run("EmailIsCaseInsensitive", func(t *testing.T) {
		env := newTestEnv(t, storetest.SQLite())
		env.login(strings.ToUpper(testAdminEmail), testAdminPassword)
	})
	t.Run("ErrRateLimitedPerAccount", func(t *testing.T) {
		env := newTestEnvWithLimits(t, storetest.SQLite(), identity.LoginLimits{AccountBurst: 3, AccountEvery: time.Hour, AddrBurst: 100, AddrEvery: time.Hour})
		for i := range 3 {
			rec := env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": testAdminEmail, "password": "wrong-password"})
			assertProblem(t, rec, http.StatusUnauthorized, "invalid_credentials")
			_ = i
		}
		rec := env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": testAdminEmail, "password": testAdminPassword})
		assertProblem(t, rec, http.StatusTooManyRequests, "rate_limited")
		if ra := rec.Header().Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("Retry-After = %q", ra)
		}
		// Another account from the same address is not affected.
		rec = env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "other@example.vn", "password": "wrong-password"})
		assertProblem(t, rec, http.StatusUnauthorized, "invalid_credentials")
	})
	t.Run("ErrRateLimitedPerAddress", func(t *testing.T) {
		env := newTestEnvWithLimits(t, storetest.SQLite(), identity.LoginLimits{AccountBurst: 100, AccountEvery: time.Hour, AddrBurst: 4, AddrEvery: time.Hour})
		for i := range 4 {
			rec := env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "u" + string(rune('a'+i)) + "@example.vn", "password": "wrong-password"})
			assertProblem(t, rec, http.StatusUnauthorized, "invalid_credentials")
		}
		rec := env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": testAdminEmail, "password": testAdminPassword})
		assertProblem(t, rec, http.StatusTooManyRequests, "rate_limited")
		if rec.Header().Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
	})
	t.Run("ErrAccountDisabled", func(t *testing.T) {
		env := newTestEnv(t, storetest.SQLite())
		admin, _ := env.login(testAdminEmail, testAdminPassword)
		u := env.createUser(admin, map[string]any{"email": "cb@example.vn", "display_name": "Cán bộ", "password": "mat-khau-can-bo", "role": "admin"})
		access, _ := env.login("cb@example.vn", "mat-khau-can-bo")
		if rec := env.do("PATCH", "/api/v1/users/"+u, admin, map[string]any{"status": "disabled"}); rec.Code != http.StatusOK {
			t.Fatalf("disable: %d %s", rec.Code, rec.Body)
		}
		assertProblem(t, env.do("GET", "/api/v1/me", access, nil), http.StatusUnauthorized, "unauthorized")
		rec := env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "cb@example.vn", "password": "mat-khau-can-bo"})
		assertProblem(t, rec, http.StatusForbidden, "account_disabled")
	})
	t.Run("RehashesAnOlderCost", func(t *testing.T) {
		for _, ad := range storetest.Adapters(t) {
			t.Run(ad.Name, func(t *testing.T) {
				env := newTestEnv(t, ad)
				admin := env.adminToken()
				id := env.createUser(admin, map[string]any{"email": "cu@example.vn", "display_name": "Tài khoản cũ", "password": "mat-khau-cu-2026", "role": "admin"})
				u, err := env.store.UserByID(t.Context(), id)
				if err != nil {
					t.Fatal(err)
				}
				if u.PasswordHash, err = (identity.PasswordCost{MemoryKiB: 32, Time: 3}).Hash("mat-khau-cu-2026"); err != nil {
					t.Fatal(err)
				}
				if err := env.store.UpdateUser(t.Context(), u); err != nil {
					t.Fatal(err)
				}
				assertProblem(t, env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "cu@example.vn", "password": "wrong-password"}),
					http.StatusUnauthorized, "invalid_credentials")
				if u, _ = env.store.UserByID(t.Context(), id); !strings.Contains(u.PasswordHash, "$m=32,t=3,") {
					t.Fatalf("a wrong password rehashed: %s", u.PasswordHash)
				}
				env.login("cu@example.vn", "mat-khau-cu-2026")
				if u, _ = env.store.UserByID(t.Context(), id); !strings.Contains(u.PasswordHash, "$m=64,t=1,") {
					t.Fatalf("after a login the hash is %s, want the service's cost", u.PasswordHash)
				}
				env.login("cu@example.vn", "mat-khau-cu-2026")
			})
		}
	})
}

// TestRefreshRotation: tokens rotate, a spent one revokes its family, and of 50
// concurrent refreshes of one token exactly one succeeds — on both adapters.
func TestRefreshRotation(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			t.Run("RotatesAndRevokesOnReuse", func(t *testing.T) {
				_, r1 := env.login(testAdminEmail, testAdminPassword)
				a2, r2 := env.refresh(r1)
				if r2 == r1 {
					t.Fatal("refresh token did not rotate")
				}
				if rec := env.do("GET", "/api/v1/me", a2, nil); rec.Code != http.StatusOK {
					t.Fatalf("new access token: %d", rec.Code)
				}
				// Reuse of the spent r1: refused, and the whole family (r2, a2) dies.
				rec := env.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": r1})
				assertProblem(t, rec, http.StatusUnauthorized, "invalid_refresh_token")
				assertProblem(t, env.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": r2}), http.StatusUnauthorized, "invalid_refresh_token")
				assertProblem(t, env.do("GET", "/api/v1/me", a2, nil), http.StatusUnauthorized, "unauthorized")
				// Other sessions of the same user live on.
				a3, _ := env.login(testAdminEmail, testAdminPassword)
				if rec := env.do("GET", "/api/v1/me", a3, nil); rec.Code != http.StatusOK {
					t.Fatalf("other session: %d", rec.Code)
				}
			})
			t.Run("ExactlyOneOfFiftyConcurrent", func(t *testing.T) {
				_, r := env.login(testAdminEmail, testAdminPassword)
				var wg sync.WaitGroup
				codes := make([]int, 50)
				for i := range codes {
					wg.Add(1)
					go func() {
						defer wg.Done()
						codes[i] = env.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": r}).Code
					}()
				}
				wg.Wait()
				ok := 0
				for _, c := range codes {
					switch c {
					case http.StatusOK:
						ok++
					case http.StatusUnauthorized:
					default:
						t.Fatalf("unexpected status %d", c)
					}
				}
				if ok != 1 {
					t.Fatalf("%d of 50 concurrent refreshes succeeded, want exactly 1", ok)
				}
			})
			t.Run("LogoutRevokesFamily", func(t *testing.T) {
				a, r := env.login(testAdminEmail, testAdminPassword)
				if rec := env.do("POST", "/api/v1/auth/logout", a, nil); rec.Code != http.StatusNoContent {
					t.Fatalf("logout: %d", rec.Code)
				}
				assertProblem(t, env.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": r}), http.StatusUnauthorized, "invalid_refresh_token")
			})
			t.Run("ChangePasswordRevokesOtherSessions", func(t *testing.T) {
				admin, _ := env.login(testAdminEmail, testAdminPassword)
				env.createUser(admin, map[string]any{"email": "doi-mk@example.vn", "display_name": "Đổi mật khẩu", "password": "mat-khau-cu-1", "role": "admin"})
				keep, keepR := env.login("doi-mk@example.vn", "mat-khau-cu-1")
				other, otherR := env.login("doi-mk@example.vn", "mat-khau-cu-1")
				rec := env.do("POST", "/api/v1/me/password", keep, map[string]string{"current_password": "wrong-one-xx", "new_password": "mat-khau-moi-2"})
				assertProblem(t, rec, http.StatusBadRequest, "wrong_password")
				rec = env.do("POST", "/api/v1/me/password", keep, map[string]string{"current_password": "mat-khau-cu-1", "new_password": "mat-khau-moi-2"})
				if rec.Code != http.StatusNoContent {
					t.Fatalf("change password: %d %s", rec.Code, rec.Body)
				}
				assertProblem(t, env.do("GET", "/api/v1/me", other, nil), http.StatusUnauthorized, "unauthorized")
				assertProblem(t, env.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": otherR}), http.StatusUnauthorized, "invalid_refresh_token")
				if rec := env.do("GET", "/api/v1/me", keep, nil); rec.Code != http.StatusOK {
					t.Fatalf("current session after password change: %d", rec.Code)
				}
				env.refresh(keepR)
				env.login("doi-mk@example.vn", "mat-khau-moi-2")
				assertProblem(t, env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "doi-mk@example.vn", "password": "mat-khau-cu-1"}), http.StatusUnauthorized, "invalid_credentials")
			})
		})
	}
}
