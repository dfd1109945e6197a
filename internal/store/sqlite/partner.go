package sqlite

import (
	"context"
	"time"

	"ecitizen/internal/partner"
	"ecitizen/internal/training"
)

// The partner view's counts, one query per table. A course's title is its
// published version's, else its latest version's.

const currentVersion = `CASE WHEN c.published_version > 0 THEN c.published_version ELSE c.latest_version END`

// PartnerCourses returns an organisation's courses with their learners, all time
// and in [from, to) (indexes enrolments_course_started and
// course_completions_course_completed).
func (db *DB) PartnerCourses(ctx context.Context, orgID string, from, to time.Time) ([]*partner.CourseLine, error) {
	return list(ctx, db, "courses of organisation "+orgID, `SELECT c.id, c.published_version, c.archived,
		v.title_vi, v.title_en,
		(SELECT count(*) FROM enrolments e WHERE e.course_id = c.id AND e.started_at >= ? AND e.started_at < ?),
		(SELECT count(*) FROM course_completions k WHERE k.course_id = c.id AND k.completed_at >= ? AND k.completed_at < ?),
		(SELECT count(*) FROM enrolments e WHERE e.course_id = c.id),
		(SELECT count(*) FROM course_completions k WHERE k.course_id = c.id)
		FROM courses c JOIN course_versions v ON v.course_id = c.id AND v.number = `+currentVersion+`
		WHERE c.organisation_id = ? ORDER BY c.id`,
		[]any{ms(from), ms(to), ms(from), ms(to), orgID}, func(s scanner) (*partner.CourseLine, error) {
			var (
				l        partner.CourseLine
				archived int
			)
			err := s.Scan(&l.CourseID, &l.PublishedVersion, &archived, &l.Title.Vi, &l.Title.En,
				&l.Enrolments, &l.Completions, &l.EnrolmentsTotal, &l.CompletionsTotal)
			l.Archived = archived != 0
			return &l, err
		})
}

// PartnerSessions returns an organisation's sessions starting in [from, to) with
// their seats counted (index training_sessions_organisation, then each session's
// seats by primary key).
func (db *DB) PartnerSessions(ctx context.Context, orgID string, from, to time.Time) ([]*partner.SessionLine, error) {
	return list(ctx, db, "sessions of organisation "+orgID, `SELECT s.id, s.course_id,
		coalesce(v.title_vi, ''), coalesce(v.title_en, ''), coalesce(s.centre_id, ''), coalesce(ce.name, ''),
		coalesce(s.ward_id, ''), s.venue, s.starts_at, s.ends_at, s.status, s.capacity,
		count(st.number), count(CASE WHEN st.attendance = ? THEN 1 END), count(CASE WHEN st.attendance = ? THEN 1 END)
		FROM training_sessions s
		LEFT JOIN courses c ON c.id = s.course_id
		LEFT JOIN course_versions v ON v.course_id = c.id AND v.number = `+currentVersion+`
		LEFT JOIN centres ce ON ce.id = s.centre_id
		LEFT JOIN session_seats st ON st.session_id = s.id
		WHERE s.organisation_id = ? AND s.starts_at >= ? AND s.starts_at < ?
		GROUP BY s.id ORDER BY s.starts_at, s.id`,
		[]any{string(training.Attended), string(training.Absent), orgID, ms(from), ms(to)},
		func(s scanner) (*partner.SessionLine, error) {
			var (
				l            partner.SessionLine
				starts, ends int64
			)
			err := s.Scan(&l.SessionID, &l.CourseID, &l.CourseTitle.Vi, &l.CourseTitle.En, &l.CentreID, &l.CentreName,
				&l.WardID, &l.Venue, &starts, &ends, &l.Status, &l.Capacity, &l.Enrolled, &l.Attended, &l.Absent)
			l.StartsAt, l.EndsAt = at(starts), at(ends)
			return &l, err
		})
}
