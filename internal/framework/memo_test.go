package framework

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Concurrent callers of one key share one fetch; a second key is not held
// up by the first one's fetch.
func TestMemoSharesOneFetchPerKey(t *testing.T) {
	var m Memo[string, int]
	var fetches atomic.Int32
	release := make(chan struct{})
	slow := func(context.Context) (int, error) {
		fetches.Add(1)
		<-release
		return 7, nil
	}
	var wg sync.WaitGroup
	got := make([]int, 10)
	for i := range got {
		wg.Go(func() {
			v, err := m.Get(context.Background(), "ami", slow)
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	// Another key answers while "ami" is still being fetched.
	v, err := m.Get(context.Background(), "other", func(context.Context) (int, error) { return 1, nil })
	if err != nil || v != 1 {
		t.Fatalf("other key: %d, %v", v, err)
	}
	close(release)
	wg.Wait()
	for i, v := range got {
		if v != 7 {
			t.Fatalf("caller %d got %d, want 7", i, v)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d fetches of one key, want 1", n)
	}
	if v, _ := m.Get(context.Background(), "ami", slow); v != 7 || fetches.Load() != 1 {
		t.Fatalf("a kept value was fetched again (%d fetches)", fetches.Load())
	}
}

// A failure is shared with the callers waiting for it but not kept.
func TestMemoKeepsNoFailure(t *testing.T) {
	var m Memo[string, int]
	boom := errors.New("boom")
	calls := 0
	fetch := func(context.Context) (int, error) {
		calls++
		if calls == 1 {
			return 0, boom
		}
		return 2, nil
	}
	if _, err := m.Get(context.Background(), "k", fetch); !errors.Is(err, boom) {
		t.Fatalf("first: %v, want boom", err)
	}
	if v, err := m.Get(context.Background(), "k", fetch); err != nil || v != 2 {
		t.Fatalf("second: %d, %v; want 2 from a new fetch", v, err)
	}
}

// A fetch that failed because its own caller gave up makes a waiter with
// time left fetch again, instead of handing it the other's cancellation.
func TestMemoWaiterRefetchesAfterTheFetchersCancel(t *testing.T) {
	var m Memo[string, int]
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	go func() {
		_, _ = m.Get(ctx, "k", func(ctx context.Context) (int, error) {
			close(started)
			<-ctx.Done()
			return 0, ctx.Err()
		})
	}()
	<-started
	done := make(chan error, 1)
	go func() {
		v, err := m.Get(context.Background(), "k", func(context.Context) (int, error) { return 3, nil })
		if err == nil && v != 3 {
			err = errors.New("wrong value")
		}
		done <- err
	}()
	time.Sleep(10 * time.Millisecond) // let the waiter wait
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("waiter: %v, want 3 from its own fetch", err)
	}
}
