package roster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/integrity"
	"ecitizen/internal/page"
)

// Checking and repairing rosters.
//
// Units keep every invariant on their own; what can still break them is a crash
// of the MongoDB adapter between the writes of a unit (finished by
// Store.RecoverUnits), a unit that stopped promoting early and whose follow-up
// failed (free places while people wait), data written by an older release or
// by hand. Check finds all of it; with repair it finishes half-applied units,
// promotes waiters into free places in line order, takes booked volunteers out
// of the line, frees the holdings of cancelled shifts, renumbers a line with
// shared positions, and appends "reconciled" events where the history does not
// replay to the stored roster (the stored roster is kept: it is what volunteers
// were told). Overbooked shifts and overlapping bookings are reported, never
// repaired: which volunteer to take off is for ward staff to decide.

// ReconcileEvery is how often the service runs Reconcile in the background.
const ReconcileEvery = 10 * time.Minute

// reasonReconciled is the reason of the events a repair appends.
const reasonReconciled = "reconciled"

// Replay rebuilds a shift's holdings from its history (events by Seq): the
// place each booked volunteer holds, and the line in order.
func Replay(es []*Event) (places map[string]int, line []string) {
	places = map[string]int{}
	out := func(v string) { line = slices.DeleteFunc(line, func(x string) bool { return x == v }) }
	for _, e := range es {
		v := e.VolunteerID
		switch e.Kind {
		case EventBooked, EventAssigned, EventPromoted:
			places[v] = e.Place
			out(v)
		case EventCancelled, EventRemoved:
			delete(places, v)
		case EventWaiting:
			out(v)
			line = append(line, v)
		case EventLeftWaiting:
			out(v)
		}
	}
	return places, line
}

// Reconcile is the background repair (api/run.go runs it at start and every
// ReconcileEvery): it finishes half-applied units and repairs every shift that
// has a line, where free places, booked waiters and shared positions can be
// left behind. It returns how many repairs it made. Several instances may run
// it at once: every repair is a unit that decides on the holdings it reads.
func (s *Service) Reconcile(ctx context.Context, _ time.Time) (int, error) {
	var rep integrity.Report
	n, err := s.store.RecoverUnits(ctx)
	if err != nil {
		return n, err
	}
	rep.Recovered = n
	ids, err := s.store.WaitingShifts(ctx)
	if err != nil {
		return n, err
	}
	for _, id := range ids {
		sh, err := s.store.ShiftByID(ctx, id)
		if err != nil {
			return n, err
		}
		if err := s.checkShift(ctx, sh, true, &rep, nil); err != nil {
			return n, err
		}
	}
	for _, p := range rep.Problems {
		if p.Repaired {
			n++
			s.log.WarnContext(ctx, "roster: repaired", "problem", p.String())
		} else {
			s.log.ErrorContext(ctx, "roster: broken invariant", "problem", p.String())
		}
	}
	return n, nil
}

// Check checks every shift in the store (and, with repair, repairs what can be
// repaired), adding what it finds to rep.
func (s *Service) Check(ctx context.Context, repair bool, rep *integrity.Report) error {
	if repair {
		n, err := s.store.RecoverUnits(ctx)
		rep.Recovered += n
		if err != nil {
			return err
		}
	}
	held := map[string][]*Booking{} // by volunteer, for overlaps
	p := page.Request{Limit: 200}
	for {
		ss, err := s.store.ListShifts(ctx, ShiftFilter{}, p)
		if err != nil {
			return err
		}
		more := len(ss) > p.Limit
		if more {
			ss = ss[:p.Limit]
		}
		for _, sh := range ss {
			rep.Shifts++
			if err := s.checkShift(ctx, sh, repair, rep, held); err != nil {
				return err
			}
		}
		if !more {
			break
		}
		p.After = ShiftKey(ss[len(ss)-1])
	}
	for v, bs := range held {
		sort.Slice(bs, func(i, j int) bool { return bs[i].StartsAt.Before(bs[j].StartsAt) })
		for i := 1; i < len(bs); i++ {
			if a, b := bs[i-1], bs[i]; Overlaps(a.StartsAt, a.EndsAt, b.StartsAt, b.EndsAt) {
				rep.Add(integrity.Problem{Kind: integrity.Overlapping, Subject: "shift", ID: b.ShiftID, Who: v,
					Detail: fmt.Sprintf("also booked on shift %s at an overlapping time", a.ShiftID)})
			}
		}
	}
	return nil
}

