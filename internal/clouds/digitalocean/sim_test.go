package digitalocean

// Integration tests: the provider, through godo, against the simulator's
// DigitalOcean front end.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

const simToken = "dop_v1_simulated"

type simEnv struct {
	sim *sim.Sim
	url string
	p   *Provider
	// raw is a plain godo client, for what spuff must ignore.
	raw *godo.Client

	mu      sync.Mutex
	queries []string
}

func fastTimeouts() framework.Timeouts {
	t := framework.DefaultTimeouts()
	t.InstanceReady = 10 * time.Second
	t.ActionComplete = 10 * time.Second
	t.PollInterval = 10 * time.Millisecond
	t.HTTPRequest = 10 * time.Second
	return t
}

func fastRetry() *framework.RetryPolicy {
	r := framework.DefaultRetryPolicy()
	r.Backoff = framework.Backoff{Initial: time.Millisecond, Multiplier: 2, Max: 5 * time.Millisecond}
	r.MaxHint = 10 * time.Millisecond
	return &r
}

func newSimEnv(t *testing.T, opts sim.Options) *simEnv {
	t.Helper()
	if opts.RateLimit == 0 {
		opts.RateLimit = -1
	}
	s := sim.New(opts)
	fe, ok := s.FrontEnd(providerName)
	if !ok {
		t.Fatal("no DigitalOcean front end")
	}
	h := fe.Handler
	env := &simEnv{sim: s}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env.mu.Lock()
		env.queries = append(env.queries, r.Method+" "+r.URL.RequestURI())
		env.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	env.url = srv.URL
	p, err := New(framework.Config{Token: simToken, Timeouts: fastTimeouts(), Endpoint: env.url, Retry: fastRetry()})
	if err != nil {
		t.Fatal(err)
	}
	env.p = p
	ctx := context.Background()
	env.raw, err = godo.New(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: simToken})), godo.SetBaseURL(env.url+"/"))
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func (env *simEnv) requests() []string {
	env.mu.Lock()
	defer env.mu.Unlock()
	return append([]string(nil), env.queries...)
}

func request(name string, labels map[string]string) framework.InstanceRequest {
	return framework.InstanceRequest{
		Name: name, Region: "nyc3", Size: "s-1vcpu-1gb",
		Image:    framework.Ubuntu("24.04"),
		UserData: "#cloud-config\n",
		Labels:   framework.ManagedLabels(labels),
	}
}

func TestLifecycle(t *testing.T) {
	env := newSimEnv(t, sim.Options{ServerReadyDelay: 100 * time.Millisecond})
	ctx := context.Background()
	inst, err := env.p.CreateInstance(ctx, request("web-1", map[string]string{"env": "prod", "team": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if inst.Status.Kind != framework.StatusNew || inst.ID == "" {
		t.Fatalf("created %+v", inst)
	}
	ready, err := env.p.WaitReady(ctx, inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !ready.IsReady() || ready.Region != "nyc3" || ready.Size != "s-1vcpu-1gb" {
		t.Fatalf("ready %+v", ready)
	}
	if ready.Image != framework.Ubuntu("24.04") {
		t.Fatalf("image %v", ready.Image)
	}
	got, err := env.p.GetInstance(ctx, inst.ID)
	if err != nil || got == nil {
		t.Fatal(got, err)
	}
	want := map[string]string{"env": "prod", "team": "", framework.ManagedByKey: framework.ManagedByValue}
	if !equal(got.Labels, want) {
		t.Fatalf("labels %v, want %v", got.Labels, want)
	}
	list, err := env.p.ListInstances(ctx)
	if err != nil || len(list) != 1 || list[0].ID != inst.ID {
		t.Fatal(list, err)
	}
	if err := env.p.DestroyInstance(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	if err := env.p.WaitGone(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	if err := env.p.DestroyInstance(ctx, inst.ID); err != nil {
		t.Fatalf("second destroy: %v", err)
	}
	if got, err := env.p.GetInstance(ctx, inst.ID); got != nil || err != nil {
		t.Fatal(got, err)
	}
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestListWalksEveryPageAndSkipsUnmanaged(t *testing.T) {
	old := listPerPage
	listPerPage = 2
	t.Cleanup(func() { listPerPage = old })
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		inst, err := env.p.CreateInstance(ctx, request("m-"+strconv.Itoa(i), nil))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, inst.ID)
	}
	if _, _, err := env.raw.Droplets.Create(ctx, &godo.DropletCreateRequest{Name: "other", Region: "nyc3", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "debian-12-x64"}}); err != nil {
		t.Fatal(err)
	}
	list, err := env.p.ListInstances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 5 {
		t.Fatalf("listed %d, want 5", len(list))
	}
	pages := 0
	for _, q := range env.requests() {
		if strings.HasPrefix(q, "GET /v2/droplets?") && strings.Contains(q, "tag_name=") {
			pages++
		}
	}
	if pages != 3 {
		t.Fatalf("%d pages, want 3: %v", pages, env.requests())
	}
	// Several waits share one list per poll.
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = env.p.WaitReady(ctx, id)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	filtered, err := env.p.ListInstancesFiltered(ctx, framework.InstanceFilter{Labels: map[string]string{"nope": "x"}})
	if err != nil || len(filtered) != 0 {
		t.Fatal(filtered, err)
	}
}
