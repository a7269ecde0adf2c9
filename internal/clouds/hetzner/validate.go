package hetzner

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// Hetzner's documented input limits.
const (
	maxUserDataBytes = 32 * 1024 // 32 KiB
	maxHostnameLen   = 253
	maxLabelPartLen  = 63
	maxLabelPrefix   = 253
	reservedPrefix   = "hetzner.cloud"
)

var (
	// hostLabel is one dot-separated label of an RFC 1123 hostname (and of a
	// DNS subdomain): letters, digits and inner hyphens, 1-63 characters.
	hostLabel = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)
	// labelPart is a label key's name or a non-empty label value: 1-63
	// characters, alphanumeric at both ends, '-', '_' and '.' inside.
	labelPart = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$`)
)

// ValidateRequest checks the request against Hetzner's own rules before any
// API call, so that Terraform reports bad input at plan time with a message
// saying what is allowed. It implements framework.RequestValidator; the
// generic checks (required fields, managed-by label) are the framework's.
func (p *Provider) ValidateRequest(req framework.InstanceRequest) error {
	return validateRequest(req)
}

func validateRequest(req framework.InstanceRequest) error {
	if err := validateServerName(req.Name); err != nil {
		return err
	}
	if err := validateLabels(req.Labels); err != nil {
		return err
	}
	if n := len(req.UserData); n > maxUserDataBytes {
		return framework.InvalidConfig("user_data", fmt.Sprintf("is %d bytes; Hetzner accepts at most 32 KiB (%d bytes) of user data", n, maxUserDataBytes))
	}
	for _, k := range req.SSHKeys {
		if strings.TrimSpace(k) == "" {
			return framework.InvalidConfig("ssh_keys", "must not contain empty entries: use SSH key names or numeric IDs")
		}
	}
	// Resolving the image catches a non-numeric snapshot ID at plan time.
	if _, err := imageFor(req.Image); err != nil {
		return err
	}
	return nil
}

// validateServerName applies Hetzner's rule for server names: a valid
// hostname per RFC 1123.
func validateServerName(name string) error {
	const rule = "must be a valid hostname (RFC 1123): at most 253 characters of dot-separated labels, " +
		"each 1-63 letters, digits or hyphens, starting and ending with a letter or digit"
	if name == "" || len(name) > maxHostnameLen {
		return framework.InvalidConfig("name", fmt.Sprintf("%q %s", name, rule))
	}
	for _, label := range strings.Split(name, ".") {
		if !hostLabel.MatchString(label) {
			return framework.InvalidConfig("name", fmt.Sprintf("%q %s", name, rule))
		}
	}
	return nil
}

// validateLabels applies Hetzner's label syntax. Keys are checked in sorted
// order so that the same input always reports the same key.
func validateLabels(labels map[string]string) error {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := validateLabelKey(k); err != nil {
			return err
		}
		if v := labels[k]; v != "" && !labelPart.MatchString(v) {
			return framework.InvalidConfig("labels", fmt.Sprintf(
				"value %q of label %q is invalid: a label value must be empty or 1-%d characters, "+
					"start and end with a letter or digit, and contain only letters, digits, '-', '_' and '.'",
				v, k, maxLabelPartLen))
		}
	}
	return nil
}

func validateLabelKey(key string) error {
	prefix, name, hasPrefix := strings.Cut(key, "/")
	if !hasPrefix {
		name, prefix = key, ""
	}
	if !labelPart.MatchString(name) {
		return framework.InvalidConfig("labels", fmt.Sprintf(
			"key %q is invalid: a label key is an optional DNS subdomain prefix and '/', then a name of 1-%d characters "+
				"that starts and ends with a letter or digit and contains only letters, digits, '-', '_' and '.'",
			key, maxLabelPartLen))
	}
	if !hasPrefix {
		return nil
	}
	if strings.EqualFold(prefix, reservedPrefix) {
		return framework.InvalidConfig("labels", fmt.Sprintf("key %q is invalid: the prefix %q is reserved by Hetzner", key, reservedPrefix+"/"))
	}
	if !isDNSSubdomain(prefix) {
		return framework.InvalidConfig("labels", fmt.Sprintf(
			"key %q is invalid: the prefix before '/' must be a DNS subdomain such as \"example.com\" "+
				"(at most %d characters of dot-separated labels of lower-case letters, digits and inner hyphens)",
			key, maxLabelPrefix))
	}
	return nil
}

// dnsLabel is one label of a DNS subdomain as label prefixes take it:
// lower case only, as in Kubernetes, whose label syntax Hetzner's follows.
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

func isDNSSubdomain(s string) bool {
	if s == "" || len(s) > maxLabelPrefix {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if !dnsLabel.MatchString(label) {
			return false
		}
	}
	return true
}

var _ framework.LabelValidator = (*Provider)(nil)

// ValidateLabels applies Hetzner's label syntax (framework.LabelValidator).
func (p *Provider) ValidateLabels(labels map[string]string) error {
	return validateLabels(labels)
}
