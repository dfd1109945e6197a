// Command healthcheck is the container image's HEALTHCHECK: a tiny static binary,
// since the distroless image has no shell, curl or wget. It GETs /healthz of the
// service in the same container and exits 0 when the answer is 200, 1 otherwise.
//
// The port comes from ECITIZEN_ADDR (default ":8080"), the host is always
// 127.0.0.1; an argument replaces the whole URL:
//
//	healthcheck                                # GET http://127.0.0.1:8080/healthz
//	healthcheck http://127.0.0.1:9090/readyz
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	url, err := target(os.Args[1:], os.Getenv("ECITIZEN_ADDR"))
	if err == nil {
		err = check(url)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
}

func target(args []string, addr string) (string, error) {
	if len(args) > 0 {
		return args[0], nil
	}
	port := "8080"
	if addr != "" {
		_, p, err := net.SplitHostPort(addr)
		if err != nil || p == "" {
			return "", fmt.Errorf("ECITIZEN_ADDR %q is not host:port", addr)
		}
		port = p
	}
	return "http://" + net.JoinHostPort("127.0.0.1", port) + "/healthz", nil
}

func check(url string) error {
	c := &http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
