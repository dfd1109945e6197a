package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ecitizen/internal/roster"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(nil, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "data" || c.MongoURI != "" || c.MongoDatabase != "ecitizen" || c.AdminEmail != "admin@localhost" {
		t.Fatalf("defaults: %+v", c)
	}
	if c.SQLitePath() != filepath.Join("data", "ecitizen.db") {
		t.Fatalf("SQLitePath %q", c.SQLitePath())
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	c, err := Load([]string{"-addr", "127.0.0.1:9000", "-data-dir", "/tmp/x"}, env(map[string]string{"ECITIZEN_ADDR": ":1"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.DataDir != "/tmp/x" {
		t.Fatalf("%+v", c)
	}
}

func TestLoadRejectsInvalid(t *testing.T) {
	cases := map[string]string{
		"ECITIZEN_ADDR":             "8080",
		"ECITIZEN_MONGODB_URI":      "postgres://x",
		"ECITIZEN_MONGODB_DATABASE": "a/b",
		"ECITIZEN_JWT_KEY":          "dG9vIHNob3J0",
		"ECITIZEN_DATA_KEY":         "%%%",
		"ECITIZEN_TRUSTED_PROXIES":  "proxy.local",
		"ECITIZEN_CORS_ORIGINS":     "*",
		"ECITIZEN_LOG_LEVEL":        "verbose",
		"ECITIZEN_ADMIN_EMAIL":      "admin",
		"ECITIZEN_ADMIN_PASSWORD":   "123",
		"ECITIZEN_LOGIN_LIMIT":      "5",
		"ECITIZEN_SHUTDOWN_GRACE":   "-1s",
		"ECITIZEN_NO_SHOW_RULE":     "3/90d",
		"ECITIZEN_PUBLIC_URL":       "ecitizen.example.vn",
		"ECITIZEN_MEMORY_LIMIT":     "lots",
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Load(nil, env(map[string]string{name: v}), &bytes.Buffer{})
			if err == nil || !strings.HasPrefix(err.Error(), name+":") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line starting with %s", err, name)
			}
		})
	}
}

