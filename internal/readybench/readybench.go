// Package readybench is the ready-detection benchmarks' harness (BENCHMARKS.md
// "Ready detection"), shared by every cloud plug-in's bench_test.go so that
// each cloud is measured the same way: one machine's lifecycle, and fifty
// machines waited for through a pool of workers as Terraform's -parallelism
// would, with the lag from "the simulator turned it running" to "WaitReady
// returned" and the requests each costs.
//
// It is test support: production code never imports it. It knows no cloud
// and no simulator; the caller passes in what it needs of both (Env).
package readybench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// The targets of BENCHMARKS.md "Ready detection".
const (
	OneMaxLag        = time.Second
	OneMaxRequests   = 12
	FiftyMedianLag   = 500 * time.Millisecond
	FiftyP95Lag      = time.Second
	FiftyMaxRequests = 3.0
)

// Env is one cloud's plug-in against a fresh simulator.
type Env struct {
	Cloud string
	// Provider is the plug-in as the registry wires it (retry wrapper
	// included), with the default timeouts.
	Provider framework.Provider
	// Request is a valid create request for the cloud.
	Request func(name string) framework.InstanceRequest
	// SetDelay sets how long machines created from now on take to run.
	SetDelay func(time.Duration)
	// Created is when the simulator created machine id.
	Created func(id string) time.Time
	// Requests is how many requests the simulator has answered so far.
	Requests func() int
}

// Stats summarises lags.
type Stats struct {
	Median, P95, Max time.Duration
}

// Summarize returns the median, 95th percentile and maximum of lags
// (nearest rank; at least one lag).
func Summarize(lags []time.Duration) Stats {
	s := slices.Clone(lags)
	slices.Sort(s)
	n := len(s)
	return Stats{Median: s[n/2], P95: s[min(n*95/100, n-1)], Max: s[n-1]}
}

// Spread returns n delays evenly from lo to hi, in an order that mixes
// short and long ones, as a Terraform graph walk would start them.
func Spread(n int, lo, hi time.Duration) []time.Duration {
	d := make([]time.Duration, n)
	for i := range n {
		step := time.Duration(0)
		if n > 1 {
			step = time.Duration(i) * (hi - lo) / time.Duration(n-1)
		}
		// 17 is prime to 50, so i*17 mod n visits every slot once.
		d[(i*17)%n] = lo + step
	}
	return d
}

