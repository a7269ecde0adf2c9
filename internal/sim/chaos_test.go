package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
)

var createOpts = hcloud.ServerCreateOpts{
	Name:       "chaos",
	ServerType: &hcloud.ServerType{Name: "cx23"},
	Image:      &hcloud.Image{Name: "ubuntu-24.04"},
	Location:   &hcloud.Location{Name: "fsn1"},
}

// networkError fails the test unless err is a transport failure: no HTTP
// answer at all, so no API error either.
func networkError(t *testing.T, err error) {
	t.Helper()
	var ue *url.Error
	var he hcloud.Error
	if err == nil || errors.As(err, &he) || errors.Is(err, hcloud.ErrStatusCode) || !errors.As(err, &ue) {
		t.Fatalf("got %v, want a network error without any HTTP answer", err)
	}
}

// outcome sends one raw request and reports "drop" when no answer came, or
// the status and, for errors, the error code.
func (e *env) outcome(c *http.Client, method, path string) string {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.ctx, method, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := c.Do(req)
	if err != nil {
		return "drop"
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode < 400 {
		return strconv.Itoa(resp.StatusCode)
	}
	code := dig(decodeMap(e.t, body), "error", "code")
	return strconv.Itoa(resp.StatusCode) + " " + code.(string)
}

// freshConns never reuses a connection, so Go's transport never re-sends a
// request whose connection was dropped (it does for idempotent requests on
// reused connections) and every call is exactly one simulator request.
func freshConns() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

func decodeMap(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	return m
}

func TestFaultRatesValidate(t *testing.T) {
	valid := []FaultRates{
		{},
		{ServerError: 1},
		{Drop: 1, Latency: time.Second},
		{ServerError: 0.7, RateLimit: 0.2, Drop: 0.1}, // sums to 1.0000000000000002 in floats
		{ServerError: 1.0 / 3, RateLimit: 1.0 / 3, Drop: 1.0 / 3, LatencyJitter: time.Millisecond},
	}
	for _, r := range valid {
		if err := r.Validate(); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
	invalid := []FaultRates{
		{ServerError: 1.5},
		{RateLimit: -0.1},
		{Drop: math.NaN()},
		{Drop: math.Inf(1)},
		{ServerError: 0.6, RateLimit: 0.6},
		{ServerError: 0.5, RateLimit: 0.3, Drop: 0.3},
		{Latency: -time.Millisecond},
		{LatencyJitter: -time.Millisecond},
	}
	for _, r := range invalid {
		if err := r.Validate(); err == nil {
			t.Errorf("%+v validated", r)
		}
	}

	s := New(Options{})
	if err := s.SetFaultRates(FaultRates{ServerError: 0.6, Drop: 0.6}); err == nil || s.FaultRates() != (FaultRates{}) {
		t.Errorf("invalid SetFaultRates = %v, rates now %+v", err, s.FaultRates())
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("New accepted invalid Options.Faults")
			}
		}()
		New(Options{Faults: FaultRates{Drop: 2}})
	}()
	if New(Options{}).Seed() == 0 || New(Options{Seed: 9}).Seed() != 9 {
		t.Error("Seed: 0 must become a time-based seed, others stay")
	}
}

// TestRandomDropCreatesNothing: at drop rate 1 every request loses its
// connection before anything happens.
func TestRandomDropCreatesNothing(t *testing.T) {
	e := newEnv(t, Options{Faults: FaultRates{Drop: 1}, Seed: 1})
	_, _, err := e.c.Server.Create(e.ctx, createOpts)
	networkError(t, err)
	_, _, err = e.c.Location.GetByName(e.ctx, "fsn1")
	networkError(t, err)
	if len(e.sim.Servers()) != 0 {
		t.Fatal("a dropped create left a server")
	}
	rc, fc := e.sim.RequestCounts(), e.sim.FaultCounts()
	// hcloud-go does not retry a dropped connection (only timeouts), and Go's
	// transport never re-sends a POST; it may re-send the GET once on a
	// fresh connection when the dropped one had been reused.
	if rc["POST /v1/servers"] != 1 || rc["GET /v1/locations"] < 1 || rc["GET /v1/locations"] > 2 {
		t.Errorf("request counts = %v", rc)
	}
	if want := rc["POST /v1/servers"] + rc["GET /v1/locations"]; fc["drop"] != want || fc["server_error"]+fc["rate_limit"]+fc["scripted"]+fc["latency"] != 0 {
		t.Errorf("fault counts = %v, want %d drops only", fc, want)
	}
}

