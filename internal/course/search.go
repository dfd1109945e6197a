package course

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold lowers s and removes Vietnamese diacritics, so that "Đăng ký" and "dang ky"
// fold alike: NFD decomposition, combining marks dropped, đ to d, runs of spaces
// collapsed to one.
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

// Limits on search queries.
const (
	maxTerms   = 8
	maxTermLen = 50
	// maxMatches bounds how many published courses one search ranks.
	maxMatches = 1000
)

// Terms splits a query into folded, distinct terms (at most 8 of at most 50 bytes).
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

// searchText is what a version's search matches against: titles, summaries and
// lesson titles in both languages, folded.
func searchText(v *Version) string {
	parts := []string{v.Title.Vi, v.Title.En, v.Summary.Vi, v.Summary.En}
	for _, l := range v.Lessons {
		parts = append(parts, l.Title.Vi, l.Title.En)
	}
	return Fold(strings.Join(parts, " \n "))
}

// rank scores how well v matches the query q: an exact, accented (case-insensitive)
// match first — in the title, then the summary, then a lesson title — then the
// same for the folded phrase; a match of the separate terms alone scores lowest.
func rank(v *Version, q string) int {
	exact := strings.ToLower(strings.Join(strings.Fields(q), " "))
	folded := Fold(q)
	if exact == "" {
		return 0
	}
	fields := [][]string{{v.Title.Vi, v.Title.En}, {v.Summary.Vi, v.Summary.En}, nil}
	for _, l := range v.Lessons {
		fields[2] = append(fields[2], l.Title.Vi, l.Title.En)
	}
	score := 0
	for i, texts := range fields {
		for _, t := range texts {
			switch {
			case strings.Contains(strings.ToLower(t), exact):
				score = max(score, 60-10*i)
			case strings.Contains(Fold(t), folded):
				score = max(score, 30-10*i)
			}
		}
	}
	return score
}
