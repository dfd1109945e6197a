package main

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCheckCommand: `ecitizen check` lists the broken invariants of a store
// broken by hand (here, a booking deleted behind the service's back while two
// volunteers wait) and fails; `check -repair` repairs it (the first in line
// takes the place, the history gets a "reconciled" line) and succeeds; a check
// of a data directory without a store fails instead of making one.
func TestCheckCommand(t *testing.T) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := map[string]string{
		"ECITIZEN_DATA_DIR":       t.TempDir(),
		"ECITIZEN_JWT_KEY":        base64.StdEncoding.EncodeToString(key),
		"ECITIZEN_ADMIN_EMAIL":    "admin@quan.example.vn",
		"ECITIZEN_ADMIN_PASSWORD": "mat-khau-quan-tri",
	}
	s := startService(t, env)
	admin, _ := login(t, s.base, "admin@quan.example.vn", "mat-khau-quan-tri")
	created := func(path string, body any) string {
		t.Helper()
		st, m := call(t, "POST", s.base+path, admin, body)
		if st != http.StatusCreated {
			t.Fatalf("POST %s: %d %v", path, st, m)
		}
		return m["id"].(string)
	}
	ward := created("/api/v1/wards", map[string]string{"code": "CHK1", "name_vi": "Phường Lê Đại Hành", "name_en": "Le Dai Hanh Ward"})
	day := []map[string]string{{"open": "00:00", "close": "24:00"}}
	centre := created("/api/v1/wards/"+ward+"/centres", map[string]any{"name": "Nhà sinh hoạt tổ 9", "address": "9 Lê Đại Hành",
		"opening_hours": map[string]any{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}, "seats": 4})
	org := created("/api/v1/organisations", map[string]string{"kind": "university", "name": "Đại học Xây dựng"})
	vols, tokens := crashVolunteers(t, env, key, org, 4)
	// 09:00 local (Asia/Ho_Chi_Minh) in three days: a whole hour 72 hours
	// ahead was 23:00 local when run between 16:00 and 17:00 UTC, and the
	// service refuses a shift crossing local midnight.
	ict := time.FixedZone("ICT", 7*3600)
	in3 := time.Now().In(ict).AddDate(0, 0, 3)
	start := time.Date(in3.Year(), in3.Month(), in3.Day(), 9, 0, 0, 0, ict)
	shift := created("/api/v1/centres/"+centre+"/shifts", map[string]any{"title": "Ca kiểm tra", "role": "guide", "places": 2,
		"starts_at": start.UTC().Format(time.RFC3339), "ends_at": start.Add(2 * time.Hour).UTC().Format(time.RFC3339)})
	for i := range tokens {
		if st, m := call(t, "POST", s.base+"/api/v1/shifts/"+shift+"/bookings", tokens[i], map[string]bool{"waitlist": true}); st != 201 && st != 202 {
			t.Fatalf("book: %d %v", st, m)
		}
	}
	s.stop(t)

	var out, errs bytes.Buffer
	getenv := func(k string) string { return env[k] }
	if err := check(t.Context(), nil, getenv, &out, &errs); err != nil {
		t.Fatalf("check of a sound store: %v\n%s%s", err, out.String(), errs.String())
	}
	if !strings.Contains(out.String(), "0 broken invariants") {
		t.Fatalf("check output: %s", out.String())
	}

	raw, err := sql.Open("sqlite", env["ECITIZEN_DATA_DIR"]+"/ecitizen.db")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM shift_bookings WHERE shift_id = ? AND volunteer_id = ?`, shift, vols[0]); err != nil {
		t.Fatal(err)
	}
	_ = raw.Close()

	out.Reset()
	err = check(t.Context(), nil, getenv, &out, &errs)
	if !errors.Is(err, errBroken) {
		t.Fatalf("check of a broken store: %v, want errBroken", err)
	}
	for _, want := range []string{"shift " + shift + ": free_while_waiting", "shift " + shift + ": history_mismatch", "2 broken invariants"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("check output lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	if err := check(t.Context(), []string{"-repair"}, getenv, &out, &errs); err != nil {
		t.Fatalf("check -repair: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "[repaired]") || !strings.Contains(out.String(), "0 broken invariants, 2 repaired") {
		t.Fatalf("check -repair output:\n%s", out.String())
	}
	out.Reset()
	if err := check(t.Context(), nil, getenv, &out, &errs); err != nil {
		t.Fatalf("check after the repair: %v\n%s", err, out.String())
	}

	// The promoted volunteer holds the freed place.
	s = startService(t, env)
	defer s.stop(t)
	st, m := call(t, "GET", s.base+"/api/v1/shifts/"+shift+"/roster", admin, nil)
	if st != http.StatusOK {
		t.Fatalf("roster: %d %v", st, m)
	}
	booked := map[string]bool{}
	for _, b := range m["bookings"].([]any) {
		booked[b.(map[string]any)["volunteer_id"].(string)] = true
	}
	if len(booked) != 2 || !booked[vols[1]] || !booked[vols[2]] {
		t.Fatalf("after the repair: booked %v, want volunteers 1 and 2", booked)
	}

	empty := map[string]string{"ECITIZEN_DATA_DIR": t.TempDir()}
	if err := check(t.Context(), nil, func(k string) string { return empty[k] }, &out, &errs); err == nil || !strings.Contains(err.Error(), "no store to check") {
		t.Fatalf("check of an empty data directory: %v", err)
	}
}
