package export

import (
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"ecitizen/internal/plaintext"

	"github.com/xuri/excelize/v2"
)

// Number formats of the XLSX cells by kind (Excel's format codes).
var numberFormats = map[ColumnKind]string{
	Integer:  "0",
	Decimal:  "0.00",
	Percent:  `0.0"%"`,
	Date:     "yyyy-mm-dd",
	DateTime: "yyyy-mm-dd hh:mm",
}

// Column widths in characters.
const (
	minWidth = 8
	maxWidth = 60
)

// excelEpoch is day 0 of Excel's 1900 date system (as Excel counts, past its
// 1900 leap-year bug).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// WriteXLSX writes tables as one XLSX workbook, a sheet per table named by its
// Name: an optional title line (the title in lang, when the table has one), a
// bold, frozen header row in lang (Vietnamese unless "en"), then the rows.
// Numbers and dates are numeric cells with a number format; text cells are
// strings, never formulas.
func WriteXLSX(w io.Writer, tables []Table, lang string) (err error) {
	if len(tables) == 0 {
		return fmt.Errorf("write xlsx: no table")
	}
	seen := map[string]bool{}
	for _, t := range tables {
		if err := t.check(); err != nil {
			return err
		}
		if seen[t.Name] {
			return fmt.Errorf("write xlsx: two tables named %s", t.Name)
		}
		seen[t.Name] = true
	}
	lang = Lang(lang)
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write xlsx: %w", cerr)
		}
	}()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	for i, t := range tables {
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), t.Name)
		} else {
			_, err = f.NewSheet(t.Name)
		}
		if err != nil {
			return fmt.Errorf("write xlsx sheet %s: %w", t.Name, err)
		}
		if err := writeSheet(f, st, t, lang); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// styles are the workbook's cell styles.
type styles struct {
	title, header int
	byKind        map[ColumnKind]int
}

func newStyles(f *excelize.File) (*styles, error) {
	st := &styles{byKind: map[ColumnKind]int{}}
	var err error
	if st.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}}); err != nil {
		return nil, fmt.Errorf("write xlsx: title style: %w", err)
	}
	if st.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	}); err != nil {
		return nil, fmt.Errorf("write xlsx: header style: %w", err)
	}
	for k, code := range numberFormats {
		code := code
		if st.byKind[k], err = f.NewStyle(&excelize.Style{CustomNumFmt: &code}); err != nil {
			return nil, fmt.Errorf("write xlsx: number style: %w", err)
		}
	}
	return st, nil
}

// writeSheet fills the sheet of t.
func writeSheet(f *excelize.File, st *styles, t Table, lang string) error {
	sheet := t.Name
	fail := func(err error) error { return fmt.Errorf("write xlsx sheet %s: %w", sheet, err) }
	row := 1
	if title := t.title(lang); title != "" {
		if err := f.SetCellStr(sheet, "A1", title); err != nil {
			return fail(err)
		}
		if err := f.SetCellStyle(sheet, "A1", "A1", st.title); err != nil {
			return fail(err)
		}
		row = 2
	}
	widths := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		h := c.header(lang)
		widths[i] = utf8.RuneCountInString(h)
		if err := f.SetCellStr(sheet, cell(i, row), h); err != nil {
			return fail(err)
		}
	}
	if len(t.Columns) > 0 {
		if err := f.SetCellStyle(sheet, cell(0, row), cell(len(t.Columns)-1, row), st.header); err != nil {
			return fail(err)
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: row, TopLeftCell: cell(0, row+1), ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}
	for r, values := range t.Rows {
		at := row + 1 + r
		for i, v := range values {
			s, _, err := text(t, r, i, v) // checks the type, and measures the width
			if err != nil {
				return err
			}
			if n := utf8.RuneCountInString(s); n > widths[i] {
				widths[i] = n
			}
			if err := setCell(f, st, sheet, cell(i, at), t.Columns[i].Kind, v); err != nil {
				return fail(err)
			}
		}
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, float64(min(max(w+2, minWidth), maxWidth))); err != nil {
			return fail(err)
		}
	}
	return nil
}

// setCell writes one value (already checked by text) with its kind's style.
func setCell(f *excelize.File, st *styles, sheet, at string, kind ColumnKind, v any) error {
	if v == nil {
		return nil
	}
	var err error
	switch kind {
	case Text:
		return f.SetCellStr(sheet, at, plaintext.Shown(v.(string)))
	case Integer:
		n, _ := integer(v)
		err = f.SetCellInt(sheet, at, n)
	case Decimal, Percent:
		d, _ := decimal(v)
		err = f.SetCellFloat(sheet, at, d, -1, 64)
	case Date, DateTime:
		tm, _ := timeOf(v)
		if tm.IsZero() {
			return nil
		}
		err = f.SetCellFloat(sheet, at, serial(tm, kind == Date), -1, 64)
	}
	if err != nil {
		return err
	}
	return f.SetCellStyle(sheet, at, at, st.byKind[kind])
}

// serial is Excel's date number of t's wall clock in its own location (whole
// days for a date; to the minute otherwise).
func serial(t time.Time, dateOnly bool) float64 {
	y, m, d := t.Date()
	if dateOnly {
		return float64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(excelEpoch) / (24 * time.Hour))
	}
	wall := time.Date(y, m, d, t.Hour(), t.Minute(), 0, 0, time.UTC)
	return float64(wall.Sub(excelEpoch)/time.Minute) / (24 * 60)
}

// cell is the A1 name of a 0-based column and 1-based row.
func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col+1, row)
	return name
}
