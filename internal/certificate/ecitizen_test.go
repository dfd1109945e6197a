package certificate_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"ecitizen/content"
	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
	"ecitizen/internal/directory"
	"ecitizen/internal/page"
	"ecitizen/internal/skills"
	"ecitizen/internal/store"
	"ecitizen/internal/store/storetest"
)

func TestInitial(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"Nguyễn Thị Hoa", "H."},
		{"Trần Văn Đức", "Đ."},
		{"  lê   thị   ánh  ", "Á."},
		{"Phạm A\u0301nh", "A\u0301."}, // decomposed accent kept with its letter
		{"Hoa", "H."},
		{"Nguyễn Ngọc Ý Nhi", "N."},
		{"", ""},
		{"   ", ""},
		{"Nguyễn 123", "N."}, // a number after the name is passed over
		{"Người dân 0", "D."},
		{"123 456", ""},
	} {
		if got := certificate.Initial(c.name); got != c.want {
			t.Errorf("Initial(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func builtinFramework(t *testing.T) *skills.Framework {
	t.Helper()
	f, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNewECitizenStatement(t *testing.T) {
	f := builtinFramework(t)
	// 20:30 on 19 November in UTC is already the 20th in Hanoi.
	st, err := certificate.NewECitizenStatement("res-1", "Nguyễn Thị Hoa", time.Date(2026, 11, 19, 20, 30, 0, 0, time.UTC), f, 1)
	if err != nil {
		t.Fatal(err)
	}
	if st.ResidentID != "res-1" || st.Initial != "H." || st.ReachedOn != "2026-11-20" || st.FrameworkVersion != 1 {
		t.Fatalf("statement %+v", st)
	}
	req, _ := f.RequiredIn(1)
	var codes []string
	for _, l := range st.Skills {
		codes = append(codes, l.Code)
		if sk, _ := f.Skill(l.Code); l.NameVi != sk.Name.Vi || l.NameEn != sk.Name.En {
			t.Errorf("skill %s named %q / %q", l.Code, l.NameVi, l.NameEn)
		}
	}
	if !slices.Equal(codes, req) {
		t.Fatalf("skills %v, want the required skills of version 1 %v", codes, req)
	}
	if _, err := certificate.NewECitizenStatement("res-1", "Nguyễn Thị Hoa", time.Now(), f, 99); err == nil {
		t.Fatal("a statement of a version that does not exist")
	}
	if _, err := certificate.NewECitizenStatement("res-1", "", time.Now(), f, 1); err == nil {
		t.Fatal("a statement without an initial")
	}
}

func sampleECitizen(t *testing.T) *certificate.Certificate {
	code, err := certificate.NewCode(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return &certificate.Certificate{ID: "c2", Code: code, Kind: certificate.KindECitizen, HolderID: "res-1",
		IssuedAt: time.Date(2026, 11, 26, 3, 4, 5, 0, time.UTC),
		Statement: certificate.Statement{ECitizen: &certificate.ECitizenStatement{ResidentID: "res-1", Initial: "H.",
			WardNameVi: "Phường Bạch Đằng", WardNameEn: "Bach Dang Ward", ReachedOn: "2026-11-20", FrameworkVersion: 1,
			Skills: []certificate.SkillLine{
				{Code: "vneid_level2", NameVi: "Kích hoạt tài khoản định danh điện tử mức độ 2 trên VNeID", NameEn: "Activate the level-2 electronic identification account in VNeID"},
				{Code: "recognise_scam", NameVi: "Nhận biết lừa đảo trực tuyến", NameEn: "Recognise online scams"},
			}}}}
}

func TestRenderECitizenPDF(t *testing.T) {
	c := sampleECitizen(t)
	url := "https://ecitizen.example.vn/verify/" + certificate.Display(c.Code)
	doc, err := certificate.RenderPDF(c, url)
	if err != nil {
		t.Fatal(err)
	}
	again, err := certificate.RenderPDF(c, url)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, again) {
		t.Error("two renderings of one certificate differ")
	}
	text := pdfText(t, doc) // one page
	for _, want := range []string{"Certificate of e-citizenship", "Bach Dang Ward", "2026-11-20", "20/11/2026", "version 1",
		"Recognise online scams", "Issued on 2026-11-26", certificate.Display(c.Code), url} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q; text:\n%s", want, text)
		}
	}
	shown := shownStrings(t, doc)
	for _, want := range []string{"GIẤY CHỨNG NHẬN CÔNG DÂN ĐIỆN TỬ", "H.", "Phường Bạch Đằng", "phiên bản 1", "Ngày đạt",
		"Kích hoạt tài khoản định danh điện tử mức độ 2 trên VNeID", "Nhận biết lừa đảo trực tuyến", "Ngày cấp: 26/11/2026", "Mã xác thực"} {
		if !shown[want] {
			t.Errorf("PDF shows no text %q", want)
		}
	}
	for s := range shown {
		if strings.Contains(s, "res-1") {
			t.Errorf("PDF shows the resident id: %q", s)
		}
	}

	t.Run("ManySkillsOnePage", func(t *testing.T) {
		c := sampleECitizen(t)
		st := c.Statement.ECitizen
		for i := range 20 {
			st.Skills = append(st.Skills, certificate.SkillLine{Code: fmt.Sprintf("skill_%d", i), NameVi: fmt.Sprintf("Kỹ năng số %d", i+3), NameEn: fmt.Sprintf("Digital skill %d", i+3)})
		}
		doc, err := certificate.RenderPDF(c, url)
		if err != nil {
			t.Fatal(err)
		}
		pdfText(t, doc) // one page
		shown := shownStrings(t, doc)
		if !shown["Kỹ năng số 7"] || shown["Kỹ năng số 8"] || !shown["và 15 kỹ năng khác"] {
			t.Error("more skills than fit are not folded into one line after the first 7")
		}
	})
	t.Run("ErrNoStatementOfItsKind", func(t *testing.T) {
		c := sampleECitizen(t)
		c.Kind = certificate.KindHours
		if _, err := certificate.RenderPDF(c, url); err == nil {
			t.Fatal("rendered a certificate of hours without a statement of hours")
		}
	})
}

// ecitizenWorld is a store with a ward, and the certificate service on it.
type ecitizenWorld struct {
	st   store.Store
	svc  *certificate.Service
	ward *directory.Ward
	f    *skills.Framework
}

func newECitizenWorld(t *testing.T, a storetest.Adapter) *ecitizenWorld {
	st := a.Open(t)
	ts := time.Now().UTC().Truncate(time.Millisecond)
	w := &directory.Ward{ID: uuid.NewString(), Code: "26734", NameVi: "Phường Bạch Đằng", NameEn: "Bach Dang Ward",
		Status: directory.WardActive, CreatedAt: ts, UpdatedAt: ts}
	if err := st.CreateWard(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	svc := certificate.NewService(certificate.Deps{Store: st, JWTKey: []byte("a JWT key of at least 32 bytes, for tests"),
		PublicURL: "https://ecitizen.example.vn"})
	return &ecitizenWorld{st: st, svc: svc, ward: w, f: builtinFramework(t)}
}

func (w *ecitizenWorld) statement(t *testing.T, residentID string) certificate.ECitizenStatement {
	st, err := certificate.NewECitizenStatement(residentID, "Nguyễn Thị Hoa", time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC), w.f, 1)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestIssueECitizen(t *testing.T) {
	for _, a := range storetest.Adapters(t) {
		t.Run(a.Name, func(t *testing.T) {
			w := newECitizenWorld(t, a)
			ctx := t.Context()

			t.Run("IssuedOnceThenReturned", func(t *testing.T) {
				resident := uuid.NewString()
				st := w.statement(t, resident)
				cert, created, err := w.svc.IssueECitizen(ctx, st, w.ward.ID, "vol-1")
				if err != nil || !created {
					t.Fatalf("issue: %v, created %v", err, created)
				}
				e := cert.Statement.ECitizen
				if cert.Kind != certificate.KindECitizen || cert.HolderID != resident || !slices.Equal(cert.WardIDs, []string{w.ward.ID}) ||
					cert.OrganisationID != "" || cert.IssuedBy != "vol-1" || e.WardNameVi != "Phường Bạch Đằng" || e.WardNameEn != "Bach Dang Ward" ||
					e.Initial != "H." || e.ReachedOn != "2026-11-20" || e.FrameworkVersion != 1 || len(e.Skills) != len(st.Skills) {
					t.Fatalf("certificate %+v, statement %+v", cert, e)
				}
				again, created, err := w.svc.IssueECitizen(ctx, st, w.ward.ID, "vol-2")
				if err != nil || created || again.Code != cert.Code || again.IssuedBy != "vol-1" {
					t.Fatalf("second issue: %v, created %v, code %s (first %s)", err, created, again.Code, cert.Code)
				}
				got, err := w.svc.Verify(ctx, certificate.Display(cert.Code))
				if err != nil || got.Statement.ECitizen == nil || got.Statement.ECitizen.Initial != "H." {
					t.Fatalf("verify: %v %+v", err, got)
				}
			})

			t.Run("ConcurrentIssuesStoreOne", func(t *testing.T) {
				resident := uuid.NewString()
				st := w.statement(t, resident)
				const n = 20
				codes := make([]string, n)
				created := make([]bool, n)
				errs := make([]error, n)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() {
						<-start
						var cert *certificate.Certificate
						cert, created[i], errs[i] = w.svc.IssueECitizen(ctx, st, w.ward.ID, fmt.Sprintf("vol-%d", i))
						if cert != nil {
							codes[i] = cert.Code
						}
					})
				}
				close(start)
				wg.Wait()
				firsts := 0
				for i := range n {
					if errs[i] != nil {
						t.Fatalf("issue %d: %v", i, errs[i])
					}
					if codes[i] != codes[0] {
						t.Fatalf("issue %d answered %s, issue 0 %s", i, codes[i], codes[0])
					}
					if created[i] {
						firsts++
					}
				}
				stored, err := w.st.CertificatesOfHolder(ctx, resident, page.Request{})
				if err != nil {
					t.Fatal(err)
				}
				if len(stored) != 1 || firsts != 1 {
					t.Fatalf("%d certificates stored, %d issues created one; want exactly 1 and 1", len(stored), firsts)
				}
			})

			t.Run("RevokedThenReachedAgain", func(t *testing.T) {
				resident := uuid.NewString()
				st := w.statement(t, resident)
				if _, err := w.svc.RevokeECitizen(ctx, resident, 1, "staff-1", "Bản ghi bị thu hồi"); !isCode(err, certificate.CodeCertificateNotFound) {
					t.Fatalf("revoke without a certificate: %v", err)
				}
				first, _, err := w.svc.IssueECitizen(ctx, st, w.ward.ID, "vol-1")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.svc.RevokeECitizen(ctx, resident, 1, "staff-1", "  "); !isCode(err, apperr.CodeInvalid) {
					t.Fatalf("revoke without a reason: %v", err)
				}
				revoked, err := w.svc.RevokeECitizen(ctx, resident, 1, "staff-1", "Bản ghi hoàn thành bộ kỹ năng bị thu hồi")
				if err != nil || revoked.Code != first.Code || revoked.Revocation == nil || revoked.Revocation.By != "staff-1" {
					t.Fatalf("revoke: %v %+v", err, revoked)
				}
				if _, err := w.svc.Verify(ctx, first.Code); !isCode(err, certificate.CodeCertificateRevoked) {
					t.Fatalf("verify a revoked certificate: %v", err)
				}
				if _, err := w.svc.LiveECitizen(ctx, resident, 1); !isCode(err, certificate.CodeCertificateNotFound) {
					t.Fatalf("live certificate after revocation: %v", err)
				}
				second, created, err := w.svc.IssueECitizen(ctx, st, w.ward.ID, "vol-2")
				if err != nil || !created || second.Code == first.Code {
					t.Fatalf("reached again: %v, created %v", err, created)
				}
				live, err := w.svc.LiveECitizen(ctx, resident, 1)
				if err != nil || live.Code != second.Code {
					t.Fatalf("live certificate: %v", err)
				}
			})

			t.Run("OnePerFrameworkVersion", func(t *testing.T) {
				resident := uuid.NewString()
				v1 := w.statement(t, resident)
				v2 := v1
				v2.FrameworkVersion = 2
				a, _, err := w.svc.IssueECitizen(ctx, v1, w.ward.ID, "vol-1")
				if err != nil {
					t.Fatal(err)
				}
				b, created, err := w.svc.IssueECitizen(ctx, v2, w.ward.ID, "vol-1")
				if err != nil || !created || a.Code == b.Code || b.Statement.ECitizen.FrameworkVersion != 2 {
					t.Fatalf("version 2: %v, created %v", err, created)
				}
			})

			t.Run("ErrBadStatement", func(t *testing.T) {
				good := w.statement(t, uuid.NewString())
				for name, change := range map[string]func(*certificate.ECitizenStatement){
					"NoResident": func(s *certificate.ECitizenStatement) { s.ResidentID = "" },
					"NoInitial":  func(s *certificate.ECitizenStatement) { s.Initial = "" },
					"BadDate":    func(s *certificate.ECitizenStatement) { s.ReachedOn = "20/11/2026" },
					"NoVersion":  func(s *certificate.ECitizenStatement) { s.FrameworkVersion = 0 },
					"NoSkills":   func(s *certificate.ECitizenStatement) { s.Skills = nil },
					"NoSkillName": func(s *certificate.ECitizenStatement) {
						s.Skills = append([]certificate.SkillLine{}, s.Skills...)
						s.Skills[0].NameEn = ""
					},
				} {
					st := good
					change(&st)
					if cert, _, err := w.svc.IssueECitizen(ctx, st, w.ward.ID, "vol-1"); err == nil {
						t.Errorf("%s: issued %+v", name, cert.Statement.ECitizen)
					}
				}
				if _, _, err := w.svc.IssueECitizen(ctx, good, uuid.NewString(), "vol-1"); !errors.Is(err, apperr.ErrNotFound) {
					t.Errorf("unknown ward: %v", err)
				}
				if list, err := w.st.CertificatesOfHolder(ctx, good.ResidentID, page.Request{}); err != nil || len(list) != 0 {
					t.Errorf("refused statements stored %d certificates (%v)", len(list), err)
				}
			})
		})
	}
}

