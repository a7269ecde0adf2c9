package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fastPolicy keeps retry tests quick: 1 ms pauses, server hints capped at 5 ms.
func fastPolicy(attempts int) RetryPolicy {
	return RetryPolicy{MaxAttempts: attempts, Backoff: Backoff{Initial: time.Millisecond, Multiplier: 1, Max: time.Millisecond}, MaxHint: 5 * time.Millisecond}
}

func TestTransientAndAmbiguous(t *testing.T) {
	tests := []struct {
		name                 string
		err                  error
		transient, ambiguous bool
	}{
		{"rate limit", RateLimit(time.Second), true, false},
		{"network", &NetworkError{Err: io.EOF}, true, true},
		{"timeout", Timeout("x", time.Second), true, true},
		{"500", API(500, "x"), true, true},
		{"502", API(502, "x"), true, true},
		{"503", API(503, "x"), true, true},
		{"504", API(504, "x"), true, true},
		{"501", API(501, "x"), false, false},
		{"423", API(423, "locked"), false, false},
		{"404", API(404, "x"), false, false},
		{"invalid", InvalidConfig("name", "x"), false, false},
		{"auth", Auth("h", "x"), false, false},
		{"wrapped 503", fmt.Errorf("x: %w", API(503, "x")), true, true},
		{"plain", errors.New("x"), false, false},
		{"refused connection", refused(), true, false},
		{"wrapped refused connection", fmt.Errorf("x: %w", refused()), true, false},
	}
	for _, tt := range tests {
		if got := IsTransient(tt.err); got != tt.transient {
			t.Errorf("%s: IsTransient = %v, want %v", tt.name, got, tt.transient)
		}
		if got := IsAmbiguous(tt.err); got != tt.ambiguous {
			t.Errorf("%s: IsAmbiguous = %v, want %v", tt.name, got, tt.ambiguous)
		}
	}
}

func TestRetryDo(t *testing.T) {
	ctx := context.Background()
	t.Run("succeeds after transient failures", func(t *testing.T) {
		n := 0
		err := fastPolicy(5).Do(ctx, func(context.Context) error {
			if n++; n < 3 {
				return API(503, "unavailable")
			}
			return nil
		}, nil)
		if err != nil || n != 3 {
			t.Fatalf("err = %v after %d attempts, want nil after 3", err, n)
		}
	})
	t.Run("stops at max attempts with the last error", func(t *testing.T) {
		n := 0
		err := fastPolicy(4).Do(ctx, func(context.Context) error { n++; return &NetworkError{Err: fmt.Errorf("drop %d", n)} }, nil)
		if n != 4 || err == nil || !strings.Contains(err.Error(), "drop 4") {
			t.Fatalf("err = %v after %d attempts, want the 4th error after 4", err, n)
		}
	})
	t.Run("permanent errors are not retried", func(t *testing.T) {
		n := 0
		err := fastPolicy(5).Do(ctx, func(context.Context) error { n++; return InvalidConfig("size", "x") }, nil)
		if n != 1 || err == nil {
			t.Fatalf("err = %v after %d attempts, want it after 1", err, n)
		}
	})
	t.Run("honours the server hint", func(t *testing.T) {
		p := fastPolicy(2)
		p.MaxHint = time.Second
		n := 0
		var delays []time.Duration
		start := time.Now()
		err := p.Do(ctx, func(context.Context) error {
			if n++; n == 1 {
				return RateLimit(80 * time.Millisecond)
			}
			return nil
		}, func(_ int, _ error, d time.Duration) { delays = append(delays, d) })
		if err != nil || len(delays) != 1 || delays[0] != 80*time.Millisecond || time.Since(start) < 80*time.Millisecond {
			t.Fatalf("err = %v, delays = %v, elapsed %v; want one 80ms pause", err, delays, time.Since(start))
		}
	})
	t.Run("caps the server hint", func(t *testing.T) {
		p := fastPolicy(2)
		if d := p.delay(0, RateLimit(time.Hour)); d != p.MaxHint {
			t.Errorf("delay with a 1h hint = %v, want MaxHint %v", d, p.MaxHint)
		}
	})
	t.Run("does not sleep past the deadline", func(t *testing.T) {
		p := fastPolicy(10)
		p.MaxHint = time.Hour
		dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		n := 0
		err := p.Do(dctx, func(context.Context) error { n++; return RateLimit(time.Minute) }, nil)
		var rl *RateLimitError
		if !errors.As(err, &rl) || n != 1 || time.Since(start) > 40*time.Millisecond {
			t.Fatalf("err = %v after %d attempts in %v; want the rate limit at once", err, n, time.Since(start))
		}
	})
	t.Run("cancellation stops", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		n := 0
		err := fastPolicy(100).Do(cctx, func(context.Context) error {
			if n++; n == 3 {
				cancel()
			}
			return API(500, "x")
		}, nil)
		if n != 3 || err == nil {
			t.Fatalf("err = %v after %d attempts, want an error after 3", err, n)
		}
	})
}

