package page

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/apperr"
)

// checkInvalidCursor fails unless err is the coded validation error of a bad
// cursor (a 400 naming the field "cursor"), never an internal one.
func checkInvalidCursor(t *testing.T, err error) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != apperr.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
		t.Fatalf("err = %v (%T), want an invalid cursor", err, err)
	}
}

// FuzzNew: a client's limit and cursor never panic New, any refusal is the coded
// invalid-cursor error, an accepted request has a limit in 1..MaxLimit, and a
// cursor Cut made for a key decodes back to that key.
func FuzzNew(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	for _, s := range []struct {
		limit  int
		cursor string
	}{
		{0, ""},
		{20, enc([]byte("01963a8e-2a31-7b9c-8f00-5d2e1c7a9b10"))},
		{-1, enc([]byte(TimeKey(time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC), "id-1")))},
		{1 << 40, enc([]byte("Nguyễn Thị Hoa"))},
		{100, "%%%"},
		{101, "AAAA===="},                // padded, which the raw encoding refuses
		{5, "YQ"},                        // "a"
		{5, "Y"},                         // a lone character is never whole bytes
		{5, "_-_-"},                      // the URL alphabet
		{5, "+/+/"},                      // the standard alphabet is not the cursor's
		{5, enc([]byte("\xff\xfe\x00"))}, // not UTF-8: a cursor is bytes
		{5, enc([]byte("\ufeffBOM"))},    // a byte-order mark
		{5, enc(make([]byte, 200))},      // the longest
		{5, enc(make([]byte, 201))},      // one byte too long
		{5, strings.Repeat("A", 1<<12)},  // huge
		{5, "YQ\n"},
		{5, " YQ"},
	} {
		f.Add(s.limit, s.cursor)
	}
	f.Fuzz(func(t *testing.T, limit int, cursor string) {
		r, err := New(limit, cursor)
		if err != nil {
			checkInvalidCursor(t, err)
			if cursor == "" {
				t.Fatalf("New(%d, \"\") = %v: the first page is always valid", limit, err)
			}
			return
		}
		if r.Limit < 1 || r.Limit > MaxLimit {
			t.Fatalf("New(%d, %q).Limit = %d, want 1..%d", limit, cursor, r.Limit, MaxLimit)
		}
		if (cursor == "") != (r.After == "") {
			t.Fatalf("New(%d, %q).After = %q: only the empty cursor is the first page", limit, cursor, r.After)
		}
		// The cursor's key, cut again, gives a cursor that reads back the same.
		if r.After != "" {
			_, next := Cut([]string{"x", r.After, "y"}, Request{Limit: 2}, func(s string) string { return s })
			again, err := New(limit, next)
			if err != nil || again.After != r.After {
				t.Fatalf("the cursor %q of key %q reads back as %q, %v", next, r.After, again.After, err)
			}
		}
	})
}

// FuzzCutRoundTrip: the cursor Cut makes for the last item's key reads back as
// that key, for every key of 1 to 200 bytes (the page keys of the stores are IDs
// and TimeKeys, far shorter).
func FuzzCutRoundTrip(f *testing.F) {
	for _, key := range []string{"a", "01963a8e-2a31-7b9c-8f00-5d2e1c7a9b10", TimeKey(time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC), "id-1"),
		"Tổ dân phố 5", "\xff", "\x00", "|", strings.Repeat("é", 100)} {
		f.Add(key)
	}
	f.Fuzz(func(t *testing.T, key string) {
		items, next := Cut([]string{key, "more"}, Request{Limit: 1}, func(s string) string { return s })
		if len(items) != 1 || items[0] != key {
			t.Fatalf("Cut kept %q", items)
		}
		r, err := New(1, next)
		switch {
		case key == "" || len(key) > 200:
			// Cut still says there is a next page; New refuses a key this long,
			// and the empty key is the first page. Neither is a store's key.
			if key == "" && (next != "" || err != nil || r.After != "") {
				t.Fatalf("empty key: cursor %q, %+v, %v", next, r, err)
			}
			if len(key) > 200 {
				checkInvalidCursor(t, err)
			}
		case err != nil || r.After != key:
			t.Fatalf("key %q: cursor %q reads back as %q, %v", key, next, r.After, err)
		}
	})
}

// FuzzParseTimeKey: any key is either refused with the coded invalid-cursor
// error or read as a time and ID that TimeKey writes back to the same key.
func FuzzParseTimeKey(f *testing.F) {
	for _, key := range []string{"", "x", "|", "001796088600000|id-1", "001796088600000|", "999999999999999|x|y",
		"00000000000000a|id", "-00000000000001|id", "+00000000000001|id", "001796088600000", "０01796088600000|id",
		TimeKey(time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC), "Nguyễn\xff")} {
		f.Add(key)
	}
	f.Fuzz(func(t *testing.T, key string) {
		at, id, err := ParseTimeKey(key)
		if err != nil {
			checkInvalidCursor(t, err)
			return
		}
		if again := TimeKey(at, id); again != key {
			t.Fatalf("ParseTimeKey(%q) = %v, %q, written back as %q", key, at, id, again)
		}
	})
}
