package coverage

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"ecitizen/internal/progress"
	"ecitizen/internal/roster"
	"ecitizen/internal/skills"
)

// Windows of the summaries, in local days (Asia/Ho_Chi_Minh): "the last N days"
// is today and the N-1 days before it; upcoming shifts are those not started yet
// that start within the next UpcomingDays (or GapDays for the district's gaps).
const (
	ActivityDays = 30
	UpcomingDays = 14
	GapDays      = 7
	TrendWeeks   = 52
)

// HoursFact is a volunteer's minutes on one shift or one staff work entry.
type HoursFact struct {
	VolunteerID string
	CentreID    string
	At          time.Time // the shift's start, or the entry's day
	Minutes     int
}

// Facts is everything one ward's (or one merged family of wards', or the
// district's) summaries and trends are computed from. Facts of several wards
// are joined with Join.
type Facts struct {
	Residents []ResidentFact
	Records   []RecordFact
	Shifts    []ShiftFact // starting in the window of the facts
	Sessions  []SessionFact
	Usage     []UsageFact
	Hours     []HoursFact
}

// Join returns the facts of all of fs, each resident and record once (a resident
// moved by a merge is a fact of its old ward and of its new one).
func Join(fs ...*Facts) *Facts {
	if len(fs) == 1 {
		return fs[0]
	}
	out := &Facts{}
	seenRes, seenRec := map[string]bool{}, map[string]bool{}
	for _, f := range fs {
		for _, r := range f.Residents {
			if !seenRes[r.ID] {
				seenRes[r.ID] = true
				out.Residents = append(out.Residents, r)
			}
		}
		for _, r := range f.Records {
			if !seenRec[r.ID] {
				seenRec[r.ID] = true
				out.Records = append(out.Records, r)
			}
		}
		out.Shifts = append(out.Shifts, f.Shifts...)
		out.Sessions = append(out.Sessions, f.Sessions...)
		out.Usage = append(out.Usage, f.Usage...)
		out.Hours = append(out.Hours, f.Hours...)
	}
	return out
}

// HoursFacts turns attendance rows and work entries into hours facts, counting
// minutes as a volunteer's own ledger does.
func HoursFacts(rows []*roster.Attendance, entries []*roster.WorkEntry) []HoursFact {
	byVolunteer := map[string][]*roster.Attendance{}
	var order []string
	for _, a := range rows {
		if _, ok := byVolunteer[a.VolunteerID]; !ok {
			order = append(order, a.VolunteerID)
		}
		byVolunteer[a.VolunteerID] = append(byVolunteer[a.VolunteerID], a)
	}
	var out []HoursFact
	for _, v := range order {
		for _, l := range roster.Ledger(byVolunteer[v]) {
			if l.Minutes > 0 {
				out = append(out, HoursFact{VolunteerID: v, CentreID: l.CentreID, At: l.StartsAt, Minutes: l.Minutes})
			}
		}
	}
	for _, e := range entries {
		out = append(out, HoursFact{VolunteerID: e.VolunteerID, CentreID: e.CentreID, At: e.Date, Minutes: e.Minutes})
	}
	return out
}

// Clock fixes "now" and the local days the windows count from.
type Clock struct {
	Now      time.Time
	Today    time.Time // local midnight of Now's day
	Location *time.Location
}

// NewClock returns the clock of now in loc.
func NewClock(now time.Time, loc *time.Location) Clock {
	l := now.In(loc)
	return Clock{Now: now, Today: time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc), Location: loc}
}

// DaysAgo returns the local midnight n days before today.
func (c Clock) DaysAgo(n int) time.Time { return c.Today.AddDate(0, 0, -n) }

// Tomorrow returns the next local midnight: every day window moves then.
func (c Clock) Tomorrow() time.Time { return c.Today.AddDate(0, 0, 1) }

// WeekStart returns the local Monday midnight of t's week.
func (c Clock) WeekStart(t time.Time) time.Time {
	l := t.In(c.Location)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, c.Location)
	back := (int(d.Weekday()) + 6) % 7 // Monday 0 .. Sunday 6
	return d.AddDate(0, 0, -back)
}

// FirstWeek returns the first of the TrendWeeks weeks that end with this one.
func (c Clock) FirstWeek() time.Time {
	return c.WeekStart(c.Now).AddDate(0, 0, -7*(TrendWeeks-1))
}

