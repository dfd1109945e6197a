package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ecitizen/internal/course"
	"ecitizen/internal/identity"
	paging "ecitizen/internal/page"
)

// courseTeam is a partner organisation with its partner, another organisation's
// partner and a volunteer, all with testPassword.
type courseTeam struct {
	orgID                          string
	partner, otherPartner, learner identity.Caller
	partnerEmail, otherEmail       string
	learnerEmail                   string
}

func (e *testEnv) courseTeam() courseTeam {
	e.t.Helper()
	org := e.organisation("Trường Đại học Bách khoa Hà Nội")
	other := e.organisation("Trường Đại học Kinh tế Quốc dân")
	t := courseTeam{orgID: org.ID, partnerEmail: "doitac@example.vn", otherEmail: "doitac2@example.vn", learnerEmail: "tnv@example.vn"}
	t.partner = e.user(identity.NewUser{Email: t.partnerEmail, DisplayName: "Trần Thị Đối Tác", Role: identity.RolePartner, OrganisationID: org.ID})
	t.otherPartner = e.user(identity.NewUser{Email: t.otherEmail, DisplayName: "Lê Văn Khác", Role: identity.RolePartner, OrganisationID: other.ID})
	t.learner = e.user(identity.NewUser{Email: t.learnerEmail, DisplayName: "Nguyễn Văn Học", Role: identity.RoleVolunteer, OrganisationID: org.ID})
	return t
}

// xssMarkdown is a partner's Markdown trying a script, an onerror handler and a
// javascript: link.
const xssMarkdown = "## Bài có mã độc\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n" +
	"![ảnh](x\" onerror=\"alert(1))\n\n[Bấm vào đây](javascript:alert(1))\n\nĐoạn văn **an toàn**."

// courseContent is a course with a reading lesson and a lesson with a quiz
// (q1 single: b is right; q2 multiple: a and b are right).
func courseContent(title, body string) course.Content {
	t := func(vi, en string) course.Text { return course.Text{Vi: vi, En: en} }
	return course.Content{
		Title: t(title, title+" (EN)"), Summary: t("Hướng dẫn sử dụng dịch vụ công trực tuyến cho người cao tuổi", "Online public services for older residents"),
		Audience: course.AudienceResidents, Level: course.LevelBeginner, Skills: []string{"portal_account"},
		Lessons: []course.Lesson{
			{ID: "gioi-thieu", Title: t("Giới thiệu cổng", "About the portal"), Minutes: 5, Body: t(body, body)},
			{ID: "kiem-tra", Title: t("Kiểm tra hiểu biết", "Check your understanding"), Minutes: 5,
				Body: t("Trả lời các câu hỏi.", "Answer the questions."),
				Quiz: &course.Quiz{PassMark: 100, Questions: []course.Question{
					{ID: "q1", Kind: course.Single, Prompt: t("Mã OTP có được cho người khác không?", "May you give your OTP to others?"),
						Explanation: t("Không bao giờ đưa mã OTP.", "Never give out an OTP."),
						Options:     []course.Option{{ID: "a", Text: t("Có", "Yes")}, {ID: "b", Text: t("Không", "No"), Correct: true}}},
					{ID: "q2", Kind: course.Multiple, Prompt: t("Chọn các dịch vụ chính thức", "Pick the official services"),
						Explanation: t("VNeID và Cổng Dịch vụ công quốc gia.", "VNeID and the National Public Service Portal."),
						Options: []course.Option{{ID: "a", Text: t("VNeID", "VNeID"), Correct: true},
							{ID: "b", Text: t("Cổng Dịch vụ công quốc gia", "National Public Service Portal"), Correct: true},
							{ID: "c", Text: t("Một trang lạ gửi qua tin nhắn", "A strange site sent by SMS")}}},
				}}},
		},
	}
}

// draftCourse creates a draft course of the team's organisation.
func (e *testEnv) draftCourse(tm courseTeam, title, body string) *course.Course {
	e.t.Helper()
	co, _, err := e.svc.Courses.CreateCourse(context.Background(), tm.partner, "", courseContent(title, body))
	if err != nil {
		e.t.Fatal(err)
	}
	return co
}

