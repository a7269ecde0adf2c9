package framework

import (
	"context"
	"errors"
	"maps"
	"time"
)

// InstanceFinder is implemented by clouds that can list the managed
// instances of one name cheaply; WithRetry falls back to ListInstances.
type InstanceFinder interface {
	FindInstances(ctx context.Context, name string) ([]Instance, error)
}

// SnapshotStarter is implemented by clouds whose snapshot creation can be
// split in two: StartSnapshot returns as soon as the cloud has accepted the
// snapshot (so its ID is known), WaitSnapshot waits until it is complete,
// bounded by Timeouts.ActionComplete. WithRetry needs the split to retry a
// start whose answer was lost without taking a second snapshot.
type SnapshotStarter interface {
	StartSnapshot(ctx context.Context, instanceID, name string, labels map[string]string) (*Snapshot, error)
	WaitSnapshot(ctx context.Context, id string) (*Snapshot, error)
}

// WithRetry wraps p so that every call follows policy: transient failures
// are retried with backoff, within ctx. Creates are made idempotent: each
// carries a one-off RequestIDKey label, and after an attempt whose outcome
// is unknown the resource is looked up by name and token and adopted
// instead of being created twice. log, when set, hears of every retry.
func WithRetry(p Provider, policy RetryPolicy, log LogFunc) Provider {
	if policy.MaxAttempts < 1 {
		policy.MaxAttempts = 1
	}
	r := &retrying{inner: p, policy: policy, log: log}
	if mr, ok := p.(ManyReader); ok {
		r.guards = &readBatch{read: func(ctx context.Context, ids map[string]struct{}) (map[string]*Instance, error) {
			return retryValue(ctx, r, "read instances", func(ctx context.Context) (map[string]*Instance, error) {
				return mr.ReadInstances(ctx, ids)
			})
		}}
	}
	return r
}

type retrying struct {
	inner  Provider
	policy RetryPolicy
	log    LogFunc
	// guards batches the managed-by checks of concurrent deletes, when
	// the cloud can read many machines at once (ManyReader).
	guards *readBatch
}

var (
	_ Provider         = (*retrying)(nil)
	_ SnapshotGetter   = (*retrying)(nil)
	_ RequestValidator = (*retrying)(nil)
)

func (r *retrying) logf(ctx context.Context, msg string, fields map[string]any) {
	if r.log != nil {
		r.log(ctx, msg, fields)
	}
}

func (r *retrying) onRetry(ctx context.Context, what string) func(int, error, time.Duration) {
	return func(attempt int, err error, delay time.Duration) {
		r.logf(ctx, "retrying cloud call", map[string]any{"call": what, "attempt": attempt + 1, "error": err.Error(), "delay": delay.String()})
	}
}

// retryValue runs op under the policy and returns its last value.
func retryValue[T any](ctx context.Context, r *retrying, what string, op func(context.Context) (T, error)) (T, error) {
	var out T
	err := r.policy.Do(ctx, func(ctx context.Context) error {
		v, err := op(ctx)
		if err == nil {
			out = v
		}
		return err
	}, r.onRetry(ctx, what))
	return out, err
}

func (r *retrying) Name() string            { return r.inner.Name() }
func (r *retrying) SupportsSnapshots() bool { return r.inner.SupportsSnapshots() }

// ValidateRequest forwards to the cloud's own checks, if it has any.
func (r *retrying) ValidateRequest(req InstanceRequest) error {
	if v, ok := r.inner.(RequestValidator); ok {
		return v.ValidateRequest(req)
	}
	return nil
}

func (r *retrying) GetInstance(ctx context.Context, id string) (*Instance, error) {
	return retryValue(ctx, r, "get instance "+id, func(ctx context.Context) (*Instance, error) {
		return r.inner.GetInstance(ctx, id)
	})
}

// ListInstances is retried as a whole, unless the cloud's error says its
// pages were retried already (AllPages marks them, see Retried).
func (r *retrying) ListInstances(ctx context.Context) ([]Instance, error) {
	return retryValue(ctx, r, "list instances", r.inner.ListInstances)
}

