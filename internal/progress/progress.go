// Package progress keeps residents' e-citizen progress: append-only records
// that a resident showed a skill, revocations that correct them, and the status
// they add up to.
//
// A record is never edited or deleted; a correction is a Revocation of the
// record, with a reason. The status is always computed from all records and
// revocations (Evaluate), so revoking the record that completed the set moves
// the date reached to the next record that completes it, or removes the status.
//
// Files: progress.go (records, revocations, assisted quiz attempts), status.go
// (Evaluate: skills shown, skills missing, e-citizen and the date reached),
// store.go (the Store port), service.go (recording, revoking, status and the
// e-citizen certificate), quiz.go (assisted quizzes), personallink.go (a
// resident's personal link to their own status).
package progress

import "time"

// Method is how a record shows a skill.
type Method string

// Methods of showing a skill (skills.EvidenceObserved and skills.EvidenceQuiz).
const (
	// MethodObserved: a volunteer or staff member watched the resident do it.
	MethodObserved Method = "observed"
	// MethodQuiz: the resident passed a course quiz mapped to the skill.
	MethodQuiz Method = "quiz"
)

// Record states that a resident showed a skill. Records are append-only.
type Record struct {
	ID         string // UUIDv7
	ResidentID string
	SkillCode  string
	Method     Method
	Evidence   string // what was seen, or the quiz attempt
	RecordedBy string // the user who recorded it
	CentreID   string // where
	ShiftID    string // during which shift; empty for staff outside shifts
	At         time.Time
}

// Revocation withdraws a record, with a reason; the record stays.
type Revocation struct {
	RecordID string
	By       string
	Reason   string
	At       time.Time
}

// QuizAttempt is a course quiz a resident took with a volunteer's or staff
// member's help, on the helper's device; insert-only. A passed attempt is the
// evidence of the records of method quiz made from it.
type QuizAttempt struct {
	ID         string // UUIDv7
	ResidentID string
	CourseID   string
	Version    int // the course version graded against
	LessonID   string
	Answers    map[string][]string // question id -> chosen option ids
	Score      int                 // percent
	Passed     bool
	By         string // the helper
	CentreID   string
	ShiftID    string
	At         time.Time
}
