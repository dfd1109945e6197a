-- 0011: the devices of community centres and their usage log. Times are INTEGER
-- unix milliseconds, UTC. A device's label is unique per centre whatever its case
-- and spacing: label_key is the normalised label (equipment.LabelKeyOf). Usage is
-- insert-only; that one device never has two overlapping sessions spans rows, so
-- the adapter checks and inserts in one BEGIN IMMEDIATE transaction. Rows copy the
-- centre's ward, so a ward's equipment use is read without a join.

CREATE TABLE devices (
    id         TEXT    PRIMARY KEY, -- UUIDv7
    centre_id  TEXT    NOT NULL REFERENCES centres (id),
    ward_id    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    label      TEXT    NOT NULL,
    label_key  TEXT    NOT NULL,
    status     TEXT    NOT NULL, -- working | broken | in_repair | retired
    notes      TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (centre_id, label_key)
) STRICT;
CREATE INDEX devices_centre ON devices (centre_id, id);

CREATE TABLE device_usage (
    id          TEXT    PRIMARY KEY, -- UUIDv7
    device_id   TEXT    NOT NULL REFERENCES devices (id),
    centre_id   TEXT    NOT NULL REFERENCES centres (id),
    ward_id     TEXT    NOT NULL,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    purpose     TEXT    NOT NULL, -- procedure | learning | other
    procedure   TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    recorded_by TEXT    NOT NULL,
    shift_id    TEXT,             -- the volunteer's shift; NULL for staff
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX device_usage_device ON device_usage (device_id, starts_at);
CREATE INDEX device_usage_centre ON device_usage (centre_id, starts_at, id);
CREATE INDEX device_usage_ward ON device_usage (ward_id, starts_at);

-- Staff's corrections: a voided session stays in the log but no longer counts nor
-- blocks its device. Insert-only, one per session (the primary key).
CREATE TABLE device_usage_voids (
    usage_id  TEXT    PRIMARY KEY REFERENCES device_usage (id),
    reason    TEXT    NOT NULL,
    by_user   TEXT    NOT NULL,
    at        INTEGER NOT NULL
) STRICT;
