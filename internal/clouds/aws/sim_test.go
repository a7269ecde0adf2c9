package aws

// Integration tests: the provider, through aws-sdk-go-v2, against the
// simulator's EC2 front end.

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

const simToken = "AKIASPUFFUNITTEST001:c2VjcmV0"

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

type simEnv struct {
	sim *sim.Sim
	p   *Provider
	// wrapped is p behind the framework's retry wrapper, as the registry
	// hands it out.
	wrapped framework.Provider
	cfg     framework.Config
}

func newSimEnv(t *testing.T, opts sim.Options) *simEnv {
	t.Helper()
	for _, k := range []string{"AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		t.Setenv(k, "")
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = -1
	}
	s := sim.New(opts)
	fe, ok := s.FrontEnd(providerName)
	if !ok {
		t.Fatal("no EC2 front end")
	}
	srv := httptest.NewServer(fe.Handler)
	t.Cleanup(srv.Close)
	cfg := framework.Config{Token: simToken, Timeouts: fastTimeouts(), Endpoint: srv.URL, Retry: fastRetry(),
		Settings: map[string]string{"region": "eu-central-1"}}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &simEnv{sim: s, p: p, wrapped: framework.WithRetry(p, *fastRetry(), nil), cfg: cfg}
}

func request(name string) framework.InstanceRequest {
	return framework.InstanceRequest{
		Name: name, Region: "eu-central-1", Size: "t3.micro", Image: framework.Ubuntu("24.04"),
		UserData: "#cloud-config\n", Labels: framework.ManagedLabels(map[string]string{"team": "a"}),
	}
}

