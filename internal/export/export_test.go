package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var hcm = time.FixedZone("ICT", 7*3600)

func sample() Table {
	return Table{
		Name:    "volunteers",
		TitleVi: "Giờ tình nguyện",
		TitleEn: "Volunteer hours",
		Columns: []Column{
			{Key: "name", Vi: "Tên hiển thị", En: "Display name", Kind: Text},
			{Key: "minutes", Vi: "Số phút", En: "Minutes", Kind: Integer},
			{Key: "hours", Vi: "Số giờ", En: "Hours", Kind: Decimal},
			{Key: "rate", Vi: "Tỷ lệ (%)", En: "Rate (%)", Kind: Percent},
			{Key: "day", Vi: "Ngày", En: "Day", Kind: Date},
			{Key: "starts_at", Vi: "Bắt đầu", En: "Starts", Kind: DateTime},
		},
		Rows: [][]any{
			{"Nguyễn Thị Hoà", 1234567, 20576.1, 12.5, time.Date(2026, 3, 1, 23, 30, 0, 0, hcm), time.Date(2026, 3, 1, 8, 5, 0, 0, hcm)},
			{"=HYPERLINK(\"http://x\")", -3, 0.25, 100, nil, nil},
			{"+1", int64(0), 0, 0, time.Time{}, (*time.Time)(nil)},
			{"-2", 1, 1, 1, nil, nil},
			{"@SUM(A1)", 1, 1, 1, nil, nil},
			{"\tx", 1, 1, 1, nil, nil},
			{"\rx", 1, 1, 1, nil, nil},
			{"a=b, \"quoted\"\nline", 1, 1, 1, nil, nil},
		},
	}
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no UTF-8 BOM: % x", b[:min(len(b), 8)])
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatalf("parse csv: %v", err)
	}
	return recs
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sample(), "vi"); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.Bytes())
	want := [][]string{
		{"Tên hiển thị", "Số phút", "Số giờ", "Tỷ lệ (%)", "Ngày", "Bắt đầu"},
		{"Nguyễn Thị Hoà", "1234567", "20576.1", "12.5", "2026-03-01", "2026-03-01 08:05"},
		{"'=HYPERLINK(\"http://x\")", "-3", "0.25", "100", "", ""},
		{"'+1", "0", "0", "0", "", ""},
		{"'-2", "1", "1", "1", "", ""},
		{"'@SUM(A1)", "1", "1", "1", "", ""},
		{"'\tx", "1", "1", "1", "", ""},
		{"'x", "1", "1", "1", "", ""}, // encoding/csv drops a lone CR inside a field with UseCRLF; the guard still applies
		{"a=b, \"quoted\"\nline", "1", "1", "1", "", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d: %q", len(recs), len(want), recs)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d = %q, want %q", i, recs[i], want[i])
		}
	}
	if !strings.Contains(buf.String(), "\r\n") {
		t.Error("records do not end with CRLF (RFC 4180)")
	}
}

func TestWriteCSVNegativeNumbersAreNotQuoted(t *testing.T) {
	var buf bytes.Buffer
	tb := Table{Name: "n", Columns: []Column{{Key: "n", Vi: "Số", Kind: Integer}, {Key: "d", Vi: "Thập phân", Kind: Decimal}},
		Rows: [][]any{{-5, -0.5}}}
	if err := WriteCSV(&buf, tb, ""); err != nil {
		t.Fatal(err)
	}
	if got := readCSV(t, buf.Bytes())[1]; got[0] != "-5" || got[1] != "-0.5" {
		t.Errorf("numbers = %q, want -5 and -0.5 without a quote", got)
	}
}

func TestWriteCSVLanguages(t *testing.T) {
	for _, tc := range []struct{ lang, first string }{
		{"en", "Display name"}, {"vi", "Tên hiển thị"}, {"", "Tên hiển thị"}, {"fr", "Tên hiển thị"}, {"EN", "Tên hiển thị"},
	} {
		t.Run("lang="+tc.lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, sample(), tc.lang); err != nil {
				t.Fatal(err)
			}
			if got := readCSV(t, buf.Bytes())[0][0]; got != tc.first {
				t.Errorf("first header = %q, want %q", got, tc.first)
			}
		})
	}
}

func TestWriteCSVRefusesBadTables(t *testing.T) {
	for name, tb := range map[string]Table{
		"ErrWrongType":   {Name: "t", Columns: []Column{{Key: "n", Kind: Integer}}, Rows: [][]any{{"12"}}},
		"ErrTextNotText": {Name: "t", Columns: []Column{{Key: "s", Kind: Text}}, Rows: [][]any{{12}}},
		"ErrShortRow":    {Name: "t", Columns: []Column{{Key: "a"}, {Key: "b"}}, Rows: [][]any{{"x"}}},
		"ErrName":        {Name: "bảng", Columns: []Column{{Key: "a"}}},
		"ErrNaN":         {Name: "t", Columns: []Column{{Key: "d", Kind: Decimal}}, Rows: [][]any{{nanValue()}}},
	} {
		t.Run(name, func(t *testing.T) {
			if err := WriteCSV(&bytes.Buffer{}, tb, "vi"); err == nil {
				t.Error("no error")
			}
			if err := WriteXLSX(&bytes.Buffer{}, []Table{tb}, "vi"); err == nil {
				t.Error("no error from WriteXLSX")
			}
		})
	}
}

func nanValue() float64 { var z float64; return z / z }

