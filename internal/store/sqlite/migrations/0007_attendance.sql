-- 0007: attendance of shifts (check-in and check-out rows, insert-only) and manual
-- work entries. Times are INTEGER unix milliseconds, UTC. An attendance row is
-- keyed by (shift, volunteer, kind): a volunteer checks in once and out once per
-- shift, whatever the concurrency. Rows copy the shift's centre, ward and times so
-- that a volunteer's or a centre's hours are one index range, without a join.

CREATE TABLE shift_attendance (
    shift_id     TEXT    NOT NULL REFERENCES shifts (id),
    volunteer_id TEXT    NOT NULL REFERENCES users (id),
    kind         TEXT    NOT NULL, -- checkin | checkout
    centre_id    TEXT    NOT NULL,
    ward_id      TEXT    NOT NULL,
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    by_user      TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    PRIMARY KEY (shift_id, volunteer_id, kind)
) STRICT, WITHOUT ROWID;
CREATE INDEX shift_attendance_volunteer ON shift_attendance (volunteer_id, starts_at);
CREATE INDEX shift_attendance_centre ON shift_attendance (centre_id, starts_at);

-- Work outside shifts, recorded by ward staff with a reason; insert-only.
-- day is the local day's midnight (Asia/Ho_Chi_Minh) in unix milliseconds.
CREATE TABLE work_entries (
    id           TEXT    PRIMARY KEY, -- UUIDv7
    volunteer_id TEXT    NOT NULL REFERENCES users (id),
    centre_id    TEXT    NOT NULL REFERENCES centres (id),
    ward_id      TEXT    NOT NULL,
    day          INTEGER NOT NULL,
    minutes      INTEGER NOT NULL,
    reason       TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX work_entries_volunteer ON work_entries (volunteer_id, day, id);
CREATE INDEX work_entries_centre ON work_entries (centre_id, day, id);
