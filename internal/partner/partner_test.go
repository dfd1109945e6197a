package partner

import (
	"testing"
	"time"

	"ecitizen/internal/course"
	"ecitizen/internal/roster"
)

func fixedNow() time.Time { return time.Date(2026, 11, 25, 18, 30, 0, 0, time.UTC) } // 01:30 on the 26th in Hanoi

func TestRange(t *testing.T) {
	s := NewService(Deps{Now: fixedNow})
	hanoi := s.Location()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, hanoi).UTC() }
	for _, tc := range []struct {
		name, from, to string
		want           [2]time.Time
	}{
		{"DefaultIsTheLast365LocalDays", "", "", [2]time.Time{day(2025, 11, 27), day(2026, 11, 27)}},
		{"ToIncluded", "2026-01-01", "2026-01-31", [2]time.Time{day(2026, 1, 1), day(2026, 2, 1)}},
		{"FromDefaultsBeforeTo", "", "2026-06-30", [2]time.Time{day(2025, 7, 1), day(2026, 7, 1)}},
		{"OneDay", "2026-03-08", "2026-03-08", [2]time.Time{day(2026, 3, 8), day(2026, 3, 9)}},
		{"366Days", "2024-01-01", "2024-12-31", [2]time.Time{day(2024, 1, 1), day(2025, 1, 1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to, err := s.Range(tc.from, tc.to)
			if err != nil || !from.Equal(tc.want[0]) || !to.Equal(tc.want[1]) {
				t.Errorf("Range(%q, %q) = %v, %v, %v; want %v", tc.from, tc.to, from, to, err, tc.want)
			}
		})
	}
	for _, bad := range [][2]string{{"2026-1-1", ""}, {"", "26-11-2026"}, {"2026-02-01", "2026-01-31"}, {"2024-01-01", "2025-01-01"}} {
		if _, _, err := s.Range(bad[0], bad[1]); err == nil {
			t.Errorf("Range(%q, %q): no error", bad[0], bad[1])
		}
	}
}

func TestTables(t *testing.T) {
	s := NewService(Deps{Now: fixedNow})
	from, to, _ := s.Range("2026-01-01", "2026-01-31")
	cov := &Coverage{From: from, To: to,
		Courses: []*CourseLine{{CourseID: "c1", Title: course.Text{Vi: "Khoá A", En: "Course A"}, EnrolmentsTotal: 3, CompletionsTotal: 1},
			{CourseID: "c2", Title: course.Text{Vi: "Khoá B", En: "Course B"}}},
		Sessions:     []*SessionLine{{SessionID: "s1", Venue: "Hội trường", Enrolled: 0}},
		Volunteers:   []roster.VolunteerMinutes{{VolunteerID: "v1", DisplayName: "An", Minutes: 90}},
		TotalMinutes: 90,
	}
	ts := s.Tables(cov, "en")
	if len(ts) != 3 || ts[0].Name != "courses" || ts[1].Name != "sessions" || ts[2].Name != "volunteers" {
		t.Fatalf("tables %v", ts)
	}
	if r := ts[0].Rows[0]; r[1] != "Course A" || r[2] != nil || r[3] != "no" || r[8] != 33.3 {
		t.Errorf("course row %v", r)
	}
	if r := ts[0].Rows[1]; r[8] != nil {
		t.Errorf("a rate of no learners is %v, want empty", r[8])
	}
	if r := ts[1].Rows[0]; r[2] != "Hội trường" || r[11] != nil {
		t.Errorf("session row %v", r)
	}
	if last := ts[2].Rows[1]; last[0] != nil || last[1] != "Total" || last[2] != 90 || last[3] != 1.5 {
		t.Errorf("total row %v", last)
	}
	if ts[0].TitleVi != "Khoá học của tổ chức: người học 2026-01-01 – 2026-01-31" {
		t.Errorf("title %q", ts[0].TitleVi)
	}
	if got := s.Tables(cov, "vi", TableVolunteers); len(got) != 1 || got[0].Rows[1][1] != "Tổng cộng" {
		t.Errorf("one Vietnamese table: %v", got)
	}
}