// Window returns the start times a ward's facts cover: from the first trend
// week (or the activity window, if earlier) to the end of the upcoming window.
func (c Clock) Window() (from, to time.Time) {
	from = c.FirstWeek()
	if a := c.DaysAgo(ActivityDays - 1); a.Before(from) {
		from = a
	}
	return from, c.Tomorrow().AddDate(0, 0, UpcomingDays)
}

// Residents counts a ward's residents against its target.
type Residents struct {
	Registered int // every resident ever registered, erased ones included
	Erased     int // of them, those whose personal data was erased
	ECitizens  int // residents who have shown every skill the definition requires
	Reached    int // residents with at least one skill shown
}

// SkillCount is how many residents have shown a skill.
type SkillCount struct {
	Code      string
	Required  bool
	Residents int
}

// Helped is how many residents had a progress record (not revoked) recently.
type Helped struct {
	Last7Days  int
	Last30Days int
}

// Training counts the training sessions held (not cancelled, ended) in the
// activity window and their seats.
type Training struct {
	Sessions int
	Enrolled int
	Attended int
	Absent   int
}

// Hours is the volunteers' service in the activity window.
type Hours struct {
	Minutes    int
	Volunteers int // distinct volunteers who served
}

// ShiftCounts counts shifts that started in the activity window.
type ShiftCounts struct {
	Offered int // shifts held (not cancelled)
	Filled  int // of them, every place booked
	Places  int
	Booked  int
	NoShows int // confirmed no-shows
}

// Upcoming counts shifts not started yet that start within UpcomingDays.
type Upcoming struct {
	Shifts     int
	Places     int
	Booked     int
	OpenPlaces int
	Unfilled   int // shifts with an open place
}

// UsageCount is the equipment use for one purpose in the activity window.
type UsageCount struct {
	Purpose  string
	Sessions int
	Minutes  int
}

// Summary is a ward's (or a centre's) coverage at a moment. A centre's summary
// counts residents by where their records were made: Registered and Erased are
// zero, Reached is the residents with a skill shown there, ECitizens those whose
// last required skill was shown there.
type Summary struct {
	AsOf      time.Time
	Residents Residents
	Skills    []SkillCount // every skill of the framework, in its order
	Helped    Helped
	Training  Training
	Hours     Hours
	Shifts    ShiftCounts
	Upcoming  Upcoming
	Equipment []UsageCount // procedure, learning, other
}

// Purposes are the equipment purposes in the order summaries list them.
var Purposes = []string{"procedure", "learning", "other"}

// Statuses evaluates every resident of f against the definition: what each has
// shown (records not revoked).
func Statuses(f *Facts, def skills.Definition) map[string]progress.Status {
	byResident := map[string][]progress.Record{}
	for _, r := range f.Records {
		if r.Revoked {
			continue
		}
		byResident[r.ResidentID] = append(byResident[r.ResidentID], progress.Record{
			ID: r.ID, ResidentID: r.ResidentID, SkillCode: r.SkillCode, CentreID: r.CentreID, At: r.At})
	}
	out := make(map[string]progress.Status, len(f.Residents))
	for _, res := range f.Residents {
		out[res.ID] = progress.Evaluate(def.Version, def.Required, byResident[res.ID], nil)
	}
	return out
}

// Summarize computes the summary of f at clock c under the definition def, for
// the skills fw lists; centreID "" summarises the whole of f, a centre's ID only
// what happened at that centre. It also returns the volunteers who served in
// the activity window (summaries of disjoint facts add up, but for this count
// of distinct people), and when the summary stops being true with no change to
// f: the next local midnight, or the next start of an upcoming shift or end of
// a session, whichever comes first.
func Summarize(f *Facts, st map[string]progress.Status, c Clock, fw *skills.Framework, def skills.Definition, centreID string) (Summary, map[string]bool, time.Time) {
	sc := newScope(c, centreID)
	s, vols := sc.roster(f)
	s.Residents, s.Skills = sc.residents(f.Residents, st, fw, def)
	s.Helped = sc.helped(f.Records)
	return s, vols, sc.until(f)
}

// roster is the summary of the roster's facts of f (training, hours, shifts,
// equipment) and the volunteers who served.
func (sc scope) roster(f *Facts) (Summary, map[string]bool) {
	s := Summary{AsOf: sc.c.Now}
	s.Training = sc.training(f.Sessions)
	var vols map[string]bool
	s.Hours, vols = sc.hours(f.Hours)
	s.Shifts, s.Upcoming = sc.shifts(f.Shifts)
	s.Equipment = sc.usage(f.Usage)
	return s, vols
}

