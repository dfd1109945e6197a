package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/textproto"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/logging"
)

// ctxRequestID is the gin context key of the request's id.
const ctxRequestID = "ecitizen.request_id"

// validRequestID is the X-Request-ID a client may choose: short, and nothing that
// could forge or break a log line.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// WithRequestID gives the request its id: the client's X-Request-ID when it is
// well formed, so a client (or a proxy in front) can follow its own request
// through the logs, and a fresh random one otherwise. The id is sent back in
// X-Request-ID, kept in the gin context (RequestID), and carried in the request's
// context (logging.WithRequestID), so that every line logged with that context
// while serving the request — by the access log, a handler or a service — names
// it. It runs first, before anything that logs.
func WithRequestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !validRequestID.MatchString(id) {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Request = c.Request.WithContext(logging.WithRequestID(c.Request.Context(), id))
	c.Next()
}

// RequestID returns the id WithRequestID gave the request, or "" before it ran.
// Answers that report a failure show it, so a user can quote it.
func RequestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// AccessLog logs one line per request once it is served, with the message msg
// (each surface its own: "http" for the API, "web" for the pages): the route
// template, never the path's values, the query string, a body or a header, so no
// password, token or personal number is logged; the method, status, bytes
// written, duration, the client's address, and the signed-in user's id when
// userID returns one (each surface knows its user its own way). A 5xx answer is
// logged at error level. The request id comes from the request's context, added
// by log's handler (logging.WithRequestIDs), so it is on the line once.
func AccessLog(log *slog.Logger, msg string, userID func(*gin.Context) string) gin.HandlerFunc {
	log = logging.WithRequestIDs(log)
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		attrs := [8]slog.Attr{
			slog.String("method", c.Request.Method), slog.String("route", route),
			slog.Int("status", c.Writer.Status()), slog.Int("bytes", c.Writer.Size()),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000), slog.String("client", c.ClientIP()),
		}
		n := 6
		if id := userID(c); id != "" {
			attrs[n] = slog.String("user_id", id)
			n++
		}
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(c.Request.Context(), level, msg, attrs[:n]...)
	}
}

// Recover turns a panic in a later handler into an answer: the panic is logged
// with the request id and the route, and answer writes the surface's own 500
// (problem+json, the error page) for an error that says it was a panic. No stack
// trace reaches the client. A panic of a connection the client has dropped
// (broken pipe, reset, http.ErrAbortHandler) is not answered, since nobody would
// read it; gin's recovery tells those apart.
func Recover(log *slog.Logger, answer func(*gin.Context, error)) gin.HandlerFunc {
	log = logging.WithRequestIDs(log)
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, v any) {
		log.ErrorContext(c.Request.Context(), "panic", "route", c.FullPath(), "panic", fmt.Sprint(v))
		answer(c, fmt.Errorf("panic: %v", v))
	})
}

// SecurityPolicy is what a surface says about itself to browsers, on top of the
// headers every answer carries (see SecurityHeaders): its pages and its JSON do
// not need the same.
type SecurityPolicy struct {
	// ContentSecurityPolicy is the Content-Security-Policy header; required.
	ContentSecurityPolicy string
	// ReferrerPolicy is the Referrer-Policy header; required.
	ReferrerPolicy string
	// Extra are the surface's further headers, name to value.
	Extra map[string]string
}

// SecurityHeaders sets on every answer the headers that keep a browser from
// sniffing or framing ecitizen or reaching it over plain http —
// X-Content-Type-Options, X-Frame-Options and Strict-Transport-Security (a
// browser heeds it on https answers only, so it is always sent) — and p's. It
// panics when p lacks a required header: a surface without them is a programming
// error.
func SecurityHeaders(p SecurityPolicy) gin.HandlerFunc {
	if p.ContentSecurityPolicy == "" || p.ReferrerPolicy == "" {
		panic("httpx: a security policy needs a Content-Security-Policy and a Referrer-Policy")
	}
	headers := [][2]string{
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Strict-Transport-Security", "max-age=31536000"},
		{"Content-Security-Policy", p.ContentSecurityPolicy},
		{"Referrer-Policy", p.ReferrerPolicy},
	}
	for k, v := range p.Extra {
		headers = append(headers, [2]string{k, v})
	}
	// Keys canonical and values built once: setting them is a map store each.
	// The value slices are shared by every response, which net/http never
	// changes in place (Set replaces a slice, Add appends to a full one).
	keys := make([]string, len(headers))
	values := make([][]string, len(headers))
	for i, kv := range headers {
		keys[i], values[i] = textproto.CanonicalMIMEHeaderKey(kv[0]), []string{kv[1]}
	}
	return func(c *gin.Context) {
		h := c.Writer.Header()
		for i, k := range keys {
			h[k] = values[i][:1:1]
		}
		c.Next()
	}
}

// writeBudget is how long a request that changes something may run once
// detached from its client (below the server's write timeout).
const writeBudget = 45 * time.Second

// DetachWrites serves the requests that may change something (every method but
// GET, HEAD and OPTIONS) on a context that the client going away does not
// cancel, with a deadline of its own: a phone losing signal in the middle of a
// cancel never stops the work half-way, and what was acknowledged or started is
// finished. Reads keep the client's context, so abandoned reads stop early. The
// detached context keeps the request's values (its request id).
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
