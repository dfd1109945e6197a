package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/roster"
)

// Attendance and work entries, insert-only:
//
//   - shift_attendance: _id = shift id + ":" + volunteer id + ":" + kind, so a
//     volunteer checks in (and out) once per shift: of concurrent inserts exactly
//     one lands, the others get a duplicate key. Rows copy the shift's centre,
//     ward and times, so hours are read without a join.
//   - work_entries: _id = entry id (UUIDv7).
//
// MongoDB has no foreign keys: AddAttendance checks the shift and the volunteer,
// AddWorkEntry the volunteer and the centre, by _id, as SQLite's foreign keys do.

const (
	colAttendance  = "shift_attendance"
	colWorkEntries = "work_entries"
)

func (d *DB) attendance() *mongodrv.Collection  { return d.db.Collection(colAttendance) }
func (d *DB) workEntries() *mongodrv.Collection { return d.db.Collection(colWorkEntries) }

type attendanceDoc struct {
	ID          string    `bson:"_id"`
	ShiftID     string    `bson:"shift_id"`
	VolunteerID string    `bson:"volunteer_id"`
	Kind        string    `bson:"kind"`
	CentreID    string    `bson:"centre_id"`
	WardID      string    `bson:"ward_id"`
	StartsAt    time.Time `bson:"starts_at"`
	EndsAt      time.Time `bson:"ends_at"`
	At          time.Time `bson:"at"`
	By          string    `bson:"by"`
	Reason      string    `bson:"reason"`
}

func (d *attendanceDoc) attendance() *roster.Attendance {
	return &roster.Attendance{ShiftID: d.ShiftID, VolunteerID: d.VolunteerID, Kind: roster.AttendanceKind(d.Kind),
		CentreID: d.CentreID, WardID: d.WardID, StartsAt: utc(d.StartsAt), EndsAt: utc(d.EndsAt), At: utc(d.At),
		By: d.By, Reason: d.Reason}
}

// AddAttendance inserts a check-in or check-out; a second one of the same kind is
// ErrConflict, an unknown shift or volunteer ErrNotFound.
func (d *DB) AddAttendance(ctx context.Context, a *roster.Attendance) error {
	ctx, markDone, merr := d.markCoverage(ctx, a.WardID)
	if merr != nil {
		return merr
	}
	defer markDone()
	if err := mustExist(ctx, d.shifts(), "shift", a.ShiftID); err != nil {
		return err
	}
	if err := mustExist(ctx, d.users, "volunteer", a.VolunteerID); err != nil {
		return err
	}
	_, err := d.attendance().InsertOne(ctx, &attendanceDoc{
		ID:          a.ShiftID + ":" + a.VolunteerID + ":" + string(a.Kind),
		ShiftID:     a.ShiftID,
		VolunteerID: a.VolunteerID,
		Kind:        string(a.Kind),
		CentreID:    a.CentreID,
		WardID:      a.WardID,
		StartsAt:    a.StartsAt,
		EndsAt:      a.EndsAt,
		At:          a.At,
		By:          a.By,
		Reason:      a.Reason,
	})
	return wrapErr(err, string(a.Kind)+" on shift "+a.ShiftID)
}

// Attendance returns a shift's rows ordered by (volunteer, kind).
func (d *DB) Attendance(ctx context.Context, shiftID string) ([]*roster.Attendance, error) {
	return find(ctx, d.attendance(), bson.D{{Key: "shift_id", Value: shiftID}},
		options.Find().SetSort(bson.D{{Key: "volunteer_id", Value: 1}, {Key: "kind", Value: 1}}),
		"attendance of shift "+shiftID, (*attendanceDoc).attendance)
}

// AttendanceOfVolunteer returns a volunteer's rows of shifts starting in [f.From,
// f.To) at f.WardIDs (every ward when empty).
func (d *DB) AttendanceOfVolunteer(ctx context.Context, f roster.HoursFilter) ([]*roster.Attendance, error) {
	return find(ctx, d.attendance(), withWards(bson.D{
		{Key: "volunteer_id", Value: f.VolunteerID},
		{Key: "starts_at", Value: bson.D{{Key: "$gte", Value: f.From}, {Key: "$lt", Value: f.To}}},
	}, f.WardIDs), options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "shift_id", Value: 1}, {Key: "kind", Value: 1}}),
		"attendance of volunteer "+f.VolunteerID, (*attendanceDoc).attendance)
}

