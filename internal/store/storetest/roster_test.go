package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/apperr"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// raceOne runs f(0..n-1) at once and fails unless exactly one call returns nil and
// every other returns an error wrapping loser; it returns the winner.
func raceOne(t *testing.T, n int, loser error, f func(i int) error) int {
	t.Helper()
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("calls %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, loser):
			t.Fatalf("call %d: %v, want nil or %v", i, err, loser)
		}
	}
	if winner < 0 {
		t.Fatal("no call succeeded")
	}
	return winner
}

func TestRosterShifts(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTrip", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			plain := mkShift(t, st, w, day())
			got, err := st.ShiftByID(ctx, plain.ID)
			must(t, err)
			same(t, "shift", got, plain)

			odd := mkShift(t, st, w, day().Add(90*time.Minute+123*time.Millisecond), func(s *roster.Shift) {
				s.QualificationCourseID, s.Role, s.Notes = w.courseID, roster.RoleTrainer, ""
				s.Places, s.Status = 1, roster.StatusCancelled
				s.SignupOpensAt = s.StartsAt.Add(-time.Hour - 7*time.Millisecond)
				s.CancelDeadline = s.StartsAt
				s.UpdatedAt = s.CreatedAt.Add(1500 * time.Millisecond)
			})
			got, err = st.ShiftByID(ctx, odd.ID)
			must(t, err)
			same(t, "qualified, cancelled shift", got, odd)
		}},
		{"ErrNotFound", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			_, err := st.ShiftByID(ctx, newID(t))
			wantErr(t, err, apperr.ErrNotFound)
			for name, opt := range map[string]func(*roster.Shift){
				"Centre":   func(s *roster.Shift) { s.CentreID = newID(t) },
				"NoCentre": func(s *roster.Shift) { s.CentreID = "" },
				"Ward":     func(s *roster.Shift) { s.WardID = newID(t) },
				"Course":   func(s *roster.Shift) { s.QualificationCourseID = newID(t) },
			} {
				s := newShift(t, w, day(), opt)
				if err := st.CreateShift(ctx, s); !errors.Is(err, apperr.ErrNotFound) {
					t.Fatalf("unknown %s: error = %v, want ErrNotFound", name, err)
				}
				_, err := st.ShiftByID(ctx, s.ID)
				wantErr(t, err, apperr.ErrNotFound)
			}
			wantErr(t, roster.PutShift(ctx, st, newShift(t, w, day()), "test"), apperr.ErrNotFound)

			s := mkShift(t, st, w, day())
			wantErr(t, roster.PutShift(ctx, st, newShift(t, w, day(), func(x *roster.Shift) {
				x.ID, x.QualificationCourseID, x.Title = s.ID, newID(t), "Đổi tên"
			}), "test"), apperr.ErrNotFound)
			got, err := st.ShiftByID(ctx, s.ID)
			must(t, err)
			same(t, "shift after an update to an unknown course", got, s)
		}},
		{"ErrConflict", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			wantErr(t, st.CreateShift(ctx, newShift(t, w, day().Add(time.Hour), func(x *roster.Shift) {
				x.ID = s.ID
			})), apperr.ErrConflict)
			got, err := st.ShiftByID(ctx, s.ID)
			must(t, err)
			same(t, "shift after a conflict", got, s)
		}},
		{"UpdateShift", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			other := mkRosterWorld(t, st)

			// Everything but ID, CentreID, WardID, CreatedBy and CreatedAt.
			up := newShift(t, other, day().Add(26*time.Hour+5*time.Millisecond), lasting(45*time.Minute), func(x *roster.Shift) {
				x.ID, x.QualificationCourseID = s.ID, other.courseID
				x.Title, x.Role, x.Places, x.Notes = "Bảo trì máy tính", roster.RoleEquipment, 12, "Đổi giờ."
				x.SignupOpensAt, x.CancelDeadline = x.StartsAt.Add(-48*time.Hour), x.StartsAt.Add(-time.Hour)
				x.CreatedBy, x.CreatedAt = "someone-else", s.CreatedAt.Add(-time.Hour)
				x.Status, x.UpdatedAt = roster.StatusCancelled, s.UpdatedAt.Add(time.Minute)
			})
			must(t, roster.PutShift(ctx, st, up, "test"))
			want := *up
			want.CentreID, want.WardID = s.CentreID, s.WardID
			want.CreatedBy, want.CreatedAt = s.CreatedBy, s.CreatedAt
			got, err := st.ShiftByID(ctx, s.ID)
			must(t, err)
			same(t, "updated shift", got, &want)

			// And the qualification cleared.
			back := want
			back.QualificationCourseID, back.Status = "", roster.StatusScheduled
			back.UpdatedAt = back.UpdatedAt.Add(time.Second)
			must(t, roster.PutShift(ctx, st, &back, "test"))
			got, err = st.ShiftByID(ctx, s.ID)
			must(t, err)
			same(t, "shift without qualification", got, &back)
		}},
		{"ListFilters", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			o := mkRosterWorld(t, st)
			d := day()
			a := mkShift(t, st, w, d)
			b := mkShift(t, st, w, d.Add(24*time.Hour), func(s *roster.Shift) { s.Status = roster.StatusCancelled })
			c := mkShift(t, st, w, d.Add(48*time.Hour))
			x := mkShift(t, st, o, d.Add(12*time.Hour))
			y := mkShift(t, st, o, d.Add(36*time.Hour), func(s *roster.Shift) { s.Status = roster.StatusCancelled })
			ids := func(ss ...*roster.Shift) []string { return keys(ss, shiftKey) }
			for _, tc := range []struct {
				name string
				f    roster.ShiftFilter
				want []string
			}{
				{"all", roster.ShiftFilter{}, ids(a, x, b, y, c)},
				{"centre", roster.ShiftFilter{CentreID: w.centre.ID}, ids(a, b, c)},
				{"ward", roster.ShiftFilter{WardID: o.ward.ID}, ids(x, y)},
				{"status", roster.ShiftFilter{Status: roster.StatusCancelled}, ids(b, y)},
				{"centre and status", roster.ShiftFilter{CentreID: w.centre.ID, Status: roster.StatusScheduled}, ids(a, c)},
				{"from", roster.ShiftFilter{From: x.StartsAt}, ids(x, b, y, c)},
				{"to (exclusive)", roster.ShiftFilter{To: b.StartsAt}, ids(a, x)},
				{"from and to", roster.ShiftFilter{From: x.StartsAt.Add(time.Millisecond), To: c.StartsAt}, ids(b, y)},
				{"ward and window", roster.ShiftFilter{WardID: w.ward.ID, From: d.Add(time.Hour), To: d.Add(72 * time.Hour)}, ids(b, c)},
				{"unknown centre", roster.ShiftFilter{CentreID: newID(t)}, []string{}},
				{"operator centre", roster.ShiftFilter{CentreID: opNe}, []string{}},
				{"operator ward", roster.ShiftFilter{WardID: opNe}, []string{}},
				{"operator status", roster.ShiftFilter{Status: roster.Status(opNe)}, []string{}},
			} {
				got, err := st.ListShifts(ctx, tc.f, page.Request{Limit: 10})
				must(t, err)
				same(t, tc.name, keys(got, shiftKey), tc.want)
			}
			got, err := st.ListShifts(ctx, roster.ShiftFilter{}, page.Request{})
			must(t, err)
			same(t, "limit 0 is all", keys(got, shiftKey), ids(a, x, b, y, c))
			got, err = st.ListShifts(ctx, roster.ShiftFilter{CentreID: w.centre.ID}, page.Request{})
			must(t, err)
			same(t, "records", got, []*roster.Shift{a, b, c})
		}},
		{"ListPages", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			d := day()
			var made []*roster.Shift
			// Created out of order; three share one start and are ordered by ID.
			for _, h := range []int{5, 1, 3, 3, 0, 7, 3} {
				made = append(made, mkShift(t, st, w, d.Add(time.Duration(h)*time.Hour)))
			}
			mkShift(t, st, mkRosterWorld(t, st), d.Add(2*time.Hour)) // another centre
			want := slices.Clone(made)
			slices.SortFunc(want, func(a, b *roster.Shift) int {
				if c := a.StartsAt.Compare(b.StartsAt); c != 0 {
					return c
				}
				if a.ID < b.ID {
					return -1
				}
				return 1
			})
			f := roster.ShiftFilter{CentreID: w.centre.ID}
			got, pages := allPages(t, 3, shiftKey, func(p page.Request) ([]*roster.Shift, error) {
				return st.ListShifts(ctx, f, p)
			})
			if pages != 3 {
				t.Fatalf("pages = %d, want 3", pages)
			}
			same(t, "shifts in (StartsAt, ID) order", got, want)

			// A page after a key within the tie starts with the next ID of that start.
			got, err := st.ListShifts(ctx, f, page.Request{After: shiftKey(want[2]), Limit: 2})
			must(t, err)
			same(t, "after the first tie", keys(got, shiftKey), keys(want[3:6], shiftKey))
			got, err = st.ListShifts(ctx, f, page.Request{After: shiftKey(want[len(want)-1]), Limit: 2})
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("after the last: %s", show(got))
			}

			for _, bad := range []string{"x", "123|", "12345678901234|id", "1234567890123456|id",
				"12345678901234a|id", opGt, "-00000000000001|id"} {
				_, err := st.ListShifts(ctx, f, page.Request{After: bad, Limit: 2})
				if !errors.Is(err, errInvalid) {
					t.Fatalf("page key %q: error = %v, want an invalid cursor", bad, err)
				}
			}
		}},
	})
}

