package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
	"ecitizen/internal/coverage"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
)

// Batch writes (store.Bulk), for the seeder: each call is one BEGIN IMMEDIATE
// transaction whose statements are prepared once and run for every row, so a
// failing row rolls the whole batch back. The rows are the single writes' rows:
// the triggers of migrations 0041 and 0049 move the coverage stamps and the
// district's total, and log resident parts' moves, for each row as for a single
// write; a batch of residents or records then prunes the log of the parts it
// moved to their last logKept moves (what Open does), so that loading a
// district does not leave hundreds of thousands of log rows behind.

// batch runs fn in one write transaction with a cache of prepared statements.
func (db *DB) batch(ctx context.Context, what string, fn func(tx *sql.Tx, stmt func(query string) (*sql.Stmt, error)) error) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		stmts := map[string]*sql.Stmt{}
		defer func() {
			for _, s := range stmts {
				_ = s.Close()
			}
		}()
		return fn(tx, func(query string) (*sql.Stmt, error) {
			if s := stmts[query]; s != nil {
				return s, nil
			}
			s, err := tx.PrepareContext(ctx, query)
			if err != nil {
				return nil, err
			}
			stmts[query] = s
			return s, nil
		})
	})
	var taken *resident.KeyTakenError
	if errors.As(err, &taken) || errors.Is(err, roster.ErrOverlap) {
		return err
	}
	return wrap(err, "%s", what)
}

// InsertShifts inserts shifts in one transaction.
func (db *DB) InsertShifts(ctx context.Context, shifts []*roster.Shift) error {
	return db.batch(ctx, "insert shifts", func(_ *sql.Tx, stmt func(string) (*sql.Stmt, error)) error {
		ins, err := stmt(insertShift)
		if err != nil {
			return err
		}
		for _, s := range shifts {
			if _, err := ins.ExecContext(ctx, shiftArgs(s)...); err != nil {
				return wrap(err, "insert shift %s", s.ID)
			}
		}
		return nil
	})
}

// insertBooking inserts a booking only within its shift's places and when the
// volunteer holds no overlapping booking of another shift (the questions a
// unit asks, in the same transaction).
const insertBooking = `INSERT INTO shift_bookings (shift_id, place, volunteer_id, starts_at, ends_at, booked_by, reason, booked_at)
	SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
	WHERE ?2 BETWEEN 1 AND (SELECT places FROM shifts WHERE id = ?1)
	AND NOT EXISTS (SELECT 1 FROM shift_bookings WHERE volunteer_id = ?3 AND starts_at < ?5 AND ends_at > ?4 AND shift_id <> ?1)`

