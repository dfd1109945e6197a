package export

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Format is a file format of an export.
type Format string

// Formats.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Content types of the formats.
const (
	ContentTypeCSV  = "text/csv; charset=utf-8"
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// ParseFormat returns the format named s (csv or xlsx) and whether it is one.
func ParseFormat(s string) (Format, bool) {
	switch Format(s) {
	case CSV, XLSX:
		return Format(s), true
	}
	return "", false
}

// ContentType is the format's media type.
func (f Format) ContentType() string {
	if f == XLSX {
		return ContentTypeXLSX
	}
	return ContentTypeCSV
}

// FileName returns ecitizen-<name>-<YYYY-MM-DD>.<format>, the name of a file
// made on day (its day in its own location); name is reduced to ASCII letters,
// digits, '-' and '_' (others become '-').
func FileName(name string, day time.Time, f Format) string {
	var b []byte
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			c = '-'
		}
		b = append(b, byte(c))
	}
	if len(b) == 0 {
		b = []byte("export")
	}
	return fmt.Sprintf("ecitizen-%s-%s.%s", b, day.Format(time.DateOnly), f)
}

// ContentDisposition is the Content-Disposition header that downloads a file
// named by FileName (ASCII, so no encoding is needed).
func ContentDisposition(fileName string) string {
	return `attachment; filename="` + fileName + `"`
}

// Write writes tables as one file of format f: a CSV of the first table, or a
// workbook with a sheet per table; headers in lang.
func Write(w io.Writer, f Format, tables []Table, lang string) error {
	if f == CSV {
		if len(tables) == 0 {
			return fmt.Errorf("export: a CSV file needs a table")
		}
		return WriteCSV(w, tables[0], lang)
	}
	return WriteXLSX(w, tables, lang)
}

// Name names an export: its kind, and its table when there is only one
// ("ward-skills" for the ward's skills table).
func Name(kind string, tables []string) string {
	if len(tables) == 1 {
		return kind + "-" + strings.ReplaceAll(tables[0], "_", "-")
	}
	return kind
}
