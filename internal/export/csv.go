package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// bom is UTF-8's byte order mark: Excel reads a CSV file as UTF-8 only after it.
const bom = "\uFEFF"

// formulaStart holds the first characters that make a spreadsheet read a cell
// as a formula (OWASP CSV injection).
const formulaStart = "=+-@\t\r"

// WriteCSV writes t as CSV (RFC 4180, UTF-8 with a byte order mark): a header
// row in lang (Vietnamese unless "en"), then the rows. Numbers are unformatted
// ('.' as the decimal mark), dates YYYY-MM-DD; a text cell starting with one of
// = + - @ TAB CR is prefixed with a single quote so it is never run as a formula.
func WriteCSV(w io.Writer, t Table, lang string) error {
	if err := t.check(); err != nil {
		return err
	}
	lang = Lang(lang)
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(bom); err != nil {
		return fmt.Errorf("write csv %s: %w", t.Name, err)
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true // RFC 4180
	rec := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		rec[i] = guard(c.header(lang))
	}
	if err := cw.Write(rec); err != nil {
		return fmt.Errorf("write csv %s: %w", t.Name, err)
	}
	for r, row := range t.Rows {
		for i, v := range row {
			s, isText, err := text(t, r, i, v)
			if err != nil {
				return err
			}
			if isText {
				s = guard(s)
			}
			rec[i] = s
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv %s: %w", t.Name, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv %s: %w", t.Name, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write csv %s: %w", t.Name, err)
	}
	return nil
}

// guard prefixes a text that a spreadsheet would run as a formula with a quote.
func guard(s string) string {
	if s != "" && strings.ContainsRune(formulaStart, rune(s[0])) {
		return "'" + s
	}
	return s
}