// refused is what a cloud returns when nothing listens at its endpoint.
func refused() error {
	return &NetworkError{Err: &ConnectError{API: "the Test API", Endpoint: "127.0.0.1:1", Err: errors.New("connection refused")}}
}

func TestConnectErrorMessage(t *testing.T) {
	msg := refused().Error()
	for _, want := range []string{"network error", "the Test API", "127.0.0.1:1", "connection refused", "no request was sent", "endpoint"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	var ne *NetworkError
	if !errors.As(refused(), &ne) || !IsRetryable(refused()) || !IsConnectFailure(refused()) {
		t.Error("a ConnectError in a NetworkError must stay a retryable NetworkError")
	}
	if IsConnectFailure(&NetworkError{Err: io.EOF}) {
		t.Error("a dropped connection is not a connect failure")
	}
}

// A call that cannot connect gets the short budget; other transient
// failures keep MaxAttempts.
func TestRetryConnectBudget(t *testing.T) {
	ctx := context.Background()
	t.Run("default: 3 attempts, also when the policy leaves it unset", func(t *testing.T) {
		fastDefault := DefaultRetryPolicy()
		fastDefault.Backoff, fastDefault.MaxHint = fastPolicy(1).Backoff, time.Millisecond
		for _, p := range []RetryPolicy{fastPolicy(8), fastDefault} {
			n := 0
			err := p.Do(ctx, func(context.Context) error { n++; return refused() }, nil)
			if n != DefaultConnectAttempts || !IsConnectFailure(err) {
				t.Errorf("err = %v after %d attempts, want the ConnectError after %d", err, n, DefaultConnectAttempts)
			}
		}
	})
	t.Run("the default policy gives up within about 2 s", func(t *testing.T) {
		start := time.Now()
		n := 0
		err := DefaultRetryPolicy().Do(ctx, func(context.Context) error { n++; return refused() }, nil)
		elapsed := time.Since(start)
		if n != 3 || !IsConnectFailure(err) || elapsed < 1900*time.Millisecond || elapsed > DefaultConnectBudget {
			t.Fatalf("err = %v after %d attempts in %v; want 3 attempts 1 s apart", err, n, elapsed)
		}
	})
	t.Run("the time budget bounds the attempts", func(t *testing.T) {
		p := RetryPolicy{MaxAttempts: 100, Backoff: Backoff{Initial: 20 * time.Millisecond, Multiplier: 1, Max: 20 * time.Millisecond},
			MaxHint: time.Millisecond, ConnectAttempts: 100, ConnectBudget: 70 * time.Millisecond}
		start := time.Now()
		n := 0
		_ = p.Do(ctx, func(context.Context) error { n++; return refused() }, nil)
		if n < 2 || n > 4 || time.Since(start) > 200*time.Millisecond {
			t.Fatalf("%d attempts in %v; want 3 or 4 (20 ms apart, within 70 ms)", n, time.Since(start))
		}
	})
	t.Run("other failures do not count against it", func(t *testing.T) {
		n := 0
		err := fastPolicy(8).Do(ctx, func(context.Context) error {
			if n++; n <= 3 {
				return API(503, "x")
			}
			return refused()
		}, nil)
		if n != 3+DefaultConnectAttempts || !IsConnectFailure(err) {
			t.Fatalf("err = %v after %d attempts, want the ConnectError after 3 + %d", err, n, DefaultConnectAttempts)
		}
	})
	t.Run("dropped connections keep MaxAttempts", func(t *testing.T) {
		n := 0
		_ = fastPolicy(8).Do(ctx, func(context.Context) error { n++; return &NetworkError{Err: io.ErrUnexpectedEOF} }, nil)
		if n != 8 {
			t.Fatalf("%d attempts, want 8", n)
		}
	})
}

// scriptCloud is a fake cloud whose creates follow a script: each entry
// says whether the machine is really created and what the caller is told.
type scriptCloud struct {
	fakeProvider
	mu        sync.Mutex
	script    []scriptStep
	creates   int
	instances []Instance
	snaps     []Snapshot
	finds     int
	waitErr   error
}

type scriptStep struct {
	create bool  // the cloud creates the resource
	err    error // what the caller gets (nil = success)
}

func (c *scriptCloud) step() scriptStep {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := scriptStep{create: true}
	if c.creates < len(c.script) {
		s = c.script[c.creates]
	}
	c.creates++
	return s
}

func (c *scriptCloud) CreateInstance(_ context.Context, req InstanceRequest) (*Instance, error) {
	s := c.step()
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.create {
		for _, i := range c.instances {
			if i.Name == req.Name {
				return nil, InvalidConfig("name", "name is already used")
			}
		}
		c.instances = append(c.instances, Instance{ID: fmt.Sprint(100 + len(c.instances)), Name: req.Name, Labels: req.Labels})
		if s.err == nil {
			inst := c.instances[len(c.instances)-1]
			return &inst, nil
		}
	}
	return nil, s.err
}

func (c *scriptCloud) FindInstances(_ context.Context, name string) ([]Instance, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.finds++
	var out []Instance
	for _, i := range c.instances {
		if i.Name == name {
			out = append(out, i)
		}
	}
	return out, nil
}

func (c *scriptCloud) StartSnapshot(_ context.Context, instanceID, name string, labels map[string]string) (*Snapshot, error) {
	s := c.step()
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.create {
		c.snaps = append(c.snaps, Snapshot{ID: fmt.Sprint(900 + len(c.snaps)), Name: name, InstanceID: instanceID, Labels: ManagedLabels(labels)})
		if s.err == nil {
			snap := c.snaps[len(c.snaps)-1]
			return &snap, nil
		}
	}
	return nil, s.err
}

func (c *scriptCloud) WaitSnapshot(_ context.Context, id string) (*Snapshot, error) {
	if c.waitErr != nil {
		return nil, c.waitErr
	}
	for _, s := range c.snaps {
		if s.ID == id {
			return &s, nil
		}
	}
	return nil, NotFound("snapshot", id)
}

func (c *scriptCloud) ListSnapshots(context.Context) ([]Snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Snapshot(nil), c.snaps...), nil
}

