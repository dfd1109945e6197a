package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/page"
	"ecitizen/internal/store"
	"ecitizen/internal/training"
)

// errInvalid matches any validation error (apperr.Error.Is compares codes).
var errInvalid = &apperr.Error{Code: apperr.CodeInvalid}

func TestTrainingSessions(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTrip", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkTrainingWorld(t, st)
			centre := mkSession(t, st, w, day())
			got, err := st.SessionByID(ctx, centre.ID)
			must(t, err)
			same(t, "session at a centre", got, centre)

			venue := mkSession(t, st, w, day().Add(90*time.Minute+123*time.Millisecond), atVenue, func(s *training.Session) {
				s.Trainers, s.Note, s.Capacity = []string{"Trần B"}, "", 1
				s.Status = training.StatusCancelled
				s.UpdatedAt = s.CreatedAt.Add(1500 * time.Millisecond)
			})
			got, err = st.SessionByID(ctx, venue.ID)
			must(t, err)
			same(t, "session at a venue without centre or ward", got, venue)

			// A venue in a known ward; nil and empty trainer lists read back as written.
			inWard := mkSession(t, st, w, day(), atVenue, func(s *training.Session) {
				s.WardID, s.Trainers = w.ward.ID, nil
			})
			got, err = st.SessionByID(ctx, inWard.ID)
			must(t, err)
			same(t, "venue session in a ward, nil trainers", got, inWard)
			empty := mkSession(t, st, w, day(), func(s *training.Session) { s.Trainers = []string{} })
			got, err = st.SessionByID(ctx, empty.ID)
			must(t, err)
			same(t, "empty trainers", got, empty)
		}},
		{"ErrNotFound", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkTrainingWorld(t, st)
			_, err := st.SessionByID(ctx, newID(t))
			wantErr(t, err, apperr.ErrNotFound)
			for name, opt := range map[string]func(*training.Session){
				"Course":       func(s *training.Session) { s.CourseID = newID(t) },
				"Organisation": func(s *training.Session) { s.OrganisationID = newID(t) },
				"Centre":       func(s *training.Session) { s.CentreID = newID(t) },
				"Ward":         func(s *training.Session) { s.WardID = newID(t) },
				"VenueWard":    func(s *training.Session) { atVenue(s); s.WardID = newID(t) },
			} {
				s := newSession(t, w, day(), opt)
				if err := st.CreateSession(ctx, s); !errors.Is(err, apperr.ErrNotFound) {
					t.Fatalf("unknown %s: error = %v, want ErrNotFound", name, err)
				}
				_, err := st.SessionByID(ctx, s.ID)
				wantErr(t, err, apperr.ErrNotFound)
			}
			wantErr(t, training.PutSession(ctx, st, newSession(t, w, day()), "test"), apperr.ErrNotFound)

			s := mkSession(t, st, w, day())
			wantErr(t, training.PutSession(ctx, st, newSession(t, w, day(), func(x *training.Session) {
				x.ID, x.CentreID = s.ID, newID(t)
			}), "test"), apperr.ErrNotFound)
			got, err := st.SessionByID(ctx, s.ID)
			must(t, err)
			same(t, "session after an update to an unknown centre", got, s)
		}},
		{"ErrConflict", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkTrainingWorld(t, st)
			s := mkSession(t, st, w, day())
			wantErr(t, st.CreateSession(ctx, newSession(t, w, day().Add(time.Hour), func(x *training.Session) {
				x.ID = s.ID
			})), apperr.ErrConflict)
			got, err := st.SessionByID(ctx, s.ID)
			must(t, err)
			same(t, "session after a conflict", got, s)
		}},
		{"UpdateSession", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkTrainingWorld(t, st)
			s := mkSession(t, st, w, day())
			other := mkTrainingWorld(t, st)

			// Everything but ID, CourseID, OrganisationID, CreatedBy and CreatedAt.
			up := newSession(t, other, day().Add(26*time.Hour), atVenue, func(x *training.Session) {
				x.ID, x.WardID = s.ID, other.ward.ID
				x.CreatedBy, x.CreatedAt = "someone-else", s.CreatedAt.Add(-time.Hour)
				x.EndsAt = x.StartsAt.Add(45 * time.Minute)
				x.Capacity, x.Trainers, x.Note = 35, []string{"Võ C"}, "Đổi địa điểm."
				x.Status, x.UpdatedAt = training.StatusCancelled, s.UpdatedAt.Add(time.Minute)
			})
			must(t, training.PutSession(ctx, st, up, "test"))
			want := *up
			want.CourseID, want.OrganisationID = s.CourseID, s.OrganisationID
			want.CreatedBy, want.CreatedAt = s.CreatedBy, s.CreatedAt
			got, err := st.SessionByID(ctx, s.ID)
			must(t, err)
			same(t, "updated session", got, &want)

			// And back to a centre, with nil trainers.
			back := want
			back.CentreID, back.WardID, back.Venue, back.Trainers = w.centre.ID, w.ward.ID, "", nil
			back.UpdatedAt = back.UpdatedAt.Add(time.Second)
			must(t, training.PutSession(ctx, st, &back, "test"))
			got, err = st.SessionByID(ctx, s.ID)
			must(t, err)
			same(t, "session back at a centre", got, &back)
		}},
		{"ListFilters", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkTrainingWorld(t, st)
			o := mkTrainingWorld(t, st)
			d := day()
			// w's course at w's centre, at a venue without a ward, at a venue in w's
			// ward (cancelled); o's course at o's centre and at w's centre.
			a := mkSession(t, st, w, d)
			b := mkSession(t, st, w, d.Add(24*time.Hour), atVenue)
			c := mkSession(t, st, w, d.Add(48*time.Hour), atVenue, func(s *training.Session) {
				s.WardID, s.Status = w.ward.ID, training.StatusCancelled
			})
			x := mkSession(t, st, o, d.Add(12*time.Hour))
			y := mkSession(t, st, o, d.Add(36*time.Hour), func(s *training.Session) {
				s.CentreID, s.WardID = w.centre.ID, w.ward.ID
			})
			ids := func(ss ...*training.Session) []string { return keys(ss, sessionKey) }
			for _, tc := range []struct {
				name string
				f    training.SessionFilter
				want []string
			}{
				{"None", training.SessionFilter{}, ids(a, x, b, y, c)},
				{"Course", training.SessionFilter{CourseID: w.courseID}, ids(a, b, c)},
				{"Organisation", training.SessionFilter{OrganisationID: o.org.ID}, ids(x, y)},
				{"Ward", training.SessionFilter{WardID: w.ward.ID}, ids(a, y, c)},
				{"Centre", training.SessionFilter{CentreID: w.centre.ID}, ids(a, y)},
				{"OtherCentre", training.SessionFilter{CentreID: o.centre.ID}, ids(x)},
				{"Scheduled", training.SessionFilter{Status: training.StatusScheduled}, ids(a, x, b, y)},
				{"Cancelled", training.SessionFilter{Status: training.StatusCancelled}, ids(c)},
				{"From", training.SessionFilter{From: b.StartsAt}, ids(b, y, c)},
				{"To", training.SessionFilter{To: b.StartsAt}, ids(a, x)},
				{"FromTo", training.SessionFilter{From: x.StartsAt, To: c.StartsAt}, ids(x, b, y)},
				{"FromToEmpty", training.SessionFilter{From: a.StartsAt.Add(time.Millisecond), To: x.StartsAt}, nil},
				{"Several", training.SessionFilter{CourseID: w.courseID, WardID: w.ward.ID,
					Status: training.StatusScheduled, To: c.StartsAt.Add(time.Hour)}, ids(a)},
				{"UnknownCourse", training.SessionFilter{CourseID: newID(t)}, nil},
				{"OperatorStrings", training.SessionFilter{CourseID: opNe, OrganisationID: opNe, WardID: opNe,
					CentreID: opNe, Status: training.Status(opNe)}, nil},
				{"OperatorWard", training.SessionFilter{WardID: opNe}, nil},
			} {
				got, err := st.ListSessions(ctx, tc.f, page.Request{Limit: 50})
				must(t, err)
				if tc.want == nil {
					tc.want = []string{}
				}
				same(t, tc.name, keys(got, sessionKey), tc.want)
			}
			// Limit 0 is all of them.
			got, err := st.ListSessions(ctx, training.SessionFilter{}, page.Request{})
			must(t, err)
			same(t, "all", keys(got, sessionKey), ids(a, x, b, y, c))
		}},
		{"ListPages", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkTrainingWorld(t, st)
			d := day()
			var made []*training.Session
			// Created out of order; three share one start and are ordered by ID.
			for _, h := range []int{5, 1, 3, 3, 0, 7, 3} {
				made = append(made, mkSession(t, st, w, d.Add(time.Duration(h)*time.Hour)))
			}
			mkSession(t, st, mkTrainingWorld(t, st), d.Add(2*time.Hour)) // another course
			want := slices.Clone(made)
			slices.SortFunc(want, func(a, b *training.Session) int {
				if c := a.StartsAt.Compare(b.StartsAt); c != 0 {
					return c
				}
				if a.ID < b.ID {
					return -1
				}
				return 1
			})
			f := training.SessionFilter{CourseID: w.courseID}
			got, pages := allPages(t, 3, sessionKey, func(p page.Request) ([]*training.Session, error) {
				return st.ListSessions(ctx, f, p)
			})
			if pages != 3 {
				t.Fatalf("pages = %d, want 3", pages)
			}
			same(t, "sessions in (StartsAt, ID) order", got, want)

			// A page after a key within the tie starts with the next ID of that start.
			ties := want[2:5]
			got, err := st.ListSessions(ctx, f, page.Request{After: sessionKey(ties[0]), Limit: 2})
			must(t, err)
			same(t, "after the first tie", keys(got, sessionKey), keys(want[3:6], sessionKey))
			got, err = st.ListSessions(ctx, f, page.Request{After: sessionKey(want[len(want)-1]), Limit: 2})
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("after the last: %s", show(got))
			}

			for _, bad := range []string{"x", "123|", "12345678901234|id", "1234567890123456|id",
				"12345678901234a|id", opGt, "-00000000000001|id"} {
				_, err := st.ListSessions(ctx, f, page.Request{After: bad, Limit: 2})
				if !errors.Is(err, errInvalid) {
					t.Fatalf("page key %q: error = %v, want an invalid cursor", bad, err)
				}
			}
		}},
	})
}

