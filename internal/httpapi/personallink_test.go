package httpapi

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/store/storetest"
)

// personalLinkFixture registers a third resident of ward A with a personal
// link, for the matrix to read (the matrix resets and revokes residentA's).
func (f *matrixFixture) personalLinkFixture(t *testing.T) {
	t.Helper()
	a := f.tokens[admin]
	id := f.env.created(a, "/api/v1/residents", residentBody(f.wardA, "Lê Thị Liên Kết", "", ""))
	rec := f.env.do("POST", "/api/v1/residents/"+id+"/personal-link", a, nil)
	mustStatus(t, rec, http.StatusCreated)
	f.personalToken = decode(t, rec)["token"].(string)
}

type personalLinkOut struct {
	URL    string `json:"url"`
	Token  string `json:"token"`
	QRCode string `json:"qr_code"`
}

type personalViewOut struct {
	FullName   string `json:"full_name"`
	WardNameVi string `json:"ward_name_vi"`
	Shown      []struct {
		SkillCode string `json:"skill_code"`
		NameVi    string `json:"name_vi"`
		NameEn    string `json:"name_en"`
	} `json:"shown"`
	Missing []struct {
		SkillCode string `json:"skill_code"`
		NameVi    string `json:"name_vi"`
	} `json:"missing"`
	ECitizen    bool    `json:"e_citizen"`
	ReachedAt   *string `json:"reached_at"`
	Certificate *struct {
		Code      string `json:"code"`
		VerifyURL string `json:"verify_url"`
	} `json:"certificate"`
}

