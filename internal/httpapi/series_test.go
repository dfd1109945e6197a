package httpapi

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/roster"
	"ecitizen/internal/store/storetest"
)

// seriesBody is a weekly series from today, horizon weeks ahead.
func seriesBody(rule, start, end string, horizon int) map[string]any {
	return map[string]any{"rule": rule, "first_date": testNow().In(hanoi).Format(time.DateOnly), "start_time": start, "end_time": end,
		"horizon_weeks": horizon, "title": "Hướng dẫn dịch vụ công trực tuyến", "role": "guide", "places": 3}
}

// seriesChange is a change of a series' times and title (rule and horizon kept).
func seriesChange(start, end, title string) map[string]any {
	return map[string]any{"start_time": start, "end_time": end, "title": title, "role": "guide", "places": 3}
}

// seriesOut is what the series routes answer, as far as the tests read it.
type seriesOut struct {
	Series struct {
		ID        string  `json:"id"`
		StartTime string  `json:"start_time"`
		Title     string  `json:"title"`
		Until     *string `json:"until"`
		Status    string  `json:"status"`
	} `json:"series"`
	Created []shiftOut `json:"created"`
	Changed []shiftOut `json:"changed"`
	Deleted int        `json:"deleted"`
	Skipped []struct {
		Date string `json:"date"`
		Code string `json:"code"`
	} `json:"skipped"`
}

type shiftOut struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	StartsAt   time.Time `json:"starts_at"`
	Status     string    `json:"status"`
	SeriesID   *string   `json:"series_id"`
	Occurrence *string   `json:"occurrence"`
	Detached   bool      `json:"detached"`
}

func (w *rosterWorld) series(t *testing.T, body map[string]any) seriesOut {
	t.Helper()
	rec := w.env.do("POST", "/api/v1/centres/"+w.centreA+"/shift-series", w.staffA, body)
	mustStatus(t, rec, http.StatusCreated)
	var out seriesOut
	decodeBody(t, rec, &out)
	return out
}

// seriesShifts returns a series' shifts from today on (GET /shift-series/{id}).
func (w *rosterWorld) seriesShifts(t *testing.T, id string) []shiftOut {
	t.Helper()
	rec := w.env.do("GET", "/api/v1/shift-series/"+id, w.staffA, nil)
	mustStatus(t, rec, http.StatusOK)
	var out struct {
		Shifts []shiftOut `json:"shifts"`
	}
	decodeBody(t, rec, &out)
	return out.Shifts
}

func (w *rosterWorld) shiftOf(t *testing.T, id string) shiftOut {
	t.Helper()
	rec := w.env.do("GET", "/api/v1/shifts/"+id, w.staffA, nil)
	mustStatus(t, rec, http.StatusOK)
	var out shiftOut
	decodeBody(t, rec, &out)
	return out
}

func localHHMM(t time.Time) string { return t.In(hanoi).Format("15:04") }

