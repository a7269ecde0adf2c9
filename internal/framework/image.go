package framework

import (
	"fmt"
	"regexp"
	"strings"
)

// ImageKind says which variant of ImageSpec is set.
type ImageKind int

// The ImageSpec variants of the spec. ImageNone is the zero value: no image.
const (
	ImageNone ImageKind = iota
	ImageUbuntu
	ImageDebian
	ImageCustom
	ImageSnapshot
)

// ImageKinds lists the variant names as Terraform users write them.
var ImageKinds = []string{"ubuntu", "debian", "custom", "snapshot"}

func (k ImageKind) String() string {
	if k > ImageNone && int(k) <= len(ImageKinds) {
		return ImageKinds[k-1]
	}
	return "none"
}

// ImageSpec is the provider-agnostic image: an Ubuntu or Debian version that
// each cloud maps to its own image, a cloud-specific image passed through,
// or a snapshot to restore from.
type ImageSpec struct {
	Kind ImageKind
	// Value is the version ("24.04", "12"), the cloud image ID or slug, or
	// the snapshot ID.
	Value string
}

// Ubuntu returns the spec's Ubuntu(version).
func Ubuntu(version string) ImageSpec { return ImageSpec{Kind: ImageUbuntu, Value: version} }

// Debian returns the spec's Debian(version).
func Debian(version string) ImageSpec { return ImageSpec{Kind: ImageDebian, Value: version} }

// Custom returns the spec's Custom(id): a cloud-specific image, passed through.
func Custom(id string) ImageSpec { return ImageSpec{Kind: ImageCustom, Value: id} }

// FromSnapshot returns the spec's Snapshot(id).
func FromSnapshot(id string) ImageSpec { return ImageSpec{Kind: ImageSnapshot, Value: id} }

// String renders "kind:value", the form ParseImageSpec reads.
func (s ImageSpec) String() string {
	if s.Kind == ImageNone {
		return ""
	}
	return s.Kind.String() + ":" + s.Value
}

var (
	ubuntuVersion = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}$`)
	debianVersion = regexp.MustCompile(`^[0-9]{1,2}$`)
)

// Validate checks the value for its kind, naming the field as "image.<kind>".
func (s ImageSpec) Validate() error {
	field := "image." + s.Kind.String()
	switch s.Kind {
	case ImageNone:
		return InvalidConfig("image", "exactly one of "+strings.Join(ImageKinds, ", ")+" must be set")
	case ImageUbuntu:
		if !ubuntuVersion.MatchString(s.Value) {
			return InvalidConfig(field, fmt.Sprintf("%q is not an Ubuntu release: use YY.MM, e.g. \"24.04\"", s.Value))
		}
	case ImageDebian:
		if !debianVersion.MatchString(s.Value) {
			return InvalidConfig(field, fmt.Sprintf("%q is not a Debian major version: use e.g. \"12\"", s.Value))
		}
	case ImageCustom, ImageSnapshot:
		if strings.TrimSpace(s.Value) == "" {
			return InvalidConfig(field, "must not be empty")
		}
	default:
		return InvalidConfig("image", fmt.Sprintf("unknown image kind %d", s.Kind))
	}
	return nil
}

// ParseImageSpec reads the "kind:value" form, e.g. "ubuntu:24.04" or
// "snapshot:1234", and validates it.
func ParseImageSpec(s string) (ImageSpec, error) {
	kind, value, ok := strings.Cut(s, ":")
	if !ok {
		return ImageSpec{}, InvalidConfig("image", fmt.Sprintf("%q is not of the form kind:value with kind one of %s", s, strings.Join(ImageKinds, ", ")))
	}
	for i, name := range ImageKinds {
		if strings.EqualFold(kind, name) {
			spec := ImageSpec{Kind: ImageKind(i + 1), Value: value}
			return spec, spec.Validate()
		}
	}
	return ImageSpec{}, InvalidConfig("image", fmt.Sprintf("unknown image kind %q: use one of %s", kind, strings.Join(ImageKinds, ", ")))
}
