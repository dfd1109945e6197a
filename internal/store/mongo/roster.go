package mongo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// Volunteer rosters: shifts, their bookings, waiting lists and history.
//
//   - shifts: _id = shift id; seq is the last applied history event. A
//     cancelled shift keeps its status; only an occurrence of a series that
//     never had a booking or a waiter is deleted (by a unit).
//   - shift_bookings: one document per booked place, _id = bookingKey(shift,
//     place), so a place is taken once, and a unique index on (shift_id,
//     volunteer_id), so a volunteer holds one place per shift. starts_at and
//     ends_at copy the shift's times, so a volunteer's overlapping bookings are
//     found without a join.
//   - shift_waiters: _id = eventKey(shift, seq) of the "waiting" event that put
//     the volunteer in line (entries of older releases keep their random _id),
//     unique index on (shift_id, volunteer_id); the line is ordered by seq.
//   - shift_events: _id = eventKey(shift, seq), the shift's history and the log
//     of its units of change (units.go).
//   - volunteer_leases: the per-volunteer critical section of a unit that books
//     someone (leases.go): a volunteer's bookings never overlap, and that spans
//     shifts, so the unit asks whether the volunteer is free while holding the
//     volunteer's lease, and keeps it until the booking is written.
//
// Every change of a shift after its creation is a unit (Transact): the holdings
// are read at the shift's history number, the transition decides, and the unit
// commits by inserting its first event (units.go). Units of one shift in one
// process take turns (turns, leases.go); across processes the commit insert
// decides.
//
// MongoDB has no foreign keys: CreateShift checks the centre, the ward and the
// qualification course by _id, as the SQLite adapter's foreign keys do; a
// unit's volunteers exist (the service checks them) and its shift is read by it.

// Collection names of rosters.
const (
	colShifts      = "shifts"
	colBookings    = "shift_bookings"
	colWaiters     = "shift_waiters"
	colShiftEvents = "shift_events"
	colLeases      = "volunteer_leases"
)

func (d *DB) shifts() *mongodrv.Collection      { return d.db.Collection(colShifts) }
func (d *DB) bookings() *mongodrv.Collection    { return d.db.Collection(colBookings) }
func (d *DB) waiters() *mongodrv.Collection     { return d.db.Collection(colWaiters) }
func (d *DB) shiftEvents() *mongodrv.Collection { return d.db.Collection(colShiftEvents) }
func (d *DB) leases() *mongodrv.Collection      { return d.db.Collection(colLeases) }

type shiftDoc struct {
	ID                    string    `bson:"_id"`
	CentreID              string    `bson:"centre_id"`
	WardID                string    `bson:"ward_id"`
	Title                 string    `bson:"title"`
	Role                  string    `bson:"role"`
	StartsAt              time.Time `bson:"starts_at"`
	EndsAt                time.Time `bson:"ends_at"`
	Places                int       `bson:"places"`
	QualificationCourseID string    `bson:"qualification_course_id"` // "" when none
	Notes                 string    `bson:"notes"`
	SignupOpensAt         time.Time `bson:"signup_opens_at"`
	CancelDeadline        time.Time `bson:"cancel_deadline"`
	Status                string    `bson:"status"`
	CreatedBy             string    `bson:"created_by"`
	CreatedAt             time.Time `bson:"created_at"`
	UpdatedAt             time.Time `bson:"updated_at"`
	// SeriesID and Occurrence are missing for a single shift (documents stored
	// before series existed have neither).
	SeriesID   string     `bson:"series_id,omitempty"`
	Occurrence *time.Time `bson:"occurrence,omitempty"`
	Detached   bool       `bson:"detached"`
	// Seq is the number of the shift's last applied history event (units.go).
	Seq int64 `bson:"seq"`
}

