package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ecitizen/internal/identity"
)

func TestSignInOutAndSession(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	home := c.get("/").must(t, http.StatusOK, "Cùng trở thành công dân số", `lang="vi"`)
	if ck := home.Header.Get("Set-Cookie"); !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") {
		t.Fatalf("session cookie %q is not HttpOnly and SameSite", ck)
	}

	// A wrong password keeps the email, never the password, and says why in Vietnamese.
	c.get("/login")
	p := c.post("/login", url.Values{"email": {testAdminEmail}, "password": {"wrong-password-9"}})
	p.must(t, http.StatusUnauthorized, `value="admin@example.vn"`)
	if strings.Contains(p.Body, "wrong-password-9") {
		t.Fatal("the password was sent back into the page")
	}

	c.signIn(testAdminEmail, testAdminPassword)
	c.get("/account").must(t, http.StatusOK, testAdminEmail, "Quản trị viên quận")

	// Signing out revokes the session in the store: the old cookie is refused too.
	old := c.http.Jar.Cookies(mustURL(t, e.URL))
	c.post("/logout", nil).must(t, http.StatusOK, "Bạn đã đăng xuất.")
	thief := e.client()
	thief.http.Jar.SetCookies(mustURL(t, e.URL), old)
	if p := thief.get("/account"); !strings.HasSuffix(p.URL, "/login?next=%2Faccount") {
		t.Fatalf("a signed-out session still reads /account: %s", p.URL)
	}
}

func TestLanguageSwitchIsRemembered(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	c.get("/lang/en?next=/login").must(t, http.StatusOK, "Sign in", `lang="en"`)
	c.get("/").must(t, http.StatusOK, "Become an e-citizen")
	// The return path is local only.
	if p := c.get("/lang/vi?next=//evil.example/x"); p.URL != "/" {
		t.Fatalf("the language switch went to %s", p.URL)
	}
}

func TestFormsWithoutCSRFTokenAreRefused(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	c.get("/login")
	p := c.post("/login", url.Values{"_csrf": {"forged"}, "email": {testAdminEmail}, "password": {testAdminPassword}})
	p.must(t, http.StatusForbidden, "Biểu mẫu đã hết hạn")
	// No token at all.
	res, err := c.http.PostForm(e.URL+"/login", url.Values{"email": {testAdminEmail}, "password": {testAdminPassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a form without a token: %d", res.StatusCode)
	}
	// A signed-in user's token from another session does not work either.
	c.signIn(testAdminEmail, testAdminPassword)
	other := e.client()
	other.get("/login")
	if p := c.post("/account/password", url.Values{"_csrf": {other.csrf}, "current_password": {testAdminPassword}, "new_password": {"another-password-2"}}); p.Status != http.StatusForbidden {
		t.Fatalf("another session's token: %d", p.Status)
	}
	// A cross-site post is refused even with the right token.
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/logout", strings.NewReader(url.Values{"_csrf": {c.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err = c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-site post: %d", res.StatusCode)
	}
}

