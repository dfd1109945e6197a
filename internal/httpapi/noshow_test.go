package httpapi

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/roster"
	"ecitizen/internal/store/storetest"
)

type standingBody struct {
	SuspendedUntil   *time.Time `json:"suspended_until"`
	ConfirmedNoShows []struct {
		ShiftID string `json:"shift_id"`
		Title   string `json:"title"`
		Reason  string `json:"reason"`
	} `json:"confirmed_no_shows"`
	Rule struct {
		Count          int `json:"count"`
		WindowDays     int `json:"window_days"`
		SuspensionDays int `json:"suspension_days"`
	} `json:"rule"`
}

type rosterStates struct {
	Volunteers map[string]string `json:"volunteers"`
	Bookings   []struct {
		VolunteerID string  `json:"volunteer_id"`
		Attendance  *string `json:"attendance"`
	} `json:"bookings"`
}

// attendanceOn returns a volunteer's attendance state on a shift's roster ("null" for none).
func attendanceOn(t *testing.T, env *testEnv, token, shift, volunteer string) string {
	t.Helper()
	rec := env.do("GET", "/api/v1/shifts/"+shift+"/roster", token, nil)
	mustStatus(t, rec, 200)
	var r rosterStates
	decodeBody(t, rec, &r)
	for _, b := range r.Bookings {
		if b.VolunteerID == volunteer {
			if r.Volunteers[volunteer] == "" {
				t.Fatalf("the roster does not name volunteer %s: %s", volunteer, rec.Body)
			}
			if b.Attendance == nil {
				return "null"
			}
			return *b.Attendance
		}
	}
	t.Fatalf("volunteer %s not on the roster of %s: %s", volunteer, shift, rec.Body)
	return ""
}