// checkShift checks one shift, repairs it when asked, and collects its bookings
// into held (when not nil) for the overlap check.
func (s *Service) checkShift(ctx context.Context, sh *Shift, repair bool, rep *integrity.Report, held map[string][]*Booking) error {
	h, es, err := s.snapshot(ctx, sh.ID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	found := shiftProblems(h.Shift, h.Bookings, h.Waiters, es, s.timestamp())
	if repair && len(found) > 0 {
		if err := s.repair(ctx, sh.ID, found); err != nil {
			return err
		}
		if h, es, err = s.snapshot(ctx, sh.ID); err != nil {
			return err
		}
		left := shiftProblems(h.Shift, h.Bookings, h.Waiters, es, s.timestamp())
		for i := range found {
			found[i].Repaired = !slices.ContainsFunc(left, func(p integrity.Problem) bool {
				return p.Kind == found[i].Kind && p.Who == found[i].Who
			})
		}
	}
	rep.Add(found...)
	if held != nil {
		for _, b := range h.Bookings {
			held[b.VolunteerID] = append(held[b.VolunteerID], b)
		}
	}
	return nil
}

// snapshot reads a shift's holdings and history as one unit of change that
// writes nothing, so that they agree with each other even while the shift
// changes: a check never reports what a change in flight looks like.
func (s *Service) snapshot(ctx context.Context, id string) (*Holdings, []*Event, error) {
	var (
		h  *Holdings
		es []*Event
	)
	_, err := s.store.Transact(ctx, id, func(ctx context.Context, got *Holdings, _ Volunteers) (*Change, error) {
		var err error
		h = got
		es, err = s.store.Events(ctx, id)
		return nil, err
	})
	return h, es, err
}

// shiftProblems lists what is broken in one shift's stored roster.
func shiftProblems(sh *Shift, bs []*Booking, ws []*Waiter, es []*Event, now time.Time) []integrity.Problem {
	var out []integrity.Problem
	add := func(k integrity.Kind, who, detail string) {
		out = append(out, integrity.Problem{Kind: k, Subject: "shift", ID: sh.ID, Who: who, Detail: detail})
	}
	if len(bs) > sh.Places {
		add(integrity.Overbooked, "", fmt.Sprintf("%d bookings on %d places", len(bs), sh.Places))
	}
	if sh.Status == StatusCancelled && (len(bs) > 0 || len(ws) > 0) {
		add(integrity.CancelledWithHoldings, "", fmt.Sprintf("%d bookings and %d waiting", len(bs), len(ws)))
	}
	booked := map[string]bool{}
	for _, b := range bs {
		booked[b.VolunteerID] = true
	}
	seqs := map[int64]bool{}
	for _, w := range ws {
		if booked[w.VolunteerID] {
			add(integrity.BookedAndWaiting, w.VolunteerID, "")
		}
		if seqs[w.Seq] {
			add(integrity.DuplicatePosition, w.VolunteerID, fmt.Sprintf("shares line number %d", w.Seq))
		}
		seqs[w.Seq] = true
	}
	if needsFill(&Holdings{Shift: sh, Bookings: bs, Waiters: ws}, now) {
		add(integrity.FreeWhileWaiting, "", fmt.Sprintf("%d of %d places booked, %d waiting", len(bs), sh.Places, len(ws)))
	}
	if d := mismatch(bs, ws, es); d != "" {
		add(integrity.HistoryMismatch, "", d)
	}
	return out
}

// mismatch says how the stored roster differs from its replayed history; "" when
// it does not.
func mismatch(bs []*Booking, ws []*Waiter, es []*Event) string {
	places, line := Replay(es)
	stored := map[string]int{}
	for _, b := range bs {
		stored[b.VolunteerID] = b.Place
		if p, ok := places[b.VolunteerID]; !ok || p != b.Place {
			return fmt.Sprintf("volunteer %s holds place %d, the history says %d", b.VolunteerID, b.Place, p)
		}
	}
	for v, p := range places {
		if _, ok := stored[v]; !ok {
			return fmt.Sprintf("the history gives volunteer %s place %d, not stored", v, p)
		}
	}
	if got := waiterIDs(ws); !slices.Equal(got, line) {
		return fmt.Sprintf("the line is %v, the history says %v", got, line)
	}
	return ""
}

func waiterIDs(ws []*Waiter) []string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		out = append(out, w.VolunteerID)
	}
	return out
}

