package digitalocean

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// DigitalOcean's documented input limits.
const (
	maxUserDataBytes = 64 * 1024 // 64 KiB
	maxNameLen       = 255
	maxTagLen        = 255
)

var (
	// hostname is DigitalOcean's droplet name rule: letters, digits, dots
	// and hyphens, starting and ending with a letter or digit.
	hostname = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$`)
	// labelKey and labelValue make a tag "key:value" of DigitalOcean's tag
	// charset (letters, digits, ':', '-', '_') that splits back at its
	// first colon: no colon in a key, colons allowed in a value.
	labelKey   = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	labelValue = regexp.MustCompile(`^[a-zA-Z0-9_:-]*$`)
)

// ValidateRequest checks the request against DigitalOcean's rules before
// any API call (framework.RequestValidator).
func (p *Provider) ValidateRequest(req framework.InstanceRequest) error {
	if req.Name == "" || len(req.Name) > maxNameLen || !hostname.MatchString(req.Name) {
		return framework.InvalidConfig("name", fmt.Sprintf("%q must be a valid hostname: at most %d letters, digits, dots and hyphens, starting and ending with a letter or digit", req.Name, maxNameLen))
	}
	if err := validateLabels(req.Labels); err != nil {
		return err
	}
	if n := len(req.UserData); n > maxUserDataBytes {
		return framework.InvalidConfig("user_data", fmt.Sprintf("is %d bytes; DigitalOcean accepts at most 64 KiB (%d bytes) of user data", n, maxUserDataBytes))
	}
	for _, k := range req.SSHKeys {
		if strings.TrimSpace(k) == "" {
			return framework.InvalidConfig("ssh_keys", "must not contain empty entries: use SSH key IDs, fingerprints or names")
		}
	}
	if _, err := imageFor(req.Image); err != nil {
		return err
	}
	return nil
}

// ValidateLabels refuses labels that do not round-trip as DigitalOcean
// tags (framework.LabelValidator).
func (p *Provider) ValidateLabels(labels map[string]string) error {
	return validateLabels(labels)
}

// validateLabels checks keys in sorted order, so the same input always
// reports the same key.
func validateLabels(labels map[string]string) error {
	for _, k := range framework.SortedKeys(labels) {
		v := labels[k]
		switch {
		case !labelKey.MatchString(k):
			return framework.InvalidConfig("labels", fmt.Sprintf("the key %q cannot be a DigitalOcean tag: labels are stored as tags \"key:value\", and keys may only contain letters, digits, '-' and '_'", k))
		case !labelValue.MatchString(v):
			return framework.InvalidConfig("labels", fmt.Sprintf("the value %q of %q cannot be a DigitalOcean tag: values may only contain letters, digits, ':', '-' and '_'", v, k))
		case len(labelTag(k, v)) > maxTagLen:
			return framework.InvalidConfig("labels", fmt.Sprintf("the label %q is too long: as the tag \"key:value\" it has %d characters, DigitalOcean allows %d", k, len(labelTag(k, v)), maxTagLen))
		}
	}
	return nil
}
