package storetest

import (
	"context"
	"testing"
	"time"

	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// Roster fixtures, in the style of fixtures_test.go.

func shiftKey(s *roster.Shift) string { return roster.ShiftKey(s) }

// rosterWorld is what shifts reference: a ward, a community centre in it, and a
// partner organisation with a course that can qualify volunteers.
type rosterWorld struct {
	org      *directory.Organisation
	ward     *directory.Ward
	centre   *directory.Centre
	courseID string
}

func mkRosterWorld(t testing.TB, st store.Store) *rosterWorld {
	t.Helper()
	org := mkOrganisation(t, st)
	c, _ := mkCourse(t, st, org.ID)
	w := mkWard(t, st, "R"+newID(t)[24:])
	return &rosterWorld{org: org, ward: w, centre: mkCentre(t, st, w.ID), courseID: c.ID}
}

// newShift builds a scheduled two-hour guide shift with 5 places at the world's
// centre, starting at start, with the default sign-up opening and cancel deadline.
func newShift(t testing.TB, w *rosterWorld, start time.Time, opts ...func(*roster.Shift)) *roster.Shift {
	ts := now()
	s := &roster.Shift{
		ID: newID(t), CentreID: w.centre.ID, WardID: w.ward.ID,
		Title: "Hướng dẫn dịch vụ công trực tuyến", Role: roster.RoleGuide,
		StartsAt: start, EndsAt: start.Add(2 * time.Hour), Places: 5,
		Notes:          "Mang theo thẻ tình nguyện viên.",
		SignupOpensAt:  start.Add(-roster.DefaultSignupLead),
		CancelDeadline: start.Add(-roster.DefaultCancelDeadline),
		Status:         roster.StatusScheduled, CreatedBy: "staff-1", CreatedAt: ts, UpdatedAt: ts,
	}
	for _, f := range opts {
		f(s)
	}
	return s
}

func mkShift(t testing.TB, st store.Store, w *rosterWorld, start time.Time, opts ...func(*roster.Shift)) *roster.Shift {
	t.Helper()
	s := newShift(t, w, start, opts...)
	must(t, st.CreateShift(t.Context(), s))
	return s
}

// lasting sets a shift's duration.
func lasting(d time.Duration) func(*roster.Shift) {
	return func(s *roster.Shift) { s.EndsAt = s.StartsAt.Add(d) }
}

// withPlaces sets a shift's number of places.
func withPlaces(n int) func(*roster.Shift) {
	return func(s *roster.Shift) { s.Places = n }
}

// mkVolunteer stores a volunteer of the world's organisation.
func mkVolunteer(t testing.TB, st store.Store, w *rosterWorld) *identity.User {
	t.Helper()
	return mkUser(t, st, member(identity.RoleVolunteer, w.org.ID))
}

// newBooking builds a booking of place on s by the volunteer, with the shift's times.
func newBooking(s *roster.Shift, place int, volunteerID string) *roster.Booking {
	return &roster.Booking{
		ShiftID: s.ID, Place: place, VolunteerID: volunteerID,
		StartsAt: s.StartsAt, EndsAt: s.EndsAt, BookedBy: volunteerID, BookedAt: now(),
	}
}

func mkBooking(t testing.TB, st store.Store, s *roster.Shift, place int, volunteerID string) *roster.Booking {
	t.Helper()
	b := newBooking(s, place, volunteerID)
	must(t, book(t.Context(), st, b))
	return b
}

// book writes a booking as one unit (roster.PutBooking): the store's keys and
// the overlap check decide.
func book(ctx context.Context, st store.Store, b *roster.Booking) error {
	return roster.PutBooking(ctx, st, b, roster.EventBooked)
}

// unbook frees a volunteer's place as one unit.
func unbook(ctx context.Context, st store.Store, shiftID, volunteerID string) error {
	return roster.DropBooking(ctx, st, shiftID, volunteerID, "test")
}

// mkWaiter puts a volunteer at the end of a shift's line as one unit.
func mkWaiter(t testing.TB, st store.Store, shiftID, volunteerID string) *roster.Waiter {
	t.Helper()
	w, err := roster.PutWaiter(t.Context(), st, shiftID, volunteerID, now())
	must(t, err)
	return w
}
