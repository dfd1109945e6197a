package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"

	"ecitizen/internal/apperr"
	"ecitizen/internal/httpx"
	"ecitizen/internal/identity"
)

// Session lifetimes: a signed-in session ends after IdleTimeout without a
// request (shared office PCs), and after MaxSession in any case.
const (
	IdleTimeout = 8 * time.Hour
	MaxSession  = 30 * 24 * time.Hour
	// touchEvery: the cookie is re-issued with a new last-use time at most this often.
	touchEvery = 5 * time.Minute
)

// sessionData is the session cookie's content, encrypted and signed by
// securecookie (AES-CTR and HMAC-SHA256), so its user id, token family and CSRF
// token can be neither read nor forged. Signed-in state is the identity service's session
// (a token family): signing out or a password change revokes it, and every
// request resumes it from the store, so a disabled account is out at once.
type sessionData struct {
	UserID  string `json:"u,omitempty"`
	SID     string `json:"s,omitempty"`
	CSRF    string `json:"c"`
	Started int64  `json:"b,omitempty"` // sign-in, unix seconds
	Seen    int64  `json:"t"`           // last request, unix seconds
}

type sessions struct {
	codec  *securecookie.SecureCookie
	name   string
	secure bool
}

// cookieSecure is whether cookies get the Secure attribute: always, except when
// the public URL is plain http on a loopback host (a developer's laptop: browsers
// treat localhost as secure, but Go's test clients and some browsers do not send
// Secure cookies over http). A deployment over http on a real host still gets
// Secure cookies, which browsers will not send: serve it over https.
func cookieSecure(u *url.URL) bool {
	if u.Scheme == "https" {
		return true
	}
	host := u.Hostname()
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// derive returns a key for purpose from the session key (HMAC-SHA256 as a KDF).
func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("ecitizen web session: " + purpose))
	return m.Sum(nil)
}

func newSessions(key []byte, secure bool) (*sessions, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("web: session key has %d bytes, need at least 32", len(key))
	}
	codec := securecookie.New(derive(key, "hash"), derive(key, "block"))
	codec.SetSerializer(securecookie.JSONEncoder{})
	codec.MaxAge(int(MaxSession.Seconds()))
	name := "ecitizen"
	if secure {
		// __Host-: the browser keeps it only if Secure, Path=/ and no Domain.
		name = "__Host-ecitizen"
	}
	return &sessions{codec: codec, name: name, secure: secure}, nil
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// read returns the request's session, or a new anonymous one (changed=true).
func (s *sessions) read(r *http.Request, now time.Time) (sd sessionData, changed bool) {
	if ck, err := r.Cookie(s.name); err == nil {
		if err := s.codec.Decode(s.name, ck.Value, &sd); err == nil && sd.CSRF != "" {
			return sd, false
		}
	}
	return sessionData{CSRF: newToken(), Seen: now.Unix()}, true
}

