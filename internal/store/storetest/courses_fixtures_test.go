package storetest

import (
	"fmt"
	"testing"
	"time"

	"ecitizen/internal/course"
	"ecitizen/internal/store"
)

// Course fixtures, in the style of fixtures_test.go.

func courseKey(c *course.Course) string          { return c.ID }
func enrolmentCourse(e *course.Enrolment) string { return e.CourseID }

// versionKey names a version in test messages: course id/number.
func versionKey(v *course.Version) string { return fmt.Sprintf("%s/%d", v.CourseID, v.Number) }

// cardKey names a card in test messages as versionKey names its version.
func cardKey(c *course.Card) string { return fmt.Sprintf("%s/%d", c.CourseID, c.Number) }

// newVersion builds a full draft version: two lessons, the first with a quiz of a
// single- and a multiple-choice question, both with rendered HTML.
func newVersion(courseID string, number int, opts ...func(*course.Version)) *course.Version {
	ts := now()
	v := &course.Version{
		CourseID: courseID, Number: number, Status: course.StatusDraft,
		Title:    course.Text{Vi: "Dịch vụ công trực tuyến", En: "Online public services"},
		Summary:  course.Text{Vi: "Nộp hồ sơ qua Cổng dịch vụ công.", En: "Filing through the public service portal."},
		Audience: course.AudienceResidents, Level: course.LevelBeginner,
		Skills: []string{"digital-services", "online-safety"},
		Lessons: []course.Lesson{
			{
				ID:       "tai-khoan",
				Title:    course.Text{Vi: "Tạo tài khoản", En: "Create an account"},
				Body:     course.Text{Vi: "# Bước 1\n\nMở *VNeID*.", En: "# Step 1\n\nOpen *VNeID*."},
				VideoURL: "https://video.example.org/1",
				Minutes:  12,
				Quiz: &course.Quiz{PassMark: 50, Questions: []course.Question{
					{
						ID: "q1", Kind: course.Single,
						Prompt: course.Text{Vi: "Ứng dụng nào?", En: "Which app?"},
						Options: []course.Option{
							{ID: "a", Text: course.Text{Vi: "VNeID", En: "VNeID"}, Correct: true},
							{ID: "b", Text: course.Text{Vi: "Khác", En: "Other"}},
						},
						Explanation: course.Text{Vi: "VNeID là ứng dụng định danh.", En: "VNeID is the ID app."},
					},
					{
						ID: "q2", Kind: course.Multiple,
						Prompt: course.Text{Vi: "Chọn các giấy tờ", En: "Pick the documents"},
						Options: []course.Option{
							{ID: "cccd", Text: course.Text{Vi: "Căn cước", En: "ID card"}, Correct: true},
							{ID: "sdt", Text: course.Text{Vi: "Số điện thoại", En: "Phone number"}, Correct: true},
							{ID: "xe", Text: course.Text{Vi: "Giấy phép lái xe", En: "Driving licence"}},
						},
						Explanation: course.Text{Vi: "Cần căn cước và số điện thoại.", En: "ID card and phone."},
					},
				}},
				HTML: course.Text{Vi: "<h1>Bước 1</h1>\n<p>Mở <em>VNeID</em>.</p>\n", En: "<h1>Step 1</h1>\n<p>Open <em>VNeID</em>.</p>\n"},
			},
			{
				ID:      "nop-ho-so",
				Title:   course.Text{Vi: "Nộp hồ sơ", En: "File an application"},
				Body:    course.Text{Vi: "Điền biểu mẫu.", En: "Fill in the form."},
				Minutes: 20,
				HTML:    course.Text{Vi: "<p>Điền biểu mẫu.</p>\n", En: "<p>Fill in the form.</p>\n"},
			},
		},
		CreatedBy:  "author-1",
		CreatedAt:  ts,
		UpdatedAt:  ts,
		SearchText: "dich vu cong truc tuyen online public services",
	}
	for _, f := range opts {
		f(v)
	}
	return v
}

// newCourse builds an unpublished course of an organisation and its first version.
func newCourse(t testing.TB, orgID string, opts ...func(*course.Course, *course.Version)) (*course.Course, *course.Version) {
	ts := now()
	c := &course.Course{ID: newID(t), OrganisationID: orgID, LatestVersion: 1, CreatedAt: ts, UpdatedAt: ts}
	v := newVersion(c.ID, 1)
	for _, f := range opts {
		f(c, v)
	}
	return c, v
}

func mkCourse(t testing.TB, st store.Store, orgID string, opts ...func(*course.Course, *course.Version)) (*course.Course, *course.Version) {
	t.Helper()
	c, v := newCourse(t, orgID, opts...)
	must(t, st.CreateCourse(t.Context(), c, v))
	return c, v
}

// published makes the first version published and the course point to it.
func published(c *course.Course, v *course.Version) {
	ts := v.CreatedAt.Add(time.Hour)
	v.Status, v.PublishedAt, v.UpdatedAt = course.StatusPublished, &ts, ts
	c.PublishedVersion = 1
}

func mkEnrolment(t testing.TB, st store.Store, userID, courseID string, version int) *course.Enrolment {
	t.Helper()
	e := &course.Enrolment{UserID: userID, CourseID: courseID, Version: version, StartedAt: now()}
	must(t, st.CreateEnrolment(t.Context(), e))
	return e
}