func TestLoadParsesLists(t *testing.T) {
	c, err := Load(nil, env(map[string]string{
		"ECITIZEN_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16",
		"ECITIZEN_CORS_ORIGINS":    "https://ecitizen.example.vn,http://localhost:5173",
		"ECITIZEN_LOGIN_LIMIT":     "3/30s,10/1s",
		"ECITIZEN_JWT_KEY":         "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
	}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 2 || len(c.CORSOrigins) != 2 || c.LoginLimits.AccountBurst != 3 || c.LoginLimits.AddrBurst != 10 || len(c.JWTKey) != 32 {
		t.Fatalf("%+v", c)
	}
}

func TestNoShowRule(t *testing.T) {
	c, err := Load(nil, env(nil), &bytes.Buffer{})
	if err != nil || c.NoShowRule != roster.DefaultNoShowRule {
		t.Fatalf("default rule %+v, %v", c.NoShowRule, err)
	}
	day := 24 * time.Hour
	for v, want := range map[string]roster.NoShowRule{
		"3/90d/30d":      {Count: 3, Window: 90 * day, Suspension: 30 * day},
		"2/720h/168h":    {Count: 2, Window: 720 * time.Hour, Suspension: 168 * time.Hour},
		" 5 / 30d / 7d ": {Count: 5, Window: 30 * day, Suspension: 7 * day},
	} {
		c, err := Load(nil, env(map[string]string{"ECITIZEN_NO_SHOW_RULE": v}), &bytes.Buffer{})
		if err != nil || c.NoShowRule != want {
			t.Errorf("%q: %+v, %v; want %+v", v, c, err, want)
		}
	}
	for _, v := range []string{"3", "0/90d/30d", "x/90d/30d", "3/90/30d", "3/-1d/30d", "3/90d/0s", "3/90d/30d/1", "3/9999999d/30d"} {
		_, err := Load(nil, env(map[string]string{"ECITIZEN_NO_SHOW_RULE": v}), &bytes.Buffer{})
		if err == nil || !strings.HasPrefix(err.Error(), "ECITIZEN_NO_SHOW_RULE:") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: err = %v, want one line naming ECITIZEN_NO_SHOW_RULE", v, err)
		}
	}
}

func TestEnsureKeysCreatesOnceAndKeeps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	c := &Config{DataDir: dir}
	if err := c.EnsureKeys(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"jwt.key", "data.key"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	again := &Config{DataDir: dir}
	if err := again.EnsureKeys(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.JWTKey, again.JWTKey) || !bytes.Equal(c.DataKey, again.DataKey) || bytes.Equal(c.JWTKey, c.DataKey) {
		t.Fatal("keys not kept across starts, or the two keys are equal")
	}
	configured := &Config{DataDir: dir, JWTKey: bytes.Repeat([]byte{1}, 32)}
	if err := configured.EnsureKeys(); err != nil || configured.JWTKey[0] != 1 {
		t.Fatal("a configured key was replaced")
	}
}

func TestPublicURL(t *testing.T) {
	c, err := Load(nil, env(nil), &bytes.Buffer{})
	if err != nil || c.PublicURL != "http://localhost:8080" {
		t.Fatalf("default public URL %q, %v", c.PublicURL, err)
	}
	for v, want := range map[string]string{
		"https://ecitizen.example.vn":  "https://ecitizen.example.vn",
		"https://ecitizen.example.vn/": "https://ecitizen.example.vn",
		"https://example.vn/ecitizen/": "https://example.vn/ecitizen",
		"http://10.0.0.5:8080":         "http://10.0.0.5:8080",
	} {
		c, err := Load(nil, env(map[string]string{"ECITIZEN_PUBLIC_URL": v}), &bytes.Buffer{})
		if err != nil || c.PublicURL != want {
			t.Errorf("ECITIZEN_PUBLIC_URL=%q: %q, %v; want %q", v, c.PublicURL, err, want)
		}
	}
	for _, v := range []string{"ecitizen.example.vn", "/api", "ftp://example.vn", "https://example.vn/?x=1", "https://example.vn?",
		"https://example.vn/#top", "https://user:pw@example.vn", "https://", "javascript:alert(1)"} {
		_, err := Load(nil, env(map[string]string{"ECITIZEN_PUBLIC_URL": v}), &bytes.Buffer{})
		if err == nil || !strings.HasPrefix(err.Error(), "ECITIZEN_PUBLIC_URL:") {
			t.Errorf("ECITIZEN_PUBLIC_URL=%q: err = %v, want a refusal", v, err)
		}
	}
}

func TestDataKeysOld(t *testing.T) {
	a := "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=" // 32 bytes
	b := "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=" // 32 bytes
	c, err := Load(nil, env(map[string]string{"ECITIZEN_DATA_KEY": b, "ECITIZEN_DATA_KEYS_OLD": " " + a + " ,"}), &bytes.Buffer{})
	if err != nil || len(c.DataKeysOld) != 1 || string(c.DataKeysOld[0]) != "01234567890123456789012345678901" {
		t.Fatalf("one old key: %+v, %v", c, err)
	}
	c, err = Load(nil, env(nil), &bytes.Buffer{})
	if err != nil || c.DataKeysOld != nil {
		t.Fatalf("no old keys by default: %v, %v", c.DataKeysOld, err)
	}
	for name, tc := range map[string]struct{ current, old, want string }{
		"BadBase64":       {b, a + ",%%%", "ECITIZEN_DATA_KEYS_OLD: key 2: not base64"},
		"WrongLength":     {b, "dG9vIHNob3J0", "ECITIZEN_DATA_KEYS_OLD: key 1: decodes to 9 bytes"},
		"Twice":           {b, a + "," + a, "ECITIZEN_DATA_KEYS_OLD: key 2 is given twice"},
		"CurrentAsOld":    {b, a + "," + b, "ECITIZEN_DATA_KEYS_OLD: key 2 is given twice or is the current data key"},
		"CurrentAsOldURL": {b, strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(b), "="), "is the current data key"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(nil, env(map[string]string{"ECITIZEN_DATA_KEY": tc.current, "ECITIZEN_DATA_KEYS_OLD": tc.old}), &bytes.Buffer{})
			if err == nil || !strings.HasPrefix(err.Error(), "ECITIZEN_DATA_KEYS_OLD:") || !strings.Contains(err.Error(), strings.TrimPrefix(tc.want, "")) ||
				strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), a) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// The current key read from the data directory is checked against the old ones too.
	dir := t.TempDir()
	first := &Config{DataDir: dir}
	if err := first.EnsureKeys(); err != nil {
		t.Fatal(err)
	}
	again := &Config{DataDir: dir, DataKeysOld: [][]byte{first.DataKey}}
	if err := again.EnsureKeys(); err == nil || !strings.HasPrefix(err.Error(), "ECITIZEN_DATA_KEYS_OLD:") {
		t.Fatalf("the key file's key given as old: %v", err)
	}
}

func TestMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want int64
	}{
		{nil, DefaultMemoryLimit},
		{map[string]string{"GOMEMLIMIT": "1GiB"}, 0}, // the runtime applies it
		{map[string]string{"ECITIZEN_MEMORY_LIMIT": "off"}, 0},
		{map[string]string{"ECITIZEN_MEMORY_LIMIT": "256MiB", "GOMEMLIMIT": "1GiB"}, 256 << 20},
		{map[string]string{"ECITIZEN_MEMORY_LIMIT": "1GiB"}, 1 << 30},
		{map[string]string{"ECITIZEN_MEMORY_LIMIT": "20000000"}, 20000000},
		{map[string]string{"ECITIZEN_MEMORY_LIMIT": "20000000B"}, 20000000},
		{map[string]string{"ECITIZEN_MEMORY_LIMIT": "65536KiB"}, 64 << 20},
	} {
		got, err := Load(nil, env(c.env), &bytes.Buffer{})
		if err != nil {
			t.Errorf("%v: %v", c.env, err)
		} else if got.MemoryLimit != c.want {
			t.Errorf("%v: limit %d, want %d", c.env, got.MemoryLimit, c.want)
		}
	}
	for _, v := range []string{"0", "-1MiB", "1MiB", "160MB", "160 MiB", "1.5GiB", "99999999999TiB", "none"} {
		_, err := Load(nil, env(map[string]string{"ECITIZEN_MEMORY_LIMIT": v}), &bytes.Buffer{})
		if err == nil || !strings.HasPrefix(err.Error(), "ECITIZEN_MEMORY_LIMIT:") {
			t.Errorf("%q: err = %v, want one naming ECITIZEN_MEMORY_LIMIT", v, err)
		}
	}
}

func TestMail(t *testing.T) {
	c, err := Load(nil, env(nil), &bytes.Buffer{})
	if err != nil || c.SMTPURL != "" || c.MailFrom != "" {
		t.Fatalf("mail is off by default: %+v, %v", c, err)
	}
	for _, ok := range []string{"smtp://u:p@mail.example.vn:587", "smtps://u:p@mail.example.vn:465", "smtp://mail.example.vn", "file:"} {
		c, err := Load(nil, env(map[string]string{"ECITIZEN_SMTP_URL": ok, "ECITIZEN_MAIL_FROM": "ecitizen@phuong.example.vn"}), &bytes.Buffer{})
		if err != nil || c.SMTPURL != ok {
			t.Errorf("%s: %v", ok, err)
		}
	}
	bad := map[string]map[string]string{
		"ECITIZEN_SMTP_URL":  {"ECITIZEN_SMTP_URL": "http://u:mat-khau-smtp@host:25", "ECITIZEN_MAIL_FROM": "a@b.vn"},
		"ECITIZEN_MAIL_FROM": {"ECITIZEN_SMTP_URL": "smtp://u:mat-khau-smtp@host:587"},
	}
	for name, e := range bad {
		_, err := Load(nil, env(e), &bytes.Buffer{})
		if err == nil || !strings.HasPrefix(err.Error(), name+":") || strings.Contains(err.Error(), "mat-khau-smtp") {
			t.Errorf("%v: err = %v, want one line starting with %s and no password", e, err, name)
		}
	}
	for _, v := range []string{"smtp://u:p@:587", "smtp://u:p@host:99999", "file:/etc", "mailto:a@b.vn"} {
		if _, err := Load(nil, env(map[string]string{"ECITIZEN_SMTP_URL": v, "ECITIZEN_MAIL_FROM": "a@b.vn"}), &bytes.Buffer{}); err == nil {
			t.Errorf("%s accepted", v)
		}
	}
	if _, err := Load(nil, env(map[string]string{"ECITIZEN_MAIL_FROM": "a@b.vn"}), &bytes.Buffer{}); err == nil {
		t.Error("ECITIZEN_MAIL_FROM without ECITIZEN_SMTP_URL accepted")
	}
	c = &Config{SMTPURL: "smtp://mailer:mat-khau-smtp@host:587"}
	if r := c.SMTPURLRedacted(); strings.Contains(r, "mat-khau-smtp") || !strings.Contains(r, "host:587") {
		t.Errorf("redacted %q", r)
	}
}
