package plaintext

import (
	"testing"

	"ecitizen/internal/apperr"
)

func TestLine(t *testing.T) {
	for _, s := range []string{"Nguyễn Thị Hoà", "Nhà văn hoá tổ 5 – phường Phúc Xá", "Đại học Bách khoa Hà Nội (HUST)", "O'Neil", "李小龍", "Café 😀",
		"Nguye\u0302\u0303n", "Lê Văn A\u00a0B"} {
		if err := Line("name", s); err != nil {
			t.Errorf("%q refused: %v", s, err)
		}
	}
	for _, s := range []string{"An\x00", "An\r\nB", "An\nB", "An\tB", "\u202egpj.exe", "An\u200bB", "An\u200dB", "\ufeffAn", "An\u2028B", "An\u2066B\u2069",
		"An\u00adB", "An\x1b[31m", "An\x7f", "An\ue000", "An\xff", string(rune(0x0378))} {
		err := Line("name", s)
		if e := apperr.As(err); e == nil || len(e.Fields) != 1 || e.Fields[0].Field != "name" || e.Fields[0].Code != "characters" {
			t.Errorf("%q: %v, want the field error characters", s, err)
		}
	}
}

func TestLines(t *testing.T) {
	if err := Lines("notes", "Dòng một\r\nDòng hai\tcột"); err != nil {
		t.Errorf("notes with line breaks refused: %v", err)
	}
	for _, s := range []string{"a\u202eb", "a\x00b", "a\u200bb"} {
		if Lines("notes", s) == nil {
			t.Errorf("%q accepted in notes", s)
		}
	}
}

func TestShown(t *testing.T) {
	for in, want := range map[string]string{
		"Nguyễn Thị Hoà":      "Nguyễn Thị Hoà",
		"\u202egpj.exe":       "gpj.exe",
		"An\x00\u200bB\ufeff": "AnB",
		"Dòng một\nDòng hai":  "Dòng một\nDòng hai",
		"An\xff\xfeB":         "AnB",
		"Lê\u2028Văn\u2029An": "LêVănAn",
	} {
		if got := Shown(in); got != want {
			t.Errorf("Shown(%q) = %q, want %q", in, got, want)
		}
	}
}
