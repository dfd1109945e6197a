package page

import (
	"errors"
	"testing"
	"time"

	"ecitizen/internal/apperr"
)

func TestTimeKey(t *testing.T) {
	start := time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)
	key := TimeKey(start, "id-1")
	if key != "001796088600000|id-1" {
		t.Fatalf("TimeKey = %q", key)
	}
	got, id, err := ParseTimeKey(key)
	if err != nil || !got.Equal(start) || id != "id-1" {
		t.Fatalf("ParseTimeKey = %v %q %v", got, id, err)
	}
	// Keys sort as their times do.
	if !(TimeKey(start, "b") < TimeKey(start.Add(time.Millisecond), "a")) {
		t.Fatal("keys do not sort by time")
	}
	for _, bad := range []string{"", "x", "123|id", "00000000000000a|id", "001796088600000"} {
		if _, _, err := ParseTimeKey(bad); !errors.Is(err, apperr.New(apperr.CodeInvalid, "", "")) {
			t.Errorf("ParseTimeKey(%q) err = %v, want invalid", bad, err)
		}
	}
}

func TestNewCapsAndChecks(t *testing.T) {
	if r, _ := New(1000, ""); r.Limit != MaxLimit {
		t.Fatalf("limit %d", r.Limit)
	}
	if r, _ := New(0, ""); r.Limit != DefaultLimit {
		t.Fatalf("default limit %d", r.Limit)
	}
	if _, err := New(10, "%%%"); err == nil {
		t.Fatal("bad cursor accepted")
	}
	items, next := Cut([]int{1, 2, 3}, Request{Limit: 2}, func(i int) string { return string(rune('0' + i)) })
	if len(items) != 2 || next == "" {
		t.Fatalf("Cut = %v %q", items, next)
	}
	r, err := New(2, next)
	if err != nil || r.After != "2" {
		t.Fatalf("round trip cursor: %+v %v", r, err)
	}
}