// publishedCourse creates, submits and publishes a course.
func (e *testEnv) publishedCourse(tm courseTeam, title, body string) *course.Course {
	e.t.Helper()
	co := e.draftCourse(tm, title, body)
	ctx := context.Background()
	if _, err := e.svc.Courses.Transition(ctx, tm.partner, co.ID, 1, course.ActionSubmit, ""); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.Courses.Transition(ctx, e.admin, co.ID, 1, course.ActionPublish, ""); err != nil {
		e.t.Fatal(err)
	}
	return co
}

func TestCourseCatalogueReadsWithoutJavaScript(t *testing.T) {
	e := newTestEnv(t)
	c := e.client() // no JavaScript
	p := c.get("/courses").must(t, http.StatusOK, "Nộp hồ sơ trên Cổng Dịch vụ công quốc gia", "Tài khoản định danh điện tử VNeID",
		`<form method="get" action="/courses"`, `<label for="f-q">`)
	if strings.Contains(p.Body, "<script>") {
		t.Fatal("the catalogue has an inline script")
	}

	t.Run("SearchWithoutDiacritics", func(t *testing.T) {
		p := c.get("/courses?q="+url.QueryEscape("dich vu cong")).must(t, http.StatusOK, "Nộp hồ sơ trên Cổng Dịch vụ công quốc gia", `value="dich vu cong"`)
		if strings.Contains(p.Body, "Tình nguyện viên hướng dẫn người dân") {
			t.Fatal("a course without the words matched")
		}
		c.get("/courses?q="+url.QueryEscape("DỊCH VỤ CÔNG")).must(t, http.StatusOK, "Nộp hồ sơ trên Cổng Dịch vụ công quốc gia")
		c.get("/courses?q=zzzxq").must(t, http.StatusOK, "Không có khóa học nào khớp")
	})
	t.Run("AudienceFilter", func(t *testing.T) {
		p := c.get("/courses?audience=volunteers").must(t, http.StatusOK, "Tình nguyện viên hướng dẫn người dân")
		if strings.Contains(p.Body, "Tài khoản định danh điện tử VNeID") {
			t.Fatal("a residents' course is listed for volunteers")
		}
		// An unknown audience is ignored, not an error.
		c.get("/courses?audience=robots").must(t, http.StatusOK, "Tài khoản định danh điện tử VNeID")
	})
	t.Run("SkillFilter", func(t *testing.T) {
		p := c.get("/courses?skill=recognise_scam").must(t, http.StatusOK, "An toàn trên không gian mạng")
		if strings.Contains(p.Body, "Tình nguyện viên hướng dẫn người dân") {
			t.Fatal("the skill filter kept a course without the skill")
		}
	})
	t.Run("English", func(t *testing.T) {
		en := e.client()
		en.get("/lang/en?next=/courses").must(t, http.StatusOK, "Applying on the National Public Service Portal", "Search courses")
	})
}

func TestCourseAndLessonForAnonymousReaders(t *testing.T) {
	e := newTestEnv(t)
	tm := e.courseTeam()
	co := e.publishedCourse(tm, "Dịch vụ công cho người cao tuổi", "## Chào mừng\n\nBài học **đầu tiên**.")
	c := e.client()
	base := "/courses/" + co.ID
	c.get(base).must(t, http.StatusOK, "Dịch vụ công cho người cao tuổi", "Giới thiệu cổng", "Kiểm tra hiểu biết", "Đăng nhập để lưu tiến độ")
	c.get(base+"/lessons/gioi-thieu").must(t, http.StatusOK, "<h2>Chào mừng</h2>", "<strong>đầu tiên</strong>", "Đăng nhập để lưu tiến độ")
	quiz := c.get(base+"/lessons/kiem-tra").must(t, http.StatusOK, "Mã OTP có được cho người khác không?",
		`type="radio" id="o-q1-b" name="answers.q1" value="b"`, `<label for="o-q1-b">Không</label>`,
		`type="checkbox" id="o-q2-a" name="answers.q2" value="a"`, `<legend>`)
	if strings.Contains(quiz.Body, "correct") || strings.Contains(quiz.Body, "Không bao giờ đưa mã OTP") {
		t.Fatal("the quiz page shows the answer key or the explanations before an attempt")
	}
	// Graded without an account: the result, the explanations, no record.
	p := c.post(base+"/lessons/kiem-tra/quiz", url.Values{"answers.q1": {"b"}, "answers.q2": {"a"}})
	p.must(t, http.StatusOK, "Bạn được 50%", "Không bao giờ đưa mã OTP", "không được lưu", `value="b" checked`)
	c.post(base+"/lessons/kiem-tra/quiz", url.Values{"answers.q1": {"b"}, "answers.q2": {"a", "b"}}).must(t, http.StatusOK, "Bạn đạt 100%")
	// An unknown option is refused next to its question.
	c.post(base+"/lessons/kiem-tra/quiz", url.Values{"answers.q1": {"z"}}).must(t, http.StatusBadRequest, `id="e-answers.q1"`)
	// Completing needs an account.
	c.get(base + "/lessons/gioi-thieu")
	c.post(base+"/lessons/gioi-thieu/complete", nil).must(t, http.StatusUnauthorized)
	// Unknown courses and lessons, drafts and reloads of a result's address.
	c.get("/courses/no-such-course").must(t, http.StatusNotFound)
	c.get(base+"/lessons/no-such-lesson").must(t, http.StatusNotFound)
	draft := e.draftCourse(tm, "Bản nháp chưa duyệt", "Nội dung")
	c.get("/courses/"+draft.ID).must(t, http.StatusNotFound)
	if p := c.get(base + "/lessons/kiem-tra/quiz"); p.URL != base+"/lessons/kiem-tra" {
		t.Fatalf("a reload of the quiz result went to %s", p.URL)
	}
}

