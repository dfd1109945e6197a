package certificate

import (
	"strings"
	"unicode"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"

	"ecitizen/internal/plaintext"
)

// The certificate's fonts (DejaVu Sans, regular and bold) cover Vietnamese and
// most of Latin, Greek and Cyrillic, but not emoji, mathematical letters or
// CJK, and fpdf writes nothing beyond U+FFFF. A name people typed may hold any
// of those, and fpdf fails on a character it cannot write; so every text from the store goes through
// printable first, and a PDF always comes out.
var fonts = func() []*sfnt.Font {
	var out []*sfnt.Font
	for _, ttf := range [][]byte{dejavusans.TTF, dejavusansbold.TTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			panic("certificate: parse the embedded font: " + err.Error()) // cannot happen: a fixed, tested font
		}
		out = append(out, f)
	}
	return out
}()

// hasGlyph reports whether both fonts draw r, and fpdf can write it (its
// UTF-8 fonts stop at the Basic Multilingual Plane).
func hasGlyph(r rune) bool {
	if r > 0xffff {
		return false
	}
	var b sfnt.Buffer
	for _, f := range fonts {
		if i, err := f.GlyphIndex(&b, r); err != nil || i == 0 {
			return false
		}
	}
	return true
}

// printable is s as the certificate can draw it: hidden characters dropped
// (plaintext.Shown); a character the fonts lack replaced by its compatibility
// form when the fonts draw that ("𝓐" → "A", "ﬁ" → "fi", full-width letters),
// otherwise by "?" (one for a run of them, so a string of emoji is one mark).
func printable(s string) string {
	s = plaintext.Shown(s)
	if !strings.ContainsFunc(s, func(r rune) bool { return !hasGlyph(r) && !unicode.IsSpace(r) }) {
		return s
	}
	var b strings.Builder
	missing := false
	for _, r := range norm.NFC.String(s) {
		switch {
		case hasGlyph(r) || r == ' ':
			b.WriteRune(r)
			missing = false
			continue
		case unicode.Is(unicode.Mn, r) || r == 0xfe0f || r == 0x200d:
			continue // a mark or emoji joiner/variation of what was replaced
		}
		if compat := norm.NFKC.String(string(r)); compat != string(r) && !strings.ContainsFunc(compat, func(c rune) bool { return !hasGlyph(c) }) {
			b.WriteString(compat)
			missing = false
			continue
		}
		if !missing {
			b.WriteByte('?')
		}
		missing = true
	}
	return b.String()
}
