package framework

import (
	"context"
	"sync"
	"time"
)

// Seen keeps, per machine waited for, the last state a batched poll saw
// of it and how many polls in a row missed it, so that a finished wait
// returns the machine without another read, and a machine a just-made
// create's reads do not find yet is given a few polls. Clouds whose polls
// read the machines (not only their actions) share it.
type Seen struct {
	mu     sync.Mutex
	last   map[string]*Instance
	misses map[string]int
}

// Miss counts a poll that did not find id and returns the count so far;
// found resets it to 0.
func (s *Seen) Miss(id string, found bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.misses == nil {
		s.misses = map[string]int{}
	}
	if found {
		delete(s.misses, id)
		return 0
	}
	s.misses[id]++
	return s.misses[id]
}

// Put records inst as the last state of id.
func (s *Seen) Put(id string, inst *Instance) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		s.last = map[string]*Instance{}
	}
	s.last[id] = inst
}

// Take returns and forgets the last state of id (nil when none).
func (s *Seen) Take(id string) *Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst := s.last[id]
	delete(s.last, id)
	delete(s.misses, id)
	return inst
}

// ReadyStates judges each machine waited for by what one poll found (a
// machine missing from found was not found), and keeps a ready one's state
// for Take.
func (s *Seen) ReadyStates(ids map[string]struct{}, found map[string]*Instance) map[string]WatchState {
	out := make(map[string]WatchState, len(ids))
	for id := range ids {
		st := ReadyState(id, found[id], s.Miss(id, found[id] != nil))
		if st.Done {
			s.Put(id, found[id])
		}
		out[id] = st
	}
	return out
}

// WaitReady waits for id on w, whose polls judge by ReadyStates, and
// returns the machine the last poll saw; nil, nil when it kept none, so the
// cloud reads it itself.
func (s *Seen) WaitReady(ctx context.Context, w *Watcher[struct{}], watch Watch[struct{}]) (*Instance, error) {
	if err := w.Wait(ctx, watch); err != nil {
		s.Take(watch.Key)
		return nil, err
	}
	return s.Take(watch.Key), nil
}

// NotFoundPolls is how many polls in a row may miss a machine waited for
// before its wait fails: a machine just made can be missing from a read
// for a moment (eventual consistency).
const NotFoundPolls = 3

// ReadyState judges a machine a poll read (nil: not found, misses polls in
// a row): ready when active with a public IPv4; one that stays missing, or
// is archived, fails the wait.
func ReadyState(id string, inst *Instance, misses int) WatchState {
	switch {
	case inst == nil && misses < NotFoundPolls:
		return WatchState{}
	case inst == nil:
		return WatchState{Err: NotFound("instance", id)}
	case inst.Status.Kind == StatusArchive:
		return WatchState{Err: API(0, "instance "+id+" was deleted while waiting for it to be ready")}
	}
	return WatchState{Done: inst.IsReady()}
}

// ReadyFirstLook is the first poll after a create: soon, so that a machine
// ready at once (a simulator with instant readiness) is seen at once, and
// the creates of one apply, answered within milliseconds of each other,
// still share it. A real machine takes seconds: it costs that one look.
const ReadyFirstLook = 150 * time.Millisecond