func TestLearnerProgressIsRecorded(t *testing.T) {
	e := newTestEnv(t)
	tm := e.courseTeam()
	co := e.publishedCourse(tm, "Dịch vụ công cho người cao tuổi", "Bài học đầu tiên.")
	base := "/courses/" + co.ID
	c := e.client()
	c.signIn(tm.learnerEmail, testPassword)
	c.get(base).must(t, http.StatusOK, "Bắt đầu học")
	c.post(base+"/start", nil).must(t, http.StatusOK, "Bạn đã bắt đầu khóa học", "Đánh dấu đã học xong")
	c.post(base+"/lessons/gioi-thieu/complete", nil).must(t, http.StatusOK, "Đã ghi nhận bài học hoàn thành", "Mã OTP có được")
	// A wrong attempt is recorded with its score; a right one completes the course.
	c.post(base+"/lessons/kiem-tra/quiz", url.Values{"answers.q1": {"a"}, "answers.q2": {"a", "b"}}).must(t, http.StatusOK, "Bạn được 50%")
	if p := c.post(base+"/lessons/kiem-tra/quiz", url.Values{"answers.q1": {"b"}, "answers.q2": {"a", "b"}}).must(t, http.StatusOK, "Bạn đạt 100%"); strings.Contains(p.Body, "không được lưu") {
		t.Fatal("a signed-in learner's attempt says it is not kept")
	}
	pr, err := e.svc.Courses.Progress(context.Background(), tm.learner, co.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Completed == nil || pr.BestScore["kiem-tra"] != 100 || !pr.Done["gioi-thieu"] {
		t.Fatalf("progress %+v", pr)
	}
	c.get(base).must(t, http.StatusOK, "Bạn đã hoàn thành khóa học", "Điểm cao nhất: 100%")

	// A quiz taken before starting starts the course and is recorded.
	other := e.publishedCourse(tm, "Khóa thứ hai", "Nội dung.")
	c.get("/courses/" + other.ID + "/lessons/kiem-tra")
	c.post("/courses/"+other.ID+"/lessons/kiem-tra/quiz", url.Values{"answers.q1": {"b"}}).must(t, http.StatusOK, "Bạn được 50%")
	if pr, err := e.svc.Courses.Progress(context.Background(), tm.learner, other.ID); err != nil || pr.BestScore["kiem-tra"] != 50 {
		t.Fatalf("progress of a quiz before starting: %+v %v", pr, err)
	}
}

// editorForm is the editor's fields for content, as a browser posts them.
func editorForm(ct course.Content, op string) url.Values {
	f := contentValues(ct)
	f.Set("op", op)
	return f
}

func TestPartnerCreatesEditsAndSubmitsACourse(t *testing.T) {
	e := newTestEnv(t)
	tm := e.courseTeam()
	c := e.client()
	c.signIn(tm.partnerEmail, testPassword)
	c.get("/partner/courses").must(t, http.StatusOK, "Tạo khóa học mới", "Đơn vị chưa có khóa học nào")

	// A missing title is shown next to its field, and what was typed stays.
	p := c.post("/partner/courses", url.Values{"title.vi": {""}, "title.en": {"Digital services"}, "summary.vi": {"Tóm tắt"},
		"summary.en": {"Summary"}, "audience": {"residents"}, "level": {"beginner"}})
	p.must(t, http.StatusBadRequest, `id="e-title.vi"`, `value="Digital services"`, `<option value="residents" selected>`)
	p = c.post("/partner/courses", url.Values{"title.vi": {"Dịch vụ công cho người mới"}, "title.en": {"Digital services"},
		"summary.vi": {"Tóm tắt"}, "summary.en": {"Summary"}, "audience": {"residents"}, "level": {"beginner"}})
	p.must(t, http.StatusOK, "Đã tạo khóa học", "Dịch vụ công cho người mới – phiên bản 1", "Thêm bài học")
	m := regexp.MustCompile(`/partner/courses/([0-9a-f-]{36})/versions/1`).FindStringSubmatch(p.URL)
	if m == nil {
		t.Fatalf("created at %s", p.URL)
	}
	id := m[1]
	path := "/partner/courses/" + id + "/versions/1"

	// Add a lesson (not saved yet), then a question to it: plain submit buttons.
	form := contentValues(course.Content{Title: course.Text{Vi: "Dịch vụ công cho người mới", En: "Digital services"},
		Summary: course.Text{Vi: "Tóm tắt", En: "Summary"}, Audience: course.AudienceResidents, Level: course.LevelBeginner})
	form.Set("op", "add_lesson")
	p = c.post(path, form).must(t, http.StatusOK, `name="lessons[0].body.vi"`, `value="bai-1"`, "Thay đổi chưa được lưu")
	form = editorForm(contentFromForm(formOf(p.Body)), "add_question:0")
	p = c.post(path, form).must(t, http.StatusOK, `name="lessons[0].quiz.questions[0].prompt.vi"`, `name="lessons[0].quiz.questions[0].options[1].correct"`)
	// Saving the empty lesson: each problem next to its field, the typed values kept.
	ct := contentFromForm(formOf(p.Body))
	ct.Lessons[0].Title = course.Text{Vi: "Bài một", En: "Lesson one"}
	ct.Lessons[0].Body = course.Text{Vi: "Nội dung tiếng Việt", En: ""}
	ct.Lessons[0].Quiz = nil
	f := editorForm(ct, "save")
	f.Set("lessons[0].minutes", "0")
	c.post(path, f).must(t, http.StatusBadRequest, `id="e-lessons[0].body.en"`, "Nội dung tiếng Việt", `value="Bài một"`)
	ct.Lessons[0].Body.En = "English content"
	c.post(path, editorForm(ct, "save")).must(t, http.StatusBadRequest, `id="e-lessons[0].minutes"`, "English content")
	ct.Lessons[0].Minutes = 10
	c.post(path, editorForm(ct, "save")).must(t, http.StatusOK, "Đã lưu bản nháp", "English content")

	// Reorder: a second lesson moved up comes first.
	two := ct
	two.Lessons = append(two.Lessons, course.Lesson{ID: "bai-2", Title: course.Text{Vi: "Bài hai", En: "Lesson two"}, Body: course.Text{Vi: "Hai", En: "Two"}, Minutes: 5})
	p = c.post(path, editorForm(two, "up:1")).must(t, http.StatusOK)
	if moved := contentFromForm(formOf(p.Body)); len(moved.Lessons) != 2 || moved.Lessons[0].ID != "bai-2" {
		t.Fatalf("after moving up: %+v", moved.Lessons)
	}
	c.post(path, editorForm(two, "remove_lesson:1")).must(t, http.StatusOK)
	if _, v, _ := e.svc.Courses.ManagedVersion(context.Background(), tm.partner, id, 1); v == nil {
		t.Fatal("no version")
	}

	// Submit for review: saved and in review; the editor is read-only with Withdraw.
	c.post(path, editorForm(ct, "submit")).must(t, http.StatusOK, "Đã gửi duyệt", "Đang chờ duyệt")
	c.get(path).must(t, http.StatusOK, "Rút lại để sửa", "Nội dung tiếng Việt")
	c.post(path, editorForm(ct, "save")).must(t, http.StatusConflict, "không thể sửa", "Rút lại để sửa")
	c.post(path+"/withdraw", nil).must(t, http.StatusOK, "Đã rút lại", `name="lessons[0].body.vi"`)
	c.post(path, editorForm(ct, "submit")).must(t, http.StatusOK, "Đã gửi duyệt")
	// A new version is refused while one is unpublished.
	c.get("/partner/courses/" + id)
	c.post("/partner/courses/"+id+"/versions", nil).must(t, http.StatusConflict, "đã có một phiên bản chưa xuất bản")
}

// formOf reads the editor's field values back from its HTML (inputs, textareas,
// selected options and checked boxes), as a browser would submit them.
func formOf(body string) url.Values {
	f := url.Values{}
	unescape := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&amp;", "&")
	for _, m := range regexp.MustCompile(`<input id="[^"]*" name="([^"]+)" type="(?:text|number|url)" value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		f.Set(m[1], unescape.Replace(m[2]))
	}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		if m[1] != "_csrf" {
			f.Set(m[1], unescape.Replace(m[2]))
		}
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(body, -1) {
		f.Set(m[1], unescape.Replace(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<select id="[^"]*" name="([^"]+)".*?</select>`).FindAllStringSubmatch(body, -1) {
		if s := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[0]); s != nil {
			f.Set(m[1], s[1])
		}
	}
	for _, m := range regexp.MustCompile(`<input type="checkbox" id="[^"]*" name="([^"]+)" value="([^"]*)" checked>`).FindAllStringSubmatch(body, -1) {
		f.Add(m[1], m[2])
	}
	return f
}

