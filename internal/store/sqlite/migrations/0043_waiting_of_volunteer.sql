-- A volunteer's places on waiting lists, for their "my shifts" page.
CREATE INDEX shift_waiters_volunteer ON shift_waiters (volunteer_id, id);
