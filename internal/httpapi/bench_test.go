package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gin-gonic/gin"

	"ecitizen/content"
	"ecitizen/internal/course"
	"ecitizen/internal/directory"
	"ecitizen/internal/skills"
	"ecitizen/internal/store/storetest"
)

// Benchmarks of the public catalogue through the real router (every middleware,
// the access log written as JSON to nowhere) on a SQLite store holding the
// built-in catalogue, without the contract checks of testEnv: what one anonymous
// request costs the server.

// catalogueHandler is the router with the course service on a fresh SQLite
// store holding the built-in catalogue; the handlers of the catalogue need
// nothing else.
func catalogueHandler(b *testing.B) http.Handler {
	b.Helper()
	st := storetest.SQLite().Open(b)
	ctx := context.Background()
	dir := directory.NewService(directory.Deps{Store: st})
	if err := dir.EnsureBuiltinOrganisation(ctx); err != nil {
		b.Fatal(err)
	}
	framework, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		b.Fatal(err)
	}
	courses := course.NewService(course.Deps{Store: st, KnownSkill: framework.Known})
	builtins, err := course.LoadBuiltins(content.FS)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := courses.ImportBuiltins(ctx, directory.BuiltinOrganisationID, builtins); err != nil {
		b.Fatal(err)
	}
	h, err := New(Deps{Directory: dir, Courses: courses, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

func benchServe(b *testing.B, h http.Handler, path string) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
}

// BenchmarkCatalogueList is GET /api/v1/courses, the public catalogue.
func BenchmarkCatalogueList(b *testing.B) {
	benchServe(b, catalogueHandler(b), "/api/v1/courses")
}

// BenchmarkCatalogueSearchAPI is GET /api/v1/courses?q=…, a search.
func BenchmarkCatalogueSearchAPI(b *testing.B) {
	benchServe(b, catalogueHandler(b), "/api/v1/courses?q="+url.QueryEscape("dịch vụ công"))
}

// BenchmarkBareGin is a bare Gin handler answering a small JSON object, the
// yardstick of issue 16: the catalogue's figures read as ratios to it.
func BenchmarkBareGin(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/ping", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	benchServe(b, r, "/ping")
}
