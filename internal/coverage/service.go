package coverage

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
	"ecitizen/internal/skills"
	"ecitizen/internal/vntime"
)

// Directory gives the wards and centres (directory.Service).
type Directory interface {
	Wards(ctx context.Context, f directory.WardFilter, p page.Request) ([]*directory.Ward, string, error)
	Centre(ctx context.Context, c identity.Caller, id string) (*directory.Centre, error)
}

// Targets gives the targets of a year (directory.Service): every ward's
// population, and the district's target share of e-citizens (ok false when
// the admin has set none).
type Targets interface {
	TargetsOfYear(ctx context.Context, year int) ([]*directory.WardTarget, error)
	DistrictTargetFor(ctx context.Context, year int) (directory.DistrictTarget, bool, error)
}

// Target is a ward's population for a year, as the admin set it.
type Target struct {
	AdultPopulation int
	Households      int
}

// Service answers coverage summaries, the district overview and trends from
// per-ward snapshots of facts, kept while the ward's stamp is unchanged (see
// Store). Who may read:
//   - admins read everything;
//   - ward staff read the summaries, trends and exports of their wards and of
//     those wards' centres; another ward or its centre is not found (404);
//   - everyone else is forbidden, including for the district's overview.
type Service struct {
	store     Store
	dir       Directory
	targets   Targets
	framework *skills.Framework
	loc       *time.Location
	now       func() time.Time
	settle    time.Duration // SettleAfter, or 0 (Deps.NoSettling)

	mu       sync.Mutex
	wards    map[string]*snapshot // by StampKey (ward and part)
	memo     map[string]*memo     // by kind and wards
	district *districtMemo        // the last overview
	versions atomic.Uint64        // of the overviews computed
	flight   singleflight.Group
}

// snapshot is one part of a ward's facts, read under stamp: the roster's
// facts (roster, for RosterPart) or a resident part's (residents, compact:
// see compact.go).
type snapshot struct {
	stamp     string
	at        time.Time // the stamp's time
	settled   bool
	expires   time.Time // the next local midnight of the read: the windows move then
	roster    *Facts
	residents *residentPart
}

// Deps are what the coverage service is built from.
type Deps struct {
	// Store reads the facts of wards and their change stamps.
	Store Store
	// Directory lists wards and finds centres (directory.Service).
	Directory Directory
	// Targets gives the targets of a year (directory.Service).
	Targets Targets
	// Framework is the skills framework summaries count.
	Framework *skills.Framework
	// NoSettling keeps what is computed under a MongoDB stamp at once, not once
	// the stamp is SettleAfter old, so that every write's mark is what
	// invalidates it: for tests of that invalidation; false: SettleAfter.
	NoSettling bool
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// NewService returns the coverage service. Days and weeks are counted in
// Asia/Ho_Chi_Minh.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Service{store: d.Store, dir: d.Directory, targets: d.Targets, framework: d.Framework, loc: vntime.Zone, now: d.Now,
		wards: map[string]*snapshot{}, memo: map[string]*memo{}, settle: SettleAfter}
	if d.NoSettling {
		s.settle = 0
	}
	return s
}

// Refresh reads again the parts whose stamp moved and computes again the
// wards' summaries and trends and the district's overview, as the next request would, so that requests seldom wait
// for them; a server runs it at start and then every RefreshEvery. It changes
// nothing a request answers: requests check the stamps themselves.
func (s *Service) Refresh(ctx context.Context) error {
	st, err := s.begin(ctx)
	if err != nil {
		return err
	}
	for _, w := range st.wards {
		if _, err := s.wardResult(ctx, st, w); err != nil {
			return err
		}
		if w.MergedInto == "" {
			if _, err := s.trend(ctx, st, family(st.wards, w.ID)); err != nil {
				return err
			}
		}
	}
	_, err = s.districtOverview(ctx)
	return err
}

// RefreshEvery is how often a server refreshes the coverage snapshots.
const RefreshEvery = time.Second

// Framework is the skills framework summaries count.
func (s *Service) Framework() *skills.Framework { return s.framework }

