package httpapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"ecitizen/internal/roster"
	"ecitizen/internal/store/storetest"
)

// TestBookingRules: every window and rule refuses with its code; staff overrides
// keep their reason but never exceed capacity.
func TestBookingRules(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	w := newRosterWorld(t, env, "rules")
	ids, tokens := w.volunteers(t, 6)
	book := func(id, token string) *http.Request {
		return env.newRequest("POST", "/api/v1/shifts/"+id+"/bookings", token, map[string]bool{})
	}

	t.Run("ErrInvalidShift", func(t *testing.T) {
		e := env.sub(t)
		for name, b := range map[string]map[string]any{
			"ZeroMinutes":  shiftBody("x", localTime(2, 8, 0), 0, 3),
			"ThirteenHour": shiftBody("x", localTime(2, 6, 0), 13, 3),
			"Past":         shiftBody("x", localTime(-2, 8, 0), 2, 3),
			"TwoDays":      shiftBody("x", localTime(2, 23, 0), 2, 3),
			"NoPlaces":     shiftBody("x", localTime(2, 8, 0), 2, 0),
		} {
			if rec := e.do("POST", "/api/v1/centres/"+w.centreA+"/shifts", w.staffA, b); rec.Code != 400 {
				t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
			}
		}
		// A centre open on Mondays only, in the morning.
		morning := e.created(w.admin, "/api/v1/wards/"+w.wardA+"/centres", centreBody("Chỉ mở sáng thứ Hai"))
		day := 1
		for localTime(day, 9, 0).Weekday() != time.Monday {
			day++
		}
		assertProblem(t, e.do("POST", "/api/v1/centres/"+morning+"/shifts", w.staffA, shiftBody("Chiều", localTime(day, 13, 0), 2, 3)), 400, "centre_closed")
		assertProblem(t, e.do("POST", "/api/v1/centres/"+morning+"/shifts", w.staffA, shiftBody("Thứ Ba", localTime(day+1, 9, 0), 2, 3)), 400, "centre_closed")
		mustStatus(t, e.do("POST", "/api/v1/centres/"+morning+"/shifts", w.staffA, shiftBody("Sáng", localTime(day, 8, 30), 3, 3)), 201)
		assertProblem(t, e.do("POST", "/api/v1/centres/"+w.centreA+"/shifts", w.staffB, shiftBody("x", localTime(2, 8, 0), 2, 3)), 404, "not_found")
	})
	t.Run("ErrSignupNotOpen", func(t *testing.T) {
		e := env.sub(t)
		id := w.shift(t, "Còn xa", localTime(40, 8, 0), 2, 3)
		assertProblem(t, e.serve(book(id, tokens[0])), 409, "signup_not_open")
	})
	t.Run("ErrCollidesAndAlreadyBooked", func(t *testing.T) {
		e := env.sub(t)
		a := w.shift(t, "Ca A", localTime(5, 8, 0), 3, 3)
		b := w.shift(t, "Ca B", localTime(5, 10, 0), 2, 3)
		c := w.shift(t, "Ca C liền sau", localTime(5, 11, 0), 2, 3)
		mustStatus(t, e.serve(book(a, tokens[0])), 201)
		assertProblem(t, e.serve(book(a, tokens[0])), 409, "already_booked")
		assertProblem(t, e.serve(book(b, tokens[0])), 409, "collides")
		mustStatus(t, e.serve(book(c, tokens[0])), 201) // adjacent, not overlapping
	})
	t.Run("ErrNotQualified", func(t *testing.T) {
		e := env.sub(t)
		p := newCoursePeople(t, env, "rules")
		course := env.publishCourse(p, "Hướng dẫn người dân tại điểm hỗ trợ")
		body := shiftBody("Cần chứng chỉ", localTime(6, 8, 0), 2, 3)
		body["qualification_course_id"] = course
		id := e.created(w.staffA, "/api/v1/centres/"+w.centreA+"/shifts", body)
		assertProblem(t, e.serve(book(id, tokens[1])), 409, "not_qualified")
		// p.volunteer completes the course, then may book.
		base := "/api/v1/courses/" + course
		mustStatus(t, e.do("POST", base+"/start", p.volunteer, nil), 201)
		mustStatus(t, e.do("POST", base+"/lessons/gioi-thieu/complete", p.volunteer, nil), 200)
		mustStatus(t, e.do("POST", base+"/lessons/kiem-tra/attempts", p.volunteer, map[string]any{"answers": map[string][]string{"q1": {"b"}, "q2": {"a", "b"}}}), 201)
		mustStatus(t, e.serve(book(id, p.volunteer)), 201)
	})
	t.Run("ErrShiftStartedAndCancelDeadline", func(t *testing.T) {
		e := env.sub(t)
		id := w.shift(t, "Sắp bắt đầu", localTime(7, 8, 0), 2, 3)
		mustStatus(t, e.serve(book(id, tokens[2])), 201)
		sh, err := e.store.ShiftByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		sh.CancelDeadline = testNow().UTC().Add(-time.Minute).Truncate(time.Millisecond)
		sh.SignupOpensAt = sh.CancelDeadline.Add(-time.Hour)
		if err := roster.PutShift(context.Background(), e.store, sh, "test"); err != nil {
			t.Fatal(err)
		}
		assertProblem(t, e.do("DELETE", "/api/v1/shifts/"+id+"/bookings/me", tokens[2], nil), 409, "cancel_deadline_passed")
		sh.StartsAt = testNow().UTC().Add(-time.Minute).Truncate(time.Millisecond)
		sh.EndsAt = sh.StartsAt.Add(2 * time.Hour)
		sh.SignupOpensAt, sh.CancelDeadline = sh.StartsAt.Add(-48*time.Hour), sh.StartsAt.Add(-3*time.Hour)
		if err := roster.PutShift(context.Background(), e.store, sh, "test"); err != nil {
			t.Fatal(err)
		}
		assertProblem(t, e.serve(book(id, tokens[3])), 409, "shift_started")
		// Staff may still remove, with a reason that is kept.
		assertProblem(t, e.do("DELETE", "/api/v1/shifts/"+id+"/assignments/"+ids[2], w.staffA, map[string]string{}), 400, "invalid")
		rec := e.do("DELETE", "/api/v1/shifts/"+id+"/assignments/"+ids[2], w.staffA, map[string]string{"reason": "Ốm, báo trước"})
		mustStatus(t, rec, 204)
		roster := decode(t, e.do("GET", "/api/v1/shifts/"+id+"/roster", w.staffA, nil))
		hist := roster["history"].([]any)
		last := hist[len(hist)-1].(map[string]any)
		if last["kind"] != "removed" || last["reason"] != "Ốm, báo trước" {
			t.Fatalf("history %v", hist)
		}
	})
	t.Run("StaffAssignKeepsReasonNeverAboveCapacity", func(t *testing.T) {
		e := env.sub(t)
		id := w.shift(t, "Phân công", localTime(40, 8, 0), 2, 1) // sign-up not open yet
		assertProblem(t, e.do("POST", "/api/v1/shifts/"+id+"/assignments", w.staffA, map[string]string{"volunteer_id": ids[4]}), 400, "invalid")
		rec := e.do("POST", "/api/v1/shifts/"+id+"/assignments", w.staffA, map[string]string{"volunteer_id": ids[4], "reason": "Trưởng nhóm"})
		mustStatus(t, rec, 201)
		if b := decode(t, rec); b["reason"] != "Trưởng nhóm" || b["booked_by"] == ids[4] {
			t.Fatalf("assignment %v", b)
		}
		assertProblem(t, e.do("POST", "/api/v1/shifts/"+id+"/assignments", w.staffA, map[string]string{"volunteer_id": ids[5], "reason": "Thêm người"}), 409, "shift_full")
		assertProblem(t, e.do("POST", "/api/v1/shifts/"+id+"/assignments", w.staffB, map[string]string{"volunteer_id": ids[5], "reason": "x"}), 404, "not_found")
		// Raising the capacity lets the assignment through.
		body := shiftBody("Phân công", localTime(40, 8, 0), 2, 2)
		mustStatus(t, e.do("PUT", "/api/v1/shifts/"+id, w.staffA, body), 200)
		mustStatus(t, e.do("POST", "/api/v1/shifts/"+id+"/assignments", w.staffA, map[string]string{"volunteer_id": ids[5], "reason": "Thêm người"}), 201)
		assertProblem(t, e.do("PUT", "/api/v1/shifts/"+id, w.staffA, shiftBody("Phân công", localTime(40, 8, 0), 2, 1)), 409, "places_below_booked")
	})
	t.Run("ErrShiftCancelled", func(t *testing.T) {
		e := env.sub(t)
		id := w.shift(t, "Sẽ huỷ", localTime(8, 8, 0), 2, 3)
		mustStatus(t, e.do("POST", "/api/v1/shifts/"+id+"/cancel", w.staffA, map[string]string{"reason": "Mất điện"}), 200)
		assertProblem(t, e.serve(book(id, tokens[5])), 409, "shift_cancelled")
	})
	t.Run("OnlyVolunteersBook", func(t *testing.T) {
		e := env.sub(t)
		id := w.shift(t, "Chỉ tình nguyện viên", localTime(9, 8, 0), 2, 3)
		assertProblem(t, e.serve(book(id, w.staffA)), 403, "forbidden")
	})
}

