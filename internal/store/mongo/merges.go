package mongo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/directory"
)

// Targets and ward merges:
//
//   - ward_targets: _id = ward id + ":" + year, district_targets: _id = year. A put
//     replaces the document by _id with an upsert; two concurrent upserts that both
//     insert meet the unique _id, and the loser replaces instead, so there is never
//     more than one per key, and the last write wins.
//   - ward_merges: insert-only, _id = the merged ward's id, so a ward is merged
//     once. Without transactions a merge marks first: the record, then the ward's
//     status "merging" (which refuses new residents, centres and shifts); then it
//     moves the rows (each update idempotent, repeated until none is left); then
//     it marks the ward "merged". FinishWardMerge runs the move again, so a merge
//     that stopped half-way is finished by a retry. A merge holds the lease of
//     the merged ward (ward_merge_leases) while it marks and moves, so a second
//     request for the same ward waits, then finds it merged; a lease left by a
//     crashed server expires, and the retry takes it over. A resident or centre
//     inserted (or a centre changed) while the ward's status changes re-reads the
//     ward after its write and follows it to the ward it was merged into
//     (directory.go, residents.go). Known limit: on FerretDB, whose updates
//     replace whole documents, a resident's change read before the move and
//     written after the last check can put its old ward back; MongoDB's $set of
//     other fields cannot.

const (
	colWardTargets     = "ward_targets"
	colDistrictTargets = "district_targets"
	colWardMerges      = "ward_merges"
	colMergeLeases     = "ward_merge_leases"
	// mergePasses bounds the move-and-check passes of a merge.
	mergePasses = 5
)

func (d *DB) wardTargets() *mongodrv.Collection     { return d.db.Collection(colWardTargets) }
func (d *DB) districtTargets() *mongodrv.Collection { return d.db.Collection(colDistrictTargets) }
func (d *DB) wardMerges() *mongodrv.Collection      { return d.db.Collection(colWardMerges) }

type wardTargetDoc struct {
	ID              string    `bson:"_id"`
	WardID          string    `bson:"ward_id"`
	Year            int       `bson:"year"`
	AdultPopulation int       `bson:"adult_population"`
	Households      int       `bson:"households"`
	UpdatedBy       string    `bson:"updated_by"`
	UpdatedAt       time.Time `bson:"updated_at"`
}

func (d *wardTargetDoc) target() *directory.WardTarget {
	return &directory.WardTarget{WardID: d.WardID, Year: d.Year, AdultPopulation: d.AdultPopulation,
		Households: d.Households, UpdatedBy: d.UpdatedBy, UpdatedAt: utc(d.UpdatedAt)}
}

func wardTargetID(wardID string, year int) string { return fmt.Sprintf("%s:%04d", wardID, year) }

type districtTargetDoc struct {
	ID                   int       `bson:"_id"` // the year
	EcitizenSharePercent float64   `bson:"ecitizen_share_percent"`
	UpdatedBy            string    `bson:"updated_by"`
	UpdatedAt            time.Time `bson:"updated_at"`
}

func (d *districtTargetDoc) target() *directory.DistrictTarget {
	return &directory.DistrictTarget{Year: d.ID, EcitizenSharePercent: d.EcitizenSharePercent,
		UpdatedBy: d.UpdatedBy, UpdatedAt: utc(d.UpdatedAt)}
}

// upsert replaces the document with doc's _id, inserting it when missing; a
// concurrent insert of the same _id makes it replace again.
func upsert(ctx context.Context, col *mongodrv.Collection, id any, doc any, what string) error {
	var err error
	for range 3 {
		_, err = col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc, options.Replace().SetUpsert(true))
		if err == nil || !duplicateKey(err) {
			break
		}
	}
	return wrapErr(err, what)
}

