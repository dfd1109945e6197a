// Package config turns environment variables and command-line flags into a Config
// with defaults that run on a laptop. Every variable is documented in the README.
// An invalid value stops the start with one line naming the variable.
package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/roster"
)

// Config is the whole configuration of one ecitizen process.
type Config struct {
	Addr          string // ECITIZEN_ADDR, default ":8080"
	DataDir       string // ECITIZEN_DATA_DIR, default "./data"
	MongoURI      string // ECITIZEN_MONGODB_URI; set: use MongoDB instead of SQLite
	MongoDatabase string // ECITIZEN_MONGODB_DATABASE, default "ecitizen"
	JWTKey        []byte // ECITIZEN_JWT_KEY, base64; absent: DataDir/jwt.key
	DataKey       []byte // ECITIZEN_DATA_KEY, base64 of 32 bytes; absent: DataDir/data.key
	// DataKeysOld are older data keys still accepted for reading while the
	// rotation job moves residents' numbers to DataKey (ECITIZEN_DATA_KEYS_OLD,
	// comma-separated base64 of 32 bytes each; none by default).
	DataKeysOld [][]byte
	// CreatedDataKey is the path of DataDir/data.key when EnsureKeys created it
	// in this start (it was missing); empty otherwise.
	CreatedDataKey string
	TrustedProxies []string // ECITIZEN_TRUSTED_PROXIES, comma-separated IPs or CIDRs; none by default
	CORSOrigins    []string // ECITIZEN_CORS_ORIGINS, comma-separated origins; none by default
	LogLevel       slog.Level
	AdminEmail     string // ECITIZEN_ADMIN_EMAIL, default "admin@localhost"
	AdminPassword  string // ECITIZEN_ADMIN_PASSWORD; absent: random, printed once
	LoginLimits    identity.LoginLimits
	ShutdownGrace  time.Duration     // ECITIZEN_SHUTDOWN_GRACE, default 20s
	NoShowRule     roster.NoShowRule // ECITIZEN_NO_SHOW_RULE, default "3/90d/30d"
	// PublicURL is where the API is reached from outside, without a trailing
	// slash (ECITIZEN_PUBLIC_URL, default "http://localhost:8080"): certificates'
	// QR codes and verification links point there.
	PublicURL string
	// MemoryLimit is the Go runtime's soft memory limit in bytes, applied at
	// start with debug.SetMemoryLimit (ECITIZEN_MEMORY_LIMIT, default
	// DefaultMemoryLimit; "off": none). 0 when it is off, or when it is unset
	// and GOMEMLIMIT is set: then the runtime applies GOMEMLIMIT itself.
	MemoryLimit int64
	// SMTPURL is where e-mail goes (ECITIZEN_SMTP_URL): smtp://user:pass@host:587
	// (STARTTLS required), smtps://user:pass@host:465 (implicit TLS), or "file:"
	// (each message written as an .eml file under DataDir/mail). Empty: mail is
	// off. It holds credentials: log SMTPURLRedacted, never this.
	SMTPURL string
	// MailFrom is the From address of e-mail (ECITIZEN_MAIL_FROM); required
	// when SMTPURL is set.
	MailFrom string
}

// SMTPURLRedacted is SMTPURL without its password, for the log.
func (c *Config) SMTPURLRedacted() string {
	u, err := url.Parse(c.SMTPURL)
	if err != nil {
		return "(invalid)"
	}
	return u.Redacted()
}

// MailDir is where the file: mail transport writes its .eml files.
func (c *Config) MailDir() string { return filepath.Join(c.DataDir, "mail") }

// DefaultMemoryLimit is the default soft memory limit: the Go heap of a full
// district (40,000 residents) stays well below it, and the garbage collector
// works harder only as it comes near, so that the process's resident memory
// stays about 200 MB with SQLite's page caches (docs/operations.md).
const DefaultMemoryLimit = 160 << 20

// SQLitePath is where the embedded store keeps its file.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "ecitizen.db") }

