package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// globalSlog are slog's package-level functions that log through, or change,
// the global default logger. Nothing in ecitizen uses them: the program builds
// one logger (logging.New) and hands it to every part that logs, so that every
// line is JSON at the configured level and carries the request's id.
var globalSlog = []string{
	"Debug", "DebugContext", "Info", "InfoContext", "Warn", "WarnContext", "Error", "ErrorContext",
	"Log", "LogAttrs", "Default", "SetDefault", "SetLogLoggerLevel",
}

// TestNoGlobalLogger fails when a non-test Go file of the program (internal/,
// api/, scripts/) uses one of slog's global functions (globalSlog).
func TestNoGlobalLogger(t *testing.T) {
	root := moduleRoot(t)
	for _, dir := range []string{"internal", "api", "scripts"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			uses, err := globalSlogUses(path)
			for _, u := range uses {
				t.Errorf("%s: %s: log through the logger the part is given (its Deps.Logger), with the context of the work",
					filepath.ToSlash(rel), u)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// globalSlogUses returns the uses of globalSlog in the Go file at path, as
// "slog.Name", whatever name the file imports log/slog under.
func globalSlogUses(path string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	name := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "log/slog" {
			name = "slog"
			if imp.Name != nil {
				name = imp.Name.Name
			}
		}
	}
	if name == "" || name == "_" {
		return nil, nil
	}
	var uses []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == name && slices.Contains(globalSlog, sel.Sel.Name) {
			uses = append(uses, "slog."+sel.Sel.Name)
		}
		return true
	})
	return uses, nil
}

// TestGlobalSlogUses: the parser finds global calls under any import name and
// not a logger's methods.
func TestGlobalSlogUses(t *testing.T) {
	src := `package p

import (
	"context"
	logger "log/slog"
)

func f(ctx context.Context, l *logger.Logger) {
	logger.InfoContext(ctx, "global")
	l.InfoContext(ctx, "injected")
	l = logger.Default()
	_ = logger.New(nil)
}
`
	path := filepath.Join(t.TempDir(), "p.go")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	uses, err := globalSlogUses(path)
	if got, want := fmt.Sprint(uses), "[slog.InfoContext slog.Default]"; err != nil || got != want {
		t.Errorf("uses %s, %v; want %s", got, err, want)
	}
}
