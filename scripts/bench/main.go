// Command bench is a load benchmark of the ecitizen API built on the vegeta library.
// It attacks a bare Gin baseline and then twenty-one endpoints, one after another,
// each for -duration, and prints a table of latencies and outcomes. Each attack
// has a class (reads, writes, summaries, exports) and runs at its class's constant
// rate (-rate-reads, -rate-writes, -rate-summaries, -rate-exports, each -rate
// unless given); -only REGEXP runs just the attacks whose name (method and path,
// as in the table) matches:
//
//	GET    /baseline                    the bare Gin baseline (reads): a handler of this
//	                                    process answering a small JSON object on a loopback
//	                                    port, the ceiling of the stack on this machine now
//	POST   /api/v1/auth/login           rotating over the seeded volunteers (argon2id-bound)
//	GET    /api/v1/me                   with access tokens of -tokens volunteers signed in beforehand
//	GET    /api/v1/wards/{id}/centres   rotating over the wards (public read)
//	GET    /api/v1/courses              the public catalogue
//	GET    /api/v1/courses?q=…          catalogue search, accented and unaccented queries
//	GET    /api/v1/courses/{id}/lessons/{lesson_id}   every lesson of the catalogue
//	GET    /api/v1/centres/{id}/shifts?from=…&to=…     a week of a centre's shifts, signed in,
//	                                    rotating over the centres and the 52 weeks from tomorrow
//	POST   /api/v1/shifts/{id}/bookings the signed-in volunteers book shifts whose sign-up is
//	                                    open (starting in 4 h to 14 days), 8 volunteers in turn
//	                                    per shift, every other shift with {"waitlist": true};
//	                                    201 (booked), 202 (waiting) and 409 (full, collides,
//	                                    already booked or waiting) are all answers, counted apart
//	DELETE /api/v1/shifts/{id}/bookings/me   each place the book attack got (201), once;
//	                                    this attack ends when they are all cancelled
//	POST/DELETE /api/v1/shifts/{id}/…   a waiting-list storm: on 24 shifts open for sign-up,
//	                                    10 volunteers each join the line (or take a free place),
//	                                    cancel, leave the line and join again, all at once, round
//	                                    after round, so cancellations promote while others re-join
//	GET    /api/v1/wards/{id}/residents?q=…   resident search by ward staff, a folded name
//	                                    prefix ("nguyen th"), over 100 residents of each ward
//	POST   /api/v1/residents/{id}/progress   ward staff record a skill (observed, with an
//	                                    evidence note), over the same residents and the skills
//	GET    /api/v1/residents/{id}/status     the e-citizen status, as ward staff
//	GET    /api/v1/wards/{id}/coverage       a ward's coverage summary, as its staff, over the wards
//	GET    /api/v1/district/coverage         the district overview, as the admin (admin@localhost)
//	GET    /api/v1/district/coverage/export?format=csv&table=wards   the ranked wards as CSV
//	GET    /api/v1/wards/{id}/coverage/export?format=xlsx   a ward's workbook, as its staff
//	GET    /api/v1/wards/{id}/coverage (1 in 10 a record)   the ward summaries again, with every
//	                                    tenth request recording a skill in the ward it reads, so
//	                                    the wards' snapshots keep being read again
//
// The classes: writes are the sign-in, booking, cancelling, the storm and recording
// a skill; summaries the ward and district coverage and the ward summaries with
// records; exports the CSV and XLSX; reads all the rest.
//
// With -saturate N the rates are ignored: each attack is N concurrent clients, each
// sending its next request as soon as its last is answered, for -duration, and the
// table gives each path's requests answered per second and its share of the
// baseline's, measured the same way just before ("of gin"): the ratio is what
// compares across runs and machines, the absolute figures move with the load.
//
// After the attacks it prints the server's memory from /proc/<pid>/status (VmRSS,
// and VmHWM, its peak): of the server it started, or with -url of -pid when given.
//
// After the attacks it reads every shift the book attack touched (GET
// /api/v1/shifts/{id}: booked and places) and the signed-in volunteers' bookings
// (GET /api/v1/me/bookings), prints "overbooked shifts: N" and the volunteers with
// overlapping bookings, then runs `ecitizen check` on the store beside the
// server and prints its count of broken invariants (overbooking, overlaps,
// booked and waiting, free places while people wait, shared positions, a history
// that does not replay), and exits non-zero if either found any. With -url the
// check needs the server's -data-dir (or -mongodb-uri). Without shifts open
// for sign-up (a store seeded with -shifts 0) the four roster attacks are skipped.
//
// Usage:
//
//	go run ./scripts/bench [-rate 50] [-rate-writes 200] [-duration 10s] [-only REGEXP]
//	go run ./scripts/bench -saturate 16 [-duration 10s] [-only REGEXP]
//	go run ./scripts/bench -url http://127.0.0.1:8080 [-pid PID] [-data-dir data] [-rate 50] [-duration 10s] [-store sqlite]
//
// Without -url it runs a server of its own: it seeds a temporary data directory
// with scripts/seed/seeding (or the MongoDB database of -mongodb-uri), with
// -residents residents (default 4000) with -progress progress records (default
// 20000; the seed command's 40000 and 200000 add about four minutes), sealed with
// the key files it creates in the data directory for the server,
// -shifts shifts (default 20000) and -bookings bookings (default 20000, which
// leaves most shifts places to book; 60000, the seed command's default, fills about
// 85% of them and adds about 30 s of seeding on two CPUs), builds
// ./api, starts it on a free loopback port with ECITIZEN_LOGIN_LIMIT relaxed to
// "100000/1ms,100000/1ms" so that the login attack measures hashing and not the
// throttle, waits for /readyz, attacks, and stops the server with SIGTERM. Run it
// from the module root.
//
// With -url it attacks a live server on a loopback address, which must have been
// seeded (go run ./scripts/seed) with the same -password and at least -volunteers
// volunteers. It signs in -tokens volunteers (16), one staff member per ward and
// the admin, once, and reuses their tokens in every attack (renewed when older
// than 8 minutes); a server run with the default ECITIZEN_LOGIN_LIMIT (5/1m,30/2s:
// 30 sign-ins per client address at once, then one every 2 s) answers the ones
// past its burst 429 with Retry-After, which the bench waits out (about 10 s with
// the default seed), so the documented `go run ./api` works as is. The login attack
// itself is then mostly answered 429 (the throttle, not the hashing, is measured):
// relax ECITIZEN_LOGIN_LIMIT (e.g. 100000/1ms,100000/1ms) to measure sign-in, or
// leave it out with -only. -store names its store
// kind in the header. The roster attacks change its data: the places they book are
// cancelled again, but waiting-list entries (202) stay, and some of them are
// promoted to places when the cancel attack frees them. The progress attack adds
// records (append-only) to the residents it rotates over, which may make some of
// them e-citizens and issue their certificates. Without residents (seeded with
// -residents 0) the three resident attacks are skipped.
//
// Bounds: the target must be a loopback address; every rate is at most 2000/s,
// -duration at most 5m, and one attack uses at most 512 concurrent requests
// (-saturate at most 512 clients).
// Client and server share the machine when bench runs the server, so on a small
// machine the figures include the client's own CPU use.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"ecitizen/internal/config"
	"ecitizen/scripts/seed/seeding"
)

