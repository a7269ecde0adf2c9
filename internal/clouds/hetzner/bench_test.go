package hetzner

import (
	"fmt"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/readybench"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

// Issue 3's ready-detection benchmarks, under each of the simulator's
// progress profiles (issue 7): linear progress is the best case for the
// watcher's finish-time estimate, real progress jumps and stalls. They run
// in real time against the simulator with the provider's default timeouts
// (5 s poll interval) and retry policy, as the registry wires them;
// -benchtime=1x is enough. The harness is internal/readybench.

func benchEnv(b *testing.B, profile sim.ProgressProfile) readybench.Env {
	b.Helper()
	s := sim.New(sim.Options{RateLimit: -1})
	s.SetProgress(profile)
	srv := httptest.NewServer(s.Handler())
	b.Cleanup(srv.Close)
	p, err := New(framework.Config{Token: simToken, Timeouts: framework.DefaultTimeouts(), Endpoint: srv.URL + "/v1"})
	if err != nil {
		b.Fatal(err)
	}
	return readybench.Env{
		Cloud:    providerName,
		Provider: framework.WithRetry(p, framework.DefaultRetryPolicy(), nil),
		Request:  request,
		SetDelay: func(d time.Duration) { s.SetDelays(d, 0) },
		Created:  func(id string) time.Time { return created(b, s, id) },
		Requests: s.TotalRequests,
	}
}

// created is when the simulator created server id.
func created(b *testing.B, s *sim.Sim, id string) time.Time {
	b.Helper()
	for _, srv := range s.Servers() {
		if strconv.FormatInt(srv.ID, 10) == id {
			return srv.Created
		}
	}
	b.Fatalf("no server %s", id)
	return time.Time{}
}

// BenchmarkReadyOne: one machine that turns running after 10 s; lag, and
// requests for its whole lifecycle (create, wait, read, destroy).
// Targets: lag <= 1 s, requests <= 12, under every progress profile.
func BenchmarkReadyOne(b *testing.B) {
	const delay = 10 * time.Second
	fmt.Print(readybench.Header)
	for _, profile := range sim.ProgressProfiles {
		b.Run(string(profile), func(b *testing.B) {
			for range b.N {
				lag, reqs := readybench.One(b, benchEnv(b, profile), delay)
				fmt.Print(readybench.OneRow(b, providerName, string(profile), delay, lag, reqs))
			}
		})
	}
}

// BenchmarkReadyFifty: 50 machines created and waited for in one provider
// process, at Terraform's default parallelism (10) and at 50, with
// readiness spread evenly over 1-30 s, under every progress profile.
// Targets: median lag <= 0.5 s, p95 <= 1 s, <= 3 wait-phase requests per
// machine.
func BenchmarkReadyFifty(b *testing.B) {
	fmt.Print(readybench.Header)
	delays := readybench.Spread(50, time.Second, 30*time.Second)
	for _, profile := range sim.ProgressProfiles {
		for _, parallelism := range []int{10, 50} {
			b.Run(fmt.Sprintf("%s/parallelism=%d", profile, parallelism), func(b *testing.B) {
				for range b.N {
					lags, perMachine := readybench.Fleet(b, benchEnv(b, profile), delays, parallelism)
					kase := fmt.Sprintf("50 machines, ready 1–30 s, parallelism %d", parallelism)
					fmt.Print(readybench.FleetRow(b, providerName, string(profile), kase, lags, perMachine))
				}
			})
		}
	}
}