// Load reads the configuration from getenv and then args (flags win).
func Load(args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	c := &Config{
		Addr:          or(getenv("ECITIZEN_ADDR"), ":8080"),
		DataDir:       or(getenv("ECITIZEN_DATA_DIR"), "data"),
		MongoURI:      getenv("ECITIZEN_MONGODB_URI"),
		MongoDatabase: or(getenv("ECITIZEN_MONGODB_DATABASE"), "ecitizen"),
		AdminEmail:    or(getenv("ECITIZEN_ADMIN_EMAIL"), "admin@localhost"),
		AdminPassword: getenv("ECITIZEN_ADMIN_PASSWORD"),
		LoginLimits:   identity.DefaultLoginLimits,
		ShutdownGrace: 20 * time.Second,
		NoShowRule:    roster.DefaultNoShowRule,
		PublicURL:     or(getenv("ECITIZEN_PUBLIC_URL"), "http://localhost:8080"),
		SMTPURL:       getenv("ECITIZEN_SMTP_URL"),
		MailFrom:      getenv("ECITIZEN_MAIL_FROM"),
	}
	logLevel := or(getenv("ECITIZEN_LOG_LEVEL"), "info")

	fs := flag.NewFlagSet("ecitizen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (ECITIZEN_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory (ECITIZEN_DATA_DIR)")
	fs.StringVar(&c.MongoURI, "mongodb-uri", c.MongoURI, "MongoDB URI; set to use MongoDB (ECITIZEN_MONGODB_URI)")
	fs.StringVar(&c.MongoDatabase, "mongodb-database", c.MongoDatabase, "MongoDB database (ECITIZEN_MONGODB_DATABASE)")
	fs.StringVar(&logLevel, "log-level", logLevel, "debug, info, warn or error (ECITIZEN_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}

	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return nil, fmt.Errorf("ECITIZEN_ADDR: %q is not host:port", c.Addr)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return nil, errors.New("ECITIZEN_DATA_DIR: must not be empty")
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		return nil, errors.New("ECITIZEN_MONGODB_URI: must start with mongodb:// or mongodb+srv://")
	}
	if strings.ContainsAny(c.MongoDatabase, "/\\. \"$") || len(c.MongoDatabase) > 63 {
		return nil, fmt.Errorf("ECITIZEN_MONGODB_DATABASE: %q is not a valid database name", c.MongoDatabase)
	}
	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return nil, fmt.Errorf("ECITIZEN_LOG_LEVEL: %q is not one of debug, info, warn, error", logLevel)
	}
	if err := identity.ValidateEmail(c.AdminEmail); err != nil && !strings.HasSuffix(c.AdminEmail, "@localhost") {
		return nil, fmt.Errorf("ECITIZEN_ADMIN_EMAIL: %q is not an email address", c.AdminEmail)
	}
	if c.AdminPassword != "" {
		if err := identity.ValidatePassword(c.AdminPassword, c.AdminEmail); err != nil {
			return nil, fmt.Errorf("ECITIZEN_ADMIN_PASSWORD: %s", apperr.As(err).Fields[0].En)
		}
	}
	var err error
	if c.PublicURL, err = publicURL(c.PublicURL); err != nil {
		return nil, err
	}
	if err := c.checkMail(); err != nil {
		return nil, err
	}
	if c.TrustedProxies, err = proxies(getenv("ECITIZEN_TRUSTED_PROXIES")); err != nil {
		return nil, err
	}
	if c.CORSOrigins, err = origins(getenv("ECITIZEN_CORS_ORIGINS")); err != nil {
		return nil, err
	}
	if c.JWTKey, err = key("ECITIZEN_JWT_KEY", getenv("ECITIZEN_JWT_KEY"), identity.MinKeyBytes, 0); err != nil {
		return nil, err
	}
	if c.DataKey, err = key("ECITIZEN_DATA_KEY", getenv("ECITIZEN_DATA_KEY"), 32, 32); err != nil {
		return nil, err
	}
	if c.DataKeysOld, err = oldKeys(getenv("ECITIZEN_DATA_KEYS_OLD")); err != nil {
		return nil, err
	}
	if err := c.checkRing(); err != nil {
		return nil, err
	}
	if v := getenv("ECITIZEN_SHUTDOWN_GRACE"); v != "" {
		if c.ShutdownGrace, err = time.ParseDuration(v); err != nil || c.ShutdownGrace <= 0 {
			return nil, fmt.Errorf("ECITIZEN_SHUTDOWN_GRACE: %q is not a positive duration such as 20s", v)
		}
	}
	if v := getenv("ECITIZEN_LOGIN_LIMIT"); v != "" {
		if c.LoginLimits, err = loginLimits(v); err != nil {
			return nil, err
		}
	}
	if v := getenv("ECITIZEN_NO_SHOW_RULE"); v != "" {
		if c.NoShowRule, err = noShowRule(v); err != nil {
			return nil, err
		}
	}
	switch v := getenv("ECITIZEN_MEMORY_LIMIT"); {
	case v != "":
		if c.MemoryLimit, err = memoryLimit(v); err != nil {
			return nil, err
		}
	case getenv("GOMEMLIMIT") == "":
		c.MemoryLimit = DefaultMemoryLimit
	}
	return c, nil
}