// TestRandomServerErrors: at rate 1 every answer is one of the four 5xx the
// real API sends, as JSON with the rate-limit headers, and nothing changes.
func TestRandomServerErrors(t *testing.T) {
	e := newEnv(t, Options{Faults: FaultRates{ServerError: 1}, Seed: 2})
	seen := map[string]int{}
	for range 40 {
		resp, body := e.do("POST", "/v1/servers", map[string]any{"name": "x", "server_type": "cx23", "image": "debian-12"})
		code, _ := dig(decodeMap(t, body), "error", "code").(string)
		key := strconv.Itoa(resp.StatusCode) + " " + code
		seen[key]++
		if resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("RateLimit-Limit") != "3600" ||
			resp.Header.Get("RateLimit-Remaining") != "3600" || resp.Header.Get("RateLimit-Reset") == "" {
			t.Fatalf("%s: headers %v (the bucket must stay full: the backend never saw the request)", key, resp.Header)
		}
	}
	want := []string{"500 server_error", "502 bad_gateway", "503 unavailable", "504 timeout"}
	got := slices.Sorted(func(yield func(string) bool) {
		for k := range seen {
			if !yield(k) {
				return
			}
		}
	})
	if !slices.Equal(got, want) {
		t.Errorf("answers %v, want each of %v", seen, want)
	}
	if len(e.sim.Servers()) != 0 || e.sim.FaultCounts()["server_error"] != 40 {
		t.Errorf("servers %v, fault counts %v", e.sim.Servers(), e.sim.FaultCounts())
	}

	// Through the SDK: an API error from the set, and still no server.
	_, _, err := e.c.Server.Create(e.ctx, createOpts)
	if !hcloud.IsError(err, hcloud.ErrorCodeServerError, hcloud.ErrorCodeBadGateway, "unavailable", hcloud.ErrorCodeTimeout) {
		t.Errorf("SDK create = %v", err)
	}
	if len(e.sim.Servers()) != 0 {
		t.Error("a faulted create left a server")
	}
}

// TestRandomFaultShares checks the shares over many requests against a band
// derived from the distribution, not fitted to a seed. Each request draws
// independently, so the number of faults of one kind among n requests is
// Binomial(n, p), and a server error's status is Binomial(k, 1/4) among the
// k server errors. The band is mean ± 5 standard deviations: by the normal
// approximation a count leaves it with probability below 6e-7, so for any
// seed the seven counts checked here all stay inside except with
// probability below 5e-6. The seeds are fixed to keep the test
// deterministic; several are run to show no seed was picked to pass.
func TestRandomFaultShares(t *testing.T) {
	rates := FaultRates{ServerError: 0.1, RateLimit: 0.05, Drop: 0.05}
	within := func(what string, count, n int, p float64) {
		t.Helper()
		mean, sd := float64(n)*p, math.Sqrt(float64(n)*p*(1-p))
		if math.Abs(float64(count)-mean) > 5*sd {
			t.Errorf("%s: %d of %d, want %.0f ± %.0f", what, count, n, mean, 5*sd)
		}
	}
	for _, seed := range []int64{1, 2, 3} {
		e := newEnv(t, Options{Faults: rates, Seed: seed, RateLimit: -1})
		c := &http.Client{} // keep-alive on: drops on reused connections get re-sent, and count as requests
		answers := map[string]int{}
		for range 2000 {
			answers[e.outcome(c, "GET", "/v1/locations")]++
		}
		n := e.sim.RequestCounts()["GET /v1/locations"]
		fc := e.sim.FaultCounts()
		if n < 2000 || fc["latency"] != 0 || fc["scripted"] != 0 {
			t.Fatalf("seed %d: %d requests, counts %v", seed, n, fc)
		}
		t.Logf("seed %d: %d requests; faults %v; client saw %v", seed, n, fc, answers)
		within("server errors", fc["server_error"], n, rates.ServerError)
		within("rate limits", fc["rate_limit"], n, rates.RateLimit)
		within("drops", fc["drop"], n, rates.Drop)
		for _, a := range []string{"500 server_error", "502 bad_gateway", "503 unavailable", "504 timeout"} {
			within(a, answers[a], fc["server_error"], 0.25)
		}
		// What the client saw agrees with the counts.
		fiveXX := answers["500 server_error"] + answers["502 bad_gateway"] + answers["503 unavailable"] + answers["504 timeout"]
		if fiveXX != fc["server_error"] || answers["429 rate_limit_exceeded"] != fc["rate_limit"] ||
			answers["200"] != n-fc["server_error"]-fc["rate_limit"]-fc["drop"] || answers["drop"] > fc["drop"] {
			t.Errorf("seed %d: client saw %v, simulator counted %v of %d", seed, answers, fc, n)
		}
	}
}

