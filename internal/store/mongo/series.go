package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/page"
	"ecitizen/internal/roster"
)

// Recurring shift series.
//
//   - shift_series: _id = series id.
//   - Their occurrences are documents of shifts with series_id and occurrence (the
//     local day). The shift's _id is derived by the roster service from the
//     series lineage and that day (roster.Series), so the _id is the unique key of
//     (series, occurrence): a second insert of an occurrence, from any instance,
//     is a duplicate _id. A unique index on (series_id, occurrence) would treat
//     every single shift (no series) as a duplicate null, and FerretDB has no
//     partial indexes.
//   - An occurrence that never had a booking or a waiter is deleted by a unit of
//     change (roster.go), which keeps its "shift_deleted" event.

const colSeries = "shift_series"

func (d *DB) series() *mongodrv.Collection { return d.db.Collection(colSeries) }

type seriesDoc struct {
	ID                    string     `bson:"_id"`
	RootID                string     `bson:"root_id"`
	CentreID              string     `bson:"centre_id"`
	WardID                string     `bson:"ward_id"`
	Rule                  string     `bson:"rule"`
	FirstDate             time.Time  `bson:"first_date"`
	StartTime             string     `bson:"start_time"`
	Minutes               int        `bson:"minutes"`
	Title                 string     `bson:"title"`
	Role                  string     `bson:"role"`
	Places                int        `bson:"places"`
	QualificationCourseID string     `bson:"qualification_course_id"`
	Notes                 string     `bson:"notes"`
	SignupLeadMS          int64      `bson:"signup_lead_ms"`
	CancelLeadMS          int64      `bson:"cancel_lead_ms"`
	HorizonWeeks          int        `bson:"horizon_weeks"`
	Until                 *time.Time `bson:"until"`
	Status                string     `bson:"status"`
	CreatedBy             string     `bson:"created_by"`
	CreatedAt             time.Time  `bson:"created_at"`
	UpdatedAt             time.Time  `bson:"updated_at"`
}

func (d *seriesDoc) series() *roster.Series {
	se := &roster.Series{ID: d.ID, RootID: d.RootID, CentreID: d.CentreID, WardID: d.WardID, Rule: d.Rule,
		FirstDate: utc(d.FirstDate), StartTime: d.StartTime, Minutes: d.Minutes,
		Template: roster.SeriesTemplate{Title: d.Title, Role: roster.Role(d.Role), Places: d.Places,
			QualificationCourseID: d.QualificationCourseID, Notes: d.Notes,
			SignupLead: time.Duration(d.SignupLeadMS) * time.Millisecond, CancelLead: time.Duration(d.CancelLeadMS) * time.Millisecond},
		HorizonWeeks: d.HorizonWeeks, Status: roster.SeriesStatus(d.Status), CreatedBy: d.CreatedBy,
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt)}
	if d.Until != nil {
		se.Until = utc(*d.Until)
	}
	return se
}

// optionalTime is nil for a zero time.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// occurrence is a shift's occurrence day, nil for a single shift.
func occurrence(s *roster.Shift) *time.Time { return optionalTime(s.Occurrence) }

// CreateSeries inserts a series; a taken ID is ErrConflict, an unknown centre, ward
// or qualification course ErrNotFound.
func (d *DB) CreateSeries(ctx context.Context, se *roster.Series) error {
	if err := mustExist(ctx, d.centres, "centre", se.CentreID); err != nil {
		return err
	}
	if err := mustExist(ctx, d.wards, "ward", se.WardID); err != nil {
		return err
	}
	t := se.Template
	if t.QualificationCourseID != "" {
		if err := mustExist(ctx, d.courses, "course", t.QualificationCourseID); err != nil {
			return err
		}
	}
	_, err := d.series().InsertOne(ctx, &seriesDoc{ID: se.ID, RootID: se.RootID, CentreID: se.CentreID, WardID: se.WardID,
		Rule: se.Rule, FirstDate: se.FirstDate, StartTime: se.StartTime, Minutes: se.Minutes, Title: t.Title,
		Role: string(t.Role), Places: t.Places, QualificationCourseID: t.QualificationCourseID, Notes: t.Notes,
		SignupLeadMS: t.SignupLead.Milliseconds(), CancelLeadMS: t.CancelLead.Milliseconds(),
		HorizonWeeks: se.HorizonWeeks, Until: optionalTime(se.Until), Status: string(se.Status),
		CreatedBy: se.CreatedBy, CreatedAt: se.CreatedAt, UpdatedAt: se.UpdatedAt})
	return wrapErr(err, "series "+se.ID)
}

// SeriesByID finds a series by id.
func (d *DB) SeriesByID(ctx context.Context, id string) (*roster.Series, error) {
	doc, err := findByID[seriesDoc](ctx, d.series(), id, "series "+id)
	if err != nil {
		return nil, err
	}
	return doc.series(), nil
}

// UpdateSeries replaces the rule, times, template, horizon, end and status of a
// series; a missing one, or an unknown qualification course, is ErrNotFound.
func (d *DB) UpdateSeries(ctx context.Context, se *roster.Series) error {
	t := se.Template
	if t.QualificationCourseID != "" {
		if err := mustExist(ctx, d.courses, "course", t.QualificationCourseID); err != nil {
			return err
		}
	}
	return updateByID(ctx, d.series(), se.ID, bson.D{
		{Key: "rule", Value: se.Rule},
		{Key: "first_date", Value: se.FirstDate},
		{Key: "start_time", Value: se.StartTime},
		{Key: "minutes", Value: se.Minutes},
		{Key: "title", Value: t.Title},
		{Key: "role", Value: string(t.Role)},
		{Key: "places", Value: t.Places},
		{Key: "qualification_course_id", Value: t.QualificationCourseID},
		{Key: "notes", Value: t.Notes},
		{Key: "signup_lead_ms", Value: t.SignupLead.Milliseconds()},
		{Key: "cancel_lead_ms", Value: t.CancelLead.Milliseconds()},
		{Key: "horizon_weeks", Value: se.HorizonWeeks},
		{Key: "until", Value: optionalTime(se.Until)},
		{Key: "status", Value: string(se.Status)},
		{Key: "updated_at", Value: se.UpdatedAt},
	}, "series "+se.ID)
}

// ListSeries returns series matching f ordered by _id, strictly after p.After,
// p.Limit+1 at most (all when p.Limit is 0).
func (d *DB) ListSeries(ctx context.Context, f roster.SeriesFilter, p page.Request) ([]*roster.Series, error) {
	filter := bson.D{}
	if f.CentreID != "" {
		filter = append(filter, bson.E{Key: "centre_id", Value: f.CentreID})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(f.Status)})
	}
	return findAll(ctx, d.series(), filter, "_id", p, "list series", (*seriesDoc).series)
}

// ShiftsOfSeries returns a series' shifts whose occurrence is on or after from,
// ordered by occurrence.
func (d *DB) ShiftsOfSeries(ctx context.Context, seriesID string, from time.Time) ([]*roster.Shift, error) {
	filter := bson.D{{Key: "series_id", Value: seriesID}, {Key: "occurrence", Value: bson.D{{Key: "$gte", Value: from}}}}
	o := options.Find().SetSort(bson.D{{Key: "occurrence", Value: 1}, {Key: "_id", Value: 1}})
	return find(ctx, d.shifts(), filter, o, "shifts of series "+seriesID, (*shiftDoc).shift)
}