// scope is what one summary counts: the facts of one centre (of every centre
// when centreID is "") against the windows of one clock.
type scope struct {
	c        Clock
	centreID string
	from7    time.Time // the first instant of the last 7 days
	from30   time.Time // the first instant of the activity window
	horizon  time.Time // the end of the upcoming window
}

// newScope is the scope of centreID (all when "") at clock c.
func newScope(c Clock, centreID string) scope {
	return scope{c: c, centreID: centreID, from7: c.DaysAgo(6), from30: c.DaysAgo(ActivityDays - 1),
		horizon: c.Now.AddDate(0, 0, UpcomingDays)}
}

// at is whether a fact at centre id is in the scope.
func (sc scope) at(id string) bool { return sc.centreID == "" || id == sc.centreID }

// residents counts the residents and, per skill of fw, those who showed it, from
// every resident's status. A centre's scope counts a skill where its record was
// made and an e-citizen where the last required skill was shown; only the whole
// scope counts registered and erased residents.
func (sc scope) residents(rs []ResidentFact, st map[string]progress.Status, fw *skills.Framework, def skills.Definition) (Residents, []SkillCount) {
	var out Residents
	perSkill := map[string]int{}
	for _, res := range rs {
		status := st[res.ID]
		shownHere := false
		for _, sh := range status.Shown {
			if sc.at(sh.Record.CentreID) {
				perSkill[sh.SkillCode]++
				shownHere = true
			}
		}
		if shownHere {
			out.Reached++
		}
		if sc.centreID == "" {
			out.Registered++
			if res.Erased {
				out.Erased++
			}
		}
		if status.ECitizen && (sc.centreID == "" || completedAt(status) == sc.centreID) {
			out.ECitizens++
		}
	}
	required := map[string]bool{}
	for _, code := range def.Required {
		required[code] = true
	}
	var counts []SkillCount
	for _, sk := range fw.Skills {
		counts = append(counts, SkillCount{Code: sk.Code, Required: required[sk.Code], Residents: perSkill[sk.Code]})
	}
	return out, counts
}

// helped counts the residents with a record not revoked in the last 7 and 30
// days.
func (sc scope) helped(records []RecordFact) Helped {
	h7, h30 := map[string]bool{}, map[string]bool{}
	for _, r := range records {
		if r.Revoked || !sc.at(r.CentreID) || r.At.After(sc.c.Now) {
			continue
		}
		if !r.At.Before(sc.from30) {
			h30[r.ResidentID] = true
			if !r.At.Before(sc.from7) {
				h7[r.ResidentID] = true
			}
		}
	}
	return Helped{Last7Days: len(h7), Last30Days: len(h30)}
}

// training counts the sessions held in the activity window: started in it,
// ended by now, not cancelled.
func (sc scope) training(sessions []SessionFact) Training {
	var out Training
	for _, se := range sessions {
		if !sc.at(se.CentreID) || se.Status == "cancelled" || se.StartsAt.Before(sc.from30) || se.EndsAt.After(sc.c.Now) {
			continue
		}
		out.Sessions++
		out.Enrolled += se.Enrolled
		out.Attended += se.Attended
		out.Absent += se.Absent
	}
	return out
}

// hours adds up the volunteer hours in the activity window and returns the
// volunteers who served.
func (sc scope) hours(hs []HoursFact) (Hours, map[string]bool) {
	var out Hours
	vols := map[string]bool{}
	for _, h := range hs {
		if !sc.at(h.CentreID) || h.At.Before(sc.from30) || h.At.After(sc.c.Now) {
			continue
		}
		out.Minutes += h.Minutes
		vols[h.VolunteerID] = true
	}
	out.Volunteers = len(vols)
	return out, vols
}

// shifts counts the shifts not cancelled that started in the activity window,
// and those upcoming: not started, starting before the horizon.
func (sc scope) shifts(shifts []ShiftFact) (ShiftCounts, Upcoming) {
	var (
		held ShiftCounts
		next Upcoming
	)
	for _, sh := range shifts {
		if !sc.at(sh.CentreID) || sh.Status == roster.StatusCancelled {
			continue
		}
		switch {
		case !sh.StartsAt.After(sc.c.Now) && !sh.StartsAt.Before(sc.from30):
			held.Offered++
			held.Places += sh.Places
			held.Booked += sh.Booked
			held.NoShows += sh.NoShows
			if sh.Booked >= sh.Places {
				held.Filled++
			}
		case sh.StartsAt.After(sc.c.Now) && sh.StartsAt.Before(sc.horizon):
			next.Shifts++
			next.Places += sh.Places
			next.Booked += sh.Booked
			if open := sh.Places - sh.Booked; open > 0 {
				next.OpenPlaces += open
				next.Unfilled++
			}
		}
	}
	return held, next
}

