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
	"sync"
	"time"

	"ecitizen/content"
	"ecitizen/internal/certificate"
	"ecitizen/internal/config"
	"ecitizen/internal/course"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/equipment"
	"ecitizen/internal/httpapi"
	"ecitizen/internal/idempotency"
	"ecitizen/internal/identity"
	"ecitizen/internal/notify"
	"ecitizen/internal/partner"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/skills"
	"ecitizen/internal/store"
	"ecitizen/internal/training"
)

//go:embed openapi.yaml
var spec []byte

// run builds every dependency from args and getenv, serves until ctx is done, then
// shuts down gracefully: in-flight requests finish (up to the grace period), and
// the store closes last.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if err := cfg.EnsureKeys(); err != nil {
		return fmt.Errorf("config: %w", err)
	}

	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	st, err := store.Open(openCtx, store.Config{SQLitePath: cfg.SQLitePath(), MongoURI: cfg.MongoURI, MongoDatabase: cfg.MongoDatabase})
	cancel()
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	kind := "sqlite"
	if cfg.MongoURI != "" {
		kind = "mongodb"
	}
	log.Info("store opened", "kind", kind)

	dir := directory.NewService(st, nil)
	tokens, err := identity.NewTokens(cfg.JWTKey, nil)
	if err != nil {
		return fmt.Errorf("config: ECITIZEN_JWT_KEY: %w", err)
	}
	ids, err := identity.NewService(st, dir, tokens, cfg.LoginLimits)
	if err != nil {
		return err
	}
	if err := bootstrapAdmin(ctx, ids, cfg, log); err != nil {
		return err
	}
	courses, err := builtinCatalogue(ctx, st, dir, log)
	if err != nil {
		return err
	}

	notes := notify.NewService(st, nil)
	rosters := roster.NewService(st, dir, courses, ids, notes, nil).WithCheckinKey(cfg.JWTKey).
		WithNoShowRule(cfg.NoShowRule)
	bgCtx, stopBackground := context.WithCancel(ctx)
	var background sync.WaitGroup
	defer background.Wait() // after stopBackground, before the store closes
	defer stopBackground()
	background.Go(func() { periodic(bgCtx, log, "shift reminders sent", roster.ReminderEvery, rosters.SendReminders) })
	retries := idempotency.NewService(st, cfg.DataKey, nil)
	background.Go(func() {
		periodic(bgCtx, log, "idempotency keys swept", time.Hour, func(ctx context.Context, _ time.Time) (int, error) {
			return retries.Sweep(ctx)
		})
	})
	background.Go(func() { periodic(bgCtx, log, "shift series extended", roster.SeriesExtendEvery, rosters.ExtendSeries) })
	consents, err := resident.LoadConsents(content.FS, "consent.yaml")
	if err != nil {
		return err
	}
	residents, err := resident.NewService(st, dir, rosters, cfg.DataKey, consents, nil)
	if err != nil {
		return fmt.Errorf("config: ECITIZEN_DATA_KEY: %w", err)
	}
	framework, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		return fmt.Errorf("skills framework: %w", err)
	}
	certs := certificate.NewService(st, rosters, st, cfg.JWTKey, cfg.PublicURL, nil)
	progresses := progress.NewService(st, residents, rosters, dir, certs, framework, nil).WithGrader(courses).
		WithPersonalLinks(st)
	ring, err := resident.NewCrypter(cfg.DataKey, cfg.DataKeysOld...)
	if err != nil {
		return fmt.Errorf("config: ECITIZEN_DATA_KEYS_OLD: %w", err)
	}
	residents.WithKeyRing(ring)
	rotation := resident.NewRotation(st, ring)
	background.Go(func() {
		periodic(bgCtx, log, "data key rotation", time.Hour, func(ctx context.Context, _ time.Time) (int, error) {
			rep, err := rotation.Run(ctx)
			if err == nil && (rep.Resealed > 0 || rep.Remaining() > 0 || len(ring.KeyIDs()) > 1) {
				// Counts and key ids only, never a value.
				log.Info("data key rotation", "current_key_id", rep.CurrentKeyID, "resealed", rep.Resealed,
					"remaining_on_old_keys", rep.Remaining(), "unreadable", rep.Unreadable, "busy", rep.Busy)
			}
			return 0, err
		})
	})
	cover := coverage.NewService(st, dir, dir, framework, nil)
	background.Go(func() {
		t := time.Now()
		if err := cover.Refresh(bgCtx); err == nil {
			log.Info("coverage warm-up", "elapsed_ms", time.Since(t).Milliseconds())
		}
		periodic(bgCtx, log, "coverage refresh", coverage.RefreshEvery, func(ctx context.Context, _ time.Time) (int, error) {
			return 0, cover.Refresh(ctx)
		})
	})
	h, err := httpapi.New(httpapi.Deps{
		Identity: ids, Directory: dir, Courses: courses, Training: training.NewService(st, courses, dir, nil),
		Roster: rosters, Notify: notes, Idempotency: retries, Equipment: equipment.NewService(st, dir, rosters, nil),
		Certificates: certs,
		Residents:    residents, Progress: progresses,
		Coverage:  cover,
		Partner:   partner.NewService(st, dir, rosters, nil),
		PublicURL: cfg.PublicURL,
		Ping:      st.Ping, Logger: log,
		TrustedProxies: cfg.TrustedProxies, CORSOrigins: cfg.CORSOrigins, Spec: spec,
	})
	if err != nil {
		return fmt.Errorf("config: ECITIZEN_TRUSTED_PROXIES: %w", err)
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

// builtinCatalogue loads the skills framework and the built-in courses embedded
// from content/, imports the courses (idempotently) and returns the course service.
func builtinCatalogue(ctx context.Context, st store.Store, dir *directory.Service, log *slog.Logger) (*course.Service, error) {
	framework, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		return nil, fmt.Errorf("skills framework: %w", err)
	}
	courses := course.NewService(st, framework.Known, nil)
	builtins, err := course.LoadBuiltins(content.FS)
	if err != nil {
		return nil, fmt.Errorf("built-in catalogue: %w", err)
	}
	if err := dir.EnsureBuiltinOrganisation(ctx); err != nil {
		return nil, err
	}
	res, err := courses.ImportBuiltins(ctx, directory.BuiltinOrganisationID, builtins)
	if err != nil {
		return nil, fmt.Errorf("built-in catalogue: %w", err)
	}
	log.Info("built-in catalogue imported", "created", res.Created, "updated", res.Updated, "unchanged", res.Unchanged,
		"skills_framework_version", framework.Version)
	return courses, nil
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
