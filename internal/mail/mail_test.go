package mail_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"ecitizen/internal/identity"
	"ecitizen/internal/mail"
	"ecitizen/internal/notify"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
	"ecitizen/internal/store/storetest"
)

const publicURL = "https://ecitizen.phuong.example.vn"

// newUser stores a volunteer with an e-mail address.
func newUser(t *testing.T, st store.Store, id, email string) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	u := &identity.User{ID: id, Email: email, EmailKey: strings.ToLower(email), DisplayName: "Nguyễn Thị Lan",
		Role: identity.RoleVolunteer, Status: identity.StatusActive, PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}

// promote creates a "promoted" notification through the notification service.
func promote(t *testing.T, svc *notify.Service, userID, shiftID string) {
	t.Helper()
	sh := &roster.Shift{ID: shiftID, Title: "Trực điểm tiêm chủng", StartsAt: time.Date(2026, 12, 9, 1, 30, 0, 0, time.UTC)}
	if err := svc.Notify(context.Background(), userID, string(notify.KindPromoted), "promoted:"+shiftID, sh); err != nil {
		t.Fatal(err)
	}
}

func TestFileTransportEndToEnd(t *testing.T) {
	st := storetest.SQLite().Open(t)
	svc := notify.NewService(notify.Deps{Store: st})
	newUser(t, st, "u-lan", "lan@example.vn")
	promote(t, svc, "u-lan", "shift-1")

	dir := filepath.Join(t.TempDir(), "mail")
	tr, err := mail.Open("file:", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &mail.Worker{Outbox: st, Users: st, Transport: tr, From: "ecitizen@phuong.example.vn", PublicURL: publicURL, ID: "w1"}
	if n, err := w.Deliver(context.Background(), time.Now()); err != nil || n != 1 {
		t.Fatalf("Deliver = %d, %v; want 1", n, err)
	}
	if n, err := w.Deliver(context.Background(), time.Now()); err != nil || n != 0 {
		t.Fatalf("second Deliver = %d, %v; want 0", n, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("files %v, want one .eml", files)
	}
	fi, err := os.Stat(files[0])
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", fi.Mode(), err)
	}
	f, _ := os.Open(files[0])
	defer f.Close()
	checkMessage(t, f, "lan@example.vn", "/shifts/shift-1")
}

// checkMessage parses a message and checks its headers and both parts, in Vietnamese.
func checkMessage(t *testing.T, r io.Reader, to, path string) {
	t.Helper()
	m, err := netmail.ReadMessage(r)
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subj != "Bạn đã có chỗ từ danh sách chờ" {
		t.Errorf("Subject %q, %v", subj, err)
	}
	if got := m.Header.Get("To"); !strings.Contains(got, to) {
		t.Errorf("To %q, want %s", got, to)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, %v", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var types []string
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		types = append(types, ct)
		b, _ := io.ReadAll(p)
		body := string(b)
		if !strings.Contains(body, "chuyển từ danh sách chờ vào ca trực") || !strings.Contains(body, publicURL+path) {
			t.Errorf("%s part lacks the Vietnamese text or the link %s:\n%s", ct, path, body)
		}
		if strings.Contains(body, "You moved") {
			t.Errorf("%s part in English", ct)
		}
	}
	if strings.Join(types, ",") != "text/plain,text/html" {
		t.Errorf("parts %v, want text/plain then text/html", types)
	}
}

func TestComposeInEnglish(t *testing.T) {
	n := &notify.Notification{ID: "n1", Title: notify.Text{Vi: "Tiêu đề", En: "Title"},
		Body: notify.Text{Vi: "Nội dung <b>", En: "Body <b>"}}
	m := mail.Compose(n, "a@b.vn", "c@d.vn", "en", publicURL)
	if m.Subject != "Title" || !strings.Contains(m.Text, "Body <b>") || !strings.Contains(m.HTML, "Body &lt;b&gt;") ||
		!strings.Contains(m.Text, publicURL+"/me/notifications") {
		t.Fatalf("%+v", m)
	}
}

// smtpServer is an SMTP server with STARTTLS that refuses the first `refuse`
// messages with code, then accepts.
type smtpServer struct {
	mu       sync.Mutex
	refuse   int
	code     int
	refused  int
	received []received
	user     string // set: PLAIN authentication required
	pass     string
	implicit bool // TLS from the first byte (smtps) instead of STARTTLS
	addr     string
	tls      *tls.Config // what the client trusts
}

type received struct {
	to   []string
	data []byte
}

type session struct {
	s      *smtpServer
	to     []string
	authed bool
}

// authSession is a session of a server that requires PLAIN authentication.
type authSession struct{ *session }

func (a authSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (a authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		a.s.mu.Lock()
		ok := user == a.s.user && pass == a.s.pass
		a.s.mu.Unlock()
		if !ok {
			return errors.New("bad credentials")
		}
		a.authed = true
		return nil
	}), nil
}

