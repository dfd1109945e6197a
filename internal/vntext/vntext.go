// Package vntext is how ecitizen compares Vietnamese text typed by people.
//
// Searches fold: Fold lowers a text and removes its diacritics, so a query typed
// without them (on a phone keyboard, in a hurry, by someone unsure of the tones)
// still finds what it names: "dich vu cong" finds "Dịch vụ công", and "ĐĂNG KÝ"
// finds "đăng ký". Terms splits a query into folded terms; course titles,
// residents' names and anything else searched are matched folded.
//
// Identities do not fold: in Vietnamese the diacritics distinguish words ("bàn",
// a table, is not "bán", to sell), so a key that must tell two labels apart —
// a unique index — uses Key, which ignores only case, spacing and how the
// accents are encoded.
package vntext

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold lowers s and removes Vietnamese diacritics, so that "Đăng ký" and "dang ky"
// fold alike: NFD decomposition, combining marks dropped, đ to d, punctuation
// and runs of spaces collapsed to one space, trimmed.
func Fold(s string) string {
	var b strings.Builder
	space := true
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			r = 'd'
		case unicode.IsSpace(r) || unicode.IsPunct(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimSpace(b.String())
}

// Limits on the terms of a query: they bound the work of one search, whatever
// is typed.
const (
	maxTerms   = 8
	maxTermLen = 50 // bytes
)

// Terms splits a query into folded, distinct terms, in order: at most 8, each of
// at most 50 bytes (a longer one is cut at a character boundary); the rest of
// the query is ignored.
func Terms(q string) []string {
	var out []string
	for _, t := range strings.Fields(Fold(q)) {
		for len(t) > maxTermLen || !utf8.ValidString(t) {
			t = t[:len(t)-1] // cut at a character boundary
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
		if len(out) == maxTerms {
			break
		}
	}
	return out
}

// Key is the identity key of a text that keeps its diacritics: lower case, inner
// runs of spaces collapsed to one, trimmed, Unicode NFC; so "Máy  tính 3", "MÁY
// TÍNH 3" and the same text typed with combining accents have one key, but "Bàn 1"
// and "Bán 1" two. Stored keys and unique indexes depend on it: it must not change.
func Key(s string) string {
	return norm.NFC.String(strings.ToLower(strings.Join(strings.Fields(s), " ")))
}
