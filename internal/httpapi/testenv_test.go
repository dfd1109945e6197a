package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"ecitizen/content"
	"ecitizen/internal/certificate"
	"ecitizen/internal/course"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/equipment"
	"ecitizen/internal/idempotency"
	"ecitizen/internal/identity"
	"ecitizen/internal/notify"
	"ecitizen/internal/partner"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/skills"
	"ecitizen/internal/store"
	"ecitizen/internal/store/storetest"
	"ecitizen/internal/training"
)

// The first admin every testEnv bootstraps.
const (
	testAdminEmail    = "admin@example.vn"
	testAdminPassword = "quan-tri-vien-2026"
)

// testPublicURL is ECITIZEN_PUBLIC_URL of every testEnv.
const testPublicURL = "https://ecitizen.example.vn"

// specPath is api/openapi.yaml, relative to this package's directory (where go
// test runs).
const specPath = "../../api/openapi.yaml"

var (
	specOnce  sync.Once
	specBytes []byte
	specErr   error
)

// readSpec returns the bytes of api/openapi.yaml, read once per test process.
func readSpec(tb testing.TB) []byte {
	tb.Helper()
	specOnce.Do(func() { specBytes, specErr = os.ReadFile(specPath) })
	if specErr != nil {
		tb.Fatalf("read the contract: %v", specErr)
	}
	return specBytes
}

// testEnv is the whole HTTP service on a fresh, empty store of one adapter, with
// one bootstrapped admin (testAdminEmail / testAdminPassword). Requests go through
// the real router (every middleware included) in-process, and every response of
// do and serve is checked against api/openapi.yaml by checkResponse, so any test
// that drives the API through an env is also a contract test.
//
// newTestEnv relaxes login throttling (1000 attempts, refilled every
// millisecond) so tests may sign in freely; newTestEnvWithLimits sets other
// limits. All requests come from httptest's client address 192.0.2.1.
type testEnv struct {
	t         *testing.T
	store     store.Store
	directory *directory.Service
	identity  *identity.Service
	courses   *course.Service
	coverage  *coverage.Service
	// handler is what httpapi.New returned (a *gin.Engine).
	handler http.Handler
	// jwtKey is the HMAC key of the access tokens, for tests that forge tokens.
	jwtKey []byte
	// deps are what handler was built from, and residents what the resident
	// service was built from (restartResidents builds them again).
	deps      Deps
	residents resident.Deps

	admin *adminSession // shared with the views sub returns
}

// adminSession is the bootstrapped admin's access token, signed in once per env.
type adminSession struct {
	once   sync.Once
	access string
}

// testClockShift moves the clock of every service a testEnv builds, and of the
// tests' time helpers (testNow, localTime, localDay), by a duration read from
// ECITIZEN_TEST_CLOCK_SHIFT (e.g. "15h30m", "-2h"; unset: 0). It exists to run a
// test at another time of day, weekday or date than the machine's, to show it
// does not depend on when it runs:
//
//	ECITIZEN_TEST_CLOCK_SHIFT=-8h36m go test -count=1 -run 'TestX/sqlite' ./internal/httpapi/
//
// Handlers that read the wall clock themselves (defaults of a few queries, such
// as the hours' range ending now, and export file names) are not moved: shift
// back rather than forward, so that data stays before their now.
var testClockShift = sync.OnceValue(func() time.Duration {
	v := os.Getenv("ECITIZEN_TEST_CLOCK_SHIFT")
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		panic("ECITIZEN_TEST_CLOCK_SHIFT: " + err.Error())
	}
	return d
})

// testNow is the services' clock in a testEnv: the wall clock moved by
// testClockShift.
func testNow() time.Time { return time.Now().Add(testClockShift()) }

// relaxedLimits let tests sign in as often as they like.
var relaxedLimits = identity.LoginLimits{AccountBurst: 1000, AccountEvery: time.Millisecond, AddrBurst: 1000, AddrEvery: time.Millisecond}

// newTestEnv opens a new empty store of adapter (closed when the test ends),
// builds the services and the HTTP handler on it as cmd/ecitizen does, and
// bootstraps the admin.
func newTestEnv(t *testing.T, adapter storetest.Adapter) *testEnv {
	t.Helper()
	return buildTestEnv(t, adapter, envSettings{})
}

// newTestEnvWithLimits is newTestEnv with the given login throttling.
func newTestEnvWithLimits(t *testing.T, adapter storetest.Adapter, limits identity.LoginLimits) *testEnv {
	t.Helper()
	return buildTestEnv(t, adapter, envSettings{limits: limits})
}