func req(name string) InstanceRequest {
	return InstanceRequest{Name: name, Region: "r", Size: "s", Image: Ubuntu("24.04"), Labels: ManagedLabels(map[string]string{"team": "a"})}
}

func TestRetryingCreateInstance(t *testing.T) {
	ctx := context.Background()
	drop := &NetworkError{Err: io.ErrUnexpectedEOF}
	tests := []struct {
		name     string
		script   []scriptStep
		wantErr  string
		creates  int // create calls made
		machines int // machines in the cloud afterwards
	}{
		{"plain success", nil, "", 1, 1},
		{"refused then created", []scriptStep{{err: API(503, "x")}, {err: RateLimit(0)}}, "", 3, 1},
		{"answer lost: adopted, no second create", []scriptStep{{create: true, err: drop}}, "", 1, 1},
		{"5xx after creating: adopted", []scriptStep{{create: true, err: API(500, "x")}}, "", 1, 1},
		{"lost once, refused, then created", []scriptStep{{err: drop}, {err: API(502, "x")}}, "", 3, 1},
		{"permanent error", []scriptStep{{err: InvalidConfig("size", "unknown")}}, "invalid size", 1, 0},
		{"attempts spent", []scriptStep{{err: drop}, {err: drop}, {err: drop}}, "network error", 3, 0},
		{"refused connections: short budget", []scriptStep{{create: false, err: refused()}, {create: false, err: refused()}, {create: false, err: refused()}}, "127.0.0.1:1", 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := &scriptCloud{script: tt.script}
			p := WithRetry(cloud, fastPolicy(3), nil)
			if strings.HasPrefix(tt.name, "refused") {
				p = WithRetry(cloud, fastPolicy(8), nil)
			}
			inst, err := p.CreateInstance(ctx, req("box"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil || inst == nil || inst.Name != "box" {
				t.Fatalf("CreateInstance = %v, %v", inst, err)
			}
			if cloud.creates != tt.creates || len(cloud.instances) != tt.machines {
				t.Errorf("%d create calls, %d machines; want %d and %d", cloud.creates, len(cloud.instances), tt.creates, tt.machines)
			}
			for _, i := range cloud.instances {
				if i.Labels[RequestIDKey] == "" || !IsManaged(i.Labels) || i.Labels["team"] != "a" {
					t.Errorf("machine labels %v lack the request ID, managed-by or the user's label", i.Labels)
				}
			}
		})
	}
}

func TestRetryingCreateReportsForeignNameHolder(t *testing.T) {
	cloud := &scriptCloud{instances: []Instance{{ID: "7", Name: "box", Labels: ManagedLabels(map[string]string{RequestIDKey: "old"})}}}
	_, err := WithRetry(cloud, fastPolicy(3), nil).CreateInstance(context.Background(), req("box"))
	var nt *NameTakenError
	if !errors.As(err, &nt) || nt.Name != "box" || nt.ID != "7" || !strings.Contains(err.Error(), "ID 7") {
		t.Fatalf("err = %v, want a NameTakenError naming box and ID 7", err)
	}
	if len(cloud.instances) != 1 {
		t.Errorf("the cloud has %d machines, want the original only", len(cloud.instances))
	}
}

func TestRetryingCreateSnapshot(t *testing.T) {
	ctx := context.Background()
	drop := &NetworkError{Err: io.ErrUnexpectedEOF}
	t.Run("answer lost: adopted", func(t *testing.T) {
		cloud := &scriptCloud{script: []scriptStep{{create: true, err: drop}}}
		s, err := WithRetry(cloud, fastPolicy(3), nil).CreateSnapshot(ctx, "1", "gold")
		if err != nil || s == nil || len(cloud.snaps) != 1 || cloud.creates != 1 || s.ID != cloud.snaps[0].ID {
			t.Fatalf("CreateSnapshot = %v, %v; %d starts, %d snapshots", s, err, cloud.creates, len(cloud.snaps))
		}
	})
	t.Run("wait failure keeps the ID", func(t *testing.T) {
		cloud := &scriptCloud{waitErr: Timeout("snapshot", time.Second)}
		_, err := WithRetry(cloud, fastPolicy(3), nil).CreateSnapshot(ctx, "1", "gold")
		var inc *IncompleteError
		if !errors.As(err, &inc) || inc.ID != cloud.snaps[0].ID {
			t.Fatalf("err = %v, want IncompleteError with ID %s", err, cloud.snaps[0].ID)
		}
	})
	t.Run("without a starter only rate limits are retried", func(t *testing.T) {
		calls := 0
		p := WithRetry(snapOnly{fn: func() (*Snapshot, error) {
			if calls++; calls == 1 {
				return nil, RateLimit(0)
			}
			return nil, API(503, "x")
		}}, fastPolicy(5), nil)
		_, err := p.CreateSnapshot(ctx, "1", "gold")
		var ae *APIError
		if calls != 2 || !errors.As(err, &ae) || ae.Status != 503 {
			t.Fatalf("err = %v after %d calls, want the 503 after 2 (an ambiguous create is not retried blind)", err, calls)
		}
	})
}

type snapOnly struct {
	fakeProvider
	fn func() (*Snapshot, error)
}

func (s snapOnly) CreateSnapshot(context.Context, string, string) (*Snapshot, error) { return s.fn() }

func TestRegistryWrapsWithRetry(t *testing.T) {
	p, err := testRegistry().CreateByName("alpha", Config{Token: "t", Timeouts: DefaultTimeouts()})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.(*retrying); !ok {
		t.Fatalf("CreateByName returned %T, want the retry decorator", p)
	}
}

// guardCloud records deletes of machines and snapshots with given labels.
type guardCloud struct {
	fakeProvider
	instance *Instance
	snapshot *Snapshot
	deleted  []string
}

func (g *guardCloud) GetInstance(context.Context, string) (*Instance, error) { return g.instance, nil }
func (g *guardCloud) GetSnapshot(context.Context, string) (*Snapshot, error) { return g.snapshot, nil }
func (g *guardCloud) DestroyInstance(_ context.Context, id string) error {
	g.deleted = append(g.deleted, "instance "+id)
	return nil
}
func (g *guardCloud) DeleteSnapshot(_ context.Context, id string) error {
	g.deleted = append(g.deleted, "snapshot "+id)
	return nil
}

// The wrapper every cloud gets refuses to delete what spuff did not create.
func TestRetryingGuardsDeletes(t *testing.T) {
	ctx := context.Background()
	foreign := map[string]string{"team": "x"}
	for _, tc := range []struct {
		name    string
		cloud   *guardCloud
		wantErr bool
		deleted []string
	}{
		{"managed", &guardCloud{instance: &Instance{ID: "1", Labels: ManagedLabels(nil)}, snapshot: &Snapshot{ID: "2", Labels: ManagedLabels(nil)}}, false, []string{"instance 1", "snapshot 2"}},
		{"not managed", &guardCloud{instance: &Instance{ID: "1", Labels: foreign}, snapshot: &Snapshot{ID: "2", Labels: foreign}}, true, nil},
		{"gone", &guardCloud{}, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := WithRetry(tc.cloud, fastPolicy(2), nil)
			errI, errS := p.DestroyInstance(ctx, "1"), p.DeleteSnapshot(ctx, "2")
			var nm *NotManagedError
			if tc.wantErr != errors.As(errI, &nm) || tc.wantErr != errors.As(errS, &nm) {
				t.Errorf("errors = %v, %v; want NotManagedError: %v", errI, errS, tc.wantErr)
			}
			if !slices.Equal(tc.cloud.deleted, tc.deleted) {
				t.Errorf("deleted %v, want %v", tc.cloud.deleted, tc.deleted)
			}
		})
	}
}

