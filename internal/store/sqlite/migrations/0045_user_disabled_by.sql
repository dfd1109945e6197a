-- Who disabled an account (the role), so that only that role re-enables it.
-- Empty on accounts disabled before this column: identity counts those as
-- disabled by an admin.
ALTER TABLE users ADD COLUMN disabled_by TEXT NOT NULL DEFAULT '';
