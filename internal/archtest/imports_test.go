package archtest

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "ecitizen"

// graph returns every package of the module (as "internal/roster", "api" …) with
// the module's packages its non-test files import, as `go list` reports them for
// this platform.
func graph(t *testing.T) map[string][]string {
	t.Helper()
	root := moduleRoot(t)
	g := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		pkg, err := build.Default.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		var deps []string
		for _, imp := range pkg.Imports {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				deps = append(deps, strings.TrimPrefix(imp, module+"/"))
			}
		}
		sort.Strings(deps)
		g[filepath.ToSlash(rel)] = deps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// imports reports whether pkg imports dep directly, or through the module's
// packages (transitively).
func imports(g map[string][]string, pkg, dep string) bool {
	seen := map[string]bool{}
	var walk func(p string) bool
	walk = func(p string) bool {
		for _, d := range g[p] {
			if d == dep || strings.HasPrefix(d, dep+"/") {
				return true
			}
			if !seen[d] {
				seen[d] = true
				if walk(d) {
					return true
				}
			}
		}
		return false
	}
	return walk(pkg)
}

// The layers of docs/architecture.md.
var (
	domains = []string{"internal/identity", "internal/directory", "internal/course", "internal/training", "internal/roster",
		"internal/notify", "internal/equipment", "internal/resident", "internal/progress", "internal/certificate",
		"internal/coverage", "internal/partner", "internal/idempotency", "internal/skills", "internal/mail"}
	foundations = []string{"internal/apperr", "internal/page", "internal/plaintext", "internal/vntext", "internal/vntime",
		"internal/throttle", "internal/integrity", "internal/export", "internal/logging"}
	surfaces = []string{"internal/httpapi", "internal/web", "internal/httpx"}
	adapters = []string{"internal/store/sqlite", "internal/store/mongo"}
)

func TestDependenciesPointDown(t *testing.T) {
	g := graph(t)
	for _, layer := range [][]string{domains, foundations, surfaces, adapters} {
		for _, p := range layer {
			if _, ok := g[p]; !ok {
				t.Errorf("package %s of docs/architecture.md is missing", p)
			}
		}
	}
	forbid := func(pkgs []string, deps ...string) {
		for _, p := range pkgs {
			for _, d := range deps {
				if imports(g, p, d) {
					t.Errorf("%s imports %s (directly or through the module's packages)", p, d)
				}
			}
		}
	}
	// Domains know no HTTP, no composition root and no storage adapter.
	forbid(domains, append(append([]string{"internal/app", "internal/store"}, surfaces...), "api", "scripts")...)
	// Foundations depend on nothing above them.
	forbid(foundations, append(append(append([]string{"internal/app", "internal/store"}, surfaces...), domains...), "api", "scripts")...)
	// Adapters implement the domains' ports; they know no surface nor the root.
	forbid(adapters, append([]string{"internal/app", "api", "scripts"}, surfaces...)...)
	// The two surfaces share httpx; neither imports the other, and httpx neither.
	forbid([]string{"internal/web"}, "internal/httpapi")
	forbid([]string{"internal/httpapi"}, "internal/web")
	forbid([]string{"internal/httpx"}, "internal/httpapi", "internal/web", "internal/app", "internal/store")
	// Residents fold names with vntext, not through the course catalogue.
	forbid([]string{"internal/resident"}, "internal/course")
}

// Domains, foundations and adapters never import Gin: HTTP stays in the surfaces.
func TestNoGinBelowTheSurfaces(t *testing.T) {
	root := moduleRoot(t)
	for _, p := range slices.Concat(domains, foundations, adapters) {
		pkg, err := build.Default.ImportDir(filepath.Join(root, p), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			if strings.HasPrefix(imp, "github.com/gin-gonic/") {
				t.Errorf("%s imports %s", p, imp)
			}
		}
	}
}

// docs/architecture.md shows the import graph as `go list` gives it; this keeps it
// true. To refresh it, run the command printed above the graph in that file.
func TestArchitectureDocShowsTheGraph(t *testing.T) {
	g := graph(t)
	doc, err := os.ReadFile(filepath.Join(moduleRoot(t), "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for p, deps := range g {
		want = append(want, strings.TrimSpace(p+": "+strings.Join(deps, " ")))
	}
	sort.Strings(want)
	text := string(doc)
	start := strings.Index(text, "```text\n")
	if start < 0 {
		t.Fatal("docs/architecture.md has no ```text block with the import graph")
	}
	body := text[start+len("```text\n"):]
	body = body[:strings.Index(body, "```")]
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
		got = append(got, strings.TrimSpace(l))
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("the import graph in docs/architecture.md is stale; it should read:\n%s", strings.Join(want, "\n"))
	}
	for p := range g {
		if !strings.Contains(text, "`"+p+"`") {
			t.Errorf("docs/architecture.md's package table does not name `%s`", p)
		}
	}
}
