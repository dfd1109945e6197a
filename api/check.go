package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"

	"ecitizen/internal/config"
	"ecitizen/internal/integrity"
	"ecitizen/internal/logging"
)

// errBroken is check's answer when invariants are broken (exit status 1).
var errBroken = errors.New("broken invariants found")

// check is `ecitizen check [-repair] [flags]`: it opens the configured store
// (the same flags and environment as the service), lists every broken
// invariant of rosters and training sessions on stdout, and fails when any is
// left. With -repair it first finishes half-applied units of change and
// repairs what can be repaired (roster.Service.Check). It is safe beside a
// running service, on either store.
func check(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	repair := false
	args = slices.DeleteFunc(slices.Clone(args), func(a string) bool {
		if a == "-repair" || a == "--repair" {
			repair = true
			return true
		}
		return false
	})
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if cfg.MongoURI == "" {
		if _, err := os.Stat(cfg.SQLitePath()); err != nil {
			return fmt.Errorf("no store to check at %s (ECITIZEN_DATA_DIR): %w", cfg.SQLitePath(), err)
		}
	}
	if err := cfg.EnsureKeys(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	log := slog.New(logging.Wrap(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	st, svc, err := open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	var rep integrity.Report
	if err := svc.Roster.Check(ctx, repair, &rep); err != nil {
		return fmt.Errorf("check rosters: %w", err)
	}
	if err := svc.Training.Check(ctx, repair, &rep); err != nil {
		return fmt.Errorf("check training sessions: %w", err)
	}
	if err := rep.Write(stdout); err != nil {
		return err
	}
	if n := rep.Broken(); n > 0 {
		return fmt.Errorf("%w: %d", errBroken, n)
	}
	return nil
}
