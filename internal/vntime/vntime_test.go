package vntime

import (
	"testing"
	"time"

	"ecitizen/internal/apperr"
)

func TestParseDate(t *testing.T) {
	d, err := ParseDate("date", "2026-12-07")
	if err != nil || !d.Equal(time.Date(2026, 12, 6, 17, 0, 0, 0, time.UTC)) {
		t.Fatalf("2026-12-07: %v, %v", d, err)
	}
	for s, code := range map[string]string{"0001-01-01": "range", "1970-01-01": "range", "1999-12-31": "range", "2101-01-01": "range",
		"2026-13-01": "date", "07/12/2026": "date", "": "date"} {
		_, err := ParseDate("date", s)
		if e := apperr.As(err); e == nil || e.Fields[0].Code != code || e.Fields[0].Field != "date" {
			t.Errorf("%q: %v, want %s", s, err, code)
		}
	}
}

// TestZoneHasNoHistory: a day before 1975 is that day, not the one before (the
// tz database's Asia/Ho_Chi_Minh was +8 then).
func TestZoneHasNoHistory(t *testing.T) {
	at := time.Date(1970, 6, 1, 0, 30, 0, 0, Zone)
	if got := Day(at).Format(time.DateOnly); got != "1970-06-01" {
		t.Fatalf("Day = %s", got)
	}
	if _, off := at.Zone(); off != 7*3600 {
		t.Fatalf("offset %d", off)
	}
}
