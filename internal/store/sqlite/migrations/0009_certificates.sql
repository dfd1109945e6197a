-- 0009: certificates (hours certificates of volunteers; other kinds later) and
-- their revocations. A certificate is a snapshot: its statement is stored as JSON
-- and never recomputed. code and issue_key are unique: a code names one
-- certificate, and a holder's re-issue of the same period and total lands once
-- whatever the concurrency. A revocation is an insert-only row keyed by the
-- certificate's code, so a certificate is revoked once. Times are INTEGER unix
-- milliseconds, UTC.

CREATE TABLE certificates (
    id              TEXT    PRIMARY KEY, -- UUIDv7: the listing order
    code            TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    issue_key       TEXT    NOT NULL UNIQUE,
    holder_id       TEXT    NOT NULL REFERENCES users (id),
    ward_ids        TEXT    NOT NULL, -- JSON array of ward ids
    organisation_id TEXT    NOT NULL,
    issued_at       INTEGER NOT NULL,
    statement       TEXT    NOT NULL  -- JSON of the kind's statement
) STRICT;
CREATE INDEX certificates_holder ON certificates (holder_id, id);

CREATE TABLE certificate_revocations (
    code       TEXT    PRIMARY KEY REFERENCES certificates (code),
    revoked_at INTEGER NOT NULL,
    revoked_by TEXT    NOT NULL,
    reason     TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
