package roster

import (
	"context"
	"errors"
	"time"

	"ecitizen/internal/page"
)

// ErrOverlap is returned by Volunteers.Free when the volunteer already holds a
// booking that overlaps the time asked about.
var ErrOverlap = errors.New("the volunteer holds an overlapping booking")

// Store is the storage rosters need. Adapters return errors wrapping
// apperr.ErrNotFound for a missing record, apperr.ErrConflict for a taken unique
// key and apperr.ErrBusy when the store stayed contended or failing for a
// moment after its own retries.
//
// A shift's holdings (its bookings and waiting list), its history and every
// change of the shift after its creation are written only by Transact, one
// unit at a time.
type Store interface {
	CreateShift(ctx context.Context, s *Shift) error
	ShiftByID(ctx context.Context, id string) (*Shift, error)
	// ListShifts returns shifts matching f ordered by (StartsAt, ID), Limit+1 at most,
	// strictly after the page key p.After (ShiftKey).
	ListShifts(ctx context.Context, f ShiftFilter, p page.Request) ([]*Shift, error)

	// Transact runs decide on the shift's holdings and writes the change it
	// returns as one unit with its history: whatever the concurrency, a crash of
	// the process or a disconnect of the client, all of it lands or none of it
	// does, and the units of one shift are serialised. decide may run more than
	// once (see Decide). Transact returns the change written (nil when decide
	// returned none) or decide's error; a missing shift is ErrNotFound. Work
	// that was committed is finished even when ctx ends.
	Transact(ctx context.Context, shiftID string, decide Decide) (*Change, error)
	// RecoverUnits finishes the units that a crashed writer left half-applied
	// and returns how many it finished; a store whose units are transactions
	// has none. Safe to run anywhere at any time, by several instances at once.
	RecoverUnits(ctx context.Context) (int, error)

	// Bookings returns a shift's bookings ordered by Place.
	Bookings(ctx context.Context, shiftID string) ([]*Booking, error)
	Booking(ctx context.Context, shiftID, volunteerID string) (*Booking, error)
	// BookingsOfVolunteer returns a volunteer's bookings starting in [from, to),
	// ordered by StartsAt.
	BookingsOfVolunteer(ctx context.Context, volunteerID string, from, to time.Time) ([]*Booking, error)
	// Waiters returns a shift's waiting list in line (by Seq).
	Waiters(ctx context.Context, shiftID string) ([]*Waiter, error)
	// WaitingOf returns a volunteer's entries on every shift's waiting list, in
	// the order they joined (by JoinedAt).
	WaitingOf(ctx context.Context, volunteerID string) ([]*Waiter, error)
	// WaitingShifts returns the IDs of the shifts that have a waiting list.
	WaitingShifts(ctx context.Context) ([]string, error)
	// Events returns a shift's history by Seq.
	Events(ctx context.Context, shiftID string) ([]*Event, error)

	CalendarStore
	AttendanceStore
	OrganisationMinutesStore
	NoShowStore
	SeriesStore
}

// SeriesStore is the storage of recurring shift series. A series' shifts are
// shifts (Store.CreateShift, then Transact); (SeriesID, Occurrence) is unique
// among them, and their IDs are derived from the series lineage and the day, so
// a second insert of one occurrence is apperr.ErrConflict.
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
