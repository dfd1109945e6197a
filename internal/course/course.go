// Package course owns the training catalogue: courses authored by partner
// organisations, their immutable published versions with ordered lessons and
// quizzes, the review workflow, the public catalogue and its diacritics-insensitive
// search, learners' records, and the built-in catalogue shipped in content/.
//
// Files: course.go (types and validation), quiz.go (quizzes and grading),
// workflow.go (statuses and transitions), render.go (Markdown to sanitised HTML),
// search.go (search text and ranking), builtin.go (the embedded catalogue),
// service.go (rules and access), catalogue.go (the public catalogue),
// learning.go (learners' progress), store.go (the Store port), assisted.go
// (grading a quiz for a resident without an account).
package course

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"ecitizen/internal/apperr"
	"ecitizen/internal/plaintext"
)

// Text is a user-facing text in Vietnamese and English; both are required.
type Text struct {
	Vi string `json:"vi" yaml:"vi"`
	En string `json:"en" yaml:"en"`
}

// In returns the text in lang ("en", or Vietnamese for anything else).
func (t Text) In(lang string) string {
	if lang == "en" {
		return t.En
	}
	return t.Vi
}

// line checks a one-line text field (a title) as check does, and that it holds
// no control or invisible character (plaintext.Line).
func (t Text) line(field string, max int) error {
	if err := t.check(field, max); err != nil {
		return err
	}
	for lang, v := range map[string]string{"vi": t.Vi, "en": t.En} {
		if err := plaintext.Line(field+"."+lang, v); err != nil {
			return err
		}
	}
	return nil
}

// check reports a missing or too long language of a text field.
func (t Text) check(field string, max int) error {
	for lang, v := range map[string]string{"vi": t.Vi, "en": t.En} {
		if strings.TrimSpace(v) == "" || utf8.RuneCountInString(v) > max {
			return apperr.Invalid(field+"."+lang, "length",
				fmt.Sprintf("%s.%s không được để trống và có tối đa %d ký tự.", field, lang, max),
				fmt.Sprintf("%s.%s must not be empty and has %d characters at most.", field, lang, max))
		}
	}
	return nil
}

// Audience is who a course is for.
type Audience string

// Audiences.
const (
	AudienceResidents     Audience = "residents"
	AudienceCivilServants Audience = "civil_servants"
	AudienceVolunteers    Audience = "volunteers"
)

// Level is how much a learner should already know.
type Level string

// Levels.
const (
	LevelBeginner     Level = "beginner"
	LevelIntermediate Level = "intermediate"
	LevelAdvanced     Level = "advanced"
)

