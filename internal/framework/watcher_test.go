package framework

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Concurrent waits share one poll per look, and a thing reporting progress
// is looked at when its finish is due, not at the backoff's pace.
func TestWatcherSharesPollsAndFollowsProgress(t *testing.T) {
	start := time.Now()
	finish := map[string]time.Duration{"a": 300 * time.Millisecond, "b": 600 * time.Millisecond, "c": 900 * time.Millisecond}
	var polls atomic.Int32
	w := NewWatcher(WatcherConfig[time.Duration]{
		PollInterval: time.Second,
		Poll: func(_ context.Context, handles map[string]time.Duration) (map[string]WatchState, error) {
			polls.Add(1)
			out := map[string]WatchState{}
			elapsed := time.Since(start)
			for k, total := range handles {
				if elapsed >= total {
					out[k] = WatchState{Done: true}
					continue
				}
				out[k] = WatchState{Progress: max(int(100*elapsed/total), 1)}
			}
			return out, nil
		},
	})
	var wg sync.WaitGroup
	lags := map[string]time.Duration{}
	var mu sync.Mutex
	for k, total := range finish {
		wg.Go(func() {
			err := w.Wait(context.Background(), Watch[time.Duration]{Key: k, Handle: total, Since: start, FirstLook: 50 * time.Millisecond})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("Wait(%s): %v", k, err)
			}
			lags[k] = time.Since(start) - total
		})
	}
	wg.Wait()
	for k, lag := range lags {
		if lag > 500*time.Millisecond {
			t.Errorf("%s seen %s after its finish", k, lag)
		}
	}
	if n := polls.Load(); n > 20 {
		t.Errorf("%d polls for 3 waits of under a second", n)
	}
}