// newTestEnvWith is newTestEnv with configure changing the Deps before
// httpapi.New, e.g. to set CORSOrigins or TrustedProxies.
func newTestEnvWith(t *testing.T, adapter storetest.Adapter, configure func(*Deps)) *testEnv {
	t.Helper()
	return buildTestEnv(t, adapter, envSettings{configure: configure})
}

// envSettings are what a test env is built with besides its store.
type envSettings struct {
	// limits throttle logins; the zero value is relaxedLimits.
	limits identity.LoginLimits
	// logger is the logger of every service and of the handler; nil: testLogger().
	logger *slog.Logger
	// residents, when not nil, changes the resident service's Deps before it is
	// built (a key ring, an allowance of number checks).
	residents func(*resident.Deps)
	// configure, when not nil, changes the handler's Deps before httpapi.New.
	configure func(*Deps)
}

func buildTestEnv(t *testing.T, adapter storetest.Adapter, set envSettings) *testEnv {
	t.Helper()
	limits, logger := set.limits, set.logger
	if limits == (identity.LoginLimits{}) {
		limits = relaxedLimits
	}
	if logger == nil {
		logger = testLogger()
	}
	st := adapter.Open(t)
	dir := directory.NewService(directory.Deps{Store: st, Now: testNow})
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	tokens, err := identity.NewTokens(key, nil)
	if err != nil {
		t.Fatalf("tokens: %v", err)
	}
	ids, err := identity.NewService(identity.Deps{Store: st, Directory: dir, Tokens: tokens, Limits: limits,
		PasswordCost: identity.TestPasswordCost, Logger: logger})
	if err != nil {
		t.Fatalf("identity service: %v", err)
	}
	framework, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		t.Fatalf("skills framework: %v", err)
	}
	courses := course.NewService(course.Deps{Store: st, KnownSkill: framework.Known, Now: testNow})
	notes := notify.NewService(notify.Deps{Store: st, Now: testNow})
	rosters := roster.NewService(roster.Deps{Store: st, Centres: dir, Qualifications: courses, People: ids, Notifier: notes,
		JWTKey: key, NoShowRule: roster.DefaultNoShowRule, Logger: logger, Now: testNow})
	d := Deps{
		Identity:    ids,
		Directory:   dir,
		Courses:     courses,
		Training:    training.NewService(training.Deps{Store: st, Courses: courses, Places: dir, Now: testNow}),
		Roster:      rosters,
		Notify:      notes,
		Idempotency: idempotency.NewService(idempotency.Deps{Store: st, DataKey: []byte("test data key of 32 bytes long!!"), Now: testNow}),
		Equipment:   equipment.NewService(equipment.Deps{Store: st, Centres: dir, Duty: rosters, Now: testNow}),
		Ping:        st.Ping,
		Logger:      logger,
		Spec:        readSpec(t),
	}
	d.Certificates = certificate.NewService(certificate.Deps{Store: st, Ledger: rosters, JWTKey: key, PublicURL: testPublicURL, Now: testNow})
	d.Partner = partner.NewService(partner.Deps{Store: st, Organisations: dir, Hours: rosters, Now: testNow})
	consents, err := resident.LoadConsents(content.FS, "consent.yaml")
	if err != nil {
		t.Fatalf("consent texts: %v", err)
	}
	dataKey := make([]byte, 32)
	if _, err := rand.Read(dataKey); err != nil {
		t.Fatal(err)
	}
	keys, err := resident.NewCrypter(dataKey)
	if err != nil {
		t.Fatal(err)
	}
	rd := resident.Deps{Store: st, Directory: dir, Duty: rosters, Keys: keys, Consents: consents, Forget: d.Idempotency.Forget, Logger: logger, Now: testNow}
	if set.residents != nil {
		set.residents(&rd)
	}
	if d.Residents, err = resident.NewService(rd); err != nil {
		t.Fatalf("resident service: %v", err)
	}
	d.Progress = progress.NewService(progress.Deps{Store: st, Residents: d.Residents, Duty: rosters, Centres: dir,
		Certificates: d.Certificates, Framework: framework, Grader: courses, PersonalLinks: st, Now: testNow})
	d.PublicURL = testPublicURL
	d.Coverage = coverage.NewService(coverage.Deps{Store: st, Directory: dir, Targets: dir, Framework: framework, Now: testNow})
	if set.configure != nil {
		set.configure(&d)
	}
	h, err := New(d)
	if err != nil {
		t.Fatalf("httpapi.New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if created, err := ids.Bootstrap(ctx, testAdminEmail, testAdminPassword); err != nil || !created {
		t.Fatalf("bootstrap admin: created=%v err=%v", created, err)
	}
	return &testEnv{t: t, store: st, directory: dir, identity: ids, courses: courses, coverage: d.Coverage, handler: h, jwtKey: key,
		deps: d, residents: rd, admin: &adminSession{}}
}