// Course is a course across its versions: who owns it and which version learners see.
type Course struct {
	ID             string
	OrganisationID string
	// BuiltinSlug names a course of the built-in catalogue (its import key); "" for partners' courses.
	BuiltinSlug      string
	PublishedVersion int // the version the public catalogue shows; 0 when none
	LatestVersion    int // the highest version number
	Archived         bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Version is one version of a course's content. A published version never changes.
type Version struct {
	CourseID   string    `yaml:"-"`
	Number     int       `yaml:"-"`
	Status     Status    `yaml:"-"`
	Title      Text      `yaml:"title"`
	Summary    Text      `yaml:"summary"`
	Audience   Audience  `yaml:"audience"`
	Level      Level     `yaml:"level"`
	Skills     []string  `yaml:"skills"` // codes of content/skills.yaml
	Lessons    []Lesson  `yaml:"lessons"`
	ReviewNote string    `yaml:"-"` // the reviewer's note when changes are requested
	CreatedBy  string    `yaml:"-"`
	CreatedAt  time.Time `yaml:"-"`
	UpdatedAt  time.Time `yaml:"-"`
	// PublishedAt is set when the version is published.
	PublishedAt *time.Time `yaml:"-"`
	// SearchText is the folded text search matches against (see vntext.Fold); the service
	// keeps it in step with the content.
	SearchText string `yaml:"-"`
}

// Minutes is the estimated time of the whole course.
func (v *Version) Minutes() int {
	n := 0
	for _, l := range v.Lessons {
		n += l.Minutes
	}
	return n
}

// Lesson returns the lesson with id, or nil.
func (v *Version) Lesson(id string) *Lesson {
	for i := range v.Lessons {
		if v.Lessons[i].ID == id {
			return &v.Lessons[i]
		}
	}
	return nil
}

// Lesson is one lesson of a version, in order.
type Lesson struct {
	ID       string `yaml:"id"` // stable within a course across versions; [a-z0-9-]
	Title    Text   `yaml:"title"`
	Body     Text   `yaml:"body"` // Markdown
	VideoURL string `yaml:"video_url"`
	Minutes  int    `yaml:"minutes"`
	Quiz     *Quiz  `yaml:"quiz"`
	// HTML is Body rendered to sanitised HTML; the service renders it on every save.
	HTML Text `yaml:"-"`
}

// Limits of course content.
const (
	MaxTitle   = 200
	MaxSummary = 2000
	MaxBody    = 100_000
	// MaxNesting bounds how deeply a lesson's Markdown nests quotes and lists:
	// the cost of rendering grows with depth times length, and no lesson needs
	// more than a few levels.
	MaxNesting   = 10
	MaxLessons   = 100
	MaxSkills    = 20
	MaxMinutes   = 600
	MaxQuestions = 50
	MaxOptions   = 10
)

var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// Validate checks a version's content; knownSkill tells whether a skill code exists.
func (v *Version) Validate(knownSkill func(string) bool) error {
	if err := v.Title.line("title", MaxTitle); err != nil {
		return err
	}
	if err := v.Summary.check("summary", MaxSummary); err != nil {
		return err
	}
	switch v.Audience {
	case AudienceResidents, AudienceCivilServants, AudienceVolunteers:
	default:
		return apperr.Invalid("audience", "oneof", "Đối tượng phải là residents, civil_servants hoặc volunteers.", "The audience must be residents, civil_servants or volunteers.")
	}
	switch v.Level {
	case LevelBeginner, LevelIntermediate, LevelAdvanced:
	default:
		return apperr.Invalid("level", "oneof", "Trình độ phải là beginner, intermediate hoặc advanced.", "The level must be beginner, intermediate or advanced.")
	}
	if len(v.Skills) > MaxSkills {
		return apperr.Invalid("skills", "max", "Quá nhiều kỹ năng.", "Too many skills.")
	}
	for i, s := range v.Skills {
		if !knownSkill(s) || slices.Index(v.Skills, s) != i {
			return apperr.Invalid("skills", "unknown_skill", "Mã kỹ năng không có trong khung kỹ năng hoặc bị lặp: "+s, "The skill code is not in the skills framework or is repeated: "+s)
		}
	}
	if len(v.Lessons) > MaxLessons {
		return apperr.Invalid("lessons", "max", "Một khoá học có tối đa 100 bài.", "A course has 100 lessons at most.")
	}
	for i := range v.Lessons {
		if err := v.Lessons[i].validate(fmt.Sprintf("lessons[%d]", i)); err != nil {
			return err
		}
		if v.Lesson(v.Lessons[i].ID) != &v.Lessons[i] {
			return apperr.Invalid(fmt.Sprintf("lessons[%d].id", i), "duplicate", "Mã bài học bị lặp.", "The lesson id is repeated.")
		}
	}
	return nil
}

// ValidateForReview checks what a version needs before review: at least one lesson.
func (v *Version) ValidateForReview() error {
	if len(v.Lessons) == 0 {
		return apperr.Invalid("lessons", "required", "Khoá học cần ít nhất một bài học trước khi gửi duyệt.", "A course needs at least one lesson before review.")
	}
	return nil
}

func (l *Lesson) validate(at string) error {
	if !slugRe.MatchString(l.ID) {
		return apperr.Invalid(at+".id", "slug", "Mã bài học chỉ gồm chữ thường, số và '-'.", "A lesson id has lower-case letters, digits and '-'.")
	}
	if err := l.Title.line(at+".title", MaxTitle); err != nil {
		return err
	}
	if err := l.Body.check(at+".body", MaxBody); err != nil {
		return err
	}
	for lang, body := range map[string]string{"vi": l.Body.Vi, "en": l.Body.En} {
		if nesting(body) > MaxNesting {
			return apperr.Invalid(at+".body."+lang, "nesting",
				fmt.Sprintf("Nội dung bài lồng trích dẫn hoặc danh sách quá %d cấp.", MaxNesting),
				fmt.Sprintf("The lesson nests quotes or lists more than %d levels deep.", MaxNesting))
		}
	}
	if l.Minutes < 1 || l.Minutes > MaxMinutes {
		return apperr.Invalid(at+".minutes", "range", "Thời lượng bài học từ 1 đến 600 phút.", "A lesson takes 1 to 600 minutes.")
	}
	if l.VideoURL != "" {
		u, err := url.Parse(l.VideoURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(l.VideoURL) > 500 {
			return apperr.Invalid(at+".video_url", "url", "Đường dẫn video phải là địa chỉ https.", "The video URL must be an https address.")
		}
	}
	if l.Quiz != nil {
		return l.Quiz.validate(at + ".quiz")
	}
	return nil
}