// A poll that fails for good ends every wait with its error; a transient
// failure is polled through; a deadline is a TimeoutError.
func TestWatcherErrors(t *testing.T) {
	boom := API(400, "bad")
	w := NewWatcher(WatcherConfig[int]{PollInterval: 10 * time.Millisecond, Poll: func(context.Context, map[string]int) (map[string]WatchState, error) {
		return nil, boom
	}})
	if err := w.Wait(context.Background(), Watch[int]{Key: "1"}); !errors.Is(err, boom) {
		t.Errorf("a failed poll = %v, want its error", err)
	}

	var n atomic.Int32
	flaky := NewWatcher(WatcherConfig[int]{PollInterval: 10 * time.Millisecond, Poll: func(context.Context, map[string]int) (map[string]WatchState, error) {
		if n.Add(1) < 3 {
			return nil, API(503, "later")
		}
		return map[string]WatchState{"1": {Done: true}}, nil
	}})
	if err := flaky.Wait(context.Background(), Watch[int]{Key: "1"}); err != nil || n.Load() != 3 {
		t.Errorf("transient failures = %v after %d polls, want done after 3", err, n.Load())
	}

	never := NewWatcher(WatcherConfig[int]{PollInterval: 10 * time.Millisecond, Poll: func(context.Context, map[string]int) (map[string]WatchState, error) {
		return map[string]WatchState{}, nil
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	var te *TimeoutError
	if err := never.Wait(ctx, Watch[int]{Key: "1", Operation: "waiting for thing 1"}); !errors.As(err, &te) || te.Operation != "waiting for thing 1" {
		t.Errorf("a wait past its deadline = %v, want a TimeoutError", err)
	}
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if err := never.Wait(cctx, Watch[int]{Key: "1"}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled wait = %v", err)
	}
}

// observe times the next look from progress only while progress behaves
// linearly; progress that jumps, stalls or is missing is looked at blind,
// at most watchBlindLag apart while the wait is young or shared.
func TestWatcherObserveSchedule(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type look struct {
		at       time.Duration // since t0
		progress int
	}
	for _, tt := range []struct {
		name    string
		waiters int // waits sharing the poll
		looks   []look
		// the step after the last look lies in [lo, hi], and the wait is
		// blind or not
		lo, hi time.Duration
		blind  bool
	}{
		// 10 s of linear progress: a look at 150 ms (1%) and at 5.15 s
		// (51%) agree, so the next look is at the end of the narrow window,
		// about 10.1 s: the economy of linear progress is kept.
		{"linear", 1, []look{{150 * time.Millisecond, 1}, {5150 * time.Millisecond, 51}},
			4900 * time.Millisecond, 5000 * time.Millisecond, false},
		// A first estimate is not slept on longer than a blind step: 25%
		// after 3 s (a step of jumpy progress) would say 12 s.
		{"first estimate", 1, []look{{3 * time.Second, 25}},
			850 * time.Millisecond, watchBlindLag, false},
		// Once a second agrees, the backoff's cap (5 s) bounds the sleep.
		{"confirmed estimate", 1, []look{{150 * time.Millisecond, 1}, {1150 * time.Millisecond, 11}},
			5 * time.Second, 5 * time.Second, false},
		// 80% at 1.25 s promised a finish by 1.56 s; still 80% at 3 s
		// contradicts it: blind, so the next look is within a second.
		{"stall", 1, []look{{150 * time.Millisecond, 12}, {1250 * time.Millisecond, 80}, {3 * time.Second, 80}},
			0, watchBlindLag, true},
		// 25% at 3 s says 12 s; 75% at 8 s says 10.7 s: a jump, blind.
		{"steps", 1, []look{{3 * time.Second, 25}, {8 * time.Second, 75}},
			0, watchBlindLag, true},
		// No progress, a young lone wait: about watchBlindLag.
		{"none, young", 1, []look{{150 * time.Millisecond, 0}},
			850 * time.Millisecond, watchBlindLag, true},
		// 50 young waits share each look: half of it.
		{"none, young crowd", 50, []look{{150 * time.Millisecond, 0}},
			watchBlindLag / 2, watchBlindLag / 2, true},
		// No progress, a lone wait of 40 s whose backoff reached 5 s: the
		// cap grew to 4 s (a tenth of the age).
		{"none, lone old", 1, []look{{10 * time.Second, 0}, {15 * time.Second, 0}, {20 * time.Second, 0}, {25 * time.Second, 0}, {30 * time.Second, 0}, {35 * time.Second, 0}, {40 * time.Second, 0}},
			4 * time.Second, 4 * time.Second, true},
		// The same among 10 waits sharing each poll: under a second.
		{"none, shared old", 10, []look{{10 * time.Second, 0}, {20 * time.Second, 0}, {30 * time.Second, 0}, {40 * time.Second, 0}},
			700 * time.Millisecond, 800 * time.Millisecond, true},
		// A very long lone wait: PollInterval.
		{"none, lone very old", 1, []look{{100 * time.Second, 0}, {200 * time.Second, 0}, {300 * time.Second, 0}, {400 * time.Second, 0}, {500 * time.Second, 0}, {600 * time.Second, 0}, {700 * time.Second, 0}},
			5 * time.Second, 5 * time.Second, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wr := NewWatcher(WatcherConfig[int]{PollInterval: 5 * time.Second})
			w := &watch[int]{key: "k", t0: t0, news: make(chan watchNews, 1), done: make(chan error, 1)}
			wr.waiting[w] = struct{}{}
			for i := 1; i < tt.waiters; i++ {
				wr.waiting[&watch[int]{key: strconv.Itoa(i)}] = struct{}{}
			}
			var now time.Time
			for _, l := range tt.looks {
				now = t0.Add(l.at)
				wr.observe(w, WatchState{Progress: l.progress}, now)
			}
			if step := w.next.Sub(now); step < tt.lo || step > tt.hi {
				t.Errorf("next look %v after the last, want %v..%v", step, tt.lo, tt.hi)
			}
			if w.blind != tt.blind && tt.looks[len(tt.looks)-1].progress > 0 {
				t.Errorf("blind = %v, want %v", w.blind, tt.blind)
			}
		})
	}
}

// A new wait takes a look due for others soon after its own first look,
// and keeps its own when the next one is sooner or much later.
func TestWatcherFirstLookJoinsADueLook(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	own := now.Add(150 * time.Millisecond)
	for _, tt := range []struct {
		name  string
		other time.Duration // another wait's next look, from now; 0 = none waits
		want  time.Time
	}{
		{"alone", 0, own},
		{"due sooner", 100 * time.Millisecond, own},
		{"due a little later", 400 * time.Millisecond, now.Add(400 * time.Millisecond)},
		{"due a blind step later", 150*time.Millisecond + watchBlindLag*watchCrowd/(watchCrowd+2), own.Add(watchBlindLag * watchCrowd / (watchCrowd + 2))},
		{"due much later", 2 * time.Second, own},
	} {
		wr := NewWatcher(WatcherConfig[int]{PollInterval: 5 * time.Second})
		if tt.other > 0 {
			wr.waiting[&watch[int]{key: "other", next: now.Add(tt.other)}] = struct{}{}
		}
		if got := wr.firstLook(own); !got.Equal(tt.want) {
			t.Errorf("%s: first look at +%v, want +%v", tt.name, got.Sub(now), tt.want.Sub(now))
		}
	}
}
