package roster

import (
	"context"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/vntime"
)

// fuzzNow is the fixed "now" of the fuzz targets: tests do not depend on the clock.
var fuzzNow = time.Date(2026, 11, 26, 8, 0, 30, 0, time.UTC)

// FuzzSeriesPlan drives a plan's rule, times, first date and horizon through the
// validation of a new series (planSeries, as CreateSeries runs it) and, when it is
// accepted, through the expansion every materialisation runs (occurrenceDays up
// to the horizon). Nothing panics; a refusal is a coded validation error (400);
// an accepted rule is stored in a form ParseRule reads back unchanged, and its
// occurrences are bounded: at most one a day, days strictly increasing, inside
// [today, horizon], not after UNTIL, and at most COUNT of them.
func FuzzSeriesPlan(f *testing.F) {
	for _, s := range []struct {
		rule           string
		start, end     string
		firstDay       uint16 // days after today
		horizon        int8
		signup, cancel int16 // hours
	}{
		{"FREQ=WEEKLY", "08:00", "10:00", 0, 0, 0, 0},
		{"freq=weekly;byday=mo,we,fr", "07:30", "11:30", 3, 8, 72, 24},
		{"RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270131", "08:00", "10:00", 1, 26, 0, 0},
		{"FREQ=WEEKLY;INTERVAL=2;COUNT=20", "13:00", "17:00", 10, 4, 0, 0},
		{"FREQ=WEEKLY;WKST=MO;BYDAY=SA,SU", "08:00", "20:00", 0, 1, 0, 0},
		{"FREQ=WEEKLY;UNTIL=20270131T170000Z", "23:00", "24:00", 0, 0, 0, 0},
		{"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;INTERVAL=1", "00:00", "12:00", 0, 26, 0, 0},
		{"FREQ=WEEKLY;BYDAY=MO,MO,MO", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;INTERVAL=52;COUNT=1000", "08:00", "09:00", 27000, 26, 0, 0},
		{"FREQ=WEEKLY;INTERVAL=0;COUNT=0", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;UNTIL=20000101", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;UNTIL=99991231T235959Z", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;UNTIL=20261126", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;UNTIL=20261126T000000Z;UNTIL=20261201", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;ınterval=2", "08:00", "09:00", 0, 8, 0, 0}, // a dotless ı upper-cases to I
		{"FREQ=DAILY", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;BYHOUR=9,10", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;BYDAY=1MO", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;BYDAY=-1SU", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;COUNT=-1", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;INTERVAL=99999999999999999999", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;;", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;BYDAY=", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY=WEEKLY", "08:00", "09:00", 0, 8, 0, 0},
		{"DTSTART:20261201T080000\nRRULE:FREQ=WEEKLY", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;DTSTART=20261201T080000Z", "08:00", "09:00", 0, 8, 0, 0},
		{"\ufeffFREQ=WEEKLY", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;BYDAY=MO\xff", "08:00", "09:00", 0, 8, 0, 0},
		{"Thứ hai hằng tuần", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY;" + strings.Repeat("BYDAY=MO;", 30), "08:00", "09:00", 0, 8, 0, 0},
		{"", "08:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY", "10:00", "08:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY", "8:00", "09:00", 0, 8, 0, 0},
		{"FREQ=WEEKLY", "08:00", "24:01", 0, 8, 0, 0},
		{"FREQ=WEEKLY", "08:00", "09:00", 0, 27, 0, 0},
		{"FREQ=WEEKLY", "08:00", "09:00", 0, -1, 0, 0},
		{"FREQ=WEEKLY", "08:00", "09:00", 0, 8, -1, 5},
		{"FREQ=WEEKLY", "08:00", "09:00", 0, 8, 1, 2},
	} {
		f.Add(s.rule, s.start, s.end, s.firstDay, s.horizon, s.signup, s.cancel)
	}
	s := &Service{loc: vntime.Zone}
	today := localDay(fuzzNow, s.loc)
	lastDay := int(vntime.Latest.Sub(today).Hours()/24) + 1
	f.Fuzz(func(t *testing.T, rule, start, end string, firstDay uint16, weeks int8, signup, cancel int16) {
		// CreateSeries takes first dates from today to vntime.Latest.
		first := today.AddDate(0, 0, int(firstDay)%lastDay)
		se := &Series{ID: "s", RootID: "s", CentreID: "c", WardID: "w", FirstDate: first, Status: SeriesActive}
		p := SeriesPlan{Rule: rule, StartTime: start, EndTime: end, HorizonWeeks: int(weeks),
			Template: SeriesTemplate{Title: "Hỗ trợ dịch vụ công", Role: RoleGuide, Places: 2,
				SignupLead: time.Duration(signup) * time.Hour, CancelLead: time.Duration(cancel) * time.Hour}}
		if rule == "" {
			p.Rule = "FREQ=WEEKLY" // as the HTTP handler does for a new series
		}
		if err := s.planSeries(context.Background(), se, p, fuzzNow); err != nil {
			if e := apperr.As(err); e == nil || e.Code != apperr.CodeInvalid || len(e.Fields) == 0 {
				t.Fatalf("planSeries(%q) = %v (%T), want a coded validation error", rule, err, err)
			}
			return
		}
		opt, norm, err := ParseRule(se.Rule, s.loc)
		if err != nil || norm != se.Rule {
			t.Fatalf("the stored rule %q reads back as %q, %v", se.Rule, norm, err)
		}
		if se.HorizonWeeks < 1 || se.HorizonWeeks > MaxHorizonWeeks {
			t.Fatalf("horizon %d weeks", se.HorizonWeeks)
		}
		to := horizon(se, fuzzNow)
		days, err := occurrenceDays(se, fuzzNow, to, s.loc)
		if err != nil {
			t.Fatalf("occurrences of the accepted rule %q: %v", se.Rule, err)
		}
		if max := 7*se.HorizonWeeks + 1; len(days) > max {
			t.Fatalf("%q: %d occurrences within %d weeks", se.Rule, len(days), se.HorizonWeeks)
		}
		if opt.Count > 0 && len(days) > opt.Count {
			t.Fatalf("%q: %d occurrences, COUNT=%d", se.Rule, len(days), opt.Count)
		}
		for i, d := range days {
			switch {
			case !d.Equal(localDay(d, s.loc)):
				t.Fatalf("%q: occurrence %v is not a local midnight", se.Rule, d)
			case i > 0 && !d.After(days[i-1]):
				t.Fatalf("%q: occurrences %v then %v", se.Rule, days[i-1], d)
			case d.Before(today) || d.Before(first) || d.After(to):
				t.Fatalf("%q: occurrence %v outside [%v, %v]", se.Rule, d, first, to)
			case !se.Until.IsZero() && d.After(se.Until):
				t.Fatalf("%q: occurrence %v after until %v", se.Rule, d, se.Until)
			}
		}
	})
}

// FuzzCheckinCode: whatever is typed or scanned as a check-in code, validCode
// never panics, and it accepts a code only when the code reads as the bytes of
// the centre's code of the current window or of the one before (case, spaces
// around it and the unused low bits of the last base32 character do not
// count). A valid code mutated at one place (a character replaced, inserted or
// removed) is accepted only when it still reads as those bytes.
func FuzzCheckinCode(f *testing.F) {
	key := CheckinKey([]byte("a test JWT key of at least 32 bytes"))
	valid, _ := CheckinCodeAt(key, "centre-1", fuzzNow)
	before, _ := CheckinCodeAt(key, "centre-1", fuzzNow.Add(-CheckinWindow))
	other, _ := CheckinCodeAt(key, "centre-2", fuzzNow)
	stale, _ := CheckinCodeAt(key, "centre-1", fuzzNow.Add(-2*CheckinWindow))
	for _, code := range []string{valid, before, other, stale, strings.ToLower(valid), " " + valid + "\t", valid[:20], valid + "A",
		valid + "=", "", strings.Repeat("A", 23), strings.Repeat("7", 64), "Mã điểm danh", "\xff\xfe", "\ufeff" + valid} {
		f.Add(code, uint8(0), uint8(0), uint8(0))
	}
	f.Add(valid, uint8(22), uint8('B'), uint8(0)) // a last character with other unused bits
	f.Add(valid, uint8(3), uint8('a'), uint8(1))
	f.Add(valid, uint8(10), uint8('\n'), uint8(2))
	f.Add(valid, uint8(0), uint8(0), uint8(3))

	// bytesOf is what validCode reads a code as (nil when it is no base32 at all).
	bytesOf := func(code string) []byte {
		raw, err := codeEncoding.DecodeString(strings.ToUpper(strings.TrimSpace(code)))
		if err != nil {
			return nil
		}
		return raw
	}
	accepted := [][]byte{bytesOf(valid), bytesOf(before)}
	f.Fuzz(func(t *testing.T, code string, at, with, op uint8) {
		// The code as given, and the valid one mutated at one place.
		mutated := []byte(valid)
		i := int(at) % (len(mutated) + 1)
		switch op % 4 {
		case 0: // replace
			if i < len(mutated) {
				mutated[i] = with
			}
		case 1: // insert
			mutated = append(mutated[:i], append([]byte{with}, mutated[i:]...)...)
		case 2: // remove
			if i < len(mutated) {
				mutated = append(mutated[:i], mutated[i+1:]...)
			}
		case 3: // the code of the centre the fuzzed string names
			other, _ := CheckinCodeAt(key, code, fuzzNow)
			mutated = []byte(other)
		}
		for _, c := range []string{code, string(mutated)} {
			if !validCode(key, "centre-1", c, fuzzNow) {
				continue
			}
			raw := bytesOf(c)
			if string(raw) != string(accepted[0]) && string(raw) != string(accepted[1]) {
				t.Fatalf("validCode accepts %q, which reads as %x: neither %q nor %q", c, raw, valid, before)
			}
		}
	})
}
