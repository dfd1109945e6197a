package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/course"
	"ecitizen/internal/partner"
	"ecitizen/internal/training"
)

// The partner view's counts without joins: the organisation's courses (or
// sessions) in one query, their current versions' titles by _id, then the
// learners and seats counted per course (or session) by $match + $group with
// $sum (what FerretDB supports), on the indexes course_id_started_at,
// course_id_completed_at and session_id_learner_key_unique.

// PartnerCourses returns an organisation's courses with their learners, all time
// and in [from, to).
func (d *DB) PartnerCourses(ctx context.Context, orgID string, from, to time.Time) ([]*partner.CourseLine, error) {
	what := "courses of organisation " + orgID
	cs, err := find(ctx, d.courses, bson.D{{Key: "organisation_id", Value: orgID}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), what, (*courseDoc).course)
	if err != nil {
		return nil, err
	}
	titles, err := d.currentTitles(ctx, cs)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	counts := make([]map[string]int, 4)
	for i, q := range []struct {
		col     *mongodrv.Collection
		field   string
		inRange bool
	}{{d.enrolments, "started_at", true}, {d.coursesDone, "completed_at", true}, {d.enrolments, "", false}, {d.coursesDone, "", false}} {
		var within bson.D
		if q.inRange {
			within = bson.D{{Key: q.field, Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}}}
		}
		if counts[i], err = countBy(ctx, q.col, "course_id", ids, within, what); err != nil {
			return nil, err
		}
	}
	out := make([]*partner.CourseLine, 0, len(cs))
	for _, c := range cs {
		out = append(out, &partner.CourseLine{CourseID: c.ID, Title: titles[c.ID], PublishedVersion: c.PublishedVersion,
			Archived: c.Archived, Enrolments: counts[0][c.ID], Completions: counts[1][c.ID],
			EnrolmentsTotal: counts[2][c.ID], CompletionsTotal: counts[3][c.ID]})
	}
	return out, nil
}

// PartnerSessions returns an organisation's sessions starting in [from, to) with
// their seats counted.
func (d *DB) PartnerSessions(ctx context.Context, orgID string, from, to time.Time) ([]*partner.SessionLine, error) {
	what := "sessions of organisation " + orgID
	ss, err := find(ctx, d.sessions(), bson.D{
		{Key: "organisation_id", Value: orgID},
		{Key: "starts_at", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
	}, options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}}), what, (*sessionDoc).session)
	if err != nil {
		return nil, err
	}
	var (
		ids            = make([]string, len(ss))
		courseIDs      []string
		centreIDs      []string
		seenC, seenCtr = map[string]bool{}, map[string]bool{}
	)
	for i, s := range ss {
		ids[i] = s.ID
		if !seenC[s.CourseID] {
			seenC[s.CourseID] = true
			courseIDs = append(courseIDs, s.CourseID)
		}
		if s.CentreID != "" && !seenCtr[s.CentreID] {
			seenCtr[s.CentreID] = true
			centreIDs = append(centreIDs, s.CentreID)
		}
	}
	cs, err := findIn(ctx, d.courses, courseIDs, what, (*courseDoc).course)
	if err != nil {
		return nil, err
	}
	titles, err := d.currentTitles(ctx, cs)
	if err != nil {
		return nil, err
	}
	type nameDoc struct {
		ID   string `bson:"_id"`
		Name string `bson:"name"`
	}
	centres, err := findIn(ctx, d.centres, centreIDs, what, func(x *nameDoc) *nameDoc { return x })
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, c := range centres {
		names[c.ID] = c.Name
	}
	enrolled, err := countBy(ctx, d.seats(), "session_id", ids, nil, what)
	if err != nil {
		return nil, err
	}
	attended, err := countBy(ctx, d.seats(), "session_id", ids, bson.D{{Key: "attendance", Value: string(training.Attended)}}, what)
	if err != nil {
		return nil, err
	}
	absent, err := countBy(ctx, d.seats(), "session_id", ids, bson.D{{Key: "attendance", Value: string(training.Absent)}}, what)
	if err != nil {
		return nil, err
	}
	out := make([]*partner.SessionLine, 0, len(ss))
	for _, s := range ss {
		out = append(out, &partner.SessionLine{SessionID: s.ID, CourseID: s.CourseID, CourseTitle: titles[s.CourseID],
			CentreID: s.CentreID, CentreName: names[s.CentreID], WardID: s.WardID, Venue: s.Venue,
			StartsAt: s.StartsAt, EndsAt: s.EndsAt, Status: s.Status, Capacity: s.Capacity,
			Enrolled: enrolled[s.ID], Attended: attended[s.ID], Absent: absent[s.ID]})
	}
	return out, nil
}

// currentTitles returns the title of each course's published version, else its latest.
func (d *DB) currentTitles(ctx context.Context, cs []*course.Course) (map[string]course.Text, error) {
	keys := make([]string, 0, len(cs))
	for _, c := range cs {
		n := c.PublishedVersion
		if n == 0 {
			n = c.LatestVersion
		}
		keys = append(keys, versionKey(c.ID, n))
	}
	type titleDoc struct {
		CourseID string  `bson:"course_id"`
		Title    textDoc `bson:"title"`
	}
	vs, err := findIn(ctx, d.versions, keys, "titles of courses", func(x *titleDoc) *titleDoc { return x })
	if err != nil {
		return nil, err
	}
	out := make(map[string]course.Text, len(vs))
	for _, v := range vs {
		out[v.CourseID] = v.Title.text()
	}
	return out, nil
}

// countBy counts the documents of col per value of field, for the values in ids
// and the documents matching also (nil: all), with $match and $group/$sum.
func countBy(ctx context.Context, col *mongodrv.Collection, field string, ids []string, also bson.D, what string) (map[string]int, error) {
	out := map[string]int{}
	for start := 0; start < len(ids); start += inBatch {
		batch := ids[start:min(start+inBatch, len(ids))]
		match := append(bson.D{{Key: field, Value: bson.D{{Key: "$in", Value: batch}}}}, also...)
		cur, err := col.Aggregate(ctx, mongodrv.Pipeline{
			{{Key: "$match", Value: match}},
			{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$" + field}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
		})
		if err != nil {
			return nil, wrapErr(err, what)
		}
		var rows []struct {
			ID string `bson:"_id"`
			N  int    `bson:"n"`
		}
		if err := cur.All(ctx, &rows); err != nil {
			return nil, wrapErr(err, what)
		}
		for _, r := range rows {
			out[r.ID] += r.N
		}
	}
	return out, nil
}
