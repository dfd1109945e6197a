package partner

import (
	"fmt"
	"math"
	"time"

	"ecitizen/internal/export"
	"ecitizen/internal/training"
)

// Names of the view's tables (export sheets and the table parameter).
const (
	TableCourses    = "courses"
	TableSessions   = "sessions"
	TableVolunteers = "volunteers"
)

// TableNames lists the tables in their order in a workbook.
var TableNames = []string{TableCourses, TableSessions, TableVolunteers}

// Tables returns the view's tables named by names (all when empty), texts in
// lang (Vietnamese unless "en"); times are local (Asia/Ho_Chi_Minh).
func (s *Service) Tables(cov *Coverage, lang string, names ...string) []export.Table {
	if len(names) == 0 {
		names = TableNames
	}
	lang = export.Lang(lang)
	var out []export.Table
	for _, n := range names {
		switch n {
		case TableCourses:
			out = append(out, s.coursesTable(cov, lang))
		case TableSessions:
			out = append(out, s.sessionsTable(cov, lang))
		case TableVolunteers:
			out = append(out, s.volunteersTable(cov, lang))
		}
	}
	return out
}

// period is the range's days, both included, for titles.
func (s *Service) period(cov *Coverage) string {
	return fmt.Sprintf("%s – %s", cov.From.In(s.loc).Format(time.DateOnly), cov.To.Add(-time.Nanosecond).In(s.loc).Format(time.DateOnly))
}

// percent is part of whole in percent, to one decimal; nil when whole is 0.
func percent(part, whole int) any {
	if whole == 0 {
		return nil
	}
	return math.Round(float64(part)*1000/float64(whole)) / 10
}

func yesNo(b bool, lang string) string {
	switch {
	case b && lang == export.LangEn:
		return "yes"
	case b:
		return "có"
	case lang == export.LangEn:
		return "no"
	}
	return "không"
}

func (s *Service) coursesTable(cov *Coverage, lang string) export.Table {
	t := export.Table{
		Name:    TableCourses,
		TitleVi: "Khoá học của tổ chức: người học " + s.period(cov),
		TitleEn: "The organisation's courses: learners " + s.period(cov),
		Columns: []export.Column{
			{Key: "course_id", Vi: "Mã khoá học", En: "Course ID", Kind: export.Text},
			{Key: "title", Vi: "Tên khoá học", En: "Course title", Kind: export.Text},
			{Key: "published_version", Vi: "Phiên bản đang xuất bản", En: "Published version", Kind: export.Integer},
			{Key: "archived", Vi: "Đã lưu trữ", En: "Archived", Kind: export.Text},
			{Key: "enrolments", Vi: "Số người bắt đầu học (trong kỳ)", En: "Enrolments (in range)", Kind: export.Integer},
			{Key: "completions", Vi: "Số người hoàn thành (trong kỳ)", En: "Completions (in range)", Kind: export.Integer},
			{Key: "enrolments_total", Vi: "Tổng số người bắt đầu học", En: "Enrolments (all time)", Kind: export.Integer},
			{Key: "completions_total", Vi: "Tổng số người hoàn thành", En: "Completions (all time)", Kind: export.Integer},
			{Key: "completion_rate", Vi: "Tỷ lệ hoàn thành (%)", En: "Completion rate (%)", Kind: export.Percent},
		},
		Rows: [][]any{},
	}
	for _, c := range cov.Courses {
		var published any
		if c.PublishedVersion > 0 {
			published = c.PublishedVersion
		}
		t.Rows = append(t.Rows, []any{c.CourseID, c.Title.In(lang), published, yesNo(c.Archived, lang),
			c.Enrolments, c.Completions, c.EnrolmentsTotal, c.CompletionsTotal, percent(c.CompletionsTotal, c.EnrolmentsTotal)})
	}
	return t
}

func status(st training.Status, lang string) string {
	switch {
	case st == training.StatusCancelled && lang == export.LangEn:
		return "cancelled"
	case st == training.StatusCancelled:
		return "đã huỷ"
	case lang == export.LangEn:
		return "scheduled"
	}
	return "đã lên lịch"
}

func (s *Service) sessionsTable(cov *Coverage, lang string) export.Table {
	t := export.Table{
		Name:    TableSessions,
		TitleVi: "Lớp học của tổ chức: điểm danh " + s.period(cov),
		TitleEn: "The organisation's training sessions: attendance " + s.period(cov),
		Columns: []export.Column{
			{Key: "session_id", Vi: "Mã lớp học", En: "Session ID", Kind: export.Text},
			{Key: "course_title", Vi: "Khoá học", En: "Course", Kind: export.Text},
			{Key: "place", Vi: "Địa điểm", En: "Place", Kind: export.Text},
			{Key: "starts_at", Vi: "Bắt đầu", En: "Starts", Kind: export.DateTime},
			{Key: "ends_at", Vi: "Kết thúc", En: "Ends", Kind: export.DateTime},
			{Key: "status", Vi: "Trạng thái", En: "Status", Kind: export.Text},
			{Key: "capacity", Vi: "Số chỗ", En: "Places", Kind: export.Integer},
			{Key: "enrolled", Vi: "Đã đăng ký", En: "Enrolled", Kind: export.Integer},
			{Key: "attended", Vi: "Có mặt", En: "Attended", Kind: export.Integer},
			{Key: "absent", Vi: "Vắng mặt", En: "Absent", Kind: export.Integer},
			{Key: "unmarked", Vi: "Chưa điểm danh", En: "Not marked", Kind: export.Integer},
			{Key: "attendance_rate", Vi: "Tỷ lệ có mặt (%)", En: "Attendance rate (%)", Kind: export.Percent},
		},
		Rows: [][]any{},
	}
	for _, l := range cov.Sessions {
		place := l.CentreName
		if place == "" {
			place = l.Venue
		}
		t.Rows = append(t.Rows, []any{l.SessionID, l.CourseTitle.In(lang), place, l.StartsAt.In(s.loc), l.EndsAt.In(s.loc),
			status(l.Status, lang), l.Capacity, l.Enrolled, l.Attended, l.Absent, l.Unmarked(), percent(l.Attended, l.Enrolled)})
	}
	return t
}

// volunteersTable lists every volunteer, then a last row with the total (no
// volunteer ID; "Tổng cộng" or "Total" as its name).
func (s *Service) volunteersTable(cov *Coverage, lang string) export.Table {
	t := export.Table{
		Name:    TableVolunteers,
		TitleVi: "Giờ tình nguyện của tổ chức " + s.period(cov),
		TitleEn: "The organisation's volunteer hours " + s.period(cov),
		Columns: []export.Column{
			{Key: "volunteer_id", Vi: "Mã tình nguyện viên", En: "Volunteer ID", Kind: export.Text},
			{Key: "display_name", Vi: "Tên hiển thị", En: "Display name", Kind: export.Text},
			{Key: "minutes", Vi: "Số phút", En: "Minutes", Kind: export.Integer},
			{Key: "hours", Vi: "Số giờ", En: "Hours", Kind: export.Decimal},
		},
		Rows: [][]any{},
	}
	for _, v := range cov.Volunteers {
		t.Rows = append(t.Rows, []any{v.VolunteerID, v.DisplayName, v.Minutes, hours(v.Minutes)})
	}
	total := "Tổng cộng"
	if lang == export.LangEn {
		total = "Total"
	}
	t.Rows = append(t.Rows, []any{nil, total, cov.TotalMinutes, hours(cov.TotalMinutes)})
	return t
}

// hours is minutes in hours, to two decimals.
func hours(minutes int) float64 { return math.Round(float64(minutes)*100/60) / 100 }
