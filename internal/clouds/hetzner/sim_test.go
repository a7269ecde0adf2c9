package hetzner

// Integration tests: the provider, through the real hcloud-go SDK, against
// the project's Hetzner simulator (internal/sim).

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

var simToken = strings.Repeat("s", 64)

// simEnv is one simulator with a provider and a raw SDK client on it.
type simEnv struct {
	sim *sim.Sim
	url string // API endpoint, ".../v1"
	p   *Provider
	// hc is a plain SDK client, to make what spuff must ignore (unmanaged
	// servers and snapshots, SSH keys).
	hc *hcloud.Client

	mu       sync.Mutex
	logs     []logLine
	queries  []string // "METHOD path?query" of every provider request
	onLogged func(logLine)
}

type logLine struct {
	msg    string
	fields map[string]any
}

// fastTimeouts keep every wait short; tests that need a timeout to pass set
// it explicitly.
func fastTimeouts() framework.Timeouts {
	t := framework.DefaultTimeouts()
	t.InstanceReady = 10 * time.Second
	t.ActionComplete = 10 * time.Second
	t.PollInterval = 10 * time.Millisecond
	t.HTTPRequest = 10 * time.Second
	return t
}

func newSimEnv(t *testing.T, opts sim.Options, timeouts framework.Timeouts) *simEnv {
	t.Helper()
	env := &simEnv{sim: sim.New(opts)}
	srv := httptest.NewServer(env.sim.Handler())
	t.Cleanup(srv.Close)
	env.url = srv.URL + "/v1"
	env.p = env.provider(t, simToken, timeouts)
	env.hc = hcloud.NewClient(
		hcloud.WithEndpoint(env.url),
		hcloud.WithToken(simToken),
		hcloud.WithRetryOpts(hcloud.RetryOpts{BackoffFunc: hcloud.ConstantBackoff(time.Millisecond), MaxRetries: 2}),
		hcloud.WithPollOpts(hcloud.PollOpts{BackoffFunc: hcloud.ConstantBackoff(5 * time.Millisecond)}),
	)
	return env
}

