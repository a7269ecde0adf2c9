package framework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"time"
)

// RetryPolicy is the one retry policy every cloud call goes through (see
// WithRetry). Clouds turn their SDK's own retries off, so that retries are
// neither doubled nor different per cloud.
type RetryPolicy struct {
	// MaxAttempts bounds the attempts of one call, the first included.
	MaxAttempts int
	// Backoff spaces the attempts; a server's retry hint wins when longer.
	Backoff Backoff
	// MaxHint caps a server's retry hint, so a far-off reset does not stall
	// a call that another attempt might pass sooner.
	MaxHint time.Duration
}

// DefaultRetryPolicy retries up to 8 times over about half a minute: 250 ms
// doubling to a 8 s cap, +-20% jitter, hints capped at 30 s. The context
// (the Terraform operation's timeout) bounds it further.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts: 8,
		Backoff:     Backoff{Initial: 250 * time.Millisecond, Multiplier: 2, Max: 8 * time.Second, Jitter: 0.2},
		MaxHint:     30 * time.Second,
	}
}

// IsTransient reports whether another attempt may succeed: the spec's
// retryable kinds (RateLimit, Timeout, Network), plus the API's server
// errors (500, 502, 503, 504), which the spec leaves to the caller through
// APIError's status.
func IsTransient(err error) bool {
	if IsRetryable(err) {
		return true
	}
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.Status {
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
	}
	return false
}

// IsAmbiguous reports whether a failed call may nevertheless have taken
// effect: the answer was lost (Network, Timeout) or the server failed while
// handling it (5xx). A rate limit is refused before anything happens.
func IsAmbiguous(err error) bool {
	var rl *RateLimitError
	return IsTransient(err) && !errors.As(err, &rl)
}

// delay is the pause before attempt+1: the backoff, or the error's hint
// when longer (capped at MaxHint).
func (p RetryPolicy) delay(attempt int, err error) time.Duration {
	d := p.Backoff.Jittered(attempt)
	if hint, ok := RetryAfter(err); ok {
		hint = min(hint, p.MaxHint)
		d = max(d, hint)
	}
	return d
}

// sleep pauses for d unless ctx ends first, or would end before the pause
// does (no point waiting for an attempt that cannot be made).
func sleep(ctx context.Context, d time.Duration) bool {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Do runs op until it succeeds, fails with an error that is not transient,
// the attempts are spent, or ctx ends; it returns op's last error.
// onRetry, when set, is told of each retry before its pause.
func (p RetryPolicy) Do(ctx context.Context, op func(ctx context.Context) error, onRetry func(attempt int, err error, delay time.Duration)) error {
	for attempt := 0; ; attempt++ {
		err := op(ctx)
		if err == nil || !IsTransient(err) || ctx.Err() != nil || attempt+1 >= p.MaxAttempts {
			return err
		}
		d := p.delay(attempt, err)
		if onRetry != nil {
			onRetry(attempt, err, d)
		}
		if !sleep(ctx, d) {
			return err
		}
	}
}

// RequestIDKey labels every resource spuff creates with a one-off token of
// the create call, so that a create whose answer was lost can be recognised
// and adopted instead of being created twice. UserLabels hides it.
const RequestIDKey = "spuff-request-id"

// ReservedLabelKeys are the labels the provider owns; users cannot set them.
var ReservedLabelKeys = []string{ManagedByKey, RequestIDKey}

// newRequestID returns a random token valid as a label value on every cloud.
func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
