package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

var (
	mdLink    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdHeading = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *$`)
	// docRef is a reference to a guide's section in code or the contract, such as
	// docs/api.md, "Coverage".
	docRef = regexp.MustCompile(`(docs/[a-z]+\.md),? +"([^"]+)"`)
)

// moduleRoot is the directory of go.mod, two levels above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	return root
}

// anchor is the fragment GitHub gives a heading: lower case, punctuation dropped
// (hyphens and underscores kept), spaces as hyphens.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func headings(t *testing.T, path string) (anchors, titles map[string]bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	anchors, titles = map[string]bool{}, map[string]bool{}
	inFence := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		if m := mdHeading.FindStringSubmatch(line); m != nil && !inFence {
			anchors[anchor(m[1])] = true
			titles[m[1]] = true
		}
	}
	return anchors, titles
}

// Every relative link of the README and the guides reaches a file, and a
// heading of it when it names one; so moving a section cannot leave a stale link.
func TestGuideLinksResolve(t *testing.T) {
	root := moduleRoot(t)
	files, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append(files, filepath.Join(root, "README.md"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, frag, _ := strings.Cut(target, "#")
			dest := f
			if path != "" {
				dest = filepath.Join(filepath.Dir(f), path)
			}
			if _, err := os.Stat(dest); err != nil {
				t.Errorf("%s: link %s: no file %s", rel(root, f), target, rel(root, dest))
				continue
			}
			if frag != "" {
				if a, _ := headings(t, dest); !a[frag] {
					t.Errorf("%s: link %s: %s has no heading #%s", rel(root, f), target, rel(root, dest), frag)
				}
			}
		}
	}
}

// Code and the contract cite guides' sections by title (docs/api.md, "Coverage");
// each cited title is a heading of that guide.
func TestCitedGuideSectionsExist(t *testing.T) {
	root := moduleRoot(t)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "archtest") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".go" && ext != ".yaml" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := strings.Join(strings.Fields(string(b)), " ") // references wrap over comment lines
		text = strings.ReplaceAll(text, " // ", " ")
		text = strings.ReplaceAll(text, " # ", " ")
		for _, m := range docRef.FindAllStringSubmatch(text, -1) {
			_, titles := headings(t, filepath.Join(root, m[1]))
			if !titles[m[2]] {
				t.Errorf("%s cites %s, %q, which has no such heading", rel(root, path), m[1], m[2])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func rel(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}