// TestRandomFaultsAreDeterministic: the same seed gives the same faults for
// the same requests, also after a Reset; another seed gives others.
func TestRandomFaultsAreDeterministic(t *testing.T) {
	rates := FaultRates{ServerError: 0.2, RateLimit: 0.2, Drop: 0.2}
	run := func(e *env) []string {
		c := freshConns()
		var out []string
		for i := range 100 {
			path := "/v1/locations"
			if i%3 == 0 {
				path = "/v1/server_types"
			}
			out = append(out, e.outcome(c, "GET", path))
		}
		return out
	}
	a := newEnv(t, Options{Faults: rates, Seed: 42})
	first := run(a)
	kinds := map[string]bool{}
	for _, o := range first {
		kinds[strings.Fields(o)[0]] = true
	}
	fiveXX := kinds["500"] || kinds["502"] || kinds["503"] || kinds["504"]
	if !kinds["200"] || !kinds["429"] || !kinds["drop"] || !fiveXX {
		t.Fatalf("100 requests at 20%% each did not meet every kind: %v", first)
	}
	if second := run(newEnv(t, Options{Faults: rates, Seed: 42})); !slices.Equal(first, second) {
		t.Errorf("same seed, different faults:\n%v\n%v", first, second)
	}
	a.sim.Reset()
	if again := run(a); !slices.Equal(first, again) {
		t.Errorf("after Reset, different faults:\n%v\n%v", first, again)
	}
	if slices.Equal(first, run(newEnv(t, Options{Faults: rates, Seed: 43}))) {
		t.Error("another seed gave the same faults")
	}
	// Reseed restarts the stream too.
	a.sim.Reseed(42)
	if again := run(a); !slices.Equal(first, again) {
		t.Errorf("after Reseed, different faults:\n%v\n%v", first, again)
	}
}