func (s *session) Reset()        { s.to = nil }
func (s *session) Logout() error { return nil }
func (s *session) Mail(string, *smtp.MailOptions) error {
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	if s.s.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	if s.s.refuse > 0 {
		s.s.refuse--
		s.s.refused++
		return &smtp.SMTPError{Code: s.s.code, EnhancedCode: smtp.EnhancedCode{s.s.code / 100, 3, 0}, Message: "try later"}
	}
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	s.s.received = append(s.s.received, received{to: s.to, data: b})
	return nil
}

func startSMTP(t *testing.T, refuse, code int) *smtpServer {
	t.Helper()
	return (&smtpServer{refuse: refuse, code: code}).start(t)
}

func (ss *smtpServer) start(t *testing.T) *smtpServer {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil) // for its certificate of 127.0.0.1
	hs.StartTLS()
	cert := hs.TLS.Certificates[0]
	pool := x509.NewCertPool()
	pool.AddCert(hs.Certificate())
	hs.Close()

	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		if ss.user != "" {
			return authSession{&session{s: ss}}, nil
		}
		return &session{s: ss}, nil
	}))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = smtpDiscard{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if ss.implicit {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	ss.addr = ln.Addr().String()
	ss.tls = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	return ss
}

type smtpDiscard struct{}

func (smtpDiscard) Printf(string, ...any) {}
func (smtpDiscard) Println(...any)        {}

func (ss *smtpServer) transport(t *testing.T) mail.Transport {
	t.Helper()
	u := &url.URL{Scheme: "smtp", Host: ss.addr}
	if ss.implicit {
		u.Scheme = "smtps"
	}
	if ss.user != "" {
		u.User = url.UserPassword(ss.user, ss.pass)
	}
	tr, err := mail.Open(u.String(), "", ss.tls)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func (ss *smtpServer) got() (int, []received) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.refused, append([]received(nil), ss.received...)
}

func TestSMTPDeliversOnce(t *testing.T) {
	st := storetest.SQLite().Open(t)
	svc := notify.NewService(notify.Deps{Store: st})
	newUser(t, st, "u-lan", "lan@example.vn")
	promote(t, svc, "u-lan", "shift-1")
	ss := startSMTP(t, 0, 0)
	w := &mail.Worker{Outbox: st, Users: st, Transport: ss.transport(t), From: "ecitizen@phuong.example.vn", PublicURL: publicURL, ID: "w1"}
	for range 2 {
		if _, err := w.Deliver(context.Background(), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	_, got := ss.got()
	if len(got) != 1 || len(got[0].to) != 1 || got[0].to[0] != "lan@example.vn" {
		t.Fatalf("received %d messages (%v), want one to lan@example.vn", len(got), got)
	}
	checkMessage(t, strings.NewReader(string(got[0].data)), "lan@example.vn", "/shifts/shift-1")
}

// TestSMTPAuthenticates: the user and password of the URL authenticate, over
// STARTTLS and over implicit TLS (smtps).
func TestSMTPAuthenticates(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		t.Run(fmt.Sprint("implicit=", implicit), func(t *testing.T) {
			st := storetest.SQLite().Open(t)
			svc := notify.NewService(notify.Deps{Store: st})
			newUser(t, st, "u-lan", "lan@example.vn")
			promote(t, svc, "u-lan", "shift-1")
			ss := (&smtpServer{user: "mailer", pass: "mat-khau-smtp", implicit: implicit}).start(t)
			w := &mail.Worker{Outbox: st, Users: st, Transport: ss.transport(t), From: "ecitizen@phuong.example.vn",
				PublicURL: publicURL, ID: "w1", FirstRetry: time.Millisecond, GiveUpAfter: time.Hour,
				Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))}
			if n, err := w.Deliver(context.Background(), time.Now()); err != nil || n != 1 {
				t.Fatalf("Deliver = %d, %v; want 1", n, err)
			}
			if _, got := ss.got(); len(got) != 1 {
				t.Fatalf("received %d, want 1", len(got))
			}
		})
	}
}

func TestSMTPRetriesTemporaryRefusal(t *testing.T) {
	st := storetest.SQLite().Open(t)
	svc := notify.NewService(notify.Deps{Store: st})
	newUser(t, st, "u-lan", "lan@example.vn")
	promote(t, svc, "u-lan", "shift-1")
	ss := startSMTP(t, 3, 451)
	w := &mail.Worker{Outbox: st, Users: st, Transport: ss.transport(t), From: "ecitizen@phuong.example.vn", PublicURL: publicURL,
		ID: "w1", FirstRetry: time.Millisecond, MaxRetry: 5 * time.Millisecond, GiveUpAfter: time.Hour}
	if n, err := w.Deliver(context.Background(), time.Now()); err != nil || n != 1 {
		t.Fatalf("Deliver = %d, %v; want 1", n, err)
	}
	refused, got := ss.got()
	if refused != 3 || len(got) != 1 {
		t.Fatalf("refused %d, received %d; want 3 and 1", refused, len(got))
	}
}

