package progress

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/skills"
)

// Error codes of progress.
const (
	// CodeRecordRevoked refuses revoking a record revoked already.
	CodeRecordRevoked apperr.Code = "record_revoked"
)

// DutyMargin is how long before a shift's start and after its end a checked-in
// volunteer may still record progress (the issue's 10 minutes; equipment keeps
// roster.OnDutyMargin).
const DutyMargin = 10 * time.Minute

// Limits of the text a caller gives.
const (
	MaxEvidence = 1000
	MaxReason   = 500
)

var (
	errNotOnDuty = &apperr.Error{Code: roster.CodeNotOnDuty,
		Vi: "Bạn không đang trực tại một nhà sinh hoạt cộng đồng của phường nơi người dân này cư trú: cần điểm danh vào một ca trực tại đó và chưa điểm danh ra (từ 10 phút trước giờ bắt đầu đến 10 phút sau giờ kết thúc ca).",
		En: "You are not on duty at a centre of this resident's ward: you need a check-in, without a check-out, on a shift there (from 10 minutes before its start to 10 minutes after its end)."}
	errErased = &apperr.Error{Code: resident.CodeResidentErased,
		Vi: "Dữ liệu cá nhân của người dân này đã bị xoá.", En: "This resident's personal data has been erased."}
	errRevoked = &apperr.Error{Code: CodeRecordRevoked,
		Vi: "Bản ghi này đã bị thu hồi.", En: "This record has already been revoked."}
)

// Residents gives a resident with its ward, whatever the caller
// (resident.Service.Lookup): progress applies its own scope.
type Residents interface {
	Lookup(ctx context.Context, id string) (*resident.Resident, error)
}

// Duty finds the shift a volunteer is on duty on in a ward
// (roster.Service.OnDutyInWard).
type Duty interface {
	OnDutyInWard(ctx context.Context, volunteerID, wardID, centreID string, at time.Time, margin time.Duration) (*roster.Shift, error)
}

// Centres gives an active centre (directory.Service.ActiveCentre).
type Centres interface {
	ActiveCentre(ctx context.Context, id string) (*directory.Centre, error)
}

// Certificates issues and revokes e-citizen certificates (certificate.Service).
type Certificates interface {
	IssueECitizen(ctx context.Context, st certificate.ECitizenStatement, wardID, by string) (*certificate.Certificate, bool, error)
	LiveECitizen(ctx context.Context, residentID string, version int) (*certificate.Certificate, error)
	RevokeECitizen(ctx context.Context, residentID string, version int, by, reason string) (*certificate.Certificate, error)
}

// Service holds the rules of progress records. Who may do what:
//   - admins, and ward staff for the resident's ward, record, read, and revoke;
//   - a volunteer on duty (checked in, not out) at a centre of the resident's
//     ward, within that shift ±10 minutes (DutyMargin), records and reads; one
//     on duty in another ward finds nothing (404), one on duty nowhere is
//     not_on_duty (403);
//   - ward staff of other wards find nothing (404); other roles are forbidden.
//
// After every record and revocation the resident's status under the active
// framework version is settled with the certificates (settle).
type Service struct {
	store     Store
	residents Residents
	duty      Duty
	centres   Centres
	certs     Certificates
	framework *skills.Framework
	grader    Grader               // assisted quizzes (quiz.go)
	links     roster.CalendarStore // residents' personal links (personallink.go)
	now       func() time.Time
}

// Deps are what the progress service is built from.
type Deps struct {
	// Store keeps progress records, quiz attempts and e-citizen statuses.
	Store Store
	// Residents gives a resident with its ward (resident.Service).
	Residents Residents
	// Duty finds a volunteer's shift on duty (roster.Service).
	Duty Duty
	// Centres gives an active centre (directory.Service).
	Centres Centres
	// Certificates issues and revokes e-citizen certificates (certificate.Service).
	Certificates Certificates
	// Framework is the skills framework records are checked against.
	Framework *skills.Framework
	// Grader grades assisted quizzes (course.Service); nil only where no
	// assisted quiz is taken.
	Grader Grader
	// PersonalLinks is the store of residents' personal links (the calendar
	// feeds' store; the store satisfies it); nil only where no personal link
	// is used.
	PersonalLinks roster.CalendarStore
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// NewService returns the progress service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, residents: d.Residents, duty: d.Duty, centres: d.Centres, certs: d.Certificates,
		framework: d.Framework, grader: d.Grader, links: d.PersonalLinks, now: d.Now}
}

