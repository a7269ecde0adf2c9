package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Transport-error classification that every cloud's error edge calls: the
// parts of an SDK error that are about HTTP and the network, not the cloud.

// RetryAfterHeader reads a Retry-After header: delay-seconds or an HTTP
// date (RFC 9110, section 10.2.3). ok is false when h says nothing usable.
func RetryAfterHeader(h http.Header, now time.Time) (d time.Duration, ok bool) {
	if h == nil {
		return 0, false
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// HasSentinel reports whether target itself (not an error that merely
// matches it with errors.Is) is in err's chain.
func HasSentinel(err, target error) bool {
	for err != nil {
		if err == target { //nolint:errorlint // identity is the point
			return true
		}
		if multi, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range multi.Unwrap() {
				if HasSentinel(e, target) {
					return true
				}
			}
			return false
		}
		err = errors.Unwrap(err)
	}
	return false
}

// IsNetworkError reports errors where no HTTP answer was received.
func IsNetworkError(err error) bool {
	var urlErr *url.Error
	var netErr net.Error
	return errors.As(err, &urlErr) ||
		errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED)
}

// ConnectFailure returns a ConnectError when err says that no connection
// to api (e.g. "the Hetzner API") could be made, so that no request was
// sent: the dial was refused, the host name does not exist, or the host or
// network is unreachable. The retry policy gives such calls a short budget:
// they almost always mean a wrong endpoint. Anything else on the wire, a
// dial timeout or a temporary DNS failure included, returns nil and keeps
// the ordinary retries (a timed-out dial is more often a slow network).
func ConnectFailure(err error, api string) *ConnectError {
	var op *net.OpError
	if !errors.As(err, &op) || (op.Op != "dial" && op.Op != "proxyconnect") {
		return nil
	}
	var reason string
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		if !dnsErr.IsNotFound {
			return nil
		}
		reason = "no such host"
	case errors.Is(err, syscall.ECONNREFUSED):
		reason = "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH):
		reason = "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		reason = "network unreachable"
	default:
		return nil
	}
	if op.Op == "proxyconnect" {
		reason += " by the HTTP proxy"
	}
	return &ConnectError{API: api, Endpoint: endpointOf(err, op, dnsErr), Err: errors.New(reason)}
}

// endpointOf names the host:port a failed dial was for: the request URL's
// host (what the user configured), else the dialled address.
func endpointOf(err error, op *net.OpError, dnsErr *net.DNSError) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if u, perr := url.Parse(urlErr.URL); perr == nil && u.Host != "" {
			if u.Port() != "" {
				return u.Host
			}
			port := "443"
			if u.Scheme == "http" {
				port = "80"
			}
			return net.JoinHostPort(u.Hostname(), port)
		}
	}
	if op.Addr != nil {
		return op.Addr.String()
	}
	if dnsErr != nil && dnsErr.Name != "" {
		return dnsErr.Name
	}
	return "the configured endpoint"
}

// StripURL drops the request URL the HTTP client puts in its errors (it
// would carry the endpoint and query into the user's output) and keeps the
// method and the transport's cause.
func StripURL(err error, api string) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return fmt.Errorf("%s request to %s failed: %w", urlErr.Op, api, urlErr.Err)
	}
	return err
}

// TransportError classifies an error that carries no answer of the cloud's
// API: a context's own deadline passes through as context.DeadlineExceeded
// (identity, not errors.Is: the HTTP client's timeout also matches
// DeadlineExceeded, and that one is a network error), a failed connection
// becomes a NetworkError wrapping a ConnectError, any other transport
// failure a NetworkError without the request URL. It returns nil for
// anything else, which the cloud's edge then maps itself.
func TransportError(err error, api string) error {
	switch {
	case err == nil:
		return nil
	case HasSentinel(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	case !IsNetworkError(err):
		return nil
	}
	if ce := ConnectFailure(err, api); ce != nil {
		return &NetworkError{Err: ce}
	}
	return &NetworkError{Err: StripURL(err, api)}
}
