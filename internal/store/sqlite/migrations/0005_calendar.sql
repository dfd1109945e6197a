-- 0005: calendar feeds (RFC 5545) of bookings. A feed's secret token is stored
-- only as its SHA-256 (hex), the primary key. An owner (a user, or a centre) has
-- one live feed: (kind, owner_id) is unique, so resetting a feed deletes the live
-- row and inserts the new one, and of concurrent resets exactly one row remains.
-- owner_id names a user or a centre by kind, so it carries no foreign key.

CREATE TABLE calendar_feeds (
    token_hash TEXT    PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('user', 'centre')),
    owner_id   TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (kind, owner_id)
) STRICT, WITHOUT ROWID;
