package httpapi

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"sync"
	"testing"
)

// runLog captures what every test of the package logs (each test env's logger and
// the default logger), so TestMain can check the whole run for personal numbers.
var runLog lockedBuffer

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testLogger is the logger of test envs: everything goes to runLog.
func testLogger(extra ...io.Writer) *slog.Logger {
	if os.Getenv("DEBUG_LOG") != "" {
		extra = append(extra, os.Stderr)
	}
	return slog.New(slog.NewJSONHandler(io.MultiWriter(append([]io.Writer{&runLog}, extra...)...), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// personalNumber matches a Vietnamese mobile number (+84 or 0, then 9 digits) or a
// 12-digit CCCD standing alone (not the last group of a UUID).
var personalNumber = regexp.MustCompile(`(?:^|[^\w-])((?:\+84|0)[35789]\d{8}|\d{12})(?:[^\w-]|$)`)

// TestMain runs the package's tests and then fails the run if the captured log of
// all of them holds a phone or national ID number: residents' numbers never reach
// a log, whatever test put them in a request.
func TestMain(m *testing.M) {
	slog.SetDefault(testLogger())
	code := m.Run()
	if found := personalNumber.FindAllStringSubmatch(runLog.String(), 5); code == 0 && len(found) > 0 {
		for _, f := range found {
			fmt.Fprintf(os.Stderr, "the test run's log holds a personal number: %q\n", f[1])
		}
		code = 1
	}
	// Only a whole run is sure to log: one narrowed with -run or -fuzz (a fuzz
	// target, or a test without a test env) may log nothing at all.
	narrowed := flag.Lookup("test.run").Value.String() != "" || flag.Lookup("test.fuzz").Value.String() != ""
	if code == 0 && !narrowed && len(runLog.String()) == 0 {
		fmt.Fprintln(os.Stderr, "the test run logged nothing: the capture is not wired")
		code = 1
	}
	os.Exit(code)
}

// TestPersonalNumberPattern: the run's log check finds numbers in log lines and
// does not mistake ids for them.
func TestPersonalNumberPattern(t *testing.T) {
	for _, line := range []string{`"phone":"+84912345678"`, `sđt 0912345678.`, `"cccd":"001203004567"`, "0387654321"} {
		if !personalNumber.MatchString(line) {
			t.Errorf("%s: no number found", line)
		}
	}
	for _, line := range []string{`"id":"01a216f9-73c1-7741-aa42-161123456789"`, `"request_id":"8f79ef52f32b90d2d6e3e704"`,
		`"at":1764124800000`, `"minutes":120`, `"code":"GJKT-UITM-MYQZ-L7LE-7V7D-IIZY"`} {
		if personalNumber.MatchString(line) {
			t.Errorf("%s: taken for a number", line)
		}
	}
}
