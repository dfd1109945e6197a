package course

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
)

// Service holds the rules of authoring, review, the catalogue and learning.
// Who may do what:
//   - partners author the courses of their own organisation (another's course is
//     not found); admins author for any organisation and are the reviewers;
//   - anyone reads the published catalogue;
//   - any signed-in user learns and has learning records.
type Service struct {
	store      Store
	knownSkill func(code string) bool
	now        func() time.Time
	// folds are the catalogue's texts folded (search.go).
	folds *foldMemo
}

// Deps are what the course service is built from.
type Deps struct {
	// Store keeps courses, their versions and learning records.
	Store Store
	// KnownSkill tells whether a skill code is in the skills framework
	// (skills.Framework.Known).
	KnownSkill func(code string) bool
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// NewService returns the course service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, knownSkill: d.KnownSkill, now: d.Now, folds: &foldMemo{}}
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Content is the editable content of a version.
type Content struct {
	Title    Text
	Summary  Text
	Audience Audience
	Level    Level
	Skills   []string
	Lessons  []Lesson
}

func (v *Version) setContent(c Content) {
	v.Title, v.Summary, v.Audience, v.Level = c.Title, c.Summary, c.Audience, c.Level
	v.Skills, v.Lessons = c.Skills, c.Lessons
}

func (v *Version) content() Content {
	return Content{Title: v.Title, Summary: v.Summary, Audience: v.Audience, Level: v.Level,
		Skills: slices.Clone(v.Skills), Lessons: slices.Clone(v.Lessons)}
}

// prepare validates a version and derives its HTML and search text.
func (s *Service) prepare(v *Version) error {
	if err := v.Validate(s.knownSkill); err != nil {
		return err
	}
	if err := render(v); err != nil {
		return err
	}
	v.SearchText = searchText(v)
	return nil
}

// mayAuthor reports whether the caller authors for the organisation.
func mayAuthor(c identity.Caller, orgID string) bool { return c.HasOrganisation(orgID) }

func notFound(id string) error { return fmt.Errorf("course %s: %w", id, apperr.ErrNotFound) }

// CreateCourse creates a course of an organisation with a first draft version.
// Partners create for their own organisation (orgID "" means theirs); admins name one.
func (s *Service) CreateCourse(ctx context.Context, c identity.Caller, orgID string, content Content) (*Course, *Version, error) {
	if c.Role == identity.RolePartner && orgID == "" {
		orgID = c.Scope.OrganisationID
	}
	if orgID == "" {
		return nil, nil, apperr.Invalid("organisation_id", "required", "Cần chọn tổ chức.", "An organisation is required.")
	}
	if !mayAuthor(c, orgID) {
		if c.Role == identity.RolePartner {
			return nil, nil, fmt.Errorf("organisation %s: %w", orgID, apperr.ErrNotFound)
		}
		return nil, nil, apperr.ErrForbidden
	}
	now := s.timestamp()
	co := &Course{ID: uuid.Must(uuid.NewV7()).String(), OrganisationID: orgID, LatestVersion: 1, CreatedAt: now, UpdatedAt: now}
	v := &Version{CourseID: co.ID, Number: 1, Status: StatusDraft, CreatedBy: c.UserID, CreatedAt: now, UpdatedAt: now}
	v.setContent(content)
	if err := s.prepare(v); err != nil {
		return nil, nil, err
	}
	if err := s.store.CreateCourse(ctx, co, v); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, nil, apperr.Invalid("organisation_id", "unknown_organisation", "Tổ chức không tồn tại.", "The organisation does not exist.")
		}
		return nil, nil, fmt.Errorf("create course: %w", err)
	}
	return co, v, nil
}

// managed loads a course the caller authors or reviews; others are not found.
func (s *Service) managed(ctx context.Context, c identity.Caller, id string) (*Course, error) {
	co, err := s.store.CourseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !mayAuthor(c, co.OrganisationID) {
		return nil, notFound(id)
	}
	return co, nil
}

