-- Who disabled an account (the role), so that only that role re-enables it.
-- Accounts disabled before this column are taken as disabled by an admin.
ALTER TABLE users ADD COLUMN disabled_by TEXT NOT NULL DEFAULT '';
UPDATE users SET disabled_by = 'admin' WHERE status = 'disabled';