func TestShiftSeries(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "S"+ad.Name[:2])
			ids, tokens := w.volunteers(t, 4)

			t.Run("EightWeeksOfMondaysAndWednesdays", func(t *testing.T) {
				s := w.series(t, seriesBody("FREQ=WEEKLY;BYDAY=MO,WE", "08:00", "10:00", 8))
				if len(s.Created) != 16 || len(s.Skipped) != 0 {
					t.Fatalf("created %d, skipped %d; want 16 and 0", len(s.Created), len(s.Skipped))
				}
				for _, sh := range s.Created {
					day := sh.StartsAt.In(hanoi).Weekday()
					if localHHMM(sh.StartsAt) != "08:00" || (day != time.Monday && day != time.Wednesday) ||
						sh.SeriesID == nil || *sh.SeriesID != s.Series.ID || sh.Occurrence == nil || *sh.Occurrence != sh.StartsAt.In(hanoi).Format(time.DateOnly) {
						t.Errorf("occurrence %+v", sh)
					}
				}
			})

			t.Run("ClosedDaysAreSkipped", func(t *testing.T) {
				centre := env.created(w.admin, "/api/v1/wards/"+w.wardA+"/centres", centreBody("Nhà văn hoá mở thứ Hai"))
				rec := env.do("POST", "/api/v1/centres/"+centre+"/shift-series", w.staffA, seriesBody("FREQ=WEEKLY;BYDAY=MO,WE", "08:30", "10:30", 8))
				mustStatus(t, rec, http.StatusCreated)
				var s seriesOut
				decodeBody(t, rec, &s)
				if len(s.Created) != 8 || len(s.Skipped) != 8 {
					t.Fatalf("created %d, skipped %d; want 8 and 8", len(s.Created), len(s.Skipped))
				}
				for _, sk := range s.Skipped {
					if sk.Code != "centre_closed" {
						t.Errorf("skipped %+v", sk)
					}
				}
			})

			t.Run("ErrRuleInvalid", func(t *testing.T) {
				for _, rule := range []string{"FREQ=DAILY", "hello", "FREQ=WEEKLY;BYHOUR=9", "FREQ=WEEKLY;BYSETPOS=1", "FREQ=WEEKLY;BYDAY=1MO",
					"FREQ=WEEKLY;COUNT=3;UNTIL=20300101", "FREQ=WEEKLY;INTERVAL=99", "FREQ=WEEKLY;UNTIL=20000101"} {
					rec := env.do("POST", "/api/v1/centres/"+w.centreA+"/shift-series", w.staffA, seriesBody(rule, "08:00", "10:00", 8))
					assertProblem(t, rec, http.StatusBadRequest, "invalid")
					if p := decode(t, rec); p["errors"].([]any)[0].(map[string]any)["field"] != "rule" ||
						p["errors"].([]any)[0].(map[string]any)["code"] != "rule_invalid" {
						t.Errorf("%s: %v", rule, p["errors"])
					}
				}
				bad := seriesBody("FREQ=WEEKLY", "10:00", "10:10", 8)
				assertProblem(t, env.do("POST", "/api/v1/centres/"+w.centreA+"/shift-series", w.staffA, bad), http.StatusBadRequest, "invalid")
			})

			t.Run("ScopeIsTheWard", func(t *testing.T) {
				s := w.series(t, seriesBody("FREQ=WEEKLY;BYDAY=SU", "08:00", "10:00", 1))
				assertProblem(t, env.do("POST", "/api/v1/centres/"+w.centreA+"/shift-series", w.staffB, seriesBody("FREQ=WEEKLY", "08:00", "10:00", 1)), http.StatusNotFound, "not_found")
				assertProblem(t, env.do("GET", "/api/v1/shift-series/"+s.Series.ID, w.staffB, nil), http.StatusNotFound, "not_found")
				assertProblem(t, env.do("PUT", "/api/v1/shift-series/"+s.Series.ID, w.staffB, seriesChange("09:00", "10:00", "X")), http.StatusNotFound, "not_found")
				assertProblem(t, env.do("POST", "/api/v1/shift-series/"+s.Series.ID+"/cancel", w.staffB, nil), http.StatusNotFound, "not_found")
				assertProblem(t, env.do("DELETE", "/api/v1/shift-series/"+s.Series.ID, w.staffB, nil), http.StatusNotFound, "not_found")
				assertProblem(t, env.do("GET", "/api/v1/centres/"+w.centreA+"/shift-series", w.staffB, nil), http.StatusNotFound, "not_found")
			})

			t.Run("EditWholeFollowingAndThis", func(t *testing.T) {
				// From tomorrow, eight Tuesdays bounded by UNTIL inside a long
				// horizon: moving the series an hour later then neither creates
				// today's occurrence nor drops the last one past the horizon, at
				// whatever time of which day the test runs.
				tomorrow := testNow().In(hanoi).AddDate(0, 0, 1)
				firstTue := tomorrow.AddDate(0, 0, (int(time.Tuesday)-int(tomorrow.Weekday())+7)%7)
				body := seriesBody("FREQ=WEEKLY;BYDAY=TU;UNTIL="+firstTue.AddDate(0, 0, 49).Format("20060102"), "08:00", "10:00", 26)
				body["first_date"] = tomorrow.Format(time.DateOnly)
				s := w.series(t, body)
				shifts := w.seriesShifts(t, s.Series.ID)
				if len(shifts) != 8 {
					t.Fatalf("%d shifts", len(shifts))
				}
				// This shift: detached, and left alone by series edits.
				this := shifts[1]
				mustStatus(t, env.do("PUT", "/api/v1/shifts/"+this.ID, w.staffA, shiftBody("Ca riêng", this.StartsAt, 2, 3)), http.StatusOK)
				if got := w.shiftOf(t, this.ID); !got.Detached || got.SeriesID == nil || *got.SeriesID != s.Series.ID {
					t.Fatalf("edited occurrence %+v", got)
				}
				// The whole series moves to 09:00.
				rec := env.do("PUT", "/api/v1/shift-series/"+s.Series.ID, w.staffA, seriesChange("09:00", "11:00", "Ca chín giờ"))
				mustStatus(t, rec, http.StatusOK)
				var whole seriesOut
				decodeBody(t, rec, &whole)
				if whole.Series.ID != s.Series.ID || len(whole.Changed) != 7 || len(whole.Created) != 0 {
					t.Fatalf("whole change: series %s, changed %d, created %d", whole.Series.ID, len(whole.Changed), len(whole.Created))
				}
				for i, sh := range w.seriesShifts(t, s.Series.ID) {
					want, title := "09:00", "Ca chín giờ"
					if sh.ID == this.ID {
						want, title = "08:00", "Ca riêng"
					}
					if localHHMM(sh.StartsAt) != want || sh.Title != title || sh.ID != shifts[i].ID {
						t.Errorf("after the whole change, occurrence %d: %+v", i, sh)
					}
				}
				// This and following, from the fifth: a new series takes them over.
				from := shifts[4]
				body = seriesChange("13:00", "15:00", "Ca chiều")
				body["from_shift_id"] = from.ID
				rec = env.do("PUT", "/api/v1/shift-series/"+s.Series.ID, w.staffA, body)
				mustStatus(t, rec, http.StatusOK)
				var split seriesOut
				decodeBody(t, rec, &split)
				if split.Series.ID == s.Series.ID || len(split.Changed) != 4 {
					t.Fatalf("split: series %s, changed %d", split.Series.ID, len(split.Changed))
				}
				old := w.seriesShifts(t, s.Series.ID)
				next := w.seriesShifts(t, split.Series.ID)
				if len(old) != 4 || len(next) != 4 || next[0].ID != from.ID {
					t.Fatalf("after the split: %d and %d shifts", len(old), len(next))
				}
				for _, sh := range next {
					if localHHMM(sh.StartsAt) != "13:00" || sh.Title != "Ca chiều" {
						t.Errorf("following occurrence %+v", sh)
					}
				}
				rec = env.do("GET", "/api/v1/shift-series/"+s.Series.ID, w.staffA, nil)
				if until := decode(t, rec)["until"]; until != from.StartsAt.In(hanoi).AddDate(0, 0, -1).Format(time.DateOnly) {
					t.Errorf("old series until %v", until)
				}
			})

			t.Run("ErrBookedOccurrenceKeepsItsTimes", func(t *testing.T) {
				s := w.series(t, seriesBody("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "08:00", "10:00", 2))
				shifts := w.seriesShifts(t, s.Series.ID)
				booked := shifts[2]
				for _, tok := range tokens[:2] {
					mustStatus(t, env.do("POST", "/api/v1/shifts/"+booked.ID+"/bookings", tok, map[string]bool{}), http.StatusCreated)
				}
				assertProblem(t, env.do("PUT", "/api/v1/shift-series/"+s.Series.ID, w.staffA, seriesChange("09:00", "11:00", "Đổi giờ")), http.StatusConflict, "shift_booked")
				fewer := seriesChange("08:00", "10:00", "Bớt chỗ")
				fewer["places"] = 1
				assertProblem(t, env.do("PUT", "/api/v1/shift-series/"+s.Series.ID, w.staffA, fewer), http.StatusConflict, "places_below_booked")
				dropped := seriesChange("08:00", "10:00", "Bỏ ngày")
				dropped["rule"] = "FREQ=WEEKLY;BYDAY=" + map[time.Weekday]string{time.Monday: "TU", time.Tuesday: "WE", time.Wednesday: "TH", time.Thursday: "FR",
					time.Friday: "SA", time.Saturday: "SU", time.Sunday: "MO"}[booked.StartsAt.In(hanoi).Weekday()]
				assertProblem(t, env.do("PUT", "/api/v1/shift-series/"+s.Series.ID, w.staffA, dropped), http.StatusConflict, "shift_booked")
				// Nothing was written.
				for i, sh := range w.seriesShifts(t, s.Series.ID) {
					if sh.ID != shifts[i].ID || localHHMM(sh.StartsAt) != "08:00" || sh.Title != shifts[i].Title {
						t.Fatalf("occurrence %d changed by a refused edit: %+v", i, sh)
					}
				}
				// A change that keeps the times reaches the booked volunteers.
				mustStatus(t, env.do("PUT", "/api/v1/shift-series/"+s.Series.ID, w.staffA, seriesChange("08:00", "10:00", "Tên mới")), http.StatusOK)
				if got := w.shiftOf(t, booked.ID); got.Title != "Tên mới" {
					t.Fatalf("booked occurrence %+v", got)
				}
				if n := env.notificationsOf(tokens[0], "", "vi"); len(n) == 0 || n[0]["kind"] != roster.NoticeShiftChanged {
					t.Fatalf("notices of the booked volunteer: %v", n)
				}
			})

			t.Run("CancelFollowing", func(t *testing.T) {
				s := w.series(t, seriesBody("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "12:00", "13:00", 1))
				shifts := w.seriesShifts(t, s.Series.ID)
				mustStatus(t, env.do("POST", "/api/v1/shifts/"+shifts[4].ID+"/bookings", tokens[2], map[string]bool{}), http.StatusCreated)
				rec := env.do("POST", "/api/v1/shift-series/"+s.Series.ID+"/cancel", w.staffA, map[string]string{"reason": "Sửa chữa", "from_shift_id": shifts[3].ID})
				mustStatus(t, rec, http.StatusOK)
				if n := len(decode(t, rec)["cancelled"].([]any)); n != len(shifts)-3 {
					t.Fatalf("cancelled %d, want %d", n, len(shifts)-3)
				}
				for i, sh := range w.seriesShifts(t, s.Series.ID) {
					if want := map[bool]string{true: "scheduled", false: "cancelled"}[i < 3]; sh.Status != want {
						t.Errorf("occurrence %d: %s, want %s", i, sh.Status, want)
					}
				}
				if _, err := env.store.Booking(context.Background(), shifts[4].ID, ids[2]); err == nil {
					t.Fatal("the booking of a cancelled occurrence is still held")
				}
				if n := env.notificationsOf(tokens[2], "", "vi"); len(n) == 0 || n[0]["kind"] != roster.NoticeShiftCancelled {
					t.Fatalf("notices: %v", n)
				}
			})

			t.Run("RemoveDeletesUnbookedCancelsBooked", func(t *testing.T) {
				s := w.series(t, seriesBody("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "14:00", "15:00", 1))
				shifts := w.seriesShifts(t, s.Series.ID)
				mustStatus(t, env.do("POST", "/api/v1/shifts/"+shifts[1].ID+"/bookings", tokens[3], map[string]bool{}), http.StatusCreated)
				rec := env.do("DELETE", "/api/v1/shift-series/"+s.Series.ID, w.staffA, nil)
				mustStatus(t, rec, http.StatusOK)
				if got := decode(t, rec); got["deleted"] != float64(len(shifts)-1) || got["cancelled"] != float64(1) {
					t.Fatalf("removal: %v, want %d deleted and 1 cancelled", got, len(shifts)-1)
				}
				for i, sh := range shifts {
					rec := env.do("GET", "/api/v1/shifts/"+sh.ID, w.staffA, nil)
					if i == 1 {
						mustStatus(t, rec, http.StatusOK)
						if decode(t, rec)["status"] != "cancelled" {
							t.Errorf("booked occurrence not cancelled")
						}
						continue
					}
					assertProblem(t, rec, http.StatusNotFound, "not_found")
				}
				assertProblem(t, env.do("PUT", "/api/v1/shift-series/"+s.Series.ID, w.staffA, seriesChange("09:00", "10:00", "X")), http.StatusConflict, "series_ended")
				assertProblem(t, env.do("POST", "/api/v1/shift-series/"+s.Series.ID+"/cancel", w.staffA, nil), http.StatusConflict, "series_ended")
			})
		})
	}
}

// A booking racing the removal of its series is never lost: every booking that
// got 201 is cancelled with a history line, and no booking is left on a deleted
// shift.
func TestSeriesRemovalRacesBookings(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "X"+ad.Name[:2])
			const n = 40
			ids, tokens := w.volunteers(t, n)
			body := seriesBody("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "16:00", "17:00", 1)
			body["places"] = 100
			s := w.series(t, body)
			shifts := w.seriesShifts(t, s.Series.ID)
			var (
				wg     sync.WaitGroup
				start  = make(chan struct{})
				codes  = make([]int, n)
				target = make([]string, n)
			)
			for i := range n {
				target[i] = shifts[1+i%4].ID
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					codes[i] = env.do("POST", "/api/v1/shifts/"+target[i]+"/bookings", tokens[i], map[string]bool{}).Code
				}()
			}
			var removal int
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				time.Sleep(5 * time.Millisecond) // let some bookings land first
				removal = env.do("DELETE", "/api/v1/shift-series/"+s.Series.ID, w.staffA, nil).Code
			}()
			close(start)
			wg.Wait()
			if removal != http.StatusOK {
				t.Fatalf("removal: %d", removal)
			}
			ctx := context.Background()
			booked := 0
			for i, code := range codes {
				if code != http.StatusCreated {
					if code != http.StatusConflict && code != http.StatusNotFound { // cancelled, or deleted before it was read
						t.Errorf("booking %d: %d", i, code)
					}
					continue
				}
				booked++
				sh, err := env.store.ShiftByID(ctx, target[i])
				if err != nil || sh.Status != roster.StatusCancelled {
					t.Fatalf("a confirmed booking's shift: %v, %+v", err, sh)
				}
				es, err := env.store.Events(ctx, target[i])
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, e := range es {
					found = found || (e.VolunteerID == ids[i] && e.Kind == "cancelled")
				}
				if !found {
					t.Errorf("confirmed booking %d was lost: no cancellation in the history", i)
				}
			}
			for _, sh := range shifts {
				bs, err := env.store.Bookings(ctx, sh.ID)
				if err != nil || len(bs) != 0 {
					t.Errorf("shift %s keeps %d bookings after the removal (%v)", sh.ID, len(bs), err)
				}
			}
			t.Logf("%s: %d of %d bookings confirmed before the removal won", ad.Name, booked, n)
		})
	}
}