// inert fails if html holds a script, an event handler attribute or a
// javascript: link.
func inert(t *testing.T, where, html string) {
	t.Helper()
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script`),
		regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`),
		regexp.MustCompile(`(?i)(href|src)\s*=\s*"?\s*javascript:`),
	} {
		if loc := re.FindStringIndex(html); loc != nil {
			t.Fatalf("%s is not inert: %q", where, html[max(0, loc[0]-80):min(len(html), loc[1]+80)])
		}
	}
}

// mainOf is the main element of a page (the layout links our own script).
func mainOf(body string) string {
	i, j := strings.Index(body, "<main"), strings.Index(body, "</main>")
	if i < 0 || j < i {
		return body
	}
	return body[i:j]
}

// section returns the part of body from the element with id to the end of main.
func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	j := strings.Index(body, "</main>")
	if i < 0 || j < i {
		t.Fatalf("no #%s in the page:\n%s", id, excerpt(body))
	}
	return body[i:j]
}

func TestMarkdownIsInertInPreviewAndPublishedLesson(t *testing.T) {
	e := newTestEnv(t)
	tm := e.courseTeam()
	co := e.draftCourse(tm, "Khóa học thử mã độc", "Nội dung ban đầu.")
	path := "/partner/courses/" + co.ID + "/versions/1"
	c := e.client()
	c.signIn(tm.partnerEmail, testPassword)
	c.get(path)
	ct := courseContent("Khóa học thử mã độc", xssMarkdown)
	p := c.post(path, editorForm(ct, "preview:0")).must(t, http.StatusOK, "Xem trước bài 1", "<h2>Bài có mã độc</h2>", "<strong>an toàn</strong>")
	preview := section(t, p.Body, "preview")
	inert(t, "the preview", preview)
	// The typed Markdown is kept in its textarea, escaped.
	if !strings.Contains(p.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("the typed Markdown was not kept in the editor")
	}
	inert(t, "the editor page", mainOf(strings.ReplaceAll(p.Body, "&lt;", ""))) // nothing live outside the textareas either
	// A preview saves nothing.
	if _, v, _ := e.svc.Courses.ManagedVersion(context.Background(), tm.partner, co.ID, 1); v.Lessons[0].Body.Vi != "Nội dung ban đầu." {
		t.Fatalf("the preview saved the draft: %q", v.Lessons[0].Body.Vi)
	}

	c.post(path, editorForm(ct, "submit")).must(t, http.StatusOK, "Đã gửi duyệt")
	admin := e.client()
	admin.signIn(testAdminEmail, testAdminPassword)
	review := admin.get("/admin/reviews/"+co.ID+"/versions/1").must(t, http.StatusOK, "<h2>Bài có mã độc</h2>")
	inert(t, "the review page", mainOf(review.Body))
	admin.post("/admin/reviews/"+co.ID+"/versions/1", url.Values{"action": {"publish"}}).must(t, http.StatusOK, "Đã xuất bản khóa học")
	lesson := e.client().get("/courses/"+co.ID+"/lessons/gioi-thieu").must(t, http.StatusOK, "<h2>Bài có mã độc</h2>", "Bấm vào đây")
	inert(t, "the published lesson", mainOf(lesson.Body))
}

