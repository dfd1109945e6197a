package roster

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// freeAll answers every volunteer free, except those in busy (overlap) and
// those in later (the store cannot hold them in this unit).
type freeAll struct{ busy, later map[string]bool }

func (f freeAll) Free(_ context.Context, v string, _, _ time.Time) error {
	switch {
	case f.busy[v]:
		return ErrOverlap
	case f.later[v]:
		return ErrLater
	}
	return nil
}

func holdings(places int, booked []string, waiting []string) *Holdings {
	now := time.Now().UTC()
	h := &Holdings{Shift: &Shift{ID: "s", Places: places, Status: StatusScheduled, StartsAt: now.Add(48 * time.Hour), EndsAt: now.Add(50 * time.Hour)}}
	for i, v := range booked {
		h.Seq++
		h.Bookings = append(h.Bookings, &Booking{ShiftID: "s", Place: i + 1, VolunteerID: v})
	}
	for _, v := range waiting {
		h.Seq++
		h.Waiters = append(h.Waiters, &Waiter{ShiftID: "s", VolunteerID: v, Seq: h.Seq})
	}
	return h
}

// apply is what a store does with a change: the holdings after it.
func apply(h *Holdings, ch *Change) *Holdings {
	out := &Holdings{Shift: h.Shift, Seq: h.Seq + int64(len(ch.Events))}
	if ch.Shift != nil {
		out.Shift = ch.Shift
	}
	for _, b := range h.Bookings {
		if !slices.ContainsFunc(ch.Cancel, func(x *Booking) bool { return x.VolunteerID == b.VolunteerID }) {
			out.Bookings = append(out.Bookings, b)
		}
	}
	out.Bookings = append(out.Bookings, ch.Book...)
	for _, w := range h.Waiters {
		if !slices.ContainsFunc(ch.Leave, func(x *Waiter) bool { return x.VolunteerID == w.VolunteerID }) {
			out.Waiters = append(out.Waiters, w)
		}
	}
	out.Waiters = append(out.Waiters, ch.Join...)
	slices.SortFunc(out.Waiters, func(a, b *Waiter) int { return int(a.Seq - b.Seq) })
	return out
}

