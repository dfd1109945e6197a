package certificate

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// RenderPDF renders a certificate as one bilingual A4 page: each heading in
// Vietnamese with English beneath, Vietnamese number and date formats on the
// Vietnamese lines, the code, and a QR code of verifyURL. The output depends on
// the certificate alone (its creation date is the issue time), so every
// download of one certificate is byte-identical.
func RenderPDF(c *Certificate, verifyURL string) ([]byte, error) {
	switch {
	case c.Kind == KindHours && c.Statement.Hours != nil:
		return renderPDF(c, verifyURL, "Giấy chứng nhận giờ tình nguyện", "GIẤY CHỨNG NHẬN GIỜ TÌNH NGUYỆN", "Certificate of volunteer hours",
			func(d *document) { d.hours(c.Statement.Hours) })
	case c.Kind == KindECitizen && c.Statement.ECitizen != nil:
		return renderPDF(c, verifyURL, "Giấy chứng nhận công dân điện tử", "GIẤY CHỨNG NHẬN CÔNG DÂN ĐIỆN TỬ", "Certificate of e-citizenship",
			func(d *document) { d.ecitizen(c.Statement.ECitizen) })
	}
	return nil, fmt.Errorf("certificate %s: no statement of its kind %q", c.Code, c.Kind)
}

// document is a page being written, with its helpers.
type document struct {
	*fpdf.Fpdf
}

// width is the width of the text between the margins, in mm.
const width = 170.0

func (d *document) gray()  { d.SetTextColor(90, 90, 90) }
func (d *document) black() { d.SetTextColor(0, 0, 0) }

// renderPDF writes the parts every certificate shares (the national motto, the
// title, the issue date, the code and its QR code) around the body of its kind;
// name is the Vietnamese title in sentence case, for the document's metadata.
func renderPDF(c *Certificate, verifyURL, name, titleVi, titleEn string, body func(*document)) ([]byte, error) {
	png, err := QRCode(verifyURL)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: QR code: %w", c.Code, err)
	}
	issued := c.IssuedAt.In(Zone)

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(c.IssuedAt)
	pdf.SetModificationDate(c.IssuedAt)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(name+" / "+titleEn, true)
	pdf.SetAuthor("ecitizen", true)
	pdf.SetProducer("ecitizen", true)
	pdf.AddUTF8FontFromBytes("dejavu", "", dejavusans.TTF)
	pdf.AddUTF8FontFromBytes("dejavu", "B", dejavusansbold.TTF)
	pdf.SetMargins(20, 18, 20)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddPage()
	d := &document{pdf}

	pdf.SetFont("dejavu", "", 10)
	pdf.CellFormat(width, 5, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "", 1, "C", false, 0, "")
	pdf.CellFormat(width, 5, "Độc lập - Tự do - Hạnh phúc", "", 1, "C", false, 0, "")
	pdf.Ln(8)
	pdf.SetFont("dejavu", "B", 17)
	pdf.CellFormat(width, 9, titleVi, "", 1, "C", false, 0, "")
	pdf.SetFont("dejavu", "", 12)
	d.gray()
	pdf.CellFormat(width, 6, titleEn, "", 1, "C", false, 0, "")
	d.black()
	pdf.Ln(6)

	body(d)

	pdf.SetFont("dejavu", "", 11)
	pdf.CellFormat(width, 6, "Ngày cấp: "+issued.Format("02/01/2006"), "", 1, "L", false, 0, "")
	pdf.SetFont("dejavu", "", 9)
	d.gray()
	pdf.CellFormat(width, 5, "Issued on "+issued.Format(time.DateOnly), "", 1, "L", false, 0, "")
	d.black()
	pdf.Ln(4)

	top := pdf.GetY()
	if top > 297-15-45 {
		pdf.AddPage()
		top = pdf.GetY()
	}
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	pdf.ImageOptions("qr", 20, top, 40, 40, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetXY(65, top)
	pdf.SetFont("dejavu", "B", 10)
	pdf.CellFormat(105, 5.5, "Mã xác thực", "", 2, "L", false, 0, "")
	pdf.SetFont("dejavu", "", 8)
	d.gray()
	pdf.CellFormat(105, 4.5, "Verification code", "", 2, "L", false, 0, "")
	d.black()
	pdf.SetFont("dejavu", "B", 13)
	pdf.CellFormat(105, 8, Display(c.Code), "", 2, "L", false, 0, "")
	pdf.SetFont("dejavu", "", 9)
	pdf.MultiCell(105, 4.5, "Quét mã QR hoặc mở địa chỉ sau để kiểm tra giấy chứng nhận; giấy đã bị thu hồi không còn hiệu lực.", "", "L", false)
	pdf.SetX(65)
	d.gray()
	pdf.MultiCell(105, 4.5, "Scan the QR code or open this address to verify the certificate; a revoked certificate is no longer valid.", "", "L", false)
	d.black()
	pdf.SetXY(20, max(pdf.GetY(), top+40)+2)
	pdf.SetFont("dejavu", "", 8)
	pdf.MultiCell(width, 4.5, verifyURL, "", "L", false)

	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("certificate %s: render PDF: %w", c.Code, err)
	}
	return out.Bytes(), nil
}

