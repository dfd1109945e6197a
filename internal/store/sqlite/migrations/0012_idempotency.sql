-- 0012: idempotency keys. A request with an Idempotency-Key claims (user, key) by
-- inserting a row; the unique key makes one of concurrent requests the claimant.
-- The claimant stores its response on its own row; records older than a day are
-- swept. Times are INTEGER unix milliseconds, UTC.

CREATE TABLE idempotency_records (
    id           TEXT    NOT NULL PRIMARY KEY,
    user_id      TEXT    NOT NULL REFERENCES users (id),
    key          TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    done         INTEGER NOT NULL DEFAULT 0,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT    NOT NULL DEFAULT '',
    location     TEXT    NOT NULL DEFAULT '',
    body         BLOB,
    created_at   INTEGER NOT NULL,
    UNIQUE (user_id, key)
) STRICT;
CREATE INDEX idempotency_records_created ON idempotency_records (created_at);
