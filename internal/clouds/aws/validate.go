package aws

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// EC2's documented limits.
const (
	maxUserDataBytes = 16 * 1024 // before base64
	maxTagKey        = 128
	maxTagValue      = 256
	maxTags          = 50
)

// ValidateRequest checks the request against EC2's rules before any API
// call (framework.RequestValidator).
func (p *Provider) ValidateRequest(req framework.InstanceRequest) error {
	if !regionRE.MatchString(req.Region) {
		return framework.InvalidConfig("region", fmt.Sprintf("%q is not an AWS region name such as \"eu-central-1\"", req.Region))
	}
	if n := utf8.RuneCountInString(req.Name); n == 0 || n > maxTagValue {
		return framework.InvalidConfig("name", fmt.Sprintf("%q must be 1 to %d characters: it is the instance's Name tag", req.Name, maxTagValue))
	}
	if err := validateLabels(req.Labels); err != nil {
		return err
	}
	if len(req.Labels)+1 > maxTags {
		return framework.InvalidConfig("labels", fmt.Sprintf("EC2 allows %d tags on an instance, and spuff needs 3 of them (Name, managed-by, spuff-request-id): give at most %d labels", maxTags, maxTags-3))
	}
	if n := len(req.UserData); n > maxUserDataBytes {
		return framework.InvalidConfig("user_data", fmt.Sprintf("is %d bytes; EC2 accepts at most 16 KiB (%d bytes) of user data", n, maxUserDataBytes))
	}
	if len(req.SSHKeys) > 1 {
		return framework.InvalidConfig("ssh_keys", fmt.Sprintf("EC2 installs one key pair per instance, not %d: give one key pair name", len(req.SSHKeys)))
	}
	for _, k := range req.SSHKeys {
		if strings.TrimSpace(k) == "" {
			return framework.InvalidConfig("ssh_keys", "must not contain an empty entry: use a key pair name")
		}
	}
	return nil
}

// ValidateLabels refuses labels EC2 would not take as tags
// (framework.LabelValidator).
func (p *Provider) ValidateLabels(labels map[string]string) error {
	return validateLabels(labels)
}

func validateLabels(labels map[string]string) error {
	for _, k := range framework.SortedKeys(labels) {
		v := labels[k]
		switch {
		case k == "":
			return framework.InvalidConfig("labels", "a label key must not be empty")
		case utf8.RuneCountInString(k) > maxTagKey:
			return framework.InvalidConfig("labels", fmt.Sprintf("the key %q is longer than EC2's %d characters", k, maxTagKey))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return framework.InvalidConfig("labels", fmt.Sprintf("the key %q starts with \"aws:\", which AWS reserves for its own tags", k))
		case k == nameTag:
			return framework.InvalidConfig("labels", "the key \"Name\" is the instance's name on EC2: set name instead")
		case utf8.RuneCountInString(v) > maxTagValue:
			return framework.InvalidConfig("labels", fmt.Sprintf("the value of %q is longer than EC2's %d characters", k, maxTagValue))
		}
	}
	return nil
}
