// Package export renders tables of figures as CSV and XLSX files for download,
// with Vietnamese headers by default.
//
// A Table is a list of typed columns (text, integer, decimal, percent, date,
// date and time) and rows of values. Numbers stay numbers in both formats
// (unformatted in CSV, numeric cells in XLSX); text is never a formula: a CSV
// text cell that a spreadsheet would read as one (starting with = + - @ TAB CR,
// the OWASP "CSV injection" list) is prefixed with a single quote, and XLSX text
// cells are strings. Tables hold no personal numbers: callers put figures and
// display names in them, never phones, emails or national IDs.
//
// Files: table.go (Table, Column, values), csv.go (WriteCSV), xlsx.go
// (WriteXLSX), http.go (formats, content types, file names).
package export

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"ecitizen/internal/plaintext"
)

// ColumnKind is how a column's values are written.
type ColumnKind int

// Column kinds. A value of the wrong Go type for its column is an error of the
// writer; nil is an empty cell in every kind.
const (
	// Text takes a string.
	Text ColumnKind = iota
	// Integer takes any Go integer.
	Integer
	// Decimal takes a float or an integer.
	Decimal
	// Percent takes a float or an integer in percent points (12.5 is 12.5 %);
	// its header says "%".
	Percent
	// Date takes a time.Time, written as its day (YYYY-MM-DD) in its own location:
	// callers pass times in the location whose day they mean (Asia/Ho_Chi_Minh).
	Date
	// DateTime takes a time.Time, written as YYYY-MM-DD HH:MM in its own location.
	DateTime
)

// Languages of headers and titles. Any other value means Vietnamese.
const (
	LangVi = "vi"
	LangEn = "en"
)

// Column is a column of a table: a key (stable, for machines), its headers in
// Vietnamese and English, and its kind.
type Column struct {
	Key    string
	Vi, En string
	Kind   ColumnKind
}

// Table is a table to export. Name is the ASCII name of its sheet and file
// (letters, digits, '-' and '_'; at most 31 characters); the titles are optional.
type Table struct {
	Name             string
	TitleVi, TitleEn string
	Columns          []Column
	Rows             [][]any
}

// header returns the column's header in lang.
func (c Column) header(lang string) string {
	if lang == LangEn && c.En != "" {
		return c.En
	}
	return c.Vi
}

// title returns the table's title in lang ("" when it has none).
func (t Table) title(lang string) string {
	if lang == LangEn && t.TitleEn != "" {
		return t.TitleEn
	}
	return t.TitleVi
}

// Lang returns the language headers are written in: en for "en", else vi.
func Lang(lang string) string {
	if lang == LangEn {
		return LangEn
	}
	return LangVi
}

// check reports a table whose rows do not match its columns.
func (t Table) check() error {
	if !validName(t.Name) {
		return fmt.Errorf("export table %q: the name is 1 to 31 ASCII letters, digits, '-' or '_'", t.Name)
	}
	for i, r := range t.Rows {
		if len(r) != len(t.Columns) {
			return fmt.Errorf("export table %s: row %d has %d values for %d columns", t.Name, i, len(r), len(t.Columns))
		}
	}
	return nil
}

func validName(s string) bool {
	if s == "" || len(s) > 31 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// integer returns v as an int64 when it is a Go integer.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint:
		if uint64(n) <= math.MaxInt64 {
			return int64(n), true
		}
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), true
		}
	}
	return 0, false
}

// decimal returns v as a finite float64 when it is a Go number.
func decimal(v any) (float64, bool) {
	if n, ok := integer(v); ok {
		return float64(n), true
	}
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case float32:
		f = float64(n)
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// formatDecimal writes a float without exponent or thousands separator, '.' as
// the decimal mark, with as few digits as read back the same value.
func formatDecimal(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// cellError is a value of the wrong type for its column.
func cellError(t Table, row, col int, v any) error {
	return fmt.Errorf("export table %s: row %d column %s: %T is not a value of its kind", t.Name, row, t.Columns[col].Key, v)
}

// timeOf returns v as a time.Time (the zero time for a nil pointer, an empty
// cell) when it is one.
func timeOf(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, true
	case *time.Time:
		if t == nil {
			return time.Time{}, true
		}
		return *t, true
	}
	return time.Time{}, false
}

// text returns the cell's text as CSV writes it (before the formula guard), and
// whether it is text (so the guard applies).
func text(t Table, row, col int, v any) (s string, isText bool, err error) {
	if v == nil {
		return "", false, nil
	}
	switch t.Columns[col].Kind {
	case Text:
		s, ok := v.(string)
		if !ok {
			return "", false, cellError(t, row, col, v)
		}
		// Text stored before plaintext's rule loses its hidden characters here.
		return plaintext.Shown(s), true, nil
	case Integer:
		n, ok := integer(v)
		if !ok {
			return "", false, cellError(t, row, col, v)
		}
		return strconv.FormatInt(n, 10), false, nil
	case Decimal, Percent:
		f, ok := decimal(v)
		if !ok {
			return "", false, cellError(t, row, col, v)
		}
		return formatDecimal(f), false, nil
	case Date, DateTime:
		tm, ok := timeOf(v)
		switch {
		case !ok:
			return "", false, cellError(t, row, col, v)
		case tm.IsZero():
			return "", false, nil
		case t.Columns[col].Kind == Date:
			return tm.Format(time.DateOnly), false, nil
		}
		return tm.Format("2006-01-02 15:04"), false, nil
	}
	return "", false, fmt.Errorf("export table %s: column %s has an unknown kind", t.Name, t.Columns[col].Key)
}
