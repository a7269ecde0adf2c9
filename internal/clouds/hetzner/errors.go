package hetzner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// providerName is how errors and logs name this cloud.
const providerName = "hetzner"

// apiName is how transport errors name what was called.
const apiName = "the Hetzner API"

// subject says what a failed call was about, so that a not_found answer can
// name the resource. The zero value means "unknown": not_found then becomes
// an APIError 404.
type subject struct {
	Type string // "instance", "snapshot", ...
	ID   string
}

// mapError turns an error from hcloud-go into one of the framework's typed
// errors. It is the only place where SDK errors cross into spuff, so that
// every method reports the same kinds, and no message carries a request URL,
// a header or the token.
func mapError(err error, about subject) error {
	if err == nil {
		return nil
	}
	// A cancellation is the caller's decision, not a failure: keep it
	// recognizable with errors.Is, without the SDK's wrapping.
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}

	var apiErr hcloud.Error
	if errors.As(err, &apiErr) {
		return mapAPIError(apiErr, about)
	}

	var actionErr hcloud.ActionError
	if errors.As(err, &actionErr) {
		// The HTTP exchanges succeeded; the cloud's asynchronous action
		// failed. There is no HTTP status to report, hence 0.
		msg := fmt.Sprintf("the cloud action failed: %s (%s)", actionErr.Message, actionErr.Code)
		if a := actionErr.Action(); a != nil {
			msg = fmt.Sprintf("the %s action %d failed: %s (%s)", a.Command, a.ID, actionErr.Message, actionErr.Code)
		}
		return framework.API(0, msg)
	}

	// A JSON-less error answer: the SDK only knows the status code.
	if errors.Is(err, hcloud.ErrStatusCode) {
		return mapStatus(statusFromErrStatusCode(err), about)
	}

	// Transport failures (no answer, a failed connection, the context's own
	// deadline) are classified alike for every cloud.
	if terr := framework.TransportError(err, apiName); terr != nil {
		return terr
	}

	return &framework.OtherError{Message: "hetzner: " + err.Error()}
}

// mapAPIError maps the cloud's JSON error answer by its code, which is what
// the Hetzner API documents (statuses vary by endpoint).
func mapAPIError(e hcloud.Error, about subject) error {
	msg := e.Message
	if msg == "" {
		msg = string(e.Code)
	}
	switch e.Code {
	case hcloud.ErrorCodeUnauthorized:
		return framework.Auth(providerName, msg+" (check that the Hetzner Cloud API token is valid and not revoked)")
	case hcloud.ErrorCodeForbidden:
		// A valid token without the permission, typically a read-only token.
		// The fix is the same as for a bad token (use another token), so it
		// is reported as an authentication error rather than a bare 403.
		return framework.Auth(providerName, msg+" (the API token lacks the permission for this call: use a Read & Write token)")
	case hcloud.ErrorCodeRateLimitExceeded:
		return framework.RateLimit(rateLimitDelay(e.Response(), time.Now()))
	case hcloud.ErrorCodeNotFound:
		if about.Type != "" {
			return framework.NotFound(about.Type, about.ID)
		}
		return framework.API(http.StatusNotFound, e.Error())
	case hcloud.ErrorCodeInvalidInput:
		return framework.InvalidConfig(invalidInputField(e.Details, "request"), invalidInputMessage(msg, e.Details))
	case hcloud.ErrorCodeUniquenessError:
		// The SDK decodes no details for this code; on the calls spuff makes
		// (server create) the unique field is the name.
		field := invalidInputField(e.Details, "name")
		return framework.InvalidConfig(field, invalidInputMessage(msg, e.Details)+": a resource with this "+field+" already exists")
	case hcloud.ErrorCodeLocked:
		// Another action runs on the resource: the call is refused until it
		// ends (framework.WhileBusy waits that out).
		return framework.Busy(about.Type, about.ID, msg)
	case hcloud.ErrorCodeResourceLimitExceeded:
		resource := about.Type
		if resource == "" {
			resource = "resources"
		}
		return framework.Quota(resource, msg+" (raise the project's limit in the Hetzner Console or delete unused resources)")
	}
	return framework.API(statusOf(e), e.Error())
}

// mapStatus maps an error answer that carried no JSON body.
func mapStatus(status int, about subject) error {
	switch status {
	case http.StatusUnauthorized:
		return framework.Auth(providerName, "unable to authenticate (HTTP 401)")
	case http.StatusTooManyRequests:
		return framework.RateLimit(-1)
	case http.StatusNotFound:
		if about.Type != "" {
			return framework.NotFound(about.Type, about.ID)
		}
	}
	text := http.StatusText(status)
	if text == "" {
		text = "unexpected answer"
	}
	return framework.API(status, text+" (the API sent no error details)")
}

