package framework

import (
	"context"
	"errors"
	"time"
)

// FetchPage fetches page number page (1 first) of a list: its items and
// the number of the next page, 0 after the last.
type FetchPage[T any] func(ctx context.Context, page int) (items []T, next int, err error)

// AllPages walks every page of a list, retrying each page on its own under
// policy. An SDK's walk-all helpers typically restart nothing: one failed
// page fails the whole list, and a list of 200 pages would then rarely
// survive a flaky network however often it were retried as a whole.
//
// An error it returns has had its retries (see Retried): WithRetry's
// decorator, and any RetryPolicy, do not retry it again, so a cloud that
// lists through AllPages is not retried twice, while one that lists some
// other way is retried as a whole. onRetry, when set, hears of each page
// retry (for logging).
func AllPages[T any](ctx context.Context, policy RetryPolicy, fetch FetchPage[T], onRetry func(page, attempt int, err error, delay time.Duration)) ([]T, error) {
	var out []T
	for page := 1; page != 0; {
		var items []T
		var next int
		err := policy.Do(ctx, func(ctx context.Context) error {
			got, n, err := fetch(ctx, page)
			if err == nil {
				items, next = got, n
			}
			return err
		}, func(attempt int, err error, delay time.Duration) {
			if onRetry != nil {
				onRetry(page, attempt, err, delay)
			}
		})
		if err != nil {
			return nil, Retried(err)
		}
		out = append(out, items...)
		page = next
	}
	return out, nil
}

// Retried marks err as having had its retries already (a page walk
// retries each page): a RetryPolicy does not retry it again, because the
// attempts would multiply. The mark keeps err's kind: errors.As and
// errors.Is see through it, and its message is err's. A nil err stays nil;
// a context's error is returned unmarked.
func Retried(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || HasSentinel(err, context.DeadlineExceeded) || isRetried(err) {
		return err
	}
	return &retriedError{err: err}
}

type retriedError struct{ err error }

func (e *retriedError) Error() string { return e.err.Error() }
func (e *retriedError) Unwrap() error { return e.err }

func isRetried(err error) bool {
	var r *retriedError
	return errors.As(err, &r)
}