// One creates one machine that runs after delay, waits for it, reads it
// and destroys it: the lag, and the requests of that whole lifecycle.
func One(b *testing.B, env Env, delay time.Duration) (time.Duration, int) {
	b.Helper()
	ctx := context.Background()
	p := env.Provider
	env.SetDelay(delay)
	inst, err := p.CreateInstance(ctx, env.Request("bench-one"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.WaitReady(ctx, inst.ID); err != nil {
		b.Fatal(err)
	}
	lag := time.Since(env.Created(inst.ID).Add(delay))
	if _, err := p.GetInstance(ctx, inst.ID); err != nil {
		b.Fatal(err)
	}
	if err := p.DestroyInstance(ctx, inst.ID); err != nil {
		b.Fatal(err)
	}
	return lag, env.Requests()
}

// Fleet creates one machine per delay through parallelism workers, each
// creating one and waiting for it before taking the next: their lags, and
// the wait-phase requests per machine: all requests but the creates'. A
// create may cost more than one request (DigitalOcean and EC2 check the
// name first), and the first of a process more still (EC2 looks up the
// type's architecture and the AMI, then keeps them): a create made and
// deleted before the fleet warms those caches, and the fleet's first
// create, made before any wait has started, says how many a create costs.
func Fleet(b *testing.B, env Env, delays []time.Duration, parallelism int) ([]time.Duration, float64) {
	b.Helper()
	ctx := context.Background()
	n := len(delays)
	warm, err := env.Provider.CreateInstance(ctx, env.Request("bench-warm"))
	if err != nil {
		b.Fatal(err)
	}
	if err := env.Provider.DestroyInstance(ctx, warm.ID); err != nil {
		b.Fatal(err)
	}
	base := env.Requests()
	var (
		createMu  sync.Mutex // SetDelay and the create go together
		mu        sync.Mutex
		lags      []time.Duration
		perCreate = -1 // requests of one create, measured on the first
	)
	sem := make(chan struct{}, parallelism)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			createMu.Lock()
			env.SetDelay(delays[i])
			before := env.Requests()
			inst, err := env.Provider.CreateInstance(ctx, env.Request(fmt.Sprintf("bench-%02d", i)))
			if perCreate < 0 {
				perCreate = env.Requests() - before
			}
			createMu.Unlock()
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := env.Provider.WaitReady(ctx, inst.ID); err != nil {
				b.Error(err)
				return
			}
			lag := time.Since(env.Created(inst.ID).Add(delays[i]))
			mu.Lock()
			lags = append(lags, lag)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(lags) != n {
		b.Fatalf("%d of %d machines became ready", len(lags), n)
	}
	return lags, float64(env.Requests()-base-n*perCreate) / float64(n)
}

// Header is the table the rows below belong to.
const Header = "\n| cloud | progress | case | median lag | p95 lag | max lag | requests per machine | targets | met |\n" +
	"|---|---|---|---|---|---|---|---|---|\n"

// OneRow reports One's result as a table row and benchmark metrics.
func OneRow(b *testing.B, cloud, profile string, delay, lag time.Duration, requests int) string {
	b.ReportMetric(float64(lag.Milliseconds()), "lag-ms")
	b.ReportMetric(float64(requests), "requests")
	met := lag <= OneMaxLag && requests <= OneMaxRequests
	return fmt.Sprintf("| %s | %s | one machine, ready after %v (lifecycle requests) | %s | %s | %s | %d | lag ≤ %v, requests ≤ %d | %s |\n",
		cloud, profile, delay, ms(lag), ms(lag), ms(lag), requests, OneMaxLag, OneMaxRequests, yes(met))
}

// FleetRow reports Fleet's result as a table row and benchmark metrics.
func FleetRow(b *testing.B, cloud, profile, kase string, lags []time.Duration, perMachine float64) string {
	s := Summarize(lags)
	b.ReportMetric(float64(s.Median.Milliseconds()), "median-lag-ms")
	b.ReportMetric(float64(s.P95.Milliseconds()), "p95-lag-ms")
	b.ReportMetric(perMachine, "wait-requests/machine")
	met := s.Median <= FiftyMedianLag && s.P95 <= FiftyP95Lag && perMachine <= FiftyMaxRequests
	return fmt.Sprintf("| %s | %s | %s (wait-phase requests) | %s | %s | %s | %.2f | median ≤ %v, p95 ≤ %v, ≤ %g requests | %s |\n",
		cloud, profile, kase, ms(s.Median), ms(s.P95), ms(s.Max), perMachine, FiftyMedianLag, FiftyP95Lag, FiftyMaxRequests, yes(met))
}

func ms(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// BenchOne is BenchmarkReadyOne for a cloud without progress profiles: one
// machine that runs after 10 s; its lag, and requests for its whole
// lifecycle (create, wait, read, destroy). env makes a fresh environment.
func BenchOne(b *testing.B, cloud, profile string, env func(b *testing.B) Env) {
	const delay = 10 * time.Second
	fmt.Print(Header)
	for range b.N {
		lag, reqs := One(b, env(b), delay)
		fmt.Print(OneRow(b, cloud, profile, delay, lag, reqs))
	}
}

// BenchFifty is BenchmarkReadyFifty for such a cloud: 50 machines created
// and waited for in one provider process, at Terraform's default
// parallelism (10) and at 50, readiness spread evenly over 1-30 s.
func BenchFifty(b *testing.B, cloud, profile string, env func(b *testing.B) Env) {
	fmt.Print(Header)
	delays := Spread(50, time.Second, 30*time.Second)
	for _, parallelism := range []int{10, 50} {
		b.Run(fmt.Sprintf("parallelism=%d", parallelism), func(b *testing.B) {
			for range b.N {
				lags, perMachine := Fleet(b, env(b), delays, parallelism)
				kase := fmt.Sprintf("50 machines, ready 1–30 s, parallelism %d", parallelism)
				fmt.Print(FleetRow(b, cloud, profile, kase, lags, perMachine))
			}
		})
	}
}
