package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ecitizen/internal/course"
)

// The draft editor is one plain form: the course's fields, then each lesson with
// its Markdown bodies and its quiz. Field names are the API's JSON paths
// ("lessons[0].quiz.questions[1].options[2].text.vi"), so the course service's
// field problems land next to their inputs. Adding, removing and moving lessons,
// questions and options are submit buttons that re-render the form from what
// was typed, unsaved, so the editor needs no JavaScript.

// Editor limits: what one form may hold (the course package checks its own).
const (
	editorMaxLessons   = course.MaxLessons
	editorMaxQuestions = course.MaxQuestions
	editorMaxOptions   = course.MaxOptions
)

// contentFromForm reads the editor's (or the create form's) fields into course
// content, in index order; indices run from 0 until the first one missing.
func contentFromForm(f url.Values) course.Content {
	text := func(name string) course.Text {
		return course.Text{Vi: f.Get(name + ".vi"), En: f.Get(name + ".en")}
	}
	out := course.Content{Title: text("title"), Summary: text("summary"), Audience: course.Audience(f.Get("audience")),
		Level: course.Level(f.Get("level")), Skills: slices.Clone(f["skills"])}
	has := func(prefix string) bool {
		for k := range f {
			if strings.HasPrefix(k, prefix) {
				return true
			}
		}
		return false
	}
	for i := 0; i < editorMaxLessons && has(fmt.Sprintf("lessons[%d].", i)); i++ {
		at := fmt.Sprintf("lessons[%d]", i)
		minutes, _ := strconv.Atoi(strings.TrimSpace(f.Get(at + ".minutes")))
		ls := course.Lesson{ID: strings.TrimSpace(f.Get(at + ".id")), Title: text(at + ".title"), Body: text(at + ".body"),
			VideoURL: strings.TrimSpace(f.Get(at + ".video_url")), Minutes: minutes}
		qa := at + ".quiz"
		if has(qa + ".questions[0].") {
			pass, _ := strconv.Atoi(strings.TrimSpace(f.Get(qa + ".pass_mark")))
			q := &course.Quiz{PassMark: pass}
			for j := 0; j < editorMaxQuestions && has(fmt.Sprintf("%s.questions[%d].", qa, j)); j++ {
				qq := fmt.Sprintf("%s.questions[%d]", qa, j)
				cq := course.Question{ID: strings.TrimSpace(f.Get(qq + ".id")), Kind: course.QuestionKind(f.Get(qq + ".kind")),
					Prompt: text(qq + ".prompt"), Explanation: text(qq + ".explanation")}
				for k := 0; k < editorMaxOptions && has(fmt.Sprintf("%s.options[%d].", qq, k)); k++ {
					oa := fmt.Sprintf("%s.options[%d]", qq, k)
					cq.Options = append(cq.Options, course.Option{ID: strings.TrimSpace(f.Get(oa + ".id")), Text: text(oa + ".text"),
						Correct: f.Get(oa+".correct") != ""})
				}
				q.Questions = append(q.Questions, cq)
			}
			ls.Quiz = q
		}
		out.Lessons = append(out.Lessons, ls)
	}
	return out
}

// contentValues is the inverse of contentFromForm: the form's fields for content.
func contentValues(c course.Content) url.Values {
	f := url.Values{}
	text := func(name string, t course.Text) {
		f.Set(name+".vi", t.Vi)
		f.Set(name+".en", t.En)
	}
	text("title", c.Title)
	text("summary", c.Summary)
	f.Set("audience", string(c.Audience))
	f.Set("level", string(c.Level))
	f["skills"] = slices.Clone(c.Skills)
	for i, l := range c.Lessons {
		at := fmt.Sprintf("lessons[%d]", i)
		f.Set(at+".id", l.ID)
		text(at+".title", l.Title)
		text(at+".body", l.Body)
		f.Set(at+".video_url", l.VideoURL)
		if l.Minutes > 0 {
			f.Set(at+".minutes", strconv.Itoa(l.Minutes))
		} else {
			f.Set(at+".minutes", "")
		}
		if l.Quiz == nil {
			continue
		}
		qa := at + ".quiz"
		f.Set(qa+".pass_mark", strconv.Itoa(l.Quiz.PassMark))
		for j, q := range l.Quiz.Questions {
			qq := fmt.Sprintf("%s.questions[%d]", qa, j)
			f.Set(qq+".id", q.ID)
			f.Set(qq+".kind", string(q.Kind))
			text(qq+".prompt", q.Prompt)
			text(qq+".explanation", q.Explanation)
			for k, o := range q.Options {
				oa := fmt.Sprintf("%s.options[%d]", qq, k)
				f.Set(oa+".id", o.ID)
				text(oa+".text", o.Text)
				if o.Correct {
					f.Set(oa+".correct", "1")
				}
			}
		}
	}
	return f
}

// editOp is one of the editor's structural buttons: "add_lesson", "up:2",
// "remove_question:1:0", "add_option:1:0"...
type editOp struct {
	Name string
	Args []int
}

