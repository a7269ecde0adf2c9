package digitalocean

import (
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
	fe, ok := s.FrontEnd(providerName)
	if !ok {
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
		Requests: s.TotalRequests,
	}
}

// BenchmarkReadyOne: one droplet that turns active after 10 s; lag, and
// requests for its whole lifecycle. Targets: lag <= 1 s, requests <= 12.
func BenchmarkReadyOne(b *testing.B) { readybench.BenchOne(b, providerName, benchProfile, benchEnv) }

// BenchmarkReadyFifty: 50 droplets at parallelism 10 and 50, readiness
// spread over 1-30 s. Targets: median lag <= 0.5 s, p95 <= 1 s, <= 3
// wait-phase requests per machine.
func BenchmarkReadyFifty(b *testing.B) {
	readybench.BenchFifty(b, providerName, benchProfile, benchEnv)
}
