package roster

import (
	"slices"
	"testing"
)

func TestHoldOf(t *testing.T) {
	h := holdings(2, []string{"a", "b"}, []string{"c", "d", "e"})
	left := append(slices.Clone(h.Waiters), &Waiter{ShiftID: "s", VolunteerID: "a", Seq: h.Seq + 1}) // a booked waiter left behind
	for _, c := range []struct {
		name string
		bs   []*Booking
		ws   []*Waiter
		v    string
		want Hold
	}{
		{"booked", h.Bookings, h.Waiters, "b", Hold{Kind: HoldBooked}},
		{"first in line", h.Bookings, h.Waiters, "c", Hold{Kind: HoldWaiting, Position: 1}},
		{"third in line", h.Bookings, h.Waiters, "e", Hold{Kind: HoldWaiting, Position: 3}},
		{"neither", h.Bookings, h.Waiters, "z", Hold{}},
		{"empty shift", nil, nil, "a", Hold{}},
		{"booked and in line", h.Bookings, left, "a", Hold{Kind: HoldWaiting, Position: 4}},
	} {
		if got := HoldOf(c.bs, c.ws, c.v); got != c.want {
			t.Errorf("%s: HoldOf(%q) = %+v, want %+v", c.name, c.v, got, c.want)
		}
	}
}
