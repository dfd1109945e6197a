package roster

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/vntime"
)

// SeriesPlan is what ward staff give to create a series, or to change one (then
// CentreID and FirstDate are ignored, and an empty Rule or a zero HorizonWeeks
// keeps the series' own).
type SeriesPlan struct {
	CentreID     string
	Rule         string
	FirstDate    string // local "YYYY-MM-DD"
	StartTime    string // local "HH:MM"
	EndTime      string // local "HH:MM", after StartTime
	HorizonWeeks int    // 0: DefaultHorizonWeeks
	Template     SeriesTemplate
	// FromShiftID, on a change, makes it "this and following": the series splits
	// at that occurrence.
	FromShiftID string
}

// SeriesResult is a series after a create or a change, with the shifts it created
// or changed, and the occurrences it skipped (days the centre is closed).
type SeriesResult struct {
	Series  *Series
	Created []*Shift
	Changed []*Shift
	Deleted int // occurrences the new rule drops that had no history
	Removed int // occurrences the new rule drops that were cancelled (they had history)
	Skipped []Skipped
}

// CreateSeries creates a weekly series at a centre of the caller's wards and
// materialises its occurrences up to its horizon. A bad rule or template is a
// validation error; an occurrence on a day the centre is closed (or outside its
// hours) is skipped and reported, not an error.
func (s *Service) CreateSeries(ctx context.Context, c identity.Caller, p SeriesPlan) (*SeriesResult, error) {
	centre, err := s.centres.ActiveCentre(ctx, p.CentreID)
	if err != nil {
		return nil, err
	}
	if !manages(c, centre.WardID) {
		if c.Role == identity.RoleWardStaff {
			return nil, fmt.Errorf("centre %s: %w", p.CentreID, apperr.ErrNotFound)
		}
		return nil, apperr.ErrForbidden
	}
	if err := s.centres.CheckWardOpen(ctx, centre.WardID); err != nil {
		return nil, err
	}
	now := s.timestamp()
	first, err := vntime.ParseDate("first_date", p.FirstDate)
	if err != nil {
		return nil, err
	}
	if first.UTC().Before(localDay(now, s.loc)) {
		return nil, apperr.Invalid("first_date", "range", "Ngày đầu tiên không được ở quá khứ.", "The first date cannot be in the past.")
	}
	id := uuid.Must(uuid.NewV7()).String()
	se := &Series{ID: id, RootID: id, CentreID: centre.ID, WardID: centre.WardID, FirstDate: first.UTC(),
		Status: SeriesActive, CreatedBy: c.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.planSeries(ctx, se, p, now); err != nil {
		return nil, err
	}
	if err := s.store.CreateSeries(ctx, se); err != nil {
		return nil, fmt.Errorf("create series: %w", err)
	}
	created, skipped, err := s.materialise(ctx, se, centre, now)
	if err != nil {
		return nil, err
	}
	return &SeriesResult{Series: se, Created: created, Skipped: skipped}, nil
}

// planSeries sets a plan's rule, times, horizon and template on a series and
// validates them on its first occurrence.
func (s *Service) planSeries(ctx context.Context, se *Series, p SeriesPlan, now time.Time) error {
	if p.Rule != "" {
		_, norm, err := ParseRule(p.Rule, s.loc)
		if err != nil {
			return err
		}
		se.Rule = norm
	}
	from, okFrom := directory.Minutes(p.StartTime)
	to, okTo := directory.Minutes(p.EndTime)
	switch {
	case !okFrom:
		return apperr.Invalid("start_time", "time", "Giờ bắt đầu có dạng HH:MM.", "The start time is HH:MM.")
	case !okTo:
		return apperr.Invalid("end_time", "time", "Giờ kết thúc có dạng HH:MM.", "The end time is HH:MM.")
	case to <= from:
		return apperr.Invalid("end_time", "range", "Giờ kết thúc phải sau giờ bắt đầu.", "The end time is after the start time.")
	}
	se.StartTime, se.Minutes = p.StartTime, to-from
	switch h := p.HorizonWeeks; {
	case h == 0 && se.HorizonWeeks == 0:
		se.HorizonWeeks = DefaultHorizonWeeks
	case h < 0 || h > MaxHorizonWeeks:
		return apperr.Invalid("horizon_weeks", "range", "Số tuần tạo trước từ 1 đến 26.", "The horizon is 1 to 26 weeks.")
	case h > 0:
		se.HorizonWeeks = h
	}
	t := p.Template
	t.Title = strings.TrimSpace(t.Title)
	if t.SignupLead < 0 || t.CancelLead < 0 {
		return apperr.Invalid("signup_lead_hours", "range", "Thời gian mở đăng ký và hạn huỷ không âm.", "Sign-up and cancel leads are not negative.")
	}
	se.Template = t
	// The template is checked on the first occurrence (days closed are skipped
	// later, not refused here).
	probe := &Shift{}
	s.fill(probe, se, localAt(se.FirstDate, se.StartTime, s.loc))
	if err := probe.Validate(); err != nil {
		return seriesFields(err)
	}
	if t.QualificationCourseID != "" {
		if err := s.quals.CheckPublished(ctx, t.QualificationCourseID); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				return apperr.Invalid("qualification_course_id", "unknown_course", "Khoá học yêu cầu không tồn tại hoặc chưa xuất bản.", "The required course does not exist or is not published.")
			}
			return err
		}
	}
	r, err := seriesRule(se, s.loc)
	if err != nil {
		return err
	}
	if r.After(now, false).IsZero() {
		return ruleInvalid("quy tắc không còn lần nào trong tương lai.", "the rule has no occurrence in the future.")
	}
	return nil
}

