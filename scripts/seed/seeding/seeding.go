// Package seeding fills an ecitizen store with a realistic district: the 18 wards
// of Hai Bà Trưng (Hà Nội) with five community centres each, six partner
// organisations, one partner account per organisation, one staff account per
// ward, and volunteers who register with their organisation's invite code; and,
// when asked (Options.Shifts, Options.Bookings), a year of volunteer shifts at the
// centres with the volunteers' bookings on them (roster.go); and residents of the
// wards with the progress records of the skills they showed, the e-citizens
// among them with their certificate (residents.go: Options.Residents,
// Options.Progress).
//
// Accounts, wards, centres and organisations go through the domain services
// (directory.Service and identity.Service) acting as the district admin, so the
// data obeys the same rules as data entered through the API. The hundreds of
// thousands of shifts, bookings, residents, progress records and certificates
// are written in batches through the store's batch writes (store.Bulk: one
// transaction a batch on SQLite, unordered InsertMany on MongoDB), which keep
// every side table the single writes keep (claims on residents' numbers, name
// words, coverage stamps and log, shifts' history numbers): shifts and bookings
// are planned within the roster's rules (opening hours, windows, places, no
// overlapping bookings of a volunteer; the SQLite batch checks places and
// overlaps again), residents are prepared by resident.Service.Prepare (the
// checks, validation, consent and sealing of a registration, with possible
// duplicates of residents not yet stored answered by the seeder) and
// certificates by certificate.Service.PrepareECitizen. The seeding tests run
// the roster check of `ecitizen check` afterwards on both stores: nothing to
// report. Seeding is idempotent: what already exists (found by ward code,
// organisation name, centre name within its ward, invite label, or email) is kept
// and counted as existing; when the seeded centres already have shifts, no shifts
// or bookings are added, and a ward that has residents gets none.
//
// Files: seeding.go (Run, accounts, wards, centres, organisations, targets),
// roster.go (shifts and bookings), residents.go (residents, their progress
// records and certificates), data.go (names, centres, organisations).
//
// Every seeded account shares one password; emails are predictable:
// volunteer001@seed.ecitizen.vn …, staff-<ward code>@seed.ecitizen.vn,
// partner-<n>@seed.ecitizen.vn. It is used by scripts/seed and scripts/bench.
package seeding

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/config"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
)

// Options tune a seeding run; zero fields take defaults, but Shifts and Bookings,
// which are none when 0.
type Options struct {
	Password   string    // of every seeded account; DefaultPassword when empty
	AdminEmail string    // the admin to act as (created on an empty store); "admin@localhost" when empty
	Volunteers int       // DefaultVolunteers when 0
	Workers    int       // concurrent account creations (argon2id is CPU-heavy) and roster writes; 4 when 0
	Shifts     int       // shifts over the year from tomorrow (DefaultShifts in scripts/seed); none when 0
	Bookings   int       // volunteers' bookings on those shifts (DefaultBookings in scripts/seed)
	Log        io.Writer // progress lines; io.Discard when nil
	// Residents and Progress are the residents registered over the wards and the
	// progress records of skills they showed (DefaultResidents and
	// DefaultProgress in scripts/seed); none when 0 (residents.go).
	Residents, Progress int
	// DataKey (32 bytes) seals and indexes residents' numbers, JWTKey derives the
	// certificates' code key, PublicURL is in their verify URLs: the server's
	// (config.Config); needed when Residents > 0.
	DataKey, JWTKey []byte
	PublicURL       string
}

// Count is how many records of one kind a run created and found already there.
type Count struct{ Created, Existing int }

// Total is Created + Existing.
func (c Count) Total() int { return c.Created + c.Existing }

// Result tells what a run did.
type Result struct {
	AdminEmail    string
	AdminCreated  bool
	Wards         Count
	Centres       Count
	Organisations Count
	Invites       Count
	Partners      Count
	Staff         Count
	Volunteers    Count
	Shifts        Count
	// Bookings counts the bookings this run made, and, as existing, the seeded
	// volunteers' bookings on the shifts the seeded centres already had.
	Bookings Count
	// Residents counts the residents registered and those the wards already had
	// (a ward with residents gets none); Progress the records created, only for
	// the residents this run registered; ECitizens the certificates issued.
	Residents Count
	Progress  Count
	ECitizens int
	// Assigned is how many of the created bookings ward staff assigned: shifts
	// whose sign-up is not open yet (it opens 14 days before) are filled by staff,
	// the rest were booked by the volunteers themselves.
	Assigned int
	// Unplaced is how many requested bookings found no free, non-overlapping place.
	Unplaced  int
	WardCodes []string // in seeding order
	Elapsed   time.Duration
}

