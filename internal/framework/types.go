package framework

import (
	"maps"
	"net/netip"
	"slices"
	"time"
)

// The label every spuff-created resource carries. The provider only lists,
// changes or deletes what carries it.
const (
	ManagedByKey   = "managed-by"
	ManagedByValue = "spuff"
)

// InstanceRequest is the cloud-agnostic description of a machine to create.
// Each cloud translates it to its own API.
type InstanceRequest struct {
	// Name should be unique within the account.
	Name string
	// Region is the cloud's region or location identifier, e.g. "fsn1".
	Region string
	// Size is the cloud's machine type identifier, e.g. "cx23".
	Size string
	// Image is the base image.
	Image ImageSpec
	// UserData is raw cloud-init YAML (not base64); "" means none.
	// Clouds encode it as their API needs.
	UserData string
	// Labels identify the machine; include ManagedLabels for spuff filtering.
	Labels map[string]string
	// SSHKeys are the cloud's SSH key names or IDs to install. This goes
	// beyond the spec so that a Terraform user can reach the machine.
	SSHKeys []string
}

// Validate checks what every cloud requires, naming the offending field.
func (r InstanceRequest) Validate() error {
	switch {
	case r.Name == "":
		return InvalidConfig("name", "must not be empty")
	case r.Region == "":
		return InvalidConfig("region", "must not be empty")
	case r.Size == "":
		return InvalidConfig("size", "must not be empty")
	}
	if err := r.Image.Validate(); err != nil {
		return err
	}
	if r.Labels[ManagedByKey] != ManagedByValue {
		return InvalidConfig("labels", "must carry "+ManagedByKey+"="+ManagedByValue+" (use ManagedLabels)")
	}
	return nil
}

// ManagedLabels returns a copy of user with managed-by=spuff set. The user
// cannot override it: whatever they set for the key is replaced.
func ManagedLabels(user map[string]string) map[string]string {
	out := make(map[string]string, len(user)+1)
	maps.Copy(out, user)
	out[ManagedByKey] = ManagedByValue
	return out
}

// IsManaged reports whether labels carry managed-by=spuff.
func IsManaged(labels map[string]string) bool {
	return labels[ManagedByKey] == ManagedByValue
}

// UserLabels returns a copy of labels without the provider's own labels
// (ReservedLabelKeys): what the user set, as Terraform state keeps it.
func UserLabels(labels map[string]string) map[string]string {
	out := make(map[string]string, len(labels))
	for k, v := range labels {
		if !slices.Contains(ReservedLabelKeys, k) {
			out[k] = v
		}
	}
	return out
}

// Instance is a cloud machine as spuff sees it (the spec's ProviderInstance,
// extended with what the Terraform data source shows).
type Instance struct {
	// ID is the cloud's own identifier.
	ID string
	// IP is the public IPv4 address, or 0.0.0.0 (IPUnassigned) until assigned.
	IP     netip.Addr
	Status InstanceStatus
	// CreatedAt is when the cloud created the machine.
	CreatedAt time.Time

	Name   string
	Region string
	Size   string
	// Image is the image the machine was created from, mapped back to an
	// ImageSpec as well as the cloud allows; zero when unknown.
	Image  ImageSpec
	Labels map[string]string
	// DiskGB is the size of the machine's disk; 0 when the cloud does not say.
	DiskGB int
}

// IPUnassigned is the spec's "no IP yet" address.
var IPUnassigned = netip.IPv4Unspecified()

// HasIP reports whether a public IP has been assigned.
func (i *Instance) HasIP() bool {
	return i.IP.IsValid() && !i.IP.IsUnspecified()
}

// IsReady is the spec's ready condition: Active and a non-unspecified IP.
func (i *Instance) IsReady() bool {
	return i.Status.Kind == StatusActive && i.HasIP()
}

// Snapshot is a saved machine image.
type Snapshot struct {
	ID   string
	Name string
	// CreatedAt is nil when the cloud does not report it.
	CreatedAt *time.Time

	// InstanceID is the machine it was taken from, when the cloud says.
	InstanceID string
	Labels     map[string]string
	// DiskGB is the smallest disk a machine restored from the snapshot
	// needs; 0 when the cloud does not say.
	DiskGB int
}
