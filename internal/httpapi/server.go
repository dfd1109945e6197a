// Package httpapi is ecitizen's HTTP surface: the Gin engine, the routes (all in
// routes.go), middleware, problem+json errors and one file of handlers per domain.
// Handlers bind and validate a DTO, read the caller, call a domain service and
// render the result; rules and authorisation scope live in the services.
package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/certificate"
	"ecitizen/internal/course"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/equipment"
	"ecitizen/internal/httpx"
	"ecitizen/internal/idempotency"
	"ecitizen/internal/identity"
	"ecitizen/internal/logging"
	"ecitizen/internal/notify"
	"ecitizen/internal/partner"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/training"
)

// Deps is what the HTTP layer needs.
type Deps struct {
	Identity  *identity.Service
	Directory *directory.Service
	Courses   *course.Service
	Training  *training.Service
	Roster    *roster.Service
	Notify    *notify.Service
	// Idempotency keeps the responses of creates sent with an Idempotency-Key;
	// nil: the header is ignored.
	Idempotency *idempotency.Service
	// Equipment keeps centres' devices and their usage log.
	Equipment *equipment.Service
	// Certificates issues, revokes and verifies certificates.
	Certificates *certificate.Service
	// Residents keeps residents, their consent and protected personal numbers.
	Residents *resident.Service
	// Progress keeps residents' progress records and e-citizen status.
	Progress *progress.Service
	// Coverage answers summaries, the district overview and trends.
	Coverage *coverage.Service
	// Partner builds the partner view of an organisation and its export tables.
	Partner *partner.Service
	// PublicURL is where the API is reached from outside (ECITIZEN_PUBLIC_URL):
	// residents' personal links are absolute URLs under it.
	PublicURL string
	// Ping reports whether the store is reachable, for /readyz.
	Ping func(ctx context.Context) error
	// Logger gets the access log and the failures of requests; nil: nothing is
	// logged.
	Logger         *slog.Logger
	TrustedProxies []string
	CORSOrigins    []string
	// Spec is api/openapi.yaml, served at /api/openapi.yaml.
	Spec []byte
}

// handler serves the routes with the services of its Deps.
type handler struct {
	Deps
	// catalogue keeps the catalogue's encoded answers (course.go).
	catalogue answers
	district  renderedOverview // the district's overview, as last rendered
}

// init puts gin in release mode, a setting of the process, not of an engine: in
// its default debug mode gin prints every route and warnings to stdout, among
// the JSON log lines. Set here, it is set before any engine is built; the web
// pages set the same.
func init() { gin.SetMode(gin.ReleaseMode) }

// New returns the whole HTTP handler.
func New(d Deps) (http.Handler, error) {
	// The logger adds the request id of a line's context (httpx.WithRequestID
	// puts it there), so no line names it itself.
	d.Logger = logging.WithRequestIDs(d.Logger)
	h := &handler{Deps: d}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RemoveExtraSlash = true
	r.RedirectTrailingSlash = false // "/me/" is a 404 problem, not a bare 301
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	r.Use(httpx.WithRequestID, withLogger(d.Logger),
		httpx.AccessLog(d.Logger, "http", func(c *gin.Context) string { return caller(c).UserID }),
		httpx.Recover(d.Logger, fail), httpx.SecurityHeaders(securityPolicy), cors(d.CORSOrigins),
		httpx.LimitBody(func(c *gin.Context) { fail(c, errTooLarge) }), httpx.DetachWrites)
	r.NoRoute(func(c *gin.Context) {
		fail(c, &errRouteNotFound)
	})
	r.NoMethod(func(c *gin.Context) {
		fail(c, &errMethodNotAllowed)
	})
	h.routes(r)
	return r, nil
}
