// Package vntime is Vietnam's time for ecitizen: the one zone in which days
// are counted, and the one rule for the calendar dates people type.
package vntime

import (
	"time"

	"ecitizen/internal/apperr"
)

// Zone is Vietnam's time, UTC+7. It is a fixed zone rather than the tz
// database's Asia/Ho_Chi_Minh, whose offsets before 1975 (+8 in the south)
// would move those days by one; Vietnam has kept +7, without daylight saving
// time, since.
var Zone = time.FixedZone("ICT", 7*3600)

// The bounds of every calendar date ecitizen accepts: nothing it records
// (work, consent, shifts, certificates, targets) happened before 2000 or will
// happen after 2100.
var (
	Earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, Zone)
	Latest   = time.Date(2100, 12, 31, 0, 0, 0, 0, Zone)
)

// ParseDate reads field's value, YYYY-MM-DD, as that day's midnight in Zone. A
// malformed date is the field error "date", one outside [Earliest, Latest]
// the field error "range".
func ParseDate(field, s string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, s, Zone)
	if err != nil {
		return time.Time{}, apperr.Invalid(field, "date", "Ngày có dạng YYYY-MM-DD.", "The date has the form YYYY-MM-DD.")
	}
	if d.Before(Earliest) || d.After(Latest) {
		return time.Time{}, apperr.Invalid(field, "range", "Ngày phải từ 01/01/2000 đến 31/12/2100.", "The date is between 2000-01-01 and 2100-12-31.")
	}
	return d, nil
}

// Day is t's calendar day in Zone, as that day's midnight.
func Day(t time.Time) time.Time {
	y, m, d := t.In(Zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Zone)
}
