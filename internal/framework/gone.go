package framework

import (
	"context"
	"time"
)

// Confirming that deleted machines are gone goes through a watcher too, so
// that the deletes of one apply share their polls. A cloud that can ask
// about many machines at once supplies its own PollMany; PollEach adapts a
// per-machine read for the others.

// goneFirstLook is the pause before the first look after a delete: short,
// as many clouds delete at once, but long enough for the deletes of one
// apply, answered within a few milliseconds of each other, to share it.
const goneFirstLook = 50 * time.Millisecond

// GoneState judges a machine read after its delete: gone when it no longer
// exists or is archived.
func GoneState(inst *Instance) WatchState {
	return WatchState{Done: inst == nil || inst.Status.Kind == StatusArchive}
}

// PollEach makes a PollMany from a read of one machine ((nil, nil) when it
// does not exist): one request per machine and poll, but the polls of
// concurrent waits coincide. The first error fails the poll.
func PollEach(get func(ctx context.Context, id string) (*Instance, error)) PollMany[struct{}] {
	return func(ctx context.Context, ids map[string]struct{}) (map[string]WatchState, error) {
		out := make(map[string]WatchState, len(ids))
		for id := range ids {
			inst, err := get(ctx, id)
			if err != nil {
				return nil, err
			}
			out[id] = GoneState(inst)
		}
		return out, nil
	}
}

// ReadEachOrList makes a read of many machines for clouds that cannot read
// machines by a list of IDs: while they are no more than pages (the page
// count of the last list of managed machines, at least 1), each is read
// and the answer holds every one that exists, managed or not; beyond, the
// managed machines are listed once and the answer holds those of ids among
// them (so a machine missing from it is gone, or not spuff's).
func ReadEachOrList(get func(ctx context.Context, id string) (*Instance, error),
	listManaged func(ctx context.Context) ([]Instance, error), pages func() int64) func(ctx context.Context, ids map[string]struct{}) (map[string]*Instance, error) {
	return func(ctx context.Context, ids map[string]struct{}) (map[string]*Instance, error) {
		out := make(map[string]*Instance, len(ids))
		if int64(len(ids)) <= max(pages(), 1) {
			for id := range ids {
				inst, err := get(ctx, id)
				if err != nil {
					return nil, err
				}
				if inst != nil {
					out[id] = inst
				}
			}
			return out, nil
		}
		list, err := listManaged(ctx)
		if err != nil {
			return nil, err
		}
		for i := range list {
			if _, ok := ids[list[i].ID]; ok {
				out[list[i].ID] = &list[i]
			}
		}
		return out, nil
	}
}

// PollEachOrList makes a PollMany over ReadEachOrList: a machine missing
// from the answer is gone. Only machines DestroyInstance accepted, which
// are managed, are waited for, so a list holds every one still there.
func PollEachOrList(get func(ctx context.Context, id string) (*Instance, error),
	listManaged func(ctx context.Context) ([]Instance, error), pages func() int64) PollMany[struct{}] {
	read := ReadEachOrList(get, listManaged, pages)
	return func(ctx context.Context, ids map[string]struct{}) (map[string]WatchState, error) {
		found, err := read(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[string]WatchState, len(ids))
		for id := range ids {
			out[id] = GoneState(found[id])
		}
		return out, nil
	}
}

// GoneWatcher returns the watcher of a cloud's deletes over poll, polled
// with the framework's backoff capped at t.PollInterval.
func GoneWatcher(poll PollMany[struct{}], t Timeouts, log LogFunc, fields ...map[string]any) *Watcher[struct{}] {
	cfg := WatcherConfig[struct{}]{
		Poll:           poll,
		PollInterval:   t.PollInterval,
		RequestTimeout: t.HTTPRequest,
		Log:            log,
		Message:        "waiting for instance deletion",
	}
	if len(fields) > 0 {
		cfg.Fields = fields[0]
	}
	return NewWatcher(cfg)
}

// WaitGone waits on w until the machine is gone, bounded by ctx; a
// deadline becomes a TimeoutError.
func WaitGone(ctx context.Context, w *Watcher[struct{}], id string) error {
	return w.Wait(ctx, Watch[struct{}]{Key: id, FirstLook: goneFirstLook, Operation: "waiting for instance " + id + " to be deleted"})
}
