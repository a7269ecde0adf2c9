package hetzner

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

// Issue 3's ready-detection benchmarks. They run in real time against the
// simulator with the provider's default timeouts (5 s poll interval) and
// retry policy, as the registry wires them; -benchtime=1x is enough.
// lag = when WaitReady returned - when the simulator turned the machine
// running (its creation time + its delay).

func benchEnv(b *testing.B) *simEnv {
	b.Helper()
	s := sim.New(sim.Options{RateLimit: -1})
	env := &simEnv{sim: s}
	srv := newBenchServer(b, s)
	env.url = srv + "/v1"
	p, err := New(framework.Config{Token: simToken, Timeouts: framework.DefaultTimeouts(), Endpoint: env.url})
	if err != nil {
		b.Fatal(err)
	}
	env.p = p
	return env
}

func totalRequests(s *sim.Sim) int {
	n := 0
	for _, c := range s.RequestCounts() {
		n += c
	}
	return n
}

// readyAt is when the simulator turns server id running.
func readyAt(b *testing.B, s *sim.Sim, id string, delay time.Duration) time.Time {
	b.Helper()
	for _, srv := range s.Servers() {
		if strconv.FormatInt(srv.ID, 10) == id {
			return srv.Created.Add(delay)
		}
	}
	b.Fatalf("no server %s", id)
	return time.Time{}
}

// BenchmarkReadyOne: one machine that turns running after 10 s; lag, and
// requests for its whole lifecycle (create, wait, read, destroy).
// Targets: lag <= 1 s, requests <= 12.
func BenchmarkReadyOne(b *testing.B) {
	const delay = 10 * time.Second
	for range b.N {
		env := benchEnv(b)
		p := framework.WithRetry(env.p, framework.DefaultRetryPolicy(), nil)
		ctx := context.Background()
		env.sim.SetDelays(delay, 0)
		inst, err := p.CreateInstance(ctx, request("bench-one"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.WaitReady(ctx, inst.ID); err != nil {
			b.Fatal(err)
		}
		lag := time.Since(readyAt(b, env.sim, inst.ID, delay))
		if _, err := p.GetInstance(ctx, inst.ID); err != nil {
			b.Fatal(err)
		}
		if err := p.DestroyInstance(ctx, inst.ID); err != nil {
			b.Fatal(err)
		}
		reqs := totalRequests(env.sim)
		b.ReportMetric(float64(lag.Milliseconds()), "lag-ms")
		b.ReportMetric(float64(reqs), "requests")
		fmt.Printf("\n| ready after | lag | lifecycle requests | targets |\n|---|---|---|---|\n| 10 s | %d ms | %d | lag <= 1000 ms, requests <= 12 |\n",
			lag.Milliseconds(), reqs)
	}
}

// BenchmarkReadyFifty: 50 machines created and waited for in one provider
// process, at Terraform's default parallelism (10) and at 50, with
// readiness spread evenly over 1-30 s. Targets: median lag <= 0.5 s, p95
// <= 1 s, <= 3 wait-phase requests per machine.
func BenchmarkReadyFifty(b *testing.B) {
	for _, parallelism := range []int{10, 50} {
		b.Run("parallelism="+strconv.Itoa(parallelism), func(b *testing.B) {
			for range b.N {
				benchFifty(b, parallelism)
			}
		})
	}
}

func benchFifty(b *testing.B, parallelism int) {
	const n = 50
	env := benchEnv(b)
	p := framework.WithRetry(env.p, framework.DefaultRetryPolicy(), nil)
	ctx := context.Background()

	// Delays 1..30 s, in an order that mixes short and long ones, as a
	// Terraform graph walk would.
	delays := make([]time.Duration, n)
	for i := range n {
		delays[(i*17)%n] = time.Second + time.Duration(i)*29*time.Second/(n-1)
	}
	var (
		createMu sync.Mutex // SetDelays and the create go together
		mu       sync.Mutex
		lags     []time.Duration
		creates  int
	)
	sem := make(chan struct{}, parallelism)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			createMu.Lock()
			env.sim.SetDelays(delays[i], 0)
			inst, err := p.CreateInstance(ctx, request(fmt.Sprintf("bench-%02d", i)))
			createMu.Unlock()
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := p.WaitReady(ctx, inst.ID); err != nil {
				b.Error(err)
				return
			}
			lag := time.Since(readyAt(b, env.sim, inst.ID, delays[i]))
			mu.Lock()
			lags = append(lags, lag)
			creates++
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(lags) != n {
		b.Fatalf("%d of %d machines became ready", len(lags), n)
	}
	slices.Sort(lags)
	median, p95 := lags[n/2], lags[n*95/100]
	waitReqs := float64(totalRequests(env.sim)-creates) / n
	b.ReportMetric(float64(median.Milliseconds()), "median-lag-ms")
	b.ReportMetric(float64(p95.Milliseconds()), "p95-lag-ms")
	b.ReportMetric(waitReqs, "wait-requests/machine")
	fmt.Printf("\n| machines | parallelism | median lag | p95 lag | max lag | wait-phase requests/machine | targets |\n|---|---|---|---|---|---|---|\n"+
		"| %d | %d | %d ms | %d ms | %d ms | %.2f | median <= 500 ms, p95 <= 1000 ms, <= 3 requests |\n",
		n, parallelism, median.Milliseconds(), p95.Milliseconds(), lags[n-1].Milliseconds(), waitReqs)
}

func newBenchServer(b *testing.B, s *sim.Sim) string {
	b.Helper()
	srv := httptest.NewServer(s.Handler())
	b.Cleanup(srv.Close)
	return srv.URL
}