// PutWardTarget inserts or replaces the target of (t.WardID, t.Year); an unknown
// ward is ErrNotFound.
func (d *DB) PutWardTarget(ctx context.Context, t *directory.WardTarget) error {
	if err := mustExist(ctx, d.wards, "ward", t.WardID); err != nil {
		return err
	}
	id := wardTargetID(t.WardID, t.Year)
	return upsert(ctx, d.wardTargets(), id, &wardTargetDoc{ID: id, WardID: t.WardID, Year: t.Year,
		AdultPopulation: t.AdultPopulation, Households: t.Households, UpdatedBy: t.UpdatedBy, UpdatedAt: t.UpdatedAt},
		"ward target "+id)
}

// WardTarget returns the target of (wardID, year).
func (d *DB) WardTarget(ctx context.Context, wardID string, year int) (*directory.WardTarget, error) {
	id := wardTargetID(wardID, year)
	doc, err := findByID[wardTargetDoc](ctx, d.wardTargets(), id, "ward target "+id)
	if err != nil {
		return nil, err
	}
	return doc.target(), nil
}

// WardTargetsOf returns a ward's targets ordered by year.
func (d *DB) WardTargetsOf(ctx context.Context, wardID string) ([]*directory.WardTarget, error) {
	return find(ctx, d.wardTargets(), bson.D{{Key: "ward_id", Value: wardID}}, options.Find().SetSort(bson.D{{Key: "year", Value: 1}}),
		"ward targets of "+wardID, (*wardTargetDoc).target)
}

// WardTargets returns every ward's target of a year ordered by ward id.
func (d *DB) WardTargets(ctx context.Context, year int) ([]*directory.WardTarget, error) {
	return find(ctx, d.wardTargets(), bson.D{{Key: "year", Value: year}}, options.Find().SetSort(bson.D{{Key: "ward_id", Value: 1}}),
		"ward targets", (*wardTargetDoc).target)
}

// PutDistrictTarget inserts or replaces the district's target of t.Year.
func (d *DB) PutDistrictTarget(ctx context.Context, t *directory.DistrictTarget) error {
	return upsert(ctx, d.districtTargets(), t.Year, &districtTargetDoc{ID: t.Year, EcitizenSharePercent: t.EcitizenSharePercent,
		UpdatedBy: t.UpdatedBy, UpdatedAt: t.UpdatedAt}, fmt.Sprintf("district target %d", t.Year))
}

// DistrictTarget returns the district's target of a year.
func (d *DB) DistrictTarget(ctx context.Context, year int) (*directory.DistrictTarget, error) {
	doc, err := findOne[districtTargetDoc](ctx, d.districtTargets(), bson.D{{Key: "_id", Value: year}}, fmt.Sprintf("district target %d", year))
	if err != nil {
		return nil, err
	}
	return doc.target(), nil
}

// DistrictTargets returns the district's targets ordered by year.
func (d *DB) DistrictTargets(ctx context.Context) ([]*directory.DistrictTarget, error) {
	return find(ctx, d.districtTargets(), bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), "district targets", (*districtTargetDoc).target)
}

type wardMergeDoc struct {
	ID     string    `bson:"_id"` // the merged ward
	Into   string    `bson:"into_ward_id"`
	At     time.Time `bson:"merged_at"`
	By     string    `bson:"merged_by"`
	Reason string    `bson:"reason"`
}

func (d *wardMergeDoc) merge() *directory.WardMerge {
	return &directory.WardMerge{From: d.ID, Into: d.Into, At: utc(d.At), By: d.By, Reason: d.Reason}
}

// mergeLeases serialise the merge of a ward (merges.go): the first request
// holds its lease while it moves, so a second one finds the ward merged.
var mergeLeases = leaseSpace{collection: colMergeLeases, field: "ward_id"}

// MergeWard records m, then moves everything (BeginWardMerge, FinishWardMerge),
// under the ward's merge lease.
func (d *DB) MergeWard(ctx context.Context, m *directory.WardMerge) error {
	l, err := d.lock(ctx, mergeLeases, m.From)
	if err != nil {
		return err
	}
	defer l.release(ctx)
	if err := d.beginMerge(ctx, m); err != nil {
		return err
	}
	_, err = d.finishMerge(ctx, m)
	return err
}