// row is a labelled line of a certificate: the label in Vietnamese with English
// beneath, the value in Vietnamese with English beneath (when different). Values
// come from the store and are drawn printable.
type row struct{ vi, en, valueVi, valueEn string }

// rows writes labelled lines.
func (d *document) rows(rows []row) {
	for _, r := range rows {
		y := d.GetY()
		d.SetFont("dejavu", "B", 11)
		d.CellFormat(55, 5.5, r.vi, "", 2, "L", false, 0, "")
		d.SetFont("dejavu", "", 9)
		d.gray()
		d.CellFormat(55, 4.5, r.en, "", 0, "L", false, 0, "")
		d.black()
		d.SetXY(75, y)
		d.SetFont("dejavu", "", 11)
		d.MultiCell(width-55, 5.5, printable(r.valueVi), "", "L", false)
		if r.valueEn != "" {
			d.SetX(75)
			d.SetFont("dejavu", "", 9)
			d.gray()
			d.MultiCell(width-55, 4.5, printable(r.valueEn), "", "L", false)
			d.black()
		}
		d.SetY(max(d.GetY(), y+10) + 2)
	}
}

// tableHead writes the bilingual heads of a table's columns.
func (d *document) tableHead(cols []float64, heads [][2]string) {
	d.Ln(2)
	d.SetFillColor(235, 235, 235)
	y := d.GetY()
	x := 20.0
	for i, h := range heads {
		d.SetXY(x, y)
		d.SetFont("dejavu", "B", 10)
		d.CellFormat(cols[i], 5.5, h[0], "LTR", 2, "L", true, 0, "")
		d.SetFont("dejavu", "", 8)
		d.CellFormat(cols[i], 4.5, h[1], "LBR", 0, "L", true, 0, "")
		x += cols[i]
	}
	d.SetXY(20, y+10)
}

// hours writes the body of a certificate of hours.
func (d *document) hours(st *HoursStatement) {
	from, _ := time.ParseInLocation(time.DateOnly, st.From, Zone)
	to, _ := time.ParseInLocation(time.DateOnly, st.To, Zone)
	org := st.OrganisationName
	if org == "" {
		org = "—"
	}
	d.rows([]row{
		{"Họ và tên", "Full name", st.HolderName, ""},
		{"Tổ chức", "Organisation", org, ""},
		{"Thời gian", "Period", "từ " + from.Format("02/01/2006") + " đến " + to.Format("02/01/2006"),
			"from " + st.From + " to " + st.To},
		{"Tổng số giờ", "Total hours", Hours(st.TotalMinutes, "vi") + " giờ", Hours(st.TotalMinutes, "en") + " hours"},
		{"Số ca trực", "Shifts served", strconv.Itoa(st.Shifts) + " ca", strconv.Itoa(st.Shifts) + " shifts"},
		{"Giờ làm ngoài ca", "Hours outside shifts", Hours(st.EntryMinutes, "vi") + " giờ", Hours(st.EntryMinutes, "en") + " hours"},
	})
	cols := []float64{80, 55, 35}
	d.tableHead(cols, [][2]string{{"Nhà sinh hoạt cộng đồng", "Community centre"}, {"Phường", "Ward"}, {"Số giờ", "Hours"}})
	d.SetFont("dejavu", "", 10)
	for _, l := range pageLines(st.Centres) {
		d.CellFormat(cols[0], 6, fit(d.Fpdf, l.CentreName, cols[0]-2), "1", 0, "L", false, 0, "")
		d.CellFormat(cols[1], 6, fit(d.Fpdf, l.WardName, cols[1]-2), "1", 0, "L", false, 0, "")
		d.CellFormat(cols[2], 6, Hours(l.Minutes, "vi")+" ("+Hours(l.Minutes, "en")+")", "1", 1, "R", false, 0, "")
	}
	d.Ln(6)
}

