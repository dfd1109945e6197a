package certificate_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image/png"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/ledongthuc/pdf"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"ecitizen/internal/certificate"
)

var testKey = certificate.Key([]byte("a JWT key of at least 32 bytes, for tests"))

func TestCode(t *testing.T) {
	code, err := certificate.NewCode(testKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != certificate.CodeLength || certificate.CodeLength != 24 {
		t.Fatalf("code %q has %d characters, want 24", code, len(code))
	}
	shown := certificate.Display(code)
	if len(shown) != 29 || strings.Count(shown, "-") != 5 {
		t.Fatalf("display %q: want 6 groups of 4", shown)
	}
	t.Run("Normalised", func(t *testing.T) {
		for _, typed := range []string{code, shown, strings.ToLower(shown), " " + strings.ReplaceAll(shown, "-", " ") + " "} {
			got, ok := certificate.Canonical(testKey, typed)
			if !ok || got != code {
				t.Errorf("Canonical(%q) = %q, %v; want %q", typed, got, ok, code)
			}
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		for i := range code {
			b := []byte(code)
			b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
			if _, ok := certificate.Canonical(testKey, string(b)); ok {
				t.Errorf("code with character %d changed (%s) accepted", i, b)
			}
		}
		other := certificate.Key([]byte("another JWT key of at least 32 bytes"))
		if _, ok := certificate.Canonical(other, code); ok {
			t.Error("code accepted under another key")
		}
		for _, bad := range []string{"", "AAAA", code + "A", code[:23], strings.Repeat("A", 200), "{\"$ne\": \"\"}", code[:23] + "1"} {
			if _, ok := certificate.Canonical(testKey, bad); ok {
				t.Errorf("Canonical(%q) accepted", bad)
			}
		}
	})
}

func TestHours(t *testing.T) {
	for _, c := range []struct {
		minutes int
		vi, en  string
	}{
		{750, "12,5", "12.5"}, {45, "0,75", "0.75"}, {50, "0,83", "0.83"}, {120, "2", "2"}, {0, "0", "0"},
		{74070, "1.234,5", "1,234.5"}, {527040, "8.784", "8,784"},
	} {
		if got := certificate.Hours(c.minutes, "vi"); got != c.vi {
			t.Errorf("Hours(%d, vi) = %q, want %q", c.minutes, got, c.vi)
		}
		if got := certificate.Hours(c.minutes, "en"); got != c.en {
			t.Errorf("Hours(%d, en) = %q, want %q", c.minutes, got, c.en)
		}
	}
}

func sampleCertificate(t *testing.T) *certificate.Certificate {
	code, err := certificate.NewCode(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return &certificate.Certificate{ID: "c1", Code: code, Kind: certificate.KindHours, HolderID: "u1",
		IssuedAt: time.Date(2026, 11, 26, 3, 4, 5, 0, time.UTC),
		Statement: certificate.Statement{Hours: &certificate.HoursStatement{
			HolderName: "Nguyễn Thị Hồng Nhung", OrganisationName: "Đại học Bách khoa Hà Nội",
			From: "2026-09-01", To: "2026-11-25", TotalMinutes: 750, Shifts: 5, EntryMinutes: 45,
			Centres: []certificate.CentreLine{
				{CentreName: "Nhà văn hoá tổ 5", WardName: "Phường Bạch Đằng", Minutes: 705},
				{CentreName: "Điểm hỗ trợ dịch vụ công", WardName: "Phường Bách Khoa", Minutes: 45},
			}}}}
}

// pdfText extracts the text of a PDF.
func pdfText(t *testing.T, doc []byte) string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatalf("read PDF: %v", err)
	}
	if r.NumPage() != 1 {
		t.Errorf("PDF has %d pages, want 1", r.NumPage())
	}
	var b strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		rows, err := p.GetTextByRow()
		if err != nil {
			t.Fatalf("text of page %d: %v", i, err)
		}
		for _, row := range rows {
			for _, w := range row.Content {
				b.WriteString(w.S)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func TestRenderPDF(t *testing.T) {
	c := sampleCertificate(t)
	url := "https://ecitizen.example.vn/verify/" + certificate.Display(c.Code)
	doc, err := certificate.RenderPDF(c, url)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(doc, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", doc[:min(len(doc), 16)])
	}
	again, err := certificate.RenderPDF(c, url)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, again) {
		t.Error("two renderings of one certificate differ")
	}
	// ledongthuc/pdf reads the ASCII text back (it keeps only the low byte of
	// characters beyond Latin-1, so the Vietnamese lines are checked below in
	// the content streams themselves).
	text := pdfText(t, doc)
	for _, want := range []string{"Certificate of volunteer hours", "from 2026-09-01 to 2026-11-25", "12.5 hours",
		"5 shifts", "0.75 hours", "Issued on 2026-11-26", "01/09/2026", "25/11/2026", "26/11/2026",
		certificate.Display(c.Code), url} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q; text:\n%s", want, text)
		}
	}
	shown := shownStrings(t, doc)
	for _, want := range []string{"GIẤY CHỨNG NHẬN GIỜ TÌNH NGUYỆN", "Nguyễn Thị Hồng Nhung", "Đại học Bách khoa Hà Nội",
		"từ 01/09/2026 đến 25/11/2026", "12,5 giờ", "5 ca", "0,75 giờ", "Nhà văn hoá tổ 5", "Phường Bạch Đằng",
		"Điểm hỗ trợ dịch vụ công", "Phường Bách Khoa", "11,75 (11.75)", "Ngày cấp: 26/11/2026", "Mã xác thực"} {
		if !shown[want] {
			t.Errorf("PDF shows no text %q", want)
		}
	}
	t.Logf("PDF of %d bytes", len(doc))
}

// shownStrings returns the strings a PDF of fpdf's UTF-8 fonts shows: the
// operands of its Tj operators in the (Flate-compressed) content streams, which
// are UTF-16BE code points.
func shownStrings(t *testing.T, doc []byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for rest := doc; ; {
		_, after, ok := bytes.Cut(rest, []byte("stream\n"))
		if !ok {
			break
		}
		body, next, _ := bytes.Cut(after, []byte("endstream"))
		rest = next
		z, err := zlib.NewReader(bytes.NewReader(body))
		if err != nil {
			continue // not a Flate stream
		}
		content, _ := io.ReadAll(z)
		for _, m := range tjOperand.FindAllSubmatch(content, -1) {
			raw := unescapePDF(m[1])
			u := make([]uint16, 0, len(raw)/2)
			for i := 0; i+1 < len(raw); i += 2 {
				u = append(u, uint16(raw[i])<<8|uint16(raw[i+1]))
			}
			out[string(utf16.Decode(u))] = true
		}
	}
	return out
}

var tjOperand = regexp.MustCompile(`(?s)\(((?:\\.|[^\\)])*)\) ?Tj`)

// unescapePDF undoes the escapes of a PDF literal string that fpdf writes.
func unescapePDF(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			i++
			switch b[i] {
			case 'r':
				out = append(out, '\r')
			case 'n':
				out = append(out, '\n')
			default:
				out = append(out, b[i])
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}

func TestRenderPDFManyCentresOnePage(t *testing.T) {
	c := sampleCertificate(t)
	st := c.Statement.Hours
	st.Centres = nil
	for i := range 40 {
		st.Centres = append(st.Centres, certificate.CentreLine{CentreName: fmt.Sprintf("Nhà sinh hoạt cộng đồng tổ %d", i+1),
			WardName: "Phường Bạch Đằng", Minutes: 600 - i})
	}
	st.Centres[0].CentreName = strings.Repeat("Nhà văn hoá rất dài ", 8)
	doc, err := certificate.RenderPDF(c, "https://ecitizen.example.vn/verify/"+certificate.Display(c.Code))
	if err != nil {
		t.Fatal(err)
	}
	pdfText(t, doc) // one page
	shown := shownStrings(t, doc)
	if !shown["Nhà văn hoá rất dài Nhà văn hoá rất dài …"] {
		t.Error("a centre name longer than its cell is not shortened with an ellipsis")
	}
	if !shown["Nhà sinh hoạt cộng đồng tổ 11"] || shown["Nhà sinh hoạt cộng đồng tổ 12"] || !shown["29 nơi khác / 29 other centres"] {
		t.Error("more centres than fit are not folded into one line after the first 11")
	}
}

func TestQRCodeDecodes(t *testing.T) {
	url := "https://ecitizen.example.vn/verify/ABCD-EFGH-IJKL-MNOP-QRST-UVWX"
	b, err := certificate.QRCode(url)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The image is a generated code, not a photo: without PURE_BARCODE the finder
	// search misses about 1 in 70 of them (measured on 400 random codes).
	pure := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, pure)
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	if res.GetText() != url {
		t.Fatalf("QR holds %q, want %q", res.GetText(), url)
	}
}

func BenchmarkRenderPDF(b *testing.B) {
	c := &certificate.Certificate{Code: "GJKTUITMMYQZL7LE7V7DIIZY", Kind: certificate.KindHours,
		IssuedAt: time.Date(2026, 11, 26, 3, 4, 5, 0, time.UTC),
		Statement: certificate.Statement{Hours: &certificate.HoursStatement{HolderName: "Nguyễn Thị Hồng Nhung",
			OrganisationName: "Đại học Bách khoa Hà Nội", From: "2026-09-01", To: "2026-11-25", TotalMinutes: 750, Shifts: 5,
			Centres: []certificate.CentreLine{{CentreName: "Nhà văn hoá tổ 5", WardName: "Phường Bạch Đằng", Minutes: 750}}}}}
	for b.Loop() {
		doc, err := certificate.RenderPDF(c, "https://ecitizen.example.vn/verify/GJKT-UITM-MYQZ-L7LE-7V7D-IIZY")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(doc)), "bytes/pdf")
	}
}

// TestRenderPDFWithCharactersOutsideTheFont: names with emoji, mathematical
// letters, CJK, a direction override or a zero-width joiner still give a PDF,
// with what the font lacks transliterated or replaced by "?".
func TestRenderPDFWithCharactersOutsideTheFont(t *testing.T) {
	c := sampleCertificate(t)
	c.Statement.Hours.HolderName = "Nguyễn 😀👨‍👩‍👧 𝓐𝓷 李\u202e"
	c.Statement.Hours.OrganisationName = "ＨＵＳＴ 🎓 Bách khoa"
	c.Statement.Hours.Centres[0].CentreName = "Nhà văn hoá 🏠 tổ 5"
	doc, err := certificate.RenderPDF(c, "https://ecitizen.example.vn/verify/x")
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	shown := shownStrings(t, doc)
	for _, want := range []string{"Nguyễn ? An ?", "HUST ? Bách khoa", "Nhà văn hoá ? tổ 5"} {
		if !shown[want] {
			var all []string
			for s := range shown {
				all = append(all, s)
			}
			t.Errorf("PDF shows no text %q; it shows %q", want, all)
		}
	}
}
