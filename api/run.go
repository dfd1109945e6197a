package main

import (
	"context"
	"crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"ecitizen/internal/app"
	"ecitizen/internal/config"
	"ecitizen/internal/coverage"
	"ecitizen/internal/httpapi"
	"ecitizen/internal/identity"
	"ecitizen/internal/logging"
	"ecitizen/internal/mail"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/store"
	"ecitizen/internal/web"
)

//go:embed openapi.yaml
var spec []byte

// recoverEvery is how often half-applied units of change are looked for.
const recoverEvery = 30 * time.Second

// run builds every dependency from args and getenv, serves until ctx is done, then
// shuts down gracefully: in-flight requests finish (up to the grace period), and
// the store closes last.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	log := logging.New(stdout, cfg.LogLevel)
	if cfg.MemoryLimit > 0 { // else GOMEMLIMIT, or none
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	log.Info("memory limit", "bytes", debug.SetMemoryLimit(-1))
	if err := cfg.EnsureKeys(); err != nil {
		return fmt.Errorf("config: %w", err)
	}

	st, svc, err := open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := bootstrapAdmin(ctx, svc.Identity, cfg, log); err != nil {
		return err
	}

	bgCtx, stopBackground := context.WithCancel(ctx)
	var background sync.WaitGroup
	defer background.Wait() // after stopBackground, before the store closes
	defer stopBackground()
	background.Go(func() { periodic(bgCtx, log, "shift reminders sent", roster.ReminderEvery, svc.Roster.SendReminders) })
	background.Go(func() {
		periodic(bgCtx, log, "idempotency keys swept", time.Hour, func(ctx context.Context, _ time.Time) (int, error) {
			return svc.Idempotency.Sweep(ctx)
		})
	})
	background.Go(func() {
		periodic(bgCtx, log, "shift series extended", roster.SeriesExtendEvery, svc.Roster.ExtendSeries)
	})
	// Self-healing: units of change a crash left half-applied are finished
	// (MongoDB; SQLite has none), and rosters with a line are checked and
	// repaired (docs/operations.md, "Checking rosters").
	background.Go(func() {
		periodic(bgCtx, log, "units of change recovered", recoverEvery, func(ctx context.Context, _ time.Time) (int, error) {
			return st.RecoverUnits(ctx)
		})
	})
	background.Go(func() { periodic(bgCtx, log, "rosters repaired", roster.ReconcileEvery, svc.Roster.Reconcile) })
	background.Go(func() {
		periodic(bgCtx, log, "data key rotation", time.Hour, func(ctx context.Context, _ time.Time) (int, error) {
			rep, err := svc.Rotation.Run(ctx)
			if err == nil && (rep.Resealed > 0 || rep.Remaining() > 0 || len(svc.KeyRing.KeyIDs()) > 1) {
				// Counts and key ids only, never a value.
				log.Info("data key rotation", "current_key_id", rep.CurrentKeyID, "resealed", rep.Resealed,
					"remaining_on_old_keys", rep.Remaining(), "unreadable", rep.Unreadable, "busy", rep.Busy)
			}
			return 0, err
		})
	})
	background.Go(func() {
		t := time.Now()
		if err := svc.Coverage.Refresh(bgCtx); err == nil {
			log.Info("coverage warm-up", "elapsed_ms", time.Since(t).Milliseconds())
		}
		periodic(bgCtx, log, "coverage refresh", coverage.RefreshEvery, func(ctx context.Context, _ time.Time) (int, error) {
			return 0, svc.Coverage.Refresh(ctx)
		})
	})
	if err := startMail(bgCtx, &background, st, cfg, log); err != nil {
		return err
	}
	h, err := handler(svc, cfg, log)
	if err != nil {
		return err
	}
	// Listen first, so a busy port fails at once.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (ECITIZEN_ADDR): %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		// Big enough that an oversized Authorization header reaches the router and
		// gets a 401 problem; the router refuses tokens above 4 KiB.
		MaxHeaderBytes: 2 << 20,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String())

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace.String())
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// open opens the configured store and builds the services on it.
func open(ctx context.Context, cfg *config.Config, log *slog.Logger) (store.Store, *app.Services, error) {
	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	st, err := store.Open(openCtx, store.Config{SQLitePath: cfg.SQLitePath(), MongoURI: cfg.MongoURI, MongoDatabase: cfg.MongoDatabase,
		Logger: log})
	cancel()
	if err != nil {
		return nil, nil, fmt.Errorf("open store: %w", err)
	}
	kind := "sqlite"
	if cfg.MongoURI != "" {
		kind = "mongodb"
	}
	log.Info("store opened", "kind", kind)
	svc, err := app.Build(ctx, st, app.Options{
		JWTKey: cfg.JWTKey, DataKey: cfg.DataKey, DataKeysOld: cfg.DataKeysOld, PublicURL: cfg.PublicURL,
		LoginLimits: cfg.LoginLimits, NoShowRule: cfg.NoShowRule, Logger: log,
	})
	if unknown := (*resident.UnknownKeysError)(nil); errors.As(err, &unknown) && cfg.CreatedDataKey != "" {
		// The key file was missing and was made in this start: a new key is for
		// an empty store only, so it goes, and the next start asks again.
		_ = os.Remove(cfg.CreatedDataKey)
		err = fmt.Errorf("config: %s was missing, and the store is not empty: %w", cfg.CreatedDataKey, unknown)
	}
	if err != nil {
		_ = st.Close()
		return nil, nil, err
	}
	return st, svc, nil
}