// WardSummary is a ward's summary with its target.
type WardSummary struct {
	Ward    *directory.Ward
	Merged  []string // wards merged into it, whose past it includes
	Year    int
	Target  *Target  // nil when the admin has set none for the year
	Share   *float64 // e-citizens in percent of the adult population
	Goal    *float64 // the district's target share for the year
	Needed  *int     // e-citizens still needed to reach the goal
	Summary Summary
}

// CentreSummary is a centre's summary and its upcoming unfilled shifts.
type CentreSummary struct {
	Centre   *directory.Centre
	Summary  Summary
	Unfilled []UnfilledShift
}

// WardRow is one ward's line of the district overview.
type WardRow struct {
	WardSummary
	Rank int
}

// Lack is how many residents lack a required skill.
type Lack struct {
	SkillCode string
	Residents int
}

// Overview is the district's table and gaps.
type Overview struct {
	// Version names the figures: two overviews of one Service with the same
	// Version differ in their AsOf only (the overview kept between requests:
	// see districtMemo), so a surface may keep what it rendered of one.
	Version     uint64
	AsOf        time.Time
	Year        int
	Goal        *float64
	Total       Summary   // the whole district
	Wards       []WardRow // active wards by rank
	BelowTarget []WardRow // wards with a target and a goal whose share is below it
	Unfilled    []UnfilledShift
	Lacking     []Lack // required skills, most often lacking first
}

// Trends is a weekly series.
type Trends struct {
	WardID string // "" for the district
	Merged []string
	Weeks  []Week
}

func (s *Service) clock() Clock { return NewClock(s.now(), s.loc) }

// errNotFound hides a ward or centre out of the caller's scope.
func notFound(what, id string) error { return fmt.Errorf("%s %s: %w", what, id, apperr.ErrNotFound) }

// family returns the ward and every ward merged (or being merged) into it,
// directly or through a chain of merges. A merged ward's own family is just
// itself (its history); the families of the wards not merged partition the
// district, so their figures add up to the district's.
func family(ws []*directory.Ward, id string) []string {
	out := []string{id}
	for i := 0; i < len(out); i++ {
		for _, w := range ws {
			if w.MergedInto == out[i] && !slices.Contains(out, w.ID) {
				out = append(out, w.ID)
			}
		}
	}
	return out
}

func findWard(ws []*directory.Ward, id string) *directory.Ward {
	for _, w := range ws {
		if w.ID == id {
			return w
		}
	}
	return nil
}

// state is what one request reads first: the clock, the wards and every
// ward's stamp (stamps before facts: see Store).
type state struct {
	clk    Clock
	wards  []*directory.Ward
	stamps map[string]Stamp
}

func (s *Service) begin(ctx context.Context) (*state, error) {
	ws, _, err := s.dir.Wards(ctx, directory.WardFilter{}, page.Request{})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	stamps, err := s.store.CoverageStamps(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("coverage stamps: %w", err)
	}
	return &state{clk: s.clock(), wards: ws, stamps: stamps}, nil
}

