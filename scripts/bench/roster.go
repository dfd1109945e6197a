package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"ecitizen/scripts/seed/seeding"
)

// The roster attacks: list a centre's shifts for a week, book places, cancel the
// places booked; then the check that no shift the book attack touched holds more
// bookings than places, and that no signed-in volunteer holds overlapping bookings.

const (
	// contenders is how many volunteers ask for each shift in turn in the book
	// attack, so that shifts fill up and the full, waiting-list and collision
	// answers show up next to the bookings.
	contenders = 8
	// cancelMargin keeps the book attack off shifts starting sooner: their cancel
	// deadline (3 h before the start) must not pass before the cancel attack.
	cancelMargin = 4 * time.Hour
	// signupLead is the default sign-up window: shifts starting within it are open.
	signupLead = 14 * 24 * time.Hour
	// tokenRenew is the age at which access tokens (valid 15 minutes) are renewed
	// before an attack, which lasts 5 minutes at most.
	tokenRenew = 8 * time.Minute
	// weeks is how many weeks from tomorrow the list attack rotates over.
	weeks = 52
)

// volunteers are the signed-in volunteers, their IDs and access tokens.
type volunteers struct {
	c        *client
	password string
	ids      []string // by index: volunteer i+1
	byID     map[string]int
	tokens   []string
	signedAt time.Time
}

// fresh renews the access tokens when they are old, so an attack never runs on
// tokens that may expire during it.
func (v *volunteers) fresh(ctx context.Context) error {
	if time.Since(v.signedAt) < tokenRenew {
		return nil
	}
	t := time.Now()
	tokens, err := v.c.signIn(ctx, len(v.tokens), v.password)
	if err != nil {
		return err
	}
	v.tokens, v.signedAt = tokens, t
	fmt.Printf("bench: %d volunteers signed in again in %s (access tokens last 15 minutes)\n", len(tokens), time.Since(t).Round(time.Millisecond))
	return nil
}

// shiftRef is a shift as the list answers it.
type shiftRef struct {
	ID            string    `json:"id"`
	StartsAt      time.Time `json:"starts_at"`
	SignupOpensAt time.Time `json:"signup_opens_at"`
	Status        string    `json:"status"`
}

// rosterSetup is what the roster attacks rotate over.
type rosterSetup struct {
	vols     *volunteers
	centres  []string
	open     []shiftRef // scheduled, sign-up open, starting after cancelMargin and within 14 days
	tomorrow time.Time  // local midnight starting tomorrow: the list attack's first week
}

