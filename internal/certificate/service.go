package certificate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
	"ecitizen/internal/vntime"
)

// Limits of certificates of hours.
const (
	// MaxPeriodDays bounds a period, both days included.
	MaxPeriodDays = 366
	// MaxReason bounds a revocation's reason, in characters.
	MaxReason = 500
)

// Ledger is the hours ledger rosters keep (roster.Service).
type Ledger interface {
	// MyHours is the caller's own ledger of shifts starting, and entries dated, in [from, to).
	MyHours(ctx context.Context, c identity.Caller, from, to time.Time) (*roster.Hours, error)
}

// Records are the names a statement copies (the store satisfies it).
type Records interface {
	UserByID(ctx context.Context, id string) (*identity.User, error)
	OrganisationByID(ctx context.Context, id string) (*directory.Organisation, error)
	CentreByID(ctx context.Context, id string) (*directory.Centre, error)
	WardByID(ctx context.Context, id string) (*directory.Ward, error)
}

// Service issues, lists, revokes and verifies certificates. Who may do what:
//   - a volunteer issues certificates of their own hours and lists them;
//   - the progress service issues and revokes e-citizen certificates
//     (IssueECitizen, RevokeECitizen: no caller is checked there);
//   - the holder (a user), admins, the partner of the holder's organisation and
//     the staff of a ward of the certificate (WardIDs) download its PDF (others
//     find none);
//   - admins and the staff of a ward of the certificate revoke it;
//   - anyone verifies a code.
type Service struct {
	store  Store
	ledger Ledger
	key    []byte
	public string // the public base URL, without a trailing slash
	now    func() time.Time
	pdfs   pdfCache
}

// pdfCache keeps recently rendered PDFs by code: a certificate's PDF never
// changes (RenderPDF is deterministic), and rendering one costs tens of
// milliseconds and megabytes of allocations. Access and revocation are checked
// before the cache is read.
type pdfCache struct {
	mu   sync.Mutex
	docs map[string][]byte
}

// pdfCacheSize bounds the cache (about 45 KB a PDF).
const pdfCacheSize = 128

func (p *pdfCache) get(code string) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.docs[code]
}

func (p *pdfCache) put(code string, doc []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.docs == nil {
		p.docs = map[string][]byte{}
	}
	for k := range p.docs {
		if len(p.docs) < pdfCacheSize {
			break
		}
		delete(p.docs, k) // any one: map order is random
	}
	p.docs[code] = doc
}

// Deps are what the certificate service is built from.
type Deps struct {
	// Store keeps certificates and their revocations.
	Store Store
	// Ledger is volunteers' hours ledger (roster.Service); nil only where no
	// volunteer's certificate is issued (e-citizen certificates alone).
	Ledger Ledger
	// JWTKey derives the key of certificate codes (Key).
	JWTKey []byte
	// PublicURL is where the service is reached from outside (QR codes and
	// verification URLs).
	PublicURL string
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// NewService returns the certificate service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, ledger: d.Ledger, key: Key(d.JWTKey),
		public: strings.TrimRight(d.PublicURL, "/"), now: d.Now}
}

// VerifyURL is the public address that verifies a certificate (its QR code):
// the web app's verification page, readable by a person with a phone.
func (s *Service) VerifyURL(code string) string { return s.public + VerifyPagePath(code) }

// VerifyPagePath is the path of the web page that verifies a code.
func VerifyPagePath(code string) string { return "/verify/" + Display(code) }

// VerifyPath is the path of the API's verification of a code (JSON).
func VerifyPath(code string) string { return "/api/v1/verify/" + Display(code) }

// PDFPath is the path of a certificate's PDF.
func PDFPath(code string) string { return "/api/v1/certificates/" + Display(code) + "/pdf" }

// Period is the local dates a volunteer asks a certificate for.
type Period struct {
	From, To string // YYYY-MM-DD, both days included
}

