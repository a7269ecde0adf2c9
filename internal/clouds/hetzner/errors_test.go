package hetzner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

func invalidInput(fields ...hcloud.ErrorDetailsInvalidInputField) hcloud.Error {
	return hcloud.Error{
		Code:    hcloud.ErrorCodeInvalidInput,
		Message: "invalid input",
		Details: hcloud.ErrorDetailsInvalidInput{Fields: fields},
	}
}

func field(name string, msgs ...string) hcloud.ErrorDetailsInvalidInputField {
	return hcloud.ErrorDetailsInvalidInputField{Name: name, Messages: msgs}
}

// check inspects a mapped error; it reports what is wrong, or "".
type check func(err error) string

func isInvalid(fieldName string, fragments ...string) check {
	return func(err error) string {
		var e *framework.InvalidConfigError
		if !errors.As(err, &e) || e.Field != fieldName {
			return "want InvalidConfigError on " + fieldName
		}
		return missing(e.Message, fragments)
	}
}

func isAPI(status int, fragments ...string) check {
	return func(err error) string {
		var e *framework.APIError
		if !errors.As(err, &e) || e.Status != status {
			return fmt.Sprintf("want APIError with status %d", status)
		}
		return missing(e.Message, fragments)
	}
}

func isBusy(resourceType, id string, fragments ...string) check {
	return func(err error) string {
		var e *framework.BusyError
		if !errors.As(err, &e) || e.ResourceType != resourceType || e.ID != id {
			return fmt.Sprintf("want BusyError for %s %s", resourceType, id)
		}
		return missing(e.Message, fragments)
	}
}

func isAuth(fragments ...string) check {
	return func(err error) string {
		var e *framework.AuthenticationError
		if !errors.As(err, &e) || e.Provider != "hetzner" {
			return "want AuthenticationError for hetzner"
		}
		return missing(e.Message, fragments)
	}
}

func isRateLimit(hint time.Duration, hasHint bool) check {
	return func(err error) string {
		var e *framework.RateLimitError
		if !errors.As(err, &e) {
			return "want RateLimitError"
		}
		got, ok := e.RetryAfter()
		if ok != hasHint || got != hint {
			return fmt.Sprintf("RetryAfter = (%v, %v), want (%v, %v)", got, ok, hint, hasHint)
		}
		return ""
	}
}

func isNotFound(typ, id string) check {
	return func(err error) string {
		var e *framework.NotFoundError
		if !errors.As(err, &e) || e.ResourceType != typ || e.ID != id {
			return fmt.Sprintf("want NotFoundError(%s, %s)", typ, id)
		}
		return ""
	}
}

func isQuota(resource string, fragments ...string) check {
	return func(err error) string {
		var e *framework.QuotaExceededError
		if !errors.As(err, &e) || e.Resource != resource {
			return "want QuotaExceededError for " + resource
		}
		return missing(e.Message, fragments)
	}
}

func isNetwork() check {
	return func(err error) string {
		var e *framework.NetworkError
		if !errors.As(err, &e) {
			return "want NetworkError"
		}
		if strings.Contains(err.Error(), "http://") || strings.Contains(err.Error(), "?") {
			return "message leaks the request URL"
		}
		return ""
	}
}

// isConnect wants a NetworkError wrapping a ConnectError for endpoint:
// nothing was sent, the message names the endpoint and the setting.
func isConnect(endpoint string, fragments ...string) check {
	return func(err error) string {
		if problem := isNetwork()(err); problem != "" {
			return problem
		}
		var ce *framework.ConnectError
		if !errors.As(err, &ce) || ce.Endpoint != endpoint {
			return "want a ConnectError for " + endpoint
		}
		if framework.IsAmbiguous(err) {
			return "a failed connection sent nothing: it must not be ambiguous"
		}
		return missing(err.Error(), append(fragments, endpoint, "no request was sent", "endpoint setting"))
	}
}