// memoryLimit parses a size as GOMEMLIMIT writes it (a whole number of bytes,
// or with one of the suffixes B, KiB, MiB, GiB, TiB), or "off" (0).
func memoryLimit(v string) (int64, error) {
	if v == "off" {
		return 0, nil
	}
	bad := fmt.Errorf("ECITIZEN_MEMORY_LIMIT: %q is not a size such as 160MiB or 1GiB (at least 16MiB), nor off", v)
	num, unit := v, int64(1)
	for i, suffix := range []string{"KiB", "MiB", "GiB", "TiB"} {
		if strings.HasSuffix(v, suffix) {
			num, unit = strings.TrimSuffix(v, suffix), int64(1)<<(10*(i+1))
			break
		}
	}
	if unit == 1 {
		num = strings.TrimSuffix(v, "B")
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/unit || n*unit < 16<<20 {
		return 0, bad
	}
	return n * unit, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func split(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func proxies(v string) ([]string, error) {
	out := split(v)
	for _, p := range out {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return nil, fmt.Errorf("ECITIZEN_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR", p)
			}
		}
	}
	return out, nil
}

func origins(v string) ([]string, error) {
	out := split(v)
	for _, o := range out {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("ECITIZEN_CORS_ORIGINS: %q is not an origin such as https://ecitizen.example.vn", o)
		}
	}
	return out, nil
}

// publicURL checks an absolute http(s) URL without query or fragment and
// returns it without a trailing slash.
func publicURL(v string) (string, error) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(v, "?# ") {
		return "", fmt.Errorf("ECITIZEN_PUBLIC_URL: %q is not an absolute http(s) URL without query, such as https://ecitizen.example.vn", v)
	}
	return strings.TrimRight(v, "/"), nil
}

// checkMail checks ECITIZEN_SMTP_URL and ECITIZEN_MAIL_FROM. No error message
// quotes the URL: it may hold a password.
func (c *Config) checkMail() error {
	if c.SMTPURL == "" {
		if c.MailFrom != "" {
			return errors.New("ECITIZEN_MAIL_FROM: set without ECITIZEN_SMTP_URL")
		}
		return nil
	}
	const want = "ECITIZEN_SMTP_URL: must be file:, smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465"
	u, err := url.Parse(c.SMTPURL)
	if err != nil {
		return errors.New(want)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" || (u.Path != "" && u.Path != "/") || u.Opaque != "" || u.User != nil {
			return errors.New("ECITIZEN_SMTP_URL: file: takes nothing after it")
		}
	case "smtp", "smtps":
		if u.Hostname() == "" || u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return errors.New(want)
		}
		if p := u.Port(); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				return errors.New(want)
			}
		}
	default:
		return errors.New(want)
	}
	if c.MailFrom == "" {
		return errors.New("ECITIZEN_MAIL_FROM: required when ECITIZEN_SMTP_URL is set, e.g. ecitizen@phuong.example.vn")
	}
	if err := identity.ValidateEmail(c.MailFrom); err != nil && !strings.HasSuffix(c.MailFrom, "@localhost") {
		return fmt.Errorf("ECITIZEN_MAIL_FROM: %q is not an email address", c.MailFrom)
	}
	return nil
}

// key decodes a base64 key of at least min bytes (and exactly max when max > 0);
// an empty value returns nil, for the caller to load or create the key file.
func key(name, v string, min, max int) ([]byte, error) {
	if v == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(v, "="))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: not base64 (generate one with: openssl rand -base64 32)", name)
	}
	if len(b) < min || (max > 0 && len(b) != max) {
		return nil, fmt.Errorf("%s: decodes to %d bytes, need 32 (generate one with: openssl rand -base64 32)", name, len(b))
	}
	return b, nil
}

// oldKeys decodes ECITIZEN_DATA_KEYS_OLD: comma-separated base64 keys of 32
// bytes, each once.
func oldKeys(v string) ([][]byte, error) {
	var out [][]byte
	for i, s := range split(v) {
		k, err := key("ECITIZEN_DATA_KEYS_OLD", s, 32, 32)
		if err != nil {
			return nil, errors.New(strings.Replace(err.Error(), ":", fmt.Sprintf(": key %d:", i+1), 1))
		}
		out = append(out, k)
	}
	return out, nil
}

