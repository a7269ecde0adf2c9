package framework

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestTransportError(t *testing.T) {
	refused := &url.Error{Op: "Get", URL: "http://127.0.0.1:1/v1/servers?token=x", Err: &net.OpError{
		Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED},
	}}
	err := TransportError(refused, "the Example API")
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Endpoint != "127.0.0.1:1" || ce.API != "the Example API" || !IsRetryable(err) {
		t.Errorf("refused = %#v, want a retryable NetworkError wrapping a ConnectError for 127.0.0.1:1", err)
	}

	reset := &url.Error{Op: "Post", URL: "https://api.example.com/v1/servers?secret=1", Err: syscall.ECONNRESET}
	err = TransportError(reset, "the Example API")
	var ne *NetworkError
	if !errors.As(err, &ne) || IsConnectFailure(err) || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "Post request to the Example API failed") {
		t.Errorf("reset = %v, want a NetworkError without the URL", err)
	}

	if err := TransportError(fmt.Errorf("wrapped: %w", context.DeadlineExceeded), "x"); err != context.DeadlineExceeded { //nolint:errorlint // identity
		t.Errorf("the context's deadline = %v, want it as is", err)
	}
	if err := TransportError(errors.New("something else"), "x"); err != nil {
		t.Errorf("a non-transport error = %v, want nil", err)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"7", 7 * time.Second, true}, {"-1", 0, false}, {"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	} {
		h := http.Header{}
		if c.v != "" {
			h.Set("Retry-After", c.v)
		}
		if got, ok := RetryAfterHeader(h, now); got != c.want || ok != c.ok {
			t.Errorf("Retry-After %q = %s, %v; want %s, %v", c.v, got, ok, c.want, c.ok)
		}
	}
}