func TestManagedCoursesAreScopedAndRoleGated(t *testing.T) {
	e := newTestEnv(t)
	tm := e.courseTeam()
	co := e.draftCourse(tm, "Khóa học của Bách khoa", "Nội dung.")
	other := e.client()
	other.signIn(tm.otherEmail, testPassword)
	p := other.get("/partner/courses").must(t, http.StatusOK)
	if strings.Contains(p.Body, "Khóa học của Bách khoa") {
		t.Fatal("another organisation's course is listed")
	}
	other.get("/partner/courses/"+co.ID).must(t, http.StatusNotFound)
	other.get("/partner/courses/"+co.ID+"/versions/1").must(t, http.StatusNotFound)
	other.post("/partner/courses/"+co.ID+"/versions/1", editorForm(courseContent("Chiếm quyền", "x"), "save")).must(t, http.StatusNotFound)
	other.get("/partner/courses/"+co.ID+"/versions/x").must(t, http.StatusNotFound)
	if v, _, _ := e.svc.Courses.ManagedCourse(context.Background(), tm.partner, co.ID); v == nil {
		t.Fatal("course gone")
	}
	// Partners do not review; volunteers neither author nor review.
	other.get("/admin/reviews").must(t, http.StatusForbidden, "Bạn không có quyền xem trang này")
	vol := e.client()
	vol.signIn(tm.learnerEmail, testPassword)
	vol.get("/partner/courses").must(t, http.StatusForbidden, "Bạn không có quyền xem trang này")
	vol.get("/admin/reviews").must(t, http.StatusForbidden)
	vol.post("/partner/courses", url.Values{"title.vi": {"x"}}).must(t, http.StatusForbidden)
	// Signed out: sent to sign in.
	if p := e.client().get("/partner/courses"); !strings.HasPrefix(p.URL, "/login?next=") {
		t.Fatalf("signed out: %s", p.URL)
	}
}

