package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"
)

func TestRetrySemantics(t *testing.T) {
	d := 7 * time.Second
	tests := []struct {
		name      string
		err       error
		retryable bool
		after     time.Duration
		hasAfter  bool
	}{
		{"auth", Auth("hetzner", "bad token"), false, 0, false},
		{"rate limit with hint", RateLimit(d), true, d, true},
		{"rate limit zero hint", RateLimit(0), true, 0, true},
		{"rate limit without hint", RateLimit(-1), true, 0, false},
		{"not found", NotFound("server", "42"), false, 0, false},
		{"quota", Quota("servers", "limit 10"), false, 0, false},
		{"invalid config", InvalidConfig("region", "unknown"), false, 0, false},
		{"not supported", &NotSupportedError{Feature: "snapshots"}, false, 0, false},
		{"timeout", Timeout("wait", time.Minute), true, 5 * time.Second, true},
		{"network", &NetworkError{Err: io.ErrUnexpectedEOF}, true, time.Second, true},
		{"api", API(500, "boom"), false, 0, false},
		{"not implemented", &NotImplementedError{Name: "aws"}, false, 0, false},
		{"unknown provider", &UnknownProviderError{Name: "x"}, false, 0, false},
		{"other", &OtherError{Message: "x"}, false, 0, false},
		{"wrapped rate limit", fmt.Errorf("create: %w", RateLimit(d)), true, d, true},
		{"plain error", errors.New("plain"), false, 0, false},
		{"nil", nil, false, 0, false},
		{"context canceled", context.Canceled, false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsRetryable(tt.err); got != tt.retryable {
				t.Errorf("IsRetryable = %v, want %v", got, tt.retryable)
			}
			after, ok := RetryAfter(tt.err)
			if ok != tt.hasAfter || after != tt.after {
				t.Errorf("RetryAfter = (%v, %v), want (%v, %v)", after, ok, tt.after, tt.hasAfter)
			}
		})
	}
}

func TestErrorsAs(t *testing.T) {
	err := fmt.Errorf("read: %w", NotFound("server", "42"))
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatal("errors.As did not find *NotFoundError")
	}
	if nf.ResourceType != "server" || nf.ID != "42" {
		t.Errorf("got %+v", nf)
	}
	if !IsNotFound(err) || IsNotFound(API(404, "x")) {
		t.Error("IsNotFound must match only NotFoundError")
	}

	var ic *InvalidConfigError
	if !errors.As(InvalidConfig("image.ubuntu", "bad"), &ic) || ic.Field != "image.ubuntu" {
		t.Errorf("InvalidConfig field lost: %+v", ic)
	}

	cause := errors.New("deadline")
	inc := &IncompleteError{ResourceType: "snapshot", ID: "9", Err: &TimeoutError{Operation: "snap", Err: cause}}
	var te *TimeoutError
	if !errors.As(inc, &te) || !errors.Is(inc, cause) {
		t.Error("IncompleteError must unwrap to its cause")
	}
	var got *IncompleteError
	if !errors.As(fmt.Errorf("x: %w", inc), &got) || got.ID != "9" {
		t.Error("IncompleteError must be found through wrapping")
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{Auth("hetzner", "unable to authenticate"), "authentication failed for hetzner: unable to authenticate"},
		{RateLimit(3 * time.Second), "rate limit exceeded, retry after 3s"},
		{RateLimit(-1), "rate limit exceeded"},
		{NotFound("server", "42"), `server "42" not found`},
		{Quota("servers", "limit reached"), "quota exceeded for servers: limit reached"},
		{InvalidConfig("region", "unknown location"), "invalid region: unknown location"},
		{&NotSupportedError{Feature: "snapshots"}, "snapshots is not supported by this provider"},
		{Timeout("waiting", 1500*time.Millisecond), "waiting timed out after 1.5s"},
		{API(503, "unavailable"), "API error (HTTP 503): unavailable"},
		{API(0, "action create_image failed"), "API error: action create_image failed"},
		{&NotImplementedError{Name: "aws"}, `provider "aws" is not implemented yet`},
		{&UnknownProviderError{Name: "gcp", Supported: []string{"aws", "hetzner"}}, `unknown provider "gcp"; supported: aws, hetzner`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// A call's error is the cloud's mapping of it, unless the caller's context
// ended, whose own error then says what happened.
func TestFail(t *testing.T) {
	mapped := errors.New("mapped")
	mapErr := func(error) error { return mapped }
	if err := Fail(context.Background(), errors.New("sdk"), mapErr); !errors.Is(err, mapped) {
		t.Errorf("Fail = %v, want the mapping", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Fail(ctx, errors.New("sdk: context canceled"), mapErr); !errors.Is(err, context.Canceled) {
		t.Errorf("Fail after cancel = %v, want context.Canceled", err)
	}
}
