package equipment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
	"ecitizen/internal/vntext"
)

// NewUsage is what a volunteer on duty, or ward staff, give to record a session
// of use of a device.
type NewUsage struct {
	DeviceID  string
	From, To  time.Time
	Purpose   Purpose
	Procedure string
	Note      string
}

// LogUsage records a session of use of a device of the centre. Volunteers must be
// on duty at the centre now (roster.ErrNotOnDuty otherwise), and the session must
// overlap their shift (with its 30-minute margins) and start at most 7 days ago;
// admins and the ward's staff record sessions starting up to a year ago. Every
// session ends at most 5 minutes from now, lasts 12 hours at most, and uses a
// device of that centre that is not retired and has no overlapping session.
func (s *Service) LogUsage(ctx context.Context, c identity.Caller, centreID string, n NewUsage) (*Usage, error) {
	centre, err := s.centres.ActiveCentre(ctx, centreID)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	u := &Usage{ID: uuid.Must(uuid.NewV7()).String(), DeviceID: n.DeviceID, CentreID: centre.ID, WardID: centre.WardID,
		From: n.From.UTC().Truncate(time.Millisecond), To: n.To.UTC().Truncate(time.Millisecond), Purpose: n.Purpose,
		Procedure: n.Procedure, Note: n.Note, RecordedBy: c.UserID, CreatedAt: now}
	lookback := StaffLookback
	switch {
	case c.HasWard(centre.WardID):
	case c.Role == identity.RoleVolunteer:
		sh, err := s.duty.OnDuty(ctx, c.UserID, centre.ID, now)
		if err != nil {
			return nil, err
		}
		u.ShiftID, lookback = sh.ID, VolunteerLookback
		if err := u.Validate(); err != nil {
			return nil, err
		}
		// The session overlaps the shift's on-duty window.
		if !u.From.Before(sh.EndsAt.Add(roster.OnDutyMargin)) || !sh.StartsAt.Add(-roster.OnDutyMargin).Before(u.To) {
			return nil, apperr.Invalid("from", "outside_shift",
				"Lượt sử dụng phải nằm trong ca trực của bạn (từ 30 phút trước giờ bắt đầu đến 30 phút sau giờ kết thúc).",
				"The session must overlap your shift (from 30 minutes before its start to 30 minutes after its end).")
		}
	case c.Role == identity.RoleWardStaff:
		return nil, fmt.Errorf("centre %s: %w", centreID, apperr.ErrNotFound)
	default:
		return nil, apperr.ErrForbidden
	}
	if err := s.checkUsage(ctx, u, centre, now, lookback); err != nil {
		return nil, err
	}
	if err := s.store.AddUsage(ctx, u); err != nil {
		if errors.Is(err, ErrInUse) {
			return nil, errInUse
		}
		return nil, fmt.Errorf("log usage: %w", err)
	}
	return u, nil
}

// checkUsage checks a usage's fields, its times against now, and its device.
func (s *Service) checkUsage(ctx context.Context, u *Usage, centre *directory.Centre, now time.Time, lookback time.Duration) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.To.After(now.Add(FutureSlack)) {
		return apperr.Invalid("to", "future", "Thời điểm kết thúc không được ở tương lai.", "The end is not in the future.")
	}
	if u.From.Before(now.Add(-lookback)) {
		if lookback == VolunteerLookback {
			return apperr.Invalid("from", "too_old", "Tình nguyện viên ghi lượt sử dụng bắt đầu trong 7 ngày qua.", "Volunteers record sessions that started within the last 7 days.")
		}
		return apperr.Invalid("from", "too_old", "Lượt sử dụng bắt đầu trong vòng một năm qua.", "A session started within the last year.")
	}
	d, err := s.store.DeviceByID(ctx, u.DeviceID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	if err != nil || d.CentreID != centre.ID {
		return apperr.Invalid("device_id", "unknown_device", "Nhà sinh hoạt cộng đồng này không có thiết bị với mã này.", "This centre has no device with this id.")
	}
	if d.Status == StatusRetired {
		return errRetired
	}
	return nil
}

// Totals of usage: sessions and minutes, per purpose and per device.
type Totals struct {
	Sessions  int
	Minutes   int
	ByPurpose []PurposeTotal // one line per purpose, in Purposes order
	ByDevice  []DeviceTotal  // devices used in the range, by label
}

// PurposeTotal is the usage of one purpose.
type PurposeTotal struct {
	Purpose  Purpose
	Sessions int
	Minutes  int
}

// DeviceTotal is the usage of one device.
type DeviceTotal struct {
	DeviceID string
	Label    string
	Sessions int
	Minutes  int
}

