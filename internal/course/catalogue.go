package course

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/vntext"
)

// CatalogueQuery is what the public catalogue is asked.
type CatalogueQuery struct {
	Q        string // free text; diacritics and case do not matter
	Audience Audience
	Skill    string
}

// Card is what the catalogue lists and searches of one published version: no
// lesson bodies, HTML or quizzes, so that listing the catalogue reads a few small
// records instead of whole versions. Adapters store one card per published
// version (CardOf), written in the same unit as the version's publication; a
// published version never changes, so neither does its card.
type Card struct {
	CourseID string
	Number   int // the version's number
	Title    Text
	Summary  Text
	Audience Audience
	Level    Level
	Skills   []string
	Minutes  int // the estimated time of the whole course (Version.Minutes)
	Lessons  []CardLesson
	// SearchText is the version's SearchText, which search matches terms against.
	SearchText string
}

// CardLesson is a lesson as the catalogue knows it: the lesson titles are part
// of ranking, and the residents' quiz page lists the lessons that have a quiz.
type CardLesson struct {
	ID      string
	Title   Text
	HasQuiz bool
}

// CardOf returns the card of a version (the adapters call it when a version is
// published, and when they fill cards of versions published before cards existed).
func CardOf(v *Version) *Card {
	c := &Card{CourseID: v.CourseID, Number: v.Number, Title: v.Title, Summary: v.Summary,
		Audience: v.Audience, Level: v.Level, Skills: slices.Clone(v.Skills), Minutes: v.Minutes(),
		Lessons: make([]CardLesson, len(v.Lessons)), SearchText: v.SearchText}
	for i, l := range v.Lessons {
		c.Lessons[i] = CardLesson{ID: l.ID, Title: l.Title, HasQuiz: l.Quiz != nil}
	}
	return c
}

// Matches reports whether a card is selected by f (its Max aside): every term
// occurs in the card's SearchText, and the audience and skill, when set, are the
// card's. An adapter that cannot ask its database this question asks it here.
func (f CatalogueFilter) Matches(c *Card) bool {
	for _, t := range f.Terms {
		if !strings.Contains(c.SearchText, t) {
			return false
		}
	}
	return (f.Audience == "" || c.Audience == f.Audience) && (f.Skill == "" || slices.Contains(c.Skills, f.Skill))
}

// Select returns the cards f matches (Matches), f.Max at most (0: all), in order.
func (f CatalogueFilter) Select(cs []*Card) []*Card {
	var out []*Card
	for _, c := range cs {
		if f.Matches(c) {
			out = append(out, c)
			if f.Max > 0 && len(out) == f.Max {
				break
			}
		}
	}
	return out
}

// CardKey names a published version, whose card it is.
type CardKey struct {
	CourseID string
	Number   int
}

// CardCache keeps the cards of published versions in the process, for adapters.
// It is exact without invalidation: a published version never changes, so
// neither does its card, and what the catalogue lists (which version of which
// course) is not cached: the adapter reads the courses' published version
// numbers from the store on every request, so every instance sees a change the
// moment it is stored. It holds the cards of the last catalogue read whole.
type CardCache struct {
	mu    sync.Mutex
	cards map[CardKey]*Card
}

// Lookup returns the cards of keys, in order, and whether it holds them all.
func (c *CardCache) Lookup(keys []CardKey) ([]*Card, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*Card, len(keys))
	for i, k := range keys {
		if out[i] = c.cards[k]; out[i] == nil {
			return nil, false
		}
	}
	return out, true
}

// Keep replaces what the cache holds by cards (the whole current catalogue),
// so that it never holds more than one catalogue's cards.
func (c *CardCache) Keep(cards []*Card) {
	m := make(map[CardKey]*Card, len(cards))
	for _, k := range cards {
		m[CardKey{k.CourseID, k.Number}] = k
	}
	c.mu.Lock()
	c.cards = m
	c.mu.Unlock()
}

// Listing is a page of the catalogue.
type Listing struct {
	Cards []*Card
	Next  string // the cursor of the next page; "" on the last
	// Stamp is the catalogue's stamp (Store.CatalogueStamp) when it was read: an
	// answer built from this listing may be kept for as long as CatalogueStamp
	// returns the same.
	Stamp string
}