// Bounds of one run.
const (
	maxRate     = 2000
	maxDuration = 5 * time.Minute
	maxWorkers  = 512
)

type options struct {
	url        string
	rate       int
	rates      map[class]int // per class; 0 is -rate
	only       *regexp.Regexp
	saturate   int
	pid        int
	duration   time.Duration
	password   string
	volunteers int
	tokens     int
	store      string
	mongoURI   string
	mongoDB    string
	dataDir    string
	keep       bool
	shifts     int
	bookings   int
	residents  int
	progress   int
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "", "base URL of a live, seeded server on loopback; empty: seed and run one")
	flag.IntVar(&o.rate, "rate", 50, "requests per second of each attack, unless its class has a -rate-… of its own")
	o.rates = map[class]int{}
	for _, c := range classes {
		flag.Func("rate-"+string(c), fmt.Sprintf("requests per second of each attack of the %s (default -rate)", classDoc[c]), func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return err
			}
			o.rates[c] = n
			return nil
		})
	}
	only := flag.String("only", "", "run only the attacks whose name (method and path, as in the table) matches this regular expression; the baseline always runs")
	flag.IntVar(&o.saturate, "saturate", 0, "saturation mode: N concurrent clients, each sending its next request as soon as answered, for -duration per attack (the rates are ignored)")
	flag.IntVar(&o.pid, "pid", 0, "with -url: the server's process ID, to print its memory (VmRSS, VmHWM) at the end")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "duration of each attack")
	flag.StringVar(&o.password, "password", seeding.DefaultPassword, "password of the seeded accounts")
	flag.IntVar(&o.volunteers, "volunteers", seeding.DefaultVolunteers, "number of seeded volunteers (to seed, and to rotate over)")
	flag.IntVar(&o.tokens, "tokens", 16, "volunteers signed in for the GET /me and the roster attacks (few: a default server throttles sign-ins)")
	flag.IntVar(&o.shifts, "shifts", seeding.DefaultShifts, "without -url: shifts to seed over the year from tomorrow")
	flag.IntVar(&o.bookings, "bookings", 20000, "without -url: bookings to seed on them")
	flag.IntVar(&o.residents, "residents", 4000, "without -url: residents to seed over the wards")
	flag.IntVar(&o.progress, "progress", 20000, "without -url: progress records to seed for them")
	flag.StringVar(&o.store, "store", "unknown", "store kind of the -url server, for the header")
	flag.StringVar(&o.mongoURI, "mongodb-uri", "", "without -url: seed and run the server on this MongoDB instead of SQLite")
	flag.StringVar(&o.mongoDB, "mongodb-database", "ecitizen_bench", "without -url: MongoDB database to seed and use")
	flag.StringVar(&o.dataDir, "data-dir", "", "with -url: the server's data directory, for the store check after the attacks")
	flag.BoolVar(&o.keep, "keep", false, "without -url: keep the temporary data directory and server log")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected argument %q", flag.Arg(0)))
	}
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			fail(fmt.Errorf("-only: %w", err))
		}
		o.only = re
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func run(ctx context.Context, o options) error {
	for _, c := range classes {
		if r := o.rates[c]; r < 0 || r > maxRate {
			return fmt.Errorf("-rate-%s must be 1 to %d (0: -rate)", c, maxRate)
		}
	}
	switch {
	case o.rate <= 0 || o.rate > maxRate:
		return fmt.Errorf("-rate must be 1 to %d", maxRate)
	case o.saturate < 0 || o.saturate > maxWorkers:
		return fmt.Errorf("-saturate must be 0 (constant rates) to %d clients", maxWorkers)
	case o.pid < 0:
		return errors.New("-pid must be a process ID")
	case o.duration <= 0 || o.duration > maxDuration:
		return fmt.Errorf("-duration must be positive and at most %s", maxDuration)
	case o.volunteers <= 0 || o.tokens <= 0:
		return errors.New("-volunteers and -tokens must be positive")
	case o.shifts < 0 || o.bookings < 0 || o.residents < 0 || o.progress < 0:
		return errors.New("-shifts, -bookings, -residents and -progress must not be negative")
	}
	o.tokens = min(o.tokens, o.volunteers)

	base, kind := o.url, o.store
	var srv *server
	if base == "" {
		var err error
		srv, err = startServer(ctx, o)
		if srv != nil {
			defer srv.stop()
		}
		if err != nil {
			return err
		}
		base, kind = srv.base, srv.kind
	}
	base = strings.TrimRight(base, "/")
	if err := checkLoopback(base); err != nil {
		return err
	}

	c := &client{base: base, http: &http.Client{Timeout: 30 * time.Second}}
	wards, err := c.wardIDs(ctx)
	if err != nil {
		return err
	}
	if len(wards) == 0 {
		return errors.New("the server has no wards: seed it first (go run ./scripts/seed)")
	}
	t := time.Now()
	tokens, err := c.signIn(ctx, o.tokens, o.password)
	if err != nil {
		return err
	}
	fmt.Printf("bench: %d wards; %d volunteers signed in in %s\n", len(wards), len(tokens), time.Since(t).Round(time.Millisecond))
	lessons, err := c.lessonPaths(ctx)
	if err != nil {
		return err
	}
	if len(lessons) == 0 {
		return errors.New("the catalogue has no lessons")
	}
	fmt.Printf("bench: %d lessons in the catalogue\n", len(lessons))
	ro, err := prepareRoster(ctx, c, wards, tokens, t, o.password)
	if err != nil {
		return err
	}
	if ro == nil {
		fmt.Println("bench: no shifts open for sign-up: the roster attacks are skipped (seed with -shifts)")
	}
	rs, err := prepareResidents(ctx, c, o.password)
	if err != nil {
		return err
	}
	var cs *coverageSetup
	if rs == nil {
		fmt.Println("bench: no residents: the resident attacks are skipped (seed with -residents)")
	} else if cs, err = prepareCoverage(ctx, c, rs, o.password); err != nil {
		return err
	}
	bare, err := startBaseline()
	if err != nil {
		return err
	}
	defer bare.stop()
	fmt.Println()

	header(os.Stdout, o, base, kind)
	var rows []row
	hit := func(a spec) error {
		if name := a.name(); a.path != baselinePath && o.only != nil && !o.only.MatchString(name) {
			return nil
		}
		if o.saturate > 0 {
			fmt.Printf("attacking %s with %d clients for %s …\n", a.name(), o.saturate, o.duration)
		} else {
			fmt.Printf("attacking %s at %d/s (%s) for %s …\n", a.name(), o.rateOf(a.class), a.class, o.duration)
		}
		r, err := attack(ctx, a, o)
		if err != nil {
			return err
		}
		rows = append(rows, r)
		return nil
	}
	// The baseline first: its row heads the table and is what the others are compared with.
	if err := hit(bare.spec()); err != nil {
		return err
	}
	for _, a := range attacks(base, o, wards, tokens, lessons) {
		if err := hit(a); err != nil {
			return err
		}
	}
	var book *bookAttack
	if ro != nil {
		book = ro.bookAttack()
		// Each spec is made after the tokens are renewed, if they had to be.
		for _, mk := range []func() spec{
			func() spec { return ro.listSpec(base) },
			func() spec { return book.spec(base) },
			func() spec { return book.cancelSpec(base) },
			func() spec { return ro.stormSpec(base) },
		} {
			if err := ro.vols.fresh(ctx); err != nil {
				return err
			}
			if err := hit(mk()); err != nil {
				return err
			}
		}
	}
	if rs != nil {
		specs := rs.specs(base)
		specs = append(specs, cs.specs(base)...)
		for _, mk := range specs {
			if err := rs.fresh(ctx); err != nil {
				return err
			}
			if err := hit(mk()); err != nil {
				return err
			}
		}
	}
	if len(rows) == 1 && o.only != nil {
		return fmt.Errorf("-only %q matches no attack", o.only)
	}
	fmt.Println()
	table(os.Stdout, rows, o.saturate > 0)
	// The load moved during the run: the header's figure alone would hide it.
	fmt.Printf("load average after the attacks: %s\n", loadAverage())
	var errs []error
	if book != nil && len(book.touched) > 0 {
		errs = append(errs, book.check(ctx, os.Stdout))
	}
	pid := o.pid
	if srv != nil {
		pid = srv.cmd.Process.Pid
	}
	printMemory(os.Stdout, pid)
	errs = append(errs, storeCheck(ctx, o, srv))
	return errors.Join(errs...)
}

