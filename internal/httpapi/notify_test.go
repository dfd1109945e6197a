package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
	"ecitizen/internal/store/storetest"
)

// notificationsOf lists a user's notifications through the API (the first page).
func (e *testEnv) notificationsOf(token, query, language string) []map[string]any {
	e.t.Helper()
	req := e.newRequest(http.MethodGet, "/api/v1/me/notifications"+query, token, nil)
	if language != "" {
		req.Header.Set("Accept-Language", language)
	}
	rec := e.serve(req)
	mustStatus(e.t, rec, http.StatusOK)
	var out struct {
		Items []map[string]any `json:"items"`
	}
	decodeBody(e.t, rec, &out)
	return out.Items
}

// kinds counts notifications by kind.
func kinds(items []map[string]any) map[string]int {
	out := map[string]int{}
	for _, it := range items {
		out[it["kind"].(string)]++
	}
	return out
}

func TestNotifications(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			var rosters *roster.Service
			env := newTestEnvWith(t, ad, func(d *Deps) { rosters = d.Roster })
			w := newRosterWorld(t, env, "N"+ad.Name)
			ids, tokens := w.volunteers(t, 3)
			shiftA := w.shift(t, "Hướng dẫn dịch vụ công", localTime(2, 8, 0), 2, 1)

			// Booking: a booking_confirmed notification, in the request's language.
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+shiftA+"/bookings", tokens[0], map[string]bool{}), http.StatusCreated)
			vi := env.notificationsOf(tokens[0], "", "")
			if len(vi) != 1 || vi[0]["kind"] != "booking_confirmed" || vi[0]["shift_id"] != shiftA || vi[0]["read_at"] != nil ||
				vi[0]["title"] != "Đã xác nhận đăng ký ca trực" {
				t.Fatalf("after booking: %v", vi)
			}
			en := env.notificationsOf(tokens[0], "", "en")
			if len(en) != 1 || en[0]["title"] != "Booking confirmed" || en[0]["id"] != vi[0]["id"] {
				t.Fatalf("in English: %v", en)
			}

			// Marking read: only by its user.
			note := vi[0]["id"].(string)
			assertProblem(t, env.do("POST", "/api/v1/me/notifications/"+note+"/read", tokens[1], nil), http.StatusNotFound, "not_found")
			mustStatus(t, env.do("POST", "/api/v1/me/notifications/"+note+"/read", tokens[0], nil), http.StatusNoContent)
			if unread := env.notificationsOf(tokens[0], "?unread=true", ""); len(unread) != 0 {
				t.Fatalf("unread after marking read: %v", unread)
			}
			if all := env.notificationsOf(tokens[0], "", ""); len(all) != 1 || all[0]["read_at"] == nil {
				t.Fatalf("after marking read: %v", all)
			}

			// Promotion: the place freed goes to the waiting volunteer, who is told.
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+shiftA+"/bookings", tokens[1], map[string]bool{"waitlist": true}), http.StatusAccepted)
			mustStatus(t, env.do("DELETE", "/api/v1/shifts/"+shiftA+"/bookings/me", tokens[0], nil), http.StatusNoContent)
			if got := kinds(env.notificationsOf(tokens[1], "", "")); got["promoted"] != 1 || len(got) != 1 {
				t.Fatalf("promoted volunteer's notifications: %v", got)
			}

			// Cancelling the shift tells its volunteers.
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+shiftA+"/cancel", w.staffA, map[string]string{"reason": "Mất điện"}), http.StatusOK)
			if got := kinds(env.notificationsOf(tokens[1], "", "")); got["shift_cancelled"] != 1 {
				t.Fatalf("after cancelling: %v", got)
			}
			if got := kinds(env.notificationsOf(tokens[0], "", "")); got["shift_cancelled"] != 0 {
				t.Fatalf("a volunteer who had left was told of the cancellation: %v", got)
			}

			// Changing a shift tells its volunteers.
			startB := localTime(3, 9, 0)
			shiftB := w.shift(t, "Hỗ trợ cài VNeID", startB, 2, 5)
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+shiftB+"/bookings", tokens[2], map[string]bool{}), http.StatusCreated)
			mustStatus(t, env.do("PUT", "/api/v1/shifts/"+shiftB, w.staffA, shiftBody("Hỗ trợ cài đặt VNeID", startB, 2, 6)), http.StatusOK)
			if got := kinds(env.notificationsOf(tokens[2], "", "")); got["shift_changed"] != 1 || got["booking_confirmed"] != 1 {
				t.Fatalf("after changing the shift: %v", got)
			}

			// Reminders: twice in the window, one reminder.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			for range 2 {
				if _, err := rosters.SendReminders(ctx, startB.Add(-24*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			if got := kinds(env.notificationsOf(tokens[2], "", "")); got["reminder"] != 1 {
				t.Fatalf("after two reminder runs: %v", got)
			}
			ns, err := env.store.ListNotifications(ctx, ids[2], true, page.Request{})
			if err != nil {
				t.Fatal(err)
			}
			if len(ns) != 3 {
				t.Fatalf("stored %d unread notifications, want 3", len(ns))
			}
			// Outside the window: none.
			if n, err := rosters.SendReminders(ctx, startB.Add(-26*time.Hour)); err != nil || n != 0 {
				t.Fatalf("reminders 26 hours ahead: %d, %v", n, err)
			}
		})
	}
}

// failingNotifier fails every notice.
type failingNotifier struct{}

func (failingNotifier) Notify(context.Context, string, string, string, *roster.Shift) error {
	return errors.New("outbox unavailable")
}

// TestFailedNotificationKeepsBooking: a notice that fails is logged; the booking stands.
func TestFailedNotificationKeepsBooking(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	w := newRosterWorld(t, env, "F")
	ids, _ := w.volunteers(t, 1)
	shift := w.shift(t, "Hướng dẫn dịch vụ công", localTime(2, 8, 0), 2, 3)
	var logs lockedBuffer
	rs := roster.NewService(roster.Deps{Store: env.store, Centres: env.directory, Qualifications: env.courses, People: env.identity,
		Notifier: failingNotifier{}, Logger: testLogger(&logs), Now: testNow})
	res, err := rs.Book(t.Context(), identity.Caller{UserID: ids[0], Role: identity.RoleVolunteer}, shift, false)
	if err != nil || res.Booking == nil {
		t.Fatalf("booking with a failing outbox: %v, %+v", err, res)
	}
	if n, err := rs.SendReminders(t.Context(), localTime(2, 8, 0).Add(-24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("reminders with a failing outbox: %d, %v", n, err)
	}
	for _, msg := range []string{"roster: notification failed", "roster: reminder failed"} {
		if !strings.Contains(logs.String(), msg) {
			t.Errorf("%q not logged: %s", msg, logs.String())
		}
	}
}
