package seeding

import (
	"fmt"

	"ecitizen/internal/directory"
	"ecitizen/internal/roster"
)

// EmailDomain is the domain of every seeded account.
const EmailDomain = "seed.ecitizen.vn"

// DefaultPassword is the password every seeded account shares unless told otherwise.
const DefaultPassword = "matkhau-seed-2026"

// DefaultVolunteers is how many volunteers a district gets by default.
const DefaultVolunteers = 600

// CentresPerWard is how many community centres each ward gets.
const CentresPerWard = 5

// inviteLabel marks the invite code the seeder registers volunteers with.
const inviteLabel = "Mã mời dữ liệu mẫu (seed)"

// VolunteerEmail is the email of the n-th volunteer, counting from 1.
func VolunteerEmail(n int) string { return fmt.Sprintf("volunteer%03d@%s", n, EmailDomain) }

// StaffEmail is the email of the staff account of a ward.
func StaffEmail(wardCode string) string { return fmt.Sprintf("staff-%s@%s", wardCode, EmailDomain) }

// PartnerEmail is the email of the partner account of the n-th organisation, from 1.
func PartnerEmail(n int) string { return fmt.Sprintf("partner-%d@%s", n, EmailDomain) }

// ward is one seeded ward: code in the five-digit format of the national list of
// administrative units, the names, and a few streets of the ward for addresses.
type ward struct {
	Code, NameVi, NameEn string
	Streets              []string
}

// Wards of Hai Bà Trưng district, Hà Nội. The codes follow the national
// five-digit format of the district's range; they are illustrative, not official.
var wards = []ward{
	{"00256", "Phường Nguyễn Du", "Nguyen Du Ward", []string{"Nguyễn Du", "Trần Bình Trọng", "Quang Trung"}},
	{"00259", "Phường Bạch Đằng", "Bach Dang Ward", []string{"Bạch Đằng", "Vân Đồn", "Nguyễn Khoái"}},
	{"00262", "Phường Phạm Đình Hổ", "Pham Dinh Ho Ward", []string{"Phạm Đình Hổ", "Hoà Mã", "Triệu Việt Vương"}},
	{"00265", "Phường Bùi Thị Xuân", "Bui Thi Xuan Ward", []string{"Bùi Thị Xuân", "Tuệ Tĩnh", "Thi Sách"}},
	{"00268", "Phường Đồng Nhân", "Dong Nhan Ward", []string{"Đồng Nhân", "Lê Gia Định", "Hoà Mã"}},
	{"00271", "Phường Phố Huế", "Pho Hue Ward", []string{"Phố Huế", "Hàm Long", "Nguyễn Công Trứ"}},
	{"00274", "Phường Đống Mác", "Dong Mac Ward", []string{"Lò Đúc", "Đống Mác", "Hồ Xuân Hương"}},
	{"00277", "Phường Thanh Lương", "Thanh Luong Ward", []string{"Thanh Lương", "Lạc Trung", "Kim Ngưu"}},
	{"00280", "Phường Thanh Nhàn", "Thanh Nhan Ward", []string{"Thanh Nhàn", "Võ Thị Sáu", "Trần Khát Chân"}},
	{"00283", "Phường Cầu Dền", "Cau Den Ward", []string{"Bạch Mai", "Kim Ngưu", "Thanh Nhàn"}},
	{"00286", "Phường Bách Khoa", "Bach Khoa Ward", []string{"Tạ Quang Bửu", "Lê Thanh Nghị", "Trần Đại Nghĩa"}},
	{"00289", "Phường Đồng Tâm", "Dong Tam Ward", []string{"Đại La", "Giải Phóng", "Trần Đại Nghĩa"}},
	{"00292", "Phường Vĩnh Tuy", "Vinh Tuy Ward", []string{"Vĩnh Tuy", "Minh Khai", "Nguyễn Khoái"}},
	{"00295", "Phường Lê Đại Hành", "Le Dai Hanh Ward", []string{"Lê Đại Hành", "Tô Hiến Thành", "Nguyễn Đình Chiểu"}},
	{"00298", "Phường Quỳnh Mai", "Quynh Mai Ward", []string{"Quỳnh Mai", "Hồng Mai", "Bạch Mai"}},
	{"00301", "Phường Quỳnh Lôi", "Quynh Loi Ward", []string{"Quỳnh Lôi", "Kim Ngưu", "Hồng Mai"}},
	{"00304", "Phường Minh Khai", "Minh Khai Ward", []string{"Minh Khai", "Lạc Trung", "Hồng Mai"}},
	{"00307", "Phường Trương Định", "Truong Dinh Ward", []string{"Trương Định", "Tân Mai", "Đại La"}},
}