func (d *shiftDoc) shift() *roster.Shift {
	var occ time.Time
	if d.Occurrence != nil {
		occ = utc(*d.Occurrence)
	}
	return &roster.Shift{
		SeriesID:              d.SeriesID,
		Occurrence:            occ,
		Detached:              d.Detached,
		ID:                    d.ID,
		CentreID:              d.CentreID,
		WardID:                d.WardID,
		Title:                 d.Title,
		Role:                  roster.Role(d.Role),
		StartsAt:              utc(d.StartsAt),
		EndsAt:                utc(d.EndsAt),
		Places:                d.Places,
		QualificationCourseID: d.QualificationCourseID,
		Notes:                 d.Notes,
		SignupOpensAt:         utc(d.SignupOpensAt),
		CancelDeadline:        utc(d.CancelDeadline),
		Status:                roster.Status(d.Status),
		CreatedBy:             d.CreatedBy,
		CreatedAt:             utc(d.CreatedAt),
		UpdatedAt:             utc(d.UpdatedAt),
	}
}

// bookingDoc is one booked place of a shift; _id is bookingKey(shift_id, place).

// bookingDoc is one booked place of a shift; _id is bookingKey(shift_id, place).
type bookingDoc struct {
	Key         string    `bson:"_id"`
	ShiftID     string    `bson:"shift_id"`
	Place       int       `bson:"place"`
	VolunteerID string    `bson:"volunteer_id"`
	StartsAt    time.Time `bson:"starts_at"`
	EndsAt      time.Time `bson:"ends_at"`
	BookedBy    string    `bson:"booked_by"`
	Reason      string    `bson:"reason"`
	BookedAt    time.Time `bson:"booked_at"`
}

func (d *bookingDoc) booking() *roster.Booking {
	return &roster.Booking{
		ShiftID:     d.ShiftID,
		Place:       d.Place,
		VolunteerID: d.VolunteerID,
		StartsAt:    utc(d.StartsAt),
		EndsAt:      utc(d.EndsAt),
		BookedBy:    d.BookedBy,
		Reason:      d.Reason,
		BookedAt:    utc(d.BookedAt),
	}
}

func toBookingDoc(b *roster.Booking) *bookingDoc {
	return &bookingDoc{Key: bookingKey(b.ShiftID, b.Place), ShiftID: b.ShiftID, Place: b.Place, VolunteerID: b.VolunteerID,
		StartsAt: b.StartsAt, EndsAt: b.EndsAt, BookedBy: b.BookedBy, Reason: b.Reason, BookedAt: b.BookedAt}
}

type waiterDoc struct {
	Key         string    `bson:"_id"`
	ShiftID     string    `bson:"shift_id"`
	VolunteerID string    `bson:"volunteer_id"`
	Seq         int64     `bson:"seq"`
	JoinedAt    time.Time `bson:"joined_at"`
}

func (d *waiterDoc) waiter() *roster.Waiter {
	return &roster.Waiter{ShiftID: d.ShiftID, VolunteerID: d.VolunteerID, Seq: d.Seq, JoinedAt: utc(d.JoinedAt)}
}

type shiftEventDoc struct {
	Key         string    `bson:"_id"`
	ShiftID     string    `bson:"shift_id"`
	Seq         int64     `bson:"seq"`
	VolunteerID string    `bson:"volunteer_id"`
	Kind        string    `bson:"kind"`
	Place       int       `bson:"place"`
	By          string    `bson:"by"`
	Reason      string    `bson:"reason"`
	At          time.Time `bson:"at"`
	// Unit is the unit of change this event commits, until it is applied.
	Unit *unitDoc `bson:"unit,omitempty"`
}

func (d *shiftEventDoc) event() *roster.Event {
	return &roster.Event{ShiftID: d.ShiftID, Seq: d.Seq, VolunteerID: d.VolunteerID, Kind: d.Kind,
		Place: d.Place, By: d.By, Reason: d.Reason, At: utc(d.At)}
}

func toShiftEventDoc(e *roster.Event) *shiftEventDoc {
	return &shiftEventDoc{Key: eventKey(e.ShiftID, e.Seq), ShiftID: e.ShiftID, Seq: e.Seq, VolunteerID: e.VolunteerID,
		Kind: e.Kind, Place: e.Place, By: e.By, Reason: e.Reason, At: e.At}
}