func TestTrainingSeats(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTrip", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			s := mkSession(t, st, mkTrainingWorld(t, st), day())
			u := mkSeat(t, st, newSeat(s.ID, 3, newID(t)))
			g := mkSeat(t, st, newGuestSeat(t, s.ID, 1))
			marked := now().Add(time.Hour)
			m := mkSeat(t, st, newSeat(s.ID, 2, newID(t)))
			m.Attendance, m.MarkedBy, m.MarkedAt = training.Attended, "staff-9", &marked
			must(t, st.MarkAttendance(ctx, m))
			for _, want := range []*training.Seat{u, g, m} {
				got, err := st.Seat(ctx, s.ID, want.Number)
				must(t, err)
				same(t, "Seat", got, want)
				got, err = st.SeatOfLearner(ctx, s.ID, want.LearnerKey)
				must(t, err)
				same(t, "SeatOfLearner", got, want)
			}
			all, err := st.Seats(ctx, s.ID)
			must(t, err)
			same(t, "Seats by number", all, []*training.Seat{g, m, u})

			// A seat taken already marked keeps its marks.
			pre := newGuestSeat(t, s.ID, 4)
			pre.Attendance, pre.MarkedBy, pre.MarkedAt = training.Absent, "staff-1", &marked
			mkSeat(t, st, pre)
			got, err := st.Seat(ctx, s.ID, 4)
			must(t, err)
			same(t, "seat taken marked", got, pre)
		}},
		{"NotFound", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			s := mkSession(t, st, mkTrainingWorld(t, st), day())
			taken := mkSeat(t, st, newSeat(s.ID, 1, newID(t)))
			_, err := st.Seat(ctx, s.ID, 2)
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.Seat(ctx, newID(t), 1)
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.SeatOfLearner(ctx, s.ID, "user:"+newID(t))
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.SeatOfLearner(ctx, newID(t), taken.LearnerKey)
			wantErr(t, err, apperr.ErrNotFound)
			wantErr(t, training.DropSeat(ctx, st, s.ID, 2, "test"), apperr.ErrNotFound)
			wantErr(t, training.DropSeat(ctx, st, newID(t), 1, "test"), apperr.ErrNotFound)
			wantErr(t, st.MarkAttendance(ctx, newSeat(s.ID, 2, newID(t))), apperr.ErrNotFound)
			wantErr(t, training.PutSeat(ctx, st, newSeat(newID(t), 1, newID(t))), apperr.ErrNotFound)
			seats, err := st.Seats(ctx, newID(t))
			must(t, err)
			if len(seats) != 0 {
				t.Fatalf("seats of an unknown session: %s", show(seats))
			}
		}},
		{"Conflicts", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			s := mkSession(t, st, mkTrainingWorld(t, st), day())
			s2 := mkSession(t, st, mkTrainingWorld(t, st), day())
			first := mkSeat(t, st, newSeat(s.ID, 1, newID(t)))
			wantErr(t, training.PutSeat(ctx, st, newSeat(s.ID, 1, newID(t))), apperr.ErrConflict)
			wantErr(t, training.PutSeat(ctx, st, newGuestSeat(t, s.ID, 1)), apperr.ErrConflict)
			again := newSeat(s.ID, 2, first.UserID)
			wantErr(t, training.PutSeat(ctx, st, again), apperr.ErrConflict)
			all, err := st.Seats(ctx, s.ID)
			must(t, err)
			same(t, "seats after conflicts", all, []*training.Seat{first})

			// The same number and learner in another session are free.
			other := mkSeat(t, st, newSeat(s2.ID, 1, first.UserID))
			got, err := st.SeatOfLearner(ctx, s2.ID, first.LearnerKey)
			must(t, err)
			same(t, "the learner's seat in another session", got, other)
		}},
		{"ConcurrentCapacity", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			const learners, capacity = 100, 10
			s := mkSession(t, st, mkTrainingWorld(t, st), day(), func(s *training.Session) { s.Capacity = capacity })
			users := make([]string, learners)
			for i := range users {
				users[i] = newID(t)
			}
			got := make([]int, learners) // the number a learner took, 0 when none
			errs := make([]error, learners)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range learners {
				wg.Go(func() {
					<-start
					for n := 1; n <= capacity; n++ {
						err := training.PutSeat(ctx, st, newSeat(s.ID, n, users[i]))
						if err == nil {
							got[i] = n
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
			for i, n := range got {
				if n > 0 {
					winners["user:"+users[i]] = n
				}
			}
			if len(winners) != capacity {
				t.Fatalf("%d learners got a seat, want %d", len(winners), capacity)
			}
			seats, err := st.Seats(ctx, s.ID)
			must(t, err)
			if len(seats) != capacity {
				t.Fatalf("%d seats stored, want %d", len(seats), capacity)
			}
			seen := map[string]bool{}
			for i, seat := range seats {
				if seat.Number != i+1 {
					t.Fatalf("seat %d has number %d; numbers: %s", i, seat.Number, show(seats))
				}
				if seen[seat.LearnerKey] {
					t.Fatalf("learner %s holds two seats", seat.LearnerKey)
				}
				seen[seat.LearnerKey] = true
				if n, ok := winners[seat.LearnerKey]; !ok || n != seat.Number {
					t.Fatalf("seat %d held by %s, who took %d", seat.Number, seat.LearnerKey, n)
				}
			}
		}},
		{"ConcurrentSameLearner", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			s := mkSession(t, st, mkTrainingWorld(t, st), day(), func(s *training.Session) { s.Capacity = 100 })
			user := newID(t)
			const n = 50
			w := race(t, n, func(i int) error { return training.PutSeat(ctx, st, newSeat(s.ID, i+1, user)) })
			seats, err := st.Seats(ctx, s.ID)
			must(t, err)
			if len(seats) != 1 || seats[0].Number != w+1 || seats[0].UserID != user {
				t.Fatalf("seats = %s, want only number %d", show(seats), w+1)
			}
		}},
		{"ReleaseSeat", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			s := mkSession(t, st, mkTrainingWorld(t, st), day())
			a := mkSeat(t, st, newSeat(s.ID, 1, newID(t)))
			b := mkSeat(t, st, newSeat(s.ID, 2, newID(t)))
			must(t, training.DropSeat(ctx, st, s.ID, 1, "test"))
			wantErr(t, training.DropSeat(ctx, st, s.ID, 1, "test"), apperr.ErrNotFound)
			_, err := st.Seat(ctx, s.ID, 1)
			wantErr(t, err, apperr.ErrNotFound)
			_, err = st.SeatOfLearner(ctx, s.ID, a.LearnerKey)
			wantErr(t, err, apperr.ErrNotFound)
			all, err := st.Seats(ctx, s.ID)
			must(t, err)
			same(t, "seats after a release", all, []*training.Seat{b})

			// The number is free for another learner, and the learner may come back.
			c := mkSeat(t, st, newGuestSeat(t, s.ID, 1))
			back := mkSeat(t, st, newSeat(s.ID, 3, a.UserID))
			all, err = st.Seats(ctx, s.ID)
			must(t, err)
			same(t, "seats after taking again", all, []*training.Seat{c, b, back})
		}},
		{"MarkAttendance", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			s := mkSession(t, st, mkTrainingWorld(t, st), day())
			seat := mkSeat(t, st, newSeat(s.ID, 1, newID(t)))
			other := mkSeat(t, st, newSeat(s.ID, 2, newID(t)))
			ts := now().Add(3 * time.Hour)
			// Only Attendance, MarkedBy and MarkedAt change.
			mark := *seat
			mark.Attendance, mark.MarkedBy, mark.MarkedAt = training.Attended, "partner-2", &ts
			arg := mark
			arg.LearnerKey, arg.UserID, arg.Name, arg.EnrolledBy = "user:x", "x", "X", "y"
			arg.EnrolledAt = ts
			must(t, st.MarkAttendance(ctx, &arg))
			got, err := st.Seat(ctx, s.ID, 1)
			must(t, err)
			same(t, "marked seat", got, &mark)

			unmark := mark
			unmark.Attendance, unmark.MarkedBy, unmark.MarkedAt = "", "", nil
			must(t, st.MarkAttendance(ctx, &unmark))
			got, err = st.SeatOfLearner(ctx, s.ID, seat.LearnerKey)
			must(t, err)
			same(t, "unmarked seat", got, &unmark)
			got, err = st.Seat(ctx, s.ID, 2)
			must(t, err)
			same(t, "the other seat", got, other)
		}},
		{"SeatsOfUser", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkTrainingWorld(t, st)
			user, stranger := newID(t), newID(t)
			var want []*training.Seat
			for i := range 5 {
				s := mkSession(t, st, w, day().Add(time.Duration(5-i)*time.Hour))
				mkSeat(t, st, newGuestSeat(t, s.ID, 1))
				want = append(want, mkSeat(t, st, newSeat(s.ID, 2+i, user)))
				mkSeat(t, st, newSeat(s.ID, 10, stranger))
			}
			slices.SortFunc(want, func(a, b *training.Seat) int {
				if a.SessionID < b.SessionID {
					return -1
				}
				return 1
			})
			got, pages := allPages(t, 2, seatSession, func(p page.Request) ([]*training.Seat, error) {
				return st.SeatsOfUser(ctx, user, p)
			})
			if pages != 3 {
				t.Fatalf("pages = %d, want 3", pages)
			}
			same(t, "seats of the user by session", got, want)

			for _, who := range []string{newID(t), "", opNe} {
				none, err := st.SeatsOfUser(ctx, who, page.Request{Limit: 10})
				must(t, err)
				if len(none) != 0 {
					t.Fatalf("seats of %q: %s", who, show(none))
				}
			}
		}},
		{"SeatEvents", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			s := mkSession(t, st, mkTrainingWorld(t, st), day())
			other := mkSession(t, st, mkTrainingWorld(t, st), day())
			a, b := newSeat(s.ID, 1, newID(t)), newGuestSeat(t, s.ID, 2)
			mkSeat(t, st, a)
			mkSeat(t, st, newSeat(other.ID, 1, newID(t)))
			mkSeat(t, st, b)
			must(t, training.DropSeat(ctx, st, s.ID, 1, "staff-1"))
			got, err := st.SeatEvents(ctx, s.ID)
			must(t, err)
			var kinds []string
			for i, e := range got {
				if e.Seq != int64(i+1) || e.SessionID != s.ID {
					t.Fatalf("event %d: %+v", i, e)
				}
				kinds = append(kinds, e.Kind+":"+e.LearnerKey)
			}
			same(t, "history in commit order", kinds, []string{"enrolled:" + a.LearnerKey, "enrolled:" + b.LearnerKey, "cancelled:" + a.LearnerKey})
			same(t, "replayed seats", training.ReplaySeats(got), map[string]int{b.LearnerKey: 2})
			none, err := st.SeatEvents(ctx, newID(t))
			must(t, err)
			if len(none) != 0 {
				t.Fatalf("history of an unknown session: %s", show(none))
			}
		}},
		{"OperatorLearnerKey", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			s := mkSession(t, st, mkTrainingWorld(t, st), day())
			plain := mkSeat(t, st, newSeat(s.ID, 1, newID(t)))
			_, err := st.SeatOfLearner(ctx, s.ID, opNe)
			wantErr(t, err, apperr.ErrNotFound)

			odd := newGuestSeat(t, s.ID, 2)
			odd.LearnerKey = opNe
			mkSeat(t, st, odd)
			got, err := st.SeatOfLearner(ctx, s.ID, opNe)
			must(t, err)
			same(t, "seat of an operator-like learner key", got, odd)
			_, err = st.SeatOfLearner(ctx, s.ID, opGt)
			wantErr(t, err, apperr.ErrNotFound)
			dup := newGuestSeat(t, s.ID, 3)
			dup.LearnerKey = opNe
			wantErr(t, training.PutSeat(ctx, st, dup), apperr.ErrConflict)
			gt := newGuestSeat(t, s.ID, 3)
			gt.LearnerKey = opGt
			mkSeat(t, st, gt)
			all, err := st.Seats(ctx, s.ID)
			must(t, err)
			same(t, "seats", all, []*training.Seat{plain, odd, gt})
		}},
	})
}
