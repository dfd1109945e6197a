package course

import (
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"

	"ecitizen/content"
	"ecitizen/internal/skills"
)

// builtinLinkHosts are the only hosts a built-in lesson may link to.
var builtinLinkHosts = map[string]bool{
	"dichvucong.gov.vn": true, // Cổng Dịch vụ công quốc gia
}

var (
	builtinRawHTMLRe = regexp.MustCompile(`<[a-zA-Z/]`)
	builtinURLRe     = regexp.MustCompile(`(?i)https?://[^\s)\]>"'*]+`)
	builtinFileRe    = regexp.MustCompile(`^[0-9]{2}-([a-z0-9-]+)\.yaml$`)
)

// TestBuiltinCatalogue validates the built-in catalogue of content/ against the
// skills framework and the house rules for lesson bodies.
func TestBuiltinCatalogue(t *testing.T) {
	framework, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		t.Fatal(err)
	}
	courses, err := LoadBuiltins(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(content.FS, "courses/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != len(courses) {
		t.Fatalf("%d files, %d courses", len(names), len(courses))
	}
	if len(courses) < 7 {
		t.Errorf("%d courses, want at least 7", len(courses))
	}

	lessons := 0
	slugs := map[string]bool{}
	taught := map[string]bool{}     // skill codes taught by some course
	audiences := map[Audience]int{} // courses per audience
	for i, c := range courses {
		name := path.Base(names[i]) // LoadBuiltins returns the courses in file-name order
		t.Run(c.Slug, func(t *testing.T) {
			if m := builtinFileRe.FindStringSubmatch(name); m == nil || m[1] != c.Slug {
				t.Errorf("file %s: want NN-%s.yaml", name, c.Slug)
			}
			if !slugRe.MatchString(c.Slug) || slugs[c.Slug] {
				t.Errorf("slug %q is invalid or repeated", c.Slug)
			}
			slugs[c.Slug] = true
			if err := c.Validate(framework.Known); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if err := c.ValidateForReview(); err != nil {
				t.Errorf("ValidateForReview: %v", err)
			}
			for _, s := range c.Skills {
				taught[s] = true
			}
			audiences[c.Audience]++
			for _, l := range c.Lessons {
				lessons++
				if l.Quiz == nil || len(l.Quiz.Questions) < 3 {
					t.Errorf("lesson %s: want a quiz with at least 3 questions", l.ID)
				}
				if l.Quiz != nil {
					checkBuiltinQuiz(t, l.ID, l.Quiz)
				}
				for lang, body := range map[string]string{"vi": l.Body.Vi, "en": l.Body.En} {
					checkBuiltinBody(t, l.ID+"."+lang, body)
				}
			}
		})
	}
	if lessons < 28 {
		t.Errorf("%d lessons, want at least 28", lessons)
	}

	for _, b := range framework.BasicSkills {
		covered := false
		for _, s := range framework.Skills {
			covered = covered || (s.BasicSkill == b.Code && taught[s.Code])
		}
		if !covered {
			t.Errorf("basic skill %s: no course teaches any of its skills", b.Code)
		}
	}
	for _, code := range framework.Required() {
		if !taught[code] {
			t.Errorf("required skill %s: no course teaches it", code)
		}
	}
	for _, a := range []Audience{AudienceResidents, AudienceVolunteers, AudienceCivilServants} {
		if audiences[a] == 0 {
			t.Errorf("no course for audience %s", a)
		}
	}
}

// checkBuiltinBody applies the house rules for Markdown bodies: no raw HTML, no
// javascript: or data: addresses, and links only to official hosts.
func checkBuiltinBody(t *testing.T, at, body string) {
	t.Helper()
	if m := builtinRawHTMLRe.FindString(body); m != "" {
		t.Errorf("%s: raw HTML %q", at, m)
	}
	lower := strings.ToLower(body)
	for _, bad := range []string{"javascript:", "data:"} {
		if strings.Contains(lower, bad) {
			t.Errorf("%s: contains %q", at, bad)
		}
	}
	for _, raw := range builtinURLRe.FindAllString(body, -1) {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" || !builtinLinkHosts[strings.ToLower(u.Hostname())] {
			t.Errorf("%s: link %q is not https on an official host", at, raw)
		}
	}
}

// checkBuiltinQuiz fails when a quiz can be passed by always picking the same
// option id, or has a multiple-choice question whose options are all correct.
func checkBuiltinQuiz(t *testing.T, at string, q *Quiz) {
	t.Helper()
	ids := map[string]bool{}
	for _, qq := range q.Questions {
		wrong := 0
		for _, o := range qq.Options {
			ids[o.ID] = true
			if !o.Correct {
				wrong++
			}
		}
		if wrong == 0 {
			t.Errorf("lesson %s, question %s: every option is correct", at, qq.ID)
		}
	}
	for id := range ids {
		answers := map[string][]string{}
		for _, qq := range q.Questions {
			answers[qq.ID] = []string{id}
		}
		if _, passed := q.Grade(answers); passed {
			t.Errorf("lesson %s: always answering %q passes the quiz", at, id)
		}
	}
}
