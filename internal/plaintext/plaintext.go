// Package plaintext is the one rule for the text people type into ecitizen:
// names (display names, residents' names and groups, ward, centre and
// organisation names, addresses, titles, CSV cells) hold one line, and notes may
// hold several, but neither may hold a character that changes how the text
// around it is shown instead of being shown itself. Those are refused where
// text comes in (Line, Lines) and dropped where stored text goes out (Shown),
// for values stored before the rule.
//
// Refused: control characters (NUL, ESC, DEL …; CR, LF and TAB too in a line),
// format characters (the bidirectional overrides and isolates such as U+202E
// that make "gpj.exe" read "exe.jpg", zero-width spaces and joiners, the
// byte-order mark, soft hyphens), line and paragraph separators, private-use,
// surrogate and unassigned code points, and invalid UTF-8. Vietnamese, with its
// combining diacritics, and every script and symbol otherwise pass.
package plaintext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"ecitizen/internal/apperr"
)

// hidden reports whether r is shown by acting on the text around it rather
// than as itself. newlines allows LF, CR and TAB (notes).
func hidden(r rune, newlines bool) bool {
	switch {
	case r == utf8.RuneError:
		return true
	case newlines && (r == '\n' || r == '\r' || r == '\t'):
		return false
	}
	// Letters, marks, numbers, punctuation, symbols and spaces are shown; every
	// other category (Cc, Cf, Co, Cs, unassigned, Zl, Zp) is not.
	return !unicode.In(r, shown...)
}

var shown = []*unicode.RangeTable{unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs}

func check(field, s string, newlines bool) error {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return hidden(r, newlines) }) {
		vi, en := "Trường "+field+" có ký tự điều khiển hoặc ký tự ẩn (xuống dòng, đảo chiều chữ, ký tự không độ rộng…); hãy gõ lại bằng chữ thường.",
			"The field "+field+" holds a control or invisible character (a line break, a direction override, a zero-width character…); type it again as plain text."
		if newlines {
			vi, en = "Trường "+field+" có ký tự điều khiển hoặc ký tự ẩn (đảo chiều chữ, ký tự không độ rộng…); hãy gõ lại bằng chữ thường.",
				"The field "+field+" holds a control or invisible character (a direction override, a zero-width character…); type it again as plain text."
		}
		return apperr.Invalid(field, "characters", vi, en)
	}
	return nil
}

// Line checks a one-line field (a name, a title, an address, a CSV cell):
// nil, or the field error "characters" of field.
func Line(field, s string) error { return check(field, s, false) }

// Lines checks a field of several lines (notes): as Line, but line breaks and
// tabs are allowed.
func Lines(field, s string) error { return check(field, s, true) }

// Shown is s without the characters Lines refuses, for stored text on its way
// to a page, a PDF or an export.
func Shown(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return hidden(r, true) }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if hidden(r, true) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}
