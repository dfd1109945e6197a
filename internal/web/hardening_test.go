package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/directory"
	"ecitizen/internal/httpx"
)

// endlessForm is a form body that never ends: its first field is the CSRF
// token, then one field grows for ever. It counts what the server reads.
type endlessForm struct {
	head []byte
	read int64
}

func (b *endlessForm) Read(p []byte) (int, error) {
	n := copy(p, b.head)
	b.head = b.head[n:]
	for i := n; i < len(p); i++ {
		p[i] = 'a'
	}
	b.read += int64(len(p))
	return len(p), nil
}

func (b *endlessForm) Close() error { return nil }

// TestBodyLimit: every page route refuses a body declared larger than 1 MiB
// with the 413 page before reading it, and a signed-in form post that never
// ends is read no further than 1 MiB and answered with the 413 page (not taken
// for a form without its CSRF token), urlencoded or multipart.
func TestBodyLimit(t *testing.T) {
	e := newTestEnv(t)
	h := e.srv.Config.Handler
	for _, r := range h.(*gin.Engine).Routes() {
		path := strings.NewReplacer(":id", "x", ":token", "x", ":code", "x", ":number", "1").Replace(r.Path)
		body := &endlessForm{}
		req := httptest.NewRequest(r.Method, path, io.LimitReader(body, 2<<20))
		req.ContentLength = 2 << 20
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || body.read != 0 || !strings.Contains(rec.Body.String(), "quá lớn") {
			t.Errorf("%s %s, 2 MiB declared: status %d, %d bytes read", r.Method, r.Path, rec.Code, body.read)
		}
	}

	c := e.client()
	c.signIn(testAdminEmail, testAdminPassword)
	c.get("/residents/import")
	u, _ := url.Parse(e.URL)
	urlencoded := func() (string, string) {
		return "application/x-www-form-urlencoded", "_csrf=" + url.QueryEscape(c.csrf) + "&notes="
	}
	multipart := func() (string, string) {
		return "multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + c.csrf +
			"\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"
	}
	for _, tc := range []struct {
		path string
		form func() (contentType, head string)
	}{{"/residents/import", multipart}, {"/residents/import", urlencoded}, {"/account/password", urlencoded}, {"/logout", urlencoded}} {
		path := tc.path
		ct, head := tc.form()
		body := &endlessForm{head: []byte(head)}
		req := httptest.NewRequest(http.MethodPost, path, nil)
		req.Body, req.ContentLength = body, -1
		req.Header.Set("Content-Type", ct)
		for _, ck := range c.http.Jar.Cookies(u) {
			req.AddCookie(ck)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "quá lớn") {
			t.Errorf("POST %s, endless form: status %d\n%s", path, rec.Code, excerpt(rec.Body.String()))
		}
		if body.read > httpx.MaxBody+64<<10 {
			t.Errorf("POST %s, endless form: %d bytes read, more than 1 MiB", path, body.read)
		}
	}
	// The session is still signed in: nothing was done with the refused posts.
	c.get("/residents/import").must(t, http.StatusOK)
}

// TestSecurityHeaders: every page, found or not, signed in or not, carries the
// headers that keep it from being framed, sniffed or downgraded to http.
func TestSecurityHeaders(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	pages := []*page{c.get("/"), c.get("/login"), c.get("/courses"), c.get("/khong-co-trang-nay")}
	c.signIn(testAdminEmail, testAdminPassword)
	pages = append(pages, c.get("/account"))
	for _, p := range pages {
		for h, want := range map[string]string{
			"Strict-Transport-Security": "max-age=31536000", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
			"Cross-Origin-Opener-Policy": "same-origin", "Referrer-Policy": "same-origin",
		} {
			if got := p.Header.Get(h); got != want {
				t.Errorf("%s (%d): %s = %q, want %q", p.URL, p.Status, h, got, want)
			}
		}
		if !strings.Contains(p.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", p.URL, p.Header.Get("Content-Security-Policy"))
		}
	}
}

// TestDeactivatedOrganisationPages: a volunteer of a deactivated organisation
// reads their pages and cancels a booking, but a booking form answers 403 with
// the reason; after reactivation they book again.
func TestDeactivatedOrganisationPages(t *testing.T) {
	f := newVolFixture(t)
	held := f.shift(f.centre.ID, "Ca đã đăng ký", volTomorrow(8, 0), 2*time.Hour, 3)
	other := f.shift(f.centre.ID, "Ca mới", volTomorrow(14, 0), 2*time.Hour, 3)
	f.book(f.vol, held.ID, false)
	active := func(on bool) {
		if _, err := f.e.svc.Directory.UpdateOrganisation(t.Context(), f.e.admin, f.org.ID, directory.OrganisationPatch{Active: &on}); err != nil {
			t.Fatal(err)
		}
	}
	active(false)
	f.c.get("/shifts/"+other.ID).must(t, http.StatusOK)
	f.c.post("/shifts/"+other.ID+"/book", nil).must(t, http.StatusForbidden, "Tổ chức của bạn đã ngừng hoạt động")
	f.c.get("/me/bookings").must(t, http.StatusOK, "Ca đã đăng ký")
	active(true)
	f.c.get("/shifts/" + other.ID)
	if p := f.c.post("/shifts/"+other.ID+"/book", nil); p.Status != http.StatusOK {
		t.Fatalf("booking after reactivation: %d\n%s", p.Status, excerpt(p.Body))
	}
}