func TestSMTPPermanentRefusalGivesUp(t *testing.T) {
	st := storetest.SQLite().Open(t)
	svc := notify.NewService(notify.Deps{Store: st})
	newUser(t, st, "u-lan", "lan@example.vn")
	promote(t, svc, "u-lan", "shift-1")
	ss := startSMTP(t, 100, 550)
	w := &mail.Worker{Outbox: st, Users: st, Transport: ss.transport(t), From: "ecitizen@phuong.example.vn", PublicURL: publicURL,
		ID: "w1", FirstRetry: time.Millisecond}
	if n, err := w.Deliver(context.Background(), time.Now()); err != nil || n != 0 {
		t.Fatalf("Deliver = %d, %v; want 0", n, err)
	}
	if refused, got := ss.got(); refused != 1 || len(got) != 0 {
		t.Fatalf("refused %d, received %d; want 1 attempt and nothing", refused, len(got))
	}
}

// testWriter writes to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// counting records every message it is given.
type counting struct {
	mu   sync.Mutex
	sent map[string]int
}

func (c *counting) Send(_ context.Context, m *mail.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent[m.ID]++
	return nil
}

func TestTwoWorkersDeliverEachOnce(t *testing.T) {
	for _, a := range storetest.Adapters(t) {
		t.Run(a.Name, func(t *testing.T) {
			st := a.Open(t)
			svc := notify.NewService(notify.Deps{Store: st})
			const users, shifts = 4, 5
			for u := range users {
				newUser(t, st, fmt.Sprint("u", u), fmt.Sprintf("u%d@example.vn", u))
				for s := range shifts {
					promote(t, svc, fmt.Sprint("u", u), fmt.Sprint("shift-", s))
				}
			}
			c := &counting{sent: map[string]int{}}
			var wg sync.WaitGroup
			for i := range 2 {
				w := &mail.Worker{Outbox: st, Users: st, Transport: c, From: "ecitizen@phuong.example.vn", PublicURL: publicURL,
					ID: fmt.Sprint("w", i)}
				wg.Go(func() {
					if _, err := w.Deliver(context.Background(), time.Now()); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if len(c.sent) != users*shifts {
				t.Fatalf("%d messages sent, want %d", len(c.sent), users*shifts)
			}
			for id, n := range c.sent {
				if n != 1 {
					t.Errorf("%s sent %d times", id, n)
				}
			}
		})
	}
}

// TestSMTPWrongPasswordSendsNothing: a refused login is a failure, not a send.
func TestSMTPWrongPasswordSendsNothing(t *testing.T) {
	st := storetest.SQLite().Open(t)
	svc := notify.NewService(notify.Deps{Store: st})
	newUser(t, st, "u-lan", "lan@example.vn")
	promote(t, svc, "u-lan", "shift-1")
	ss := (&smtpServer{user: "mailer", pass: "mat-khau-smtp"}).start(t)
	ss.pass = "khac" // the client's
	tr := ss.transport(t)
	ss.mu.Lock()
	ss.pass = "mat-khau-smtp" // the server's
	ss.mu.Unlock()
	w := &mail.Worker{Outbox: st, Users: st, Transport: tr, From: "ecitizen@phuong.example.vn",
		PublicURL: publicURL, ID: "w1", FirstRetry: time.Millisecond, MaxRetry: time.Millisecond, GiveUpAfter: time.Hour,
		Now: func() time.Time { return time.Now() }}
	// Bound the retries by the context rather than by time: a wrong password
	// may come back as a temporary failure.
	ctx, cancel := context.WithCancel(context.Background())
	w.Transport = transportFunc(func(ctx context.Context, m *mail.Message) error {
		err := tr.Send(ctx, m)
		cancel()
		return err
	})
	if n, _ := w.Deliver(ctx, time.Now()); n != 0 {
		t.Fatalf("Deliver = %d, want 0", n)
	}
	if _, got := ss.got(); len(got) != 0 {
		t.Fatalf("received %d, want 0", len(got))
	}
}

type transportFunc func(context.Context, *mail.Message) error

func (f transportFunc) Send(ctx context.Context, m *mail.Message) error { return f(ctx, m) }

// TestOldNotificationsAreNotSent: turning mail on sends no backlog.
func TestOldNotificationsAreNotSent(t *testing.T) {
	st := storetest.SQLite().Open(t)
	svc := notify.NewService(notify.Deps{Store: st})
	newUser(t, st, "u-lan", "lan@example.vn")
	promote(t, svc, "u-lan", "shift-1")
	c := &counting{sent: map[string]int{}}
	later := time.Now().Add(3 * time.Hour)
	w := &mail.Worker{Outbox: st, Users: st, Transport: c, From: "ecitizen@phuong.example.vn", PublicURL: publicURL, ID: "w1",
		Now: func() time.Time { return later }}
	if n, err := w.Deliver(context.Background(), later); err != nil || n != 0 || len(c.sent) != 0 {
		t.Fatalf("Deliver = %d, %v, sent %v; want nothing", n, err, c.sent)
	}
	if ns, err := st.PendingDeliveries(context.Background(), 0); err != nil || len(ns) != 0 {
		t.Fatalf("pending %d, %v; want the old one claimed", len(ns), err)
	}
}
