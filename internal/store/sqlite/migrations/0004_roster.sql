-- 0004: volunteer rosters: shifts at community centres, their booked places, the
-- waiting lists and the booking history. Times are INTEGER unix milliseconds, UTC.
-- The capacity invariant is a pair of keys, as for training seats: a booking is a
-- row keyed by (shift, place), the service taking places in 1..places, and a
-- volunteer holds one place per shift. That a volunteer's bookings never overlap
-- spans rows: the adapter checks and inserts in one BEGIN IMMEDIATE transaction.

CREATE TABLE shifts (
    id                      TEXT    PRIMARY KEY,
    centre_id               TEXT    NOT NULL REFERENCES centres (id),
    ward_id                 TEXT    NOT NULL REFERENCES wards (id),
    title                   TEXT    NOT NULL,
    role                    TEXT    NOT NULL,
    starts_at               INTEGER NOT NULL,
    ends_at                 INTEGER NOT NULL,
    places                  INTEGER NOT NULL,
    qualification_course_id TEXT    REFERENCES courses (id), -- NULL when none is required
    notes                   TEXT    NOT NULL,
    signup_opens_at         INTEGER NOT NULL,
    cancel_deadline         INTEGER NOT NULL,
    status                  TEXT    NOT NULL,
    created_by              TEXT    NOT NULL,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
) STRICT;
CREATE INDEX shifts_start ON shifts (starts_at, id);
CREATE INDEX shifts_centre ON shifts (centre_id, starts_at, id);
CREATE INDEX shifts_ward ON shifts (ward_id, starts_at, id);

-- One row per booked place. starts_at and ends_at copy the shift's times so that a
-- volunteer's overlapping bookings are found by one index range, without a join.
CREATE TABLE shift_bookings (
    shift_id     TEXT    NOT NULL REFERENCES shifts (id),
    place        INTEGER NOT NULL,
    volunteer_id TEXT    NOT NULL REFERENCES users (id),
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    booked_by    TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    booked_at    INTEGER NOT NULL,
    PRIMARY KEY (shift_id, place),
    UNIQUE (shift_id, volunteer_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX shift_bookings_volunteer ON shift_bookings (volunteer_id, starts_at);

-- The waiting lists: ids are time-ordered, so they are the arrival order.
CREATE TABLE shift_waiters (
    id           TEXT    PRIMARY KEY,
    shift_id     TEXT    NOT NULL REFERENCES shifts (id),
    volunteer_id TEXT    NOT NULL REFERENCES users (id),
    joined_at    INTEGER NOT NULL,
    UNIQUE (shift_id, volunteer_id)
) STRICT;
CREATE INDEX shift_waiters_shift ON shift_waiters (shift_id, id);

-- Booking history, append-only: kept when bookings and waiters come and go.
CREATE TABLE shift_events (
    id           TEXT    PRIMARY KEY,
    shift_id     TEXT    NOT NULL,
    volunteer_id TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    place        INTEGER NOT NULL,
    by_user      TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    at           INTEGER NOT NULL
) STRICT;
CREATE INDEX shift_events_shift ON shift_events (shift_id, at);