func TestUserLabelsHidesReserved(t *testing.T) {
	got := UserLabels(map[string]string{ManagedByKey: ManagedByValue, RequestIDKey: "abc", "team": "x"})
	if len(got) != 1 || got["team"] != "x" {
		t.Errorf("UserLabels = %v, want only team", got)
	}
}

// cancelCloud creates the machine, then reports the caller's cancellation,
// as a create cut off by Ctrl-C with the request already at the cloud does.
type cancelCloud struct {
	scriptCloud
	cancel context.CancelFunc
}

func (c *cancelCloud) CreateInstance(ctx context.Context, req InstanceRequest) (*Instance, error) {
	if _, err := c.scriptCloud.CreateInstance(ctx, req); err != nil {
		return nil, err
	}
	c.cancel()
	return nil, ctx.Err()
}

func (c *cancelCloud) StartSnapshot(ctx context.Context, instanceID, name string, labels map[string]string) (*Snapshot, error) {
	if _, err := c.scriptCloud.StartSnapshot(ctx, instanceID, name, labels); err != nil {
		return nil, err
	}
	c.cancel()
	return nil, ctx.Err()
}

func TestRetryingCancelledCreateIsAdopted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cloud := &cancelCloud{cancel: cancel}
	inst, err := WithRetry(cloud, fastPolicy(3), nil).CreateInstance(ctx, req("box"))
	if err != nil || inst == nil || len(cloud.instances) != 1 || inst.ID != cloud.instances[0].ID {
		t.Fatalf("CreateInstance = %v, %v with %d machines; want the created machine returned", inst, err, len(cloud.instances))
	}

	sctx, scancel := context.WithCancel(context.Background())
	scloud := &cancelCloud{cancel: scancel}
	_, err = WithRetry(scloud, fastPolicy(3), nil).CreateSnapshot(sctx, "1", "gold")
	var inc *IncompleteError
	if !errors.As(err, &inc) || len(scloud.snaps) != 1 || inc.ID != scloud.snaps[0].ID || !errors.Is(err, context.Canceled) {
		t.Fatalf("CreateSnapshot = %v; want an IncompleteError with the started snapshot's ID", err)
	}
}

