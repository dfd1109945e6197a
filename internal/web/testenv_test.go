package web

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/app"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/store/storetest"
)

// The first admin of every testEnv.
const (
	testAdminEmail    = "admin@example.vn"
	testAdminPassword = "quan-tri-vien-2026"
	testPassword      = "a-long-password-1"
)

// testEnv is the web app on a fresh SQLite store, served by a real HTTP server on
// a loopback port (what a browser reaches), with the services behind it for
// setting up fixtures. The pages are store-agnostic; the stores' own rules are
// tested against both adapters in storetest.
type testEnv struct {
	t     testing.TB
	svc   *app.Services
	srv   *httptest.Server
	URL   string
	admin identity.Caller
}

// relaxedLimits let tests sign in as often as they like.
var relaxedLimits = identity.LoginLimits{AccountBurst: 1000, AccountEvery: time.Millisecond, AddrBurst: 1000, AddrEvery: time.Millisecond}

func testLogger() *slog.Logger {
	if os.Getenv("DEBUG_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	return newTestEnvOn(t, storetest.SQLite(), nil)
}

// newTestEnvWith is newTestEnv with configure changing the web app's Deps (a
// clock, say) before New.
func newTestEnvWith(t testing.TB, configure func(*Deps)) *testEnv {
	t.Helper()
	return newTestEnvOn(t, storetest.SQLite(), configure)
}

// newTestEnvOn is the web app on a fresh store of adapter.
func newTestEnvOn(t testing.TB, adapter storetest.Adapter, configure func(*Deps)) *testEnv {
	t.Helper()
	return buildTestEnv(t, adapter, nil, configure)
}

// buildTestEnv is the web app on a fresh store of adapter, with options changing
// the services' app.Options (a no-show rule, say) before app.Build and configure
// the web app's Deps before New; either may be nil.
func buildTestEnv(t testing.TB, adapter storetest.Adapter, options func(*app.Options), configure func(*Deps)) *testEnv {
	t.Helper()
	st := adapter.Open(t)
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	key, dataKey := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(key)
	_, _ = rand.Read(dataKey)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	o := app.Options{JWTKey: key, DataKey: dataKey, PublicURL: url, LoginLimits: relaxedLimits,
		PasswordCost: identity.TestPasswordCost, Logger: testLogger()}
	if options != nil {
		options(&o)
	}
	svc, err := app.Build(ctx, st, o)
	if err != nil {
		t.Fatalf("build services: %v", err)
	}
	d := Deps{Services: svc, PublicURL: url, SessionKey: key, Logger: testLogger()}
	if configure != nil {
		configure(&d)
	}
	h, err := New(d)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	if _, err := svc.Identity.Bootstrap(ctx, testAdminEmail, testAdminPassword); err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, svc: svc, srv: srv, URL: url}
	e.admin = e.callerOf(testAdminEmail, testAdminPassword)
	return e
}

// callerOf signs in through the identity service and returns the caller, for
// setting up fixtures as that user.
func (e *testEnv) callerOf(email, password string) identity.Caller {
	e.t.Helper()
	ctx := context.Background()
	pair, err := e.svc.Identity.Login(ctx, email, password, "192.0.2.1")
	if err != nil {
		e.t.Fatalf("login %s: %v", email, err)
	}
	c, err := e.svc.Identity.Authenticate(ctx, pair.AccessToken)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// allDay is a centre open every day from 06:00 to 22:00.
func allDay() directory.OpeningHours {
	d := []directory.Span{{Open: "06:00", Close: "22:00"}}
	return directory.OpeningHours{Mon: d, Tue: d, Wed: d, Thu: d, Fri: d, Sat: d, Sun: d}
}

// ward creates a ward.
func (e *testEnv) ward(code, name string) *directory.Ward {
	e.t.Helper()
	w, err := e.svc.Directory.CreateWard(context.Background(), e.admin, directory.Ward{Code: code, NameVi: name, NameEn: name})
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

// centre creates an active centre in ward, open every day.
func (e *testEnv) centre(wardID, name string) *directory.Centre {
	e.t.Helper()
	ce, err := e.svc.Directory.CreateCentre(context.Background(), e.admin, directory.Centre{
		WardID: wardID, Name: name, Address: "Số 5 ngõ 12 phố Bạch Đằng", Hours: allDay(), Seats: 8, Active: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return ce
}

// organisation creates a university.
func (e *testEnv) organisation(name string) *directory.Organisation {
	e.t.Helper()
	o, err := e.svc.Directory.CreateOrganisation(context.Background(), e.admin, directory.Organisation{
		Kind: directory.KindUniversity, Name: name, Active: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// user creates an account with testPassword and returns it signed in.
func (e *testEnv) user(n identity.NewUser) identity.Caller {
	e.t.Helper()
	if n.Password == "" {
		n.Password = testPassword
	}
	if _, err := e.svc.Identity.CreateUser(context.Background(), e.admin, n); err != nil {
		e.t.Fatalf("create user %s: %v", n.Email, err)
	}
	return e.callerOf(n.Email, n.Password)
}

// client is a browser without JavaScript: it keeps cookies, follows redirects,
// and sends the CSRF token of the last page it read with each form.
type client struct {
	t    testing.TB
	e    *testEnv
	http *http.Client
	csrf string
}

// page is a response as the client read it.
type page struct {
	Status int
	URL    string // after redirects
	Body   string
	Header http.Header
}

func (e *testEnv) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, e: e, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *client) read(res *http.Response, err error) *page {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	p := &page{Status: res.StatusCode, URL: res.Request.URL.RequestURI(), Body: string(b), Header: res.Header}
	if m := csrfField.FindStringSubmatch(p.Body); m != nil {
		c.csrf = m[1]
	}
	return p
}

func (c *client) get(path string) *page {
	c.t.Helper()
	return c.read(c.http.Get(c.e.URL + path))
}

// post sends form (with the CSRF token of the last page read).
func (c *client) post(path string, form url.Values) *page {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" && c.csrf != "" {
		form.Set("_csrf", c.csrf)
	}
	return c.read(c.http.PostForm(c.e.URL+path, form))
}

// signIn signs in through the sign-in page.
func (c *client) signIn(email, password string) *page {
	c.t.Helper()
	c.get("/login")
	p := c.post("/login", url.Values{"email": {email}, "password": {password}})
	if p.Status != http.StatusOK || strings.Contains(p.URL, "/login") {
		c.t.Fatalf("sign in %s: %d at %s", email, p.Status, p.URL)
	}
	return p
}

// must fails the test unless p has status and contains every text.
func (p *page) must(t testing.TB, status int, texts ...string) *page {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", p.URL, p.Status, status, excerpt(p.Body))
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("%s: no %q in the page\n%s", p.URL, s, excerpt(p.Body))
		}
	}
	return p
}

func excerpt(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 3000 {
		s = s[:3000]
	}
	return s
}