// ManagedCourse returns a course with its latest version, for its authors and reviewers.
func (s *Service) ManagedCourse(ctx context.Context, c identity.Caller, id string) (*Course, *Version, error) {
	co, err := s.managed(ctx, c, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.store.Version(ctx, id, co.LatestVersion)
	if err != nil {
		return nil, nil, err
	}
	return co, v, nil
}

// ManagedVersion returns one version of a course, for its authors and reviewers.
func (s *Service) ManagedVersion(ctx context.Context, c identity.Caller, id string, n int) (*Course, *Version, error) {
	co, err := s.managed(ctx, c, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.store.Version(ctx, id, n)
	if err != nil {
		return nil, nil, err
	}
	return co, v, nil
}

// Managed is a course with its latest version, as listed for authors and reviewers.
type Managed struct {
	Course *Course
	Latest *Version
}

// ListManaged lists the courses the caller authors (admins: all, or one
// organisation's), each with its latest version; status, when set, keeps only
// courses whose latest version has it (the review queue is status in_review).
func (s *Service) ListManaged(ctx context.Context, c identity.Caller, orgID string, status Status, p page.Request) ([]Managed, string, error) {
	switch {
	case c.Role == identity.RolePartner:
		if orgID != "" && orgID != c.Scope.OrganisationID {
			return nil, "", nil
		}
		orgID = c.Scope.OrganisationID
	case !c.IsAdmin():
		return nil, "", apperr.ErrForbidden
	}
	var out []Managed
	// Filtering by the latest version's status happens after loading, so read
	// pages until this one is full.
	for {
		cs, err := s.store.ListCourses(ctx, CourseFilter{OrganisationID: orgID}, p)
		if err != nil {
			return nil, "", fmt.Errorf("list courses: %w", err)
		}
		cs, next := page.Cut(cs, p, func(c *Course) string { return c.ID })
		for _, co := range cs {
			v, err := s.store.Version(ctx, co.ID, co.LatestVersion)
			if err != nil {
				return nil, "", fmt.Errorf("latest version of %s: %w", co.ID, err)
			}
			if status == "" || v.Status == status {
				out = append(out, Managed{Course: co, Latest: v})
			}
		}
		if status == "" || len(out) > 0 || next == "" {
			return out, next, nil
		}
		if p, err = page.New(p.Limit, next); err != nil {
			return nil, "", err
		}
	}
}

// UpdateVersion replaces the content of an editable (draft or changes-requested)
// version, which must be the latest.
func (s *Service) UpdateVersion(ctx context.Context, c identity.Caller, id string, n int, content Content) (*Version, error) {
	co, v, err := s.ManagedVersion(ctx, c, id, n)
	if err != nil {
		return nil, err
	}
	if co.Archived {
		return nil, errArchived
	}
	if !v.Status.Editable() || v.Number != co.LatestVersion {
		return nil, &apperr.Error{Code: CodeNotEditable,
			Vi: "Phiên bản này không thể sửa (đang chờ duyệt hoặc đã xuất bản). Hãy tạo phiên bản mới.",
			En: "This version cannot be edited (in review or published). Create a new version."}
	}
	v.setContent(content)
	if err := s.prepare(v); err != nil {
		return nil, err
	}
	v.UpdatedAt = s.timestamp()
	if err := s.store.UpdateVersion(ctx, v); err != nil {
		return nil, fmt.Errorf("update version: %w", err)
	}
	return v, nil
}

var errArchived = &apperr.Error{Code: CodeCourseArchived, Vi: "Khoá học đã được lưu trữ.", En: "The course is archived."}

// NewVersion starts a new draft from the latest version, once that one is
// published. Two concurrent calls make one draft: the version number is a unique key.
func (s *Service) NewVersion(ctx context.Context, c identity.Caller, id string) (*Version, error) {
	co, latest, err := s.ManagedCourse(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if co.Archived {
		return nil, errArchived
	}
	if latest.Status != StatusPublished {
		return nil, &apperr.Error{Code: CodeDraftExists,
			Vi: "Khoá học đã có một phiên bản chưa xuất bản; hãy sửa phiên bản đó.",
			En: "The course already has an unpublished version; edit that one."}
	}
	now := s.timestamp()
	v := &Version{CourseID: id, Number: latest.Number + 1, Status: StatusDraft, CreatedBy: c.UserID, CreatedAt: now, UpdatedAt: now}
	v.setContent(latest.content())
	if err := s.prepare(v); err != nil {
		return nil, err
	}
	if err := s.store.CreateVersion(ctx, v); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil, &apperr.Error{Code: CodeDraftExists, Vi: "Phiên bản mới vừa được tạo bởi người khác.", En: "Someone else just created the new version."}
		}
		return nil, fmt.Errorf("new version: %w", err)
	}
	co.LatestVersion, co.UpdatedAt = v.Number, now
	if err := s.store.UpdateCourse(ctx, co); err != nil {
		return nil, fmt.Errorf("new version: %w", err)
	}
	return v, nil
}

// Transition moves a version through the workflow. Authors submit and withdraw;
// admins publish and request changes (with a note). Publishing makes the version
// the one newcomers get; it never changes afterwards.
func (s *Service) Transition(ctx context.Context, c identity.Caller, id string, n int, a Action, note string) (*Version, error) {
	co, v, err := s.ManagedVersion(ctx, c, id, n)
	if err != nil {
		return nil, err
	}
	if (a == ActionPublish || a == ActionRequestChanges) && !c.IsAdmin() {
		return nil, apperr.New(apperr.CodeForbidden, "Chỉ quản trị viên quận duyệt khoá học.", "Only district admins review courses.")
	}
	if co.Archived {
		return nil, errArchived
	}
	next, err := Next(v.Status, a)
	if err == nil && v.Number != co.LatestVersion {
		// An older version left behind (e.g. by a built-in re-import) never moves again.
		_, err = Next(StatusPublished, a)
	}
	if err != nil {
		return nil, err
	}
	if a == ActionSubmit {
		if err := v.ValidateForReview(); err != nil {
			return nil, err
		}
	}
	if a == ActionRequestChanges && strings.TrimSpace(note) == "" {
		return nil, apperr.Invalid("note", "required", "Hãy ghi rõ cần sửa gì.", "Say what needs to change.")
	}
	now := s.timestamp()
	v.Status, v.UpdatedAt = next, now
	if a == ActionRequestChanges || a == ActionSubmit {
		v.ReviewNote = note
	}
	if a == ActionPublish {
		v.PublishedAt = &now
	}
	if err := s.store.UpdateVersion(ctx, v); err != nil {
		return nil, fmt.Errorf("%s version: %w", a, err)
	}
	if a == ActionPublish {
		co.PublishedVersion, co.UpdatedAt = v.Number, now
		if err := s.store.UpdateCourse(ctx, co); err != nil {
			return nil, fmt.Errorf("publish: %w", err)
		}
	}
	return v, nil
}

// Archive takes a course out of the catalogue (or back, with archived false).
// Learners' records stay.
func (s *Service) Archive(ctx context.Context, c identity.Caller, id string, archived bool) (*Course, error) {
	co, err := s.managed(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if co.BuiltinSlug != "" && !c.IsAdmin() {
		return nil, apperr.ErrForbidden
	}
	co.Archived, co.UpdatedAt = archived, s.timestamp()
	if err := s.store.UpdateCourse(ctx, co); err != nil {
		return nil, fmt.Errorf("archive course: %w", err)
	}
	return co, nil
}
