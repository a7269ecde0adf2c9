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

// The ready watcher shares the polling of every WaitReady in one provider
// process, and schedules it from the create actions' progress.
//
// Why: polling each machine on its own costs a request per machine per poll,
// so an apply of many machines hits the rate limit, while a fixed or
// backed-off interval finishes seconds after the machine is ready. Hetzner
// reports each create_server/start_server action's progress (0-100) and
// answers many actions in one GET /actions?id=..&id=.. request. A machine
// whose actions are p% done after e has elapsed is expected ready after
// e*100/p: the watcher sleeps until the earliest such moment among all the
// machines waited for, then asks once for all of them. Near the end it
// steps finely, so a machine is seen within ~a tenth of a second of being
// ready, at a handful of requests per machine.
type readyWatcher struct {
	p *Provider

	mu      sync.Mutex
	waiting map[int64]*watch // by server ID
	wake    chan struct{}
	running bool
}

// watch is one machine waited for.
type watch struct {
	actions []int64   // the server's create/start actions
	t0      time.Time // when the create answer arrived (local clock)
	next    time.Time // when it next needs news
	attempt int       // polls without progress, for the backoff
	done    chan error
	// news carries each observation to the waiting goroutine, which logs
	// it on its own context (the watcher's has no logger).
	news chan watchNews
	// logCtx carries the waiting request's values (its logger), not its
	// cancellation: the shared polls are made on it so they are logged.
	logCtx context.Context
}

type watchNews struct {
	progress int
	next     time.Time
}

// Scheduling bounds. actionBatch is the number of IDs per request: the
// actions list's largest page.
const (
	actionBatch = 50
	minStep     = 50 * time.Millisecond
	maxStep     = 250 * time.Millisecond
	// window is the lag the watcher trades for a request: a finish known
	// to within it is polled once, at the window's end.
	window = 400 * time.Millisecond
	// firstLook is the first poll after a create: soon, so a machine that
	// is quick to start is not kept waiting, and its progress by then
	// already dates the finish of a slow one.
	firstLook = 150 * time.Millisecond
)

