package roster

import (
	"context"
	"errors"
	"time"

	"ecitizen/internal/page"
)

// ErrOverlap is returned by Store.Book when the volunteer already holds a booking
// that overlaps the new one.
var ErrOverlap = errors.New("the volunteer holds an overlapping booking")

// Store is the storage rosters need. Adapters return errors wrapping
// apperr.ErrNotFound for a missing record and apperr.ErrConflict for a taken unique key.
type Store interface {
	CreateShift(ctx context.Context, s *Shift) error
	ShiftByID(ctx context.Context, id string) (*Shift, error)
	// UpdateShift replaces every field but ID, CentreID, WardID, CreatedBy and CreatedAt.
	UpdateShift(ctx context.Context, s *Shift) error
	// ListShifts returns shifts matching f ordered by (StartsAt, ID), Limit+1 at most,
	// strictly after the page key p.After (ShiftKey).
	ListShifts(ctx context.Context, f ShiftFilter, p page.Request) ([]*Shift, error)

	// Book inserts b unless the volunteer holds a booking overlapping [b.StartsAt,
	// b.EndsAt) (ErrOverlap). The check and the insert run inside a critical section
	// per volunteer, so two overlapping bookings requested at once never both land.
	// A taken (ShiftID, Place) or (ShiftID, VolunteerID) is apperr.ErrConflict.
	Book(ctx context.Context, b *Booking) error
	// Bookings returns a shift's bookings ordered by Place.
	Bookings(ctx context.Context, shiftID string) ([]*Booking, error)
	Booking(ctx context.Context, shiftID, volunteerID string) (*Booking, error)
	// CancelBooking deletes a booking; a missing one is ErrNotFound. Exactly one of
	// several concurrent cancellations of one booking succeeds.
	CancelBooking(ctx context.Context, shiftID, volunteerID string) error
	// BookingsOfVolunteer returns a volunteer's bookings starting in [from, to),
	// ordered by StartsAt.
	BookingsOfVolunteer(ctx context.Context, volunteerID string, from, to time.Time) ([]*Booking, error)

	// AddWaiter appends a volunteer to a shift's waiting list; a second entry for the
	// same volunteer is ErrConflict.
	AddWaiter(ctx context.Context, w *Waiter) error
	// Waiters returns a shift's waiting list in arrival order (by ID).
	Waiters(ctx context.Context, shiftID string) ([]*Waiter, error)
	// WaitingOf returns a volunteer's entries on every shift's waiting list, in
	// the order they joined (by ID).
	WaitingOf(ctx context.Context, volunteerID string) ([]*Waiter, error)
	// RemoveWaiter deletes an entry; a missing one is ErrNotFound. Exactly one of
	// several concurrent removals of one entry succeeds: promotion claims a waiter
	// by removing it.
	RemoveWaiter(ctx context.Context, shiftID, volunteerID string) error

	// AddEvent appends a line of booking history.
	AddEvent(ctx context.Context, e *Event) error
	// Events returns a shift's history, oldest first.
	Events(ctx context.Context, shiftID string) ([]*Event, error)

	CalendarStore
	AttendanceStore
	OrganisationMinutesStore
	NoShowStore
	SeriesStore
}

// SeriesStore is the storage of recurring shift series. A series' shifts are
// shifts (Store.CreateShift); (SeriesID, Occurrence) is unique among them, and
// their IDs are derived from the series lineage and the day, so a second insert of
// one occurrence is apperr.ErrConflict.
type SeriesStore interface {
	CreateSeries(ctx context.Context, se *Series) error
	SeriesByID(ctx context.Context, id string) (*Series, error)
	// UpdateSeries replaces Rule, FirstDate, StartTime, Minutes, Template,
	// HorizonWeeks, Until, Status and UpdatedAt.
	UpdateSeries(ctx context.Context, se *Series) error
	// ListSeries returns series matching f ordered by ID, Limit+1 at most, strictly
	// after the page key p.After (an ID); all when p.Limit is 0.
	ListSeries(ctx context.Context, f SeriesFilter, p page.Request) ([]*Series, error)
	// ShiftsOfSeries returns a series' shifts whose occurrence is on or after from,
	// ordered by Occurrence.
	ShiftsOfSeries(ctx context.Context, seriesID string, from time.Time) ([]*Shift, error)
	// DeleteShift deletes a shift that has no booking, waiter or history event;
	// one that has any is apperr.ErrConflict, a missing one ErrNotFound.
	DeleteShift(ctx context.Context, id string) error
}

// SeriesFilter selects series; empty fields match all.
type SeriesFilter struct {
	CentreID string
	Status   SeriesStatus
}

// ShiftFilter selects shifts; empty fields match all.
type ShiftFilter struct {
	CentreID string
	WardID   string
	Status   Status
	From, To time.Time // StartsAt in [From, To) when set
}

// ShiftKey is a shift's page key: its start and ID (page.TimeKey).
func ShiftKey(s *Shift) string { return page.TimeKey(s.StartsAt, s.ID) }

// OrganisationMinutesStore totals an organisation's hours in one store query,
// not one ledger read per volunteer.
type OrganisationMinutesStore interface {
	// OrganisationMinutes returns the minutes served by each user whose
	// organisation is orgID, counted exactly as in a volunteer's own ledger
	// (MinutesByVolunteer): shifts starting in [from, to), from check-in to
	// check-out capped to the shift, plus work entries dated in [from, to). Users
	// without minutes may be absent from the map.
	OrganisationMinutes(ctx context.Context, orgID string, from, to time.Time) (map[string]int, error)
}
