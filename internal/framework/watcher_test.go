package framework

import (
	"context"
	"errors"
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