// TestInjected429Headers: an injected 429 reports an empty bucket the way
// the real one does and leaves the real bucket alone.
func TestInjected429Headers(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{RateLimit: 10, Now: clock.Now, Faults: FaultRates{RateLimit: 1}})
	for range 15 {
		resp, body := e.do("GET", "/v1/locations", nil)
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), `"code":"rate_limit_exceeded"`) {
			t.Fatalf("injected 429: %d %s", resp.StatusCode, body)
		}
		// RateLimit-Reset is when the bucket is full again: an empty bucket
		// of 10 refilling 1/s is full in 10 s, and the next request is
		// allowed in (Reset-now)/(Limit-Remaining) = 1 s.
		h := resp.Header
		if h.Get("RateLimit-Limit") != "10" || h.Get("RateLimit-Remaining") != "0" ||
			h.Get("RateLimit-Reset") != strconv.FormatInt(clock.Now().Unix()+10, 10) {
			t.Fatalf("injected 429 headers: %v", h)
		}
	}
	// Through the SDK: retried (MaxRetries 2), then the error with the headers.
	_, resp, err := e.c.Location.GetByName(e.ctx, "fsn1")
	apiError(t, err, hcloud.ErrorCodeRateLimitExceeded)
	if rl := resp.Meta.Ratelimit; rl.Remaining != 0 || rl.Reset.Sub(clock.Now()) != 10*time.Second {
		t.Errorf("SDK sees %+v", rl)
	}
	if n := e.sim.FaultCounts()["rate_limit"]; n != 18 {
		t.Errorf("rate_limit count %d, want 15 + 3 attempts", n)
	}

	// None of them spent the real bucket: 10 requests pass, the 11th is the
	// bucket's own 429 with the same kind of headers.
	if err := e.sim.SetFaultRates(FaultRates{}); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if resp, _ := e.do("GET", "/v1/locations", nil); resp.StatusCode != http.StatusOK || resp.Header.Get("RateLimit-Remaining") != strconv.Itoa(9-i) {
			t.Fatalf("request %d after the faults: %d remaining %s", i+1, resp.StatusCode, resp.Header.Get("RateLimit-Remaining"))
		}
	}
	resp2, _ := e.do("GET", "/v1/locations", nil)
	if resp2.StatusCode != http.StatusTooManyRequests || resp2.Header.Get("RateLimit-Reset") != strconv.FormatInt(clock.Now().Unix()+10, 10) {
		t.Errorf("the bucket's own 429: %d %v", resp2.StatusCode, resp2.Header)
	}

	// A scripted 429 reports the same.
	clock.Advance(time.Hour)
	e.sim.InjectFault(Fault{Path: "/v1/locations", Status: http.StatusTooManyRequests})
	resp3, _ := e.do("GET", "/v1/locations", nil)
	if resp3.Header.Get("RateLimit-Remaining") != "0" || resp3.Header.Get("RateLimit-Reset") != strconv.FormatInt(clock.Now().Unix()+10, 10) {
		t.Errorf("scripted 429 headers: %v", resp3.Header)
	}
	if resp, _ := e.do("GET", "/v1/locations", nil); resp.Header.Get("RateLimit-Remaining") != "9" {
		t.Errorf("the scripted 429 spent the bucket: remaining %s", resp.Header.Get("RateLimit-Remaining"))
	}
}

func TestLatency(t *testing.T) {
	const latency, jitter = 40 * time.Millisecond, 20 * time.Millisecond
	e := newEnv(t, Options{Faults: FaultRates{Latency: latency, LatencyJitter: jitter}})
	for range 5 {
		start := time.Now()
		if _, _, err := e.c.Location.GetByName(e.ctx, "fsn1"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < latency {
			t.Errorf("request took %v, want at least %v", d, latency)
		}
	}
	if n := e.sim.FaultCounts()["latency"]; n != 5 {
		t.Errorf("latency count %d, want 5", n)
	}
	// The admin API is never delayed.
	start := time.Now()
	e.doJSON("GET", "/_sim/state", nil)
	if d := time.Since(start); d >= latency {
		t.Errorf("admin request took %v", d)
	}

	// A client that gives up during the delay leaves nothing behind, and the
	// simulator lets go of the request at once.
	if err := e.sim.SetFaultRates(FaultRates{Latency: time.Minute}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 50*time.Millisecond)
	defer cancel()
	_, _, err := e.c.Server.Create(ctx, createOpts)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("create under a minute of latency = %v", err)
	}
	closed := make(chan struct{})
	go func() { e.srv.Close(); close(closed) }() // waits for handlers still running
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the simulator still holds the abandoned request")
	}
	if len(e.sim.Servers()) != 0 || e.sim.RequestCounts()["POST /v1/servers"] != 1 {
		t.Errorf("servers %v, counts %v", e.sim.Servers(), e.sim.RequestCounts())
	}
}

// TestScriptedDropBeforeAndAfter is the lost-answer case: dropped before,
// the create never happened; dropped after, the server exists although the
// client only saw a broken connection, and a blind retry would make a
// second one if the name did not have to be unique.
func TestScriptedDropBeforeAndAfter(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.InjectFault(Fault{Method: "POST", Path: "/v1/servers", Drop: true})
	_, _, err := e.c.Server.Create(e.ctx, createOpts)
	networkError(t, err)
	if len(e.sim.Servers()) != 0 {
		t.Fatal("drop before: the server was created")
	}

	e.sim.InjectFault(Fault{Method: "POST", Path: "/v1/servers", Drop: true, After: true})
	_, _, err = e.c.Server.Create(e.ctx, createOpts)
	networkError(t, err)
	servers := e.sim.Servers()
	if len(servers) != 1 || servers[0].Name != "chaos" {
		t.Fatalf("drop after: servers %v, want the one created", servers)
	}
	// The client can find what it created, and a retried create is refused
	// rather than duplicated.
	if s, _, err := e.c.Server.GetByName(e.ctx, "chaos"); err != nil || s == nil || s.ID != servers[0].ID {
		t.Errorf("GetByName after the lost answer = %v, %v", s, err)
	}
	_, _, err = e.c.Server.Create(e.ctx, createOpts)
	apiError(t, err, hcloud.ErrorCodeUniquenessError)
	if n := len(e.sim.Servers()); n != 1 {
		t.Errorf("%d servers after the retry", n)
	}
	if rc, fc := e.sim.RequestCounts()["POST /v1/servers"], e.sim.FaultCounts()["scripted"]; rc != 3 || fc != 2 {
		t.Errorf("POST count %d, scripted faults %d; want 3 and 2", rc, fc)
	}
}

