package seeding

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"ecitizen/content"
	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/skills"
)

// DefaultResidents and DefaultProgress are the residents and progress records
// of scripts/seed (issue 5): 40 000 residents over the 18 wards and 200 000
// records of skills shown, about five a resident.
const (
	DefaultResidents = 40000
	DefaultProgress  = 200000
)

// residentBatch and recordBatch are how many residents, and about how many
// progress records (whole residents' worth), one batch write takes (store.Bulk).
const (
	residentBatch = 1000
	recordBatch   = 4000
)

// ECitizenShare is the share of seeded residents whose records complete the
// required skills of the active framework version (they become e-citizens and
// get their certificate); the others show some skills but miss one required.
const ECitizenShare = 0.30

// Groups is how many residential groups (Tổ 1 … Tổ 30) a ward's residents live in.
const Groups = 30

// evidenceNotes are what ward staff write as a record's evidence.
var evidenceNotes = []string{
	"Người dân tự thực hiện trên điện thoại của mình, cán bộ quan sát trực tiếp.",
	"Tự thao tác đầy đủ các bước sau buổi hướng dẫn tại nhà văn hoá.",
	"Thực hiện thành công lần thứ hai, không cần trợ giúp.",
	"Quan sát tại điểm hỗ trợ dịch vụ công, người dân tự làm từ đầu đến cuối.",
	"Đã tự thực hiện và giải thích lại được các bước cho cán bộ.",
}

// SeededPhone is the phone number, as written, of the n-th seeded resident
// (from 1) when it has one (every other resident); tests look for it in the store.
func SeededPhone(n int) string { return fmt.Sprintf("09%d%07d", 1+n%9, n%10000000) }

// seededNationalID is the 12-digit CCCD number of the n-th resident when it has
// one (every fifth): province code 001 (Hà Nội), century-gender digit, the
// two digits of the birth year and a serial.
func seededNationalID(n, birthYear int, g resident.Gender) string {
	cg := 0 // men born in the 1900s; women 1, men born 2000+ 2, women 3
	if g == resident.GenderFemale {
		cg = 1
	}
	if birthYear >= 2000 {
		cg += 2
	}
	return fmt.Sprintf("001%d%02d%06d", cg, birthYear%100, n%1000000)
}

// wardRef is a ward with its staff caller and active centres, for residents.
type wardRef struct {
	ID, Code string
	Staff    identity.Caller
	Centres  []string
}

// seededResident is a resident this run created, for its progress.
type seededResident struct {
	ID, FullName string
	Ward         *wardRef
	Created      time.Time
}

// residentClock is a worker's resident and certificate services with a clock
// set to the moment each record or registration is backdated to.
type residentClock struct {
	at    time.Time
	res   *resident.Service
	certs *certificate.Service
}

func (c *residentClock) now() time.Time { return c.at }

