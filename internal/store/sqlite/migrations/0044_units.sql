-- 0044: units of change. Every change of a shift's or a training session's
-- holdings is one BEGIN IMMEDIATE transaction that also appends its history
-- events, numbered 1, 2, 3… per shift (session) in commit order. A waiter's
-- place in line is the number of the "waiting" event that put them there.

-- The history written before is numbered in the order it was read: (at, id).
ALTER TABLE shift_events ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE shift_events SET seq = n.rn FROM (
    SELECT id, row_number() OVER (PARTITION BY shift_id ORDER BY at, id) AS rn FROM shift_events
) AS n WHERE n.id = shift_events.id;
DROP INDEX shift_events_shift;
CREATE UNIQUE INDEX shift_events_seq ON shift_events (shift_id, seq);

ALTER TABLE session_seat_events ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE session_seat_events SET seq = n.rn FROM (
    SELECT id, row_number() OVER (PARTITION BY session_id ORDER BY at, id) AS rn FROM session_seat_events
) AS n WHERE n.id = session_seat_events.id;
DROP INDEX session_seat_events_session;
CREATE UNIQUE INDEX session_seat_events_seq ON session_seat_events (session_id, seq);

-- The line, ordered by seq: a waiter's last "waiting" event, or 0 for one an
-- older release left without any (they stay first, by when they joined, and the
-- check command reports the shift until it is repaired).
CREATE TABLE shift_waiters_v2 (
    shift_id     TEXT    NOT NULL REFERENCES shifts (id),
    volunteer_id TEXT    NOT NULL REFERENCES users (id),
    seq          INTEGER NOT NULL,
    joined_at    INTEGER NOT NULL,
    PRIMARY KEY (shift_id, volunteer_id)
) STRICT, WITHOUT ROWID;
INSERT INTO shift_waiters_v2 (shift_id, volunteer_id, seq, joined_at)
SELECT w.shift_id, w.volunteer_id,
       coalesce((SELECT max(e.seq) FROM shift_events e
                 WHERE e.shift_id = w.shift_id AND e.volunteer_id = w.volunteer_id AND e.kind = 'waiting'), 0),
       w.joined_at
FROM shift_waiters w;
DROP TABLE shift_waiters;
ALTER TABLE shift_waiters_v2 RENAME TO shift_waiters;
CREATE INDEX shift_waiters_line ON shift_waiters (shift_id, seq, joined_at, volunteer_id);
CREATE INDEX shift_waiters_volunteer ON shift_waiters (volunteer_id, joined_at);