// Framework is the skills framework records are checked against.
func (s *Service) Framework() *skills.Framework { return s.framework }

// place is where and when a caller acts for a resident: the centre and shift
// of a volunteer on duty (or the centre staff named).
type place struct {
	CentreID, ShiftID string
}

// reach reads a resident the caller may act for (see Service); volunteers
// counts volunteers on duty in; centreID is the centre a caller names (a
// volunteer must be on duty there; staff's must be of the resident's ward).
func (s *Service) reach(ctx context.Context, c identity.Caller, residentID, centreID string, volunteers bool) (*resident.Resident, place, error) {
	if !c.IsStaff() && !(volunteers && c.Role == identity.RoleVolunteer) {
		return nil, place{}, apperr.ErrForbidden
	}
	r, err := s.residents.Lookup(ctx, residentID)
	if err != nil {
		return nil, place{}, err
	}
	switch {
	case c.HasWard(r.WardID):
		if centreID == "" {
			return r, place{}, nil
		}
		ce, err := s.centres.ActiveCentre(ctx, centreID)
		if errors.Is(err, apperr.ErrNotFound) || (err == nil && ce.WardID != r.WardID) {
			return nil, place{}, apperr.Invalid("centre_id", "not_in_ward", "Nhà sinh hoạt cộng đồng không thuộc phường của người dân này.",
				"The centre is not in this resident's ward.")
		}
		if err != nil {
			return nil, place{}, err
		}
		return r, place{CentreID: ce.ID}, nil
	case c.Role == identity.RoleVolunteer:
		now := s.now()
		sh, err := s.duty.OnDutyInWard(ctx, c.UserID, r.WardID, centreID, now, DutyMargin)
		if errors.Is(err, roster.ErrNotOnDuty) {
			// On duty in another ward: this resident is out of their reach.
			if _, elsewhere := s.duty.OnDutyInWard(ctx, c.UserID, "", "", now, DutyMargin); elsewhere == nil && centreID == "" {
				return nil, place{}, fmt.Errorf("resident %s: %w", residentID, apperr.ErrNotFound)
			}
			return nil, place{}, errNotOnDuty
		}
		if err != nil {
			return nil, place{}, err
		}
		return r, place{CentreID: sh.CentreID, ShiftID: sh.ID}, nil
	default: // ward staff of another ward
		return nil, place{}, fmt.Errorf("resident %s: %w", residentID, apperr.ErrNotFound)
	}
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// NewRecord is what a caller gives to record that a resident showed a skill.
type NewRecord struct {
	SkillCode string
	Evidence  string
	CentreID  string // optional: where
}

// Record records that a resident showed a skill, observed by the caller, then
// settles the resident's status. An unknown skill is invalid (skill_code); an
// erased resident resident_erased.
func (s *Service) Record(ctx context.Context, c identity.Caller, residentID string, n NewRecord) (*Record, error) {
	n.Evidence = strings.TrimSpace(n.Evidence)
	var fields []apperr.FieldError
	if sk, ok := s.framework.Skill(n.SkillCode); !ok || !sk.Accepts(skills.EvidenceObserved) {
		fields = append(fields, apperr.FieldError{Field: "skill_code", Code: "unknown",
			Vi: "Kỹ năng không có trong khung kỹ năng.", En: "The skill is not in the skills framework."})
	}
	if n.Evidence == "" || utf8.RuneCountInString(n.Evidence) > MaxEvidence {
		fields = append(fields, apperr.FieldError{Field: "evidence", Code: "length",
			Vi: "Minh chứng từ 1 đến 1000 ký tự.", En: "Evidence has 1 to 1000 characters."})
	}
	if len(fields) > 0 {
		return nil, &apperr.Error{Code: apperr.CodeInvalid, Vi: "Dữ liệu không hợp lệ.", En: "The input is not valid.", Fields: fields}
	}
	r, where, err := s.reach(ctx, c, residentID, n.CentreID, true)
	if err != nil {
		return nil, err
	}
	return s.add(ctx, c, r, where, n.SkillCode, MethodObserved, n.Evidence)
}

// add inserts a record of a resident the caller reached, and settles the status.
func (s *Service) add(ctx context.Context, c identity.Caller, r *resident.Resident, where place, skill string, m Method, evidence string) (*Record, error) {
	if r.Erased() {
		return nil, errErased
	}
	rec := &Record{ID: uuid.Must(uuid.NewV7()).String(), ResidentID: r.ID, SkillCode: skill, Method: m, Evidence: evidence,
		RecordedBy: c.UserID, CentreID: where.CentreID, ShiftID: where.ShiftID, At: s.timestamp()}
	if err := s.store.CreateProgressRecord(ctx, rec); err != nil {
		return nil, fmt.Errorf("record progress of %s: %w", r.ID, err)
	}
	if _, err := s.settle(ctx, r, c.UserID, nil); err != nil {
		return nil, err
	}
	return rec, nil
}

// Entry is a record with its revocation (nil when it has none).
type Entry struct {
	Record     Record
	Revocation *Revocation
}

// List returns a resident's records, oldest first, with their revocations.
func (s *Service) List(ctx context.Context, c identity.Caller, residentID string) ([]Entry, error) {
	r, _, err := s.reach(ctx, c, residentID, "", true)
	if err != nil {
		return nil, err
	}
	recs, revs, err := s.store.ProgressOfResident(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	byRecord := make(map[string]*Revocation, len(revs))
	for i := range revs {
		byRecord[revs[i].RecordID] = &revs[i]
	}
	out := make([]Entry, 0, len(recs))
	for _, rec := range recs {
		out = append(out, Entry{Record: rec, Revocation: byRecord[rec.ID]})
	}
	return out, nil
}

// Revoke revokes a record, with a reason, for the ward's staff and admins
// (volunteers correct through staff: a revocation may take a certificate
// away), then settles the resident's status. A second revocation is
// record_revoked, whatever the concurrency.
func (s *Service) Revoke(ctx context.Context, c identity.Caller, recordID, reason string) (*Entry, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReason {
		return nil, apperr.Invalid("reason", "length", "Lý do từ 1 đến 500 ký tự.", "A reason has 1 to 500 characters.")
	}
	if !c.IsStaff() {
		return nil, apperr.ErrForbidden
	}
	rec, rv, err := s.store.ProgressRecordByID(ctx, recordID)
	if err != nil {
		return nil, err
	}
	r, _, err := s.reach(ctx, c, rec.ResidentID, "", false)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, fmt.Errorf("progress record %s: %w", recordID, apperr.ErrNotFound)
		}
		return nil, err
	}
	if rv != nil {
		return nil, errRevoked
	}
	rv = &Revocation{RecordID: rec.ID, By: c.UserID, Reason: reason, At: s.timestamp()}
	if err := s.store.RevokeProgressRecord(ctx, rv); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil, errRevoked
		}
		return nil, fmt.Errorf("revoke progress record %s: %w", recordID, err)
	}
	if _, err := s.settle(ctx, r, c.UserID, rec); err != nil {
		return nil, err
	}
	return &Entry{Record: *rec, Revocation: rv}, nil
}