// printMemory prints the server's resident memory after the attacks, or why not.
func printMemory(w io.Writer, pid int) {
	if pid == 0 {
		fmt.Fprintln(w, "\nserver memory: unknown (give the server's process ID with -pid)")
		return
	}
	m, err := readMemory(pid)
	if err != nil {
		fmt.Fprintf(w, "\nserver memory: pid %d: %v\n", pid, err)
		return
	}
	fmt.Fprintf(w, "\nserver memory (pid %d, after the attacks): %s\n", pid, m)
}

// storeCheck runs `ecitizen check` on the attacked store, beside the running
// server, and prints what it found: the store's own count of broken invariants
// (overbooking, overlaps, booked and waiting, free places while people wait,
// shared positions, a history that does not replay). Without the store's
// location (-url without -data-dir or -mongodb-uri) it says it is skipped.
func storeCheck(ctx context.Context, o options, srv *server) error {
	var env []string
	switch {
	case srv != nil:
		env = srv.env
	case o.dataDir != "" || o.mongoURI != "":
		env = []string{"ECITIZEN_DATA_DIR=" + o.dataDir}
		if o.mongoURI != "" {
			env = append(env, "ECITIZEN_MONGODB_URI="+o.mongoURI, "ECITIZEN_MONGODB_DATABASE="+o.mongoDB)
		}
	default:
		fmt.Println("\nstore check: skipped (give the server's -data-dir, or its -mongodb-uri, to run `ecitizen check` on it)")
		return nil
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "run", "./api", "check")
	if srv != nil {
		cmd = exec.CommandContext(ctx, srv.bin, "check")
	}
	cmd.Dir, cmd.Env = root, append(withoutEcitizen(os.Environ()), env...)
	out, err := cmd.CombinedOutput()
	fmt.Printf("\nstore check (ecitizen check):\n%s", out)
	if err != nil {
		return fmt.Errorf("store check: %w", err)
	}
	return nil
}

