package progress

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Shown is a skill a resident has shown, with the earliest record that shows
// it and is not revoked.
type Shown struct {
	SkillCode string
	Record    Record
}

// Status is where a resident stands against one version of the definition of
// e-citizen.
type Status struct {
	Version int
	// Shown lists every skill shown (required or not): the required ones in
	// the order of the definition, then the others by code.
	Shown []Shown
	// Missing lists the required skills not shown, in the order of the definition.
	Missing []string
	// ECitizen is true when every required skill is shown.
	ECitizen bool
	// ReachedAt is when the last required skill was first shown (zero unless
	// ECitizen), and CompletedBy the record that showed it.
	ReachedAt   time.Time
	CompletedBy string
}

// Evaluate computes a resident's status against version of the definition,
// whose required skill codes are required, from all the resident's records and
// revocations. A revoked record counts for nothing; of several records of one
// skill the earliest counts (ties broken by record ID), so the answer does not
// depend on the order of the input. Revocations of records not given are
// ignored.
func Evaluate(version int, required []string, records []Record, revocations []Revocation) Status {
	revoked := make(map[string]bool, len(revocations))
	for _, r := range revocations {
		revoked[r.RecordID] = true
	}
	first := map[string]Record{}
	for _, r := range records {
		if revoked[r.ID] {
			continue
		}
		if old, ok := first[r.SkillCode]; !ok || earlier(r, old) {
			first[r.SkillCode] = r
		}
	}

	st := Status{Version: version, Shown: make([]Shown, 0, len(first)), Missing: []string{}}
	isRequired := make(map[string]bool, len(required))
	var last *Record
	for _, code := range required {
		if isRequired[code] {
			continue
		}
		isRequired[code] = true
		r, ok := first[code]
		if !ok {
			st.Missing = append(st.Missing, code)
			continue
		}
		st.Shown = append(st.Shown, Shown{SkillCode: code, Record: r})
		if last == nil || earlier(*last, r) {
			last = &r
		}
	}
	var others []Shown
	for code, r := range first {
		if !isRequired[code] {
			others = append(others, Shown{SkillCode: code, Record: r})
		}
	}
	slices.SortFunc(others, func(a, b Shown) int { return strings.Compare(a.SkillCode, b.SkillCode) })
	st.Shown = append(st.Shown, others...)

	if len(st.Missing) == 0 && last != nil {
		st.ECitizen = true
		st.ReachedAt = last.At
		st.CompletedBy = last.ID
	}
	return st
}

// earlier orders records by time, then by ID.
func earlier(a, b Record) bool {
	return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID)) < 0
}