// Open opens the store like the service does: MongoDB when mongoURI is set, else
// the SQLite file in dataDir. It returns the store and its kind ("sqlite" or "mongodb").
func Open(ctx context.Context, dataDir, mongoURI, mongoDatabase string) (store.Store, string, error) {
	cfg := config.Config{DataDir: dataDir, MongoURI: mongoURI, MongoDatabase: mongoDatabase}
	if cfg.MongoDatabase == "" {
		cfg.MongoDatabase = "ecitizen"
	}
	kind := "sqlite"
	if cfg.MongoURI != "" {
		kind = "mongodb"
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Config{SQLitePath: cfg.SQLitePath(), MongoURI: cfg.MongoURI, MongoDatabase: cfg.MongoDatabase})
	if err != nil {
		return nil, "", fmt.Errorf("open %s store: %w", kind, err)
	}
	return st, kind, nil
}

// seeder holds the services and the acting admin of one run.
type seeder struct {
	opt   Options
	st    store.Store
	dir   *directory.Service
	ids   *identity.Service
	admin identity.Caller
	orgs  []orgRef // the seeded organisations, in the order of organisations
	// centres are the seeded centres that are active, in seeding order.
	centres []centreRef
	// fresh are the shifts this run created, for the bookings; existing the IDs of
	// the shifts the centres already had.
	fresh    []*roster.Shift
	existing []string
	// residents are the residents this run registered, for their progress.
	residents []seededResident
	res       *Result
}

// Run seeds st and reports what it created and what was already there.
func Run(ctx context.Context, st store.Store, opt Options) (*Result, error) {
	start := time.Now()
	if opt.Password == "" {
		opt.Password = DefaultPassword
	}
	if opt.AdminEmail == "" {
		opt.AdminEmail = "admin@localhost"
	}
	if opt.Volunteers <= 0 {
		opt.Volunteers = DefaultVolunteers
	}
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	opt.Shifts, opt.Bookings = max(opt.Shifts, 0), max(opt.Bookings, 0)
	opt.Residents, opt.Progress = max(opt.Residents, 0), max(opt.Progress, 0)
	if opt.Residents > 0 && (len(opt.DataKey) != 32 || len(opt.JWTKey) < identity.MinKeyBytes) {
		return nil, errors.New("seeding residents needs the server's data key (32 bytes) and JWT key")
	}
	if opt.PublicURL == "" {
		opt.PublicURL = "http://localhost:8080"
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if err := identity.ValidatePassword(opt.Password, ""); err != nil {
		return nil, fmt.Errorf("password: %w", err)
	}

	// The seeder's sessions (registration signs volunteers in) are never used, so a
	// throwaway signing key is enough. Zero login limits switch throttling off.
	key := make([]byte, identity.MinKeyBytes)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	tokens, err := identity.NewTokens(key, nil)
	if err != nil {
		return nil, err
	}
	dir := directory.NewService(directory.Deps{Store: st})
	ids, err := identity.NewService(identity.Deps{Store: st, Directory: dir, Tokens: tokens})
	if err != nil {
		return nil, err
	}
	s := &seeder{opt: opt, st: st, dir: dir, ids: ids, res: &Result{AdminEmail: opt.AdminEmail}}

	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"admin", s.ensureAdmin},
		{"wards and centres", s.seedWards},
		{"targets", s.seedTargets},
		{"organisations, invites and partners", s.seedOrganisations},
		{"ward staff", s.seedStaff},
		{"volunteers", s.seedVolunteers},
		{"shifts", s.seedShifts},
		{"bookings", s.seedBookings},
		{"residents", s.seedResidents},
		{"progress", s.seedProgress},
	}
	for _, step := range steps {
		t := time.Now()
		if err := step.fn(ctx); err != nil {
			return s.res, fmt.Errorf("seed %s: %w", step.name, err)
		}
		fmt.Fprintf(opt.Log, "seed: %s done in %s\n", step.name, time.Since(t).Round(time.Millisecond))
	}
	s.res.Elapsed = time.Since(start)
	return s.res, nil
}

func hasCode(err error, code apperr.Code) bool {
	e := apperr.As(err)
	return e != nil && e.Code == code
}

