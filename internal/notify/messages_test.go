package notify

import (
	"strings"
	"testing"
	"time"

	"ecitizen/internal/roster"
)

func TestMessages(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	sh := &roster.Shift{ID: "s1", Title: "Hướng dẫn VNeID", StartsAt: time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)}
	for _, k := range []Kind{KindBookingConfirmed, KindPromoted, KindShiftChanged, KindShiftCancelled, KindReminder, KindRemoved} {
		title, body, err := message(k, sh, loc)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if title.Vi == "" || title.En == "" || title.Vi == title.En {
			t.Errorf("%s: title %+v", k, title)
		}
		// The shift's title and its local start (08:30 in Hanoi) are in both bodies.
		for _, b := range []string{body.Vi, body.En} {
			if !strings.Contains(b, sh.Title) || !strings.Contains(b, "08:30") {
				t.Errorf("%s: body %q", k, b)
			}
		}
		if !strings.Contains(body.Vi, "01/12/2026") || !strings.Contains(body.En, "1 December 2026") {
			t.Errorf("%s: dates in %+v", k, body)
		}
	}
	if _, _, err := message("unknown", sh, loc); err == nil {
		t.Error("an unknown kind has a message")
	}
	if _, _, err := message(KindReminder, nil, loc); err == nil {
		t.Error("a message without a shift")
	}
}
