package progress_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"ecitizen/internal/progress"
)

var t0 = time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)

// rec is a record of skill at t0 plus minutes.
func rec(id, skill string, minutes int) progress.Record {
	return progress.Record{ID: id, ResidentID: "res-1", SkillCode: skill, Method: progress.MethodObserved,
		Evidence: "Tự làm trước mặt tình nguyện viên", RecordedBy: "vol-1", CentreID: "centre-1", ShiftID: "shift-1",
		At: t0.Add(time.Duration(minutes) * time.Minute)}
}

func revoke(id string) progress.Revocation {
	return progress.Revocation{RecordID: id, By: "staff-1", Reason: "Ghi nhầm người", At: t0.Add(24 * time.Hour)}
}

var required = []string{"vneid_level2", "portal_account", "recognise_scam"}

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name        string
		required    []string
		records     []progress.Record
		revocations []progress.Revocation
		shown       map[string]string // skill -> record id that shows it
		missing     []string
		reached     int    // minutes after t0; -1 when not an e-citizen
		completedBy string // record id
	}{
		{name: "NoRecords", missing: required, reached: -1},
		{name: "SomeShown",
			records: []progress.Record{rec("r1", "vneid_level2", 0), rec("r2", "recognise_scam", 5)},
			shown:   map[string]string{"vneid_level2": "r1", "recognise_scam": "r2"},
			missing: []string{"portal_account"}, reached: -1},
		{name: "AllShownReachedAtTheLast",
			records: []progress.Record{rec("r1", "vneid_level2", 0), rec("r2", "recognise_scam", 90), rec("r3", "portal_account", 30)},
			shown:   map[string]string{"vneid_level2": "r1", "recognise_scam": "r2", "portal_account": "r3"},
			missing: []string{}, reached: 90, completedBy: "r2"},
		{name: "DuplicateLaterDoesNotMoveTheDate",
			records: []progress.Record{rec("r1", "vneid_level2", 0), rec("r2", "recognise_scam", 90), rec("r3", "portal_account", 30),
				rec("r4", "vneid_level2", 500), rec("r5", "recognise_scam", 600)},
			shown:   map[string]string{"vneid_level2": "r1", "recognise_scam": "r2", "portal_account": "r3"},
			missing: []string{}, reached: 90, completedBy: "r2"},
		{name: "DuplicateEarlierCounts",
			records: []progress.Record{rec("r1", "vneid_level2", 0), rec("r2", "recognise_scam", 90), rec("r3", "portal_account", 30),
				rec("r4", "recognise_scam", 10)},
			shown:   map[string]string{"vneid_level2": "r1", "recognise_scam": "r4", "portal_account": "r3"},
			missing: []string{}, reached: 30, completedBy: "r3"},
		{name: "NonRequiredSkillsShownButDoNotCount",
			records: []progress.Record{rec("r1", "vneid_level2", 0), rec("r2", "track_application", 10), rec("r3", "shop_online_safely", 20),
				rec("r4", "portal_account", 30)},
			shown:   map[string]string{"vneid_level2": "r1", "portal_account": "r4", "track_application": "r2", "shop_online_safely": "r3"},
			missing: []string{"recognise_scam"}, reached: -1},
		{name: "RevokingTheCompletingRecordMovesTheDateToTheNext",
			records: []progress.Record{rec("r1", "vneid_level2", 0), rec("r2", "recognise_scam", 90), rec("r3", "portal_account", 30),
				rec("r4", "recognise_scam", 300), rec("r5", "recognise_scam", 200)},
			revocations: []progress.Revocation{revoke("r2")},
			shown:       map[string]string{"vneid_level2": "r1", "recognise_scam": "r5", "portal_account": "r3"},
			missing:     []string{}, reached: 200, completedBy: "r5"},
		{name: "RevokingTheCompletingRecordRemovesTheStatus",
			records:     []progress.Record{rec("r1", "vneid_level2", 0), rec("r2", "recognise_scam", 90), rec("r3", "portal_account", 30)},
			revocations: []progress.Revocation{revoke("r2")},
			shown:       map[string]string{"vneid_level2": "r1", "portal_account": "r3"},
			missing:     []string{"recognise_scam"}, reached: -1},
		{name: "RevokingAnEarlierRecordCanMoveTheDateLater",
			records: []progress.Record{rec("r1", "vneid_level2", 0), rec("r2", "recognise_scam", 90), rec("r3", "portal_account", 30),
				rec("r4", "vneid_level2", 400)},
			revocations: []progress.Revocation{revoke("r1")},
			shown:       map[string]string{"vneid_level2": "r4", "recognise_scam": "r2", "portal_account": "r3"},
			missing:     []string{}, reached: 400, completedBy: "r4"},
		{name: "RevokingEveryRecordOfASkill",
			records:     []progress.Record{rec("r1", "vneid_level2", 0), rec("r2", "vneid_level2", 10)},
			revocations: []progress.Revocation{revoke("r1"), revoke("r2"), revoke("r2")},
			shown:       map[string]string{},
			missing:     required, reached: -1},
		{name: "RevokingANonRequiredRecordChangesNothing",
			records: []progress.Record{rec("r1", "vneid_level2", 0), rec("r2", "recognise_scam", 90), rec("r3", "portal_account", 30),
				rec("r4", "track_application", 100)},
			revocations: []progress.Revocation{revoke("r4")},
			shown:       map[string]string{"vneid_level2": "r1", "recognise_scam": "r2", "portal_account": "r3"},
			missing:     []string{}, reached: 90, completedBy: "r2"},
		{name: "RevocationOfAnUnknownRecordIgnored",
			records:     []progress.Record{rec("r1", "vneid_level2", 0), rec("r2", "recognise_scam", 90), rec("r3", "portal_account", 30)},
			revocations: []progress.Revocation{revoke("elsewhere")},
			shown:       map[string]string{"vneid_level2": "r1", "recognise_scam": "r2", "portal_account": "r3"},
			missing:     []string{}, reached: 90, completedBy: "r2"},
		{name: "SameTimeTieBrokenByID",
			records: []progress.Record{rec("r9", "vneid_level2", 0), rec("r1", "vneid_level2", 0), rec("r2", "recognise_scam", 50),
				rec("r3", "portal_account", 50)},
			shown:   map[string]string{"vneid_level2": "r1", "recognise_scam": "r2", "portal_account": "r3"},
			missing: []string{}, reached: 50, completedBy: "r3"},
		{name: "RequiredCodeListedTwice", required: []string{"vneid_level2", "vneid_level2"},
			records: []progress.Record{rec("r1", "vneid_level2", 7)},
			shown:   map[string]string{"vneid_level2": "r1"},
			missing: []string{}, reached: 7, completedBy: "r1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := c.required
			if req == nil {
				req = required
			}
			st := progress.Evaluate(3, req, c.records, c.revocations)
			if st.Version != 3 {
				t.Errorf("version %d, want 3", st.Version)
			}
			got := map[string]string{}
			for _, s := range st.Shown {
				if s.Record.SkillCode != s.SkillCode {
					t.Errorf("skill %s shown by a record of %s", s.SkillCode, s.Record.SkillCode)
				}
				got[s.SkillCode] = s.Record.ID
			}
			if c.shown == nil {
				c.shown = map[string]string{}
			}
			if !reflect.DeepEqual(got, c.shown) || len(st.Shown) != len(c.shown) {
				t.Errorf("shown %v, want %v", got, c.shown)
			}
			if !slices.Equal(st.Missing, c.missing) || st.Missing == nil {
				t.Errorf("missing %v, want %v", st.Missing, c.missing)
			}
			switch {
			case c.reached < 0 && (st.ECitizen || !st.ReachedAt.IsZero() || st.CompletedBy != ""):
				t.Errorf("e-citizen %v at %v by %q, want not an e-citizen", st.ECitizen, st.ReachedAt, st.CompletedBy)
			case c.reached >= 0 && (!st.ECitizen || !st.ReachedAt.Equal(t0.Add(time.Duration(c.reached)*time.Minute)) || st.CompletedBy != c.completedBy):
				t.Errorf("e-citizen %v at %v by %q, want at t0+%dm by %q", st.ECitizen, st.ReachedAt, st.CompletedBy, c.reached, c.completedBy)
			}
			// Order independence: any order of the input gives the same answer.
			rng := rand.New(rand.NewPCG(1, uint64(len(c.name))))
			for range 50 {
				recs, revs := slices.Clone(c.records), slices.Clone(c.revocations)
				rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
				rng.Shuffle(len(revs), func(i, j int) { revs[i], revs[j] = revs[j], revs[i] })
				if again := progress.Evaluate(3, req, recs, revs); !reflect.DeepEqual(again, st) {
					t.Fatalf("shuffled input gives %+v, want %+v", again, st)
				}
			}
		})
	}
}

