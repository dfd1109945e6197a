package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
)

const (
	ctxRequestID = "ecitizen.request_id"
	ctxCaller    = "ecitizen.caller"
	// maxAuthHeader bounds the Authorization header; longer ones are refused with 401.
	maxAuthHeader = 4096
)

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID takes the client's X-Request-ID when it is well formed, or makes one.
func withRequestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !validRequestID.MatchString(id) {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// writeBudget is how long a request that changes something may run once
// detached from its client (below the server's write timeout).
const writeBudget = 45 * time.Second

// DetachWrites serves the requests that may change something (every method but
// GET, HEAD and OPTIONS) on a context that the client going away does not
// cancel, with a deadline of its own: a phone losing signal in the middle of a
// cancel never stops the work half-way, and what was acknowledged or started is
// finished. Reads keep the client's context, so abandoned reads stop early.
// The API and the web pages both use it.
func DetachWrites(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), writeBudget)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// accessLog logs one line per request: the route template, never the query
// string, a body or a header, so no password, token or personal number is logged.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		attrs := []any{
			"request_id", requestID(c), "method", c.Request.Method, "route", route,
			"status", c.Writer.Status(), "bytes", c.Writer.Size(),
			"duration_ms", float64(time.Since(start).Microseconds()) / 1000, "client", c.ClientIP(),
		}
		if cl, ok := c.Get(ctxCaller); ok {
			attrs = append(attrs, "user_id", cl.(identity.Caller).UserID)
		}
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		log.Log(c.Request.Context(), level, "http", attrs...)
	}
}

// securityHeaders sets headers for a JSON API that no page should frame or sniff.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("Cross-Origin-Resource-Policy", "same-site")
	h.Set("Strict-Transport-Security", "max-age=31536000")
	h.Set("Cache-Control", "no-store")
	c.Next()
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

// recoverPanic turns a panic into a logged 500 problem; the stack never reaches the client.
func recoverPanic(c *gin.Context, v any) {
	fail(c, fmt.Errorf("panic: %v", v))
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
