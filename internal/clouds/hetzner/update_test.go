package hetzner

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

// ready creates a machine and waits until it runs.
func (env *simEnv) ready(t *testing.T, name string) *framework.Instance {
	t.Helper()
	inst := env.create(t, request(name))
	if _, err := env.p.WaitReady(context.Background(), inst.ID); err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestSimUpdateRenamesAndRelabelsInOnePut(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	req := request("upd-a")
	req.Labels[framework.RequestIDKey] = "tok-1"
	inst := env.create(t, req)
	before := env.simServer(t, inst.ID).Labels
	n := len(env.requests())
	got, err := env.p.UpdateInstance(context.Background(), inst.ID, framework.InstanceChange{
		Name:   hcloud.Ptr("upd-b"),
		Labels: map[string]string{"team": "blue"},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := env.simServer(t, inst.ID)
	want := map[string]string{"team": "blue", framework.ManagedByKey: framework.ManagedByValue, framework.RequestIDKey: before[framework.RequestIDKey]}
	if srv.Name != "upd-b" || !maps.Equal(srv.Labels, want) {
		t.Errorf("cloud has %q %v, want upd-b %v (reserved labels kept)", srv.Name, srv.Labels, want)
	}
	if got.Name != "upd-b" || got.Labels["team"] != "blue" {
		t.Errorf("UpdateInstance returned %q %v", got.Name, got.Labels)
	}
	reqs := env.requests()[n:]
	if puts := countPrefix(reqs, "PUT /v1/servers/"); puts != 1 || len(reqs) != 2 {
		t.Errorf("update made %v, want one GET and one PUT", reqs)
	}
	// Nothing to change: no PUT at all.
	n = len(env.requests())
	if _, err := env.p.UpdateInstance(context.Background(), inst.ID, framework.InstanceChange{Name: hcloud.Ptr("upd-b"), Labels: map[string]string{"team": "blue"}}); err != nil {
		t.Fatal(err)
	}
	if puts := countPrefix(env.requests()[n:], "PUT "); puts != 0 {
		t.Errorf("an update that changes nothing made %d PUTs", puts)
	}
}

func TestSimUpdateRefusesUnmanaged(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	res, _, err := env.hc.Server.Create(context.Background(), hcloud.ServerCreateOpts{
		Name: "foreign", ServerType: &hcloud.ServerType{Name: "cx23"}, Image: &hcloud.Image{Name: "ubuntu-24.04"},
		Location: &hcloud.Location{Name: "fsn1"}, Labels: map[string]string{"team": "x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := strconvID(res.Server.ID)
	_, err = env.p.UpdateInstance(context.Background(), id, framework.InstanceChange{Labels: map[string]string{"team": "y"}})
	var nm *framework.NotManagedError
	if !errors.As(err, &nm) || nm.ID != id || !strings.Contains(err.Error(), "managed-by=spuff") {
		t.Fatalf("UpdateInstance of an unmanaged server = %v, want a refusal naming managed-by=spuff", err)
	}
	if got := env.simServer(t, id).Labels["team"]; got != "x" {
		t.Errorf("the unmanaged server's label is now %q", got)
	}
}

func TestSimResizeRunningServer(t *testing.T) {
	env := newSimEnv(t, sim.Options{ServerReadyDelay: 50 * time.Millisecond}, fastTimeouts())
	inst := env.ready(t, "rs")
	n := len(env.requests())
	got, err := env.p.UpdateInstance(context.Background(), inst.ID, framework.InstanceChange{Size: hcloud.Ptr("cx33")})
	if err != nil {
		t.Fatal(err)
	}
	srv := env.simServer(t, inst.ID)
	if srv.ServerType != "cx33" || srv.Status != "running" {
		t.Errorf("cloud has %s %s, want cx33 running", srv.ServerType, srv.Status)
	}
	if got.Size != "cx33" || got.Status.Kind != framework.StatusActive || got.DiskGB != 40 {
		t.Errorf("UpdateInstance returned %s %v disk %d, want cx33 active with the 40 GB disk kept", got.Size, got.Status, got.DiskGB)
	}
	reqs := env.requests()[n:]
	for _, want := range []string{"POST /v1/servers/" + inst.ID + "/actions/poweroff", "POST /v1/servers/" + inst.ID + "/actions/change_type"} {
		if !slices.ContainsFunc(reqs, func(r string) bool { return strings.HasPrefix(r, want) }) {
			t.Errorf("resize did not %s: %v", want, reqs)
		}
	}
	// change_type starts the server again: no poweron needed.
	if countPrefix(reqs, "POST /v1/servers/"+inst.ID+"/actions/poweron") != 0 {
		t.Errorf("resize powered on a server change_type had started: %v", reqs)
	}
}

func TestSimResizeRefusals(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	inst := env.ready(t, "rr")
	_, err := env.p.UpdateInstance(context.Background(), inst.ID, framework.InstanceChange{Size: hcloud.Ptr("cax11")})
	if err == nil {
		t.Fatal("resize to another architecture succeeded")
	}
	if srv := env.simServer(t, inst.ID); srv.ServerType != "cx23" {
		t.Errorf("refused resize changed the type to %s", srv.ServerType)
	}
}

func TestSimUpdateSnapshot(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	inst := env.ready(t, "us")
	snap, err := env.p.CreateSnapshot(context.Background(), inst.ID, "golden")
	if err != nil {
		t.Fatal(err)
	}
	if snap.DiskGB != 40 {
		t.Errorf("snapshot disk %d GB, want the server's 40", snap.DiskGB)
	}
	got, err := env.p.UpdateSnapshot(context.Background(), snap.ID, framework.SnapshotChange{Name: hcloud.Ptr("golden-2"), Labels: map[string]string{"team": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "golden-2" || got.Labels["team"] != "a" || !framework.IsManaged(got.Labels) {
		t.Errorf("UpdateSnapshot = %q %v", got.Name, got.Labels)
	}
	for _, img := range env.sim.Images() {
		if strconvID(img.ID) == snap.ID && (img.Description != "golden-2" || img.Labels["team"] != "a") {
			t.Errorf("cloud has %q %v", img.Description, img.Labels)
		}
	}
}

func TestSimCatalog(t *testing.T) {
	env := newSimEnv(t, sim.Options{}, fastTimeouts())
	cat, err := env.p.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cat.Region("fsn1") == nil || cat.Region("ash") == nil {
		t.Errorf("regions %v lack fsn1 or ash", cat.Regions)
	}
	cx23 := cat.Size("cx23")
	if cx23 == nil || cx23.Arch != "x86" || cx23.DiskGB != 40 || !slices.Contains(cx23.Regions, "fsn1") || slices.Contains(cx23.Regions, "ash") {
		t.Errorf("cx23 = %+v, want x86, 40 GB, in fsn1 and not ash", cx23)
	}
	if cat.Size("cx22") != nil {
		t.Error("the retired cx22 is in the catalogue")
	}
	cpx11 := cat.Size("cpx11")
	if cpx11 == nil {
		t.Fatal("cpx11, still sold in the US, is missing")
	}
	if d, ok := cpx11.Deprecations["fsn1"]; !ok || d.UnavailableAfter.IsZero() {
		t.Errorf("cpx11 deprecation in fsn1 = %+v, want an end of sale", cpx11.Deprecations)
	}
	if _, ok := cpx11.Deprecations["ash"]; ok {
		t.Error("cpx11 is deprecated in ash, where it is still sold")
	}
	if err := cat.CheckImage(framework.Ubuntu("24.04"), "arm"); err != nil {
		t.Errorf("ubuntu 24.04 for arm: %v", err)
	}
	if err := cat.CheckImage(framework.Debian("9"), "x86"); err == nil {
		t.Error("debian 9 passes the catalogue")
	}
	// Three lists, one page each.
	if n := len(env.requests()); n != 3 {
		t.Errorf("the catalogue took %d requests, want 3: %v", n, env.requests())
	}
}

func countPrefix(reqs []string, prefix string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func strconvID(id int64) string { return strconv.FormatInt(id, 10) }
