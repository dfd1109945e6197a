package httpapi

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"ecitizen/internal/certificate"
	"ecitizen/internal/roster"
	"ecitizen/internal/store/storetest"
)

// localDay is the local date days from today, YYYY-MM-DD.
func localDay(days int) string { return testNow().In(hanoi).AddDate(0, 0, days).Format(time.DateOnly) }

// servedShift books a shift for the volunteer, moves it to have ended a day ago
// and records a check-in and a check-out covering it: minutes served.
func servedShift(t *testing.T, w *rosterWorld, volunteerID, token string, minutes int) {
	t.Helper()
	env := w.env
	id := w.shift(t, "Ca đã phục vụ", localTime(3, 8, 0), 2, 5)
	mustStatus(t, env.do("POST", "/api/v1/shifts/"+id+"/bookings", token, map[string]bool{}), http.StatusCreated)
	sh := moveShift(t, env, id, testNow().Add(-24*time.Hour-time.Duration(minutes)*time.Minute), time.Duration(minutes)*time.Minute)
	for _, k := range []roster.AttendanceKind{roster.KindCheckin, roster.KindCheckout} {
		at := sh.StartsAt.Add(-10 * time.Minute)
		if k == roster.KindCheckout {
			at = sh.EndsAt.Add(5 * time.Minute)
		}
		if err := env.store.AddAttendance(context.Background(), &roster.Attendance{ShiftID: id, VolunteerID: volunteerID, Kind: k,
			CentreID: sh.CentreID, WardID: sh.WardID, StartsAt: sh.StartsAt, EndsAt: sh.EndsAt, At: at, By: volunteerID}); err != nil {
			t.Fatal(err)
		}
	}
}

// workEntry records minutes of work of a volunteer at centre A by ward A's staff.
func workEntry(t *testing.T, w *rosterWorld, volunteerID, day string, minutes int) {
	t.Helper()
	mustStatus(t, w.env.do("POST", "/api/v1/volunteers/"+volunteerID+"/work-entries", w.staffA,
		map[string]any{"minutes": minutes, "date": day, "reason": "Hỗ trợ người dân ngoài ca", "centre_id": w.centreA}), http.StatusCreated)
}

type certificateBody struct {
	Code       string         `json:"code"`
	Kind       string         `json:"kind"`
	Status     string         `json:"status"`
	IssuedAt   time.Time      `json:"issued_at"`
	Hours      map[string]any `json:"hours"`
	VerifyURL  string         `json:"verify_url"`
	PDFURL     string         `json:"pdf_url"`
	Revocation *struct {
		RevokedBy string `json:"revoked_by"`
		Reason    string `json:"reason"`
	} `json:"revocation"`
}

func certificateOf(t *testing.T, rec *httptest.ResponseRecorder) certificateBody {
	t.Helper()
	var c certificateBody
	decodeBody(t, rec, &c)
	return c
}

// pngIDAT returns the image data of a PNG (its IDAT chunks), which fpdf copies
// into the PDF unchanged.
func pngIDAT(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []byte
	for rest := b[8:]; len(rest) >= 12; {
		n := binary.BigEndian.Uint32(rest)
		if string(rest[4:8]) == "IDAT" {
			out = append(out, rest[8:8+n]...)
		}
		rest = rest[12+n:]
	}
	if len(out) == 0 {
		t.Fatal("PNG without image data")
	}
	return out
}

// decodeQR reads the text of a QR code PNG.
func decodeQR(t *testing.T, b []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The image is a generated code, not a photo: without PURE_BARCODE the finder
	// search misses about 1 in 70 of them (measured on 400 random codes).
	pure := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, pure)
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	return res.GetText()
}