// provider builds a provider on the simulator that records its requests
// and log lines, with fast retries.
func (env *simEnv) provider(t *testing.T, token string, timeouts framework.Timeouts) *Provider {
	t.Helper()
	retry := fastRetry()
	p, err := New(framework.Config{
		Token:      token,
		Timeouts:   timeouts,
		Endpoint:   env.url,
		Retry:      &retry,
		HTTPClient: &http.Client{Transport: recorder{env}, Timeout: timeouts.HTTPRequest},
		Log: func(_ context.Context, msg string, fields map[string]any) {
			env.mu.Lock()
			line := logLine{msg, maps.Clone(fields)}
			env.logs = append(env.logs, line)
			hook := env.onLogged
			env.mu.Unlock()
			if hook != nil {
				hook(line)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type recorder struct{ env *simEnv }

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.env.mu.Lock()
	r.env.queries = append(r.env.queries, req.Method+" "+req.URL.Path+"?"+req.URL.RawQuery)
	r.env.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (env *simEnv) requests() []string {
	env.mu.Lock()
	defer env.mu.Unlock()
	return slices.Clone(env.queries)
}

func (env *simEnv) logLines() []logLine {
	env.mu.Lock()
	defer env.mu.Unlock()
	return slices.Clone(env.logs)
}

func request(name string) framework.InstanceRequest {
	return framework.InstanceRequest{
		Name:     name,
		Region:   "fsn1",
		Size:     "cx23",
		Image:    framework.Ubuntu("24.04"),
		UserData: "#cloud-config\npackages: [git]\n",
		Labels:   framework.ManagedLabels(map[string]string{"env": "dev"}),
	}
}

// publicKey returns an authorized_keys line for a fresh ed25519 key.
func publicKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	var blob []byte
	for _, part := range [][]byte{[]byte("ssh-ed25519"), pub} {
		blob = binary.BigEndian.AppendUint32(blob, uint32(len(part)))
		blob = append(blob, part...)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob) + " test"
}

func (env *simEnv) sshKey(t *testing.T, name string) *hcloud.SSHKey {
	t.Helper()
	k, _, err := env.hc.SSHKey.Create(context.Background(), hcloud.SSHKeyCreateOpts{Name: name, PublicKey: publicKey(t)})
	if err != nil {
		t.Fatalf("creating SSH key %s: %v", name, err)
	}
	return k
}

func (env *simEnv) create(t *testing.T, req framework.InstanceRequest) *framework.Instance {
	t.Helper()
	inst, err := env.p.CreateInstance(context.Background(), req)
	if err != nil {
		t.Fatalf("CreateInstance(%s): %v", req.Name, err)
	}
	return inst
}

func (env *simEnv) simServer(t *testing.T, id string) sim.Server {
	t.Helper()
	for _, s := range env.sim.Servers() {
		if strconv.FormatInt(s.ID, 10) == id {
			return s
		}
	}
	t.Fatalf("the simulator has no server %s", id)
	return sim.Server{}
}

func TestSimCreateThenWaitReady(t *testing.T) {
	env := newSimEnv(t, sim.Options{ServerReadyDelay: 200 * time.Millisecond}, fastTimeouts())
	ctx := context.Background()
	env.sshKey(t, "laptop")
	ci := env.sshKey(t, "ci")

	req := request("spuff-create-1")
	req.SSHKeys = []string{"laptop", strconv.FormatInt(ci.ID, 10)}
	inst, err := env.p.CreateInstance(ctx, req)
	if err != nil {
		t.Fatalf("CreateInstance: %v", err)
	}

	// It returned at once: the server is still initializing (with the IPv4
	// Hetzner creates alongside it), and no action was polled.
	if inst.Status.Kind != framework.StatusNew || inst.IP.String() != env.simServer(t, inst.ID).IPv4 {
		t.Errorf("created instance: status %v, IP %v; want new with the simulator's IPv4 %s", inst.Status, inst.IP, env.simServer(t, inst.ID).IPv4)
	}
	for _, q := range env.requests() {
		if strings.Contains(q, "/actions") {
			t.Errorf("CreateInstance polled an action: %s", q)
		}
	}
	wantCommon := func(t *testing.T, got *framework.Instance) {
		t.Helper()
		if _, err := strconv.ParseInt(got.ID, 10, 64); err != nil {
			t.Errorf("ID %q is not decimal", got.ID)
		}
		if got.Name != req.Name || got.Region != "fsn1" || got.Size != "cx23" || got.Image != framework.Ubuntu("24.04") {
			t.Errorf("instance = name %q region %q size %q image %v; want %s fsn1 cx23 ubuntu:24.04",
				got.Name, got.Region, got.Size, got.Image, req.Name)
		}
		if !maps.Equal(got.Labels, req.Labels) {
			t.Errorf("labels = %v, want %v", got.Labels, req.Labels)
		}
		if got.CreatedAt.IsZero() || time.Since(got.CreatedAt) > time.Minute {
			t.Errorf("CreatedAt = %v, want about now", got.CreatedAt)
		}
	}
	wantCommon(t, inst)

	ready, err := env.p.WaitReady(ctx, inst.ID)
	if err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
	if !ready.IsReady() || ready.Status.Raw != "running" {
		t.Errorf("ready instance: status %v (%q), IP %v", ready.Status, ready.Status.Raw, ready.IP)
	}
	wantCommon(t, ready)
	if ready.ID != inst.ID || ready.IP.String() != env.simServer(t, inst.ID).IPv4 {
		t.Errorf("ready = %s at %v, simulator has %+v", ready.ID, ready.IP, env.simServer(t, inst.ID))
	}

	got := env.simServer(t, inst.ID)
	if !framework.IsManaged(got.Labels) || got.Image != "ubuntu-24.04" {
		t.Errorf("simulator server = %+v", got)
	}

	// WaitReady logged its progress and the outcome, never the token.
	lines := env.logLines()
	if len(lines) < 2 {
		t.Fatalf("WaitReady logged %v, want progress lines and the outcome", lines)
	}
	for i, l := range lines[:len(lines)-1] {
		if l.msg != "waiting for server to be ready" || l.fields["id"] != inst.ID || l.fields["provider"] != "hetzner" || l.fields["progress"] == nil {
			t.Errorf("progress line %d = %s %v", i, l.msg, l.fields)
		}
	}
	last := lines[len(lines)-1]
	if last.msg != "server ready" || last.fields["id"] != inst.ID || last.fields["ip"] != ready.IP.String() {
		t.Errorf("last line = %s %v, want the ready server and its IP", last.msg, last.fields)
	}
	for _, l := range lines {
		if strings.Contains(fmt.Sprint(l.fields), simToken) || strings.Contains(fmt.Sprint(l.fields), "cloud-config") {
			t.Errorf("log line leaks a secret: %v", l)
		}
	}
}

func TestSimSSHKeyByNameAndID(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	env.sshKey(t, "laptop")
	ci := env.sshKey(t, "ci")

	req := request("spuff-keys")
	req.SSHKeys = []string{"laptop", strconv.FormatInt(ci.ID, 10)}
	env.create(t, req)

	// hcloud-go sends keys as IDs, so names were looked up first.
	var lookups []string
	for _, q := range env.requests() {
		if strings.HasPrefix(q, "GET /v1/ssh_keys") {
			lookups = append(lookups, q)
		}
	}
	if len(lookups) != 2 {
		t.Errorf("SSH key lookups = %v, want one per key", lookups)
	}

	req = request("spuff-keys-2")
	req.SSHKeys = []string{"nobody"}
	_, err := env.p.CreateInstance(context.Background(), req)
	wantInvalid(t, err, "ssh_keys", `"nobody"`)
	if n := len(env.sim.Servers()); n != 1 {
		t.Errorf("servers = %d, want 1: an unknown key must stop the create", n)
	}
}

func TestSimGetMissing(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	ctx := context.Background()
	inst, err := env.p.GetInstance(ctx, "999999")
	if inst != nil || err != nil {
		t.Errorf("GetInstance(missing) = (%v, %v), want (nil, nil)", inst, err)
	}
	snap, err := env.p.GetSnapshot(ctx, "999999")
	if snap != nil || err != nil {
		t.Errorf("GetSnapshot(missing) = (%v, %v), want (nil, nil)", snap, err)
	}
	// A system image exists but is no snapshot.
	sys, _, err := env.hc.Image.GetByNameAndArchitecture(ctx, "ubuntu-24.04", hcloud.ArchitectureX86)
	if err != nil || sys == nil {
		t.Fatalf("looking up the system image: %v, %v", sys, err)
	}
	snap, err = env.p.GetSnapshot(ctx, strconv.FormatInt(sys.ID, 10))
	if snap != nil || err != nil {
		t.Errorf("GetSnapshot(system image) = (%v, %v), want (nil, nil)", snap, err)
	}
	_, err = env.p.GetInstance(ctx, "web-1")
	wantInvalid(t, err, "id", `"web-1"`)
}

func TestSimDestroyTwice(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	ctx := context.Background()
	inst := env.create(t, request("spuff-destroy"))
	if _, err := env.p.WaitReady(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := env.p.DestroyInstance(ctx, inst.ID); err != nil {
			t.Fatalf("DestroyInstance #%d: %v", i+1, err)
		}
	}
	if got, err := env.p.GetInstance(ctx, inst.ID); got != nil || err != nil {
		t.Errorf("GetInstance after destroy = (%v, %v), want (nil, nil)", got, err)
	}
	if n := env.sim.RequestCounts()["DELETE /v1/servers/{id}"]; n != 2 {
		t.Errorf("DELETE requests = %d, want 2", n)
	}
	if err := env.p.DestroyInstance(ctx, "abc"); err == nil {
		t.Error("DestroyInstance(abc) = nil, want InvalidConfigError")
	} else {
		wantInvalid(t, err, "id")
	}
}

func TestSimListOnlyManagedAcrossPages(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	ctx := context.Background()
	const managed = 105 // three pages of 50
	for i := range managed {
		env.create(t, request(fmt.Sprintf("spuff-list-%03d", i)))
	}
	for i := range 3 {
		labels := map[string]string{"managed-by": "someone-else"}
		if i == 0 {
			labels = nil
		}
		_, _, err := env.hc.Server.Create(ctx, hcloud.ServerCreateOpts{
			Name: fmt.Sprintf("other-%d", i), ServerType: &hcloud.ServerType{Name: "cx23"},
			Image: &hcloud.Image{Name: "debian-12"}, Location: &hcloud.Location{Name: "nbg1"}, Labels: labels,
		})
		if err != nil {
			t.Fatalf("creating an unmanaged server: %v", err)
		}
	}

	before := env.sim.RequestCounts()["GET /v1/servers"]
	list, err := env.p.ListInstances(ctx)
	if err != nil {
		t.Fatalf("ListInstances: %v", err)
	}
	if len(list) != managed {
		t.Fatalf("ListInstances returned %d servers, want %d", len(list), managed)
	}
	seen := map[string]bool{}
	for _, inst := range list {
		if !framework.IsManaged(inst.Labels) || !strings.HasPrefix(inst.Name, "spuff-list-") {
			t.Errorf("listed an unmanaged server: %+v", inst)
		}
		seen[inst.ID] = true
	}
	if len(seen) != managed {
		t.Errorf("ListInstances returned %d distinct IDs, want %d", len(seen), managed)
	}
	if n := env.sim.RequestCounts()["GET /v1/servers"] - before; n != 3 {
		t.Errorf("list requests = %d, want 3 pages of 50", n)
	}
	// The cloud filtered: every list request carried the selector.
	for _, q := range env.requests() {
		if strings.HasPrefix(q, "GET /v1/servers?") && !strings.Contains(q, "label_selector=managed-by%3Dspuff") {
			t.Errorf("list request without the managed-by selector: %s", q)
		}
	}
}

func TestSimSnapshotLifecycle(t *testing.T) {
	env := newSimEnv(t, sim.Options{ImageReadyDelay: 100 * time.Millisecond}, fastTimeouts())
	ctx := context.Background()
	inst := env.create(t, request("spuff-snap"))
	if _, err := env.p.WaitReady(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}

	snap, err := env.p.CreateSnapshot(ctx, inst.ID, "before upgrade")
	if err != nil {
		t.Fatalf("CreateSnapshot: %v", err)
	}
	if snap.Name != "before upgrade" || snap.InstanceID != inst.ID || snap.CreatedAt == nil || !framework.IsManaged(snap.Labels) {
		t.Errorf("snapshot = %+v", *snap)
	}
	// It waited for the image to be ready.
	imgs := env.sim.Images()
	if len(imgs) != 1 || strconv.FormatInt(imgs[0].ID, 10) != snap.ID || imgs[0].Status != "available" {
		t.Fatalf("simulator images = %+v, want snapshot %s available", imgs, snap.ID)
	}

	// A snapshot spuff did not make is not listed.
	if _, _, err := env.hc.Server.CreateImage(ctx, &hcloud.Server{ID: mustID(t, inst.ID)},
		&hcloud.ServerCreateImageOpts{Type: hcloud.ImageTypeSnapshot, Description: hcloud.Ptr("manual")}); err != nil {
		t.Fatalf("creating an unmanaged snapshot: %v", err)
	}
	list, err := env.p.ListSnapshots(ctx)
	if err != nil {
		t.Fatalf("ListSnapshots: %v", err)
	}
	if len(list) != 1 || list[0].ID != snap.ID || list[0].Name != "before upgrade" {
		t.Errorf("ListSnapshots = %+v, want only %s", list, snap.ID)
	}

	got, err := env.p.GetSnapshot(ctx, snap.ID)
	if err != nil || got == nil || got.ID != snap.ID || got.InstanceID != inst.ID || got.Name != snap.Name {
		t.Errorf("GetSnapshot = (%+v, %v), want %+v", got, err, *snap)
	}
	if got, err := framework.GetSnapshot(ctx, env.p, snap.ID); err != nil || got == nil || got.ID != snap.ID {
		t.Errorf("framework.GetSnapshot = (%+v, %v)", got, err)
	}

	for i := range 2 {
		if err := env.p.DeleteSnapshot(ctx, snap.ID); err != nil {
			t.Fatalf("DeleteSnapshot #%d: %v", i+1, err)
		}
	}
	if got, err := env.p.GetSnapshot(ctx, snap.ID); got != nil || err != nil {
		t.Errorf("GetSnapshot after delete = (%v, %v), want (nil, nil)", got, err)
	}
	if _, err := env.p.CreateSnapshot(ctx, "999999", "x"); !framework.IsNotFound(err) {
		t.Errorf("CreateSnapshot(missing server) = %v, want NotFoundError", err)
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSimSnapshotWaitTimeoutIsIncomplete(t *testing.T) {
	timeouts := fastTimeouts()
	timeouts.ActionComplete = 150 * time.Millisecond
	env := newSimEnv(t, sim.Options{ImageReadyDelay: time.Hour}, timeouts)
	ctx := context.Background()
	inst := env.create(t, request("spuff-snap-slow"))
	if _, err := env.p.WaitReady(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}

	snap, err := env.p.CreateSnapshot(ctx, inst.ID, "slow")
	if snap != nil {
		t.Errorf("snapshot = %+v, want nil with the error", *snap)
	}
	var inc *framework.IncompleteError
	if !errors.As(err, &inc) {
		t.Fatalf("CreateSnapshot error = %v, want IncompleteError", err)
	}
	imgs := env.sim.Images()
	if len(imgs) != 1 || inc.ID != strconv.FormatInt(imgs[0].ID, 10) || inc.ResourceType != "snapshot" {
		t.Errorf("IncompleteError = %+v, simulator images = %+v", inc, imgs)
	}
	var te *framework.TimeoutError
	if !errors.As(err, &te) || !framework.IsRetryable(err) {
		t.Errorf("cause = %v, want a TimeoutError", inc.Err)
	}
}

func TestSimSnapshotActionFailureIsIncomplete(t *testing.T) {
	env := newSimEnv(t, sim.Options{ImageReadyDelay: 50 * time.Millisecond}, fastTimeouts())
	ctx := context.Background()
	inst := env.create(t, request("spuff-snap-fail"))
	if _, err := env.p.WaitReady(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	env.sim.InjectFault(sim.Fault{Path: "action:create_image", Message: "disk read error"})

	_, err := env.p.CreateSnapshot(ctx, inst.ID, "doomed")
	var inc *framework.IncompleteError
	if !errors.As(err, &inc) || inc.ID == "" {
		t.Fatalf("CreateSnapshot error = %v, want IncompleteError with the image ID", err)
	}
	var api *framework.APIError
	if !errors.As(err, &api) || !strings.Contains(api.Message, "disk read error") || !strings.Contains(api.Message, "create_image") {
		t.Errorf("cause = %v, want an APIError naming the failed create_image action", inc.Err)
	}
}

func TestSimWaitReadyTimeout(t *testing.T) {
	timeouts := fastTimeouts()
	timeouts.InstanceReady = 150 * time.Millisecond
	env := newSimEnv(t, sim.Options{ServerReadyDelay: time.Hour}, timeouts)
	inst := env.create(t, request("spuff-slow"))
	_, err := env.p.WaitReady(context.Background(), inst.ID)
	var te *framework.TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("WaitReady error = %v, want TimeoutError", err)
	}
	if !strings.Contains(te.Operation, inst.ID) {
		t.Errorf("timeout operation %q does not name the instance", te.Operation)
	}
}

func TestSimWaitReadyCancel(t *testing.T) {
	timeouts := fastTimeouts()
	timeouts.InstanceReady = time.Minute
	timeouts.PollInterval = time.Second // a cancellation must not wait for the next poll
	env := newSimEnv(t, sim.Options{ServerReadyDelay: time.Hour}, timeouts)
	inst := env.create(t, request("spuff-cancel"))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	var cancelled time.Time
	env.mu.Lock()
	env.onLogged = func(logLine) { once.Do(func() { cancelled = time.Now(); cancel() }) } // cancel after the first poll
	env.mu.Unlock()

	_, err := env.p.WaitReady(ctx, inst.ID)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitReady error = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(cancelled); elapsed > timeouts.PollInterval/2 {
		t.Errorf("WaitReady took %v after the cancellation to notice it", elapsed)
	}
}

func TestSimSSHKeys(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	keys, err := env.p.SSHKeys(context.Background())
	if err != nil || len(keys) != 0 {
		t.Fatalf("SSHKeys on an empty project = (%v, %v)", keys, err)
	}
	env.sshKey(t, "laptop")
	env.sshKey(t, "ci")
	keys, err = env.p.SSHKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"ci", "laptop"}) {
		t.Errorf("SSHKeys = %v, want [ci laptop]", keys)
	}
}

func TestSimInvalidRequestsNameTheField(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	ctx := context.Background()
	env.create(t, request("spuff-taken"))

	for _, tc := range []struct {
		name   string
		change func(*framework.InstanceRequest)
		field  string
	}{
		{"region", func(r *framework.InstanceRequest) { r.Region = "xx9" }, "region"},
		{"size", func(r *framework.InstanceRequest) { r.Size = "cx99" }, "size"},
		{"size not in region", func(r *framework.InstanceRequest) { r.Size = "cax11"; r.Region = "ash" }, "region"},
		{"image", func(r *framework.InstanceRequest) { r.Image = framework.Custom("nope-1") }, "image"},
		{"ubuntu version", func(r *framework.InstanceRequest) { r.Image = framework.Ubuntu("10.04") }, "image"},
		{"duplicate name", func(r *framework.InstanceRequest) { r.Name = "spuff-taken" }, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := request("spuff-invalid")
			tc.change(&req)
			_, err := env.p.CreateInstance(ctx, req)
			wantInvalid(t, err, tc.field)
		})
	}
	if n := len(env.sim.Servers()); n != 1 {
		t.Errorf("servers = %d, want only the first", n)
	}
}

func TestSimWrongToken(t *testing.T) {
	env := newSimEnv(t, sim.Options{Tokens: []string{simToken}}, fastTimeouts())
	wrong := env.provider(t, strings.Repeat("w", 64), fastTimeouts())
	_, err := wrong.ListInstances(context.Background())
	var ae *framework.AuthenticationError
	if !errors.As(err, &ae) || ae.Provider != "hetzner" {
		t.Fatalf("ListInstances with a wrong token = %v, want AuthenticationError", err)
	}
	if strings.Contains(err.Error(), "wwww") {
		t.Errorf("error leaks the token: %v", err)
	}
	if _, err := env.p.ListInstances(context.Background()); err != nil {
		t.Errorf("ListInstances with the allowed token: %v", err)
	}
}

// fastRetry is the framework's policy with millisecond pauses.
func fastRetry() framework.RetryPolicy {
	p := framework.DefaultRetryPolicy()
	p.Backoff = framework.Backoff{Initial: time.Millisecond, Multiplier: 1, Max: time.Millisecond}
	p.MaxHint = 5 * time.Millisecond
	return p
}

// Through the framework's retry policy, as the registry wires every cloud.
func TestSimRateLimitRetried(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	env.sim.InjectFault(sim.Fault{Method: "GET", Path: "/v1/servers", Status: http.StatusTooManyRequests, Code: "rate_limit_exceeded", Times: 2})
	if _, err := framework.WithRetry(env.p, fastRetry(), nil).ListInstances(context.Background()); err != nil {
		t.Fatalf("ListInstances after two 429s: %v", err)
	}
	if n := env.sim.RequestCounts()["GET /v1/servers"]; n != 3 {
		t.Errorf("list requests = %d, want 3 (two retried 429s)", n)
	}
}

func TestSimRateLimitBeyondRetries(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	policy := fastRetry()
	env.sim.InjectFault(sim.Fault{Method: "GET", Path: "/v1/servers", Status: http.StatusTooManyRequests, Code: "rate_limit_exceeded", Times: policy.MaxAttempts})
	_, err := framework.WithRetry(env.p, policy, nil).ListInstances(context.Background())
	var rl *framework.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("ListInstances = %v, want RateLimitError", err)
	}
	after, ok := rl.RetryAfter()
	if !ok || after < 0 || after > time.Minute {
		t.Errorf("RetryAfter = (%v, %v), want a hint of at most a minute", after, ok)
	}
	if n := env.sim.RequestCounts()["GET /v1/servers"]; n != policy.MaxAttempts {
		t.Errorf("list requests = %d, want %d", n, policy.MaxAttempts)
	}
	// The fault is spent: the next call goes through.
	if _, err := env.p.ListInstances(context.Background()); err != nil {
		t.Errorf("ListInstances after the faults: %v", err)
	}
}

// A create whose answer is lost after the server was created is adopted,
// not repeated: the cloud ends with one server, the one returned.
func TestSimCreateAnswerLostIsAdopted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault sim.Fault
	}{
		{"connection dropped", sim.Fault{Method: "POST", Path: "/v1/servers", Drop: true, After: true}},
		{"500 after creating", sim.Fault{Method: "POST", Path: "/v1/servers", Status: http.StatusInternalServerError, After: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newSimEnv(t, sim.Options{}, fastTimeouts())
			env.sim.InjectFault(tc.fault)
			p := framework.WithRetry(env.p, fastRetry(), nil)
			inst, err := p.CreateInstance(context.Background(), request("spuff-lost-answer"))
			if err != nil {
				t.Fatalf("CreateInstance: %v", err)
			}
			servers := env.sim.Servers()
			if len(servers) != 1 || strconv.FormatInt(servers[0].ID, 10) != inst.ID {
				t.Fatalf("the cloud has %+v, want exactly the adopted server %s", servers, inst.ID)
			}
			if n := env.sim.RequestCounts()["POST /v1/servers"]; n != 1 {
				t.Errorf("create requests = %d, want 1: the create must not be repeated", n)
			}
			if servers[0].Labels[framework.RequestIDKey] == "" {
				t.Errorf("server labels %v lack the request ID", servers[0].Labels)
			}
		})
	}
}

