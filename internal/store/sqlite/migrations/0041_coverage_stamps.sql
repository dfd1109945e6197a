-- Coverage stamps: a counter per ward and part that every change of what the
-- ward's summaries read moves, in the same transaction as the change (see
-- internal/coverage Store). Summaries keep a part's facts while its stamp is
-- unchanged. Parts: 'roster' (shifts, bookings, no-shows, attendance, work
-- entries, training sessions and seats, equipment use) and 'r0' … 'rf' (a
-- resident, its records and their revocations, by the last character of the
-- resident's id). A resident counts in its ward and in the ward it was
-- registered in (before a merge moved it), so both move with its changes.
CREATE TABLE coverage_stamps (
    ward_id TEXT    NOT NULL,
    part    TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (ward_id, part)
) STRICT, WITHOUT ROWID;

-- A ward's residents of one part, through either ward column.
CREATE INDEX residents_ward_part ON residents (ward_id, substr(id, -1));
CREATE INDEX residents_origin_part ON residents (origin_ward_id, substr(id, -1));

CREATE TRIGGER coverage_residents_insert AFTER INSERT ON residents BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.id, -1), 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.id, -1), 1 FROM (SELECT NEW.origin_ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_residents_update AFTER UPDATE ON residents BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.id, -1), 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.id, -1), 1 FROM (SELECT NEW.origin_ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(OLD.id, -1), 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(OLD.id, -1), 1 FROM (SELECT OLD.origin_ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_residents_delete AFTER DELETE ON residents BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(OLD.id, -1), 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(OLD.id, -1), 1 FROM (SELECT OLD.origin_ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_progress_insert AFTER INSERT ON progress_records BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.resident_id, -1), 1 FROM (SELECT (SELECT ward_id FROM residents WHERE id = NEW.resident_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.resident_id, -1), 1 FROM (SELECT (SELECT origin_ward_id FROM residents WHERE id = NEW.resident_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_revocation_insert AFTER INSERT ON progress_revocations BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.resident_id, -1), 1 FROM (SELECT (SELECT ward_id FROM residents WHERE id = NEW.resident_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'r' || substr(NEW.resident_id, -1), 1 FROM (SELECT (SELECT origin_ward_id FROM residents WHERE id = NEW.resident_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_shifts_insert AFTER INSERT ON shifts BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_shifts_update AFTER UPDATE ON shifts BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_shifts_delete AFTER DELETE ON shifts BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_bookings_insert AFTER INSERT ON shift_bookings BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT (SELECT ward_id FROM shifts WHERE id = NEW.shift_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_bookings_delete AFTER DELETE ON shift_bookings BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT (SELECT ward_id FROM shifts WHERE id = OLD.shift_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_no_shows_insert AFTER INSERT ON no_shows BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT (SELECT ward_id FROM shifts WHERE id = NEW.shift_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_no_shows_update AFTER UPDATE ON no_shows BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT (SELECT ward_id FROM shifts WHERE id = NEW.shift_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT (SELECT ward_id FROM shifts WHERE id = OLD.shift_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_no_shows_delete AFTER DELETE ON no_shows BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT (SELECT ward_id FROM shifts WHERE id = OLD.shift_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_attendance_insert AFTER INSERT ON shift_attendance BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_attendance_update AFTER UPDATE ON shift_attendance BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_attendance_delete AFTER DELETE ON shift_attendance BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_work_entries_insert AFTER INSERT ON work_entries BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_work_entries_update AFTER UPDATE ON work_entries BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_work_entries_delete AFTER DELETE ON work_entries BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_sessions_insert AFTER INSERT ON training_sessions BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_sessions_update AFTER UPDATE ON training_sessions BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_sessions_delete AFTER DELETE ON training_sessions BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_seats_insert AFTER INSERT ON session_seats BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT (SELECT ward_id FROM training_sessions WHERE id = NEW.session_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_seats_update AFTER UPDATE ON session_seats BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT (SELECT ward_id FROM training_sessions WHERE id = NEW.session_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT (SELECT ward_id FROM training_sessions WHERE id = OLD.session_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_seats_delete AFTER DELETE ON session_seats BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT (SELECT ward_id FROM training_sessions WHERE id = OLD.session_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_usage_insert AFTER INSERT ON device_usage BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_usage_update AFTER UPDATE ON device_usage BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT NEW.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_usage_delete AFTER DELETE ON device_usage BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT OLD.ward_id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_usage_void_insert AFTER INSERT ON device_usage_voids BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT (SELECT ward_id FROM device_usage WHERE id = NEW.usage_id) AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER coverage_wards_update AFTER UPDATE ON wards BEGIN
    INSERT INTO coverage_stamps (ward_id, part, n) SELECT w, 'roster', 1 FROM (SELECT NEW.id AS w) WHERE w IS NOT NULL AND w <> '' ON CONFLICT (ward_id, part) DO UPDATE SET n = n + 1;
END;
