package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
	"github.com/spuff/terraform-provider-spuff/internal/testcloud"
)

// soakRates are the faults of issue 3: 10% 5xx, 5% 429, 2% dropped
// connections, on every cloud request.
var soakRates = sim.FaultRates{ServerError: 0.10, RateLimit: 0.05, Drop: 0.02}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// TestSoak applies and destroys a fleet through the terraform CLI, round
// after round, under injected faults. After every apply the cloud and the
// state must hold exactly the same machines and snapshots; after every
// destroy the cloud must hold nothing managed by spuff. make test runs 2
// rounds; make soak runs SPUFF_SOAK_ROUNDS (default 20 there).
func TestSoak(t *testing.T) {
	requireTF(t)
	rounds := envInt(t, "SPUFF_SOAK_ROUNDS", 2)
	instances := envInt(t, "SPUFF_SOAK_INSTANCES", 20)
	snapshots := min(2, instances)
	forEachCloud(t, func(t *testing.T, c testcloud.Fixture) { soak(t, c, rounds, instances, snapshots) })
}

func soak(t *testing.T, c testcloud.Fixture, rounds, instances, snapshots int) {
	// The real rate limit (3600/h) is off: the soak is about injected faults,
	// and an honest bucket would only slow it to one request a second.
	w := newWorld(t, c, sim.Options{ServerReadyDelay: 300 * time.Millisecond, ImageReadyDelay: 300 * time.Millisecond, RateLimit: -1, Seed: 20261123})
	wd := newWorkdir(t)
	wd.write(fleetConfig(w, instances, snapshots))

	var failedApplies, failedDestroys, orphansFound, ghostsFound int
	start := time.Now()
	// converge runs terraform until it succeeds (at most 3 times), counting
	// failures: a failure is a defect the soak exists to find.
	converge := func(what string, args ...string) int {
		failed := 0
		for range 3 {
			out, err := wd.run(args...)
			if err == nil {
				return failed
			}
			failed++
			t.Errorf("%s failed under faults:\n%s", what, tail(out, 40))
		}
		t.Fatalf("%s did not converge in 3 runs", what)
		return failed
	}
	check := func(round int, phase string, wantInstances, wantSnapshots int) {
		servers, snaps := w.Managed()
		si, ss := wd.stateIDs()
		o1, g1 := diff(servers, si)
		o2, g2 := diff(snaps, ss)
		orphansFound += len(o1) + len(o2)
		ghostsFound += len(g1) + len(g2)
		if len(o1)+len(o2)+len(g1)+len(g2) > 0 {
			t.Errorf("round %d after %s: orphans %v %v, ghosts %v %v", round, phase, o1, o2, g1, g2)
		}
		if len(servers) != wantInstances || len(snaps) != wantSnapshots {
			t.Errorf("round %d after %s: the cloud has %d instances and %d snapshots, want %d and %d",
				round, phase, len(servers), len(snaps), wantInstances, wantSnapshots)
		}
	}

	for round := 1; round <= rounds; round++ {
		if err := w.Sim.SetFaultRates(soakRates); err != nil {
			t.Fatal(err)
		}
		failedApplies += converge(fmt.Sprintf("round %d apply", round), "apply", "-auto-approve", "-parallelism=10")
		w.Sim.SetFaultRates(sim.FaultRates{}) //nolint:errcheck // zero rates are valid
		check(round, "apply", instances, snapshots)

		if err := w.Sim.SetFaultRates(soakRates); err != nil {
			t.Fatal(err)
		}
		failedDestroys += converge(fmt.Sprintf("round %d destroy", round), "destroy", "-auto-approve", "-parallelism=10")
		w.Sim.SetFaultRates(sim.FaultRates{}) //nolint:errcheck // zero rates are valid
		check(round, "destroy", 0, 0)
	}

	faults := w.Sim.FaultCounts()
	var requests int
	for _, n := range w.Sim.RequestCounts() {
		requests += n
	}
	report := fmt.Sprintf(`
soak (%s): %d rounds of apply+destroy, %d instances + %d snapshots, faults 10%% 5xx / 5%% 429 / 2%% drop
  | cloud | rounds | requests | 5xx injected | 429 injected | drops injected | failed applies | failed destroys | orphans | ghosts | wall |
  | %s | %6d | %8d | %12d | %12d | %14d | %14d | %15d | %7d | %6d | %4s |
`, c.Name(), rounds, instances, snapshots, c.Name(), rounds, requests, faults["server_error"], faults["rate_limit"], faults["drop"],
		failedApplies, failedDestroys, orphansFound, ghostsFound, time.Since(start).Round(time.Second))
	fmt.Print(report)
	t.Log(report)
	if faults["server_error"]+faults["rate_limit"]+faults["drop"] == 0 {
		t.Error("no fault was injected: the soak proved nothing")
	}
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
