package roster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"ecitizen/internal/apperr"
)

// Units of change.
//
// Every change of a shift's holdings (book, join the waiting list, cancel, leave
// it, promote, assign, remove, change the shift's places or times, cancel or
// delete the shift) is one transition: a Decide function reads the shift's
// Holdings and returns the Change to write, and Store.Transact writes it as one
// unit together with its history events, or writes nothing. The store serialises
// the units of one shift, so a transition always decides on holdings no other
// unit is changing: capacity, line order and "a newcomer never takes a place
// while anyone waits" are rules of one place (tx below), not races between
// writes.
//
// The history numbers a shift's events 1, 2, 3… in commit order (Event.Seq), and
// replaying it (Replay) gives the stored bookings and waiting list exactly; a
// waiter's line order is the number of their "waiting" event.

// Holdings is a shift's roster as a unit of change reads it.
type Holdings struct {
	Shift    *Shift
	Bookings []*Booking // ordered by Place
	Waiters  []*Waiter  // in line: ordered by Seq
	Seq      int64      // the number of the shift's last history event; 0 when none
}

// Change is everything one transition writes. The store applies it whole or not
// at all: Cancel and Leave first, then Shift, Book and Join, with Events.
type Change struct {
	// Shift is the shift's new state (every field Store.UpdateShift would
	// replace); nil leaves the shift as it is.
	Shift *Shift
	// Delete removes the shift itself: only one without any history (Seq 0),
	// booking or waiter.
	Delete bool
	Cancel []*Booking // bookings removed (by ShiftID and VolunteerID)
	Book   []*Booking // bookings inserted
	Leave  []*Waiter  // waiting-list entries removed
	Join   []*Waiter  // entries inserted; each one's Seq is its "waiting" event's
	// Events is the history of the change, numbered Holdings.Seq+1, +2, … in
	// order; a change always has at least one.
	Events []*Event
}

// Decide is a transition: it reads a shift's holdings and returns the change to
// write, nil to write nothing, or an error to refuse. The store may call it
// again (when another unit of the same shift committed first, on the new
// holdings), so it must have no effect but its answer and the questions it asks
// through v.
type Decide func(ctx context.Context, h *Holdings, v Volunteers) (*Change, error)

// Volunteers is what a transition asks about volunteers' other shifts.
type Volunteers interface {
	// Free returns ErrOverlap when the volunteer holds a booking of another shift
	// overlapping [from, to). The store keeps the answer true until the unit ends
	// (in the same transaction, or under the volunteer's lease). It returns
	// ErrLater when the store cannot hold one more volunteer in this unit: the
	// transition stops there and leaves the rest to a next unit.
	Free(ctx context.Context, volunteerID string, from, to time.Time) error
}

// ErrLater is returned by Volunteers.Free when a unit cannot take one more
// volunteer; the transition writes what it has decided so far.
var ErrLater = errors.New("roster: the unit cannot hold another volunteer")

// Event kinds of a shift's history. The first seven change holdings (Replay);
// the others record what happened to the shift.
const (
	EventBooked      = "booked"       // a volunteer took a place
	EventAssigned    = "assigned"     // staff gave a volunteer a place
	EventPromoted    = "promoted"     // the first in line took a freed place
	EventCancelled   = "cancelled"    // a volunteer's place was freed (by them, or by a change of the shift)
	EventRemoved     = "removed"      // staff took a volunteer off the shift
	EventWaiting     = "waiting"      // a volunteer joined the waiting list
	EventLeftWaiting = "left_waiting" // a volunteer left it (themselves, a collision, a cancelled shift)

	EventShiftChanged   = "shift_changed"   // staff (or its series) changed the shift
	EventShiftCancelled = "shift_cancelled" // the shift was cancelled
	EventShiftDeleted   = "shift_deleted"   // a shift that never had history was deleted
)

// By names who did something when it was not a person.
const (
	ByPromotion  = "promotion"  // a freed place went to the first in line
	BySeries     = "series"     // an occurrence followed its series
	ByReconciler = "reconciler" // a repair of what a crash or a direct write left behind
)

// tx is a transition being decided: the holdings as they will be, and the change
// so far. Every rule about places and the line lives in its methods.
type tx struct {
	h       *Holdings
	v       Volunteers
	now     time.Time
	shift   *Shift
	booked  map[string]*Booking // by volunteer, as they will be
	waiting []*Waiter           // the line as it will be
	ch      Change
	// later is set when fill stopped early (ErrLater): places may stay free
	// while people wait until a next unit fills them.
	later bool
}

