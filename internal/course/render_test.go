package course

import (
	"strings"
	"testing"
)

func TestNesting(t *testing.T) {
	for src, want := range map[string]int{
		"Một đoạn văn.":                        0,
		"> trích dẫn":                          1,
		"> > > ba cấp":                         3,
		"- một\n  - hai\n    - ba":             3,
		"1. một\n2) hai":                       1,
		"> - trong trích dẫn":                  2,
		"---\n***\n*đậm* và -5":                0,
		"```\n> > > > > > > > > > > >\n```\nx": 0,
		strings.Repeat(">", 98_000):            98_000,
		strings.Repeat("- ", 50) + "sâu":       50,
	} {
		if got := nesting(src); got != want {
			t.Errorf("nesting(%.40q) = %d, want %d", src, got, want)
		}
	}
}

// TestLessonNestingRefused: a lesson nesting deeper than MaxNesting is refused
// with its field, before any rendering.
func TestLessonNestingRefused(t *testing.T) {
	l := Lesson{ID: "sau", Title: Text{Vi: "Sâu", En: "Deep"}, Minutes: 5,
		Body: Text{Vi: "Nội dung", En: strings.Repeat(">", 98_000) + " x"}}
	err := l.validate("lessons[0]")
	if err == nil || !strings.Contains(err.Error(), "invalid") {
		t.Fatalf("validate: %v", err)
	}
	l.Body.En = strings.Repeat("> ", MaxNesting) + "x"
	if err := l.validate("lessons[0]"); err != nil {
		t.Fatalf("nesting of %d refused: %v", MaxNesting, err)
	}
}

// BenchmarkRenderDeepestAllowed renders a lesson at the limits: MaxBody
// characters nested MaxNesting deep on every line.
func BenchmarkRenderDeepestAllowed(b *testing.B) {
	line := strings.Repeat("> ", MaxNesting) + "Đoạn trích dẫn lồng nhau với chữ có dấu.\n"
	src := strings.Repeat(line, MaxBody/len([]rune(line)))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := RenderMarkdown(src); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLessonTitleIsOneLine: a lesson title refuses hidden characters (the
// plaintext rule), the body keeps its line breaks.
func TestLessonTitleIsOneLine(t *testing.T) {
	l := Lesson{ID: "mot", Title: Text{Vi: "Bài \u202emột", En: "One"}, Minutes: 5, Body: Text{Vi: "Dòng một\nDòng hai", En: "One\nTwo"}}
	if err := l.validate("lessons[0]"); err == nil || !strings.Contains(err.Error(), "invalid") {
		t.Fatalf("a title with a direction override: %v", err)
	}
	l.Title.Vi = "Bài một"
	if err := l.validate("lessons[0]"); err != nil {
		t.Fatalf("a plain lesson: %v", err)
	}
}
