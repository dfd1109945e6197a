-- 0003: training sessions (scheduled classes of a course), their seats and the
-- history of enrolments. Times are INTEGER unix milliseconds, UTC. The capacity
-- invariant is a pair of keys: a seat is a row keyed by (session, number), the
-- service taking numbers in 1..capacity, and a learner holds one seat per session.

CREATE TABLE training_sessions (
    id              TEXT    PRIMARY KEY,
    course_id       TEXT    NOT NULL REFERENCES courses (id),
    organisation_id TEXT    NOT NULL REFERENCES organisations (id),
    centre_id       TEXT    REFERENCES centres (id), -- NULL for another venue
    ward_id         TEXT    REFERENCES wards (id),   -- NULL when not known
    venue           TEXT    NOT NULL,
    starts_at       INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL,
    capacity        INTEGER NOT NULL,
    trainers        TEXT    NOT NULL, -- JSON array of names (null when nil)
    note            TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    created_by      TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX training_sessions_start ON training_sessions (starts_at, id);
CREATE INDEX training_sessions_course ON training_sessions (course_id, starts_at, id);
CREATE INDEX training_sessions_organisation ON training_sessions (organisation_id, starts_at, id);
CREATE INDEX training_sessions_ward ON training_sessions (ward_id, starts_at, id);
CREATE INDEX training_sessions_centre ON training_sessions (centre_id, starts_at, id);
CREATE INDEX training_sessions_status ON training_sessions (status, starts_at, id);

-- One row per occupied place: taking a seat is one INSERT, and the two keys make
-- a second holder of a number, or a second seat of a learner, impossible.
CREATE TABLE session_seats (
    session_id  TEXT    NOT NULL REFERENCES training_sessions (id),
    number      INTEGER NOT NULL,
    learner_key TEXT    NOT NULL,
    user_id     TEXT, -- NULL for a learner without an account
    name        TEXT    NOT NULL,
    enrolled_by TEXT    NOT NULL,
    enrolled_at INTEGER NOT NULL,
    attendance  TEXT    NOT NULL,
    marked_by   TEXT    NOT NULL,
    marked_at   INTEGER,
    PRIMARY KEY (session_id, number),
    UNIQUE (session_id, learner_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX session_seats_user ON session_seats (user_id, session_id);

-- Enrolment history, append-only: kept when seats come and go.
CREATE TABLE session_seat_events (
    id          TEXT    PRIMARY KEY,
    session_id  TEXT    NOT NULL,
    number      INTEGER NOT NULL,
    learner_key TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    by_user     TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX session_seat_events_session ON session_seat_events (session_id, at);
