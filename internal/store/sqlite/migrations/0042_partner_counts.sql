-- 0042: the partner view counts a course's learners in a range of days from the
-- index alone (enrolments by start, completions by completion).
CREATE INDEX enrolments_course_started ON enrolments (course_id, started_at);
CREATE INDEX course_completions_course_completed ON course_completions (course_id, completed_at);
