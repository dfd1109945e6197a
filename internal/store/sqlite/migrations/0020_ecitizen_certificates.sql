-- 0020: certificates of residents (e-citizen). A certificate's holder is a user
-- (hours) or a resident (e-citizen), so holder_id no longer references users: the
-- adapter checks a user holder on insert (certificates.go). issued_by is the user
-- whose action issued it (the holder for existing certificates of hours).
--
-- SQLite cannot drop a foreign key, so the table is rebuilt. The migration runs in
-- a transaction with foreign keys on: the revocations are rebuilt first against
-- the new table, then the old tables are dropped (nothing references them any
-- more) and the new ones take their names (renaming updates the references).

CREATE TABLE certificates_new (
    id              TEXT    PRIMARY KEY, -- UUIDv7: the listing order
    code            TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    issue_key       TEXT    NOT NULL UNIQUE,
    holder_id       TEXT    NOT NULL, -- a user (hours) or a resident (ecitizen)
    ward_ids        TEXT    NOT NULL, -- JSON array of ward ids
    organisation_id TEXT    NOT NULL,
    issued_by       TEXT    NOT NULL,
    issued_at       INTEGER NOT NULL,
    statement       TEXT    NOT NULL  -- JSON of the kind's statement
) STRICT;
INSERT INTO certificates_new (id, code, kind, issue_key, holder_id, ward_ids, organisation_id, issued_by, issued_at, statement)
    SELECT id, code, kind, issue_key, holder_id, ward_ids, organisation_id, holder_id, issued_at, statement FROM certificates;

CREATE TABLE certificate_revocations_new (
    code       TEXT    PRIMARY KEY REFERENCES certificates_new (code),
    revoked_at INTEGER NOT NULL,
    revoked_by TEXT    NOT NULL,
    reason     TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO certificate_revocations_new (code, revoked_at, revoked_by, reason)
    SELECT code, revoked_at, revoked_by, reason FROM certificate_revocations;

DROP TABLE certificate_revocations;
DROP TABLE certificates;
ALTER TABLE certificates_new RENAME TO certificates;
ALTER TABLE certificate_revocations_new RENAME TO certificate_revocations;
CREATE INDEX certificates_holder ON certificates (holder_id, id);
