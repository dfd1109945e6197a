package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/progress"
)

// Progress records and their revocations, both insert-only:
//
//   - progress_records: _id = the record's id, an index on (resident_id, at, _id);
//   - progress_revocations: _id = the record's id, so a record is revoked once:
//     of concurrent inserts exactly one lands. It keeps the record's resident,
//     indexed, to read a resident's revocations without a join.
//
// CreateProgressRecord checks the resident and RevokeProgressRecord the record
// (by _id), as the SQLite foreign keys do.

const (
	colProgressRecords     = "progress_records"
	colProgressRevocations = "progress_revocations"
)

func (d *DB) progressRecords() *mongodrv.Collection { return d.db.Collection(colProgressRecords) }
func (d *DB) progressRevocations() *mongodrv.Collection {
	return d.db.Collection(colProgressRevocations)
}

type progressRecordDoc struct {
	ID         string    `bson:"_id"`
	ResidentID string    `bson:"resident_id"`
	SkillCode  string    `bson:"skill_code"`
	Method     string    `bson:"method"`
	Evidence   string    `bson:"evidence"`
	RecordedBy string    `bson:"recorded_by"`
	CentreID   string    `bson:"centre_id"`
	ShiftID    string    `bson:"shift_id"`
	At         time.Time `bson:"at"`
}

func (d *progressRecordDoc) record() *progress.Record {
	return &progress.Record{ID: d.ID, ResidentID: d.ResidentID, SkillCode: d.SkillCode, Method: progress.Method(d.Method),
		Evidence: d.Evidence, RecordedBy: d.RecordedBy, CentreID: d.CentreID, ShiftID: d.ShiftID, At: utc(d.At)}
}

type progressRevocationDoc struct {
	RecordID   string    `bson:"_id"`
	ResidentID string    `bson:"resident_id"`
	By         string    `bson:"by"`
	Reason     string    `bson:"reason"`
	At         time.Time `bson:"at"`
}

func (d *progressRevocationDoc) revocation() *progress.Revocation {
	return &progress.Revocation{RecordID: d.RecordID, By: d.By, Reason: d.Reason, At: utc(d.At)}
}

// CreateProgressRecord inserts a record; a taken id is ErrConflict, an unknown
// resident ErrNotFound.
func (d *DB) CreateProgressRecord(ctx context.Context, r *progress.Record) error {
	ctx, markDone, merr := d.markResident(ctx, r.ResidentID, d.residentWards(ctx, r.ResidentID)...)
	if merr != nil {
		return merr
	}
	defer markDone()
	if err := mustExist(ctx, d.residents(), "resident", r.ResidentID); err != nil {
		return err
	}
	_, err := d.progressRecords().InsertOne(ctx, &progressRecordDoc{ID: r.ID, ResidentID: r.ResidentID, SkillCode: r.SkillCode,
		Method: string(r.Method), Evidence: r.Evidence, RecordedBy: r.RecordedBy, CentreID: r.CentreID, ShiftID: r.ShiftID, At: r.At})
	return wrapErr(err, "progress record "+r.ID)
}

// ProgressRecordByID returns a record with its revocation (nil when none).
func (d *DB) ProgressRecordByID(ctx context.Context, id string) (*progress.Record, *progress.Revocation, error) {
	doc, err := findByID[progressRecordDoc](ctx, d.progressRecords(), id, "progress record "+id)
	if err != nil {
		return nil, nil, err
	}
	revs, err := find(ctx, d.progressRevocations(), byID(id), options.Find(), "revocation of progress record "+id,
		(*progressRevocationDoc).revocation)
	if err != nil {
		return nil, nil, err
	}
	if len(revs) == 0 {
		return doc.record(), nil, nil
	}
	return doc.record(), revs[0], nil
}

// ProgressOfResident returns a resident's records, oldest first, and their revocations.
func (d *DB) ProgressOfResident(ctx context.Context, residentID string) ([]progress.Record, []progress.Revocation, error) {
	filter := bson.D{{Key: "resident_id", Value: residentID}}
	recs, err := find(ctx, d.progressRecords(), filter, options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}),
		"progress records of "+residentID, (*progressRecordDoc).record)
	if err != nil {
		return nil, nil, err
	}
	revs, err := find(ctx, d.progressRevocations(), filter, options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}),
		"progress revocations of "+residentID, (*progressRevocationDoc).revocation)
	if err != nil {
		return nil, nil, err
	}
	outRecs := make([]progress.Record, 0, len(recs))
	for _, r := range recs {
		outRecs = append(outRecs, *r)
	}
	outRevs := make([]progress.Revocation, 0, len(revs))
	for _, r := range revs {
		outRevs = append(outRevs, *r)
	}
	return outRecs, outRevs, nil
}

// RevokeProgressRecord inserts a revocation; a second one is ErrConflict, an
// unknown record ErrNotFound.
func (d *DB) RevokeProgressRecord(ctx context.Context, r *progress.Revocation) error {
	ctx, markDone, merr := d.markRecord(ctx, r.RecordID)
	if merr != nil {
		return merr
	}
	defer markDone()
	doc, err := findByID[progressRecordDoc](ctx, d.progressRecords(), r.RecordID, "progress record "+r.RecordID)
	if err != nil {
		return err
	}
	_, err = d.progressRevocations().InsertOne(ctx, &progressRevocationDoc{RecordID: r.RecordID, ResidentID: doc.ResidentID,
		By: r.By, Reason: r.Reason, At: r.At})
	return wrapErr(err, "revocation of progress record "+r.RecordID)
}

const colResidentQuizAttempts = "resident_quiz_attempts"

func (d *DB) residentQuizAttempts() *mongodrv.Collection {
	return d.db.Collection(colResidentQuizAttempts)
}

type residentQuizAttemptDoc struct {
	ID         string              `bson:"_id"`
	ResidentID string              `bson:"resident_id"`
	CourseID   string              `bson:"course_id"`
	Version    int                 `bson:"version"`
	LessonID   string              `bson:"lesson_id"`
	Answers    map[string][]string `bson:"answers"`
	Score      int                 `bson:"score"`
	Passed     bool                `bson:"passed"`
	By         string              `bson:"by"`
	CentreID   string              `bson:"centre_id"`
	ShiftID    string              `bson:"shift_id"`
	At         time.Time           `bson:"at"`
}

func (d *residentQuizAttemptDoc) attempt() *progress.QuizAttempt {
	a := progress.QuizAttempt(*d)
	a.At = utc(d.At)
	if a.Answers == nil {
		a.Answers = map[string][]string{}
	}
	return &a
}

// CreateResidentQuizAttempt inserts an assisted quiz attempt; a taken id is
// ErrConflict, an unknown resident ErrNotFound.
func (d *DB) CreateResidentQuizAttempt(ctx context.Context, a *progress.QuizAttempt) error {
	if err := mustExist(ctx, d.residents(), "resident", a.ResidentID); err != nil {
		return err
	}
	doc := residentQuizAttemptDoc(*a)
	_, err := d.residentQuizAttempts().InsertOne(ctx, &doc)
	return wrapErr(err, "quiz attempt "+a.ID)
}

// ResidentQuizAttempts returns a resident's assisted attempts, oldest first.
func (d *DB) ResidentQuizAttempts(ctx context.Context, residentID string) ([]*progress.QuizAttempt, error) {
	return find(ctx, d.residentQuizAttempts(), bson.D{{Key: "resident_id", Value: residentID}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}), "quiz attempts of "+residentID,
		(*residentQuizAttemptDoc).attempt)
}