func TestEvaluateShownOrder(t *testing.T) {
	st := progress.Evaluate(1, required, []progress.Record{
		rec("a", "track_application", 0), rec("b", "recognise_scam", 1), rec("c", "shop_online_safely", 2), rec("d", "vneid_level2", 3),
	}, nil)
	var codes []string
	for _, s := range st.Shown {
		codes = append(codes, s.SkillCode)
	}
	if want := []string{"vneid_level2", "recognise_scam", "shop_online_safely", "track_application"}; !slices.Equal(codes, want) {
		t.Fatalf("shown in order %v, want required in definition order then others by code %v", codes, want)
	}
}

// BenchmarkEvaluate200Records: a resident with 200 records over ten skills,
// 29 of them revoked.
func BenchmarkEvaluate200Records(b *testing.B) {
	skillsOf := []string{"vneid_level2", "use_vneid_documents", "portal_account", "submit_application", "track_application",
		"pay_fee_online", "shop_online_safely", "install_official_app", "recognise_scam", "use_local_platform"}
	req := []string{"vneid_level2", "portal_account", "submit_application", "pay_fee_online", "recognise_scam"}
	var recs []progress.Record
	var revs []progress.Revocation
	for i := range 200 {
		id := fmt.Sprintf("r%03d", i)
		recs = append(recs, rec(id, skillsOf[i%len(skillsOf)], 200-i))
		if i%7 == 0 {
			revs = append(revs, revoke(id))
		}
	}
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	for b.Loop() {
		if st := progress.Evaluate(1, req, recs, revs); !st.ECitizen {
			b.Fatal("not an e-citizen")
		}
	}
}
