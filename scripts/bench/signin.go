package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Signing in against a server run the documented way. Its login throttle
// (ECITIZEN_LOGIN_LIMIT, by default 5/1m,30/2s: a burst of 5 per account
// refilled one a minute, and a burst of 30 per client address refilled one
// every 2 s) answers 429 with Retry-After once the bench's address has used its
// burst. The bench signs in few accounts (-tokens volunteers, one staff member
// per ward, the admin), keeps their tokens for every attack, and when a sign-in
// is refused waits what the server asks and tries again, so a default server
// only makes the start slower.

// loginPatience bounds the waiting for one account: longer than the per-account
// refill (1 minute by default), short of an unattended hang.
const loginPatience = 3 * time.Minute

// httpError is a non-2xx answer of the server to a preparing request.
type httpError struct {
	method, path string
	status       string
	code         int
	body         string
	retryAfter   string // the Retry-After header, if any
}

func (e *httpError) Error() string {
	return fmt.Sprintf("%s %s: %s: %s", e.method, e.path, e.status, e.body)
}

// retryDelay is how long to wait after a 429: the Retry-After seconds the
// server gave, or 2 s (the default per-address refill) when it gave none or an
// HTTP date, never less than 100 ms nor more than a minute.
func retryDelay(header string) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(header))
	if err != nil {
		return 2 * time.Second
	}
	return min(max(time.Duration(s)*time.Second, 100*time.Millisecond), time.Minute)
}

// login signs one account in and returns its access token, waiting out the
// server's login throttle (429) for at most loginPatience.
func (c *client) login(ctx context.Context, email, password string) (string, error) {
	deadline := time.Now().Add(loginPatience)
	for {
		var out struct {
			AccessToken string `json:"access_token"`
		}
		err := c.do(ctx, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, &out)
		var he *httpError
		if errors.As(err, &he) && he.code == http.StatusTooManyRequests {
			wait := retryDelay(he.retryAfter)
			if time.Now().Add(wait).After(deadline) {
				return "", fmt.Errorf("%s: still throttled after %s (relax the server's ECITIZEN_LOGIN_LIMIT): %w", email, loginPatience, err)
			}
			if c.throttled.CompareAndSwap(false, true) {
				fmt.Printf("bench: the server throttles sign-ins (429; ECITIZEN_LOGIN_LIMIT): waiting as it asks, %s first\n", wait)
			}
			select {
			case <-time.After(wait):
				continue
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		if err != nil {
			return "", err
		}
		if out.AccessToken == "" {
			return "", fmt.Errorf("%s: login answered without an access token", email)
		}
		return out.AccessToken, nil
	}
}
