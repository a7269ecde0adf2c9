package resources

import (
	"context"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// logSubsystem is the tflog subsystem of every spuff log line; TF_LOG=DEBUG
// (or TF_LOG_PROVIDER_SPUFF=DEBUG) shows them.
const logSubsystem = "spuff"

// withLogging prepares ctx for spuff's log lines: the subsystem, and the
// token masked from messages and fields in case anything ever carries it.
func withLogging(ctx context.Context, secrets ...string) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem)
	var nonEmpty []string
	for _, s := range secrets {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	if len(nonEmpty) > 0 {
		ctx = tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, nonEmpty...)
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, nonEmpty...)
		ctx = tflog.MaskMessageStrings(ctx, nonEmpty...)
		ctx = tflog.MaskAllFieldValuesStrings(ctx, nonEmpty...)
	}
	return ctx
}

func logDebug(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemDebug(ctx, logSubsystem, msg, fields)
}

// loggingTransport logs every cloud API call: method, path, query, status
// and duration. It never logs headers (the token) or bodies (user_data).
type loggingTransport struct {
	next http.RoundTripper
}

func (t loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	fields := map[string]any{
		"method":      req.Method,
		"path":        req.URL.Path,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if req.URL.RawQuery != "" {
		fields["query"] = req.URL.RawQuery
	}
	if err != nil {
		fields["error"] = err.Error()
		logDebug(req.Context(), "cloud API call failed", fields)
		return resp, err
	}
	fields["status"] = resp.StatusCode
	if rl := resp.Header.Get("RateLimit-Remaining"); rl != "" {
		fields["ratelimit_remaining"] = rl
	}
	logDebug(req.Context(), "cloud API call", fields)
	return resp, nil
}

// newHTTPClient returns the client every cloud call goes through.
func newHTTPClient(timeout time.Duration) *http.Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	return &http.Client{Transport: loggingTransport{next: base}, Timeout: timeout}
}