// organisations are the partners, in the order of their partner accounts.
var organisations = []directory.Organisation{
	{Kind: directory.KindUniversity, Name: "Đại học Bách khoa Hà Nội", ContactName: "Phòng Công tác sinh viên", ContactEmail: "ctsv-bachkhoa@" + EmailDomain, ContactPhone: "02438680001"},
	{Kind: directory.KindUniversity, Name: "Đại học Kinh tế Quốc dân", ContactName: "Phòng Công tác sinh viên", ContactEmail: "ctsv-ktqd@" + EmailDomain, ContactPhone: "02436280002"},
	{Kind: directory.KindUniversity, Name: "Đại học Xây dựng Hà Nội", ContactName: "Phòng Công tác chính trị và sinh viên", ContactEmail: "ctsv-xaydung@" + EmailDomain, ContactPhone: "02438690003"},
	{Kind: directory.KindUniversity, Name: "Học viện Công nghệ Bưu chính Viễn thông", ContactName: "Phòng Chính trị và Công tác sinh viên", ContactEmail: "ctsv-ptit@" + EmailDomain, ContactPhone: "02433510004"},
	{Kind: directory.KindYouthUnion, Name: "Đoàn Thanh niên quận Hai Bà Trưng", ContactName: "Văn phòng Quận đoàn", ContactEmail: "quandoan-hbt@" + EmailDomain, ContactPhone: "02439780005"},
	{Kind: directory.KindOther, Name: "Hội Chữ thập đỏ quận Hai Bà Trưng", ContactName: "Văn phòng Hội", ContactEmail: "chuthapdo-hbt@" + EmailDomain, ContactPhone: "02439710006"},
}

// volunteerShare spreads volunteers over the organisations: the n-th volunteer
// belongs to organisations[volunteerShare[(n-1) % len]], so universities get
// 5/24 or 4/24 of them, the youth union 4/24 and the other body 3/24.
var volunteerShare = []int{0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5}

// Vietnamese names: family name, middle name, given name; the middle and given
// names by gender.
var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
		"Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đinh", "Trịnh", "Mai"}
	middleNames = [2][]string{
		{"Thị", "Thu", "Ngọc", "Phương", "Thuỳ", "Diệu", "Khánh", "Minh", "Thanh", "Bảo"},
		{"Văn", "Đức", "Minh", "Hoàng", "Quang", "Hữu", "Tuấn", "Hải", "Gia", "Thanh"},
	}
	givenNames = [2][]string{
		{"Anh", "Chi", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Huyền", "Lan", "Linh", "Mai", "My", "Ngân",
			"Nhung", "Quỳnh", "Tâm", "Thảo", "Trang", "Vy", "Yến", "Châu", "Hằng", "Loan"},
		{"An", "Bình", "Cường", "Dũng", "Duy", "Hải", "Hiếu", "Hùng", "Khoa", "Long", "Minh", "Nam", "Phong",
			"Phúc", "Quân", "Sơn", "Thắng", "Trung", "Tú", "Tuấn", "Đạt", "Khánh", "Việt"},
	}
	// mobilePrefixes are prefixes of Vietnamese mobile numbers.
	mobilePrefixes = []string{"090", "091", "093", "094", "096", "097", "098", "086", "088", "032", "035", "038", "070", "079"}
)

// personName returns the n-th name of a deterministic sequence; different seeds
// give different sequences, so staff and partners do not share volunteers' names.
func personName(n, seed int) string {
	i := n*7 + seed*13
	g := (n + seed) % 2
	middle := middleNames[g][(i/len(familyNames)+n*3)%len(middleNames[g])]
	given := givenNames[g][(n*11+seed)%len(givenNames[g])]
	if given == middle {
		given = givenNames[g][(n*11+seed+1)%len(givenNames[g])]
	}
	return familyNames[i%len(familyNames)] + " " + middle + " " + given
}

// phone returns a plausible, deterministic Vietnamese mobile number.
func phone(n, seed int) string {
	return mobilePrefixes[(n+seed)%len(mobilePrefixes)] + fmt.Sprintf("%07d", (n*7919+seed*104729)%10000000)
}

