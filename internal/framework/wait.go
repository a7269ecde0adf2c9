package framework

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Backoff is a capped exponential backoff with jitter.
//
// Why these defaults: machines usually turn ready within 5-60 s. Starting at
// 500 ms and growing by 1.5x keeps the early polls dense, so a fast machine is
// seen within a fraction of a second, while the cap (the provider's
// PollInterval) bounds both the lag on a slow machine and the request rate.
// Jitter of +-20% keeps many concurrent waits from polling in lockstep.
type Backoff struct {
	Initial    time.Duration
	Multiplier float64
	Max        time.Duration
	// Jitter is the fraction (0..1) by which each delay is randomly varied.
	Jitter float64
}

// DefaultBackoff returns the backoff the waits use, capped at pollInterval.
func DefaultBackoff(pollInterval time.Duration) Backoff {
	b := Backoff{Initial: 500 * time.Millisecond, Multiplier: 1.5, Max: pollInterval, Jitter: 0.2}
	if b.Max <= 0 {
		b.Max = DefaultPollInterval
	}
	if b.Initial > b.Max {
		b.Initial = b.Max
	}
	return b
}

// Delay returns the pause before poll number attempt (0-based), without jitter.
func (b Backoff) Delay(attempt int) time.Duration {
	d := float64(b.Initial)
	for i := 0; i < attempt && d < float64(b.Max); i++ {
		d *= b.Multiplier
	}
	return min(time.Duration(d), b.Max)
}

// Jittered returns Delay(attempt) varied by up to +-Jitter.
func (b Backoff) Jittered(attempt int) time.Duration {
	d := b.Delay(attempt)
	if b.Jitter <= 0 {
		return d
	}
	f := 1 + b.Jitter*(2*rand.Float64()-1)
	return time.Duration(float64(d) * f)
}

// PollFunc is one poll of an instance: its current state, or nil when it
// does not exist.
type PollFunc func(ctx context.Context) (*Instance, error)

// Progress is told of each instance poll's outcome, when set (for logging).
type Progress func(attempt int, inst *Instance, err error)

// WaitOptions configure WaitFor for a T (an instance, or a cloud's own
// type such as an image).
type WaitOptions[T any] struct {
	// Operation names the wait in errors, e.g. "wait for server 42 to be ready".
	Operation string
	// Timeout bounds the wait on top of ctx; 0 means ctx alone.
	Timeout time.Duration
	Backoff Backoff
	// Progress, when set, is told of each poll's outcome (for logging).
	Progress func(attempt int, v *T, err error)
}

// WaitReady polls until the instance is ready (Active with an IP), bounded by
// timeout and ctx. Transient errors (see IsTransient) are polled through,
// honouring their RetryAfter; any other error ends the wait. A machine that
// vanishes ends it with a NotFoundError.
func WaitReady(ctx context.Context, id string, poll PollFunc, t Timeouts, progress Progress) (*Instance, error) {
	return WaitFor(ctx, poll, func(inst *Instance) (bool, error) {
		if inst == nil {
			return false, NotFound("instance", id)
		}
		return inst.IsReady(), nil
	}, WaitOptions[Instance]{
		Operation: "waiting for instance " + id + " to be ready",
		Timeout:   t.InstanceReady,
		Backoff:   DefaultBackoff(t.PollInterval),
		Progress:  progress,
	})
}

// WaitFor polls until done reports true or an error, the context ends, or
// the timeout passes. A timeout or a context deadline becomes a TimeoutError
// wrapping the last poll error, if any; a cancellation returns ctx.Err().
func WaitFor[T any](ctx context.Context, poll func(context.Context) (*T, error), done func(*T) (bool, error), opts WaitOptions[T]) (*T, error) {
	start := time.Now()
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	var lastErr error
	for attempt := 0; ; attempt++ {
		v, err := poll(ctx)
		if opts.Progress != nil {
			opts.Progress(attempt, v, err)
		}
		delay := opts.Backoff.Jittered(attempt)
		switch {
		case err == nil:
			lastErr = nil
			ok, derr := done(v)
			if derr != nil {
				return v, derr
			}
			if ok {
				return v, nil
			}
		case ctx.Err() != nil:
			// The poll failed because the wait itself ended.
		case IsTransient(err):
			// A poll is a read: any transient failure, 5xx included, is
			// worth polling through.
			lastErr = err
			if after, ok := RetryAfter(err); ok && after > delay {
				delay = after
			}
		default:
			return nil, err
		}

		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				cause := lastErr
				if cause == nil {
					cause = ctx.Err()
				}
				return nil, &TimeoutError{Operation: opts.Operation, Elapsed: time.Since(start), Err: cause}
			}
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}
