package digitalocean

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

// The ready-detection benchmarks of BENCHMARKS.md for DigitalOcean, with the
// same harness (internal/readybench) and targets as Hetzner's. DigitalOcean's
// API reports no progress, so its only profile is "none". They run in real
// time with the provider's default timeouts and retry policy, as the
// registry wires them; -benchtime=1x is enough.

// benchProfile is the progress a droplet's wait sees: none, whatever the
// simulator's profile, since DigitalOcean's actions carry no progress.
const benchProfile = "none (API has none)"

func benchEnv(b *testing.B) readybench.Env {
	b.Helper()
	s := sim.New(sim.Options{RateLimit: -1})
	var fe *sim.FrontEnd
	for _, f := range s.FrontEnds() {
		if f.Cloud == providerName {
			fe = &f
		}
	}
	if fe == nil {
		b.Fatal("no DigitalOcean front end")
	}
	srv := httptest.NewServer(fe.Handler)
	b.Cleanup(srv.Close)
	p, err := New(framework.Config{Token: simToken, Timeouts: framework.DefaultTimeouts(), Endpoint: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	return readybench.Env{
		Cloud:    providerName,
		Provider: framework.WithRetry(p, framework.DefaultRetryPolicy(), nil),
		Request:  func(name string) framework.InstanceRequest { return request(name, nil) },
		SetDelay: func(d time.Duration) { s.SetDelays(d, 0) },
		Created: func(id string) time.Time {
			for _, srv := range s.Servers() {
				if strconv.FormatInt(srv.ID, 10) == id {
					return srv.Created
				}
			}
			b.Fatalf("no droplet %s", id)
			return time.Time{}
		},
		Requests: func() int {
			n := 0
			for _, c := range s.RequestCounts() {
				n += c
			}
			return n
		},
	}
}

// BenchmarkReadyOne: one droplet that turns active after 10 s; lag, and
// requests for its whole lifecycle (create, wait, read, destroy).
// Targets: lag <= 1 s, requests <= 12.
func BenchmarkReadyOne(b *testing.B) {
	const delay = 10 * time.Second
	fmt.Print(readybench.Header)
	for range b.N {
		lag, reqs := readybench.One(b, benchEnv(b), delay)
		fmt.Print(readybench.OneRow(b, providerName, benchProfile, delay, lag, reqs))
	}
}

// BenchmarkReadyFifty: 50 droplets created and waited for in one provider
// process, at Terraform's default parallelism (10) and at 50, with
// readiness spread evenly over 1-30 s. Targets: median lag <= 0.5 s, p95
// <= 1 s, <= 3 wait-phase requests per machine.
func BenchmarkReadyFifty(b *testing.B) {
	fmt.Print(readybench.Header)
	delays := readybench.Spread(50, time.Second, 30*time.Second)
	for _, parallelism := range []int{10, 50} {
		b.Run("parallelism="+strconv.Itoa(parallelism), func(b *testing.B) {
			for range b.N {
				lags, perMachine := readybench.Fleet(b, benchEnv(b), delays, parallelism)
				kase := fmt.Sprintf("50 machines, ready 1–30 s, parallelism %d", parallelism)
				fmt.Print(readybench.FleetRow(b, providerName, benchProfile, kase, lags, perMachine))
			}
		})
	}
}
