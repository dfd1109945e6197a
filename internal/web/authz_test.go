package web

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
)

// The web authorisation matrix (SECURITY.md "Access"): every page and form of the
// web app, as every principal, with the status each must get. A route of the web
// engine without a row fails TestWebAuthorisationMatrix.

// Principals of the matrix.
const (
	anon     = "anonymous"
	admin    = "admin"
	staffA   = "staff of ward A"
	staffB   = "staff of ward B"
	partnerX = "partner of org X"
	partnerY = "partner of org Y"
	volX     = "volunteer of org X"
	volY     = "volunteer of org Y"
)

var principals = []string{anon, admin, staffA, staffB, partnerX, partnerY, volX, volY}

// Role gates, as routes.go applies them.
var (
	everyone   = principals
	signedIn   = principals[1:]
	staffGate  = []string{admin, staffA, staffB}
	partGate   = []string{admin, partnerX, partnerY}
	adminGate  = []string{admin}
	volunteers = []string{volX, volY}
	// residentsGate: staff, and volunteers (on duty).
	residentsGate = []string{admin, staffA, staffB, volX, volY}
)

// matrixFixture holds the objects the rows' URLs name: they belong to ward A and
// org X, so staff of B and partner of Y are out of scope.
type matrixFixture struct {
	e            *testEnv
	wardA, wardB *directory.Ward
	centreA      *directory.Centre
	orgX, orgY   *directory.Organisation
	users        map[string]identity.Caller
	emails       map[string]string
	clients      map[string]*http.Client
	csrf         map[string]string
	extra        map[string]string // ids made by area fixtures, by name
}

func newMatrixFixture(t *testing.T) *matrixFixture {
	e := newTestEnv(t)
	f := &matrixFixture{e: e, users: map[string]identity.Caller{}, emails: map[string]string{}, clients: map[string]*http.Client{},
		csrf: map[string]string{}, extra: map[string]string{}}
	f.wardA, f.wardB = e.ward("A01", "Phường Hàng Bạc"), e.ward("B02", "Phường Cửa Nam")
	f.centreA = e.centre(f.wardA.ID, "Nhà văn hóa Hàng Bạc")
	f.orgX, f.orgY = e.organisation("Đại học X"), e.organisation("Đại học Y")
	f.users[admin] = e.admin
	f.emails[admin] = testAdminEmail
	add := func(p string, n identity.NewUser) {
		n.Email = strings.ReplaceAll(p, " ", "-") + "@example.vn"
		n.DisplayName = "Người dùng " + p
		f.users[p] = e.user(n)
		f.emails[p] = n.Email
	}
	add(staffA, identity.NewUser{Role: identity.RoleWardStaff, WardIDs: []string{f.wardA.ID}})
	add(staffB, identity.NewUser{Role: identity.RoleWardStaff, WardIDs: []string{f.wardB.ID}})
	add(partnerX, identity.NewUser{Role: identity.RolePartner, OrganisationID: f.orgX.ID})
	add(partnerY, identity.NewUser{Role: identity.RolePartner, OrganisationID: f.orgY.ID})
	add(volX, identity.NewUser{Role: identity.RoleVolunteer, OrganisationID: f.orgX.ID})
	add(volY, identity.NewUser{Role: identity.RoleVolunteer, OrganisationID: f.orgY.ID})
	for _, p := range principals {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		f.clients[p] = hc
		c := &client{t: t, e: e, http: hc}
		c.get("/login")
		if p != anon {
			pw := testPassword
			if p == admin {
				pw = testAdminPassword
			}
			res := c.post("/login", url.Values{"email": {f.emails[p]}, "password": {pw}})
			if res.Status != http.StatusSeeOther {
				t.Fatalf("sign in %s: %d", p, res.Status)
			}
			c.get("/account")
		}
		f.csrf[p] = c.csrf
	}
	f.objects(t)
	return f
}

// row is one route of the matrix.
type row struct {
	method, route string
	// url is the concrete URL (default: the route itself).
	url func(f *matrixFixture) string
	// gate is who passes the route's role gate; notFound are those who pass it
	// but for whom the object is out of scope (404).
	gate, notFound []string
	// refused are those who pass the gate but whom the service refuses (403).
	refused []string
	// form is posted (with the principal's CSRF token) to unsafe routes. Forms
	// are chosen so that an allowed principal's request fails validation or
	// changes nothing that later rows need.
	form url.Values
	// allowed, when set, is the exact status an allowed principal gets (e.g. the
	// sign-in form's 401 for a wrong password); else any answer but a refusal.
	allowed int
}