// BeginWardMerge inserts the merge record and marks the ward merging. A ward
// with a record is ErrConflict; a ward (or the ward it goes into) that is not
// active is directory.ErrWardMerged, as is a ward to go into that began its own
// merge meanwhile (then the record just inserted is deleted again: nothing moved).
func (d *DB) BeginWardMerge(ctx context.Context, m *directory.WardMerge) error {
	l, err := d.lock(ctx, mergeLeases, m.From)
	if err != nil {
		return err
	}
	defer l.release(ctx)
	return d.beginMerge(ctx, m)
}

// FinishWardMerge moves what is left of m.From to m.Into, until a check finds
// nothing left, and marks m.From merged, under the ward's merge lease; it reports
// whether m.From was not merged before. Each step is idempotent.
func (d *DB) FinishWardMerge(ctx context.Context, m *directory.WardMerge) (bool, error) {
	l, err := d.lock(ctx, mergeLeases, m.From)
	if err != nil {
		return false, err
	}
	defer l.release(ctx)
	return d.finishMerge(ctx, m)
}

func (d *DB) beginMerge(ctx context.Context, m *directory.WardMerge) error {
	what := "merge ward " + m.From
	from, err := d.WardByID(ctx, m.From)
	if err != nil {
		return err
	}
	into, err := d.WardByID(ctx, m.Into)
	if err != nil {
		return err
	}
	if from.Status != directory.WardActive {
		if ok, err := exists(ctx, d.wardMerges(), m.From); err == nil && ok {
			return conflict(what)
		}
		return directory.ErrWardMerged
	}
	if into.Status != directory.WardActive {
		return directory.ErrWardMerged
	}
	if _, err := d.wardMerges().InsertOne(ctx, &wardMergeDoc{ID: m.From, Into: m.Into, At: m.At, By: m.By, Reason: m.Reason}); err != nil {
		return wrapErr(err, what)
	}
	// Into may have begun its own merge since it was read (A into B while B into A).
	if ok, err := exists(ctx, d.wardMerges(), m.Into); err != nil || ok {
		_, _ = d.wardMerges().DeleteOne(context.WithoutCancel(ctx), byID(m.From))
		if err != nil {
			return wrapErr(err, what)
		}
		return directory.ErrWardMerged
	}
	return updateByID(ctx, d.wards, m.From, bson.D{
		{Key: "status", Value: string(directory.WardMerging)},
		{Key: "merged_into", Value: m.Into},
		{Key: "updated_at", Value: m.At},
	}, what)
}