// pdfASCII extracts the text of a PDF (ledongthuc/pdf keeps only the low byte of
// characters beyond Latin-1, so only ASCII text is compared).
func pdfASCII(t *testing.T, doc []byte) string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatalf("read PDF: %v", err)
	}
	var b strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		rows, err := r.Page(i).GetTextByRow()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for _, w := range row.Content {
				b.WriteString(w.S)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func TestHoursCertificates(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "CE")
			ids, toks := w.volunteers(t, 2)
			holder, idle := toks[0], toks[1]
			otherOrg := env.createOrganisation(w.admin, "Trường Đại học Kinh tế CE")
			partner := func(org, email string) string {
				env.createUser(w.admin, map[string]any{"email": email, "display_name": "Đối tác", "password": "mat-khau-2026", "role": "partner", "organisation_id": org})
				tok, _ := env.login(email, "mat-khau-2026")
				return tok
			}
			partnerX, partnerY := partner(w.org, "dt-x-ce@example.vn"), partner(otherOrg, "dt-y-ce@example.vn")

			servedShift(t, w, ids[0], holder, 120)
			workEntry(t, w, ids[0], localDay(-1), 45)
			period := map[string]string{"from": localDay(-7), "to": localDay(-1)}
			issue := func(token string, body any) *httptest.ResponseRecorder {
				return env.do("POST", "/api/v1/me/hours-certificates", token, body)
			}

			t.Run("ErrPeriod", func(t *testing.T) {
				for _, c := range []struct {
					body        any
					field, code string
				}{
					{map[string]string{"to": localDay(-1)}, "from", "required"},
					{map[string]string{"from": "2026-13-01", "to": localDay(-1)}, "from", "date"},
					{map[string]string{"from": localDay(-3), "to": "26/11/2026"}, "to", "date"},
					{map[string]string{"from": localDay(-1), "to": localDay(-3)}, "to", "range"},
					{map[string]string{"from": localDay(-1), "to": localDay(1)}, "to", "future"},
					{map[string]string{"from": localDay(-367), "to": localDay(-1)}, "to", "span"},
					{map[string]string{"from": localDay(-3), "to": localDay(-1), "holder_id": ids[1]}, "holder_id", "unknown_field"},
				} {
					rec := issue(holder, c.body)
					assertProblem(t, rec, 400, "invalid")
					var p Problem
					decodeBody(t, rec, &p)
					if len(p.Errors) == 0 || p.Errors[0].Field != c.field || p.Errors[0].Code != c.code {
						t.Errorf("%v: errors %+v, want %s/%s", c.body, p.Errors, c.field, c.code)
					}
				}
				// 366 days, both ends included, is the longest period.
				mustStatus(t, issue(holder, map[string]string{"from": localDay(-366), "to": localDay(-1)}), http.StatusCreated)
			})
			t.Run("ErrNoHours", func(t *testing.T) {
				assertProblem(t, issue(idle, period), 409, "no_hours")
				assertProblem(t, issue(holder, map[string]string{"from": localDay(-400), "to": localDay(-390)}), 409, "no_hours")
				assertProblem(t, issue(w.staffA, period), 403, "forbidden")
			})

			rec := issue(holder, period)
			mustStatus(t, rec, http.StatusCreated)
			cert := certificateOf(t, rec)
			verifyURL := testPublicURL + "/verify/" + cert.Code
			if cert.Kind != "hours" || cert.Status != "valid" || cert.VerifyURL != verifyURL || cert.Revocation != nil ||
				cert.PDFURL != "/api/v1/certificates/"+cert.Code+"/pdf" || rec.Header().Get("Location") != "/api/v1/verify/"+cert.Code {
				t.Fatalf("issued certificate: %s", rec.Body)
			}
			wantHours := map[string]any{"holder_name": "Tình nguyện viên 0", "organisation_name": "Đoàn Thanh niên CE",
				"from": period["from"], "to": period["to"], "total_minutes": 165.0, "total_hours": 2.75, "shifts": 1.0, "entry_minutes": 45.0,
				"centres": []any{map[string]any{"centre_name": "Nhà sinh hoạt cộng đồng tổ 12", "ward_name": "Phường Minh Khai CE", "minutes": 165.0}}}
			if !reflect.DeepEqual(cert.Hours, wantHours) {
				t.Fatalf("statement:\n got  %v\n want %v", cert.Hours, wantHours)
			}

			t.Run("ReissueReturnsTheSame", func(t *testing.T) {
				rec := issue(holder, period)
				mustStatus(t, rec, http.StatusOK)
				if again := certificateOf(t, rec); again.Code != cert.Code {
					t.Fatalf("re-issue gave %s, want %s", again.Code, cert.Code)
				}
				// Concurrent first issues of another period store one certificate.
				other := map[string]string{"from": localDay(-5), "to": localDay(-1)}
				const n = 10
				recs := make([]*httptest.ResponseRecorder, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() { recs[i] = issue(holder, other) })
				}
				wg.Wait()
				created, codes := 0, map[string]bool{}
				for _, r := range recs {
					switch r.Code {
					case http.StatusCreated:
						created++
					case http.StatusOK:
					default:
						t.Fatalf("concurrent issue: %d %s", r.Code, r.Body)
					}
					codes[certificateOf(t, r).Code] = true
				}
				if created != 1 || len(codes) != 1 {
					t.Fatalf("%d concurrent issues: %d created, %d codes; want 1 and 1", n, created, len(codes))
				}
			})

			t.Run("ListNewestFirst", func(t *testing.T) {
				rec := env.do("GET", "/api/v1/me/hours-certificates?limit=100", holder, nil)
				mustStatus(t, rec, 200)
				var list struct{ Items []certificateBody }
				decodeBody(t, rec, &list)
				if len(list.Items) != 3 || list.Items[1].Code != cert.Code || list.Items[0].Hours["from"] != localDay(-5) {
					t.Fatalf("my certificates: %s", rec.Body)
				}
				rec = env.do("GET", "/api/v1/me/hours-certificates", idle, nil)
				mustStatus(t, rec, 200)
				if decode(t, rec)["items"].([]any) == nil || len(decode(t, rec)["items"].([]any)) != 0 {
					t.Fatalf("another volunteer's certificates: %s", rec.Body)
				}
			})

			pdfPath := "/api/v1/certificates/" + cert.Code + "/pdf"
			t.Run("PDF", func(t *testing.T) {
				rec := env.do("GET", pdfPath, holder, nil)
				mustStatus(t, rec, 200)
				doc := rec.Body.Bytes()
				if ct := rec.Header().Get("Content-Type"); ct != "application/pdf" || !bytes.HasPrefix(doc, []byte("%PDF-")) {
					t.Fatalf("PDF: Content-Type %q, starts %q", ct, doc[:min(len(doc), 8)])
				}
				if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="ecitizen-certificate-`+cert.Code+`.pdf"` {
					t.Errorf("Content-Disposition %q", cd)
				}
				text := pdfASCII(t, doc)
				for _, want := range []string{cert.Code, verifyURL, "Certificate of volunteer hours", "2.75 hours", "1 shifts",
					"from " + period["from"] + " to " + period["to"]} {
					if !strings.Contains(text, want) {
						t.Errorf("PDF text lacks %q:\n%s", want, text)
					}
				}
				// The image in the PDF is the QR code of the verification URL.
				qr, err := certificate.QRCode(verifyURL)
				if err != nil {
					t.Fatal(err)
				}
				if got := decodeQR(t, qr); got != verifyURL {
					t.Fatalf("QR code holds %q, want %q", got, verifyURL)
				}
				if !bytes.Contains(doc, pngIDAT(t, qr)) {
					t.Error("the PDF does not embed the QR code of the verification URL")
				}
				// It is the rendering of the stored snapshot, byte for byte (RenderPDF is
				// deterministic; the service also caches it).
				canonical, _ := certificate.Canonical(certificate.Key(env.jwtKey), cert.Code)
				stored, err := env.store.CertificateByCode(context.Background(), canonical)
				if err != nil {
					t.Fatal(err)
				}
				if again, err := certificate.RenderPDF(stored, verifyURL); err != nil || !bytes.Equal(again, doc) {
					t.Errorf("the download is not the rendering of the stored certificate (err %v)", err)
				}
				for who, token := range map[string]string{"admin": w.admin, "staff of ward A": w.staffA, "partner of the organisation": partnerX} {
					rec := env.do("GET", pdfPath, token, nil)
					mustStatus(t, rec, 200)
					if !bytes.Equal(rec.Body.Bytes(), doc) {
						t.Errorf("PDF for %s differs from the holder's: downloads are not byte-identical", who)
					}
				}
				for _, token := range []string{w.staffB, partnerY, idle} {
					assertProblem(t, env.do("GET", pdfPath, token, nil), 404, "certificate_not_found")
				}
				assertProblem(t, env.do("GET", pdfPath, "", nil), 401, "unauthorized")
			})

			key := certificate.Key(env.jwtKey)
			t.Run("Verify", func(t *testing.T) {
				for _, typed := range []string{cert.Code, strings.ToLower(strings.ReplaceAll(cert.Code, "-", ""))} {
					rec := env.do("GET", "/api/v1/verify/"+typed, "", nil)
					mustStatus(t, rec, 200)
					if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
						t.Errorf("Cache-Control %q", cc)
					}
					var got map[string]any
					decodeBody(t, rec, &got)
					want := map[string]any{"code": cert.Code, "kind": "hours", "status": "valid",
						"issued_at": cert.IssuedAt.Format(time.RFC3339), "hours": wantHours}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("verify:\n got  %v\n want %v", got, want)
					}
				}
				// One character changed, and a well-formed code with a valid tag that was never issued.
				b := []byte(cert.Code)
				b[5] = map[bool]byte{true: 'B', false: 'A'}[b[5] == 'A']
				assertProblem(t, env.do("GET", "/api/v1/verify/"+string(b), "", nil), 404, "certificate_not_found")
				unissued := certificate.Display(certificate.CodeWithTag(key, [10]byte{7, 7, 7}))
				assertProblem(t, env.do("GET", "/api/v1/verify/"+unissued, "", nil), 404, "certificate_not_found")
				assertProblem(t, env.do("GET", "/api/v1/certificates/"+unissued+"/pdf", w.admin, nil), 404, "certificate_not_found")
				assertProblem(t, env.do("GET", "/api/v1/verify/"+strings.Repeat("A", 65), "", nil), 404, "certificate_not_found")
			})

			t.Run("Revoke", func(t *testing.T) {
				revoke := func(token string, body any) *httptest.ResponseRecorder {
					return env.do("POST", "/api/v1/certificates/"+cert.Code+"/revoke", token, body)
				}
				reason := map[string]string{"reason": "Số giờ khai không đúng"}
				assertProblem(t, revoke(partnerX, reason), 403, "forbidden")
				assertProblem(t, revoke(holder, reason), 403, "forbidden")
				assertProblem(t, revoke(w.staffB, reason), 404, "certificate_not_found")
				assertProblem(t, revoke(w.staffA, map[string]string{}), 400, "invalid")
				assertProblem(t, revoke(w.staffA, map[string]string{"reason": strings.Repeat("x", 501)}), 400, "invalid")
				assertProblem(t, revoke(w.staffA, map[string]string{"reason": "   "}), 400, "invalid")
				rec := revoke(w.staffA, reason)
				mustStatus(t, rec, 200)
				if got := certificateOf(t, rec); got.Status != "revoked" || got.Revocation == nil || got.Revocation.Reason != reason["reason"] {
					t.Fatalf("revoked: %s", rec.Body)
				}
				assertProblem(t, revoke(w.admin, reason), 409, "certificate_already_revoked")

				rec = env.do("GET", "/api/v1/verify/"+cert.Code, "", nil)
				assertProblem(t, rec, 410, "certificate_revoked")
				if detail := decode(t, rec)["detail"].(string); !strings.Contains(detail, testNow().In(hanoi).Format("02/01/2006")) {
					t.Errorf("revoked detail %q lacks the day", detail)
				}
				assertProblem(t, env.do("GET", pdfPath, holder, nil), 410, "certificate_revoked")

				// A new certificate of the same period and total may be issued once revoked.
				rec = issue(holder, period)
				mustStatus(t, rec, http.StatusCreated)
				fresh := certificateOf(t, rec)
				if fresh.Code == cert.Code {
					t.Fatal("re-issue after revocation returned the revoked certificate")
				}
				mustStatus(t, issue(holder, period), http.StatusOK)

				// Concurrent revocations: exactly one lands.
				const n = 12
				recs := make([]*httptest.ResponseRecorder, n)
				var wg sync.WaitGroup
				for i := range n {
					token := w.staffA
					if i%2 == 1 {
						token = w.admin
					}
					wg.Go(func() {
						recs[i] = env.do("POST", "/api/v1/certificates/"+fresh.Code+"/revoke", token, map[string]string{"reason": "Thu hồi đồng thời"})
					})
				}
				wg.Wait()
				ok := 0
				for _, r := range recs {
					switch {
					case r.Code == 200:
						ok++
					case r.Code != 409 || !strings.Contains(r.Body.String(), `"certificate_already_revoked"`):
						t.Fatalf("concurrent revoke: %d %s", r.Code, r.Body)
					}
				}
				if ok != 1 {
					t.Fatalf("%d concurrent revocations: %d succeeded, want 1", n, ok)
				}
			})

			rec = env.do("GET", "/api/v1/me/hours-certificates?limit=100", holder, nil)
			mustStatus(t, rec, 200)
			var list struct{ Items []certificateBody }
			if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
				t.Fatal(err)
			}
			revoked := 0
			for _, c := range list.Items {
				if c.Status == "revoked" {
					revoked++
				}
			}
			if len(list.Items) != 4 || revoked != 2 {
				t.Fatalf("after revocations: %d certificates, %d revoked; want 4 and 2: %s", len(list.Items), revoked, rec.Body)
			}
		})
	}
}

// certificatePeriod is the period of the last days days, ending yesterday.
func certificatePeriod(days int) map[string]string {
	return map[string]string{"from": localDay(-days), "to": localDay(-1)}
}

// certificateFixture gives volunteer X an hour of work at centre A (ward A)
// yesterday and issues two certificates of it: certX and certToRevokeX.
func (f *matrixFixture) certificateFixture(t *testing.T) {
	env := f.env
	mustStatus(t, env.do("POST", "/api/v1/volunteers/"+f.volX+"/work-entries", f.tokens[staffA],
		map[string]any{"minutes": 60, "date": localDay(-1), "reason": "Trực hỗ trợ", "centre_id": f.centreA}), http.StatusCreated)
	for days, code := range map[int]*string{30: &f.certX, 10: &f.certToRevokeX} {
		rec := env.do("POST", "/api/v1/me/hours-certificates", f.tokens[volunteerX], certificatePeriod(days))
		mustStatus(t, rec, http.StatusCreated)
		*code = certificateOf(t, rec).Code
	}
}
