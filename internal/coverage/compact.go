package coverage

import (
	"math"
	"time"

	"ecitizen/internal/progress"
	"ecitizen/internal/skills"
)

// The snapshots of resident parts keep their facts compact: a district's
// 200,000 records held as RecordFacts (four strings each) and its residents'
// progress.Status values (a copy of every shown record) were most of the
// server's heap. A residentPart holds, per resident, its ID (the only string
// per resident), its times and what its status says; per record its time, its
// centre as an index into the part's table of centres, and whether it is
// revoked; per skill shown its code and centre as indexes into the part's
// tables. Record IDs are not kept: a status is evaluated (progress.Evaluate,
// which breaks ties by record ID) when a resident is read, and nothing computed
// afterwards needs them. The computations over parts (view) give exactly what
// Summarize, Lacking and Trend give over the same facts and their Statuses;
// compact_test.go and storetest keep them equal.

// instant is a time as nanoseconds since the Unix epoch; the zero time (and
// any time before 1678) is math.MinInt64, any time after 2262 math.MaxInt64.
type instant int64

var (
	minInstantTime = time.Unix(0, math.MinInt64+1)
	maxInstantTime = time.Unix(0, math.MaxInt64)
)

func instantOf(t time.Time) instant {
	switch {
	case t.Before(minInstantTime):
		return math.MinInt64
	case t.After(maxInstantTime):
		return math.MaxInt64
	}
	return instant(t.UnixNano())
}

func (i instant) time() time.Time {
	if i == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, int64(i)).UTC()
}

// residentPart is a resident part of one ward as its snapshot keeps it.
// Each resident's skills shown and records are a run of shown and records,
// from its row's offset to the next row's (or the end).
type residentPart struct {
	centres   []string // the centres of its records, each once
	skills    []string // the skills shown, each once
	residents []residentRow
	shown     []shownRow
	records   []recordRow
}

// residentRow is a resident and its status against the definition.
type residentRow struct {
	id       string
	created  instant
	reached  instant // when the last required skill was first shown (e-citizens only)
	shown    uint32  // the first of its skills shown in residentPart.shown
	records  uint32  // the first of its records in residentPart.records
	done     uint32  // the centre of the record that showed the last required skill (e-citizens only)
	erased   bool
	eCitizen bool
}

// shownRow is a skill a resident has shown (by its earliest record not
// revoked) and where that record was made.
type shownRow struct {
	skill, centre uint32
}

// recordRow is a progress record.
type recordRow struct {
	at      instant
	centre  uint32
	revoked bool
}

// runs returns the bounds of row i's runs of shown and records.
func (p *residentPart) runs(i int) (shown []shownRow, records []recordRow) {
	r := &p.residents[i]
	endS, endR := uint32(len(p.shown)), uint32(len(p.records))
	if i+1 < len(p.residents) {
		endS, endR = p.residents[i+1].shown, p.residents[i+1].records
	}
	return p.shown[r.shown:endS], p.records[r.records:endR]
}

// partBuilder builds a residentPart, interning its centres and skills.
type partBuilder struct {
	p               *residentPart
	centres, skills map[string]uint32
}

// newPartBuilder starts a part with the tables of base (nil: empty ones), so
// that rows copied from base keep their indexes.
func newPartBuilder(base *residentPart, residents, records int) *partBuilder {
	b := &partBuilder{p: &residentPart{
		residents: make([]residentRow, 0, residents),
		records:   make([]recordRow, 0, records),
		shown:     make([]shownRow, 0, residents),
	}, centres: map[string]uint32{}, skills: map[string]uint32{}}
	if base != nil {
		for _, c := range base.centres {
			b.centre(c)
		}
		for _, s := range base.skills {
			b.skill(s)
		}
	}
	return b
}

func (b *partBuilder) centre(id string) uint32 { return intern(b.centres, &b.p.centres, id) }

func (b *partBuilder) skill(code string) uint32 { return intern(b.skills, &b.p.skills, code) }

// intern returns the index of s in table, appending it (and noting its index in
// index) the first time.
func intern(index map[string]uint32, table *[]string, s string) uint32 {
	i, ok := index[s]
	if !ok {
		i = uint32(len(*table))
		index[s] = i
		*table = append(*table, s)
	}
	return i
}

// copyRow appends row i of old, whose tables are a prefix of b's.
func (b *partBuilder) copyRow(old *residentPart, i int) {
	shown, records := old.runs(i)
	r := old.residents[i]
	r.shown, r.records = uint32(len(b.p.shown)), uint32(len(b.p.records))
	b.p.residents = append(b.p.residents, r)
	b.p.shown = append(b.p.shown, shown...)
	b.p.records = append(b.p.records, records...)
}

