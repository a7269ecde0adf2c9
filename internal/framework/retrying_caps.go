package framework

import "context"

// The optional capabilities through the retry decorator: every wrapped
// cloud exposes them, and a cloud without one answers as if it had none.

var (
	_ InstanceUpdater = (*retrying)(nil)
	_ SnapshotUpdater = (*retrying)(nil)
	_ Cataloguer      = (*retrying)(nil)
)

// UpdateCapabilities returns the cloud's, or none.
func (r *retrying) UpdateCapabilities() UpdateCapabilities { return CapabilitiesOf(r.inner) }

// UpdateInstance converges the machine on the change, so a retry after an
// ambiguous failure is safe: what is already done is not done again.
func (r *retrying) UpdateInstance(ctx context.Context, id string, change InstanceChange) (*Instance, error) {
	u, ok := r.inner.(InstanceUpdater)
	if !ok {
		return nil, &NotSupportedError{Feature: "updating an instance in place"}
	}
	return retryValue(ctx, r, "update instance "+id, func(ctx context.Context) (*Instance, error) {
		return u.UpdateInstance(ctx, id, change)
	})
}

// UpdateSnapshot sets the whole name and label set, so retrying is safe.
func (r *retrying) UpdateSnapshot(ctx context.Context, id string, change SnapshotChange) (*Snapshot, error) {
	u, ok := r.inner.(SnapshotUpdater)
	if !ok {
		return nil, &NotSupportedError{Feature: "updating a snapshot in place"}
	}
	return retryValue(ctx, r, "update snapshot "+id, func(ctx context.Context) (*Snapshot, error) {
		return u.UpdateSnapshot(ctx, id, change)
	})
}

// Catalog fetches the cloud's catalogue, or says it has none.
func (r *retrying) Catalog(ctx context.Context) (*Catalog, error) {
	c, ok := r.inner.(Cataloguer)
	if !ok {
		return nil, &NotSupportedError{Feature: "listing the catalogue"}
	}
	return retryValue(ctx, r, "fetch catalogue", c.Catalog)
}

var _ LabelValidator = (*retrying)(nil)

// ValidateLabels forwards to the cloud's label rules, if it has any.
func (r *retrying) ValidateLabels(labels map[string]string) error {
	if v, ok := r.inner.(LabelValidator); ok {
		return v.ValidateLabels(labels)
	}
	return nil
}

var _ FilteringLister = (*retrying)(nil)

// ListInstancesFiltered uses the cloud's filter when it has one.
func (r *retrying) ListInstancesFiltered(ctx context.Context, f InstanceFilter) ([]Instance, error) {
	fl, ok := r.inner.(FilteringLister)
	if !ok {
		return r.ListInstances(ctx)
	}
	return retryValue(ctx, r, "list instances", func(ctx context.Context) ([]Instance, error) {
		return fl.ListInstancesFiltered(ctx, f)
	})
}
