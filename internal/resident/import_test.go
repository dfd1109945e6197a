package resident

import (
	"errors"
	"testing"

	"ecitizen/internal/apperr"
)

func TestReadImportHeaders(t *testing.T) {
	cols, rows, err := readImport([]byte("\ufeffHọ và tên, NĂM SINH ,Tổ dân phố,Đồng ý,SĐT\r\nA,1950,Tổ 1,có,\r\n\r\n\"B\nC\",1951,Tổ 2,x,\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"full_name", "birth_year", "residential_group", "consent", "phone"}
	for i, c := range want {
		if cols[i] != c {
			t.Fatalf("columns %v, want %v", cols, want)
		}
	}
	if len(rows) != 2 || rows[0].line != 2 || rows[1].line != 4 {
		t.Fatalf("rows %+v", rows)
	}
	for name, file := range map[string]string{
		"empty":    "",
		"unknown":  "ho_ten,nam_sinh,to_dan_pho,dong_y,mat_khau,x\n",
		"repeated": "ho_ten,full_name,nam_sinh,to_dan_pho,dong_y\n",
		"missing":  "ho_ten,nam_sinh,to_dan_pho\n",
		"quotes":   "ho_ten,nam_sinh,to_dan_pho,dong_y\n\"A,1950,Tổ 1,có\n",
		"encoding": "ho_ten,nam_sinh,to_dan_pho,dong_y,ghi_ch\xfa\n",
	} {
		_, _, err := readImport([]byte(file))
		if !errors.Is(err, apperr.New(apperr.CodeInvalid, "", "")) {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

func TestFormulaStart(t *testing.T) {
	for s, want := range map[string]bool{"=1+1": true, "+84": true, "-": true, "@SUM": true, "\tx": true, "\rx": true,
		"Nguyễn": false, "": false, "Tổ 5 - khu A": false, "'); DROP TABLE x;--": false} {
		if formulaStart(s) != want {
			t.Errorf("formulaStart(%q) = %v", s, !want)
		}
	}
}

func TestParseImportDate(t *testing.T) {
	for _, s := range []string{"2026-05-14", "14/05/2026", "4/5/2026", "2026-05-14T09:30:00+07:00"} {
		if _, ok := parseImportDate(s); !ok {
			t.Errorf("%q not read", s)
		}
	}
	for _, s := range []string{"31/02/2026", "14-05-2026", "hôm qua", "2026/05/14"} {
		if _, ok := parseImportDate(s); ok {
			t.Errorf("%q read", s)
		}
	}
}
