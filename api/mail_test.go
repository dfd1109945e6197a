package main

import (
	"crypto/rand"
	"encoding/base64"
	"mime"
	"net/http"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunMailsABookingToAFile: with ECITIZEN_SMTP_URL=file:, a booking made
// through the API reaches DATA_DIR/mail as one .eml file (0600), in
// Vietnamese, with a link to the shift; the request itself does not wait for it.
func TestRunMailsABookingToAFile(t *testing.T) {
	old := mailEvery
	mailEvery = 50 * time.Millisecond
	t.Cleanup(func() { mailEvery = old })
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := map[string]string{
		"ECITIZEN_DATA_DIR":       t.TempDir(),
		"ECITIZEN_JWT_KEY":        base64.StdEncoding.EncodeToString(key),
		"ECITIZEN_ADMIN_EMAIL":    "admin@quan.example.vn",
		"ECITIZEN_ADMIN_PASSWORD": "mat-khau-quan-tri",
		"ECITIZEN_SMTP_URL":       "file:",
		"ECITIZEN_MAIL_FROM":      "ecitizen@phuong.example.vn",
		"ECITIZEN_PUBLIC_URL":     "https://ecitizen.phuong.example.vn",
	}
	s := startService(t, env)
	admin, _ := login(t, s.base, "admin@quan.example.vn", "mat-khau-quan-tri")
	created := func(path string, body any) string {
		t.Helper()
		st, m := call(t, "POST", s.base+path, admin, body)
		if st != http.StatusCreated {
			t.Fatalf("POST %s: %d %v", path, st, m)
		}
		return m["id"].(string)
	}
	ward := created("/api/v1/wards", map[string]string{"code": "MAIL1", "name_vi": "Phường Lê Đại Hành", "name_en": "Le Dai Hanh Ward"})
	day := []map[string]string{{"open": "00:00", "close": "24:00"}}
	centre := created("/api/v1/wards/"+ward+"/centres", map[string]any{"name": "Nhà sinh hoạt tổ 9", "address": "9 Lê Đại Hành",
		"opening_hours": map[string]any{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}, "seats": 4})
	org := created("/api/v1/organisations", map[string]string{"kind": "university", "name": "Đại học Xây dựng"})
	_, tokens := crashVolunteers(t, env, key, org, 1)
	ict := time.FixedZone("ICT", 7*3600)
	in3 := time.Now().In(ict).AddDate(0, 0, 3)
	start := time.Date(in3.Year(), in3.Month(), in3.Day(), 9, 0, 0, 0, ict)
	shift := created("/api/v1/centres/"+centre+"/shifts", map[string]any{"title": "Ca trực thư", "role": "guide", "places": 2,
		"starts_at": start.UTC().Format(time.RFC3339), "ends_at": start.Add(2 * time.Hour).UTC().Format(time.RFC3339)})
	if st, m := call(t, "POST", s.base+"/api/v1/shifts/"+shift+"/bookings", tokens[0], nil); st != http.StatusCreated {
		t.Fatalf("book: %d %v", st, m)
	}

	var files []string
	for deadline := time.Now().Add(60 * time.Second); len(files) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no .eml file; logs:\n%s", s.logs)
		}
		files, _ = filepath.Glob(filepath.Join(env["ECITIZEN_DATA_DIR"], "mail", "*.eml"))
	}
	if len(files) != 1 {
		t.Fatalf("files %v, want one", files)
	}
	fi, err := os.Stat(files[0])
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	f, _ := os.Open(files[0])
	defer f.Close()
	m, err := netmail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	mt, _, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if subj != "Đã xác nhận đăng ký ca trực" || mt != "multipart/alternative" || !strings.Contains(m.Header.Get("To"), "tnv00@example.vn") {
		t.Fatalf("Subject %q, Content-Type %q, To %q", subj, m.Header.Get("Content-Type"), m.Header.Get("To"))
	}
	if !strings.Contains(s.logs.String(), `"msg":"mail on"`) {
		t.Errorf("no \"mail on\" line:\n%s", s.logs)
	}
}
