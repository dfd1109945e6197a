-- The coverage log: which resident each move of a resident part's stamp was
-- for, so that a summary read under an older stamp reads again only those
-- residents (coverage.Store's CoverageChanges), not the whole part. Every
-- trigger of migration 0041 that moves a resident part's stamp is replaced by
-- one that, right after each move, logs the stamp's new value with the
-- resident, in the same transaction: the log has one row per move, so a reader
-- that finds every value between two stamps knows every resident changed in
-- between. Open prunes each part's log to its last 1024 moves (not the
-- triggers: every record would pay for it); a reader whose stamp is older than
-- the log reads the part whole.
CREATE TABLE coverage_log (
    ward_id     TEXT    NOT NULL,
    part        TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    resident_id TEXT    NOT NULL,
    PRIMARY KEY (ward_id, part, n)
) STRICT, WITHOUT ROWID;

DROP TRIGGER coverage_residents_insert;
DROP TRIGGER coverage_residents_update;
DROP TRIGGER coverage_residents_delete;
DROP TRIGGER coverage_progress_insert;
DROP TRIGGER coverage_revocation_insert;

CREATE TRIGGER coverage_residents_insert AFTER INSERT ON residents BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.id, -1), 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_log (ward_id, part, n, resident_id) SELECT ward_id, part, n, NEW.id FROM coverage_stamps WHERE ward_id = (NEW.ward_id) AND part = 'r' || substr(NEW.id, -1);
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.id, -1), 1 FROM (SELECT NEW.origin_ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_log (ward_id, part, n, resident_id) SELECT ward_id, part, n, NEW.id FROM coverage_stamps WHERE ward_id = (NEW.origin_ward_id) AND part = 'r' || substr(NEW.id, -1);
END;

CREATE TRIGGER coverage_residents_update AFTER UPDATE ON residents BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.id, -1), 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_log (ward_id, part, n, resident_id) SELECT ward_id, part, n, NEW.id FROM coverage_stamps WHERE ward_id = (NEW.ward_id) AND part = 'r' || substr(NEW.id, -1);
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.id, -1), 1 FROM (SELECT NEW.origin_ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_log (ward_id, part, n, resident_id) SELECT ward_id, part, n, NEW.id FROM coverage_stamps WHERE ward_id = (NEW.origin_ward_id) AND part = 'r' || substr(NEW.id, -1);
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(OLD.id, -1), 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_log (ward_id, part, n, resident_id) SELECT ward_id, part, n, OLD.id FROM coverage_stamps WHERE ward_id = (OLD.ward_id) AND part = 'r' || substr(OLD.id, -1);
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(OLD.id, -1), 1 FROM (SELECT OLD.origin_ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_log (ward_id, part, n, resident_id) SELECT ward_id, part, n, OLD.id FROM coverage_stamps WHERE ward_id = (OLD.origin_ward_id) AND part = 'r' || substr(OLD.id, -1);
END;

CREATE TRIGGER coverage_residents_delete AFTER DELETE ON residents BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(OLD.id, -1), 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_log (ward_id, part, n, resident_id) SELECT ward_id, part, n, OLD.id FROM coverage_stamps WHERE ward_id = (OLD.ward_id) AND part = 'r' || substr(OLD.id, -1);
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(OLD.id, -1), 1 FROM (SELECT OLD.origin_ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_log (ward_id, part, n, resident_id) SELECT ward_id, part, n, OLD.id FROM coverage_stamps WHERE ward_id = (OLD.origin_ward_id) AND part = 'r' || substr(OLD.id, -1);
END;

CREATE TRIGGER coverage_progress_insert AFTER INSERT ON progress_records BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.resident_id, -1), 1 FROM (SELECT (SELECT ward_id FROM residents WHERE id = NEW.resident_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_log (ward_id, part, n, resident_id) SELECT ward_id, part, n, NEW.resident_id FROM coverage_stamps WHERE ward_id = ((SELECT ward_id FROM residents WHERE id = NEW.resident_id)) AND part = 'r' || substr(NEW.resident_id, -1);
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.resident_id, -1), 1 FROM (SELECT (SELECT origin_ward_id FROM residents WHERE id = NEW.resident_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_log (ward_id, part, n, resident_id) SELECT ward_id, part, n, NEW.resident_id FROM coverage_stamps WHERE ward_id = ((SELECT origin_ward_id FROM residents WHERE id = NEW.resident_id)) AND part = 'r' || substr(NEW.resident_id, -1);
END;

CREATE TRIGGER coverage_revocation_insert AFTER INSERT ON progress_revocations BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.resident_id, -1), 1 FROM (SELECT (SELECT ward_id FROM residents WHERE id = NEW.resident_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_log (ward_id, part, n, resident_id) SELECT ward_id, part, n, NEW.resident_id FROM coverage_stamps WHERE ward_id = ((SELECT ward_id FROM residents WHERE id = NEW.resident_id)) AND part = 'r' || substr(NEW.resident_id, -1);
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.resident_id, -1), 1 FROM (SELECT (SELECT origin_ward_id FROM residents WHERE id = NEW.resident_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_log (ward_id, part, n, resident_id) SELECT ward_id, part, n, NEW.resident_id FROM coverage_stamps WHERE ward_id = ((SELECT origin_ward_id FROM residents WHERE id = NEW.resident_id)) AND part = 'r' || substr(NEW.resident_id, -1);
END;

-- The district's stamp: a counter every move of any part's stamp moves, in the
-- same transaction, so that a reader whose copy of every stamp was read with
-- the same total needs no other row (CoverageStamps).
CREATE TABLE coverage_total (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;
INSERT INTO coverage_total (id, n) VALUES (1, 0);

CREATE TRIGGER coverage_total_insert AFTER INSERT ON coverage_stamps BEGIN
    UPDATE coverage_total SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER coverage_total_update AFTER UPDATE ON coverage_stamps BEGIN
    UPDATE coverage_total SET n = n + 1 WHERE id = 1;
END;
