package framework

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// BusyError means the resource has another action running (a snapshot
// being taken, a resize) and refuses this one until that ends: Hetzner's
// 423 locked, DigitalOcean's 422 while an action runs. The call is refused
// before anything happens, so it is safe to repeat; how long to wait is the
// caller's bound (WhileBusy), not the retry policy's few attempts.
type BusyError struct {
	notRetryable
	ResourceType string
	ID           string
	Message      string
}

func (e *BusyError) Error() string {
	what := e.ResourceType
	if e.ID != "" {
		what += " " + e.ID
	}
	if what == "" {
		what = "the resource"
	}
	msg := fmt.Sprintf("%s is busy with another action", what)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Busy returns a BusyError.
func Busy(resourceType, id, message string) error {
	return &BusyError{ResourceType: resourceType, ID: id, Message: message}
}

// IsBusy reports whether err is or wraps a BusyError.
func IsBusy(err error) bool {
	var b *BusyError
	return errors.As(err, &b)
}

// WhileBusy runs op again, spaced by b, while it fails with a BusyError:
// the action holding the resource will end, and the call is then accepted.
// ctx bounds the wait (typically the resource's delete or update timeout);
// when it ends, ctx's error is returned. onBusy, when set, hears of each
// refusal (for logging). Any other outcome of op is returned as is.
func WhileBusy(ctx context.Context, b Backoff, op func(ctx context.Context) error, onBusy func(attempt int, err error)) error {
	for attempt := 0; ; attempt++ {
		err := op(ctx)
		if err == nil || !IsBusy(err) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if onBusy != nil {
			onBusy(attempt, err)
		}
		if !pause(ctx, b.Jittered(attempt)) {
			return ctx.Err()
		}
	}
}

// pause waits d, or until ctx ends (false).
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
