package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/roster"
)

// No-show decisions, insert-only: no_shows has _id = shift id + ":" + volunteer
// id, so a no-show is decided once: of concurrent inserts exactly one lands, the
// others get a duplicate key. Rows copy the shift's ward, title and times.
// AddNoShow checks the shift and the volunteer by _id, as SQLite's foreign keys do.

const colNoShows = "no_shows"

func (d *DB) noShows() *mongodrv.Collection { return d.db.Collection(colNoShows) }

type noShowDoc struct {
	ID          string    `bson:"_id"`
	ShiftID     string    `bson:"shift_id"`
	VolunteerID string    `bson:"volunteer_id"`
	Decision    string    `bson:"decision"`
	Reason      string    `bson:"reason"`
	WardID      string    `bson:"ward_id"`
	Title       string    `bson:"title"`
	StartsAt    time.Time `bson:"starts_at"`
	EndsAt      time.Time `bson:"ends_at"`
	DecidedBy   string    `bson:"decided_by"`
	DecidedAt   time.Time `bson:"decided_at"`
}

func (d *noShowDoc) noShow() *roster.NoShow {
	return &roster.NoShow{ShiftID: d.ShiftID, VolunteerID: d.VolunteerID, Decision: roster.NoShowDecision(d.Decision),
		Reason: d.Reason, WardID: d.WardID, Title: d.Title, StartsAt: utc(d.StartsAt), EndsAt: utc(d.EndsAt),
		DecidedBy: d.DecidedBy, DecidedAt: utc(d.DecidedAt)}
}

// AddNoShow inserts a decision; a second one for the same (shift, volunteer) is
// ErrConflict, an unknown shift or volunteer ErrNotFound.
func (d *DB) AddNoShow(ctx context.Context, n *roster.NoShow) error {
	ctx, markDone, merr := d.markCoverage(ctx, n.WardID)
	if merr != nil {
		return merr
	}
	defer markDone()
	if err := mustExist(ctx, d.shifts(), "shift", n.ShiftID); err != nil {
		return err
	}
	if err := mustExist(ctx, d.users, "volunteer", n.VolunteerID); err != nil {
		return err
	}
	_, err := d.noShows().InsertOne(ctx, &noShowDoc{
		ID:          n.ShiftID + ":" + n.VolunteerID,
		ShiftID:     n.ShiftID,
		VolunteerID: n.VolunteerID,
		Decision:    string(n.Decision),
		Reason:      n.Reason,
		WardID:      n.WardID,
		Title:       n.Title,
		StartsAt:    n.StartsAt,
		EndsAt:      n.EndsAt,
		DecidedBy:   n.DecidedBy,
		DecidedAt:   n.DecidedAt,
	})
	return wrapErr(err, "no-show on shift "+n.ShiftID)
}

// NoShows returns a shift's decisions ordered by volunteer.
func (d *DB) NoShows(ctx context.Context, shiftID string) ([]*roster.NoShow, error) {
	return find(ctx, d.noShows(), bson.D{{Key: "shift_id", Value: shiftID}},
		options.Find().SetSort(bson.D{{Key: "volunteer_id", Value: 1}}),
		"no-shows of shift "+shiftID, (*noShowDoc).noShow)
}

// ConfirmedNoShows returns a volunteer's confirmed no-shows of shifts that ended
// in [from, to), by (end, shift).
func (d *DB) ConfirmedNoShows(ctx context.Context, volunteerID string, from, to time.Time) ([]*roster.NoShow, error) {
	return find(ctx, d.noShows(), bson.D{
		{Key: "volunteer_id", Value: volunteerID},
		{Key: "decision", Value: string(roster.NoShowConfirm)},
		{Key: "ends_at", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
	}, options.Find().SetSort(bson.D{{Key: "ends_at", Value: 1}, {Key: "shift_id", Value: 1}}),
		"confirmed no-shows of "+volunteerID, (*noShowDoc).noShow)
}
