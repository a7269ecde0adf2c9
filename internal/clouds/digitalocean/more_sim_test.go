package digitalocean

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

func (env *simEnv) ready(t *testing.T, name string, labels map[string]string) *framework.Instance {
	t.Helper()
	ctx := context.Background()
	inst, err := env.p.CreateInstance(ctx, request(name, labels))
	if err != nil {
		t.Fatal(err)
	}
	inst, err = env.p.WaitReady(ctx, inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestSnapshotFoundAndTagged(t *testing.T) {
	env := newSimEnv(t, sim.Options{ImageReadyDelay: 150 * time.Millisecond})
	ctx := context.Background()
	inst := env.ready(t, "snap-src", nil)
	// An older snapshot of the same droplet must not be taken for the new one.
	if _, _, err := env.raw.DropletActions.Snapshot(ctx, atoi(inst.ID), "spuff-snap"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	snap, err := env.p.CreateSnapshot(ctx, inst.ID, "spuff-snap")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Name != "spuff-snap" || snap.InstanceID != inst.ID || !framework.IsManaged(snap.Labels) {
		t.Fatalf("snapshot %+v", snap)
	}
	list, err := env.p.ListSnapshots(ctx)
	if err != nil || len(list) != 1 || list[0].ID != snap.ID {
		t.Fatalf("listed %+v %v (want only %s: the older one is untagged)", list, err, snap.ID)
	}
	got, err := env.p.GetSnapshot(ctx, snap.ID)
	if err != nil || got == nil || !framework.IsManaged(got.Labels) {
		t.Fatal(got, err)
	}
	// A droplet made from it maps its image back to the snapshot.
	req := request("from-snap", nil)
	req.Image = framework.FromSnapshot(snap.ID)
	restored, err := env.p.CreateInstance(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if restored.Image != framework.FromSnapshot(snap.ID) {
		t.Fatalf("image %v", restored.Image)
	}
	if err := env.p.DeleteSnapshot(ctx, snap.ID); err != nil {
		t.Fatal(err)
	}
	if err := env.p.DeleteSnapshot(ctx, snap.ID); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if got, err := env.p.GetSnapshot(ctx, snap.ID); got != nil || err != nil {
		t.Fatal(got, err)
	}
}

func TestSnapshotActionFailure(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	inst := env.ready(t, "snap-fail", nil)
	env.sim.InjectFault(sim.Fault{Path: "action:snapshot", Message: "disk read error"})
	_, err := env.p.CreateSnapshot(ctx, inst.ID, "s")
	var inc *framework.IncompleteError
	if !errors.As(err, &inc) {
		t.Fatalf("got %v, want IncompleteError", err)
	}
}

// A 5xx while the finished snapshot is found and tagged is retried: the
// create succeeds. When it keeps failing, state keeps the pending ID, and
// the next read finds and tags the image, so it is never left untagged
// under an ID of its own.
func TestSnapshotTagFailureAfterTheAction(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	inst := env.ready(t, "snap-tag", nil)
	env.sim.InjectFault(sim.Fault{Method: "POST", Path: "/v2/tags/managed-by:spuff/resources", Status: http.StatusBadGateway, Times: 1})
	snap, err := env.p.CreateSnapshot(ctx, inst.ID, "retried")
	if err != nil || !framework.IsManaged(snap.Labels) || strings.HasPrefix(snap.ID, pendingPrefix) {
		t.Fatalf("create with one 502 while tagging = %+v, %v; want the tagged snapshot", snap, err)
	}

	env.sim.InjectFault(sim.Fault{Method: "POST", Path: "/v2/tags/managed-by:spuff/resources", Status: http.StatusBadGateway, Times: fastRetry().MaxAttempts})
	_, err = env.p.CreateSnapshot(ctx, inst.ID, "kept")
	var inc *framework.IncompleteError
	if !errors.As(err, &inc) || !strings.HasPrefix(inc.ID, pendingPrefix) {
		t.Fatalf("create whose tagging keeps failing = %v; want IncompleteError with the pending ID", err)
	}
	got, err := env.p.GetSnapshot(ctx, inc.ID)
	if err != nil || got == nil || got.Name != "kept" || !framework.IsManaged(got.Labels) || strings.HasPrefix(got.ID, pendingPrefix) {
		t.Fatalf("read of the pending ID = %+v, %v; want the image, tagged", got, err)
	}
}

func atoi(s string) int {
	n, _ := parseID("id", s)
	return n
}

func TestLabelsRoundTripAndValidation(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	labels := map[string]string{"env": "prod", "url": "a:b:c", "empty": "", "Team_1": "x-y"}
	inst := env.ready(t, "labels", labels)
	got, err := env.p.GetInstance(ctx, inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !equal(framework.UserLabels(got.Labels), labels) {
		t.Fatalf("labels %v, want %v", framework.UserLabels(got.Labels), labels)
	}
	for _, bad := range []map[string]string{
		{"a:b": "c"}, {"a b": "c"}, {"a": "c d"}, {"ä": "x"}, {"k": strings.Repeat("v", 255)},
	} {
		err := framework.ValidateLabels(env.p, bad)
		var ic *framework.InvalidConfigError
		if !errors.As(err, &ic) || ic.Field != "labels" {
			t.Errorf("%v: got %v, want an invalid labels error", bad, err)
		}
		if err := framework.ValidateRequest(env.p, request("x", bad)); err == nil {
			t.Errorf("%v: request accepted", bad)
		}
	}
	filtered, err := env.p.ListInstancesFiltered(ctx, framework.InstanceFilter{Labels: map[string]string{"url": "a:b:c", "env": "prod"}})
	if err != nil || len(filtered) != 1 {
		t.Fatal(filtered, err)
	}
}

func TestUpdateRenameRetagResize(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	inst := env.ready(t, "old-name", map[string]string{"a": "1", "b": "2"})
	name, size := "new-name", "s-2vcpu-2gb"
	got, err := env.p.UpdateInstance(ctx, inst.ID, framework.InstanceChange{
		Name: &name, Labels: map[string]string{"a": "9", "c": ""}, Size: &size,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "9", "c": ""}
	if got.Name != name || got.Size != size || !equal(framework.UserLabels(got.Labels), want) || !framework.IsManaged(got.Labels) {
		t.Fatalf("updated %+v", got)
	}
	if got.Status.Kind != framework.StatusActive {
		t.Fatalf("status %v after resize: it was on, it must run again", got.Status)
	}
	// Unmanaged droplets are refused.
	if err := env.sim.SetLabels(int64(atoi(inst.ID)), map[string]string{"x": "y"}); err != nil {
		t.Fatal(err)
	}
	_, err = env.p.UpdateInstance(ctx, inst.ID, framework.InstanceChange{Name: &name})
	var nm *framework.NotManagedError
	if !errors.As(err, &nm) {
		t.Fatalf("got %v, want NotManaged", err)
	}
}

func TestErrorsMapped(t *testing.T) {
	env := newSimEnv(t, sim.Options{Tokens: []string{simToken}})
	ctx := context.Background()
	if got, err := env.p.GetInstance(ctx, "999999"); got != nil || err != nil {
		t.Fatalf("missing droplet: %v %v", got, err)
	}
	bad, err := New(framework.Config{Token: "dop_v1_wrong", Timeouts: fastTimeouts(), Endpoint: env.url})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.ListInstances(ctx)
	var ae *framework.AuthenticationError
	if !errors.As(err, &ae) {
		t.Fatalf("bad token: %v", err)
	}
	env.sim.InjectFault(sim.Fault{Method: "GET", Path: "/v2/droplets", Status: http.StatusTooManyRequests, Times: fastRetry().MaxAttempts})
	_, err = env.p.ListInstances(ctx)
	var rl *framework.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("429 on every page attempt: %v", err)
	}
	if _, ok := framework.RetryAfter(err); !ok {
		t.Fatalf("429 without a retry hint: %v", err)
	}
	req := request("bad-size", nil)
	req.Size = "s-99vcpu"
	_, err = env.p.CreateInstance(ctx, req)
	var ic *framework.InvalidConfigError
	if !errors.As(err, &ic) || ic.Field != "size" {
		t.Fatalf("bad size: %v", err)
	}
	if err := mapStatus(http.StatusUnprocessableEntity, "Droplet already has a pending event.", nil, subject{Type: "instance", ID: "1"}); !framework.IsBusy(err) {
		t.Fatalf("pending event: %v", err)
	}
	h := http.Header{}
	h.Set("Ratelimit-Reset", "4000000000")
	if d := rateLimitDelay(h, time.Unix(3999999990, 0)); d != 10*time.Second {
		t.Fatalf("reset hint %v", d)
	}
}

func TestBusyDestroyWaitsForTheAction(t *testing.T) {
	env := newSimEnv(t, sim.Options{ImageReadyDelay: 200 * time.Millisecond})
	ctx := context.Background()
	inst := env.ready(t, "busy", nil)
	if _, _, err := env.raw.DropletActions.Snapshot(ctx, atoi(inst.ID), "x"); err != nil {
		t.Fatal(err)
	}
	name := "renamed"
	if _, err := env.p.UpdateInstance(ctx, inst.ID, framework.InstanceChange{Name: &name}); err != nil {
		t.Fatalf("rename while a snapshot runs: %v", err)
	}
	if err := env.p.DestroyInstance(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	if err := env.p.WaitGone(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
}

func TestAdoptionAfterDropAfterCreate(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	p := framework.WithRetry(env.p, *fastRetry(), nil)
	// Another droplet of the same name, not spuff's: names are not unique.
	other, _, err := env.raw.Droplets.Create(ctx, &godo.DropletCreateRequest{Name: "twin", Region: "nyc3", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "debian-12-x64"}})
	if err != nil {
		t.Fatal(err)
	}
	env.sim.InjectFault(sim.Fault{Method: "POST", Path: "/v2/droplets", Drop: true, After: true})
	inst, err := p.CreateInstance(ctx, request("twin", nil))
	if err != nil {
		t.Fatal(err)
	}
	if inst.ID == strconv.Itoa(other.ID) {
		t.Fatalf("adopted the other droplet %d", other.ID)
	}
	list, err := env.p.ListInstances(ctx)
	if err != nil || len(list) != 1 || list[0].ID != inst.ID {
		t.Fatalf("managed droplets %+v, want only %s (no duplicate): %v", list, inst.ID, err)
	}

	// A create whose state was lost (terraform killed after it) finds the
	// managed droplet and reports its ID instead of making a second one.
	_, err = p.CreateInstance(ctx, request("twin", nil))
	var taken *framework.NameTakenError
	if !errors.As(err, &taken) || taken.ID != inst.ID {
		t.Fatalf("got %v, want NameTakenError naming %s", err, inst.ID)
	}
	if list, _ := env.p.ListInstances(ctx); len(list) != 1 {
		t.Fatalf("%d managed droplets, want 1", len(list))
	}
}

func TestCatalog(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	cat, err := env.p.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.CheckRegion("nyc3"); err != nil {
		t.Fatal(err)
	}
	if err := cat.CheckRegion("fsn1"); err == nil {
		t.Fatal("fsn1 accepted")
	}
	if _, err := cat.CheckSize("nyc3", "s-1vcpu-1gb"); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.CheckSize("nyc3", "cx23"); err == nil {
		t.Fatal("cx23 accepted")
	}
	for _, spec := range []framework.ImageSpec{framework.Ubuntu("24.04"), framework.Debian("12")} {
		if err := cat.CheckImage(spec, arch); err != nil {
			t.Fatalf("%v: %v", spec, err)
		}
	}
	if err := cat.CheckImage(framework.Ubuntu("14.04"), arch); err == nil {
		t.Fatal("ubuntu 14.04 accepted")
	}
	ok, reason := cat.CanResize(Cloud.Updates, "nyc3", "s-2vcpu-2gb", "s-1vcpu-1gb", 60)
	if ok {
		t.Fatalf("shrinking the disk allowed: %s", reason)
	}
}

func TestSnapshotWaitCancelledLeavesAFindableID(t *testing.T) {
	env := newSimEnv(t, sim.Options{ImageReadyDelay: 400 * time.Millisecond})
	ctx := context.Background()
	inst := env.ready(t, "snap-cancel", nil)
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err := env.p.CreateSnapshot(short, inst.ID, "late")
	var inc *framework.IncompleteError
	if !errors.As(err, &inc) || !strings.HasPrefix(inc.ID, pendingPrefix) {
		t.Fatalf("got %v, want an IncompleteError with a pending ID", err)
	}
	pending, err := env.p.GetSnapshot(ctx, inc.ID)
	if err != nil || pending == nil || pending.ID != inc.ID || !framework.IsManaged(pending.Labels) {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	time.Sleep(500 * time.Millisecond)
	done, err := env.p.GetSnapshot(ctx, inc.ID)
	if err != nil || done == nil || strings.HasPrefix(done.ID, pendingPrefix) || done.Name != "late" {
		t.Fatalf("resolved: %+v %v", done, err)
	}
	list, err := env.p.ListSnapshots(ctx)
	if err != nil || len(list) != 1 || list[0].ID != done.ID {
		t.Fatalf("listed %+v %v: the resolved snapshot is tagged", list, err)
	}

	// Deleting a pending ID waits for the image and deletes it.
	short2, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	_, err = env.p.CreateSnapshot(short2, inst.ID, "later")
	if !errors.As(err, &inc) {
		t.Fatal(err)
	}
	if err := env.p.DeleteSnapshot(ctx, inc.ID); err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, img := range env.sim.Images() {
		names[img.Description]++
	}
	if names["later"] != 0 || names["late"] != 1 {
		t.Fatalf("images by name %v: want late kept and later deleted", names)
	}
}

func TestUpdateSnapshot(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	inst := env.ready(t, "snap-upd", nil)
	snap, err := env.p.CreateSnapshot(ctx, inst.ID, "before")
	if err != nil {
		t.Fatal(err)
	}
	got, err := env.p.UpdateSnapshot(ctx, snap.ID, framework.SnapshotChange{Labels: map[string]string{"k": "v:w"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "before" || !equal(framework.UserLabels(got.Labels), map[string]string{"k": "v:w"}) || !framework.IsManaged(got.Labels) {
		t.Fatalf("updated %+v", got)
	}
	after := "after"
	got, err = env.p.UpdateSnapshot(ctx, snap.ID, framework.SnapshotChange{Name: &after})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "after" || got.InstanceID != inst.ID || !equal(framework.UserLabels(got.Labels), map[string]string{"k": "v:w"}) {
		t.Fatalf("renamed %+v", got)
	}
}

func TestSSHKeysByIDFingerprintOrName(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	var refs []string
	for i := range 3 {
		pub := testKey(byte(i))
		k, _, err := env.raw.Keys.Create(ctx, &godo.KeyCreateRequest{Name: "key" + strconv.Itoa(i), PublicKey: pub})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, [...]string{strconv.Itoa(k.ID), k.Fingerprint, k.Name}[i])
	}
	names, err := env.p.SSHKeys(ctx)
	if err != nil || len(names) != 3 {
		t.Fatal(names, err)
	}
	req := request("keyed", nil)
	req.SSHKeys = refs
	if _, err := env.p.CreateInstance(ctx, req); err != nil {
		t.Fatal(err)
	}
	req.SSHKeys = []string{"nope"}
	_, err = env.p.CreateInstance(ctx, req)
	var ic *framework.InvalidConfigError
	if !errors.As(err, &ic) || ic.Field != "ssh_keys" {
		t.Fatalf("unknown key: %v", err)
	}
}

// testKey is an OpenSSH ed25519 public key made from seed.
func testKey(seed byte) string {
	pub := ed25519.NewKeyFromSeed(append(make([]byte, 31), seed+1)).Public().(ed25519.PublicKey)
	var wire []byte
	for _, part := range [][]byte{[]byte("ssh-ed25519"), pub} {
		wire = binary.BigEndian.AppendUint32(wire, uint32(len(part)))
		wire = append(wire, part...)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(wire) + " test@spuff"
}

func TestUserDataImageAndMissingDroplet(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	req := request("ud", nil)
	req.Image = framework.Debian("12")
	req.UserData = "#cloud-config\nruncmd: [echo hi]\n"
	inst, err := env.p.CreateInstance(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range env.sim.ServersWithSecrets() {
		if strconv.FormatInt(s.ID, 10) == inst.ID {
			found = true
			if s.UserData != req.UserData || s.Image != "debian-12-x64" {
				t.Fatalf("server %+v", s)
			}
		}
	}
	if !found {
		t.Fatal("droplet not in the simulator")
	}
	if _, err := env.p.WaitReady(ctx, "424242"); !framework.IsNotFound(err) {
		t.Fatalf("waiting for a missing droplet: %v", err)
	}
}

func TestResizeOfAnOffDropletLeavesItOff(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	inst := env.ready(t, "off", nil)
	if err := env.sim.StopMachine(int64(atoi(inst.ID))); err != nil {
		t.Fatal(err)
	}
	size := "s-2vcpu-2gb"
	got, err := env.p.UpdateInstance(ctx, inst.ID, framework.InstanceChange{Size: &size})
	if err != nil {
		t.Fatal(err)
	}
	if got.Size != size || got.Status.Kind != framework.StatusOff {
		t.Fatalf("resized %+v", got)
	}
	small := "s-1vcpu-1gb"
	_, err = env.p.UpdateInstance(ctx, inst.ID, framework.InstanceChange{Size: &small})
	if err != nil {
		t.Fatalf("back to the smaller size (disk kept): %v", err)
	}
}
