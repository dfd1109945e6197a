package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// Recurring shift series: the store's own rules, and the service's materialisation
// on each adapter (the unique occurrence key is what makes it idempotent).

var ict = time.FixedZone("ICT", 7*3600)

// seriesClock is a settable clock for the roster service.
type seriesClock struct{ at atomic.Int64 }

func (c *seriesClock) now() time.Time      { return time.UnixMilli(c.at.Load()).UTC() }
func (c *seriesClock) set(t time.Time)     { c.at.Store(t.UnixMilli()) }
func (c *seriesClock) add(d time.Duration) { c.set(c.now().Add(d)) }

// seriesService is a roster service on st with a settable clock starting now.
func seriesService(st store.Store) (*roster.Service, *seriesClock) {
	clock := &seriesClock{}
	clock.set(time.Now())
	return roster.NewService(roster.Deps{Store: st, Centres: directory.NewService(directory.Deps{Store: st}), Now: clock.now}), clock
}

// mondaysAndWednesdays creates a series at the world's centre (open Mondays and
// Saturdays): every Monday and Wednesday, 08:30 to 10:30, from today, 8 weeks ahead.
func mondaysAndWednesdays(t *testing.T, s *roster.Service, w *rosterWorld, clock *seriesClock) *roster.SeriesResult {
	t.Helper()
	admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
	r, err := s.CreateSeries(t.Context(), admin, roster.SeriesPlan{CentreID: w.centre.ID, Rule: "FREQ=WEEKLY;BYDAY=MO,WE",
		FirstDate: clock.now().In(ict).Format(time.DateOnly), StartTime: "08:30", EndTime: "10:30",
		Template: roster.SeriesTemplate{Title: "Hướng dẫn VNeID", Role: roster.RoleGuide, Places: 3}})
	if err != nil {
		t.Fatalf("create series: %v", err)
	}
	return r
}

