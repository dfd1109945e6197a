package storetest

import (
	"fmt"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
	"ecitizen/internal/page"
	"ecitizen/internal/store"
)

var certificateKey = certificate.Key([]byte("the JWT key of the certificate conformance tests"))

// newCertificate builds a certificate of hours of holderID, counting w's ward.
func newCertificate(t testing.TB, w *rosterWorld, holderID string, minutes int) *certificate.Certificate {
	t.Helper()
	code, err := certificate.NewCode(certificateKey)
	must(t, err)
	return &certificate.Certificate{ID: newID(t), Code: code, Kind: certificate.KindHours,
		IssueKey: fmt.Sprintf("hours|%s|2026-11-01..2026-11-25|%d|0", holderID, minutes), HolderID: holderID,
		WardIDs: []string{w.ward.ID}, OrganisationID: w.org.ID, IssuedBy: holderID, IssuedAt: now().Truncate(time.Second),
		Statement: certificate.Statement{Hours: &certificate.HoursStatement{HolderName: "Trần Văn Đức",
			OrganisationName: w.org.Name, From: "2026-11-01", To: "2026-11-25", TotalMinutes: minutes, Shifts: 2, EntryMinutes: 30,
			Centres: []certificate.CentreLine{{CentreName: w.centre.Name, WardName: w.ward.NameVi, Minutes: minutes}}}}}
}

func certificateID(c *certificate.Certificate) string { return c.ID }

func TestCertificates(t *testing.T) {
	runCases(t, []storeCase{
		{"CreateAndLookUp", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v := mkVolunteer(t, st, w)
			c := newCertificate(t, w, v.ID, 750)
			must(t, st.CreateCertificate(ctx, c))
			got, err := st.CertificateByCode(ctx, c.Code)
			must(t, err)
			same(t, "certificate by code", got, c)
			got, err = st.CertificateByIssueKey(ctx, c.IssueKey)
			must(t, err)
			same(t, "certificate by issue key", got, c)
			_, err = st.CertificateByCode(ctx, certificate.CodeWithTag(certificateKey, [10]byte{1, 2, 3}))
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.CertificateByIssueKey(ctx, "hours|nobody")
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.CertificateByCode(ctx, `{"$ne": ""}`)
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"UniqueCodeAndIssueKey", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v := mkVolunteer(t, st, w)
			c := newCertificate(t, w, v.ID, 750)
			must(t, st.CreateCertificate(ctx, c))
			sameCode := newCertificate(t, w, v.ID, 800)
			sameCode.Code = c.Code
			wantErr(t, st.CreateCertificate(ctx, sameCode), apperr.ErrConflict)
			sameKey := newCertificate(t, w, v.ID, 750)
			wantErr(t, st.CreateCertificate(ctx, sameKey), apperr.ErrConflict)
			wantErr(t, st.CreateCertificate(ctx, newCertificate(t, w, newID(t), 60)), apperr.ErrNotFound)
			got, err := st.CertificatesOfHolder(ctx, v.ID, page.Request{})
			must(t, err)
			same(t, "certificates after refused duplicates", got, []*certificate.Certificate{c})
		}},
		{"ConcurrentIssueOneCertificate", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v := mkVolunteer(t, st, w)
			raceOne(t, 20, apperr.ErrConflict, func(int) error {
				return st.CreateCertificate(ctx, newCertificate(t, w, v.ID, 750))
			})
			got, err := st.CertificatesOfHolder(ctx, v.ID, page.Request{})
			must(t, err)
			same(t, "certificates after 20 concurrent issues", len(got), 1)
		}},
		{"ListByHolderNewestFirst", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v, other := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			var want []*certificate.Certificate
			for i := range 5 {
				c := newCertificate(t, w, v.ID, 60*(i+1))
				must(t, st.CreateCertificate(ctx, c))
				want = append([]*certificate.Certificate{c}, want...)
			}
			must(t, st.CreateCertificate(ctx, newCertificate(t, w, other.ID, 60)))
			r := &certificate.Revocation{Code: want[1].Code, At: now(), By: "staff-1", Reason: "Sai số giờ"}
			must(t, st.RevokeCertificate(ctx, r))
			want[1].Revocation = r
			got, pages := allPages(t, 2, certificateID, func(p page.Request) ([]*certificate.Certificate, error) {
				return st.CertificatesOfHolder(ctx, v.ID, p)
			})
			same(t, "pages", pages, 3)
			same(t, "certificates of holder", got, want)
		}},
		{"RevocationInsertOnly", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v := mkVolunteer(t, st, w)
			c := newCertificate(t, w, v.ID, 750)
			must(t, st.CreateCertificate(ctx, c))
			first := &certificate.Revocation{Code: c.Code, At: now(), By: "staff-1", Reason: "Khai man giờ"}
			must(t, st.RevokeCertificate(ctx, first))
			wantErr(t, st.RevokeCertificate(ctx, &certificate.Revocation{Code: c.Code, At: now().Add(time.Minute), By: "admin", Reason: "Lần hai"}), apperr.ErrConflict)
			wantErr(t, st.RevokeCertificate(ctx, &certificate.Revocation{Code: certificate.CodeWithTag(certificateKey, [10]byte{9}), At: now(), By: "admin", Reason: "?"}), apperr.ErrNotFound)
			got, err := st.CertificateByCode(ctx, c.Code)
			must(t, err)
			same(t, "the first revocation stands", got.Revocation, first)
		}},
		{"ConcurrentRevocationsOneLands", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			v := mkVolunteer(t, st, w)
			c := newCertificate(t, w, v.ID, 750)
			must(t, st.CreateCertificate(ctx, c))
			const n = 30
			rs := make([]*certificate.Revocation, n)
			for i := range rs {
				rs[i] = &certificate.Revocation{Code: c.Code, At: now(), By: fmt.Sprintf("staff-%d", i), Reason: fmt.Sprintf("Lý do %d", i)}
			}
			winner := raceOne(t, n, apperr.ErrConflict, func(i int) error { return st.RevokeCertificate(ctx, rs[i]) })
			got, err := st.CertificateByCode(ctx, c.Code)
			must(t, err)
			same(t, "the stored revocation is the winner's", got.Revocation, rs[winner])
		}},
	})
}
