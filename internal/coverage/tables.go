package coverage

import (
	"fmt"

	"ecitizen/internal/export"
)

// The tables of the coverage answers, for CSV and XLSX exports: headers in
// Vietnamese (English with lang "en"); no personal data (residents are counted,
// never named).

// Names of the tables (export sheets and the table parameter).
const (
	TableSummary     = "summary"
	TableSkills      = "skills"
	TableTrends      = "trends"
	TableUnfilled    = "unfilled"
	TableWards       = "wards"
	TableBelowTarget = "below_target"
	TableLacking     = "lacking"
)

// Tables of each answer, in their order in a workbook.
var (
	WardTables     = []string{TableSummary, TableSkills, TableTrends}
	CentreTables   = []string{TableSummary, TableSkills, TableUnfilled}
	DistrictTables = []string{TableWards, TableBelowTarget, TableUnfilled, TableLacking, TableSummary, TableSkills, TableTrends}
)

func word(lang, vi, en string) string {
	if lang == export.LangEn {
		return en
	}
	return vi
}

func yesNo(b bool, lang string) string {
	if b {
		return word(lang, "có", "yes")
	}
	return word(lang, "không", "no")
}

// summaryTable is a summary as (indicator, value) lines.
func summaryTable(s Summary, lang, titleVi, titleEn string, extra [][]any) export.Table {
	t := export.Table{Name: TableSummary, TitleVi: titleVi, TitleEn: titleEn,
		Columns: []export.Column{
			{Key: "indicator", Vi: "Chỉ số", En: "Indicator", Kind: export.Text},
			{Key: "value", Vi: "Giá trị", En: "Value", Kind: export.Decimal},
		}}
	line := func(vi, en string, v any) { t.Rows = append(t.Rows, []any{word(lang, vi, en), v}) }
	t.Rows = append(t.Rows, extra...)
	line("Người dân đã đăng ký", "Residents registered", s.Residents.Registered)
	line("Trong đó đã xoá dữ liệu cá nhân", "Of them, personal data erased", s.Residents.Erased)
	line("Người dân đã thể hiện ít nhất một kỹ năng", "Residents with a skill shown", s.Residents.Reached)
	line("Công dân số", "E-citizens", s.Residents.ECitizens)
	line("Người dân được hỗ trợ trong 7 ngày", "Residents helped in the last 7 days", s.Helped.Last7Days)
	line("Người dân được hỗ trợ trong 30 ngày", "Residents helped in the last 30 days", s.Helped.Last30Days)
	line("Buổi tập huấn đã tổ chức (30 ngày)", "Training sessions held (30 days)", s.Training.Sessions)
	line("Lượt đăng ký tập huấn", "Training seats taken", s.Training.Enrolled)
	line("Lượt có mặt", "Attended", s.Training.Attended)
	line("Lượt vắng mặt", "Absent", s.Training.Absent)
	line("Số phút tình nguyện (30 ngày)", "Volunteer minutes (30 days)", s.Hours.Minutes)
	line("Số tình nguyện viên đã trực (30 ngày)", "Volunteers who served (30 days)", s.Hours.Volunteers)
	line("Ca trực đã diễn ra (30 ngày)", "Shifts held (30 days)", s.Shifts.Offered)
	line("Ca trực đủ người", "Shifts with every place booked", s.Shifts.Filled)
	line("Chỗ trong các ca trực", "Places on those shifts", s.Shifts.Places)
	line("Chỗ đã được đăng ký", "Places booked", s.Shifts.Booked)
	line("Vắng mặt không lý do (đã xác nhận)", "Confirmed no-shows", s.Shifts.NoShows)
	line("Ca trực sắp tới (14 ngày)", "Upcoming shifts (14 days)", s.Upcoming.Shifts)
	line("Chỗ còn trống (14 ngày)", "Open places (14 days)", s.Upcoming.OpenPlaces)
	line("Ca trực còn thiếu người (14 ngày)", "Upcoming shifts with an open place", s.Upcoming.Unfilled)
	for _, u := range s.Equipment {
		vi, en := purposeName(u.Purpose)
		line("Lượt dùng thiết bị: "+vi, "Equipment sessions: "+en, u.Sessions)
		line("Số phút dùng thiết bị: "+vi, "Equipment minutes: "+en, u.Minutes)
	}
	return t
}

func purposeName(p string) (vi, en string) {
	switch p {
	case "procedure":
		return "làm thủ tục", "procedures"
	case "learning":
		return "học kỹ năng số", "learning"
	}
	return "khác", "other"
}

func (s *Service) skillsTable(sum Summary, lang string) export.Table {
	t := export.Table{Name: TableSkills, TitleVi: "Người dân theo kỹ năng đã thể hiện", TitleEn: "Residents per skill shown",
		Columns: []export.Column{
			{Key: "code", Vi: "Mã kỹ năng", En: "Skill code", Kind: export.Text},
			{Key: "name", Vi: "Kỹ năng", En: "Skill", Kind: export.Text},
			{Key: "required", Vi: "Bắt buộc", En: "Required", Kind: export.Text},
			{Key: "residents", Vi: "Số người dân", En: "Residents", Kind: export.Integer},
		}}
	for _, k := range sum.Skills {
		name := k.Code
		if sk, ok := s.framework.Skill(k.Code); ok {
			name = sk.Name.In(lang)
		}
		t.Rows = append(t.Rows, []any{k.Code, name, yesNo(k.Required, lang), k.Residents})
	}
	return t
}

