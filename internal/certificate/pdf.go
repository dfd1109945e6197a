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

// RenderPDF renders a certificate of hours as one bilingual A4 page: each
// heading in Vietnamese with English beneath, Vietnamese number and date formats
// on the Vietnamese lines, the code, and a QR code of verifyURL. The output
// depends on the certificate alone (its creation date is the issue time), so
// every download of one certificate is byte-identical.
func RenderPDF(c *Certificate, verifyURL string) ([]byte, error) {
	st := c.Statement.Hours
	if st == nil {
		return nil, fmt.Errorf("certificate %s: no statement of hours", c.Code)
	}
	png, err := QRCode(verifyURL)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: QR code: %w", c.Code, err)
	}
	issued := c.IssuedAt.In(Zone)

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(c.IssuedAt)
	pdf.SetModificationDate(c.IssuedAt)
	pdf.SetCatalogSort(true)
	pdf.SetTitle("Giấy chứng nhận giờ tình nguyện / Certificate of volunteer hours", true)
	pdf.SetAuthor("ecitizen", true)
	pdf.SetProducer("ecitizen", true)
	pdf.AddUTF8FontFromBytes("dejavu", "", dejavusans.TTF)
	pdf.AddUTF8FontFromBytes("dejavu", "B", dejavusansbold.TTF)
	pdf.SetMargins(20, 18, 20)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddPage()
	const width = 170.0

	gray := func() { pdf.SetTextColor(90, 90, 90) }
	black := func() { pdf.SetTextColor(0, 0, 0) }

	pdf.SetFont("dejavu", "", 10)
	pdf.CellFormat(width, 5, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "", 1, "C", false, 0, "")
	pdf.CellFormat(width, 5, "Độc lập - Tự do - Hạnh phúc", "", 1, "C", false, 0, "")
	pdf.Ln(8)
	pdf.SetFont("dejavu", "B", 17)
	pdf.CellFormat(width, 9, "GIẤY CHỨNG NHẬN GIỜ TÌNH NGUYỆN", "", 1, "C", false, 0, "")
	pdf.SetFont("dejavu", "", 12)
	gray()
	pdf.CellFormat(width, 6, "Certificate of volunteer hours", "", 1, "C", false, 0, "")
	black()
	pdf.Ln(6)

	from, _ := time.ParseInLocation(time.DateOnly, st.From, Zone)
	to, _ := time.ParseInLocation(time.DateOnly, st.To, Zone)
	org := st.OrganisationName
	if org == "" {
		org = "—"
	}
	rows := []struct{ vi, en, valueVi, valueEn string }{
		{"Họ và tên", "Full name", st.HolderName, ""},
		{"Tổ chức", "Organisation", org, ""},
		{"Thời gian", "Period", "từ " + from.Format("02/01/2006") + " đến " + to.Format("02/01/2006"),
			"from " + st.From + " to " + st.To},
		{"Tổng số giờ", "Total hours", Hours(st.TotalMinutes, "vi") + " giờ", Hours(st.TotalMinutes, "en") + " hours"},
		{"Số ca trực", "Shifts served", strconv.Itoa(st.Shifts) + " ca", strconv.Itoa(st.Shifts) + " shifts"},
		{"Giờ làm ngoài ca", "Hours outside shifts", Hours(st.EntryMinutes, "vi") + " giờ", Hours(st.EntryMinutes, "en") + " hours"},
	}
	for _, r := range rows {
		y := pdf.GetY()
		pdf.SetFont("dejavu", "B", 11)
		pdf.CellFormat(55, 5.5, r.vi, "", 2, "L", false, 0, "")
		pdf.SetFont("dejavu", "", 9)
		gray()
		pdf.CellFormat(55, 4.5, r.en, "", 0, "L", false, 0, "")
		black()
		pdf.SetXY(75, y)
		pdf.SetFont("dejavu", "", 11)
		pdf.MultiCell(width-55, 5.5, r.valueVi, "", "L", false)
		if r.valueEn != "" {
			pdf.SetX(75)
			pdf.SetFont("dejavu", "", 9)
			gray()
			pdf.MultiCell(width-55, 4.5, r.valueEn, "", "L", false)
			black()
		}
		pdf.SetY(max(pdf.GetY(), y+10) + 2)
	}

	pdf.Ln(2)
	pdf.SetFont("dejavu", "B", 10)
	pdf.SetFillColor(235, 235, 235)
	cols := []float64{80, 55, 35}
	heads := [][2]string{{"Nhà sinh hoạt cộng đồng", "Community centre"}, {"Phường", "Ward"}, {"Số giờ", "Hours"}}
	y := pdf.GetY()
	x := 20.0
	for i, h := range heads {
		pdf.SetXY(x, y)
		pdf.SetFont("dejavu", "B", 10)
		pdf.CellFormat(cols[i], 5.5, h[0], "LTR", 2, "L", true, 0, "")
		pdf.SetFont("dejavu", "", 8)
		pdf.CellFormat(cols[i], 4.5, h[1], "LBR", 0, "L", true, 0, "")
		x += cols[i]
	}
	pdf.SetXY(20, y+10)
	pdf.SetFont("dejavu", "", 10)
	for _, l := range pageLines(st.Centres) {
		pdf.CellFormat(cols[0], 6, fit(pdf, l.CentreName, cols[0]-2), "1", 0, "L", false, 0, "")
		pdf.CellFormat(cols[1], 6, fit(pdf, l.WardName, cols[1]-2), "1", 0, "L", false, 0, "")
		pdf.CellFormat(cols[2], 6, Hours(l.Minutes, "vi")+" ("+Hours(l.Minutes, "en")+")", "1", 1, "R", false, 0, "")
	}
	pdf.Ln(6)

	pdf.SetFont("dejavu", "", 11)
	pdf.CellFormat(width, 6, "Ngày cấp: "+issued.Format("02/01/2006"), "", 1, "L", false, 0, "")
	pdf.SetFont("dejavu", "", 9)
	gray()
	pdf.CellFormat(width, 5, "Issued on "+issued.Format(time.DateOnly), "", 1, "L", false, 0, "")
	black()
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
	gray()
	pdf.CellFormat(105, 4.5, "Verification code", "", 2, "L", false, 0, "")
	black()
	pdf.SetFont("dejavu", "B", 13)
	pdf.CellFormat(105, 8, Display(c.Code), "", 2, "L", false, 0, "")
	pdf.SetFont("dejavu", "", 9)
	pdf.MultiCell(105, 4.5, "Quét mã QR hoặc mở địa chỉ sau để kiểm tra giấy chứng nhận; giấy đã bị thu hồi không còn hiệu lực.", "", "L", false)
	pdf.SetX(65)
	gray()
	pdf.MultiCell(105, 4.5, "Scan the QR code or open this address to verify the certificate; a revoked certificate is no longer valid.", "", "L", false)
	black()
	pdf.SetXY(20, max(pdf.GetY(), top+40)+2)
	pdf.SetFont("dejavu", "", 8)
	pdf.MultiCell(width, 4.5, verifyURL, "", "L", false)

	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("certificate %s: render PDF: %w", c.Code, err)
	}
	return out.Bytes(), nil
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

// fit shortens s with an ellipsis until it fits width (mm) in the current font.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