// ecitizen writes the body of an e-citizen certificate: the holder's initial
// only, the ward, the day reached, the framework version and its skills.
func (d *document) ecitizen(st *ECitizenStatement) {
	reached, _ := time.ParseInLocation(time.DateOnly, st.ReachedOn, Zone)
	ward := row{"Phường", "Ward", st.WardNameVi, st.WardNameEn}
	if ward.valueEn == ward.valueVi {
		ward.valueEn = ""
	}
	v := strconv.Itoa(st.FrameworkVersion)
	d.rows([]row{
		{"Người được chứng nhận", "Holder", st.Initial, "(chữ cái đầu của tên / first-name initial)"},
		ward,
		{"Ngày đạt", "Date reached", reached.Format("02/01/2006"), st.ReachedOn},
		{"Khung kỹ năng", "Skills framework", "phiên bản " + v, "version " + v},
	})
	d.SetFont("dejavu", "", 10)
	d.MultiCell(width, 5, "Đã tự mình thực hiện được các kỹ năng số sau đây của khung kỹ năng công dân điện tử:", "", "L", false)
	d.SetFont("dejavu", "", 9)
	d.gray()
	d.MultiCell(width, 4.5, "Has shown, by themselves, these digital skills of the e-citizen skills framework:", "", "L", false)
	d.black()
	cols := []float64{10, 160}
	d.tableHead(cols, [][2]string{{"TT", "No."}, {"Kỹ năng", "Skill"}})
	for i, l := range skillLines(st.Skills) {
		y := d.GetY()
		d.SetFont("dejavu", "", 10)
		d.SetX(20 + cols[0])
		d.CellFormat(cols[1], 5.5, fit(d.Fpdf, l.NameVi, cols[1]-2), "LR", 2, "L", false, 0, "")
		d.SetFont("dejavu", "", 8)
		d.gray()
		d.CellFormat(cols[1], 4.5, fit(d.Fpdf, l.NameEn, cols[1]-2), "LBR", 0, "L", false, 0, "")
		d.black()
		d.SetXY(20, y)
		d.SetFont("dejavu", "", 10)
		n := strconv.Itoa(i + 1)
		if l.Code == "" {
			n = "…"
		}
		d.CellFormat(cols[0], 10, n, "1", 0, "C", false, 0, "")
		d.SetXY(20, y+10)
	}
	d.Ln(6)
}

// maxSkillLines is how many skills fit on the page; more are folded.
const maxSkillLines = 8

// skillLines returns the skills the page shows: all when they fit, otherwise
// the first ones and a line counting the others (the statement and the
// verification keep every skill).
func skillLines(lines []SkillLine) []SkillLine {
	if len(lines) <= maxSkillLines {
		return lines
	}
	out := append([]SkillLine{}, lines[:maxSkillLines-1]...)
	n := strconv.Itoa(len(lines) - len(out))
	return append(out, SkillLine{NameVi: "và " + n + " kỹ năng khác", NameEn: "and " + n + " other skills"})
}

// QRCode is the PNG of the QR code a certificate's PDF shows for verifyURL.
func QRCode(verifyURL string) ([]byte, error) {
	return qrcode.Encode(verifyURL, qrcode.Medium, 512)
}

// maxCentreLines is how many centre lines fit on the page; more are folded.
const maxCentreLines = 12

// pageLines returns the centre lines the page shows: all of them when they
// fit, otherwise the first ones and one line summing the others (the
// statement and the verification keep every line).
func pageLines(lines []CentreLine) []CentreLine {
	if len(lines) <= maxCentreLines {
		return lines
	}
	out := append([]CentreLine{}, lines[:maxCentreLines-1]...)
	rest := CentreLine{CentreName: fmt.Sprintf("%d nơi khác / %d other centres", len(lines)-len(out), len(lines)-len(out))}
	for _, l := range lines[len(out):] {
		rest.Minutes += l.Minutes
	}
	return append(out, rest)
}

// fit makes s printable and shortens it with an ellipsis until it fits width
// (mm) in the current font.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	s = printable(s)
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