// ensureAdmin creates the admin on an empty store and finds the admin to act as.
func (s *seeder) ensureAdmin(ctx context.Context) error {
	created, err := s.ids.Bootstrap(ctx, s.opt.AdminEmail, s.opt.Password)
	if err != nil {
		return err
	}
	s.res.AdminCreated = created
	u, err := s.st.UserByEmail(ctx, identity.NormaliseEmail(s.opt.AdminEmail))
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	if u == nil || u.Role != identity.RoleAdmin || u.Status != identity.StatusActive {
		// Another admin was configured: act as the first active one.
		users, err := s.st.ListUsers(ctx, identity.UserFilter{Role: identity.RoleAdmin, Status: identity.StatusActive}, page.Request{Limit: 1})
		if err != nil {
			return err
		}
		if len(users) == 0 {
			return errors.New("the store has users but no active admin")
		}
		u = users[0]
		s.res.AdminEmail = u.Email
	}
	s.admin = identity.Caller{Role: identity.RoleAdmin, UserID: u.ID}
	return nil
}

// all collects every page of a list call.
func all[T any](list func(page.Request) ([]T, string, error)) ([]T, error) {
	var out []T
	p := page.Request{Limit: page.MaxLimit}
	for {
		items, next, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		if p, err = page.New(page.MaxLimit, next); err != nil {
			return nil, err
		}
	}
}

// seedWards creates the wards and their centres.
func (s *seeder) seedWards(ctx context.Context) error {
	existing, err := all(func(p page.Request) ([]*directory.Ward, string, error) {
		return s.dir.Wards(ctx, directory.WardFilter{}, p)
	})
	if err != nil {
		return err
	}
	byCode := map[string]*directory.Ward{}
	for _, w := range existing {
		byCode[w.Code] = w
	}
	for wi, sw := range wards {
		w := byCode[sw.Code]
		if w == nil {
			w, err = s.dir.CreateWard(ctx, s.admin, directory.Ward{Code: sw.Code, NameVi: sw.NameVi, NameEn: sw.NameEn})
			if hasCode(err, directory.CodeWardCodeTaken) {
				return fmt.Errorf("ward %s was created meanwhile; run again", sw.Code)
			}
			if err != nil {
				return fmt.Errorf("ward %s: %w", sw.Code, err)
			}
			s.res.Wards.Created++
		} else {
			s.res.Wards.Existing++
		}
		s.res.WardCodes = append(s.res.WardCodes, sw.Code)
		if err := s.seedCentres(ctx, w, sw, wi); err != nil {
			return err
		}
	}
	return nil
}

// seedTargets sets, for this year, each ward's adult population and households
// (illustrative figures of 9,000 to 14,000 adults) and the district's goal of 30%
// e-citizens, where the admin has set none.
func (s *seeder) seedTargets(ctx context.Context) error {
	year := time.Now().In(hanoiZone).Year() // the local year, as the coverage reads its targets
	_, ok, err := s.dir.DistrictTargetFor(ctx, year)
	if err != nil {
		return err
	}
	if !ok {
		if _, err := s.dir.SetDistrictTarget(ctx, s.admin, directory.DistrictTarget{Year: year, EcitizenSharePercent: 30}); err != nil {
			return err
		}
	}
	all, err := all(func(p page.Request) ([]*directory.Ward, string, error) {
		return s.dir.Wards(ctx, directory.WardFilter{}, p)
	})
	if err != nil {
		return err
	}
	for i, w := range all {
		if _, ok, err := s.dir.TargetFor(ctx, w.ID, year); err != nil || ok {
			if err != nil {
				return err
			}
			continue
		}
		adults := 9000 + (i*1733)%5000
		if _, err := s.dir.SetWardTarget(ctx, s.admin, directory.WardTarget{WardID: w.ID, Year: year, AdultPopulation: adults, Households: adults * 10 / 26}); err != nil {
			return fmt.Errorf("target of ward %s: %w", w.Code, err)
		}
	}
	return nil
}

func (s *seeder) seedCentres(ctx context.Context, w *directory.Ward, sw ward, wi int) error {
	existing, err := all(func(p page.Request) ([]*directory.Centre, string, error) {
		return s.dir.Centres(ctx, s.admin, w.ID, p)
	})
	if err != nil {
		return fmt.Errorf("centres of ward %s: %w", sw.Code, err)
	}
	have := map[string]*directory.Centre{}
	for _, c := range existing {
		have[c.Name] = c
	}
	for k := range CentresPerWard {
		c := centre(sw, wi, k)
		got := have[c.Name]
		if got != nil {
			s.res.Centres.Existing++
		} else {
			c.WardID = w.ID
			if got, err = s.dir.CreateCentre(ctx, s.admin, c); err != nil {
				return fmt.Errorf("centre %q: %w", c.Name, err)
			}
			s.res.Centres.Created++
		}
		if got.Active {
			s.centres = append(s.centres, centreRef{ID: got.ID, WardID: got.WardID, Ward: wi, Hours: got.Hours})
		}
	}
	return nil
}