func TestScriptedAfterStatus(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{Now: clock.Now, RateLimit: 10})
	e.sim.InjectFault(Fault{Method: "POST", Path: "/v1/servers", Status: http.StatusInternalServerError, After: true})
	_, _, err := e.c.Server.Create(e.ctx, createOpts) // server_error is not retried by hcloud-go
	apiError(t, err, hcloud.ErrorCodeServerError)
	servers := e.sim.Servers()
	if len(servers) != 1 {
		t.Fatalf("after 500: servers %v, want the one created", servers)
	}

	// A retried code (timeout) after a DELETE: the first attempt deleted the
	// server, the SDK's retry finds it gone.
	id := strconv.FormatInt(servers[0].ID, 10)
	e.sim.InjectFault(Fault{Method: "DELETE", Path: "/v1/servers/" + id, Status: http.StatusGatewayTimeout, After: true})
	_, _, err = e.c.Server.DeleteWithResult(e.ctx, &hcloud.Server{ID: servers[0].ID})
	apiError(t, err, hcloud.ErrorCodeNotFound)
	if len(e.sim.Servers()) != 0 || e.sim.RequestCounts()["DELETE /v1/servers/{id}"] != 2 {
		t.Errorf("servers %v, counts %v", e.sim.Servers(), e.sim.RequestCounts())
	}

	// An after fault spends the bucket like the request it replaces; its
	// headers are the bucket's, or an empty bucket's for a 429.
	e.sim.InjectFault(Fault{Path: "/v1/locations", Status: http.StatusBadGateway, After: true})
	resp, _ := e.do("GET", "/v1/locations", nil)
	if resp.StatusCode != http.StatusBadGateway || resp.Header.Get("RateLimit-Remaining") != "6" {
		t.Errorf("after 502: %d remaining %s, want 6 (4 requests so far)", resp.StatusCode, resp.Header.Get("RateLimit-Remaining"))
	}
	e.sim.InjectFault(Fault{Path: "/v1/locations", Status: http.StatusTooManyRequests, After: true})
	resp, _ = e.do("GET", "/v1/locations", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("RateLimit-Remaining") != "0" {
		t.Errorf("after 429: %d remaining %s", resp.StatusCode, resp.Header.Get("RateLimit-Remaining"))
	}
	if resp, _ := e.do("GET", "/v1/locations", nil); resp.Header.Get("RateLimit-Remaining") != "4" {
		t.Errorf("remaining %s after two after-faults, want 4", resp.Header.Get("RateLimit-Remaining"))
	}

	// An after fault does not fire on the way in: a before fault for the
	// same path goes first and the after fault waits for a handled request.
	e.sim.InjectFault(Fault{Path: "/v1/locations", Status: http.StatusServiceUnavailable, After: true})
	e.sim.InjectFault(Fault{Path: "/v1/locations", Status: http.StatusForbidden})
	for _, want := range []int{http.StatusForbidden, http.StatusServiceUnavailable, http.StatusOK} {
		if resp, _ := e.do("GET", "/v1/locations", nil); resp.StatusCode != want {
			t.Errorf("got %d, want %d", resp.StatusCode, want)
		}
	}
}

// TestScriptedBeatsRandom: a scripted fault fires as written under random
// load, and the random fault it pre-empted is not counted.
func TestScriptedBeatsRandom(t *testing.T) {
	e := newEnv(t, Options{Faults: FaultRates{Drop: 1}})
	e.sim.InjectFault(Fault{Path: "/v1/locations", Status: http.StatusConflict})
	if got := e.outcome(freshConns(), "GET", "/v1/locations"); got != "409 conflict" {
		t.Errorf("got %s", got)
	}
	if fc := e.sim.FaultCounts(); fc["scripted"] != 1 || fc["drop"] != 0 {
		t.Errorf("counts %v", fc)
	}
}

