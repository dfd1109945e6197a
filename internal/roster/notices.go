package roster

import (
	"context"
	"time"

	"ecitizen/internal/page"
)

// Notifier receives the notices of rosters for volunteers (package notify stores
// them). key is an idempotency key, unique per user: a second notice with the
// same key is dropped. A failed notice never fails the action that caused it.
type Notifier interface {
	Notify(ctx context.Context, userID, kind, key string, shift *Shift) error
}

// Notice kinds.
const (
	NoticeBookingConfirmed = "booking_confirmed"
	NoticePromoted         = "promoted"
	NoticeShiftChanged     = "shift_changed"
	NoticeShiftCancelled   = "shift_cancelled"
	NoticeReminder         = "reminder"
	NoticeRemoved          = "removed"
)

// Reminders go to the volunteers of shifts starting 23 to 25 hours from now; run
// every ReminderEvery, each shift falls in that window at least once.
const (
	ReminderLead  = 24 * time.Hour
	ReminderSlack = time.Hour
	ReminderEvery = 10 * time.Minute
)

// notify sends a notice, logging a failure instead of returning it.
func (s *Service) notify(ctx context.Context, userID, kind, key string, sh *Shift) {
	if s.notifier == nil {
		return
	}
	if err := s.notifier.Notify(ctx, userID, kind, key, sh); err != nil {
		s.log.ErrorContext(ctx, "roster: notification failed", "kind", kind, "key", key, "user_id", userID, "shift_id", sh.ID, "err", err)
	}
}

// SendReminders notifies the volunteers booked on scheduled shifts starting in
// [now+23h, now+25h). Each reminder's key is "reminder:"+shift id, so running it
// again, or in several instances at once, reminds each volunteer once. It returns
// how many notices it sent (including ones already sent before).
func (s *Service) SendReminders(ctx context.Context, now time.Time) (int, error) {
	if s.notifier == nil {
		return 0, nil
	}
	from := now.UTC().Add(ReminderLead - ReminderSlack)
	shifts, err := s.store.ListShifts(ctx, ShiftFilter{Status: StatusScheduled, From: from, To: from.Add(2 * ReminderSlack)}, page.Request{})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sh := range shifts {
		bs, err := s.store.Bookings(ctx, sh.ID)
		if err != nil {
			return n, err
		}
		for _, b := range bs {
			if err := s.notifier.Notify(ctx, b.VolunteerID, NoticeReminder, "reminder:"+sh.ID, sh); err != nil {
				s.log.ErrorContext(ctx, "roster: reminder failed", "user_id", b.VolunteerID, "shift_id", sh.ID, "err", err)
				continue
			}
			n++
		}
	}
	return n, nil
}
