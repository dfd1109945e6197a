-- 0008: staff's decisions on no-shows (confirm or excuse), insert-only. Pending
-- no-shows are not stored: a booking of an ended shift without a check-in row.
-- A decision is keyed by (shift, volunteer), so a no-show is decided once whatever
-- the concurrency. Rows copy the shift's ward, title and times, so a volunteer's
-- standing (confirmed no-shows of shifts that ended in a window) is one index
-- range, without a join. Times are INTEGER unix milliseconds, UTC.

CREATE TABLE no_shows (
    shift_id     TEXT    NOT NULL REFERENCES shifts (id),
    volunteer_id TEXT    NOT NULL REFERENCES users (id),
    decision     TEXT    NOT NULL, -- confirm | excuse
    reason       TEXT    NOT NULL,
    ward_id      TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    decided_by   TEXT    NOT NULL,
    decided_at   INTEGER NOT NULL,
    PRIMARY KEY (shift_id, volunteer_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX no_shows_volunteer ON no_shows (volunteer_id, decision, ends_at);
