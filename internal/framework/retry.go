package framework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
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

	// ConnectAttempts bounds the attempts of a call whose connection
	// attempts fail (see ConnectError), the first included; 0 means
	// DefaultConnectAttempts. An endpoint that refuses connections is almost
	// always a wrong endpoint, not a passing fault, so the call gives up
	// after a few seconds instead of at the operation's timeout.
	ConnectAttempts int
	// ConnectBudget bounds the time from a call's first failed connection
	// to its last attempt; 0 means DefaultConnectBudget.
	ConnectBudget time.Duration
}

// The short budget for calls that cannot connect: 3 attempts, 1 s apart
// (NetworkError's hint), within 5 s. A call against a closed port fails
// after about 2 s.
const (
	DefaultConnectAttempts = 3
	DefaultConnectBudget   = 5 * time.Second
)

// DefaultRetryPolicy retries up to 8 times over about half a minute: 250 ms
// doubling to a 8 s cap, +-20% jitter, hints capped at 30 s. The context
// (the Terraform operation's timeout) bounds it further. A call that cannot
// connect at all gets 3 attempts within 5 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:     8,
		Backoff:         Backoff{Initial: 250 * time.Millisecond, Multiplier: 2, Max: 8 * time.Second, Jitter: 0.2},
		MaxHint:         30 * time.Second,
		ConnectAttempts: DefaultConnectAttempts,
		ConnectBudget:   DefaultConnectBudget,
	}
}

// ConnectError means no connection to Endpoint could be made (it was
// refused, the host is unknown, or unreachable), so no request was sent.
// Clouds return it wrapped in a NetworkError, so it is retryable and
// reported as a network error; the policy gives it a short budget
// (ConnectAttempts, ConnectBudget), and a create that failed this way is
// known not to have happened (it is not ambiguous).
type ConnectError struct {
	// API names what was called, e.g. "the Hetzner API".
	API string
	// Endpoint is the host:port that could not be reached.
	Endpoint string
	// Err is the transport's reason, e.g. "connection refused".
	Err error
}

func (e *ConnectError) Error() string {
	api := e.API
	if api == "" {
		api = "the API"
	}
	return fmt.Sprintf("cannot connect to %s at %s (%v), no request was sent: check the provider's endpoint setting (or SPUFF_ENDPOINT)", api, e.Endpoint, e.Err)
}

func (e *ConnectError) Unwrap() error { return e.Err }

// IsConnectFailure reports whether err is or wraps a ConnectError.
func IsConnectFailure(err error) bool {
	var ce *ConnectError
	return errors.As(err, &ce)
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
// handling it (5xx). A rate limit is refused before anything happens, and a
// failed connection (ConnectError) sent nothing.
func IsAmbiguous(err error) bool {
	var rl *RateLimitError
	return IsTransient(err) && !errors.As(err, &rl) && !IsConnectFailure(err)
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

func (p RetryPolicy) connectAttempts() int {
	if p.ConnectAttempts > 0 {
		return p.ConnectAttempts
	}
	return DefaultConnectAttempts
}

func (p RetryPolicy) connectBudget() time.Duration {
	if p.ConnectBudget > 0 {
		return p.ConnectBudget
	}
	return DefaultConnectBudget
}

// tries follows the attempts of one call under a policy.
type tries struct {
	p            RetryPolicy
	connectFails int
	firstConnect time.Time
}

// again reports whether another attempt may follow the failed attempt
// (0-based) that returned err, and the pause before it. An error already
// retried below (see Retried) is not retried again. Failed connections
// count against the short connect budget as well as against MaxAttempts.
func (t *tries) again(attempt int, err error) (time.Duration, bool) {
	if !IsTransient(err) || isRetried(err) || attempt+1 >= t.p.MaxAttempts {
		return 0, false
	}
	d := t.p.delay(attempt, err)
	if IsConnectFailure(err) {
		now := time.Now()
		if t.connectFails == 0 {
			t.firstConnect = now
		}
		t.connectFails++
		if t.connectFails >= t.p.connectAttempts() || now.Add(d).Sub(t.firstConnect) > t.p.connectBudget() {
			return 0, false
		}
	}
	return d, true
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
// the attempts (or, for failed connections, the connect budget) are spent,
// or ctx ends; it returns op's last error. onRetry, when set, is told of
// each retry before its pause.
func (p RetryPolicy) Do(ctx context.Context, op func(ctx context.Context) error, onRetry func(attempt int, err error, delay time.Duration)) error {
	t := tries{p: p}
	for attempt := 0; ; attempt++ {
		err := op(ctx)
		if err == nil || ctx.Err() != nil {
			return err
		}
		d, ok := t.again(attempt, err)
		if !ok {
			return err
		}
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