// usage counts the equipment use not voided that began in the activity window,
// per purpose in the order of Purposes.
func (sc scope) usage(us []UsageFact) []UsageCount {
	use := map[string]*UsageCount{}
	for _, p := range Purposes {
		use[p] = &UsageCount{Purpose: p}
	}
	for _, u := range us {
		if u.Voided || !sc.at(u.CentreID) || u.From.Before(sc.from30) || u.From.After(sc.c.Now) {
			continue
		}
		uc := use[u.Purpose]
		if uc == nil {
			continue
		}
		uc.Sessions++
		uc.Minutes += int(u.To.Sub(u.From) / time.Minute)
	}
	var out []UsageCount
	for _, p := range Purposes {
		out = append(out, *use[p])
	}
	return out
}

// until is when the summary of f stops being true with no change to f: the
// next local midnight (every day window moves then), or the first later moment a
// fact starts counting: a session counts as held from its end, an upcoming shift
// moves to the started ones at its start and a later shift enters the upcoming
// window UpcomingDays before it, a record, hours or usage dated later than now
// count from then.
func (sc scope) until(f *Facts) time.Time {
	until := sc.c.Tomorrow()
	now := sc.c.Now
	for _, se := range f.Sessions {
		if sc.at(se.CentreID) && se.Status != "cancelled" && se.EndsAt.After(now) && se.EndsAt.Before(until) {
			until = se.EndsAt
		}
	}
	for _, sh := range f.Shifts {
		if !sc.at(sh.CentreID) || sh.Status == roster.StatusCancelled {
			continue
		}
		switch {
		case sh.StartsAt.After(now) && sh.StartsAt.Before(sc.horizon):
			if sh.StartsAt.Before(until) {
				until = sh.StartsAt
			}
		case !sh.StartsAt.Before(sc.horizon) && sh.StartsAt.AddDate(0, 0, -UpcomingDays).Before(until):
			until = sh.StartsAt.AddDate(0, 0, -UpcomingDays)
		}
	}
	for _, r := range f.Records {
		if r.At.After(now) && r.At.Before(until) {
			until = r.At
		}
	}
	for _, h := range f.Hours {
		if h.At.After(now) && h.At.Before(until) {
			until = h.At
		}
	}
	for _, u := range f.Usage {
		if u.From.After(now) && u.From.Before(until) {
			until = u.From
		}
	}
	return until
}

// Add adds the figures of b to s: the summary of disjoint facts (residents
// in one and not the other, events of other wards), but for the volunteers,
// which the caller counts from the union of their sets.
func (s *Summary) Add(b Summary) {
	r := &s.Residents
	r.Registered += b.Residents.Registered
	r.Erased += b.Residents.Erased
	r.ECitizens += b.Residents.ECitizens
	r.Reached += b.Residents.Reached
	for i := range s.Skills {
		s.Skills[i].Residents += b.Skills[i].Residents
	}
	s.Helped.Last7Days += b.Helped.Last7Days
	s.Helped.Last30Days += b.Helped.Last30Days
	s.Training.Sessions += b.Training.Sessions
	s.Training.Enrolled += b.Training.Enrolled
	s.Training.Attended += b.Training.Attended
	s.Training.Absent += b.Training.Absent
	s.Hours.Minutes += b.Hours.Minutes
	s.Shifts.Offered += b.Shifts.Offered
	s.Shifts.Filled += b.Shifts.Filled
	s.Shifts.Places += b.Shifts.Places
	s.Shifts.Booked += b.Shifts.Booked
	s.Shifts.NoShows += b.Shifts.NoShows
	s.Upcoming.Shifts += b.Upcoming.Shifts
	s.Upcoming.Places += b.Upcoming.Places
	s.Upcoming.Booked += b.Upcoming.Booked
	s.Upcoming.OpenPlaces += b.Upcoming.OpenPlaces
	s.Upcoming.Unfilled += b.Upcoming.Unfilled
	for i := range s.Equipment {
		s.Equipment[i].Sessions += b.Equipment[i].Sessions
		s.Equipment[i].Minutes += b.Equipment[i].Minutes
	}
}

// completedAt returns the centre where a resident's last required skill was shown.
func completedAt(st progress.Status) string {
	for _, sh := range st.Shown {
		if sh.Record.ID == st.CompletedBy {
			return sh.Record.CentreID
		}
	}
	return ""
}

