package storetest

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/integrity"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// rawRoster writes a roster's rows directly, bypassing units of change: what a
// crash of an older release, an operator's hand or a bug could leave behind.
type rawRoster interface {
	deleteBooking(shiftID, volunteerID string)
	insertBooking(b *roster.Booking)
	insertWaiter(shiftID, volunteerID string, seq int64)
	setWaiterSeq(shiftID, volunteerID string, seq int64)
	cancelShift(shiftID string)
}

func openRaw(t *testing.T, cfg store.Config) rawRoster {
	t.Helper()
	if cfg.MongoURI == "" {
		db, err := sql.Open("sqlite", cfg.SQLitePath+"?_pragma=busy_timeout(5000)")
		must(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return sqlRaw{t: t, db: db}
	}
	client, err := mongodrv.Connect(options.Client().ApplyURI(cfg.MongoURI))
	must(t, err)
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return mongoRaw{t: t, db: client.Database(cfg.MongoDatabase)}
}

type sqlRaw struct {
	t  *testing.T
	db *sql.DB
}

func (r sqlRaw) exec(q string, args ...any) {
	r.t.Helper()
	_, err := r.db.ExecContext(context.Background(), q, args...)
	must(r.t, err)
}

func (r sqlRaw) deleteBooking(s, v string) {
	r.exec(`DELETE FROM shift_bookings WHERE shift_id = ? AND volunteer_id = ?`, s, v)
}

func (r sqlRaw) insertBooking(b *roster.Booking) {
	r.exec(`INSERT INTO shift_bookings (shift_id, place, volunteer_id, starts_at, ends_at, booked_by, reason, booked_at)
		VALUES (?, ?, ?, ?, ?, 'hand', '', ?)`, b.ShiftID, b.Place, b.VolunteerID, b.StartsAt.UnixMilli(), b.EndsAt.UnixMilli(), b.BookedAt.UnixMilli())
}

func (r sqlRaw) insertWaiter(s, v string, seq int64) {
	r.exec(`INSERT INTO shift_waiters (shift_id, volunteer_id, seq, joined_at) VALUES (?, ?, ?, 0)`, s, v, seq)
}

func (r sqlRaw) setWaiterSeq(s, v string, seq int64) {
	r.exec(`UPDATE shift_waiters SET seq = ? WHERE shift_id = ? AND volunteer_id = ?`, seq, s, v)
}

func (r sqlRaw) cancelShift(s string) {
	r.exec(`UPDATE shifts SET status = 'cancelled' WHERE id = ?`, s)
}

type mongoRaw struct {
	t  *testing.T
	db *mongodrv.Database
}

func (r mongoRaw) deleteBooking(s, v string) {
	_, err := r.db.Collection("shift_bookings").DeleteOne(context.Background(), bson.D{{Key: "shift_id", Value: s}, {Key: "volunteer_id", Value: v}})
	must(r.t, err)
}

func (r mongoRaw) insertBooking(b *roster.Booking) {
	_, err := r.db.Collection("shift_bookings").InsertOne(context.Background(), bson.D{
		{Key: "_id", Value: b.ShiftID + ":" + time.Duration(b.Place).String()}, {Key: "shift_id", Value: b.ShiftID},
		{Key: "place", Value: b.Place}, {Key: "volunteer_id", Value: b.VolunteerID}, {Key: "starts_at", Value: b.StartsAt},
		{Key: "ends_at", Value: b.EndsAt}, {Key: "booked_by", Value: "hand"}, {Key: "reason", Value: ""}, {Key: "booked_at", Value: b.BookedAt}})
	must(r.t, err)
}

func (r mongoRaw) insertWaiter(s, v string, seq int64) {
	_, err := r.db.Collection("shift_waiters").InsertOne(context.Background(), bson.D{
		{Key: "_id", Value: "hand-" + v}, {Key: "shift_id", Value: s}, {Key: "volunteer_id", Value: v},
		{Key: "seq", Value: seq}, {Key: "joined_at", Value: time.UnixMilli(0).UTC()}})
	must(r.t, err)
}

func (r mongoRaw) setWaiterSeq(s, v string, seq int64) {
	_, err := r.db.Collection("shift_waiters").UpdateOne(context.Background(), bson.D{{Key: "shift_id", Value: s}, {Key: "volunteer_id", Value: v}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: seq}}}})
	must(r.t, err)
}