func newTx(h *Holdings, v Volunteers, now time.Time) *tx {
	t := &tx{h: h, v: v, now: now, shift: h.Shift, booked: make(map[string]*Booking, len(h.Bookings))}
	for _, b := range h.Bookings {
		t.booked[b.VolunteerID] = b
	}
	t.waiting = append(t.waiting, h.Waiters...)
	return t
}

// record appends a history event, numbered after the holdings' last.
func (t *tx) record(volunteerID, kind string, place int, by, reason string) *Event {
	e := &Event{ShiftID: t.shift.ID, Seq: t.h.Seq + int64(len(t.ch.Events)) + 1, VolunteerID: volunteerID,
		Kind: kind, Place: place, By: by, Reason: reason, At: t.now}
	t.ch.Events = append(t.ch.Events, e)
	return e
}

// setShift replaces the shift's fields in this change.
func (t *tx) setShift(sh *Shift) {
	t.shift, t.ch.Shift = sh, sh
}

// open reports whether the shift still takes bookings from its line.
func (t *tx) open() bool {
	return t.shift.Status == StatusScheduled && t.shift.StartsAt.After(t.now)
}

// position is a volunteer's place in line (1 is next), 0 when not waiting.
func (t *tx) position(volunteerID string) int {
	return HoldOf(nil, t.waiting, volunteerID).Position
}

// freePlace is the lowest place number not taken, or 0 when the shift is full:
// as many bookings as places. Place numbers are labels; a shift whose places
// were lowered may keep a booking numbered above them.
func (t *tx) freePlace() int {
	if len(t.booked) >= t.shift.Places {
		return 0
	}
	taken := make(map[int]bool, len(t.booked))
	for _, b := range t.booked {
		taken[b.Place] = true
	}
	for n := 1; ; n++ {
		if !taken[n] {
			return n
		}
	}
}

// book gives a volunteer the lowest free place (errFull when there is none),
// after asking whether they are free then (errCollides; ErrLater passes
// through), and takes them out of the line.
func (t *tx) book(ctx context.Context, volunteerID, kind, by, reason string) (*Booking, error) {
	if _, ok := t.booked[volunteerID]; ok {
		return nil, errBooked
	}
	n := t.freePlace()
	if n == 0 {
		return nil, errFull
	}
	if err := t.v.Free(ctx, volunteerID, t.shift.StartsAt, t.shift.EndsAt); err != nil {
		if errors.Is(err, ErrOverlap) {
			return nil, errCollides
		}
		return nil, err
	}
	t.unwait(volunteerID)
	b := &Booking{ShiftID: t.shift.ID, Place: n, VolunteerID: volunteerID, StartsAt: t.shift.StartsAt, EndsAt: t.shift.EndsAt,
		BookedBy: by, Reason: reason, BookedAt: t.now}
	t.booked[volunteerID] = b
	t.ch.Book = append(t.ch.Book, b)
	t.record(volunteerID, kind, n, by, reason)
	return b, nil
}

// cancel frees a volunteer's place; a volunteer without one is not found.
func (t *tx) cancel(volunteerID, kind, by, reason string) error {
	b, ok := t.booked[volunteerID]
	if !ok {
		return errNoBooking
	}
	delete(t.booked, volunteerID)
	t.ch.Cancel = append(t.ch.Cancel, b)
	t.record(volunteerID, kind, b.Place, by, reason)
	return nil
}

// join puts a volunteer at the end of the line and returns their entry and
// position.
func (t *tx) join(volunteerID string) (*Waiter, int) {
	e := t.record(volunteerID, EventWaiting, 0, volunteerID, "")
	w := &Waiter{ShiftID: t.shift.ID, VolunteerID: volunteerID, Seq: e.Seq, JoinedAt: t.now}
	t.waiting = append(t.waiting, w)
	t.ch.Join = append(t.ch.Join, w)
	return w, len(t.waiting)
}

// leave takes a volunteer out of the line with an event; one not waiting is not found.
func (t *tx) leave(volunteerID, by, reason string) error {
	if !t.unwait(volunteerID) {
		return errNotWaiting
	}
	t.record(volunteerID, EventLeftWaiting, 0, by, reason)
	return nil
}

// unwait takes a volunteer out of the line without an event (a booking says
// it), reporting whether they were in it.
func (t *tx) unwait(volunteerID string) bool {
	for i, w := range t.waiting {
		if w.VolunteerID != volunteerID {
			continue
		}
		t.waiting = append(t.waiting[:i:i], t.waiting[i+1:]...)
		t.drop(w)
		return true
	}
	return false
}

// drop takes an entry out of the change: a stored one is removed, one joined in
// this change is never written.
func (t *tx) drop(w *Waiter) {
	if slices.Contains(t.h.Waiters, w) {
		t.ch.Leave = append(t.ch.Leave, w)
		return
	}
	t.ch.Join = slices.DeleteFunc(t.ch.Join, func(x *Waiter) bool { return x == w })
}

