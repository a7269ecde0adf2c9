package framework

import (
	"context"
	"sync"
	"time"
)

// The batched watcher shares the polling of every wait of one kind in a
// provider process (machines becoming ready, machines going away), and
// schedules it from the cloud's progress reports when it has them.
//
// Why: polling each machine on its own costs a request per machine per
// poll, so an apply of many machines hits the rate limit, while a fixed or
// backed-off interval finishes seconds after the machine is ready. The
// cloud supplies one function, "poll these N" (Hetzner answers many
// actions in one GET /actions?id=..&id=..), and, where it can, a progress
// percentage per waited thing. A thing p% done after e has elapsed is
// expected done after e*100/p: the watcher sleeps until the earliest such
// moment among all the things waited for, then asks once for all of them.
// Near the end it steps finely, so a machine is seen within ~a tenth of a
// second of being ready, at a handful of requests per machine. Without
// progress each thing is polled with the framework's backoff, and the
// polls of concurrent waits still coincide.

// WatchState is what a cloud's poll says of one thing waited for.
type WatchState struct {
	// Done ends the wait with success.
	Done bool
	// Err ends the wait with this error.
	Err error
	// Progress is the percentage done (1-99) when the cloud reports one;
	// 0 means no estimate: the thing is polled again with the backoff.
	Progress int
}

// PollMany is the cloud's side of a watcher: the states of the things
// waited for, by key, given their handles (what the cloud needs to ask
// about them, e.g. action IDs). It asks for all of them at once, in as few
// requests as the cloud allows. A key missing from the answer is not done
// and is polled again with the backoff. An error fails the poll of all of
// them: a transient one (IsTransient) is polled through, any other ends
// every wait with it.
type PollMany[H any] func(ctx context.Context, handles map[string]H) (map[string]WatchState, error)

// WatcherConfig configures a Watcher.
type WatcherConfig[H any] struct {
	Poll PollMany[H]
	// PollInterval caps the time between two looks at a thing (progress
	// need not be linear), and the backoff without progress.
	PollInterval time.Duration
	// RequestTimeout bounds one poll; 0 means DefaultHTTPRequest.
	RequestTimeout time.Duration
	// Log, Message and Fields log each look on the waiter's context:
	// Message with Fields plus id, attempt, progress and next_poll_in.
	Log     LogFunc
	Message string
	Fields  map[string]any
}

// Watch is one wait.
type Watch[H any] struct {
	// Key names the thing waited for (its ID); waits for the same key share
	// its state.
	Key    string
	Handle H
	// Since is when the operation waited for started, from which progress
	// dates the finish; zero means now.
	Since time.Time
	// FirstLook is the pause before the first poll of it.
	FirstLook time.Duration
	// Operation names the wait in a TimeoutError, e.g. "waiting for
	// instance 42 to be ready".
	Operation string
}

// Scheduling bounds: the finest step between polls, the coarsest one once
// a finish is due, and the lag the watcher trades for a request (a finish
// known to within it is polled once, at its end).
const (
	watchMinStep = 50 * time.Millisecond
	watchMaxStep = 250 * time.Millisecond
	watchWindow  = 400 * time.Millisecond
)

// Watcher shares the polls of concurrent waits; see NewWatcher.
type Watcher[H any] struct {
	cfg     WatcherConfig[H]
	backoff Backoff

	mu      sync.Mutex
	waiting map[*watch[H]]struct{}
	wake    chan struct{}
	running bool
}

type watch[H any] struct {
	key     string
	handle  H
	t0      time.Time // when the operation started
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

// NewWatcher returns a watcher over cfg.Poll. Its polling goroutine runs
// only while someone waits.
func NewWatcher[H any](cfg WatcherConfig[H]) *Watcher[H] {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultHTTPRequest
	}
	return &Watcher[H]{
		cfg:     cfg,
		backoff: DefaultBackoff(cfg.PollInterval),
		waiting: map[*watch[H]]struct{}{},
		wake:    make(chan struct{}, 1),
	}
}

// Wait blocks until the poll says the thing is done (nil) or failed (its
// error), or ctx ends: a deadline becomes a TimeoutError naming
// spec.Operation, a cancellation returns ctx.Err().
func (wr *Watcher[H]) Wait(ctx context.Context, spec Watch[H]) error {
	now := time.Now()
	t0 := spec.Since
	if t0.IsZero() {
		t0 = now
	}
	w := &watch[H]{key: spec.Key, handle: spec.Handle, t0: t0, next: now.Add(spec.FirstLook),
		done: make(chan error, 1), news: make(chan watchNews, 1), logCtx: context.WithoutCancel(ctx)}
	wr.mu.Lock()
	wr.waiting[w] = struct{}{}
	if !wr.running {
		wr.running = true
		go wr.loop()
	}
	wr.mu.Unlock()
	select {
	case wr.wake <- struct{}{}:
	default:
	}
	for attempt := 0; ; attempt++ {
		select {
		case err := <-w.done:
			wr.logDone(ctx, spec.Key, attempt, err)
			return err
		case n := <-w.news:
			wr.logf(ctx, spec.Key, attempt, n)
		case <-ctx.Done():
			wr.mu.Lock()
			delete(wr.waiting, w)
			wr.mu.Unlock()
			if ctx.Err() == context.DeadlineExceeded { //nolint:errorlint // ctx.Err is the sentinel itself
				return &TimeoutError{Operation: spec.Operation, Elapsed: time.Since(now), Err: ctx.Err()}
			}
			return ctx.Err()
		}
	}
}