// TestShiftChangesKeepBookingsConsistent: a booked shift keeps its times, and a
// cancelled shift frees its volunteers for that time.
func TestShiftChangesKeepBookingsConsistent(t *testing.T) {
	env := newTestEnv(t, storetest.SQLite())
	w := newRosterWorld(t, env, "change")
	ids, tokens := w.volunteers(t, 2)
	id := w.shift(t, "Ca sáng", localTime(3, 8, 0), 2, 3)
	mustStatus(t, env.do("POST", "/api/v1/shifts/"+id+"/bookings", tokens[0], map[string]bool{}), 201)
	assertProblem(t, env.do("PUT", "/api/v1/shifts/"+id, w.staffA, shiftBody("Ca chiều", localTime(3, 14, 0), 2, 3)), 409, "shift_booked")
	mustStatus(t, env.do("PUT", "/api/v1/shifts/"+id, w.staffA, shiftBody("Ca sáng (đổi tên)", localTime(3, 8, 0), 2, 4)), 200)

	other := w.shift(t, "Ca trùng giờ", localTime(3, 9, 0), 2, 3)
	assertProblem(t, env.do("POST", "/api/v1/shifts/"+other+"/bookings", tokens[0], map[string]bool{}), 409, "collides")
	mustStatus(t, env.do("POST", "/api/v1/shifts/"+id+"/cancel", w.staffA, map[string]string{"reason": "Mất điện"}), 200)
	mustStatus(t, env.do("POST", "/api/v1/shifts/"+other+"/bookings", tokens[0], map[string]bool{}), 201)
	if bs, _ := env.store.Bookings(context.Background(), id); len(bs) != 0 {
		t.Fatalf("the cancelled shift still holds %d bookings", len(bs))
	}
	// Staff assign volunteers only: not another role, not an unknown id.
	assertProblem(t, env.do("POST", "/api/v1/shifts/"+other+"/assignments", w.staffA, map[string]string{"volunteer_id": "nope", "reason": "x"}), 400, "invalid")
	me := decode(t, env.do("GET", "/api/v1/me", w.staffB, nil))["id"].(string)
	assertProblem(t, env.do("POST", "/api/v1/shifts/"+other+"/assignments", w.staffA, map[string]string{"volunteer_id": me, "reason": "x"}), 400, "invalid")
	mustStatus(t, env.do("POST", "/api/v1/shifts/"+other+"/assignments", w.staffA, map[string]string{"volunteer_id": ids[1], "reason": "Thiếu người"}), 201)
	assertProblem(t, env.do("POST", "/api/v1/centres/nope/shifts", w.staffA, shiftBody("x", localTime(3, 8, 0), 2, 3)), 404, "not_found")
}
