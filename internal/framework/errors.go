package framework

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ProviderError is implemented by every error kind of the spec. Use
// errors.As with the concrete type (e.g. *NotFoundError) to branch on a kind,
// and IsRetryable / RetryAfter to decide on a retry.
type ProviderError interface {
	error
	// Retryable reports whether the operation may succeed if tried again.
	Retryable() bool
	// RetryAfter is how long to wait before retrying, when the kind says.
	RetryAfter() (time.Duration, bool)
}

// notRetryable is embedded by the kinds the spec never retries.
type notRetryable struct{}

func (notRetryable) Retryable() bool                   { return false }
func (notRetryable) RetryAfter() (time.Duration, bool) { return 0, false }

// AuthenticationError means the token is invalid or expired.
type AuthenticationError struct {
	notRetryable
	Provider string
	Message  string
}

func (e *AuthenticationError) Error() string {
	return fmt.Sprintf("authentication failed for %s: %s", e.Provider, e.Message)
}

// RateLimitError means the cloud refused the call for rate limiting. Retry
// after RetryAfterHint when it is set.
type RateLimitError struct {
	// RetryAfterHint is the server's retry delay; nil when it gave none.
	RetryAfterHint *time.Duration
}

func (e *RateLimitError) Error() string {
	if e.RetryAfterHint != nil {
		return fmt.Sprintf("rate limit exceeded, retry after %s", *e.RetryAfterHint)
	}
	return "rate limit exceeded"
}

// Retryable is true: rate limits pass.
func (e *RateLimitError) Retryable() bool { return true }

// RetryAfter returns the server's hint, if any.
func (e *RateLimitError) RetryAfter() (time.Duration, bool) {
	if e.RetryAfterHint == nil {
		return 0, false
	}
	return *e.RetryAfterHint, true
}

// NotFoundError means the resource does not exist.
type NotFoundError struct {
	notRetryable
	ResourceType string
	ID           string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %q not found", e.ResourceType, e.ID)
}

// QuotaExceededError means an account limit was reached (e.g. max servers).
type QuotaExceededError struct {
	notRetryable
	Resource string
	Message  string
}

func (e *QuotaExceededError) Error() string {
	return fmt.Sprintf("quota exceeded for %s: %s", e.Resource, e.Message)
}

// InvalidConfigError means a field of the request or configuration is invalid.
// Field names the attribute, e.g. "region" or "image.ubuntu".
type InvalidConfigError struct {
	notRetryable
	Field   string
	Message string
}

func (e *InvalidConfigError) Error() string {
	return fmt.Sprintf("invalid %s: %s", e.Field, e.Message)
}

// NotSupportedError means the cloud does not support the feature.
type NotSupportedError struct {
	notRetryable
	Feature string
}

func (e *NotSupportedError) Error() string {
	return fmt.Sprintf("%s is not supported by this provider", e.Feature)
}

// TimeoutError means an operation did not finish in time. Err, when set, is the
// cause (e.g. context.DeadlineExceeded or the last poll's error).
type TimeoutError struct {
	Operation string
	Elapsed   time.Duration
	Err       error
}

