-- The person whose data a stored response holds (a resident's id), so that
-- erasing the person deletes the response too.
ALTER TABLE idempotency_records ADD COLUMN subject TEXT NOT NULL DEFAULT '';
CREATE INDEX idempotency_records_subject ON idempotency_records (subject) WHERE subject != '';