func TestFillPromotesInLineOrder(t *testing.T) {
	h := holdings(2, []string{"a", "b"}, []string{"w1", "w2", "w3"})
	tx := newTx(h, freeAll{busy: map[string]bool{"w1": true}}, time.Now())
	must(t, tx.cancel("a", EventCancelled, "a", ""))
	must(t, tx.cancel("b", EventCancelled, "b", ""))
	must(t, tx.fill(context.Background()))
	ch := tx.change()
	must(t, ch.Check(h))
	var kinds []string
	for _, e := range ch.Events {
		kinds = append(kinds, fmt.Sprintf("%s:%s:%s", e.Kind, e.VolunteerID, e.Reason))
	}
	want := []string{"cancelled:a:", "cancelled:b:", "left_waiting:w1:collides", "promoted:w2:", "promoted:w3:"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	after := apply(h, ch)
	if len(after.Bookings) != 2 || len(after.Waiters) != 0 {
		t.Fatalf("after: %d booked, %d waiting", len(after.Bookings), len(after.Waiters))
	}
}

func TestFillStopsWhenTheStoreCannotHoldMore(t *testing.T) {
	h := holdings(3, []string{"a"}, []string{"w1", "w2", "w3"})
	tx := newTx(h, freeAll{later: map[string]bool{"w2": true}}, time.Now())
	must(t, tx.fill(context.Background()))
	if !tx.later || len(tx.ch.Book) != 1 || tx.ch.Book[0].VolunteerID != "w1" {
		t.Fatalf("later %v, booked %v", tx.later, tx.ch.Book)
	}
	if !needsFill(apply(h, tx.change()), time.Now()) {
		t.Fatal("the free place left for a next unit is not seen")
	}
}

func TestNewcomerQueuesBehindTheLine(t *testing.T) {
	h := holdings(2, []string{"a"}, []string{"w1"}) // a free place and someone waiting: a crash of an older release
	tx := newTx(h, freeAll{}, time.Now())
	w, pos := tx.join("n")
	must(t, tx.fill(context.Background()))
	if pos != 2 || w.Seq != h.Seq+1 {
		t.Fatalf("newcomer at %d with number %d", pos, w.Seq)
	}
	if len(tx.ch.Book) != 1 || tx.ch.Book[0].VolunteerID != "w1" {
		t.Fatalf("the freed place went to %v, want the first in line", tx.ch.Book)
	}
}

func TestCheckRefusesBrokenChanges(t *testing.T) {
	h := holdings(2, []string{"a"}, []string{"w"})
	for name, ch := range map[string]*Change{
		"no history":          {},
		"numbered wrong":      {Events: []*Event{{ShiftID: "s", Seq: h.Seq + 2}}},
		"taken place":         {Book: []*Booking{{ShiftID: "s", Place: 1, VolunteerID: "x"}}, Events: []*Event{{ShiftID: "s", Seq: h.Seq + 1}}},
		"booked twice":        {Book: []*Booking{{ShiftID: "s", Place: 2, VolunteerID: "a"}}, Events: []*Event{{ShiftID: "s", Seq: h.Seq + 1}}},
		"waiting twice":       {Join: []*Waiter{{ShiftID: "s", VolunteerID: "w"}}, Events: []*Event{{ShiftID: "s", Seq: h.Seq + 1}}},
		"delete with holders": {Delete: true, Events: []*Event{{ShiftID: "s", Seq: h.Seq + 1}}},
	} {
		if ch.Check(h) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	ok := &Change{Cancel: []*Booking{h.Bookings[0]}, Book: []*Booking{{ShiftID: "s", Place: 1, VolunteerID: "w"}},
		Leave: []*Waiter{h.Waiters[0]}, Events: []*Event{{ShiftID: "s", Seq: h.Seq + 1}, {ShiftID: "s", Seq: h.Seq + 2}}}
	must(t, ok.Check(h))
}

// TestRestateMakesAnyHistoryReplay: whatever the stored roster and its history,
// the events a repair appends make the history replay to the stored roster,
// and a second repair finds nothing to append.
func TestRestateMakesAnyHistoryReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 13))
	vols := []string{"a", "b", "c", "d", "e", "f"}
	kinds := []string{EventBooked, EventPromoted, EventCancelled, EventRemoved, EventWaiting, EventLeftWaiting, EventShiftChanged}
	for round := range 500 {
		var es []*Event
		for i := range rng.IntN(12) {
			es = append(es, &Event{ShiftID: "s", Seq: int64(i + 1), VolunteerID: vols[rng.IntN(len(vols))],
				Kind: kinds[rng.IntN(len(kinds))], Place: 1 + rng.IntN(4)})
		}
		// A stored roster that need not match: places and line drawn anew.
		h := &Holdings{Shift: &Shift{ID: "s", Places: 6, Status: StatusScheduled}, Seq: int64(len(es))}
		perm := rng.Perm(len(vols))
		for i, p := range perm[:rng.IntN(3)] {
			h.Bookings = append(h.Bookings, &Booking{ShiftID: "s", Place: i + 1, VolunteerID: vols[p]})
		}
		for i, p := range perm[3 : 3+rng.IntN(3)] {
			h.Waiters = append(h.Waiters, &Waiter{ShiftID: "s", VolunteerID: vols[p], Seq: int64(i)})
		}
		tx := newTx(h, freeAll{}, time.Now())
		tx.restate(Replay(es))
		all := es
		if ch := tx.change(); ch != nil {
			must(t, ch.Check(h))
			all = append(slices.Clone(es), ch.Events...)
			h = apply(h, ch)
		}
		if d := mismatch(h.Bookings, h.Waiters, all); d != "" {
			t.Fatalf("round %d: after restating, %s", round, d)
		}
		again := newTx(h, freeAll{}, time.Now())
		again.restate(Replay(all))
		if again.change() != nil {
			t.Fatalf("round %d: a second repair appends %d events", round, len(again.ch.Events))
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
