package identity

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LoginLimits sets how many login attempts are allowed per account and per client
// address: Burst at once, then one more every Every.
type LoginLimits struct {
	AccountBurst int
	AccountEvery time.Duration
	AddrBurst    int
	AddrEvery    time.Duration
}

// DefaultLoginLimits: 5 attempts per account then one a minute; 30 per address
// (a community centre shares one address) then one every 2 seconds.
var DefaultLoginLimits = LoginLimits{AccountBurst: 5, AccountEvery: time.Minute, AddrBurst: 30, AddrEvery: 2 * time.Second}

// limiter throttles login attempts per key with token buckets kept in memory.
// Each API instance limits on its own: behind a load balancer of N instances an
// attacker gets at most N times the budget, still far below what guessing needs.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	every   time.Duration
	burst   int
	swept   time.Time
}

func newLimiter(burst int, every time.Duration) *limiter {
	return &limiter{buckets: map[string]*rate.Limiter{}, every: every, burst: burst}
}

// allow takes one token for key; when none is left it returns the wait in whole
// seconds (at least 1) until one is.
func (l *limiter) allow(key string, now time.Time) (bool, int) {
	if l.burst <= 0 {
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
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, int(math.Ceil(d.Seconds()))
	}
	return true, 0
}

// sweep drops buckets that have refilled completely, at most once a minute, so
// memory stays bounded by the keys seen in the last refill period.
func (l *limiter) sweep(now time.Time) {
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
