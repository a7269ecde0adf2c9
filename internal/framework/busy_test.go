package framework

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWhileBusy(t *testing.T) {
	b := Backoff{Initial: time.Millisecond, Multiplier: 1, Max: time.Millisecond}
	calls := 0
	err := WhileBusy(context.Background(), b, func(context.Context) error {
		calls++
		if calls < 3 {
			return Busy("instance", "1", "locked")
		}
		return nil
	}, nil)
	if err != nil || calls != 3 {
		t.Fatalf("WhileBusy = %v after %d calls, want nil after 3", err, calls)
	}

	other := API(500, "boom")
	if err := WhileBusy(context.Background(), b, func(context.Context) error { return other }, nil); !errors.Is(err, other) {
		t.Errorf("a non-busy error = %v, want it returned at once", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err = WhileBusy(ctx, b, func(context.Context) error { return Busy("snapshot", "2", "") }, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("busy past the deadline = %v, want the context's error", err)
	}
	if IsRetryable(Busy("x", "", "")) {
		t.Error("a BusyError is retryable by the policy; WhileBusy is its retry")
	}
}
