package seeding

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
	"ecitizen/internal/vntime"
)

// Shifts and bookings, written in batches (store.Bulk's InsertShifts and
// InsertBookings) rather than through roster.Service, which takes one request
// at a time and would check again what the seeder builds within its rules.
//
// Shifts cover the year from tomorrow (local time, Asia/Ho_Chi_Minh) at every
// seeded, active centre, inside one opening span of the day: mostly the whole span
// (08:00–11:30, 14:00–17:00), sometimes its first or last two hours. While there are
// fewer shifts than (centre, day, span) slots, a slot gets one shift at most; the
// slots, roles, titles and places (2 to 5) are drawn by a fixed-seed generator. The
// windows are the service's defaults: sign-up opens 14 days before the start, the
// cancel deadline is 3 hours before it. The ward's staff account created them.
//
// Bookings: each volunteer gets a share of them (some are keener than others),
// prefers the centres of a home ward and books elsewhere in the district when those
// are full or collide. The volunteers book in turns, planned in memory: a shift's
// places are counted and each volunteer's bookings kept by day, so no shift is
// over its places and no volunteer holds overlapping bookings; a booking takes
// the shift's lowest free place, as a unit of change does. A shift
// whose sign-up is open (it starts within 14 days) was booked by the volunteer at
// some time since it opened; a later one was assigned by ward staff, with a reason,
// as the service lets staff do outside the sign-up window. Each booking has its
// line of history ("booked" or "assigned", numbered from 1 on its shift), as
// roster.PutBooking writes it. The bookings are written shift by shift in
// batches; on SQLite the batch checks each booking's place and the volunteer's
// other bookings again, and refuses the whole batch on a violation.
//
// Idempotence: when any seeded centre already has a shift, the run adds no shifts
// and no bookings, and counts the shifts of the seeded centres and the seeded
// volunteers' bookings on them as existing. (A run interrupted while writing
// shifts or bookings leaves a partial roster: seed a fresh store for a full one.)

const (
	// seedDays is how many days of shifts, from tomorrow.
	seedDays = 365
	// maxPerSlot is how many shifts one (centre, day, span) takes at most.
	maxPerSlot = 3
	// planLead is how long ago the year's plan was entered: the shifts' creation time.
	planLead = 21 * 24 * time.Hour
	// pickTries is how many shifts a volunteer tries for one booking before giving up.
	pickTries = 200
	// rosterSeed seeds the generator of shifts and bookings.
	rosterSeed = 2026
	// shiftBatch and bookingBatch are how many shifts, and about how many
	// bookings (whole shifts' worth), one batch write takes (store.Bulk).
	shiftBatch   = 2000
	bookingBatch = 4000
)

// centreRef is a seeded, active centre.
type centreRef struct {
	ID, WardID string
	Ward       int // index in wards
	Hours      directory.OpeningHours
}

// Location is Vietnam's time zone, the centres' local time.
func Location() *time.Location { return vntime.Zone }

// allShifts lists every shift matching f, page by page.
func (s *seeder) allShifts(ctx context.Context, f roster.ShiftFilter) ([]*roster.Shift, error) {
	return all(func(p page.Request) ([]*roster.Shift, string, error) {
		ss, err := s.st.ListShifts(ctx, f, p)
		if err != nil {
			return nil, "", err
		}
		ss, next := page.Cut(ss, p, roster.ShiftKey)
		return ss, next, nil
	})
}