// A booking racing a change of its occurrence's times never keeps the old times:
// it is either booked at the new times, or refused, or cancelled with a history
// line and a notice; and the change is refused when it sees a booking first.
func TestSeriesTimeChangeRacesBookings(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "T"+ad.Name[:2])
			const n = 30
			ids, tokens := w.volunteers(t, n)
			body := seriesBody("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "18:00", "19:00", 1)
			body["places"] = 100
			s := w.series(t, body)
			shifts := w.seriesShifts(t, s.Series.ID)
			var (
				wg     sync.WaitGroup
				start  = make(chan struct{})
				codes  = make([]int, n)
				target = make([]string, n)
				change int
			)
			for i := range n {
				target[i] = shifts[1+i%3].ID
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					codes[i] = env.do("POST", "/api/v1/shifts/"+target[i]+"/bookings", tokens[i], map[string]bool{}).Code
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				time.Sleep(5 * time.Millisecond)
				later := seriesChange("19:00", "20:00", "Ca tối")
				later["places"] = 100
				change = env.do("PUT", "/api/v1/shift-series/"+s.Series.ID, w.staffA, later).Code
			}()
			close(start)
			wg.Wait()
			if change != http.StatusOK && change != http.StatusConflict {
				t.Fatalf("change: %d", change)
			}
			ctx := context.Background()
			for _, sh := range shifts[1:4] {
				stored, err := env.store.ShiftByID(ctx, sh.ID)
				if err != nil {
					t.Fatal(err)
				}
				bs, err := env.store.Bookings(ctx, sh.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, b := range bs {
					if !b.StartsAt.Equal(stored.StartsAt) || !b.EndsAt.Equal(stored.EndsAt) {
						t.Errorf("booking of %s keeps %v–%v, the shift is %v–%v", b.VolunteerID, b.StartsAt, b.EndsAt, stored.StartsAt, stored.EndsAt)
					}
				}
			}
			kept, dropped := 0, 0
			for i, code := range codes {
				if code != http.StatusCreated {
					if code != http.StatusConflict {
						t.Errorf("booking %d: %d", i, code)
					}
					continue
				}
				if _, err := env.store.Booking(ctx, target[i], ids[i]); err == nil {
					kept++
					continue
				}
				es, err := env.store.Events(ctx, target[i])
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, e := range es {
					found = found || (e.VolunteerID == ids[i] && e.Kind == "cancelled" && e.Reason == "shift_changed")
				}
				if !found {
					t.Errorf("confirmed booking %d vanished without a cancellation", i)
				}
				dropped++
			}
			t.Logf("%s: change %d; %d bookings kept, %d cancelled by the change", ad.Name, change, kept, dropped)
		})
	}
}