// bookingKey is the _id of a booking: the place is zero-padded and has no ':', so
// the key names one (shift, place) pair.
func bookingKey(shiftID string, place int) string {
	return fmt.Sprintf("%s:%06d", shiftID, place)
}

// --- shifts ---

// CreateShift inserts a shift; a taken ID is ErrConflict, an unknown centre, ward or
// qualification course ErrNotFound.
func (d *DB) CreateShift(ctx context.Context, s *roster.Shift) error {
	ctx, markDone, merr := d.markCoverage(ctx, s.WardID)
	if merr != nil {
		return merr
	}
	defer markDone()
	if err := mustExist(ctx, d.centres, "centre", s.CentreID); err != nil {
		return err
	}
	if err := mustExist(ctx, d.wards, "ward", s.WardID); err != nil {
		return err
	}
	if s.QualificationCourseID != "" {
		if err := mustExist(ctx, d.courses, "course", s.QualificationCourseID); err != nil {
			return err
		}
	}
	// A shift made again with the ID of one deleted before (an occurrence of a
	// series) goes on numbering that one's history.
	seq, _, err := d.settleUnits(ctx, shiftJournal, s.ID, time.Now().Add(unitWait))
	if err != nil {
		return err
	}
	_, err = d.shifts().InsertOne(ctx, &shiftDoc{
		ID:                    s.ID,
		CentreID:              s.CentreID,
		WardID:                s.WardID,
		Title:                 s.Title,
		Role:                  string(s.Role),
		StartsAt:              s.StartsAt,
		EndsAt:                s.EndsAt,
		Places:                s.Places,
		QualificationCourseID: s.QualificationCourseID,
		Notes:                 s.Notes,
		SignupOpensAt:         s.SignupOpensAt,
		CancelDeadline:        s.CancelDeadline,
		Status:                string(s.Status),
		CreatedBy:             s.CreatedBy,
		CreatedAt:             s.CreatedAt,
		UpdatedAt:             s.UpdatedAt,
		SeriesID:              s.SeriesID,
		Occurrence:            occurrence(s),
		Detached:              s.Detached,
		Seq:                   seq,
	})
	return wrapErr(err, "shift "+s.ID)
}

// ShiftByID finds a shift by ID.
func (d *DB) ShiftByID(ctx context.Context, id string) (*roster.Shift, error) {
	doc, err := findByID[shiftDoc](ctx, d.shifts(), id, "shift "+id)
	if err != nil {
		return nil, err
	}
	return doc.shift(), nil
}

// ListShifts returns shifts matching f ordered by (StartsAt, ID), strictly after the
// page key p.After (roster.ShiftKey), Limit+1 at most (all when Limit is 0). A page
// key of another shape is a validation error of the cursor.
func (d *DB) ListShifts(ctx context.Context, f roster.ShiftFilter, p page.Request) ([]*roster.Shift, error) {
	filter := bson.D{}
	if f.CentreID != "" {
		filter = append(filter, bson.E{Key: "centre_id", Value: f.CentreID})
	}
	if f.WardID != "" {
		filter = append(filter, bson.E{Key: "ward_id", Value: f.WardID})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(f.Status)})
	}
	filter, err := startWindow(filter, f.From, f.To, p.After)
	if err != nil {
		return nil, err
	}
	o := options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}})
	if p.Limit > 0 {
		o.SetLimit(int64(p.Limit) + 1)
	}
	return find(ctx, d.shifts(), filter, o, "list shifts", (*shiftDoc).shift)
}

// --- units of change ---

