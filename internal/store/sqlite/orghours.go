package sqlite

import (
	"context"
	"time"
)

// An organisation's hours in one query: the check-in and check-out rows of each
// (shift, volunteer) of the organisation's users joined on the primary key,
// minutes = whole minutes from check-in to check-out capped to the shift (SQLite's
// integer division truncates as Go's time.Duration division does; the rows keep
// milliseconds), plus the work entries, summed per volunteer. It reads the
// indexes users_organisation, shift_attendance_volunteer and work_entries_volunteer.
const organisationMinutesQuery = `
SELECT volunteer_id, SUM(minutes) FROM (
	SELECT i.volunteer_id AS volunteer_id,
		MAX(0, (MIN(o.at, i.ends_at) - MAX(i.at, i.starts_at)) / 60000) AS minutes
	FROM users u
	JOIN shift_attendance i ON i.volunteer_id = u.id AND i.kind = 'checkin'
		AND i.starts_at >= ? AND i.starts_at < ?
	JOIN shift_attendance o ON o.shift_id = i.shift_id AND o.volunteer_id = i.volunteer_id
		AND o.kind = 'checkout'
	WHERE u.organisation_id = ?
	UNION ALL
	SELECT e.volunteer_id, e.minutes
	FROM users u
	JOIN work_entries e ON e.volunteer_id = u.id AND e.day >= ? AND e.day < ?
	WHERE u.organisation_id = ?
) GROUP BY volunteer_id`

// OrganisationMinutes returns the minutes served by each user of an
// organisation: shifts starting, and work entries dated, in [from, to).
func (db *DB) OrganisationMinutes(ctx context.Context, orgID string, from, to time.Time) (map[string]int, error) {
	rows, err := db.query(ctx, organisationMinutesQuery,
		ms(from), ms(to), orgID, ms(from), ms(to), orgID)
	if err != nil {
		return nil, wrap(err, "minutes of organisation %s", orgID)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			id string
			m  int
		)
		if err := rows.Scan(&id, &m); err != nil {
			return nil, wrap(err, "minutes of organisation %s", orgID)
		}
		out[id] = m
	}
	return out, wrap(rows.Err(), "minutes of organisation %s", orgID)
}