// checkRing refuses a data key given twice in the ring (the current key among
// the old ones, or an old key twice).
func (c *Config) checkRing() error {
	seen := map[string]bool{string(c.DataKey): c.DataKey != nil}
	for i, k := range c.DataKeysOld {
		if seen[string(k)] {
			return fmt.Errorf("ECITIZEN_DATA_KEYS_OLD: key %d is given twice or is the current data key", i+1)
		}
		seen[string(k)] = true
	}
	return nil
}

// loginLimits parses "ACCOUNT_BURST/ACCOUNT_EVERY,ADDR_BURST/ADDR_EVERY", e.g. "5/1m,30/2s".
func loginLimits(v string) (identity.LoginLimits, error) {
	bad := fmt.Errorf("ECITIZEN_LOGIN_LIMIT: %q is not like 5/1m,30/2s (per account, per address)", v)
	parts := strings.Split(v, ",")
	if len(parts) != 2 {
		return identity.LoginLimits{}, bad
	}
	var l identity.LoginLimits
	for i, p := range parts {
		b, e, ok := strings.Cut(strings.TrimSpace(p), "/")
		n, err1 := strconv.Atoi(b)
		d, err2 := time.ParseDuration(e)
		if !ok || err1 != nil || err2 != nil || n < 0 || d <= 0 {
			return identity.LoginLimits{}, bad
		}
		if i == 0 {
			l.AccountBurst, l.AccountEvery = n, d
		} else {
			l.AddrBurst, l.AddrEvery = n, d
		}
	}
	return l, nil
}

// EnsureKeys fills JWTKey and DataKey from files in DataDir where they were not
// configured, creating each file with a new random key (mode 0600) the first time.
func (c *Config) EnsureKeys() error {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("ECITIZEN_DATA_DIR: %w", err)
	}
	var err error
	if c.JWTKey == nil {
		if c.JWTKey, _, err = keyFile(filepath.Join(c.DataDir, "jwt.key")); err != nil {
			return err
		}
	}
	if c.DataKey == nil {
		path := filepath.Join(c.DataDir, "data.key")
		var created bool
		if c.DataKey, created, err = keyFile(path); err != nil {
			return err
		}
		if created {
			c.CreatedDataKey = path
		}
	}
	return c.checkRing()
}

func keyFile(path string) (key []byte, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) != 32 {
			return nil, false, fmt.Errorf("key file %s: not 32 base64-encoded bytes", path)
		}
		return k, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("key file %s: %w", path, err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, false, err
	}
	// Write a temporary file, then link it into place: the link fails when another
	// process got there first, and then its key is the one to use.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*")
	if err != nil {
		return nil, false, fmt.Errorf("key file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		_ = tmp.Close()
		return nil, false, fmt.Errorf("key file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, false, fmt.Errorf("key file %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return keyFile(path)
	} else if err != nil {
		return nil, false, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, true, nil
}

// noShowRule parses "COUNT/WINDOW/SUSPENSION", e.g. "3/90d/30d": durations are Go
// durations (720h) or whole days with a "d" suffix.
func noShowRule(v string) (roster.NoShowRule, error) {
	bad := fmt.Errorf("ECITIZEN_NO_SHOW_RULE: %q is not like 3/90d/30d (count of no-shows / window / suspension)", v)
	parts := strings.Split(v, "/")
	if len(parts) != 3 {
		return roster.NoShowRule{}, bad
	}
	n, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || n < 1 || n > 1000 {
		return roster.NoShowRule{}, bad
	}
	window, err1 := days(parts[1])
	suspension, err2 := days(parts[2])
	if err1 != nil || err2 != nil {
		return roster.NoShowRule{}, bad
	}
	return roster.NoShowRule{Count: n, Window: window, Suspension: suspension}, nil
}

// days parses a positive duration of at most 10 years: "30d" (days) or a Go duration.
func days(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	var d time.Duration
	if n, ok := strings.CutSuffix(v, "d"); ok {
		k, err := strconv.Atoi(n)
		if err != nil || k < 1 || k > 3660 {
			return 0, errors.New("bad days")
		}
		d = time.Duration(k) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, err
		}
	}
	if d <= 0 || d > 3660*24*time.Hour {
		return 0, errors.New("out of range")
	}
	return d, nil
}
