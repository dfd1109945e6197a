package httpapi

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"ecitizen/internal/store/storetest"
)

// TestDatesInBounds: every date (YYYY-MM-DD) and date-time of a request lies
// between 2000 and 2100: a work entry on 0001-01-01 or 1970-01-01, a shift
// starting in 1970 or 2200, an hours certificate from 1999: 400 with the
// field's code "range", and nothing is stored.
func TestDatesInBounds(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	w := newRosterWorld(t, env, "DT")
	ids, toks := w.volunteers(t, 1)
	for _, day := range []string{"0001-01-01", "1970-01-01", "1999-12-31", "2101-01-01"} {
		entry := map[string]any{"minutes": 45, "date": day, "reason": "Hướng dẫn ngoài ca", "centre_id": w.centreA}
		rec := env.do("POST", "/api/v1/volunteers/"+ids[0]+"/work-entries", w.staffA, entry)
		if p := problemOf(t, rec); rec.Code != 400 || len(p.Errors) == 0 || p.Errors[0].Field != "date" || p.Errors[0].Code != "range" {
			t.Errorf("work entry on %s: %d %s", day, rec.Code, rec.Body)
		}
		cert := map[string]any{"from": day, "to": testNow().In(hanoi).Format(time.DateOnly)}
		rec = env.do("POST", "/api/v1/me/hours-certificates", toks[0], cert)
		if p := problemOf(t, rec); rec.Code != 400 || len(p.Errors) == 0 || p.Errors[0].Field != "from" || p.Errors[0].Code != "range" {
			t.Errorf("hours certificate from %s: %d %s", day, rec.Code, rec.Body)
		}
	}
	for _, start := range []time.Time{time.Date(1970, 1, 1, 8, 0, 0, 0, time.UTC), time.Date(2200, 1, 1, 8, 0, 0, 0, time.UTC)} {
		rec := env.do("POST", "/api/v1/centres/"+w.centreA+"/shifts", w.staffA, shiftBody("Ca ngoài khoảng", start, 2, 3))
		if p := problemOf(t, rec); rec.Code != 400 || len(p.Errors) == 0 || p.Errors[0].Code != "range" {
			t.Errorf("shift starting %s: %d %s", start, rec.Code, rec.Body)
		}
	}
	rec := env.do("GET", fmt.Sprintf("/api/v1/volunteers/%s/hours?from=1970-01-01T00:00:00Z", ids[0]), w.staffA, nil)
	if rec.Code != 400 {
		t.Errorf("hours from 1970: %d %s", rec.Code, rec.Body)
	}
	// The hours stayed empty: no entry was stored.
	rec = env.do("GET", "/api/v1/volunteers/"+ids[0]+"/hours", w.staffA, nil)
	mustStatus(t, rec, 200)
	if m := decode(t, rec); fmt.Sprint(m["total_minutes"]) != "0" {
		t.Errorf("hours after refused entries: %v", m)
	}
}

// TestRequestsTheContractRefuses: requests api/openapi.yaml calls invalid are
// refused (serve also checks every accepted request against the contract, so
// a binding rule looser than the contract fails whatever test sends it).
func TestRequestsTheContractRefuses(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	w := newRosterWorld(t, env, "RQ")
	path := "/api/v1/centres/" + w.centreA + "/shift-series"
	for _, weeks := range []int{0, -1, 27} {
		assertProblem(t, env.do("POST", path, w.staffA, seriesBody("FREQ=WEEKLY", "08:00", "10:00", weeks)), http.StatusBadRequest, "invalid")
	}
	without := seriesBody("FREQ=WEEKLY", "08:00", "10:00", 1)
	delete(without, "horizon_weeks")
	rec := env.do("POST", path, w.staffA, without)
	mustStatus(t, rec, http.StatusCreated)
	if got := decode(t, rec)["series"].(map[string]any)["horizon_weeks"]; got != float64(8) {
		t.Fatalf("default horizon %v, want 8", got)
	}
}
