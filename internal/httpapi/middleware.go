package httpapi

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/httpx"
	"ecitizen/internal/identity"
	"ecitizen/internal/logging"
)

const (
	ctxCaller = "ecitizen.caller"
	ctxLogger = "ecitizen.logger"
	// maxAuthHeader bounds the Authorization header; longer ones are refused with 401.
	maxAuthHeader = 4096
)

// withLogger puts the API's logger in the gin context, for fail, which every
// handler calls without a handler at hand.
func withLogger(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(ctxLogger, log)
		c.Next()
	}
}

// logOf is the logger withLogger put in c; it logs nothing when there is none
// (a context made outside the engine, in a test).
func logOf(c *gin.Context) *slog.Logger {
	v, _ := c.Get(ctxLogger)
	if log, ok := v.(*slog.Logger); ok {
		return log
	}
	return logging.Discard()
}

// securityPolicy is what the API says to browsers beyond the common headers
// (httpx.SecurityHeaders): a JSON API shows no page, sends no referrer, is read
// from its own site, and its answers are never cached.
var securityPolicy = httpx.SecurityPolicy{
	ContentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
	ReferrerPolicy:        "no-referrer",
	Extra: map[string]string{
		"Cross-Origin-Resource-Policy": "same-site",
		"Cache-Control":                "no-store",
	},
}

// cors answers preflights and sets CORS headers for the configured origins only.
func cors(origins []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin == "" || !slices.Contains(origins, origin) {
			c.Next()
			return
		}
		h := c.Writer.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Expose-Headers", "X-Request-ID, Retry-After, ETag, Idempotent-Replayed")
		if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept-Language, Idempotency-Key, X-Request-ID")
			h.Set("Access-Control-Max-Age", "600")
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		c.Next()
	}
}

// bearer returns the Bearer token of the request, "" when there is none, and false
// when the header is present but unusable.
func bearer(c *gin.Context) (string, bool) {
	h := c.GetHeader("Authorization")
	if h == "" {
		return "", true
	}
	if len(h) > maxAuthHeader {
		return "", false
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// authenticate requires a valid access token and puts the caller in the context.
func (h *handler) authenticate(c *gin.Context) {
	token, ok := bearer(c)
	if !ok || token == "" {
		c.Header("WWW-Authenticate", `Bearer realm="ecitizen"`)
		fail(c, apperr.ErrUnauthorized)
		return
	}
	cl, err := h.Identity.Authenticate(c.Request.Context(), token)
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="ecitizen", error="invalid_token"`)
		fail(c, err)
		return
	}
	c.Set(ctxCaller, cl)
	if cl.OrganisationInactive && !safeMethod(c.Request.Method) && !inactiveMayStill[c.Request.Method+" "+c.FullPath()] {
		fail(c, identity.ErrOrganisationInactive)
		return
	}
	c.Next()
}

// inactiveMayStill are the changes a partner or volunteer of a deactivated
// organisation may still make: to their own account and learning, their
// records, and giving up what they hold. Every other change is refused, so a
// route added later is refused too until it is listed here.
var inactiveMayStill = map[string]bool{
	"POST /api/v1/auth/logout":                             true,
	"PATCH /api/v1/me":                                     true,
	"POST /api/v1/me/password":                             true,
	"POST /api/v1/me/notifications/:id/read":               true,
	"POST /api/v1/me/calendar":                             true,
	"DELETE /api/v1/me/calendar":                           true,
	"POST /api/v1/me/hours-certificates":                   true,
	"POST /api/v1/courses/:id/start":                       true,
	"POST /api/v1/courses/:id/lessons/:lesson_id/complete": true,
	"POST /api/v1/courses/:id/lessons/:lesson_id/attempts": true,
	"DELETE /api/v1/shifts/:id/bookings/me":                true,
	"DELETE /api/v1/shifts/:id/waiting/me":                 true,
	"DELETE /api/v1/sessions/:id/enrolments/:number":       true,
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// authenticateOptional accepts anonymous requests, but a request that sends a token
// must send a valid one.
func (h *handler) authenticateOptional(c *gin.Context) {
	if c.GetHeader("Authorization") == "" {
		c.Next()
		return
	}
	h.authenticate(c)
}

// requireRole lets only the given roles through (function-level authorisation);
// finer, object-level rules live in the domain services.
func requireRole(roles ...identity.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !slices.Contains(roles, caller(c).Role) {
			fail(c, apperr.ErrForbidden)
			return
		}
		c.Next()
	}
}

// caller returns the authenticated caller, or the zero Caller (no role) when anonymous.
func caller(c *gin.Context) identity.Caller {
	cl, _ := c.Get(ctxCaller)
	v, _ := cl.(identity.Caller)
	return v
}