// DestroyInstance refuses a machine without managed-by=spuff, for every
// cloud: the provider only ever deletes what it created. It is idempotent,
// so retrying it is always safe; a machine already gone is not an error.
func (r *retrying) DestroyInstance(ctx context.Context, id string) error {
	inst, err := r.guardRead(ctx, id)
	switch {
	case err != nil:
		return err
	case inst == nil:
		return nil
	case !IsManaged(inst.Labels):
		return NotManaged("instance", id)
	}
	return r.policy.Do(ctx, func(ctx context.Context) error {
		return r.inner.DestroyInstance(ctx, id)
	}, r.onRetry(ctx, "destroy instance "+id))
}

// guardRead reads the machine for the managed-by check before a delete:
// in a batch with the checks of concurrent deletes where the cloud reads
// many at once, else on its own. A machine the batch's answer lacks (gone,
// or not spuff's: a list holds only managed machines) is read on its own,
// which tells the two apart.
func (r *retrying) guardRead(ctx context.Context, id string) (*Instance, error) {
	if r.guards != nil {
		inst, found, err := r.guards.get(ctx, id)
		if err != nil || found {
			return inst, err
		}
	}
	return r.GetInstance(ctx, id)
}

// WaitReady is not retried: the wait polls through transient errors itself,
// and retrying a wait that timed out would overrun the caller's bound.
func (r *retrying) WaitReady(ctx context.Context, id string) (*Instance, error) {
	return r.inner.WaitReady(ctx, id)
}

// WaitGone is not retried, as WaitReady: the wait polls through transient
// errors itself.
func (r *retrying) WaitGone(ctx context.Context, id string) error {
	return r.inner.WaitGone(ctx, id)
}

func (r *retrying) ListSnapshots(ctx context.Context) ([]Snapshot, error) {
	return retryValue(ctx, r, "list snapshots", r.inner.ListSnapshots)
}

func (r *retrying) GetSnapshot(ctx context.Context, id string) (*Snapshot, error) {
	return retryValue(ctx, r, "get snapshot "+id, func(ctx context.Context) (*Snapshot, error) {
		return GetSnapshot(ctx, r.inner, id)
	})
}

// DeleteSnapshot refuses a snapshot without managed-by=spuff, as
// DestroyInstance does, and is idempotent.
func (r *retrying) DeleteSnapshot(ctx context.Context, id string) error {
	snap, err := r.GetSnapshot(ctx, id)
	switch {
	case err != nil:
		return err
	case snap == nil:
		return nil
	case !IsManaged(snap.Labels):
		return NotManaged("snapshot", id)
	}
	return r.policy.Do(ctx, func(ctx context.Context) error {
		return r.inner.DeleteSnapshot(ctx, id)
	}, r.onRetry(ctx, "delete snapshot "+id))
}

func (r *retrying) SSHKeys(ctx context.Context) ([]string, error) {
	return retryValue(ctx, r, "list ssh keys", r.inner.SSHKeys)
}

// createOnce runs create under the policy without ever creating twice. The
// caller labels what it creates with a one-off token; find returns the
// resource carrying it, or nil. After an attempt whose outcome is unknown
// (an ambiguous error, or ctx ending with the request in flight) find is
// asked, and what it finds is adopted instead of created again. After ctx
// ended it is asked once, on a detached context, so a cancelled create is
// returned (and recorded) rather than orphaned.
func createOnce[T any](ctx context.Context, r *retrying, what string, create, find func(context.Context) (*T, error)) (*T, error) {
	var uncertain bool
	t := tries{p: r.policy}
	for attempt := 0; ; attempt++ {
		res, err := create(ctx)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			lctx, cancel := detached(ctx)
			found, ferr := find(lctx)
			cancel()
			if ferr == nil && found != nil {
				return found, nil
			}
			return nil, err
		}
		uncertain = uncertain || IsAmbiguous(err)
		if uncertain {
			if found, ferr := retryValue(ctx, r, "find after "+what, find); ferr == nil && found != nil {
				return found, nil
			}
		}
		d, ok := t.again(attempt, err)
		if !ok {
			return nil, err
		}
		r.onRetry(ctx, what)(attempt, err, d)
		if !sleep(ctx, d) {
			return nil, err
		}
	}
}

