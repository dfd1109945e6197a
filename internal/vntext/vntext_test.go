package vntext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	cases := map[string]string{
		"Dịch vụ công":            "dich vu cong",
		"ĐĂNG KÝ khai sinh":       "dang ky khai sinh",
		"  Cổng   Dịch-vụ  công ": "cong dich vu cong",
		"Tài khoản định danh":     "tai khoan dinh danh",
		"Thanh toán phí, lệ phí":  "thanh toan phi le phi",
		"Nhận diện lừa đảo":       "nhan dien lua dao",
		"Ma\u0301y ti\u0301nh":    "may tinh", // combining accents
	}
	for in, want := range cases {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTerms(t *testing.T) {
	got := Terms("Dịch vụ dịch VỤ công")
	if len(got) != 3 || got[0] != "dich" || got[1] != "vu" || got[2] != "cong" {
		t.Fatalf("Terms = %q", got)
	}
	if n := len(Terms("a b c d e f g h i j k")); n != maxTerms {
		t.Fatalf("%d terms, want %d", n, maxTerms)
	}
	if got := Terms(""); len(got) != 0 {
		t.Fatalf("Terms(\"\") = %q", got)
	}
	// A long term is cut to maxTermLen bytes at most, never inside a character.
	long := strings.Repeat("a", maxTermLen-1) + "ж"
	got = Terms(long)
	if len(got) != 1 || len(got[0]) > maxTermLen || !utf8.ValidString(got[0]) || got[0] != strings.Repeat("a", maxTermLen-1) {
		t.Fatalf("Terms(long) = %q", got)
	}
}

func TestKeyIgnoresCaseSpacingAndComposition(t *testing.T) {
	composed := "Máy tính 3"
	decomposed := "Ma\u0301y ti\u0301nh 3" // the same text with combining accents
	for _, l := range []string{composed, decomposed, "  MÁY   TÍNH 3 ", "máy\ttính\n3"} {
		if got := Key(l); got != "máy tính 3" {
			t.Errorf("Key(%q) = %q, want %q", l, got, "máy tính 3")
		}
	}
}

func TestKeyKeepsDiacritics(t *testing.T) {
	for _, p := range [][2]string{{"Máy tính 3", "May tinh 3"}, {"Bàn 1", "Bán 1"}, {"Đèn", "Den"}} {
		if Key(p[0]) == Key(p[1]) {
			t.Errorf("Key(%q) == Key(%q): diacritics are part of a key", p[0], p[1])
		}
	}
	if Key("") != "" || Key(" \t ") != "" {
		t.Error("a blank text has a non-empty key")
	}
}
