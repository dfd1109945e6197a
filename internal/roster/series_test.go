package roster

import (
	"testing"
	"time"

	"ecitizen/internal/apperr"
)

var testZone = time.FixedZone("ICT", 7*3600)

func TestParseRule(t *testing.T) {
	for _, rule := range []string{"FREQ=WEEKLY", "freq=weekly;byday=mo,we", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270131",
		"FREQ=WEEKLY;INTERVAL=2;COUNT=20", "FREQ=WEEKLY;WKST=MO;BYDAY=SA,SU", "FREQ=WEEKLY;UNTIL=20270131T170000Z"} {
		if _, _, err := ParseRule(rule, testZone); err != nil {
			t.Errorf("%s: %v", rule, err)
		}
	}
	for _, rule := range []string{"", "FREQ=DAILY", "FREQ=MONTHLY;BYDAY=MO", "garbage", "FREQ=WEEKLY;BYHOUR=9", "FREQ=WEEKLY;BYMINUTE=30",
		"FREQ=WEEKLY;BYSETPOS=1", "FREQ=WEEKLY;BYMONTH=1", "FREQ=WEEKLY;BYDAY=1MO", "FREQ=WEEKLY;BYDAY=XX", "FREQ=WEEKLY;COUNT=2;UNTIL=20270101",
		"FREQ=WEEKLY;COUNT=5000", "FREQ=WEEKLY;INTERVAL=53", "FREQ=WEEKLY;INTERVAL=0", "FREQ=WEEKLY;COUNT=0", "FREQ=WEEKLY;interval=-2", "DTSTART:20261201T080000\nRRULE:FREQ=WEEKLY", "FREQ=WEEKLY;;"} {
		_, _, err := ParseRule(rule, testZone)
		e := apperr.As(err)
		if e == nil || e.Code != apperr.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "rule" || e.Fields[0].Code != CodeRuleInvalid {
			t.Errorf("%q: %v, want a rule_invalid field error", rule, err)
		}
	}
}

// A date UNTIL includes its day (RFC 5545), and occurrences keep their local
// start time whatever the UTC offset.
func TestOccurrenceDays(t *testing.T) {
	first := time.Date(2026, 12, 7, 0, 0, 0, 0, testZone) // a Monday
	se := &Series{Rule: "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20261221", FirstDate: first.UTC(), StartTime: "08:00", Minutes: 120}
	days, err := occurrenceDays(se, first, first.AddDate(0, 1, 0), testZone)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-12-07", "2026-12-09", "2026-12-14", "2026-12-16", "2026-12-21"}
	if len(days) != len(want) {
		t.Fatalf("days %v, want %v", days, want)
	}
	for i, d := range days {
		if got := d.In(testZone).Format(time.DateOnly); got != want[i] || d.In(testZone).Hour() != 0 {
			t.Errorf("day %d: %s, want %s", i, got, want[i])
		}
	}
	s := &Service{loc: testZone}
	sh := s.occurrence(&Series{ID: "s", RootID: "s", StartTime: "08:00", Minutes: 120, Template: SeriesTemplate{Places: 1}}, days[0], first)
	if sh.StartsAt.In(testZone).Format("15:04") != "08:00" || sh.EndsAt.Sub(sh.StartsAt) != 2*time.Hour || !sh.Occurrence.Equal(days[0]) {
		t.Fatalf("occurrence %+v", sh)
	}
	if again := s.occurrence(&Series{ID: "other", RootID: "s", StartTime: "09:00", Minutes: 60}, days[0], first); again.ID != sh.ID {
		t.Fatal("an occurrence's id depends on more than the lineage and the day")
	}
}