func TestNoShowsAndSuspension(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "NS"+ad.Name)
			ids, toks := w.volunteers(t, 2)
			v, tok := ids[0], toks[0]

			// Five shifts booked by v, four of them then moved into the past.
			var past []string
			for i := range 4 {
				s := w.shift(t, "Ca đã qua", localTime(2+i, 8, 0), 2, 5)
				mustStatus(t, env.do("POST", "/api/v1/shifts/"+s+"/bookings", tok, map[string]bool{}), 201)
				past = append(past, s)
			}
			future := w.shift(t, "Ca sắp tới", localTime(10, 8, 0), 2, 5)
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+future+"/bookings", tok, map[string]bool{}), 201)
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+past[0]+"/bookings", toks[1], map[string]bool{}), 201)
			var ended []*roster.Shift
			for i, s := range past {
				ended = append(ended, moveShift(t, env, s, testNow().Add(-time.Duration(40-10*i)*24*time.Hour), 2*time.Hour))
			}
			// The other volunteer checked in to the first shift.
			sh := ended[0]
			if err := env.store.AddAttendance(context.Background(), &roster.Attendance{ShiftID: sh.ID, VolunteerID: ids[1], Kind: roster.KindCheckin,
				CentreID: sh.CentreID, WardID: sh.WardID, StartsAt: sh.StartsAt, EndsAt: sh.EndsAt, At: sh.StartsAt, By: ids[1]}); err != nil {
				t.Fatal(err)
			}

			// Pending no-shows are derived on the roster; a future shift has no state.
			if got := attendanceOn(t, env, w.staffA, past[0], v); got != "no_show_pending" {
				t.Fatalf("state on an ended shift: %s", got)
			}
			if got := attendanceOn(t, env, w.staffA, past[0], ids[1]); got != "checked_in" {
				t.Fatalf("state of a checked-in volunteer: %s", got)
			}
			if got := attendanceOn(t, env, w.staffA, future, v); got != "null" {
				t.Fatalf("state before the end: %s", got)
			}

			decide := func(token, shift, volunteer, decision string) *httptest.ResponseRecorder {
				return env.do("POST", "/api/v1/shifts/"+shift+"/no-shows/"+volunteer, token,
					map[string]string{"decision": decision, "reason": "Không đến, không báo trước"})
			}
			// Who may decide, and what is a no-show.
			assertProblem(t, decide(w.staffB, past[0], v, "confirm"), 404, "not_found")
			assertProblem(t, decide(tok, past[0], v, "confirm"), 403, "forbidden")
			assertProblem(t, decide(w.staffA, past[0], v, "forgive"), 400, "invalid")
			assertProblem(t, env.do("POST", "/api/v1/shifts/"+past[0]+"/no-shows/"+v, w.staffA, map[string]string{"decision": "confirm", "reason": " "}), 400, "invalid")
			assertProblem(t, decide(w.staffA, future, v, "confirm"), 409, "not_a_no_show")
			assertProblem(t, decide(w.staffA, past[0], ids[1], "confirm"), 409, "not_a_no_show")
			assertProblem(t, decide(w.staffA, past[1], ids[1], "confirm"), 409, "not_a_no_show") // not booked

			// Two confirmed and one excused: not suspended; an excuse does not count.
			rec := decide(w.staffA, past[0], v, "confirm")
			mustStatus(t, rec, 201)
			if got := decode(t, rec); got["decision"] != "confirm" || got["volunteer_id"] != v {
				t.Fatalf("decision: %v", got)
			}
			assertProblem(t, decide(w.admin, past[0], v, "excuse"), 409, "no_show_decided")
			mustStatus(t, decide(w.admin, past[1], v, "excuse"), 201)
			mustStatus(t, decide(w.staffA, past[2], v, "confirm"), 201)
			if got := attendanceOn(t, env, w.staffA, past[0], v); got != "no_show_confirmed" {
				t.Fatalf("state after confirming: %s", got)
			}
			if got := attendanceOn(t, env, w.staffA, past[1], v); got != "excused" {
				t.Fatalf("state after excusing: %s", got)
			}
			var st standingBody
			rec = env.do("GET", "/api/v1/me/standing", tok, nil)
			mustStatus(t, rec, 200)
			decodeBody(t, rec, &st)
			if st.SuspendedUntil != nil || len(st.ConfirmedNoShows) != 2 || st.Rule.Count != 3 || st.Rule.WindowDays != 90 || st.Rule.SuspensionDays != 30 {
				t.Fatalf("standing with two: %s", rec.Body)
			}
			other := w.shift(t, "Ca khác", localTime(11, 8, 0), 2, 5)
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+other+"/bookings", tok, map[string]bool{}), 201)

			// The third confirmed no-show suspends self-booking for 30 days after the latest.
			mustStatus(t, decide(w.staffA, past[3], v, "confirm"), 201)
			until := ended[3].EndsAt.Add(30 * 24 * time.Hour)
			next := w.shift(t, "Ca tiếp theo", localTime(12, 8, 0), 2, 5)
			rec = env.do("POST", "/api/v1/shifts/"+next+"/bookings", tok, map[string]bool{})
			assertProblem(t, rec, 409, "volunteer_suspended")
			if p := problemOf(t, rec); !strings.Contains(p.Detail, until.In(hanoi).Format("15:04 02/01/2006")) {
				t.Fatalf("the problem does not say until when (%s): %s", until, p.Detail)
			}
			rec = env.do("GET", "/api/v1/me/standing", tok, nil)
			mustStatus(t, rec, 200)
			decodeBody(t, rec, &st)
			if st.SuspendedUntil == nil || !st.SuspendedUntil.Equal(until) || len(st.ConfirmedNoShows) != 3 ||
				st.ConfirmedNoShows[2].ShiftID != past[3] || st.ConfirmedNoShows[0].Reason == "" || st.ConfirmedNoShows[0].Title == "" {
				t.Fatalf("standing when suspended (until %s): %s", until, rec.Body)
			}
			// Another volunteer is not affected; staff may still assign the suspended one.
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+next+"/bookings", toks[1], map[string]bool{}), 201)
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+next+"/assignments", w.staffA,
				map[string]string{"volunteer_id": v, "reason": "Cần người có kinh nghiệm"}), 201)
		})
	}
}