// seedResidents registers opt.Residents residents over the wards, backdated
// over the past year: opt.Workers goroutines prepare them through
// resident.Service.Prepare (as each ward's staff, so they are checked,
// validated and their numbers sealed and indexed the way registration does),
// and one writer stores them in batches of residentBatch (store.Bulk's
// InsertResidents, with their claims and name words). A possible duplicate of
// a stored resident, or of one prepared but not yet stored, is registered with
// a reason. A ward that already has residents gets none.
func (s *seeder) seedResidents(ctx context.Context) error {
	if s.opt.Residents == 0 {
		return nil
	}
	consents, err := resident.LoadConsents(content.FS, "consent.yaml")
	if err != nil {
		return err
	}
	version := consents.Current(time.Now()).ID
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
	var todo []*wardRef
	for _, sw := range wards {
		w := byCode[sw.Code]
		if w == nil {
			return fmt.Errorf("ward %s: %w", sw.Code, apperr.ErrNotFound)
		}
		n, err := s.st.CountResidents(ctx, w.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			s.res.Residents.Existing += n
			continue
		}
		u, err := s.st.UserByEmail(ctx, identity.NormaliseEmail(StaffEmail(sw.Code)))
		if err != nil {
			return fmt.Errorf("staff of ward %s: %w", sw.Code, err)
		}
		ref := &wardRef{ID: w.ID, Code: sw.Code, Staff: identity.Caller{Role: identity.RoleWardStaff, UserID: u.ID, Scope: identity.Scope{WardIDs: []string{w.ID}}}}
		for _, c := range s.centres {
			if c.WardID == w.ID {
				ref.Centres = append(ref.Centres, c.ID)
			}
		}
		todo = append(todo, ref)
	}
	if len(todo) == 0 {
		return nil
	}
	keys, err := resident.NewCrypter(s.opt.DataKey)
	if err != nil {
		return err
	}
	now := time.Now()
	year := now.In(hanoiZone).Year()
	jobs := make(chan int)
	prepared := make(chan seededPrep, 2*residentBatch)
	var (
		mu   sync.Mutex
		seen = map[[2]string]bool{} // (ward, duplicate key) of the residents prepared so far
	)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for range s.opt.Workers {
		clock := &residentClock{}
		svc, err := resident.NewService(resident.Deps{Store: s.st, Directory: s.dir, Keys: keys, Consents: consents, Now: clock.now})
		if err != nil {
			return err
		}
		clock.res = svc
		wg.Go(func() {
			for n := range jobs {
				w := todo[(n-1)%len(todo)]
				rng := rand.New(rand.NewPCG(uint64(n), 7))
				g := resident.GenderFemale
				if n%2 == 1 {
					g = resident.GenderMale
				}
				nr := resident.NewResident{
					WardID: w.ID, FullName: personName(n, 3+n/997), Gender: g,
					BirthYear: year - 18 - rng.IntN(70), Group: fmt.Sprintf("Tổ %d", 1+rng.IntN(Groups)),
					ConsentVersion: version,
				}
				if n%2 == 0 {
					nr.Phone = SeededPhone(n)
				}
				if n%5 == 0 {
					nr.NationalID = seededNationalID(n, nr.BirthYear, g)
				}
				// Registered on a working day of the past year, in opening hours.
				clock.at = workingMoment(rng, now.AddDate(-1, 0, 0), now.Add(-7*24*time.Hour))
				// Prepared by the service as a registration, stored in batches
				// below: a possible duplicate of a stored resident, or of one
				// prepared in this run and not yet stored, is registered with a
				// reason, as staff would.
				r, rkeys, err := svc.Prepare(ctx, w.Staff, nr)
				if err == nil {
					mu.Lock()
					dup := seen[[2]string{w.ID, r.DupKey}]
					seen[[2]string{w.ID, r.DupKey}] = true
					mu.Unlock()
					if dup {
						err = errPendingDuplicate
					}
				}
				if hasCode(err, resident.CodePossibleDuplicate) || errors.Is(err, errPendingDuplicate) {
					nr.DuplicateOverride = "Người khác trùng họ tên, năm sinh và tổ (dữ liệu mẫu)."
					r, rkeys, err = svc.Prepare(ctx, w.Staff, nr)
				}
				if err != nil {
					cancel(fmt.Errorf("resident %d: %w", n, err))
					continue
				}
				select {
				case prepared <- seededPrep{resident.Prepared{Resident: r, Keys: rkeys}, w}:
				case <-ctx.Done():
				}
			}
		})
	}
	// One writer stores the prepared residents in batches.
	var writer sync.WaitGroup
	writer.Go(func() {
		var (
			batch []resident.Prepared
			refs  []*wardRef
		)
		flush := func() {
			if len(batch) == 0 || ctx.Err() != nil {
				return
			}
			if err := s.st.InsertResidents(ctx, batch); err != nil {
				cancel(fmt.Errorf("insert residents: %w", err))
				return
			}
			before := s.res.Residents.Created
			for i, p := range batch {
				s.residents = append(s.residents, seededResident{ID: p.Resident.ID, FullName: p.Resident.FullName, Ward: refs[i], Created: p.Resident.CreatedAt})
			}
			s.res.Residents.Created += len(batch)
			if d := s.res.Residents.Created; d/5000 > before/5000 || d == s.opt.Residents {
				fmt.Fprintf(s.opt.Log, "seed: residents %d/%d\n", d, s.opt.Residents)
			}
			batch, refs = batch[:0], refs[:0]
		}
		for p := range prepared {
			batch, refs = append(batch, p.Prepared), append(refs, p.ward)
			if len(batch) >= residentBatch {
				flush()
			}
		}
		flush()
	})
feed:
	for n := 1; n <= s.opt.Residents; n++ {
		select {
		case jobs <- n:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(prepared)
	writer.Wait()
	// Progress is spread in a stable order whatever the workers' interleaving.
	slices.SortFunc(s.residents, func(a, b seededResident) int { return a.Created.Compare(b.Created) })
	return context.Cause(ctx)
}

// errPendingDuplicate is a possible duplicate of a resident prepared in this
// run and not yet stored (the store cannot tell).
var errPendingDuplicate = errors.New("possible duplicate of a resident prepared in this run")

// seededPrep is a resident prepared for a batch, with its ward.
type seededPrep struct {
	resident.Prepared
	ward *wardRef
}

// hanoiZone is the district's time zone (certificate.Zone).
var hanoiZone = certificate.Zone

// workingMoment is a random moment in [from, to) on a Monday to Saturday,
// within the centres' opening hours (Hà Nội time).
func workingMoment(rng *rand.Rand, from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	for {
		d := from.In(hanoiZone).AddDate(0, 0, rng.IntN(max(days, 1)))
		if d.Weekday() == time.Sunday {
			continue
		}
		minute := 8*60 + rng.IntN(210) // 08:00–11:30
		if rng.IntN(2) == 1 {
			minute = 14*60 + rng.IntN(180) // 14:00–17:00
		}
		t := time.Date(d.Year(), d.Month(), d.Day(), 0, minute, rng.IntN(60), 0, hanoiZone)
		return t.UTC().Truncate(time.Millisecond)
	}
}

// seedProgress records opt.Progress skills shown by the residents this run
// created, in batches of about recordBatch records (store.Bulk's
// InsertProgressRecords; records are backdated between the resident's
// registration and now, which progress.Service cannot do), recorded by the
// ward's staff at one of the ward's centres. About ECitizenShare of them
// complete the required skills; for those the e-citizen certificate is made
// the way progress.Service settles it (certificate.Service.PrepareECitizen with
// the statement of the status evaluated from the records) and stored right
// after its batch of records (InsertCertificates).
func (s *seeder) seedProgress(ctx context.Context) error {
	if s.opt.Progress == 0 || len(s.residents) == 0 {
		return nil
	}
	framework, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		return err
	}
	def := framework.Active()
	required := def.Required
	var optional []string
	for _, sk := range framework.Skills {
		if sk.Accepts(skills.EvidenceObserved) && !slices.Contains(required, sk.Code) {
			optional = append(optional, sk.Code)
		}
	}
	all := append(slices.Clone(required), optional...)
	// Shares of the budget: every resident gets Progress/N records (±1); an
	// e-citizen's start with the required skills, another's miss one of them.
	n := len(s.residents)
	now := time.Now().UTC()
	jobs := make(chan int)
	shown := make(chan shownSkills, 256)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for range s.opt.Workers {
		clock := &residentClock{}
		clock.certs = certificate.NewService(certificate.Deps{Store: s.st, JWTKey: s.opt.JWTKey, PublicURL: s.opt.PublicURL, Now: clock.now})
		wg.Go(func() {
			for i := range jobs {
				r := s.residents[i]
				rng := rand.New(rand.NewPCG(uint64(i), 11))
				count := s.opt.Progress / n
				if i < s.opt.Progress%n {
					count++
				}
				var codes []string
				ecitizen := rng.Float64() < ECitizenShare && count >= len(required)
				if ecitizen {
					codes = slices.Clone(required)
				} else {
					missing := required[rng.IntN(len(required))]
					pool := slices.DeleteFunc(slices.Clone(all), func(c string) bool { return c == missing })
					codes = append(codes, pool[rng.IntN(len(pool))])
				}
				for len(codes) < count { // repeats and optional skills
					if ecitizen {
						codes = append(codes, all[rng.IntN(len(all))])
					} else {
						codes = append(codes, codes[rng.IntN(len(codes))])
						if rng.IntN(2) == 0 {
							codes[len(codes)-1] = optional[rng.IntN(len(optional))]
						}
					}
				}
				codes = codes[:count]
				rng.Shuffle(len(codes), func(a, b int) { codes[a], codes[b] = codes[b], codes[a] })
				var recs []progress.Record
				for _, code := range codes {
					at := workingMoment(rng, r.Created.Add(24*time.Hour), now)
					if !at.After(r.Created) || at.After(now) {
						at = r.Created.Add(time.Duration(1+rng.IntN(3600)) * time.Second)
					}
					recs = append(recs, progress.Record{ID: uuid.Must(uuid.NewV7()).String(), ResidentID: r.ID, SkillCode: code, Method: progress.MethodObserved,
						Evidence: evidenceNotes[rng.IntN(len(evidenceNotes))], RecordedBy: r.Ward.Staff.UserID,
						CentreID: r.Ward.Centres[rng.IntN(len(r.Ward.Centres))], At: at})
				}
				// The certificate the progress service would have the
				// certificate service issue when the records complete the set,
				// stored after the records (below).
				var cert *certificate.Certificate
				if st := progress.Evaluate(def.Version, required, recs, nil); st.ECitizen {
					stmt, err := certificate.NewECitizenStatement(r.ID, r.FullName, st.ReachedAt, framework, st.Version)
					if err == nil {
						clock.at = st.ReachedAt.Add(time.Second)
						_, cert, err = clock.certs.PrepareECitizen(ctx, stmt, r.Ward.ID, r.Ward.Staff.UserID)
					}
					if err != nil {
						cancel(fmt.Errorf("e-citizen certificate of %s: %w", r.ID, err))
						continue
					}
				}
				select {
				case shown <- shownSkills{recs, cert}:
				case <-ctx.Done():
				}
			}
		})
	}
	// One writer stores the records in batches, then the batch's certificates.
	var writer sync.WaitGroup
	writer.Go(func() {
		var (
			recs  []progress.Record
			certs []*certificate.Certificate
			done  int
		)
		flush := func() {
			if len(recs) == 0 || ctx.Err() != nil {
				return
			}
			if err := s.st.InsertProgressRecords(ctx, recs); err != nil {
				cancel(fmt.Errorf("insert progress records: %w", err))
				return
			}
			s.res.Progress.Created += len(recs)
			if len(certs) > 0 {
				if err := s.st.InsertCertificates(ctx, certs); err != nil {
					cancel(fmt.Errorf("insert e-citizen certificates: %w", err))
					return
				}
				s.res.ECitizens += len(certs)
			}
			recs, certs = recs[:0], certs[:0]
		}
		for sk := range shown {
			recs = append(recs, sk.records...)
			if sk.cert != nil {
				certs = append(certs, sk.cert)
			}
			if done++; done%5000 == 0 {
				fmt.Fprintf(s.opt.Log, "seed: progress of %d/%d residents\n", done, n)
			}
			if len(recs) >= recordBatch {
				flush()
			}
		}
		flush()
	})
feed:
	for i := range n {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(shown)
	writer.Wait()
	return context.Cause(ctx)
}

// shownSkills are the records of one resident and, when they complete the
// required skills, the e-citizen certificate to store after them.
type shownSkills struct {
	records []progress.Record
	cert    *certificate.Certificate
}