// repair fixes what can be fixed of one shift, each in a unit deciding on the
// holdings it reads: first the history (so later events replay), then the
// holdings of a cancelled shift, booked waiters, shared positions, and last the
// free places (promoteLine).
func (s *Service) repair(ctx context.Context, id string, found []integrity.Problem) error {
	has := func(k integrity.Kind) bool {
		return slices.ContainsFunc(found, func(p integrity.Problem) bool { return p.Kind == k })
	}
	if has(integrity.HistoryMismatch) {
		es, err := s.store.Events(ctx, id)
		if err != nil {
			return err
		}
		var seen int64
		if len(es) > 0 {
			seen = es[len(es)-1].Seq
		}
		_, err = s.transact(ctx, id, func(ctx context.Context, t *tx) error {
			if t.h.Seq != seen {
				return nil // the history moved on meanwhile: the next check looks again
			}
			t.restate(Replay(es))
			return nil
		})
		if err != nil {
			return fmt.Errorf("reconcile history of shift %s: %w", id, err)
		}
	}
	_, err := s.transact(ctx, id, func(ctx context.Context, t *tx) error {
		if t.shift.Status == StatusCancelled {
			for _, b := range t.h.Bookings {
				_ = t.cancel(b.VolunteerID, EventCancelled, ByReconciler, reasonShiftCancelled)
			}
			t.clearLine(ByReconciler, reasonShiftCancelled)
			return nil
		}
		for _, w := range slices.Clone(t.waiting) {
			if _, ok := t.booked[w.VolunteerID]; ok {
				_ = t.leave(w.VolunteerID, ByReconciler, reasonReconciled)
			}
		}
		if hasDuplicates(t.waiting) {
			t.renumberLine()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("repair shift %s: %w", id, err)
	}
	s.promoteLine(ctx, id)
	return nil
}

func hasDuplicates(ws []*Waiter) bool {
	seen := map[int64]bool{}
	for _, w := range ws {
		if seen[w.Seq] {
			return true
		}
		seen[w.Seq] = true
	}
	return false
}

// restate appends the events that make the history replay to the stored
// holdings, given what it replays to now (places and line). The stored roster is
// what volunteers were told, so it is kept.
func (t *tx) restate(places map[string]int, line []string) {
	stored := map[string]*Booking{}
	for _, b := range t.h.Bookings {
		stored[b.VolunteerID] = b
	}
	vs := make([]string, 0, len(places))
	for v := range places {
		vs = append(vs, v)
	}
	sort.Strings(vs)
	for _, v := range vs {
		if b, ok := stored[v]; !ok || b.Place != places[v] {
			t.record(v, EventCancelled, places[v], ByReconciler, reasonReconciled)
		}
	}
	for _, b := range t.h.Bookings {
		if p, ok := places[b.VolunteerID]; !ok || p != b.Place {
			t.record(b.VolunteerID, EventBooked, b.Place, ByReconciler, reasonReconciled)
			line = slices.DeleteFunc(line, func(x string) bool { return x == b.VolunteerID })
		}
	}
	if !slices.Equal(line, waiterIDs(t.h.Waiters)) {
		for _, v := range line {
			t.record(v, EventLeftWaiting, 0, ByReconciler, reasonReconciled)
		}
		t.renumberLine()
	}
}

// renumberLine puts the line back in its stored order under new numbers, each
// with a "waiting" event: the repair of shared positions, and the last step of
// restating a history.
func (t *tx) renumberLine() {
	old := t.waiting
	t.waiting = nil
	for _, w := range old {
		t.drop(w)
		e := t.record(w.VolunteerID, EventWaiting, 0, ByReconciler, reasonReconciled)
		nw := &Waiter{ShiftID: w.ShiftID, VolunteerID: w.VolunteerID, Seq: e.Seq, JoinedAt: w.JoinedAt}
		t.waiting = append(t.waiting, nw)
		t.ch.Join = append(t.ch.Join, nw)
	}
}
