package certificate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"ecitizen/internal/apperr"
	"ecitizen/internal/skills"
)

// ECitizenStatement is what an e-citizen certificate states, as known when the
// resident reached the status. It keeps no personal data beyond the first-name
// initial, so erasing a resident leaves nothing personal in their certificate.
type ECitizenStatement struct {
	ResidentID       string // the holder (not shown by the public verification)
	Initial          string // the first-name initial: "H." for Nguyễn Thị Hoa
	WardNameVi       string // the resident's ward, copied at issue
	WardNameEn       string
	ReachedOn        string // local date (Asia/Ho_Chi_Minh) the last required skill was shown, YYYY-MM-DD
	FrameworkVersion int    // the version of the skills framework it was reached under
	Skills           []SkillLine
}

// SkillLine is a required skill of the framework version, with its names.
type SkillLine struct {
	Code   string
	NameVi string
	NameEn string
}

// Initial returns the first-name initial of a Vietnamese full name ("Nguyễn
// Thị Hoa" -> "H."): the given name is the last word, since Vietnamese names put
// the family name first. Combining marks after the first letter are kept
// ("Ánh" typed with a combining accent). A last word that does not start with
// a letter ("Nguyễn Văn An 2") is passed over for the one before it; "" for a
// name without such a word.
func Initial(fullName string) string {
	words := strings.Fields(fullName)
	for len(words) > 0 {
		if first, _ := utf8.DecodeRuneInString(words[len(words)-1]); unicode.IsLetter(first) {
			break
		}
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return ""
	}
	given := words[len(words)-1]
	first, size := utf8.DecodeRuneInString(given)
	end := size
	for end < len(given) {
		r, n := utf8.DecodeRuneInString(given[end:])
		if !unicode.Is(unicode.Mn, r) {
			break
		}
		end += n
	}
	return string(unicode.ToUpper(first)) + given[size:end] + "."
}

// NewECitizenStatement builds the statement of a resident, named fullName (only
// its initial is kept), who reached e-citizen status at reachedAt under version
// of framework f: the skills are that version's required ones, with their names
// from f. IssueECitizen fills the ward's names.
func NewECitizenStatement(residentID, fullName string, reachedAt time.Time, f *skills.Framework, version int) (ECitizenStatement, error) {
	codes, ok := f.RequiredIn(version)
	if !ok {
		return ECitizenStatement{}, fmt.Errorf("e-citizen statement: no version %d of the skills framework", version)
	}
	st := ECitizenStatement{ResidentID: residentID, Initial: Initial(fullName), FrameworkVersion: version,
		ReachedOn: reachedAt.In(Zone).Format(time.DateOnly), Skills: make([]SkillLine, 0, len(codes))}
	for _, code := range codes {
		sk, _ := f.Skill(code) // Validate keeps every code of the history in the file
		st.Skills = append(st.Skills, SkillLine{Code: code, NameVi: sk.Name.Vi, NameEn: sk.Name.En})
	}
	return st, st.check()
}

// check refuses a statement the progress service should never build.
func (st *ECitizenStatement) check() error {
	_, dateErr := time.Parse(time.DateOnly, st.ReachedOn)
	switch {
	case st.ResidentID == "":
		return errors.New("e-citizen statement: no resident")
	case st.Initial == "":
		return errors.New("e-citizen statement: no initial")
	case dateErr != nil:
		return fmt.Errorf("e-citizen statement: date reached %q", st.ReachedOn)
	case st.FrameworkVersion < 1:
		return fmt.Errorf("e-citizen statement: framework version %d", st.FrameworkVersion)
	case len(st.Skills) == 0:
		return errors.New("e-citizen statement: no skill")
	}
	for _, l := range st.Skills {
		if l.Code == "" || l.NameVi == "" || l.NameEn == "" {
			return fmt.Errorf("e-citizen statement: skill %q without its names", l.Code)
		}
	}
	return nil
}

// ecitizenKey is the issue key prefix of a resident's certificate under a
// framework version (a revision follows).
func ecitizenKey(residentID string, version int) string {
	return string(KindECitizen) + "|" + residentID + "|v" + strconv.Itoa(version)
}

// IssueECitizen issues the e-citizen certificate of st.ResidentID, a resident of
// ward wardID, under st.FrameworkVersion; by is the user whose action completed
// the set. The ward's names are copied from the ward record. created is false
// when the resident already holds a live certificate of that version: that one
// is returned, whatever the concurrency. The progress service calls it; it
// checks no caller.
func (s *Service) IssueECitizen(ctx context.Context, st ECitizenStatement, wardID, by string) (cert *Certificate, created bool, err error) {
	prefix, c, err := s.ecitizen(ctx, st, wardID, by)
	if err != nil {
		return nil, false, err
	}
	return s.issueOnce(ctx, prefix, c)
}

// PrepareECitizen makes the certificate IssueECitizen would issue, without
// storing it, for a tool that stores many at once (store.Bulk's
// InsertCertificates); when the resident already holds a live certificate of
// that version it returns that one as old and no new one.
func (s *Service) PrepareECitizen(ctx context.Context, st ECitizenStatement, wardID, by string) (old, cert *Certificate, err error) {
	prefix, c, err := s.ecitizen(ctx, st, wardID, by)
	if err != nil {
		return nil, nil, err
	}
	return s.nextIssue(ctx, prefix, c)
}

// ecitizen checks an e-citizen statement and returns the issue key prefix and
// the certificate to issue (without ID, code, issue key or time).
func (s *Service) ecitizen(ctx context.Context, st ECitizenStatement, wardID, by string) (string, Certificate, error) {
	if err := st.check(); err != nil {
		return "", Certificate{}, err
	}
	ward, err := s.store.WardByID(ctx, wardID)
	if err != nil {
		return "", Certificate{}, fmt.Errorf("ward %s of an e-citizen certificate: %w", wardID, err)
	}
	st.WardNameVi, st.WardNameEn = ward.NameVi, ward.NameEn
	st.Skills = append([]SkillLine{}, st.Skills...)
	return ecitizenKey(st.ResidentID, st.FrameworkVersion), Certificate{Kind: KindECitizen,
		HolderID: st.ResidentID, WardIDs: []string{ward.ID}, IssuedBy: by, Statement: Statement{ECitizen: &st}}, nil
}

// LiveECitizen returns the resident's unrevoked e-citizen certificate of a
// framework version; certificate_not_found when there is none.
func (s *Service) LiveECitizen(ctx context.Context, residentID string, version int) (*Certificate, error) {
	prefix := ecitizenKey(residentID, version)
	for rev := 0; ; rev++ {
		cert, err := s.store.CertificateByIssueKey(ctx, prefix+"|"+strconv.Itoa(rev))
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			return nil, errNotFound
		case err != nil:
			return nil, fmt.Errorf("e-citizen certificate of %s: %w", residentID, err)
		case cert.Revocation == nil:
			return cert, nil
		}
	}
}

// RevokeECitizen revokes the resident's live e-citizen certificate of a
// framework version, when the status it states is lost (its completing record
// was revoked): by the same insert-only revocation as Revoke. No live
// certificate is certificate_not_found; a concurrent revocation
// certificate_already_revoked.
func (s *Service) RevokeECitizen(ctx context.Context, residentID string, version int, by, reason string) (*Certificate, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReason {
		return nil, apperr.Invalid("reason", "length", "Lý do từ 1 đến 500 ký tự.", "A reason has 1 to 500 characters.")
	}
	cert, err := s.LiveECitizen(ctx, residentID, version)
	if err != nil {
		return nil, err
	}
	return s.revoke(ctx, cert, by, reason)
}
