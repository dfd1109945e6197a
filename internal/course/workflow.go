package course

import (
	"ecitizen/internal/apperr"
)

// Status is where a version stands in the review workflow:
//
//	draft -> in_review -> published
//	               \-> changes_requested -> in_review ...
//
// and any course can be archived. A published version is immutable; editing a
// published course makes a new draft version.
type Status string

// Version statuses.
const (
	StatusDraft            Status = "draft"
	StatusInReview         Status = "in_review"
	StatusChangesRequested Status = "changes_requested"
	// StatusPublished versions never change again. The course's PublishedVersion
	// says which one newcomers get; learners keep the one they started.
	StatusPublished Status = "published"
)

// Action is a workflow step a caller asks for.
type Action string

// Workflow actions.
const (
	ActionSubmit         Action = "submit"          // author: draft or changes_requested -> in_review
	ActionPublish        Action = "publish"         // reviewer: in_review -> published
	ActionRequestChanges Action = "request_changes" // reviewer: in_review -> changes_requested
	ActionWithdraw       Action = "withdraw"        // author: in_review -> draft
)

// Error codes of the workflow.
const (
	CodeIllegalTransition apperr.Code = "illegal_transition"
	CodeNotEditable       apperr.Code = "not_editable"
	CodeCourseArchived    apperr.Code = "course_archived"
	CodeDraftExists       apperr.Code = "draft_exists"
	CodeQuizNotPassed     apperr.Code = "quiz_not_passed"
	CodeNotStarted        apperr.Code = "course_not_started"
)

// transitions lists, per action, the statuses it starts from and where it leads.
var transitions = map[Action]struct {
	from []Status
	to   Status
}{
	ActionSubmit:         {[]Status{StatusDraft, StatusChangesRequested}, StatusInReview},
	ActionPublish:        {[]Status{StatusInReview}, StatusPublished},
	ActionRequestChanges: {[]Status{StatusInReview}, StatusChangesRequested},
	ActionWithdraw:       {[]Status{StatusInReview}, StatusDraft},
}

// Next returns the status an action leads to from s, or an illegal_transition error.
func Next(s Status, a Action) (Status, error) {
	t, ok := transitions[a]
	if ok {
		for _, f := range t.from {
			if f == s {
				return t.to, nil
			}
		}
	}
	return "", &apperr.Error{Code: CodeIllegalTransition,
		Vi: "Không thể thực hiện '" + string(a) + "' khi phiên bản đang ở trạng thái '" + string(s) + "'.",
		En: "Cannot '" + string(a) + "' a version that is '" + string(s) + "'."}
}

// Editable reports whether a version's content may still change.
func (s Status) Editable() bool { return s == StatusDraft || s == StatusChangesRequested }
