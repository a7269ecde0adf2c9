package framework

import (
	"context"
	"sync"
	"time"
)

// ManyReader is a cloud that reads many machines in one go (typically
// ReadEachOrList: one list of the managed machines instead of a read
// each), so that the managed-by checks of concurrent deletes share their
// requests. The answer holds the machines of ids that exist, by ID; one
// missing from it may be gone or not spuff's.
type ManyReader interface {
	ReadInstances(ctx context.Context, ids map[string]struct{}) (map[string]*Instance, error)
}

// batchLinger is how long a read waits for others to join its batch: the
// deletes Terraform starts together (up to -parallelism) arrive within
// tens of milliseconds of each other (measured: 20 ms left them in batches
// of one to three, 2.6 requests per destroyed machine on Hetzner; 50 ms
// catches a wave, 2.4).
const batchLinger = 50 * time.Millisecond

// readBatch coalesces concurrent reads of single machines into one
// ManyReader call per batchLinger.
type readBatch struct {
	read func(ctx context.Context, ids map[string]struct{}) (map[string]*Instance, error)

	mu      sync.Mutex
	pending map[string][]chan batchAnswer
	ctx     context.Context // the first waiter's, without its cancellation
}

type batchAnswer struct {
	inst  *Instance
	found bool
	err   error
}

// get returns the machine (found) or that the batch's answer did not hold
// it (not found: gone, or not spuff's).
func (b *readBatch) get(ctx context.Context, id string) (inst *Instance, found bool, err error) {
	ch := make(chan batchAnswer, 1)
	b.mu.Lock()
	if b.pending == nil {
		b.pending = map[string][]chan batchAnswer{}
		b.ctx = context.WithoutCancel(ctx)
		time.AfterFunc(batchLinger, b.flush)
	}
	b.pending[id] = append(b.pending[id], ch)
	b.mu.Unlock()
	select {
	case a := <-ch:
		return a.inst, a.found, a.err
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

// flush reads the pending machines in one call and answers every waiter.
// The call runs without any waiter's cancellation (one giving up must not
// fail the others), bounded by readBatchTimeout.
func (b *readBatch) flush() {
	b.mu.Lock()
	pending, ctx := b.pending, b.ctx
	b.pending, b.ctx = nil, nil
	b.mu.Unlock()
	ids := make(map[string]struct{}, len(pending))
	for id := range pending {
		ids[id] = struct{}{}
	}
	ctx, cancel := context.WithTimeout(ctx, readBatchTimeout)
	defer cancel()
	got, err := b.read(ctx, ids)
	for id, chans := range pending {
		inst, found := got[id]
		for _, ch := range chans {
			ch <- batchAnswer{inst: inst, found: found, err: err}
		}
	}
}

// readBatchTimeout bounds one batched read, retries included; each waiter
// is bounded by its own context too.
const readBatchTimeout = 5 * time.Minute
