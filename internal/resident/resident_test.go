package resident

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"ecitizen/content"
	"ecitizen/internal/apperr"
)

func TestNormalisePhone(t *testing.T) {
	for _, in := range []string{"0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678", "(+84) 912-345-678", " +84912345678 "} {
		got, err := NormalisePhone(in)
		if err != nil || got != "+84912345678" {
			t.Errorf("NormalisePhone(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0123456789", "091234567", "09123456789", "+1 912 345 678", "0912a45678", "+840912345678", "0243 826 1234"} {
		got, err := NormalisePhone(in)
		e := apperr.As(err)
		if err == nil || e == nil || e.Fields[0].Field != "phone" {
			t.Errorf("NormalisePhone(%q) = %q, %v; want invalid phone", in, got, err)
			continue
		}
		if in != "" && (strings.Contains(e.Vi+e.En+e.Fields[0].Vi+e.Fields[0].En, strings.TrimSpace(in))) {
			t.Errorf("the error repeats the number %q", in)
		}
	}
}

func TestNormaliseNationalID(t *testing.T) {
	for _, in := range []string{"001203004567", "001 203 004 567"} {
		if got, err := NormaliseNationalID(in); err != nil || got != "001203004567" {
			t.Errorf("NormaliseNationalID(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "00120300456", "0012030045678", "00120300456a", "１２３４５６７８９０１２"} {
		if _, err := NormaliseNationalID(in); err == nil || apperr.As(err).Fields[0].Field != "national_id" {
			t.Errorf("NormaliseNationalID(%q) = %v, want invalid national_id", in, err)
		}
	}
}

func TestCrypterSealsPerResidentAndField(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	c, err := NewCrypter(key)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := c.Seal("r1", KindPhone, "+84912345678")
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := c.Seal("r1", KindPhone, "+84912345678")
	if string(s1.Box) == string(s2.Box) {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	if strings.Contains(string(s1.Box), "912345678") {
		t.Error("the ciphertext holds the plaintext")
	}
	if got, err := c.Open("r1", KindPhone, s1); err != nil || got != "+84912345678" {
		t.Errorf("Open = %q, %v", got, err)
	}
	if _, err := c.Open("r2", KindPhone, s1); err == nil {
		t.Error("a ciphertext moved to another resident opens")
	}
	if _, err := c.Open("r1", KindNationalID, s1); err == nil {
		t.Error("a ciphertext moved to another field opens")
	}
	other := make([]byte, 32)
	o, _ := NewCrypter(other)
	if _, err := o.Open("r1", KindPhone, s1); err == nil || o.KeyID() == c.KeyID() {
		t.Error("another key opens the ciphertext, or has the same key id")
	}
	again, _ := NewCrypter(key)
	if c.Index(KindPhone, "+84912345678") != again.Index(KindPhone, "+84912345678") ||
		c.Index(KindPhone, "+84912345678") == o.Index(KindPhone, "+84912345678") ||
		c.Index(KindPhone, "001203004567") == c.Index(KindNationalID, "001203004567") {
		t.Error("blind indexes are not deterministic per key and kind")
	}
	if _, err := NewCrypter(key[:16]); err == nil {
		t.Error("a 16-byte data key is accepted")
	}
}

func TestLoadConsents(t *testing.T) {
	cs, err := LoadConsents(content.FS, "consent.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cur := cs.Current(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	if cur.ID != "2026-11" || !cs.Known("2026-11") || cs.Known("1999-01") {
		t.Fatalf("current %s", cur.ID)
	}
	for _, want := range []string{"Nghị định 13/2023/NĐ-CP", "Mục đích", "căn cước công dân", "rút lại sự đồng ý", "xoá", "Ủy ban nhân dân phường", "Thời gian lưu trữ"} {
		if !strings.Contains(cur.Text.Vi, want) {
			t.Errorf("the Vietnamese text lacks %q", want)
		}
	}
	for _, want := range []string{"Purpose", "withdraw", "deleted", "national ID", "kept"} {
		if !strings.Contains(cur.Text.En, want) {
			t.Errorf("the English text lacks %q", want)
		}
	}
	two := fstest.MapFS{"c.yaml": {Data: []byte(`versions:
  - {id: "2027-06", effective: 2027-06-01, text: {vi: "Mới", en: "New"}}
  - {id: "2026-11", effective: 2026-11-01, text: {vi: "Cũ", en: "Old"}}
`)}}
	cs, err = LoadConsents(two, "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cs.Current(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)).ID; got != "2026-11" {
		t.Errorf("before the new one is effective: %s", got)
	}
	if got := cs.Current(time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)).ID; got != "2027-06" {
		t.Errorf("once the new one is effective: %s", got)
	}
	for name, bad := range map[string]string{
		"empty":       "versions: []\n",
		"no en":       `versions: [{id: "a", effective: 2026-11-01, text: {vi: "x"}}]`,
		"repeated":    `versions: [{id: "a", effective: 2026-11-01, text: {vi: "x", en: "y"}}, {id: "a", effective: 2026-12-01, text: {vi: "x", en: "y"}}]`,
		"bad date":    `versions: [{id: "a", effective: 01/11/2026, text: {vi: "x", en: "y"}}]`,
		"no date":     `versions: [{id: "a", text: {vi: "x", en: "y"}}]`,
		"unknown":     `versions: [{id: "a", effective: 2026-11-01, text: {vi: "x", en: "y"}, extra: 1}]`,
		"no id":       `versions: [{effective: 2026-11-01, text: {vi: "x", en: "y"}}]`,
		"not yaml":    `{{`,
		"no versions": "other: 1\n",
	} {
		if _, err := LoadConsents(fstest.MapFS{"c.yaml": {Data: []byte(bad)}}, "c.yaml"); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

func TestValidateSetsKeys(t *testing.T) {
	r := &Resident{FullName: "  Nguyễn   Văn  A ", BirthYear: 1958, Group: " Tổ  5 "}
	if err := r.validate(2026); err != nil {
		t.Fatal(err)
	}
	if r.FullName != "Nguyễn Văn A" || r.NameKey != "nguyen van a" || r.DupKey != "nguyen van a|1958|to 5" {
		t.Errorf("%+v", r)
	}
	for field, edit := range map[string]func(*Resident){
		"full_name":         func(r *Resident) { r.FullName = strings.Repeat("a", 121) },
		"birth_year":        func(r *Resident) { r.BirthYear = 2027 },
		"gender":            func(r *Resident) { r.Gender = "x" },
		"residential_group": func(r *Resident) { r.Group = "" },
		"notes":             func(r *Resident) { r.Notes = strings.Repeat("a", 1001) },
	} {
		r := &Resident{FullName: "A", BirthYear: 1900, Group: "Tổ 1"}
		edit(r)
		if err := r.validate(2026); err == nil || apperr.As(err).Fields[0].Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}
