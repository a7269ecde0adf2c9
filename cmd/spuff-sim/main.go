// Command spuff-sim runs the spuff cloud simulator: stateful local cloud
// APIs (Hetzner Cloud, DigitalOcean and AWS EC2) over one world, that the official SDKs and
// Terraform providers can use offline. It prints one line per cloud API
// and one for the admin API. See package internal/sim for what it simulates.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return fmt.Sprintf("%d token(s)", len(*l)) }

func (l *stringList) Set(s string) error {
	if s == "" {
		return errors.New("token must not be empty")
	}
	*l = append(*l, s)
	return nil
}

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		// -h asked for the usage text, which is not a failure.
	case err != nil:
		fmt.Fprintln(os.Stderr, "spuff-sim:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("spuff-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: spuff-sim [flags]

spuff-sim serves simulated cloud APIs over one world (the Hetzner Cloud
API under /v1, the DigitalOcean API at the root of a port of its own,
since godo drops path prefixes, and the AWS EC2 API, every call POST /, on
another) and an admin API under /_sim (reset, config, faults,
clock, state, requests, and out-of-band changes to machines and snapshots:
/_sim/machines, /_sim/images). It prints one line per cloud API. Point hcloud-go,
terraform-provider-hcloud or the spuff provider at http://ADDR/v1 with any
non-empty bearer token, or only those given with -token
(terraform-provider-hcloud itself insists on 64 characters). GET
/_sim/state lists servers and snapshots; /_sim/state?secrets=1 adds each
server's user_data, which the cloud API never shows back. Point godo
(godo.SetBaseURL) or terraform-provider-digitalocean (DIGITALOCEAN_API_URL)
at the DigitalOcean line's URL, and aws-sdk-go-v2 (ec2.Options.BaseEndpoint,
or AWS_ENDPOINT_URL_EC2) at the AWS EC2 line's URL with any access key ID
(-token lists the allowed ones) and any secret: signatures are not checked.

The catalogue is Hetzner's of late 2026: cx23-cx53, cpx12-cpx62, cax11-cax41,
ccx13-ccx63, and cpx11-cpx51 only where still sold (ash, hil); cx22-cx52 are
gone, and /v1/datacenters answers 410 as the real API does. DigitalOcean's
has twelve regions, the Basic sizes from s-1vcpu-512mb-10gb and a few
premium ones, and ubuntu-22-04-x64, ubuntu-24-04-x64, ubuntu-26-04-x64,
debian-12-x64 and debian-13-x64. EC2's has us-east-1, us-east-2, us-west-2,
eu-central-1, eu-west-1 and ap-southeast-1, t3, t4g, m7i, m7g and c7i
types (no m7g in ap-southeast-1), and public Ubuntu 24.04 and 22.04 and
Debian 12 and 13 AMIs (amd64 and arm64, two builds each) in every region.

Random faults hit every cloud API request before it changes anything, never the
admin API: -fault-5xx answers 500/502/503/504 in equal shares, -fault-429
answers rate_limit_exceeded with the headers of an empty bucket, -fault-drop
closes the connection without an answer. The three are shares of one draw
per request, so they must sum to at most 1. -latency and -latency-jitter
delay every request. The same -seed gives the same faults for the same
sequence of requests. Change them at run time with POST /_sim/faults/rates,
script one-off faults (also after the request took effect) with POST
/_sim/faults, and read what fired at GET /_sim/faults/counts.