func TestSeriesStore(t *testing.T) {
	for _, ad := range Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			st := ad.Open(t)
			w := mkRosterWorld(t, st)
			ctx := t.Context()
			s, clock := seriesService(st)
			r := mondaysAndWednesdays(t, s, w, clock)

			t.Run("RoundTrip", func(t *testing.T) {
				got, err := st.SeriesByID(ctx, r.Series.ID)
				must(t, err)
				want := r.Series
				if got.Rule != want.Rule || got.RootID != want.ID || !got.FirstDate.Equal(want.FirstDate) || got.StartTime != "08:30" ||
					got.Minutes != 120 || got.Template != want.Template || got.HorizonWeeks != 8 || !got.Until.IsZero() || got.Status != roster.SeriesActive {
					t.Fatalf("stored %+v, want %+v", got, want)
				}
				got.Until, got.Status, got.UpdatedAt = got.FirstDate.Add(21*24*time.Hour), roster.SeriesEnded, now()
				must(t, st.UpdateSeries(ctx, got))
				again, err := st.SeriesByID(ctx, got.ID)
				must(t, err)
				if !again.Until.Equal(got.Until) || again.Status != roster.SeriesEnded {
					t.Fatalf("updated %+v", again)
				}
				list, err := st.ListSeries(ctx, roster.SeriesFilter{CentreID: w.centre.ID, Status: roster.SeriesEnded}, page.Request{})
				must(t, err)
				if len(list) != 1 || list[0].ID != got.ID {
					t.Fatalf("ended series of the centre: %d", len(list))
				}
				got.Until, got.Status = time.Time{}, roster.SeriesActive
				must(t, st.UpdateSeries(ctx, got))
			})

			t.Run("ErrSeriesNotFound", func(t *testing.T) {
				if _, err := st.SeriesByID(ctx, newID(t)); !errors.Is(err, apperr.ErrNotFound) {
					t.Fatalf("err = %v, want not found", err)
				}
			})

			t.Run("MondaysOnlyAtAMondayCentre", func(t *testing.T) {
				// 8 weeks hold 8 Mondays and 8 Wednesdays; the centre is closed on Wednesdays.
				if len(r.Created) != 8 || len(r.Skipped) != 8 {
					t.Fatalf("created %d, skipped %d; want 8 and 8", len(r.Created), len(r.Skipped))
				}
				for _, sk := range r.Skipped {
					if sk.Code != roster.CodeCentreClosed || sk.Day.In(ict).Weekday() != time.Wednesday {
						t.Errorf("skipped %v (%s)", sk.Day, sk.Code)
					}
				}
				shifts, err := st.ShiftsOfSeries(ctx, r.Series.ID, time.Time{})
				must(t, err)
				if len(shifts) != 8 {
					t.Fatalf("stored %d shifts", len(shifts))
				}
				for i, sh := range shifts {
					local := sh.StartsAt.In(ict)
					if local.Weekday() != time.Monday || local.Hour() != 8 || local.Minute() != 30 || sh.SeriesID != r.Series.ID ||
						!sh.Occurrence.Equal(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, ict).UTC()) ||
						(i > 0 && !sh.Occurrence.After(shifts[i-1].Occurrence)) {
						t.Errorf("occurrence %d: %+v", i, sh)
					}
				}
			})

			t.Run("ErrOccurrenceTwice", func(t *testing.T) {
				shifts, err := st.ShiftsOfSeries(ctx, r.Series.ID, time.Time{})
				must(t, err)
				dup := *shifts[0]
				if err := st.CreateShift(ctx, &dup); !errors.Is(err, apperr.ErrConflict) {
					t.Fatalf("second insert of an occurrence: %v, want conflict", err)
				}
			})

			t.Run("DeleteShiftOnlyWithoutHoldings", func(t *testing.T) {
				free := mkShift(t, st, w, time.Now().Add(30*24*time.Hour).Truncate(time.Millisecond))
				booked := mkShift(t, st, w, time.Now().Add(31*24*time.Hour).Truncate(time.Millisecond))
				v := mkVolunteer(t, st, w)
				must(t, book(ctx, st, newBooking(booked, 1, v.ID)))
				if err := deleteShift(ctx, st, booked.ID); !errors.Is(err, apperr.ErrConflict) {
					t.Fatalf("delete a booked shift: %v, want conflict", err)
				}
				if _, err := st.Booking(ctx, booked.ID, v.ID); err != nil {
					t.Fatalf("the booking of a shift not deleted: %v", err)
				}
				must(t, deleteShift(ctx, st, free.ID))
				if _, err := st.ShiftByID(ctx, free.ID); !errors.Is(err, apperr.ErrNotFound) {
					t.Fatalf("deleted shift: %v", err)
				}
				if err := deleteShift(ctx, st, free.ID); !errors.Is(err, apperr.ErrNotFound) {
					t.Fatalf("delete again: %v, want not found", err)
				}
				// Made again (an occurrence of a series), it goes on numbering its history.
				must(t, st.CreateShift(ctx, free))
				mkBooking(t, st, free, 1, v.ID)
				es, err := st.Events(ctx, free.ID)
				must(t, err)
				if len(es) != 2 || es[0].Kind != roster.EventShiftDeleted || es[1].Seq != 2 || es[1].Kind != roster.EventBooked {
					t.Fatalf("history of a shift made again: %s", show(es))
				}
			})

			t.Run("ExtendAfterAWeek", func(t *testing.T) {
				clock.add(7 * 24 * time.Hour)
				n, err := s.ExtendSeries(ctx, clock.now())
				must(t, err)
				if n != 1 {
					t.Fatalf("a week later the horizon took %d new Mondays, want 1", n)
				}
				if n, err = s.ExtendSeries(ctx, clock.now()); err != nil || n != 0 {
					t.Fatalf("extending again created %d (%v), want 0", n, err)
				}
				shifts, err := st.ShiftsOfSeries(ctx, r.Series.ID, time.Time{})
				must(t, err)
				if len(shifts) != 9 {
					t.Fatalf("stored %d shifts, want 9", len(shifts))
				}
			})

			t.Run("CancelledOccurrenceStaysCancelled", func(t *testing.T) {
				shifts, err := st.ShiftsOfSeries(ctx, r.Series.ID, time.Time{})
				must(t, err)
				last := shifts[len(shifts)-1]
				admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
				if _, err := s.CancelShift(ctx, admin, last.ID, "Nghỉ lễ"); err != nil {
					t.Fatal(err)
				}
				if n, err := s.ExtendSeries(ctx, clock.now()); err != nil || n != 0 {
					t.Fatalf("extension after cancelling one occurrence created %d (%v)", n, err)
				}
				got, err := st.ShiftByID(ctx, last.ID)
				must(t, err)
				if got.Status != roster.StatusCancelled {
					t.Fatalf("cancelled occurrence is %s again", got.Status)
				}
			})

			t.Run("ConcurrentExtensionStoresEachOccurrenceOnce", func(t *testing.T) {
				clock.add(14 * 24 * time.Hour) // two more Mondays come into the horizon
				var (
					wg      sync.WaitGroup
					created atomic.Int64
				)
				for range 20 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						n, err := s.ExtendSeries(ctx, clock.now())
						if err != nil {
							t.Error(err)
						}
						created.Add(int64(n))
					}()
				}
				wg.Wait()
				shifts, err := st.ShiftsOfSeries(ctx, r.Series.ID, time.Time{})
				must(t, err)
				days := map[time.Time]bool{}
				for _, sh := range shifts {
					if days[sh.Occurrence] {
						t.Errorf("occurrence %v stored twice", sh.Occurrence)
					}
					days[sh.Occurrence] = true
				}
				if created.Load() != 2 || len(shifts) != 11 {
					t.Fatalf("20 concurrent extensions created %d, stored %d; want 2 and 11", created.Load(), len(shifts))
				}
			})

			t.Run("EndedSeriesStops", func(t *testing.T) {
				admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
				if _, _, err := s.CancelSeries(ctx, admin, r.Series.ID, "Hết kinh phí", ""); err != nil {
					t.Fatal(err)
				}
				clock.add(7 * 24 * time.Hour)
				if n, err := s.ExtendSeries(ctx, clock.now()); err != nil || n != 0 {
					t.Fatalf("an ended series made %d shifts (%v)", n, err)
				}
			})
		})
	}
}

