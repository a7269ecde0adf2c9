package world

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"time"
)

// FaultRates make a share of cloud requests fail at random, the way a real
// API behind a load balancer does under load. They apply to every request
// of every cloud front end and never to the admin API under /_sim/. Like scripted faults
// they strike before the request changes anything.
//
// For each request one uniform draw decides between a 5xx answer
// (ServerError), a 429 (RateLimit), a dropped connection (Drop) and normal
// handling, so the rates are exclusive shares and must sum to at most 1.
// Latency and LatencyJitter delay every request, whatever happens next.
type FaultRates struct {
	// ServerError is the share answered with a 5xx: 500 server_error, 502
	// bad_gateway, 503 unavailable or 504 timeout, in equal shares. hcloud-go
	// retries bad_gateway and timeout itself but not server_error or
	// unavailable, as against the real API.
	ServerError float64
	// RateLimit is the share answered with 429 rate_limit_exceeded, carrying
	// the headers of an empty bucket. The real bucket is not spent.
	RateLimit float64
	// Drop is the share whose connection is closed without any answer.
	Drop float64
	// Latency is added to every cloud request before it is handled.
	Latency time.Duration
	// LatencyJitter adds a further uniform [0, LatencyJitter) delay.
	LatencyJitter time.Duration
}

// sumSlack absorbs float rounding when shares are meant to add up to 1
// (0.7 + 0.2 + 0.1 is 1.0000000000000002).
const sumSlack = 1e-9

// Validate reports rates outside [0, 1], rates that sum to more than 1 and
// negative durations.
func (r FaultRates) Validate() error {
	var errs []error
	for _, x := range []struct {
		name string
		v    float64
	}{{"server_error", r.ServerError}, {"rate_limit", r.RateLimit}, {"drop", r.Drop}} {
		if !(x.v >= 0 && x.v <= 1) { // also catches NaN
			errs = append(errs, fmt.Errorf("%s rate %v is not in [0, 1]", x.name, x.v))
		}
	}
	if len(errs) == 0 {
		if sum := r.ServerError + r.RateLimit + r.Drop; sum > 1+sumSlack {
			errs = append(errs, fmt.Errorf("rates sum to %v, more than 1", sum))
		}
	}
	if r.Latency < 0 {
		errs = append(errs, fmt.Errorf("latency %v is negative", r.Latency))
	}
	if r.LatencyJitter < 0 {
		errs = append(errs, fmt.Errorf("latency jitter %v is negative", r.LatencyJitter))
	}
	return errors.Join(errs...)
}

// Keys of FaultCounts.
const (
	CountServerError = "server_error"
	CountRateLimit   = "rate_limit"
	CountDrop        = "drop"
	CountLatency     = "latency"
	CountScripted    = "scripted"
)

// FaultCountKeys are the keys of World.FaultCounts.
var FaultCountKeys = []string{CountServerError, CountRateLimit, CountDrop, CountLatency, CountScripted}

// RandomFault is what the draw at a request's arrival decided.
type RandomFault int

// The random fates of a request.
const (
	NoRandomFault RandomFault = iota // handled normally
	RandomServerError
	RandomRateLimit
	RandomDrop
)

// serverErrorStatuses are the answers a random server error picks from.
var serverErrorStatuses = [...]int{
	http.StatusInternalServerError,
	http.StatusBadGateway,
	http.StatusServiceUnavailable,
	http.StatusGatewayTimeout,
}

// Arrival is the random part of a request's fate, drawn when it arrives.
type Arrival struct {
	Fault  RandomFault
	Status int // for RandomServerError
	Delay  time.Duration
}

func newRNG(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x73707566662d7369))
}

// EffectiveSeed turns the "0 = from the time" convention into a seed that
// can be reported and reused. A seed taken from the time fits in 53 bits,
// so it survives JSON readers that hold every number as a float64.
func EffectiveSeed(seed int64) int64 {
	for seed == 0 {
		seed = time.Now().UnixNano() & (1<<53 - 1)
	}
	return seed
}

// Draw decides the random fault and the delay of one request. It always
// takes the same three values from the generator, so the n-th request's
// fate depends only on the seed and n, not on the rates of the requests
// before it nor on scripted faults.
func (w *World) Draw() Arrival {
	u, pick, jitter := w.rng.Float64(), w.rng.IntN(len(serverErrorStatuses)), w.rng.Float64()
	r := w.Rates
	var a Arrival
	switch {
	case u < r.ServerError:
		a.Fault, a.Status = RandomServerError, serverErrorStatuses[pick]
	case u < r.ServerError+r.RateLimit:
		a.Fault = RandomRateLimit
	case u < r.ServerError+r.RateLimit+r.Drop:
		a.Fault = RandomDrop
	}
	a.Delay = r.Latency + time.Duration(math.Floor(jitter*float64(r.LatencyJitter)))
	return a
}
