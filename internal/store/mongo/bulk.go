package mongo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
	"ecitizen/internal/coverage"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
)

// Batch writes (store.Bulk), for the seeder. Without transactions a batch is
// not one unit: each collection's documents go in one unordered InsertMany,
// so a document whose _id or unique key is taken is refused (the batch answers
// ErrConflict) while the others land, and the same batch written again adds
// nothing. The references the single writes check by _id (centres, wards,
// volunteers, residents, user holders) are checked once per distinct id
// before anything is written. Coverage: the stamps of the parts a batch
// changes are marked before it and again after it (its writes are not bounded
// by coverage.WriteBound, as a merge's are not), and a batch of residents or
// records logs each resident in coverage_log after the first mark, as
// markResident does for one.

// insertMany inserts docs unordered; a taken key is ErrConflict.
func insertMany[T any](ctx context.Context, col *mongodrv.Collection, docs []T, what string) error {
	if len(docs) == 0 {
		return nil
	}
	all := make([]any, len(docs))
	for i := range docs {
		all[i] = docs[i]
	}
	_, err := col.InsertMany(ctx, all, options.InsertMany().SetOrdered(false))
	return wrapErr(err, what)
}

// markAround marks keys, runs write, and marks keys again however it ends; when
// residents is not nil, each resident of it is logged in its part's keys after
// the first mark (residents maps a resident to its stamp keys).
func (d *DB) markAround(ctx context.Context, keys []string, residents map[string][]string, write func() error) error {
	_, cancel, err := d.mark(ctx, keys)
	cancel()
	if err != nil {
		return err
	}
	defer func() { _, c, _ := d.mark(context.WithoutCancel(ctx), keys); c() }()
	if len(residents) > 0 {
		now := time.Now().UTC()
		var docs []logDoc
		for id, ks := range residents {
			for _, k := range ks {
				var b [12]byte
				_, _ = rand.Read(b[:])
				docs = append(docs, logDoc{ID: hex.EncodeToString(b[:]), Key: k, Resident: id, At: now})
			}
		}
		if err := insertMany(ctx, d.coverageLog(), docs, "coverage log"); err != nil {
			return err
		}
	}
	return write()
}

// checkIDs reports ErrNotFound unless every id of ids is a document of col.
func checkIDs(ctx context.Context, col *mongodrv.Collection, kind string, ids []string) error {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return chunks(ids, func(part []string) error {
		docs, err := factDocs[struct {
			ID string `bson:"_id"`
		}](ctx, col, bson.D{{Key: "_id", Value: in(part)}}, bson.D{{Key: "_id", Value: 1}}, kind+"s")
		if err != nil {
			return err
		}
		if len(docs) == len(part) {
			return nil
		}
		found := map[string]bool{}
		for _, doc := range docs {
			found[doc.ID] = true
		}
		for _, id := range part {
			if !found[id] {
				return notFound(kind + " " + id)
			}
		}
		return nil
	})
}

// rosterKeys are the roster parts' stamp keys of wards.
func rosterKeys(wards map[string]bool) []string {
	var keys []string
	for w := range wards {
		if w != "" {
			keys = append(keys, coverage.StampKey(w, coverage.RosterPart))
		}
	}
	return keys
}

// InsertShifts inserts new shifts (IDs never used: their history starts at 0).
func (d *DB) InsertShifts(ctx context.Context, shifts []*roster.Shift) error {
	var centres, wards, courses []string
	marked := map[string]bool{}
	docs := make([]*shiftDoc, 0, len(shifts))
	for _, s := range shifts {
		centres, wards = append(centres, s.CentreID), append(wards, s.WardID)
		if s.QualificationCourseID != "" {
			courses = append(courses, s.QualificationCourseID)
		}
		marked[s.WardID] = true
		docs = append(docs, &shiftDoc{ID: s.ID, CentreID: s.CentreID, WardID: s.WardID, Title: s.Title, Role: string(s.Role),
			StartsAt: s.StartsAt, EndsAt: s.EndsAt, Places: s.Places, QualificationCourseID: s.QualificationCourseID, Notes: s.Notes,
			SignupOpensAt: s.SignupOpensAt, CancelDeadline: s.CancelDeadline, Status: string(s.Status), CreatedBy: s.CreatedBy,
			CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, SeriesID: s.SeriesID, Occurrence: occurrence(s), Detached: s.Detached})
	}
	if err := checkIDs(ctx, d.centres, "centre", centres); err != nil {
		return err
	}
	if err := checkIDs(ctx, d.wards, "ward", wards); err != nil {
		return err
	}
	if err := checkIDs(ctx, d.courses, "course", courses); err != nil {
		return err
	}
	return d.markAround(ctx, rosterKeys(marked), nil, func() error {
		return insertMany(ctx, d.shifts(), docs, "insert shifts")
	})
}

