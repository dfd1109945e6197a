package coverage

import (
	"context"
	"time"

	"ecitizen/internal/roster"
)

// Store is what coverage reads. Each fact query returns the compact rows a ward's
// summaries and trends are computed from; CoverageStamps tells whether they changed.
//
// How the stamps stay exact (the contract both adapters keep):
//   - SQLite: triggers on every table a summary reads bump the ward's stamp in the
//     same transaction as the change, so a committed change always moves its
//     ward's stamp, and a crash loses both or neither. Stamps are Settled.
//   - MongoDB (no transactions, FerretDB's updates are read-then-replace): every
//     write a summary reads first sets its ward's stamp to a new random value with
//     the time ("mark first"), then writes under a deadline of WriteBound. A stamp
//     is Settled once SettleAfter has passed since it was set: by then the write
//     it announced has landed or never will, even if its writer crashed. Two
//     concurrent marks both leave a value no reader has seen, whichever wins.
//
// A reader reads the stamps before the facts; it keeps what it computed only
// under a Settled stamp, and serves it again only while the stamp is unchanged.
type Store interface {
	roster.AttendanceStore
	// CoverageStamps returns the stamps of every part of wardIDs, by StampKey;
	// a part never changed is absent. The caller only reads the map (an
	// adapter may answer the same map again).
	CoverageStamps(ctx context.Context, wardIDs []string) (map[string]Stamp, error)
	// CoverageResidents returns the residents of a resident part (PartOf) now
	// in the ward or registered in it (before a merge moved them).
	CoverageResidents(ctx context.Context, wardID, part string) ([]ResidentFact, error)
	// CoverageRecords returns the progress records of those residents, with
	// whether each is revoked.
	CoverageRecords(ctx context.Context, wardID, part string) ([]RecordFact, error)
	// CoverageChanges returns the residents of a ward's resident part whose
	// facts (the resident, its records, their revocations) changed after the
	// part's stamp was since, up to at least until (a later stamp the caller
	// read); a resident may be named twice, or named though it did not change.
	// ok is false when the adapter cannot name them all (its log no longer
	// reaches since, or a change touched the whole part): then the part must be
	// read whole. Both adapters keep this log in the unit of the change (see
	// their coverage.go), so a snapshot patched with CoverageResidentFacts is
	// what reading the part again would give.
	CoverageChanges(ctx context.Context, wardID, part string, since, until Stamp) (ids []string, ok bool, err error)
	// CoverageResidentFacts returns the residents of ids that exist (wherever
	// they are now) and all their records, with whether each is revoked.
	CoverageResidentFacts(ctx context.Context, ids []string) ([]ResidentFact, []RecordFact, error)
	// CoverageShifts returns the shifts of the ward starting in [from, to), with
	// their bookings and confirmed no-shows counted.
	CoverageShifts(ctx context.Context, wardID string, from, to time.Time) ([]ShiftFact, error)
	// CoverageSessions returns the training sessions held in the ward starting in
	// [from, to), with their seats counted.
	CoverageSessions(ctx context.Context, wardID string, from, to time.Time) ([]SessionFact, error)
	// CoverageUsage returns the equipment usage in the ward starting in [from, to),
	// voided sessions included and marked.
	CoverageUsage(ctx context.Context, wardID string, from, to time.Time) ([]UsageFact, error)
}

// A ward's facts are kept in parts, each with its own stamp, so that a change
// reads again only its part: RosterPart (shifts, bookings, no-shows, hours,
// training sessions, equipment use) and sixteen resident parts (a resident,
// its records and their revocations belong to the part named by the last
// character of the resident's ID, a UUID's last hex digit: "r0" … "rf").
// Residents of different parts are different people, so the parts' figures
// add up to the ward's.
const RosterPart = "roster"

// ResidentParts are the sixteen resident parts.
var ResidentParts = func() []string {
	out := make([]string, 0, 16)
	for _, c := range "0123456789abcdef" {
		out = append(out, "r"+string(c))
	}
	return out
}()

// Parts are every part of a ward, the roster's first.
var Parts = append([]string{RosterPart}, ResidentParts...)

// PartOf returns the part of a resident: "r" and the last character of its ID.
func PartOf(residentID string) string {
	if residentID == "" {
		return "r0"
	}
	return "r" + residentID[len(residentID)-1:]
}

// StampKey is the key of a ward's part in CoverageStamps' answer.
func StampKey(wardID, part string) string { return wardID + "|" + part }

// Stamp is a part's change stamp: a value that differs after every change of
// what its summaries read.
type Stamp struct {
	Value string
	At    time.Time // when it was set; zero when the adapter's stamps are exact at once
}

// SettleAfter is how long a MongoDB stamp must be old before what was computed
// under it is kept, and WriteBound the deadline of a write announced by a stamp.
const (
	WriteBound  = 20 * time.Second
	SettleAfter = 45 * time.Second
)

// Settled reports whether a stamp is old enough at now for what was computed
// under it to be kept, when stamps settle after the given time.
func (s Stamp) Settled(now time.Time, after time.Duration) bool {
	return s.At.IsZero() || now.Sub(s.At) >= after
}

// ResidentFact is a resident as coverage counts it.
type ResidentFact struct {
	ID           string
	WardID       string // where the resident is now
	OriginWardID string // where the resident was registered
	CreatedAt    time.Time
	Erased       bool
}

// RecordFact is a progress record as coverage counts it.
type RecordFact struct {
	ID         string
	ResidentID string
	SkillCode  string
	CentreID   string
	At         time.Time
	Revoked    bool
}

// ShiftFact is a shift with its bookings and confirmed no-shows counted.
type ShiftFact struct {
	ID       string
	CentreID string
	WardID   string
	StartsAt time.Time
	EndsAt   time.Time
	Places   int
	Booked   int
	NoShows  int
	Status   roster.Status
}

// SessionFact is a training session with its seats counted.
type SessionFact struct {
	ID       string
	CentreID string
	StartsAt time.Time
	EndsAt   time.Time
	Status   string
	Enrolled int
	Attended int
	Absent   int
}

// UsageFact is a session of equipment use.
type UsageFact struct {
	ID       string
	CentreID string
	Purpose  string
	From, To time.Time
	Voided   bool
}
