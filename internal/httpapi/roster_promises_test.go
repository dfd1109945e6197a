package httpapi

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/roster"
	"ecitizen/internal/store"
	"ecitizen/internal/store/storetest"
	"ecitizen/internal/training"
)

// What a booking promises, tried as volunteers and ward staff do, through the
// real router, on both stores, round after round: capacity when staff lower the
// places while volunteers book, a cancellation whose client goes away half-way,
// re-joining the line while one's own promotion runs, newcomers racing a freed
// place, positions in line, the history. After every round the store is counted
// (rosterKept). The process killed mid-cancel is api/crash_test.go.

// promiseRounds is how many times each race runs: enough to catch a race that
// shows once in twenty.
const promiseRounds = 24

// rosterKept checks what a roster must always be: no more bookings than places,
// nobody booked and waiting, no free place while someone waits on an open shift,
// one line number per waiter, and a history numbered 1, 2, 3… that replays to
// the stored bookings and line.
func rosterKept(t *testing.T, st store.Store, shiftID string) (bookings []*roster.Booking, waiters []*roster.Waiter) {
	t.Helper()
	ctx := context.Background()
	sh, err := st.ShiftByID(ctx, shiftID)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := st.Bookings(ctx, shiftID)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.Waiters(ctx, shiftID)
	if err != nil {
		t.Fatal(err)
	}
	es, err := st.Events(ctx, shiftID)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) > sh.Places {
		t.Fatalf("%d bookings on %d places", len(bs), sh.Places)
	}
	booked := map[string]int{}
	for _, b := range bs {
		booked[b.VolunteerID] = b.Place
	}
	seqs := map[int64]bool{}
	var line []string
	for _, w := range ws {
		if _, ok := booked[w.VolunteerID]; ok {
			t.Fatalf("volunteer %s is booked and waiting", w.VolunteerID)
		}
		if seqs[w.Seq] {
			t.Fatalf("two waiters share line number %d", w.Seq)
		}
		seqs[w.Seq] = true
		line = append(line, w.VolunteerID)
	}
	if sh.Status == roster.StatusScheduled && sh.StartsAt.After(testNow()) && len(ws) > 0 && len(bs) < sh.Places {
		t.Fatalf("%d of %d places booked while %d wait", len(bs), sh.Places, len(ws))
	}
	for i, e := range es {
		if e.Seq != int64(i+1) {
			t.Fatalf("history numbered %d at position %d", e.Seq, i+1)
		}
	}
	places, replayed := roster.Replay(es)
	if len(places) != len(booked) || !slices.Equal(replayed, line) {
		t.Fatalf("stored %v and line %v; the history replays to %v and %v", booked, line, places, replayed)
	}
	for v, p := range places {
		if booked[v] != p {
			t.Fatalf("stored %v; the history replays to %v", booked, places)
		}
	}
	return bs, ws
}

// race runs fs at once and waits for them all.
func race(fs ...func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, f := range fs {
		wg.Go(func() { <-start; f() })
	}
	close(start)
	wg.Wait()
}

// roundStart is the start of round r's shift: two-hour shifts never overlap,
// so the same volunteers take part in every round.
func roundStart(r int) time.Time {
	return localTime(2+r/6, 0, 0).Add(time.Duration(r%6) * 4 * time.Hour)
}