// A create refused before anything happened (5xx before, a dropped
// connection before) is simply retried: still exactly one server.
func TestSimCreateRefusedIsRetried(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	env.sim.InjectFault(sim.Fault{Method: "POST", Path: "/v1/servers", Status: http.StatusServiceUnavailable, Times: 2})
	env.sim.InjectFault(sim.Fault{Method: "POST", Path: "/v1/servers", Drop: true})
	inst, err := framework.WithRetry(env.p, fastRetry(), nil).CreateInstance(context.Background(), request("spuff-refused"))
	if err != nil {
		t.Fatalf("CreateInstance: %v", err)
	}
	if servers := env.sim.Servers(); len(servers) != 1 || strconv.FormatInt(servers[0].ID, 10) != inst.ID {
		t.Fatalf("the cloud has %+v, want exactly server %s", servers, inst.ID)
	}
}

// A snapshot start whose answer is lost is adopted, then waited for.
func TestSimSnapshotStartAnswerLostIsAdopted(t *testing.T) {
	env := newSimEnv(t, sim.Options{ImageReadyDelay: 50 * time.Millisecond}, fastTimeouts())
	ctx := context.Background()
	inst := env.create(t, request("spuff-snap-lost"))
	if _, err := env.p.WaitReady(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	env.sim.InjectFault(sim.Fault{Method: "POST", Path: "/v1/servers/*", Drop: true, After: true})
	snap, err := framework.WithRetry(env.p, fastRetry(), nil).CreateSnapshot(ctx, inst.ID, "gold")
	if err != nil {
		t.Fatalf("CreateSnapshot: %v", err)
	}
	imgs := env.sim.Images()
	if len(imgs) != 1 || strconv.FormatInt(imgs[0].ID, 10) != snap.ID || imgs[0].Status != "available" {
		t.Fatalf("the cloud has %+v, want exactly the adopted, available snapshot %s", imgs, snap.ID)
	}
}

func TestSimFindInstances(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	ctx := context.Background()
	want := env.create(t, request("spuff-find-me"))
	env.create(t, request("spuff-other"))
	if _, _, err := env.hc.Server.Create(ctx, hcloud.ServerCreateOpts{Name: "unmanaged-find-me", ServerType: &hcloud.ServerType{Name: "cx23"},
		Image: &hcloud.Image{Name: "ubuntu-24.04"}, Location: &hcloud.Location{Name: "fsn1"}}); err != nil {
		t.Fatal(err)
	}
	got, err := env.p.FindInstances(ctx, "spuff-find-me")
	if err != nil || len(got) != 1 || got[0].ID != want.ID {
		t.Fatalf("FindInstances = %+v, %v; want only %s", got, err, want.ID)
	}
	if got, err := env.p.FindInstances(ctx, "unmanaged-find-me"); err != nil || len(got) != 0 {
		t.Errorf("FindInstances of an unmanaged server = %+v, %v; want none", got, err)
	}
}

func TestSimWaitSnapshot(t *testing.T) {
	env := newSimEnv(t, sim.Options{ImageReadyDelay: 100 * time.Millisecond}, fastTimeouts())
	ctx := context.Background()
	inst := env.create(t, request("spuff-wait-snap"))
	if _, err := env.p.WaitReady(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	started, err := env.p.StartSnapshot(ctx, inst.ID, "gold", map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	if !framework.IsManaged(started.Labels) || started.Labels["k"] != "v" {
		t.Errorf("started snapshot labels = %v", started.Labels)
	}
	// A transient error during the wait is polled through.
	env.sim.InjectFault(sim.Fault{Method: "GET", Path: "/v1/images/*", Status: http.StatusServiceUnavailable})
	done, err := env.p.WaitSnapshot(ctx, started.ID)
	if err != nil || done.ID != started.ID {
		t.Fatalf("WaitSnapshot = %+v, %v", done, err)
	}
	if got := env.sim.Images()[0].Status; got != "available" {
		t.Errorf("image status %s after the wait", got)
	}

	short := fastTimeouts()
	short.ActionComplete = 100 * time.Millisecond
	slow := newSimEnv(t, sim.Options{ImageReadyDelay: time.Hour}, short)
	inst2 := slow.create(t, request("spuff-wait-slow"))
	if _, err := slow.p.WaitReady(ctx, inst2.ID); err != nil {
		t.Fatal(err)
	}
	s2, err := slow.p.StartSnapshot(ctx, inst2.ID, "slow", nil)
	if err != nil {
		t.Fatal(err)
	}
	var te *framework.TimeoutError
	if _, err := slow.p.WaitSnapshot(ctx, s2.ID); !errors.As(err, &te) {
		t.Fatalf("WaitSnapshot of an hour-long snapshot = %v, want TimeoutError", err)
	}
}

func TestSimServerErrorNotRetried(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	inst := env.create(t, request("spuff-500"))
	env.sim.InjectFault(sim.Fault{Method: "GET", Path: "/v1/servers/*", Status: http.StatusInternalServerError, Message: "database on fire"})
	_, err := env.p.GetInstance(context.Background(), inst.ID)
	var api *framework.APIError
	if !errors.As(err, &api) || api.Status != http.StatusInternalServerError || !strings.Contains(api.Message, "database on fire") {
		t.Fatalf("GetInstance = %v, want APIError 500 with the cloud's message", err)
	}
	if n := env.sim.RequestCounts()["GET /v1/servers/{id}"]; n != 1 {
		t.Errorf("requests = %d, want 1: the cloud package itself never retries", n)
	}
}

// Deleting a snapshot that is still being taken (423 locked), or its server,
// waits for the action to end instead of failing, as a replacement of a
// timed-out snapshot needs.
func TestSimDeleteWaitsOutLock(t *testing.T) {
	env := newSimEnv(t, sim.Options{ImageReadyDelay: 300 * time.Millisecond}, fastTimeouts())
	ctx := context.Background()
	inst := env.create(t, request("spuff-locked"))
	if _, err := env.p.WaitReady(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	res, _, err := env.hc.Server.CreateImage(ctx, &hcloud.Server{ID: mustAtoi(t, inst.ID)},
		&hcloud.ServerCreateImageOpts{Type: hcloud.ImageTypeSnapshot, Labels: framework.ManagedLabels(nil)})
	if err != nil {
		t.Fatal(err)
	}
	imageID := strconv.FormatInt(res.Image.ID, 10)

	if err := env.p.DestroyInstance(ctx, inst.ID); err != nil {
		t.Fatalf("DestroyInstance of a locked server: %v", err)
	}
	if err := env.p.DeleteSnapshot(ctx, imageID); err != nil {
		t.Fatalf("DeleteSnapshot of a creating snapshot: %v", err)
	}
	if n := len(env.sim.Images()); n != 0 {
		t.Errorf("the simulator still has %d snapshots", n)
	}
	if s, err := env.p.GetInstance(ctx, inst.ID); s != nil || err != nil {
		t.Errorf("GetInstance after delete = %v, %v", s, err)
	}
	locked := 0
	for _, q := range env.requests() {
		if strings.HasPrefix(q, "DELETE ") {
			locked++
		}
	}
	if locked < 3 {
		t.Errorf("saw %d DELETE requests, want the locked ones retried (>= 3)", locked)
	}

	// Bounded by the caller's context: a lock that outlives it is reported.
	env2 := newSimEnv(t, sim.Options{ImageReadyDelay: time.Hour}, fastTimeouts())
	inst2 := env2.create(t, request("spuff-locked-long"))
	if _, err := env2.p.WaitReady(ctx, inst2.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env2.hc.Server.CreateImage(ctx, &hcloud.Server{ID: mustAtoi(t, inst2.ID)},
		&hcloud.ServerCreateImageOpts{Type: hcloud.ImageTypeSnapshot}); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := env2.p.DestroyInstance(short, inst2.ID); err == nil {
		t.Error("DestroyInstance of a server locked for an hour returned nil within 100ms")
	}
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A long list survives a flaky API: each page is retried on its own, so one
// bad page does not restart (or fail) the walk.
func TestSimListRetriesPages(t *testing.T) {
	env := newSimEnv(t, sim.Options{RateLimit: -1, Seed: 7}, fastTimeouts())
	ctx := context.Background()
	for i := range 160 {
		env.create(t, request(fmt.Sprintf("spuff-page-%03d", i)))
	}
	retrying, err := New(framework.Config{Token: simToken, Timeouts: fastTimeouts(), Endpoint: env.url, Retry: func() *framework.RetryPolicy {
		p := fastRetry()
		return &p
	}()})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.sim.SetFaultRates(sim.FaultRates{ServerError: 0.3}); err != nil {
		t.Fatal(err)
	}
	before := env.sim.RequestCounts()["GET /v1/servers"]
	list, err := retrying.ListInstances(ctx)
	if err != nil {
		t.Fatalf("ListInstances under 30%% server errors: %v", err)
	}
	if len(list) != 160 {
		t.Errorf("listed %d servers, want 160", len(list))
	}
	faults := env.sim.FaultCounts()["server_error"]
	if got := env.sim.RequestCounts()["GET /v1/servers"] - before; faults == 0 || got != 4+faults {
		t.Errorf("%d list requests with %d injected errors; want the 4 pages plus one retry per error", got, faults)
	}
}