// checkLoopback refuses any target but a loopback address.
func checkLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-url %q is not like http://127.0.0.1:8080", base)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-url %q: bench only targets loopback addresses (127.0.0.1, ::1, localhost)", base)
}

// header names the machine, the target and the settings.
func header(w io.Writer, o options, base, kind string) {
	fmt.Fprintf(w, "date:    %s\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "machine: %d CPUs (%s), %s/%s, %s; load average %s\n", runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH,
		runtime.Version(), loadAverage())
	fmt.Fprintf(w, "target:  %s, store %s\n", base, kind)
	if o.saturate > 0 {
		fmt.Fprintf(w, "attacks: saturation, %d concurrent clients each sending as soon as answered, for %s each, one after another\n", o.saturate, o.duration)
	} else {
		var rates []string
		for _, c := range classes {
			rates = append(rates, fmt.Sprintf("%s %d/s", c, o.rateOf(c)))
		}
		fmt.Fprintf(w, "attacks: constant rates (%s), for %s each, one after another\n", strings.Join(rates, ", "), o.duration)
	}
	if o.only != nil {
		fmt.Fprintf(w, "only:    attacks matching %q, after the baseline\n", o.only)
	}
	if o.url == "" {
		fmt.Fprintln(w, "note:    client and server share the machine")
	}
	fmt.Fprintln(w)
}

