package mongo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/page"
	"ecitizen/internal/training"
)

// Training sessions, their seats and the enrolment history.
//
//   - training_sessions: _id = session id; seq is the last applied history event.
//   - session_seats: one document per occupied place, _id = seatKey(session, number),
//     so a number is taken once, and a unique index on (session_id, learner_key), so
//     a learner holds one seat per session.
//   - session_seat_events: _id = eventKey(session, seq): the session's history and
//     the log of its units of change (units.go).
//
// Every change of a session's seats, and of the session after its creation, is a
// unit (TransactSession): enrolling decides on the seats as they are, so a
// session never holds more learners than its capacity even while the capacity
// is lowered. MongoDB has no foreign keys: CreateSession checks the course,
// organisation, centre and ward by _id, and a unit the centre and ward it moves
// the session to, as the SQLite adapter's foreign keys do. Sessions are never
// deleted.

// Collection names of training.
const (
	colSessions   = "training_sessions"
	colSeats      = "session_seats"
	colSeatEvents = "session_seat_events"
)

func (d *DB) sessions() *mongodrv.Collection   { return d.db.Collection(colSessions) }
func (d *DB) seats() *mongodrv.Collection      { return d.db.Collection(colSeats) }
func (d *DB) seatEvents() *mongodrv.Collection { return d.db.Collection(colSeatEvents) }

// sessionDoc is a training session. A nil trainer list is stored as null and an
// empty one as [], so both read back as written.
type sessionDoc struct {
	ID             string    `bson:"_id"`
	CourseID       string    `bson:"course_id"`
	OrganisationID string    `bson:"organisation_id"`
	CentreID       string    `bson:"centre_id"` // "" for another venue
	WardID         string    `bson:"ward_id"`
	Venue          string    `bson:"venue"`
	StartsAt       time.Time `bson:"starts_at"`
	EndsAt         time.Time `bson:"ends_at"`
	Capacity       int       `bson:"capacity"`
	Trainers       []string  `bson:"trainers"`
	Note           string    `bson:"note"`
	Status         string    `bson:"status"`
	CreatedBy      string    `bson:"created_by"`
	CreatedAt      time.Time `bson:"created_at"`
	UpdatedAt      time.Time `bson:"updated_at"`
	// Seq is the number of the session's last applied history event (units.go).
	Seq int64 `bson:"seq"`
}

func (d *sessionDoc) session() *training.Session {
	return &training.Session{
		ID:             d.ID,
		CourseID:       d.CourseID,
		OrganisationID: d.OrganisationID,
		CentreID:       d.CentreID,
		WardID:         d.WardID,
		Venue:          d.Venue,
		StartsAt:       utc(d.StartsAt),
		EndsAt:         utc(d.EndsAt),
		Capacity:       d.Capacity,
		Trainers:       d.Trainers,
		Note:           d.Note,
		Status:         training.Status(d.Status),
		CreatedBy:      d.CreatedBy,
		CreatedAt:      utc(d.CreatedAt),
		UpdatedAt:      utc(d.UpdatedAt),
	}
}

// seatDoc is one occupied place of a session; _id is seatKey(session_id, number).
type seatDoc struct {
	Key        string     `bson:"_id"`
	SessionID  string     `bson:"session_id"`
	Number     int        `bson:"number"`
	LearnerKey string     `bson:"learner_key"`
	UserID     string     `bson:"user_id"` // "" for a learner without an account
	Name       string     `bson:"name"`
	EnrolledBy string     `bson:"enrolled_by"`
	EnrolledAt time.Time  `bson:"enrolled_at"`
	Attendance string     `bson:"attendance"`
	MarkedBy   string     `bson:"marked_by"`
	MarkedAt   *time.Time `bson:"marked_at"` // null until marked
}

func (d *seatDoc) seat() *training.Seat {
	s := &training.Seat{
		SessionID:  d.SessionID,
		Number:     d.Number,
		LearnerKey: d.LearnerKey,
		UserID:     d.UserID,
		Name:       d.Name,
		EnrolledBy: d.EnrolledBy,
		EnrolledAt: utc(d.EnrolledAt),
		Attendance: training.Attendance(d.Attendance),
		MarkedBy:   d.MarkedBy,
	}
	if d.MarkedAt != nil {
		t := utc(*d.MarkedAt)
		s.MarkedAt = &t
	}
	return s
}