// The whole life of an instance and its AMI, each step as EC2 answers it.
func TestLifecycle(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	inst, err := env.wrapped.CreateInstance(ctx, request("life"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(inst.ID, "eu-central-1/i-") || inst.Name != "life" || inst.Labels["team"] != "a" {
		t.Fatalf("created %+v", inst)
	}
	ready, err := env.p.WaitReady(ctx, inst.ID)
	if err != nil || !ready.IsReady() || ready.Image != framework.Ubuntu("24.04") {
		t.Fatalf("ready %+v, %v", ready, err)
	}
	// The AMI is Canonical's newest noble for x86_64 in the region.
	for _, s := range env.sim.ServersWithSecrets() {
		if !strings.Contains(s.Image, "ubuntu-noble-24.04-amd64-server-20261118") || s.UserData != "#cloud-config\n" {
			t.Errorf("the instance boots %q with user data %q", s.Image, s.UserData)
		}
	}

	name := "life-renamed"
	got, err := env.p.UpdateInstance(ctx, inst.ID, framework.InstanceChange{Name: &name, Labels: map[string]string{"team": "b"}})
	if err != nil || got.Name != name || got.Labels["team"] != "b" || !framework.IsManaged(got.Labels) {
		t.Fatalf("renamed and relabelled: %+v, %v", got, err)
	}
	size := "t3.small"
	got, err = env.p.UpdateInstance(ctx, inst.ID, framework.InstanceChange{Size: &size})
	if err != nil || got.Size != size || !got.IsReady() {
		t.Fatalf("resized: %+v, %v", got, err)
	}

	snap, err := env.wrapped.CreateSnapshot(ctx, inst.ID, "life-golden")
	if err != nil || !strings.HasPrefix(snap.ID, "eu-central-1/ami-") || snap.InstanceID != inst.ID || !framework.IsManaged(snap.Labels) {
		t.Fatalf("snapshot %+v, %v", snap, err)
	}
	list, err := env.p.ListSnapshots(ctx)
	if err != nil || len(list) != 1 || list[0].ID != snap.ID {
		t.Fatalf("managed snapshots %+v, %v", list, err)
	}
	if err := env.wrapped.DeleteSnapshot(ctx, snap.ID); err != nil {
		t.Fatal(err)
	}
	if err := env.wrapped.DeleteSnapshot(ctx, snap.ID); err != nil {
		t.Fatalf("a second delete of the AMI: %v", err)
	}
	if got, err := env.p.GetSnapshot(ctx, snap.ID); got != nil || err != nil {
		t.Fatalf("deleted AMI reads %+v, %v", got, err)
	}

	if err := env.wrapped.DestroyInstance(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	if err := env.p.WaitGone(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	// Terminated instances are listed for an hour: for spuff they are gone.
	if got, err := env.p.GetInstance(ctx, inst.ID); got != nil || err != nil {
		t.Fatalf("terminated instance reads %+v, %v", got, err)
	}
	if all, err := env.p.ListInstances(ctx); err != nil || len(all) != 0 {
		t.Fatalf("after terminate the list holds %+v, %v", all, err)
	}
	if err := env.wrapped.DestroyInstance(ctx, inst.ID); err != nil {
		t.Fatalf("a second delete: %v", err)
	}
}

// A RunInstances whose answer is lost after the instance was launched is
// retried with the same ClientToken: EC2 answers with the first instance.
func TestRetriedLaunchDoesNotLaunchTwice(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	env.sim.InjectFault(sim.Fault{Path: "RunInstances", Drop: true, After: true})
	inst, err := env.wrapped.CreateInstance(ctx, request("retried"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := env.p.ListInstances(ctx)
	if err != nil || len(all) != 1 || all[0].ID != inst.ID {
		t.Fatalf("after a dropped answer the account holds %+v, %v; want only %s", all, err, inst.ID)
	}
	if n := env.sim.FaultCounts()["scripted"]; n != 1 {
		t.Fatalf("%d scripted faults fired, want the dropped answer", n)
	}
	// Another create of the name is refused with the ID to import.
	_, err = env.wrapped.CreateInstance(ctx, request("retried"))
	var taken *framework.NameTakenError
	if !errors.As(err, &taken) || !strings.Contains(err.Error(), inst.ID) {
		t.Fatalf("a second create of the name: %v, want NameTakenError naming %s", err, inst.ID)
	}
}

// IDs name their region; reads go there, and a bad ID is the caller's.
func TestIDsAndErrors(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	if got, err := env.p.GetInstance(ctx, "eu-central-1/i-0123456789abcdef0"); got != nil || err != nil {
		t.Fatalf("an unknown instance reads %+v, %v", got, err)
	}
	var ic *framework.InvalidConfigError
	if _, err := env.p.GetInstance(ctx, "i-0123456789abcdef0"); !errors.As(err, &ic) {
		t.Fatalf("an ID without its region: %v", err)
	}
	bad := request("bad-ami")
	bad.Image = framework.Custom("ami-0123456789abcdef0")
	if _, err := env.p.CreateInstance(ctx, bad); !errors.As(err, &ic) || ic.Field != "image" {
		t.Fatalf("an unknown AMI: %v, want an invalid image", err)
	}
	keyed := request("bad-key")
	keyed.SSHKeys = []string{"nope"}
	if _, err := env.p.CreateInstance(ctx, keyed); !errors.As(err, &ic) || ic.Field != "ssh_keys" {
		t.Fatalf("an unknown key pair: %v, want an invalid ssh_keys", err)
	}
	arm := request("arm")
	arm.Size = "t4g.micro"
	inst, err := env.p.CreateInstance(ctx, arm)
	if err != nil {
		t.Fatalf("an arm instance: %v", err)
	}
	for _, s := range env.sim.Servers() {
		if s.Name == "arm" && !strings.Contains(s.Image, "arm64") {
			t.Errorf("the arm instance %s boots %q", inst.ID, s.Image)
		}
	}
}

// The catalogue lists regions, types with their architecture and where
// they are offered, and the distribution versions per architecture.
func TestCatalog(t *testing.T) {
	env := newSimEnv(t, sim.Options{})
	cat, err := env.p.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Regions) < 6 {
		t.Errorf("%d regions", len(cat.Regions))
	}
	var m7g *framework.CatalogSize
	for i := range cat.Sizes {
		if cat.Sizes[i].Name == "m7g.large" {
			m7g = &cat.Sizes[i]
		}
	}
	if m7g == nil || m7g.Arch != "arm64" || len(m7g.Regions) == 0 {
		t.Fatalf("m7g.large: %+v", m7g)
	}
	for _, r := range m7g.Regions {
		if r == "ap-southeast-1" {
			t.Error("m7g.large offered in ap-southeast-1")
		}
	}
	have := map[framework.CatalogImage]bool{}
	for _, img := range cat.Images {
		have[img] = true
	}
	for _, want := range []framework.CatalogImage{
		{Kind: framework.ImageUbuntu, Version: "24.04", Arch: "x86_64"},
		{Kind: framework.ImageUbuntu, Version: "22.04", Arch: "arm64"},
		{Kind: framework.ImageDebian, Version: "13", Arch: "x86_64"},
	} {
		if !have[want] {
			t.Errorf("the catalogue lacks %+v (has %+v)", want, cat.Images)
		}
	}
}

// Long answers to small requests on a fast link: every list is one
// request, none lost to a connection closed under its answer and retried.
func TestLongAnswersNeedNoRetry(t *testing.T) {
	e := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	for i := range 12 {
		if _, err := e.p.CreateInstance(ctx, request(fmt.Sprintf("long-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	filters := []types.Filter{{Name: aws.String("tag:" + framework.ManagedByKey), Values: []string{framework.ManagedByValue}}}
	// The first list also looks the instances' AMI up, once.
	if _, err := e.p.listRegion(ctx, "eu-central-1", filters); err != nil {
		t.Fatal(err)
	}
	before := e.sim.TotalRequests()
	const lists = 300
	for i := range lists {
		got, err := e.p.listRegion(ctx, "eu-central-1", filters)
		if err != nil {
			t.Fatalf("list %d: %v", i, err)
		}
		if len(got) != 12 {
			t.Fatalf("list %d: %d instances, want 12", i, len(got))
		}
	}
	if n := e.sim.TotalRequests() - before; n != lists {
		t.Fatalf("%d lists took %d requests", lists, n)
	}
}

// A fresh provider process (a plan's refresh) reading ten machines of one
// AMI at once looks that AMI up once, not once per read.
func TestConcurrentReadsShareTheImageLookup(t *testing.T) {
	e := newSimEnv(t, sim.Options{})
	ctx := context.Background()
	var ids []string
	for i := range 10 {
		inst, err := e.p.CreateInstance(ctx, request(fmt.Sprintf("read-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, inst.ID)
	}
	fresh, err := New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	before := e.sim.RequestCounts()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			inst, err := fresh.GetInstance(ctx, id)
			if err != nil || inst == nil {
				t.Errorf("GetInstance(%s): %v, %v", id, inst, err)
				return
			}
			if inst.Image != framework.Ubuntu("24.04") {
				t.Errorf("GetInstance(%s): image %v, want ubuntu 24.04", id, inst.Image)
			}
		})
	}
	wg.Wait()
	after := e.sim.RequestCounts()
	if n := after["DescribeInstances"] - before["DescribeInstances"]; n != 10 {
		t.Errorf("%d DescribeInstances for 10 reads, want 10", n)
	}
	if n := after["DescribeImages"] - before["DescribeImages"]; n != 1 {
		t.Errorf("%d DescribeImages for 10 reads of one AMI, want 1", n)
	}
}