// bounds checks a period and returns it as [from, to) in UTC.
func (s *Service) bounds(p Period) (from, to time.Time, err error) {
	from, err1 := vntime.ParseDate("from", p.From)
	end, err2 := vntime.ParseDate("to", p.To)
	var fields []apperr.FieldError
	for _, err := range []error{err1, err2} {
		if e := apperr.As(err); e != nil {
			fields = append(fields, e.Fields...)
		}
	}
	if len(fields) > 0 {
		return time.Time{}, time.Time{}, &apperr.Error{Code: apperr.CodeInvalid, Vi: "Dữ liệu không hợp lệ.", En: "The input is not valid.", Fields: fields}
	}
	today := s.now().In(Zone).Format(time.DateOnly)
	to = end.AddDate(0, 0, 1)
	switch {
	case end.Before(from):
		return time.Time{}, time.Time{}, apperr.Invalid("to", "range", "Ngày kết thúc không trước ngày bắt đầu.", "to is not before from.")
	case p.To > today:
		return time.Time{}, time.Time{}, apperr.Invalid("to", "future", "Ngày kết thúc không ở tương lai.", "to is not in the future.")
	case to.Sub(from) > MaxPeriodDays*24*time.Hour:
		return time.Time{}, time.Time{}, apperr.Invalid("to", "span", "Khoảng thời gian dài tối đa 366 ngày.", "A period has 366 days at most.")
	}
	return from.UTC(), to.UTC(), nil
}

// IssueHours issues the calling volunteer's certificate of hours for a period.
// created is false when an unrevoked certificate of the same period and total
// already existed: that one is returned instead of a second.
func (s *Service) IssueHours(ctx context.Context, c identity.Caller, p Period) (cert *Certificate, created bool, err error) {
	if c.Role != identity.RoleVolunteer {
		return nil, false, apperr.ErrForbidden
	}
	from, to, err := s.bounds(p)
	if err != nil {
		return nil, false, err
	}
	h, err := s.ledger.MyHours(ctx, c, from, to)
	if err != nil {
		return nil, false, fmt.Errorf("hours for a certificate: %w", err)
	}
	if h.TotalMinutes <= 0 {
		return nil, false, errNoHours
	}
	st, org, wards, err := s.hoursStatement(ctx, c.UserID, p, h)
	if err != nil {
		return nil, false, err
	}
	prefix := fmt.Sprintf("%s|%s|%s|%d", KindHours, c.UserID, p.From+".."+p.To, h.TotalMinutes)
	return s.issueOnce(ctx, prefix, Certificate{Kind: KindHours, HolderID: c.UserID, WardIDs: wards,
		OrganisationID: org, IssuedBy: c.UserID, Statement: Statement{Hours: st}})
}

