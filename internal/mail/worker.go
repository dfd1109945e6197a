package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/notify"
)

// Outbox is what the worker needs of the notification store.
type Outbox interface {
	ClaimDelivery(ctx context.Context, notificationID, workerID string, at time.Time) error
	PendingDeliveries(ctx context.Context, limit int) ([]*notify.Notification, error)
}

// Users finds a notification's recipient.
type Users interface {
	UserByID(ctx context.Context, id string) (*identity.User, error)
}

// Default retry settings of a Worker.
const (
	DefaultFirstRetry  = 30 * time.Second
	DefaultMaxRetry    = 10 * time.Minute
	DefaultGiveUpAfter = 2 * time.Hour
	// DeliverEvery is how often run() looks for notifications to send.
	DeliverEvery = 15 * time.Second
)

// Worker sends pending notifications by e-mail.
type Worker struct {
	Outbox    Outbox
	Users     Users
	Transport Transport
	From      string
	PublicURL string
	// ID names this worker in its delivery claims (a random one per process).
	ID  string
	Log *slog.Logger
	// FirstRetry is the pause before the first retry, doubled each time up to
	// MaxRetry; a message is given up GiveUpAfter after its first attempt. Zero:
	// the defaults.
	FirstRetry, MaxRetry, GiveUpAfter time.Duration
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) settings() (first, most, giveUp time.Duration) {
	first, most, giveUp = w.FirstRetry, w.MaxRetry, w.GiveUpAfter
	if first <= 0 {
		first = DefaultFirstRetry
	}
	if most <= 0 {
		most = DefaultMaxRetry
	}
	if giveUp <= 0 {
		giveUp = DefaultGiveUpAfter
	}
	return first, most, giveUp
}

// Deliver sends every pending notification it claims, one by one, and returns
// how many it sent. A notification another worker claimed is skipped; a
// failure to send one is logged and does not stop the others.
func (w *Worker) Deliver(ctx context.Context, _ time.Time) (int, error) {
	sent := 0
	for {
		ns, err := w.Outbox.PendingDeliveries(ctx, 100)
		if err != nil {
			return sent, fmt.Errorf("pending deliveries: %w", err)
		}
		claimed := 0
		for _, n := range ns {
			err := w.Outbox.ClaimDelivery(ctx, n.ID, w.ID, w.now().UTC())
			if errors.Is(err, apperr.ErrConflict) {
				continue // another worker sends it
			}
			if err != nil {
				return sent, fmt.Errorf("claim delivery: %w", err)
			}
			claimed++
			if w.send(ctx, n) {
				sent++
			}
		}
		if claimed == 0 || ctx.Err() != nil {
			return sent, ctx.Err()
		}
	}
}

// send sends one claimed notification, retrying temporary failures; it
// reports whether the message went.
func (w *Worker) send(ctx context.Context, n *notify.Notification) bool {
	first, most, giveUp := w.settings()
	log := w.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("notification_id", n.ID, "kind", string(n.Kind))
	if age := w.now().Sub(n.CreatedAt); age > giveUp {
		log.Debug("mail not sent: the notification is older than the retry period", "age", age.Round(time.Second).String())
		return false
	}
	u, err := w.Users.UserByID(ctx, n.UserID)
	if err != nil {
		log.Warn("mail not sent: recipient", "err", err)
		return false
	}
	// No language preference is stored yet: Vietnamese for everyone.
	m := Compose(n, w.From, u.Email, "vi", w.PublicURL)
	start, pause := w.now(), first
	for attempt := 1; ; attempt++ {
		err := w.Transport.Send(ctx, m)
		if err == nil {
			log.Debug("mail sent", "attempts", attempt)
			return true
		}
		if !Temporary(err) {
			log.Warn("mail failed permanently", "attempts", attempt, "err", err)
			return false
		}
		if w.now().Add(pause).Sub(start) > giveUp {
			log.Warn("mail given up after temporary failures", "attempts", attempt, "err", err)
			return false
		}
		log.Info("mail failed, will retry", "attempts", attempt, "retry_in", pause.String(), "err", err)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			log.Warn("mail not sent: stopped while waiting to retry", "attempts", attempt)
			return false
		case <-t.C:
		}
		pause = min(2*pause, most)
	}
}