// pagedCloud lists through AllPages, which retries each page: WithRetry
// must not retry the list again as a whole. Page 2 always fails.
type pagedCloud struct {
	fakeProvider
	calls int
}

func (c *pagedCloud) ListInstances(ctx context.Context) ([]Instance, error) {
	return AllPages(ctx, fastPolicy(3), func(_ context.Context, page int) ([]Instance, int, error) {
		c.calls++
		if page == 2 {
			return nil, 0, API(503, "x")
		}
		return []Instance{{ID: "1"}}, page + 1, nil
	}, nil)
}

func TestRetryingLeavesPagedListsAlone(t *testing.T) {
	c := &pagedCloud{}
	_, err := WithRetry(c, fastPolicy(5), nil).ListInstances(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 503 || c.calls != 1+3 {
		t.Fatalf("err = %v after %d page fetches; want the 503 after page 1 and 3 tries of page 2", err, c.calls)
	}
}

// A list that does not walk pages itself is retried as a whole.
type flatCloud struct {
	fakeProvider
	calls int
}

func (c *flatCloud) ListInstances(context.Context) ([]Instance, error) {
	c.calls++
	if c.calls < 3 {
		return nil, API(503, "x")
	}
	return []Instance{{ID: "1"}}, nil
}

func TestRetryingRetriesFlatLists(t *testing.T) {
	c := &flatCloud{}
	if got, err := WithRetry(c, fastPolicy(5), nil).ListInstances(context.Background()); err != nil || len(got) != 1 || c.calls != 3 {
		t.Fatalf("ListInstances = %v, %v after %d calls; want the list after 3", got, err, c.calls)
	}
}

func TestAllPagesRetriesEachPage(t *testing.T) {
	fails := map[int]int{1: 1, 3: 2}
	var fetched []int
	got, err := AllPages(context.Background(), fastPolicy(3), func(_ context.Context, page int) ([]int, int, error) {
		fetched = append(fetched, page)
		if fails[page] > 0 {
			fails[page]--
			return nil, 0, &NetworkError{Err: errors.New("reset")}
		}
		next := page + 1
		if page == 3 {
			next = 0
		}
		return []int{page}, next, nil
	}, nil)
	if err != nil || len(got) != 3 || len(fetched) != 6 {
		t.Fatalf("AllPages = %v, %v after fetching %v; want pages 1-3 with 3 retries", got, err, fetched)
	}
}

// A create that could not connect sent nothing: it is not looked up, and
// the short budget ends it after DefaultConnectAttempts.
func TestRetryingCreateRefusedIsNotLookedUp(t *testing.T) {
	script := make([]scriptStep, 8)
	for i := range script {
		script[i] = scriptStep{err: refused()}
	}
	cloud := &scriptCloud{script: script}
	_, err := WithRetry(cloud, fastPolicy(8), nil).CreateInstance(context.Background(), req("box"))
	if !IsConnectFailure(err) || cloud.creates != DefaultConnectAttempts || cloud.finds != 0 {
		t.Fatalf("err = %v after %d creates and %d finds; want the ConnectError after %d creates, no finds",
			err, cloud.creates, cloud.finds, DefaultConnectAttempts)
	}
	cloud = &scriptCloud{script: script}
	_, err = WithRetry(cloud, fastPolicy(8), nil).CreateSnapshot(context.Background(), "1", "snap")
	if !IsConnectFailure(err) || cloud.creates != DefaultConnectAttempts {
		t.Fatalf("snapshot: err = %v after %d starts; want the ConnectError after %d", err, cloud.creates, DefaultConnectAttempts)
	}
}

// manyCloud answers reads of many machines from a fixed account, counting
// the calls; its list (as a cloud's would) holds only managed machines.
type manyCloud struct {
	fakeProvider
	mu        sync.Mutex
	account   map[string]*Instance
	batches   []int // ids per ReadInstances call
	singles   int
	destroyed []string
}

func (m *manyCloud) ReadInstances(_ context.Context, ids map[string]struct{}) (map[string]*Instance, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.batches = append(m.batches, len(ids))
	out := map[string]*Instance{}
	for id := range ids {
		if inst := m.account[id]; inst != nil && IsManaged(inst.Labels) {
			out[id] = inst
		}
	}
	return out, nil
}

func (m *manyCloud) GetInstance(_ context.Context, id string) (*Instance, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.singles++
	return m.account[id], nil
}

func (m *manyCloud) DestroyInstance(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.destroyed = append(m.destroyed, id)
	return nil
}

// Concurrent deletes share one read for their managed-by checks; a machine
// the batch lacks is read on its own, which tells gone from not spuff's.
func TestRetryingBatchesDeleteGuards(t *testing.T) {
	m := &manyCloud{account: map[string]*Instance{}}
	var want []string
	for i := range 8 {
		id := strconv.Itoa(i)
		m.account[id] = &Instance{ID: id, Labels: ManagedLabels(nil)}
		want = append(want, id)
	}
	m.account["foreign"] = &Instance{ID: "foreign", Labels: map[string]string{"team": "x"}}
	p := WithRetry(m, fastPolicy(2), nil)
	ids := append(slices.Clone(want), "foreign", "gone")
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { errs[i] = p.DestroyInstance(context.Background(), id) })
	}
	wg.Wait()
	for i, id := range ids {
		var nm *NotManagedError
		if (id == "foreign") != errors.As(errs[i], &nm) || (id != "foreign" && errs[i] != nil) {
			t.Errorf("DestroyInstance(%s) = %v", id, errs[i])
		}
	}
	slices.Sort(m.destroyed)
	if !slices.Equal(m.destroyed, want) {
		t.Errorf("destroyed %v, want %v", m.destroyed, want)
	}
	if len(m.batches) != 1 || m.batches[0] != len(ids) || m.singles != 2 {
		t.Errorf("reads: batches %v and %d single reads; want one batch of %d and single reads of foreign and gone", m.batches, m.singles, len(ids))
	}
}

// A delete that gives up while its batch is pending returns at once.
func TestBatchedGuardHonoursCancel(t *testing.T) {
	p := WithRetry(&manyCloud{account: map[string]*Instance{}}, fastPolicy(2), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.DestroyInstance(ctx, "1"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled delete = %v, want context.Canceled", err)
	}
}
