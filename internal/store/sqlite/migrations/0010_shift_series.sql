-- 0010: recurring weekly shift series. A series is a rule (RFC 5545, FREQ=WEEKLY),
-- a template and a horizon; its occurrences are ordinary shifts that name it. An
-- occurrence is keyed by (series_id, occurrence), the occurrence being the local
-- day (its midnight in Asia/Ho_Chi_Minh, unix milliseconds UTC), so materialising
-- it twice, or from two instances at once, stores it once. Single shifts have a NULL
-- series_id (NULLs are distinct in a UNIQUE index).

CREATE TABLE shift_series (
    id                      TEXT    PRIMARY KEY,
    root_id                 TEXT    NOT NULL, -- the first series of a lineage of splits
    centre_id               TEXT    NOT NULL REFERENCES centres (id),
    ward_id                 TEXT    NOT NULL REFERENCES wards (id),
    rule                    TEXT    NOT NULL,
    first_date              INTEGER NOT NULL,
    start_time              TEXT    NOT NULL, -- local HH:MM
    minutes                 INTEGER NOT NULL,
    title                   TEXT    NOT NULL,
    role                    TEXT    NOT NULL,
    places                  INTEGER NOT NULL,
    qualification_course_id TEXT    REFERENCES courses (id), -- NULL when none is required
    notes                   TEXT    NOT NULL,
    signup_lead_ms          INTEGER NOT NULL, -- 0: the default
    cancel_lead_ms          INTEGER NOT NULL, -- 0: the default
    horizon_weeks           INTEGER NOT NULL,
    until                   INTEGER,          -- last local day; NULL when open-ended
    status                  TEXT    NOT NULL,
    created_by              TEXT    NOT NULL,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
) STRICT;
CREATE INDEX shift_series_centre ON shift_series (centre_id, id);
CREATE INDEX shift_series_status ON shift_series (status, id);

ALTER TABLE shifts ADD COLUMN series_id TEXT REFERENCES shift_series (id);
ALTER TABLE shifts ADD COLUMN occurrence INTEGER;
ALTER TABLE shifts ADD COLUMN detached INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX shifts_series_occurrence ON shifts (series_id, occurrence);
