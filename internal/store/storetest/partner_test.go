package storetest

import (
	"testing"
	"time"

	"ecitizen/internal/course"
	"ecitizen/internal/identity"
	"ecitizen/internal/partner"
	"ecitizen/internal/store"
	"ecitizen/internal/training"
)

// TestPartnerCounts checks the partner view's counts on a constructed history.
func TestPartnerCounts(t *testing.T) {
	runCases(t, []storeCase{
		{"CoursesLearnersInRangeAndAllTime", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			org, other := mkOrganisation(t, st), mkOrganisation(t, st)
			pub, _ := mkCourse(t, st, org.ID, published)
			draft, _ := mkCourse(t, st, org.ID, func(c *course.Course, v *course.Version) {
				v.Title = course.Text{Vi: "Bản nháp: Căn cước điện tử", En: "Draft: electronic ID"}
			})
			theirs, _ := mkCourse(t, st, other.ID, published)
			from := day().Add(-30 * 24 * time.Hour)
			to := from.Add(10 * 24 * time.Hour)
			// pub: 2 learners started before the range (one completed in it), 3 in it
			// (one completed in it, one after it), 1 after it.
			learn := func(courseID string, started time.Time, completed *time.Time) {
				u := mkUser(t, st, func(u *identity.User) { u.Role = identity.RoleVolunteer })
				must(t, st.CreateEnrolment(ctx, &course.Enrolment{UserID: u.ID, CourseID: courseID, Version: 1, StartedAt: started}))
				if completed != nil {
					must(t, st.CompleteCourse(ctx, &course.Completion{UserID: u.ID, CourseID: courseID, Version: 1, CompletedAt: *completed}))
				}
			}
			at := func(d time.Duration) *time.Time { x := from.Add(d); return &x }
			learn(pub.ID, from.Add(-time.Hour), at(time.Hour))
			learn(pub.ID, from.Add(-48*time.Hour), nil)
			learn(pub.ID, from, at(2*time.Hour))
			learn(pub.ID, to.Add(-time.Millisecond), at(10*24*time.Hour)) // completed at to: outside
			learn(pub.ID, from.Add(time.Hour), nil)
			learn(pub.ID, to, nil)
			learn(theirs.ID, from.Add(time.Hour), at(2*time.Hour))
			got, err := st.PartnerCourses(ctx, org.ID, from, to)
			must(t, err)
			want := []*partner.CourseLine{
				{CourseID: pub.ID, Title: course.Text{Vi: "Dịch vụ công trực tuyến", En: "Online public services"}, PublishedVersion: 1,
					Enrolments: 3, Completions: 2, EnrolmentsTotal: 6, CompletionsTotal: 3},
				{CourseID: draft.ID, Title: course.Text{Vi: "Bản nháp: Căn cước điện tử", En: "Draft: electronic ID"}},
			}
			if draft.ID < pub.ID {
				want[0], want[1] = want[1], want[0]
			}
			same(t, "courses of the organisation", got, want)
			none, err := st.PartnerCourses(ctx, newID(t), from, to)
			must(t, err)
			same(t, "courses of an unknown organisation", len(none), 0)
		}},
		{"SessionsSeatsAndAttendance", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkTrainingWorld(t, st)
			from := day()
			to := from.Add(7 * 24 * time.Hour)
			s1 := mkSession(t, st, w, from.Add(time.Hour))
			s2 := mkSession(t, st, w, from.Add(26*time.Hour), atVenue, func(s *training.Session) { s.Status = training.StatusCancelled })
			mkSession(t, st, w, to)                     // after the range
			mkSession(t, st, w, from.Add(-time.Minute)) // before it
			ow := mkTrainingWorld(t, st)
			mkSession(t, st, ow, from.Add(time.Hour)) // another organisation's
			marks := []training.Attendance{training.Attended, training.Attended, training.Absent, ""}
			for i, m := range marks {
				u := mkUser(t, st)
				seat := mkSeat(t, st, newSeat(s1.ID, i+1, u.ID))
				if m != "" {
					ts := now()
					seat.Attendance, seat.MarkedBy, seat.MarkedAt = m, "partner-1", &ts
					must(t, st.MarkAttendance(ctx, seat))
				}
			}
			mkSeat(t, st, newGuestSeat(t, s1.ID, 5))
			got, err := st.PartnerSessions(ctx, w.org.ID, from, to)
			must(t, err)
			title := course.Text{Vi: "Dịch vụ công trực tuyến", En: "Online public services"}
			same(t, "sessions of the organisation", got, []*partner.SessionLine{
				{SessionID: s1.ID, CourseID: w.courseID, CourseTitle: title, CentreID: w.centre.ID, CentreName: w.centre.Name,
					WardID: w.ward.ID, StartsAt: s1.StartsAt, EndsAt: s1.EndsAt, Status: training.StatusScheduled, Capacity: 20,
					Enrolled: 5, Attended: 2, Absent: 1},
				{SessionID: s2.ID, CourseID: w.courseID, CourseTitle: title, Venue: s2.Venue,
					StartsAt: s2.StartsAt, EndsAt: s2.EndsAt, Status: training.StatusCancelled, Capacity: 20},
			})
			if got[0].Unmarked() != 2 {
				t.Errorf("unmarked = %d, want 2", got[0].Unmarked())
			}
		}},
	})
}
