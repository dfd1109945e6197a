package directory

import (
	"time"

	"ecitizen/internal/apperr"
)

// Span is one opening interval of a day, "HH:MM" to "HH:MM" local time (Asia/Ho_Chi_Minh).
type Span struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// OpeningHours lists the opening spans of each weekday; a day without spans is closed.
type OpeningHours struct {
	Mon []Span `json:"mon"`
	Tue []Span `json:"tue"`
	Wed []Span `json:"wed"`
	Thu []Span `json:"thu"`
	Fri []Span `json:"fri"`
	Sat []Span `json:"sat"`
	Sun []Span `json:"sun"`
}

// Day returns the spans of a weekday.
func (h OpeningHours) Day(d time.Weekday) []Span {
	return [...][]Span{h.Sun, h.Mon, h.Tue, h.Wed, h.Thu, h.Fri, h.Sat}[d]
}

// Minutes parses "HH:MM" (two digits each, 00:00 to 24:00) into minutes after
// midnight; ok is false when malformed.
func Minutes(hhmm string) (int, bool) {
	if len(hhmm) != 5 || hhmm[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if hhmm[i] < '0' || hhmm[i] > '9' {
			return 0, false
		}
	}
	h := int(hhmm[0]-'0')*10 + int(hhmm[1]-'0')
	m := int(hhmm[3]-'0')*10 + int(hhmm[4]-'0')
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// Validate checks that every day has at most 4 spans, each well formed, in order and
// not overlapping.
func (h OpeningHours) Validate() error {
	for d := time.Sunday; d <= time.Saturday; d++ {
		spans := h.Day(d)
		if len(spans) > 4 {
			return apperr.Invalid("hours", "hours", "Mỗi ngày có tối đa 4 khung giờ mở cửa.", "A day has 4 opening spans at most.")
		}
		last := -1
		for _, s := range spans {
			o, ok1 := Minutes(s.Open)
			c, ok2 := Minutes(s.Close)
			if !ok1 || !ok2 || o >= c || o < last {
				return apperr.Invalid("hours", "hours",
					"Giờ mở cửa phải có dạng HH:MM, giờ mở trước giờ đóng, các khung không chồng nhau.",
					"Opening hours are HH:MM, opening before closing, spans in order without overlap.")
			}
			last = c
		}
	}
	return nil
}