// seedShifts plans and creates the year of shifts at the centres that have none.
func (s *seeder) seedShifts(ctx context.Context) error {
	s.fresh = nil
	if s.opt.Shifts == 0 || len(s.centres) == 0 {
		return nil
	}
	for _, c := range s.centres {
		ss, err := s.allShifts(ctx, roster.ShiftFilter{CentreID: c.ID})
		if err != nil {
			return fmt.Errorf("shifts of centre %s: %w", c.ID, err)
		}
		for _, sh := range ss {
			s.existing = append(s.existing, sh.ID)
		}
	}
	if n := len(s.existing); n > 0 {
		s.res.Shifts.Existing = n
		fmt.Fprintf(s.opt.Log, "seed: the centres already have %d shifts: no shifts or bookings added\n", n)
		return nil
	}
	creators, err := s.wardStaffIDs(ctx)
	if err != nil {
		return err
	}
	shifts, err := planShifts(s.centres, s.opt.Shifts, creators, time.Now())
	if err != nil {
		return err
	}
	for from := 0; from < len(shifts); from += shiftBatch {
		batch := shifts[from:min(from+shiftBatch, len(shifts))]
		if err := s.st.InsertShifts(ctx, batch); err != nil {
			return fmt.Errorf("insert shifts %d to %d: %w", from, from+len(batch)-1, err)
		}
		s.res.Shifts.Created += len(batch)
		if d := from + len(batch); d%10000 == 0 || d == len(shifts) {
			fmt.Fprintf(s.opt.Log, "seed: shifts %d/%d\n", d, len(shifts))
		}
	}
	s.fresh = shifts
	return nil
}

// wardStaffIDs maps ward IDs to the user ID of their seeded staff account, or the
// acting admin's when there is none.
func (s *seeder) wardStaffIDs(ctx context.Context) (map[string]string, error) {
	ids := map[string]string{}
	for _, c := range s.centres {
		if _, ok := ids[c.WardID]; ok {
			continue
		}
		ids[c.WardID] = s.admin.UserID
		u, err := s.st.UserByEmail(ctx, identity.NormaliseEmail(StaffEmail(wards[c.Ward].Code)))
		switch {
		case err == nil && u.Role == identity.RoleWardStaff && u.Status == identity.StatusActive:
			ids[c.WardID] = u.ID
		case err != nil && !errors.Is(err, apperr.ErrNotFound):
			return nil, err
		}
	}
	return ids, nil
}