func TestRosterBookings(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTrip", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			v1, v2, v3 := mkVolunteer(t, st, w), mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			b3 := mkBooking(t, st, s, 3, v1.ID)
			b1 := newBooking(s, 1, v2.ID)
			b1.BookedBy, b1.Reason = "staff-7", "Phân công bổ sung."
			b1.BookedAt = b1.BookedAt.Add(-1234 * time.Millisecond)
			must(t, book(ctx, st, b1))
			b5 := mkBooking(t, st, s, 5, v3.ID)
			for _, want := range []*roster.Booking{b1, b3, b5} {
				got, err := st.Booking(ctx, s.ID, want.VolunteerID)
				must(t, err)
				same(t, "Booking", got, want)
			}
			all, err := st.Bookings(ctx, s.ID)
			must(t, err)
			same(t, "Bookings by place", all, []*roster.Booking{b1, b3, b5})
		}},
		{"ErrNotFound", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			v := mkVolunteer(t, st, w)
			mkBooking(t, st, s, 1, v.ID)
			_, err := st.Booking(ctx, s.ID, newID(t))
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.Booking(ctx, newID(t), v.ID)
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.Booking(ctx, s.ID, opNe)
			wantErr(t, err, apperr.ErrNotFound)

			unknown := newShift(t, w, day().Add(24*time.Hour))
			wantErr(t, book(ctx, st, newBooking(unknown, 1, v.ID)), apperr.ErrNotFound)
			wantErr(t, book(ctx, st, newBooking(s, 2, newID(t))), apperr.ErrNotFound)
			wantErr(t, unbook(ctx, st, s.ID, newID(t)), apperr.ErrNotFound)
			wantErr(t, unbook(ctx, st, newID(t), v.ID), apperr.ErrNotFound)
			wantErr(t, unbook(ctx, st, s.ID, opNe), apperr.ErrNotFound)
			for _, id := range []string{newID(t), opNe} {
				none, err := st.Bookings(ctx, id)
				must(t, err)
				if len(none) != 0 {
					t.Fatalf("bookings of shift %q: %s", id, show(none))
				}
			}
			all, err := st.Bookings(ctx, s.ID)
			must(t, err)
			if len(all) != 1 {
				t.Fatalf("bookings after failed writes: %s", show(all))
			}
		}},
		{"ErrConflict", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			later := mkShift(t, st, w, day().Add(24*time.Hour))
			v1, v2 := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			first := mkBooking(t, st, s, 1, v1.ID)
			// A taken place.
			wantErr(t, book(ctx, st, newBooking(s, 1, v2.ID)), apperr.ErrConflict)
			// A second place of the same shift: a conflict, not an overlap.
			err := book(ctx, st, newBooking(s, 2, v1.ID))
			wantErr(t, err, apperr.ErrConflict)
			if errors.Is(err, roster.ErrOverlap) {
				t.Fatalf("second place of one shift: %v, want ErrConflict only", err)
			}
			all, err := st.Bookings(ctx, s.ID)
			must(t, err)
			same(t, "bookings after conflicts", all, []*roster.Booking{first})

			// The same place and volunteer on another shift are free.
			other := mkBooking(t, st, later, 1, v1.ID)
			got, err := st.Booking(ctx, later.ID, v1.ID)
			must(t, err)
			same(t, "the volunteer's booking of another shift", got, other)
		}},
		{"Overlap", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			d := day()
			v, u := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			held := mkShift(t, st, w, d.Add(10*time.Hour)) // [10:00, 12:00)
			mine := mkBooking(t, st, held, 1, v.ID)
			for _, o := range []struct {
				name       string
				start, end time.Duration
			}{
				{"same times", 10 * time.Hour, 12 * time.Hour},
				{"starts inside", 11 * time.Hour, 13 * time.Hour},
				{"ends inside", 9 * time.Hour, 10*time.Hour + time.Millisecond},
				{"inside", 10*time.Hour + 30*time.Minute, 11*time.Hour + 30*time.Minute},
				{"around", 9 * time.Hour, 13 * time.Hour},
			} {
				s := mkShift(t, st, w, d.Add(o.start), lasting(o.end-o.start))
				err := book(ctx, st, newBooking(s, 1, v.ID))
				if !errors.Is(err, roster.ErrOverlap) || errors.Is(err, apperr.ErrConflict) {
					t.Fatalf("%s: error = %v, want ErrOverlap", o.name, err)
				}
				none, err := st.Bookings(ctx, s.ID)
				must(t, err)
				if len(none) != 0 {
					t.Fatalf("%s: stored %s", o.name, show(none))
				}
				// Another volunteer is not held by v's bookings.
				mkBooking(t, st, s, 1, u.ID)
				must(t, unbook(ctx, st, s.ID, u.ID))
			}

			// A taken key is a conflict before it is an overlap, and an unknown shift
			// is not found.
			full := mkShift(t, st, w, d.Add(11*time.Hour))
			mkBooking(t, st, full, 1, u.ID)
			err := book(ctx, st, newBooking(full, 1, v.ID))
			if !errors.Is(err, apperr.ErrConflict) || errors.Is(err, roster.ErrOverlap) {
				t.Fatalf("taken place of an overlapping shift: %v, want ErrConflict", err)
			}
			err = book(ctx, st, newBooking(newShift(t, w, d.Add(11*time.Hour)), 1, v.ID))
			if !errors.Is(err, apperr.ErrNotFound) || errors.Is(err, roster.ErrOverlap) {
				t.Fatalf("unknown overlapping shift: %v, want ErrNotFound", err)
			}

			// Adjacent shifts, one ending when the next starts, are both allowed.
			before := mkShift(t, st, w, d.Add(8*time.Hour)) // [08:00, 10:00)
			after := mkShift(t, st, w, d.Add(12*time.Hour)) // [12:00, 14:00)
			b := mkBooking(t, st, before, 1, v.ID)
			a := mkBooking(t, st, after, 2, v.ID)
			got, err := st.BookingsOfVolunteer(ctx, v.ID, d, d.Add(24*time.Hour))
			must(t, err)
			same(t, "adjacent bookings", got, []*roster.Booking{b, mine, a})

			// Once cancelled, a booking no longer holds the time.
			must(t, unbook(ctx, st, held.ID, v.ID))
			s := mkShift(t, st, w, d.Add(11*time.Hour), lasting(30*time.Minute))
			mkBooking(t, st, s, 1, v.ID)
		}},
		{"CancelBooking", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			v1, v2, v3 := mkVolunteer(t, st, w), mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			a := mkBooking(t, st, s, 1, v1.ID)
			b := mkBooking(t, st, s, 2, v2.ID)
			must(t, unbook(ctx, st, s.ID, a.VolunteerID))
			wantErr(t, unbook(ctx, st, s.ID, a.VolunteerID), apperr.ErrNotFound)
			_, err := st.Booking(ctx, s.ID, a.VolunteerID)
			wantErr(t, err, apperr.ErrNotFound)
			all, err := st.Bookings(ctx, s.ID)
			must(t, err)
			same(t, "bookings after a cancellation", all, []*roster.Booking{b})

			// The place is free for another volunteer, and the volunteer may come back.
			c := mkBooking(t, st, s, 1, v3.ID)
			back := mkBooking(t, st, s, 3, v1.ID)
			all, err = st.Bookings(ctx, s.ID)
			must(t, err)
			same(t, "bookings after booking again", all, []*roster.Booking{c, b, back})
		}},
		{"BookingsOfVolunteer", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			d := day()
			v, u := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			var mine []*roster.Booking
			for _, h := range []int{50, 2, 26, 0, 74} { // booked out of order
				s := mkShift(t, st, w, d.Add(time.Duration(h)*time.Hour))
				mine = append(mine, mkBooking(t, st, s, 2, v.ID))
				mkBooking(t, st, s, 1, u.ID)
			}
			at := func(h int) time.Time { return d.Add(time.Duration(h) * time.Hour) }
			for _, tc := range []struct {
				name     string
				from, to time.Time
				want     []*roster.Booking
			}{
				{"all", at(-1), at(100), []*roster.Booking{mine[3], mine[1], mine[2], mine[0], mine[4]}},
				{"from is inclusive", at(2), at(100), []*roster.Booking{mine[1], mine[2], mine[0], mine[4]}},
				{"to is exclusive", at(0), at(50), []*roster.Booking{mine[3], mine[1], mine[2]}},
				{"by start, not end", at(1), at(26), []*roster.Booking{mine[1]}},
				{"empty window", at(3), at(26), nil},
			} {
				got, err := st.BookingsOfVolunteer(ctx, v.ID, tc.from, tc.to)
				must(t, err)
				if len(tc.want) == 0 && len(got) == 0 {
					continue
				}
				same(t, tc.name, got, tc.want)
			}
			for _, who := range []string{newID(t), opNe} {
				none, err := st.BookingsOfVolunteer(ctx, who, at(-100), at(100))
				must(t, err)
				if len(none) != 0 {
					t.Fatalf("bookings of %q: %s", who, show(none))
				}
			}
		}},
		{"ConcurrentPlaces", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			const volunteers, places = 200, 5
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day(), withPlaces(places))
			vs := make([]string, volunteers)
			for i := range vs {
				vs[i] = mkVolunteer(t, st, w).ID
			}
			got := make([]int, volunteers) // the place a volunteer took, 0 when none
			errs := make([]error, volunteers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range volunteers {
				wg.Go(func() {
					<-start
					for p := 1; p <= places; p++ {
						err := book(ctx, st, newBooking(s, p, vs[i]))
						if err == nil {
							got[i] = p
							return
						}
						if !errors.Is(err, apperr.ErrConflict) {
							errs[i] = err
							return
						}
					}
				})
			}
			close(start)
			wg.Wait()
			must(t, errors.Join(errs...))
			winners := map[string]int{}
			for i, p := range got {
				if p > 0 {
					winners[vs[i]] = p
				}
			}
			if len(winners) != places {
				t.Fatalf("%d volunteers got a place, want %d", len(winners), places)
			}
			all, err := st.Bookings(ctx, s.ID)
			must(t, err)
			if len(all) != places {
				t.Fatalf("%d bookings stored, want %d", len(all), places)
			}
			seen := map[string]bool{}
			for i, b := range all {
				if b.Place != i+1 {
					t.Fatalf("booking %d has place %d; bookings: %s", i, b.Place, show(all))
				}
				if seen[b.VolunteerID] {
					t.Fatalf("volunteer %s holds two places", b.VolunteerID)
				}
				seen[b.VolunteerID] = true
				if p, ok := winners[b.VolunteerID]; !ok || p != b.Place {
					t.Fatalf("place %d held by %s, who took %d", b.Place, b.VolunteerID, p)
				}
			}
		}},
		{"ConcurrentSameVolunteer", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			const n = 50
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day(), withPlaces(roster.MaxPlaces))
			v := mkVolunteer(t, st, w)
			win := raceOne(t, n, apperr.ErrConflict, func(i int) error {
				return book(ctx, st, newBooking(s, i+1, v.ID))
			})
			all, err := st.Bookings(ctx, s.ID)
			must(t, err)
			if len(all) != 1 || all[0].Place != win+1 || all[0].VolunteerID != v.ID {
				t.Fatalf("bookings = %s, want only place %d", show(all), win+1)
			}
		}},
		{"ConcurrentOverlap", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			const rounds = 50
			w := mkRosterWorld(t, st)
			d := day()
			// [10:00, 12:00) and [11:00, 13:00).
			pair := []*roster.Shift{mkShift(t, st, w, d.Add(10*time.Hour)), mkShift(t, st, w, d.Add(11*time.Hour))}
			v := mkVolunteer(t, st, w)
			wins := [2]int{}
			for round := range rounds {
				win := raceOne(t, 2, roster.ErrOverlap, func(i int) error {
					return book(ctx, st, newBooking(pair[i], 1, v.ID))
				})
				wins[win]++
				held, err := st.BookingsOfVolunteer(ctx, v.ID, d, d.Add(24*time.Hour))
				must(t, err)
				if len(held) != 1 || held[0].ShiftID != pair[win].ID {
					t.Fatalf("round %d: bookings = %s, want only shift %d", round, show(held), win)
				}
				must(t, unbook(ctx, st, pair[win].ID, v.ID))
			}
			t.Logf("wins per shift in %d rounds: %v", rounds, wins)
		}},
		{"ConcurrentCancel", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			const n = 50
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			v, u, x := mkVolunteer(t, st, w), mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			mkBooking(t, st, s, 1, v.ID)
			kept := mkBooking(t, st, s, 2, x.ID)
			// While v's cancellations race, u books the place they free. A stale
			// cancellation must not delete u's booking of the same place.
			var (
				taken   *roster.Booking
				takeErr error
				wg      sync.WaitGroup
			)
			wg.Go(func() {
				deadline := time.Now().Add(10 * time.Second)
				for time.Now().Before(deadline) {
					b := newBooking(s, 1, u.ID)
					err := book(ctx, st, b)
					if err == nil {
						taken = b
						return
					}
					if !errors.Is(err, apperr.ErrConflict) {
						takeErr = err
						return
					}
				}
				takeErr = errors.New("place 1 never freed")
			})
			raceOne(t, n, apperr.ErrNotFound, func(int) error { return unbook(ctx, st, s.ID, v.ID) })
			wg.Wait()
			must(t, takeErr)
			all, err := st.Bookings(ctx, s.ID)
			must(t, err)
			same(t, "bookings after racing cancellations", all, []*roster.Booking{taken, kept})
		}},
	})
}

