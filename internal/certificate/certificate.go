// Package certificate issues verifiable, revocable certificates: a volunteer's
// certificate of hours, and a resident's e-citizen certificate (issued by the
// progress service when the resident has shown every required skill). Every
// kind is verified by the same public endpoint with its code alone.
//
// The holder is a user for hours and a resident for e-citizen (Kind.UserHeld):
// residents have no account, so only those who oversee their ward read or
// revoke an e-citizen certificate, and its statement keeps no personal data
// beyond the first-name initial.
//
// A certificate is a snapshot taken at issue (its Statement) and never
// recomputed: the PDF and the public verification answer are rendered from the
// stored statement. Its code is 10 random bytes and a 5-byte tag
// (HMAC-SHA256(key, random bytes), truncated), in base32 without padding: 24
// characters, shown as 6 groups of 4. The key is derived from the JWT key
// (HMAC(jwtKey, "ecitizen certificate v1")), so a code cannot be forged
// without it, and a mistyped or tampered code is refused before any store read.
//
// Revocation is an insert-only row keyed by the certificate's code: of any
// number of concurrent revocations exactly one lands. Re-issuing the same
// period with the same total returns the live certificate instead of a second
// one; the issue key (holder, period, minutes, revision) is unique, so two
// concurrent requests store one certificate. For e-citizen the issue key is
// (resident, framework version, revision): one live certificate per resident
// and version.
//
// Files: certificate.go (types, codes, errors), ecitizen.go (the e-citizen
// statement, issuing and revoking it), store.go (the Store port), service.go
// (issuing hours, listing, access, revocation, verification), pdf.go (the
// bilingual PDFs with their QR code), glyphs.go (what the PDF fonts can show).
package certificate

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/vntime"
)

// Kind is what a certificate certifies.
type Kind string

// Kinds of certificates.
const (
	KindHours    Kind = "hours"    // a volunteer's hours over a period
	KindECitizen Kind = "ecitizen" // a resident reached e-citizen status
)

// UserHeld reports whether the holder of a certificate of kind k is a user (a
// volunteer); the holder of an e-citizen certificate is a resident.
func (k Kind) UserHeld() bool { return k == KindHours }

// Error codes of certificates.
const (
	CodeCertificateNotFound       apperr.Code = "certificate_not_found"
	CodeCertificateRevoked        apperr.Code = "certificate_revoked"
	CodeCertificateAlreadyRevoked apperr.Code = "certificate_already_revoked"
	CodeNoHours                   apperr.Code = "no_hours"
)

var (
	errNotFound = &apperr.Error{Code: CodeCertificateNotFound,
		Vi: "Không tìm thấy giấy chứng nhận với mã này; hãy kiểm tra lại mã.",
		En: "There is no certificate with this code; check the code again."}
	errAlreadyRevoked = &apperr.Error{Code: CodeCertificateAlreadyRevoked,
		Vi: "Giấy chứng nhận này đã bị thu hồi.", En: "This certificate has already been revoked."}
	errNoHours = &apperr.Error{Code: CodeNoHours,
		Vi: "Không có giờ tình nguyện nào trong khoảng thời gian này.", En: "There are no volunteer hours in this period."}
)

// errRevoked is the refusal of a revoked certificate, with the day of revocation.
func errRevoked(at time.Time) error {
	return &apperr.Error{Code: CodeCertificateRevoked,
		Vi: "Giấy chứng nhận đã bị thu hồi ngày " + at.In(Zone).Format("02/01/2006") + " và không còn hiệu lực.",
		En: "The certificate was revoked on " + at.In(Zone).Format(time.DateOnly) + " and is no longer valid."}
}

// Zone is the zone of certificates' dates.
var Zone = vntime.Zone

// Certificate is an issued certificate. Code and IssueKey are unique.
type Certificate struct {
	ID             string // UUIDv7: the listing order
	Code           string // canonical: 24 base32 characters, no hyphens
	Kind           Kind
	IssueKey       string   // unique: what makes a re-issue return the same certificate
	HolderID       string   // who it is about: the user (hours) or the resident (e-citizen)
	WardIDs        []string // sorted: the wards whose staff read and revoke it (hours: wards counted; e-citizen: the resident's)
	OrganisationID string   // the holder's organisation at issue (hours; empty for e-citizen)
	IssuedBy       string   // the user whose action issued it: the holder (hours), the recorder of the completing record (e-citizen)
	IssuedAt       time.Time
	Statement      Statement
	Revocation     *Revocation // nil while valid
}

// Statement is what a certificate states; exactly one field is set, by Kind.
type Statement struct {
	Hours    *HoursStatement
	ECitizen *ECitizenStatement
}

// HoursStatement is a volunteer's hours over a period, as computed at issue.
type HoursStatement struct {
	HolderName       string
	OrganisationName string
	From, To         string // local dates (Asia/Ho_Chi_Minh), YYYY-MM-DD, both included
	TotalMinutes     int
	Shifts           int // shifts with served minutes
	EntryMinutes     int // minutes of work entries (outside shifts)
	Centres          []CentreLine
}

// CentreLine is the minutes served at one centre.
type CentreLine struct {
	CentreName string
	WardName   string
	Minutes    int
}

// Revocation records that a certificate is no longer valid; one per certificate.
type Revocation struct {
	Code   string // the certificate's
	At     time.Time
	By     string
	Reason string
}

// Code layout.
const (
	randomBytes = 10
	tagBytes    = 5
	// CodeLength is the length of a canonical code.
	CodeLength = (randomBytes + tagBytes) * 8 / 5
)

var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Key derives the MAC key of certificate codes from the JWT key.
func Key(jwtKey []byte) []byte {
	m := hmac.New(sha256.New, jwtKey)
	m.Write([]byte("ecitizen certificate v1"))
	return m.Sum(nil)
}

func tag(key, random []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(random)
	return m.Sum(nil)[:tagBytes]
}

// NewCode returns a new canonical code signed with key (Key's).
func NewCode(key []byte) (string, error) {
	buf := make([]byte, randomBytes, randomBytes+tagBytes)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("certificate code: %w", err)
	}
	return codeEncoding.EncodeToString(append(buf, tag(key, buf)...)), nil
}

// CodeWithTag returns the canonical code of given random bytes with a valid
// tag, for tests that need a well-formed code that was never issued.
func CodeWithTag(key []byte, random [randomBytes]byte) string {
	return codeEncoding.EncodeToString(append(random[:], tag(key, random[:])...))
}

// Canonical normalises a code as people type it (any case, hyphens, spaces) and
// checks its tag; ok is false for anything that key did not sign.
func Canonical(key []byte, code string) (canonical string, ok bool) {
	if len(code) > 64 {
		return "", false
	}
	c := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	raw, err := codeEncoding.DecodeString(c)
	if err != nil || len(raw) != randomBytes+tagBytes || len(c) != CodeLength {
		return "", false
	}
	if !hmac.Equal(raw[randomBytes:], tag(key, raw[:randomBytes])) {
		return "", false
	}
	return c, true
}

// Display shows a canonical code in groups of 4: ABCD-EFGH-IJKL-MNOP-QRST-UVWX.
func Display(code string) string {
	var b strings.Builder
	for i, r := range code {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}
