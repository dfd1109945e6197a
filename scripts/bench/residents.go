package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"ecitizen/internal/vntext"
	"ecitizen/scripts/seed/seeding"
)

// The resident attacks, as each ward's staff: search a ward's residents by a
// folded name prefix, record a skill a resident showed, read a resident's
// e-citizen status.

// residentsPerWard is how many residents of each ward the attacks rotate over
// (the first page of the ward's list).
const residentsPerWard = 100

// observedSkills are the skills of content/skills.yaml the record attack
// rotates over (all of them accept observed evidence).
var observedSkills = []string{"vneid_level2", "portal_account", "submit_application", "pay_fee_online", "recognise_scam",
	"use_vneid_documents", "track_application", "shop_online_safely", "install_official_app"}

// staffRef is a ward with its staff's access token and some of its residents.
type staffRef struct {
	wardID, code string
	token        string
	residents    []residentRef
}

// residentRef is a resident as the search answers it.
type residentRef struct {
	ID       string `json:"id"`
	FullName string `json:"full_name"`
}

// residentSetup is what the resident attacks rotate over.
type residentSetup struct {
	c        *client
	password string
	wards    []*staffRef
	signedAt time.Time
}

// prepareResidents signs in every ward's staff and lists the first residents
// of each ward. It returns nil when the server has no residents (seeded without).
func prepareResidents(ctx context.Context, c *client, password string) (*residentSetup, error) {
	t := time.Now()
	var wards []*staffRef
	err := c.pages(ctx, "/api/v1/wards", url.Values{}, "", func(raw json.RawMessage) error {
		var w struct {
			ID   string `json:"id"`
			Code string `json:"code"`
		}
		if err := json.Unmarshal(raw, &w); err != nil {
			return err
		}
		wards = append(wards, &staffRef{wardID: w.ID, code: w.Code})
		return nil
	})
	if err != nil {
		return nil, err
	}
	s := &residentSetup{c: c, password: password, wards: wards}
	if err := s.signIn(ctx); err != nil {
		return nil, err
	}
	var kept []*staffRef
	n := 0
	for _, w := range s.wards {
		var page struct {
			Items []residentRef `json:"items"`
		}
		path := fmt.Sprintf("/api/v1/wards/%s/residents?limit=%d", w.wardID, residentsPerWard)
		if err := c.do(ctx, http.MethodGet, path, w.token, nil, &page); err != nil {
			return nil, err
		}
		if w.residents = page.Items; len(w.residents) > 0 {
			kept = append(kept, w)
			n += len(w.residents)
		}
	}
	s.wards = kept
	fmt.Printf("bench: %d ward staff signed in; %d residents of %d wards to rotate over; found in %s\n",
		len(wards), n, len(kept), time.Since(t).Round(time.Millisecond))
	if len(kept) == 0 {
		return nil, nil
	}
	return s, nil
}

// signIn signs every ward's staff in, 4 at a time.
func (s *residentSetup) signIn(ctx context.Context) error {
	t := time.Now()
	errs := make([]error, len(s.wards))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, w := range s.wards {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			w.token, errs[i] = s.c.login(ctx, seeding.StaffEmail(w.code), s.password)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sign in ward staff (seeded with this -password?): %w", err)
	}
	s.signedAt = t
	return nil
}

// fresh signs the staff in again when their access tokens are old.
func (s *residentSetup) fresh(ctx context.Context) error {
	if time.Since(s.signedAt) < tokenRenew {
		return nil
	}
	return s.signIn(ctx)
}

// each is every (ward, resident) pair, ward by ward in turn, so consecutive
// requests go to different wards.
func (s *residentSetup) each() []struct {
	w *staffRef
	r residentRef
} {
	var out []struct {
		w *staffRef
		r residentRef
	}
	for i := range residentsPerWard {
		for _, w := range s.wards {
			if i < len(w.residents) {
				out = append(out, struct {
					w *staffRef
					r residentRef
				}{w, w.residents[i]})
			}
		}
	}
	return out
}

// prefix is what staff type to find a resident: the folded family name and
// the first letters of the given name ("nguyen th" for Nguyễn Thị Thảo).
func prefix(fullName string) string {
	words := strings.Fields(vntext.Fold(fullName))
	if len(words) < 2 {
		return strings.Join(words, " ")
	}
	given := words[len(words)-1]
	return words[0] + " " + given[:min(2, len(given))]
}

// specs are the three attacks; call it after fresh, as the tokens are copied.
func (s *residentSetup) specs(base string) []func() spec {
	pairs := s.each()
	auth := func(w *staffRef) http.Header { return http.Header{"Authorization": {"Bearer " + w.token}} }
	return []func() spec{
		func() spec {
			return spec{class: reads, method: http.MethodGet, path: "/api/v1/wards/{id}/residents?q=…", target: rotate(len(pairs), func(i int, t *vegeta.Target) {
				p := pairs[i]
				*t = vegeta.Target{Method: http.MethodGet, Header: auth(p.w),
					URL: base + "/api/v1/wards/" + p.w.wardID + "/residents?q=" + url.QueryEscape(prefix(p.r.FullName))}
			})}
		},
		func() spec {
			return spec{class: writes, method: http.MethodPost, path: "/api/v1/residents/{id}/progress", target: rotate(len(pairs), func(i int, t *vegeta.Target) {
				p := pairs[i]
				body, _ := json.Marshal(map[string]string{"skill_code": observedSkills[i%len(observedSkills)], "method": "observed",
					"evidence": "Người dân tự thực hiện, cán bộ quan sát trực tiếp (benchmark)."})
				h := auth(p.w)
				h.Set("Content-Type", "application/json")
				*t = vegeta.Target{Method: http.MethodPost, URL: base + "/api/v1/residents/" + p.r.ID + "/progress", Body: body, Header: h}
			})}
		},
		func() spec {
			return spec{class: reads, method: http.MethodGet, path: "/api/v1/residents/{id}/status", target: rotate(len(pairs), func(i int, t *vegeta.Target) {
				p := pairs[i]
				*t = vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/residents/" + p.r.ID + "/status", Header: auth(p.w)}
			})}
		},
	}
}