// add appends residents with their records (every record of each, as the
// store reads them), evaluating each one's status against def.
func (b *partBuilder) add(residents []ResidentFact, records []RecordFact, def skills.Definition) {
	byResident := make(map[string][]int, len(residents))
	for i, r := range records {
		byResident[r.ResidentID] = append(byResident[r.ResidentID], i)
	}
	var kept []progress.Record
	for _, res := range residents {
		row := residentRow{id: res.ID, created: instantOf(res.CreatedAt), erased: res.Erased,
			shown: uint32(len(b.p.shown)), records: uint32(len(b.p.records))}
		kept = kept[:0]
		for _, i := range byResident[res.ID] {
			r := &records[i]
			b.p.records = append(b.p.records, recordRow{at: instantOf(r.At), centre: b.centre(r.CentreID), revoked: r.Revoked})
			if !r.Revoked {
				kept = append(kept, progress.Record{ID: r.ID, ResidentID: r.ResidentID, SkillCode: r.SkillCode, CentreID: r.CentreID, At: r.At})
			}
		}
		st := progress.Evaluate(def.Version, def.Required, kept, nil)
		for _, sh := range st.Shown {
			b.p.shown = append(b.p.shown, shownRow{skill: b.skill(sh.SkillCode), centre: b.centre(sh.Record.CentreID)})
		}
		if st.ECitizen {
			row.eCitizen = true
			row.reached = instantOf(st.ReachedAt)
			row.done = b.centre(completedAt(st))
		}
		b.p.residents = append(b.p.residents, row)
	}
}

// buildPart returns the compact part of residents and their records.
func buildPart(residents []ResidentFact, records []RecordFact, def skills.Definition) *residentPart {
	b := newPartBuilder(nil, len(residents), len(records))
	b.add(residents, records, def)
	return b.p
}

// patched returns p without the residents of changed, plus residents (read
// again, with every one of their records).
func (p *residentPart) patched(changed map[string]bool, residents []ResidentFact, records []RecordFact, def skills.Definition) *residentPart {
	b := newPartBuilder(p, len(p.residents)+len(residents), len(p.records)+len(records))
	for i := range p.residents {
		if !changed[p.residents[i].id] {
			b.copyRow(p, i)
		}
	}
	b.add(residents, records, def)
	return b.p
}

// view is what one result is computed from: the roster's facts (shifts,
// sessions, usage, hours; no residents) of its wards and their resident
// parts. A resident in several parts (moved by a merge, it is in its old
// ward's part and its new ward's) counts once, from the first.
type view struct {
	roster *Facts
	parts  []*residentPart
	skip   [][]bool // skip[i][j]: resident j of part i was counted in an earlier part; nil: none
}

// newView returns the view of roster facts and parts; names are the parts'
// names (residents of parts of different names are different people).
func newView(roster *Facts, parts []*residentPart, names []string) *view {
	v := &view{roster: roster, parts: parts}
	for i := range parts {
		for j := range i {
			if names[j] == names[i] {
				v.dedupe(names)
				return v
			}
		}
	}
	return v
}

// dedupe marks the residents already in an earlier part of the same name.
func (v *view) dedupe(names []string) {
	seen := map[string]map[string]bool{}
	v.skip = make([][]bool, len(v.parts))
	for i, p := range v.parts {
		ids := seen[names[i]]
		if ids == nil {
			ids = map[string]bool{}
			seen[names[i]] = ids
		}
		for j, r := range p.residents {
			if ids[r.id] {
				if v.skip[i] == nil {
					v.skip[i] = make([]bool, len(p.residents))
				}
				v.skip[i][j] = true
			}
			ids[r.id] = true
		}
	}
}

// each calls fn with every resident counted: its part, the part's place in
// the view and the resident's index.
func (v *view) each(fn func(p *residentPart, k, i int)) {
	for k, p := range v.parts {
		for i := range p.residents {
			if !v.skipped(k, i) {
				fn(p, k, i)
			}
		}
	}
}

// skipped is whether resident i of part k was counted in an earlier part.
func (v *view) skipped(k, i int) bool {
	return v.skip != nil && v.skip[k] != nil && v.skip[k][i]
}

// centreIn returns the index of sc's centre in p's table: all is true for the
// whole scope, ok false when no record of p was made there.
func (sc scope) centreIn(p *residentPart) (idx uint32, all, ok bool) {
	if sc.centreID == "" {
		return 0, true, true
	}
	for i, c := range p.centres {
		if c == sc.centreID {
			return uint32(i), false, true
		}
	}
	return 0, false, false
}