func TestAdminReviewPublishesOrReturns(t *testing.T) {
	e := newTestEnv(t)
	tm := e.courseTeam()
	ctx := context.Background()
	co := e.draftCourse(tm, "Thủ tục hành chính trực tuyến cho người cao tuổi", "Nội dung bài học.")
	if _, err := e.svc.Courses.Transition(ctx, tm.partner, co.ID, 1, course.ActionSubmit, ""); err != nil {
		t.Fatal(err)
	}
	admin := e.client()
	admin.signIn(testAdminEmail, testAdminPassword)
	admin.get("/admin/reviews").must(t, http.StatusOK, "Thủ tục hành chính trực tuyến cho người cao tuổi", "Trường Đại học Bách khoa Hà Nội")
	path := "/admin/reviews/" + co.ID + "/versions/1"
	admin.get(path).must(t, http.StatusOK, "Nội dung bài học.", "Xuất bản", "Trả lại để sửa", "Đáp án đúng")
	// Returning needs a note, shown next to its field.
	admin.post(path, url.Values{"action": {"request_changes"}, "note": {""}}).must(t, http.StatusBadRequest, `id="e-note"`)
	admin.post(path, url.Values{"action": {"request_changes"}, "note": {"Thêm ảnh minh họa cho bài 1."}}).must(t, http.StatusOK, "Đã trả lại khóa học", "Không có khóa học nào đang chờ duyệt")
	partner := e.client()
	partner.signIn(tm.partnerEmail, testPassword)
	partner.get("/partner/courses/"+co.ID).must(t, http.StatusOK, "Cần chỉnh sửa", "Thêm ảnh minh họa cho bài 1.")
	// Resubmitted and published: in the catalogue, found without diacritics.
	partner.get("/partner/courses/" + co.ID + "/versions/1")
	partner.post("/partner/courses/"+co.ID+"/versions/1", editorForm(courseContent("Thủ tục hành chính trực tuyến cho người cao tuổi", "Có ảnh."), "submit")).must(t, http.StatusOK, "Đã gửi duyệt")
	admin.get(path)
	admin.post(path, url.Values{"action": {"publish"}}).must(t, http.StatusOK, "Đã xuất bản khóa học")
	e.client().get("/courses?q="+url.QueryEscape("thu tuc hanh chinh nguoi cao tuoi")).must(t, http.StatusOK, "Thủ tục hành chính trực tuyến cho người cao tuổi")
	// Published once, it cannot be published again; a new version starts from it.
	admin.get(path)
	admin.post(path, url.Values{"action": {"publish"}}).must(t, http.StatusConflict)
	partner.get("/partner/courses/" + co.ID)
	partner.post("/partner/courses/"+co.ID+"/versions", nil).must(t, http.StatusOK, "Đã tạo phiên bản mới", "phiên bản 2", "Có ảnh.")
}

