-- 0013: a ward's hours (every centre of the ward) are one index range.
CREATE INDEX shift_attendance_ward ON shift_attendance (ward_id, starts_at);
CREATE INDEX work_entries_ward ON work_entries (ward_id, day, id);