func (r mongoRaw) cancelShift(s string) {
	_, err := r.db.Collection("shifts").UpdateOne(context.Background(), bson.D{{Key: "_id", Value: s}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: "cancelled"}}}})
	must(r.t, err)
}

// TestReconcilerRepairsABrokenStore breaks rosters on purpose with direct
// writes, then checks that Check reports each broken invariant, that a repair
// fixes what can be fixed (and leaves overbooking and overlaps to ward staff),
// and that the history replays to the stored rosters afterwards.
func TestReconcilerRepairsABrokenStore(t *testing.T) {
	for _, ad := range Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			ctx := t.Context()
			cfg := ad.Config(t)
			st := MustOpen(t, cfg)
			raw := openRaw(t, cfg)
			svc := roster.NewService(roster.Deps{Store: st})
			w := mkRosterWorld(t, st)
			var vs []string
			for range 6 {
				vs = append(vs, mkVolunteer(t, st, w).ID)
			}
			d := day()
			withLine := func(start time.Time, places int, booked, waiting []string) *roster.Shift {
				s := mkShift(t, st, w, start, withPlaces(places))
				for _, v := range booked {
					mkBooking(t, st, s, 0, v)
				}
				for _, v := range waiting {
					mkWaiter(t, st, s.ID, v)
				}
				return s
			}
			// A place freed by hand while two wait.
			free := withLine(d, 2, vs[0:2], vs[2:4])
			raw.deleteBooking(free.ID, vs[0])
			// A booked volunteer put in line by hand.
			twice := withLine(d.Add(3*time.Hour), 2, vs[0:2], vs[2:3])
			raw.insertWaiter(twice.ID, vs[0], 99)
			// Two waiters sharing one position.
			shared := withLine(d.Add(6*time.Hour), 1, vs[0:1], vs[1:4])
			ws, err := st.Waiters(ctx, shared.ID)
			must(t, err)
			raw.setWaiterSeq(shared.ID, ws[2].VolunteerID, ws[1].Seq)
			// A cancelled shift that kept its holdings.
			dead := withLine(d.Add(9*time.Hour), 1, vs[0:1], vs[1:2])
			raw.cancelShift(dead.ID)
			// Overbooked by hand, with a volunteer also booked on the first shift
			// at an overlapping time.
			over := withLine(d.Add(30*time.Minute), 1, vs[4:5], nil)
			raw.insertBooking(&roster.Booking{ShiftID: over.ID, Place: 2, VolunteerID: vs[1], StartsAt: over.StartsAt, EndsAt: over.EndsAt, BookedAt: now()})

			kinds := func(rep *integrity.Report, repaired bool) map[string][]integrity.Kind {
				out := map[string][]integrity.Kind{}
				for _, p := range rep.Problems {
					if p.Repaired == repaired {
						out[p.ID] = append(out[p.ID], p.Kind)
					}
				}
				for _, k := range out {
					slices.Sort(k)
				}
				return out
			}
			var rep integrity.Report
			must(t, svc.Check(ctx, false, &rep))
			got := kinds(&rep, false)
			want := map[string][]integrity.Kind{
				free.ID:   {integrity.FreeWhileWaiting, integrity.HistoryMismatch},
				twice.ID:  {integrity.BookedAndWaiting, integrity.HistoryMismatch},
				shared.ID: {integrity.DuplicatePosition},
				dead.ID:   {integrity.CancelledWithHoldings},
				over.ID:   {integrity.HistoryMismatch, integrity.Overbooked, integrity.Overlapping},
			}
			for id, ks := range want {
				for _, k := range ks {
					if !slices.Contains(got[id], k) {
						t.Errorf("shift %s: found %v, want %s among them", id, got[id], k)
					}
				}
			}
			if rep.Broken() == 0 || rep.Shifts != 5 {
				t.Fatalf("report: %d broken over %d shifts", rep.Broken(), rep.Shifts)
			}

			rep = integrity.Report{}
			must(t, svc.Check(ctx, true, &rep))
			left := kinds(&rep, false)
			if len(left) != 1 || !slices.Equal(left[over.ID], []integrity.Kind{integrity.Overbooked, integrity.Overlapping}) {
				t.Fatalf("after a repair, still broken: %v (want only the overbooking and the overlap)", left)
			}
			rep = integrity.Report{}
			must(t, svc.Check(ctx, false, &rep))
			if rep.Broken() != 2 {
				t.Fatalf("checked again: %v", rep.Problems)
			}
			// The repaired rosters: the first in line took the freed place, the
			// booked volunteer left the line, the line kept its order.
			bs, err := st.Bookings(ctx, free.ID)
			must(t, err)
			if len(bs) != 2 {
				t.Fatalf("freed place not filled: %s", show(bs))
			}
			if !slices.ContainsFunc(bs, func(b *roster.Booking) bool { return b.VolunteerID == vs[2] }) {
				t.Fatalf("the freed place did not go to the first in line: %s", show(bs))
			}
			ws, err = st.Waiters(ctx, twice.ID)
			must(t, err)
			if len(ws) != 1 || ws[0].VolunteerID != vs[2] {
				t.Fatalf("line of the shift with a booked waiter: %s", show(ws))
			}
			ws, err = st.Waiters(ctx, shared.ID)
			must(t, err)
			if len(ws) != 3 || ws[0].VolunteerID != vs[1] || ws[0].Seq == ws[1].Seq || ws[1].Seq == ws[2].Seq {
				t.Fatalf("renumbered line: %s", show(ws))
			}
			bs, err = st.Bookings(ctx, dead.ID)
			must(t, err)
			if len(bs) != 0 {
				t.Fatalf("a cancelled shift keeps %s", show(bs))
			}
		})
	}
}