// seriesFields renames the shift fields of a validation error to a series'.
func seriesFields(err error) error {
	e := apperr.As(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	names := map[string]string{"ends_at": "end_time", "signup_opens_at": "signup_lead_hours", "cancel_deadline": "cancel_lead_hours"}
	out := *e
	out.Fields = append([]apperr.FieldError(nil), e.Fields...)
	for i, f := range out.Fields {
		if n, ok := names[f.Field]; ok {
			out.Fields[i].Field = n
		}
	}
	return &out
}

// materialise creates the series' occurrences starting after now up to its
// horizon. Days it already has are read first and passed over (so an idle hourly
// run only reads); an occurrence stored meanwhile (by another instance at the
// same time) is a taken key and is passed over too.
func (s *Service) materialise(ctx context.Context, se *Series, centre *directory.Centre, now time.Time) ([]*Shift, []Skipped, error) {
	days, err := occurrenceDays(se, now, horizon(se, now), s.loc)
	if err != nil || len(days) == 0 {
		return nil, nil, err
	}
	existing, err := s.store.ShiftsOfSeries(ctx, se.ID, days[0])
	if err != nil {
		return nil, nil, err
	}
	have := make(map[time.Time]bool, len(existing))
	for _, sh := range existing {
		have[sh.Occurrence] = true
	}
	var (
		created []*Shift
		skipped []Skipped
	)
	for _, day := range days {
		sh := s.occurrence(se, day, now)
		if !sh.StartsAt.After(now) || have[day] {
			continue
		}
		if e := s.checkHours(centre, sh); e != nil {
			skipped = append(skipped, Skipped{Day: day, Code: e.Code, Reason: e})
			continue
		}
		switch err := s.store.CreateShift(ctx, sh); {
		case err == nil:
			created = append(created, sh)
		case errors.Is(err, apperr.ErrConflict):
			// already materialised
		default:
			return created, skipped, fmt.Errorf("materialise series %s: %w", se.ID, err)
		}
	}
	return created, skipped, nil
}

// ExtendSeries materialises every active series up to its horizon from now; run
// hourly (api/run.go). It is idempotent: occurrences are unique keys. A series
// ended while it ran has the shifts this run created removed again. It returns how
// many shifts it created.
func (s *Service) ExtendSeries(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC().Truncate(time.Millisecond)
	n := 0
	p := page.Request{Limit: 100}
	for {
		list, err := s.store.ListSeries(ctx, SeriesFilter{Status: SeriesActive}, p)
		if err != nil {
			return n, err
		}
		more := len(list) > p.Limit
		if more {
			list = list[:p.Limit]
		}
		for _, se := range list {
			if !se.Until.IsZero() && se.Until.Before(localDay(now, s.loc)) {
				continue
			}
			centre, err := s.centres.ActiveCentre(ctx, se.CentreID)
			if errors.Is(err, apperr.ErrNotFound) {
				continue // a closed centre makes no shifts
			} else if err != nil {
				return n, err
			}
			created, _, err := s.materialise(ctx, se, centre, now)
			n += len(created)
			if err != nil {
				return n, err
			}
			if err := s.settle(ctx, se, created, now); err != nil {
				return n, err
			}
		}
		if !more {
			return n, nil
		}
		p.After = list[len(list)-1].ID
	}
}

// settle runs after an extension created shifts of a series, which may have
// changed meanwhile (it is re-read): the shifts of an ended series, or beyond the
// end a split gave it, are removed again; those made from an older template are
// refitted to the current one. ChangeSeries writes the series before its last
// look at the shifts (and refits what it finds), so a shift a racing extension
// creates is seen by one side or the other.
func (s *Service) settle(ctx context.Context, read *Series, created []*Shift, now time.Time) error {
	if len(created) == 0 {
		return nil
	}
	se, err := s.store.SeriesByID(ctx, read.ID)
	if err != nil {
		return err
	}
	for _, sh := range created {
		switch {
		case se.Status == SeriesEnded || (!se.Until.IsZero() && sh.Occurrence.After(se.Until)):
			if _, err := s.removeOccurrence(ctx, "series", sh, "series_ended"); err != nil {
				return err
			}
		case !se.UpdatedAt.Equal(read.UpdatedAt):
			fresh, err := s.store.ShiftByID(ctx, sh.ID)
			if errors.Is(err, apperr.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if err := s.refit(ctx, se, fresh, "series", now); err != nil {
				return err
			}
		}
	}
	return nil
}

// refit brings a scheduled occurrence of the series, not detached and not
// started, to the series' current template and times, or removes it when the
// current rule has no occurrence that day. A booked one keeps its times and its
// volunteers (who are notified of the change); all in one unit.
func (s *Service) refit(ctx context.Context, se *Series, sh *Shift, by string, now time.Time) error {
	if sh.SeriesID != se.ID || sh.Status != StatusScheduled || sh.Detached || !sh.StartsAt.After(now) {
		return nil
	}
	midnight := localAt(sh.Occurrence, "00:00", s.loc)
	if days, err := occurrenceDays(se, midnight, midnight.Add(24*time.Hour), s.loc); err != nil {
		return err
	} else if len(days) == 0 {
		_, err := s.removeOccurrence(ctx, by, sh, "series_changed")
		return err
	}
	_, err := s.fitOccurrence(ctx, se, sh.ID, se.ID, by, now)
	return err
}

// fitOccurrence sets an occurrence to its series' template and times (and moves
// it to se from the series it belonged to, when split) in one unit, keeping what
// its holdings forbid changing: a booked shift keeps its times and windows, and
// its places never drop below its bookings. An occurrence no longer scheduled,
// detached, started, or of se or from, is left alone. It returns the shift as
// changed, nil when nothing changed.
func (s *Service) fitOccurrence(ctx context.Context, se *Series, shiftID, from, by string, now time.Time) (*Shift, error) {
	var (
		out  *Shift
		stay []*Booking
	)
	ch, err := s.transact(ctx, shiftID, func(ctx context.Context, t *tx) error {
		out, stay = nil, nil
		cur := t.shift
		if cur.SeriesID != se.ID && cur.SeriesID != from {
			return nil
		}
		if cur.Status != StatusScheduled || cur.Detached || !cur.StartsAt.After(now) {
			return nil
		}
		want := *cur
		want.SeriesID = se.ID
		s.fill(&want, se, localAt(cur.Occurrence, se.StartTime, s.loc))
		if len(t.booked) > 0 {
			want.StartsAt, want.EndsAt, want.SignupOpensAt, want.CancelDeadline = cur.StartsAt, cur.EndsAt, cur.SignupOpensAt, cur.CancelDeadline
		}
		if len(t.booked) > want.Places {
			want.Places = cur.Places
		}
		if want.SeriesID == cur.SeriesID && want.Title == cur.Title && want.Role == cur.Role && want.Places == cur.Places && want.Notes == cur.Notes &&
			want.QualificationCourseID == cur.QualificationCourseID && want.StartsAt.Equal(cur.StartsAt) && want.EndsAt.Equal(cur.EndsAt) &&
			want.SignupOpensAt.Equal(cur.SignupOpensAt) && want.CancelDeadline.Equal(cur.CancelDeadline) {
			return nil
		}
		want.UpdatedAt = now
		t.setShift(&want)
		t.record("", EventShiftChanged, 0, by, "series_changed")
		out, stay = &want, t.h.Bookings
		return t.fill(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("refit shift %s: %w", shiftID, err)
	}
	s.announce(ctx, ch, stay)
	return out, nil
}

// managedSeries loads a series of the caller's wards; others are not found.
func (s *Service) managedSeries(ctx context.Context, c identity.Caller, id string) (*Series, error) {
	se, err := s.store.SeriesByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !manages(c, se.WardID) {
		if c.IsStaff() {
			return nil, fmt.Errorf("series %s: %w", id, apperr.ErrNotFound)
		}
		return nil, apperr.ErrForbidden
	}
	return se, nil
}

// CentreSeries lists the series of a centre of the caller's wards, by ID.
func (s *Service) CentreSeries(ctx context.Context, c identity.Caller, centreID string, p page.Request) ([]*Series, string, error) {
	centre, err := s.centres.ActiveCentre(ctx, centreID)
	if err != nil {
		return nil, "", err
	}
	if !manages(c, centre.WardID) {
		if c.IsStaff() {
			return nil, "", fmt.Errorf("centre %s: %w", centreID, apperr.ErrNotFound)
		}
		return nil, "", apperr.ErrForbidden
	}
	list, err := s.store.ListSeries(ctx, SeriesFilter{CentreID: centreID}, p)
	if err != nil {
		return nil, "", fmt.Errorf("list series: %w", err)
	}
	list, next := page.Cut(list, p, func(se *Series) string { return se.ID })
	return list, next, nil
}

// SeriesDetail returns a series of the caller's wards with its shifts from today on.
func (s *Service) SeriesDetail(ctx context.Context, c identity.Caller, id string) (*Series, []*Shift, error) {
	se, err := s.managedSeries(ctx, c, id)
	if err != nil {
		return nil, nil, err
	}
	shifts, err := s.store.ShiftsOfSeries(ctx, id, localDay(s.timestamp(), s.loc))
	if err != nil {
		return nil, nil, err
	}
	return se, shifts, nil
}

// fromOccurrence resolves a series' from_shift_id: the local day it starts at.
func (s *Service) fromOccurrence(ctx context.Context, se *Series, shiftID string, now time.Time) (time.Time, error) {
	if shiftID == "" {
		return localDay(now, s.loc), nil
	}
	sh, err := s.store.ShiftByID(ctx, shiftID)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && sh.SeriesID != se.ID) {
		return time.Time{}, apperr.Invalid("from_shift_id", "not_in_series", "Ca trực không thuộc chuỗi này.", "The shift is not an occurrence of this series.")
	} else if err != nil {
		return time.Time{}, err
	}
	if !sh.StartsAt.After(now) {
		return time.Time{}, errStarted
	}
	return sh.Occurrence, nil
}

var countRE = regexp.MustCompile(`COUNT=\d+`)

// ChangeSeries changes a series' template, times or rule: the whole series (its
// future occurrences that have not started and were not changed on their own), or
// with p.FromShiftID, that occurrence and the following ones, splitting the series
// there. Every affected occurrence is checked before anything is written: one with
// bookings cannot change its times or be dropped by a new rule (shift_booked), nor
// lose a taken place (places_below_booked). Dropped occurrences without history
// are deleted, others cancelled; new days are created.
func (s *Service) ChangeSeries(ctx context.Context, c identity.Caller, id string, p SeriesPlan) (*SeriesResult, error) {
	se, err := s.managedSeries(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if se.Status != SeriesActive {
		return nil, errSeriesEnded
	}
	now := s.timestamp()
	centre, err := s.centres.ActiveCentre(ctx, se.CentreID)
	if err != nil {
		return nil, err
	}
	from, err := s.fromOccurrence(ctx, se, p.FromShiftID, now)
	if err != nil {
		return nil, err
	}
	split := p.FromShiftID != "" && from.After(se.FirstDate)
	ns, err := s.changedSeries(ctx, c, se, p, from, split, now)
	if err != nil {
		return nil, err
	}
	plan, err := s.checkSeriesChange(ctx, se, ns, centre, from, now)
	if err != nil {
		return nil, err
	}
	if err := s.writeSeriesChange(ctx, se, ns, plan.moves, split, from, c.UserID, now); err != nil {
		return nil, err
	}
	res := &SeriesResult{Series: ns, Skipped: plan.skipped}
	if err := s.applySeriesChange(ctx, se, ns, plan, c.UserID, now, res); err != nil {
		return nil, err
	}
	created, skipped, err := s.materialise(ctx, ns, centre, now)
	if err != nil {
		return nil, err
	}
	res.Created, res.Skipped = created, append(res.Skipped, skipped...)
	if err := s.refitSince(ctx, ns, from, c.UserID, now); err != nil {
		return nil, err
	}
	return res, nil
}

// changedSeries is the series as the change makes it, not yet written: on a
// split, a new series (new ID, starting at from, created by the caller) that goes
// on with the old rule unless p gives one; otherwise the series itself. The plan
// is set on it and validated as on a create.
func (s *Service) changedSeries(ctx context.Context, c identity.Caller, se *Series, p SeriesPlan, from time.Time, split bool, now time.Time) (*Series, error) {
	ns := *se
	if split {
		ns.ID, ns.FirstDate, ns.CreatedBy, ns.CreatedAt = uuid.Must(uuid.NewV7()).String(), from, c.UserID, now
		if p.Rule == "" {
			rule, err := s.ruleFrom(se, from)
			if err != nil {
				return nil, err
			}
			ns.Rule = rule
		}
	}
	ns.UpdatedAt = now
	if err := s.planSeries(ctx, &ns, p, now); err != nil {
		return nil, err
	}
	return &ns, nil
}

// ruleFrom is the series' rule going on from a split at the local day from: the
// same rule, but a COUNT counts only the occurrences left (so the two series
// together keep the count). A count used up before from has ended the series.
func (s *Service) ruleFrom(se *Series, from time.Time) (string, error) {
	opt, _, err := ParseRule(se.Rule, s.loc)
	if err != nil {
		return "", err
	}
	if opt.Count <= 0 {
		return se.Rule, nil
	}
	r, err := seriesRule(se, s.loc)
	if err != nil {
		return "", err
	}
	done := len(r.Between(r.GetDTStart(), localAt(from, "00:00", s.loc), true))
	if opt.Count-done < 1 {
		return "", errSeriesEnded
	}
	return countRE.ReplaceAllString(se.Rule, "COUNT="+strconv.Itoa(opt.Count-done)), nil
}

// seriesChange is what a series change does to the existing occurrences from the
// change on, decided before anything is written.
type seriesChange struct {
	fits    []*Shift  // scheduled occurrences the new series keeps: refitted to it
	drops   []*Shift  // scheduled occurrences it no longer has: deleted or cancelled
	moves   []*Shift  // cancelled or detached ones: left alone, only moved on a split
	skipped []Skipped // the drops that fall outside the centre's hours
}

// checkSeriesChange reads the occurrences of se from the local day from on and
// sorts those not started by what the changed series ns does to them. It refuses
// the whole change (shift_booked, places_below_booked) at the first booked
// occurrence the change would move, drop or shrink below its bookings.
func (s *Service) checkSeriesChange(ctx context.Context, se, ns *Series, centre *directory.Centre, from, now time.Time) (*seriesChange, error) {
	shifts, err := s.store.ShiftsOfSeries(ctx, se.ID, from)
	if err != nil {
		return nil, err
	}
	keep, err := s.keptDays(ns, shifts, from, now)
	if err != nil {
		return nil, err
	}
	plan := &seriesChange{}
	for _, sh := range shifts {
		if !sh.StartsAt.After(now) {
			continue
		}
		if sh.Status != StatusScheduled || sh.Detached {
			plan.moves = append(plan.moves, sh)
			continue
		}
		bs, err := s.store.Bookings(ctx, sh.ID)
		if err != nil {
			return nil, err
		}
		day := sh.Occurrence.In(s.loc).Format("02/01/2006")
		upd := *sh
		upd.SeriesID, upd.UpdatedAt = ns.ID, now
		s.fill(&upd, ns, localAt(sh.Occurrence, ns.StartTime, s.loc))
		drop := !keep[sh.Occurrence]
		if !drop {
			if e := s.checkHours(centre, &upd); e != nil {
				drop = true
				plan.skipped = append(plan.skipped, Skipped{Day: sh.Occurrence, Code: e.Code, Reason: e})
			}
		}
		switch {
		case len(bs) > 0 && (drop || !upd.StartsAt.Equal(sh.StartsAt) || !upd.EndsAt.Equal(sh.EndsAt)):
			return nil, &apperr.Error{Code: CodeShiftBooked,
				Vi: "Ca trực ngày " + day + " đã có người đăng ký nên không thể đổi giờ hoặc bỏ; không có thay đổi nào được lưu.",
				En: "The shift of " + day + " has bookings, so its times cannot change nor can it be dropped; nothing was changed."}
		case len(bs) > upd.Places:
			return nil, placesBelowBooked(len(bs), upd.Places, day)
		case drop:
			plan.drops = append(plan.drops, sh)
		default:
			plan.fits = append(plan.fits, sh)
		}
	}
	return plan, nil
}

// keptDays is the set of local days from from on that the changed series ns has
// an occurrence on. The new rule is asked about every existing occurrence, also
// those beyond a shortened horizon (they stay when the rule keeps them).
func (s *Service) keptDays(ns *Series, shifts []*Shift, from, now time.Time) (map[time.Time]bool, error) {
	to := horizon(ns, now)
	if n := len(shifts); n > 0 && !shifts[n-1].StartsAt.Before(to) {
		to = shifts[n-1].Occurrence.Add(48 * time.Hour)
	}
	days, err := occurrenceDays(ns, localAt(from, "00:00", s.loc), to, s.loc)
	if err != nil {
		return nil, err
	}
	keep := make(map[time.Time]bool, len(days))
	for _, d := range days {
		keep[d] = true
	}
	return keep, nil
}

// writeSeriesChange writes the series before its shifts, so that the hourly
// extension follows the new rule: on a split, the new series, the old one ended
// the day before from, and the occurrences left alone (moves) moved to the new
// one; otherwise the changed series in place of the old.
func (s *Service) writeSeriesChange(ctx context.Context, se, ns *Series, moves []*Shift, split bool, from time.Time, by string, now time.Time) error {
	if !split {
		if err := s.store.UpdateSeries(ctx, ns); err != nil {
			return fmt.Errorf("change series: %w", err)
		}
		return nil
	}
	if err := s.store.CreateSeries(ctx, ns); err != nil {
		return fmt.Errorf("split series: %w", err)
	}
	old := *se
	old.Until, old.UpdatedAt = from.Add(-24*time.Hour), now
	if err := s.store.UpdateSeries(ctx, &old); err != nil {
		return fmt.Errorf("split series: %w", err)
	}
	for _, sh := range moves {
		if err := s.moveOccurrence(ctx, sh.ID, se.ID, ns.ID, by, now); err != nil {
			return err
		}
	}
	return nil
}

// applySeriesChange refits the kept occurrences to the changed series ns and
// removes the dropped ones, adding them to res. Each occurrence changes in a unit
// of its own, on its holdings as they are then: one booked since the checks keeps
// its times and places.
func (s *Service) applySeriesChange(ctx context.Context, se, ns *Series, plan *seriesChange, by string, now time.Time, res *SeriesResult) error {
	for _, sh := range plan.fits {
		upd, err := s.fitOccurrence(ctx, ns, sh.ID, se.ID, by, now)
		if err != nil {
			return err
		}
		if upd != nil {
			res.Changed = append(res.Changed, upd)
		}
	}
	for _, sh := range plan.drops {
		deleted, err := s.removeOccurrence(ctx, by, sh, "series_changed")
		if err != nil {
			return err
		}
		if deleted {
			res.Deleted++
		} else {
			res.Removed++
		}
	}
	return nil
}

// refitSince is a change's last look at the occurrences of ns from the local day
// from on: one that a racing hourly extension created from the old template is
// refitted (the extension refits it too if it comes later).
func (s *Service) refitSince(ctx context.Context, ns *Series, from time.Time, by string, now time.Time) error {
	after, err := s.store.ShiftsOfSeries(ctx, ns.ID, from)
	if err != nil {
		return err
	}
	for _, sh := range after {
		if err := s.refit(ctx, ns, sh, by, now); err != nil {
			return err
		}
	}
	return nil
}

// CancelSeries cancels the series' future occurrences (with fromShiftID, that one
// and the following) as CancelShift does, and ends the series there so that it
// materialises no more. It returns the series and the shifts it cancelled.
func (s *Service) CancelSeries(ctx context.Context, c identity.Caller, id, reason, fromShiftID string) (*Series, []*Shift, error) {
	se, err := s.managedSeries(ctx, c, id)
	if err != nil {
		return nil, nil, err
	}
	if se.Status != SeriesActive {
		return nil, nil, errSeriesEnded
	}
	now := s.timestamp()
	from, err := s.fromOccurrence(ctx, se, fromShiftID, now)
	if err != nil {
		return nil, nil, err
	}
	if fromShiftID == "" || !from.After(se.FirstDate) {
		se.Status = SeriesEnded
	} else {
		se.Until = from.Add(-24 * time.Hour)
	}
	se.UpdatedAt = now
	if err := s.store.UpdateSeries(ctx, se); err != nil {
		return nil, nil, fmt.Errorf("end series: %w", err)
	}
	shifts, err := s.store.ShiftsOfSeries(ctx, id, from)
	if err != nil {
		return nil, nil, err
	}
	var cancelled []*Shift
	for _, sh := range shifts {
		if sh.Status != StatusScheduled || !sh.StartsAt.After(now) {
			continue
		}
		var out *Shift
		ch, err := s.transact(ctx, sh.ID, func(ctx context.Context, t *tx) error {
			out = nil
			if t.shift.Status != StatusScheduled || !t.shift.StartsAt.After(s.timestamp()) {
				return nil
			}
			out = t.cancelShift(c.UserID, reason)
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("cancel shift of series: %w", err)
		}
		s.announce(ctx, ch, nil)
		if out != nil {
			cancelled = append(cancelled, out)
		}
	}
	return se, cancelled, nil
}

// RemoveSeries removes a series created by mistake: it ends the series, deletes
// its future occurrences that never had a booking, a waiter or any history, and
// cancels the others as CancelShift does. It returns how many were deleted and
// cancelled.
func (s *Service) RemoveSeries(ctx context.Context, c identity.Caller, id string) (deleted, cancelled int, err error) {
	se, err := s.managedSeries(ctx, c, id)
	if err != nil {
		return 0, 0, err
	}
	now := s.timestamp()
	se.Status, se.UpdatedAt = SeriesEnded, now
	if err := s.store.UpdateSeries(ctx, se); err != nil {
		return 0, 0, fmt.Errorf("end series: %w", err)
	}
	shifts, err := s.store.ShiftsOfSeries(ctx, id, localDay(now, s.loc))
	if err != nil {
		return 0, 0, err
	}
	for _, sh := range shifts {
		if sh.Status != StatusScheduled || !sh.StartsAt.After(now) {
			continue
		}
		gone, err := s.removeOccurrence(ctx, c.UserID, sh, "series_removed")
		if err != nil {
			return deleted, cancelled, err
		}
		if gone {
			deleted++
		} else {
			cancelled++
		}
	}
	return deleted, cancelled, nil
}

// removeOccurrence deletes an occurrence that never had a booking or a waiter,
// or cancels it (as CancelShift does), in one unit. Deleting keeps one
// "shift_deleted" event, so an occurrence made again later (same ID) goes on
// numbering its history.
func (s *Service) removeOccurrence(ctx context.Context, by string, sh *Shift, reason string) (deleted bool, err error) {
	es, err := s.store.Events(ctx, sh.ID)
	if err != nil {
		return false, err
	}
	var seen int64 // the history read; deleting needs it unchanged in the unit
	held := false
	for _, e := range es {
		seen = e.Seq
		held = held || e.VolunteerID != ""
	}
	ch, err := s.transact(ctx, sh.ID, func(ctx context.Context, t *tx) error {
		deleted = false
		if t.shift.Status != StatusScheduled || !t.shift.StartsAt.After(s.timestamp()) {
			return nil
		}
		if !held && t.h.Seq == seen && len(t.booked) == 0 && len(t.waiting) == 0 {
			t.ch.Delete, deleted = true, true
			t.record("", EventShiftDeleted, 0, by, reason)
			return nil
		}
		t.cancelShift(by, reason)
		return nil
	})
	if errors.Is(err, apperr.ErrNotFound) {
		return true, nil // deleted meanwhile
	}
	if err != nil {
		return false, fmt.Errorf("remove shift %s: %w", sh.ID, err)
	}
	s.announce(ctx, ch, nil)
	return deleted, nil
}

// moveOccurrence moves an occurrence that a series change leaves alone
// (cancelled or detached) to the new series of a split, in one unit.
func (s *Service) moveOccurrence(ctx context.Context, shiftID, from, to, by string, now time.Time) error {
	_, err := s.transact(ctx, shiftID, func(ctx context.Context, t *tx) error {
		if t.shift.SeriesID != from {
			return nil
		}
		upd := *t.shift
		upd.SeriesID, upd.UpdatedAt = to, now
		t.setShift(&upd)
		t.record("", EventShiftChanged, 0, by, "series_split")
		return nil
	})
	if err != nil {
		return fmt.Errorf("move shift %s to series %s: %w", shiftID, to, err)
	}
	return nil
}
