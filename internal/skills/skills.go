// Package skills holds the e-citizen skills framework of content/skills.yaml: the
// ministry's five basic digital skills for every household, and the observable
// skills a resident shows to become an e-citizen (công dân điện tử).
//
// Each skill belongs to one basic skill, maps to DigComp 2.2 competences, and
// names the evidence that may prove it: "observed" (a volunteer watched the
// resident do it; always allowed) and, for knowledge a quiz can show, "quiz"
// (the resident passed the quiz of a course mapped to the skill). A resident who
// has shown every required skill is an e-citizen.
//
// The definition is versioned: Version is the active version, and History lists
// every version with its required codes and the day it took effect, newest last.
// Changing the definition means bumping Version and appending to History; Validate
// refuses a file whose active required set is not its newest history entry, so
// history cannot be skipped. A certificate names its version and RequiredIn
// answers what that version required.
//
// Files: skills.go (the framework, loading and validation), history.go (versions
// of the definition).
package skills

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Evidence kinds a skill may accept.
const (
	EvidenceObserved = "observed" // a volunteer watched the resident do it
	EvidenceQuiz     = "quiz"     // the resident passed a mapped course quiz
)

// Errors of Validate; each returned error wraps one of them.
var (
	ErrVersion                = errors.New("skills: version must be 1 or more")
	ErrEmpty                  = errors.New("skills: the framework needs basic skills and skills")
	ErrCode                   = errors.New("skills: invalid code")
	ErrDuplicateCode          = errors.New("skills: duplicate code")
	ErrText                   = errors.New("skills: a text needs both vi and en")
	ErrUnknownBasicSkill      = errors.New("skills: unknown basic skill")
	ErrBasicSkillWithoutSkill = errors.New("skills: basic skill has no skill")
	ErrEvidence               = errors.New("skills: invalid evidence")
	ErrDigComp                = errors.New("skills: invalid DigComp 2.2 competence")
	ErrNoRequiredSkill        = errors.New("skills: no required skill")
	ErrHistory                = errors.New("skills: history does not record the versions of the definition")
)

// Text is a text in Vietnamese and English; both are required.
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

func (t Text) complete() bool {
	return strings.TrimSpace(t.Vi) != "" && strings.TrimSpace(t.En) != ""
}

// Framework is the whole skills framework.
type Framework struct {
	Version     int          `json:"version" yaml:"version"`
	BasicSkills []BasicSkill `json:"basic_skills" yaml:"basic_skills"`
	Skills      []Skill      `json:"skills" yaml:"skills"`
	History     []Definition `json:"history" yaml:"history"` // every version, oldest first; the last is Version's
}

// BasicSkill is one of the ministry's five basic digital skills for every household.
type BasicSkill struct {
	Code string `json:"code" yaml:"code"`
	Name Text   `json:"name" yaml:"name"`
}

// Skill is one observable task a resident does by themselves.
type Skill struct {
	Code        string   `json:"code" yaml:"code"`
	Name        Text     `json:"name" yaml:"name"`
	Description Text     `json:"description" yaml:"description"`
	BasicSkill  string   `json:"basic_skill" yaml:"basic_skill"`
	DigComp     []string `json:"digcomp" yaml:"digcomp"`   // DigComp 2.2 competence numbers such as "2.3"
	Evidence    []string `json:"evidence" yaml:"evidence"` // EvidenceObserved and optionally EvidenceQuiz
	Required    bool     `json:"required" yaml:"required"` // required for e-citizen status
}

// Accepts reports whether the skill may be proven by evidence kind e.
func (s Skill) Accepts(e string) bool { return slices.Contains(s.Evidence, e) }

var codeRe = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

var digCompRe = regexp.MustCompile(`^[1-5]\.[1-9]$`)

// digCompAreas is the number of competences in each DigComp 2.2 area (21 in all):
// 1 information and data literacy, 2 communication and collaboration, 3 digital
// content creation, 4 safety, 5 problem solving.
var digCompAreas = [...]int{1: 3, 2: 6, 3: 4, 4: 4, 5: 4}