// isDropped wants a NetworkError that may have reached the server.
func isDropped() check {
	return func(err error) string {
		if problem := isNetwork()(err); problem != "" {
			return problem
		}
		if framework.IsConnectFailure(err) || !framework.IsAmbiguous(err) {
			return "want an ambiguous NetworkError, not a ConnectError"
		}
		return ""
	}
}

func isExactly(want error) check {
	return func(err error) string {
		if err != want { //nolint:errorlint // the point is that it is passed through bare
			return fmt.Sprintf("want exactly %v", want)
		}
		return ""
	}
}

func isOther(fragments ...string) check {
	return func(err error) string {
		var e *framework.OtherError
		if !errors.As(err, &e) {
			return "want OtherError"
		}
		return missing(e.Message, fragments)
	}
}

func missing(msg string, fragments []string) string {
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			return fmt.Sprintf("message %q lacks %q", msg, f)
		}
	}
	return ""
}

func TestMapError(t *testing.T) {
	server := subject{Type: "instance", ID: "42"}
	refused := &url.Error{Op: "Get", URL: "http://127.0.0.1:1/v1/servers?label_selector=x", Err: &net.OpError{
		Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED,
	}}
	for _, tc := range []struct {
		name  string
		err   error
		about subject
		check check
	}{
		{"canceled", fmt.Errorf("remaining running actions: %w", context.Canceled), subject{}, isExactly(context.Canceled)},
		{"canceled in url.Error", &url.Error{Op: "Get", URL: "http://h/v1/servers/1", Err: context.Canceled}, server, isExactly(context.Canceled)},
		{"deadline", fmt.Errorf("%w: remaining running actions: [1]", context.DeadlineExceeded), subject{}, isExactly(context.DeadlineExceeded)},

		{"unauthorized", hcloud.Error{Code: hcloud.ErrorCodeUnauthorized, Message: "unable to authenticate"}, server, isAuth("unable to authenticate", "token")},
		{"forbidden", hcloud.Error{Code: hcloud.ErrorCodeForbidden, Message: "insufficient permissions"}, server, isAuth("insufficient permissions", "Read & Write")},
		{"rate limit without response", hcloud.Error{Code: hcloud.ErrorCodeRateLimitExceeded, Message: "limit reached"}, server, isRateLimit(0, false)},
		{"not found, known subject", hcloud.Error{Code: hcloud.ErrorCodeNotFound, Message: "server with ID '42' not found"}, server, isNotFound("instance", "42")},
		{"not found, unknown subject", hcloud.Error{Code: hcloud.ErrorCodeNotFound, Message: "not found"}, subject{}, isAPI(404, "not found")},

		{"invalid server_type", invalidInput(field("server_type", "server type cx99 not found")), subject{}, isInvalid("size", "invalid input", "server_type: server type cx99 not found")},
		{"invalid location", invalidInput(field("location", "unknown location")), subject{}, isInvalid("region", "location: unknown location")},
		{"invalid datacenter", invalidInput(field("datacenter", "unknown")), subject{}, isInvalid("region")},
		{"invalid image", invalidInput(field("image", "image not found")), subject{}, isInvalid("image", "image: image not found")},
		{"invalid name", invalidInput(field("name", "is too long")), subject{}, isInvalid("name", "name: is too long")},
		{"invalid nested labels", invalidInput(field("labels.foo", "bad key")), subject{}, isInvalid("labels", "labels.foo: bad key")},
		{"invalid user_data", invalidInput(field("user_data", "too long")), subject{}, isInvalid("user_data")},
		{"invalid ssh key index", invalidInput(field("ssh_keys[0]", "not found")), subject{}, isInvalid("ssh_keys")},
		{"invalid other field kept", invalidInput(field("volumes", "bad")), subject{}, isInvalid("volumes", "volumes: bad")},
		{"invalid several fields", invalidInput(field("name", "is too long"), field("image", "missing")), subject{}, isInvalid("name", "name: is too long; image: missing")},
		{"invalid without details", hcloud.Error{Code: hcloud.ErrorCodeInvalidInput, Message: "invalid input in field 'x'"}, subject{}, isInvalid("request", "invalid input in field 'x'")},

		{"uniqueness", hcloud.Error{Code: hcloud.ErrorCodeUniquenessError, Message: "server name is already used"}, subject{}, isInvalid("name", "server name is already used", "already exists")},
		{"resource limit", hcloud.Error{Code: hcloud.ErrorCodeResourceLimitExceeded, Message: "server limit exceeded"}, subject{}, isQuota("resources", "server limit exceeded")},
		{"resource limit on a subject", hcloud.Error{Code: hcloud.ErrorCodeResourceLimitExceeded, Message: "limit"}, server, isQuota("instance")},
		{"locked", hcloud.Error{Code: hcloud.ErrorCodeLocked, Message: "server is locked"}, server, isBusy("instance", "42", "server is locked")},
		{"server error", hcloud.Error{Code: hcloud.ErrorCodeServerError, Message: "boom"}, server, isAPI(500, "boom")},
		{"unknown code", hcloud.Error{Code: "brand_new", Message: "new"}, server, isAPI(0, "new (brand_new)")},

		{"action error", hcloud.ActionError{Code: "action_failed", Message: "Action failed"}, subject{}, isAPI(0, "Action failed", "action_failed")},
		{"action error with action", (&hcloud.Action{ID: 9, Command: "create_image", Status: hcloud.ActionStatusError, ErrorCode: "action_failed", ErrorMessage: "disk error"}).Error(), subject{}, isAPI(0, "create_image action 9 failed", "disk error")},

		{"non-JSON 502", fmt.Errorf("hcloud: %w %d", hcloud.ErrStatusCode, 502), server, isAPI(502, "Bad Gateway")},
		{"non-JSON 401", fmt.Errorf("hcloud: %w %d", hcloud.ErrStatusCode, 401), server, isAuth()},
		{"non-JSON 429", fmt.Errorf("hcloud: %w %d", hcloud.ErrStatusCode, 429), server, isRateLimit(0, false)},
		{"non-JSON 404", fmt.Errorf("hcloud: %w %d", hcloud.ErrStatusCode, 404), server, isNotFound("instance", "42")},

		{"connection refused", refused, server, isConnect("127.0.0.1:1", "the Hetzner API", "connection refused")},
		{"refused, as the dialer reports it", &url.Error{Op: "Post", URL: "https://api.example.com/v1/servers", Err: &net.OpError{
			Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED},
		}}, server, isConnect("api.example.com:443", "connection refused")},
		{"no such host", &url.Error{Op: "Get", URL: "http://nowhere.invalid/v1/servers", Err: &net.OpError{
			Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true},
		}}, server, isConnect("nowhere.invalid:80", "no such host")},
		{"host unreachable", &url.Error{Op: "Get", URL: "http://[::1]:8080/v1/servers", Err: &net.OpError{
			Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.EHOSTUNREACH},
		}}, server, isConnect("[::1]:8080", "host unreachable")},
		{"proxy refused", &url.Error{Op: "Get", URL: "https://api.hetzner.cloud/v1/servers", Err: &net.OpError{
			Op: "proxyconnect", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED},
		}}, server, isConnect("api.hetzner.cloud:443", "refused by the HTTP proxy")},
		{"no URL: the dialled address", &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 443}, Err: syscall.ECONNREFUSED},
			server, isConnect("10.0.0.1:443")},
		{"temporary DNS failure: ordinary retries", &url.Error{Op: "Get", URL: "https://api.hetzner.cloud/v1/servers", Err: &net.OpError{
			Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "server misbehaving", Name: "api.hetzner.cloud", IsTemporary: true},
		}}, server, isDropped()},
		{"dial timeout: ordinary retries", &url.Error{Op: "Get", URL: "https://api.hetzner.cloud/v1/servers", Err: &net.OpError{
			Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded,
		}}, server, isDropped()},
		{"refused outside a dial", fmt.Errorf("x: %w", syscall.ECONNREFUSED), server, isDropped()},
		{"net.OpError", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, server, isDropped()},
		{"EOF", fmt.Errorf("reading: %w", io.EOF), server, isDropped()},
		{"unexpected EOF", io.ErrUnexpectedEOF, server, isDropped()},
		{"reset", fmt.Errorf("x: %w", syscall.ECONNRESET), server, isDropped()},

		{"anything else", errors.New("hcloud: error reading response meta data: bad json"), server, isOther("hetzner: ", "bad json")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mapError(tc.err, tc.about)
			if problem := tc.check(got); problem != "" {
				t.Errorf("mapError(%v) = %T %v: %s", tc.err, got, got, problem)
			}
		})
	}
	if mapError(nil, subject{}) != nil {
		t.Error("mapError(nil) must be nil")
	}
}

