package course

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

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

// Catalogue lists published courses matching q: with a query, best matches first
// (see rank); without one, by Vietnamese title. The cursor is an offset into that
// order, which is stable while the catalogue does not change.
func (s *Service) Catalogue(ctx context.Context, q CatalogueQuery, p page.Request) ([]*Version, string, error) {
	vs, err := s.store.PublishedVersions(ctx, CatalogueFilter{Terms: vntext.Terms(q.Q), Audience: q.Audience, Skill: q.Skill, Max: maxMatches})
	if err != nil {
		return nil, "", fmt.Errorf("catalogue: %w", err)
	}
	ranks := make(map[*Version]int, len(vs))
	for _, v := range vs {
		ranks[v] = rank(v, q.Q)
	}
	slices.SortFunc(vs, func(a, b *Version) int {
		return cmp.Or(cmp.Compare(ranks[b], ranks[a]), cmp.Compare(vntext.Fold(a.Title.Vi), vntext.Fold(b.Title.Vi)), cmp.Compare(a.CourseID, b.CourseID))
	})
	offset := 0
	if p.After != "" {
		if offset, err = strconv.Atoi(p.After); err != nil || offset < 0 {
			return nil, "", apperr.Invalid("cursor", "cursor", "Con trỏ phân trang không hợp lệ.", "The page cursor is not valid.")
		}
	}
	if offset >= len(vs) {
		return nil, "", nil
	}
	// The key of an item is how many items are consumed once it is shown.
	consumed := make(map[*Version]int, len(vs))
	for i, v := range vs {
		consumed[v] = i + 1
	}
	out, next := page.Cut(vs[offset:], p, func(v *Version) string { return strconv.Itoa(consumed[v]) })
	return out, next, nil
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
