package httpapi

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/identity"
	"ecitizen/internal/store/storetest"
)

var hanoi = time.FixedZone("ICT", 7*3600)

// allDay is opening hours of a centre open every day, all day.
func allDay() map[string]any {
	day := []map[string]string{{"open": "00:00", "close": "24:00"}}
	return map[string]any{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}
}

// localTime returns a time days from today (by the services' clock, testNow) at
// hh:mm in Hanoi.
func localTime(days, hh, mm int) time.Time {
	y, m, d := testNow().In(hanoi).Date()
	return time.Date(y, m, d+days, hh, mm, 0, 0, hanoi)
}

func shiftBody(title string, start time.Time, hours, places int) map[string]any {
	return map[string]any{"title": title, "role": "guide", "places": places,
		"starts_at": start.UTC().Format(time.RFC3339), "ends_at": start.Add(time.Duration(hours) * time.Hour).UTC().Format(time.RFC3339)}
}

type rosterWorld struct {
	env            *testEnv
	admin, staffA  string
	staffB         string
	wardA, centreA string
	org            string
}

func newRosterWorld(t *testing.T, env *testEnv, suffix string) *rosterWorld {
	t.Helper()
	w := &rosterWorld{env: env, admin: env.adminToken()}
	w.wardA = env.createWard(w.admin, "RA"+suffix, "Phường Minh Khai "+suffix)
	wardB := env.createWard(w.admin, "RB"+suffix, "Phường Vĩnh Tuy "+suffix)
	body := centreBody("Nhà sinh hoạt cộng đồng tổ 12")
	body["opening_hours"] = allDay()
	w.centreA = env.created(w.admin, "/api/v1/wards/"+w.wardA+"/centres", body)
	w.org = env.createOrganisation(w.admin, "Đoàn Thanh niên "+suffix)
	for _, s := range []struct {
		email, ward string
		tok         *string
	}{{"r-cb-a-" + suffix + "@example.vn", w.wardA, &w.staffA}, {"r-cb-b-" + suffix + "@example.vn", wardB, &w.staffB}} {
		env.createUser(w.admin, map[string]any{"email": s.email, "display_name": "Cán bộ phường", "password": "mat-khau-2026", "role": "ward_staff", "ward_ids": []string{s.ward}})
		*s.tok, _ = env.login(s.email, "mat-khau-2026")
	}
	return w
}