// planShifts draws n shifts over the year from the day after now at the centres,
// ordered by start; creators maps ward IDs to the user who created the shifts.
func planShifts(centres []centreRef, n int, creators map[string]string, now time.Time) ([]*roster.Shift, error) {
	loc := Location()
	y, m, d := now.In(loc).Date()
	day := func(i, minutes int) time.Time { // the local time on the i-th day from tomorrow
		return time.Date(y, m, d+1+i, minutes/60, minutes%60, 0, 0, loc)
	}
	type slot struct{ centre, day, open, close int }
	var slots []slot
	for ci, c := range centres {
		for i := range seedDays {
			for _, sp := range c.Hours.Day(day(i, 0).Weekday()) {
				open, ok1 := directory.Minutes(sp.Open)
				closing, ok2 := directory.Minutes(sp.Close)
				if ok1 && ok2 && time.Duration(closing-open)*time.Minute >= roster.MinShift {
					slots = append(slots, slot{ci, i, open, closing})
				}
			}
		}
	}
	switch {
	case len(slots) == 0:
		return nil, errors.New("the centres have no opening hours in the coming year")
	case n > maxPerSlot*len(slots):
		return nil, fmt.Errorf("%d shifts do not fit the %d opening spans of the year (%d shifts a span at most)", n, len(slots), maxPerSlot)
	}
	rng := rand.New(rand.NewPCG(rosterSeed, uint64(len(centres))))
	rng.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })

	created := now.UTC().Add(-planLead).Truncate(time.Millisecond)
	shifts := make([]*roster.Shift, 0, n)
	for i := range n {
		sl := slots[i%len(slots)]
		c := centres[sl.centre]
		from, to := sl.open, sl.close
		if to-from >= 150 { // a long span: now and then a two-hour shift at either end
			switch r := rng.IntN(20); {
			case r >= 17:
				from = to - 120
			case r >= 14:
				to = from + 120
			}
		}
		role := roster.RoleGuide
		switch r := rng.IntN(20); {
		case r >= 17:
			role = roster.RoleEquipment
		case r >= 12:
			role = roster.RoleTrainer
		}
		titles := shiftTitles[role]
		start, end := day(sl.day, from).UTC(), day(sl.day, to).UTC()
		sh := &roster.Shift{
			ID: uuid.Must(uuid.NewV7()).String(), CentreID: c.ID, WardID: c.WardID,
			Title: titles[rng.IntN(len(titles))], Role: role, StartsAt: start, EndsAt: end,
			Places: 2 + rng.IntN(4), Notes: shiftNotes[rng.IntN(len(shiftNotes))],
			SignupOpensAt: start.Add(-roster.DefaultSignupLead), CancelDeadline: start.Add(-roster.DefaultCancelDeadline),
			Status: roster.StatusScheduled, CreatedBy: creators[c.WardID], CreatedAt: created, UpdatedAt: created,
		}
		if err := sh.Validate(); err != nil {
			return nil, fmt.Errorf("planned shift at centre %s on %s: %w", c.ID, start.In(loc).Format(time.DateTime), err)
		}
		shifts = append(shifts, sh)
	}
	slices.SortFunc(shifts, func(a, b *roster.Shift) int {
		if c := a.StartsAt.Compare(b.StartsAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return shifts, nil
}

// volunteer is a seeded volunteer who books shifts.
type volunteer struct {
	n     int // VolunteerEmail(n)
	id    string
	home  int // index in wards: the ward whose centres they prefer
	quota int // bookings still to make
	// held are their bookings' times by local day (yyyymmdd), for the overlap check.
	held map[int][][2]time.Time
}

func (v *volunteer) overlaps(sh *roster.Shift, day int) bool {
	for _, t := range v.held[day] {
		if roster.Overlaps(t[0], t[1], sh.StartsAt, sh.EndsAt) {
			return true
		}
	}
	return false
}

// seededVolunteers returns the seeded volunteers that are active.
func (s *seeder) seededVolunteers(ctx context.Context) ([]*volunteer, error) {
	var vs []*volunteer
	for n := 1; n <= s.opt.Volunteers; n++ {
		u, err := s.st.UserByEmail(ctx, identity.NormaliseEmail(VolunteerEmail(n)))
		if errors.Is(err, apperr.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if u.Role == identity.RoleVolunteer && u.Status == identity.StatusActive {
			vs = append(vs, &volunteer{n: n, id: u.ID, home: (n - 1) % len(wards), held: map[int][][2]time.Time{}})
		}
	}
	return vs, nil
}

// seedBookings books the volunteers on the shifts this run created, and counts
// their bookings on the shifts that were already there.
func (s *seeder) seedBookings(ctx context.Context) error {
	if len(s.existing) == 0 && (len(s.fresh) == 0 || s.opt.Bookings == 0) {
		return nil
	}
	vols, err := s.seededVolunteers(ctx)
	if err != nil {
		return err
	}
	if len(s.existing) > 0 {
		known := make(map[string]bool, len(s.existing))
		for _, id := range s.existing {
			known[id] = true
		}
		for _, v := range vols {
			bs, err := s.st.BookingsOfVolunteer(ctx, v.id, time.Unix(0, 0).UTC(), time.Now().AddDate(3, 0, 0))
			if err != nil {
				return fmt.Errorf("bookings of %s: %w", VolunteerEmail(v.n), err)
			}
			for _, b := range bs {
				if known[b.ShiftID] {
					s.res.Bookings.Existing++
				}
			}
		}
	}
	if len(s.fresh) == 0 || s.opt.Bookings == 0 {
		return nil
	}
	if len(vols) == 0 {
		fmt.Fprintln(s.opt.Log, "seed: no active seeded volunteers: no bookings")
		return nil
	}

	// As many bookings as asked for, within the places.
	target, places := s.opt.Bookings, 0
	for _, sh := range s.fresh {
		places += sh.Places
	}
	if target > places {
		s.res.Unplaced += target - places
		target = places
	}
	// Shares: volunteers weigh 2 to 6, so the keenest book three times as often as
	// the least keen; the remainder of the division goes one each to the first.
	weights, sum := make([]int, len(vols)), 0
	for i, v := range vols {
		weights[i] = 2 + (v.n*7)%5
		sum += weights[i]
	}
	given := 0
	for i, v := range vols {
		v.quota = target * weights[i] / sum
		given += v.quota
	}
	for i := 0; given < target; i = (i + 1) % len(vols) {
		vols[i].quota++
		given++
	}

	loc := Location()
	dayOf := func(t time.Time) int {
		y, m, d := t.In(loc).Date()
		return y*10000 + int(m)*100 + d
	}
	wardOf := map[string]int{}
	for _, c := range s.centres {
		wardOf[c.WardID] = c.Ward
	}
	days := make([]int, len(s.fresh))
	byWard := make([][]int, len(wards))
	for i, sh := range s.fresh {
		days[i] = dayOf(sh.StartsAt)
		w := wardOf[sh.WardID]
		byWard[w] = append(byWard[w], i)
	}
	held := make([][]*roster.Booking, len(s.fresh)) // the planned bookings of each shift, by place
	now := time.Now().UTC().Truncate(time.Millisecond)
	rng := rand.New(rand.NewPCG(rosterSeed, 1))

	// book plans one booking for v, or reports that it found no place.
	book := func(v *volunteer) bool {
		for range pickTries {
			i := rng.IntN(len(s.fresh))
			if home := byWard[v.home]; len(home) > 0 && rng.IntN(10) < 7 {
				i = home[rng.IntN(len(home))]
			}
			sh := s.fresh[i]
			if len(held[i]) >= sh.Places || v.overlaps(sh, days[i]) {
				continue
			}
			// The shift's lowest free place, as a unit books it.
			b := &roster.Booking{ShiftID: sh.ID, Place: len(held[i]) + 1, VolunteerID: v.id, StartsAt: sh.StartsAt, EndsAt: sh.EndsAt}
			if now.Before(sh.SignupOpensAt) {
				b.BookedBy, b.Reason, b.BookedAt = sh.CreatedBy, assignReason, now
			} else {
				// Some time since sign-up opened.
				b.BookedBy = v.id
				b.BookedAt = sh.SignupOpensAt.Add(time.Duration(rng.Int64N(int64(now.Sub(sh.SignupOpensAt)) + 1))).Truncate(time.Millisecond)
			}
			held[i] = append(held[i], b)
			v.held[days[i]] = append(v.held[days[i]], [2]time.Time{sh.StartsAt, sh.EndsAt})
			return true
		}
		return false
	}
	// The volunteers book in turns, one booking each a turn.
	var (
		mine  []*volunteer
		short int
	)
	for _, v := range vols {
		if v.quota > 0 {
			mine = append(mine, v)
		}
	}
	for len(mine) > 0 {
		left := mine[:0]
		for _, v := range mine {
			if !book(v) { // nowhere left for them
				short += v.quota
				v.quota = 0
				continue
			}
			if v.quota--; v.quota > 0 {
				left = append(left, v)
			}
		}
		mine = left
	}

	// Written shift by shift, in batches: each booking with its line of history
	// ("booked" or "assigned"), numbered from 1 on its shift, as roster.PutBooking
	// writes them one unit at a time; the store checks places and overlaps again.
	var (
		bookings []*roster.Booking
		events   []*roster.Event
		made     int
		assigned int
	)
	flush := func() error {
		if len(bookings) == 0 {
			return nil
		}
		if err := s.st.InsertBookings(ctx, bookings, events); err != nil {
			return fmt.Errorf("insert bookings: %w", err)
		}
		before := made
		made += len(bookings)
		for _, e := range events {
			if e.Kind == roster.EventAssigned {
				assigned++
			}
		}
		if made/10000 > before/10000 {
			fmt.Fprintf(s.opt.Log, "seed: bookings %d/%d\n", made, target)
		}
		bookings, events = bookings[:0], events[:0]
		return nil
	}
	for i := range s.fresh {
		for _, b := range held[i] {
			kind := roster.EventBooked
			if b.Reason != "" {
				kind = roster.EventAssigned
			}
			bookings = append(bookings, b)
			events = append(events, &roster.Event{ShiftID: b.ShiftID, Seq: int64(b.Place), VolunteerID: b.VolunteerID, Kind: kind,
				Place: b.Place, By: b.BookedBy, Reason: b.Reason, At: b.BookedAt})
		}
		if len(bookings) >= bookingBatch {
			if err = flush(); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = flush()
	}
	s.res.Bookings.Created += made
	s.res.Assigned += assigned
	s.res.Unplaced += short
	fmt.Fprintf(s.opt.Log, "seed: %d bookings on %d places of %d shifts by %d volunteers\n",
		made, places, len(s.fresh), len(vols))
	return err
}