// withWards adds a ward scope ({ward_id: {$in: wards}}) to a filter; an empty
// scope adds nothing. The ward ids are strings, compared literally.
func withWards(filter bson.D, wardIDs []string) bson.D {
	if len(wardIDs) == 0 {
		return filter
	}
	return append(filter, bson.E{Key: "ward_id", Value: bson.D{{Key: "$in", Value: append([]string{}, wardIDs...)}}})
}

// AttendanceAt returns the rows of the shifts at a centre or ward starting in [from, to).
func (d *DB) AttendanceAt(ctx context.Context, at roster.Place, from, to time.Time) ([]*roster.Attendance, error) {
	field, id := placeField(at)
	return find(ctx, d.attendance(), bson.D{
		{Key: field, Value: id},
		{Key: "starts_at", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
	}, options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "shift_id", Value: 1},
		{Key: "volunteer_id", Value: 1}, {Key: "kind", Value: 1}}),
		"attendance at "+id, (*attendanceDoc).attendance)
}

// placeField is the field and value a Place selects on.
func placeField(at roster.Place) (field, id string) {
	if at.CentreID != "" {
		return "centre_id", at.CentreID
	}
	return "ward_id", at.WardID
}

type workEntryDoc struct {
	ID          string    `bson:"_id"`
	VolunteerID string    `bson:"volunteer_id"`
	CentreID    string    `bson:"centre_id"`
	WardID      string    `bson:"ward_id"`
	Date        time.Time `bson:"date"`
	Minutes     int       `bson:"minutes"`
	Reason      string    `bson:"reason"`
	CreatedBy   string    `bson:"created_by"`
	CreatedAt   time.Time `bson:"created_at"`
}

func (d *workEntryDoc) entry() *roster.WorkEntry {
	return &roster.WorkEntry{ID: d.ID, VolunteerID: d.VolunteerID, CentreID: d.CentreID, WardID: d.WardID,
		Date: utc(d.Date), Minutes: d.Minutes, Reason: d.Reason, CreatedBy: d.CreatedBy, CreatedAt: utc(d.CreatedAt)}
}

// AddWorkEntry inserts a work entry; a taken id is ErrConflict, an unknown
// volunteer or centre ErrNotFound.
func (d *DB) AddWorkEntry(ctx context.Context, e *roster.WorkEntry) error {
	ctx, markDone, merr := d.markCoverage(ctx, e.WardID)
	if merr != nil {
		return merr
	}
	defer markDone()
	if err := mustExist(ctx, d.users, "volunteer", e.VolunteerID); err != nil {
		return err
	}
	if err := mustExist(ctx, d.centres, "centre", e.CentreID); err != nil {
		return err
	}
	_, err := d.workEntries().InsertOne(ctx, &workEntryDoc{
		ID:          e.ID,
		VolunteerID: e.VolunteerID,
		CentreID:    e.CentreID,
		WardID:      e.WardID,
		Date:        e.Date,
		Minutes:     e.Minutes,
		Reason:      e.Reason,
		CreatedBy:   e.CreatedBy,
		CreatedAt:   e.CreatedAt,
	})
	return wrapErr(err, "work entry "+e.ID)
}

// WorkEntries returns a volunteer's entries dated in [f.From, f.To) at f.WardIDs
// (every ward when empty), by (date, id).
func (d *DB) WorkEntries(ctx context.Context, f roster.HoursFilter) ([]*roster.WorkEntry, error) {
	return d.findEntries(ctx, "volunteer_id", f.VolunteerID, f.From, f.To, f.WardIDs)
}

// WorkEntriesAt returns the entries at a centre or ward dated in [from, to), by (date, id).
func (d *DB) WorkEntriesAt(ctx context.Context, at roster.Place, from, to time.Time) ([]*roster.WorkEntry, error) {
	field, id := placeField(at)
	return d.findEntries(ctx, field, id, from, to, nil)
}

func (d *DB) findEntries(ctx context.Context, field, id string, from, to time.Time, wardIDs []string) ([]*roster.WorkEntry, error) {
	return find(ctx, d.workEntries(), withWards(bson.D{
		{Key: field, Value: id},
		{Key: "date", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
	}, wardIDs), options.Find().SetSort(bson.D{{Key: "date", Value: 1}, {Key: "_id", Value: 1}}),
		"work entries of "+id, (*workEntryDoc).entry)
}