// Load reads and validates the framework in file name of fsys. Decoding is
// strict: an unknown key is an error.
func Load(fsys fs.FS, name string) (*Framework, error) {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("skills: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var f Framework
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("skills: %s: %w", name, err)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &f, nil
}

// Validate checks the framework; the error wraps one of the Err* values.
func (f *Framework) Validate() error {
	if f.Version < 1 {
		return fmt.Errorf("%w: %d", ErrVersion, f.Version)
	}
	if len(f.BasicSkills) == 0 || len(f.Skills) == 0 {
		return ErrEmpty
	}
	seen := map[string]bool{}
	code := func(at, c string) error {
		if !codeRe.MatchString(c) {
			return fmt.Errorf("%w: %s: %q", ErrCode, at, c)
		}
		if seen[c] {
			return fmt.Errorf("%w: %s: %q", ErrDuplicateCode, at, c)
		}
		seen[c] = true
		return nil
	}
	basic := map[string]int{} // basic skill code -> number of skills
	for i, b := range f.BasicSkills {
		at := fmt.Sprintf("basic_skills[%d]", i)
		if err := code(at, b.Code); err != nil {
			return err
		}
		if !b.Name.complete() {
			return fmt.Errorf("%w: %s.name", ErrText, at)
		}
		basic[b.Code] = 0
	}
	required := false
	for i, s := range f.Skills {
		at := fmt.Sprintf("skills[%d]", i)
		if err := code(at, s.Code); err != nil {
			return err
		}
		if !s.Name.complete() {
			return fmt.Errorf("%w: %s.name", ErrText, at)
		}
		if !s.Description.complete() {
			return fmt.Errorf("%w: %s.description", ErrText, at)
		}
		if _, ok := basic[s.BasicSkill]; !ok {
			return fmt.Errorf("%w: %s: %q", ErrUnknownBasicSkill, at, s.BasicSkill)
		}
		basic[s.BasicSkill]++
		if err := checkEvidence(s.Evidence); err != nil {
			return fmt.Errorf("%w: %s", err, at)
		}
		for j, d := range s.DigComp {
			if !realDigComp(d) || slices.Index(s.DigComp, d) != j {
				return fmt.Errorf("%w: %s: %q", ErrDigComp, at, d)
			}
		}
		required = required || s.Required
	}
	for _, b := range f.BasicSkills {
		if basic[b.Code] == 0 {
			return fmt.Errorf("%w: %q", ErrBasicSkillWithoutSkill, b.Code)
		}
	}
	if !required {
		return ErrNoRequiredSkill
	}
	return f.validateHistory()
}

func checkEvidence(ev []string) error {
	if !slices.Contains(ev, EvidenceObserved) {
		return fmt.Errorf("%w: %q is required", ErrEvidence, EvidenceObserved)
	}
	for i, e := range ev {
		if (e != EvidenceObserved && e != EvidenceQuiz) || slices.Index(ev, e) != i {
			return fmt.Errorf("%w: %q", ErrEvidence, e)
		}
	}
	return nil
}

// realDigComp reports whether d names one of the 21 competences of DigComp 2.2.
func realDigComp(d string) bool {
	if !digCompRe.MatchString(d) {
		return false
	}
	area, _ := strconv.Atoi(d[:1])
	n, _ := strconv.Atoi(d[2:])
	return n <= digCompAreas[area]
}

// Known reports whether code is a skill of the framework (not a basic skill).
func (f *Framework) Known(code string) bool {
	_, ok := f.Skill(code)
	return ok
}

// Skill returns the skill with code.
func (f *Framework) Skill(code string) (Skill, bool) {
	for _, s := range f.Skills {
		if s.Code == code {
			return s, true
		}
	}
	return Skill{}, false
}

// Required returns the codes of the skills required for e-citizen status, in
// framework order.
func (f *Framework) Required() []string {
	var out []string
	for _, s := range f.Skills {
		if s.Required {
			out = append(out, s.Code)
		}
	}
	return out
}
