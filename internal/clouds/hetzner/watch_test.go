package hetzner

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

// Concurrent waits share their polling: one actions request answers for
// all of them, so the wait costs far fewer requests than a poll per machine.
func TestWatcherSharesPolling(t *testing.T) {
	const n = 12
	timeouts := fastTimeouts()
	timeouts.PollInterval = time.Second
	env := newSimEnv(t, sim.Options{}, timeouts)
	ctx := context.Background()

	insts := make([]*framework.Instance, n)
	for i := range n {
		// Readiness spread over 0.3-1.4 s.
		env.sim.SetDelays(time.Duration(300+100*i)*time.Millisecond, 0)
		insts[i] = env.create(t, request("spuff-watch-"+string(rune('a'+i))))
	}
	before := len(env.requests())
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, inst := range insts {
		wg.Go(func() {
			ready, err := env.p.WaitReady(ctx, inst.ID)
			if err == nil && (!ready.IsReady() || ready.IP != inst.IP) {
				err = framework.API(0, fmt.Sprintf("returned %v at %v, want ready at %v", ready.Status, ready.IP, inst.IP))
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("WaitReady(%s): %v", insts[i].ID, err)
		}
	}
	var actions, gets int
	for _, q := range env.requests()[before:] {
		switch {
		case strings.HasPrefix(q, "GET /v1/actions?"):
			actions++
		case strings.HasPrefix(q, "GET /v1/servers/"):
			gets++
		default:
			t.Errorf("unexpected request during the waits: %s", q)
		}
	}
	// The create answers carried the addresses, so finished actions need no
	// read; and the action polls are shared: fewer than two per machine.
	if gets != 0 {
		t.Errorf("%d server reads, want none", gets)
	}
	if actions >= 2*n {
		t.Errorf("%d action polls for %d machines: the polling is not shared", actions, n)
	}
	t.Logf("%d machines: %d action polls + %d reads = %.2f requests per machine", n, actions, gets, float64(actions+gets)/n)
}

// A server the process did not create (imported, or after a restart) has no
// known actions: WaitReady polls the server itself.
func TestWaitReadyWithoutKnownActions(t *testing.T) {
	env := newSimEnv(t, sim.Options{ServerReadyDelay: 100 * time.Millisecond}, fastTimeouts())
	other := env.provider(t, simToken, fastTimeouts())
	inst, err := other.CreateInstance(context.Background(), request("spuff-foreign-wait"))
	if err != nil {
		t.Fatal(err)
	}
	ready, err := env.p.WaitReady(context.Background(), inst.ID)
	if err != nil || !ready.IsReady() {
		t.Fatalf("WaitReady = %v, %v", ready, err)
	}
}

// A failed create action ends the wait with the action's error.
func TestWatcherReportsFailedAction(t *testing.T) {
	env := newSimEnv(t, sim.Options{ServerReadyDelay: 200 * time.Millisecond}, fastTimeouts())
	env.sim.InjectFault(sim.Fault{Path: "action:create_server"})
	inst := env.create(t, request("spuff-failing"))
	_, err := env.p.WaitReady(context.Background(), inst.ID)
	if err == nil || !strings.Contains(err.Error(), "create_server action failed") {
		t.Fatalf("WaitReady = %v, want the failed create_server action", err)
	}
}
