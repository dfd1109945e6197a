package httpapi

import (
	"bytes"
	"context"
	"io"
	"strconv"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/apperr"
	"ecitizen/internal/httpx"
	"ecitizen/internal/idempotency"
)

// headerIdempotencyKey names the key of a retry-safe create; headerReplayed marks
// a response that is the replay of the key's first one.
const (
	headerIdempotencyKey = "Idempotency-Key"
	headerReplayed       = "Idempotent-Replayed"
)

var errBadIdempotencyKey = apperr.Invalid(headerIdempotencyKey, "idempotency_key",
	"Idempotency-Key có từ 1 đến 255 ký tự ASCII nhìn thấy được (ví dụ một UUID).",
	"An Idempotency-Key has 1 to 255 visible ASCII characters (a UUID, for example).")

// idempotent makes a create retry-safe for a signed-in caller who sends an
// Idempotency-Key: the first request with the key runs and its response is kept;
// a retry of the same request (method, path, query and body) gets that response
// again, with Idempotent-Replayed: true, and creates nothing. Only successes are
// kept (idempotency.Service.Finish). The key is the
// caller's own: another user's key never collides. Without the header the
// request runs as usual.
func (h *handler) idempotent(c *gin.Context) {
	key := c.GetHeader(headerIdempotencyKey)
	if key == "" || h.Idempotency == nil {
		c.Next()
		return
	}
	if uq, err := strconv.Unquote(key); err == nil && len(key) > 1 && key[0] == '"' {
		key = uq // a structured-field string, as the IETF draft writes it
	}
	if !idempotency.ValidKey(key) {
		fail(c, errBadIdempotencyKey)
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		if httpx.TooLarge(err) {
			fail(c, errTooLarge)
			return
		}
		fail(c, errMalformed)
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	fingerprint := h.Idempotency.Fingerprint(c.Request.Method, c.Request.URL.RequestURI(), body)

	ctx := c.Request.Context()
	claim, replay, err := h.Idempotency.Begin(ctx, caller(c).UserID, key, fingerprint)
	if err != nil {
		fail(c, err)
		return
	}
	if replay != nil {
		if replay.Location != "" {
			c.Header("Location", replay.Location)
		}
		c.Header(headerReplayed, "true")
		c.Header("Cache-Control", "no-store")
		c.Data(replay.Status, replay.ContentType, replay.Body)
		c.Abort()
		return
	}
	rec := &recordingWriter{ResponseWriter: c.Writer}
	c.Writer = rec
	finished := false
	defer func() {
		// The response is sent whatever happens here: the claim's fate is for retries.
		bg := context.WithoutCancel(ctx)
		if !finished { // the handler panicked: let a retry run again
			if err := h.Idempotency.Release(bg, claim); err != nil {
				h.Logger.ErrorContext(ctx, "release idempotency key", "err", err)
			}
			return
		}
		hd := rec.Header()
		claim.Subject = c.GetString(ctxSubject)
		if err := h.Idempotency.Finish(bg, claim, rec.Status(), hd.Get("Content-Type"), hd.Get("Location"), rec.body.Bytes()); err != nil {
			h.Logger.ErrorContext(ctx, "keep idempotent response", "err", err)
			_ = h.Idempotency.Release(bg, claim)
		}
	}()
	c.Next()
	finished = true
}

// ctxSubject holds the id of the resident whose data a response holds.
const ctxSubject = "ecitizen.subject"

// holdsDataOf marks the response as holding residentID's personal data: kept
// for a retry, it is deleted when the resident is erased.
func holdsDataOf(c *gin.Context, residentID string) { c.Set(ctxSubject, residentID) }

// recordingWriter copies the response body it writes.
type recordingWriter struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}
