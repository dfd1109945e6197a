package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The bare Gin baseline: a handler returning a small JSON object, served by
// this process on a loopback port and attacked like every endpoint, in the same
// run. It is the ceiling of the stack on this machine at this moment (a shared
// machine's load moves every figure), so the saturation table gives each path's
// requests/s as a share of it, which is comparable across runs where the
// absolute figures are not.

// baselinePath is the baseline's row in the table.
const baselinePath = "/baseline (bare Gin, in the bench process)"

// baseline is the running in-process Gin server.
type baseline struct {
	base string
	srv  *http.Server
}

// startBaseline serves the baseline handler on a free loopback port.
func startBaseline() (*baseline, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New() // no logger, no recovery: the bare stack
	r.GET("/baseline", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ok", "service": "baseline"})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	b := &baseline{base: "http://" + ln.Addr().String(), srv: &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		if err := b.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("bench: baseline server:", err)
		}
	}()
	return b, nil
}

// stop closes the baseline's listener and connections.
func (b *baseline) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = b.srv.Shutdown(ctx)
}

// spec is the baseline's attack, a read.
func (b *baseline) spec() spec {
	return spec{class: reads, method: http.MethodGet, path: baselinePath, target: rotate(1, func(_ int, t *vegeta.Target) {
		*t = vegeta.Target{Method: http.MethodGet, URL: b.base + "/baseline"}
	})}
}