func trendsTable(weeks []Week, titleVi, titleEn string) export.Table {
	t := export.Table{Name: TableTrends, TitleVi: titleVi, TitleEn: titleEn,
		Columns: []export.Column{
			{Key: "week_start", Vi: "Tuần bắt đầu", En: "Week starting", Kind: export.Date},
			{Key: "new_residents", Vi: "Người dân mới", En: "New residents", Kind: export.Integer},
			{Key: "new_ecitizens", Vi: "Công dân số mới", En: "New e-citizens", Kind: export.Integer},
			{Key: "volunteer_minutes", Vi: "Số phút tình nguyện", En: "Volunteer minutes", Kind: export.Integer},
		}}
	for _, w := range weeks {
		t.Rows = append(t.Rows, []any{w.Start, w.NewResidents, w.NewECitizens, w.VolunteerHours})
	}
	return t
}

func (s *Service) unfilledTable(us []UnfilledShift, names map[string]string, titleVi, titleEn string) export.Table {
	t := export.Table{Name: TableUnfilled, TitleVi: titleVi, TitleEn: titleEn,
		Columns: []export.Column{
			{Key: "shift_id", Vi: "Mã ca trực", En: "Shift ID", Kind: export.Text},
			{Key: "centre_id", Vi: "Mã nhà sinh hoạt cộng đồng", En: "Centre ID", Kind: export.Text},
			{Key: "centre", Vi: "Nhà sinh hoạt cộng đồng", En: "Centre", Kind: export.Text},
			{Key: "starts_at", Vi: "Bắt đầu", En: "Starts", Kind: export.DateTime},
			{Key: "ends_at", Vi: "Kết thúc", En: "Ends", Kind: export.DateTime},
			{Key: "places", Vi: "Số chỗ", En: "Places", Kind: export.Integer},
			{Key: "booked", Vi: "Đã đăng ký", En: "Booked", Kind: export.Integer},
			{Key: "open_places", Vi: "Còn trống", En: "Open places", Kind: export.Integer},
		}}
	for _, u := range us {
		t.Rows = append(t.Rows, []any{u.ShiftID, u.CentreID, names[u.CentreID], u.StartsAt.In(s.loc), u.EndsAt.In(s.loc), u.Places, u.Booked, u.OpenPlaces})
	}
	return t
}

// targetLines are a ward's target figures, as summary lines.
func targetLines(w *WardSummary, lang string) [][]any {
	var adults, households, share, goal, needed any
	if w.Target != nil {
		adults, households = w.Target.AdultPopulation, w.Target.Households
	}
	if w.Share != nil {
		share = *w.Share
	}
	if w.Goal != nil {
		goal = *w.Goal
	}
	if w.Needed != nil {
		needed = *w.Needed
	}
	return [][]any{
		{word(lang, fmt.Sprintf("Dân số trưởng thành (%d)", w.Year), fmt.Sprintf("Adult population (%d)", w.Year)), adults},
		{word(lang, fmt.Sprintf("Số hộ (%d)", w.Year), fmt.Sprintf("Households (%d)", w.Year)), households},
		{word(lang, "Tỷ lệ công dân số (%)", "E-citizens share (%)"), share},
		{word(lang, "Chỉ tiêu của quận (%)", "District goal (%)"), goal},
		{word(lang, "Số công dân số còn cần để đạt chỉ tiêu", "E-citizens still needed for the goal"), needed},
	}
}

// WardTables returns a ward's tables named by names (all of WardTables when
// empty), texts in lang.
func (s *Service) WardTables(w *WardSummary, tr *Trends, lang string, names ...string) []export.Table {
	lang = export.Lang(lang)
	if len(names) == 0 {
		names = WardTables
	}
	var out []export.Table
	for _, n := range names {
		switch n {
		case TableSummary:
			out = append(out, summaryTable(w.Summary, lang, "Tổng hợp của "+w.Ward.NameVi, "Summary of "+w.Ward.NameEn, targetLines(w, lang)))
		case TableSkills:
			out = append(out, s.skillsTable(w.Summary, lang))
		case TableTrends:
			out = append(out, trendsTable(tr.Weeks, "Xu hướng theo tuần của "+w.Ward.NameVi, "Weekly trends of "+w.Ward.NameEn))
		}
	}
	return out
}

