package seeding_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ecitizen/content"
	"ecitizen/internal/app"
	"ecitizen/internal/certificate"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/integrity"
	"ecitizen/internal/page"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/skills"
	"ecitizen/internal/store"
	"ecitizen/internal/store/storetest"
	"ecitizen/scripts/seed/seeding"
)

// TestRunTwice seeds each kind of store twice: the first run creates the district,
// the second finds everything already there and creates nothing.
func TestRunTwice(t *testing.T) {
	for _, a := range storetest.Adapters(t) {
		t.Run(a.Name, func(t *testing.T) {
			ctx := context.Background()
			st := a.Open(t)
			opt := seeding.Options{Volunteers: 8, Workers: 4, Shifts: 50, Bookings: 100}

			seeded := time.Now() // the run plans its shifts from a moment after this
			res, err := seeding.Run(ctx, st, opt)
			if err != nil {
				t.Fatalf("first run: %v", err)
			}
			want := map[string]seeding.Count{
				"wards": {18, 0}, "centres": {90, 0}, "organisations": {6, 0}, "invites": {6, 0},
				"partners": {6, 0}, "staff": {18, 0}, "volunteers": {8, 0},
				"shifts": {50, 0}, "bookings": {100, 0},
			}
			check(t, "first run", res, want)
			if !res.AdminCreated {
				t.Error("first run did not create the admin")
			}
			if res.Unplaced != 0 {
				t.Errorf("first run: %d bookings unplaced", res.Unplaced)
			}
			checkRoster(t, st, 50, 100, 8, seeded)
			checkInvariants(t, st, 50)

			res, err = seeding.Run(ctx, st, opt)
			if err != nil {
				t.Fatalf("second run: %v", err)
			}
			for k, c := range want {
				want[k] = seeding.Count{Existing: c.Created}
			}
			check(t, "second run", res, want)
			checkRoster(t, st, 50, 100, 8, seeded)

			// Names keep their diacritics; every account has the seed password and
			// the scope of its role.
			ws, err := st.ListWards(ctx, directory.WardFilter{}, page.Request{Limit: 100})
			if err != nil || len(ws) != 18 {
				t.Fatalf("ListWards = %d wards, %v", len(ws), err)
			}
			names := map[string]string{}
			for _, w := range ws {
				names[w.Code] = w.NameVi + " / " + w.NameEn
			}
			if got := names["00286"]; got != "Phường Bách Khoa / Bach Khoa Ward" {
				t.Errorf("ward 00286 = %q", got)
			}
			staff, err := st.UserByEmail(ctx, seeding.StaffEmail("00286"))
			if err != nil {
				t.Fatal(err)
			}
			if staff.Role != identity.RoleWardStaff || len(staff.Scope.WardIDs) != 1 {
				t.Errorf("staff = %s %+v", staff.Role, staff.Scope)
			}
			v, err := st.UserByEmail(ctx, seeding.VolunteerEmail(1))
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := identity.CheckPassword(v.PasswordHash, seeding.DefaultPassword); !ok || err != nil {
				t.Errorf("volunteer001 password check = %v, %v", ok, err)
			}
			org, err := st.OrganisationByID(ctx, v.Scope.OrganisationID)
			if err != nil || org.Name != "Đại học Bách khoa Hà Nội" {
				t.Errorf("volunteer001 organisation = %+v, %v", org, err)
			}
		})
	}
}

func check(t *testing.T, what string, res *seeding.Result, want map[string]seeding.Count) {
	t.Helper()
	got := map[string]seeding.Count{
		"wards": res.Wards, "centres": res.Centres, "organisations": res.Organisations, "invites": res.Invites,
		"partners": res.Partners, "staff": res.Staff, "volunteers": res.Volunteers,
		"shifts": res.Shifts, "bookings": res.Bookings,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s = %+v, want %+v", what, k, got[k], w)
		}
	}
}