// loadAverage reads the 1-, 5- and 15-minute load averages on Linux (a busy,
// shared machine makes every figure slower); elsewhere it is "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// cpuModel reads the CPU model on Linux; elsewhere it is "unknown CPU".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// client makes the few plain requests that prepare the attacks.
type client struct {
	base      string
	http      *http.Client
	throttled atomic.Bool // the login throttle was met (said once)
}

// do sends a request, with the bearer token when not empty, and decodes a 2xx answer into out.
func (c *client) do(ctx context.Context, method, path, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &httpError{method: method, path: path, status: resp.Status, code: resp.StatusCode,
			body: strings.TrimSpace(string(b)), retryAfter: resp.Header.Get("Retry-After")}
	}
	return json.Unmarshal(b, out)
}

// wardIDs lists every ward's ID, page by page (at most 100 pages).
func (c *client) wardIDs(ctx context.Context) ([]string, error) {
	var ids []string
	cursor := ""
	for range 100 {
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		q := url.Values{"limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		if err := c.do(ctx, http.MethodGet, "/api/v1/wards?"+q.Encode(), "", nil, &page); err != nil {
			return nil, err
		}
		for _, w := range page.Items {
			ids = append(ids, w.ID)
		}
		if page.NextCursor == nil || *page.NextCursor == "" {
			return ids, nil
		}
		cursor = *page.NextCursor
	}
	return ids, nil
}

// lessonPaths lists the path of every lesson of the published catalogue's first page.
func (c *client) lessonPaths(ctx context.Context) ([]string, error) {
	var catalogue struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/courses?limit=100", "", nil, &catalogue); err != nil {
		return nil, err
	}
	var paths []string
	for _, co := range catalogue.Items {
		var detail struct {
			Lessons []struct {
				ID string `json:"id"`
			} `json:"lessons"`
		}
		if err := c.do(ctx, http.MethodGet, "/api/v1/courses/"+co.ID, "", nil, &detail); err != nil {
			return nil, err
		}
		for _, l := range detail.Lessons {
			paths = append(paths, "/api/v1/courses/"+co.ID+"/lessons/"+l.ID)
		}
	}
	return paths, nil
}

// signIn logs in the first n volunteers, 4 at a time, and returns their access tokens.
func (c *client) signIn(ctx context.Context, n int, password string) ([]string, error) {
	tokens := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			tokens[i], errs[i] = c.login(ctx, seeding.VolunteerEmail(i+1), password)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("sign in volunteers (seeded with this -password and -volunteers?): %w", err)
	}
	return tokens, nil
}

// spec is one attack: a name for the table and a targeter that rotates over its
// inputs (or returns vegeta.ErrNoTargets when it has no more, which ends the attack).
type spec struct {
	class        class
	method, path string
	target       vegeta.Targeter
	// served tells the status codes that are answers of the endpoint; 2xx when nil.
	served func(code int) bool
	// result, when set, sees every result, in the attack's goroutine.
	result func(*vegeta.Result)
}

// name is the attack's row in the table, which -only matches.
func (a spec) name() string { return a.method + " " + a.path }

// class is a kind of attack, with its own constant rate (-rate-reads, …).
type class string

const (
	reads     class = "reads"
	writes    class = "writes"
	summaries class = "summaries"
	exports   class = "exports"
)

// classes are the attack classes, in the order of their flags.
var classes = []class{reads, writes, summaries, exports}

// classDoc says what each class holds, for the flags' help.
var classDoc = map[class]string{
	reads:     "reads (lists, searches, lessons, the web pages, a resident's status, the baseline)",
	writes:    "writes (sign-in, booking, cancelling, the waiting-list storm, recording a skill)",
	summaries: "summaries (ward and district coverage, ward coverage while 1 in 10 records a skill)",
	exports:   "exports (coverage as CSV and XLSX)",
}

