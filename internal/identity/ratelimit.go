package identity

import (
	"time"
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