// restartResidents builds the resident service again, from the Deps it was
// built from changed by change, and the handler on it: what a restart with
// other resident settings (a new key ring) does, on the same store, with the
// same sessions.
func (e *testEnv) restartResidents(change func(*resident.Deps)) {
	e.t.Helper()
	change(&e.residents)
	svc, err := resident.NewService(e.residents)
	if err != nil {
		e.t.Fatalf("resident service: %v", err)
	}
	e.deps.Residents = svc
	if e.handler, err = New(e.deps); err != nil {
		e.t.Fatalf("httpapi.New: %v", err)
	}
}

// importBuiltins imports the built-in catalogue of content/ as run() does at start.
func (e *testEnv) importBuiltins() course.ImportResult {
	e.t.Helper()
	ctx := context.Background()
	if err := e.directory.EnsureBuiltinOrganisation(ctx); err != nil {
		e.t.Fatal(err)
	}
	builtins, err := course.LoadBuiltins(content.FS)
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.courses.ImportBuiltins(ctx, directory.BuiltinOrganisationID, builtins)
	if err != nil {
		e.t.Fatalf("import built-in catalogue: %v", err)
	}
	return res
}

// sub returns a view of the env that reports to t, for use inside t.Run: the
// store, services, handler and admin session are shared.
func (e *testEnv) sub(t *testing.T) *testEnv {
	c := *e
	c.t = t
	return &c
}

// newRequest builds a request to path (which may carry a query string). token,
// when not empty, is sent as "Authorization: Bearer <token>". body is sent as
// follows: nil sends no body; a []byte or a string is sent verbatim (for malformed
// or oversized bodies); anything else is JSON-encoded. With a body, Content-Type is
// application/json. Callers may change headers before passing it to serve.
func (e *testEnv) newRequest(method, path, token string, body any) *http.Request {
	e.t.Helper()
	var r io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case csvBody: // residentimport_test.go
		r, ctype = bytes.NewReader([]byte(b)), "text/csv; charset=utf-8"
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = bytes.NewReader([]byte(b))
	default:
		buf, err := json.Marshal(body)
		if err != nil {
			e.t.Fatalf("encode body of %s %s: %v", method, path, err)
		}
		r = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// serve runs req through the router and checks the response against the
// contract (see checkResponse); a mismatch fails the test, but serve returns anyway.
func (e *testEnv) serve(req *http.Request) *httptest.ResponseRecorder {
	e.t.Helper()
	var body []byte
	if req.Body != nil && req.ContentLength <= 2<<20 {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	checkResponse(e.t, req, rec)
	if body != nil || req.Body == nil || req.Body == http.NoBody {
		checkRequest(e.t, req, body, rec)
	}
	return rec
}

// do sends one request (see newRequest for token and body) and returns the
// recorded response, already checked against the contract.
func (e *testEnv) do(method, path, token string, body any) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.serve(e.newRequest(method, path, token, body))
}

// login signs in and returns the access and refresh tokens; anything but 200 is fatal.
func (e *testEnv) login(email, pw string) (access, refresh string) {
	e.t.Helper()
	rec := e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": email, "password": pw})
	mustStatus(e.t, rec, http.StatusOK)
	var tok tokenJSON
	decodeBody(e.t, rec, &tok)
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		e.t.Fatalf("login %s: empty tokens in %s", email, rec.Body)
	}
	return tok.AccessToken, tok.RefreshToken
}

// adminToken returns an access token of the bootstrapped admin, signing in once
// per env.
func (e *testEnv) adminToken() string {
	e.t.Helper()
	e.admin.once.Do(func() { e.admin.access, _ = e.login(testAdminEmail, testAdminPassword) })
	if e.admin.access == "" {
		e.t.Fatal("admin login failed earlier")
	}
	return e.admin.access
}

// mustStatus fails the test at once, showing the body, unless rec has status want.
func mustStatus(tb testing.TB, rec *httptest.ResponseRecorder, want int) {
	tb.Helper()
	if rec.Code != want {
		tb.Fatalf("status %d, want %d; body: %s", rec.Code, want, rec.Body)
	}
}

// decodeBody decodes rec's JSON body into v, failing the test at once on error.
func decodeBody(tb testing.TB, rec *httptest.ResponseRecorder, v any) {
	tb.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		tb.Fatalf("decode body %q: %v", rec.Body, err)
	}
}
