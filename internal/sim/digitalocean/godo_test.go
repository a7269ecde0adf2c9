package digitalocean_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type env struct {
	t     *testing.T
	s     *sim.Sim
	clock *clock
	url   string // the DigitalOcean API's root
	c     *godo.Client
	ctx   context.Context
}

const (
	bootDelay  = 20 * time.Second
	imageDelay = 30 * time.Second
	actDelay   = 5 * time.Second
	token      = "dop_v1_simulated"
)

func newEnv(t *testing.T, opts sim.Options) *env {
	t.Helper()
	clk := &clock{now: time.Date(2026, 11, 14, 16, 34, 39, 123456789, time.UTC)}
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	s := sim.New(opts)
	fe, ok := s.FrontEnd("digitalocean")
	if !ok || !fe.OwnPort {
		t.Fatalf("no DigitalOcean front end with a port of its own: %+v", s.FrontEnds())
	}
	srv := httptest.NewServer(fe.Handler)
	t.Cleanup(srv.Close)
	e := &env{t: t, s: s, clock: clk, url: srv.URL, ctx: context.Background()}
	e.c = e.client(token)
	return e
}

func newDefaultEnv(t *testing.T) *env {
	return newEnv(t, sim.Options{ServerReadyDelay: bootDelay, ImageReadyDelay: imageDelay, ActionDelay: actDelay})
}

// client is godo as the notes configure it, retries off.
func (e *env) client(tok string) *godo.Client {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok})
	c, err := godo.New(oauth2.NewClient(e.ctx, ts), godo.SetBaseURL(e.url+"/"))
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// raw sends a request outside godo and returns status, headers and the
// decoded body.
func (e *env) raw(method, path string, tok string) (int, http.Header, map[string]any) {
	e.t.Helper()
	return e.rawBody(method, path, tok, "")
}

// rawBody is raw with a JSON request body.
func (e *env) rawBody(method, path, tok, body string) (int, http.Header, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, resp.Header, m
}

func (e *env) create(name string, tags ...string) (*godo.Droplet, *godo.Response) {
	e.t.Helper()
	d, resp, err := e.c.Droplets.Create(e.ctx, &godo.DropletCreateRequest{
		Name: name, Region: "fra1", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"},
		Tags: tags, UserData: "#cloud-config\n",
	})
	if err != nil {
		e.t.Fatalf("create %s: %v", name, err)
	}
	return d, resp
}

func (e *env) get(id int) *godo.Droplet {
	e.t.Helper()
	d, _, err := e.c.Droplets.Get(e.ctx, id)
	if err != nil {
		e.t.Fatalf("get %d: %v", id, err)
	}
	return d
}

// active creates a droplet and waits for it to be active.
func (e *env) active(name string, tags ...string) *godo.Droplet {
	e.t.Helper()
	d, _ := e.create(name, tags...)
	e.clock.Advance(bootDelay)
	d = e.get(d.ID)
	if d.Status != "active" {
		e.t.Fatalf("droplet %s after booting: %s", name, d.Status)
	}
	return d
}

// wantStatus requires err to be godo's error for an answer of status.
func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	_ = errResp(t, err, status)
}

func errResp(t *testing.T, err error, status int) *godo.ErrorResponse {
	t.Helper()
	var er *godo.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("err = %v (%T), want a *godo.ErrorResponse", err, err)
	}
	if er.Response.StatusCode != status {
		t.Fatalf("status %d (%v), want %d", er.Response.StatusCode, err, status)
	}
	return er
}

func TestCatalog(t *testing.T) {
	e := newDefaultEnv(t)
	regions, _, err := e.c.Regions.List(e.ctx, &godo.ListOptions{PerPage: 200})
	if err != nil || len(regions) < 10 {
		t.Fatalf("regions: %v %v", regions, err)
	}
	sizes, resp, err := e.c.Sizes.List(e.ctx, &godo.ListOptions{PerPage: 200})
	if err != nil || resp.Meta.Total != len(sizes) {
		t.Fatalf("sizes: %v %v", err, resp.Meta)
	}
	var basic *godo.Size
	for i := range sizes {
		if sizes[i].Slug == "s-1vcpu-1gb" {
			basic = &sizes[i]
		}
		if sizes[i].Slug == "s-1vcpu-512mb-10gb" && (len(sizes[i].Regions) == len(regions) || len(sizes[i].Regions) == 0) {
			t.Errorf("s-1vcpu-512mb-10gb should be sold in some regions only: %v", sizes[i].Regions)
		}
	}
	if basic == nil || !basic.Available || basic.Memory != 1024 || basic.Vcpus != 1 || basic.Disk != 25 ||
		basic.PriceMonthly != 6 || basic.PriceHourly != 0.00893 || len(basic.Regions) != len(regions) {
		t.Errorf("s-1vcpu-1gb = %+v", basic)
	}
	for _, slug := range []string{"ubuntu-24-04-x64", "ubuntu-22-04-x64", "debian-12-x64", "debian-13-x64"} {
		img, _, err := e.c.Images.GetBySlug(e.ctx, slug)
		if err != nil || img.Slug != slug || !img.Public || img.Type != "base" || img.Status != "available" {
			t.Errorf("image %s: %+v %v", slug, img, err)
			continue
		}
		byID, _, err := e.c.Images.GetByID(e.ctx, img.ID)
		if err != nil || byID.Slug != slug {
			t.Errorf("image %d by ID: %+v %v", img.ID, byID, err)
		}
	}
	dist, _, err := e.c.Images.ListDistribution(e.ctx, &godo.ListOptions{PerPage: 200})
	if err != nil || len(dist) < 4 {
		t.Errorf("distribution images: %d %v", len(dist), err)
	}
	if _, _, err := e.c.Images.GetBySlug(e.ctx, "centos-6-x64"); err != nil {
		wantStatus(t, err, 404)
	} else {
		t.Error("unknown slug found")
	}
}

