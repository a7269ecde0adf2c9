package hetzner

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// Waiting for servers this process created is the framework's batched
// watcher (framework.Watcher); this file only says how to ask Hetzner: the
// create_server/start_server actions of every machine waited for, in one
// GET /actions?id=..&id=.. per actionBatch, their least progress as the
// finish-time estimate.

// actionBatch is the number of IDs per request: the actions list's largest
// page.
const actionBatch = 50

// firstLook is the first poll after a create: soon, so a machine that is
// quick to start is not kept waiting, and its progress by then already
// dates the finish of a slow one.
const firstLook = framework.ReadyFirstLook

// newReadyWatcher follows the create actions of servers, keyed by server
// ID, with the actions as each one's handle.
func newReadyWatcher(p *Provider) *framework.Watcher[[]int64] {
	return framework.NewWatcher(framework.WatcherConfig[[]int64]{
		Poll:           p.pollActions,
		PollInterval:   p.timeouts.PollInterval,
		RequestTimeout: p.timeouts.HTTPRequest,
		Log:            p.log,
		Message:        "waiting for server to be ready",
		Fields:         map[string]any{"provider": providerName},
	})
}

// newActionWatcher follows single actions (snapshots, power and resize
// actions), keyed by action ID.
func newActionWatcher(p *Provider) *framework.Watcher[[]int64] {
	return framework.NewWatcher(framework.WatcherConfig[[]int64]{
		Poll: func(ctx context.Context, actions map[string][]int64) (map[string]framework.WatchState, error) {
			return p.pollActionsWith(ctx, actions, actionState)
		},
		PollInterval:   p.timeouts.PollInterval,
		RequestTimeout: p.timeouts.HTTPRequest,
		Log:            p.log,
		Message:        "waiting for action",
		Fields:         map[string]any{"provider": providerName},
	})
}

// actionState judges one action: done, failed (as the SDK reports it) or
// its progress. A missing action is not found.
func actionState(key string, ids []int64, got map[int64]*hcloud.Action) framework.WatchState {
	for _, id := range ids {
		a := got[id]
		switch {
		case a == nil:
			return framework.WatchState{Err: framework.API(404, "action "+key+" not found")}
		case a.Status == hcloud.ActionStatusError:
			return framework.WatchState{Err: mapError(a.Error(), subject{})}
		case a.Status == hcloud.ActionStatusRunning:
			return framework.WatchState{Progress: a.Progress}
		}
	}
	return framework.WatchState{Done: true}
}

// pollActions asks for the actions of every server waited for and says of
// each server whether they are done, one failed, or how far the least
// advanced one is.
func (p *Provider) pollActions(ctx context.Context, servers map[string][]int64) (map[string]framework.WatchState, error) {
	return p.pollActionsWith(ctx, servers, actionsState)
}

// pollActionsWith asks for the actions of every key at once and judges
// each key's with state.
func (p *Provider) pollActionsWith(ctx context.Context, servers map[string][]int64, state func(string, []int64, map[int64]*hcloud.Action) framework.WatchState) (map[string]framework.WatchState, error) {
	var ids []int64
	for _, actions := range servers {
		ids = append(ids, actions...)
	}
	got := make(map[int64]*hcloud.Action, len(ids))
	for start := 0; start < len(ids); start += actionBatch {
		batch, err := p.client.Action.AllWithOpts(ctx, hcloud.ActionListOpts{
			ListOpts: hcloud.ListOpts{PerPage: actionBatch},
			ID:       ids[start:min(start+actionBatch, len(ids))],
		})
		if err != nil {
			return nil, mapError(err, subject{})
		}
		for _, a := range batch {
			got[a.ID] = a
		}
	}
	out := make(map[string]framework.WatchState, len(servers))
	for sid, actions := range servers {
		out[sid] = state(sid, actions, got)
	}
	return out, nil
}

// actionsState judges one server from its actions.
func actionsState(sid string, actions []int64, got map[int64]*hcloud.Action) framework.WatchState {
	least := 100
	for _, id := range actions {
		a := got[id]
		switch {
		case a == nil:
			// Actions outlive their server; a missing one means we cannot
			// tell, so let the caller poll the server itself.
			return framework.WatchState{Err: errUnwatchable}
		case a.Status == hcloud.ActionStatusError:
			return framework.WatchState{Err: framework.API(0, fmt.Sprintf("server %s: %s action failed: %v", sid, a.Command, a.Error()))}
		case a.Status == hcloud.ActionStatusRunning:
			least = min(least, a.Progress)
		}
	}
	return framework.WatchState{Done: least == 100, Progress: least}
}

// pending records the actions of servers this process created, so that
// WaitReady can watch them; servers it did not create are polled directly.
type pending struct {
	mu  sync.Mutex
	all map[int64]pendingCreate
}

type pendingCreate struct {
	actions []int64
	t0      time.Time
	created *framework.Instance // as the create answer described it
	started bool                // a start_server action follows the create
}

// put remembers the server's create_server and start_server actions (a
// failure of either must end the wait) and the server as created: Hetzner
// creates the primary IPv4 with the server, so when both actions succeed the
// server is running at that address and needs no further read.
func (pc *pending) put(serverID int64, res hcloud.ServerCreateResult) {
	var ids []int64
	for _, a := range append([]*hcloud.Action{res.Action}, res.NextActions...) {
		if a != nil {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	created := serverToInstance(res.Server)
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.all == nil {
		pc.all = map[int64]pendingCreate{}
	}
	pc.all[serverID] = pendingCreate{actions: ids, t0: time.Now(), created: created, started: len(res.NextActions) > 0}
}

func (pc *pending) take(serverID int64) (pendingCreate, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	c, ok := pc.all[serverID]
	delete(pc.all, serverID)
	return c, ok
}

// waitCreated waits until the server's create actions are done (nil), one
// failed, ctx ends, or the watcher cannot tell (errUnwatchable).
func (p *Provider) waitCreated(ctx context.Context, serverID int64, c pendingCreate) error {
	id := strconv.FormatInt(serverID, 10)
	return p.watcher.Wait(ctx, framework.Watch[[]int64]{
		Key: id, Handle: c.actions, Since: c.t0, FirstLook: firstLook,
		Operation: "waiting for instance " + id + " to be ready",
	})
}

// errUnwatchable says the actions cannot be followed: poll the server.
var errUnwatchable = fmt.Errorf("server actions cannot be followed")