func TestRosterPromises(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			// Each race runs on a store of its own (FerretDB reads whole
			// collections: others' data would only slow it), with volunteers who
			// take part in every round.
			var (
				w           *rosterWorld
				ids, tokens []string
			)
			fresh := func(t *testing.T) *testEnv {
				env := newTestEnv(t, ad)
				w = newRosterWorld(t, env, "p"+ad.Name)
				ids, tokens = w.volunteers(t, 12)
				return env
			}
			book := func(e *testEnv, id string, i int, wait bool) *httptest.ResponseRecorder {
				return e.do("POST", "/api/v1/shifts/"+id+"/bookings", tokens[i], map[string]bool{"waitlist": wait})
			}

			t.Run("PlacesLoweredWhileBooking", func(t *testing.T) {
				e := fresh(t)
				outcomes := map[string]int{}
				for r := range promiseRounds {
					start := roundStart(r)
					id := w.shift(t, "Ca giảm chỗ", start, 2, 5)
					for i := range 3 {
						mustStatus(t, book(e, id, i, false), 201)
					}
					var put int
					codes := make([]int, 3)
					fs := []func(){func() {
						put = e.do("PUT", "/api/v1/shifts/"+id, w.staffA, shiftBody("Ca giảm chỗ", start, 2, 3)).Code
					}}
					for i := range 3 {
						fs = append(fs, func() { codes[i] = book(e, id, 3+i, false).Code })
					}
					race(fs...)
					bs, _ := rosterKept(t, e.store, id)
					sh, _ := e.store.ShiftByID(context.Background(), id)
					booked := 0
					for _, c := range codes {
						switch c {
						case 201:
							booked++
						case 409:
						default:
							t.Fatalf("round %d: a booking answered %d", r, c)
						}
					}
					switch {
					case put == 200 && (sh.Places != 3 || len(bs) != 3 || booked != 0):
						t.Fatalf("round %d: places lowered to 3, yet %d stored on %d places, %d booked", r, len(bs), sh.Places, booked)
					case put == 409 && (sh.Places != 5 || len(bs) != 3+booked || booked == 0):
						t.Fatalf("round %d: lowering refused with %d bookings answered, %d stored on %d places", r, booked, len(bs), sh.Places)
					case put != 200 && put != 409:
						t.Fatalf("round %d: PUT answered %d", r, put)
					}
					outcomes[fmt.Sprintf("put %d, %d booked", put, booked)]++
				}
				t.Logf("outcomes over %d rounds: %v", promiseRounds, outcomes)
			})

			t.Run("CancelWhileTheClientGoesAway", func(t *testing.T) {
				e := fresh(t)
				// A real server and client: the client gives up at a random moment,
				// as a phone losing signal does.
				var inflight sync.WaitGroup
				srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
					inflight.Add(1)
					defer inflight.Done()
					e.handler.ServeHTTP(rw, r)
				}))
				defer srv.Close()
				outcomes := map[string]int{}
				for r := range promiseRounds {
					id := w.shift(t, "Ca mất sóng", roundStart(r), 2, 2)
					mustStatus(t, book(e, id, 0, false), 201)
					mustStatus(t, book(e, id, 1, false), 201)
					mustStatus(t, book(e, id, 2, true), 202)
					mustStatus(t, book(e, id, 3, true), 202)
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rand.IntN(4000))*time.Microsecond)
					req, _ := http.NewRequestWithContext(ctx, "DELETE", srv.URL+"/api/v1/shifts/"+id+"/bookings/me", nil)
					req.Header.Set("Authorization", "Bearer "+tokens[0])
					answer := "gone"
					if resp, err := http.DefaultClient.Do(req); err == nil {
						answer = resp.Status
						_ = resp.Body.Close()
					}
					cancel()
					inflight.Wait() // whatever the server started, it finished
					bs, ws := rosterKept(t, e.store, id)
					held := map[string]bool{}
					for _, b := range bs {
						held[b.VolunteerID] = true
					}
					switch {
					case held[ids[0]] && answer != "gone":
						t.Fatalf("round %d: the cancel answered %s, and the volunteer is still booked", r, answer)
					case held[ids[0]]: // never reached the server
						if len(ws) != 2 {
							t.Fatalf("round %d: nothing cancelled, yet %d wait", r, len(ws))
						}
					case !held[ids[2]] || len(ws) != 1 || ws[0].VolunteerID != ids[3]:
						t.Fatalf("round %d: the place was freed but the first in line was not promoted: %v %v", r, bs, ws)
					}
					outcomes[fmt.Sprintf("%s, cancelled %v", answer, !held[ids[0]])]++
				}
				t.Logf("outcomes over %d rounds: %v", promiseRounds, outcomes)
			})

			t.Run("RejoinDuringOwnPromotion", func(t *testing.T) {
				e := fresh(t)
				for r := range promiseRounds {
					id := w.shift(t, "Ca vào lại hàng chờ", roundStart(r), 2, 1)
					mustStatus(t, book(e, id, 0, false), 201)
					mustStatus(t, book(e, id, 1, true), 202)
					race(func() {
						e.do("DELETE", "/api/v1/shifts/"+id+"/bookings/me", tokens[0], nil)
					}, func() {
						e.do("DELETE", "/api/v1/shifts/"+id+"/waiting/me", tokens[1], nil)
						book(e, id, 1, true)
					}, func() {
						book(e, id, 1, true)
					})
					bs, _ := rosterKept(t, e.store, id)
					if len(bs) != 1 || bs[0].VolunteerID != ids[1] {
						t.Fatalf("round %d: the freed place went to %v, want the volunteer in line", r, bs)
					}
					// Cancelling leaves them neither booked nor waiting.
					mustStatus(t, e.do("DELETE", "/api/v1/shifts/"+id+"/bookings/me", tokens[1], nil), 204)
					bs, ws := rosterKept(t, e.store, id)
					if len(bs) != 0 || len(ws) != 0 {
						t.Fatalf("round %d: after a 204 cancel: booked %v, waiting %v", r, bs, ws)
					}
				}
			})

			t.Run("NewcomersNeverTakeAFreedPlace", func(t *testing.T) {
				e := fresh(t)
				for r := range promiseRounds {
					id := w.shift(t, "Ca nhiều người chờ", roundStart(r), 2, 2)
					mustStatus(t, book(e, id, 0, false), 201)
					mustStatus(t, book(e, id, 1, false), 201)
					mustStatus(t, book(e, id, 2, true), 202)
					codes := make([]int, 8)
					fs := []func(){func() { mustStatus(t, e.do("DELETE", "/api/v1/shifts/"+id+"/bookings/me", tokens[0], nil), 204) }}
					for i := range codes {
						fs = append(fs, func() { codes[i] = book(e, id, 3+i, i%2 == 0).Code })
					}
					race(fs...)
					bs, ws := rosterKept(t, e.store, id)
					for i, c := range codes {
						if want := map[bool]int{true: 202, false: 409}[i%2 == 0]; c != want {
							t.Fatalf("round %d: newcomer %d (waitlist %v) answered %d, want %d", r, i, i%2 == 0, c, want)
						}
					}
					if len(bs) != 2 || !slices.ContainsFunc(bs, func(b *roster.Booking) bool { return b.VolunteerID == ids[2] }) || len(ws) != 4 {
						t.Fatalf("round %d: booked %v, %d waiting; the freed place is the first in line's", r, bs, len(ws))
					}
				}
			})

			t.Run("OneVolunteerManyOverlappingShifts", func(t *testing.T) {
				e := fresh(t)
				// Sixty shifts at the same hour, one volunteer asking for all of
				// them at once: one place, fifty-nine collides, and no 5xx.
				start := roundStart(30)
				var shiftIDs []string
				for range 60 {
					shiftIDs = append(shiftIDs, w.shift(t, "Ca cùng giờ", start, 2, 3))
				}
				codes := make([]int, len(shiftIDs))
				var fs []func()
				for i, id := range shiftIDs {
					fs = append(fs, func() { codes[i] = book(e, id, 0, false).Code })
				}
				race(fs...)
				count := map[int]int{}
				for _, c := range codes {
					count[c]++
				}
				if count[201] != 1 || count[409] != len(shiftIDs)-1 {
					t.Fatalf("answers %v, want one 201 and %d 409 collides", count, len(shiftIDs)-1)
				}
				held := 0
				for _, id := range shiftIDs {
					bs, _ := rosterKept(t, e.store, id)
					held += len(bs)
				}
				if held != 1 {
					t.Fatalf("%d bookings stored, want 1", held)
				}
			})

			t.Run("PositionsAreUniqueAndStored", func(t *testing.T) {
				e := fresh(t)
				_, many := w.volunteers(t, 40)
				for r := range 2 {
					id := w.shift(t, "Ca hàng dài", roundStart(r), 2, 1)
					mustStatus(t, book(e, id, 0, false), 201)
					pos := make([]int, len(many))
					var wg sync.WaitGroup
					for i, tok := range many {
						wg.Go(func() {
							rec := e.do("POST", "/api/v1/shifts/"+id+"/bookings", tok, map[string]bool{"waitlist": true})
							if rec.Code != 202 {
								t.Errorf("join: %d %s", rec.Code, rec.Body)
								return
							}
							pos[i] = int(decode(t, rec)["position"].(float64))
						})
					}
					wg.Wait()
					_, ws := rosterKept(t, e.store, id)
					told := slices.Clone(pos)
					slices.Sort(told)
					for i, p := range told {
						if p != i+1 {
							t.Fatalf("round %d: positions told %v, want 1..%d once each", r, told, len(many))
						}
					}
					// The position told is the stored one.
					roster := decode(t, e.do("GET", "/api/v1/shifts/"+id+"/roster", w.staffA, nil))
					stored := map[string]int{}
					for _, it := range roster["waiting"].([]any) {
						m := it.(map[string]any)
						stored[m["volunteer_id"].(string)] = int(m["position"].(float64))
					}
					if len(stored) != len(ws) {
						t.Fatalf("roster shows %d waiting, %d stored", len(stored), len(ws))
					}
					for _, x := range ws {
						if stored[x.VolunteerID] != int(x.Seq)-1 { // one "booked" event came first
							t.Fatalf("round %d: volunteer %s is at %d, joined as event %d", r, x.VolunteerID, stored[x.VolunteerID], x.Seq)
						}
					}
				}
			})
		})
	}
}

