package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/app"
	"ecitizen/internal/httpx"
	"ecitizen/internal/logging"
)

// Deps is what the web app needs.
type Deps struct {
	Services *app.Services
	// PublicURL is where ecitizen is reached from outside (ECITIZEN_PUBLIC_URL):
	// check-in QR codes and personal links point under it, and its scheme and host
	// decide whether session cookies are Secure (see cookieSecure).
	PublicURL string
	// SessionKey derives the keys of the session cookie (the JWT key; at least 32 bytes).
	SessionKey []byte
	// Logger gets the access log and the failures of requests; nil: nothing is
	// logged.
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

// init puts gin in release mode, as the API does (see there why in init).
func init() { gin.SetMode(gin.ReleaseMode) }

// New returns the web app's handler.
func New(d Deps) (http.Handler, error) {
	if d.Services == nil {
		return nil, fmt.Errorf("web: no services")
	}
	// The logger adds the request id of a line's context (httpx.WithRequestID
	// puts it there), so no line names it itself.
	log := logging.WithRequestIDs(d.Logger)
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
	r.Use(httpx.WithRequestID, httpx.AccessLog(log, "web", userID), httpx.Recover(log, h.serverError),
		httpx.SecurityHeaders(securityPolicy), httpx.LimitBody(h.tooLarge), h.readForm, httpx.DetachWrites, h.session)
	h.routes(r)
	r.NoRoute(func(c *gin.Context) { h.notFound(c) })
	return r, nil
}

// securityPolicy lets the pages use only their own scripts, styles and images
// (QR codes and charts are data: URIs or inline SVG), post forms only to
// themselves, send a referrer only within the site, and use the camera (the
// check-in scanner) and nothing else; no other site's window may hold a
// reference to them.
var securityPolicy = httpx.SecurityPolicy{
	ContentSecurityPolicy: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	ReferrerPolicy: "same-origin",
	Extra: map[string]string{
		"Permissions-Policy":         "camera=(self), microphone=(), geolocation=()",
		"Cross-Origin-Opener-Policy": "same-origin",
	},
}

// userID is the signed-in user of the request, for the access log; "" when
// signed out or before the session middleware ran.
func userID(c *gin.Context) string {
	if v, ok := c.Get(ctxView); ok {
		return v.(*view).Caller.UserID
	}
	return ""
}