// memoised returns what compute makes of the facts of parts of wards, computed
// again only when one of their stamps moved, a day began, or the result's own
// "until" passed; results computed under an unsettled stamp are not kept.
func (s *Service) memoised(ctx context.Context, st *state, kind string, wards, parts []string, compute func(v *view) (any, time.Time)) (any, time.Time, error) {
	var b strings.Builder
	settled := true
	for _, id := range wards {
		for _, part := range parts {
			stamp := st.stamps[StampKey(id, part)]
			b.WriteString(stamp.Value + ";")
			settled = settled && stamp.Settled(time.Now(), s.settle)
		}
	}
	key := kind + "|" + strings.Join(wards, ",") + "|" + strings.Join(parts, ",")
	s.mu.Lock()
	m := s.memo[key]
	s.mu.Unlock()
	if m != nil && m.stamps == b.String() && st.clk.Now.Before(m.until) {
		return m.value, m.until, nil
	}
	v, err, _ := s.flight.Do(key+"|"+b.String()+"|"+st.clk.Today.Format(time.DateOnly), func() (any, error) {
		v, err := s.facts(ctx, st, wards, parts)
		if err != nil {
			return nil, err
		}
		value, until := compute(v)
		m := &memo{stamps: b.String(), until: until, value: value}
		if settled {
			s.mu.Lock()
			s.memo[key] = m
			s.mu.Unlock()
		}
		return m, nil
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	m = v.(*memo)
	return m.value, m.until, nil
}

// memo is a computed result and what it was computed from.
type memo struct {
	stamps string
	until  time.Time
	value  any
}

// facts returns the view of parts of wards, each from its snapshot when that
// is still true, read again otherwise.
func (s *Service) facts(ctx context.Context, st *state, wardIDs, parts []string) (*view, error) {
	var (
		rosters   []*Facts
		residents []*residentPart
		names     []string
	)
	for _, id := range wardIDs {
		for _, part := range parts {
			snap, err := s.snapshot(ctx, st.clk, id, part, st.stamps[StampKey(id, part)])
			if err != nil {
				return nil, err
			}
			if snap.roster != nil {
				rosters = append(rosters, snap.roster)
			}
			if snap.residents != nil {
				residents = append(residents, snap.residents)
				names = append(names, part)
			}
		}
	}
	roster := &Facts{}
	if len(rosters) > 0 {
		roster = Join(rosters...)
	}
	return newView(roster, residents, names), nil
}

// snapshot returns the snapshot of a ward's part for its stamp.
func (s *Service) snapshot(ctx context.Context, c Clock, id, part string, stamp Stamp) (*snapshot, error) {
	key := StampKey(id, part)
	s.mu.Lock()
	snap := s.wards[key]
	s.mu.Unlock()
	if snap != nil && snap.stamp == stamp.Value && c.Now.Before(snap.expires) {
		return snap, nil
	}
	v, err, _ := s.flight.Do("part|"+key+"|"+stamp.Value+"|"+c.Today.Format(time.DateOnly), func() (any, error) {
		var next *snapshot
		if snap != nil && part != RosterPart && c.Now.Before(snap.expires) {
			var err error
			if next, err = s.patch(ctx, snap, id, part, stamp); err != nil {
				return nil, err
			}
		}
		if next == nil {
			var err error
			if next, err = s.read(ctx, c, id, part, stamp); err != nil {
				return nil, err
			}
		}
		snap := next
		if snap.settled {
			s.mu.Lock()
			s.wards[key] = snap
			s.mu.Unlock()
		}
		return snap, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*snapshot), nil
}

// beginWard begins a request about a ward c may read.
func (s *Service) beginWard(ctx context.Context, c identity.Caller, wardID string) (*state, *directory.Ward, error) {
	st, err := s.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	w := findWard(st.wards, wardID)
	if w == nil {
		return nil, nil, notFound("ward", wardID)
	}
	if err := readable(c, w); err != nil {
		return nil, nil, err
	}
	return st, w, nil
}

// readable checks that c may read ward w's coverage.
func readable(c identity.Caller, w *directory.Ward) error {
	switch {
	case c.IsAdmin():
		return nil
	case c.Role == identity.RoleWardStaff && c.HasWard(w.ID):
		return nil
	case c.Role == identity.RoleWardStaff:
		return notFound("ward", w.ID)
	}
	return apperr.ErrForbidden
}

// Ward returns a ward's summary: its own facts and those of the wards merged
// into it (a merged ward's summary is its history up to the merge).
func (s *Service) Ward(ctx context.Context, c identity.Caller, wardID string) (*WardSummary, error) {
	st, w, err := s.beginWard(ctx, c, wardID)
	if err != nil {
		return nil, err
	}
	targets, goal, err := s.yearTargets(ctx, st)
	if err != nil {
		return nil, err
	}
	r, err := s.wardResult(ctx, st, w)
	if err != nil {
		return nil, err
	}
	return wardSummary(st, w, r, targets, goal), nil
}

func (s *Service) yearTargets(ctx context.Context, st *state) (map[string]Target, *float64, error) {
	year := st.clk.Today.Year()
	ts, err := s.targets.TargetsOfYear(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	targets := make(map[string]Target, len(ts))
	for _, t := range ts {
		targets[t.WardID] = Target{AdultPopulation: t.AdultPopulation, Households: t.Households}
	}
	d, ok, err := s.targets.DistrictTargetFor(ctx, year)
	if err != nil || !ok {
		return targets, nil, err
	}
	share := d.EcitizenSharePercent
	return targets, &share, nil
}

// wardResult is what a ward's family memoises: its summary, the volunteers who
// served (for the district's distinct count), the residents lacking each
// required skill and the shifts with open places within GapDays.
type wardResult struct {
	summary    Summary
	volunteers map[string]bool
	lacking    map[string]int
	unfilled   []UnfilledShift
	until      time.Time // when it stops being true with nothing changed
}

func (s *Service) wardResult(ctx context.Context, st *state, w *directory.Ward) (wardResult, error) {
	// Each part is computed apart and the parts are added up: residents of
	// different parts are different people, and the roster part alone holds
	// volunteers and shifts. A record thus recomputes one sixteenth of a ward.
	fam := family(st.wards, w.ID)
	def := s.framework.Active()
	var out wardResult
	for i, part := range Parts {
		v, until, err := s.memoised(ctx, st, "ward", fam, []string{part}, func(v *view) (any, time.Time) {
			sum, vols, until := v.summarize(st.clk, s.framework, def, "")
			// The unfilled shifts of the next GapDays change when a shift enters them.
			until = unfilledUntil(v.roster, st.clk, "", GapDays, until)
			return wardResult{summary: sum, volunteers: vols, lacking: v.lacking(def), unfilled: Unfilled(v.roster, st.clk, "", GapDays)}, until
		})
		if err != nil {
			return wardResult{}, err
		}
		r := v.(wardResult)
		if i == 0 { // the roster part: the volunteers and unfilled shifts are its alone
			out = wardResult{summary: r.summary, volunteers: r.volunteers, lacking: maps.Clone(r.lacking), unfilled: r.unfilled, until: until}
			out.summary.Skills = slices.Clone(r.summary.Skills)
			out.summary.Equipment = slices.Clone(r.summary.Equipment)
			continue
		}
		out.summary.Add(r.summary)
		for code, n := range r.lacking {
			out.lacking[code] += n
		}
		if until.Before(out.until) {
			out.until = until
		}
	}
	return out, nil
}

// wardSummary puts a ward's result beside its target and the district's goal.
func wardSummary(st *state, w *directory.Ward, r wardResult, targets map[string]Target, goal *float64) *WardSummary {
	sum := r.summary
	sum.AsOf = st.clk.Now // unchanged since it was computed
	out := &WardSummary{Ward: w, Merged: family(st.wards, w.ID)[1:], Year: st.clk.Today.Year(), Goal: goal, Summary: sum}
	if t, ok := targets[w.ID]; ok {
		out.Target = &t
		if t.AdultPopulation > 0 {
			share := Percent(sum.Residents.ECitizens, t.AdultPopulation)
			out.Share = &share
			if goal != nil {
				need := max(0, int(math.Ceil(*goal*float64(t.AdultPopulation)/100-1e-9))-sum.Residents.ECitizens)
				out.Needed = &need
			}
		}
	}
	return out
}

// Percent returns part of whole in percent, rounded to one decimal.
func Percent(part, whole int) float64 {
	if whole <= 0 {
		return 0
	}
	return math.Round(float64(part)*1000/float64(whole)) / 10
}

// centreResult is what a centre's summary memoises.
type centreResult struct {
	summary  Summary
	unfilled []UnfilledShift
}

// Centre returns a centre's summary and its upcoming unfilled shifts.
func (s *Service) Centre(ctx context.Context, c identity.Caller, centreID string) (*CentreSummary, error) {
	if !c.IsStaff() {
		return nil, apperr.ErrForbidden
	}
	ce, err := s.dir.Centre(ctx, c, centreID)
	if err != nil {
		return nil, err
	}
	if !c.HasWard(ce.WardID) {
		return nil, notFound("centre", centreID)
	}
	st, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	// A centre's past may lie in the wards merged into its ward.
	v, _, err := s.memoised(ctx, st, "centre:"+ce.ID, family(st.wards, ce.WardID), Parts, func(v *view) (any, time.Time) {
		sum, _, until := v.summarize(st.clk, s.framework, s.framework.Active(), ce.ID)
		return centreResult{summary: sum, unfilled: Unfilled(v.roster, st.clk, ce.ID, UpcomingDays)}, until
	})
	if err != nil {
		return nil, err
	}
	r := v.(centreResult)
	r.summary.AsOf = st.clk.Now // unchanged since it was computed
	return &CentreSummary{Centre: ce, Summary: r.summary, Unfilled: r.unfilled}, nil
}

// District returns the overview of every ward not merged, ranked, and the
// gaps. Wards with a population are ranked by their share of e-citizens, then
// the others by their number of e-citizens; ties by ward code. The district's
// figures are the sums of its wards' (their families partition it), so a
// change in one ward costs reading that ward again, not the district.
func (s *Service) District(ctx context.Context, c identity.Caller) (*Overview, error) {
	if !c.IsAdmin() {
		return nil, apperr.ErrForbidden
	}
	return s.districtOverview(ctx)
}

// districtOverview returns the district's overview: the one kept, when it is
// still true (districtMemo), or a new one.
func (s *Service) districtOverview(ctx context.Context) (*Overview, error) {
	st, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	targets, goal, err := s.yearTargets(ctx, st)
	if err != nil {
		return nil, err
	}
	in := districtInputs{wards: st.wards, stamps: st.stamps, targets: targets, goal: goal, today: st.clk.Today}
	s.mu.Lock()
	last := s.district
	s.mu.Unlock()
	if last != nil && last.valid(in, st.clk.Now) {
		return last.at(st.clk.Now), nil
	}
	o, until, err := s.overview(ctx, st, targets, goal)
	if err != nil {
		return nil, err
	}
	o.Version = s.versions.Add(1)
	if s.allSettled(st) {
		s.mu.Lock()
		s.district = &districtMemo{in: in, from: st.clk.Now, until: until, o: o}
		s.mu.Unlock()
	}
	return o, nil
}

// overview computes the district's overview from its wards' results, and
// when it stops being true with nothing changed (the earliest of theirs).
func (s *Service) overview(ctx context.Context, st *state, targets map[string]Target, goal *float64) (*Overview, time.Time, error) {
	def := s.framework.Active()
	until := st.clk.Tomorrow()
	o := &Overview{AsOf: st.clk.Now, Year: st.clk.Today.Year(), Goal: goal, Unfilled: []UnfilledShift{}}
	o.Total, _, _ = Summarize(&Facts{}, nil, st.clk, s.framework, def, "")
	volunteers := map[string]bool{}
	lacking := map[string]int{}
	for _, code := range def.Required {
		lacking[code] = 0
	}
	for _, w := range st.wards {
		if w.MergedInto != "" {
			continue
		}
		r, err := s.wardResult(ctx, st, w)
		if err != nil {
			return nil, time.Time{}, err
		}
		if r.until.Before(until) {
			until = r.until
		}
		o.Total.Add(r.summary)
		for v := range r.volunteers {
			volunteers[v] = true
		}
		for code, n := range r.lacking {
			lacking[code] += n
		}
		o.Unfilled = append(o.Unfilled, r.unfilled...)
		o.Wards = append(o.Wards, WardRow{WardSummary: *wardSummary(st, w, r, targets, goal)})
	}
	o.Total.Hours.Volunteers = len(volunteers)
	slices.SortFunc(o.Unfilled, func(a, b UnfilledShift) int {
		return cmp.Or(a.StartsAt.Compare(b.StartsAt), strings.Compare(a.ShiftID, b.ShiftID))
	})
	for code, n := range lacking {
		o.Lacking = append(o.Lacking, Lack{SkillCode: code, Residents: n})
	}
	slices.SortFunc(o.Lacking, func(a, b Lack) int {
		return cmp.Or(cmp.Compare(b.Residents, a.Residents), strings.Compare(a.SkillCode, b.SkillCode))
	})
	slices.SortFunc(o.Wards, func(a, b WardRow) int {
		switch {
		case a.Share != nil && b.Share == nil:
			return -1
		case a.Share == nil && b.Share != nil:
			return 1
		case a.Share != nil && *a.Share != *b.Share:
			return cmp.Compare(*b.Share, *a.Share)
		}
		return cmp.Or(cmp.Compare(b.Summary.Residents.ECitizens, a.Summary.Residents.ECitizens), strings.Compare(a.Ward.Code, b.Ward.Code))
	})
	for i := range o.Wards {
		o.Wards[i].Rank = i + 1
		if r := o.Wards[i]; r.Share != nil && r.Goal != nil && *r.Share < *r.Goal {
			o.BelowTarget = append(o.BelowTarget, r)
		}
	}
	return o, until, nil
}

// districtMemo is the last overview computed and what it was computed from.
//
// How it is invalidated: it is served again (with its "as of" moved to now)
// only while everything it was computed from is unchanged: the same wards
// (every field: names, codes, merges), the same stamp of every part of every
// ward, the same targets and goal of the year, the same local day, and now
// before the earliest moment one of its wards' results stops being true with
// nothing changed (a shift starting, a session ending, a record dated later
// than now starting to count: wardResult's until). A change to any fact a
// summary reads moves its part's stamp in the unit of the change (SQLite's
// triggers, with coverage_total; MongoDB's marks: see Store), and it is kept
// only when every stamp it was computed under was settled, as memoised keeps
// results. So a cached overview is exactly the one computing it again would
// give; there is no time-to-live and nothing stale is served.
type districtMemo struct {
	in          districtInputs
	from, until time.Time // computed at from; true until until
	o           *Overview
}

// districtInputs is what an overview is computed from, besides the facts its
// stamps stand for.
type districtInputs struct {
	wards   []*directory.Ward
	stamps  map[string]Stamp
	targets map[string]Target
	goal    *float64
	today   time.Time
}

// valid reports whether the memo is the overview of in at now.
func (m *districtMemo) valid(in districtInputs, now time.Time) bool {
	if now.Before(m.from) || !now.Before(m.until) || !m.in.today.Equal(in.today) ||
		(m.in.goal == nil) != (in.goal == nil) || (in.goal != nil && *m.in.goal != *in.goal) ||
		!maps.Equal(m.in.targets, in.targets) || len(m.in.stamps) != len(in.stamps) || len(m.in.wards) != len(in.wards) {
		return false
	}
	for k, a := range in.stamps {
		if b, ok := m.in.stamps[k]; !ok || a.Value != b.Value || !a.At.Equal(b.At) {
			return false
		}
	}
	for i, w := range in.wards {
		if !sameWard(w, m.in.wards[i]) {
			return false
		}
	}
	return true
}

// sameWard reports whether two reads of a ward are equal in every field.
func sameWard(a, b *directory.Ward) bool {
	return a.ID == b.ID && a.Code == b.Code && a.NameVi == b.NameVi && a.NameEn == b.NameEn && a.Status == b.Status &&
		a.MergedInto == b.MergedInto && (a.MergedAt == nil) == (b.MergedAt == nil) && (a.MergedAt == nil || a.MergedAt.Equal(*b.MergedAt)) &&
		a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

// at returns the memo's overview as of now: the same figures, in a new
// Overview whose rows are new too (callers only read the rest).
func (m *districtMemo) at(now time.Time) *Overview {
	o := *m.o
	o.AsOf, o.Total.AsOf = now, now
	o.Wards = slices.Clone(m.o.Wards)
	o.BelowTarget = slices.Clone(m.o.BelowTarget)
	for _, rows := range [][]WardRow{o.Wards, o.BelowTarget} {
		for i := range rows {
			rows[i].Summary.AsOf = now
		}
	}
	return &o
}

// allSettled reports whether every stamp of st is settled: what is computed
// under them may be kept.
func (s *Service) allSettled(st *state) bool {
	now := time.Now()
	for _, stamp := range st.stamps {
		if !stamp.Settled(now, s.settle) {
			return false
		}
	}
	return true
}

// WardTrends returns a ward's weeks, including the past of the wards merged into it.
func (s *Service) WardTrends(ctx context.Context, c identity.Caller, wardID string) (*Trends, error) {
	st, w, err := s.beginWard(ctx, c, wardID)
	if err != nil {
		return nil, err
	}
	fam := family(st.wards, w.ID)
	weeks, err := s.trend(ctx, st, fam)
	if err != nil {
		return nil, err
	}
	return &Trends{WardID: w.ID, Merged: fam[1:], Weeks: weeks}, nil
}

// DistrictTrends returns the district's weeks.
func (s *Service) DistrictTrends(ctx context.Context, c identity.Caller) (*Trends, error) {
	if !c.IsAdmin() {
		return nil, apperr.ErrForbidden
	}
	st, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	var weeks []Week
	for _, w := range st.wards {
		if w.MergedInto != "" {
			continue
		}
		ws, err := s.trend(ctx, st, family(st.wards, w.ID))
		if err != nil {
			return nil, err
		}
		if weeks == nil {
			weeks = slices.Clone(ws)
			continue
		}
		for i := range weeks {
			weeks[i].NewResidents += ws[i].NewResidents
			weeks[i].NewECitizens += ws[i].NewECitizens
			weeks[i].VolunteerHours += ws[i].VolunteerHours
		}
	}
	if weeks == nil {
		weeks = Trend(&Facts{}, nil, st.clk)
	}
	return &Trends{Weeks: weeks}, nil
}

func (s *Service) trend(ctx context.Context, st *state, wards []string) ([]Week, error) {
	var weeks []Week
	for _, part := range Parts { // parts add up, as in wardResult
		v, _, err := s.memoised(ctx, st, "trend", wards, []string{part}, func(v *view) (any, time.Time) {
			return v.trend(st.clk), st.clk.Tomorrow() // facts dated later than now wait for tomorrow's week
		})
		if err != nil {
			return nil, err
		}
		ws := v.([]Week)
		if weeks == nil {
			weeks = slices.Clone(ws)
			continue
		}
		for i := range weeks {
			weeks[i].NewResidents += ws[i].NewResidents
			weeks[i].NewECitizens += ws[i].NewECitizens
			weeks[i].VolunteerHours += ws[i].VolunteerHours
		}
	}
	return weeks, nil
}

// read reads a ward's part; stamp was read before it. A resident part does not
// depend on the day; the roster part covers the window of the day.
func (s *Service) read(ctx context.Context, c Clock, id, part string, stamp Stamp) (*snapshot, error) {
	snap := &snapshot{stamp: stamp.Value, at: stamp.At, settled: stamp.Settled(time.Now(), s.settle)}
	if part != RosterPart {
		res, err := s.store.CoverageResidents(ctx, id, part)
		if err != nil {
			return nil, fmt.Errorf("coverage residents of %s/%s: %w", id, part, err)
		}
		recs, err := s.store.CoverageRecords(ctx, id, part)
		if err != nil {
			return nil, fmt.Errorf("coverage records of %s/%s: %w", id, part, err)
		}
		snap.residents = buildPart(res, recs, s.framework.Active())
		snap.expires = time.Unix(1<<62, 0) // no day in these facts
		return snap, nil
	}
	f := &Facts{}
	snap.roster = f
	var err error
	from, to := c.Window()
	if f.Shifts, err = s.store.CoverageShifts(ctx, id, from, to); err != nil {
		return nil, fmt.Errorf("coverage shifts of %s: %w", id, err)
	}
	if f.Sessions, err = s.store.CoverageSessions(ctx, id, from, to); err != nil {
		return nil, fmt.Errorf("coverage sessions of %s: %w", id, err)
	}
	if f.Usage, err = s.store.CoverageUsage(ctx, id, from, to); err != nil {
		return nil, fmt.Errorf("coverage usage of %s: %w", id, err)
	}
	place := roster.Place{WardID: id}
	rows, err := s.store.AttendanceAt(ctx, place, from, to)
	if err != nil {
		return nil, fmt.Errorf("coverage attendance of %s: %w", id, err)
	}
	entries, err := s.store.WorkEntriesAt(ctx, place, from, to)
	if err != nil {
		return nil, fmt.Errorf("coverage work entries of %s: %w", id, err)
	}
	f.Hours = HoursFacts(rows, entries)
	internIDs(f)
	snap.expires = c.Tomorrow()
	return snap, nil
}

// maxPatch is the most residents a patch reads again; more changes than that
// read the part whole, which costs about as much.
const maxPatch = 64

// patch returns the resident part's snapshot old brought up to stamp by
// reading again only the residents the store names as changed since old's
// stamp (Store.CoverageChanges), or nil when it cannot name them or they are
// too many. A recorded skill thus reads one resident and evaluates one status,
// not its part: the patched facts are those a whole read would return, because
// every change of the part since old is named (the adapters log them in the
// unit of the change) and each named resident is read whole, records included.
func (s *Service) patch(ctx context.Context, old *snapshot, id, part string, stamp Stamp) (*snapshot, error) {
	settled := stamp.Settled(time.Now(), s.settle) // stamps before facts, as read does
	ids, ok, err := s.store.CoverageChanges(ctx, id, part, Stamp{Value: old.stamp, At: old.at}, stamp)
	if err != nil {
		return nil, fmt.Errorf("coverage changes of %s/%s: %w", id, part, err)
	}
	changed := make(map[string]bool, len(ids))
	for _, r := range ids {
		changed[r] = true
	}
	if !ok || len(changed) > maxPatch {
		return nil, nil
	}
	if len(changed) == 0 { // the stamp moved with nothing to read again (a concurrent mark, say)
		return &snapshot{stamp: stamp.Value, at: stamp.At, settled: settled, expires: old.expires, residents: old.residents}, nil
	}
	res, recs, err := s.store.CoverageResidentFacts(ctx, slices.Sorted(maps.Keys(changed)))
	if err != nil {
		return nil, fmt.Errorf("coverage residents of %s/%s: %w", id, part, err)
	}
	var fresh []ResidentFact
	in := map[string]bool{}
	for _, r := range res { // a named resident may have left the ward (or never been in it)
		if PartOf(r.ID) == part && (r.WardID == id || r.OriginWardID == id) {
			fresh = append(fresh, r)
			in[r.ID] = true
		}
	}
	var freshRecs []RecordFact
	for _, r := range recs {
		if in[r.ResidentID] {
			freshRecs = append(freshRecs, r)
		}
	}
	return &snapshot{stamp: stamp.Value, at: stamp.At, settled: settled, expires: old.expires,
		residents: old.residents.patched(changed, fresh, freshRecs, s.framework.Active())}, nil
}

// internIDs makes the roster facts' equal IDs (centres, wards, volunteers)
// share one string: the store returns a new string for each row.
func internIDs(f *Facts) {
	seen := map[string]string{}
	intern := func(p *string) {
		if v, ok := seen[*p]; ok {
			*p = v
		} else {
			seen[*p] = *p
		}
	}
	for i := range f.Shifts {
		intern(&f.Shifts[i].CentreID)
		intern(&f.Shifts[i].WardID)
	}
	for i := range f.Sessions {
		intern(&f.Sessions[i].CentreID)
		intern(&f.Sessions[i].Status)
	}
	for i := range f.Usage {
		intern(&f.Usage[i].CentreID)
		intern(&f.Usage[i].Purpose)
	}
	for i := range f.Hours {
		intern(&f.Hours[i].VolunteerID)
		intern(&f.Hours[i].CentreID)
	}
}