func newReadyWatcher(p *Provider) *readyWatcher {
	return &readyWatcher{p: p, waiting: map[int64]*watch{}, wake: make(chan struct{}, 1)}
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

// wait blocks until the server's actions are done (nil), one failed, ctx
// ends, or the watcher cannot tell (a non-transient error).
func (rw *readyWatcher) wait(ctx context.Context, serverID int64, c pendingCreate) error {
	w := &watch{actions: c.actions, t0: c.t0, next: time.Now().Add(firstLook),
		done: make(chan error, 1), news: make(chan watchNews, 1), logCtx: context.WithoutCancel(ctx)}
	rw.mu.Lock()
	rw.waiting[serverID] = w
	if !rw.running {
		rw.running = true
		go rw.loop()
	}
	rw.mu.Unlock()
	select {
	case rw.wake <- struct{}{}:
	default:
	}
	for attempt := 0; ; attempt++ {
		select {
		case err := <-w.done:
			return err
		case n := <-w.news:
			rw.p.logf(ctx, "waiting for server to be ready", map[string]any{
				"provider": providerName, "id": strconv.FormatInt(serverID, 10), "attempt": attempt,
				"progress": n.progress, "next_poll_in": time.Until(n.next).Round(time.Millisecond).String(),
			})
		case <-ctx.Done():
			rw.mu.Lock()
			delete(rw.waiting, serverID)
			rw.mu.Unlock()
			return ctx.Err()
		}
	}
}

// loop polls while anyone waits, then exits.
func (rw *readyWatcher) loop() {
	backoff := framework.DefaultBackoff(rw.p.timeouts.PollInterval)
	for {
		rw.mu.Lock()
		if len(rw.waiting) == 0 {
			rw.running = false
			rw.mu.Unlock()
			return
		}
		next := time.Time{}
		for _, w := range rw.waiting {
			if next.IsZero() || w.next.Before(next) {
				next = w.next
			}
		}
		rw.mu.Unlock()

		timer := time.NewTimer(time.Until(next))
		select {
		case <-timer.C:
		case <-rw.wake:
			timer.Stop()
			continue
		}
		rw.tick(backoff)
	}
}

// tick asks once (per actionBatch) for the actions of every machine
// waited for, not only the one that is due: the request costs the same, and
// the others' estimates sharpen for free, so they need fewer polls of their
// own. Each is rescheduled from what it learns.
func (rw *readyWatcher) tick(backoff framework.Backoff) {
	rw.mu.Lock()
	due := make(map[int64]*watch, len(rw.waiting))
	var ids []int64
	base := context.Background()
	for sid, w := range rw.waiting {
		due[sid] = w
		ids = append(ids, w.actions...)
		base = w.logCtx
	}
	rw.mu.Unlock()
	if len(ids) == 0 {
		return
	}

	ctx, cancel := context.WithTimeout(base, rw.p.timeouts.HTTPRequest)
	defer cancel()
	got := map[int64]*hcloud.Action{}
	var err error
	for start := 0; start < len(ids) && err == nil; start += actionBatch {
		var batch []*hcloud.Action
		batch, err = rw.p.client.Action.AllWithOpts(ctx, hcloud.ActionListOpts{
			ListOpts: hcloud.ListOpts{PerPage: actionBatch},
			ID:       ids[start:min(start+actionBatch, len(ids))],
		})
		for _, a := range batch {
			got[a.ID] = a
		}
	}
	now := time.Now()

	rw.mu.Lock()
	defer rw.mu.Unlock()
	for sid, w := range due {
		if rw.waiting[sid] != w {
			continue // gave up meanwhile
		}
		if err != nil {
			mapped := mapError(err, subject{})
			if !framework.IsTransient(mapped) {
				rw.finish(sid, w, mapped)
				continue
			}
			w.attempt++
			w.next = now.Add(backoff.Jittered(w.attempt))
			continue
		}
		rw.observe(sid, w, got, now, backoff)
	}
}

// observe updates one machine from its actions: done, failed, or when to
// look again. Called with rw.mu held.
func (rw *readyWatcher) observe(sid int64, w *watch, got map[int64]*hcloud.Action, now time.Time, backoff framework.Backoff) {
	least := 100
	for _, id := range w.actions {
		a := got[id]
		switch {
		case a == nil:
			// Actions outlive their server; a missing one means we cannot
			// tell, so let the caller poll the server itself.
			rw.finish(sid, w, errUnwatchable)
			return
		case a.Status == hcloud.ActionStatusError:
			rw.finish(sid, w, framework.API(0, fmt.Sprintf("server %d: %s action failed: %v", sid, a.Command, a.Error())))
			return
		case a.Status == hcloud.ActionStatusRunning:
			least = min(least, a.Progress)
		}
	}
	if least == 100 {
		rw.finish(sid, w, nil)
		return
	}
	elapsed := now.Sub(w.t0)
	if least <= 0 {
		w.attempt++
		w.next = now.Add(backoff.Jittered(w.attempt))
		w.tell(0)
		return
	}
	// Progress p means p <= 100*elapsed/total < p+1: the finish lies
	// between elapsed*100/(p+1) and elapsed*100/p. Once that window is
	// narrower than window, one poll at its end finds the machine done;
	// before, look at its start to narrow it. Re-estimate at least every
	// PollInterval (progress need not be linear), and step finely once due.
	earliest := w.t0.Add(time.Duration(float64(elapsed) * 100 / float64(least+1)))
	latest := w.t0.Add(time.Duration(float64(elapsed) * 100 / float64(least)))
	step := min(max(elapsed/100, minStep), maxStep)
	if latest.Sub(earliest) <= window {
		w.next = later(latest, now.Add(minStep))
	} else {
		w.next = later(earliest, now.Add(step))
	}
	if limit := now.Add(backoff.Max); w.next.After(limit) {
		w.next = limit
	}
	w.tell(least)
}

// tell passes the latest observation on, dropping one not yet logged.
func (w *watch) tell(progress int) {
	select {
	case <-w.news:
	default:
	}
	w.news <- watchNews{progress: progress, next: w.next}
}

// finish hands the outcome to the waiter. Called with rw.mu held.
func (rw *readyWatcher) finish(sid int64, w *watch, err error) {
	delete(rw.waiting, sid)
	w.done <- err
}

// errUnwatchable says the actions cannot be followed: poll the server.
var errUnwatchable = fmt.Errorf("server actions cannot be followed")

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