func TestRosterWaiters(t *testing.T) {
	runCases(t, []storeCase{
		{"LineOrder", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			other := mkShift(t, st, w, day().Add(24*time.Hour))
			var want []*roster.Waiter
			for range 4 {
				want = append(want, mkWaiter(t, st, s.ID, mkVolunteer(t, st, w).ID))
			}
			for i, x := range want {
				if x.Seq != int64(i+1) {
					t.Fatalf("waiter %d joined with line number %d, want %d", i, x.Seq, i+1)
				}
			}
			elsewhere := mkWaiter(t, st, other.ID, want[0].VolunteerID)
			got, err := st.Waiters(ctx, s.ID)
			must(t, err)
			same(t, "waiters in line", got, want)
			// A volunteer's own entries, on every shift, in the order they joined.
			mine, err := st.WaitingOf(ctx, want[0].VolunteerID)
			must(t, err)
			same(t, "a volunteer's waiting", mine, []*roster.Waiter{want[0], elsewhere})
			for _, id := range []string{newID(t), opNe} {
				none, err := st.WaitingOf(ctx, id)
				must(t, err)
				if len(none) != 0 {
					t.Fatalf("waiting of volunteer %q: %s", id, show(none))
				}
				none, err = st.Waiters(ctx, id)
				must(t, err)
				if len(none) != 0 {
					t.Fatalf("waiters of shift %q: %s", id, show(none))
				}
			}
			ids, err := st.WaitingShifts(ctx)
			must(t, err)
			slices.Sort(ids)
			wantIDs := []string{s.ID, other.ID}
			slices.Sort(wantIDs)
			same(t, "shifts with a line", ids, wantIDs)
		}},
		{"Errors", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			v, u := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			first := mkWaiter(t, st, s.ID, v.ID)
			// A second entry of the volunteer.
			_, err := roster.PutWaiter(ctx, st, s.ID, v.ID, now())
			wantErr(t, err, apperr.ErrConflict)
			// An unknown shift or volunteer.
			_, err = roster.PutWaiter(ctx, st, newID(t), u.ID, now())
			wantErr(t, err, apperr.ErrNotFound)
			_, err = roster.PutWaiter(ctx, st, s.ID, newID(t), now())
			wantErr(t, err, apperr.ErrNotFound)
			got, err := st.Waiters(ctx, s.ID)
			must(t, err)
			same(t, "waiters after errors", got, []*roster.Waiter{first})

			wantErr(t, roster.DropWaiter(ctx, st, s.ID, u.ID, "test"), apperr.ErrNotFound)
			wantErr(t, roster.DropWaiter(ctx, st, newID(t), v.ID, "test"), apperr.ErrNotFound)
			wantErr(t, roster.DropWaiter(ctx, st, s.ID, opNe, "test"), apperr.ErrNotFound)
		}},
		{"Leave", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			v, u := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			a := mkWaiter(t, st, s.ID, v.ID)
			b := mkWaiter(t, st, s.ID, u.ID)
			must(t, roster.DropWaiter(ctx, st, s.ID, v.ID, "test"))
			wantErr(t, roster.DropWaiter(ctx, st, s.ID, v.ID, "test"), apperr.ErrNotFound)
			got, err := st.Waiters(ctx, s.ID)
			must(t, err)
			same(t, "waiters after a removal", got, []*roster.Waiter{b})

			// The volunteer may join again, at the end of the line.
			again := mkWaiter(t, st, s.ID, a.VolunteerID)
			got, err = st.Waiters(ctx, s.ID)
			must(t, err)
			same(t, "waiters after joining again", got, []*roster.Waiter{b, again})
		}},
		{"ConcurrentLeave", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			const n = 50
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			v, u := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			mkWaiter(t, st, s.ID, v.ID)
			kept := mkWaiter(t, st, s.ID, u.ID)
			raceOne(t, n, apperr.ErrNotFound, func(int) error { return roster.DropWaiter(ctx, st, s.ID, v.ID, "test") })
			got, err := st.Waiters(ctx, s.ID)
			must(t, err)
			same(t, "waiters after racing removals", got, []*roster.Waiter{kept})
		}},
		{"ConcurrentJoinsGetUniquePositions", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			const n = 60
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			vs := make([]string, n)
			for i := range vs {
				vs[i] = mkVolunteer(t, st, w).ID
			}
			got := make([]*roster.Waiter, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					got[i], errs[i] = roster.PutWaiter(ctx, st, s.ID, vs[i], now())
				})
			}
			close(start)
			wg.Wait()
			must(t, errors.Join(errs...))
			stored, err := st.Waiters(ctx, s.ID)
			must(t, err)
			if len(stored) != n {
				t.Fatalf("%d waiters stored, want %d", len(stored), n)
			}
			for i, x := range stored {
				if x.Seq != int64(i+1) {
					t.Fatalf("position %d holds line number %d: %s", i+1, x.Seq, show(stored))
				}
			}
			es, err := st.Events(ctx, s.ID)
			must(t, err)
			_, line := roster.Replay(es)
			same(t, "the replayed line", line, waiterIDs(stored))
		}},
	})
}

