package course

import (
	"fmt"
	"slices"

	"ecitizen/internal/apperr"
)

// QuestionKind is how many options a learner picks.
type QuestionKind string

// Question kinds.
const (
	Single   QuestionKind = "single"   // exactly one correct option
	Multiple QuestionKind = "multiple" // one or more correct options; all must be picked
)

// Quiz is a lesson's quiz: its questions and the share of points needed to pass.
type Quiz struct {
	PassMark  int        `yaml:"pass_mark"` // percent of questions answered right, 1..100
	Questions []Question `yaml:"questions"`
}

// Question is one quiz question. The Correct flags of its options are the answer
// key: they never appear in a learner-facing response.
type Question struct {
	ID          string       `yaml:"id"`
	Kind        QuestionKind `yaml:"kind"`
	Prompt      Text         `yaml:"prompt"`
	Options     []Option     `yaml:"options"`
	Explanation Text         `yaml:"explanation"`
}

// Option is one answer option.
type Option struct {
	ID      string `yaml:"id"`
	Text    Text   `yaml:"text"`
	Correct bool   `yaml:"correct"`
}

func (q *Quiz) validate(at string) error {
	if q.PassMark < 1 || q.PassMark > 100 {
		return apperr.Invalid(at+".pass_mark", "range", "Điểm đạt từ 1 đến 100 (%).", "The pass mark is 1 to 100 (%).")
	}
	if len(q.Questions) == 0 || len(q.Questions) > MaxQuestions {
		return apperr.Invalid(at+".questions", "range", "Bài kiểm tra có từ 1 đến 50 câu hỏi.", "A quiz has 1 to 50 questions.")
	}
	for i := range q.Questions {
		qq := &q.Questions[i]
		qa := fmt.Sprintf("%s.questions[%d]", at, i)
		if !slugRe.MatchString(qq.ID) || slices.IndexFunc(q.Questions, func(o Question) bool { return o.ID == qq.ID }) != i {
			return apperr.Invalid(qa+".id", "slug", "Mã câu hỏi không hợp lệ hoặc bị lặp.", "The question id is invalid or repeated.")
		}
		if err := qq.Prompt.check(qa+".prompt", 1000); err != nil {
			return err
		}
		if err := qq.Explanation.check(qa+".explanation", 2000); err != nil {
			return err
		}
		if len(qq.Options) < 2 || len(qq.Options) > MaxOptions {
			return apperr.Invalid(qa+".options", "range", "Mỗi câu hỏi có từ 2 đến 10 lựa chọn.", "A question has 2 to 10 options.")
		}
		correct := 0
		for j := range qq.Options {
			o := &qq.Options[j]
			oa := fmt.Sprintf("%s.options[%d]", qa, j)
			if !slugRe.MatchString(o.ID) || slices.IndexFunc(qq.Options, func(x Option) bool { return x.ID == o.ID }) != j {
				return apperr.Invalid(oa+".id", "slug", "Mã lựa chọn không hợp lệ hoặc bị lặp.", "The option id is invalid or repeated.")
			}
			if err := o.Text.check(oa+".text", 500); err != nil {
				return err
			}
			if o.Correct {
				correct++
			}
		}
		switch {
		case qq.Kind == Single && correct != 1:
			return apperr.Invalid(qa+".options", "single_answer", "Câu hỏi một lựa chọn cần đúng một đáp án đúng.", "A single-choice question needs exactly one correct option.")
		case qq.Kind == Multiple && correct < 1:
			return apperr.Invalid(qa+".options", "multiple_answer", "Câu hỏi nhiều lựa chọn cần ít nhất một đáp án đúng.", "A multiple-choice question needs at least one correct option.")
		case qq.Kind != Single && qq.Kind != Multiple:
			return apperr.Invalid(qa+".kind", "oneof", "Loại câu hỏi phải là single hoặc multiple.", "The question kind must be single or multiple.")
		}
	}
	return nil
}

// Grade scores answers (question id -> chosen option ids): a question counts when
// exactly its correct options are chosen. It returns the score in percent (rounded
// down) and whether it reaches the pass mark.
func (q *Quiz) Grade(answers map[string][]string) (score int, passed bool) {
	right := 0
	for _, qq := range q.Questions {
		chosen := slices.Clone(answers[qq.ID])
		slices.Sort(chosen)
		chosen = slices.Compact(chosen)
		var want []string
		for _, o := range qq.Options {
			if o.Correct {
				want = append(want, o.ID)
			}
		}
		slices.Sort(want)
		if slices.Equal(chosen, want) {
			right++
		}
	}
	score = right * 100 / len(q.Questions)
	return score, score >= q.PassMark
}
