package web

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"ecitizen/internal/course"
	paging "ecitizen/internal/page"
)

// countDialogs counts the JavaScript dialogs (alert, confirm, prompt) the tab
// opens from now on.
func (tb *tab) countDialogs() *atomic.Int32 {
	tb.t.Helper()
	var n atomic.Int32
	if err := chromedp.Listen(tb.ctx, func(ev any) {
		if _, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			n.Add(1)
		}
	}); err != nil {
		tb.t.Fatal(err)
	}
	return &n
}

// noScripts fails if the main element of the page holds a script element.
func (tb *tab) noScripts(where string) {
	tb.t.Helper()
	n, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](`document.querySelectorAll("main script, main [onerror], main [onclick], main a[href^='javascript:']").length`))
	if err != nil {
		tb.t.Fatal(err)
	}
	if n != 0 {
		tb.t.Fatalf("%s: %d live scripts or handlers in the page", where, n)
	}
}

// TestBrowserCourseAuthoringReviewAndSearch: a partner edits a lesson of their
// course in the editor (with a preview) and submits it; the admin publishes it
// from /admin/reviews; the course is then found in the catalogue by a search
// without diacritics, and its lesson reads as written. No dialog ever opens,
// although the partner's Markdown tries three ways to run a script.
func TestBrowserCourseAuthoringReviewAndSearch(t *testing.T) {
	e := newTestEnv(t)
	tm := e.courseTeam()
	// One quiz question keeps the editor (and its screenshots) short.
	ct := courseContent("Hướng dẫn nộp hồ sơ đất đai trực tuyến", "Nội dung cũ.")
	ct.Lessons[1].Quiz.Questions = ct.Lessons[1].Quiz.Questions[:1]
	co, _, err := e.svc.Courses.CreateCourse(t.Context(), tm.partner, "", ct)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, e)

	partner := b.tab()
	dialogs := partner.countDialogs()
	partner.signIn(tm.partnerEmail, testPassword)
	partner.open("/partner/courses")
	partner.click(`main table a[href="/partner/courses/` + co.ID + `"]`)
	partner.see("Bản nháp", "Soạn bản nháp")
	partner.click(`main a.button`)
	partner.see("Hướng dẫn nộp hồ sơ đất đai trực tuyến – phiên bản 1", "Giới thiệu cổng")
	partner.fill("main form.editor", map[string]string{
		"lessons[0].body.vi": xssMarkdown + "\n\nBài đã sửa: mang theo **sổ đỏ** bản chụp.",
	})
	partner.click(`main form.editor button[value="preview:0"]`)
	partner.see("Xem trước bài 1", "Bài có mã độc", "Bài đã sửa: mang theo sổ đỏ bản chụp.")
	partner.noScripts("the preview")
	partner.shoot("courses-editor")
	partner.click(`main form.editor button[value="submit"]`)
	partner.see("Đã gửi duyệt", "Đang chờ duyệt")

	admin := b.tab()
	adminDialogs := admin.countDialogs()
	admin.signIn(testAdminEmail, testAdminPassword)
	admin.open("/admin/reviews")
	admin.see("Hướng dẫn nộp hồ sơ đất đai trực tuyến", "Trường Đại học Bách khoa Hà Nội")
	admin.click(`main table a`)
	admin.see("Bài đã sửa: mang theo sổ đỏ bản chụp.", "Xuất bản", "Trả lại để sửa")
	admin.noScripts("the review page")
	admin.shoot("courses-review")
	admin.click(`main form:has(input[value="publish"]) button`)
	admin.see("Đã xuất bản khóa học", "Không có khóa học nào đang chờ duyệt")

	reader := b.tab()
	readerDialogs := reader.countDialogs()
	reader.open("/courses")
	reader.fill(`main form[role=search]`, map[string]string{"q": "ho so dat dai truc tuyen"})
	reader.click(`main form[role=search] button[type=submit]`)
	reader.see("Hướng dẫn nộp hồ sơ đất đai trực tuyến")
	reader.shoot("courses-catalogue")
	reader.click(`main a[href="/courses/` + co.ID + `"]`)
	reader.click(`main ol.lessons a`)
	reader.see("Bài đã sửa: mang theo sổ đỏ bản chụp.", "Bấm vào đây")
	reader.noScripts("the published lesson")
	reader.shoot("courses-lesson")
	for who, n := range map[string]*atomic.Int32{"partner": dialogs, "admin": adminDialogs, "reader": readerDialogs} {
		if n.Load() != 0 {
			t.Errorf("%d dialogs opened in the %s's tab", n.Load(), who)
		}
	}
}

// TestBrowserCoursesWithScriptsDisabled: with JavaScript switched off, a
// resident searches the catalogue, reads a lesson and gets their quiz graded.
func TestBrowserCoursesWithScriptsDisabled(t *testing.T) {
	e := newTestEnv(t)
	b := newBrowser(t, e)
	tab := b.tab()
	if _, err := chromedp.Call(tab.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	tab.open("/courses")
	tab.fill(`main form[role=search]`, map[string]string{"q": "dich vu cong"})
	tab.click(`main form[role=search] button[type=submit]`)
	if loc := tab.location(); !strings.Contains(loc, "q=dich+vu+cong") {
		t.Fatalf("the search form went to %s", loc)
	}
	tab.see("Nộp hồ sơ trên Cổng Dịch vụ công quốc gia")
	ls, err := e.svc.Courses.Catalogue(t.Context(), course.CatalogueQuery{Q: "Nộp hồ sơ trên Cổng Dịch vụ công quốc gia"}, paging.Request{Limit: 1})
	vs := ls.Cards
	if err != nil || len(vs) != 1 {
		t.Fatalf("the portal course: %v", err)
	}
	tab.click(`main .cards h2 a[href="/courses/` + vs[0].CourseID + `"]`)
	tab.see("Bài học", "Cổng Dịch vụ công quốc gia là gì?")
	tab.click(`main ol.lessons a`)
	tab.see("Một cổng cho cả nước", "Bài kiểm tra")
	tab.do("answer", chromedp.Click(chromedp.CSS(`main form.quiz fieldset input`)))
	tab.click(`main form.quiz button[type=submit]`)
	tab.see("Kết quả này không được lưu")
}