// summarize is Summarize over the view.
func (v *view) summarize(c Clock, fw *skills.Framework, def skills.Definition, centreID string) (Summary, map[string]bool, time.Time) {
	sc := newScope(c, centreID)
	s, vols := sc.roster(v.roster)
	s.Residents, s.Skills = v.residents(sc, fw, def)
	s.Helped = v.helped(sc)
	return s, vols, v.until(sc, sc.until(v.roster))
}

// residents is scope.residents over the view.
func (v *view) residents(sc scope, fw *skills.Framework, def skills.Definition) (Residents, []SkillCount) {
	var out Residents
	perSkill := map[string]int{}
	counts := make([][]int, len(v.parts)) // per part, per skill of its table
	centres := make([]struct {
		idx     uint32
		all, ok bool
	}, len(v.parts))
	for k, p := range v.parts {
		counts[k] = make([]int, len(p.skills))
		ce := &centres[k]
		ce.idx, ce.all, ce.ok = sc.centreIn(p)
	}
	v.each(func(p *residentPart, k, i int) {
		ce := centres[k]
		r := &p.residents[i]
		shown, _ := p.runs(i)
		shownHere := false
		for _, sh := range shown {
			if ce.all || (ce.ok && sh.centre == ce.idx) {
				counts[k][sh.skill]++
				shownHere = true
			}
		}
		if shownHere {
			out.Reached++
		}
		if ce.all {
			out.Registered++
			if r.erased {
				out.Erased++
			}
		}
		if r.eCitizen && (ce.all || (ce.ok && r.done == ce.idx)) {
			out.ECitizens++
		}
	})
	for k, p := range v.parts {
		for i, n := range counts[k] {
			perSkill[p.skills[i]] += n
		}
	}
	required := map[string]bool{}
	for _, code := range def.Required {
		required[code] = true
	}
	var skillCounts []SkillCount
	for _, sk := range fw.Skills {
		skillCounts = append(skillCounts, SkillCount{Code: sk.Code, Required: required[sk.Code], Residents: perSkill[sk.Code]})
	}
	return out, skillCounts
}

// helped is scope.helped over the view: a resident's records are its run.
func (v *view) helped(sc scope) Helped {
	var out Helped
	now, from30, from7 := instantOf(sc.c.Now), instantOf(sc.from30), instantOf(sc.from7)
	for k, p := range v.parts {
		idx, all, ok := sc.centreIn(p)
		if !ok {
			continue
		}
		for i := range p.residents {
			if v.skipped(k, i) {
				continue
			}
			_, records := p.runs(i)
			h7, h30 := false, false
			for _, r := range records {
				if r.revoked || (!all && r.centre != idx) || r.at > now || r.at < from30 {
					continue
				}
				h30 = true
				if r.at >= from7 {
					h7 = true
					break
				}
			}
			if h30 {
				out.Last30Days++
			}
			if h7 {
				out.Last7Days++
			}
		}
	}
	return out
}

// until lowers until to the first record dated after now, as scope.until does
// with the records of its facts.
func (v *view) until(sc scope, until time.Time) time.Time {
	now, u := instantOf(sc.c.Now), instantOf(until)
	for _, p := range v.parts {
		for _, r := range p.records {
			if r.at > now && r.at < u {
				u = r.at
			}
		}
	}
	if u == instantOf(until) {
		return until
	}
	return u.time()
}

// lacking is Lacking over the view.
func (v *view) lacking(def skills.Definition) map[string]int {
	out := map[string]int{}
	var required []string
	for _, code := range def.Required {
		if _, ok := out[code]; !ok {
			out[code] = 0
			required = append(required, code)
		}
	}
	// Per part, the index of each required skill in its table (-1: never shown).
	idx := make([][]int, len(v.parts))
	for k, p := range v.parts {
		ix := make([]int, len(required))
		for i, code := range required {
			ix[i] = -1
			for j, s := range p.skills {
				if s == code {
					ix[i] = j
					break
				}
			}
		}
		idx[k] = ix
	}
	v.each(func(p *residentPart, k, i int) {
		r := &p.residents[i]
		if r.erased || r.eCitizen {
			return
		}
		shown, _ := p.runs(i)
		for n, j := range idx[k] {
			has := false
			for _, sh := range shown {
				if int(sh.skill) == j {
					has = true
					break
				}
			}
			if !has {
				out[required[n]]++
			}
		}
	})
	return out
}

// trend is Trend over the view.
func (v *view) trend(c Clock) []Week {
	weeks, index := trendWeeks(c)
	v.each(func(p *residentPart, _, i int) {
		r := &p.residents[i]
		if w := index(r.created.time()); w >= 0 {
			weeks[w].NewResidents++
		}
		if r.eCitizen {
			if w := index(r.reached.time()); w >= 0 {
				weeks[w].NewECitizens++
			}
		}
	})
	trendHours(weeks, index, v.roster.Hours)
	return weeks
}
