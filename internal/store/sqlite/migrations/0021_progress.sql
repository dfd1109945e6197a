-- 0021: residents' progress records and their revocations, both insert-only. A
-- revocation's primary key is the record's id, so a record is revoked once
-- whatever the concurrency; it keeps the resident's id to read a resident's
-- revocations without a join.

CREATE TABLE progress_records (
    id          TEXT    PRIMARY KEY, -- UUIDv7
    resident_id TEXT    NOT NULL REFERENCES residents (id),
    skill_code  TEXT    NOT NULL,
    method      TEXT    NOT NULL, -- observed | quiz
    evidence    TEXT    NOT NULL,
    recorded_by TEXT    NOT NULL,
    centre_id   TEXT    NOT NULL, -- '' when staff name no centre
    shift_id    TEXT    NOT NULL, -- '' for staff outside shifts
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX progress_records_resident ON progress_records (resident_id, at, id);

CREATE TABLE progress_revocations (
    record_id   TEXT    PRIMARY KEY REFERENCES progress_records (id),
    resident_id TEXT    NOT NULL,
    revoked_by  TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    revoked_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX progress_revocations_resident ON progress_revocations (resident_id);
