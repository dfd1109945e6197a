package training

import (
	"context"
	"fmt"
	"sort"

	"ecitizen/internal/integrity"
	"ecitizen/internal/page"
)

// reasonReconciled is the reason of the events a repair appends.
const reasonReconciled = "reconciled"

// Check checks every session in the store: never more seats than its capacity,
// and a history that replays to its stored seats. With repair it appends
// "reconciled" events where the history does not replay (the stored seats are
// kept: they are what learners were told); an overfull session is reported,
// never repaired (who to withdraw is for its partner to decide).
func (s *Service) Check(ctx context.Context, repair bool, rep *integrity.Report) error {
	p := page.Request{Limit: 200}
	for {
		ss, err := s.store.ListSessions(ctx, SessionFilter{}, p)
		if err != nil {
			return err
		}
		more := len(ss) > p.Limit
		if more {
			ss = ss[:p.Limit]
		}
		for _, se := range ss {
			rep.Sessions++
			if err := s.checkSession(ctx, se, repair, rep); err != nil {
				return err
			}
		}
		if !more {
			return nil
		}
		p.After = SessionKey(ss[len(ss)-1])
	}
}

func (s *Service) checkSession(ctx context.Context, se *Session, repair bool, rep *integrity.Report) error {
	st, es, err := s.snapshot(ctx, se.ID)
	if err != nil {
		return err
	}
	se, seats := st.Session, st.Seats
	if len(seats) > se.Capacity {
		rep.Add(integrity.Problem{Kind: integrity.Overbooked, Subject: "session", ID: se.ID,
			Detail: fmt.Sprintf("%d seats taken of %d", len(seats), se.Capacity)})
	}
	d := seatMismatch(seats, es)
	if d == "" {
		return nil
	}
	p := integrity.Problem{Kind: integrity.HistoryMismatch, Subject: "session", ID: se.ID, Detail: d}
	if repair {
		var seen int64
		if len(es) > 0 {
			seen = es[len(es)-1].Seq
		}
		replayed := ReplaySeats(es)
		_, err := s.transact(ctx, se.ID, func(ctx context.Context, t *seatTx) error {
			if t.sitting.Seq != seen {
				return nil
			}
			t.restate(replayed)
			return nil
		})
		if err != nil {
			return fmt.Errorf("reconcile history of session %s: %w", se.ID, err)
		}
		st, es, err := s.snapshot(ctx, se.ID)
		if err != nil {
			return err
		}
		p.Repaired = seatMismatch(st.Seats, es) == ""
	}
	rep.Add(p)
	return nil
}

// snapshot reads a session's seats and history as one unit of change that
// writes nothing, so that they agree with each other even while it changes.
func (s *Service) snapshot(ctx context.Context, id string) (*Sitting, []*SeatEvent, error) {
	var (
		st *Sitting
		es []*SeatEvent
	)
	_, err := s.store.TransactSession(ctx, id, func(ctx context.Context, got *Sitting) (*SeatChange, error) {
		var err error
		st = got
		es, err = s.store.SeatEvents(ctx, id)
		return nil, err
	})
	return st, es, err
}

// seatMismatch says how stored seats differ from their replayed history; "" when
// they do not.
func seatMismatch(seats []*Seat, es []*SeatEvent) string {
	replayed := ReplaySeats(es)
	for _, st := range seats {
		if n, ok := replayed[st.LearnerKey]; !ok || n != st.Number {
			return fmt.Sprintf("learner %s holds seat %d, the history says %d", st.LearnerKey, st.Number, n)
		}
	}
	if len(replayed) != len(seats) {
		return fmt.Sprintf("the history gives %d seats, %d are stored", len(replayed), len(seats))
	}
	return ""
}

// restate appends the events that make the history replay to the stored seats.
func (t *seatTx) restate(replayed map[string]int) {
	stored := map[string]*Seat{}
	for _, st := range t.sitting.Seats {
		stored[st.LearnerKey] = st
	}
	keys := make([]string, 0, len(replayed))
	for k := range replayed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if st, ok := stored[k]; !ok || st.Number != replayed[k] {
			t.record(replayed[k], k, EventWithdrawn, "reconciler", reasonReconciled)
		}
	}
	for _, st := range t.sitting.Seats {
		if n, ok := replayed[st.LearnerKey]; !ok || n != st.Number {
			t.record(st.Number, st.LearnerKey, EventEnrolled, "reconciler", reasonReconciled)
		}
	}
}