func TestPersonalLinkHTTP(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			var logs bytes.Buffer
			var logMu sync.Mutex
			logger := testLogger(&lockedWriter{w: &logs, mu: &logMu})
			prev := slog.Default()
			slog.SetDefault(logger)
			t.Cleanup(func() { slog.SetDefault(prev) })
			env := buildTestEnv(t, ad, envSettings{logger: logger})
			w := newRosterWorld(t, env, "PL")
			ids, toks := w.volunteers(t, 2)
			const phoneDigits = "916555777"
			res := env.created(w.staffA, "/api/v1/residents", residentBody(w.wardA, "Phạm Thị Tự Xem", "0"+phoneDigits, "001203009876"))
			linkPath := "/api/v1/residents/" + res + "/personal-link"

			var seen bytes.Buffer
			do := func(method, path, token string) *httptest.ResponseRecorder {
				t.Helper()
				rec := env.do(method, path, token, nil)
				seen.WriteString(rec.Body.String())
				return rec
			}
			create := func(token string) personalLinkOut {
				t.Helper()
				rec := do("POST", linkPath, token)
				mustStatus(t, rec, http.StatusCreated)
				var out personalLinkOut
				decodeBody(t, rec, &out)
				if out.URL != testPublicURL+"/p/"+out.Token || len(out.Token) != 43 {
					t.Fatalf("link %+v", out)
				}
				if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control %q", cc)
				}
				return out
			}
			view := func(token string) personalViewOut {
				t.Helper()
				rec := do("GET", "/api/v1/personal/"+token, "")
				mustStatus(t, rec, http.StatusOK)
				if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Referrer-Policy") != "no-referrer" {
					t.Errorf("headers %v", rec.Header())
				}
				var v personalViewOut
				decodeBody(t, rec, &v)
				return v
			}
			invalid := func(token string) {
				t.Helper()
				rec := do("GET", "/api/v1/personal/"+token, "")
				assertProblem(t, rec, http.StatusNotFound, "personal_link_invalid")
			}

			// Created by ward staff: the QR code is the URL; the view shows
			// the name, the ward and every required skill missing.
			link := create(w.staffA)
			png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(link.QRCode, "data:image/png;base64,"))
			if err != nil || !strings.HasPrefix(link.QRCode, "data:image/png;base64,") {
				t.Fatalf("qr_code %.40q: %v", link.QRCode, err)
			}
			if got := decodeQR(t, png); got != link.URL {
				t.Fatalf("QR code %q, want %q", got, link.URL)
			}
			v := view(link.Token)
			if v.FullName != "Phạm Thị Tự Xem" || v.WardNameVi != "Phường Minh Khai PL" || v.ECitizen || v.Certificate != nil ||
				len(v.Shown) != 0 || len(v.Missing) != len(requiredSkills) || v.Missing[0].NameVi == "" {
				t.Fatalf("view %+v", v)
			}

			// The five required skills recorded by staff: an e-citizen, with
			// a certificate that verifies.
			for _, sk := range requiredSkills {
				mustStatus(t, env.do("POST", "/api/v1/residents/"+res+"/progress", w.staffA, progressBody(sk)), 201)
			}
			v = view(link.Token)
			if !v.ECitizen || v.ReachedAt == nil || len(v.Missing) != 0 || len(v.Shown) != 5 || v.Certificate == nil ||
				!strings.HasPrefix(v.Certificate.VerifyURL, testPublicURL+"/verify/") || v.Shown[0].NameEn == "" {
				t.Fatalf("view of an e-citizen %+v", v)
			}
			if st := statusOf(t, env, w.staffA, res); st.CertificateCode == nil || *st.CertificateCode != v.Certificate.Code {
				t.Fatalf("status %+v, view's certificate %s", st, v.Certificate.Code)
			}
			// verify_url is the web page (the web app serves it); the API verifies the same code.
			mustStatus(t, env.do("GET", "/api/v1/verify/"+v.Certificate.Code, "", nil), 200)

			// A reset (here by the admin) ends the old URL at once.
			reset := create(w.admin)
			invalid(link.Token)
			view(reset.Token)

			// Scope: other ward's staff find nothing; a volunteer on duty
			// nowhere is not_on_duty; one on duty in the ward may.
			assertProblem(t, do("POST", linkPath, w.staffB), 404, "not_found")
			assertProblem(t, do("DELETE", linkPath, w.staffB), 404, "not_found")
			assertProblem(t, do("POST", linkPath, toks[0]), 403, "not_on_duty")
			assertProblem(t, do("DELETE", linkPath, toks[0]), 403, "not_on_duty")
			view(reset.Token)
			onDutyVolunteer(t, w, ids[1], toks[1], testNow().Add(-10*time.Minute))
			byVolunteer := create(toks[1])
			invalid(reset.Token)
			view(byVolunteer.Token)

			// Revoked: gone; revoking again is still 204.
			mustStatus(t, do("DELETE", linkPath, w.staffA), http.StatusNoContent)
			invalid(byVolunteer.Token)
			mustStatus(t, do("DELETE", linkPath, w.staffA), http.StatusNoContent)

			// Malformed and unknown tokens.
			invalid("not-a-token")
			invalid(strings.Repeat("A", 43))

			// Erasure ends the link; an erased resident gets no new one.
			last := create(w.staffA)
			view(last.Token)
			mustStatus(t, env.do("POST", "/api/v1/residents/"+res+"/erase", w.staffA, map[string]string{"reason": "Người dân yêu cầu xoá"}), 200)
			invalid(last.Token)
			assertProblem(t, do("POST", linkPath, w.staffA), 409, "resident_erased")
			if _, err := env.store.CalendarFeedOf(t.Context(), "resident", res); err == nil {
				t.Errorf("the erased resident's link is still stored")
			}

			// The phone and national ID appear in no response and no log line.
			logMu.Lock()
			defer logMu.Unlock()
			for _, secret := range []string{phoneDigits, "001203009876"} {
				if strings.Contains(seen.String(), secret) {
					t.Errorf("a response shows %s", secret)
				}
				if strings.Contains(logs.String(), secret) {
					t.Errorf("the log shows %s", secret)
				}
			}
			// Nor do the secret tokens: the request log names the route, not the path.
			for _, token := range []string{link.Token, reset.Token, byVolunteer.Token, last.Token} {
				if strings.Contains(logs.String(), token) {
					t.Errorf("the log shows a personal link token")
				}
			}
		})
	}
}
