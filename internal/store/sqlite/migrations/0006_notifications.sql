-- 0006: the outbox of notifications to users, and the claims of their delivery.
-- Times are INTEGER unix milliseconds, UTC. (user_id, key) is an idempotency key:
-- the same notice created twice is stored once. A delivery row is a worker's
-- claim on a notification, keyed by the notification: exactly one worker sends it.

CREATE TABLE notifications (
    id         TEXT    PRIMARY KEY, -- UUIDv7: time-ordered
    user_id    TEXT    NOT NULL REFERENCES users (id),
    kind       TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    title_vi   TEXT    NOT NULL,
    title_en   TEXT    NOT NULL,
    body_vi    TEXT    NOT NULL,
    body_en    TEXT    NOT NULL,
    shift_id   TEXT    NOT NULL, -- '' when not about a shift
    created_at INTEGER NOT NULL,
    read_at    INTEGER,          -- NULL while unread
    UNIQUE (user_id, key)
) STRICT;
CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE notification_deliveries (
    notification_id TEXT    PRIMARY KEY REFERENCES notifications (id),
    worker_id       TEXT    NOT NULL,
    claimed_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