type seatEventDoc struct {
	Key        string    `bson:"_id"`
	SessionID  string    `bson:"session_id"`
	Seq        int64     `bson:"seq"`
	Number     int       `bson:"number"`
	LearnerKey string    `bson:"learner_key"`
	Kind       string    `bson:"kind"`
	By         string    `bson:"by"`
	Reason     string    `bson:"reason"`
	At         time.Time `bson:"at"`
	// Unit is the unit of change this event commits, until it is applied.
	Unit *unitDoc `bson:"unit,omitempty"`
}

func (d *seatEventDoc) event() *training.SeatEvent {
	return &training.SeatEvent{SessionID: d.SessionID, Seq: d.Seq, Number: d.Number,
		LearnerKey: d.LearnerKey, Kind: d.Kind, By: d.By, Reason: d.Reason, At: utc(d.At)}
}

func toSeatEventDoc(e *training.SeatEvent) *seatEventDoc {
	return &seatEventDoc{Key: eventKey(e.SessionID, e.Seq), SessionID: e.SessionID, Seq: e.Seq, Number: e.Number,
		LearnerKey: e.LearnerKey, Kind: e.Kind, By: e.By, Reason: e.Reason, At: e.At}
}

func toSeatDoc(s *training.Seat) *seatDoc {
	return &seatDoc{Key: seatKey(s.SessionID, s.Number), SessionID: s.SessionID, Number: s.Number,
		LearnerKey: s.LearnerKey, UserID: s.UserID, Name: s.Name, EnrolledBy: s.EnrolledBy, EnrolledAt: s.EnrolledAt,
		Attendance: string(s.Attendance), MarkedBy: s.MarkedBy, MarkedAt: s.MarkedAt}
}

// seatKey is the _id of a seat: the number is zero-padded and has no ':', so the
// key names one (session, number) pair.
func seatKey(sessionID string, number int) string {
	return fmt.Sprintf("%s:%06d", sessionID, number)
}

// --- sessions ---

// sessionPlaceExists checks that a session's centre and ward exist, when set.
func (d *DB) sessionPlaceExists(ctx context.Context, s *training.Session) error {
	if s.CentreID != "" {
		if err := mustExist(ctx, d.centres, "centre", s.CentreID); err != nil {
			return err
		}
	}
	if s.WardID != "" {
		if err := mustExist(ctx, d.wards, "ward", s.WardID); err != nil {
			return err
		}
	}
	return nil
}

// CreateSession inserts a session; a taken ID is ErrConflict, an unknown course,
// organisation, centre or ward ErrNotFound.
func (d *DB) CreateSession(ctx context.Context, s *training.Session) error {
	ctx, markDone, merr := d.markCoverage(ctx, s.WardID)
	if merr != nil {
		return merr
	}
	defer markDone()
	if err := mustExist(ctx, d.courses, "course", s.CourseID); err != nil {
		return err
	}
	if err := mustExist(ctx, d.organisations, "organisation", s.OrganisationID); err != nil {
		return err
	}
	if err := d.sessionPlaceExists(ctx, s); err != nil {
		return err
	}
	_, err := d.sessions().InsertOne(ctx, &sessionDoc{
		ID:             s.ID,
		CourseID:       s.CourseID,
		OrganisationID: s.OrganisationID,
		CentreID:       s.CentreID,
		WardID:         s.WardID,
		Venue:          s.Venue,
		StartsAt:       s.StartsAt,
		EndsAt:         s.EndsAt,
		Capacity:       s.Capacity,
		Trainers:       s.Trainers,
		Note:           s.Note,
		Status:         string(s.Status),
		CreatedBy:      s.CreatedBy,
		CreatedAt:      s.CreatedAt,
		UpdatedAt:      s.UpdatedAt,
	})
	return wrapErr(err, "session "+s.ID)
}

// SessionByID finds a session by ID.
func (d *DB) SessionByID(ctx context.Context, id string) (*training.Session, error) {
	doc, err := findByID[sessionDoc](ctx, d.sessions(), id, "session "+id)
	if err != nil {
		return nil, err
	}
	return doc.session(), nil
}