// centreNames are the kinds of place that host a centre, for the k-th centre of a ward.
var centreNames = []string{
	"Nhà văn hoá tổ dân phố số %d",
	"Nhà sinh hoạt cộng đồng cụm dân cư số %d",
	"Điểm hỗ trợ dịch vụ công tổ dân phố số %d",
	"Nhà văn hoá khu dân cư số %d",
	"Điểm sinh hoạt cộng đồng tổ dân phố số %d",
}

// centre returns the k-th (0-based) centre of a ward, without its ward ID.
func centre(w ward, wi, k int) directory.Centre {
	street := w.Streets[k%len(w.Streets)]
	house := 3 + (wi*17+k*29)%180
	var addr string
	if k%2 == 0 {
		addr = fmt.Sprintf("Số %d phố %s, %s, quận Hai Bà Trưng, Hà Nội", house, street, lower(w.NameVi))
	} else {
		addr = fmt.Sprintf("Số %d ngõ %d phố %s, %s, quận Hai Bà Trưng, Hà Nội", 2+(wi+k*5)%40, house, street, lower(w.NameVi))
	}
	return directory.Centre{
		Name:    fmt.Sprintf(centreNames[k%len(centreNames)], 1+wi%3+k*2) + " – " + w.NameVi,
		Address: addr,
		Hours:   officeHours(),
		Seats:   5 + (wi*7+k*3)%16, // 5 to 20
		Active:  true,
	}
}

// lower turns "Phường X" into "phường X" for use inside an address.
func lower(wardName string) string {
	const p = "Phường "
	if len(wardName) > len(p) && wardName[:len(p)] == p {
		return "phường " + wardName[len(p):]
	}
	return wardName
}

// officeHours are Monday to Saturday, 08:00–11:30 and 14:00–17:00.
func officeHours() directory.OpeningHours {
	day := func() []directory.Span {
		return []directory.Span{{Open: "08:00", Close: "11:30"}, {Open: "14:00", Close: "17:00"}}
	}
	return directory.OpeningHours{Mon: day(), Tue: day(), Wed: day(), Thu: day(), Fri: day(), Sat: day()}
}

// DefaultShifts and DefaultBookings are the roster of scripts/seed: a year of
// shifts at the district's 90 centres (about 0.7 of the 2 opening spans a day per
// centre), and bookings filling about 85% of their places.
const (
	DefaultShifts   = 20000
	DefaultBookings = 60000
)

// shiftTitles are what volunteers do on a shift, by role.
var shiftTitles = map[roster.Role][]string{
	roster.RoleGuide: {
		"Hướng dẫn dịch vụ công trực tuyến",
		"Hỗ trợ cài đặt VNeID",
		"Hỗ trợ kích hoạt tài khoản định danh điện tử mức 2",
		"Hướng dẫn nộp hồ sơ trên Cổng Dịch vụ công quốc gia",
		"Hỗ trợ đăng ký khai sinh, thường trú trực tuyến",
		"Hướng dẫn thanh toán trực tuyến phí, lệ phí",
		"Hướng dẫn tra cứu kết quả thủ tục hành chính",
		"Hỗ trợ tích hợp giấy tờ vào VNeID",
	},
	roster.RoleTrainer: {
		"Lớp kỹ năng số cho người cao tuổi",
		"Tập huấn nhận diện lừa đảo qua mạng",
		"Hướng dẫn sử dụng điện thoại thông minh",
		"Lớp học sử dụng ứng dụng VNeID",
		"Tập huấn bảo vệ thông tin cá nhân trên mạng",
		"Hướng dẫn thanh toán không dùng tiền mặt",
	},
	roster.RoleEquipment: {
		"Trực hỗ trợ thiết bị tại điểm",
		"Kiểm tra máy tính, máy in của điểm hỗ trợ",
		"Chuẩn bị thiết bị cho buổi tập huấn",
		"Kiểm tra kết nối Wi-Fi và thiết bị",
	},
}

// shiftNotes are notes of shifts; the empty one is the most common.
var shiftNotes = []string{
	"",
	"",
	"",
	"Mang theo thẻ tình nguyện viên và điện thoại đã cài VNeID.",
	"Ưu tiên hỗ trợ người cao tuổi và người khuyết tật.",
	"Có mặt trước giờ bắt đầu 15 phút để nhận bàn giao.",
	"Phối hợp với cán bộ một cửa của phường.",
}

// assignReason is the reason kept on bookings the seeder has ward staff assign.
const assignReason = "Phân công theo lịch trực năm (dữ liệu mẫu)"