// want is the status principal p must get: 2xx/3xx (0, any success) when
// allowed; 404 when out of scope; else the gate's refusal: signed-out readers
// are sent to sign in (303) on a GET and refused with 401 on a post, other roles
// get 403.
func (r row) want(p string) int {
	switch {
	case slices.Contains(r.notFound, p):
		return http.StatusNotFound
	case slices.Contains(r.refused, p):
		return http.StatusForbidden
	case slices.Contains(r.gate, p):
		return 0
	case p == anon && r.method == http.MethodGet:
		return http.StatusSeeOther
	case p == anon:
		return http.StatusUnauthorized
	}
	return http.StatusForbidden
}

// webRows are the rows of every area; each area's file adds its own in an init.
var webRows = []row{
	{method: "GET", route: "/", gate: everyone},
	{method: "GET", route: "/static/:file", url: func(*matrixFixture) string { return "/static/app.css" }, gate: everyone},
	{method: "GET", route: "/lang/:lang", url: func(*matrixFixture) string { return "/lang/en?next=/" }, gate: everyone},
	{method: "GET", route: "/login", gate: everyone},
	// A wrong password: every principal gets the form again (401), nobody is refused by a gate.
	{method: "POST", route: "/login", gate: everyone, allowed: http.StatusUnauthorized, form: url.Values{"email": {"nobody@example.vn"}, "password": {"wrong-password-1"}}},
	{method: "GET", route: "/register", gate: everyone},
	{method: "POST", route: "/register", gate: everyone, form: url.Values{"invite_code": {"NOPE"}}},
	{method: "GET", route: "/account", gate: signedIn},
	{method: "POST", route: "/account/password", gate: signedIn, form: url.Values{"current_password": {"not-the-password"}, "new_password": {"x"}}},
	// Last: it ends the sessions.
	{method: "POST", route: "/logout", gate: everyone},
}

func TestWebAuthorisationMatrix(t *testing.T) {
	f := newMatrixFixture(t)
	engine := f.e.srv.Config.Handler.(*gin.Engine)
	var missing []string
	have := map[string]bool{}
	for _, r := range webRows {
		have[r.method+" "+r.route] = true
	}
	for _, rt := range engine.Routes() {
		if !have[rt.Method+" "+rt.Path] {
			missing = append(missing, rt.Method+" "+rt.Path)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes without a row in the web authorisation matrix:\n%s", strings.Join(missing, "\n"))
	}
	rows := slices.Clone(webRows)
	// Posts that end sessions run last.
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].route != "/logout" && rows[j].route == "/logout" })
	for _, r := range rows {
		u := r.route
		if r.url != nil {
			u = r.url(f)
		}
		for _, p := range principals {
			var res *http.Response
			var err error
			hc := f.clients[p]
			if r.method == http.MethodGet {
				res, err = hc.Get(f.e.URL + u)
			} else {
				form := url.Values{}
				for k, v := range r.form {
					form[k] = v
				}
				form.Set("_csrf", f.csrf[p])
				req, _ := http.NewRequest(r.method, f.e.URL+u, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res, err = hc.Do(req)
			}
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			got, want := res.StatusCode, r.want(p)
			desc := fmt.Sprintf("%s %s as %s", r.method, u, p)
			switch {
			case want == 0 && r.allowed != 0:
				if got != r.allowed {
					t.Errorf("%s: %d, want %d", desc, got, r.allowed)
				}
			case want == 0 && (got == http.StatusUnauthorized || got == http.StatusForbidden || got == http.StatusNotFound ||
				got >= 500 || (got == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login?next="))):
				t.Errorf("%s: %d, want it allowed", desc, got)
			case want == http.StatusSeeOther && (got != want || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=")):
				t.Errorf("%s: %d to %q, want 303 to sign in", desc, got, res.Header.Get("Location"))
			case want != 0 && got != want:
				t.Errorf("%s: %d, want %d", desc, got, want)
			}
		}
	}
}