// CreateInstance retries a create without ever making two machines.
func (r *retrying) CreateInstance(ctx context.Context, req InstanceRequest) (*Instance, error) {
	token := newRequestID()
	req.Labels = maps.Clone(req.Labels)
	if req.Labels == nil {
		req.Labels = map[string]string{}
	}
	req.Labels[RequestIDKey] = token

	list := func(ctx context.Context) ([]Instance, error) {
		if f, ok := r.inner.(InstanceFinder); ok {
			return f.FindInstances(ctx, req.Name)
		}
		return r.inner.ListInstances(ctx)
	}
	mine := func(ctx context.Context) (*Instance, error) {
		all, err := list(ctx)
		found := matchInstance(all, req.Name, token)
		if err == nil && found != nil {
			r.logf(ctx, "adopted the instance this call created although its answer was lost", map[string]any{"id": found.ID, "name": req.Name})
		}
		return found, err
	}
	inst, err := createOnce(ctx, r, "create instance "+req.Name, func(ctx context.Context) (*Instance, error) {
		return r.inner.CreateInstance(ctx, req)
	}, mine)
	if !isNameConflict(err) || ctx.Err() != nil {
		return inst, err
	}
	// The name is taken: by this call's machine (adopt it), or by another
	// one, which the user should hear about by ID.
	all, ferr := retryValue(ctx, r, "find instance "+req.Name, list)
	if ferr != nil {
		return nil, err
	}
	if found := matchInstance(all, req.Name, token); found != nil {
		return found, nil
	}
	if other := matchInstance(all, req.Name, ""); other != nil {
		return nil, &NameTakenError{Name: req.Name, ID: other.ID}
	}
	return nil, err
}

// matchInstance returns the instance of that name carrying token, or with
// token "" the first of that name.
func matchInstance(list []Instance, name, token string) *Instance {
	for i := range list {
		if list[i].Name == name && (token == "" || list[i].Labels[RequestIDKey] == token) {
			return &list[i]
		}
	}
	return nil
}

func isNameConflict(err error) bool {
	var ic *InvalidConfigError
	return errors.As(err, &ic) && ic.Field == "name"
}

// CreateSnapshot starts the snapshot idempotently, then waits for it. When
// the cloud cannot split the two, only refusals that left nothing behind
// (rate limits) are retried.
func (r *retrying) CreateSnapshot(ctx context.Context, instanceID, name string) (*Snapshot, error) {
	starter, ok := r.inner.(SnapshotStarter)
	if !ok {
		var rl *RateLimitError
		var out *Snapshot
		err := r.policy.Do(ctx, func(ctx context.Context) error {
			s, err := r.inner.CreateSnapshot(ctx, instanceID, name)
			if err != nil && !errors.As(err, &rl) {
				return permanent{err}
			}
			out = s
			return err
		}, r.onRetry(ctx, "create snapshot "+name))
		var p permanent
		if errors.As(err, &p) {
			return nil, p.err
		}
		return out, err
	}

	token := newRequestID()
	labels := map[string]string{RequestIDKey: token}
	snap, err := createOnce(ctx, r, "start snapshot "+name, func(ctx context.Context) (*Snapshot, error) {
		return starter.StartSnapshot(ctx, instanceID, name, labels)
	}, func(ctx context.Context) (*Snapshot, error) {
		all, err := r.inner.ListSnapshots(ctx)
		found := matchSnapshot(all, token)
		if err == nil && found != nil {
			r.logf(ctx, "adopted the snapshot this call started although its answer was lost", map[string]any{"id": found.ID, "name": name})
		}
		return found, err
	})
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		// Adopted after a cancellation: recorded by the caller through the
		// IncompleteError, not waited for.
		return nil, &IncompleteError{ResourceType: "snapshot", ID: snap.ID, Err: ctx.Err()}
	}
	done, err := starter.WaitSnapshot(ctx, snap.ID)
	if err != nil {
		return nil, &IncompleteError{ResourceType: "snapshot", ID: snap.ID, Err: err}
	}
	return done, nil
}

func matchSnapshot(list []Snapshot, token string) *Snapshot {
	for i := range list {
		if list[i].Labels[RequestIDKey] == token {
			return &list[i]
		}
	}
	return nil
}

// lookupAfterCancel bounds the one lookup made after the caller's context
// ended, on a context of its own.
const lookupAfterCancel = 30 * time.Second

// detached returns a context that outlives ctx's cancellation but keeps its
// values (loggers), bounded by lookupAfterCancel.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), lookupAfterCancel)
}

// permanent marks an error the policy must not retry.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
