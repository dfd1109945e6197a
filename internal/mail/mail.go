// Package mail sends notifications (package notify) by e-mail: it composes each
// into a short multipart message (plain text and HTML) in the recipient's
// language with a link to the page concerned, and hands it to a Transport.
//
// Design:
//   - Two transports behind one interface: SMTP (github.com/wneessen/go-mail;
//     smtp:// requires STARTTLS, smtps:// is implicit TLS) and Dir, which writes
//     each message as an .eml file (mode 0600) for local development (file:).
//   - The Worker picks the outbox's PendingDeliveries and claims each with
//     ClaimDelivery before sending it, so of several workers, in one process or
//     many, exactly one sends a message. The claim comes first: a process that
//     dies between claim and send loses that message (at most once, never twice).
//   - A temporary failure (an SMTP 4xx, a refused connection) is retried with a
//     doubling pause until GiveUpAfter; a permanent one (5xx) at once gives up.
//     The store has no place for a delivery's outcome yet: a failure is logged
//     (notification id and kind, never the address) at warn.
//   - Notifications older than GiveUpAfter when first seen are claimed and not
//     sent, so turning mail on does not send a backlog of old news.
//   - No List-Unsubscribe headers yet: there are no preferences to unsubscribe
//     from (issue 17 adds them).
//
// Files: mail.go (Compose, Transport, SMTP, Dir), worker.go (Worker).
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"ecitizen/internal/notify"
)

// Message is one e-mail to send.
type Message struct {
	ID      string // the notification's id: the .eml file name and Message-ID
	From    string
	To      string
	Subject string
	Text    string // the plain-text part
	HTML    string // the HTML part
}

// Compose renders a notification to the address to in lang ("en", else
// Vietnamese), with a link under publicURL to the page concerned.
func Compose(n *notify.Notification, from, to, lang, publicURL string) *Message {
	link := publicURL + "/me/notifications"
	if n.ShiftID != "" {
		link = publicURL + "/shifts/" + url.PathEscape(n.ShiftID)
	}
	open := notify.Text{Vi: "Xem chi tiết", En: "See the details"}.In(lang)
	footer := notify.Text{
		Vi: "Thư này được gửi tự động từ ecitizen; vui lòng không trả lời.",
		En: "This message was sent automatically by ecitizen; please do not reply.",
	}.In(lang)
	title, body := n.Title.In(lang), n.Body.In(lang)
	text := body + "\n\n" + open + ": " + link + "\n\n-- \n" + footer + "\n"
	htmlLang := "vi"
	if lang == "en" {
		htmlLang = "en"
	}
	h := `<!DOCTYPE html><html lang="` + htmlLang + `"><head><meta charset="utf-8"><title>` + html.EscapeString(title) +
		`</title></head><body><p>` + html.EscapeString(body) + `</p><p><a href="` + html.EscapeString(link) + `">` +
		html.EscapeString(open) + `</a></p><p style="color:#666;font-size:small">` + html.EscapeString(footer) +
		`</p></body></html>`
	return &Message{ID: n.ID, From: from, To: to, Subject: title, Text: text, HTML: h}
}

// msg builds the go-mail message of m.
func (m *Message) msg() (*gomail.Msg, error) {
	g := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := g.From(m.From); err != nil {
		return nil, permanent(fmt.Errorf("from: %w", err))
	}
	if err := g.To(m.To); err != nil {
		return nil, permanent(fmt.Errorf("to: %w", err))
	}
	g.Subject(m.Subject)
	g.SetMessageIDWithValue(m.ID + "@ecitizen")
	g.SetDate()
	g.SetBodyString(gomail.TypeTextPlain, m.Text)
	g.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return g, nil
}

// Transport sends a message. An error for which Temporary is false will not
// succeed on a retry.
type Transport interface {
	Send(ctx context.Context, m *Message) error
}

// permanentError marks an error that a retry will not mend.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return permanentError{err} }

// Temporary reports whether a retry of the send that returned err may succeed:
// an SMTP 4xx reply or a failed connection is; a 5xx reply or a bad address is not.
func Temporary(err error) bool {
	if err == nil {
		return false
	}
	var p permanentError
	if errors.As(err, &p) {
		return false
	}
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 {
		return false
	}
	return true
}

// Open returns the transport of an ECITIZEN_SMTP_URL (as config checked it):
// SMTP, or Dir under dataDir/mail for "file:". tlsConf is nil but in tests
// (which trust their own server's certificate).
func Open(rawURL, mailDir string, tlsConf *tls.Config) (Transport, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("mail: ECITIZEN_SMTP_URL does not parse")
	}
	if u.Scheme == "file" {
		return NewDir(mailDir)
	}
	return NewSMTP(u, tlsConf)
}

// SMTP sends through an SMTP server, one connection per message.
type SMTP struct{ client *gomail.Client }

// NewSMTP returns the SMTP transport of u: smtp:// (port 587 by default,
// STARTTLS required) or smtps:// (port 465, implicit TLS); a user in u
// authenticates (PLAIN or LOGIN, whichever the server offers).
func NewSMTP(u *url.URL, tlsConf *tls.Config) (*SMTP, error) {
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second)}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if p := u.Port(); p != "" {
		port, _ = strconv.Atoi(p)
	}
	opts = append(opts, gomail.WithPort(port))
	if tlsConf != nil {
		opts = append(opts, gomail.WithTLSConfig(tlsConf))
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pw))
	}
	c, err := gomail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP client: %w", err)
	}
	return &SMTP{client: c}, nil
}

// Send sends m.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	g, err := m.msg()
	if err != nil {
		return err
	}
	return s.client.DialAndSendWithContext(ctx, g)
}

// Dir writes each message as <id>.eml (mode 0600) in a directory.
type Dir struct{ dir string }

// NewDir returns the file transport writing into dir (created 0700).
func NewDir(dir string) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return &Dir{dir: dir}, nil
}

// Send writes m to a temporary file, then renames it into place.
func (d *Dir) Send(_ context.Context, m *Message) error {
	if m.ID == "" || strings.ContainsAny(m.ID, `/\.`) {
		return permanent(fmt.Errorf("mail: bad message id %q", m.ID))
	}
	g, err := m.msg()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(d.dir, ".eml-*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := g.WriteTo(f); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), filepath.Join(d.dir, m.ID+".eml"))
}