// checkRoster checks the seeded shifts and bookings against the rules of rosters:
// within the centres' opening hours over the year from tomorrow, the service's
// default windows, no shift over its places, one place per volunteer and shift,
// no overlapping bookings of a volunteer, and a line of history per booking.
// The run planned its shifts at a moment between seeded and now: the year from
// tomorrow starts on the day after seeded's (local) day and ends a year after
// now's, so a run that straddles local midnight (17:00 UTC) is still held to it;
// a booking on a shift whose sign-up opened in that time may be either kind.
func checkRoster(t *testing.T, st store.Store, wantShifts, wantBookings, volunteers int, seeded time.Time) {
	t.Helper()
	ctx := context.Background()
	loc := seeding.Location()
	y, m, d := seeded.In(loc).Date()
	tomorrow := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	now := time.Now()
	y, m, d = now.In(loc).Date()
	yearEnd := time.Date(y, m, d+1+365, 0, 0, 0, 0, loc)

	wardOf := map[string]string{} // centre ID -> ward ID
	ws, err := st.ListWards(ctx, directory.WardFilter{}, page.Request{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	staffOf := map[string]string{} // ward ID -> staff user ID
	for _, w := range ws {
		cs, err := st.ListCentres(ctx, directory.CentreFilter{WardID: w.ID}, page.Request{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			wardOf[c.ID] = w.ID
		}
		u, err := st.UserByEmail(ctx, seeding.StaffEmail(w.Code))
		if err != nil {
			t.Fatal(err)
		}
		staffOf[w.ID] = u.ID
	}

	var shifts []*roster.Shift
	p := page.Request{Limit: page.MaxLimit}
	for {
		ss, err := st.ListShifts(ctx, roster.ShiftFilter{}, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(ss) <= p.Limit {
			shifts = append(shifts, ss...)
			break
		}
		shifts = append(shifts, ss[:p.Limit]...)
		p.After = roster.ShiftKey(ss[p.Limit-1])
	}
	if len(shifts) != wantShifts {
		t.Fatalf("%d shifts, want %d", len(shifts), wantShifts)
	}
	total := 0
	for _, sh := range shifts {
		start, end := sh.StartsAt.In(loc), sh.EndsAt.In(loc)
		from, to := start.Hour()*60+start.Minute(), end.Hour()*60+end.Minute()
		inSpan := (from >= 8*60 && to <= 11*60+30) || (from >= 14*60 && to <= 17*60)
		switch {
		case sh.Validate() != nil:
			t.Errorf("shift %s: %v", sh.ID, sh.Validate())
		case start.Before(tomorrow) || !start.Before(yearEnd):
			t.Errorf("shift %s starts %s, outside the year from tomorrow", sh.ID, start)
		case start.Weekday() == time.Sunday || start.YearDay() != end.YearDay() || !inSpan:
			t.Errorf("shift %s %s–%s is outside opening hours", sh.ID, start.Format("Mon 2006-01-02 15:04"), end.Format("15:04"))
		case sh.Places < 2 || sh.Places > 5:
			t.Errorf("shift %s has %d places", sh.ID, sh.Places)
		case wardOf[sh.CentreID] == "" || sh.WardID != wardOf[sh.CentreID]:
			t.Errorf("shift %s: centre %s of ward %q, shift ward %s", sh.ID, sh.CentreID, wardOf[sh.CentreID], sh.WardID)
		case !sh.SignupOpensAt.Equal(sh.StartsAt.Add(-roster.DefaultSignupLead)) ||
			!sh.CancelDeadline.Equal(sh.StartsAt.Add(-roster.DefaultCancelDeadline)):
			t.Errorf("shift %s: windows %s, %s for a start at %s", sh.ID, sh.SignupOpensAt, sh.CancelDeadline, sh.StartsAt)
		case sh.Status != roster.StatusScheduled || sh.CreatedBy != staffOf[sh.WardID]:
			t.Errorf("shift %s: status %s, created by %s", sh.ID, sh.Status, sh.CreatedBy)
		}
		bs, err := st.Bookings(ctx, sh.ID)
		if err != nil {
			t.Fatal(err)
		}
		total += len(bs)
		if len(bs) > sh.Places {
			t.Errorf("shift %s: %d bookings on %d places", sh.ID, len(bs), sh.Places)
		}
		seen := map[string]bool{}
		for _, b := range bs {
			open := !now.Before(sh.SignupOpensAt)
			if open && !sh.SignupOpensAt.Before(seeded) {
				// Sign-up opened during the run or since: the run saw it open or
				// not, depending on when it booked; either is right.
				open = b.BookedBy == b.VolunteerID
			}
			switch {
			case b.Place < 1 || b.Place > sh.Places:
				t.Errorf("shift %s: place %d of %d", sh.ID, b.Place, sh.Places)
			case seen[b.VolunteerID]:
				t.Errorf("shift %s: volunteer %s holds two places", sh.ID, b.VolunteerID)
			case !b.StartsAt.Equal(sh.StartsAt) || !b.EndsAt.Equal(sh.EndsAt):
				t.Errorf("shift %s: booking times %s–%s", sh.ID, b.StartsAt, b.EndsAt)
			case open && (b.BookedBy != b.VolunteerID || b.BookedAt.Before(sh.SignupOpensAt) || b.BookedAt.After(now)):
				t.Errorf("shift %s (sign-up open): booked by %s at %s", sh.ID, b.BookedBy, b.BookedAt)
			case !open && (b.BookedBy != staffOf[sh.WardID] || b.Reason == ""):
				t.Errorf("shift %s (sign-up not open): booked by %s, reason %q", sh.ID, b.BookedBy, b.Reason)
			}
			seen[b.VolunteerID] = true
		}
		es, err := st.Events(ctx, sh.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != len(bs) {
			t.Errorf("shift %s: %d bookings, %d lines of history", sh.ID, len(bs), len(es))
		}
	}
	if total != wantBookings {
		t.Errorf("%d bookings, want %d", total, wantBookings)
	}

	// No volunteer holds overlapping bookings.
	for n := 1; n <= volunteers; n++ {
		v, err := st.UserByEmail(ctx, seeding.VolunteerEmail(n))
		if err != nil {
			t.Fatal(err)
		}
		bs, err := st.BookingsOfVolunteer(ctx, v.ID, tomorrow, yearEnd)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(bs); i++ {
			if bs[i].StartsAt.Before(bs[i-1].EndsAt) {
				t.Errorf("volunteer %d: shift %s (%s) overlaps shift %s (%s)", n, bs[i].ShiftID, bs[i].StartsAt, bs[i-1].ShiftID, bs[i-1].StartsAt)
			}
		}
	}
}

// checkInvariants runs the roster check of `ecitizen check` (roster.Service's
// Check, without repairs) on the seeded store: the batch writes left nothing to
// report or repair.
func checkInvariants(t *testing.T, st store.Store, wantShifts int) {
	t.Helper()
	key := make([]byte, identity.MinKeyBytes)
	_, _ = rand.Read(key)
	dataKey := make([]byte, 32)
	_, _ = rand.Read(dataKey)
	svc, err := app.Build(context.Background(), st, app.Options{JWTKey: key, DataKey: dataKey})
	if err != nil {
		t.Fatal(err)
	}
	var rep integrity.Report
	if err := svc.Roster.Check(context.Background(), false, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Shifts != wantShifts || len(rep.Problems) > 0 {
		var b bytes.Buffer
		_ = rep.Write(&b)
		t.Errorf("roster check of %d shifts (want %d): %s", rep.Shifts, wantShifts, b.String())
	}
}

// TestResidentsAndProgress seeds a few residents and progress records on each
// kind of store: the counts stored match, about ECitizenShare of the residents
// hold a certificate, a second run adds nothing, and no seeded phone number is
// in the SQLite files in clear.
func TestResidentsAndProgress(t *testing.T) {
	for _, a := range storetest.Adapters(t) {
		t.Run(a.Name, func(t *testing.T) {
			ctx := context.Background()
			cfg := a.Config(t)
			st := storetest.MustOpen(t, cfg)
			dataKey, jwtKey := make([]byte, 32), make([]byte, identity.MinKeyBytes)
			_, _ = rand.Read(dataKey)
			_, _ = rand.Read(jwtKey)
			opt := seeding.Options{Volunteers: 2, Workers: 4, Residents: 50, Progress: 300, DataKey: dataKey, JWTKey: jwtKey}

			res, err := seeding.Run(ctx, st, opt)
			if err != nil {
				t.Fatalf("first run: %v", err)
			}
			if res.Residents != (seeding.Count{Created: 50}) || res.Progress != (seeding.Count{Created: 300}) {
				t.Fatalf("first run: residents %+v, progress %+v", res.Residents, res.Progress)
			}
			framework, err := skills.Load(content.FS, "skills.yaml")
			if err != nil {
				t.Fatal(err)
			}
			def := framework.Active()
			certService := certificate.NewService(certificate.Deps{Store: st, JWTKey: jwtKey, PublicURL: "http://localhost:8080"})
			var residents, records, ecitizens, certs, phones int
			ws, err := st.ListWards(ctx, directory.WardFilter{}, page.Request{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range ws {
				rs, err := st.ListResidents(ctx, resident.Filter{WardID: w.ID}, page.Request{Limit: page.MaxLimit})
				if err != nil {
					t.Fatal(err)
				}
				residents += len(rs)
				for _, r := range rs {
					if r.Consent.Version == "" || r.Group == "" || r.BirthYear == 0 {
						t.Errorf("resident %s: consent %+v, group %q, birth year %d", r.ID, r.Consent, r.Group, r.BirthYear)
					}
					if r.Phone != nil {
						phones++
					}
					recs, revs, err := st.ProgressOfResident(ctx, r.ID)
					if err != nil {
						t.Fatal(err)
					}
					records += len(recs)
					for _, rec := range recs {
						if rec.At.Before(r.CreatedAt) || rec.At.After(time.Now()) || rec.CentreID == "" || rec.Evidence == "" {
							t.Errorf("record %+v of resident created %s", rec, r.CreatedAt)
						}
					}
					if progress.Evaluate(def.Version, def.Required, recs, revs).ECitizen {
						ecitizens++
						if _, err := certService.LiveECitizen(ctx, r.ID, def.Version); err == nil {
							certs++
						}
					}
				}
			}
			// The batch wrote each resident's name words: a search by the
			// first word of a stored name finds it.
			for _, w := range ws {
				rs, err := st.ListResidents(ctx, resident.Filter{WardID: w.ID}, page.Request{Limit: 1})
				if err != nil || len(rs) == 0 {
					continue
				}
				term := strings.Fields(rs[0].NameKey)[0]
				found, err := st.ListResidents(ctx, resident.Filter{WardID: w.ID, Terms: []string{term}}, page.Request{Limit: page.MaxLimit})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.ContainsFunc(found, func(r *resident.Resident) bool { return r.ID == rs[0].ID }) {
					t.Errorf("ward %s: a search for %q does not find resident %s (%q)", w.Code, term, rs[0].ID, rs[0].NameKey)
				}
			}
			if residents != 50 || records != 300 || phones != 25 {
				t.Errorf("stored %d residents (%d with a phone), %d records; want 50 (25), 300", residents, phones, records)
			}
			if ecitizens != res.ECitizens || certs != ecitizens || ecitizens < 5 || ecitizens > 25 {
				t.Errorf("%d e-citizens, %d certificates, reported %d", ecitizens, certs, res.ECitizens)
			}

			res, err = seeding.Run(ctx, st, opt)
			if err != nil {
				t.Fatalf("second run: %v", err)
			}
			if res.Residents != (seeding.Count{Existing: 50}) || res.Progress != (seeding.Count{}) {
				t.Errorf("second run: residents %+v, progress %+v", res.Residents, res.Progress)
			}

			if cfg.SQLitePath != "" {
				// Phones are stored as "+84" and nine digits: look for those digits.
				files, _ := filepath.Glob(cfg.SQLitePath + "*")
				for _, f := range files {
					b, err := os.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					for n := 2; n <= 50; n += 2 {
						if p := seeding.SeededPhone(n)[1:]; bytes.Contains(b, []byte(p)) {
							t.Errorf("%s holds the phone of resident %d in clear", filepath.Base(f), n)
						}
					}
				}
			}
		})
	}
}