func TestRegisterWithInviteAndChangePassword(t *testing.T) {
	e := newTestEnv(t)
	org := e.organisation("Trường Đại học Bách khoa Hà Nội")
	inv, err := e.svc.Identity.CreateInvite(t.Context(), e.admin, org.ID, "K66", time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.get("/register")
	// A bad code is shown next to its field, and what was typed stays.
	p := c.post("/register", url.Values{"invite_code": {"NOPE-NOPE"}, "display_name": {"Nguyễn Văn An"}, "email": {"an@example.vn"}, "password": {testPassword}})
	p.must(t, http.StatusBadRequest, `id="e-invite_code"`, `value="Nguyễn Văn An"`)
	p = c.post("/register", url.Values{"invite_code": {strings.ToLower(inv.Code)}, "display_name": {"Nguyễn Văn An"}, "email": {"an@example.vn"}, "password": {testPassword}})
	if p.Status != http.StatusOK || !strings.HasPrefix(p.URL, "/login") || !strings.Contains(p.Body, "Đã nhận đăng ký") {
		t.Fatalf("register: %d at %s\n%s", p.Status, p.URL, excerpt(p.Body))
	}
	// An address that has an account gets the same page, and nothing changes.
	other := e.client()
	other.get("/register")
	again := other.post("/register", url.Values{"invite_code": {inv.Code}, "display_name": {"Kẻ khác"}, "email": {"an@example.vn"}, "password": {"mat-khau-khac-2026"}})
	if again.Status != p.Status || again.URL != p.URL || !strings.Contains(again.Body, "Đã nhận đăng ký") {
		t.Fatalf("register an existing address: %d at %s", again.Status, again.URL)
	}
	c.signIn("an@example.vn", testPassword)
	c.get("/account").must(t, http.StatusOK, "an@example.vn", "Tình nguyện viên", "Nguyễn Văn An")

	// A short new password is refused next to its field.
	c.post("/account/password", url.Values{"current_password": {testPassword}, "new_password": {"short"}}).
		must(t, http.StatusBadRequest, `id="e-new_password"`)
	c.post("/account/password", url.Values{"current_password": {"not-the-password"}, "new_password": {"another-password-2"}}).
		must(t, http.StatusBadRequest, `id="e-current_password"`)
	c.post("/account/password", url.Values{"current_password": {testPassword}, "new_password": {"another-password-2"}}).
		must(t, http.StatusOK, "Đã đổi mật khẩu")
	e.callerOf("an@example.vn", "another-password-2")
	_ = identity.RoleVolunteer
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestStaticFilesAreCachedAndCompressed(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	home := c.get("/")
	m := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(home.Body)
	if m == nil {
		t.Fatal("the page links no versioned stylesheet")
	}
	req, _ := http.NewRequest(http.MethodGet, e.URL+m[1], nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet headers %v", res.Header)
	}
	c.get("/static/nope.css").must(t, http.StatusNotFound)
}

// TestDisabledAccountIsSignedOutAtOnce: the session is resumed from the store on
// every request, so disabling an account ends its web sessions.
func TestDisabledAccountIsSignedOutAtOnce(t *testing.T) {
	e := newTestEnv(t)
	staff := e.user(identity.NewUser{Email: "canbo@example.vn", DisplayName: "Trần Thị Bình", Role: identity.RoleAdmin})
	c := e.client()
	c.signIn("canbo@example.vn", testPassword)
	c.get("/account").must(t, http.StatusOK, "Trần Thị Bình")
	disabled := identity.StatusDisabled
	if _, err := e.svc.Identity.UpdateUser(t.Context(), e.admin, staff.UserID, identity.UserPatch{Status: &disabled}); err != nil {
		t.Fatal(err)
	}
	p := c.get("/account")
	if !strings.HasPrefix(p.URL, "/login") || !strings.Contains(p.Body, "Phiên làm việc đã kết thúc") {
		t.Fatalf("a disabled account still reads /account: %s", p.URL)
	}
}

// TestServerErrorKeepsInput: when the store fails under a form, the form comes
// back with what was typed and a request id, never a bare error page.
func TestServerErrorKeepsInput(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	c.get("/register")
	if err := e.svc.Store.Close(); err != nil {
		t.Fatal(err)
	}
	p := c.post("/register", url.Values{"invite_code": {"ABCD-EFGH-JK"}, "display_name": {"Lê Văn Cường"}, "email": {"cuong@example.vn"}, "password": {testPassword}})
	if p.Status < 500 {
		t.Fatalf("status %d with the store closed", p.Status)
	}
	p.must(t, p.Status, `value="Lê Văn Cường"`, `value="cuong@example.vn"`, `value="ABCD-EFGH-JK"`, "dữ liệu bạn nhập vẫn được giữ nguyên")
	if strings.Contains(p.Body, testPassword) || strings.Contains(p.Body, "sql") {
		t.Fatal("the page shows the password or the store's error")
	}
}

// TestIdleSessionEnds: a session unused for IdleTimeout is over; one in use is
// kept alive by its requests.
func TestIdleSessionEnds(t *testing.T) {
	var offset atomic.Int64
	e := newTestEnvWith(t, func(d *Deps) {
		d.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	})
	c := e.client()
	c.signIn(testAdminEmail, testAdminPassword)
	for range 3 { // used every 4 hours: still signed in after 12
		offset.Add(int64(4 * time.Hour))
		c.get("/account").must(t, http.StatusOK, testAdminEmail)
	}
	offset.Add(int64(IdleTimeout + time.Minute))
	p := c.get("/account")
	if !strings.HasPrefix(p.URL, "/login") || !strings.Contains(p.Body, "Phiên làm việc đã kết thúc") {
		t.Fatalf("an idle session still reads /account: %s", p.URL)
	}
}

func TestSecureCookiesOffLoopback(t *testing.T) {
	for u, want := range map[string]bool{
		"https://ecitizen.example.vn": true, "http://ecitizen.example.vn": true, "http://10.0.0.5:8080": true,
		"http://localhost:8080": false, "http://127.0.0.1:8080": false, "http://[::1]:8080": false,
	} {
		if got := cookieSecure(mustURL(t, u)); got != want {
			t.Errorf("cookieSecure(%s) = %v", u, got)
		}
	}
	ss, err := newSessions(make([]byte, 32), true)
	if err != nil || ss.name != "__Host-ecitizen" {
		t.Fatalf("secure cookie name %q (%v)", ss.name, err)
	}
	rec := httptest.NewRecorder()
	if err := ss.write(rec, sessionData{CSRF: "x"}); err != nil {
		t.Fatal(err)
	}
	ck := rec.Header().Get("Set-Cookie")
	for _, attr := range []string{"__Host-ecitizen=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(ck, attr) {
			t.Errorf("cookie %q lacks %s", ck, attr)
		}
	}
}