// rateOf is the constant rate of a class's attacks: its -rate-… or -rate.
func (o options) rateOf(c class) int {
	if r := o.rates[c]; r > 0 {
		return r
	}
	return o.rate
}

// rotate returns a targeter that fills the i-th target, i going round 0 … n-1.
// Targeters are called from many workers at once: each keeps an atomic counter.
func rotate(n int, fill func(i int, t *vegeta.Target)) vegeta.Targeter {
	var next atomic.Uint64
	return func(t *vegeta.Target) error {
		fill(int((next.Add(1)-1)%uint64(n)), t)
		return nil
	}
}

// searches are what residents type: unaccented, accented, one word, several.
var searches = []string{"dich vu cong", "Dịch vụ công", "vneid", "lua dao", "thanh toán", "dang ky khai sinh", "an toàn", "tinh nguyen vien"}

func attacks(base string, o options, wards, tokens, lessons []string) []spec {
	logins := make([][]byte, o.volunteers)
	for i := range logins {
		logins[i], _ = json.Marshal(map[string]string{"email": seeding.VolunteerEmail(i + 1), "password": o.password})
	}
	return []spec{
		{class: writes, method: http.MethodPost, path: "/api/v1/auth/login", target: rotate(len(logins), func(i int, t *vegeta.Target) {
			*t = vegeta.Target{Method: http.MethodPost, URL: base + "/api/v1/auth/login", Body: logins[i],
				Header: http.Header{"Content-Type": {"application/json"}}}
		})},
		{class: reads, method: http.MethodGet, path: "/api/v1/me", target: rotate(len(tokens), func(i int, t *vegeta.Target) {
			*t = vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/me",
				Header: http.Header{"Authorization": {"Bearer " + tokens[i]}}}
		})},
		{class: reads, method: http.MethodGet, path: "/api/v1/wards/{id}/centres", target: rotate(len(wards), func(i int, t *vegeta.Target) {
			*t = vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/wards/" + wards[i] + "/centres"}
		})},
		{class: reads, method: http.MethodGet, path: "/api/v1/courses", target: rotate(1, func(_ int, t *vegeta.Target) {
			*t = vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/courses"}
		})},
		{class: reads, method: http.MethodGet, path: "/api/v1/courses?q=…", target: rotate(len(searches), func(i int, t *vegeta.Target) {
			*t = vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/courses?q=" + url.QueryEscape(searches[i])}
		})},
		{class: reads, method: http.MethodGet, path: "/api/v1/courses/{id}/lessons/{lesson_id}", target: rotate(len(lessons), func(i int, t *vegeta.Target) {
			*t = vegeta.Target{Method: http.MethodGet, URL: base + lessons[i]}
		})},
		// The web app's public pages, as a resident's phone asks for them.
		{class: reads, method: http.MethodGet, path: "/ (web home page)", target: rotate(1, func(_ int, t *vegeta.Target) {
			*t = vegeta.Target{Method: http.MethodGet, URL: base + "/"}
		})},
		{class: reads, method: http.MethodGet, path: "/courses?q=… (web catalogue)", target: rotate(len(searches), func(i int, t *vegeta.Target) {
			*t = vegeta.Target{Method: http.MethodGet, URL: base + "/courses?q=" + url.QueryEscape(searches[i])}
		})},
		{class: reads, method: http.MethodGet, path: "/courses/{id}/lessons/{lesson_id} (web lesson)", target: rotate(len(lessons), func(i int, t *vegeta.Target) {
			*t = vegeta.Target{Method: http.MethodGet, URL: base + strings.TrimPrefix(lessons[i], "/api/v1")}
		})},
	}
}

// row is one line of the table.
type row struct {
	name     string
	class    class
	metrics  vegeta.Metrics
	ok, bad  int // answers (spec.served) and the rest
	statuses map[int]int
	errors   []string // distinct transport errors, a few
}

