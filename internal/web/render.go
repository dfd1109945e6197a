package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the zone is known on machines without a zoneinfo database

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"ecitizen/internal/apperr"
	"ecitizen/internal/httpx"
	"ecitizen/internal/identity"
	"ecitizen/internal/vntime"
)

// Templates: layout.html (the page around every page), partials.html (form
// fields and small pieces), and one file per page defining "title" and "main".
//
//go:embed templates/*.html
var templateFS embed.FS

// zone is where the district lives; every date and time is shown in it.
var zone = vntime.Zone

const ctxView = "web.view"

type pages struct {
	set    map[string]*template.Template
	assets map[string]string // file name -> /static/name?v=hash
	static map[string]*asset
}

func loadPages(cat *catalogue) (*pages, error) {
	p := &pages{set: map[string]*template.Template{}, assets: map[string]string{}}
	var err error
	if p.static, err = loadStatic(); err != nil {
		return nil, err
	}
	for name, a := range p.static {
		p.assets[name] = "/static/" + name + "?v=" + a.version
	}
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			a, ok := p.assets[name]
			if !ok {
				return "", fmt.Errorf("no static file %q", name)
			}
			return a, nil
		},
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, errors.New("dict needs pairs")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m, nil
		},
		"add": func(a, b int) int { return a + b },
		// barw and barx place a bar of a barChart (width share 0..100) in the 380
		// units right of its label, and its figure just after it.
		"barw": func(w float64) float64 { return 3.3 * w },
		"barx": func(w float64) float64 { return 200 + 3.3*w + 6 },
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", f, err)
		}
		p.set[name] = t
	}
	return p, nil
}

// view is what every page's template gets: the reader (language, user, CSRF
// token), the page's data and form, and methods that translate and format.
type view struct {
	Lang   string
	Caller identity.Caller
	User   *identity.User // nil when signed out
	CSRF   string
	Path   string // the request's path and query (the language switch returns here)
	Flash  string // the last action's message, translated
	Title  string
	Data   any
	Form   *form
	// Refresh, when above zero, reloads the page after that many seconds (the
	// check-in screen), without JavaScript.
	Refresh int

	expired bool // the session had ended: need() says so on the way to sign in
	sd      sessionData
	cat     *catalogue
	printer *message.Printer
}

func (h *handler) newView(c *gin.Context, sd sessionData) *view {
	l := langOf(c)
	tag := language.Vietnamese
	if l == "en" {
		tag = language.English
	}
	v := &view{Lang: l, Path: c.Request.URL.RequestURI(), cat: h.i18n, printer: message.NewPrinter(tag), sd: sd,
		Form: &form{Values: url.Values{}, Errors: map[string]string{}}}
	if ck, err := c.Cookie(flashCookie); err == nil {
		if h.i18n.has(l, ck) {
			v.Flash = h.i18n.translate(l, ck)
		}
		setCookie(c, flashCookie, "", -time.Second, h.sessions.secure)
	}
	return v
}

// viewOf returns the request's view (set by the session middleware).
func viewOf(c *gin.Context) *view { return c.MustGet(ctxView).(*view) }

// T translates message id with name/value pairs.
func (v *view) T(id string, args ...any) string { return v.cat.translate(v.Lang, id, args...) }

// SignedIn reports whether a user is signed in.
func (v *view) SignedIn() bool { return v.User != nil }

// Role reports whether the signed-in user has one of roles.
func (v *view) Role(roles ...string) bool {
	if v.User == nil {
		return false
	}
	for _, r := range roles {
		if string(v.Caller.Role) == r {
			return true
		}
	}
	return false
}

// Date formats t's local date: 26/11/2026 in Vietnamese, 26 Nov 2026 in English.
func (v *view) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if v.Lang == "en" {
		return t.In(zone).Format("2 Jan 2006")
	}
	return t.In(zone).Format("02/01/2006")
}

// Weekday is t's local day of the week and date: "Thứ Năm, 26/11/2026".
func (v *view) Weekday(t time.Time) string {
	return v.T(fmt.Sprintf("weekday.%d", int(t.In(zone).Weekday()))) + ", " + v.Date(t)
}

// Clock is t's local time of day, 24-hour: 08:30.
func (v *view) Clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(zone).Format("15:04")
}

// DateTime is t's local date and time.
func (v *view) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return v.Clock(t) + " " + v.Date(t)
}

// Num formats a number in the reader's language: 12.345 in Vietnamese, 12,345
// in English; floats with one decimal (12,5 / 12.5).
func (v *view) Num(n any) string {
	switch x := n.(type) {
	case float64:
		return v.printer.Sprintf("%.1f", x)
	case float32:
		return v.printer.Sprintf("%.1f", x)
	default:
		return v.printer.Sprintf("%d", x)
	}
}

// Hours formats minutes as hours with one decimal.
func (v *view) Hours(minutes int) string { return v.Num(float64(minutes) / 60) }

