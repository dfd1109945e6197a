package httpapi

import (
	"net/http"
	"testing"
	"time"

	"ecitizen/internal/store/storetest"
)

// TestDeactivatedOrganisation: once an admin deactivates an organisation, its
// volunteers cannot book or join a line and its partners cannot issue invites,
// write courses or schedule sessions (403 organisation_inactive), while they
// still sign in, read their records, cancel what they booked and learn; after
// reactivation everything works again. On both adapters.
func TestDeactivatedOrganisation(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "DO")
			ids, toks := w.volunteers(t, 1)
			vol := toks[0]
			env.createUser(w.admin, map[string]any{"email": "dt-do@example.vn", "display_name": "Đối tác", "password": "doi-tac-2026", "role": "partner", "organisation_id": w.org})
			partner, _ := env.login("dt-do@example.vn", "doi-tac-2026")
			// 09:00 local in three days: a whole hour 72 hours ahead started at
			// 23:00 local when run between 16:00 and 17:00 UTC, and a shift
			// crossing midnight is refused.
			start := localTime(3, 9, 0)
			held := w.shift(t, "Ca đã đăng ký", start, 2, 3)
			other := w.shift(t, "Ca mới", start.Add(24*time.Hour), 2, 3)
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+held+"/bookings", vol, nil), http.StatusCreated)

			mustStatus(t, env.do("PATCH", "/api/v1/organisations/"+w.org, w.admin, map[string]any{"active": false}), http.StatusOK)
			for _, r := range []struct {
				token, method, path string
				body                any
			}{
				{vol, "POST", "/api/v1/shifts/" + other + "/bookings", nil},
				{partner, "POST", "/api/v1/organisations/" + w.org + "/invites", map[string]any{"label": "Khoá mới"}},
				{partner, "POST", "/api/v1/manage/courses", courseBody("Khoá học mới")},
				{partner, "PATCH", "/api/v1/users/" + ids[0], map[string]any{"status": "disabled"}},
			} {
				assertProblem(t, env.do(r.method, r.path, r.token, r.body), http.StatusForbidden, "organisation_inactive")
			}
			mustStatus(t, env.do("GET", "/api/v1/me", vol, nil), http.StatusOK)
			mustStatus(t, env.do("GET", "/api/v1/me/bookings", vol, nil), http.StatusOK)
			mustStatus(t, env.do("DELETE", "/api/v1/shifts/"+held+"/bookings/me", vol, nil), http.StatusNoContent)
			env.login("dt-do@example.vn", "doi-tac-2026")

			mustStatus(t, env.do("PATCH", "/api/v1/organisations/"+w.org, w.admin, map[string]any{"active": true}), http.StatusOK)
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+other+"/bookings", vol, nil), http.StatusCreated)
		})
	}
}