// UnfilledShift is an upcoming shift with an open place.
type UnfilledShift struct {
	ShiftID    string
	CentreID   string
	StartsAt   time.Time
	EndsAt     time.Time
	Places     int
	Booked     int
	OpenPlaces int
}

// Unfilled lists the shifts of f (at centreID, or all when "") not started at
// c.Now that start within days and have an open place, by start.
func Unfilled(f *Facts, c Clock, centreID string, days int) []UnfilledShift {
	horizon := c.Now.AddDate(0, 0, days)
	out := []UnfilledShift{}
	for _, sh := range f.Shifts {
		if (centreID != "" && sh.CentreID != centreID) || sh.Status == roster.StatusCancelled ||
			!sh.StartsAt.After(c.Now) || !sh.StartsAt.Before(horizon) || sh.Booked >= sh.Places {
			continue
		}
		out = append(out, UnfilledShift{ShiftID: sh.ID, CentreID: sh.CentreID, StartsAt: sh.StartsAt, EndsAt: sh.EndsAt,
			Places: sh.Places, Booked: sh.Booked, OpenPlaces: sh.Places - sh.Booked})
	}
	slices.SortFunc(out, func(a, b UnfilledShift) int {
		return cmp.Or(a.StartsAt.Compare(b.StartsAt), strings.Compare(a.ShiftID, b.ShiftID))
	})
	return out
}

// unfilledUntil lowers until to the first moment a shift of f (at centreID,
// or all when "") not in Unfilled's window of days yet enters it, as
// scope.until does for the upcoming window.
func unfilledUntil(f *Facts, c Clock, centreID string, days int, until time.Time) time.Time {
	horizon := c.Now.AddDate(0, 0, days)
	for _, sh := range f.Shifts {
		if (centreID != "" && sh.CentreID != centreID) || sh.Status == roster.StatusCancelled || sh.StartsAt.Before(horizon) {
			continue
		}
		if enters := sh.StartsAt.AddDate(0, 0, -days); enters.Before(until) {
			until = enters
		}
	}
	return until
}

// Lacking counts, per required skill, the residents of f who are not
// e-citizens and have not shown it; erased residents are left out (nobody can
// help them further through ecitizen).
func Lacking(f *Facts, st map[string]progress.Status, def skills.Definition) map[string]int {
	out := map[string]int{}
	for _, code := range def.Required {
		out[code] = 0
	}
	for _, res := range f.Residents {
		s := st[res.ID]
		if res.Erased || s.ECitizen {
			continue
		}
		for _, code := range s.Missing {
			out[code]++
		}
	}
	return out
}

// Week is one week of a trend.
type Week struct {
	Start          time.Time // local Monday midnight
	NewResidents   int
	NewECitizens   int // residents whose last required skill was first shown that week, as things stand now
	VolunteerHours int // minutes
}

// Trend returns the TrendWeeks weeks ending with this one. A new e-citizen
// counts in the week the resident reached the definition as the records stand
// now, so a revoked record moves or removes them from the past weeks.
func Trend(f *Facts, st map[string]progress.Status, c Clock) []Week {
	weeks, index := trendWeeks(c)
	for _, r := range f.Residents {
		if i := index(r.CreatedAt); i >= 0 {
			weeks[i].NewResidents++
		}
		if s := st[r.ID]; s.ECitizen {
			if i := index(s.ReachedAt); i >= 0 {
				weeks[i].NewECitizens++
			}
		}
	}
	trendHours(weeks, index, f.Hours)
	return weeks
}

// trendWeeks returns the TrendWeeks empty weeks ending with this one and the
// index of the week of a time (-1: none of them).
func trendWeeks(c Clock) ([]Week, func(time.Time) int) {
	first := c.FirstWeek()
	weeks := make([]Week, TrendWeeks)
	for i := range weeks {
		weeks[i].Start = first.AddDate(0, 0, 7*i)
	}
	byStart := make(map[int64]int, len(weeks))
	for i, w := range weeks {
		byStart[w.Start.Unix()] = i
	}
	return weeks, func(t time.Time) int {
		if t.Before(first) || t.After(c.Now) {
			return -1
		}
		if i, ok := byStart[c.WeekStart(t).Unix()]; ok {
			return i
		}
		return -1
	}
}

// trendHours adds the volunteer minutes of hs to their weeks.
func trendHours(weeks []Week, index func(time.Time) int, hs []HoursFact) {
	for _, h := range hs {
		if i := index(h.At); i >= 0 {
			weeks[i].VolunteerHours += h.Minutes
		}
	}
}
