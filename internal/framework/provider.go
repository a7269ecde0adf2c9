package framework

import "context"

// Provider is the contract every cloud implements. Every method takes a
// context: cancelling it aborts the HTTP calls and waits in flight.
type Provider interface {
	// Name returns the cloud's canonical name, e.g. "hetzner", for logs.
	Name() string

	// CreateInstance creates a machine and returns at once; the machine may
	// still be initializing. Use WaitReady to wait for it.
	CreateInstance(ctx context.Context, req InstanceRequest) (*Instance, error)

	// DestroyInstance deletes a machine without waiting for it to be gone.
	// It is idempotent: a machine that does not exist is not an error.
	DestroyInstance(ctx context.Context, id string) error

	// GetInstance returns the machine, or (nil, nil) when it does not exist.
	GetInstance(ctx context.Context, id string) (*Instance, error)

	// ListInstances returns every machine carrying the managed-by=spuff
	// label, across all pages, filtered by the cloud where it can.
	ListInstances(ctx context.Context) ([]Instance, error)

	// WaitReady waits until the machine is Active and has a public IP, bounded
	// by Timeouts.InstanceReady and by ctx.
	WaitReady(ctx context.Context, id string) (*Instance, error)

	// WaitGone waits until a machine DestroyInstance accepted no longer
	// exists (or is archived: EC2 keeps terminated machines visible),
	// bounded by ctx. Concurrent waits of one process share their polls
	// (see GoneWatcher).
	WaitGone(ctx context.Context, id string) error

	// CreateSnapshot snapshots a machine, waits for the snapshot to complete
	// and labels it managed-by=spuff. When the snapshot was started but the
	// wait failed, the error is an *IncompleteError carrying its ID.
	CreateSnapshot(ctx context.Context, instanceID, name string) (*Snapshot, error)

	// ListSnapshots returns every snapshot carrying the managed-by=spuff label.
	ListSnapshots(ctx context.Context) ([]Snapshot, error)

	// DeleteSnapshot deletes a snapshot. It is idempotent.
	DeleteSnapshot(ctx context.Context, id string) error

	// SSHKeys returns the identifiers of the account's SSH keys.
	// Defaults provides the spec's default: none.
	SSHKeys(ctx context.Context) ([]string, error)

	// SupportsSnapshots reports whether the cloud can snapshot machines.
	// Defaults provides the spec's default: true.
	SupportsSnapshots() bool
}

// Defaults carries the spec's defaults for the optional Provider methods.
// Embed it in a cloud's provider and override what the cloud supports.
type Defaults struct{}

// SSHKeys returns no keys, the spec's default.
func (Defaults) SSHKeys(context.Context) ([]string, error) { return []string{}, nil }

// SupportsSnapshots returns true, the spec's default.
func (Defaults) SupportsSnapshots() bool { return true }

// SnapshotGetter is implemented by clouds that can fetch one snapshot by ID.
// GetSnapshot falls back to listing for the others.
type SnapshotGetter interface {
	// GetSnapshot returns the snapshot, or (nil, nil) when it does not exist.
	GetSnapshot(ctx context.Context, id string) (*Snapshot, error)
}

// RequestValidator is implemented by clouds that can check a request against
// their own rules (name syntax, label charset, user-data size) before any API
// call, so that bad input is reported at plan time.
type RequestValidator interface {
	ValidateRequest(req InstanceRequest) error
}

// GetSnapshot returns the snapshot with the given ID, or (nil, nil) when it
// does not exist, using the cloud's direct lookup when it has one.
func GetSnapshot(ctx context.Context, p Provider, id string) (*Snapshot, error) {
	if g, ok := p.(SnapshotGetter); ok {
		return g.GetSnapshot(ctx, id)
	}
	snaps, err := p.ListSnapshots(ctx)
	if err != nil {
		return nil, err
	}
	for i := range snaps {
		if snaps[i].ID == id {
			return &snaps[i], nil
		}
	}
	return nil, nil
}

// ValidateRequest runs the generic checks and then the cloud's own, if any.
func ValidateRequest(p Provider, req InstanceRequest) error {
	if err := req.Validate(); err != nil {
		return err
	}
	if v, ok := p.(RequestValidator); ok {
		return v.ValidateRequest(req)
	}
	return nil
}
