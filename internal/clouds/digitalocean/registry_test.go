package digitalocean

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

func TestDescriptor(t *testing.T) {
	if Cloud.Name != "digitalocean" || Cloud.DisplayName != "DigitalOcean" || Cloud.Aliases[0] != "do" {
		t.Fatalf("descriptor %+v", Cloud)
	}
	if Cloud.TokenEnv[0] != "DIGITALOCEAN_TOKEN" || Cloud.TokenEnv[1] != "DIGITALOCEAN_ACCESS_TOKEN" {
		t.Fatalf("token env %v", Cloud.TokenEnv)
	}
	if !Cloud.Snapshots || !Cloud.Implemented() {
		t.Fatal("snapshots or New missing")
	}
	p, err := New(framework.Config{Token: "t", Timeouts: framework.DefaultTimeouts()})
	if err != nil {
		t.Fatal(err)
	}
	if framework.CapabilitiesOf(p) != Cloud.Updates || p.Name() != "digitalocean" {
		t.Fatal("capabilities or name differ from the descriptor")
	}
	if _, err := New(framework.Config{Timeouts: framework.DefaultTimeouts()}); err == nil {
		t.Fatal("no token accepted")
	}
}

// Through the registry's wrapper, as the Terraform layer uses it.
func TestThroughTheRegistry(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	p, err := framework.NewRegistry(Cloud).CreateByName("DO", framework.Config{Token: simToken, Timeouts: fastTimeouts(), Endpoint: env.url, Retry: fastRetry()})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := p.CreateInstance(ctx, request("wrapped", map[string]string{"a": "b"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitReady(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	snap, err := p.CreateSnapshot(ctx, inst.ID, "wrapped-snap")
	if err != nil {
		t.Fatal(err)
	}
	// The wrapper refuses what is not managed.
	if err := env.sim.SetImageLabels(int64(atoi(snap.ID)), map[string]string{}); err != nil {
		t.Fatal(err)
	}
	var nm *framework.NotManagedError
	if err := p.DeleteSnapshot(ctx, snap.ID); !errors.As(err, &nm) {
		t.Fatalf("deleting an unmanaged snapshot: %v", err)
	}
	if err := env.sim.SetLabels(int64(atoi(inst.ID)), map[string]string{"x": "y"}); err != nil {
		t.Fatal(err)
	}
	if err := p.DestroyInstance(ctx, inst.ID); !errors.As(err, &nm) {
		t.Fatalf("destroying an unmanaged droplet: %v", err)
	}
}

func TestRateLimitCarriesTheResetHint(t *testing.T) {
	env := newSimEnv(t, sim.Options{RateLimit: 2})
	ctx := context.Background()
	var err error
	for range 10 {
		if _, err = env.p.GetInstance(ctx, "1"); err != nil {
			break
		}
	}
	var rl *framework.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("got %v, want a rate limit", err)
	}
	if d, ok := framework.RetryAfter(err); !ok || d <= 0 {
		t.Fatalf("hint %v %v", d, ok)
	}
}

func TestSnapshotAnswerLostAfterTheActionStarted(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	inst := env.ready(t, "snap-drop", nil)
	env.sim.InjectFault(sim.Fault{Method: "POST", Path: "/v2/droplets/" + inst.ID + "/actions", Drop: true, After: true})
	snap, err := env.p.CreateSnapshot(ctx, inst.ID, "dropped")
	if err != nil {
		t.Fatal(err)
	}
	list, err := env.p.ListSnapshots(ctx)
	if err != nil || len(list) != 1 || list[0].ID != snap.ID {
		t.Fatalf("managed snapshots %+v %v, want only %s", list, err, snap.ID)
	}
	if n := len(env.sim.Images()); n != 1 {
		t.Fatalf("%d images, want 1 (none orphaned, none doubled)", n)
	}
	// Dropped (or a 504) before any change: the droplet's actions show
	// none started, so the POST is sent again, and one snapshot is made.
	// (Each on a droplet of its own: a snapshot action of the same droplet
	// seconds earlier makes the lost answer's fate unknown, and the create
	// then fails rather than risk a second snapshot.)
	for i, f := range []sim.Fault{{Drop: true}, {Status: http.StatusGatewayTimeout}} {
		other := env.ready(t, "snap-again-"+strconv.Itoa(i), nil)
		f.Method, f.Path = "POST", "/v2/droplets/"+other.ID+"/actions"
		env.sim.InjectFault(f)
		if _, err := env.p.CreateSnapshot(ctx, other.ID, "again-"+strconv.Itoa(i)); err != nil {
			t.Fatalf("a snapshot whose first request never arrived (%+v): %v", f, err)
		}
		if n := len(env.sim.Images()); n != 2+i {
			t.Fatalf("%d images after the retried snapshot, want %d", n, 2+i)
		}
	}
}