// Standing is a resident's status under the active framework version, with
// the live certificate that states it (nil when none).
type Standing struct {
	Status      Status
	Certificate *certificate.Certificate
}

// Status returns a resident's standing, for the callers who may read its records.
func (s *Service) Status(ctx context.Context, c identity.Caller, residentID string) (*Standing, error) {
	r, _, err := s.reach(ctx, c, residentID, "", true)
	if err != nil {
		return nil, err
	}
	st, err := s.evaluate(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	live, err := s.live(ctx, r.ID, st.Version)
	if err != nil {
		return nil, err
	}
	return &Standing{Status: st, Certificate: live}, nil
}

// evaluate computes a resident's status under the active framework version.
func (s *Service) evaluate(ctx context.Context, residentID string) (Status, error) {
	recs, revs, err := s.store.ProgressOfResident(ctx, residentID)
	if err != nil {
		return Status{}, fmt.Errorf("progress of %s: %w", residentID, err)
	}
	def := s.framework.Active()
	return Evaluate(def.Version, def.Required, recs, revs), nil
}

// live returns the resident's live e-citizen certificate of a version, nil when none.
func (s *Service) live(ctx context.Context, residentID string, version int) (*certificate.Certificate, error) {
	cert, err := s.certs.LiveECitizen(ctx, residentID, version)
	if e := apperr.As(err); e != nil && e.Code == certificate.CodeCertificateNotFound {
		return nil, nil
	}
	return cert, err
}

// settle brings the resident's certificate in line with their status under the
// active framework version, after a record or a revocation (revoked, nil after
// a record):
//   - an e-citizen without a live certificate gets one (IssueECitizen issues it
//     once, whatever the concurrency, through its issue key);
//   - a live certificate whose status is lost is revoked, with a reason naming
//     the revoked record;
//   - when a revocation moves the date reached (another record completes the
//     set later), the certificate is revoked and a new one issued with the new
//     date: a certificate never states a date that is no longer true.
//
// A concurrent settle may revoke first: certificate_already_revoked is then
// no error. An erased resident's certificate can be revoked, never issued (no
// name left for the initial).
func (s *Service) settle(ctx context.Context, r *resident.Resident, by string, revoked *Record) (*Standing, error) {
	// The certificate is read before the records: the status evaluated is then
	// at least as new as the one the certificate was issued on, so a settle
	// that read the records before a concurrent one completed the set never
	// revokes the certificate that one issued.
	live, err := s.live(ctx, r.ID, s.framework.Active().Version)
	if err != nil {
		return nil, err
	}
	st, err := s.evaluate(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	if live != nil {
		stated := live.Statement.ECitizen
		reached := st.ECitizen && stated != nil && stated.ReachedOn == st.ReachedAt.In(certificate.Zone).Format(time.DateOnly)
		if reached {
			return &Standing{Status: st, Certificate: live}, nil
		}
		reason := "Tình trạng công dân điện tử đã thay đổi."
		if revoked != nil {
			if st.ECitizen {
				reason = fmt.Sprintf("Bản ghi %s (kỹ năng %s) bị thu hồi: ngày đạt được thay đổi. / Record %s (skill %s) was revoked: the date reached changed.",
					revoked.ID, revoked.SkillCode, revoked.ID, revoked.SkillCode)
			} else {
				reason = fmt.Sprintf("Bản ghi %s (kỹ năng %s) bị thu hồi: chưa đạt công dân điện tử. / Record %s (skill %s) was revoked: no longer an e-citizen.",
					revoked.ID, revoked.SkillCode, revoked.ID, revoked.SkillCode)
			}
		}
		_, err := s.certs.RevokeECitizen(ctx, r.ID, st.Version, by, reason)
		if e := apperr.As(err); err != nil && (e == nil || (e.Code != certificate.CodeCertificateAlreadyRevoked && e.Code != certificate.CodeCertificateNotFound)) {
			return nil, fmt.Errorf("revoke e-citizen certificate of %s: %w", r.ID, err)
		}
		live = nil
	}
	if !st.ECitizen || r.Erased() {
		return &Standing{Status: st}, nil
	}
	stmt, err := certificate.NewECitizenStatement(r.ID, r.FullName, st.ReachedAt, s.framework, st.Version)
	if err != nil {
		return nil, err
	}
	cert, _, err := s.certs.IssueECitizen(ctx, stmt, r.WardID, by)
	if err != nil {
		return nil, fmt.Errorf("issue e-citizen certificate of %s: %w", r.ID, err)
	}
	return &Standing{Status: st, Certificate: cert}, nil
}