// Transact runs decide on the shift's holdings and writes its change as one unit
// (units.go); the volunteers it books are held under their leases until then.
func (d *DB) Transact(ctx context.Context, shiftID string, decide roster.Decide) (*roster.Change, error) {
	vols := &volunteers{d: d, shiftID: shiftID}
	defer vols.release(ctx)
	var out *roster.Change
	// The holdings read at a history number serve again at the same number (the
	// probe's, in the turn): no unit committed in between (units.go).
	var (
		readAt int64 = -1
		h      *roster.Holdings
		keys   map[string]string
	)
	_, err := d.transact(ctx, shiftJournal, shiftID, func(ctx context.Context, seq int64, anchor bson.Raw, probe bool) (bson.D, *unitDoc, error) {
		out = nil
		if seq != readAt {
			var err error
			if h, keys, err = d.holdings(ctx, anchor, seq); err != nil {
				readAt = -1
				return nil, nil, err
			}
			readAt = seq
		}
		var v roster.Volunteers = vols
		if probe {
			v = probing{d: d, shiftID: shiftID}
		} else {
			vols.round()
		}
		ch, err := decide(ctx, h, v)
		if err != nil || ch == nil {
			return nil, nil, err
		}
		if probe {
			return nil, nil, errWrites
		}
		if err := d.references(ctx, h, ch); err != nil {
			return nil, nil, err
		}
		first, u, err := shiftUnit(h, ch, keys)
		if err != nil {
			return nil, nil, fmt.Errorf("unit of shift %s: %w", shiftID, err)
		}
		if err := vols.check("unit of shift " + shiftID); err != nil {
			return nil, nil, err
		}
		out = ch
		return first, u, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// references checks by _id what a change points to, as the SQLite adapter's
// foreign keys do: the volunteers it books or puts in line, and a qualification
// course it sets (ErrNotFound).
func (d *DB) references(ctx context.Context, h *roster.Holdings, ch *roster.Change) error {
	seen := map[string]bool{}
	check := func(id string) error {
		if seen[id] {
			return nil
		}
		seen[id] = true
		return mustExist(ctx, d.users, "volunteer", id)
	}
	for _, b := range ch.Book {
		if err := check(b.VolunteerID); err != nil {
			return err
		}
	}
	for _, w := range ch.Join {
		if err := check(w.VolunteerID); err != nil {
			return err
		}
	}
	if s := ch.Shift; s != nil && s.QualificationCourseID != "" && s.QualificationCourseID != h.Shift.QualificationCourseID {
		return mustExist(ctx, d.courses, "course", s.QualificationCourseID)
	}
	return nil
}

// holdings reads a shift's holdings at history number seq, with the _id of each
// waiter's entry (by volunteer).
func (d *DB) holdings(ctx context.Context, anchor bson.Raw, seq int64) (*roster.Holdings, map[string]string, error) {
	var doc shiftDoc
	if err := bson.Unmarshal(anchor, &doc); err != nil {
		return nil, nil, fmt.Errorf("read shift: %w", err)
	}
	h := &roster.Holdings{Shift: doc.shift(), Seq: seq}
	var err error
	if h.Bookings, err = d.Bookings(ctx, doc.ID); err != nil {
		return nil, nil, err
	}
	ws, err := find(ctx, d.waiters(), bson.D{{Key: "shift_id", Value: doc.ID}}, options.Find().SetSort(waiterOrder),
		"waiters of shift "+doc.ID, func(w *waiterDoc) *waiterDoc { return w })
	if err != nil {
		return nil, nil, err
	}
	keys := make(map[string]string, len(ws))
	for _, w := range ws {
		h.Waiters = append(h.Waiters, w.waiter())
		keys[w.VolunteerID] = w.Key
	}
	return h, keys, nil
}

// waiterOrder is the order of a line: by seq (entries of older releases, 0,
// first by when they joined).
var waiterOrder = bson.D{{Key: "seq", Value: 1}, {Key: "joined_at", Value: 1}, {Key: "volunteer_id", Value: 1}}

// shiftUnit turns a change into its unit: the first event's document carrying
// the unit, and the unit's writes. Removals come first, then insertions and the
// other events, and last the shift's fields with its new history number (the
// applied watermark).
func shiftUnit(h *roster.Holdings, ch *roster.Change, waiterKeys map[string]string) (bson.D, *unitDoc, error) {
	if err := ch.Check(h); err != nil {
		return nil, nil, err
	}
	id := h.Shift.ID
	var wards []string // coverage counts bookings and shifts, not waiting lists
	if len(ch.Book) > 0 || len(ch.Cancel) > 0 || ch.Shift != nil || ch.Delete {
		wards = []string{h.Shift.WardID}
	}
	u, err := newUnit(ch.Events[len(ch.Events)-1].Seq, wards...)
	if err != nil {
		return nil, nil, err
	}
	var ops []func() (opDoc, error)
	for _, b := range ch.Cancel {
		ops = append(ops, func() (opDoc, error) {
			return del(colBookings, bookingKey(b.ShiftID, b.Place), bson.D{{Key: "volunteer_id", Value: b.VolunteerID}})
		})
	}
	for _, w := range ch.Leave {
		key := waiterKeys[w.VolunteerID]
		if key == "" {
			key = eventKey(w.ShiftID, w.Seq)
		}
		ops = append(ops, func() (opDoc, error) { return del(colWaiters, key, nil) })
	}
	if ch.Delete {
		ops = append(ops, func() (opDoc, error) { return del(colShifts, id, nil) })
	}
	for _, b := range ch.Book {
		ops = append(ops, func() (opDoc, error) { return ins(colBookings, bookingKey(b.ShiftID, b.Place), toBookingDoc(b)) })
	}
	for _, w := range ch.Join {
		key := eventKey(w.ShiftID, w.Seq)
		ops = append(ops, func() (opDoc, error) {
			return ins(colWaiters, key, &waiterDoc{Key: key, ShiftID: w.ShiftID, VolunteerID: w.VolunteerID, Seq: w.Seq, JoinedAt: w.JoinedAt})
		})
	}
	for _, e := range ch.Events[1:] {
		ops = append(ops, func() (opDoc, error) { return ins(colShiftEvents, eventKey(e.ShiftID, e.Seq), toShiftEventDoc(e)) })
	}
	if !ch.Delete {
		fields := bson.D{}
		if s := ch.Shift; s != nil {
			fields = shiftFields(s)
		}
		fields = append(fields, bson.E{Key: "seq", Value: u.Last})
		ops = append(ops, func() (opDoc, error) { return set(colShifts, id, fields) })
	}
	for _, op := range ops {
		o, err := op()
		if err != nil {
			return nil, nil, err
		}
		u.Ops = append(u.Ops, o)
	}
	first, err := firstEvent(toShiftEventDoc(ch.Events[0]), u)
	return first, u, err
}

// shiftFields are the fields of a shift a unit may change.
func shiftFields(s *roster.Shift) bson.D {
	return bson.D{
		{Key: "title", Value: s.Title},
		{Key: "role", Value: string(s.Role)},
		{Key: "starts_at", Value: s.StartsAt},
		{Key: "ends_at", Value: s.EndsAt},
		{Key: "places", Value: s.Places},
		{Key: "qualification_course_id", Value: s.QualificationCourseID},
		{Key: "notes", Value: s.Notes},
		{Key: "signup_opens_at", Value: s.SignupOpensAt},
		{Key: "cancel_deadline", Value: s.CancelDeadline},
		{Key: "status", Value: string(s.Status)},
		{Key: "updated_at", Value: s.UpdatedAt},
		{Key: "series_id", Value: s.SeriesID},
		{Key: "detached", Value: s.Detached},
	}
}

// volunteers answers a unit's questions about volunteers under their leases: the
// first volunteer's lease is waited for, others only taken when free at once
// (roster.ErrLater otherwise), so that a unit never waits while holding a lease
// and two units cannot wait for each other. The leases are held until the unit
// is written.
type volunteers struct {
	d       *DB
	shiftID string
	held    map[string]*lease
	asked   map[string]bool // the volunteers this round of deciding asked about
}

// round starts a new round of deciding (after another unit committed first):
// the leases of volunteers the last round asked about and this one does not are
// released when it asks about another (see Free), and the first volunteer it
// asks about is waited for again.
func (v *volunteers) round() { v.asked = map[string]bool{} }

// Free reports roster.ErrOverlap when the volunteer holds a booking of another
// shift overlapping [from, to).
func (v *volunteers) Free(ctx context.Context, volunteerID string, from, to time.Time) error {
	if v.asked == nil {
		v.asked = map[string]bool{}
	}
	if v.held[volunteerID] == nil && len(v.asked) == 0 {
		// The first volunteer of this round is waited for; leases an earlier
		// round took for others are not needed any more.
		for id, l := range v.held {
			l.release(ctx)
			delete(v.held, id)
		}
	}
	first := len(v.asked) == 0
	v.asked[volunteerID] = true
	if v.held[volunteerID] == nil {
		l, err := v.d.lockWith(ctx, volunteerLeases, volunteerID, leaseOpts{
			ref: v.shiftID, try: !first, wait: volunteerWait,
			onStale: func(ctx context.Context, stale leaseDoc) error {
				// Its unit may be committed and not applied: settle that shift first.
				if stale.Ref == "" {
					return nil
				}
				_, _, err := v.d.settleUnits(ctx, shiftJournal, stale.Ref, time.Now().Add(unitWait))
				return err
			},
		})
		if errors.Is(err, errLeaseHeld) {
			return roster.ErrLater
		}
		if err != nil {
			return err
		}
		if v.held == nil {
			v.held = map[string]*lease{}
		}
		v.held[volunteerID] = l
	}
	busy, err := v.d.overlapping(ctx, volunteerID, v.shiftID, from, to)
	switch {
	case err != nil:
		return err
	case busy:
		return roster.ErrOverlap
	}
	return nil
}

// overlapping reports whether a volunteer holds a booking of another shift
// than shiftID overlapping [from, to).
func (d *DB) overlapping(ctx context.Context, volunteerID, shiftID string, from, to time.Time) (bool, error) {
	found, err := findDocs[bookingDoc](ctx, d.bookings(), bson.D{
		{Key: "volunteer_id", Value: volunteerID},
		{Key: "shift_id", Value: bson.D{{Key: "$ne", Value: shiftID}}},
		{Key: "starts_at", Value: bson.D{{Key: "$lt", Value: to}}},
		{Key: "ends_at", Value: bson.D{{Key: "$gt", Value: from}}},
	}, options.Find().SetLimit(1).SetProjection(bson.D{{Key: "_id", Value: 1}}), "bookings of volunteer "+volunteerID)
	if err != nil {
		return false, err
	}
	return len(found) > 0, nil
}

// probing is the Volunteers of a probe (units.go): a volunteer who holds an
// overlapping booking now is refused at once (collides, as of that read);
// otherwise the transition books someone, which it does in its turn, under the
// volunteer's lease.
type probing struct {
	d       *DB
	shiftID string
}

func (p probing) Free(ctx context.Context, volunteerID string, from, to time.Time) error {
	busy, err := p.d.overlapping(ctx, volunteerID, p.shiftID, from, to)
	switch {
	case err != nil:
		return err
	case busy:
		return roster.ErrOverlap
	}
	return errWrites
}

// volunteerWait is how long a unit waits for a volunteer's lease: twice the
// usual wait, since a volunteer racing their own requests (a double tap, sixty
// overlapping shifts at once) queues behind each of them.
const volunteerWait = 2 * leaseWait

// check refuses to commit under a lease held too long (leaseUse).
func (v *volunteers) check(what string) error {
	for _, l := range v.held {
		if err := l.check(what); err != nil {
			return err
		}
	}
	return nil
}

func (v *volunteers) release(ctx context.Context) {
	for _, l := range v.held {
		l.release(ctx)
	}
}

// --- bookings ---

// Bookings returns a shift's bookings ordered by Place.
func (d *DB) Bookings(ctx context.Context, shiftID string) ([]*roster.Booking, error) {
	return find(ctx, d.bookings(), bson.D{{Key: "shift_id", Value: shiftID}},
		options.Find().SetSort(bson.D{{Key: "place", Value: 1}}),
		"bookings of shift "+shiftID, (*bookingDoc).booking)
}

// Booking finds the booking a volunteer holds on a shift.
func (d *DB) Booking(ctx context.Context, shiftID, volunteerID string) (*roster.Booking, error) {
	doc, err := findOne[bookingDoc](ctx, d.bookings(), bson.D{
		{Key: "shift_id", Value: shiftID},
		{Key: "volunteer_id", Value: volunteerID},
	}, "booking of volunteer on shift "+shiftID)
	if err != nil {
		return nil, err
	}
	return doc.booking(), nil
}

// BookingsOfVolunteer returns a volunteer's bookings starting in [from, to), ordered
// by StartsAt (ties by shift id).
func (d *DB) BookingsOfVolunteer(ctx context.Context, volunteerID string, from, to time.Time) ([]*roster.Booking, error) {
	return find(ctx, d.bookings(), bson.D{
		{Key: "volunteer_id", Value: volunteerID},
		{Key: "starts_at", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
	}, options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}}),
		"bookings of volunteer "+volunteerID, (*bookingDoc).booking)
}

// --- waiting lists ---

// Waiters returns a shift's waiting list in line.
func (d *DB) Waiters(ctx context.Context, shiftID string) ([]*roster.Waiter, error) {
	return find(ctx, d.waiters(), bson.D{{Key: "shift_id", Value: shiftID}},
		options.Find().SetSort(waiterOrder), "waiters of shift "+shiftID, (*waiterDoc).waiter)
}

// WaitingOf returns a volunteer's waiting-list entries on every shift, in the
// order they joined.
func (d *DB) WaitingOf(ctx context.Context, volunteerID string) ([]*roster.Waiter, error) {
	return find(ctx, d.waiters(), bson.D{{Key: "volunteer_id", Value: volunteerID}},
		options.Find().SetSort(bson.D{{Key: "joined_at", Value: 1}, {Key: "shift_id", Value: 1}}),
		"waiting of volunteer "+volunteerID, (*waiterDoc).waiter)
}

// WaitingShifts returns the shifts that have a waiting list. (FerretDB's
// distinct refuses the maxTimeMS the driver sends under a deadline, so the
// entries are read and their shifts collected.)
func (d *DB) WaitingShifts(ctx context.Context) ([]string, error) {
	ws, err := find(ctx, d.waiters(), bson.D{}, options.Find().SetProjection(bson.D{{Key: "shift_id", Value: 1}}),
		"shifts with a waiting list", func(w *waiterDoc) *waiterDoc { return w })
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ids []string
	for _, w := range ws {
		if !seen[w.ShiftID] {
			seen[w.ShiftID] = true
			ids = append(ids, w.ShiftID)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// --- history ---

// Events returns a shift's history by Seq, with the events of a unit committed
// and not yet applied.
func (d *DB) Events(ctx context.Context, shiftID string) ([]*roster.Event, error) {
	docs, err := find(ctx, d.shiftEvents(), bson.D{{Key: "shift_id", Value: shiftID}},
		options.Find().SetSort(bson.D{{Key: "seq", Value: 1}, {Key: "_id", Value: 1}}),
		"events of shift "+shiftID, func(e *shiftEventDoc) *shiftEventDoc { return e })
	if err != nil {
		return nil, err
	}
	out := make([]*roster.Event, 0, len(docs))
	seen := map[int64]bool{}
	for _, e := range docs {
		out = append(out, e.event())
		seen[e.Seq] = true
	}
	for _, e := range docs {
		for _, o := range pendingEvents(e.Unit, colShiftEvents) {
			var x shiftEventDoc
			if bson.Unmarshal(o, &x) == nil && !seen[x.Seq] {
				out = append(out, x.event())
				seen[x.Seq] = true
			}
		}
	}
	slices.SortFunc(out, func(a, b *roster.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// pendingEvents returns the history events a pending unit inserts into col.
func pendingEvents(u *unitDoc, col string) []bson.Raw {
	if u == nil {
		return nil
	}
	var out []bson.Raw
	for _, o := range u.Ops {
		if o.Do == "ins" && o.Col == col {
			out = append(out, o.Doc)
		}
	}
	return out
}