// render executes page name into a buffer and writes it with status, so a
// template error becomes the error page instead of half a page.
func (h *handler) render(c *gin.Context, status int, name string, v *view) {
	t, ok := h.pages.set[name]
	if !ok {
		h.serverError(c, fmt.Errorf("no page %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		h.serverError(c, fmt.Errorf("render %s: %w", name, err))
		return
	}
	h.write(c, status, v, buf.Bytes())
}

func (h *handler) write(c *gin.Context, status int, v *view, body []byte) {
	hd := c.Writer.Header()
	hd.Set("Content-Language", v.Lang)
	hd.Set("Cache-Control", "no-store")
	hd.Set("Vary", "Cookie")
	c.Data(status, "text/html; charset=utf-8", body)
}

// flashCookie carries the id of a message to show on the next page (never text).
const flashCookie = "ecitizen_flash"

// redirect answers 303 to a local path, with a message id to show there.
func (h *handler) redirect(c *gin.Context, to, flash string) {
	if flash != "" {
		setCookie(c, flashCookie, flash, time.Minute, h.sessions.secure)
	}
	c.Redirect(http.StatusSeeOther, localPath(to))
}

// notFound renders the not-found page.
func (h *handler) notFound(c *gin.Context) { h.refuse(c, http.StatusNotFound, "error.not_found") }

// refuse renders the error page with status and message id.
func (h *handler) refuse(c *gin.Context, status int, msg string) {
	v := viewOrNew(h, c)
	v.Data = errorPage{Status: status, Message: v.T(msg)}
	h.render(c, status, "error", v)
}

type errorPage struct {
	Status    int
	Message   string
	RequestID string
}

// pageError shows why a page cannot be shown: not found (also what is outside
// the reader's scope) as the not-found page, forbidden as the 403 page, another
// domain refusal with its message and the API's status, anything else as a
// server error.
func (h *handler) pageError(c *gin.Context, err error) {
	e := apperr.As(err)
	switch {
	case e == nil || e.Code == apperr.CodeUnavailable || e.Code == apperr.CodeStoreBusy:
		h.serverError(c, err)
	case e.Code == apperr.CodeNotFound:
		h.notFound(c)
	case e.Code == apperr.CodeForbidden:
		h.refuse(c, http.StatusForbidden, "error.forbidden")
	default:
		status, ok := httpx.Status(e.Code)
		if !ok || status >= 500 {
			h.serverError(c, err)
			return
		}
		v := viewOrNew(h, c)
		v.Data = errorPage{Status: status, Message: e.Message(v.Lang)}
		h.render(c, status, "error", v)
	}
}

// serverError logs err with the request id and renders a page with that id and
// no detail.
func (h *handler) serverError(c *gin.Context, err error) {
	status, msg := http.StatusInternalServerError, "error.internal"
	if e := apperr.As(err); e != nil && e.Code == apperr.CodeUnavailable {
		status, msg = http.StatusServiceUnavailable, "error.unavailable"
	} else if e != nil && e.Code == apperr.CodeStoreBusy {
		status, msg = http.StatusServiceUnavailable, "error.busy"
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	h.log.ErrorContext(c.Request.Context(), "web request failed", "route", c.FullPath(), "err", err)
	v := viewOrNew(h, c)
	v.Data = errorPage{Status: status, Message: v.T(msg), RequestID: httpx.RequestID(c)}
	t := h.pages.set["error"]
	var buf bytes.Buffer
	if t == nil || t.ExecuteTemplate(&buf, "layout", v) != nil {
		c.Data(status, "text/plain; charset=utf-8", []byte("500"))
		return
	}
	h.write(c, status, v, buf.Bytes())
}

// viewOrNew is the request's view, or a fresh anonymous one when the session
// middleware has not run (a panic before it).
func viewOrNew(h *handler, c *gin.Context) *view {
	if v, ok := c.Get(ctxView); ok {
		return v.(*view)
	}
	return h.newView(c, sessionData{})
}

// fail shows err: a domain error re-renders the page's form with what was typed
// and its messages (next to their fields) in the reader's language, with the
// API's status for the code. Anything else, and a domain error answered 5xx
// (storage unavailable), is logged and re-renders the form too, saying the input
// is kept and giving the request id, so input is never lost.
func (h *handler) fail(c *gin.Context, name string, v *view, err error) {
	if v.Form == nil {
		v.Form = newForm(c)
	}
	status := http.StatusInternalServerError
	e := apperr.As(err)
	if e != nil {
		if s, ok := httpx.Status(e.Code); ok {
			status = s
		}
	}
	if status >= 500 {
		h.log.ErrorContext(c.Request.Context(), "web form failed", "route", c.FullPath(), "err", err)
		v.Form.Error = v.T("error.form_internal", "RequestID", httpx.RequestID(c))
		if e != nil && e.Code == apperr.CodeStoreBusy {
			v.Form.Error = v.T("error.form_busy")
			c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
		}
		h.render(c, status, name, v)
		return
	}
	v.Form.setError(e, v.Lang)
	h.render(c, status, name, v)
}
