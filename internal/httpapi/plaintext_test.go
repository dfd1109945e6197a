package httpapi

import (
	"strings"
	"testing"
	"time"

	"ecitizen/internal/store/storetest"
)

// TestHiddenCharactersRefused: every name-like field refuses control and
// invisible characters (a right-to-left override spoofing a name, a NUL, a
// zero-width space, a line break in a one-line field) with 400 and the field
// code "characters", and nothing is stored; notes keep their line breaks.
func TestHiddenCharactersRefused(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	w := newRosterWorld(t, env, "HC")
	start := testNow().Add(48 * time.Hour).Truncate(time.Hour)
	for _, bad := range []string{"Nguyễn \u202eAn", "Trần\x00Bình", "Lê\u200bCúc", "Phạm\nDung", "Hồ\u2066Em\u2069"} {
		cases := []struct {
			path, token, field string
			body               map[string]any
		}{
			{"/api/v1/users", w.admin, "display_name", map[string]any{"email": "hc@example.vn", "display_name": bad, "password": "mat-khau-2026", "role": "volunteer", "organisation_id": w.org}},
			{"/api/v1/organisations", w.admin, "name", map[string]any{"kind": "university", "name": bad}},
			{"/api/v1/wards", w.admin, "name_vi", map[string]any{"code": "HC1", "name_vi": bad, "name_en": "Ward"}},
			{"/api/v1/wards/" + w.wardA + "/centres", w.admin, "name", centreBody(bad)},
			{"/api/v1/centres/" + w.centreA + "/shifts", w.staffA, "title", shiftBody(bad, start, 2, 3)},
			{"/api/v1/residents", w.staffA, "full_name", residentBody(w.wardA, bad, "", "")},
			{"/api/v1/organisations/" + w.org + "/invites", w.admin, "label", map[string]any{"label": bad}},
		}
		if !strings.Contains(bad, "\n") { // a resident's name has its whitespace collapsed
			cases = append(cases, struct {
				path, token, field string
				body               map[string]any
			}{"/api/v1/residents", w.staffA, "residential_group", func() map[string]any {
				b := residentBody(w.wardA, "Nguyễn Văn Đúng", "", "")
				b["residential_group"] = bad
				return b
			}()})
		}
		for _, tc := range cases {
			rec := env.do("POST", tc.path, tc.token, tc.body)
			p := problemOf(t, rec)
			if rec.Code != 400 || len(p.Errors) == 0 || p.Errors[0].Field != tc.field || p.Errors[0].Code != "characters" {
				if tc.field == "full_name" && strings.Contains(bad, "\n") && rec.Code == 201 {
					continue // collapsed to one line, as every whitespace run in a name
				}
				t.Errorf("POST %s with %q in %s: %d %s", tc.path, bad, tc.field, rec.Code, rec.Body)
			}
		}
	}
	// Notes are lines: line breaks pass, a direction override does not.
	ok := residentBody(w.wardA, "Nguyễn Văn Ghi", "", "")
	ok["notes"] = "Dòng một\nDòng hai"
	mustStatus(t, env.do("POST", "/api/v1/residents", w.staffA, ok), 201)
	ok["notes"] = "Dòng \u202emột"
	assertProblem(t, env.do("POST", "/api/v1/residents", w.staffA, ok), 400, "invalid")

	// Nothing refused was stored.
	for _, path := range []string{"/api/v1/organisations", "/api/v1/wards", "/api/v1/wards/" + w.wardA + "/residents"} {
		if body := env.do("GET", path+"?limit=100", w.admin, nil).Body.String(); strings.Contains(body, `\u202e`) || strings.Contains(body, "\u202e") ||
			strings.Contains(body, "\u200b") || strings.Contains(body, `\u200b`) {
			t.Errorf("%s holds a refused name: %s", path, body)
		}
	}
}