// InsertBookings inserts bookings and their events in one transaction; a
// booking beyond its shift's places (or of a missing shift) is ErrConflict,
// one overlapping another of the volunteer roster.ErrOverlap.
func (db *DB) InsertBookings(ctx context.Context, bookings []*roster.Booking, events []*roster.Event) error {
	if len(bookings) != len(events) {
		return fmt.Errorf("insert bookings: %d bookings but %d events", len(bookings), len(events))
	}
	return db.batch(ctx, "insert bookings", func(_ *sql.Tx, stmt func(string) (*sql.Stmt, error)) error {
		book, err := stmt(insertBooking)
		if err != nil {
			return err
		}
		overlap, err := stmt(`SELECT EXISTS (SELECT 1 FROM shift_bookings WHERE volunteer_id = ? AND starts_at < ? AND ends_at > ? AND shift_id <> ?)`)
		if err != nil {
			return err
		}
		event, err := stmt(`INSERT INTO shift_events (id, shift_id, seq, volunteer_id, kind, place, by_user, reason, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		for i, b := range bookings {
			res, err := book.ExecContext(ctx, b.ShiftID, b.Place, b.VolunteerID, ms(b.StartsAt), ms(b.EndsAt), b.BookedBy, b.Reason, ms(b.BookedAt))
			if err != nil {
				return wrap(err, "book place %d of shift %s", b.Place, b.ShiftID)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				var over bool
				if err := overlap.QueryRowContext(ctx, b.VolunteerID, ms(b.EndsAt), ms(b.StartsAt), b.ShiftID).Scan(&over); err != nil {
					return err
				}
				if over {
					return fmt.Errorf("book volunteer %s on shift %s: %w", b.VolunteerID, b.ShiftID, roster.ErrOverlap)
				}
				return fmt.Errorf("place %d of shift %s: %w", b.Place, b.ShiftID, apperr.ErrConflict)
			}
			e := events[i]
			if _, err := event.ExecContext(ctx, eventID(e.ShiftID, e.Seq), e.ShiftID, e.Seq, e.VolunteerID, e.Kind, e.Place,
				e.By, e.Reason, ms(e.At)); err != nil {
				return wrap(err, "add event %d of shift %s", e.Seq, e.ShiftID)
			}
		}
		return nil
	})
}

// InsertResidents claims the residents' keys and inserts them with their name
// words in one transaction; a key another resident holds is a
// *resident.KeyTakenError and nothing is stored.
func (db *DB) InsertResidents(ctx context.Context, residents []resident.Prepared) error {
	return db.batch(ctx, "insert residents", func(tx *sql.Tx, stmt func(string) (*sql.Stmt, error)) error {
		ins, err := stmt(insertResident)
		if err != nil {
			return err
		}
		word, err := stmt(`INSERT INTO resident_name_words (ward_id, word, resident_id) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		wards := map[string]string{} // origin ward → the ward it is now
		parts := map[[2]string]bool{}
		for _, p := range residents {
			r := p.Resident
			if r.OriginWardID == "" {
				r.OriginWardID = r.WardID
			}
			ward, ok := wards[r.OriginWardID]
			if !ok {
				if ward, err = openWard(ctx, tx, r.OriginWardID); err != nil {
					return err
				}
				wards[r.OriginWardID] = ward
			}
			r.WardID = ward
			if err := claim(ctx, tx, p.Keys); err != nil {
				return err
			}
			if _, err := ins.ExecContext(ctx, residentArgs(r)...); err != nil {
				return wrap(err, "insert resident %s", r.ID)
			}
			for _, w := range resident.NameWords(r.NameKey) {
				if _, err := word.ExecContext(ctx, r.WardID, w, r.ID); err != nil {
					return wrap(err, "name words of resident %s", r.ID)
				}
			}
			if err := release(ctx, tx, resident.TransientKeys(p.Keys)); err != nil {
				return err
			}
			parts[[2]string{r.WardID, coverage.PartOf(r.ID)}] = true
			parts[[2]string{r.OriginWardID, coverage.PartOf(r.ID)}] = true
		}
		return pruneParts(ctx, stmt, parts)
	})
}

// InsertProgressRecords inserts records in one transaction.
func (db *DB) InsertProgressRecords(ctx context.Context, records []progress.Record) error {
	return db.batch(ctx, "insert progress records", func(tx *sql.Tx, stmt func(string) (*sql.Stmt, error)) error {
		ins, err := stmt(insertRecord)
		if err != nil {
			return err
		}
		wardsOf, err := stmt(`SELECT ward_id, origin_ward_id FROM residents WHERE id = ?`)
		if err != nil {
			return err
		}
		parts := map[[2]string]bool{}
		seen := map[string]bool{}
		for i := range records {
			r := &records[i]
			if _, err := ins.ExecContext(ctx, recordArgs(r)...); err != nil {
				return wrap(err, "insert progress record %s", r.ID)
			}
			if seen[r.ResidentID] {
				continue
			}
			seen[r.ResidentID] = true
			var ward string
			var origin sql.NullString
			if err := wardsOf.QueryRowContext(ctx, r.ResidentID).Scan(&ward, &origin); err != nil {
				return err
			}
			parts[[2]string{ward, coverage.PartOf(r.ResidentID)}] = true
			if origin.Valid {
				parts[[2]string{origin.String, coverage.PartOf(r.ResidentID)}] = true
			}
		}
		return pruneParts(ctx, stmt, parts)
	})
}

// pruneParts deletes the log of each (ward, part) but its last logKept moves,
// as pruneCoverageLog does for every part at Open.
func pruneParts(ctx context.Context, stmt func(string) (*sql.Stmt, error), parts map[[2]string]bool) error {
	prune, err := stmt(`DELETE FROM coverage_log WHERE ward_id = ?1 AND part = ?2
		AND n <= (SELECT n - ?3 FROM coverage_stamps WHERE ward_id = ?1 AND part = ?2)`)
	if err != nil {
		return err
	}
	for p := range parts {
		if p[0] == "" {
			continue
		}
		if _, err := prune.ExecContext(ctx, p[0], p[1], logKept); err != nil {
			return err
		}
	}
	return nil
}

// InsertCertificates inserts certificates in one transaction; a user holder
// that does not exist is ErrNotFound.
func (db *DB) InsertCertificates(ctx context.Context, certs []*certificate.Certificate) error {
	return db.batch(ctx, "insert certificates", func(_ *sql.Tx, stmt func(string) (*sql.Stmt, error)) error {
		ins, err := stmt(insertCertificate)
		if err != nil {
			return err
		}
		for _, c := range certs {
			args, err := certificateArgs(c)
			if err != nil {
				return err
			}
			res, err := ins.ExecContext(ctx, args...)
			if err != nil {
				return wrap(err, "insert certificate %s", c.ID)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return notFound("holder of certificate", c.HolderID)
			}
		}
		return nil
	})
}
