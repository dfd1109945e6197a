// Package httpx is the HTTP plumbing that the JSON API (internal/httpapi) and the
// web pages (internal/web) share, so that each rule about requests is written
// once: how large a request body may be (this file), the request id, the access
// log, panic recovery, the security headers and detached writes (middleware.go),
// and the HTTP status of every error code (status.go). Where the surfaces differ —
// the format of an error answer, how the user is known, the content security
// policy — each passes its own part in.
//
// Nothing here changes global state: importing httpx configures neither gin nor
// slog.
package httpx

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
)

// MaxBody is the largest request body ecitizen reads: 1 MiB, on every method and
// every route, JSON, forms and CSV uploads alike.
const MaxBody = 1 << 20

// LimitBody bounds the body of every request, whatever its method, at MaxBody. A
// request that declares a larger Content-Length is answered by tooLarge at once
// (which writes the 413 in its surface's format); reading a body past the limit
// fails with an error for which TooLarge is true, and the connection is closed
// after the answer, so an endless chunked body is never read to its end.
func LimitBody(tooLarge gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > MaxBody {
			c.Header("Connection", "close")
			tooLarge(c)
			c.Abort()
			return
		}
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBody)
		}
		c.Next()
	}
}

// TooLarge reports whether err comes from reading a body past MaxBody.
func TooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
