-- 0014: residents, the claims on their personal numbers, and the audit trail of
-- their personal data. Times are INTEGER unix milliseconds, UTC. Phone and
-- national ID are stored only as AES-256-GCM ciphertexts (with the id of the key
-- that sealed them) and HMAC blind indexes. A number is held by one resident:
-- resident_keys is keyed by (kind, blind index), and its rows are inserted in the
-- same transaction as the resident. Erasure clears the personal columns, deletes
-- the claims and keeps the row (id, ward) so counts stay.

CREATE TABLE residents (
    id                  TEXT    PRIMARY KEY, -- UUIDv7
    ward_id             TEXT    NOT NULL REFERENCES wards (id),
    full_name           TEXT    NOT NULL,
    name_key            TEXT    NOT NULL, -- course.Fold(full_name), padded with spaces in queries
    birth_year          INTEGER NOT NULL,
    gender              TEXT    NOT NULL, -- female | male | other | ''
    residential_group   TEXT    NOT NULL,
    notes               TEXT    NOT NULL,
    dup_key             TEXT    NOT NULL, -- folded name|birth year|folded group
    duplicate_override  TEXT    NOT NULL,
    phone_key_id        TEXT,
    phone_box           BLOB,
    phone_index         TEXT,
    national_key_id     TEXT,
    national_box        BLOB,
    national_index      TEXT,
    consent_version     TEXT    NOT NULL,
    consent_given_at    INTEGER NOT NULL,
    consent_recorded_by TEXT    NOT NULL,
    created_by          TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    erased_at           INTEGER,
    erased_by           TEXT
) STRICT;
CREATE INDEX residents_ward ON residents (ward_id, id);
CREATE INDEX residents_dup ON residents (ward_id, dup_key);
CREATE INDEX residents_phone ON residents (phone_index);
CREATE INDEX residents_national ON residents (national_index);

CREATE TABLE resident_keys (
    kind        TEXT    NOT NULL, -- phone | national_id
    blind_index TEXT    NOT NULL,
    resident_id TEXT    NOT NULL REFERENCES residents (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (kind, blind_index)
) STRICT;
CREATE INDEX resident_keys_resident ON resident_keys (resident_id);

-- Insert-only: who revealed or erased whose personal data, when, why, which fields.
CREATE TABLE resident_audit (
    id          TEXT    PRIMARY KEY, -- UUIDv7: newest first is id descending
    resident_id TEXT    NOT NULL REFERENCES residents (id),
    ward_id     TEXT    NOT NULL,
    action      TEXT    NOT NULL, -- reveal | erase
    fields      TEXT    NOT NULL, -- comma-separated field names
    reason      TEXT    NOT NULL,
    by_user     TEXT    NOT NULL,
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX resident_audit_ward ON resident_audit (ward_id, id);