// issueOnce stores cert (with a new ID, code and issue time) under the issue key
// prefix|rev of the first revision rev without a revoked certificate; created is
// false when that revision holds an unrevoked certificate already, which is
// returned instead. The key is unique, so of concurrent calls one stores and the
// others answer with its certificate.
func (s *Service) issueOnce(ctx context.Context, prefix string, cert Certificate) (*Certificate, bool, error) {
	old, c, err := s.nextIssue(ctx, prefix, cert)
	if err != nil || old != nil {
		return old, false, err
	}
	err = s.store.CreateCertificate(ctx, c)
	if errors.Is(err, apperr.ErrConflict) {
		// A concurrent request took the key first: answer with its certificate.
		if old, err := s.store.CertificateByIssueKey(ctx, c.IssueKey); err == nil && old.Revocation == nil {
			return old, false, nil
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("issue certificate: %w", err)
	}
	return c, true, nil
}

// nextIssue returns the live certificate of prefix (old), or else cert made
// ready to store under the first free issue key of prefix: its ID, code,
// issue key and issue time.
func (s *Service) nextIssue(ctx context.Context, prefix string, cert Certificate) (old, c *Certificate, err error) {
	for rev := 0; ; rev++ {
		key := prefix + "|" + strconv.Itoa(rev)
		old, err := s.store.CertificateByIssueKey(ctx, key)
		switch {
		case err == nil && old.Revocation == nil:
			return old, nil, nil
		case err == nil:
			continue
		case !errors.Is(err, apperr.ErrNotFound):
			return nil, nil, err
		}
		code, err := NewCode(s.key)
		if err != nil {
			return nil, nil, err
		}
		c := cert
		c.ID, c.Code, c.IssueKey, c.IssuedAt = uuid.Must(uuid.NewV7()).String(), code, key, s.now().UTC().Truncate(time.Second)
		return nil, &c, nil
	}
}

// hoursStatement snapshots the ledger with names; org is the holder's
// organisation, wards the wards counted.
func (s *Service) hoursStatement(ctx context.Context, holderID string, p Period, h *roster.Hours) (st *HoursStatement, org string, wards []string, err error) {
	user, err := s.store.UserByID(ctx, holderID)
	if err != nil {
		return nil, "", nil, err
	}
	st = &HoursStatement{HolderName: user.DisplayName, From: p.From, To: p.To, TotalMinutes: h.TotalMinutes, Centres: []CentreLine{}}
	if org = user.Scope.OrganisationID; org != "" {
		o, err := s.store.OrganisationByID(ctx, org)
		if err != nil {
			return nil, "", nil, fmt.Errorf("organisation of %s: %w", holderID, err)
		}
		st.OrganisationName = o.Name
	}
	type place struct{ centre, ward string }
	minutes := map[place]int{}
	var order []place
	add := func(pl place, m int) {
		if m <= 0 {
			return
		}
		if _, ok := minutes[pl]; !ok {
			order = append(order, pl)
		}
		minutes[pl] += m
	}
	for _, l := range h.Shifts {
		if l.Minutes > 0 {
			st.Shifts++
			add(place{l.CentreID, l.WardID}, l.Minutes)
		}
	}
	for _, e := range h.Entries {
		st.EntryMinutes += e.Minutes
		add(place{e.CentreID, e.WardID}, e.Minutes)
	}
	for _, pl := range order {
		centre, err := s.store.CentreByID(ctx, pl.centre)
		if err != nil {
			return nil, "", nil, fmt.Errorf("centre %s: %w", pl.centre, err)
		}
		ward, err := s.store.WardByID(ctx, pl.ward)
		if err != nil {
			return nil, "", nil, fmt.Errorf("ward %s: %w", pl.ward, err)
		}
		st.Centres = append(st.Centres, CentreLine{CentreName: centre.Name, WardName: ward.NameVi, Minutes: minutes[pl]})
		if !slices.Contains(wards, pl.ward) {
			wards = append(wards, pl.ward)
		}
	}
	slices.SortStableFunc(st.Centres, func(a, b CentreLine) int {
		return cmp.Or(cmp.Compare(b.Minutes, a.Minutes), strings.Compare(a.CentreName, b.CentreName), strings.Compare(a.WardName, b.WardName))
	})
	slices.Sort(wards)
	return st, org, wards, nil
}

// Mine lists the caller's certificates, newest first, with their revocations.
func (s *Service) Mine(ctx context.Context, c identity.Caller, p page.Request) ([]*Certificate, string, error) {
	certs, err := s.store.CertificatesOfHolder(ctx, c.UserID, p)
	if err != nil {
		return nil, "", fmt.Errorf("certificates of %s: %w", c.UserID, err)
	}
	certs, next := page.Cut(certs, p, func(x *Certificate) string { return x.ID })
	return certs, next, nil
}

// lookup finds the certificate of a code as typed; an unsigned code is refused
// without reading the store.
func (s *Service) lookup(ctx context.Context, code string) (*Certificate, error) {
	canonical, ok := Canonical(s.key, code)
	if !ok {
		return nil, errNotFound
	}
	cert, err := s.store.CertificateByCode(ctx, canonical)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, errNotFound
	}
	return cert, err
}