func (wr *Watcher[H]) logf(ctx context.Context, key string, attempt int, n watchNews) {
	if wr.cfg.Log == nil {
		return
	}
	fields := make(map[string]any, len(wr.cfg.Fields)+4)
	for k, v := range wr.cfg.Fields {
		fields[k] = v
	}
	fields["id"] = key
	fields["attempt"] = attempt
	fields["progress"] = n.progress
	fields["next_poll_in"] = time.Until(n.next).Round(time.Millisecond).String()
	wr.cfg.Log(ctx, wr.cfg.Message, fields)
}

// logDone logs the outcome of a wait, as the last of its lines.
func (wr *Watcher[H]) logDone(ctx context.Context, key string, attempt int, err error) {
	if wr.cfg.Log == nil {
		return
	}
	fields := make(map[string]any, len(wr.cfg.Fields)+3)
	for k, v := range wr.cfg.Fields {
		fields[k] = v
	}
	fields["id"] = key
	fields["attempt"] = attempt
	if err != nil {
		fields["error"] = err.Error()
	} else {
		fields["done"] = true
		fields["progress"] = 100
	}
	wr.cfg.Log(ctx, wr.cfg.Message, fields)
}

// loop polls while anyone waits, then exits.
func (wr *Watcher[H]) loop() {
	for {
		wr.mu.Lock()
		if len(wr.waiting) == 0 {
			wr.running = false
			wr.mu.Unlock()
			return
		}
		next := time.Time{}
		for w := range wr.waiting {
			if next.IsZero() || w.next.Before(next) {
				next = w.next
			}
		}
		wr.mu.Unlock()

		timer := time.NewTimer(time.Until(next))
		select {
		case <-timer.C:
		case <-wr.wake:
			timer.Stop()
			continue
		}
		wr.tick()
	}
}

// tick asks once for every thing waited for, not only the one that is
// due: the request costs the same, and the others' estimates sharpen for
// free, so they need fewer polls of their own. Each is rescheduled from
// what it learns.
func (wr *Watcher[H]) tick() {
	wr.mu.Lock()
	due := make([]*watch[H], 0, len(wr.waiting))
	handles := make(map[string]H, len(wr.waiting))
	base := context.Background()
	for w := range wr.waiting {
		due = append(due, w)
		handles[w.key] = w.handle
		base = w.logCtx
	}
	wr.mu.Unlock()
	if len(due) == 0 {
		return
	}

	ctx, cancel := context.WithTimeout(base, wr.cfg.RequestTimeout)
	defer cancel()
	got, err := wr.cfg.Poll(ctx, handles)
	now := time.Now()

	wr.mu.Lock()
	defer wr.mu.Unlock()
	for _, w := range due {
		if _, ok := wr.waiting[w]; !ok {
			continue // gave up meanwhile
		}
		if err != nil {
			if !IsTransient(err) {
				wr.finish(w, err)
				continue
			}
			w.attempt++
			w.next = now.Add(wr.backoff.Jittered(w.attempt))
			continue
		}
		wr.observe(w, got[w.key], now)
	}
}

// observe updates one wait from its state: done, failed, or when to look
// again. Called with wr.mu held.
func (wr *Watcher[H]) observe(w *watch[H], s WatchState, now time.Time) {
	switch {
	case s.Err != nil:
		wr.finish(w, s.Err)
		return
	case s.Done:
		wr.finish(w, nil)
		return
	case s.Progress <= 0 || s.Progress >= 100:
		w.attempt++
		w.next = now.Add(wr.backoff.Jittered(w.attempt))
		w.tell(0)
		return
	}
	// Progress p means p <= 100*elapsed/total < p+1: the finish lies
	// between elapsed*100/(p+1) and elapsed*100/p. Once that window is
	// narrower than watchWindow, one poll at its end finds the thing done;
	// before, look at its start to narrow it. Re-estimate at least every
	// PollInterval (progress need not be linear), and step finely once due.
	elapsed := now.Sub(w.t0)
	least := s.Progress
	earliest := w.t0.Add(time.Duration(float64(elapsed) * 100 / float64(least+1)))
	latest := w.t0.Add(time.Duration(float64(elapsed) * 100 / float64(least)))
	step := min(max(elapsed/100, watchMinStep), watchMaxStep)
	if latest.Sub(earliest) <= watchWindow {
		w.next = later(latest, now.Add(watchMinStep))
	} else {
		w.next = later(earliest, now.Add(step))
	}
	if limit := now.Add(wr.backoff.Max); w.next.After(limit) {
		w.next = limit
	}
	w.tell(least)
}

// tell passes the latest observation on, dropping one not yet logged.
func (w *watch[H]) tell(progress int) {
	select {
	case <-w.news:
	default:
	}
	w.news <- watchNews{progress: progress, next: w.next}
}

// finish hands the outcome to the waiter. Called with wr.mu held.
func (wr *Watcher[H]) finish(w *watch[H], err error) {
	delete(wr.waiting, w)
	w.done <- err
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
