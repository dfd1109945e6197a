package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/roster"
)

// An organisation's hours without a join: the ids of its users (index
// organisation_id), then their attendance rows and work entries in the range in
// one query each ({volunteer_id: {$in}} on the volunteer_id indexes, in batches),
// added up in Go by roster.MinutesByVolunteer, the ledger's own definition.
// FerretDB's $group has no $min/$max, so the capping cannot run in the database.

// inBatch bounds the ids of one $in.
const inBatch = 500

// OrganisationMinutes returns the minutes served by each user of an
// organisation: shifts starting, and work entries dated, in [from, to).
func (d *DB) OrganisationMinutes(ctx context.Context, orgID string, from, to time.Time) (map[string]int, error) {
	ids, err := d.organisationUserIDs(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var (
		rows    []*roster.Attendance
		entries []*roster.WorkEntry
	)
	for start := 0; start < len(ids); start += inBatch {
		batch := ids[start:min(start+inBatch, len(ids))]
		as, err := find(ctx, d.attendance(), bson.D{
			{Key: "volunteer_id", Value: bson.D{{Key: "$in", Value: batch}}},
			{Key: "starts_at", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
		}, options.Find(), "attendance of organisation "+orgID, (*attendanceDoc).attendance)
		if err != nil {
			return nil, err
		}
		es, err := find(ctx, d.workEntries(), bson.D{
			{Key: "volunteer_id", Value: bson.D{{Key: "$in", Value: batch}}},
			{Key: "date", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
		}, options.Find(), "work entries of organisation "+orgID, (*workEntryDoc).entry)
		if err != nil {
			return nil, err
		}
		rows, entries = append(rows, as...), append(entries, es...)
	}
	return roster.MinutesByVolunteer(rows, entries), nil
}

// organisationUserIDs returns the ids of the users of an organisation.
func (d *DB) organisationUserIDs(ctx context.Context, orgID string) ([]string, error) {
	type idDoc struct {
		ID string `bson:"_id"`
	}
	docs, err := find(ctx, d.users, bson.D{{Key: "organisation_id", Value: orgID}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), "users of organisation "+orgID,
		func(x *idDoc) *string { return &x.ID })
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(docs))
	for i, id := range docs {
		ids[i] = *id
	}
	return ids, nil
}
