package httpapi

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"ecitizen/internal/roster"
	"ecitizen/internal/store/storetest"
)

// moveShift sets a shift's times in the store (the API refuses past times) so
// that it starts at start and lasts d.
func moveShift(t *testing.T, e *testEnv, id string, start time.Time, d time.Duration) *roster.Shift {
	t.Helper()
	sh, err := e.store.ShiftByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	sh.StartsAt = start.UTC().Truncate(time.Millisecond)
	sh.EndsAt = sh.StartsAt.Add(d)
	sh.SignupOpensAt, sh.CancelDeadline = sh.StartsAt.Add(-48*time.Hour), sh.StartsAt.Add(-3*time.Hour)
	if err := roster.PutShift(context.Background(), e.store, sh, "test"); err != nil {
		t.Fatal(err)
	}
	return sh
}

type hoursBody struct {
	TotalMinutes int `json:"total_minutes"`
	Shifts       []struct {
		ShiftID      string     `json:"shift_id"`
		CheckedOutAt *time.Time `json:"checked_out_at"`
		Minutes      int        `json:"minutes"`
	} `json:"shifts"`
	Entries []struct {
		Minutes int    `json:"minutes"`
		Reason  string `json:"reason"`
	} `json:"entries"`
}

func TestAttendanceAndHours(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "AT")
			ids, toks := w.volunteers(t, 3)
			key := roster.CheckinKey(env.jwtKey)
			body := centreBody("Nhà văn hoá tổ 3")
			body["opening_hours"] = allDay()
			otherCentre := env.created(w.admin, "/api/v1/wards/"+w.wardA+"/centres", body)

			codeOf := func(centre string) string {
				rec := env.do("GET", "/api/v1/centres/"+centre+"/checkin-code", w.staffA, nil)
				mustStatus(t, rec, 200)
				return decode(t, rec)["code"].(string)
			}
			checkin := func(shift, token, code string) *httptest.ResponseRecorder {
				return env.do("POST", "/api/v1/shifts/"+shift+"/checkin", token, map[string]string{"code": code})
			}
			checkout := func(shift, token, code string) *httptest.ResponseRecorder {
				return env.do("POST", "/api/v1/shifts/"+shift+"/checkout", token, map[string]string{"code": code})
			}
			assertProblem(t, env.do("GET", "/api/v1/centres/"+w.centreA+"/checkin-code", w.staffB, nil), 404, "not_found")

			s1 := w.shift(t, "Ca điểm danh", localTime(1, 8, 0), 2, 5)
			s2 := w.shift(t, "Ca đã qua", localTime(2, 8, 0), 2, 5)
			for _, tok := range toks[:2] {
				mustStatus(t, env.do("POST", "/api/v1/shifts/"+s1+"/bookings", tok, map[string]bool{}), 201)
			}
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+s2+"/bookings", toks[0], map[string]bool{}), 201)

			// Too early, whatever the code.
			assertProblem(t, checkin(s1, toks[0], codeOf(w.centreA)), 409, "checkin_window_closed")
			moveShift(t, env, s1, testNow().Add(-10*time.Minute), time.Hour)

			// An expired code, another centre's code and garbage are refused.
			old, _ := roster.CheckinCodeAt(key, w.centreA, testNow().Add(-3*time.Minute))
			assertProblem(t, checkin(s1, toks[0], old), 409, "checkin_code_invalid")
			assertProblem(t, checkin(s1, toks[0], codeOf(otherCentre)), 409, "checkin_code_invalid")
			assertProblem(t, checkin(s1, toks[0], "not-a-code"), 409, "checkin_code_invalid")
			// Only a booked volunteer checks in; a check-out needs a check-in.
			assertProblem(t, checkin(s1, toks[2], codeOf(w.centreA)), 404, "not_found")
			assertProblem(t, checkout(s1, toks[1], codeOf(w.centreA)), 409, "not_checked_in")

			rec := checkin(s1, toks[0], codeOf(w.centreA))
			mustStatus(t, rec, 201)
			if got := decode(t, rec); got["kind"] != "checkin" || got["volunteer_id"] != ids[0] {
				t.Fatalf("check-in: %v", got)
			}
			assertProblem(t, checkin(s1, toks[0], codeOf(w.centreA)), 409, "already_checked_in")

			// s2 ended an hour ago: checked in 20 minutes before its start (written
			// to the store), checked out now; the minutes are capped to its 2 hours.
			sh2 := moveShift(t, env, s2, testNow().Add(-3*time.Hour), 2*time.Hour)
			if err := env.store.AddAttendance(context.Background(), &roster.Attendance{ShiftID: s2, VolunteerID: ids[0], Kind: roster.KindCheckin,
				CentreID: sh2.CentreID, WardID: sh2.WardID, StartsAt: sh2.StartsAt, EndsAt: sh2.EndsAt, At: sh2.StartsAt.Add(-20 * time.Minute), By: ids[0]}); err != nil {
				t.Fatal(err)
			}
			mustStatus(t, checkout(s2, toks[0], codeOf(w.centreA)), 201)
			assertProblem(t, checkout(s2, toks[0], codeOf(w.centreA)), 409, "already_checked_out")

			// A manual entry by the ward's staff, with its reason.
			today := testNow().In(hanoi).Format(time.DateOnly)
			entry := map[string]any{"minutes": 45, "date": today, "reason": "Hướng dẫn ngoài ca", "centre_id": w.centreA}
			assertProblem(t, env.do("POST", "/api/v1/volunteers/"+ids[0]+"/work-entries", w.staffB, entry), 404, "not_found")
			assertProblem(t, env.do("POST", "/api/v1/volunteers/"+ids[0]+"/work-entries", toks[1], entry), 403, "forbidden")
			mustStatus(t, env.do("POST", "/api/v1/volunteers/"+ids[0]+"/work-entries", w.staffA, entry), 201)

			var mine hoursBody
			rec = env.do("GET", "/api/v1/me/hours", toks[0], nil)
			mustStatus(t, rec, 200)
			decodeBody(t, rec, &mine)
			if mine.TotalMinutes != 165 || len(mine.Shifts) != 2 || len(mine.Entries) != 1 || mine.Entries[0].Reason != "Hướng dẫn ngoài ca" {
				t.Fatalf("my hours: %s", rec.Body)
			}
			for _, l := range mine.Shifts {
				want := map[string]int{s1: 0, s2: 120}[l.ShiftID]
				if l.Minutes != want {
					t.Errorf("shift %s: %d minutes, want %d", l.ShiftID, l.Minutes, want)
				}
			}
			var theirs hoursBody
			rec = env.do("GET", "/api/v1/volunteers/"+ids[0]+"/hours", w.admin, nil)
			mustStatus(t, rec, 200)
			decodeBody(t, rec, &theirs)
			if theirs.TotalMinutes != 165 {
				t.Fatalf("volunteer hours for the admin: %s", rec.Body)
			}
			// Another ward's staff see none of the lines at ward A's centre.
			rec = env.do("GET", "/api/v1/volunteers/"+ids[0]+"/hours", w.staffB, nil)
			mustStatus(t, rec, 200)
			decodeBody(t, rec, &theirs)
			if theirs.TotalMinutes != 0 || len(theirs.Shifts) != 0 || len(theirs.Entries) != 0 {
				t.Fatalf("volunteer hours for another ward: %s", rec.Body)
			}
			assertProblem(t, env.do("GET", "/api/v1/volunteers/"+ids[0]+"/hours", toks[1], nil), 403, "forbidden")

			rec = env.do("GET", "/api/v1/centres/"+w.centreA+"/hours", w.staffA, nil)
			mustStatus(t, rec, 200)
			if got := decode(t, rec); got["total_minutes"] != float64(165) {
				t.Fatalf("centre hours: %s", rec.Body)
			}

			// The ward totals every centre of the ward; the organisation every
			// volunteer of it, wherever they served, 0 for those who did not.
			entry = map[string]any{"minutes": 30, "date": today, "reason": "Trực máy tính", "centre_id": otherCentre}
			mustStatus(t, env.do("POST", "/api/v1/volunteers/"+ids[1]+"/work-entries", w.staffA, entry), 201)
			var ward wardHoursJSON
			rec = env.do("GET", "/api/v1/wards/"+w.wardA+"/hours", w.staffA, nil)
			mustStatus(t, rec, 200)
			decodeBody(t, rec, &ward)
			byCentre := map[string]int{}
			for _, c := range ward.Centres {
				byCentre[c.CentreID] = c.Minutes
			}
			if ward.TotalMinutes != 195 || len(byCentre) != 2 || byCentre[w.centreA] != 165 || byCentre[otherCentre] != 30 || len(ward.Volunteers) != 2 {
				t.Fatalf("ward hours: %s", rec.Body)
			}
			assertProblem(t, env.do("GET", "/api/v1/wards/"+w.wardA+"/hours", w.staffB, nil), 404, "not_found")
			assertProblem(t, env.do("GET", "/api/v1/wards/"+w.wardA+"/hours?from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", w.staffA, nil), 400, "invalid")
			var org organisationHoursJSON
			rec = env.do("GET", "/api/v1/organisations/"+w.org+"/hours", w.admin, nil)
			mustStatus(t, rec, 200)
			decodeBody(t, rec, &org)
			byVolunteer := map[string]int{}
			for _, v := range org.Volunteers {
				byVolunteer[v.VolunteerID] = v.Minutes
				if v.DisplayName == "" {
					t.Errorf("volunteer %s without a name", v.VolunteerID)
				}
			}
			if org.TotalMinutes != 195 || len(org.Volunteers) != 3 || byVolunteer[ids[0]] != 165 || byVolunteer[ids[1]] != 30 || byVolunteer[ids[2]] != 0 {
				t.Fatalf("organisation hours: %s", rec.Body)
			}
			assertProblem(t, env.do("GET", "/api/v1/organisations/"+w.org+"/hours", w.staffA, nil), 403, "forbidden")
			assertProblem(t, env.do("GET", "/api/v1/organisations/nope/hours", w.admin, nil), 404, "not_found")

			// Staff check a volunteer in without a code, with a reason.
			assertProblem(t, env.do("POST", "/api/v1/shifts/"+s1+"/attendance/"+ids[1], w.staffA, map[string]string{"action": "checkin", "reason": " "}), 400, "invalid")
			rec = env.do("POST", "/api/v1/shifts/"+s1+"/attendance/"+ids[1], w.staffA, map[string]string{"action": "checkin", "reason": "Điện thoại hết pin"})
			mustStatus(t, rec, 201)
			if got := decode(t, rec); got["reason"] != "Điện thoại hết pin" || got["volunteer_id"] != ids[1] {
				t.Fatalf("staff check-in: %v", got)
			}
			assertProblem(t, env.do("POST", "/api/v1/shifts/"+s1+"/attendance/"+ids[1], w.staffB, map[string]string{"action": "checkout", "reason": "Về sớm"}), 404, "not_found")
			mustStatus(t, checkout(s1, toks[1], codeOf(w.centreA)), 201)
		})
	}
}
