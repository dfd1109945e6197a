package roster

import (
	"context"
	"fmt"
	"time"

	"ecitizen/internal/apperr"
)

// On duty: whether a volunteer is working at a centre right now. Other domains
// (equipment logs, residents registered by volunteers) let a volunteer write at
// a centre only while on duty there.

// CodeNotOnDuty refuses a volunteer who is not on duty at the centre.
const CodeNotOnDuty apperr.Code = "not_on_duty"

// OnDutyMargin is how long before a shift's start and after its end a
// checked-in volunteer still counts as on duty.
const OnDutyMargin = 30 * time.Minute

// ErrNotOnDuty is the refusal of OnDuty.
var ErrNotOnDuty = &apperr.Error{Code: CodeNotOnDuty,
	Vi: "Bạn không đang trực tại nhà sinh hoạt cộng đồng này: cần điểm danh vào một ca trực tại đây và chưa điểm danh ra (từ 30 phút trước giờ bắt đầu đến 30 phút sau giờ kết thúc ca).",
	En: "You are not on duty at this centre: you need a check-in, without a check-out, on a shift here (from 30 minutes before its start to 30 minutes after its end)."}

// OnDuty returns the shift on which the volunteer is on duty at the centre at
// time at: a shift of that centre, not cancelled, that the volunteer checked in
// to and has not checked out of, with at in [start-30min, end+30min]. Otherwise
// the error is ErrNotOnDuty. When several shifts qualify, the one starting last
// is returned. It reads the volunteer's attendance rows of shifts that may
// contain at (a shift lasts 12 hours at most), without a join.
func (s *Service) OnDuty(ctx context.Context, volunteerID, centreID string, at time.Time) (*Shift, error) {
	if centreID == "" {
		return nil, ErrNotOnDuty
	}
	return s.onDuty(ctx, volunteerID, "", centreID, at, OnDutyMargin)
}

// OnDutyInWard is OnDuty with its own margin, at any centre of a ward (or at
// centreID when it is not empty; any ward when wardID is empty): progress
// records allow a volunteer 10 minutes around their shift where equipment
// allows 30. The refusal is ErrNotOnDuty, whose text names the 30-minute
// margin of OnDuty: callers with another margin give their own text.
func (s *Service) OnDutyInWard(ctx context.Context, volunteerID, wardID, centreID string, at time.Time, margin time.Duration) (*Shift, error) {
	return s.onDuty(ctx, volunteerID, wardID, centreID, at, margin)
}

// onDuty finds the shift of OnDuty and OnDutyInWard; an empty wardID or
// centreID matches any.
func (s *Service) onDuty(ctx context.Context, volunteerID, wardID, centreID string, at time.Time, margin time.Duration) (*Shift, error) {
	if volunteerID == "" {
		return nil, ErrNotOnDuty
	}
	rows, err := s.store.AttendanceOfVolunteer(ctx, HoursFilter{VolunteerID: volunteerID,
		From: at.Add(-MaxShift - margin), To: at.Add(margin + time.Millisecond)})
	if err != nil {
		return nil, fmt.Errorf("on duty: %w", err)
	}
	in, out := map[string]*Attendance{}, map[string]bool{}
	for _, a := range rows {
		switch a.Kind {
		case KindCheckin:
			in[a.ShiftID] = a
		case KindCheckout:
			out[a.ShiftID] = true
		}
	}
	var best *Attendance
	for id, a := range in {
		if out[id] || (centreID != "" && a.CentreID != centreID) || (wardID != "" && a.WardID != wardID) ||
			at.Before(a.StartsAt.Add(-margin)) || at.After(a.EndsAt.Add(margin)) {
			continue
		}
		if best == nil || a.StartsAt.After(best.StartsAt) || (a.StartsAt.Equal(best.StartsAt) && a.ShiftID > best.ShiftID) {
			best = a
		}
	}
	if best == nil {
		return nil, ErrNotOnDuty
	}
	sh, err := s.store.ShiftByID(ctx, best.ShiftID)
	if err != nil {
		return nil, fmt.Errorf("on duty: %w", err)
	}
	if sh.Status == StatusCancelled {
		return nil, ErrNotOnDuty
	}
	return sh, nil
}
