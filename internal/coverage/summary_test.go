package coverage_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"ecitizen/content"
	"ecitizen/internal/coverage"
	"ecitizen/internal/skills"
)

var ict = time.FixedZone("ICT", 7*3600)

func TestWeeksAndDays(t *testing.T) {
	// Wednesday 26 November 2026, 01:30 in Hanoi is still Tuesday 25th in UTC.
	now := time.Date(2026, 11, 25, 18, 30, 0, 0, time.UTC)
	c := coverage.NewClock(now, ict)
	if got := c.Today.Format(time.DateOnly); got != "2026-11-26" {
		t.Fatalf("today %s", got)
	}
	if got := c.WeekStart(now).Format(time.DateOnly); got != "2026-11-23" {
		t.Fatalf("week start %s, want Monday 2026-11-23", got)
	}
	if got := c.WeekStart(time.Date(2026, 11, 29, 23, 59, 0, 0, ict)).Format(time.DateOnly); got != "2026-11-23" {
		t.Fatalf("Sunday's week starts %s", got)
	}
	if got := c.FirstWeek(); !got.Equal(c.WeekStart(now).AddDate(0, 0, -7*51)) {
		t.Fatalf("first week %s", got)
	}
	if got := c.DaysAgo(29).Format(time.DateOnly); got != "2026-10-28" {
		t.Fatalf("30 days back start %s", got)
	}
}

func TestPartsAndPercent(t *testing.T) {
	if got := coverage.PartOf("01a21792-a658-7dd0-8ce9-629eddb62912"); got != "r2" {
		t.Fatalf("part %s", got)
	}
	if len(coverage.Parts) != 17 || coverage.Parts[0] != coverage.RosterPart || coverage.Parts[16] != "rf" {
		t.Fatalf("parts %v", coverage.Parts)
	}
	for _, c := range []struct {
		part, whole int
		want        float64
	}{{1, 3, 33.3}, {2, 3, 66.7}, {0, 10, 0}, {5, 0, 0}, {712, 9000, 7.9}} {
		if got := coverage.Percent(c.part, c.whole); got != c.want {
			t.Errorf("Percent(%d, %d) = %v, want %v", c.part, c.whole, got, c.want)
		}
	}
}

// wardFacts is a ward of the seeded district's size: 2,200 residents with five
// records each, some revoked.
func wardFacts(b *testing.B, fw *skills.Framework) *coverage.Facts {
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	f := &coverage.Facts{}
	codes := make([]string, len(fw.Skills))
	for i, s := range fw.Skills {
		codes[i] = s.Code
	}
	for i := range 2200 {
		id := fmt.Sprintf("res-%05d", i)
		f.Residents = append(f.Residents, coverage.ResidentFact{ID: id, WardID: "w", OriginWardID: "w", CreatedAt: now.AddDate(0, 0, -rng.IntN(365))})
		for j := range 5 {
			f.Records = append(f.Records, coverage.RecordFact{ID: fmt.Sprintf("rec-%05d-%d", i, j), ResidentID: id,
				SkillCode: codes[rng.IntN(len(codes))], CentreID: fmt.Sprintf("c%d", rng.IntN(5)),
				At: now.Add(-time.Duration(rng.IntN(365*24)) * time.Hour), Revoked: rng.IntN(20) == 0})
		}
	}
	return f
}

// BenchmarkWardRecompute is what a changed ward costs once its facts are read:
// every resident's status, the summary and the 52 weeks.
func BenchmarkWardRecompute(b *testing.B) {
	fw, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		b.Fatal(err)
	}
	f := wardFacts(b, fw)
	c := coverage.NewClock(time.Now(), ict)
	b.ResetTimer()
	for b.Loop() {
		st := coverage.Statuses(f, fw.Active())
		coverage.Summarize(f, st, c, fw, fw.Active(), "")
		coverage.Trend(f, st, c)
	}
}