// InsertBookings inserts bookings of shifts without history and their events,
// then sets each shift's history number to its last event (the applied
// watermark of units.go), so that the shift's next unit goes on from there.
func (d *DB) InsertBookings(ctx context.Context, bookings []*roster.Booking, events []*roster.Event) error {
	if len(bookings) != len(events) {
		return fmt.Errorf("insert bookings: %d bookings but %d events", len(bookings), len(events))
	}
	var shiftIDs, volunteers []string
	last := map[string]int64{}
	for i, b := range bookings {
		shiftIDs, volunteers = append(shiftIDs, b.ShiftID), append(volunteers, b.VolunteerID)
		if e := events[i]; e.ShiftID != b.ShiftID {
			return fmt.Errorf("insert bookings: event %d is of shift %s, its booking of %s", i, e.ShiftID, b.ShiftID)
		}
		last[b.ShiftID] = max(last[b.ShiftID], events[i].Seq)
	}
	if err := checkIDs(ctx, d.users, "volunteer", volunteers); err != nil {
		return err
	}
	slices.Sort(shiftIDs)
	shiftIDs = slices.Compact(shiftIDs)
	wards := map[string]bool{}
	err := chunks(shiftIDs, func(part []string) error {
		docs, err := factDocs[shiftDoc](ctx, d.shifts(), bson.D{{Key: "_id", Value: in(part)}}, nil, "shifts")
		if err != nil {
			return err
		}
		places := map[string]int{}
		for _, s := range docs {
			if s.Seq != 0 {
				return fmt.Errorf("insert bookings: shift %s has a history: %w", s.ID, apperr.ErrConflict)
			}
			wards[s.WardID] = true
			places[s.ID] = s.Places
		}
		for _, id := range part {
			if _, ok := places[id]; !ok {
				return notFound("shift " + id)
			}
		}
		for _, b := range bookings {
			if n, ok := places[b.ShiftID]; ok && (b.Place < 1 || b.Place > n) {
				return fmt.Errorf("place %d of shift %s: %w", b.Place, b.ShiftID, apperr.ErrConflict)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	bdocs := make([]*bookingDoc, len(bookings))
	edocs := make([]*shiftEventDoc, len(events))
	for i := range bookings {
		bdocs[i], edocs[i] = toBookingDoc(bookings[i]), toShiftEventDoc(events[i])
	}
	return d.markAround(ctx, rosterKeys(wards), nil, func() error {
		// Events first: a shift's event numbers are the guard of its units.
		if err := insertMany(ctx, d.shiftEvents(), edocs, "insert booking events"); err != nil {
			return err
		}
		if err := insertMany(ctx, d.bookings(), bdocs, "insert bookings"); err != nil {
			return err
		}
		// One update a shift: FerretDB v1 stalls on an update command of many
		// statements (BulkWrite).
		for id, seq := range last {
			if err := updateByID(ctx, d.shifts(), id, bson.D{{Key: "seq", Value: seq}}, "history number of shift "+id); err != nil {
				return err
			}
		}
		return nil
	})
}

// residentKeys are the stamp keys of a resident's part in its wards.
func residentKeys(id string, wards ...string) []string {
	var keys []string
	for _, w := range wards {
		if w != "" {
			k := coverage.StampKey(w, coverage.PartOf(id))
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// InsertResidents claims every key of the batch, then inserts the residents
// with their name words, then releases the transient keys. A key another
// resident holds is a *resident.KeyTakenError: the claims this batch made are
// released and no resident is inserted.
func (d *DB) InsertResidents(ctx context.Context, residents []resident.Prepared) error {
	follow := map[string]string{}
	var (
		claims, transient []resident.Key
		docs              []*residentDoc
	)
	logged := map[string][]string{}
	var keys []string
	for _, p := range residents {
		r := p.Resident
		if r.OriginWardID == "" {
			r.OriginWardID = r.WardID
		}
		ward, ok := follow[r.OriginWardID]
		if !ok {
			var err error
			if ward, err = d.followWard(ctx, r.OriginWardID); err != nil {
				return err
			}
			follow[r.OriginWardID] = ward
		}
		r.WardID = ward
		claims = append(claims, p.Keys...)
		transient = append(transient, resident.TransientKeys(p.Keys)...)
		docs = append(docs, toResidentDoc(r))
		ks := residentKeys(r.ID, r.WardID, r.OriginWardID)
		logged[r.ID] = ks
		for _, k := range ks {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return d.markAround(ctx, keys, logged, func() error {
		if err := d.claimMany(ctx, claims); err != nil {
			return err
		}
		if err := insertMany(ctx, d.residents(), docs, "insert residents"); err != nil {
			return err
		}
		d.releaseKeys(ctx, transient)
		return nil
	})
}

// claimMany inserts claims unordered; a claim found taken is kept when its
// resident is the claimant's (a batch written again), and otherwise is a
// *resident.KeyTakenError after the claims this call inserted are released.
func (d *DB) claimMany(ctx context.Context, keys []resident.Key) error {
	if len(keys) == 0 {
		return nil
	}
	now := time.Now().UTC()
	docs := make([]any, len(keys))
	for i, k := range keys {
		docs[i] = &residentKeyDoc{ID: keyID(k), ResidentID: k.ResidentID, ClaimedAt: now}
	}
	_, err := d.residentKeys().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return nil
	}
	var bwe mongodrv.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return wrapErr(err, "claim resident keys")
	}
	failed := map[int]bool{}
	var taken error
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 && !strings.Contains(we.Message, "UNIQUE constraint failed") {
			return wrapErr(err, "claim resident keys")
		}
		failed[we.Index] = true
		k := keys[we.Index]
		old, ferr := findByID[residentKeyDoc](ctx, d.residentKeys(), keyID(k), "claim resident key")
		if ferr != nil {
			return ferr
		}
		if old.ResidentID != k.ResidentID && taken == nil {
			taken = &resident.KeyTakenError{Kind: k.Kind, ResidentID: old.ResidentID}
		}
	}
	if taken != nil {
		var mine []resident.Key
		for i, k := range keys {
			if !failed[i] {
				mine = append(mine, k)
			}
		}
		d.releaseKeys(context.WithoutCancel(ctx), mine)
		return taken
	}
	return nil
}

// InsertProgressRecords inserts records of existing residents.
func (d *DB) InsertProgressRecords(ctx context.Context, records []progress.Record) error {
	var ids []string
	for _, r := range records {
		ids = append(ids, r.ResidentID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	logged := map[string][]string{}
	var keys []string
	err := chunks(ids, func(part []string) error {
		docs, err := factDocs[residentFactDoc](ctx, d.residents(), bson.D{{Key: "_id", Value: in(part)}},
			bson.D{{Key: "ward_id", Value: 1}, {Key: "origin_ward_id", Value: 1}}, "residents")
		if err != nil {
			return err
		}
		for _, doc := range docs {
			ks := residentKeys(doc.ID, doc.WardID, doc.Origin)
			logged[doc.ID] = ks
			for _, k := range ks {
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
		}
		for _, id := range part {
			if _, ok := logged[id]; !ok {
				return notFound("resident " + id)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	docs := make([]*progressRecordDoc, len(records))
	for i, r := range records {
		docs[i] = &progressRecordDoc{ID: r.ID, ResidentID: r.ResidentID, SkillCode: r.SkillCode, Method: string(r.Method),
			Evidence: r.Evidence, RecordedBy: r.RecordedBy, CentreID: r.CentreID, ShiftID: r.ShiftID, At: r.At}
	}
	return d.markAround(ctx, keys, logged, func() error {
		return insertMany(ctx, d.progressRecords(), docs, "insert progress records")
	})
}

// InsertCertificates inserts certificates; a user holder that does not exist
// is ErrNotFound.
func (d *DB) InsertCertificates(ctx context.Context, certs []*certificate.Certificate) error {
	var holders []string
	docs := make([]*certificateDoc, len(certs))
	for i, c := range certs {
		if c.Kind.UserHeld() {
			holders = append(holders, c.HolderID)
		}
		docs[i] = toCertificateDoc(c)
	}
	if err := checkIDs(ctx, d.users, "holder", holders); err != nil {
		return err
	}
	return insertMany(ctx, d.certificates(), docs, "insert certificates")
}