// TestAdminNeverFaulted: random faults and latency only touch /v1/.
func TestAdminNeverFaulted(t *testing.T) {
	for _, rates := range []FaultRates{{Drop: 1}, {ServerError: 1}, {RateLimit: 1}, {Latency: time.Minute}} {
		e := newEnv(t, Options{Faults: rates})
		e.sim.InjectFault(Fault{Path: "*", Drop: true, Times: 100})
		e.sim.InjectFault(Fault{Path: "*", Drop: true, After: true, Times: 100})
		for _, r := range []struct{ method, path string }{
			{"GET", "/_sim/state"}, {"GET", "/_sim/requests"}, {"GET", "/_sim/faults/rates"},
			{"GET", "/_sim/faults/counts"}, {"GET", "/_sim/config"}, {"POST", "/_sim/reset"},
		} {
			if code, body := e.doJSON(r.method, r.path, nil); code != http.StatusOK {
				t.Errorf("%+v: %s %s = %d %v", rates, r.method, r.path, code, body)
			}
		}
		if fc := e.sim.FaultCounts(); fc["drop"]+fc["server_error"]+fc["rate_limit"]+fc["latency"]+fc["scripted"] != 0 {
			t.Errorf("%+v: admin requests were faulted: %v", rates, fc)
		}
		// Reset keeps the rates: they are configuration.
		if e.sim.FaultRates() != rates {
			t.Errorf("rates after reset = %+v", e.sim.FaultRates())
		}
	}
}

func TestAdminFaultRates(t *testing.T) {
	e := newEnv(t, Options{Seed: 5})
	code, r := e.doJSON("GET", "/_sim/faults/rates", nil)
	if code != http.StatusOK || r["server_error"] != 0.0 || r["latency"] != "0s" || r["seed"] != 5.0 {
		t.Fatalf("GET rates = %d %v", code, r)
	}
	code, r = e.doJSON("POST", "/_sim/faults/rates", map[string]any{
		"server_error": 0.1, "rate_limit": 0.05, "drop": 0.02, "latency": "20ms", "latency_jitter": "5ms",
	})
	if code != http.StatusOK || r["server_error"] != 0.1 || r["rate_limit"] != 0.05 || r["drop"] != 0.02 ||
		r["latency"] != "20ms" || r["latency_jitter"] != "5ms" || r["seed"] != 5.0 {
		t.Fatalf("POST rates = %d %v", code, r)
	}
	want := FaultRates{ServerError: 0.1, RateLimit: 0.05, Drop: 0.02, Latency: 20 * time.Millisecond, LatencyJitter: 5 * time.Millisecond}
	if got := e.sim.FaultRates(); got != want {
		t.Errorf("FaultRates() = %+v, want %+v", got, want)
	}
	// Omitted keys stay; a seed restarts the stream.
	if code, r = e.doJSON("POST", "/_sim/faults/rates", map[string]any{"drop": 0.5, "seed": 77}); code != http.StatusOK || r["drop"] != 0.5 || r["server_error"] != 0.1 || r["seed"] != 77.0 {
		t.Errorf("partial POST = %d %v", code, r)
	}
	want.Drop = 0.5
	for _, bad := range []map[string]any{
		{"server_error": 1.5},
		{"rate_limit": -0.1},
		{"server_error": 0.3, "rate_limit": 0.3}, // 0.3 + 0.3 + 0.5 > 1
		{"latency": "-1s"},
		{"latency_jitter": "soon"},
		{"server_error": "high"},
		{"bogus": 1},
	} {
		if code, body := e.doJSON("POST", "/_sim/faults/rates", bad); code != http.StatusBadRequest || body["error"] == nil {
			t.Errorf("POST %v = %d %v", bad, code, body)
		}
	}
	if got := e.sim.FaultRates(); got != want {
		t.Errorf("refused changes changed the rates: %+v", got)
	}
	if code, r = e.doJSON("DELETE", "/_sim/faults/rates", nil); code != http.StatusOK || r["drop"] != 0.0 || r["latency"] != "0s" {
		t.Errorf("DELETE rates = %d %v", code, r)
	}
	if e.sim.FaultRates() != (FaultRates{}) {
		t.Errorf("rates after DELETE: %+v", e.sim.FaultRates())
	}

	// Counts: every key, even at zero; Reset clears them.
	_, counts := e.doJSON("GET", "/_sim/faults/counts", nil)
	for _, k := range []string{"server_error", "rate_limit", "drop", "latency", "scripted"} {
		if counts[k] != 0.0 {
			t.Errorf("counts[%s] = %v", k, counts[k])
		}
	}
	e.sim.InjectFault(Fault{Path: "/v1/locations"})
	e.do("GET", "/v1/locations", nil)
	if _, counts = e.doJSON("GET", "/_sim/faults/counts", nil); counts["scripted"] != 1.0 {
		t.Errorf("counts = %v", counts)
	}
	e.doJSON("POST", "/_sim/reset", nil)
	if _, counts = e.doJSON("GET", "/_sim/faults/counts", nil); counts["scripted"] != 0.0 {
		t.Errorf("counts after reset = %v", counts)
	}

	// Scripted faults take drop and after.
	code, f := e.doJSON("POST", "/_sim/faults", map[string]any{"method": "POST", "path": "/v1/servers", "drop": true, "after": true})
	if code != http.StatusCreated || f["drop"] != true || f["after"] != true || f["status"] != nil {
		t.Errorf("POST drop-after fault = %d %v", code, f)
	}
	if _, list := e.doJSON("GET", "/_sim/faults", nil); dig(list["faults"].([]any)[0], "after") != true {
		t.Errorf("GET faults = %v", list)
	}
	_, _, err := e.c.Server.Create(e.ctx, createOpts)
	networkError(t, err)
	if len(e.sim.Servers()) != 1 {
		t.Errorf("servers %v, want the one whose answer was dropped", e.sim.Servers())
	}
	for _, bad := range []map[string]any{
		{"path": "action:create_image", "drop": true},
		{"path": "action:create_image", "after": true},
		{"path": "/v1/servers", "drop": true, "status": 500},
	} {
		if code, _ := e.doJSON("POST", "/_sim/faults", bad); code != http.StatusBadRequest {
			t.Errorf("POST fault %v = %d", bad, code)
		}
	}
}

