package framework

import (
	"context"
	"maps"
)

// The in-place update capability. The spec's abstraction can only create and
// destroy; a cloud that can change a machine or a snapshot without replacing
// it implements InstanceUpdater or SnapshotUpdater and says, through
// UpdateCapabilities, which changes it makes in place. Callers decide
// update-or-replace from the capabilities before any call (Terraform does so
// at plan time), so what a cloud cannot change is replaced, never attempted.

// UpdateCapabilities says which changes a cloud makes in place.
type UpdateCapabilities struct {
	// Name renames a machine in place.
	Name bool
	// Labels replaces a machine's user labels in place.
	Labels bool
	// Resize changes a machine's size in place. The machine may be powered
	// off while it changes (ResizePowersOff); CanResize tells, from the
	// catalogue, which size changes qualify.
	Resize bool
	// ResizePowersOff is true when a resize stops the machine for its
	// duration (and starts it again afterwards).
	ResizePowersOff bool
	// ResizeKeepsDisk is true when a resize leaves the disk as it was, so a
	// machine can only move to sizes whose disk is at least as large as its
	// own (disks never shrink).
	ResizeKeepsDisk bool
	// ResizeChangesAddress is true when the machine comes back from a
	// resize with another public IPv4 (EC2 without an Elastic IP).
	ResizeChangesAddress bool
	// SnapshotName and SnapshotLabels change a snapshot in place.
	SnapshotName   bool
	SnapshotLabels bool
}

// InstanceChange is an in-place change of a machine. Nil fields are left as
// they are.
type InstanceChange struct {
	Name *string
	// Labels are the user's labels, without ReservedLabelKeys: the cloud keeps
	// its managed-by and request-ID labels as they are.
	Labels map[string]string
	// Size is the new machine type.
	Size *string
}

// IsEmpty reports whether the change changes nothing.
func (c InstanceChange) IsEmpty() bool {
	return c.Name == nil && c.Labels == nil && c.Size == nil
}

// InstanceUpdater is implemented by clouds that change machines in place.
// UpdateInstance refuses a machine that does not carry managed-by=spuff,
// applies the change (for a resize: power off, change the type, power on
// again if it was running, each bounded by ctx) and returns the machine as
// it is afterwards.
type InstanceUpdater interface {
	UpdateCapabilities() UpdateCapabilities
	UpdateInstance(ctx context.Context, id string, change InstanceChange) (*Instance, error)
}

// SnapshotChange is an in-place change of a snapshot. Nil fields are left as
// they are; Labels are the user's, as in InstanceChange.
type SnapshotChange struct {
	Name   *string
	Labels map[string]string
}

// SnapshotUpdater is implemented by clouds that change snapshots in place.
// UpdateSnapshot refuses a snapshot without managed-by=spuff.
type SnapshotUpdater interface {
	UpdateSnapshot(ctx context.Context, id string, change SnapshotChange) (*Snapshot, error)
}

// CapabilitiesOf returns what p changes in place; none when p cannot update.
func CapabilitiesOf(p Provider) UpdateCapabilities {
	if u, ok := p.(InstanceUpdater); ok {
		return u.UpdateCapabilities()
	}
	return UpdateCapabilities{}
}

// MergeLabels returns the labels a machine or snapshot gets when its user
// labels become user: the reserved labels of current are kept (managed-by
// is always set), every other label is replaced.
func MergeLabels(current, user map[string]string) map[string]string {
	out := make(map[string]string, len(user)+len(ReservedLabelKeys))
	maps.Copy(out, UserLabels(user))
	for _, k := range ReservedLabelKeys {
		if v, ok := current[k]; ok {
			out[k] = v
		}
	}
	out[ManagedByKey] = ManagedByValue
	return out
}