func isCode(err error, code apperr.Code) bool {
	e := apperr.As(err)
	return e != nil && e.Code == code
}

func BenchmarkRenderECitizenPDF(b *testing.B) {
	c := &certificate.Certificate{Code: "GJKTUITMMYQZL7LE7V7DIIZY", Kind: certificate.KindECitizen,
		IssuedAt: time.Date(2026, 11, 26, 3, 4, 5, 0, time.UTC),
		Statement: certificate.Statement{ECitizen: &certificate.ECitizenStatement{ResidentID: "res-1", Initial: "H.",
			WardNameVi: "Phường Bạch Đằng", WardNameEn: "Bach Dang Ward", ReachedOn: "2026-11-20", FrameworkVersion: 1,
			Skills: []certificate.SkillLine{
				{Code: "vneid_level2", NameVi: "Kích hoạt tài khoản định danh điện tử mức độ 2 trên VNeID", NameEn: "Activate the level-2 electronic identification account in VNeID"},
				{Code: "portal_account", NameVi: "Đăng nhập Cổng Dịch vụ công quốc gia", NameEn: "Sign in to the National Public Service Portal"},
				{Code: "submit_application", NameVi: "Nộp hồ sơ trực tuyến", NameEn: "Submit an application online"},
				{Code: "pay_fee_online", NameVi: "Thanh toán phí, lệ phí trực tuyến", NameEn: "Pay a fee or charge online"},
				{Code: "recognise_scam", NameVi: "Nhận biết lừa đảo trực tuyến", NameEn: "Recognise online scams"},
			}}}}
	for b.Loop() {
		doc, err := certificate.RenderPDF(c, "https://ecitizen.example.vn/verify/GJKT-UITM-MYQZ-L7LE-7V7D-IIZY")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(doc)), "bytes/pdf")
	}
}
