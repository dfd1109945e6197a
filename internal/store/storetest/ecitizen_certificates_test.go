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

// newECitizenCertificate builds the e-citizen certificate of a resident of w's
// ward (residents are not users: residentID names no user), issued by staffID.
func newECitizenCertificate(t testing.TB, w *rosterWorld, residentID, staffID string, version int) *certificate.Certificate {
	t.Helper()
	code, err := certificate.NewCode(certificateKey)
	must(t, err)
	return &certificate.Certificate{ID: newID(t), Code: code, Kind: certificate.KindECitizen,
		IssueKey: fmt.Sprintf("ecitizen|%s|v%d|0", residentID, version), HolderID: residentID,
		WardIDs: []string{w.ward.ID}, IssuedBy: staffID, IssuedAt: now().Truncate(time.Second),
		Statement: certificate.Statement{ECitizen: &certificate.ECitizenStatement{ResidentID: residentID, Initial: "H.",
			WardNameVi: w.ward.NameVi, WardNameEn: w.ward.NameEn, ReachedOn: "2026-11-20", FrameworkVersion: version,
			Skills: []certificate.SkillLine{
				{Code: "vneid_level2", NameVi: "Kích hoạt tài khoản định danh điện tử mức độ 2 trên VNeID", NameEn: "Activate the level-2 electronic identification account in VNeID"},
				{Code: "recognise_scam", NameVi: "Nhận biết lừa đảo trực tuyến", NameEn: "Recognise online scams"},
			}}}}
}

func TestECitizenCertificates(t *testing.T) {
	runCases(t, []storeCase{
		{"ResidentHolderStoredAndReadBack", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			resident := newID(t)
			c := newECitizenCertificate(t, w, resident, "staff-1", 1)
			must(t, st.CreateCertificate(ctx, c))
			got, err := st.CertificateByCode(ctx, c.Code)
			must(t, err)
			same(t, "e-citizen certificate by code", got, c)
			got, err = st.CertificateByIssueKey(ctx, c.IssueKey)
			must(t, err)
			same(t, "e-citizen certificate by issue key", got, c)
			list, err := st.CertificatesOfHolder(ctx, resident, page.Request{})
			must(t, err)
			same(t, "certificates of the resident", list, []*certificate.Certificate{c})
			if got.Statement.Hours != nil {
				t.Fatal("an e-citizen certificate read back with a statement of hours")
			}
		}},
		{"HoursStillNeedAUserHolder", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			// A resident id is no user: a certificate of hours for it is refused.
			wantErr(t, st.CreateCertificate(ctx, newCertificate(t, w, newID(t), 60)), apperr.ErrNotFound)
		}},
		{"OneCertificatePerResidentAndVersion", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			resident := newID(t)
			first := newECitizenCertificate(t, w, resident, "staff-1", 1)
			must(t, st.CreateCertificate(ctx, first))
			wantErr(t, st.CreateCertificate(ctx, newECitizenCertificate(t, w, resident, "staff-2", 1)), apperr.ErrConflict)
			v2 := newECitizenCertificate(t, w, resident, "staff-1", 2)
			must(t, st.CreateCertificate(ctx, v2))
			list, err := st.CertificatesOfHolder(ctx, resident, page.Request{})
			must(t, err)
			same(t, "certificates of the resident", list, []*certificate.Certificate{v2, first})
		}},
		{"ConcurrentIssueOneCertificate", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			resident := newID(t)
			raceOne(t, 20, apperr.ErrConflict, func(i int) error {
				return st.CreateCertificate(ctx, newECitizenCertificate(t, w, resident, fmt.Sprintf("staff-%d", i), 1))
			})
			got, err := st.CertificatesOfHolder(ctx, resident, page.Request{})
			must(t, err)
			same(t, "e-citizen certificates after 20 concurrent issues", len(got), 1)
		}},
		{"Revocation", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			c := newECitizenCertificate(t, w, newID(t), "staff-1", 1)
			must(t, st.CreateCertificate(ctx, c))
			r := &certificate.Revocation{Code: c.Code, At: now(), By: "staff-1", Reason: "Bản ghi kỹ năng bị thu hồi"}
			must(t, st.RevokeCertificate(ctx, r))
			wantErr(t, st.RevokeCertificate(ctx, &certificate.Revocation{Code: c.Code, At: now(), By: "admin", Reason: "Lần hai"}), apperr.ErrConflict)
			got, err := st.CertificateByCode(ctx, c.Code)
			must(t, err)
			c.Revocation = r
			same(t, "revoked e-citizen certificate", got, c)
		}},
	})
}