// Training sessions' seats keep their capacity while partners lower it and
// staff enrol residents.
func TestSessionCapacityLoweredWhileEnrolling(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newSessionWorld(t, env, "cap"+ad.Name)
			outcomes := map[string]int{}
			for r := range promiseRounds {
				id := env.created(w.people.partner, "/api/v1/sessions", sessionBody(w.courseID, w.centreA, 5))
				enrol := func(i int) int {
					return env.do("POST", "/api/v1/sessions/"+id+"/enrolments", w.staffA, map[string]string{"name": fmt.Sprintf("Người dân %d-%d", r, i)}).Code
				}
				for i := range 3 {
					if c := enrol(i); c != 201 {
						t.Fatalf("enrol: %d", c)
					}
				}
				var put int
				codes := make([]int, 3)
				lower := sessionBody(w.courseID, w.centreA, 3)
				delete(lower, "course_id")
				fs := []func(){func() {
					put = env.do("PUT", "/api/v1/sessions/"+id, w.people.partner, lower).Code
				}}
				for i := range 3 {
					fs = append(fs, func() { codes[i] = enrol(3 + i) })
				}
				race(fs...)
				se, err := env.store.SessionByID(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				seats, err := env.store.Seats(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				es, err := env.store.SeatEvents(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				enrolled := 0
				for _, c := range codes {
					if c == 201 {
						enrolled++
					} else if c != 409 {
						t.Fatalf("round %d: an enrolment answered %d", r, c)
					}
				}
				if len(seats) > se.Capacity || len(seats) != 3+enrolled || (put == 200) != (se.Capacity == 3) || (put != 200 && put != 409) {
					t.Fatalf("round %d: PUT %d, %d enrolled answered, %d seats stored on %d", r, put, enrolled, len(seats), se.Capacity)
				}
				if replayed := training.ReplaySeats(es); len(replayed) != len(seats) {
					t.Fatalf("round %d: the history replays to %d seats, %d stored", r, len(replayed), len(seats))
				}
				outcomes[fmt.Sprintf("put %d, %d enrolled", put, enrolled)]++
			}
			t.Logf("outcomes over %d rounds: %v", promiseRounds, outcomes)
		})
	}
}

