package course

import (
	"strings"
	"sync"

	"ecitizen/internal/vntext"
)

// maxMatches bounds how many published courses one search ranks.
const maxMatches = 1000

// searchText is what a version's search matches against: titles, summaries and
// lesson titles in both languages, folded.
func searchText(v *Version) string {
	parts := []string{v.Title.Vi, v.Title.En, v.Summary.Vi, v.Summary.En}
	for _, l := range v.Lessons {
		parts = append(parts, l.Title.Vi, l.Title.En)
	}
	return vntext.Fold(strings.Join(parts, " \n "))
}

// rank scores, with fold being vntext.Fold (or a memo of it), how well the card c matches the query q: an exact, accented (case-insensitive)
// match first — in the title, then the summary, then a lesson title — then the
// same for the folded phrase; a match of the separate terms alone scores lowest.
func rank(c *Card, q string, fold func(string) string) int {
	exact := strings.ToLower(strings.Join(strings.Fields(q), " "))
	folded := vntext.Fold(q)
	if exact == "" {
		return 0
	}
	fields := [][]string{{c.Title.Vi, c.Title.En}, {c.Summary.Vi, c.Summary.En}, nil}
	for _, l := range c.Lessons {
		fields[2] = append(fields[2], l.Title.Vi, l.Title.En)
	}
	score := 0
	for i, texts := range fields {
		for _, t := range texts {
			switch {
			case strings.Contains(strings.ToLower(t), exact):
				score = max(score, 60-10*i)
			case strings.Contains(fold(t), folded):
				score = max(score, 30-10*i)
			}
		}
	}
	return score
}

// maxFolds bounds the memo of folded catalogue texts.
const maxFolds = 10_000

// foldMemo memoises vntext.Fold of the catalogue's texts (titles, summaries and
// lesson titles of the cards listed), which every request orders and ranks by:
// folding is a pure function of the text, so an entry is never stale; the memo
// is dropped whole when it holds maxFolds texts, so it stays bounded however
// often the catalogue changes.
type foldMemo struct {
	mu sync.RWMutex
	m  map[string]string
}

func (f *foldMemo) fold(s string) string {
	f.mu.RLock()
	out, ok := f.m[s]
	f.mu.RUnlock()
	if ok {
		return out
	}
	out = vntext.Fold(s)
	f.mu.Lock()
	if f.m == nil || len(f.m) >= maxFolds {
		f.m = make(map[string]string)
	}
	f.m[s] = out
	f.mu.Unlock()
	return out
}
