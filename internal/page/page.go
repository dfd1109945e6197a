// Package page implements cursor pagination: a Request carries the limit and the
// opaque cursor a client got with the previous page; stores return one more item
// than asked for so the caller knows whether a next page exists.
package page

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ecitizen/internal/apperr"
)

// Limits on page sizes (docs/api.md, "Pagination").
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Request is a page request: items strictly after the key After, at most Limit of them.
type Request struct {
	After string // the sort key of the last item of the previous page; "" for the first
	Limit int
}

// New builds a Request from a client's limit and cursor, capping the limit.
func New(limit int, cursor string) (Request, error) {
	switch {
	case limit <= 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	r := Request{Limit: limit}
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(b) == 0 || len(b) > 200 {
			return Request{}, apperr.Invalid("cursor", "cursor", "Con trỏ phân trang không hợp lệ.", "The page cursor is not valid.")
		}
		r.After = string(b)
	}
	return r, nil
}

// Cut trims items fetched with Limit+1 to Limit and returns the cursor of the next
// page ("" when there is none); key gives an item's sort key.
func Cut[T any](items []T, r Request, key func(T) string) ([]T, string) {
	if r.Limit <= 0 || len(items) <= r.Limit {
		return items, ""
	}
	items = items[:r.Limit]
	return items, base64.RawURLEncoding.EncodeToString([]byte(key(items[len(items)-1])))
}

// TimeKey is the page key of an item listed by start time: the start in unix
// milliseconds (15 digits, so keys sort as the times do) and the item's ID.
func TimeKey(start time.Time, id string) string {
	return fmt.Sprintf("%015d|%s", max(start.UnixMilli(), 0), id)
}

// ParseTimeKey reads a TimeKey back; any other shape is an invalid cursor.
func ParseTimeKey(key string) (time.Time, string, error) {
	digits, id, ok := strings.Cut(key, "|")
	if ok && len(digits) == 15 && strings.Trim(digits, "0123456789") == "" {
		if n, err := strconv.ParseInt(digits, 10, 64); err == nil {
			return time.UnixMilli(n).UTC(), id, nil
		}
	}
	return time.Time{}, "", apperr.Invalid("cursor", "cursor", "Con trỏ phân trang không hợp lệ.", "The page cursor is not valid.")
}
