// Command ecitizen runs the ecitizen service: `go run ./api` starts it on :8080 with
// its embedded SQLite store in ./data. See the README for configuration.
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
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ecitizen:", err)
		os.Exit(1)
	}
}