// The retryable kinds must stay retryable after mapping, and the others
// not: WaitReady relies on it to poll through transient errors.
func TestMapErrorRetryable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{hcloud.Error{Code: hcloud.ErrorCodeRateLimitExceeded}, true},
		{&url.Error{Op: "Get", URL: "u", Err: syscall.ECONNREFUSED}, true},
		{hcloud.Error{Code: hcloud.ErrorCodeUnauthorized}, false},
		{hcloud.Error{Code: hcloud.ErrorCodeServerError}, false},
		{invalidInput(field("name", "bad")), false},
	} {
		if got := framework.IsRetryable(mapError(tc.err, subject{})); got != tc.want {
			t.Errorf("IsRetryable(mapError(%v)) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestRateLimitDelay(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	resp := func(limit, remaining int, reset time.Time) *hcloud.Response {
		return &hcloud.Response{Meta: hcloud.Meta{Ratelimit: hcloud.Ratelimit{Limit: limit, Remaining: remaining, Reset: reset}}}
	}
	for _, tc := range []struct {
		name string
		resp *hcloud.Response
		want time.Duration
	}{
		{"no response", nil, -1},
		{"no reset header", resp(3600, 0, time.Time{}), -1},
		{"reset passed", resp(3600, 0, now.Add(-time.Second)), 0},
		{"empty bucket refills at 1/s", resp(3600, 0, now.Add(time.Hour)), time.Second},
		{"sub-second refill rounds up", resp(3600, 0, now.Add(30*time.Minute)), time.Second},
		{"slow refill", resp(10, 0, now.Add(100*time.Second)), 10 * time.Second},
		{"unknown limit waits for reset", resp(0, 0, now.Add(7*time.Second)), 7 * time.Second},
		{"nothing missing waits for reset", resp(5, 5, now.Add(3*time.Second)), 3 * time.Second},
		{"retry-after seconds wins", withHeader(resp(3600, 0, now.Add(time.Hour)), "Retry-After", "17"), 17 * time.Second},
		{"retry-after date", withHeader(resp(0, 0, time.Time{}), "Retry-After", now.Add(9*time.Second).UTC().Format(http.TimeFormat)), 9 * time.Second},
		{"retry-after date passed", withHeader(resp(0, 0, time.Time{}), "Retry-After", now.Add(-time.Minute).UTC().Format(http.TimeFormat)), 0},
		{"retry-after garbage ignored", withHeader(resp(10, 0, now.Add(100*time.Second)), "Retry-After", "soon"), 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rateLimitDelay(tc.resp, now); got != tc.want {
				t.Errorf("rateLimitDelay = %v, want %v", got, tc.want)
			}
		})
	}
}