func (e *TimeoutError) Error() string {
	msg := fmt.Sprintf("%s timed out after %s", e.Operation, e.Elapsed.Round(time.Millisecond))
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// Retryable is true, per the spec.
func (e *TimeoutError) Retryable() bool { return true }

// RetryAfter is 5 s, per the spec.
func (e *TimeoutError) RetryAfter() (time.Duration, bool) { return 5 * time.Second, true }

// NetworkError means the request got no HTTP answer (connection refused or
// dropped, DNS, TLS). Err is the transport's error.
type NetworkError struct {
	Err error
}

func (e *NetworkError) Error() string { return "network error: " + e.Err.Error() }
func (e *NetworkError) Unwrap() error { return e.Err }

// Retryable is true, per the spec.
func (e *NetworkError) Retryable() bool { return true }

// RetryAfter is 1 s, per the spec.
func (e *NetworkError) RetryAfter() (time.Duration, bool) { return time.Second, true }

// APIError is any other error answer of the cloud's API.
type APIError struct {
	notRetryable
	Status  int
	Message string
}

// Error omits the status when there is none, as for a failed cloud action.
func (e *APIError) Error() string {
	if e.Status == 0 {
		return "API error: " + e.Message
	}
	return fmt.Sprintf("API error (HTTP %d): %s", e.Status, e.Message)
}

// NotImplementedError means the cloud is known but not implemented yet.
type NotImplementedError struct {
	notRetryable
	Name string
}

func (e *NotImplementedError) Error() string {
	return fmt.Sprintf("provider %q is not implemented yet", e.Name)
}

// UnknownProviderError means no cloud of that name is registered.
type UnknownProviderError struct {
	notRetryable
	Name      string
	Supported []string
}

func (e *UnknownProviderError) Error() string {
	return fmt.Sprintf("unknown provider %q; supported: %s", e.Name, strings.Join(e.Supported, ", "))
}

// OtherError is anything else.
type OtherError struct {
	notRetryable
	Message string
}

func (e *OtherError) Error() string { return e.Message }

// IncompleteError means a resource was created but the wait for it to
// complete failed. ID names the resource so that callers can record it instead of
// losing it; Err is why the wait failed.
type IncompleteError struct {
	ResourceType string
	ID           string
	Err          error
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("%s %s was created but did not complete: %v", e.ResourceType, e.ID, e.Err)
}

func (e *IncompleteError) Unwrap() error { return e.Err }

// The spec's helper constructors.

// Auth returns an AuthenticationError.
func Auth(provider, message string) error {
	return &AuthenticationError{Provider: provider, Message: message}
}

// NotFound returns a NotFoundError.
func NotFound(resourceType, id string) error {
	return &NotFoundError{ResourceType: resourceType, ID: id}
}

// API returns an APIError.
func API(status int, message string) error { return &APIError{Status: status, Message: message} }

// Timeout returns a TimeoutError.
func Timeout(operation string, elapsed time.Duration) error {
	return &TimeoutError{Operation: operation, Elapsed: elapsed}
}

// Quota returns a QuotaExceededError.
func Quota(resource, message string) error {
	return &QuotaExceededError{Resource: resource, Message: message}
}

// InvalidConfig returns an InvalidConfigError.
func InvalidConfig(field, message string) error {
	return &InvalidConfigError{Field: field, Message: message}
}

// RateLimit returns a RateLimitError; a negative retryAfter means no hint.
func RateLimit(retryAfter time.Duration) error {
	if retryAfter < 0 {
		return &RateLimitError{}
	}
	return &RateLimitError{RetryAfterHint: &retryAfter}
}

// IsRetryable reports whether err, or an error it wraps, is a ProviderError
// the spec calls retryable: RateLimit, Timeout or Network.
func IsRetryable(err error) bool {
	var pe ProviderError
	return errors.As(err, &pe) && pe.Retryable()
}

// RetryAfter returns the retry delay of the first ProviderError in err's
// chain, as the spec defines it per kind.
func RetryAfter(err error) (time.Duration, bool) {
	var pe ProviderError
	if !errors.As(err, &pe) {
		return 0, false
	}
	return pe.RetryAfter()
}

// IsNotFound reports whether err is or wraps a NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// NotManagedError is the refusal to change or delete what does not carry
// managed-by=spuff: the provider only touches what it created.
type NotManagedError struct {
	notRetryable
	ResourceType string
	ID           string
}

func (e *NotManagedError) Error() string {
	return fmt.Sprintf("the %s %s does not carry the label %s=%s, so the provider refuses to change or delete it",
		e.ResourceType, e.ID, ManagedByKey, ManagedByValue)
}

// NotManaged returns a NotManagedError.
func NotManaged(resourceType, id string) error {
	return &NotManagedError{ResourceType: resourceType, ID: id}
}

// NameTakenError means a machine of that name exists that this create did
// not make: the caller should adopt it explicitly (import), delete it, or
// choose another name.
type NameTakenError struct {
	notRetryable
	Name string
	ID   string
}

func (e *NameTakenError) Error() string {
	return fmt.Sprintf("an instance named %q already exists (ID %s) and was not created by this operation", e.Name, e.ID)
}

// Subject says what a failed cloud call was about, so that a cloud's error
// mapping can name the resource of a not-found and the attribute of a
// refused value. The zero value means "unknown".
type Subject struct {
	Type  string // "instance", "snapshot", ...
	ID    string // the framework ID
	Field string // spuff's attribute a refused value is about; "" lets the cloud's message decide
}

// Fail maps a cloud call's error with mapErr, except that when ctx has
// ended the context's own error is returned: the SDK's error then only
// restates it.
func Fail(ctx context.Context, err error, mapErr func(error) error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return mapErr(err)
}