func TestCreateBootsWithAddressesWhileNew(t *testing.T) {
	e := newEnv(t, sim.Options{ServerReadyDelay: bootDelay})
	key, _, err := e.c.Keys.Create(e.ctx, &godo.KeyCreateRequest{Name: "me", PublicKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := e.c.Droplets.Create(e.ctx, &godo.DropletCreateRequest{
		Name: "web-1", Region: "fra1", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"},
		SSHKeys: []godo.DropletCreateSSHKey{{Fingerprint: key.Fingerprint}}, Tags: []string{"spuff", "managed-by:spuff"}, IPv6: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != "new" || len(d.Networks.V4) != 0 || d.Size.Slug != "s-1vcpu-1gb" || d.Region.Slug != "fra1" ||
		d.Image.Slug != "ubuntu-24-04-x64" || strings.Join(d.Tags, ",") != "managed-by:spuff,spuff" {
		t.Errorf("created droplet: %+v", d)
	}
	e.clock.Advance(bootDelay / 2)
	d = e.get(d.ID)
	ip, err := d.PublicIPv4()
	if d.Status != "new" || err != nil || !strings.HasPrefix(ip, "198.1") {
		t.Errorf("while booting: status %s, public IPv4 %q %v", d.Status, ip, err)
	}
	if v6, _ := d.PublicIPv6(); v6 == "" {
		t.Error("no IPv6 although asked for")
	}
	e.clock.Advance(bootDelay / 2)
	if d = e.get(d.ID); d.Status != "active" || d.Locked {
		t.Errorf("after booting: %s locked=%v", d.Status, d.Locked)
	}
}

func TestCreateAnswerLinksActions(t *testing.T) {
	e := newDefaultEnv(t)
	_, resp := e.create("a")
	if resp.StatusCode != http.StatusAccepted || resp.Links == nil || len(resp.Links.Actions) != 1 {
		t.Fatalf("create answer: %d %+v", resp.StatusCode, resp.Links)
	}
	l := resp.Links.Actions[0]
	if l.Rel != "create" || l.HREF != e.url+"/v2/actions/"+strconv.Itoa(l.ID) {
		t.Errorf("links.actions = %+v", l)
	}
	a, _, err := e.c.Actions.Get(e.ctx, l.ID)
	if err != nil || a.Status != "in-progress" || a.Type != "create" || a.CompletedAt != nil || a.RegionSlug != "fra1" {
		t.Fatalf("create action: %+v %v", a, err)
	}
	e.clock.Advance(bootDelay)
	a, _, _ = e.c.Actions.Get(e.ctx, l.ID)
	if a.Status != "completed" || a.CompletedAt == nil {
		t.Errorf("create action after booting: %+v", a)
	}

	// Multi-create: one action per droplet, names need not be unique.
	ds, resp, err := e.c.Droplets.CreateMultiple(e.ctx, &godo.DropletMultiCreateRequest{
		Names: []string{"b", "b", "c"}, Region: "nyc3", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "debian-12-x64"},
	})
	if err != nil || len(ds) != 3 || len(resp.Links.Actions) != 3 || ds[0].ID == ds[1].ID {
		t.Fatalf("multi-create: %v %v", ds, err)
	}
}

func TestCreateRefusals(t *testing.T) {
	e := newDefaultEnv(t)
	for _, tc := range []struct {
		req  godo.DropletCreateRequest
		want string
	}{
		{godo.DropletCreateRequest{Name: "x", Region: "xx1", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "debian-12-x64"}}, "invalid region"},
		{godo.DropletCreateRequest{Name: "x", Region: "fra1", Size: "s-99", Image: godo.DropletCreateImage{Slug: "debian-12-x64"}}, "invalid size"},
		{godo.DropletCreateRequest{Name: "x", Region: "fra1", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "nope"}}, "invalid image"},
		{godo.DropletCreateRequest{Name: "x_y", Region: "fra1", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "debian-12-x64"}}, "hostname"},
		{godo.DropletCreateRequest{Name: "x", Region: "atl1", Size: "s-1vcpu-512mb-10gb", Image: godo.DropletCreateImage{Slug: "debian-12-x64"}}, "not available in this region"},
		{godo.DropletCreateRequest{Name: "x", Region: "fra1", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "debian-12-x64"}, Tags: []string{"a b"}}, "tag"},
	} {
		_, _, err := e.c.Droplets.Create(e.ctx, &tc.req)
		if er := errResp(t, err, 422); !strings.Contains(er.Message, tc.want) || er.RequestID == "" {
			t.Errorf("%+v: %q (request %q), want %q", tc.req, er.Message, er.RequestID, tc.want)
		}
	}
	if n := len(e.s.Servers()); n != 0 {
		t.Errorf("%d droplets after refused creates", n)
	}
}

