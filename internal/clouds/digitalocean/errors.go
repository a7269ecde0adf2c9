package digitalocean

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// providerName is how errors and logs name this cloud.
const providerName = "digitalocean"

// apiName is how transport errors name what was called.
const apiName = "the DigitalOcean API"

// subject says what a failed call was about (framework.Subject).
type subject = framework.Subject

// fail maps err at this cloud's edge (framework.Fail).
func fail(ctx context.Context, err error, about subject) error {
	return framework.Fail(ctx, err, func(err error) error { return mapError(err, about) })
}

// mapError is the one edge where godo's errors become the framework's
// kinds, by HTTP status (godo does not decode the body's id).
func mapError(err error, about subject) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	var er *godo.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return mapStatus(er.Response.StatusCode, er.Message, er.Response.Header, about)
	}
	if terr := framework.TransportError(err, apiName); terr != nil {
		return terr
	}
	return &framework.OtherError{Message: "digitalocean: " + err.Error()}
}

// pendingEvent is how DigitalOcean words a 422 for a second action while
// one runs ("Droplet already has a pending event.").
const pendingEvent = "pending event"

func mapStatus(status int, msg string, h http.Header, about subject) error {
	if msg == "" {
		msg = http.StatusText(status)
	}
	switch status {
	case http.StatusUnauthorized:
		return framework.Auth(providerName, msg+" (check that the DigitalOcean API token is valid and not revoked)")
	case http.StatusForbidden:
		return framework.Auth(providerName, msg+" (the API token lacks the scope for this call: use a token with write scope)")
	case http.StatusTooManyRequests:
		return framework.RateLimit(rateLimitDelay(h, time.Now()))
	case http.StatusNotFound:
		if about.Type != "" {
			return framework.NotFound(about.Type, about.ID)
		}
		return framework.API(status, msg)
	case http.StatusUnprocessableEntity:
		if strings.Contains(strings.ToLower(msg), pendingEvent) {
			return framework.Busy(about.Type, about.ID, msg)
		}
		if strings.Contains(strings.ToLower(msg), "limit") {
			resource := about.Type
			if resource == "" {
				resource = "resources"
			}
			return framework.Quota(resource, msg+" (raise the account's limit or delete unused resources)")
		}
		return framework.InvalidConfig(fieldOf(msg, about.Field), msg)
	}
	return framework.API(status, msg)
}

// fieldOf names spuff's attribute a 422 message is about.
func fieldOf(msg, fallback string) string {
	m := strings.ToLower(msg)
	switch {
	case fallback != "":
		return fallback
	case strings.Contains(m, "size"):
		return "size"
	case strings.Contains(m, "region"):
		return "region"
	case strings.Contains(m, "image"):
		return "image"
	case strings.Contains(m, "ssh"):
		return "ssh_keys"
	case strings.Contains(m, "user_data") || strings.Contains(m, "user data"):
		return "user_data"
	case strings.Contains(m, "tag"):
		return "labels"
	case strings.Contains(m, "name"):
		return "name"
	}
	return "request"
}

// rateLimitDelay is how long to wait after a 429: Retry-After (the burst
// limit) first, else until ratelimit-reset (unix seconds); -1 when the
// answer says neither.
func rateLimitDelay(h http.Header, now time.Time) time.Duration {
	if d, ok := framework.RetryAfterHeader(h, now); ok {
		return d
	}
	if h != nil {
		if v, err := strconv.ParseInt(strings.TrimSpace(h.Get("Ratelimit-Reset")), 10, 64); err == nil && v > 0 {
			return max(time.Unix(v, 0).Sub(now), 0)
		}
	}
	return -1
}
