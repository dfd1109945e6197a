package course

import (
	"bytes"
	"fmt"

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
