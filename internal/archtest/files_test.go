package archtest

import (
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var goFileName = regexp.MustCompile(`\b[a-z0-9_]+\.go\b`)

// A package doc that lists its files ("Files: a.go (…), b.go (…)") names
// exactly the package's files, so the list a newcomer reads first never drifts.
func TestFilesListsInPackageDocsAreTrue(t *testing.T) {
	root := moduleRoot(t)
	for p := range graph(t) {
		dir := filepath.Join(root, p)
		pkg, err := build.Default.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		var doc string
		for _, name := range pkg.GoFiles {
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if f.Doc != nil {
				doc += f.Doc.Text() + "\n\n"
			}
		}
		i := strings.Index(doc, "Files:")
		if i < 0 {
			continue
		}
		list, _, _ := strings.Cut(doc[i:], "\n\n")
		named := map[string]bool{}
		for _, n := range goFileName.FindAllString(list, -1) {
			named[n] = true
		}
		var missing, extra []string
		for _, n := range pkg.GoFiles {
			if !named[n] {
				missing = append(missing, n)
			}
			delete(named, n)
		}
		for n := range named {
			extra = append(extra, n)
		}
		sort.Strings(extra)
		if len(missing) > 0 || len(extra) > 0 {
			t.Errorf("%s: the package doc's Files: list misses %v and names %v, which are not its files", p, missing, extra)
		}
	}
}
