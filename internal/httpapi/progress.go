package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/progress"
)

// Progress: records that a resident showed a skill, their revocations, and the
// e-citizen status they add up to.

type progressRevocationJSON struct {
	RevokedBy string    `json:"revoked_by"`
	Reason    string    `json:"reason"`
	RevokedAt time.Time `json:"revoked_at"`
}

type progressRecordJSON struct {
	ID         string                  `json:"id"`
	ResidentID string                  `json:"resident_id"`
	SkillCode  string                  `json:"skill_code"`
	Method     string                  `json:"method"`
	Evidence   string                  `json:"evidence"`
	RecordedBy string                  `json:"recorded_by"`
	CentreID   *string                 `json:"centre_id"`
	ShiftID    *string                 `json:"shift_id"`
	At         time.Time               `json:"at"`
	Revocation *progressRevocationJSON `json:"revocation"`
}

func toProgressRecord(r *progress.Record, rv *progress.Revocation) progressRecordJSON {
	out := progressRecordJSON{ID: r.ID, ResidentID: r.ResidentID, SkillCode: r.SkillCode, Method: string(r.Method),
		Evidence: r.Evidence, RecordedBy: r.RecordedBy, CentreID: optional(r.CentreID), ShiftID: optional(r.ShiftID), At: r.At}
	if rv != nil {
		out.Revocation = &progressRevocationJSON{RevokedBy: rv.By, Reason: rv.Reason, RevokedAt: rv.At}
	}
	return out
}

type progressRequest struct {
	SkillCode string `json:"skill_code" binding:"required,max=64"`
	Method    string `json:"method" binding:"required,oneof=observed"`
	Evidence  string `json:"evidence" binding:"required,max=1000"`
	CentreID  string `json:"centre_id" binding:"max=64"`
}

func (h *handler) recordProgress(c *gin.Context) {
	holdsDataOf(c, c.Param("id"))
	var req progressRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	r, err := h.Progress.Record(c.Request.Context(), caller(c), c.Param("id"),
		progress.NewRecord{SkillCode: req.SkillCode, Evidence: req.Evidence, CentreID: req.CentreID})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toProgressRecord(r, nil))
}

func (h *handler) listProgress(c *gin.Context) {
	entries, err := h.Progress.List(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]progressRecordJSON, 0, len(entries))
	for _, e := range entries {
		items = append(items, toProgressRecord(&e.Record, e.Revocation))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (h *handler) revokeProgress(c *gin.Context) {
	var req requiredReasonRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	e, err := h.Progress.Revoke(c.Request.Context(), caller(c), c.Param("record_id"), req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toProgressRecord(&e.Record, e.Revocation))
}

type shownSkillJSON struct {
	SkillCode string    `json:"skill_code"`
	NameVi    string    `json:"name_vi"`
	NameEn    string    `json:"name_en"`
	Required  bool      `json:"required"`
	RecordID  string    `json:"record_id"`
	Method    string    `json:"method"`
	At        time.Time `json:"at"`
}

type residentStatusJSON struct {
	ResidentID       string           `json:"resident_id"`
	FrameworkVersion int              `json:"framework_version"`
	Shown            []shownSkillJSON `json:"shown"`
	Missing          []string         `json:"missing"`
	ECitizen         bool             `json:"e_citizen"`
	ReachedAt        *time.Time       `json:"reached_at"`
	CertificateCode  *string          `json:"certificate_code"`
}

func (h *handler) residentStatus(c *gin.Context) {
	s, err := h.Progress.Status(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	f := h.Progress.Framework()
	required := map[string]bool{}
	if codes, ok := f.RequiredIn(s.Status.Version); ok {
		for _, code := range codes {
			required[code] = true
		}
	}
	out := residentStatusJSON{ResidentID: c.Param("id"), FrameworkVersion: s.Status.Version, Shown: []shownSkillJSON{},
		Missing: s.Status.Missing, ECitizen: s.Status.ECitizen}
	for _, sh := range s.Status.Shown {
		sk, _ := f.Skill(sh.SkillCode)
		out.Shown = append(out.Shown, shownSkillJSON{SkillCode: sh.SkillCode, NameVi: sk.Name.Vi, NameEn: sk.Name.En,
			Required: required[sh.SkillCode], RecordID: sh.Record.ID, Method: string(sh.Record.Method), At: sh.Record.At})
	}
	if s.Status.ECitizen {
		at := s.Status.ReachedAt
		out.ReachedAt = &at
	}
	if s.Certificate != nil {
		out.CertificateCode = &s.Certificate.Code
	}
	c.JSON(http.StatusOK, out)
}

type assistedQuizRequest struct {
	CourseID string              `json:"course_id" binding:"required,max=64"`
	LessonID string              `json:"lesson_id" binding:"required,max=64"`
	Answers  map[string][]string `json:"answers" binding:"required,max=50,dive,keys,max=64,endkeys,max=10,dive,max=64"`
}

type residentQuizAttemptJSON struct {
	ID         string    `json:"id"`
	ResidentID string    `json:"resident_id"`
	CourseID   string    `json:"course_id"`
	Version    int       `json:"version"`
	LessonID   string    `json:"lesson_id"`
	Score      int       `json:"score"`
	Passed     bool      `json:"passed"`
	By         string    `json:"by"`
	CentreID   *string   `json:"centre_id"`
	ShiftID    *string   `json:"shift_id"`
	At         time.Time `json:"at"`
}

func toResidentQuizAttempt(a *progress.QuizAttempt) residentQuizAttemptJSON {
	return residentQuizAttemptJSON{ID: a.ID, ResidentID: a.ResidentID, CourseID: a.CourseID, Version: a.Version,
		LessonID: a.LessonID, Score: a.Score, Passed: a.Passed, By: a.By, CentreID: optional(a.CentreID),
		ShiftID: optional(a.ShiftID), At: a.At}
}

type assistedQuizJSON struct {
	residentQuizAttemptJSON
	Results []questionResultJSON `json:"results"`
	Records []progressRecordJSON `json:"records"`
}

func (h *handler) assistQuiz(c *gin.Context) {
	holdsDataOf(c, c.Param("id"))
	var req assistedQuizRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	a, err := h.Progress.AssistQuiz(c.Request.Context(), caller(c), c.Param("id"), req.CourseID, req.LessonID, req.Answers)
	if err != nil {
		fail(c, err)
		return
	}
	l := lang(c)
	out := assistedQuizJSON{residentQuizAttemptJSON: toResidentQuizAttempt(a.Attempt), Results: []questionResultJSON{},
		Records: []progressRecordJSON{}}
	for _, r := range a.Results {
		out.Results = append(out.Results, questionResultJSON{QuestionID: r.QuestionID, Correct: r.Correct, Explanation: r.Explanation.In(l)})
	}
	for _, r := range a.Records {
		out.Records = append(out.Records, toProgressRecord(r, nil))
	}
	c.JSON(http.StatusCreated, out)
}

func (h *handler) listAssistedQuizzes(c *gin.Context) {
	as, err := h.Progress.QuizAttempts(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]residentQuizAttemptJSON, 0, len(as))
	for _, a := range as {
		items = append(items, toResidentQuizAttempt(a))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
