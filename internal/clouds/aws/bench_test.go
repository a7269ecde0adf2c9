package aws

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/readybench"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
	ec2sim "github.com/spuff/terraform-provider-spuff/internal/sim/ec2"
)

// The ready-detection benchmarks of BENCHMARKS.md for AWS EC2, with the
// harness and targets of the other clouds. EC2 reports no progress: its
// only profile is "none". They run in real time with the default timeouts
// and retry policy, as the registry wires them; -benchtime=1x is enough.

const benchProfile = "none (API has none)"

func benchEnv(b *testing.B) readybench.Env {
	b.Helper()
	b.Setenv("AWS_CA_BUNDLE", "")
	s := sim.New(sim.Options{RateLimit: -1})
	fe, ok := s.FrontEnd(providerName)
	if !ok {
		b.Fatal("no EC2 front end")
	}
	srv := httptest.NewServer(fe.Handler)
	b.Cleanup(srv.Close)
	p, err := New(framework.Config{Token: simToken, Timeouts: framework.DefaultTimeouts(), Endpoint: srv.URL,
		Settings: map[string]string{"region": "eu-central-1"}})
	if err != nil {
		b.Fatal(err)
	}
	return readybench.Env{
		Cloud:    providerName,
		Provider: framework.WithRetry(p, framework.DefaultRetryPolicy(), nil),
		Request:  request,
		SetDelay: func(d time.Duration) { s.SetDelays(d, 0) },
		Created: func(id string) time.Time {
			for _, m := range s.Servers() {
				if joinID(m.Location, ec2sim.InstanceID(m.ID)) == id {
					return m.Created
				}
			}
			b.Fatalf("no instance %s", id)
			return time.Time{}
		},
		Requests: s.TotalRequests,
	}
}

// BenchmarkReadyOne: one instance running after 10 s; lag, and requests
// for its whole lifecycle. Targets: lag <= 1 s, requests <= 12.
func BenchmarkReadyOne(b *testing.B) { readybench.BenchOne(b, providerName, benchProfile, benchEnv) }

// BenchmarkReadyFifty: 50 instances at parallelism 10 and 50, readiness
// spread over 1-30 s. Targets: median lag <= 0.5 s, p95 <= 1 s, <= 3
// wait-phase requests per machine.
func BenchmarkReadyFifty(b *testing.B) {
	readybench.BenchFifty(b, providerName, benchProfile, benchEnv)
}
