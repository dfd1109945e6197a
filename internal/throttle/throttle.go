// Package throttle limits how often one key (an account, a client address, a
// user) may do something, for login attempts and for checks of personal numbers.
package throttle

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter throttles attempts per key (an account, a client address, a user)
// with token buckets kept in memory: Burst at once, then one more every Every.
// Each API instance limits on its own: behind a load balancer of N instances
// a client gets at most N times the budget.
type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	every   time.Duration
	burst   int
	swept   time.Time
}

// New returns a limiter of burst tokens per key, refilled one every every; a
// burst of 0 or less allows everything.
func New(burst int, every time.Duration) *Limiter {
	return &Limiter{buckets: map[string]*rate.Limiter{}, every: every, burst: burst}
}

// Allow takes one token for key; when none is left it returns the wait in whole
// seconds (at least 1) until one is.
func (l *Limiter) Allow(key string, now time.Time) (bool, int) { return l.AllowN(key, 1, now) }

// AllowN takes n tokens for key, or none: when fewer are left it returns the
// wait in whole seconds (at least 1) until there are (n above the burst never is).
func (l *Limiter) AllowN(key string, n int, now time.Time) (bool, int) {
	if l.burst <= 0 || n <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.buckets[key] = b
	}
	r := b.ReserveN(now, n)
	if !r.OK() {
		return false, int(math.Ceil(l.every.Seconds() * float64(l.burst)))
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, int(math.Ceil(d.Seconds()))
	}
	return true, 0
}

// sweep drops buckets that have refilled completely, at most once a minute, so
// memory stays bounded by the keys seen in the last refill period.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}