// fill gives free places to the line, first come first served, while the shift
// is open: a waiter who now holds an overlapping shift leaves the line (reason
// collides). It stops early, without an error, when the store cannot hold one
// more volunteer in this unit (a next unit goes on: Service.promoteLine).
func (t *tx) fill(ctx context.Context) error {
	for t.open() && len(t.waiting) > 0 && t.freePlace() > 0 {
		w := t.waiting[0]
		_, err := t.book(ctx, w.VolunteerID, EventPromoted, ByPromotion, "")
		switch {
		case err == nil:
		case errors.Is(err, errCollides):
			if err := t.leave(w.VolunteerID, ByPromotion, string(CodeCollides)); err != nil {
				return err
			}
		case errors.Is(err, ErrLater):
			t.later = true
			return nil
		default:
			return err
		}
	}
	return nil
}

// clearLine empties the line (a cancelled shift), each with an event.
func (t *tx) clearLine(by, reason string) {
	for len(t.waiting) > 0 {
		_ = t.leave(t.waiting[0].VolunteerID, by, reason)
	}
}

// cancelShift marks the shift cancelled, frees every place and clears the line,
// recording why; it returns the shift as it will be.
func (t *tx) cancelShift(by, reason string) *Shift {
	upd := *t.shift
	upd.Status, upd.UpdatedAt = StatusCancelled, t.now
	t.setShift(&upd)
	t.record("", EventShiftCancelled, 0, by, reason)
	for _, b := range t.h.Bookings {
		if _, ok := t.booked[b.VolunteerID]; ok {
			_ = t.cancel(b.VolunteerID, EventCancelled, by, reasonShiftCancelled)
		}
	}
	t.clearLine(by, reasonShiftCancelled)
	return &upd
}

// change is what the transition writes: nil when it decided nothing.
func (t *tx) change() *Change {
	if len(t.ch.Events) == 0 {
		return nil
	}
	return &t.ch
}

// needsFill reports whether holdings have free places while people wait on an
// open shift: what a unit that stopped early (ErrLater), or a crash of an older
// release, leaves for a next unit.
func needsFill(h *Holdings, now time.Time) bool {
	sh := h.Shift
	return sh.Status == StatusScheduled && sh.StartsAt.After(now) && len(h.Waiters) > 0 && len(h.Bookings) < sh.Places
}

// Check refuses a change that the holdings it was decided on cannot take: events
// not numbered h.Seq+1, +2, …; a booking of a place or a volunteer taken (after
// the change's own cancellations); a second entry of a volunteer in line;
// deleting a shift that keeps bookings or waiters. A transition never makes such
// a change; the stores check it before writing (apperr.ErrConflict), as their
// keys would.
func (ch *Change) Check(h *Holdings) error {
	if len(ch.Events) == 0 {
		return errors.New("roster: a unit of change without history")
	}
	for i, e := range ch.Events {
		if want := h.Seq + int64(i) + 1; e.Seq != want || e.ShiftID != h.Shift.ID {
			return fmt.Errorf("roster: event %d of a unit is %s #%d, want %s #%d", i, e.ShiftID, e.Seq, h.Shift.ID, want)
		}
	}
	places, booked := map[int]bool{}, map[string]bool{}
	for _, b := range h.Bookings {
		if !slices.ContainsFunc(ch.Cancel, func(x *Booking) bool { return x.VolunteerID == b.VolunteerID }) {
			places[b.Place], booked[b.VolunteerID] = true, true
		}
	}
	for _, b := range ch.Book {
		if places[b.Place] || booked[b.VolunteerID] || b.ShiftID != h.Shift.ID {
			return fmt.Errorf("roster: place %d of shift %s or its volunteer is taken: %w", b.Place, b.ShiftID, apperr.ErrConflict)
		}
		places[b.Place], booked[b.VolunteerID] = true, true
	}
	waiting := map[string]bool{}
	for _, w := range h.Waiters {
		if !slices.ContainsFunc(ch.Leave, func(x *Waiter) bool { return x.VolunteerID == w.VolunteerID }) {
			waiting[w.VolunteerID] = true
		}
	}
	for _, w := range ch.Join {
		if waiting[w.VolunteerID] || w.ShiftID != h.Shift.ID {
			return fmt.Errorf("roster: volunteer already waiting on shift %s: %w", w.ShiftID, apperr.ErrConflict)
		}
		waiting[w.VolunteerID] = true
	}
	if ch.Delete && (len(booked) > 0 || len(waiting) > 0) {
		return fmt.Errorf("roster: delete shift %s with bookings or waiters: %w", h.Shift.ID, apperr.ErrConflict)
	}
	return nil
}
