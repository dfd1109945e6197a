package sqlite

import (
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"ecitizen/internal/roster"
)

// TestMigrationNumbersHistories: migration 0044 numbers the history an older
// release wrote (per shift, by time, then id), puts each waiter in line by
// their last "waiting" event (0, first, for one without any), and units of
// change then go on numbering after it.
func TestMigrationNumbersHistories(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ecitizen.db")
	raw := olderRelease(t, path, 44)
	day := int64(1_900_000_000_000) // 2030
	for _, q := range []string{
		`INSERT INTO wards (id, code, name_vi, name_en, status, created_at, updated_at) VALUES ('w', '1', 'P', 'W', 'active', 0, 0)`,
		`INSERT INTO centres (id, ward_id, name, address, hours, seats, active, created_at, updated_at)
			VALUES ('c', 'w', 'N', 'A', '{}', 1, 1, 0, 0)`,
		`INSERT INTO users (id, email, email_key, display_name, phone, role, status, password_hash, created_at, updated_at)
			VALUES ('v1', 'a@x.vn', 'a@x.vn', 'A', '', 'volunteer', 'active', 'x', 0, 0),
			       ('v2', 'b@x.vn', 'b@x.vn', 'B', '', 'volunteer', 'active', 'x', 0, 0),
			       ('v3', 'c@x.vn', 'c@x.vn', 'C', '', 'volunteer', 'active', 'x', 0, 0)`,
		`INSERT INTO shifts (id, centre_id, ward_id, title, role, starts_at, ends_at, places, notes, signup_opens_at,
			cancel_deadline, status, created_by, created_at, updated_at)
			VALUES ('s', 'c', 'w', 'T', 'guide', ` + itoa(day) + `, ` + itoa(day+7_200_000) + `, 1, '', 0, 0, 'scheduled', 'x', 0, 0)`,
		`INSERT INTO shift_bookings (shift_id, place, volunteer_id, starts_at, ends_at, booked_by, reason, booked_at)
			VALUES ('s', 1, 'v1', ` + itoa(day) + `, ` + itoa(day+7_200_000) + `, 'v1', '', 10)`,
		// Events written out of id order, two at the same time.
		`INSERT INTO shift_events (id, shift_id, volunteer_id, kind, place, by_user, reason, at) VALUES
			('e3', 's', 'v2', 'waiting', 0, 'v2', '', 20),
			('e1', 's', 'v1', 'booked', 1, 'v1', '', 10),
			('e5', 's', 'v3', 'waiting', 0, 'v3', '', 20),
			('e9', 'other', 'v3', 'booked', 1, 'v3', '', 5)`,
		// v3 waits with an event, v2 with one, and an id of the old kind.
		`INSERT INTO shift_waiters (id, shift_id, volunteer_id, joined_at) VALUES ('w2', 's', 'v3', 21), ('w1', 's', 'v2', 20)`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.70s: %v", q, err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("migrate to 0044: %v", err)
	}
	defer db.Close()
	es, err := db.Events(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, itoa(e.Seq)+":"+e.Kind+":"+e.VolunteerID)
	}
	if want := []string{"1:booked:v1", "2:waiting:v2", "3:waiting:v3"}; !slices.Equal(got, want) {
		t.Fatalf("history after migration = %v, want %v", got, want)
	}
	ws, err := db.Waiters(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 || ws[0].VolunteerID != "v2" || ws[0].Seq != 2 || ws[1].VolunteerID != "v3" || ws[1].Seq != 3 {
		t.Fatalf("line after migration: %+v %+v", ws[0], ws[1])
	}
	bs, err := db.Bookings(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	places, line := roster.Replay(es)
	if len(bs) != 1 || places["v1"] != 1 || !slices.Equal(line, []string{"v2", "v3"}) {
		t.Fatalf("the migrated history does not replay: %v %v", places, line)
	}
	// A unit goes on numbering after the migrated history.
	if err := roster.DropWaiter(ctx, db, "s", "v2", "test"); err != nil {
		t.Fatal(err)
	}
	es, err = db.Events(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(es); n != 4 || es[3].Seq != 4 || es[3].Kind != roster.EventLeftWaiting {
		t.Fatalf("history after a unit: %+v", es[len(es)-1])
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
