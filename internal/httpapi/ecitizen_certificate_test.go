package httpapi

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"ecitizen/content"
	"ecitizen/internal/certificate"
	"ecitizen/internal/skills"
	"ecitizen/internal/store/storetest"
)

// TestECitizenCertificates: an e-citizen certificate, issued by the service as
// the progress service will, is verified, downloaded and revoked through the
// same routes as certificates of hours; the public sees only the first-name
// initial, ward, date, framework version and skills.
func TestECitizenCertificates(t *testing.T) {
	framework, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "EC")
			_, vols := w.volunteers(t, 1)
			svc := certificate.NewService(certificate.Deps{Store: env.store, JWTKey: env.jwtKey, PublicURL: testPublicURL, Now: testNow})
			resident := uuid.NewString()
			st, err := certificate.NewECitizenStatement(resident, "Nguyễn Thị Hoa", time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC), framework, framework.Version)
			if err != nil {
				t.Fatal(err)
			}
			cert, created, err := svc.IssueECitizen(t.Context(), st, w.wardA, "staff-a")
			if err != nil || !created {
				t.Fatalf("issue: %v, created %v", err, created)
			}
			code := certificate.Display(cert.Code)

			t.Run("VerifyShowsOnlyTheStatement", func(t *testing.T) {
				rec := env.do("GET", "/api/v1/verify/"+strings.ToLower(code), "", nil)
				mustStatus(t, rec, http.StatusOK)
				for _, secret := range []string{resident, "Nguyễn", "Hoa", "staff-a", w.wardA} {
					if strings.Contains(rec.Body.String(), secret) {
						t.Errorf("verification shows %q: %s", secret, rec.Body)
					}
				}
				var body map[string]any
				decodeBody(t, rec, &body)
				if keys := slices.Sorted(maps.Keys(body)); !slices.Equal(keys, []string{"code", "ecitizen", "issued_at", "kind", "status"}) {
					t.Fatalf("verification fields %v", keys)
				}
				if body["code"] != code || body["kind"] != "ecitizen" || body["status"] != "valid" {
					t.Fatalf("verification %v", body)
				}
				e := body["ecitizen"].(map[string]any)
				if keys := slices.Sorted(maps.Keys(e)); !slices.Equal(keys, []string{"framework_version", "initial", "reached_on", "skills", "ward_name_en", "ward_name_vi"}) {
					t.Fatalf("e-citizen fields %v", keys)
				}
				if e["initial"] != "H." || e["ward_name_vi"] != "Phường Minh Khai EC" || e["ward_name_en"] != "Phường Minh Khai EC (EN)" ||
					e["reached_on"] != "2026-11-20" || e["framework_version"] != float64(framework.Version) {
					t.Fatalf("e-citizen statement %v", e)
				}
				req, _ := framework.RequiredIn(framework.Version)
				var codes []string
				for _, s := range e["skills"].([]any) {
					s := s.(map[string]any)
					sk, _ := framework.Skill(s["code"].(string))
					if s["name_vi"] != sk.Name.Vi || s["name_en"] != sk.Name.En {
						t.Errorf("skill %v: want names %q / %q", s, sk.Name.Vi, sk.Name.En)
					}
					codes = append(codes, s["code"].(string))
				}
				if !slices.Equal(codes, req) {
					t.Fatalf("skills %v, want %v", codes, req)
				}
			})

			t.Run("PDFForThoseWhoOverseeTheWard", func(t *testing.T) {
				pdfPath := certificate.PDFPath(cert.Code)
				for _, tok := range []string{w.admin, w.staffA} {
					rec := env.do("GET", pdfPath, tok, nil)
					mustStatus(t, rec, http.StatusOK)
					if rec.Header().Get("Content-Type") != "application/pdf" || !strings.HasPrefix(rec.Body.String(), "%PDF-") {
						t.Fatalf("not a PDF: %s", rec.Header())
					}
					if !strings.Contains(pdfASCII(t, rec.Body.Bytes()), "Certificate of e-citizenship") {
						t.Error("the PDF is not an e-citizen certificate")
					}
				}
				for _, tok := range []string{w.staffB, vols[0]} {
					assertProblem(t, env.do("GET", pdfPath, tok, nil), 404, "certificate_not_found")
				}
			})

			t.Run("RevokedIsGone", func(t *testing.T) {
				path := "/api/v1/certificates/" + code + "/revoke"
				body := map[string]string{"reason": "Bản ghi kỹ năng hoàn thành bộ đã bị thu hồi"}
				assertProblem(t, env.do("POST", path, w.staffB, body), 404, "certificate_not_found")
				rec := env.do("POST", path, w.staffA, body)
				mustStatus(t, rec, http.StatusOK)
				got := certificateOf(t, rec)
				if got.Kind != "ecitizen" || got.Status != "revoked" || got.Revocation == nil || got.Revocation.Reason != body["reason"] {
					t.Fatalf("revoked certificate %+v", got)
				}
				assertProblem(t, env.do("GET", "/api/v1/verify/"+code, "", nil), 410, "certificate_revoked")
				assertProblem(t, env.do("GET", certificate.PDFPath(cert.Code), w.staffA, nil), 410, "certificate_revoked")
				again, created, err := svc.IssueECitizen(t.Context(), st, w.wardA, "staff-a")
				if err != nil || !created || again.Code == cert.Code {
					t.Fatalf("reached again after revocation: %v, created %v", err, created)
				}
				mustStatus(t, env.do("GET", "/api/v1/verify/"+certificate.Display(again.Code), "", nil), http.StatusOK)
			})
		})
	}
}
