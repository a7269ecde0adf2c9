package framework

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fastTimeouts keep the waits short: the backoff starts at 500 ms capped at
// PollInterval, so a 5 ms cap makes every pause 4-6 ms.
func fastTimeouts(ready time.Duration) Timeouts {
	t := DefaultTimeouts()
	t.InstanceReady = ready
	t.PollInterval = 5 * time.Millisecond
	return t
}

func TestBackoff(t *testing.T) {
	b := DefaultBackoff(5 * time.Second)
	want := []time.Duration{500 * time.Millisecond, 750 * time.Millisecond, 1125 * time.Millisecond, 1687500 * time.Microsecond, 2531250 * time.Microsecond, 3796875 * time.Microsecond, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if got := b.Delay(i); got != w {
			t.Errorf("Delay(%d) = %v, want %v", i, got, w)
		}
	}
	if got := b.Delay(1000); got != 5*time.Second {
		t.Errorf("Delay(1000) = %v, want the cap", got)
	}
	for i := range 200 {
		d := b.Jittered(3)
		if d < time.Duration(float64(b.Delay(3))*0.8) || d > time.Duration(float64(b.Delay(3))*1.2) {
			t.Fatalf("Jittered(3) #%d = %v, outside +-20%% of %v", i, d, b.Delay(3))
		}
	}
	if got := DefaultBackoff(100 * time.Millisecond); got.Initial != 100*time.Millisecond || got.Max != 100*time.Millisecond {
		t.Errorf("initial must not exceed a small cap: %+v", got)
	}
	if got := DefaultBackoff(0); got.Max != DefaultPollInterval {
		t.Errorf("zero poll interval must fall back to the default cap, got %+v", got)
	}
}

func TestWaitReadyBecomesReady(t *testing.T) {
	var polls atomic.Int32
	poll := func(context.Context) (*Instance, error) {
		n := polls.Add(1)
		switch {
		case n < 3:
			return &Instance{ID: "1", Status: ParseStatus("initializing"), IP: IPUnassigned}, nil
		case n == 3:
			// Running but no IP yet is not ready.
			return &Instance{ID: "1", Status: ParseStatus("running"), IP: IPUnassigned}, nil
		case n == 4:
			return nil, RateLimit(0) // transient: polled through
		case n == 5:
			return nil, API(503, "unavailable") // a server error too
		default:
			return &Instance{ID: "1", Status: ParseStatus("running"), IP: mustAddr(t, "198.18.0.1")}, nil
		}
	}
	var seen []int
	inst, err := WaitReady(context.Background(), "1", poll, fastTimeouts(5*time.Second), func(attempt int, _ *Instance, _ error) {
		seen = append(seen, attempt)
	})
	if err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
	if !inst.IsReady() || polls.Load() != 6 {
		t.Errorf("got %+v after %d polls, want ready after 6", inst, polls.Load())
	}
	if len(seen) != 6 || seen[5] != 5 {
		t.Errorf("progress saw attempts %v", seen)
	}
}

func TestWaitReadyTimeout(t *testing.T) {
	poll := func(context.Context) (*Instance, error) {
		return &Instance{ID: "1", Status: ParseStatus("initializing")}, nil
	}
	start := time.Now()
	_, err := WaitReady(context.Background(), "1", poll, fastTimeouts(50*time.Millisecond), nil)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want TimeoutError", err)
	}
	if te.Elapsed < 50*time.Millisecond || time.Since(start) > 5*time.Second {
		t.Errorf("elapsed %v does not reflect the 50ms timeout", te.Elapsed)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout must wrap the deadline, got %v", err)
	}
}

func TestWaitReadyTimeoutKeepsLastError(t *testing.T) {
	poll := func(context.Context) (*Instance, error) {
		return nil, &NetworkError{Err: errors.New("connection reset")}
	}
	to := fastTimeouts(30 * time.Millisecond)
	// NetworkError asks for 1 s pauses; the wait must still end at its deadline.
	_, err := WaitReady(context.Background(), "1", poll, to, nil)
	var te *TimeoutError
	var ne *NetworkError
	if !errors.As(err, &te) || !errors.As(err, &ne) {
		t.Fatalf("err = %v, want TimeoutError wrapping the NetworkError", err)
	}
}

func TestWaitReadyStops(t *testing.T) {
	t.Run("vanished", func(t *testing.T) {
		poll := func(context.Context) (*Instance, error) { return nil, nil }
		if _, err := WaitReady(context.Background(), "7", poll, fastTimeouts(time.Second), nil); !IsNotFound(err) {
			t.Fatalf("err = %v, want NotFoundError", err)
		}
	})
	t.Run("permanent error", func(t *testing.T) {
		var n atomic.Int32
		poll := func(context.Context) (*Instance, error) { n.Add(1); return nil, Auth("hetzner", "bad") }
		var ae *AuthenticationError
		if _, err := WaitReady(context.Background(), "7", poll, fastTimeouts(time.Second), nil); !errors.As(err, &ae) || n.Load() != 1 {
			t.Fatalf("err = %v after %d polls, want AuthenticationError after 1", err, n.Load())
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var n atomic.Int32
		poll := func(context.Context) (*Instance, error) {
			if n.Add(1) == 2 {
				cancel()
			}
			return &Instance{Status: ParseStatus("initializing")}, nil
		}
		_, err := WaitReady(ctx, "7", poll, fastTimeouts(time.Minute), nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		var te *TimeoutError
		if errors.As(err, &te) {
			t.Error("a cancellation is not a timeout")
		}
	})
}

func TestGoneWatcher(t *testing.T) {
	var mu sync.Mutex
	polls := map[string]int{}
	get := func(_ context.Context, id string) (*Instance, error) {
		mu.Lock()
		defer mu.Unlock()
		polls[id]++
		switch {
		case id == "archived":
			return &Instance{Status: ParseStatus("terminated")}, nil
		case polls[id] == 1:
			return &Instance{Status: ParseStatus("running")}, nil
		case polls[id] == 2:
			return &Instance{Status: ParseStatus("deleting")}, nil
		}
		return nil, nil
	}
	w := GoneWatcher(PollEach(get), Timeouts{PollInterval: 5 * time.Millisecond}, nil)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, id := range []string{"1", "2", "archived"} {
		wg.Go(func() { errs[i] = WaitGone(context.Background(), w, id) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("wait %d: %v", i, err)
		}
	}
	if polls["1"] != 3 || polls["archived"] != 1 {
		t.Errorf("polls = %v, want 3 for a machine gone on the third look, 1 for a terminated one", polls)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	stays := GoneWatcher(PollEach(func(context.Context, string) (*Instance, error) {
		return &Instance{Status: ParseStatus("running")}, nil
	}), Timeouts{PollInterval: 5 * time.Millisecond}, nil)
	var te *TimeoutError
	if err := WaitGone(ctx, stays, "9"); !errors.As(err, &te) || !strings.Contains(te.Operation, "instance 9 to be deleted") {
		t.Errorf("a machine that stays = %v, want a TimeoutError", err)
	}
}