// An hourly extension racing a change of the whole series never leaves an
// occurrence made from the old template: whichever comes second refits it.
func TestSeriesChangeRacesExtension(t *testing.T) {
	for _, ad := range Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			st := ad.Open(t)
			w := mkRosterWorld(t, st)
			ctx := t.Context()
			s, clock := seriesService(st)
			admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
			r, err := s.CreateSeries(ctx, admin, roster.SeriesPlan{CentreID: w.centre.ID, Rule: "FREQ=WEEKLY;BYDAY=MO,SA",
				FirstDate: clock.now().In(ict).Format(time.DateOnly), StartTime: "08:30", EndTime: "10:30",
				Template: roster.SeriesTemplate{Title: "Vòng 0", Role: roster.RoleGuide, Places: 3}})
			must(t, err)
			for round := 1; round <= 3; round++ {
				clock.add(7 * 24 * time.Hour) // a Monday and a Saturday come into the horizon
				title, start, end := fmt.Sprintf("Vòng %d", round), []string{"08:30", "09:00"}[round%2], []string{"10:30", "11:00"}[round%2]
				var wg sync.WaitGroup
				for range 5 {
					wg.Go(func() {
						if _, err := s.ExtendSeries(ctx, clock.now()); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Go(func() {
					_, err := s.ChangeSeries(ctx, admin, r.Series.ID, roster.SeriesPlan{StartTime: start, EndTime: end,
						Template: roster.SeriesTemplate{Title: title, Role: roster.RoleGuide, Places: 3}})
					if err != nil {
						t.Error(err)
					}
				})
				wg.Wait()
				shifts, err := st.ShiftsOfSeries(ctx, r.Series.ID, time.Time{})
				must(t, err)
				days := map[time.Time]bool{}
				for _, sh := range shifts {
					if days[sh.Occurrence] {
						t.Fatalf("round %d: occurrence %v stored twice", round, sh.Occurrence)
					}
					days[sh.Occurrence] = true
					if sh.Status != roster.StatusScheduled || !sh.StartsAt.After(clock.now()) {
						continue
					}
					if sh.Title != title || sh.StartsAt.In(ict).Format("15:04") != start {
						t.Errorf("round %d: occurrence of %s is %q at %s, want %q at %s", round,
							sh.Occurrence.In(ict).Format(time.DateOnly), sh.Title, sh.StartsAt.In(ict).Format("15:04"), title, start)
					}
				}
			}
		})
	}
}