func waiterIDs(ws []*roster.Waiter) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.VolunteerID)
	}
	return out
}

func TestRosterEvents(t *testing.T) {
	runCases(t, []storeCase{
		{"HistoryNumberedInCommitOrder", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			s := mkShift(t, st, w, day())
			other := mkShift(t, st, w, day())
			v, u := mkVolunteer(t, st, w), mkVolunteer(t, st, w)
			mkBooking(t, st, s, 1, v.ID)
			mkBooking(t, st, other, 1, u.ID)
			mkWaiter(t, st, s.ID, u.ID)
			must(t, unbook(ctx, st, s.ID, v.ID))
			es, err := st.Events(ctx, s.ID)
			must(t, err)
			var kinds []string
			for i, e := range es {
				if e.Seq != int64(i+1) || e.ShiftID != s.ID {
					t.Fatalf("event %d: %+v", i, e)
				}
				kinds = append(kinds, e.Kind)
			}
			same(t, "history", kinds, []string{roster.EventBooked, roster.EventWaiting, roster.EventCancelled})
			none, err := st.Events(ctx, newID(t))
			must(t, err)
			if len(none) != 0 {
				t.Fatalf("history of an unknown shift: %s", show(none))
			}
		}},
	})
}

// The MongoDB adapter's critical section per volunteer is a lease document in
// volunteer_leases, {_id: holder token, volunteer_id (unique), expires_at, ref}.
// These tests plant leases directly through a driver client; SQLite has none.
func TestRosterMongoLeases(t *testing.T) {
	cfg := Mongo().Config(t)
	st := MustOpen(t, cfg)
	ctx := t.Context()
	client, err := mongodrv.Connect(options.Client().ApplyURI(cfg.MongoURI))
	must(t, err)
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	leases := client.Database(cfg.MongoDatabase).Collection("volunteer_leases")
	plant := func(holder, volunteerID string, expires time.Time) {
		t.Helper()
		_, err := leases.InsertOne(ctx, bson.D{{Key: "_id", Value: holder},
			{Key: "volunteer_id", Value: volunteerID}, {Key: "expires_at", Value: expires}})
		must(t, err)
	}
	count := func() int64 {
		t.Helper()
		n, err := leases.CountDocuments(ctx, bson.D{})
		must(t, err)
		return n
	}
	w := mkRosterWorld(t, st)
	s := mkShift(t, st, w, day())

	t.Run("ExpiredLeaseDoesNotBlock", func(t *testing.T) {
		v := mkVolunteer(t, st, w)
		plant("crashed-book", v.ID, now().Add(-time.Second))
		start := time.Now()
		b := mkBooking(t, st, s, 1, v.ID)
		must(t, unbook(ctx, st, s.ID, v.ID))
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("book and cancel past an expired lease took %v", d)
		}
		_, err := st.Booking(ctx, s.ID, b.VolunteerID)
		wantErr(t, err, apperr.ErrNotFound)
		if n := count(); n != 0 {
			t.Fatalf("%d leases left, want 0", n)
		}
	})

	t.Run("LiveLeaseBlocksBooking", func(t *testing.T) {
		v := mkVolunteer(t, st, w)
		plant("alive", v.ID, now().Add(time.Minute))
		// The wait is bounded by the adapter (10 s), and answered store_busy.
		start := time.Now()
		wantErr(t, book(ctx, st, newBooking(s, 2, v.ID)), apperr.ErrBusy)
		if d := time.Since(start); d < 9*time.Second {
			t.Fatalf("a booking under a live lease gave up after %v, want it to wait about 10 s", d)
		}
		_, err = st.Booking(ctx, s.ID, v.ID)
		wantErr(t, err, apperr.ErrNotFound)
		es, err := st.Events(ctx, s.ID)
		must(t, err)
		for _, e := range es {
			if e.VolunteerID == v.ID {
				t.Fatalf("a refused booking left history: %+v", e)
			}
		}
		if n, err := leases.CountDocuments(ctx, bson.D{{Key: "_id", Value: "alive"}}); err != nil || n != 1 {
			t.Fatalf("the live lease: count %d, error %v; want it kept", n, err)
		}
		_, err = leases.DeleteOne(ctx, bson.D{{Key: "_id", Value: "alive"}})
		must(t, err)
		mkBooking(t, st, s, 2, v.ID)
		if n := count(); n != 0 {
			t.Fatalf("%d leases left, want 0", n)
		}
	})

	t.Run("ReleasedAfterRaces", func(t *testing.T) {
		v := mkVolunteer(t, st, w)
		wide := mkShift(t, st, w, day().Add(24*time.Hour), withPlaces(50))
		raceOne(t, 50, apperr.ErrConflict, func(i int) error { return book(ctx, st, newBooking(wide, i+1, v.ID)) })
		raceOne(t, 50, apperr.ErrNotFound, func(int) error { return unbook(ctx, st, wide.ID, v.ID) })
		if n := count(); n != 0 {
			t.Fatalf("%d leases left, want 0", n)
		}
	})
}

