package resident

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"ecitizen/internal/apperr"
)

// FuzzReadImport drives an uploaded CSV file through the parsing Import runs
// before it reads or writes any resident (readImport: byte-order mark, header
// mapping, rows), then each cell through the checks of importRow that need no
// store (encoding, formula, consent date). Nothing panics; a refused file is a
// coded validation error (400), never an internal one; an accepted file has
// every required column once, known columns only, at most MaxImportRows rows,
// and row numbers (the lines the report names) that increase and stay inside
// the file.
func FuzzReadImport(f *testing.F) {
	header := "ho_ten,nam_sinh,to_dan_pho,dong_y,so_dien_thoai,cccd,gioi_tinh,ghi_chu,ngay_dong_y\n"
	for _, file := range []string{
		header + "Nguyễn Thị Hoa,1958,Tổ 5,có,0912345678,001203004567,nữ,,14/05/2026\n",
		"\ufeffHọ và tên, NĂM SINH ,Tổ dân phố,Đồng ý,SĐT\r\nA,1950,Tổ 1,có,\r\n\r\n\"B\nC\",1951,Tổ 2,x,\r\n",
		"full_name,birth_year,residential_group,consent,consent_version,consent_given_at\nTrần Văn Nam,1949,Tổ 3,yes,v1,2026-05-14T09:30:00+07:00\n",
		header + "=1+1,1958,@SUM(A1),x,,,,-,4/5/2026\n",
		header + "\"Lê \"\"Bé\"\"\",1958,Tổ 5,x\n", // fewer cells than columns
		header + "Lê Bé,1958,Tổ 5,x,,,,,,,,,\n",    // more
		"",
		"\ufeff",
		"\n\n\n",
		"ho_ten,nam_sinh,to_dan_pho,dong_y,mat_khau,x\n",
		"ho_ten,full_name,nam_sinh,to_dan_pho,dong_y\n",
		"ho_ten,nam_sinh,to_dan_pho\n",
		"ho_ten,nam_sinh,to_dan_pho,dong_y\n\"A,1950,Tổ 1,có\n",
		"ho_ten,nam_sinh,to_dan_pho,dong_y,ghi_ch\xfa\n",
		"ho_ten,nam_sinh,to_dan_pho,dong_y\n\xff\xfe,1950,T\xe1,x\n", // Windows-1258 cells
		"\xff\xfeh\x00o\x00_\x00t\x00e\x00n\x00\n\x00",               // UTF-16
		"ho_ten;nam_sinh;to_dan_pho;dong_y\nA;1950;T1;x\n",           // semicolons, as a Vietnamese Excel saves
		"ho_ten,nam_sinh,to_dan_pho,dong_y\rA,1950,T1,x\r",           // old Mac line ends
		"ho_ten,nam_sinh,to_dan_pho,dong_y\na\"b,1950,T1,x\n",        // a bare quote
		"ho_ten,nam_sinh,to_dan_pho,dong_y\n" + strings.Repeat("A,1950,T1,x\n", MaxImportRows+1),
		"ho_ten,nam_sinh,to_dan_pho,dong_y\n" + strings.Repeat("A,1950,T1,x\n", MaxImportRows),
		"ho_ten,nam_sinh,to_dan_pho,dong_y\n\"" + strings.Repeat("x", 1<<16) + "\",1950,T1,x\n",
	} {
		f.Add([]byte(file))
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		cols, rows, err := readImport(file)
		if err != nil {
			if !isInvalid(err) {
				t.Fatalf("readImport = %v (%T), want a coded validation error", err, err)
			}
			return
		}
		for i, c := range cols {
			if importColumns[c] != c || slices.Contains(cols[:i], c) {
				t.Fatalf("columns %q", cols)
			}
		}
		for _, r := range importRequired {
			if !slices.Contains(cols, r) {
				t.Fatalf("columns %q lack %s", cols, r)
			}
		}
		if len(rows) > MaxImportRows {
			t.Fatalf("%d rows", len(rows))
		}
		lines := bytes.Count(file, []byte("\n")) + 1
		for i, row := range rows {
			if row.line < 2 || row.line > lines || (i > 0 && row.line <= rows[i-1].line) || len(row.cells) == 0 {
				t.Fatalf("row %d: line %d of %d, after %+v", i, row.line, lines, rows[max(i-1, 0)])
			}
			for _, cell := range row.cells {
				if !utf8.ValidString(cell) {
					continue // importRow reports the cell, and reads no more of it
				}
				formulaStart(cell)
				parseImportDate(strings.TrimSpace(cell))
			}
		}
	})
}

// isInvalid reports whether err is a coded validation error with a field.
func isInvalid(err error) bool {
	e := apperr.As(err)
	return e != nil && e.Code == apperr.CodeInvalid && len(e.Fields) == 1 && e.Fields[0].Field != ""
}
