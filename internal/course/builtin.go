package course

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"time"

	"github.com/google/uuid"
	"go.yaml.in/yaml/v3"

	"ecitizen/internal/apperr"
)

// Builtin is one course of the built-in catalogue, as written in content/courses/*.yaml.
type Builtin struct {
	Slug    string `yaml:"slug"` // the import key: re-import updates the course with this slug
	Version `yaml:",inline"`
}

// LoadBuiltins reads every content/courses/*.yaml of fsys, strictly: an unknown key
// is an error. It checks nothing else; Validate does.
func LoadBuiltins(fsys fs.FS) ([]Builtin, error) {
	names, err := fs.Glob(fsys, "courses/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Builtin
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(true)
		var b Builtin
		if err := dec.Decode(&b); err != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(name), err)
		}
		out = append(out, b)
	}
	return out, nil
}

// ImportResult counts what ImportBuiltins did.
type ImportResult struct {
	Created, Updated, Unchanged int
}

// ImportBuiltins makes the built-in catalogue the published courses of the
// organisation orgID: a course per slug, created once; when a file changes, a new
// published version (learners keep the version they started). Unchanged files
// change nothing and partners' courses are never touched, so importing at every
// start is safe, also from several instances at once (slug and version number are
// unique keys).
func (s *Service) ImportBuiltins(ctx context.Context, orgID string, builtins []Builtin) (ImportResult, error) {
	var res ImportResult
	for _, b := range builtins {
		now := s.timestamp()
		v := &Version{Number: 1, Status: StatusPublished, CreatedBy: "builtin", CreatedAt: now, UpdatedAt: now, PublishedAt: &now}
		v.setContent(b.content())
		if err := s.prepare(v); err != nil {
			return res, fmt.Errorf("built-in course %s: %w", b.Slug, err)
		}
		co, err := s.store.CourseByBuiltinSlug(ctx, b.Slug)
		if errors.Is(err, apperr.ErrNotFound) {
			co = &Course{ID: uuid.Must(uuid.NewV7()).String(), OrganisationID: orgID, BuiltinSlug: b.Slug,
				PublishedVersion: 1, LatestVersion: 1, CreatedAt: now, UpdatedAt: now}
			v.CourseID = co.ID
			err = s.store.CreateCourse(ctx, co, v)
			if err == nil {
				res.Created++
				continue
			}
			if !errors.Is(err, apperr.ErrConflict) {
				return res, fmt.Errorf("create built-in course %s: %w", b.Slug, err)
			}
			co, err = s.courseBySlugSoon(ctx, b.Slug) // another instance is creating it
		}
		if err != nil {
			return res, fmt.Errorf("built-in course %s: %w", b.Slug, err)
		}
		if co.PublishedVersion > 0 {
			cur, err := s.store.Version(ctx, co.ID, co.PublishedVersion)
			if err != nil {
				return res, fmt.Errorf("built-in course %s: %w", b.Slug, err)
			}
			if reflect.DeepEqual(cur.content(), v.content()) {
				res.Unchanged++
				continue
			}
		}
		v.CourseID, v.Number = co.ID, co.LatestVersion+1
		if err := s.store.CreateVersion(ctx, v); err != nil {
			if errors.Is(err, apperr.ErrConflict) {
				res.Unchanged++ // another instance is importing the same change
				continue
			}
			return res, fmt.Errorf("update built-in course %s: %w", b.Slug, err)
		}
		co.PublishedVersion, co.LatestVersion, co.UpdatedAt = v.Number, v.Number, now
		if err := s.store.UpdateCourse(ctx, co); err != nil {
			return res, fmt.Errorf("update built-in course %s: %w", b.Slug, err)
		}
		res.Updated++
	}
	return res, nil
}

func (b *Builtin) content() Content { return b.Version.content() }

// courseBySlugSoon reads a built-in course that another instance is creating: on
// MongoDB its slug is claimed a moment before the course is written.
func (s *Service) courseBySlugSoon(ctx context.Context, slug string) (*Course, error) {
	for try := 0; ; try++ {
		co, err := s.store.CourseByBuiltinSlug(ctx, slug)
		if !errors.Is(err, apperr.ErrNotFound) || try == 20 {
			return co, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
