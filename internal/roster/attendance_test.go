package roster

import (
	"strings"
	"testing"
	"time"
)

func TestCheckinCodeWindows(t *testing.T) {
	key := CheckinKey([]byte("a test JWT key of at least 32 bytes"))
	t0 := time.Date(2026, 11, 26, 8, 0, 30, 0, time.UTC)
	code, rotates := CheckinCodeAt(key, "centre-1", t0)
	if want := time.Date(2026, 11, 26, 8, 1, 0, 0, time.UTC); !rotates.Equal(want) {
		t.Fatalf("rotates at %v, want %v", rotates, want)
	}
	if len(code) != 23 {
		t.Fatalf("code %q has %d characters, want 23", code, len(code))
	}
	for _, c := range []struct {
		name   string
		centre string
		code   string
		at     time.Time
		ok     bool
	}{
		{"same window", "centre-1", code, t0.Add(29 * time.Second), true},
		{"next window", "centre-1", code, t0.Add(89 * time.Second), true},
		{"two windows later", "centre-1", code, t0.Add(90 * time.Second), false},
		{"before its window", "centre-1", code, t0.Add(-31 * time.Second), false},
		{"another centre", "centre-2", code, t0, false},
		{"lower case", "centre-1", strings.ToLower(code), t0, true},
		{"truncated", "centre-1", code[:20], t0, false},
	} {
		if got := validCode(key, c.centre, c.code, c.at); got != c.ok {
			t.Errorf("%s: valid = %v, want %v", c.name, got, c.ok)
		}
	}
	other, _ := CheckinCodeAt(CheckinKey([]byte("another JWT key of at least 32 bytes")), "centre-1", t0)
	if validCode(key, "centre-1", other, t0) {
		t.Error("a code of another key is accepted")
	}
}

func TestServedIsCappedToTheShift(t *testing.T) {
	start := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	end := start.Add(2 * time.Hour)
	for _, c := range []struct {
		in, out time.Time
		want    int
	}{
		{start.Add(-20 * time.Minute), end.Add(time.Hour), 120},
		{start.Add(10 * time.Minute), start.Add(70 * time.Minute), 60},
		{end.Add(time.Minute), end.Add(2 * time.Minute), 0},
		{start.Add(30 * time.Minute), start.Add(30*time.Minute + 59*time.Second), 0},
	} {
		if got := served(c.in, c.out, start, end); got != c.want {
			t.Errorf("served(%v, %v) = %d, want %d", c.in, c.out, got, c.want)
		}
	}
}
