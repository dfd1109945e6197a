-- 0030: residents' personal links (progress.Service.ResetPersonalLink) are feeds
-- of kind 'resident' in calendar_feeds: the same secret URL per owner, stored as
-- the SHA-256 of its token, one live per owner. SQLite cannot alter a CHECK, so
-- the table is rebuilt with the new kind admitted; its rows are kept.

CREATE TABLE calendar_feeds_new (
    token_hash TEXT    PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('user', 'centre', 'resident')),
    owner_id   TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (kind, owner_id)
) STRICT, WITHOUT ROWID;

INSERT INTO calendar_feeds_new (token_hash, kind, owner_id, created_by, created_at)
    SELECT token_hash, kind, owner_id, created_by, created_at FROM calendar_feeds;
DROP TABLE calendar_feeds;
ALTER TABLE calendar_feeds_new RENAME TO calendar_feeds;
