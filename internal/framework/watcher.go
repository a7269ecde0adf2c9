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
// second of being ready, at a handful of requests per machine.
//
// Real progress is not linear: it jumps, stalls (Hetzner's actions have been
// seen at 80% for a long time), or is not reported at all. So an estimate
// is only trusted while each new one agrees with the last (their windows
// overlap); a wait whose progress contradicts itself, stops moving, or is
// missing is polled "blind", at a steady step near watchBlindLag (the step
// is the lag), shorter the more waits share each look, longer as a lone
// wait grows old. A new wait takes a look already due for others within a
// blind step of its own first look. The polls of concurrent waits coincide either way.

// WatchState is what a cloud's poll says of one thing waited for.
type WatchState struct {
	// Done ends the wait with success.
	Done bool
	// Err ends the wait with this error.
	Err error
	// Progress is the percentage done (1-99) when the cloud reports one;
	// 0 means no estimate: the thing is polled again blind (watchBlindLag).
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
	// need not be linear), with progress or without, and the backoff after
	// a failed poll.
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

// Blind polling (no trusted progress) looks at a steady step rather than
// the backoff: the step is the lag, so it is kept near watchBlindLag, a tenth
// under the second BENCHMARKS.md allows (for the poll's own round trip). A
// look costs the same for one wait or many, so the step shrinks as more
// waits share it: watchBlindLag*watchCrowd/(watchCrowd+W) for W waits (half
// of it at 50, which Hetzner answers in two requests). It grows with the wait's age, a watchBlindShare-th of it divided among the
// waits, so that a long lone wait (a snapshot of minutes) is looked at no
// more often than the backoff would (PollInterval) after a while: a lone wait
// of e costs about watchBlindShare*ln(e/10s) polls more than the backoff.
const (
	watchBlindLag   = 900 * time.Millisecond
	watchCrowd      = 50
	watchBlindShare = 10
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
	attempt int       // polls without progress or failed, for the backoff
	// earliest and latest bound the finish the last progress implied
	// (zero before any); trusted is set once two such windows agreed, and
	// blind for good once two contradicted each other, after which the
	// wait is polled as if it reported no progress.
	earliest, latest time.Time
	trusted, blind   bool
	done             chan error
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
	w.next = wr.firstLook(w.next)
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

// firstLook is when a new wait whose own first look is at looks first: a
// look due for others up to a blind step later serves it too (a look polls
// every wait), so it takes that one instead of one more of its own, at no
// more lag than a blind wait has. One due sooner looks at it anyway.
// Called with wr.mu held, before the new wait joins.
func (wr *Watcher[H]) firstLook(at time.Time) time.Time {
	join := min(blindBase(len(wr.waiting)+1), wr.backoff.Max)
	if due, ok := wr.nextDue(); ok && due.After(at) && !due.After(at.Add(join)) {
		return due
	}
	return at
}

// nextDue is the earliest next look of the waits, if any. Called with
// wr.mu held.
func (wr *Watcher[H]) nextDue() (time.Time, bool) {
	var next time.Time
	for w := range wr.waiting {
		if next.IsZero() || w.next.Before(next) {
			next = w.next
		}
	}
	return next, !next.IsZero()
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
		next, _ := wr.nextDue()
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
	case w.blind || s.Progress <= 0 || s.Progress >= 100:
		wr.lookBlind(w, now)
		w.tell(max(s.Progress, 0))
		return
	}
	// Progress p means p <= 100*elapsed/total < p+1 if progress is linear:
	// the finish lies between elapsed*100/(p+1) and elapsed*100/p. Once that
	// window is narrower than watchWindow, one poll at its end finds the
	// thing done; before, look at its start to narrow it. Re-estimate at
	// least every PollInterval, and step finely once due.
	elapsed := now.Sub(w.t0)
	least := s.Progress
	earliest := w.t0.Add(time.Duration(float64(elapsed) * 100 / float64(least+1)))
	latest := w.t0.Add(time.Duration(float64(elapsed) * 100 / float64(least)))
	// Linear progress gives windows that all hold the true finish, so each
	// overlaps the last (up to a twentieth of the elapsed time, for the
	// skew between the cloud's start and w.t0). One that does not means
	// the progress jumps or stalls, and no estimate from it can be trusted:
	// polls timed from it would come late (a jump) or be wasted (a stall).
	tol := elapsed / 20
	if !w.latest.IsZero() && (earliest.After(w.latest.Add(tol)) || latest.Before(w.earliest.Add(-tol))) {
		w.blind = true
		wr.lookBlind(w, now)
		w.tell(least)
		return
	}
	w.trusted = !w.latest.IsZero()
	w.earliest, w.latest = earliest, latest
	step := min(max(elapsed/100, watchMinStep), watchMaxStep)
	if latest.Sub(earliest) <= watchWindow {
		w.next = later(latest, now.Add(watchMinStep))
	} else {
		w.next = later(earliest, now.Add(step))
	}
	limit := now.Add(wr.backoff.Max)
	if !w.trusted {
		// One window says nothing of how progress moves: a step of
		// jumpy progress dates the finish late. Sleep no longer on it
		// than a blind wait would, and let the next look confirm it.
		limit = now.Add(wr.blindStep(w, now))
	}
	if w.next.After(limit) {
		w.next = limit
	}
	w.tell(least)
}

// lookBlind schedules the next look at a wait without a trusted estimate
// (see watchBlindLag). Called with wr.mu held.
func (wr *Watcher[H]) lookBlind(w *watch[H], now time.Time) {
	w.attempt++
	w.next = now.Add(wr.blindStep(w, now))
}

// blindStep is the step between blind looks at w (see watchBlindLag).
// Called with wr.mu held.
func (wr *Watcher[H]) blindStep(w *watch[H], now time.Time) time.Duration {
	n := max(len(wr.waiting), 1)
	step := max(blindBase(n), now.Sub(w.t0)/time.Duration(watchBlindShare*n))
	return min(step, wr.backoff.Max)
}

// blindBase is the blind step of a young wait among n sharing each look.
func blindBase(n int) time.Duration {
	return watchBlindLag * watchCrowd / time.Duration(watchCrowd+n)
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