func withHeader(r *hcloud.Response, key, value string) *hcloud.Response {
	r.Response = &http.Response{Header: http.Header{}}
	r.Header.Set(key, value)
	return r
}

func TestNotFoundOnCreate(t *testing.T) {
	for _, tc := range []struct {
		msg   string
		field string
	}{
		{"server_type with name 'cx99' not found", "size"},
		{"Server Type not found", "size"},
		{"location not found", "region"},
		{"image not found", "image"},
		{"ssh_key 7 not found", "ssh_keys"},
	} {
		err := notFoundOnCreate(hcloud.Error{Code: hcloud.ErrorCodeNotFound, Message: tc.msg})
		var ic *framework.InvalidConfigError
		if !errors.As(err, &ic) || ic.Field != tc.field || ic.Message != tc.msg {
			t.Errorf("notFoundOnCreate(%q) = %v, want InvalidConfig(%s, %q)", tc.msg, err, tc.field, tc.msg)
		}
	}
	if err := notFoundOnCreate(hcloud.Error{Code: hcloud.ErrorCodeNotFound, Message: "something"}); err != nil {
		t.Errorf("unrecognized not_found gave %v, want nil (left to mapError)", err)
	}
	if err := notFoundOnCreate(hcloud.Error{Code: hcloud.ErrorCodeLocked, Message: "image locked"}); err != nil {
		t.Errorf("non-not_found gave %v, want nil", err)
	}
}