func (s *sessions) write(w http.ResponseWriter, sd sessionData) error {
	v, err := s.codec.Encode(s.name, sd)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: s.name, Value: v, Path: "/", MaxAge: int(MaxSession.Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// session reads the session cookie, resumes the signed-in user, checks the CSRF
// token of every unsafe request, and puts the request's view in the context.
func (h *handler) session(c *gin.Context) {
	now := h.now()
	sd, changed := h.sessions.read(c.Request, now)
	v := h.newView(c, sd)
	c.Set(ctxView, v)
	if sd.UserID != "" {
		idle := now.Sub(time.Unix(sd.Seen, 0))
		switch caller, u, err := h.Identity.Resume(c.Request.Context(), sd.UserID, sd.SID); {
		case idle > IdleTimeout || now.Sub(time.Unix(sd.Started, 0)) > MaxSession || errors.Is(err, apperr.ErrUnauthorized):
			sd = sessionData{CSRF: newToken(), Seen: now.Unix()}
			changed = true
			v.expired = true
		case err != nil:
			h.serverError(c, err)
			c.Abort()
			return
		default:
			v.Caller, v.User = caller, u
		}
	}
	if now.Sub(time.Unix(sd.Seen, 0)) > touchEvery {
		sd.Seen, changed = now.Unix(), true
	}
	v.CSRF = sd.CSRF
	v.sd = sd
	if changed {
		if err := h.sessions.write(c.Writer, sd); err != nil {
			h.serverError(c, err)
			c.Abort()
			return
		}
	}
	if !safeMethod(c.Request.Method) {
		if !h.checkCSRF(c, sd) {
			h.refuse(c, http.StatusForbidden, "error.csrf")
			c.Abort()
			return
		}
		if v.Caller.OrganisationInactive && !inactiveMayStill[c.FullPath()] {
			h.refuse(c, http.StatusForbidden, "error.organisation_inactive")
			c.Abort()
			return
		}
	}
	c.Next()
}

// inactiveMayStill are the forms a partner or volunteer of a deactivated
// organisation may still send, as in the API: their own account and learning,
// their records, and giving up what they hold. Every other form is refused, so
// a page added later is refused too until it is listed here.
var inactiveMayStill = map[string]bool{
	"/logout": true, "/account/password": true,
	"/me/bookings/:id/cancel": true, "/me/waiting/:id/leave": true,
	"/me/hours/certificates": true, "/me/calendar": true, "/me/calendar/delete": true,
	"/me/notifications/read-all": true, "/me/notifications/:id/read": true,
	"/courses/:id/start": true, "/courses/:id/lessons/:lesson_id/quiz": true, "/courses/:id/lessons/:lesson_id/complete": true,
}

// readForm reads the whole form of every unsafe request before anything looks
// at it: a body past httpx.MaxBody is refused as too large (not taken for a form
// without its CSRF token), and what follows finds the form parsed.
func (h *handler) readForm(c *gin.Context) {
	if !safeMethod(c.Request.Method) {
		// ParseMultipartForm alone would hide ParseForm's error of a
		// urlencoded body behind "not multipart".
		err := c.Request.ParseForm()
		if err == nil && strings.HasPrefix(c.ContentType(), "multipart/") {
			err = c.Request.ParseMultipartForm(httpx.MaxBody)
		}
		if httpx.TooLarge(err) {
			h.tooLarge(c)
			c.Abort()
			return
		}
	}
	c.Next()
}

// tooLarge is the page of a request body over httpx.MaxBody.
func (h *handler) tooLarge(c *gin.Context) {
	h.refuse(c, http.StatusRequestEntityTooLarge, "error.too_large")
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkCSRF: the form's _csrf field must equal the session's token (the
// synchronizer-token pattern), and a browser that says where the request came
// from must say it came from this site.
func (h *handler) checkCSRF(c *gin.Context, sd sessionData) bool {
	switch c.GetHeader("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	got := c.PostForm("_csrf")
	if got == "" {
		got = c.GetHeader("X-CSRF-Token")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sd.CSRF)) == 1
}

// signIn starts caller's web session with a new CSRF token (no fixation).
func (h *handler) signIn(c *gin.Context, caller identity.Caller) error {
	now := h.now().Unix()
	return h.sessions.write(c.Writer, sessionData{UserID: caller.UserID, SID: caller.SessionID, CSRF: newToken(), Started: now, Seen: now})
}

// signOut ends the session: the token family is revoked in the store, and the
// cookie is replaced by an anonymous one.
func (h *handler) signOut(c *gin.Context, v *view) error {
	if v.Caller.UserID != "" {
		if err := h.Identity.Logout(c.Request.Context(), v.Caller); err != nil {
			return err
		}
	}
	return h.sessions.write(c.Writer, sessionData{CSRF: newToken(), Seen: h.now().Unix()})
}

// setCookie sets a site-wide, HTTP-only, SameSite=Lax cookie.
func setCookie(c *gin.Context, name, value string, age time.Duration, secure bool) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(age.Seconds()),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}