Flags:
`)
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:0", "listen address; port 0 picks a free port")
	serverDelay := fs.Duration("server-ready-delay", 2*time.Second, "how long a new server stays initializing before it runs and gets its IPv4")
	imageDelay := fs.Duration("image-ready-delay", 3*time.Second, "how long a snapshot stays creating before it is available")
	actionDelay := fs.Duration("action-delay", 0, "how long other actions (delete_server, power actions) run")
	var tokens stringList
	fs.Var(&tokens, "token", "accept only this bearer token (repeatable); default: accept any non-empty token")
	rateLimit := fs.Int("rate-limit", 0, "requests per token bucket, refilled 1/s; 0 = each cloud's real limits (Hetzner 3600; DigitalOcean 5000/hour and 250/minute; EC2 Describe* 100 refilling 20/s, other actions 50 refilling 5/s), negative = unlimited")
	var rates sim.FaultRates
	fs.Float64Var(&rates.ServerError, "fault-5xx", 0, "share of requests answered with a 5xx, 0..1")
	fs.Float64Var(&rates.RateLimit, "fault-429", 0, "share of requests answered with 429 rate_limit_exceeded, 0..1")
	fs.Float64Var(&rates.Drop, "fault-drop", 0, "share of requests whose connection is closed without an answer, 0..1")
	fs.DurationVar(&rates.Latency, "latency", 0, "delay added to every /v1 request")
	fs.DurationVar(&rates.LatencyJitter, "latency-jitter", 0, "further random delay, uniform in [0, this)")
	progress := fs.String("progress", string(sim.ProgressLinear), "how running actions report progress (Hetzner's API; DigitalOcean's shows none): linear, steps (0/25/50/75 at each quarter), stall (80 soon, then 80 until done) or none (0 until done)")
	seed := fs.Int64("seed", 0, "seed of the random faults; 0 = from the time (printed at start)")
	urlFile := fs.String("url-file", "", "write the base URL (e.g. http://127.0.0.1:41234) and a newline to this file once listening")
	verbose := fs.Bool("v", false, "log every request (method, path, query, status) to stderr; never tokens or bodies")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *serverDelay < 0 || *imageDelay < 0 || *actionDelay < 0 {
		return errors.New("delays must not be negative")
	}
	if err := rates.Validate(); err != nil {
		return fmt.Errorf("fault flags: %w", err)
	}
	profile, err := sim.ParseProgressProfile(*progress)
	if err != nil {
		return fmt.Errorf("-progress: %w", err)
	}

	s := sim.New(sim.Options{
		ServerReadyDelay: *serverDelay,
		ImageReadyDelay:  *imageDelay,
		ActionDelay:      *actionDelay,
		Tokens:           tokens,
		RateLimit:        *rateLimit,
		Faults:           rates,
		Seed:             *seed,
	})
	s.SetProgress(profile)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()

	var logger *log.Logger
	if *verbose {
		logger = log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)
	}
	serveErr := make(chan error, 1)
	var servers []*http.Server
	serve := func(ln net.Listener, h http.Handler) {
		if logger != nil {
			h = logRequests(h, logger)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, srv)
		go func() { serveErr <- srv.Serve(ln) }()
	}
	closeAll := func() {
		for _, srv := range servers {
			_ = srv.Close()
		}
	}
	serve(ln, s.Handler())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Fprintf(stdout, "spuff-sim listening on %s\n", base)
	// One line per cloud API. A front end that needs the root of its own
	// port (godo drops path prefixes) gets a listener of its own next to
	// the main one.
	for _, fe := range s.FrontEnds() {
		url := base + fe.Path
		if fe.OwnPort {
			host, _, _ := net.SplitHostPort(ln.Addr().String())
			own, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
			if err != nil {
				closeAll()
				return err
			}
			serve(own, fe.Handler)
			url = "http://" + own.Addr().String() + fe.Path
		}
		fmt.Fprintf(stdout, "  %s (%s): %s\n", fe.Title, fe.Cloud, url)
	}
	fmt.Fprintf(stdout, "  admin API: %s/_sim/\n", base)
	if rates != (sim.FaultRates{}) {
		fmt.Fprintf(stdout, "  random faults:     5xx %g, 429 %g, drop %g, latency %v + up to %v, seed %d\n",
			rates.ServerError, rates.RateLimit, rates.Drop, rates.Latency, rates.LatencyJitter, s.Seed())
	}
	if profile != sim.ProgressLinear {
		fmt.Fprintf(stdout, "  action progress:   %s\n", profile)
	}
	if *urlFile != "" {
		if err := writeFileAtomic(*urlFile, base+"\n"); err != nil {
			closeAll()
			return fmt.Errorf("writing -url-file: %w", err)
		}
	}

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "spuff-sim shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		errs = append(errs, srv.Shutdown(shutdownCtx))
	}
	return errors.Join(errs...)
}

// writeFileAtomic writes via a temporary file and rename, so a reader that
// polls for the file never sees it half written.
func writeFileAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".spuff-sim-url-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// statusRecorder notes the status written; 0 means nothing was, as when
// the simulator drops the connection.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection, which the
// simulator takes over to drop it.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs method, path and query only: tokens travel in headers
// and user_data in bodies, and neither must ever reach a log.
func logRequests(next http.Handler, l *log.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		start := time.Now()
		defer func() {
			// Also when the handler aborts (a dropped connection without a
			// connection to take over), before the panic goes on to net/http.
			outcome := "no answer (connection dropped or client gone)"
			if rec.status != 0 {
				outcome = strconv.Itoa(rec.status)
			}
			l.Printf("%s %s -> %s (%s)", r.Method, r.URL.RequestURI(), outcome, time.Since(start).Round(time.Microsecond))
		}()
		next.ServeHTTP(rec, r)
	})
}