func parseOp(s string) editOp {
	parts := strings.Split(s, ":")
	op := editOp{Name: parts[0]}
	for _, p := range parts[1:] {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return editOp{}
		}
		op.Args = append(op.Args, n)
	}
	return op
}

// lessonAt returns the lesson of the op's first argument, or nil.
func (op editOp) lessonAt(c *course.Content) *course.Lesson {
	if len(op.Args) < 1 || op.Args[0] >= len(c.Lessons) {
		return nil
	}
	return &c.Lessons[op.Args[0]]
}

// questionAt returns the question of the op's first two arguments, or nil.
func (op editOp) questionAt(c *course.Content) *course.Question {
	l := op.lessonAt(c)
	if l == nil || l.Quiz == nil || len(op.Args) < 2 || op.Args[1] >= len(l.Quiz.Questions) {
		return nil
	}
	return &l.Quiz.Questions[op.Args[1]]
}

// apply performs a structural op on content; it reports whether it was one.
func (op editOp) apply(c *course.Content) bool {
	switch op.Name {
	case "add_lesson":
		if len(c.Lessons) < editorMaxLessons {
			c.Lessons = append(c.Lessons, course.Lesson{ID: freeID(len(c.Lessons)+1, "bai-", func(id string) bool {
				return slices.ContainsFunc(c.Lessons, func(l course.Lesson) bool { return l.ID == id })
			})})
		}
	case "remove_lesson":
		if op.lessonAt(c) != nil {
			c.Lessons = slices.Delete(c.Lessons, op.Args[0], op.Args[0]+1)
		}
	case "up", "down":
		if op.lessonAt(c) == nil {
			return true
		}
		i, j := op.Args[0], op.Args[0]-1
		if op.Name == "down" {
			j = i + 1
		}
		if j >= 0 && j < len(c.Lessons) {
			c.Lessons[i], c.Lessons[j] = c.Lessons[j], c.Lessons[i]
		}
	case "add_question":
		l := op.lessonAt(c)
		if l == nil {
			return true
		}
		if l.Quiz == nil {
			l.Quiz = &course.Quiz{PassMark: 70}
		}
		if len(l.Quiz.Questions) < editorMaxQuestions {
			qs := l.Quiz.Questions
			id := freeID(len(qs)+1, "q", func(id string) bool {
				return slices.ContainsFunc(qs, func(q course.Question) bool { return q.ID == id })
			})
			l.Quiz.Questions = append(qs, course.Question{ID: id, Kind: course.Single,
				Options: []course.Option{{ID: "a"}, {ID: "b"}}})
		}
	case "remove_question":
		l := op.lessonAt(c)
		if op.questionAt(c) != nil {
			l.Quiz.Questions = slices.Delete(l.Quiz.Questions, op.Args[1], op.Args[1]+1)
			if len(l.Quiz.Questions) == 0 {
				l.Quiz = nil
			}
		}
	case "add_option":
		q := op.questionAt(c)
		if q != nil && len(q.Options) < editorMaxOptions {
			id := ""
			for r := 'a'; r <= 'z'; r++ {
				if !slices.ContainsFunc(q.Options, func(o course.Option) bool { return o.ID == string(r) }) {
					id = string(r)
					break
				}
			}
			q.Options = append(q.Options, course.Option{ID: id})
		}
	case "remove_option":
		q := op.questionAt(c)
		if q != nil && len(op.Args) > 2 && op.Args[2] < len(q.Options) {
			q.Options = slices.Delete(q.Options, op.Args[2], op.Args[2]+1)
		}
	default:
		return false
	}
	return true
}

// freeID is prefix+n, or the next number not taken.
func freeID(n int, prefix string, taken func(string) bool) string {
	for ; ; n++ {
		if id := prefix + strconv.Itoa(n); !taken(id) {
			return id
		}
	}
}

// editorLesson is one lesson as the editor lays it out, with its fields' prefix.
type editorLesson struct {
	Index  int
	At     string // "lessons[2]"
	Lesson course.Lesson
}

// editorQuestion is one question with its field prefix.
type editorQuestion struct {
	Index    int
	At       string
	Question course.Question
}

// Questions lays out the lesson's quiz questions.
func (l editorLesson) Questions() []editorQuestion {
	if l.Lesson.Quiz == nil {
		return nil
	}
	out := make([]editorQuestion, len(l.Lesson.Quiz.Questions))
	for i, q := range l.Lesson.Quiz.Questions {
		out[i] = editorQuestion{Index: i, At: fmt.Sprintf("%s.quiz.questions[%d]", l.At, i), Question: q}
	}
	return out
}

// OptionAt is the field prefix of option k.
func (q editorQuestion) OptionAt(k int) string { return fmt.Sprintf("%s.options[%d]", q.At, k) }

func editorLessons(c course.Content) []editorLesson {
	out := make([]editorLesson, len(c.Lessons))
	for i, l := range c.Lessons {
		out[i] = editorLesson{Index: i, At: fmt.Sprintf("lessons[%d]", i), Lesson: l}
	}
	return out
}
