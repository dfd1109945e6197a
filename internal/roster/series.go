package roster

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/teambition/rrule-go"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
)

// SeriesStatus is whether a series still materialises shifts.
type SeriesStatus string

// Series statuses.
const (
	SeriesActive SeriesStatus = "active"
	SeriesEnded  SeriesStatus = "ended" // cancelled or removed: it makes no more shifts
)

// Series is a weekly recurring shift: an RFC 5545 rule (FREQ=WEEKLY) evaluated in
// the centre's local time (Asia/Ho_Chi_Minh), from FirstDate at StartTime, and a
// template that every occurrence copies. Occurrences are shifts, materialised up
// to HorizonWeeks ahead (ExtendSeries moves the horizon along).
//
// A shift of a series is keyed by its series and the local day of its occurrence
// (Shift.Occurrence), and its ID is derived from the series lineage (RootID) and
// that day, so the shift's own primary key is the unique key: materialising twice,
// or from two instances at once, stores each occurrence once. A weekly rule
// without BYHOUR has at most one occurrence a day, so the day names it; and since
// the day does not change when the series' start time does, an edited time never
// re-keys occurrences. "This and following" splits a series (RFC 5545 style): the
// old one ends the day before, a new one with the same RootID starts at the
// occurrence, and the later shifts move to it keeping their IDs.
type Series struct {
	ID       string
	RootID   string // the first series of a lineage of splits (its own ID when not split)
	CentreID string
	WardID   string
	Rule     string // normalised RRULE, without DTSTART
	// FirstDate is the first local day (midnight in the centre's zone, as UTC).
	FirstDate time.Time
	StartTime string // local "HH:MM"
	Minutes   int    // duration of each occurrence
	Template  SeriesTemplate
	// HorizonWeeks is how far ahead occurrences exist (1 to 26).
	HorizonWeeks int
	// Until, when set, is the last local day with an occurrence (a split ends the
	// old series the day before the new one starts).
	Until     time.Time
	Status    SeriesStatus
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SeriesTemplate is what every occurrence of a series copies.
type SeriesTemplate struct {
	Title                 string
	Role                  Role
	Places                int
	QualificationCourseID string
	Notes                 string
	// SignupLead and CancelLead are how long before the start sign-up opens and
	// cancelling closes; zero takes the defaults of single shifts.
	SignupLead time.Duration
	CancelLead time.Duration
}

// Limits and defaults of series.
const (
	DefaultHorizonWeeks = 8
	// SeriesExtendEvery is how often the horizon of every active series moves on.
	SeriesExtendEvery = time.Hour
	MaxHorizonWeeks   = 26
	maxRuleLength     = 200
	maxCount          = 1000
	maxInterval       = 52
)

// Error codes of series.
const (
	CodeSeriesEnded apperr.Code = "series_ended"
	// CodeRuleInvalid is the field code of a refused recurrence rule.
	CodeRuleInvalid = "rule_invalid"
)

var errSeriesEnded = &apperr.Error{Code: CodeSeriesEnded, Vi: "Chuỗi ca trực đã kết thúc.", En: "The shift series has ended."}

// ruleInvalid is the field error of a refused rule, naming what is wrong.
func ruleInvalid(vi, en string) error {
	return apperr.Invalid("rule", CodeRuleInvalid, "Quy tắc lặp không hợp lệ: "+vi, "Invalid recurrence rule: "+en)
}

// ParseRule checks an RRULE string and returns its options and its normalised
// text. Only weekly rules are accepted: FREQ=WEEKLY, optional INTERVAL (1 to 52),
// BYDAY (plain weekdays; when missing, the weekday of the first date), WKST, and at
// most one of COUNT (1 to 1000) and UNTIL (a date, inclusive, or a date-time).
// Anything else (BYHOUR, BYMINUTE, BYSETPOS, BYMONTH, ...) is refused, so that an
// occurrence is always one shift a day at the series' start time.
func ParseRule(rule string, loc *time.Location) (*rrule.ROption, string, error) {
	rule = strings.TrimPrefix(strings.TrimSpace(rule), "RRULE:")
	if rule == "" || len(rule) > maxRuleLength || strings.ContainsAny(rule, "\r\n") {
		return nil, "", ruleInvalid("cần một dòng RRULE, tối đa 200 ký tự.", "one RRULE line of at most 200 characters is required.")
	}
	dateUntil := false
	for _, part := range strings.Split(rule, ";") {
		key, value, _ := strings.Cut(part, "=")
		switch strings.ToUpper(key) {
		case "FREQ", "BYDAY", "WKST":
		case "INTERVAL", "COUNT":
			// The library reads 0 as "not given" (every week, no count); a
			// rule that says 0 is refused as the messages below say.
			if n, err := strconv.Atoi(value); err == nil && n < 1 {
				return nil, "", ruleInvalid(strings.ToUpper(key)+" phải từ 1 trở lên.", strings.ToUpper(key)+" must be 1 or more.")
			}
		case "UNTIL":
			dateUntil = len(value) == len("20060102")
		default:
			return nil, "", ruleInvalid(fmt.Sprintf("không hỗ trợ %q; chỉ dùng FREQ, INTERVAL, BYDAY, COUNT, UNTIL, WKST.", key),
				fmt.Sprintf("%q is not supported; use FREQ, INTERVAL, BYDAY, COUNT, UNTIL, WKST only.", key))
		}
	}
	opt, err := rrule.StrToROptionInLocation(strings.ToUpper(rule), loc)
	if err != nil {
		return nil, "", ruleInvalid("không đọc được quy tắc.", "it cannot be parsed.")
	}
	switch {
	case opt.Freq != rrule.WEEKLY:
		return nil, "", ruleInvalid("chỉ hỗ trợ FREQ=WEEKLY.", "only FREQ=WEEKLY is supported.")
	case opt.Interval < 0 || opt.Interval > maxInterval:
		return nil, "", ruleInvalid("INTERVAL từ 1 đến 52.", "INTERVAL is 1 to 52.")
	case opt.Count < 0 || opt.Count > maxCount:
		return nil, "", ruleInvalid("COUNT từ 1 đến 1000.", "COUNT is 1 to 1000.")
	case opt.Count > 0 && !opt.Until.IsZero():
		return nil, "", ruleInvalid("không dùng cùng lúc COUNT và UNTIL.", "COUNT and UNTIL cannot both be given.")
	}
	for _, d := range opt.Byweekday {
		if d.N() != 0 {
			return nil, "", ruleInvalid("BYDAY chỉ gồm các thứ (MO, TU, ...), không kèm số thứ tự.", "BYDAY lists plain weekdays (MO, TU, ...), without an ordinal.")
		}
	}
	if dateUntil {
		// A date UNTIL includes its day (RFC 5545), whatever the start time.
		opt.Until = opt.Until.Add(24*time.Hour - time.Second)
	}
	norm := strings.ToUpper(rule)
	return opt, norm, nil
}

// seriesRule builds the rule of a series with its DTSTART: the first date at the
// start time, in loc.
func seriesRule(se *Series, loc *time.Location) (*rrule.RRule, error) {
	opt, _, err := ParseRule(se.Rule, loc)
	if err != nil {
		return nil, err
	}
	opt.Dtstart = localAt(se.FirstDate, se.StartTime, loc)
	if len(opt.Byweekday) == 0 {
		opt.Byweekday = []rrule.Weekday{weekdays[opt.Dtstart.Weekday()]}
	}
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, ruleInvalid("không đọc được quy tắc.", "it cannot be parsed.")
	}
	return r, nil
}