// attack runs one constant-rate attack and summarises it.
func attack(ctx context.Context, a spec, o options) (row, error) {
	opts := []func(*vegeta.Attacker){
		vegeta.Timeout(30 * time.Second),
		vegeta.MaxBody(4096),
		vegeta.KeepAlive(true),
		vegeta.Redirects(vegeta.NoFollow),
		vegeta.MaxWorkers(maxWorkers),
	}
	// A constant rate: as many workers as it takes to keep the pace (vegeta
	// adds them while all are waiting for answers).
	var pace vegeta.Pacer = vegeta.Rate{Freq: o.rateOf(a.class), Per: time.Second}
	if o.saturate > 0 {
		// Saturation: a zero rate is "as fast as possible", and a fixed number
		// of workers (Workers = MaxWorkers, so vegeta adds none) makes it N
		// clients each sending its next request when the last is answered.
		pace = vegeta.Rate{Freq: 0}
		n := uint64(o.saturate)
		opts = append(opts, vegeta.Workers(n), vegeta.MaxWorkers(n))
	}
	atk := vegeta.NewAttacker(opts...)
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	r := row{name: a.name(), class: a.class, statuses: map[int]int{}}
	served := a.served
	if served == nil {
		served = func(code int) bool { return code >= 200 && code < 300 }
	}
	for res := range atk.Attack(a.target, pace, o.duration, a.path) {
		if res.Code == 0 && res.Error == vegeta.ErrNoTargets.Error() {
			continue // the targeter ran out: not a request
		}
		if a.result != nil {
			a.result(res)
		}
		r.metrics.Add(res)
		code := int(res.Code)
		r.statuses[code]++
		if served(code) {
			r.ok++
		} else {
			r.bad++
			if res.Error != "" && len(r.errors) < 3 && !slices.Contains(r.errors, res.Error) {
				r.errors = append(r.errors, res.Error)
			}
		}
	}
	r.metrics.Close()
	if err := ctx.Err(); err != nil {
		return r, err
	}
	return r, nil
}

// table prints a line per attack: "success" is the share of answers (2xx, and
// for the book attack 201, 202 and 409 too), "errors" the other responses and
// failures, and "statuses" the count of each status code. In saturation mode
// "req/s" is the requests answered per second and "of gin" its share of the
// baseline's, the first row.
func table(w io.Writer, rows []row, saturation bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if saturation {
		fmt.Fprintln(tw, "endpoint\tclass\trequests\treq/s\tof gin\tp50\tp95\tp99\tmax\tsuccess\terrors\tstatuses\t")
	} else {
		fmt.Fprintln(tw, "endpoint\tclass\trequests\trate/s\tp50\tp95\tp99\tmax\tsuccess\terrors\tstatuses\t")
	}
	ms := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + "ms"
	}
	var gin float64
	if len(rows) > 0 && strings.HasSuffix(rows[0].name, baselinePath) {
		gin = answered(rows[0].metrics)
	}
	for _, r := range rows {
		m := r.metrics
		succ := "n/a" // an attack that ran out of targets at once
		if m.Requests > 0 {
			succ = strconv.FormatFloat(100*float64(r.ok)/float64(m.Requests), 'f', 1, 64) + "%"
		}
		rate := fmt.Sprintf("%.1f", m.Rate)
		if saturation {
			rate = fmt.Sprintf("%.1f\t%s", answered(m), share(answered(m), gin))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t\n",
			r.name, r.class, m.Requests, rate, ms(m.Latencies.P50), ms(m.Latencies.P95), ms(m.Latencies.P99), ms(m.Latencies.Max), succ, r.bad,
			statuses(r.statuses))
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "success: answers of the endpoint (2xx; for POST …/bookings 201 booked, 202 waiting and 409 refused)")
	if saturation {
		fmt.Fprintln(w, "req/s: requests answered per second, from the first sent to the last answered; of gin: as a share of the bare Gin baseline's")
	}
	for _, r := range rows {
		for _, e := range r.errors {
			fmt.Fprintf(w, "%s: error: %s\n", r.name, e)
		}
	}
}

// answered is the requests answered per second over the attack and the wait
// for its last answers (vegeta's Rate counts only the sending time, which at
// saturation stops while answers are still coming).
func answered(m vegeta.Metrics) float64 {
	d := (m.Duration + m.Wait).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(m.Requests) / d
}

