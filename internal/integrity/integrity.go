// Package integrity names what a check of the store finds: an invariant of a
// roster or a training session that the store should keep and does not. The
// roster and training services check their own records (roster.Service.Check,
// training.Service.Check) and repair what can be repaired; the operator runs
// the same check with `ecitizen check` (api/check.go).
package integrity

import (
	"fmt"
	"io"
	"sort"
)

// Kind is a kind of broken invariant.
type Kind string

// Kinds of broken invariants.
const (
	// Overbooked: more bookings (or seats) than places.
	Overbooked Kind = "overbooked"
	// Overlapping: one volunteer holds two bookings whose times overlap.
	Overlapping Kind = "overlapping"
	// BookedAndWaiting: a volunteer holds a place and waits for one on the same shift.
	BookedAndWaiting Kind = "booked_and_waiting"
	// FreeWhileWaiting: an open shift has free places while people wait.
	FreeWhileWaiting Kind = "free_while_waiting"
	// DuplicatePosition: two waiters share one place in line.
	DuplicatePosition Kind = "duplicate_position"
	// HistoryMismatch: replaying the history does not give the stored holdings.
	HistoryMismatch Kind = "history_mismatch"
	// CancelledWithHoldings: a cancelled shift (or session) still has bookings or waiters.
	CancelledWithHoldings Kind = "cancelled_with_holdings"
)

// Problem is one broken invariant.
type Problem struct {
	Kind    Kind
	Subject string // "shift" or "session"
	ID      string // the shift or session
	Who     string // the volunteer or learner concerned, when one is
	Detail  string // for the operator, in English
	// Repaired is set when a repair fixed it.
	Repaired bool
}

func (p Problem) String() string {
	s := fmt.Sprintf("%s %s: %s", p.Subject, p.ID, p.Kind)
	if p.Who != "" {
		s += " (" + p.Who + ")"
	}
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	if p.Repaired {
		s += " [repaired]"
	}
	return s
}

// Report is what a check found.
type Report struct {
	Shifts, Sessions int // how many were checked
	Recovered        int // half-applied units finished before checking
	Problems         []Problem
}

// Add records problems.
func (r *Report) Add(ps ...Problem) { r.Problems = append(r.Problems, ps...) }

// Broken counts the problems a repair did not fix.
func (r *Report) Broken() int {
	n := 0
	for _, p := range r.Problems {
		if !p.Repaired {
			n++
		}
	}
	return n
}

// Write prints the report for an operator: one line per problem, then a summary.
func (r *Report) Write(w io.Writer) error {
	ps := append([]Problem(nil), r.Problems...)
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Subject != ps[j].Subject {
			return ps[i].Subject > ps[j].Subject // shifts first
		}
		return ps[i].ID < ps[j].ID
	})
	for _, p := range ps {
		if _, err := fmt.Fprintln(w, p); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "checked %d shifts and %d sessions; %d half-applied units finished; %d broken invariants, %d repaired\n",
		r.Shifts, r.Sessions, r.Recovered, r.Broken(), len(r.Problems)-r.Broken())
	return err
}