// periodic runs job at once and then every period until ctx ends, logging its
// failures and how many things it did. Jobs are idempotent, so several instances
// may run them: reminders have unique keys, sweeps delete what is expired.
func periodic(ctx context.Context, log *slog.Logger, what string, period time.Duration, job func(context.Context, time.Time) (int, error)) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		n, err := job(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error(what+" failed", "err", err)
		case n > 0:
			log.Info(what, "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// mailEvery is how often the mail worker looks for notifications (shortened
// by tests).
var mailEvery = mail.DeliverEvery

// startMail starts the e-mail delivery worker when ECITIZEN_SMTP_URL is set,
// and says once that mail is off when it is not. The URL is logged without its
// password.
func startMail(ctx context.Context, bg *sync.WaitGroup, st store.Store, cfg *config.Config, log *slog.Logger) error {
	if cfg.SMTPURL == "" {
		log.Info("mail off: ECITIZEN_SMTP_URL is not set")
		return nil
	}
	tr, err := mail.Open(cfg.SMTPURL, cfg.MailDir(), nil)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	w := &mail.Worker{Outbox: st, Users: st, Transport: tr, From: cfg.MailFrom, PublicURL: cfg.PublicURL,
		ID: "mail-" + rand.Text()[:10], Log: log}
	log.Info("mail on", "smtp_url", cfg.SMTPURLRedacted(), "from", cfg.MailFrom)
	bg.Go(func() { periodic(ctx, log, "notifications mailed", mailEvery, w.Deliver) })
	return nil
}

// bootstrapAdmin creates the first admin on an empty store. Without a configured
// password it makes a random one and logs it this once.
func bootstrapAdmin(ctx context.Context, ids *identity.Service, cfg *config.Config, log *slog.Logger) error {
	pw, generated := cfg.AdminPassword, false
	if pw == "" {
		pw, generated = rand.Text(), true
	}
	created, err := ids.Bootstrap(ctx, cfg.AdminEmail, pw)
	if err != nil {
		return err
	}
	switch {
	case created && generated:
		log.Warn("first admin created; this password is shown only once, change it after signing in",
			"email", cfg.AdminEmail, "password", pw)
	case created:
		log.Info("first admin created", "email", cfg.AdminEmail)
	}
	return nil
}

// handler serves the JSON API (/api/, /healthz, /readyz) and the web pages
// (everything else) from the same services.
func handler(svc *app.Services, cfg *config.Config, log *slog.Logger) (http.Handler, error) {
	api, err := httpapi.New(httpapi.Deps{
		Identity: svc.Identity, Directory: svc.Directory, Courses: svc.Courses, Training: svc.Training,
		Roster: svc.Roster, Notify: svc.Notify, Idempotency: svc.Idempotency, Equipment: svc.Equipment,
		Certificates: svc.Certificates, Residents: svc.Residents, Progress: svc.Progress,
		Coverage: svc.Coverage, Partner: svc.Partner, PublicURL: cfg.PublicURL,
		Ping: svc.Store.Ping, Logger: log,
		TrustedProxies: cfg.TrustedProxies, CORSOrigins: cfg.CORSOrigins, Spec: spec,
	})
	if err != nil {
		return nil, fmt.Errorf("config: ECITIZEN_TRUSTED_PROXIES: %w", err)
	}
	pages, err := web.New(web.Deps{
		Services: svc, PublicURL: cfg.PublicURL, SessionKey: cfg.JWTKey, Logger: log,
		TrustedProxies: cfg.TrustedProxies,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	for _, p := range []string{"/api/", "/healthz", "/readyz"} {
		mux.Handle(p, api)
	}
	mux.Handle("/", pages)
	return mux, nil
}