// TransactSession runs decide on the session's seats and writes its change as
// one unit (units.go).
func (d *DB) TransactSession(ctx context.Context, sessionID string, decide training.SeatDecide) (*training.SeatChange, error) {
	var out *training.SeatChange
	_, err := d.transact(ctx, sessionJournal, sessionID, func(ctx context.Context, seq int64, anchor bson.Raw, probe bool) (bson.D, *unitDoc, error) {
		out = nil
		var doc sessionDoc
		if err := bson.Unmarshal(anchor, &doc); err != nil {
			return nil, nil, fmt.Errorf("read session: %w", err)
		}
		seats, err := d.Seats(ctx, sessionID)
		if err != nil {
			return nil, nil, err
		}
		st := &training.Sitting{Session: doc.session(), Seats: seats, Seq: seq}
		ch, err := decide(ctx, st)
		if err != nil || ch == nil {
			return nil, nil, err
		}
		if probe {
			return nil, nil, errWrites
		}
		if ch.Session != nil {
			if err := d.sessionPlaceExists(ctx, ch.Session); err != nil {
				return nil, nil, err
			}
		}
		first, u, err := seatUnit(st, ch)
		if err != nil {
			return nil, nil, fmt.Errorf("unit of session %s: %w", sessionID, err)
		}
		out = ch
		return first, u, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// seatUnit turns a change of a session into its unit, as shiftUnit does.
func seatUnit(st *training.Sitting, ch *training.SeatChange) (bson.D, *unitDoc, error) {
	if err := ch.Check(st); err != nil {
		return nil, nil, err
	}
	id := st.Session.ID
	wards := []string{st.Session.WardID}
	if ch.Session != nil && ch.Session.WardID != st.Session.WardID {
		wards = append(wards, ch.Session.WardID)
	}
	u, err := newUnit(ch.Events[len(ch.Events)-1].Seq, wards...)
	if err != nil {
		return nil, nil, err
	}
	add := func(o opDoc, err error) error {
		if err == nil {
			u.Ops = append(u.Ops, o)
		}
		return err
	}
	for _, x := range ch.Release {
		if err := add(del(colSeats, seatKey(x.SessionID, x.Number), bson.D{{Key: "learner_key", Value: x.LearnerKey}})); err != nil {
			return nil, nil, err
		}
	}
	for _, x := range ch.Take {
		if err := add(ins(colSeats, seatKey(x.SessionID, x.Number), toSeatDoc(x))); err != nil {
			return nil, nil, err
		}
	}
	for _, e := range ch.Events[1:] {
		if err := add(ins(colSeatEvents, eventKey(e.SessionID, e.Seq), toSeatEventDoc(e))); err != nil {
			return nil, nil, err
		}
	}
	fields := bson.D{}
	if s := ch.Session; s != nil {
		fields = bson.D{
			{Key: "centre_id", Value: s.CentreID},
			{Key: "ward_id", Value: s.WardID},
			{Key: "venue", Value: s.Venue},
			{Key: "starts_at", Value: s.StartsAt},
			{Key: "ends_at", Value: s.EndsAt},
			{Key: "capacity", Value: s.Capacity},
			{Key: "trainers", Value: s.Trainers},
			{Key: "note", Value: s.Note},
			{Key: "status", Value: string(s.Status)},
			{Key: "updated_at", Value: s.UpdatedAt},
		}
	}
	fields = append(fields, bson.E{Key: "seq", Value: u.Last})
	if err := add(set(colSessions, id, fields)); err != nil {
		return nil, nil, err
	}
	first, err := firstEvent(toSeatEventDoc(ch.Events[0]), u)
	return first, u, err
}

// ListSessions returns sessions matching f ordered by (StartsAt, ID), strictly after
// the page key p.After (training.SessionKey), Limit+1 at most. A page key of another
// shape is a validation error of the cursor.
func (d *DB) ListSessions(ctx context.Context, f training.SessionFilter, p page.Request) ([]*training.Session, error) {
	const what = "list sessions"
	filter := bson.D{}
	if f.CourseID != "" {
		filter = append(filter, bson.E{Key: "course_id", Value: f.CourseID})
	}
	if f.OrganisationID != "" {
		filter = append(filter, bson.E{Key: "organisation_id", Value: f.OrganisationID})
	}
	if f.WardID != "" {
		filter = append(filter, bson.E{Key: "ward_id", Value: f.WardID})
	}
	if f.CentreID != "" {
		filter = append(filter, bson.E{Key: "centre_id", Value: f.CentreID})
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
	return find(ctx, d.sessions(), filter, o, what, (*sessionDoc).session)
}

// --- seats ---

// seatFind returns the seats matching filter, in the order of sort, at most limit
// of them (all when limit is 0).
func (d *DB) seatFind(ctx context.Context, filter, sort bson.D, limit int64, what string) ([]*training.Seat, error) {
	o := options.Find().SetSort(sort)
	if limit > 0 {
		o.SetLimit(limit)
	}
	return find(ctx, d.seats(), filter, o, what, (*seatDoc).seat)
}

// Seats returns a session's seats ordered by Number.
func (d *DB) Seats(ctx context.Context, sessionID string) ([]*training.Seat, error) {
	return d.seatFind(ctx, bson.D{{Key: "session_id", Value: sessionID}},
		bson.D{{Key: "number", Value: 1}}, 0, "seats of session "+sessionID)
}

// Seat finds seat number of a session.
func (d *DB) Seat(ctx context.Context, sessionID string, number int) (*training.Seat, error) {
	what := fmt.Sprintf("seat %d of session %s", number, sessionID)
	doc, err := findByID[seatDoc](ctx, d.seats(), seatKey(sessionID, number), what)
	if err != nil {
		return nil, err
	}
	if doc.SessionID != sessionID || doc.Number != number {
		return nil, notFound(what)
	}
	return doc.seat(), nil
}

// SeatOfLearner finds the seat a learner holds in a session.
func (d *DB) SeatOfLearner(ctx context.Context, sessionID, learnerKey string) (*training.Seat, error) {
	what := "seat of learner in session " + sessionID
	doc, err := findOne[seatDoc](ctx, d.seats(), bson.D{
		{Key: "session_id", Value: sessionID},
		{Key: "learner_key", Value: learnerKey},
	}, what)
	if err != nil {
		return nil, err
	}
	return doc.seat(), nil
}

// MarkAttendance replaces Attendance, MarkedBy and MarkedAt of a seat; a missing
// seat is ErrNotFound.
func (d *DB) MarkAttendance(ctx context.Context, s *training.Seat) error {
	ctx, markDone, merr := d.markCoverage(ctx, d.wardOf(ctx, colSessions, s.SessionID))
	if merr != nil {
		return merr
	}
	defer markDone()
	return updateByID(ctx, d.seats(), seatKey(s.SessionID, s.Number), bson.D{
		{Key: "attendance", Value: string(s.Attendance)},
		{Key: "marked_by", Value: s.MarkedBy},
		{Key: "marked_at", Value: s.MarkedAt},
	}, fmt.Sprintf("seat %d of session %s", s.Number, s.SessionID))
}

// SeatsOfUser returns the seats a user holds ordered by SessionID (then Number),
// strictly after the session id p.After, Limit+1 at most. Learners without an
// account (UserID "") hold none.
func (d *DB) SeatsOfUser(ctx context.Context, userID string, p page.Request) ([]*training.Seat, error) {
	if userID == "" {
		return nil, nil
	}
	filter := bson.D{{Key: "user_id", Value: userID}}
	if p.After != "" {
		filter = append(filter, bson.E{Key: "session_id", Value: bson.D{{Key: "$gt", Value: p.After}}})
	}
	var n int64
	if p.Limit > 0 {
		n = int64(p.Limit) + 1
	}
	return d.seatFind(ctx, filter, bson.D{{Key: "session_id", Value: 1}, {Key: "number", Value: 1}}, n,
		"seats of user "+userID)
}

// --- history ---

// SeatEvents returns a session's history by Seq, with the events of a unit
// committed and not yet applied.
func (d *DB) SeatEvents(ctx context.Context, sessionID string) ([]*training.SeatEvent, error) {
	docs, err := find(ctx, d.seatEvents(), bson.D{{Key: "session_id", Value: sessionID}},
		options.Find().SetSort(bson.D{{Key: "seq", Value: 1}, {Key: "_id", Value: 1}}),
		"seat events of session "+sessionID, func(e *seatEventDoc) *seatEventDoc { return e })
	if err != nil {
		return nil, err
	}
	out := make([]*training.SeatEvent, 0, len(docs))
	seen := map[int64]bool{}
	for _, e := range docs {
		out = append(out, e.event())
		seen[e.Seq] = true
	}
	for _, e := range docs {
		for _, o := range pendingEvents(e.Unit, colSeatEvents) {
			var x seatEventDoc
			if bson.Unmarshal(o, &x) == nil && !seen[x.Seq] {
				out = append(out, x.event())
				seen[x.Seq] = true
			}
		}
	}
	slices.SortFunc(out, func(a, b *training.SeatEvent) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}