// "This and following" splits a series: the new one counts what is left of a
// COUNT, so the two never make more occurrences than the rule had.
func TestSeriesSplitCarriesCount(t *testing.T) {
	for _, ad := range Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			st := ad.Open(t)
			w := mkRosterWorld(t, st)
			ctx := t.Context()
			s, clock := seriesService(st)
			admin := identity.Caller{UserID: "admin-1", Role: identity.RoleAdmin}
			r, err := s.CreateSeries(ctx, admin, roster.SeriesPlan{CentreID: w.centre.ID, Rule: "FREQ=WEEKLY;BYDAY=MO,SA;COUNT=6",
				FirstDate: clock.now().In(ict).Format(time.DateOnly), StartTime: "08:30", EndTime: "10:30",
				Template: roster.SeriesTemplate{Title: "Trước", Role: roster.RoleGuide, Places: 3}})
			must(t, err)
			c := len(r.Created) // 6, or 5 when today's occurrence has passed
			if c < 5 {
				t.Fatalf("created %d", c)
			}
			from := r.Created[2]
			split, err := s.ChangeSeries(ctx, admin, r.Series.ID, roster.SeriesPlan{FromShiftID: from.ID, StartTime: "08:30", EndTime: "10:30",
				Template: roster.SeriesTemplate{Title: "Sau", Role: roster.RoleGuide, Places: 3}})
			must(t, err)
			if want := fmt.Sprintf("FREQ=WEEKLY;BYDAY=MO,SA;COUNT=%d", c-2); split.Series.Rule != want || split.Series.RootID != r.Series.ID {
				t.Fatalf("new series rule %q root %s, want %q root %s", split.Series.Rule, split.Series.RootID, want, r.Series.ID)
			}
			clock.add(8 * 7 * 24 * time.Hour)
			if n, err := s.ExtendSeries(ctx, clock.now()); err != nil || n != 0 {
				t.Fatalf("extension after the split created %d (%v)", n, err)
			}
			before, err := st.ShiftsOfSeries(ctx, r.Series.ID, time.Time{})
			must(t, err)
			after, err := st.ShiftsOfSeries(ctx, split.Series.ID, time.Time{})
			must(t, err)
			if len(before) != 2 || len(after) != c-2 || after[0].ID != from.ID {
				t.Fatalf("split into %d and %d shifts, want 2 and %d", len(before), len(after), c-2)
			}
			for _, sh := range after {
				if sh.Title != "Sau" {
					t.Errorf("moved occurrence %+v", sh)
				}
			}
		})
	}
}

// deleteShift deletes a shift as one unit, as the series service does with an
// occurrence that never had a booking or a waiter; the store refuses one that
// has any (ErrConflict).
func deleteShift(ctx context.Context, st store.Store, id string) error {
	_, err := st.Transact(ctx, id, func(ctx context.Context, h *roster.Holdings, _ roster.Volunteers) (*roster.Change, error) {
		e := &roster.Event{ShiftID: id, Seq: h.Seq + 1, Kind: roster.EventShiftDeleted, By: "test", At: now()}
		return &roster.Change{Delete: true, Events: []*roster.Event{e}}, nil
	})
	return err
}