// TestRandomFaultsUnderConcurrentLoad: with many clients at once, every
// create the clients saw succeed exists, and no faulted one does.
func TestRandomFaultsUnderConcurrentLoad(t *testing.T) {
	e := newEnv(t, Options{RateLimit: -1, Seed: 11, Faults: FaultRates{
		ServerError: 0.2, RateLimit: 0.1, Drop: 0.1, LatencyJitter: time.Millisecond,
	}})
	const clients, each = 8, 25
	type result struct {
		name    string
		created bool
	}
	results := make(chan result, clients*each)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			hc := &http.Client{} // POSTs are never re-sent, even on reused connections
			for i := range each {
				name := fmt.Sprintf("load-%d-%d", c, i)
				body := fmt.Sprintf(`{"name":%q,"server_type":"cx23","image":"debian-12"}`, name)
				req, _ := http.NewRequestWithContext(e.ctx, http.MethodPost, e.srv.URL+"/v1/servers", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+testToken)
				resp, err := hc.Do(req)
				if err != nil {
					results <- result{name, false}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				results <- result{name, resp.StatusCode == http.StatusCreated}
			}
		})
	}
	wg.Wait()
	close(results)
	exists := map[string]bool{}
	for _, s := range e.sim.Servers() {
		exists[s.Name] = true
	}
	created := 0
	for r := range results {
		if r.created != exists[r.name] {
			t.Errorf("%s: client saw created=%v, world has it=%v", r.name, r.created, exists[r.name])
		}
		if r.created {
			created++
		}
	}
	fc := e.sim.FaultCounts()
	if n := e.sim.RequestCounts()["POST /v1/servers"]; n != clients*each || created != n-fc["server_error"]-fc["rate_limit"]-fc["drop"] || fc["latency"] == 0 {
		t.Errorf("%d requests, %d created, fault counts %v", n, created, fc)
	}
}
