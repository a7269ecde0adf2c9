package hetzner

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

// deleteAndWait makes n ready servers, deletes them (forget, when set,
// drops the delete actions, as if another process had deleted them) and
// waits for all at once; it fails the test unless every wait succeeds and
// the waits' requests, all starting with want, are fewer than n (shared).
func deleteAndWait(t *testing.T, n int, forget bool, want string) {
	t.Helper()
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
		if forget {
			env.p.deleting.Delete(id)
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
		if !strings.HasPrefix(q, want) {
			t.Errorf("unexpected request while waiting: %s", q)
		}
	}
	if len(polls) >= n {
		t.Errorf("%d requests to confirm %d deletes: the polls are not shared (%v)", len(polls), n, polls)
	}
}

// Concurrent deletes share the polls that confirm them: their delete
// actions are polled together (25 a request), instead of a read per
// machine.
func TestWaitGoneSharesPolls(t *testing.T) { deleteAndWait(t, 8, false, "GET /v1/actions?") }

// A process that did not make the delete (no action to follow) confirms
// it from the servers: one list of the managed servers for all of them.
func TestWaitGoneWithoutTheActionListsServers(t *testing.T) {
	deleteAndWait(t, 8, true, "GET /v1/servers")
}