// Report is a page of a centre's usage log with the totals of the whole range.
type Report struct {
	CentreID string
	From, To time.Time
	Items    []*Usage
	Next     string
	Totals   Totals
}

// UsageReport returns a centre's sessions of use starting in [from, to) (a page
// of them, ordered by start) and their totals over the whole range, for admins
// and the staff of the centre's ward. Voided sessions are listed (with their
// void) but not counted.
func (s *Service) UsageReport(ctx context.Context, c identity.Caller, centreID string, from, to time.Time, p page.Request) (*Report, error) {
	centre, err := s.managedCentre(ctx, c, centreID)
	if err != nil {
		return nil, err
	}
	if !to.After(from) || to.Sub(from) > MaxRange {
		return nil, apperr.Invalid("to", "range", "Khoảng thời gian từ from đến to dài tối đa 366 ngày.", "The range from..to is positive and 366 days at most.")
	}
	f := UsageFilter{CentreID: centre.ID, From: from, To: to}
	items, err := s.store.ListUsage(ctx, f, p)
	if err != nil {
		return nil, fmt.Errorf("usage log: %w", err)
	}
	items, next := page.Cut(items, p, UsageKey)
	all, err := s.store.ListUsage(ctx, f, page.Request{})
	if err != nil {
		return nil, fmt.Errorf("usage totals: %w", err)
	}
	devices, err := s.store.ListDevices(ctx, centre.ID, page.Request{})
	if err != nil {
		return nil, fmt.Errorf("usage totals: %w", err)
	}
	return &Report{CentreID: centre.ID, From: from, To: to, Items: items, Next: next, Totals: totals(all, devices)}, nil
}

// VoidUsage marks a usage recorded in error, with a reason, for admins and the
// staff of its ward (others: not found, or forbidden for other roles). A voided
// usage stays in the log but no longer counts nor blocks its device; a usage is
// voided once (usage_voided).
func (s *Service) VoidUsage(ctx context.Context, c identity.Caller, id, reason string) (*Usage, error) {
	if !c.IsStaff() {
		return nil, apperr.ErrForbidden
	}
	u, err := s.store.UsageByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.HasWard(u.WardID) {
		return nil, fmt.Errorf("usage %s: %w", id, apperr.ErrNotFound)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxNote {
		return nil, apperr.Invalid("reason", "length", "Lý do từ 1 đến 500 ký tự.", "A reason has 1 to 500 characters.")
	}
	if u.Void != nil {
		return nil, errVoided
	}
	v := &Void{UsageID: u.ID, Reason: reason, By: c.UserID, At: s.timestamp()}
	if err := s.store.VoidUsage(ctx, v); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil, errVoided
		}
		return nil, fmt.Errorf("void usage: %w", err)
	}
	u.Void = v
	return u, nil
}

// totals sums sessions and minutes per purpose and per device; voided usage
// does not count.
func totals(us []*Usage, devices []*Device) Totals {
	labels := map[string]*Device{}
	for _, d := range devices {
		labels[d.ID] = d
	}
	t := Totals{}
	byPurpose := map[Purpose]*PurposeTotal{}
	for _, p := range Purposes {
		t.ByPurpose = append(t.ByPurpose, PurposeTotal{Purpose: p})
	}
	for i := range t.ByPurpose {
		byPurpose[t.ByPurpose[i].Purpose] = &t.ByPurpose[i]
	}
	byDevice := map[string]*DeviceTotal{}
	for _, u := range us {
		if u.Void != nil {
			continue
		}
		m := u.Minutes()
		t.Sessions++
		t.Minutes += m
		if pt := byPurpose[u.Purpose]; pt != nil {
			pt.Sessions++
			pt.Minutes += m
		}
		dt := byDevice[u.DeviceID]
		if dt == nil {
			dt = &DeviceTotal{DeviceID: u.DeviceID}
			if d := labels[u.DeviceID]; d != nil {
				dt.Label = d.Label
			}
			byDevice[u.DeviceID] = dt
		}
		dt.Sessions++
		dt.Minutes += m
	}
	t.ByDevice = []DeviceTotal{}
	for _, dt := range byDevice {
		t.ByDevice = append(t.ByDevice, *dt)
	}
	slices.SortFunc(t.ByDevice, func(a, b DeviceTotal) int {
		if c := strings.Compare(vntext.Key(a.Label), vntext.Key(b.Label)); c != 0 {
			return c
		}
		return strings.Compare(a.DeviceID, b.DeviceID)
	})
	return t
}
