package hetzner

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

// Concurrent deletes share the polls that confirm them: their delete
// actions are polled together (25 a request), instead of a read per
// machine.
func TestWaitGoneSharesPolls(t *testing.T) {
	const n = 8
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	ctx := context.Background()
	ids := make([]string, n)
	for i := range n {
		inst := env.create(t, request(fmt.Sprintf("spuff-gone-%d", i)))
		if _, err := env.p.WaitReady(ctx, inst.ID); err != nil {
			t.Fatal(err)
		}
		ids[i] = inst.ID
	}
	for _, id := range ids {
		if err := env.p.DestroyInstance(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	before := len(env.requests())
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, id := range ids {
		wg.Go(func() { errs[i] = env.p.WaitGone(ctx, id) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("WaitGone(%s): %v", ids[i], err)
		}
	}
	polls := env.requests()[before:]
	for _, q := range polls {
		if !strings.HasPrefix(q, "GET /v1/actions?") {
			t.Errorf("unexpected request while waiting: %s", q)
		}
	}
	if len(polls) >= n {
		t.Errorf("%d requests to confirm %d deletes: the polls are not shared (%v)", len(polls), n, polls)
	}
}

// A process that did not make the delete (no action to follow) confirms
// it from the servers: one list of the managed servers for all of them.
func TestWaitGoneWithoutTheActionListsServers(t *testing.T) {
	const n = 8
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	ctx := context.Background()
	ids := make([]string, n)
	for i := range n {
		inst := env.create(t, request(fmt.Sprintf("spuff-gone2-%d", i)))
		if _, err := env.p.WaitReady(ctx, inst.ID); err != nil {
			t.Fatal(err)
		}
		ids[i] = inst.ID
		if err := env.p.DestroyInstance(ctx, inst.ID); err != nil {
			t.Fatal(err)
		}
		env.p.deleting.Delete(inst.ID) // as if another process deleted it
	}
	before := len(env.requests())
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, id := range ids {
		wg.Go(func() { errs[i] = env.p.WaitGone(ctx, id) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("WaitGone(%s): %v", ids[i], err)
		}
	}
	polls := env.requests()[before:]
	for _, q := range polls {
		if !strings.HasPrefix(q, "GET /v1/servers") {
			t.Errorf("unexpected request while waiting: %s", q)
		}
	}
	if len(polls) >= n {
		t.Errorf("%d requests to confirm %d deletes: the polls are not shared (%v)", len(polls), n, polls)
	}
}