// orgRef is a seeded organisation's ID and invite code.
type orgRef struct{ ID, InviteCode string }

// seedOrganisations creates the organisations, an invite code for each and their
// partner accounts; it remembers the IDs and codes for the volunteers.
func (s *seeder) seedOrganisations(ctx context.Context) error {
	existing, err := all(func(p page.Request) ([]*directory.Organisation, string, error) {
		return s.dir.Organisations(ctx, directory.OrganisationFilter{}, p)
	})
	if err != nil {
		return err
	}
	byName := map[string]*directory.Organisation{}
	for _, o := range existing {
		byName[o.Name] = o
	}
	s.orgs = nil
	var jobs []account
	for i, so := range organisations {
		o := byName[so.Name]
		if o == nil {
			if o, err = s.dir.CreateOrganisation(ctx, s.admin, so); err != nil {
				return fmt.Errorf("organisation %q: %w", so.Name, err)
			}
			s.res.Organisations.Created++
		} else {
			s.res.Organisations.Existing++
		}
		if !o.Active {
			active := true
			if o, err = s.dir.UpdateOrganisation(ctx, s.admin, o.ID, directory.OrganisationPatch{Active: &active}); err != nil {
				return fmt.Errorf("reactivate organisation %q: %w", so.Name, err)
			}
		}
		code, err := s.invite(ctx, o.ID)
		if err != nil {
			return fmt.Errorf("invite of %q: %w", so.Name, err)
		}
		s.orgs = append(s.orgs, orgRef{ID: o.ID, InviteCode: code})
		jobs = append(jobs, account{count: &s.res.Partners, user: identity.NewUser{
			Email: PartnerEmail(i + 1), DisplayName: personName(i+1, 2), Phone: phone(i+1, 2),
			Role: identity.RolePartner, OrganisationID: o.ID,
		}})
	}
	return s.createAll(ctx, jobs, "partners")
}

// invite returns the code of the organisation's seed invite, creating one when
// there is none still valid.
func (s *seeder) invite(ctx context.Context, orgID string) (string, error) {
	invs, err := all(func(p page.Request) ([]*identity.Invite, string, error) {
		return s.ids.ListInvites(ctx, s.admin, orgID, p)
	})
	if err != nil {
		return "", err
	}
	// Valid for at least another day, so a long seeding run does not outlive it.
	soon := time.Now().Add(24 * time.Hour)
	for _, inv := range invs {
		if inv.Label == inviteLabel && inv.RevokedAt == nil && inv.ExpiresAt.After(soon) {
			s.res.Invites.Existing++
			return inv.Code, nil
		}
	}
	inv, err := s.ids.CreateInvite(ctx, s.admin, orgID, inviteLabel, time.Time{})
	if err != nil {
		return "", err
	}
	s.res.Invites.Created++
	return inv.Code, nil
}

// seedStaff creates one staff account per ward.
func (s *seeder) seedStaff(ctx context.Context) error {
	existing, err := all(func(p page.Request) ([]*directory.Ward, string, error) {
		return s.dir.Wards(ctx, directory.WardFilter{}, p)
	})
	if err != nil {
		return err
	}
	idOf := map[string]string{}
	for _, w := range existing {
		idOf[w.Code] = w.ID
	}
	var jobs []account
	for i, sw := range wards {
		jobs = append(jobs, account{count: &s.res.Staff, user: identity.NewUser{
			Email: StaffEmail(sw.Code), DisplayName: personName(i+1, 1), Phone: phone(i+1, 1),
			Role: identity.RoleWardStaff, WardIDs: []string{idOf[sw.Code]},
		}})
	}
	return s.createAll(ctx, jobs, "staff")
}

// seedVolunteers registers the volunteers with their organisation's invite code.
func (s *seeder) seedVolunteers(ctx context.Context) error {
	jobs := make([]account, 0, s.opt.Volunteers)
	for n := 1; n <= s.opt.Volunteers; n++ {
		o := s.orgs[volunteerShare[(n-1)%len(volunteerShare)]]
		jobs = append(jobs, account{count: &s.res.Volunteers, invite: o.InviteCode, user: identity.NewUser{
			Email: VolunteerEmail(n), DisplayName: personName(n, 0), Phone: phone(n, 0), Role: identity.RoleVolunteer,
		}})
	}
	return s.createAll(ctx, jobs, "volunteers")
}

