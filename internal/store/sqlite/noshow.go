package sqlite

import (
	"context"
	"time"

	"ecitizen/internal/roster"
)

// No-show decisions: insert-only rows whose primary key (shift, volunteer) admits
// one decision per booking; the foreign keys make an unknown shift or volunteer
// ErrNotFound.

const noShowColumns = `SELECT shift_id, volunteer_id, decision, reason, ward_id, title,
	starts_at, ends_at, decided_by, decided_at FROM no_shows`

// AddNoShow inserts a decision; a second one for the same (shift, volunteer) is ErrConflict.
func (db *DB) AddNoShow(ctx context.Context, n *roster.NoShow) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO no_shows (shift_id, volunteer_id, decision,
		reason, ward_id, title, starts_at, ends_at, decided_by, decided_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.ShiftID, n.VolunteerID, string(n.Decision), n.Reason, n.WardID, n.Title, ms(n.StartsAt),
		ms(n.EndsAt), n.DecidedBy, ms(n.DecidedAt))
	return wrap(err, "decide no-show on shift %s", n.ShiftID)
}

// NoShows returns a shift's decisions ordered by volunteer.
func (db *DB) NoShows(ctx context.Context, shiftID string) ([]*roster.NoShow, error) {
	return list(ctx, db, "no-shows", noShowColumns+` WHERE shift_id = ? ORDER BY volunteer_id`,
		[]any{shiftID}, scanNoShow)
}

// ConfirmedNoShows returns a volunteer's confirmed no-shows of shifts that ended
// in [from, to), by (end, shift).
func (db *DB) ConfirmedNoShows(ctx context.Context, volunteerID string, from, to time.Time) ([]*roster.NoShow, error) {
	return list(ctx, db, "confirmed no-shows", noShowColumns+` WHERE volunteer_id = ? AND decision = ?
		AND ends_at >= ? AND ends_at < ? ORDER BY ends_at, shift_id`,
		[]any{volunteerID, string(roster.NoShowConfirm), ms(from), ms(to)}, scanNoShow)
}

func scanNoShow(s scanner) (*roster.NoShow, error) {
	var (
		n                     roster.NoShow
		starts, ends, decided int64
	)
	if err := s.Scan(&n.ShiftID, &n.VolunteerID, &n.Decision, &n.Reason, &n.WardID, &n.Title,
		&starts, &ends, &n.DecidedBy, &decided); err != nil {
		return nil, err
	}
	n.StartsAt, n.EndsAt, n.DecidedAt = at(starts), at(ends), at(decided)
	return &n, nil
}