// CentreTables returns a centre's tables named by names (all of CentreTables
// when empty), texts in lang.
func (s *Service) CentreTables(c *CentreSummary, lang string, names ...string) []export.Table {
	lang = export.Lang(lang)
	if len(names) == 0 {
		names = CentreTables
	}
	var out []export.Table
	for _, n := range names {
		switch n {
		case TableSummary:
			out = append(out, summaryTable(c.Summary, lang, "Tổng hợp của "+c.Centre.Name, "Summary of "+c.Centre.Name, nil))
		case TableSkills:
			out = append(out, s.skillsTable(c.Summary, lang))
		case TableUnfilled:
			out = append(out, s.unfilledTable(c.Unfilled, map[string]string{c.Centre.ID: c.Centre.Name},
				"Ca trực sắp tới còn thiếu người (14 ngày)", "Upcoming shifts with open places (14 days)"))
		}
	}
	return out
}

func wardsTable(name string, rows []WardRow, lang, titleVi, titleEn string) export.Table {
	t := export.Table{Name: name, TitleVi: titleVi, TitleEn: titleEn,
		Columns: []export.Column{
			{Key: "rank", Vi: "Hạng", En: "Rank", Kind: export.Integer},
			{Key: "ward_code", Vi: "Mã phường", En: "Ward code", Kind: export.Text},
			{Key: "ward", Vi: "Phường", En: "Ward", Kind: export.Text},
			{Key: "registered", Vi: "Người dân đã đăng ký", En: "Residents registered", Kind: export.Integer},
			{Key: "ecitizens", Vi: "Công dân số", En: "E-citizens", Kind: export.Integer},
			{Key: "adult_population", Vi: "Dân số trưởng thành", En: "Adult population", Kind: export.Integer},
			{Key: "share_percent", Vi: "Tỷ lệ công dân số (%)", En: "E-citizens share (%)", Kind: export.Percent},
			{Key: "goal_percent", Vi: "Chỉ tiêu (%)", En: "Goal (%)", Kind: export.Percent},
			{Key: "ecitizens_needed", Vi: "Còn cần", En: "Still needed", Kind: export.Integer},
			{Key: "helped_30_days", Vi: "Được hỗ trợ (30 ngày)", En: "Helped (30 days)", Kind: export.Integer},
			{Key: "volunteer_minutes", Vi: "Phút tình nguyện (30 ngày)", En: "Volunteer minutes (30 days)", Kind: export.Integer},
			{Key: "open_places", Vi: "Chỗ trống (14 ngày tới)", En: "Open places (next 14 days)", Kind: export.Integer},
		}}
	for _, r := range rows {
		var adults, share, goal, needed any
		if r.Target != nil {
			adults = r.Target.AdultPopulation
		}
		if r.Share != nil {
			share = *r.Share
		}
		if r.Goal != nil {
			goal = *r.Goal
		}
		if r.Needed != nil {
			needed = *r.Needed
		}
		t.Rows = append(t.Rows, []any{r.Rank, r.Ward.Code, word(lang, r.Ward.NameVi, r.Ward.NameEn), r.Summary.Residents.Registered,
			r.Summary.Residents.ECitizens, adults, share, goal, needed, r.Summary.Helped.Last30Days, r.Summary.Hours.Minutes, r.Summary.Upcoming.OpenPlaces})
	}
	return t
}

// DistrictTables returns the district's tables named by names (all of
// DistrictTables when empty), texts in lang; centres names the centres.
func (s *Service) DistrictTables(o *Overview, tr *Trends, centres map[string]string, lang string, names ...string) []export.Table {
	lang = export.Lang(lang)
	if len(names) == 0 {
		names = DistrictTables
	}
	var out []export.Table
	for _, n := range names {
		switch n {
		case TableWards:
			out = append(out, wardsTable(TableWards, o.Wards, lang, "Xếp hạng các phường", "Wards by rank"))
		case TableBelowTarget:
			out = append(out, wardsTable(TableBelowTarget, o.BelowTarget, lang, "Phường dưới chỉ tiêu", "Wards below the goal"))
		case TableUnfilled:
			out = append(out, s.unfilledTable(o.Unfilled, centres, "Ca trực còn thiếu người trong 7 ngày tới", "Shifts with open places in the next 7 days"))
		case TableLacking:
			t := export.Table{Name: TableLacking, TitleVi: "Kỹ năng người dân còn thiếu", TitleEn: "Skills residents most often lack",
				Columns: []export.Column{
					{Key: "code", Vi: "Mã kỹ năng", En: "Skill code", Kind: export.Text},
					{Key: "name", Vi: "Kỹ năng", En: "Skill", Kind: export.Text},
					{Key: "residents", Vi: "Số người dân còn thiếu", En: "Residents lacking it", Kind: export.Integer},
				}}
			for _, l := range o.Lacking {
				name := l.SkillCode
				if sk, ok := s.framework.Skill(l.SkillCode); ok {
					name = sk.Name.In(lang)
				}
				t.Rows = append(t.Rows, []any{l.SkillCode, name, l.Residents})
			}
			out = append(out, t)
		case TableSummary:
			out = append(out, summaryTable(o.Total, lang, "Tổng hợp toàn quận", "District summary", nil))
		case TableSkills:
			out = append(out, s.skillsTable(o.Total, lang))
		case TableTrends:
			out = append(out, trendsTable(tr.Weeks, "Xu hướng theo tuần của toàn quận", "Weekly trends of the district"))
		}
	}
	return out
}