// account is one account to create: by admin with CreateUser, or, when invite is
// set, by the person themselves with Register.
type account struct {
	user   identity.NewUser
	invite string
	count  *Count
}

// createAll creates accounts with opt.Workers goroutines; existing emails are
// counted, not recreated. The first error stops the run.
func (s *seeder) createAll(ctx context.Context, jobs []account, what string) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu   sync.Mutex // guards the counts of jobs' Count
		done atomic.Int64
		wg   sync.WaitGroup
		next = make(chan account)
	)
	for range s.opt.Workers {
		wg.Go(func() {
			for a := range next {
				was, err := s.create(ctx, a)
				if err != nil {
					cancel(fmt.Errorf("%s: %w", a.user.Email, err))
					continue
				}
				mu.Lock()
				if was {
					a.count.Existing++
				} else {
					a.count.Created++
				}
				mu.Unlock()
				if n := done.Add(1); n%100 == 0 {
					fmt.Fprintf(s.opt.Log, "seed: %s %d/%d\n", what, n, len(jobs))
				}
			}
		})
	}
feed:
	for _, a := range jobs {
		select {
		case next <- a:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// create creates one account and reports whether it was already there.
func (s *seeder) create(ctx context.Context, a account) (existed bool, err error) {
	// A cheap look-up first: creating an existing account would hash its password
	// for nothing before the store refuses the email.
	if _, err := s.st.UserByEmail(ctx, identity.NormaliseEmail(a.user.Email)); err == nil {
		return true, nil
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return false, err
	}
	a.user.Password = s.opt.Password
	if a.invite != "" {
		// Throttling is off in the seeder's service; the address only has to be unique-looking.
		err = s.ids.Register(ctx, identity.Registration{
			Code: a.invite, Email: a.user.Email, DisplayName: a.user.DisplayName, Phone: a.user.Phone, Password: a.user.Password,
		}, "192.0.2.1")
	} else {
		_, err = s.ids.CreateUser(ctx, s.admin, a.user)
	}
	if hasCode(err, identity.CodeEmailTaken) {
		return true, nil
	}
	return false, err
}

// Report writes the counts and the seeded accounts.
func (r *Result) Report(w io.Writer, password string) {
	fmt.Fprintf(w, "\nseeded in %s (total = created + already there):\n", r.Elapsed.Round(time.Millisecond))
	for _, row := range []struct {
		name string
		c    Count
	}{
		{"wards", r.Wards}, {"centres", r.Centres}, {"organisations", r.Organisations},
		{"invites", r.Invites}, {"partners", r.Partners}, {"ward staff", r.Staff}, {"volunteers", r.Volunteers},
		{"shifts", r.Shifts}, {"bookings", r.Bookings}, {"residents", r.Residents}, {"progress", r.Progress},
	} {
		fmt.Fprintf(w, "  %-14s %6d = %6d + %6d\n", row.name, row.c.Total(), row.c.Created, row.c.Existing)
	}
	if r.Bookings.Created > 0 {
		fmt.Fprintf(w, "  (of the bookings made: %d booked by volunteers on shifts open for sign-up, %d assigned by ward staff on later shifts)\n",
			r.Bookings.Created-r.Assigned, r.Assigned)
	}
	if r.Progress.Created > 0 {
		fmt.Fprintf(w, "  (%d of the residents registered reached e-citizen status and got their certificate)\n", r.ECitizens)
	}
	if r.Unplaced > 0 {
		fmt.Fprintf(w, "  (%d bookings asked for found no free place without an overlap)\n", r.Unplaced)
	}
	admin := "already there, password unchanged"
	if r.AdminCreated {
		admin = "created with the seed password"
	}
	fmt.Fprintf(w, "\naccounts (password %q):\n", password)
	fmt.Fprintf(w, "  admin       %s (%s)\n", r.AdminEmail, admin)
	if n := r.Partners.Total(); n > 0 {
		fmt.Fprintf(w, "  partners    %s … %s\n", PartnerEmail(1), PartnerEmail(n))
	}
	if n := len(r.WardCodes); n > 0 && r.Staff.Total() > 0 {
		fmt.Fprintf(w, "  ward staff  %s … %s\n", StaffEmail(r.WardCodes[0]), StaffEmail(r.WardCodes[n-1]))
	}
	if n := r.Volunteers.Total(); n > 0 {
		fmt.Fprintf(w, "  volunteers  %s … %s\n", VolunteerEmail(1), VolunteerEmail(n))
	}
}