// reads reports whether the caller may read (download) a certificate.
func reads(c identity.Caller, cert *Certificate) bool {
	switch c.Role {
	case identity.RoleAdmin:
		return true
	case identity.RolePartner:
		return cert.OrganisationID != "" && c.HasOrganisation(cert.OrganisationID)
	case identity.RoleWardStaff:
		return slices.ContainsFunc(cert.WardIDs, c.HasWard)
	}
	return cert.Kind.UserHeld() && c.UserID == cert.HolderID
}

// Document returns a certificate and its PDF for its holder (a user), admins,
// the partner of its organisation and the staff of a ward it counts; others find none. A
// revoked certificate has no PDF any more.
func (s *Service) Document(ctx context.Context, c identity.Caller, code string) (*Certificate, []byte, error) {
	cert, err := s.lookup(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	if !reads(c, cert) {
		return nil, nil, errNotFound
	}
	if cert.Revocation != nil {
		return nil, nil, errRevoked(cert.Revocation.At)
	}
	if doc := s.pdfs.get(cert.Code); doc != nil {
		return cert, doc, nil
	}
	doc, err := RenderPDF(cert, s.VerifyURL(cert.Code))
	if err != nil {
		return nil, nil, err
	}
	s.pdfs.put(cert.Code, doc)
	return cert, doc, nil
}

// Revoke revokes a certificate with a reason: admins, and the staff of a ward it
// counts (other ward staff find none; other roles are forbidden).
func (s *Service) Revoke(ctx context.Context, c identity.Caller, code, reason string) (*Certificate, error) {
	if !c.IsStaff() {
		return nil, apperr.ErrForbidden
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReason {
		return nil, apperr.Invalid("reason", "length", "Lý do từ 1 đến 500 ký tự.", "A reason has 1 to 500 characters.")
	}
	cert, err := s.lookup(ctx, code)
	if err != nil {
		return nil, err
	}
	if !c.IsAdmin() && !slices.ContainsFunc(cert.WardIDs, c.HasWard) {
		return nil, errNotFound
	}
	return s.revoke(ctx, cert, c.UserID, reason)
}

// revoke stores the revocation of cert by a user; of concurrent revocations one
// lands and the others are certificate_already_revoked.
func (s *Service) revoke(ctx context.Context, cert *Certificate, by, reason string) (*Certificate, error) {
	if cert.Revocation != nil {
		return nil, errAlreadyRevoked
	}
	r := &Revocation{Code: cert.Code, At: s.now().UTC().Truncate(time.Millisecond), By: by, Reason: reason}
	if err := s.store.RevokeCertificate(ctx, r); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil, errAlreadyRevoked
		}
		return nil, fmt.Errorf("revoke certificate: %w", err)
	}
	cert.Revocation = r
	return cert, nil
}

// Verify answers whether a code is a valid certificate, for anyone: an unknown
// or mistyped code is certificate_not_found, a revoked one certificate_revoked.
func (s *Service) Verify(ctx context.Context, code string) (*Certificate, error) {
	cert, err := s.lookup(ctx, code)
	if err != nil {
		return nil, err
	}
	if cert.Revocation != nil {
		return nil, errRevoked(cert.Revocation.At)
	}
	return cert, nil
}

// Hours returns minutes as hours in a language: "12,5" (vi) or "12.5" (en),
// with at most two decimals and a thousands separator ("1.234,5"; "1,234.5").
func Hours(minutes int, lang string) string {
	h := strconv.FormatFloat(float64(minutes)/60, 'f', 2, 64)
	whole, frac, _ := strings.Cut(h, ".")
	frac = strings.TrimRight(frac, "0")
	thousands, decimal := ",", "."
	if lang == "vi" {
		thousands, decimal = ".", ","
	}
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(decimal + frac)
	}
	return b.String()
}
