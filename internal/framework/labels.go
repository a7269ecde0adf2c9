package framework

import (
	"fmt"
	"strings"
)

// LabelValidator is implemented by clouds with rules for label keys and
// values, so that labels on snapshots and label filters are checked before
// any call, as instance labels are by RequestValidator.
type LabelValidator interface {
	ValidateLabels(labels map[string]string) error
}

// ValidateLabels refuses reserved or empty keys, then applies the cloud's
// own label rules, if it has any. The error's field is "labels".
func ValidateLabels(p Provider, labels map[string]string) error {
	for k := range labels {
		if strings.TrimSpace(k) == "" {
			return InvalidConfig("labels", "keys must not be empty")
		}
		for _, r := range ReservedLabelKeys {
			if k == r {
				return InvalidConfig("labels", fmt.Sprintf("the key %q is reserved: the provider sets it itself", k))
			}
		}
	}
	if v, ok := p.(LabelValidator); ok {
		return v.ValidateLabels(labels)
	}
	return nil
}
