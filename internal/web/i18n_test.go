package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestCataloguesAgree: every message is in both languages, and every message id
// a template or handler names exists.
func TestCataloguesAgree(t *testing.T) {
	keys := map[string][]string{}
	files, _ := fs.Glob(localeFS, "locales/*.yaml")
	for _, f := range files {
		b, _ := localeFS.ReadFile(f)
		var m map[string]any
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		lang := strings.Split(filepath.Base(f), ".")[1]
		for k := range m {
			keys[k] = append(keys[k], lang)
		}
	}
	for k, langs := range keys {
		slices.Sort(langs)
		if !slices.Equal(langs, []string{"en", "vi"}) {
			t.Errorf("message %q is in %v, want exactly once in en and vi", k, langs)
		}
	}
	cat, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	// Ids in templates ({{.T "id"}}, {{$.T "id"}}, "label" "id", "help" "id") and in
	// Go code (T("id"), "flash.x", "error.x" and link tables).
	used := map[string]bool{}
	tmpl := regexp.MustCompile(`(?:\.T|"label"|"help"|"confirm") "([a-z0-9_]+\.[a-z0-9_.]+)"`)
	goIDs := regexp.MustCompile(`"((?:[a-z0-9_]+)\.[a-z0-9_.]+)"`)
	prefixes := map[string]bool{}
	for k := range keys {
		prefixes[strings.SplitN(k, ".", 2)[0]] = true
	}
	walk := func(dir, ext string, re *regexp.Regexp) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ext) || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				if prefixes[strings.SplitN(m[1], ".", 2)[0]] {
					used[m[1]] = true
				}
			}
		}
	}
	walk("templates", ".html", tmpl)
	walk(".", ".go", goIDs)
	for id := range used {
		for _, l := range languages {
			if !cat.has(l, id) {
				t.Errorf("message %q is used but missing in %s", id, l)
			}
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d message ids in use; the scan is broken", len(used))
	}
}

// TestVietnameseHasDiacritics: the Vietnamese catalogue is written with its
// diacritics, not in plain ASCII.
func TestVietnameseHasDiacritics(t *testing.T) {
	files, _ := fs.Glob(localeFS, "locales/*.vi.yaml")
	for _, f := range files {
		b, _ := localeFS.ReadFile(f)
		var m map[string]string
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		ascii := 0
		for _, v := range m {
			if !strings.ContainsFunc(v, func(r rune) bool { return r > 127 }) {
				ascii++
			}
		}
		if ascii*3 > len(m) {
			t.Errorf("%s: %d of %d messages have no Vietnamese letter", f, ascii, len(m))
		}
	}
}