// cannedServer answers every request with the same error, and counts them.
func cannedServer(t *testing.T, status int, header map[string]string, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func fastProvider(t *testing.T, endpoint string) *Provider {
	t.Helper()
	timeouts := framework.DefaultTimeouts()
	timeouts.PollInterval = 10 * time.Millisecond
	retry := framework.RetryPolicy{MaxAttempts: 3, Backoff: framework.Backoff{Initial: time.Millisecond, Multiplier: 1, Max: time.Millisecond}, MaxHint: time.Millisecond}
	p, err := New(framework.Config{Token: strings.Repeat("t", 64), Timeouts: timeouts, Endpoint: endpoint, Retry: &retry})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Through the real SDK: a 429 is not retried by the SDK (the framework's
// policy does that, once, for every cloud) and is mapped with a hint
// computed from the rate-limit headers.
func TestWireRateLimitMapped(t *testing.T) {
	reset := time.Now().Add(time.Hour).Unix()
	srv, n := cannedServer(t, http.StatusTooManyRequests, map[string]string{
		"Content-Type":        "application/json",
		"RateLimit-Limit":     "3600",
		"RateLimit-Remaining": "0",
		"RateLimit-Reset":     strconv.FormatInt(reset, 10),
	}, `{"error":{"code":"rate_limit_exceeded","message":"limit of 3600 requests per hour reached","details":{}}}`)

	_, err := fastProvider(t, srv.URL+"/v1").GetInstance(context.Background(), "1")
	if problem := isRateLimit(time.Second, true)(err); problem != "" {
		t.Fatalf("GetInstance error = %v: %s", err, problem)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("requests = %d, want 1: hcloud-go's own retries are off", got)
	}
}

// A 500 is not retried by the SDK, and keeps its status. A page of a list
// is retried under the configured policy (3 attempts here), then fails
// with the same error.
func TestWireServerErrorNotRetried(t *testing.T) {
	srv, n := cannedServer(t, http.StatusInternalServerError, map[string]string{"Content-Type": "application/json", "X-Correlation-Id": "corr-1"},
		`{"error":{"code":"server_error","message":"internal error","details":{}}}`)
	p := fastProvider(t, srv.URL+"/v1")
	_, err := p.GetInstance(context.Background(), "1")
	if problem := isAPI(500, "internal error", "corr-1")(err); problem != "" {
		t.Fatalf("GetInstance error = %v: %s", err, problem)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("requests = %d, want 1", got)
	}
	_, err = p.ListInstances(context.Background())
	if problem := isAPI(500, "internal error", "corr-1")(err); problem != "" {
		t.Fatalf("ListInstances error = %v: %s", err, problem)
	}
	if got := n.Load(); got != 1+3 {
		t.Errorf("requests = %d, want 4: the list's page tried 3 times", got)
	}
}

func TestWireNonJSONError(t *testing.T) {
	srv, _ := cannedServer(t, http.StatusServiceUnavailable, map[string]string{"Content-Type": "text/html"}, "<html>down</html>")
	_, err := fastProvider(t, srv.URL+"/v1").ListInstances(context.Background())
	if problem := isAPI(503, "Service Unavailable")(err); problem != "" {
		t.Fatalf("error = %v: %s", err, problem)
	}
}

func TestWireConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	endpoint := srv.URL + "/v1"
	srv.Close() // nothing listens there any more
	host := strings.TrimPrefix(srv.URL, "http://")
	_, err := fastProvider(t, endpoint).GetInstance(context.Background(), "1")
	if problem := isConnect(host, "connection refused")(err); problem != "" {
		t.Fatalf("error = %v: %s", err, problem)
	}
	if !framework.IsRetryable(err) {
		t.Error("a network error must be retryable")
	}
}

// End to end through the registry's wiring (framework.WithRetry with the
// default policy): a create against a closed port fails within seconds,
// after DefaultConnectAttempts, naming the endpoint, and never looks for
// an adopted machine (nothing was sent).
func TestWireDeadEndpointFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := ln.Addr().String()
	_ = ln.Close() // a closed port: connections are refused
	p, err := New(framework.Config{Token: strings.Repeat("t", 64), Timeouts: framework.DefaultTimeouts(), Endpoint: "http://" + host + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	var retries atomic.Int32
	r := framework.WithRetry(p, framework.DefaultRetryPolicy(), func(_ context.Context, msg string, _ map[string]any) {
		if msg == "retrying cloud call" {
			retries.Add(1)
		} else {
			t.Errorf("unexpected log line %q", msg)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 225*time.Second)
	defer cancel()
	start := time.Now()
	_, err = r.CreateInstance(ctx, framework.InstanceRequest{Name: "dead", Region: "fsn1", Size: "cx23", Image: framework.Ubuntu("24.04"), Labels: framework.ManagedLabels(nil)})
	elapsed := time.Since(start)
	if problem := isConnect(host, "connection refused")(err); problem != "" {
		t.Fatalf("error = %v: %s", err, problem)
	}
	if got, want := retries.Load(), int32(framework.DefaultConnectAttempts-1); got != want {
		t.Errorf("retries = %d, want %d", got, want)
	}
	if elapsed > framework.DefaultConnectBudget+time.Second {
		t.Errorf("failed after %v, want within the connect budget %v", elapsed, framework.DefaultConnectBudget)
	}
	t.Logf("create against closed port %s failed after %v: %v", host, elapsed.Round(time.Millisecond), err)
}

// The SDK itself never sees the caller's deadline as a network problem.
func TestWireContextCanceledPassesThrough(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel() // the request is in flight: the caller gives up now
		<-r.Context().Done()
	}))
	defer srv.Close()

	_, err := fastProvider(t, srv.URL+"/v1").GetInstance(ctx, "1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	var ne *framework.NetworkError
	if errors.As(err, &ne) {
		t.Errorf("a cancellation must not be reported as a network error: %v", err)
	}
}

// The HTTP client's own timeout (Timeouts.HTTPRequest) is a network error,
// although it matches context.DeadlineExceeded with errors.Is; the caller's
// deadline is passed through.
func TestWireTimeouts(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)

	timeouts := framework.DefaultTimeouts()
	timeouts.HTTPRequest = 20 * time.Millisecond
	p, err := New(framework.Config{Token: strings.Repeat("t", 64), Timeouts: timeouts, Endpoint: srv.URL + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.GetInstance(context.Background(), "1")
	if problem := isNetwork()(err); problem != "" {
		t.Errorf("HTTP client timeout: error = %v: %s", err, problem)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = fastProvider(t, srv.URL+"/v1").GetInstance(ctx, "1")
	if problem := isExactly(context.DeadlineExceeded)(err); problem != "" {
		t.Errorf("caller's deadline: error = %v: %s", err, problem)
	}
}