func (d *DB) finishMerge(ctx context.Context, m *directory.WardMerge) (bool, error) {
	what := "finish merge of ward " + m.From
	// A merge is more than one write: both wards are marked before the move and
	// again once it has ended, however it ends (see coverage.go).
	if err := d.markWards(ctx, m.From, m.Into); err != nil {
		return false, err
	}
	defer func() { _ = d.markWards(context.WithoutCancel(ctx), m.From, m.Into) }()
	w, err := d.WardByID(ctx, m.From)
	if err != nil {
		return false, err
	}
	if w.Status != directory.WardMerged {
		if err := updateByID(ctx, d.wards, m.From, bson.D{
			{Key: "status", Value: string(directory.WardMerging)},
			{Key: "merged_into", Value: m.Into},
		}, what); err != nil {
			return false, err
		}
	}
	from, future := bson.D{{Key: "ward_id", Value: m.From}}, bson.D{
		{Key: "ward_id", Value: m.From}, {Key: "starts_at", Value: bson.D{{Key: "$gte", Value: m.At}}}}
	moves := []struct {
		col    *mongodrv.Collection
		filter bson.D
	}{
		{d.residents(), from}, {d.centres, from}, {d.devices(), from}, {d.series(), from},
		{d.shifts(), future}, {d.sessions(), future},
	}
	to := bson.D{{Key: "$set", Value: bson.D{{Key: "ward_id", Value: m.Into}}}}
	done := false
	for pass := 0; pass < mergePasses && !done; pass++ {
		for _, mv := range moves {
			if _, err := mv.col.UpdateMany(ctx, mv.filter, to); err != nil {
				return false, wrapErr(err, what+": "+mv.col.Name())
			}
		}
		if err := d.giveWard(ctx, m.From, m.Into); err != nil {
			return false, wrapErr(err, what+": users")
		}
		done = true
		for _, mv := range moves {
			n, err := mv.col.CountDocuments(ctx, mv.filter)
			if err != nil {
				return false, wrapErr(err, what+": "+mv.col.Name())
			}
			done = done && n == 0
		}
	}
	if !done {
		return false, fmt.Errorf("%s: rows still arriving after %d passes", what, mergePasses)
	}
	if w.Status == directory.WardMerged {
		return false, nil
	}
	return true, updateByID(ctx, d.wards, m.From, bson.D{
		{Key: "status", Value: string(directory.WardMerged)},
		{Key: "merged_into", Value: m.Into},
		{Key: "merged_at", Value: m.At},
		{Key: "updated_at", Value: maxTime(w.UpdatedAt, m.At)},
	}, what)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// giveWard adds ward into to the scope of every user who has ward from.
func (d *DB) giveWard(ctx context.Context, from, into string) error {
	cur, err := d.users.Find(ctx, bson.D{{Key: "ward_ids", Value: from}},
		options.Find().SetProjection(bson.D{{Key: "ward_ids", Value: 1}}))
	if err != nil {
		return err
	}
	var docs []struct {
		ID      string   `bson:"_id"`
		WardIDs []string `bson:"ward_ids"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return err
	}
	for _, u := range docs {
		if slices.Contains(u.WardIDs, into) {
			continue
		}
		ids := storedWardIDs(append(slices.Clone(u.WardIDs), into))
		if err := updateByID(ctx, d.users, u.ID, bson.D{{Key: "ward_ids", Value: ids}}, "user "+u.ID); err != nil {
			return err
		}
	}
	return nil
}

// WardMergeOf returns the merge record of a ward.
func (d *DB) WardMergeOf(ctx context.Context, fromWardID string) (*directory.WardMerge, error) {
	doc, err := findByID[wardMergeDoc](ctx, d.wardMerges(), fromWardID, "ward merge "+fromWardID)
	if err != nil {
		return nil, err
	}
	return doc.merge(), nil
}

// WardMerges returns every merge record ordered by time, then merged ward.
func (d *DB) WardMerges(ctx context.Context) ([]*directory.WardMerge, error) {
	return find(ctx, d.wardMerges(), bson.D{}, options.Find().SetSort(bson.D{{Key: "merged_at", Value: 1}, {Key: "_id", Value: 1}}),
		"ward merges", (*wardMergeDoc).merge)
}

// followWard returns the ward a new record of wardID goes to: wardID while
// active, the ward it was merged into otherwise; an unknown ward is ErrNotFound.
func (d *DB) followWard(ctx context.Context, wardID string) (string, error) {
	w, err := d.WardByID(ctx, wardID)
	if err != nil {
		return "", err
	}
	if w.Status != directory.WardActive && w.MergedInto != "" {
		return w.MergedInto, nil
	}
	return wardID, nil
}

// settle runs after the insert of a record of ward wardID into col: when the ward
// stopped being active meanwhile (a merge marked it), the record follows it to
// the ward it was merged into (the merge may have moved it already: the same
// write). It returns the record's ward.
func (d *DB) settle(ctx context.Context, col *mongodrv.Collection, id, wardID string) (string, error) {
	to, err := d.followWard(ctx, wardID)
	if err != nil || to == wardID {
		return wardID, err
	}
	if _, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "ward_id", Value: wardID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "ward_id", Value: to}}}}); err != nil {
		return wardID, wrapErr(err, "follow merged ward "+wardID)
	}
	return to, nil
}
