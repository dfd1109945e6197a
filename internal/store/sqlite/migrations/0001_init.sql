-- 0001: identity (users, refresh tokens, invites) and directory (wards, centres,
-- organisations). Times are INTEGER unix milliseconds, UTC.

CREATE TABLE organisations (
    id            TEXT    PRIMARY KEY,
    kind          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    contact_name  TEXT    NOT NULL,
    contact_email TEXT    NOT NULL,
    contact_phone TEXT    NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX organisations_kind ON organisations (kind, id);

CREATE TABLE wards (
    id          TEXT    PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name_vi     TEXT    NOT NULL,
    name_en     TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    merged_into TEXT    REFERENCES wards (id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX wards_status ON wards (status, code);
CREATE INDEX wards_merged_into ON wards (merged_into);

CREATE TABLE centres (
    id         TEXT    PRIMARY KEY,
    ward_id    TEXT    NOT NULL REFERENCES wards (id),
    name       TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    hours      TEXT    NOT NULL, -- directory.OpeningHours as JSON
    seats      INTEGER NOT NULL,
    active     INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX centres_ward ON centres (ward_id, active, id);
CREATE INDEX centres_active ON centres (active, id);

CREATE TABLE users (
    id              TEXT    PRIMARY KEY,
    email           TEXT    NOT NULL,
    email_key       TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    phone           TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    organisation_id TEXT    REFERENCES organisations (id),
    status          TEXT    NOT NULL,
    password_hash   TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX users_role ON users (role, id);
CREATE INDEX users_organisation ON users (organisation_id, id);
CREATE INDEX users_status ON users (status, id);

-- Scope.WardIDs of ward staff. Ward ids are not foreign keys: the MongoDB adapter
-- cannot check them either, and the service validates them.
CREATE TABLE user_wards (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ward_id TEXT NOT NULL,
    PRIMARY KEY (user_id, ward_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_wards_ward ON user_wards (ward_id, user_id);

CREATE TABLE refresh_tokens (
    hash       TEXT    PRIMARY KEY,
    family_id  TEXT    NOT NULL,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id, family_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- A token is spent by inserting its hash: the primary key makes it happen once.
CREATE TABLE refresh_spent (
    hash     TEXT    PRIMARY KEY REFERENCES refresh_tokens (hash) ON DELETE CASCADE,
    spent_at INTEGER NOT NULL
) STRICT;

CREATE TABLE revoked_families (
    family_id  TEXT    PRIMARY KEY,
    reason     TEXT    NOT NULL,
    revoked_at INTEGER NOT NULL
) STRICT;

CREATE TABLE invites (
    id              TEXT    PRIMARY KEY,
    organisation_id TEXT    NOT NULL REFERENCES organisations (id),
    code            TEXT    NOT NULL UNIQUE,
    label           TEXT    NOT NULL,
    created_by      TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    revoked_at      INTEGER
) STRICT;
CREATE INDEX invites_organisation ON invites (organisation_id, id);