// codeStatus is the documented HTTP status of error codes, used when the
// error carries no response (it always does when it comes from the wire).
var codeStatus = map[hcloud.ErrorCode]int{
	hcloud.ErrorCodeJSONError:           http.StatusBadRequest,
	hcloud.ErrorCodeConflict:            http.StatusConflict,
	hcloud.ErrorCodeResourceUnavailable: http.StatusPreconditionFailed,
	hcloud.ErrorCodeServiceError:        http.StatusUnprocessableEntity,
	hcloud.ErrorUnsupportedError:        http.StatusUnprocessableEntity,
	hcloud.ErrorCodeLocked:              http.StatusLocked,
	hcloud.ErrorCodeProtected:           http.StatusLocked,
	hcloud.ErrorCodeServerError:         http.StatusInternalServerError,
	hcloud.ErrorCodeBadGateway:          http.StatusBadGateway,
	hcloud.ErrorCodeTimeout:             http.StatusGatewayTimeout,
	hcloud.ErrorCodeMaintenance:         http.StatusServiceUnavailable,
	"unavailable":                       http.StatusServiceUnavailable,
}

func statusOf(e hcloud.Error) int {
	if resp := e.Response(); resp != nil && resp.Response != nil {
		return resp.StatusCode
	}
	return codeStatus[e.Code]
}

// rateLimitDelay estimates how long to wait before one request is allowed
// again, or -1 when the answer says nothing.
//
// Hetzner's RateLimit-Reset is when the bucket is *full* again, and the
// bucket refills linearly (1 request/s for the default 3600/h). Waiting until
// Reset would idle for up to an hour when one request is available within a
// second, so the delay is the time one request takes to refill:
// (Reset - now) / (Limit - Remaining). Without Limit the whole span is used.
//
// A Retry-After header, which the API does not send but a proxy in front of
// it may, is an explicit instruction and wins.
func rateLimitDelay(resp *hcloud.Response, now time.Time) time.Duration {
	if resp == nil {
		return -1
	}
	if d, ok := framework.RetryAfterHeader(responseHeader(resp), now); ok {
		return d
	}
	if resp.Meta.Ratelimit.Reset.IsZero() {
		return -1
	}
	rl := resp.Meta.Ratelimit
	untilFull := rl.Reset.Sub(now)
	if untilFull <= 0 {
		return 0
	}
	missing := rl.Limit - rl.Remaining
	if rl.Limit <= 0 || missing <= 0 {
		return untilFull
	}
	perRequest := untilFull / time.Duration(missing)
	// Round up to whole seconds: the header has second precision.
	return (perRequest + time.Second - 1).Truncate(time.Second)
}

// fieldNames maps Hetzner's request fields to spuff's attribute names.
var fieldNames = map[string]string{
	"server_type": "size",
	"location":    "region",
	"datacenter":  "region",
	"image":       "image",
	"name":        "name",
	"labels":      "labels",
	"user_data":   "user_data",
	"ssh_keys":    "ssh_keys",
	"description": "name",
}

// spuffField names a Hetzner field as spuff's attribute. Nested names such
// as "labels.foo" or "ssh_keys[0]" map by their first part.
func spuffField(hetznerField string) string {
	base := hetznerField
	if i := strings.IndexAny(base, ".["); i > 0 {
		base = base[:i]
	}
	if f, ok := fieldNames[base]; ok {
		return f
	}
	return hetznerField
}

func invalidInputField(details any, fallback string) string {
	if d, ok := details.(hcloud.ErrorDetailsInvalidInput); ok && len(d.Fields) > 0 && d.Fields[0].Name != "" {
		return spuffField(d.Fields[0].Name)
	}
	return fallback
}

// invalidInputMessage is the cloud's message followed by each field's
// messages, e.g. "invalid input in field 'server_type' (server_type: not found)".
func invalidInputMessage(msg string, details any) string {
	d, ok := details.(hcloud.ErrorDetailsInvalidInput)
	if !ok || len(d.Fields) == 0 {
		return msg
	}
	parts := make([]string, 0, len(d.Fields))
	for _, f := range d.Fields {
		if len(f.Messages) == 0 {
			continue
		}
		parts = append(parts, f.Name+": "+strings.Join(f.Messages, ", "))
	}
	if len(parts) == 0 {
		return msg
	}
	return msg + " (" + strings.Join(parts, "; ") + ")"
}

// statusFromErrStatusCode reads N from the SDK's "hcloud: server responded
// with status code N", the only place it keeps the status of such errors.
func statusFromErrStatusCode(err error) int {
	s := err.Error()
	n, convErr := strconv.Atoi(s[strings.LastIndexByte(s, ' ')+1:])
	if convErr != nil {
		return 0
	}
	return n
}

// responseHeader is the HTTP header of resp, or nil.
func responseHeader(resp *hcloud.Response) http.Header {
	if resp == nil || resp.Response == nil {
		return nil
	}
	return resp.Header
}

// notFoundOnCreate names the request field of a not_found answer to a
// server create. The API reports unknown server types, locations, images or
// SSH keys this way on some paths; for spuff they are invalid configuration.
func notFoundOnCreate(err error) error {
	var e hcloud.Error
	if !errors.As(err, &e) || e.Code != hcloud.ErrorCodeNotFound {
		return nil
	}
	msg := strings.ToLower(e.Message)
	for _, c := range []struct{ hint, field string }{
		{"server_type", "size"}, {"server type", "size"},
		{"location", "region"}, {"datacenter", "region"},
		{"ssh_key", "ssh_keys"}, {"ssh key", "ssh_keys"},
		{"image", "image"},
	} {
		if strings.Contains(msg, c.hint) {
			return framework.InvalidConfig(c.field, e.Message)
		}
	}
	return nil
}
