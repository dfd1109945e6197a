package main

import (
	"os"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// TestParseStatus reads VmRSS and VmHWM from a /proc/<pid>/status text, and
// refuses one without them.
func TestParseStatus(t *testing.T) {
	const status = "Name:\tecitizen\nVmPeak:\t 2000000 kB\nVmHWM:\t  431700 kB\nVmRSS:\t  387500 kB\nThreads:\t9\n"
	m, err := parseStatus(status)
	if err != nil {
		t.Fatal(err)
	}
	if m.rssKB != 387500 || m.hwmKB != 431700 {
		t.Errorf("parseStatus = %+v, want VmRSS 387500 kB and VmHWM 431700 kB", m)
	}
	if got, want := m.String(), "VmRSS 396.8 MB, VmHWM 442.1 MB (peak)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	for _, bad := range []string{"Name:\tkthreadd\nThreads:\t1\n", "VmRSS:\t12 kB\n", "VmRSS:\tmany kB\nVmHWM:\t1 kB\n", "VmRSS:\t12 pages\nVmHWM:\t1 kB\n"} {
		if m, err := parseStatus(bad); err == nil {
			t.Errorf("parseStatus(%q) = %+v, want an error", bad, m)
		}
	}
}

// TestReadMemoryOwnProcess reads the test's own status where /proc exists.
func TestReadMemoryOwnProcess(t *testing.T) {
	m, err := readMemory(os.Getpid())
	if err != nil {
		t.Skip("no /proc/<pid>/status here:", err)
	}
	if m.rssKB <= 0 || m.hwmKB < m.rssKB {
		t.Errorf("own memory %+v: want VmRSS > 0 and VmHWM ≥ VmRSS", m)
	}
}

// TestShare formats a rate as a share of the baseline's.
func TestShare(t *testing.T) {
	for _, c := range []struct {
		rate, base float64
		want       string
	}{
		{9000, 18000, "50.0%"},
		{390, 18000, "2.2%"},
		{50, 18000, "0.28%"},
		{18000, 18000, "100.0%"},
		{100, 0, "n/a"},
	} {
		if got := share(c.rate, c.base); got != c.want {
			t.Errorf("share(%v, %v) = %q, want %q", c.rate, c.base, got, c.want)
		}
	}
}

// TestAnswered counts the wait for the last answers in the attack's time.
func TestAnswered(t *testing.T) {
	m := vegeta.Metrics{Requests: 300, Duration: 2 * time.Second, Wait: time.Second}
	if got := answered(m); got != 100 {
		t.Errorf("answered = %v, want 100", got)
	}
	if got := answered(vegeta.Metrics{}); got != 0 {
		t.Errorf("answered of nothing = %v, want 0", got)
	}
}

// TestRetryDelay waits what Retry-After says, within bounds.
func TestRetryDelay(t *testing.T) {
	for header, want := range map[string]time.Duration{
		"3":                             3 * time.Second,
		" 1 ":                           time.Second,
		"0":                             100 * time.Millisecond,
		"3600":                          time.Minute,
		"":                              2 * time.Second,
		"Wed, 21 Oct 2026 07:28:00 GMT": 2 * time.Second,
	} {
		if got := retryDelay(header); got != want {
			t.Errorf("retryDelay(%q) = %s, want %s", header, got, want)
		}
	}
}

// TestRateOf gives each class its own rate, or -rate.
func TestRateOf(t *testing.T) {
	o := options{rate: 50, rates: map[class]int{writes: 200, exports: 0}}
	for c, want := range map[class]int{reads: 50, writes: 200, summaries: 50, exports: 50} {
		if got := o.rateOf(c); got != want {
			t.Errorf("rateOf(%s) = %d, want %d", c, got, want)
		}
	}
}