// share is rate as a percentage of the baseline's ("48.2%"; "0.31%" below 1 %,
// so that slow paths do not all show as 0), or "n/a" without a baseline.
func share(rate, baseline float64) string {
	if baseline <= 0 {
		return "n/a"
	}
	p := 100 * rate / baseline
	if p < 1 {
		return strconv.FormatFloat(p, 'f', 2, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// statuses is "201×12 202×30 409×8"; status 0 (no response) is "none".
func statuses(n map[int]int) string {
	var codes []string
	for _, c := range slices.Sorted(maps.Keys(n)) {
		label := strconv.Itoa(c)
		if c == 0 {
			label = "none"
		}
		codes = append(codes, fmt.Sprintf("%s×%d", label, n[c]))
	}
	return strings.Join(codes, " ")
}

// server is the ecitizen process bench started.
type server struct {
	base, kind string
	env        []string // the server's ECITIZEN_ settings
	bin        string   // the server's binary
	cmd        *exec.Cmd
	dir        string // temporary directory: data, binary, log
	log        *os.File
	keep       bool
	exited     chan struct{}
}

// startServer seeds a fresh store, builds ./api and starts it on a free loopback
// port. The returned server, when not nil, must be stopped even on error.
func startServer(ctx context.Context, o options) (*server, error) {
	dir, err := os.MkdirTemp("", "ecitizen-bench-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, keep: o.keep, kind: "sqlite", exited: make(chan struct{})}
	dataDir := filepath.Join(dir, "data")
	if o.mongoURI != "" {
		s.kind = "mongodb"
	}

	fmt.Printf("bench: seeding a %s store (%d volunteers, %d shifts, %d bookings, %d residents, %d progress records; argon2id makes this take a while) …\n",
		s.kind, o.volunteers, o.shifts, o.bookings, o.residents, o.progress)
	// The key files the server will read from its data directory, created now
	// so that residents' numbers are sealed with its data key.
	keys := config.Config{DataDir: dataDir}
	if err := keys.EnsureKeys(); err != nil {
		return s, err
	}
	st, _, err := seeding.Open(ctx, dataDir, o.mongoURI, o.mongoDB)
	if err != nil {
		return s, err
	}
	res, err := seeding.Run(ctx, st, seeding.Options{Password: o.password, Volunteers: o.volunteers,
		Shifts: o.shifts, Bookings: o.bookings, Residents: o.residents, Progress: o.progress,
		DataKey: keys.DataKey, JWTKey: keys.JWTKey})
	_ = st.Close()
	if err != nil {
		return s, err
	}
	fmt.Printf("bench: seeded in %s: %d wards, %d centres, %d organisations, %d accounts, %d shifts, %d bookings, %d residents (%d e-citizens), %d progress records\n",
		res.Elapsed.Round(time.Millisecond), res.Wards.Total(), res.Centres.Total(), res.Organisations.Total(),
		res.Partners.Total()+res.Staff.Total()+res.Volunteers.Total(), res.Shifts.Total(), res.Bookings.Total(),
		res.Residents.Total(), res.ECitizens, res.Progress.Total())

	root, err := moduleRoot(ctx)
	if err != nil {
		return s, err
	}
	bin := filepath.Join(dir, "ecitizen")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./api")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return s, fmt.Errorf("go build ./api: %w", err)
	}

	addr, err := freePort()
	if err != nil {
		return s, err
	}
	if s.log, err = os.Create(filepath.Join(dir, "server.log")); err != nil {
		return s, err
	}
	s.bin = bin
	s.cmd = exec.Command(bin)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.env = []string{"ECITIZEN_DATA_DIR=" + dataDir}
	if o.mongoURI != "" {
		s.env = append(s.env, "ECITIZEN_MONGODB_URI="+o.mongoURI, "ECITIZEN_MONGODB_DATABASE="+o.mongoDB)
	}
	s.cmd.Env = append(append(withoutEcitizen(os.Environ()), s.env...),
		"ECITIZEN_ADDR="+addr,
		"ECITIZEN_LOGIN_LIMIT=100000/1ms,100000/1ms",
	)
	if err := s.cmd.Start(); err != nil {
		return s, fmt.Errorf("start server: %w", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	s.base = "http://" + addr
	fmt.Printf("bench: server pid %d on %s (log %s)\n", s.cmd.Process.Pid, s.base, s.log.Name())
	return s, s.waitReady(ctx, 60*time.Second)
}

// waitReady polls /readyz until it answers 200.
func (s *server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	hc := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("server exited before it was ready:\n%s", tail(s.log.Name(), 20))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := hc.Get(s.base + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("server not ready after %s:\n%s", limit, tail(s.log.Name(), 20))
}

// stop ends the server with SIGTERM (SIGKILL after 30 s) and removes the
// temporary directory unless asked to keep it.
func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		fmt.Printf("bench: server stopped (%s)\n", s.cmd.ProcessState)
	}
	if s.log != nil {
		_ = s.log.Close()
	}
	if s.keep {
		fmt.Printf("bench: kept %s\n", s.dir)
		return
	}
	_ = os.RemoveAll(s.dir)
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", errors.New("run bench inside the ecitizen module (go run ./scripts/bench)")
	}
	return filepath.Dir(gomod), nil
}

// freePort returns a loopback address with a port that was free a moment ago.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// withoutEcitizen drops ECITIZEN_* variables, so the server is configured only by bench.
func withoutEcitizen(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "ECITIZEN_") })
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