func TestListByTagAcrossPages(t *testing.T) {
	e := newDefaultEnv(t)
	var want []int
	for i := range 5 {
		d, _ := e.create("tagged-"+strconv.Itoa(i), "spuff")
		want = append(want, d.ID)
		e.create("other-" + strconv.Itoa(i))
	}
	var got []int
	opt := &godo.ListOptions{PerPage: 2}
	pagesSeen := 0
	for {
		ds, resp, err := e.c.Droplets.ListByTag(e.ctx, "spuff", opt)
		if err != nil {
			t.Fatal(err)
		}
		pagesSeen++
		if resp.Meta == nil || resp.Meta.Total != 5 {
			t.Fatalf("meta = %+v", resp.Meta)
		}
		if resp.Links != nil && resp.Links.Pages != nil && resp.Links.Pages.Next != "" &&
			(!strings.HasPrefix(resp.Links.Pages.Next, e.url+"/v2/droplets?") || !strings.Contains(resp.Links.Pages.Next, "tag_name=spuff")) {
			t.Errorf("next link %q is not absolute or lost the filter", resp.Links.Pages.Next)
		}
		for _, d := range ds {
			got = append(got, d.ID)
		}
		if resp.Links == nil || resp.Links.IsLastPage() {
			break
		}
		page, err := resp.Links.CurrentPage()
		if err != nil {
			t.Fatal(err)
		}
		opt.Page = page + 1
		if pagesSeen > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if pagesSeen != 3 || len(got) != 5 {
		t.Fatalf("pages %d, droplets %v, want 3 pages of %v", pagesSeen, got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("droplets %v, want %v", got, want)
			break
		}
	}
	// One page: "links": {} and godo sees the last page.
	ds, resp, err := e.c.Droplets.ListByTag(e.ctx, "spuff", &godo.ListOptions{PerPage: 200})
	if err != nil || len(ds) != 5 || !resp.Links.IsLastPage() {
		t.Errorf("single page: %d %+v %v", len(ds), resp.Links, err)
	}
}

func TestSecondActionWhileOneIsInProgress(t *testing.T) {
	e := newDefaultEnv(t)
	d, _ := e.create("busy")
	// The create event is pending until the droplet is active.
	if _, _, err := e.c.DropletActions.PowerOff(e.ctx, d.ID); err == nil {
		t.Fatal("action accepted while the create event runs")
	} else if er := errResp(t, err, 422); er.Message != "Droplet already has a pending event." {
		t.Errorf("message %q", er.Message)
	}
	if !e.get(d.ID).Locked {
		t.Error("droplet not locked while booting")
	}
	e.clock.Advance(bootDelay)
	a, resp, err := e.c.DropletActions.PowerOff(e.ctx, d.ID)
	if err != nil || resp.StatusCode != http.StatusCreated || a.Status != "in-progress" || a.Type != "power_off" || a.ResourceID != d.ID {
		t.Fatalf("power_off: %+v %v", a, err)
	}
	_, _, err = e.c.DropletActions.PowerOn(e.ctx, d.ID)
	er := errResp(t, err, 422)
	status, _, body := e.raw("GET", "/v2/droplets/"+strconv.Itoa(d.ID), token)
	if er.Message != "Droplet already has a pending event." || status != 200 || body["droplet"].(map[string]any)["locked"] != true {
		t.Errorf("second action: %q; droplet locked=%v", er.Message, body["droplet"])
	}
	e.clock.Advance(actDelay)
	if d = e.get(d.ID); d.Status != "off" || d.Locked {
		t.Errorf("after power_off: %s locked=%v", d.Status, d.Locked)
	}
	got, _, err := e.c.DropletActions.Get(e.ctx, d.ID, a.ID)
	if err != nil || got.Status != "completed" || got.CompletedAt == nil {
		t.Errorf("power_off action: %+v %v", got, err)
	}
	if _, _, err := e.c.DropletActions.PowerOn(e.ctx, d.ID); err != nil {
		t.Errorf("power_on after the event completed: %v", err)
	}
}

func TestResizeNeedsPowerOff(t *testing.T) {
	e := newDefaultEnv(t)
	d := e.active("big")
	_, _, err := e.c.DropletActions.Resize(e.ctx, d.ID, "s-2vcpu-4gb", true)
	if er := errResp(t, err, 422); !strings.Contains(er.Message, "power it off") {
		t.Errorf("resize while on: %q", er.Message)
	}
	if _, _, err := e.c.DropletActions.PowerOff(e.ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(actDelay)
	a, _, err := e.c.DropletActions.Resize(e.ctx, d.ID, "s-2vcpu-4gb", true)
	if err != nil || a.Type != "resize" {
		t.Fatalf("resize: %+v %v", a, err)
	}
	if d = e.get(d.ID); d.Status != "off" || !d.Locked || d.Size.Slug != "s-1vcpu-1gb" {
		t.Errorf("while resizing: %s locked=%v %s", d.Status, d.Locked, d.Size.Slug)
	}
	e.clock.Advance(actDelay)
	if d = e.get(d.ID); d.Status != "off" || d.SizeSlug != "s-2vcpu-4gb" || d.Disk != 80 || d.Memory != 4096 || d.Vcpus != 2 {
		t.Errorf("after resize: %s %s disk %d memory %d", d.Status, d.SizeSlug, d.Disk, d.Memory)
	}
	// Without the disk flag the disk stays, and going back below it is refused.
	_, _, err = e.c.DropletActions.Resize(e.ctx, d.ID, "s-1vcpu-1gb", false)
	if er := errResp(t, err, 422); !strings.Contains(er.Message, "smaller disk") {
		t.Errorf("downsize below the disk: %q", er.Message)
	}
	if _, _, err := e.c.DropletActions.Resize(e.ctx, d.ID, "s-4vcpu-8gb", false); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(actDelay)
	if d = e.get(d.ID); d.SizeSlug != "s-4vcpu-8gb" || d.Disk != 80 {
		t.Errorf("CPU/RAM-only resize: %s disk %d", d.SizeSlug, d.Disk)
	}
	if _, _, err := e.c.DropletActions.PowerOn(e.ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(actDelay)
	if d = e.get(d.ID); d.Status != "active" {
		t.Errorf("after power_on: %s", d.Status)
	}
}

func TestRename(t *testing.T) {
	e := newDefaultEnv(t)
	d := e.active("old")
	a, _, err := e.c.DropletActions.Rename(e.ctx, d.ID, "new-name")
	if err != nil || a.Type != "rename" {
		t.Fatalf("rename: %+v %v", a, err)
	}
	if d = e.get(d.ID); d.Name != "new-name" {
		t.Errorf("name %q", d.Name)
	}
	if _, _, err := e.c.DropletActions.Rename(e.ctx, d.ID, "again"); err == nil {
		t.Error("second rename accepted while the first runs")
	}
	e.clock.Advance(actDelay)
	if _, _, err := e.c.DropletActions.Rename(e.ctx, d.ID, "bad_name"); err == nil {
		t.Error("invalid hostname accepted")
	} else {
		wantStatus(t, err, 422)
	}
}

func TestSnapshotAppearsWhenTheActionCompletes(t *testing.T) {
	e := newDefaultEnv(t)
	d := e.active("snap-src")
	e.clock.Advance(1500 * time.Millisecond) // a start time with a fraction of a second
	a, _, err := e.c.DropletActions.Snapshot(e.ctx, d.ID, "spuff-snap")
	if err != nil || a.Type != "snapshot" || a.Status != "in-progress" {
		t.Fatalf("snapshot: %+v %v", a, err)
	}
	if _, _, err := e.c.DropletActions.PowerOff(e.ctx, d.ID); err == nil {
		t.Error("power_off accepted while the snapshot is written")
	}
	snaps, _, _ := e.c.Droplets.Snapshots(e.ctx, d.ID, nil)
	user, _, _ := e.c.Images.ListUser(e.ctx, nil)
	all, _, _ := e.c.Snapshots.ListDroplet(e.ctx, nil)
	if len(snaps)+len(user)+len(all) != 0 {
		t.Fatalf("snapshot visible before its action completed: %v %v %v", snaps, user, all)
	}
	e.clock.Advance(imageDelay)
	a, _, _ = e.c.Actions.Get(e.ctx, a.ID)
	if a.Status != "completed" || a.CompletedAt == nil {
		t.Fatalf("snapshot action: %+v", a)
	}
	// How terraform-provider-digitalocean finds it: the droplet's snapshot
	// whose created_at equals the action's started_at, compared with ==.
	snaps, _, err = e.c.Droplets.Snapshots(e.ctx, d.ID, &godo.ListOptions{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	var found *godo.Image
	for i := range snaps {
		created, err := time.Parse("2006-01-02T15:04:05Z", snaps[i].Created)
		if err == nil && (godo.Timestamp{Time: created}) == *a.StartedAt {
			found = &snaps[i]
		}
	}
	if found == nil || found.Name != "spuff-snap" || found.Type != "snapshot" || found.Status != "available" ||
		found.MinDiskSize != 25 || len(found.Regions) != 1 || found.Regions[0] != "fra1" {
		t.Fatalf("snapshot by the timestamp: %+v among %+v (action started %v)", found, snaps, a.StartedAt)
	}
	if d = e.get(d.ID); len(d.SnapshotIDs) != 1 || d.SnapshotIDs[0] != found.ID {
		t.Errorf("snapshot_ids %v", d.SnapshotIDs)
	}
	img, _, err := e.c.Images.GetByID(e.ctx, found.ID)
	if err != nil || img.Name != "spuff-snap" {
		t.Errorf("image by ID: %+v %v", img, err)
	}
	// /v2/snapshots has string IDs.
	all, _, err = e.c.Snapshots.ListDroplet(e.ctx, nil)
	if err != nil || len(all) != 1 || all[0].ID != strconv.Itoa(found.ID) || all[0].ResourceID != strconv.Itoa(d.ID) ||
		all[0].ResourceType != "droplet" {
		t.Fatalf("snapshots: %+v %v", all, err)
	}
	if s, _, err := e.c.Snapshots.Get(e.ctx, all[0].ID); err != nil || s.Name != "spuff-snap" {
		t.Errorf("snapshot by ID: %+v %v", s, err)
	}
	_, _, raw := e.raw("GET", "/v2/snapshots", token)
	if _, isString := raw["snapshots"].([]any)[0].(map[string]any)["id"].(string); !isString {
		t.Errorf("/v2/snapshots id is not a string: %v", raw)
	}

	// Rename it; a distribution image can't be changed, nor a name emptied.
	if img, _, err := e.c.Images.Update(e.ctx, found.ID, &godo.ImageUpdateRequest{Name: "spuff-snap-v2"}); err != nil || img.Name != "spuff-snap-v2" {
		t.Errorf("rename: %+v %v", img, err)
	}
	if s, _, err := e.c.Snapshots.Get(e.ctx, strconv.Itoa(found.ID)); err != nil || s.Name != "spuff-snap-v2" {
		t.Errorf("snapshot after the rename: %+v %v", s, err)
	}
	_, _, err = e.c.Images.Update(e.ctx, 170000102, &godo.ImageUpdateRequest{Name: "mine"})
	wantStatus(t, err, 403)
	status, _, _ := e.rawBody("PUT", "/v2/images/"+strconv.Itoa(found.ID), token, `{"name":""}`)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("empty name: HTTP %d, want 422", status)
	}

	// Tag it, find it by tag, delete it.
	if _, err := e.c.Tags.TagResources(e.ctx, "spuff", &godo.TagResourcesRequest{
		Resources: []godo.Resource{{ID: strconv.Itoa(found.ID), Type: godo.ImageResourceType}},
	}); err != nil {
		t.Fatal(err)
	}
	tagged, _, err := e.c.Images.ListByTag(e.ctx, "spuff", nil)
	if err != nil || len(tagged) != 1 || tagged[0].ID != found.ID || tagged[0].Tags[0] != "spuff" {
		t.Errorf("images by tag: %+v %v", tagged, err)
	}
	resp, err := e.c.Images.Delete(e.ctx, found.ID)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete image: %v", err)
	}
	if _, _, err := e.c.Images.GetByID(e.ctx, found.ID); err == nil {
		t.Error("deleted image still there")
	} else {
		wantStatus(t, err, 404)
	}
	if _, err := e.c.Images.Delete(e.ctx, 170000102); err == nil {
		t.Error("distribution image deleted")
	}
}

func TestTags(t *testing.T) {
	e := newDefaultEnv(t)
	d := e.active("t")
	tag, resp, err := e.c.Tags.Create(e.ctx, &godo.TagCreateRequest{Name: "role:web"})
	if err != nil || resp.StatusCode != http.StatusCreated || tag.Name != "role:web" {
		t.Fatalf("create tag: %+v %v", tag, err)
	}
	res := &godo.TagResourcesRequest{Resources: []godo.Resource{{ID: strconv.Itoa(d.ID), Type: godo.DropletResourceType}}}
	if resp, err := e.c.Tags.TagResources(e.ctx, "role:web", res); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("tag: %v", err)
	}
	ds, _, _ := e.c.Droplets.ListByTag(e.ctx, "role:web", nil)
	if len(ds) != 1 || ds[0].ID != d.ID || strings.Join(ds[0].Tags, ",") != "role:web" {
		t.Errorf("by tag: %+v", ds)
	}
	if tag, _, err = e.c.Tags.Get(e.ctx, "role:web"); err != nil || tag.Resources.Count != 1 || tag.Resources.Droplets.Count != 1 {
		t.Errorf("tag: %+v %v", tag, err)
	}
	if resp, err := e.c.Tags.UntagResources(e.ctx, "role:web", &godo.UntagResourcesRequest{Resources: res.Resources}); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("untag: %v", err)
	}
	if ds, _, _ = e.c.Droplets.ListByTag(e.ctx, "role:web", nil); len(ds) != 0 {
		t.Errorf("still tagged: %+v", ds)
	}
	// Labels set out of band show as key:value tags.
	if err := e.s.SetLabels(int64(d.ID), map[string]string{"managed-by": "spuff", "spuff": ""}); err != nil {
		t.Fatal(err)
	}
	if d = e.get(d.ID); strings.Join(d.Tags, ",") != "managed-by:spuff,spuff" {
		t.Errorf("tags from labels: %v", d.Tags)
	}
	if _, err := e.c.Tags.TagResources(e.ctx, "x", &godo.TagResourcesRequest{
		Resources: []godo.Resource{{ID: "999", Type: godo.DropletResourceType}},
	}); err == nil {
		t.Error("tagged an unknown droplet")
	}
	if _, err := e.c.Tags.Delete(e.ctx, "managed-by:spuff"); err != nil {
		t.Fatal(err)
	}
	if d = e.get(d.ID); strings.Join(d.Tags, ",") != "spuff" {
		t.Errorf("after deleting the tag: %v", d.Tags)
	}
	// A tag on no resource exists until deleted, or until the world is reset.
	if _, _, err := e.c.Tags.Create(e.ctx, &godo.TagCreateRequest{Name: "lonely"}); err != nil {
		t.Fatal(err)
	}
	if tag, _, err := e.c.Tags.Get(e.ctx, "lonely"); err != nil || tag.Resources.Count != 0 {
		t.Errorf("empty tag: %+v %v", tag, err)
	}
	e.s.Reset()
	if _, _, err := e.c.Tags.Get(e.ctx, "lonely"); err == nil {
		t.Error("tag survived a reset")
	} else {
		wantStatus(t, err, 404)
	}
}

func TestDeleteThen404(t *testing.T) {
	e := newDefaultEnv(t)
	d := e.active("gone")
	resp, err := e.c.Droplets.Delete(e.ctx, d.ID)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	_, _, err = e.c.Droplets.Get(e.ctx, d.ID)
	if er := errResp(t, err, 404); er.Message != "The resource you requested could not be found." {
		t.Errorf("message %q", er.Message)
	}
	_, err = e.c.Droplets.Delete(e.ctx, d.ID)
	wantStatus(t, err, 404)
	status, hdr, body := e.raw("DELETE", "/v2/droplets/"+strconv.Itoa(d.ID), token)
	if status != 404 || body["id"] != "not_found" || body["request_id"] == "" || body["request_id"] != hdr.Get("X-Request-Id") {
		t.Errorf("raw 404: %d %v (x-request-id %q)", status, body, hdr.Get("X-Request-Id"))
	}
	if len(e.s.Servers()) != 0 {
		t.Error("deleted droplet is still in the world")
	}
}

func TestKeys(t *testing.T) {
	e := newDefaultEnv(t)
	k, resp, err := e.c.Keys.Create(e.ctx, &godo.KeyCreateRequest{Name: "me", PublicKey: testKey})
	if err != nil || resp.StatusCode != http.StatusCreated || k.ID == 0 || !strings.Contains(k.Fingerprint, ":") {
		t.Fatalf("create key: %+v %v", k, err)
	}
	if byFP, _, err := e.c.Keys.GetByFingerprint(e.ctx, k.Fingerprint); err != nil || byFP.ID != k.ID {
		t.Errorf("by fingerprint: %+v %v", byFP, err)
	}
	if byID, _, err := e.c.Keys.GetByID(e.ctx, k.ID); err != nil || byID.Fingerprint != k.Fingerprint {
		t.Errorf("by ID: %+v %v", byID, err)
	}
	keys, resp, err := e.c.Keys.List(e.ctx, &godo.ListOptions{PerPage: 200})
	if err != nil || len(keys) != 1 || resp.Meta.Total != 1 {
		t.Errorf("list: %v %v", keys, err)
	}
	if _, _, err := e.c.Keys.Create(e.ctx, &godo.KeyCreateRequest{Name: "again", PublicKey: testKey}); err == nil {
		t.Error("duplicate key accepted")
	} else {
		wantStatus(t, err, 422)
	}
	d, _, err := e.c.Droplets.Create(e.ctx, &godo.DropletCreateRequest{Name: "k", Region: "fra1", Size: "s-1vcpu-1gb",
		Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"}, SSHKeys: []godo.DropletCreateSSHKey{{ID: k.ID}}})
	if err != nil || d.ID == 0 {
		t.Errorf("create with key ID: %v", err)
	}
	if _, err := e.c.Keys.DeleteByFingerprint(e.ctx, k.Fingerprint); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.c.Keys.GetByID(e.ctx, k.ID); err == nil {
		t.Error("deleted key found")
	}
}

func TestErrorsAndAuth(t *testing.T) {
	e := newEnv(t, sim.Options{Tokens: []string{token}})
	_, _, err := e.client("wrong").Droplets.List(e.ctx, nil)
	er := errResp(t, err, 401)
	if er.Message != "Unable to authenticate you" || er.RequestID == "" {
		t.Errorf("401: %q %q", er.Message, er.RequestID)
	}
	status, _, body := e.raw("GET", "/v2/droplets", "")
	if status != 401 || body["id"] != "unauthorized" {
		t.Errorf("no token: %d %v", status, body)
	}
	status, _, body = e.raw("GET", "/v2/nothing", token)
	if status != 404 || body["id"] != "not_found" {
		t.Errorf("unknown path: %d %v", status, body)
	}
	if _, _, err := e.c.Droplets.List(e.ctx, nil); err != nil {
		t.Errorf("allowed token refused: %v", err)
	}
}

func TestRateLimitHeaders(t *testing.T) {
	e := newDefaultEnv(t)
	_, resp, err := e.c.Droplets.List(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Limit != 5000 || resp.Remaining != 4999 || !resp.Reset.After(e.clock.Now()) {
		t.Errorf("rate = %+v", resp.Rate)
	}
	if r := e.c.GetRate(); r.Remaining != 4999 {
		t.Errorf("client rate = %+v", r)
	}
	// The burst limit: 250 per minute.
	for i := 0; i < 249; i++ {
		if _, _, err := e.c.Sizes.List(e.ctx, nil); err != nil {
			t.Fatalf("request %d: %v", i+2, err)
		}
	}
	_, resp, err = e.c.Regions.List(e.ctx, nil)
	er := errResp(t, err, 429)
	if er.Message != "API Rate limit exceeded." || resp.Limit != 5000 {
		t.Errorf("429: %q %+v", er.Message, resp.Rate)
	}
	_, hdr, body := e.raw("GET", "/v2/regions", token)
	if body["id"] != "too_many_requests" || hdr.Get("Retry-After") != "1" || hdr.Get("Ratelimit-Remaining") == "" {
		t.Errorf("429: %v %v", body, hdr)
	}
	e.clock.Advance(time.Second)
	if _, _, err := e.c.Regions.List(e.ctx, nil); err != nil {
		t.Errorf("a second later: %v", err)
	}
}

func TestFaultsThroughThePipeline(t *testing.T) {
	e := newDefaultEnv(t)
	e.s.InjectFault(sim.Fault{Method: "POST", Path: "/v2/droplets", Status: 500})
	_, _, err := e.c.Droplets.Create(e.ctx, &godo.DropletCreateRequest{Name: "f", Region: "fra1", Size: "s-1vcpu-1gb",
		Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"}})
	wantStatus(t, err, 500)
	if len(e.s.Servers()) != 0 {
		t.Error("a fault before the backend created a droplet")
	}
	e.s.InjectFault(sim.Fault{Method: "GET", Path: "/v2/regions", Status: 503})
	_, _, body := e.raw("GET", "/v2/regions", token)
	if body["id"] != "service_unavailable" || body["message"] == "" {
		t.Errorf("injected 503: %v", body)
	}

	e.s.InjectFault(sim.Fault{Method: "POST", Path: "/v2/droplets", Drop: true})
	_, _, err = e.c.Droplets.Create(e.ctx, &godo.DropletCreateRequest{Name: "f", Region: "fra1", Size: "s-1vcpu-1gb",
		Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"}})
	var er *godo.ErrorResponse
	if err == nil || errors.As(err, &er) {
		t.Errorf("dropped connection: %v", err)
	}
	if len(e.s.Servers()) != 0 {
		t.Error("a dropped request created a droplet")
	}
	// Dropped after the create: the droplet exists, the client never heard.
	e.s.InjectFault(sim.Fault{Method: "POST", Path: "/v2/droplets", Drop: true, After: true})
	if _, _, err := e.c.Droplets.Create(e.ctx, &godo.DropletCreateRequest{Name: "f", Region: "fra1", Size: "s-1vcpu-1gb",
		Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"}}); err == nil {
		t.Error("drop after create answered")
	}
	if srv := e.s.Servers(); len(srv) != 1 || srv[0].Cloud != "digitalocean" || srv[0].Status != "new" {
		t.Errorf("servers after a drop-after-create: %+v", srv)
	}
	counts := e.s.RequestCounts()
	if counts["POST /v2/droplets"] != 3 || counts["GET /v2/regions"] != 1 {
		t.Errorf("request counts %v", counts)
	}
	if fc := e.s.FaultCounts(); fc["scripted"] != 4 {
		t.Errorf("fault counts %v", fc)
	}
	// An action fault errors the snapshot: its image never appears.
	d := e.get(int(e.s.Servers()[0].ID))
	e.clock.Advance(bootDelay)
	e.s.InjectFault(sim.Fault{Path: "action:snapshot"})
	a, _, err := e.c.DropletActions.Snapshot(e.ctx, d.ID, "doomed")
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(imageDelay)
	a, _, _ = e.c.Actions.Get(e.ctx, a.ID)
	snaps, _, _ := e.c.Droplets.Snapshots(e.ctx, d.ID, nil)
	if a.Status != "errored" || a.CompletedAt == nil || len(snaps) != 0 {
		t.Errorf("failed snapshot: %+v, snapshots %v", a, snaps)
	}
}

// godo with retries on (go-retryablehttp) resends a POST after a 5xx and
// after a dropped connection; faults strike before the backend, so the
// retry creates exactly one droplet.
func TestGodoRetriesMeetFaultsBeforeAnyChange(t *testing.T) {
	e := newDefaultEnv(t)
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})
	c, err := godo.New(oauth2.NewClient(e.ctx, ts), godo.SetBaseURL(e.url+"/"),
		godo.WithRetryAndBackoffs(godo.RetryConfig{RetryMax: 3, RetryWaitMin: godo.PtrTo(0.001), RetryWaitMax: godo.PtrTo(0.005)}))
	if err != nil {
		t.Fatal(err)
	}
	e.s.InjectFault(sim.Fault{Method: "POST", Path: "/v2/droplets", Status: 500})
	e.s.InjectFault(sim.Fault{Method: "POST", Path: "/v2/droplets", Drop: true})
	d, _, err := c.Droplets.Create(e.ctx, &godo.DropletCreateRequest{Name: "retried", Region: "fra1", Size: "s-1vcpu-1gb",
		Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"}})
	if err != nil {
		t.Fatal(err)
	}
	if srv := e.s.Servers(); len(srv) != 1 || srv[0].ID != int64(d.ID) {
		t.Errorf("servers after retries: %+v", srv)
	}
	if n := e.s.RequestCounts()["POST /v2/droplets"]; n != 3 {
		t.Errorf("%d POSTs, want 3", n)
	}
	// Retries run out: the error says how many attempts were made.
	e.s.InjectFault(sim.Fault{Method: "GET", Path: "/v2/droplets/*", Status: 502, Times: 4})
	_, _, err = c.Droplets.Get(e.ctx, d.ID)
	if er := errResp(t, err, 502); er.Attempts != 4 || !strings.Contains(err.Error(), "giving up after 4 attempt(s)") {
		t.Errorf("attempts %d: %v", er.Attempts, err)
	}
}

// testKey is an ed25519 public key.
const testKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb2VJ0tVvOgA0G1eh3QfYpuP4bWLXKkX/cE0Vr1Zxsb test@spuff"

// A droplet made out of band (the facade, as the test fixtures do) is a
// droplet like any other, its labels shown as tags.
func TestOutOfBandDroplet(t *testing.T) {
	e := newDefaultEnv(t)
	srv, err := e.s.CreateMachine(sim.MachineSpec{Cloud: "digitalocean", Name: "console-made", Region: "fra1",
		Size: "s-1vcpu-1gb", Image: "debian-12-x64", Labels: map[string]string{"managed-by": "spuff"}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(bootDelay)
	ds, _, err := e.c.Droplets.ListByTag(e.ctx, "managed-by:spuff", nil)
	if err != nil || len(ds) != 1 || ds[0].ID != int(srv.ID) || ds[0].Status != "active" || ds[0].Image.Slug != "debian-12-x64" {
		t.Fatalf("out-of-band droplet: %+v %v", ds, err)
	}
	if err := e.s.DeleteMachine(srv.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.c.Droplets.Get(e.ctx, ds[0].ID)
	wantStatus(t, err, 404)
}
