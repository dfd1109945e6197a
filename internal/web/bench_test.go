package web

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"
)

var (
	firstCourseLink = regexp.MustCompile(`href="(/courses/[0-9a-f-]{36})"`)
	lessonLink      = regexp.MustCompile(`href="(/courses/[0-9a-f-]{36}/lessons/[^"?#]+)"`)
)

// Benchmarks of the pages on the hot paths, through the real server: a
// resident's phone reading the catalogue (anonymous: session cookie, render),
// and a signed-in volunteer's shifts (the session resumed from the store on
// every request, then the week's shifts).

func benchGet(b *testing.B, c *client, path string) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := c.http.Get(c.e.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
}

func BenchmarkCatalogueSearch(b *testing.B) {
	e := newTestEnv(b)
	c := e.client()
	c.get("/")
	benchGet(b, c, "/courses?q="+url.QueryEscape("dich vu cong"))
}

func BenchmarkLessonPage(b *testing.B) {
	e := newTestEnv(b)
	c := e.client()
	p := c.get("/courses")
	m := lessonLink.FindStringSubmatch(c.get(firstCourseLink.FindStringSubmatch(p.Body)[1]).Body)
	if m == nil {
		b.Fatal("no lesson link on the course page")
	}
	benchGet(b, c, m[1])
}

func BenchmarkSignedInShifts(b *testing.B) {
	e := newTestEnv(b)
	org := e.organisation("Đại học X")
	w := e.ward("BD", "Phường Bạch Đằng")
	e.centre(w.ID, "Nhà văn hoá tổ 5")
	inv, err := e.svc.Identity.CreateInvite(b.Context(), e.admin, org.ID, "K66", time.Now().AddDate(0, 0, 7))
	if err != nil {
		b.Fatal(err)
	}
	c := e.client()
	c.get("/register")
	c.post("/register", url.Values{"invite_code": {inv.Code}, "display_name": {"Nguyễn Văn An"}, "email": {"an@example.vn"}, "password": {testPassword}}).
		must(b, http.StatusOK)
	c.signIn("an@example.vn", testPassword)
	benchGet(b, c, "/shifts")
}
