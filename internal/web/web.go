package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/app"
	"ecitizen/internal/httpapi"
	"ecitizen/internal/httpx"
)

// Deps is what the web app needs.
type Deps struct {
	Services *app.Services
	// PublicURL is where ecitizen is reached from outside (ECITIZEN_PUBLIC_URL):
	// check-in QR codes and personal links point under it, and its scheme and host
	// decide whether session cookies are Secure (see cookieSecure).
	PublicURL string
	// SessionKey derives the keys of the session cookie (the JWT key; at least 32 bytes).
	SessionKey     []byte
	Logger         *slog.Logger
	TrustedProxies []string
	// Now is the clock of sessions' idle and absolute lifetimes; nil: time.Now.
	Now func() time.Time
}

type handler struct {
	*app.Services
	log       *slog.Logger
	publicURL string
	pages     *pages
	sessions  *sessions
	i18n      *catalogue
	now       func() time.Time
}

func init() { gin.SetMode(gin.ReleaseMode) }

// New returns the web app's handler.
func New(d Deps) (http.Handler, error) {
	if d.Services == nil {
		return nil, fmt.Errorf("web: no services")
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u, err := url.Parse(d.PublicURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("web: public URL %q is not absolute", d.PublicURL)
	}
	cat, err := loadCatalogue()
	if err != nil {
		return nil, err
	}
	pg, err := loadPages(cat)
	if err != nil {
		return nil, err
	}
	ss, err := newSessions(d.SessionKey, cookieSecure(u))
	if err != nil {
		return nil, err
	}
	h := &handler{Services: d.Services, log: log, publicURL: d.PublicURL, pages: pg, sessions: ss, i18n: cat, now: d.Now}
	if h.now == nil {
		h.now = time.Now
	}

	r := gin.New()
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = false
	r.ContextWithFallback = true
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, err
	}
	r.MaxMultipartMemory = httpx.MaxBody
	r.Use(withRequestID, accessLog(log), h.recover, securityHeaders,
		httpx.LimitBody(h.tooLarge), h.readForm, httpapi.DetachWrites, h.session)
	h.routes(r)
	r.NoRoute(func(c *gin.Context) { h.notFound(c) })
	return r, nil
}

const ctxRequestID = "web.request_id"

func withRequestID(c *gin.Context) {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

// accessLog logs one line per request: the route template, never the query
// string or a form value.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		attrs := []any{
			"request_id", c.GetString(ctxRequestID), "method", c.Request.Method, "route", route,
			"status", c.Writer.Status(), "bytes", c.Writer.Size(),
			"duration_ms", float64(time.Since(start).Microseconds()) / 1000, "client", c.ClientIP(),
		}
		if v, ok := c.Get(ctxView); ok && v.(*view).Caller.UserID != "" {
			attrs = append(attrs, "user_id", v.(*view).Caller.UserID)
		}
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		log.Log(c.Request.Context(), level, "web", attrs...)
	}
}

// recover answers a panic with the error page and logs it with the request id;
// no stack trace reaches the browser.
func (h *handler) recover(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("web panic", "request_id", c.GetString(ctxRequestID), "route", c.FullPath(), "panic", fmt.Sprint(p))
			h.serverError(c, fmt.Errorf("panic: %v", p))
		}
	}()
	c.Next()
}

// securityHeaders: only our own scripts, styles and images (QR codes and charts
// are data: URIs or inline SVG), no framing, the camera for the check-in scanner.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	// As the API: browsers heed it on https answers only, so it is always sent.
	h.Set("Strict-Transport-Security", "max-age=31536000")
	c.Next()
}
