package storetest

import (
	"testing"
	"time"

	"ecitizen/internal/directory"
	"ecitizen/internal/store"
	"ecitizen/internal/training"
)

// Training fixtures, in the style of fixtures_test.go.

func sessionKey(s *training.Session) string { return training.SessionKey(s) }
func seatSession(s *training.Seat) string   { return s.SessionID }

// trainingWorld is what sessions reference: a partner, its course, a ward and a
// community centre in it.
type trainingWorld struct {
	org      *directory.Organisation
	courseID string
	ward     *directory.Ward
	centre   *directory.Centre
}

func mkTrainingWorld(t testing.TB, st store.Store) *trainingWorld {
	t.Helper()
	org := mkOrganisation(t, st)
	c, _ := mkCourse(t, st, org.ID)
	w := mkWard(t, st, "W"+newID(t)[24:])
	return &trainingWorld{org: org, courseID: c.ID, ward: w, centre: mkCentre(t, st, w.ID)}
}

// day is a fixed future day, whole hours in UTC.
func day() time.Time { return now().Truncate(time.Hour).Add(48 * time.Hour) }

// newSession builds a scheduled two-hour session of the world's course at its
// centre, starting at start.
func newSession(t testing.TB, w *trainingWorld, start time.Time, opts ...func(*training.Session)) *training.Session {
	ts := now()
	s := &training.Session{
		ID: newID(t), CourseID: w.courseID, OrganisationID: w.org.ID,
		CentreID: w.centre.ID, WardID: w.ward.ID,
		StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 20,
		Trainers: []string{"Nguyễn Thị Hoa", "Lê Văn Minh"}, Note: "Mang theo điện thoại.",
		Status: training.StatusScheduled, CreatedBy: "partner-1", CreatedAt: ts, UpdatedAt: ts,
	}
	for _, f := range opts {
		f(s)
	}
	return s
}

func mkSession(t testing.TB, st store.Store, w *trainingWorld, start time.Time, opts ...func(*training.Session)) *training.Session {
	t.Helper()
	s := newSession(t, w, start, opts...)
	must(t, st.CreateSession(t.Context(), s))
	return s
}

// atVenue makes a session held at another venue, with no centre and no ward.
func atVenue(s *training.Session) {
	s.CentreID, s.WardID, s.Venue = "", "", "Hội trường UBND phường, 45 Nguyễn Huệ"
}

// newSeat builds an unmarked seat of a learner with an account.
func newSeat(sessionID string, number int, userID string) *training.Seat {
	return &training.Seat{
		SessionID: sessionID, Number: number, LearnerKey: "user:" + userID, UserID: userID,
		EnrolledBy: userID, EnrolledAt: now(),
	}
}

// newGuestSeat builds an unmarked seat of a learner without an account.
func newGuestSeat(t testing.TB, sessionID string, number int) *training.Seat {
	return &training.Seat{
		SessionID: sessionID, Number: number, LearnerKey: "name:" + newID(t), Name: "Phạm Văn C",
		EnrolledBy: "staff-1", EnrolledAt: now(),
	}
}

func mkSeat(t testing.TB, st store.Store, s *training.Seat) *training.Seat {
	t.Helper()
	must(t, training.PutSeat(t.Context(), st, s))
	return s
}