var weekdays = [7]rrule.Weekday{rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA}

// localAt is the local day of day (a local midnight) at "HH:MM".
func localAt(day time.Time, hhmm string, loc *time.Location) time.Time {
	m, _ := directory.Minutes(hhmm)
	y, mo, d := day.In(loc).Date()
	return time.Date(y, mo, d, m/60, m%60, 0, 0, loc)
}

// localDay is the local midnight of t's day in loc, as UTC.
func localDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc).UTC()
}

// occurrenceDays returns the local days (as UTC midnights of loc) of the series'
// occurrences starting in [from, to), up to Until.
func occurrenceDays(se *Series, from, to time.Time, loc *time.Location) ([]time.Time, error) {
	r, err := seriesRule(se, loc)
	if err != nil {
		return nil, err
	}
	var days []time.Time
	for _, t := range r.Between(from, to, true) {
		if !t.Before(to) {
			continue
		}
		day := localDay(t, loc)
		if !se.Until.IsZero() && day.After(se.Until) {
			break
		}
		days = append(days, day)
	}
	return days, nil
}

// occurrenceID is the shift ID of a series lineage's occurrence on a day: the same
// for every instance that materialises it, so the shift's key is the unique key.
func occurrenceID(rootID string, day time.Time) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("ecitizen:series:"+rootID+":"+day.UTC().Format(time.DateOnly))).String()
}

// occurrence builds the shift of a series on a local day from its template.
func (s *Service) occurrence(se *Series, day time.Time, now time.Time) *Shift {
	start := localAt(day, se.StartTime, s.loc).UTC()
	sh := &Shift{ID: occurrenceID(se.RootID, day), CentreID: se.CentreID, WardID: se.WardID, Status: StatusScheduled,
		SeriesID: se.ID, Occurrence: day.UTC(), CreatedBy: se.CreatedBy, CreatedAt: now, UpdatedAt: now}
	s.fill(sh, se, start)
	return sh
}

// fill sets a shift's template fields and times from a series, for a start.
func (s *Service) fill(sh *Shift, se *Series, start time.Time) {
	t := se.Template
	sh.Title, sh.Role, sh.Places, sh.Notes = t.Title, t.Role, t.Places, t.Notes
	sh.QualificationCourseID = t.QualificationCourseID
	sh.StartsAt = start.UTC().Truncate(time.Millisecond)
	sh.EndsAt = sh.StartsAt.Add(time.Duration(se.Minutes) * time.Minute)
	signup, cancel := t.SignupLead, t.CancelLead
	if signup == 0 {
		signup = DefaultSignupLead
	}
	if cancel == 0 {
		cancel = DefaultCancelDeadline
	}
	sh.SignupOpensAt, sh.CancelDeadline = sh.StartsAt.Add(-signup), sh.StartsAt.Add(-cancel)
	if sh.CancelDeadline.Before(sh.SignupOpensAt) {
		sh.CancelDeadline = sh.SignupOpensAt
	}
}

// Skipped is an occurrence that was not materialised, and why (e.g. centre_closed).
type Skipped struct {
	Day    time.Time
	Code   apperr.Code
	Reason *apperr.Error
}

// horizon is the end of a series' materialised window from now.
func horizon(se *Series, now time.Time) time.Time {
	return now.Add(time.Duration(se.HorizonWeeks) * 7 * 24 * time.Hour)
}

// checkHours is withinHours for an occurrence: nil, or why it is skipped.
func (s *Service) checkHours(centre *directory.Centre, sh *Shift) *apperr.Error {
	if err := s.withinHours(centre, sh); err != nil {
		return apperr.As(err)
	}
	return nil
}