func TestWriteXLSXRoundTrip(t *testing.T) {
	second := Table{Name: "courses", Columns: []Column{{Key: "title", Vi: "Khoá học", En: "Course", Kind: Text}}, Rows: [][]any{{"Dịch vụ công"}}}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, []Table{sample(), second}, "vi"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "volunteers,courses" {
		t.Fatalf("sheets = %q", got)
	}
	raw := excelize.Options{RawCellValue: true}
	rows, err := f.GetRows("volunteers", raw)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "Giờ tình nguyện" || rows[1][0] != "Tên hiển thị" || rows[1][3] != "Tỷ lệ (%)" {
		t.Errorf("title and header = %q / %q", rows[0], rows[1])
	}
	if got := rows[2]; got[0] != "Nguyễn Thị Hoà" || got[1] != "1234567" || got[2] != "20576.1" || got[3] != "12.5" || got[4] != "46082" {
		t.Errorf("first row raw = %q", got)
	}
	if rows[3][0] != `=HYPERLINK("http://x")` {
		t.Errorf("text kept as is: %q", rows[3][0])
	}
	for cell, want := range map[string]excelize.CellType{
		"A3": excelize.CellTypeSharedString, "B3": excelize.CellTypeUnset, "C3": excelize.CellTypeUnset, "A4": excelize.CellTypeSharedString,
	} {
		got, err := f.GetCellType("volunteers", cell)
		if err != nil {
			t.Fatal(err)
		}
		if got != want && !(want == excelize.CellTypeUnset && got == excelize.CellTypeNumber) {
			t.Errorf("type of %s = %v, want %v", cell, got, want)
		}
	}
	if formula, _ := f.GetCellFormula("volunteers", "A4"); formula != "" {
		t.Errorf("A4 holds a formula %q", formula)
	}
	formatted, _ := f.GetRows("volunteers")
	if got := formatted[2]; got[4] != "2026-03-01" || got[5] != "2026-03-01 08:05" {
		t.Errorf("dates shown as %q, %q", got[4], got[5])
	}
	panes, err := f.GetPanes("volunteers")
	if err != nil || !panes.Freeze || panes.YSplit != 2 {
		t.Errorf("panes = %+v, %v; want frozen below row 2", panes, err)
	}
	style, _ := f.GetCellStyle("volunteers", "A2")
	if s, _ := f.GetStyle(style); s == nil || s.Font == nil || !s.Font.Bold {
		t.Error("header is not bold")
	}
	if w, _ := f.GetColWidth("volunteers", "A"); w < float64(len("=HYPERLINK(\"http://x\")")) {
		t.Errorf("column A width %v", w)
	}
	rows, _ = f.GetRows("courses")
	if rows[0][0] != "Khoá học" || rows[1][0] != "Dịch vụ công" {
		t.Errorf("courses sheet without title = %q", rows)
	}
}

func TestWriteXLSXEnglish(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, []Table{sample()}, "en"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("volunteers")
	if rows[0][0] != "Volunteer hours" || rows[1][0] != "Display name" {
		t.Errorf("english title and header = %q / %q", rows[0], rows[1])
	}
}

func TestWriteXLSXRefusesTwoTablesOfOneName(t *testing.T) {
	if err := WriteXLSX(&bytes.Buffer{}, []Table{sample(), sample()}, "vi"); err == nil {
		t.Error("no error")
	}
	if err := WriteXLSX(&bytes.Buffer{}, nil, "vi"); err == nil {
		t.Error("no error for no table")
	}
}

func TestFileName(t *testing.T) {
	day := time.Date(2026, 11, 26, 23, 0, 0, 0, hcm)
	if got := FileName("partner-courses", day, CSV); got != "ecitizen-partner-courses-2026-11-26.csv" {
		t.Errorf("FileName = %q", got)
	}
	if got := FileName(`a"b/ồ`, day, XLSX); got != "ecitizen-a-b---2026-11-26.xlsx" {
		t.Errorf("FileName = %q", got)
	}
	if got := ContentDisposition("ecitizen-x-2026-11-26.csv"); got != `attachment; filename="ecitizen-x-2026-11-26.csv"` {
		t.Errorf("ContentDisposition = %q", got)
	}
	if f, ok := ParseFormat("xlsx"); !ok || f.ContentType() != ContentTypeXLSX {
		t.Error("xlsx")
	}
	if _, ok := ParseFormat("pdf"); ok {
		t.Error("pdf is no format")
	}
}

// TestExportsDropHiddenCharacters: a name stored before the plaintext rule with
// a direction override, a NUL or a zero-width space reaches neither CSV nor XLSX
// with them (and the formula guard still sees the text as shown).
func TestExportsDropHiddenCharacters(t *testing.T) {
	tb := Table{Name: "names", Columns: []Column{{Key: "name", Vi: "Tên", Kind: Text}},
		Rows: [][]any{{"\u202egpj.exe"}, {"An\x00\u200bBình"}, {"\u200b=1+1"}}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, tb, ""); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes())
	if rows[1][0] != "gpj.exe" || rows[2][0] != "AnBình" || rows[3][0] != "'=1+1" {
		t.Errorf("CSV rows = %q", rows[1:])
	}
	buf.Reset()
	if err := WriteXLSX(&buf, []Table{tb}, ""); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("names")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 3 || got[len(got)-2][0] != "AnBình" || strings.ContainsRune(got[len(got)-3][0], '\u202e') {
		t.Errorf("XLSX rows = %q", got)
	}
}