// A store that stays contended answers 503 store_busy with Retry-After, never
// 500, and writes nothing; contention that passes is retried inside the adapter.
// The contention is real: FerretDB's SQLite file locked by another connection.
func TestTransientStoreErrors(t *testing.T) {
	lm := storetest.NewLockableMongo(t)
	env := newTestEnv(t, lm.Adapter)
	w := newRosterWorld(t, env, "busy")
	ids, tokens := w.volunteers(t, 3)
	id := w.shift(t, "Ca lúc bận", localTime(3, 8, 0), 2, 5)

	// A lock released while the booking runs: the adapter's retries get through.
	release := lm.Lock(t)
	go func() { time.Sleep(100 * time.Millisecond); release() }()
	mustStatus(t, env.do("POST", "/api/v1/shifts/"+id+"/bookings", tokens[0], map[string]bool{}), 201)

	// Held until every write answered: each, past the adapter's retries, answers
	// 503 store_busy with Retry-After.
	release = lm.Lock(t)
	writes := []struct {
		method, path, token string
		body                any
	}{
		{"POST", "/api/v1/shifts/" + id + "/bookings", tokens[1], map[string]bool{}},
		{"DELETE", "/api/v1/shifts/" + id + "/bookings/me", tokens[0], nil},
		{"PUT", "/api/v1/shifts/" + id, w.staffA, shiftBody("Ca lúc bận", localTime(3, 8, 0), 2, 4)},
		{"POST", "/api/v1/wards", w.admin, map[string]string{"code": "BUSY1", "name_vi": "Phường Bận", "name_en": "Busy Ward"}},
	}
	recs := make([]*httptest.ResponseRecorder, len(writes))
	var fs []func()
	for i, r := range writes {
		fs = append(fs, func() { recs[i] = env.do(r.method, r.path, r.token, r.body) })
	}
	race(fs...)
	release()
	for i, rec := range recs {
		if rec.Code != 503 || decode(t, rec)["code"] != "store_busy" || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("%s %s under a held lock: %d %s %v, want 503 store_busy with Retry-After",
				writes[i].method, writes[i].path, rec.Code, rec.Body, rec.Header())
		}
	}
	bs, _ := rosterKept(t, env.store, id)
	if len(bs) != 1 || bs[0].VolunteerID != ids[0] {
		t.Fatalf("after the busy answers: %v, want only the first booking", bs)
	}
	// Free again: the same requests succeed.
	mustStatus(t, env.do("POST", "/api/v1/shifts/"+id+"/bookings", tokens[1], map[string]bool{}), 201)
	rosterKept(t, env.store, id)
}