func TestAdminCreatesACourseForAnOrganisation(t *testing.T) {
	e := newTestEnv(t)
	tm := e.courseTeam()
	c := e.client()
	c.signIn(testAdminEmail, testAdminPassword)
	c.get("/partner/courses").must(t, http.StatusOK, "Kỹ năng số cơ bản cho mọi gia đình", `name="organisation_id"`, "Trường Đại học Bách khoa Hà Nội")
	fields := url.Values{"title.vi": {"Khóa học của quận"}, "title.en": {"District course"}, "summary.vi": {"Tóm tắt"},
		"summary.en": {"Summary"}, "audience": {"civil_servants"}, "level": {"advanced"}}
	c.post("/partner/courses", fields).must(t, http.StatusBadRequest, `id="e-organisation_id"`, `value="Khóa học của quận"`)
	fields.Set("organisation_id", tm.orgID)
	c.post("/partner/courses", fields).must(t, http.StatusOK, "Đã tạo khóa học")
	// The organisation's partner sees it among theirs.
	p := e.client()
	p.signIn(tm.partnerEmail, testPassword)
	p.get("/partner/courses").must(t, http.StatusOK, "Khóa học của quận")
}

// firstVisitWeight fetches path and every stylesheet and script it links, as a
// first visit without a cache, and returns the bytes (uncompressed).
func firstVisitWeight(t *testing.T, c *client, path string) int {
	t.Helper()
	p := c.get(path).must(t, http.StatusOK)
	total := len(p.Body)
	links := regexp.MustCompile(`<(?:link[^>]+href|script[^>]+src)="([^"]+)"`).FindAllStringSubmatch(p.Body, -1)
	if len(links) == 0 {
		t.Fatalf("%s links no stylesheet or script", path)
	}
	for _, m := range links {
		res, err := c.http.Get(c.e.URL + strings.ReplaceAll(m[1], "&amp;", "&"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		buf := make([]byte, 32<<10)
		for {
			k, err := res.Body.Read(buf)
			n += k
			if err != nil {
				break
			}
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", m[1], res.StatusCode)
		}
		total += n
	}
	return total
}

func TestCoursePagesFirstVisitUnder100KB(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	ls, err := e.svc.Courses.Catalogue(context.Background(), course.CatalogueQuery{}, paging.Request{Limit: 100})
	vs := ls.Cards
	if err != nil || len(vs) == 0 {
		t.Fatalf("catalogue: %v", err)
	}
	// The longest built-in lesson is the heaviest lesson page.
	var heaviest string
	size := 0
	for _, k := range vs {
		_, v, err := e.svc.Courses.Published(context.Background(), identity.Caller{}, k.CourseID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range v.Lessons {
			if n := len(l.HTML.Vi); n > size {
				size, heaviest = n, "/courses/"+v.CourseID+"/lessons/"+l.ID
			}
		}
	}
	for _, path := range []string{"/courses", heaviest} {
		if n := firstVisitWeight(t, c, path); n > 100_000 {
			t.Errorf("%s weighs %d bytes on a first visit, more than 100 KB", path, n)
		} else {
			t.Logf("%s: %d bytes", path, n)
		}
	}
}
