// Command ecitizen runs the ecitizen service: `go run ./api` starts it on :8080 with
// its embedded SQLite store in ./data. See the README for configuration.
//
// `go run ./api check [-repair]` checks the store's rosters and training
// sessions instead (api/check.go) and exits 1 when an invariant is broken.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := run
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "check" {
		cmd, args = check, args[1:]
	}
	if err := cmd(ctx, args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ecitizen:", err)
		os.Exit(1)
	}
}