// prepareRoster finds the centres, the volunteers' IDs and the shifts open for
// sign-up. It returns nil when the server has no such shifts (seeded without them).
func prepareRoster(ctx context.Context, c *client, wards, tokens []string, signedAt time.Time, password string) (*rosterSetup, error) {
	t := time.Now()
	vols := &volunteers{c: c, password: password, tokens: tokens, signedAt: signedAt, byID: map[string]int{}}
	for i, tok := range tokens {
		var me struct {
			ID string `json:"id"`
		}
		if err := c.do(ctx, http.MethodGet, "/api/v1/me", tok, nil, &me); err != nil {
			return nil, err
		}
		vols.ids = append(vols.ids, me.ID)
		vols.byID[me.ID] = i
	}
	var centres []string
	for _, w := range wards {
		err := c.pages(ctx, "/api/v1/wards/"+w+"/centres", url.Values{}, "", func(raw json.RawMessage) error {
			var ce struct {
				ID     string `json:"id"`
				Active bool   `json:"active"`
			}
			if err := json.Unmarshal(raw, &ce); err != nil {
				return err
			}
			if ce.Active {
				centres = append(centres, ce.ID)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(centres) == 0 {
		return nil, errors.New("the server has no active centres: seed it first (go run ./scripts/seed)")
	}
	now := time.Now()
	loc := seeding.Location()
	y, m, d := now.In(loc).Date()
	s := &rosterSetup{vols: vols, centres: centres, tomorrow: time.Date(y, m, d+1, 0, 0, 0, 0, loc)}
	q := url.Values{"status": {"scheduled"}, "from": {rfc3339(now.Add(cancelMargin))}, "to": {rfc3339(now.Add(signupLead))}}
	for _, ce := range centres {
		err := c.pages(ctx, "/api/v1/centres/"+ce+"/shifts", q, tokens[0], func(raw json.RawMessage) error {
			var sh shiftRef
			if err := json.Unmarshal(raw, &sh); err != nil {
				return err
			}
			if sh.Status == "scheduled" && !sh.SignupOpensAt.After(now) {
				s.open = append(s.open, sh)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// A fixed shuffle: consecutive turns of the book attack go to shifts at
	// different centres and times, not through one centre's week in order.
	sort.Slice(s.open, func(i, j int) bool { return s.open[i].ID < s.open[j].ID })
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(s.open), func(i, j int) { s.open[i], s.open[j] = s.open[j], s.open[i] })
	fmt.Printf("bench: %d centres; %d shifts open for sign-up in the next 14 days; found in %s\n",
		len(centres), len(s.open), time.Since(t).Round(time.Millisecond))
	if len(s.open) == 0 {
		return nil, nil
	}
	return s, nil
}

func rfc3339(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// listSpec lists a centre's shifts for a week, rotating over the centres and,
// centre after centre, over the 52 weeks from tomorrow.
func (s *rosterSetup) listSpec(base string) spec {
	n := len(s.centres) * weeks
	return spec{class: reads, method: http.MethodGet, path: "/api/v1/centres/{id}/shifts?from=…&to=…",
		target: rotate(n, func(i int, t *vegeta.Target) {
			from := s.tomorrow.AddDate(0, 0, 7*(i/len(s.centres)))
			q := url.Values{"from": {rfc3339(from)}, "to": {rfc3339(from.AddDate(0, 0, 7))}}
			*t = vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/centres/" + s.centres[i%len(s.centres)] + "/shifts?" + q.Encode(),
				Header: http.Header{"Authorization": {"Bearer " + s.vols.tokens[i%len(s.vols.tokens)]}}}
		})}
}

// bookAttack books places: the i-th request is turn i%contenders at shift
// i/contenders (of the shuffled open shifts), by the next volunteer in line, every
// other shift asking for the waiting list when it is full. 201 (booked), 202
// (waiting) and 409 (full, collides, already booked or waiting) are all answers.
type bookAttack struct {
	setup   *rosterSetup
	mu      sync.Mutex
	touched map[string]bool // shifts asked for
	booked  []booking       // the 201 answers, in order
	refused map[string]int  // the 409 answers by error code
}

type booking struct{ shiftID, volunteerID string }

func (s *rosterSetup) bookAttack() *bookAttack {
	return &bookAttack{setup: s, touched: map[string]bool{}, refused: map[string]int{}}
}

func (b *bookAttack) spec(base string) spec {
	s := b.setup
	vs, n := len(s.vols.tokens), len(s.open)
	bodies := [2][]byte{[]byte(`{"waitlist":false}`), []byte(`{"waitlist":true}`)}
	return spec{class: writes, method: http.MethodPost, path: "/api/v1/shifts/{id}/bookings",
		served: func(code int) bool {
			return code == http.StatusCreated || code == http.StatusAccepted || code == http.StatusConflict
		},
		target: rotate(n*contenders, func(i int, t *vegeta.Target) {
			turn := i / contenders // shift turn
			sh := s.open[turn%n]
			b.mu.Lock()
			b.touched[sh.ID] = true
			b.mu.Unlock()
			*t = vegeta.Target{Method: http.MethodPost, URL: base + "/api/v1/shifts/" + sh.ID + "/bookings",
				Body: bodies[turn%2], Header: http.Header{"Content-Type": {"application/json"},
					"Authorization": {"Bearer " + s.vols.tokens[i%vs]}}}
		}),
		result: func(r *vegeta.Result) {
			if r.Code == http.StatusConflict {
				var p struct {
					Code string `json:"code"`
				}
				_ = json.Unmarshal(r.Body, &p)
				b.refused[cmp.Or(p.Code, "?")]++
				return
			}
			if r.Code != http.StatusCreated {
				return
			}
			var out struct {
				ShiftID     string `json:"shift_id"`
				VolunteerID string `json:"volunteer_id"`
			}
			if json.Unmarshal(r.Body, &out) == nil && out.ShiftID != "" {
				b.mu.Lock()
				b.booked = append(b.booked, booking{out.ShiftID, out.VolunteerID})
				b.mu.Unlock()
			}
		},
	}
}

// cancelSpec cancels the places the book attack got, each once, at the attack's
// rate; it ends early when all are cancelled.
func (b *bookAttack) cancelSpec(base string) spec {
	s := b.setup
	var next atomic.Int64
	return spec{class: writes, method: http.MethodDelete, path: "/api/v1/shifts/{id}/bookings/me",
		target: func(t *vegeta.Target) error {
			i := int(next.Add(1) - 1)
			if i >= len(b.booked) {
				return vegeta.ErrNoTargets
			}
			bk := b.booked[i]
			*t = vegeta.Target{Method: http.MethodDelete, URL: base + "/api/v1/shifts/" + bk.shiftID + "/bookings/me",
				Header: http.Header{"Authorization": {"Bearer " + s.vols.tokens[s.vols.byID[bk.volunteerID]]}}}
			return nil
		}}
}

// check reads every shift the book attack touched and the signed-in volunteers'
// bookings, and reports shifts with more bookings than places and volunteers with
// overlapping bookings. It returns an error when it finds any.
func (b *bookAttack) check(ctx context.Context, w io.Writer) error {
	s := b.setup
	if err := s.vols.fresh(ctx); err != nil {
		return err
	}
	ids := slices.Sorted(maps.Keys(b.touched))
	var (
		mu       sync.Mutex
		over     []string
		errs     []error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, 8)
		tok      = s.vols.tokens[0]
		overlaps []string
	)
	for _, id := range ids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var sh struct {
				Places int `json:"places"`
				Booked int `json:"booked"`
			}
			err := s.vols.c.do(ctx, http.MethodGet, "/api/v1/shifts/"+id, tok, nil, &sh)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs = append(errs, err)
			case sh.Booked > sh.Places:
				over = append(over, fmt.Sprintf("%s (%d booked, %d places)", id, sh.Booked, sh.Places))
			}
		})
	}
	for i, tok := range s.vols.tokens {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var page struct {
				Items []struct {
					ShiftID  string    `json:"shift_id"`
					StartsAt time.Time `json:"starts_at"`
					EndsAt   time.Time `json:"ends_at"`
				} `json:"items"`
			}
			q := url.Values{"from": {rfc3339(time.Now().Add(-24 * time.Hour))}, "to": {rfc3339(time.Now().Add(signupLead + 24*time.Hour))}}
			err := s.vols.c.do(ctx, http.MethodGet, "/api/v1/me/bookings?"+q.Encode(), tok, nil, &page)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			bs := page.Items
			sort.Slice(bs, func(i, j int) bool { return bs[i].StartsAt.Before(bs[j].StartsAt) })
			for k := 1; k < len(bs); k++ {
				if bs[k].StartsAt.Before(bs[k-1].EndsAt) {
					overlaps = append(overlaps, fmt.Sprintf("%s: shifts %s and %s", seeding.VolunteerEmail(i+1), bs[k-1].ShiftID, bs[k].ShiftID))
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("overbooking check: %w", err)
	}
	slices.Sort(over)
	fmt.Fprintf(w, "\nbook attack: %d places booked (201) on %d shifts touched", len(b.booked), len(ids))
	if len(b.refused) > 0 {
		var codes []string
		for _, c := range slices.Sorted(maps.Keys(b.refused)) {
			codes = append(codes, fmt.Sprintf("%s×%d", c, b.refused[c]))
		}
		fmt.Fprintf(w, "; 409s: %s", strings.Join(codes, " "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "overbooked shifts: %d\n", len(over))
	for _, o := range over {
		fmt.Fprintf(w, "  %s\n", o)
	}
	fmt.Fprintf(w, "volunteers with overlapping bookings: %d (of %d signed in)\n", len(overlaps), len(s.vols.tokens))
	for _, o := range overlaps {
		fmt.Fprintf(w, "  %s\n", o)
	}
	if len(over) > 0 || len(overlaps) > 0 {
		return fmt.Errorf("%d overbooked shifts, %d volunteers with overlapping bookings", len(over), len(overlaps))
	}
	return nil
}

// pages calls fn with each item of a list endpoint, following the cursors (at
// most 1000 pages of 100).
func (c *client) pages(ctx context.Context, path string, q url.Values, token string, fn func(json.RawMessage) error) error {
	q.Set("limit", "100")
	for range 1000 {
		var page struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor *string           `json:"next_cursor"`
		}
		if err := c.do(ctx, http.MethodGet, path+"?"+q.Encode(), token, nil, &page); err != nil {
			return err
		}
		for _, it := range page.Items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if page.NextCursor == nil || *page.NextCursor == "" {
			return nil
		}
		q.Set("cursor", *page.NextCursor)
	}
	return fmt.Errorf("%s: more than 1000 pages", path)
}

// The waiting-list storm: stormShifts shifts open for sign-up (from the end of
// the shuffled list, away from the book attack's), each with stormers
// volunteers who join its waiting list (or take a place while one is free),
// cancel their place and leave the line, one request right after the other,
// round after round: cancellations promote the first in line while others
// leave and re-join.
// Every answer of the service is one (201, 202, 204, 404, 409).
const (
	stormShifts = 24
	stormers    = 10
)

// stormSpec is the storm's attack.
func (s *rosterSetup) stormSpec(base string) spec {
	k := min(stormShifts, len(s.open))
	shifts := s.open[len(s.open)-k:]
	vs := len(s.vols.tokens)
	join := []byte(`{"waitlist":true}`)
	return spec{class: writes, method: "POST/DELETE", path: "/api/v1/shifts/{id}/… waiting-list storm",
		served: func(code int) bool {
			return code == http.StatusCreated || code == http.StatusAccepted || code == http.StatusNoContent ||
				code == http.StatusNotFound || code == http.StatusConflict
		},
		target: rotate(k*stormers*3, func(i int, t *vegeta.Target) {
			// Each volunteer's join, cancel and leave come one after another, so
			// at any rate they are in flight together with the others'.
			step, j, v := i%3, (i/3)%k, (i/(3*k))%stormers
			url := base + "/api/v1/shifts/" + shifts[j].ID
			h := http.Header{"Authorization": {"Bearer " + s.vols.tokens[(j*stormers+v)%vs]}}
			switch step {
			case 0:
				h.Set("Content-Type", "application/json")
				*t = vegeta.Target{Method: http.MethodPost, URL: url + "/bookings", Body: join, Header: h}
			case 1:
				*t = vegeta.Target{Method: http.MethodDelete, URL: url + "/bookings/me", Header: h}
			default:
				*t = vegeta.Target{Method: http.MethodDelete, URL: url + "/waiting/me", Header: h}
			}
		}),
	}
}
