package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/roster"
	"ecitizen/internal/store/mongo"
	"ecitizen/internal/store/storetest"
)

// Units of change killed at every point: MongoDB has no transactions, so a unit
// commits by inserting its first history event and then applies its writes one
// by one (units.go). A writer killed after the commit, after any number of its
// writes, leaves a unit that the next unit of the shift (once the writer is
// presumed gone), RecoverUnits, or whoever takes over the writer's expired
// volunteer lease finishes exactly: the stored roster is the one the history
// replays to, places are filled from the line, and nobody is booked twice.

type crashWorld struct {
	db            *mongo.DB
	ward, centre  string
	vols          []string
	shift, clash  *roster.Shift
	holder, first string // the booked volunteer who cancels, and the first in line
}

func newCrashWorld(t *testing.T, db *mongo.DB) *crashWorld {
	t.Helper()
	ctx := t.Context()
	ts := now()
	w := &crashWorld{db: db}
	ward := &directory.Ward{ID: uuid.NewString(), Code: "K" + uuid.NewString()[:6], NameVi: "Phường Kim Liên", NameEn: "Kim Lien Ward",
		Status: directory.WardActive, CreatedAt: ts, UpdatedAt: ts}
	if err := db.CreateWard(ctx, ward); err != nil {
		t.Fatal(err)
	}
	day := []directory.Span{{Open: "00:00", Close: "24:00"}}
	c := &directory.Centre{ID: uuid.NewString(), WardID: ward.ID, Name: "Nhà văn hoá tổ 5", Address: "5 Lương Định Của",
		Hours: directory.OpeningHours{Mon: day, Tue: day, Wed: day, Thu: day, Fri: day, Sat: day, Sun: day}, Seats: 4, Active: true,
		CreatedAt: ts, UpdatedAt: ts}
	if err := db.CreateCentre(ctx, c); err != nil {
		t.Fatal(err)
	}
	w.ward, w.centre = ward.ID, c.ID
	for range 5 {
		u := newUser(uuid.Must(uuid.NewV7()).String(), uuid.NewString()+"@example.vn")
		u.Role = identity.RoleVolunteer
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		w.vols = append(w.vols, u.ID)
	}
	start := ts.Add(72 * time.Hour).Truncate(time.Hour)
	mk := func(start time.Time, places int) *roster.Shift {
		s := &roster.Shift{ID: uuid.Must(uuid.NewV7()).String(), CentreID: c.ID, WardID: ward.ID, Title: "Hướng dẫn dịch vụ công",
			Role: roster.RoleGuide, StartsAt: start, EndsAt: start.Add(2 * time.Hour), Places: places,
			SignupOpensAt: start.Add(-roster.DefaultSignupLead), CancelDeadline: start.Add(-roster.DefaultCancelDeadline),
			Status: roster.StatusScheduled, CreatedBy: "staff-1", CreatedAt: ts, UpdatedAt: ts}
		if err := db.CreateShift(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	w.shift = mk(start, 2)
	w.clash = mk(start.Add(time.Hour), 2) // overlaps the shift
	for _, v := range w.vols[:2] {
		b := &roster.Booking{ShiftID: w.shift.ID, VolunteerID: v, StartsAt: w.shift.StartsAt, EndsAt: w.shift.EndsAt, BookedBy: v, BookedAt: ts}
		if err := roster.PutBooking(ctx, db, b, roster.EventBooked); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range w.vols[2:] {
		if _, err := roster.PutWaiter(ctx, db, w.shift.ID, v, ts); err != nil {
			t.Fatal(err)
		}
	}
	w.holder, w.first = w.vols[0], w.vols[2]
	return w
}

// cancelAndPromote is the unit a volunteer's cancellation is: their place
// freed, and the first in line promoted into it.
func (w *crashWorld) cancelAndPromote(ctx context.Context, h *roster.Holdings, v roster.Volunteers) (*roster.Change, error) {
	at := now()
	var gone *roster.Booking
	for _, b := range h.Bookings {
		if b.VolunteerID == w.holder {
			gone = b
		}
	}
	if gone == nil || len(h.Waiters) == 0 {
		return nil, errors.New("the world is not as built")
	}
	next := h.Waiters[0]
	if err := v.Free(ctx, next.VolunteerID, h.Shift.StartsAt, h.Shift.EndsAt); err != nil {
		return nil, err
	}
	nb := &roster.Booking{ShiftID: h.Shift.ID, Place: gone.Place, VolunteerID: next.VolunteerID, StartsAt: h.Shift.StartsAt,
		EndsAt: h.Shift.EndsAt, BookedBy: roster.ByPromotion, BookedAt: at}
	return &roster.Change{Cancel: []*roster.Booking{gone}, Leave: []*roster.Waiter{next}, Book: []*roster.Booking{nb},
		Events: []*roster.Event{
			{ShiftID: h.Shift.ID, Seq: h.Seq + 1, VolunteerID: w.holder, Kind: roster.EventCancelled, Place: gone.Place, By: w.holder, At: at},
			{ShiftID: h.Shift.ID, Seq: h.Seq + 2, VolunteerID: next.VolunteerID, Kind: roster.EventPromoted, Place: gone.Place, By: roster.ByPromotion, At: at},
		}}, nil
}

// settled checks that the shift's stored roster is what its history replays
// to, and what the cancellation promised.
func (w *crashWorld) settled(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	bs, err := w.db.Bookings(ctx, w.shift.ID)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := w.db.Waiters(ctx, w.shift.ID)
	if err != nil {
		t.Fatal(err)
	}
	es, err := w.db.Events(ctx, w.shift.ID)
	if err != nil {
		t.Fatal(err)
	}
	places, line := roster.Replay(es)
	stored := map[string]int{}
	for _, b := range bs {
		stored[b.VolunteerID] = b.Place
	}
	var waiting []string
	for _, x := range ws {
		waiting = append(waiting, x.VolunteerID)
	}
	for i, e := range es {
		if e.Seq != int64(i+1) {
			t.Fatalf("history numbers %v", es)
		}
	}
	if len(stored) != len(places) || !slices.Equal(waiting, line) {
		t.Fatalf("stored %v and line %v; the history replays to %v and %v", stored, waiting, places, line)
	}
	for v, p := range places {
		if stored[v] != p {
			t.Fatalf("stored %v; the history replays to %v", stored, places)
		}
	}
	if _, ok := stored[w.holder]; ok || stored[w.first] == 0 || slices.Contains(waiting, w.first) || len(bs) != 2 {
		t.Fatalf("after the cancellation: booked %v, waiting %v", stored, waiting)
	}
}

// unitStale and leaseStale are the shortened times of units and leases in
// these tests: short, so that the tests wait little for a crashed writer's unit
// and leases to go stale, and long enough that a live writer on a loaded
// machine (FerretDB's writes take tens of milliseconds then) finishes its unit
// in time. The tests sleep past them (staleAfter).
const (
	unitStale  = 600 * time.Millisecond
	leaseStale = 1200 * time.Millisecond
)

// staleAfter waits until what a writer killed now held is stale: its unit, or
// its unit and its leases.
func staleAfter(d time.Duration) { time.Sleep(d + d/6) }

func TestUnitKilledAtEveryPointIsFinished(t *testing.T) {
	defer mongo.SetTimesForTest(unitStale, leaseStale)()
	probe := newCrashWorld(t, open(t, dbName()))
	ops, err := probe.db.CrashForTest(t.Context(), probe.shift.ID, probe.cancelAndPromote, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	for _, how := range []string{"NextUnit", "RecoverUnits", "StaleLease"} {
		for n := 0; n <= ops; n++ { // killed after n of the unit's writes (n = ops: before clearing its mark)
			t.Run(how+"/"+string(rune('0'+n)), func(t *testing.T) {
				ctx := t.Context()
				w := newCrashWorld(t, open(t, dbName()))
				if _, err := w.db.CrashForTest(ctx, w.shift.ID, w.cancelAndPromote, n); err != nil {
					t.Fatal(err)
				}
				// The history already tells the committed unit.
				es, err := w.db.Events(ctx, w.shift.ID)
				if err != nil {
					t.Fatal(err)
				}
				if k := es[len(es)-1].Kind; k != roster.EventPromoted {
					t.Fatalf("the committed unit's last event is %q, want promoted", k)
				}
				switch how {
				case "NextUnit":
					// The next unit of the shift waits for the writer, then finishes its unit.
					if err := roster.DropWaiter(ctx, w.db, w.shift.ID, w.vols[4], "test"); err != nil {
						t.Fatal(err)
					}
				case "RecoverUnits":
					staleAfter(unitStale)
					// (Under load the setup's own units may have been left to
					// recovery too: at least the killed one is finished.)
					if got, err := w.db.RecoverUnits(ctx); err != nil || got < 1 {
						t.Fatalf("RecoverUnits finished %d units (%v), want the killed one", got, err)
					}
					if got, err := w.db.RecoverUnits(ctx); err != nil || got != 0 {
						t.Fatalf("RecoverUnits again finished %d units (%v), want 0", got, err)
					}
				case "StaleLease":
					// The promoted volunteer books an overlapping shift once the
					// crashed writer's lease on them expired: the unit it held is
					// finished first, so the overlap is seen.
					staleAfter(leaseStale)
					b := &roster.Booking{ShiftID: w.clash.ID, VolunteerID: w.first, StartsAt: w.clash.StartsAt, EndsAt: w.clash.EndsAt,
						BookedBy: w.first, BookedAt: now()}
					if err := roster.PutBooking(ctx, w.db, b, roster.EventBooked); !errors.Is(err, roster.ErrOverlap) {
						t.Fatalf("booking an overlapping shift after the crash: %v, want ErrOverlap", err)
					}
				}
				w.settled(t)
			})
		}
	}
}

// A crashed unit that never committed (killed while deciding, or between its
// volunteer's lease and its commit) left nothing but the lease, which expires.
func TestUnitKilledBeforeCommitLeavesNothing(t *testing.T) {
	defer mongo.SetTimesForTest(unitStale, leaseStale)()
	ctx := t.Context()
	w := newCrashWorld(t, open(t, dbName()))
	before, err := w.db.Events(ctx, w.shift.ID)
	if err != nil {
		t.Fatal(err)
	}
	refused := errors.New("killed before the commit")
	if _, err := w.db.CrashForTest(ctx, w.shift.ID, func(ctx context.Context, h *roster.Holdings, v roster.Volunteers) (*roster.Change, error) {
		if err := v.Free(ctx, w.first, h.Shift.StartsAt, h.Shift.EndsAt); err != nil {
			return nil, err
		}
		return nil, refused
	}, 0); !errors.Is(err, refused) {
		t.Fatal(err)
	}
	after, err := w.db.Events(ctx, w.shift.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("history grew from %d to %d", len(before), len(after))
	}
	if _, err := w.db.RecoverUnits(ctx); err != nil {
		t.Fatal(err)
	}
	if again, err := w.db.Events(ctx, w.shift.ID); err != nil || len(again) != len(before) {
		t.Fatalf("history after recovery: %d lines (%v), want %d", len(again), err, len(before))
	}
	// The lease expires and the volunteer books again.
	staleAfter(leaseStale)
	b := &roster.Booking{ShiftID: w.clash.ID, VolunteerID: w.first, StartsAt: w.clash.StartsAt, EndsAt: w.clash.EndsAt, BookedBy: w.first, BookedAt: now()}
	if err := roster.PutBooking(ctx, w.db, b, roster.EventBooked); err != nil {
		t.Fatal(err)
	}
}

// TestMigrationNumbersHistories: documents an older release wrote (history
// events and waiters without numbers, shifts without a watermark) are numbered
// at the next start, and units go on after them.
func TestMigrationNumbersHistories(t *testing.T) {
	ctx := t.Context()
	name := dbName()
	w := newCrashWorld(t, open(t, name))
	client, err := mongodrv.Connect(options.Client().ApplyURI(storetest.MongoURI(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	raw := client.Database(name)
	// Make the shift's roster look as an older release left it.
	for _, col := range []string{"shift_events", "shift_waiters", "shift_bookings"} {
		if _, err := raw.Collection(col).DeleteMany(ctx, bson.D{{Key: "shift_id", Value: w.shift.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.Collection("shifts").UpdateOne(ctx, bson.D{{Key: "_id", Value: w.shift.ID}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "seq", Value: ""}}}}); err != nil {
		t.Fatal(err)
	}
	at := func(ms int64) time.Time { return time.UnixMilli(1_900_000_000_000 + ms).UTC() }
	a, b, c := w.vols[0], w.vols[1], w.vols[2]
	legacy := []any{
		bson.D{{Key: "_id", Value: "e3"}, {Key: "shift_id", Value: w.shift.ID}, {Key: "volunteer_id", Value: b}, {Key: "kind", Value: "waiting"}, {Key: "place", Value: 0}, {Key: "by", Value: b}, {Key: "reason", Value: ""}, {Key: "at", Value: at(20)}},
		bson.D{{Key: "_id", Value: "e1"}, {Key: "shift_id", Value: w.shift.ID}, {Key: "volunteer_id", Value: a}, {Key: "kind", Value: "booked"}, {Key: "place", Value: 1}, {Key: "by", Value: a}, {Key: "reason", Value: ""}, {Key: "at", Value: at(10)}},
		bson.D{{Key: "_id", Value: "e5"}, {Key: "shift_id", Value: w.shift.ID}, {Key: "volunteer_id", Value: c}, {Key: "kind", Value: "waiting"}, {Key: "place", Value: 0}, {Key: "by", Value: c}, {Key: "reason", Value: ""}, {Key: "at", Value: at(20)}},
	}
	if _, err := raw.Collection("shift_events").InsertMany(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Collection("shift_waiters").InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: "w2"}, {Key: "shift_id", Value: w.shift.ID}, {Key: "volunteer_id", Value: c}, {Key: "joined_at", Value: at(21)}},
		bson.D{{Key: "_id", Value: "w1"}, {Key: "shift_id", Value: w.shift.ID}, {Key: "volunteer_id", Value: b}, {Key: "joined_at", Value: at(20)}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Collection("shift_bookings").InsertOne(ctx, bson.D{{Key: "_id", Value: w.shift.ID + ":000001"},
		{Key: "shift_id", Value: w.shift.ID}, {Key: "place", Value: 1}, {Key: "volunteer_id", Value: a},
		{Key: "starts_at", Value: w.shift.StartsAt}, {Key: "ends_at", Value: w.shift.EndsAt}, {Key: "booked_by", Value: a},
		{Key: "reason", Value: ""}, {Key: "booked_at", Value: at(10)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Collection("migrations").DeleteOne(ctx, bson.D{{Key: "_id", Value: "units-v1"}}); err != nil {
		t.Fatal(err)
	}

	db := open(t, name) // the next start migrates
	es, err := db.Events(ctx, w.shift.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%d:%s:%s", e.Seq, e.Kind, e.VolunteerID))
	}
	if want := []string{"1:booked:" + a, "2:waiting:" + b, "3:waiting:" + c}; !slices.Equal(got, want) {
		t.Fatalf("history after migration = %v, want %v", got, want)
	}
	ws, err := db.Waiters(ctx, w.shift.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 || ws[0].VolunteerID != b || ws[0].Seq != 2 || ws[1].VolunteerID != c || ws[1].Seq != 3 {
		t.Fatalf("line after migration: %+v", ws)
	}
	// Units go on after the migrated history, and leave the legacy entry by its own _id.
	if err := roster.DropWaiter(ctx, db, w.shift.ID, b, "test"); err != nil {
		t.Fatal(err)
	}
	es, err = db.Events(ctx, w.shift.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(es); n != 4 || es[3].Seq != 4 || es[3].Kind != roster.EventLeftWaiting {
		t.Fatalf("history after a unit: %v", got)
	}
	ws, err = db.Waiters(ctx, w.shift.ID)
	if err != nil || len(ws) != 1 || ws[0].VolunteerID != c {
		t.Fatalf("line after leaving: %+v %v", ws, err)
	}
}

// TestUnitDecidesOnTheShiftAsItIs: a unit that commits and is applied between a
// booking's read of the shift and its read of the history (here: the places
// lowered to the two booked) must not leave the booking deciding on the shift
// as it was: it is refused (full), never stored above the places.
func TestUnitDecidesOnTheShiftAsItIs(t *testing.T) {
	ctx := t.Context()
	w := newCrashWorld(t, open(t, dbName()))
	lower := *w.shift
	lower.Places = 2
	// The shift has 2 places, both booked: raise them to 3 first, so that a
	// booking would fit on the shift as first read.
	raised := *w.shift
	raised.Places = 3
	if err := roster.PutShift(ctx, w.db, &raised, "test"); err != nil {
		t.Fatal(err)
	}
	defer mongo.AfterAnchorReadForTest(w.shift.ID, func() {
		if err := roster.PutShift(ctx, w.db, &lower, "test"); err != nil {
			t.Error(err)
		}
	})()
	b := &roster.Booking{ShiftID: w.shift.ID, VolunteerID: w.vols[4], StartsAt: w.shift.StartsAt, EndsAt: w.shift.EndsAt,
		BookedBy: w.vols[4], BookedAt: now()}
	err := roster.PutBooking(ctx, w.db, b, roster.EventBooked)
	sh, serr := w.db.ShiftByID(ctx, w.shift.ID)
	if serr != nil {
		t.Fatal(serr)
	}
	bs, berr := w.db.Bookings(ctx, w.shift.ID)
	if berr != nil {
		t.Fatal(berr)
	}
	if sh.Places != 2 || len(bs) > sh.Places {
		t.Fatalf("%d bookings on %d places (the booking answered %v)", len(bs), sh.Places, err)
	}
	if err == nil {
		t.Fatal("a booking of a full shift was accepted")
	}
}