// volunteers creates n volunteers directly in the store (one password hash for
// all) and mints their access tokens, so a test can have hundreds cheaply.
func (w *rosterWorld) volunteers(t *testing.T, n int) (ids, tokens []string) {
	t.Helper()
	hash, err := identity.TestPasswordCost.Hash("mat-khau-2026")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := identity.NewTokens(w.env.jwtKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := testNow().UTC().Truncate(time.Millisecond)
	for i := range n {
		u := &identity.User{ID: uuid.Must(uuid.NewV7()).String(), Email: fmt.Sprintf("tnv%04d-%s@example.vn", i, uuid.NewString()[:8]),
			DisplayName: fmt.Sprintf("Tình nguyện viên %d", i), Role: identity.RoleVolunteer, Status: identity.StatusActive,
			Scope: identity.Scope{OrganisationID: w.org}, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		u.EmailKey = identity.NormaliseEmail(u.Email)
		if err := w.env.store.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
		access, err := tok.Issue(u, uuid.NewString())
		if err != nil {
			t.Fatal(err)
		}
		ids, tokens = append(ids, u.ID), append(tokens, access)
	}
	return ids, tokens
}

func (w *rosterWorld) shift(t *testing.T, title string, start time.Time, hours, places int) string {
	t.Helper()
	return w.env.created(w.staffA, "/api/v1/centres/"+w.centreA+"/shifts", shiftBody(title, start, hours, places))
}

func TestBookingInvariants(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, ad.Name)
			ids, tokens := w.volunteers(t, 200)

			t.Run("TwoHundredVolunteersFiveplaces", func(t *testing.T) {
				e := env.sub(t)
				id := w.shift(t, "Hướng dẫn dịch vụ công", localTime(2, 8, 0), 3, 5)
				var wg sync.WaitGroup
				codes := make([]int, 200)
				for i := range codes {
					wg.Add(1)
					go func() {
						defer wg.Done()
						codes[i] = e.do("POST", "/api/v1/shifts/"+id+"/bookings", tokens[i], map[string]bool{"waitlist": i%2 == 0}).Code
					}()
				}
				wg.Wait()
				count := map[int]int{}
				for _, c := range codes {
					count[c]++
				}
				bs, err := e.store.Bookings(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				ws, err := e.store.Waiters(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				if count[201] != 5 || len(bs) != 5 || count[202] != len(ws) || count[201]+count[202]+count[409] != 200 {
					t.Fatalf("answers %v; stored %d bookings and %d waiters", count, len(bs), len(ws))
				}
				for i, b := range bs {
					if b.Place != i+1 {
						t.Fatalf("places %v", bs)
					}
				}
				// Waiters are in arrival order: their positions were handed out 1, 2, 3…
				if len(ws) < 90 {
					t.Fatalf("only %d waiting", len(ws))
				}
			})
			t.Run("OneVolunteerFiftyTimes", func(t *testing.T) {
				e := env.sub(t)
				id := w.shift(t, "Một người năm mươi lần", localTime(3, 8, 0), 2, 10)
				var wg sync.WaitGroup
				codes := make([]int, 50)
				for i := range codes {
					wg.Add(1)
					go func() {
						defer wg.Done()
						codes[i] = e.do("POST", "/api/v1/shifts/"+id+"/bookings", tokens[0], map[string]bool{}).Code
					}()
				}
				wg.Wait()
				ok := 0
				for _, c := range codes {
					if c == 201 {
						ok++
					} else if c != 409 {
						t.Fatalf("status %d", c)
					}
				}
				bs, _ := e.store.Bookings(context.Background(), id)
				if ok != 1 || len(bs) != 1 {
					t.Fatalf("%d answered 201, %d stored", ok, len(bs))
				}
			})
			t.Run("OverlappingShiftsNeverBoth", func(t *testing.T) {
				e := env.sub(t)
				for round := range 50 {
					a := w.shift(t, "Ca sáng", localTime(4+round%8, 8, 0), 3, 5)
					b := w.shift(t, "Ca chồng giờ", localTime(4+round%8, 9, 0), 3, 5)
					var wg sync.WaitGroup
					codes := make([]int, 2)
					for i, id := range []string{a, b} {
						wg.Add(1)
						go func() {
							defer wg.Done()
							codes[i] = e.do("POST", "/api/v1/shifts/"+id+"/bookings", tokens[1], map[string]bool{}).Code
						}()
					}
					wg.Wait()
					ba, _ := e.store.Booking(context.Background(), a, ids[1])
					bb, _ := e.store.Booking(context.Background(), b, ids[1])
					if (ba != nil) == (bb != nil) || codes[0]+codes[1] != 201+409 {
						t.Fatalf("round %d: codes %v, booked a=%v b=%v", round, codes, ba != nil, bb != nil)
					}
					for _, id := range []string{a, b} {
						e.do("DELETE", "/api/v1/shifts/"+id+"/bookings/me", tokens[1], nil)
					}
				}
			})
			t.Run("CancellationPromotesEachWaiterOnce", func(t *testing.T) {
				e := env.sub(t)
				id := w.shift(t, "Ca có danh sách chờ", localTime(12, 8, 0), 3, 2)
				for i := 10; i < 12; i++ {
					mustStatus(t, e.do("POST", "/api/v1/shifts/"+id+"/bookings", tokens[i], map[string]bool{}), 201)
				}
				for i := 12; i < 16; i++ {
					rec := e.do("POST", "/api/v1/shifts/"+id+"/bookings", tokens[i], map[string]bool{"waitlist": true})
					mustStatus(t, rec, 202)
					if pos := decode(t, rec)["position"]; pos != float64(i-11) {
						t.Fatalf("position %v, want %d", pos, i-11)
					}
				}
				assertProblem(t, e.do("POST", "/api/v1/shifts/"+id+"/bookings", tokens[20], map[string]bool{}), 409, "shift_full")
				// Two places free at the same moment: the first two waiters get them, once each.
				var wg sync.WaitGroup
				for i := 10; i < 12; i++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if rec := e.do("DELETE", "/api/v1/shifts/"+id+"/bookings/me", tokens[i], nil); rec.Code != 204 {
							t.Errorf("cancel: %d %s", rec.Code, rec.Body)
						}
					}()
				}
				wg.Wait()
				bs, _ := e.store.Bookings(context.Background(), id)
				ws, _ := e.store.Waiters(context.Background(), id)
				got := map[string]bool{}
				for _, b := range bs {
					got[b.VolunteerID] = true
				}
				if len(bs) != 2 || !got[ids[12]] || !got[ids[13]] || len(ws) != 2 || ws[0].VolunteerID != ids[14] || ws[1].VolunteerID != ids[15] {
					index := map[string]int{}
					for i, v := range ids {
						index[v] = i
					}
					var booked, waiting []int
					for _, b := range bs {
						booked = append(booked, index[b.VolunteerID])
					}
					for _, w := range ws {
						waiting = append(waiting, index[w.VolunteerID])
					}
					events, _ := e.store.Events(context.Background(), id)
					var hist []string
					for _, ev := range events {
						hist = append(hist, fmt.Sprintf("%s:%d", ev.Kind, index[ev.VolunteerID]))
					}
					t.Fatalf("after two cancellations: volunteers booked %v, waiting %v (want [12 13] and [14 15]); history %v", booked, waiting, hist)
				}
				events, _ := e.store.Events(context.Background(), id)
				promoted := 0
				for _, ev := range events {
					if ev.Kind == "promoted" {
						promoted++
					}
				}
				if promoted != 2 {
					t.Fatalf("%d promotions recorded, want 2", promoted)
				}
				// The waiters' own lists: places moved up; the promoted wait no more.
				for i, want := range map[int]float64{14: 1, 15: 2, 12: 0} {
					rec := e.do("GET", "/api/v1/me/waiting", tokens[i], nil)
					mustStatus(t, rec, 200)
					items := decode(t, rec)["items"].([]any)
					var pos float64
					for _, it := range items {
						if m := it.(map[string]any); m["shift_id"] == id {
							pos = m["position"].(float64)
						}
					}
					if pos != want {
						t.Fatalf("volunteer %d: position %v on GET /me/waiting, want %v (0: none)", i, pos, want)
					}
				}
			})
		})
	}
}