// TestUnitsAcrossInstances: two stores opened on the same data (two pools on
// one SQLite file, as two processes have; two clients of one MongoDB database,
// as two instances have) book, join and cancel on one shift at once. Their units
// serialise through the store alone, and the roster ends as one writer would
// have left it.
func TestUnitsAcrossInstances(t *testing.T) {
	for _, ad := range Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			ctx := t.Context()
			cfg := ad.Config(t)
			stores := []store.Store{MustOpen(t, cfg), MustOpen(t, cfg)}
			w := mkRosterWorld(t, stores[0])
			const places, volunteers = 4, 60
			s := mkShift(t, stores[0], w, day(), withPlaces(places))
			vs := make([]string, volunteers)
			for i := range vs {
				vs[i] = mkVolunteer(t, stores[0], w).ID
			}
			// join books the lowest free place while nobody waits, and puts the
			// volunteer in line otherwise, as roster.Service.Book does.
			join := func(v string) roster.Decide {
				return func(ctx context.Context, h *roster.Holdings, free roster.Volunteers) (*roster.Change, error) {
					at := now()
					taken := map[int]bool{}
					for _, b := range h.Bookings {
						taken[b.Place] = true
					}
					e := &roster.Event{ShiftID: h.Shift.ID, Seq: h.Seq + 1, VolunteerID: v, By: v, At: at}
					if len(h.Waiters) == 0 && len(h.Bookings) < h.Shift.Places {
						if err := free.Free(ctx, v, h.Shift.StartsAt, h.Shift.EndsAt); err != nil {
							return nil, err
						}
						b := &roster.Booking{ShiftID: h.Shift.ID, VolunteerID: v, StartsAt: h.Shift.StartsAt, EndsAt: h.Shift.EndsAt, BookedBy: v, BookedAt: at}
						for b.Place = 1; taken[b.Place]; b.Place++ {
						}
						e.Kind, e.Place = roster.EventBooked, b.Place
						return &roster.Change{Book: []*roster.Booking{b}, Events: []*roster.Event{e}}, nil
					}
					e.Kind = roster.EventWaiting
					return &roster.Change{Join: []*roster.Waiter{{ShiftID: h.Shift.ID, VolunteerID: v, Seq: e.Seq, JoinedAt: at}},
						Events: []*roster.Event{e}}, nil
				}
			}
			// cancel frees the volunteer's place and promotes the first in line.
			cancel := func(v string) roster.Decide {
				return func(ctx context.Context, h *roster.Holdings, free roster.Volunteers) (*roster.Change, error) {
					at := now()
					for _, b := range h.Bookings {
						if b.VolunteerID != v {
							continue
						}
						ch := &roster.Change{Cancel: []*roster.Booking{b},
							Events: []*roster.Event{{ShiftID: h.Shift.ID, Seq: h.Seq + 1, VolunteerID: v, Kind: roster.EventCancelled, Place: b.Place, By: v, At: at}}}
						if len(h.Waiters) > 0 {
							next := h.Waiters[0]
							if err := free.Free(ctx, next.VolunteerID, h.Shift.StartsAt, h.Shift.EndsAt); err != nil {
								return nil, err
							}
							ch.Leave = []*roster.Waiter{next}
							ch.Book = []*roster.Booking{{ShiftID: h.Shift.ID, Place: b.Place, VolunteerID: next.VolunteerID,
								StartsAt: h.Shift.StartsAt, EndsAt: h.Shift.EndsAt, BookedBy: roster.ByPromotion, BookedAt: at}}
							ch.Events = append(ch.Events, &roster.Event{ShiftID: h.Shift.ID, Seq: h.Seq + 2, VolunteerID: next.VolunteerID,
								Kind: roster.EventPromoted, Place: b.Place, By: roster.ByPromotion, At: at})
						}
						return ch, nil
					}
					return nil, nil
				}
			}
			errs := make([]error, volunteers)
			var wg sync.WaitGroup
			for i, v := range vs {
				wg.Go(func() { _, errs[i] = stores[i%2].Transact(ctx, s.ID, join(v)) })
			}
			wg.Wait()
			must(t, errors.Join(errs...))
			// Now everyone booked cancels at once, through either store.
			bs, err := stores[1].Bookings(ctx, s.ID)
			must(t, err)
			for i, b := range bs {
				wg.Go(func() { _, errs[i] = stores[(i+1)%2].Transact(ctx, s.ID, cancel(b.VolunteerID)) })
			}
			wg.Wait()
			must(t, errors.Join(errs...))

			bs, err = stores[0].Bookings(ctx, s.ID)
			must(t, err)
			ws, err := stores[0].Waiters(ctx, s.ID)
			must(t, err)
			es, err := stores[0].Events(ctx, s.ID)
			must(t, err)
			if len(bs) != places || len(ws) != volunteers-2*places {
				t.Fatalf("%d booked and %d waiting, want %d and %d", len(bs), len(ws), places, volunteers-2*places)
			}
			// The first in line were promoted, in order; the line kept its order.
			for _, b := range bs {
				if slices.ContainsFunc(ws, func(w *roster.Waiter) bool { return w.VolunteerID == b.VolunteerID }) {
					t.Fatalf("volunteer %s is booked and waiting", b.VolunteerID)
				}
			}
			for i := 1; i < len(ws); i++ {
				if ws[i].Seq <= ws[i-1].Seq {
					t.Fatalf("line numbers not increasing: %s", show(ws))
				}
			}
			for i, e := range es {
				if e.Seq != int64(i+1) {
					t.Fatalf("history numbered %d at %d", e.Seq, i+1)
				}
			}
			replayed, line := roster.Replay(es)
			if len(replayed) != len(bs) || !slices.Equal(line, waiterIDs(ws)) {
				t.Fatalf("the history replays to %v and %v; stored %s and %s", replayed, line, show(bs), show(ws))
			}
		})
	}
}

