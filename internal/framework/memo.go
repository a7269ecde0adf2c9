package framework

import (
	"context"
	"errors"
	"sync"
)

// Memo keeps what a lookup found, per key, for the life of a provider
// process: the images a name resolves to, a type's architecture, the
// regions. The first caller of a key fetches it; callers of the same key
// meanwhile wait for that fetch and share its answer, so that ten
// concurrent reads of machines booted from one image cost one lookup, and
// callers of other keys are not held up. A failed fetch is not kept: its
// waiters get its error, unless it failed only because its own caller
// gave up (its context ended), in which case the next of them fetches.
type Memo[K comparable, V any] struct {
	mu   sync.Mutex
	done map[K]V
	busy map[K]*memoCall[V]
}

type memoCall[V any] struct {
	finished chan struct{}
	v        V
	err      error
}

// Get returns key's value, fetching it when no earlier call found it.
func (m *Memo[K, V]) Get(ctx context.Context, key K, fetch func(context.Context) (V, error)) (V, error) {
	for {
		m.mu.Lock()
		if v, ok := m.done[key]; ok {
			m.mu.Unlock()
			return v, nil
		}
		if c, ok := m.busy[key]; ok {
			m.mu.Unlock()
			select {
			case <-c.finished:
			case <-ctx.Done():
				var zero V
				return zero, ctx.Err()
			}
			if c.err == nil {
				return c.v, nil
			}
			if isContextEnd(c.err) && ctx.Err() == nil {
				continue // the fetcher's caller gave up, not the lookup
			}
			var zero V
			return zero, c.err
		}
		c := &memoCall[V]{finished: make(chan struct{})}
		if m.busy == nil {
			m.busy = map[K]*memoCall[V]{}
		}
		m.busy[key] = c
		m.mu.Unlock()

		c.v, c.err = fetch(ctx)
		m.mu.Lock()
		delete(m.busy, key)
		if c.err == nil {
			if m.done == nil {
				m.done = map[K]V{}
			}
			m.done[key] = c.v
		}
		m.mu.Unlock()
		close(c.finished)
		return c.v, c.err
	}
}

func isContextEnd(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
