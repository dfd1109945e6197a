package course

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Markdown is rendered by goldmark without raw HTML (it escapes HTML in the source
// and drops dangerous link targets), then cleaned by bluemonday's user-content
// policy limited to http, https and mailto links: two independent layers, so a
// <script>, an onerror= attribute, a javascript: or a data: URL never reaches a page.
var (
	markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	policy   = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.AllowURLSchemes("https", "http", "mailto")
		p.RequireNoReferrerOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		return p
	}()
)

// RenderMarkdown turns a lesson's Markdown into sanitised HTML.
func RenderMarkdown(src string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return policy.Sanitize(buf.String()), nil
}

// render fills the HTML of every lesson of v from its Markdown.
func render(v *Version) error {
	for i := range v.Lessons {
		l := &v.Lessons[i]
		vi, err := RenderMarkdown(l.Body.Vi)
		if err != nil {
			return err
		}
		en, err := RenderMarkdown(l.Body.En)
		if err != nil {
			return err
		}
		l.HTML = Text{Vi: vi, En: en}
	}
	return nil
}

// nesting is how deeply src nests block quotes and lists at most: per line
// (outside fenced code), the '>' and list markers that open it, and for a line
// that opens a list item or a quote, its indentation by steps of two spaces.
// It may count more than goldmark would nest, never less.
func nesting(src string) int {
	deepest := 0
	fence := ""
	for line := range strings.Lines(src) {
		trimmed := strings.TrimLeft(line, " \t")
		if f := fenceOf(trimmed); f != "" {
			switch {
			case fence == "":
				fence = f
			case strings.HasPrefix(f, fence):
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		indent := len(line) - len(trimmed)
		depth, rest := 0, trimmed
		for {
			rest = strings.TrimLeft(rest, " \t")
			if strings.HasPrefix(rest, ">") {
				depth, rest = depth+1, rest[1:]
				continue
			}
			if n := listMarker(rest); n > 0 {
				depth, rest = depth+1, rest[n:]
				continue
			}
			break
		}
		if depth > 0 {
			depth += indent / 2
		}
		deepest = max(deepest, depth)
	}
	return deepest
}

// fenceOf is the code fence a line opens or closes ("```" or "~~~", as long as
// written), or "".
func fenceOf(line string) string {
	for _, c := range []string{"`", "~"} {
		n := len(line) - len(strings.TrimLeft(line, c))
		if n >= 3 {
			return strings.Repeat(c, n)
		}
	}
	return ""
}

// listMarker is the length of the list marker s starts with ("- ", "* ",
// "+ ", "12. ", "3) ", or the marker alone at the end of the line), or 0.
func listMarker(s string) int {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	switch {
	case i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')'):
		i++
	case i == 0 && len(s) > 0 && (s[0] == '-' || s[0] == '*' || s[0] == '+'):
		i = 1
	default:
		return 0
	}
	if i == len(s) || s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' {
		return i
	}
	return 0
}
