-- 0040: coverage targets and ward merges (the 2025 reform). Times are INTEGER unix
-- milliseconds, UTC.

-- A resident's ward when registered; a merge moves ward_id, never this, so the
-- history before a merge still reads per old ward.
ALTER TABLE residents ADD COLUMN origin_ward_id TEXT NOT NULL DEFAULT '';
UPDATE residents SET origin_ward_id = ward_id;
CREATE INDEX residents_origin ON residents (origin_ward_id, created_at);

-- When a ward was merged (NULL while active).
ALTER TABLE wards ADD COLUMN merged_at INTEGER;

-- Settings: one row per (ward, year) and per year; a write replaces the row.
CREATE TABLE ward_targets (
    ward_id          TEXT    NOT NULL REFERENCES wards (id),
    year             INTEGER NOT NULL,
    adult_population INTEGER NOT NULL,
    households       INTEGER NOT NULL,
    updated_by       TEXT    NOT NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (ward_id, year)
) STRICT, WITHOUT ROWID;
CREATE INDEX ward_targets_year ON ward_targets (year, ward_id);

CREATE TABLE district_targets (
    year                   INTEGER PRIMARY KEY,
    ecitizen_share_percent REAL    NOT NULL,
    updated_by             TEXT    NOT NULL,
    updated_at             INTEGER NOT NULL
) STRICT;

-- Insert-only: a ward is merged once (primary key: the merged ward).
CREATE TABLE ward_merges (
    from_ward_id TEXT    PRIMARY KEY REFERENCES wards (id),
    into_ward_id TEXT    NOT NULL REFERENCES wards (id),
    merged_at    INTEGER NOT NULL,
    merged_by    TEXT    NOT NULL,
    reason       TEXT    NOT NULL
) STRICT;
CREATE INDEX ward_merges_into ON ward_merges (into_ward_id);