// CatalogueStamp returns the catalogue's current stamp (Store.CatalogueStamp):
// what a cache of catalogue answers is keyed by.
func (s *Service) CatalogueStamp(ctx context.Context) (string, error) {
	st, err := s.store.CatalogueStamp(ctx)
	if err != nil {
		return "", fmt.Errorf("catalogue stamp: %w", err)
	}
	return st, nil
}

// Catalogue lists published courses matching q: with a query, best matches first
// (see rank); without one, by Vietnamese title. The cursor is an offset into that
// order, which is stable while the catalogue does not change. It reads cards only.
func (s *Service) Catalogue(ctx context.Context, q CatalogueQuery, p page.Request) (Listing, error) {
	cs, stamp, err := s.store.CatalogueCards(ctx, CatalogueFilter{Terms: vntext.Terms(q.Q), Audience: q.Audience, Skill: q.Skill, Max: maxMatches})
	if err != nil {
		return Listing{}, fmt.Errorf("catalogue: %w", err)
	}
	ranks := make(map[*Card]int, len(cs))
	titles := make(map[*Card]string, len(cs))
	for _, c := range cs {
		ranks[c] = rank(c, q.Q, s.folds.fold)
		titles[c] = s.folds.fold(c.Title.Vi)
	}
	slices.SortFunc(cs, func(a, b *Card) int {
		return cmp.Or(cmp.Compare(ranks[b], ranks[a]), cmp.Compare(titles[a], titles[b]), cmp.Compare(a.CourseID, b.CourseID))
	})
	offset := 0
	if p.After != "" {
		if offset, err = strconv.Atoi(p.After); err != nil || offset < 0 {
			return Listing{}, apperr.Invalid("cursor", "cursor", "Con trỏ phân trang không hợp lệ.", "The page cursor is not valid.")
		}
	}
	if offset >= len(cs) {
		return Listing{Stamp: stamp}, nil
	}
	// The key of an item is how many items are consumed once it is shown.
	consumed := make(map[*Card]int, len(cs))
	for i, c := range cs {
		consumed[c] = i + 1
	}
	out, next := page.Cut(cs[offset:], p, func(c *Card) string { return strconv.Itoa(consumed[c]) })
	return Listing{Cards: out, Next: next, Stamp: stamp}, nil
}

// Published returns the version of a course a learner sees: the one they started,
// when they did (also after the course was archived: their records stay), else
// the current published one. Unpublished or archived courses are otherwise not found.
func (s *Service) Published(ctx context.Context, c identity.Caller, id string) (*Course, *Version, error) {
	co, err := s.store.CourseByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	n := co.PublishedVersion
	if co.Archived {
		n = 0
	}
	if c.UserID != "" {
		e, err := s.store.Enrolment(ctx, c.UserID, id)
		switch {
		case err == nil:
			n = e.Version
		case !errors.Is(err, apperr.ErrNotFound):
			return nil, nil, err
		}
	}
	if n == 0 {
		return nil, nil, notFound(id)
	}
	v, err := s.store.Version(ctx, id, n)
	if err != nil {
		return nil, nil, err
	}
	return co, v, nil
}

// PublishedLesson returns one lesson of the version the learner sees.
func (s *Service) PublishedLesson(ctx context.Context, c identity.Caller, id, lessonID string) (*Version, *Lesson, error) {
	_, v, err := s.Published(ctx, c, id)
	if err != nil {
		return nil, nil, err
	}
	l := v.Lesson(lessonID)
	if l == nil {
		return nil, nil, fmt.Errorf("lesson %s: %w", lessonID, apperr.ErrNotFound)
	}
	return v, l, nil
}

// CheckPublished returns an error wrapping apperr.ErrNotFound unless the course is
// published and not archived (training sessions are held of such courses only).
func (s *Service) CheckPublished(ctx context.Context, id string) error {
	co, err := s.store.CourseByID(ctx, id)
	if err != nil {
		return err
	}
	if co.Archived || co.PublishedVersion == 0 {
		return notFound(id)
	}
	return nil
}
