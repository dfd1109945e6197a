package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The coverage attacks: a ward's summary as its staff, the district overview
// as the admin, the district's ward table as CSV, a ward's workbook (XLSX, all
// its tables), and a ward's summary while one request in ten records a skill
// in that ward (so snapshots keep being invalidated and read again, as on a
// working day).

// coverageSetup holds the admin's token and the ward staff of the resident attacks.
type coverageSetup struct {
	rs    *residentSetup
	admin string
}

// prepareCoverage signs the seeded admin (admin@localhost) in.
func prepareCoverage(ctx context.Context, c *client, rs *residentSetup, password string) (*coverageSetup, error) {
	token, err := c.login(ctx, "admin@localhost", password)
	if err != nil {
		return nil, fmt.Errorf("sign the admin in (admin@localhost, seeded with this -password?): %w", err)
	}
	return &coverageSetup{rs: rs, admin: token}, nil
}

// specs are the coverage attacks; call it after rs.fresh, as the tokens are copied.
func (s *coverageSetup) specs(base string) []func() spec {
	wards := s.rs.wards
	auth := func(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }
	pairs := s.rs.each()
	return []func() spec{
		func() spec {
			return spec{class: summaries, method: http.MethodGet, path: "/api/v1/wards/{id}/coverage", target: rotate(len(wards), func(i int, t *vegeta.Target) {
				w := wards[i]
				*t = vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/wards/" + w.wardID + "/coverage", Header: auth(w.token)}
			})}
		},
		func() spec {
			return spec{class: summaries, method: http.MethodGet, path: "/api/v1/district/coverage", target: rotate(1, func(_ int, t *vegeta.Target) {
				*t = vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/district/coverage", Header: auth(s.admin)}
			})}
		},
		func() spec {
			return spec{class: exports, method: http.MethodGet, path: "/api/v1/district/coverage/export?format=csv&table=wards", target: rotate(1, func(_ int, t *vegeta.Target) {
				*t = vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/district/coverage/export?format=csv&table=wards", Header: auth(s.admin)}
			})}
		},
		func() spec {
			return spec{class: exports, method: http.MethodGet, path: "/api/v1/wards/{id}/coverage/export?format=xlsx", target: rotate(len(wards), func(i int, t *vegeta.Target) {
				w := wards[i]
				*t = vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/wards/" + w.wardID + "/coverage/export?format=xlsx", Header: auth(w.token)}
			})}
		},
		func() spec {
			return spec{class: summaries, method: http.MethodGet, path: "/api/v1/wards/{id}/coverage (1 in 10 a record)", target: rotate(len(pairs), func(i int, t *vegeta.Target) {
				p := pairs[i]
				if i%10 == 9 {
					body, _ := json.Marshal(map[string]string{"skill_code": observedSkills[i%len(observedSkills)], "method": "observed",
						"evidence": "Người dân tự thực hiện, cán bộ quan sát trực tiếp (benchmark)."})
					h := auth(p.w.token)
					h.Set("Content-Type", "application/json")
					*t = vegeta.Target{Method: http.MethodPost, URL: base + "/api/v1/residents/" + p.r.ID + "/progress", Body: body, Header: h}
					return
				}
				*t = vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/wards/" + p.w.wardID + "/coverage", Header: auth(p.w.token)}
			})}
		},
	}
}