// TestMongoDeleteOneCountsOnce measures what units' deletes rely on: of concurrent
// DeleteOne calls on one document by _id, exactly one reports a deletion. FerretDB
// v1 finds the document and then runs DELETE ... WHERE _id IN (...), returning
// SQLite's rows affected, so a late delete counts 0.
func TestMongoDeleteOneCountsOnce(t *testing.T) {
	ctx := t.Context()
	cfg := Mongo().Config(t)
	client, err := mongodrv.Connect(options.Client().ApplyURI(cfg.MongoURI))
	must(t, err)
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	col := client.Database(cfg.MongoDatabase).Collection("delete_once")
	const rounds, n = 20, 50
	for round := range rounds {
		id := fmt.Sprintf("doc-%d", round)
		_, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "k", Value: "v"}})
		must(t, err)
		deleted := make([]int64, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				res, err := col.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
				if err != nil {
					errs[i] = err
					return
				}
				deleted[i] = res.DeletedCount
			})
		}
		close(start)
		wg.Wait()
		must(t, errors.Join(errs...))
		var total int64
		for _, d := range deleted {
			total += d
		}
		if total != 1 {
			t.Fatalf("round %d: %d of %d concurrent DeleteOne reported a deletion, want 1", round, total, n)
		}
	}
}