// TestUnitsIgnoreTheCallersCancellation: a unit started on a context that is
// cancelled at a random moment (a client going away) is written whole, with its
// history, or not at all; the adapters finish what they started.
func TestUnitsIgnoreTheCallersCancellation(t *testing.T) {
	for _, ad := range Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			st := ad.Open(t)
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day(), withPlaces(1))
			landed := 0
			for round := range 20 {
				v := mkVolunteer(t, st, w).ID
				ctx, cancel := context.WithTimeout(t.Context(), time.Duration(round*100)*time.Microsecond)
				_, err := roster.PutWaiter(ctx, st, s.ID, v, now())
				cancel()
				ws, werr := st.Waiters(t.Context(), s.ID)
				must(t, werr)
				es, eerr := st.Events(t.Context(), s.ID)
				must(t, eerr)
				waiting := slices.ContainsFunc(ws, func(x *roster.Waiter) bool { return x.VolunteerID == v })
				recorded := slices.ContainsFunc(es, func(e *roster.Event) bool { return e.VolunteerID == v })
				if waiting != recorded || (err == nil && !waiting) {
					t.Fatalf("round %d: answered %v; waiting %v, in the history %v", round, err, waiting, recorded)
				}
				if waiting {
					landed++
				}
			}
			_, line := roster.Replay(mustEvents(t, st, s.ID))
			ws, err := st.Waiters(t.Context(), s.ID)
			must(t, err)
			if !slices.Equal(line, waiterIDs(ws)) {
				t.Fatalf("the history replays to %v, the line is %s", line, show(ws))
			}
			t.Logf("%d of 20 units landed under cancelled contexts", landed)
		})
	}
}

func mustEvents(t *testing.T, st store.Store, shiftID string) []*roster.Event {
	t.Helper()
	es, err := st.Events(t.Context(), shiftID)
	must(t, err)
	return es
}
