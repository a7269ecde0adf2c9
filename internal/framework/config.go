package framework

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Validate checks the config as every factory needs it: a token, sane
// timeouts, and an endpoint that is https, or http only on a loopback host
// (the simulator), so a token is never sent in clear over a network.
func (c Config) Validate() error {
	if strings.TrimSpace(c.Token) == "" {
		return InvalidConfig("token", "must not be empty")
	}
	if err := c.Timeouts.Validate(); err != nil {
		return err
	}
	return ValidateEndpoint(c.Endpoint)
}

// ValidateEndpoint accepts "" (the cloud's default), any https URL, and http
// URLs whose host is loopback (127.0.0.0/8, ::1, localhost).
func ValidateEndpoint(endpoint string) error {
	if endpoint == "" {
		return nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return InvalidConfig("endpoint", fmt.Sprintf("%q is not an absolute URL such as https://api.example.com/v1", endpoint))
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return InvalidConfig("endpoint", fmt.Sprintf("%q uses http on a non-loopback host: use https, or http only with 127.0.0.1, ::1 or localhost", endpoint))
	default:
		return InvalidConfig("endpoint", fmt.Sprintf("%q has scheme %q: use https (or http on a loopback host)", endpoint, u.Scheme))
	}
}

// IsLoopbackHost reports whether host is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
