package sim

import (
	"errors"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/hetznercloud/hcloud-go/v2/hcloud/exp/kit/sshutil"
)

// The fidelity checks of simulator notes section 6 (HC-1 to HC-7), run with
// the real, unchanged hcloud-go against the simulator.

func TestHCNotFound(t *testing.T) {
	e := newEnv(t, Options{})
	s, resp, err := e.c.Server.GetByID(e.ctx, 999999)
	if s != nil || err != nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GetByID(999999) = %v, %v, %v; want nil, 404, nil", s, resp, err)
	}
	_, _, err = e.c.Server.DeleteWithResult(e.ctx, &hcloud.Server{ID: 999999})
	if !hcloud.IsError(err, hcloud.ErrorCodeNotFound) {
		t.Fatalf("DeleteWithResult(999999) error = %v, want not_found", err)
	}
}

func TestHCCreateWait(t *testing.T) {
	// A real (short) delay, so WaitFor has to poll running actions.
	e := newEnv(t, Options{ServerReadyDelay: 60 * time.Millisecond})
	key := e.createSSHKey("me")

	r, resp, err := e.c.Server.Create(e.ctx, hcloud.ServerCreateOpts{
		Name:       "spuff-1",
		ServerType: &hcloud.ServerType{Name: "cx23"},
		Image:      &hcloud.Image{Name: "ubuntu-24.04"},
		Location:   &hcloud.Location{Name: "fsn1"},
		SSHKeys:    []*hcloud.SSHKey{key},
		UserData:   "#cloud-config\nruncmd: [echo secret-user-data]\n",
		Labels:     map[string]string{"spuff": "1", "owner": "me"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("create status = %d, want 201", resp.StatusCode)
	}
	if r.Server.Status != hcloud.ServerStatusInitializing {
		t.Errorf("status after create = %q, want initializing", r.Server.Status)
	}
	if r.Action.Command != "create_server" || r.Action.Status != hcloud.ActionStatusRunning {
		t.Errorf("action = %s/%s, want create_server/running", r.Action.Command, r.Action.Status)
	}
	if len(r.NextActions) != 1 || r.NextActions[0].Command != "start_server" {
		t.Fatalf("next actions = %v, want one start_server", r.NextActions)
	}
	if r.RootPassword != "" {
		t.Errorf("root password %q returned although SSH keys were given", r.RootPassword)
	}

	if err := e.c.Action.WaitFor(e.ctx, append([]*hcloud.Action{r.Action}, r.NextActions...)...); err != nil {
		t.Fatalf("WaitFor: %v", err)
	}
	s, _, err := e.c.Server.GetByID(e.ctx, r.Server.ID)
	if err != nil || s == nil {
		t.Fatalf("GetByID = %v, %v", s, err)
	}
	if s.Status != hcloud.ServerStatusRunning {
		t.Errorf("status after WaitFor = %q, want running", s.Status)
	}
	if s.Labels["spuff"] != "1" || s.Labels["owner"] != "me" || len(s.Labels) != 2 {
		t.Errorf("labels = %v", s.Labels)
	}
	if s.Location == nil || s.Location.Name != "fsn1" {
		t.Errorf("location = %+v, want fsn1", s.Location)
	}
	if s.Image == nil || s.Image.Name != "ubuntu-24.04" || s.Image.Architecture != hcloud.ArchitectureX86 {
		t.Errorf("image = %+v, want ubuntu-24.04 x86", s.Image)
	}
	ip, ok := netip.AddrFromSlice(s.PublicNet.IPv4.IP.To4())
	if !ok || !netip.MustParsePrefix("198.18.0.0/15").Contains(ip) {
		t.Errorf("public IPv4 = %v, want an address in 198.18.0.0/15", s.PublicNet.IPv4.IP)
	}
	if s.PublicNet.IPv6.Network == nil || !strings.HasPrefix(s.PublicNet.IPv6.Network.String(), "2001:db8:") {
		t.Errorf("public IPv6 network = %v, want one in 2001:db8::/32", s.PublicNet.IPv6.Network)
	}

	// The API dropped a server's "datacenter" in July 2026; the location
	// is all there is, and the disk is the type's.
	code, raw := e.doJSON("GET", "/v1/servers/"+strconv.FormatInt(s.ID, 10), nil)
	server, _ := raw["server"].(map[string]any)
	if _, has := server["datacenter"]; code != http.StatusOK || has || dig(raw, "server", "location", "name") != "fsn1" {
		t.Errorf("raw server: %d, datacenter present %v, location %v", code, has, dig(raw, "server", "location"))
	}
	if s.PrimaryDiskSize != 40 || s.ServerType.Name != "cx23" {
		t.Errorf("primary disk %d on %s, want 40 on cx23", s.PrimaryDiskSize, s.ServerType.Name)
	}
}

func TestHCLabelsPaging(t *testing.T) {
	e := newEnv(t, Options{})
	for i := range 55 {
		labels := map[string]string{"spuff": "1"}
		if i < 3 {
			labels["other"] = "x"
		}
		e.createServer("spuff-"+strconv.Itoa(i), labels)
	}
	for i := range 5 {
		e.createServer("plain-"+strconv.Itoa(i), map[string]string{"role": "web"})
	}

	before := len(e.requests())
	all, err := e.c.Server.AllWithOpts(e.ctx, hcloud.ServerListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "spuff=1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 55 {
		t.Errorf("AllWithOpts(spuff=1) returned %d servers, want 55", len(all))
	}
	got := e.requests()[before:]
	want := []string{
		"GET /v1/servers?label_selector=spuff%3D1&page=1&per_page=50",
		"GET /v1/servers?label_selector=spuff%3D1&page=2&per_page=50",
	}
	if !slices.Equal(got, want) {
		t.Errorf("requests = %q, want %q", got, want)
	}

	page2, resp, err := e.c.Server.List(e.ctx, hcloud.ServerListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "spuff=1", Page: 2, PerPage: 50}})
	if err != nil {
		t.Fatal(err)
	}
	p := resp.Meta.Pagination
	if len(page2) != 5 || p.NextPage != 0 || p.LastPage != 2 || p.TotalEntries != 55 || p.PreviousPage != 1 {
		t.Errorf("page 2: %d items, pagination %+v", len(page2), p)
	}

	for sel, n := range map[string]int{
		"spuff in (1,2),!other": 52,
		"spuff notin (1)":       5, // absent keys satisfy notin
		"other":                 3,
		"role==web,spuff!=1":    5,
	} {
		got, err := e.c.Server.AllWithOpts(e.ctx, hcloud.ServerListOpts{ListOpts: hcloud.ListOpts{LabelSelector: sel}})
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		if len(got) != n {
			t.Errorf("selector %q matched %d servers, want %d", sel, len(got), n)
		}
	}
}

func TestHCUniqueness(t *testing.T) {
	e := newEnv(t, Options{})
	e.createServer("twin", nil)
	_, _, err := e.c.Server.Create(e.ctx, hcloud.ServerCreateOpts{
		Name: "twin", ServerType: &hcloud.ServerType{Name: "cx23"}, Image: &hcloud.Image{Name: "debian-12"},
	})
	he := apiErrorOf(t, err, hcloud.ErrorCodeUniquenessError)
	if he.Response().StatusCode != http.StatusConflict {
		t.Errorf("status = %d, want 409", he.Response().StatusCode)
	}
	if n := len(e.sim.Servers()); n != 1 {
		t.Errorf("%d servers after the refused create, want 1", n)
	}
}

func TestHCSnapshotLifecycle(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{ImageReadyDelay: 30 * time.Second, Now: clock.Now})
	srv := e.createServer("snap-src", nil).Server

	res, _, err := e.c.Server.CreateImage(e.ctx, srv, &hcloud.ServerCreateImageOpts{
		Type: hcloud.ImageTypeSnapshot, Description: hcloud.Ptr("nightly"), Labels: map[string]string{"spuff": "1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Image.Status != hcloud.ImageStatusCreating || res.Image.Type != hcloud.ImageTypeSnapshot {
		t.Errorf("image after create = %s/%s, want snapshot/creating", res.Image.Type, res.Image.Status)
	}
	if res.Action.Command != "create_image" {
		t.Errorf("action = %q, want create_image", res.Action.Command)
	}

	listed, err := e.c.Image.AllWithOpts(e.ctx, hcloud.ImageListOpts{
		Type: []hcloud.ImageType{hcloud.ImageTypeSnapshot}, ListOpts: hcloud.ListOpts{LabelSelector: "spuff=1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0].ID != res.Image.ID || listed[0].Status != hcloud.ImageStatusCreating {
		t.Fatalf("listed snapshots = %+v, want the new one, creating", listed)
	}

	clock.Advance(30 * time.Second)
	if err := e.c.Action.WaitFor(e.ctx, res.Action); err != nil {
		t.Fatal(err)
	}
	img, _, err := e.c.Image.GetByID(e.ctx, res.Image.ID)
	if err != nil || img == nil {
		t.Fatalf("GetByID = %v, %v", img, err)
	}
	if img.Status != hcloud.ImageStatusAvailable || img.Name != "" || img.Description != "nightly" {
		t.Errorf("image = status %q name %q description %q, want available, no name, nightly", img.Status, img.Name, img.Description)
	}
	if img.CreatedFrom == nil || img.CreatedFrom.ID != srv.ID || img.CreatedFrom.Name != "snap-src" {
		t.Errorf("created_from = %+v", img.CreatedFrom)
	}

	resp, err := e.c.Image.Delete(e.ctx, img)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("Delete = %v, %v; want 204", resp, err)
	}
	gone, resp, err := e.c.Image.GetByID(e.ctx, img.ID)
	if gone != nil || err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("GetByID after delete = %v, %d, %v; want nil, 404, nil", gone, resp.StatusCode, err)
	}
}

func TestHCActionErrorAndUnknownAction(t *testing.T) {
	e := newEnv(t, Options{})
	srv := e.createServer("doomed", nil).Server
	e.sim.InjectFault(Fault{Path: "action:create_image", Times: 1})

	res, _, err := e.c.Server.CreateImage(e.ctx, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = e.c.Action.WaitFor(e.ctx, res.Action)
	var ae hcloud.ActionError
	if !errors.As(err, &ae) || ae.Code != "action_failed" {
		t.Fatalf("WaitFor error = %v, want ActionError action_failed", err)
	}
	img, _, err := e.c.Image.GetByID(e.ctx, res.Image.ID)
	if err != nil || img == nil || img.Status != "unavailable" {
		t.Errorf("image after failed create_image = %+v, %v; want unavailable", img, err)
	}
	// The fault is spent: the next snapshot works.
	res, _, err = e.c.Server.CreateImage(e.ctx, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.Action.WaitFor(e.ctx, res.Action); err != nil {
		t.Errorf("second snapshot: %v", err)
	}

	err = e.c.Action.WaitFor(e.ctx, &hcloud.Action{ID: 424242, Status: hcloud.ActionStatusRunning})
	if err == nil || !strings.Contains(err.Error(), "actions not found") {
		t.Errorf("WaitFor(424242) error = %v, want actions not found", err)
	}
}

func TestHCRateLimit(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{Now: clock.Now})
	srv := e.createServer("limited", nil).Server // request 1

	prev := 3599
	for range 3 {
		_, resp, err := e.c.Server.GetByID(e.ctx, srv.ID)
		if err != nil {
			t.Fatal(err)
		}
		rl := resp.Meta.Ratelimit
		if rl.Limit != 3600 || rl.Remaining != prev-1 || !rl.Reset.After(clock.Now()) {
			t.Errorf("ratelimit = %+v, want limit 3600, remaining %d, reset after %v", rl, prev-1, clock.Now())
		}
		prev = rl.Remaining
	}

	get := "GET /v1/servers/{id}"
	count := func() int { return e.sim.RequestCounts()[get] }

	// Two 429s: the SDK retries twice and the third attempt succeeds.
	before := count()
	e.sim.InjectFault(Fault{Method: "GET", Path: "/v1/servers*", Status: 429, Code: "rate_limit_exceeded", Times: 2})
	if s, _, err := e.c.Server.GetByID(e.ctx, srv.ID); err != nil || s == nil {
		t.Fatalf("GetByID with 2 injected 429s = %v, %v; want success", s, err)
	}
	if n := count() - before; n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}

	// Three 429s exhaust MaxRetries 2.
	before = count()
	e.sim.InjectFault(Fault{Method: "GET", Path: "/v1/servers*", Status: 429, Code: "rate_limit_exceeded", Times: 3})
	_, resp, err := e.c.Server.GetByID(e.ctx, srv.ID)
	apiError(t, err, hcloud.ErrorCodeRateLimitExceeded)
	if resp.Meta.Ratelimit.Remaining != 0 {
		t.Errorf("429 carries RateLimit-Remaining %d, want 0", resp.Meta.Ratelimit.Remaining)
	}
	if n := count() - before; n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}

	// 423 locked is not retried, and the fault fires before the delete.
	e.sim.InjectFault(Fault{Method: "DELETE", Path: "/v1/servers/" + strconv.FormatInt(srv.ID, 10), Status: 423, Code: "locked", Times: 5})
	_, _, err = e.c.Server.DeleteWithResult(e.ctx, srv)
	apiError(t, err, hcloud.ErrorCodeLocked)
	if n := e.sim.RequestCounts()["DELETE /v1/servers/{id}"]; n != 1 {
		t.Errorf("%d DELETE requests, want exactly 1", n)
	}
	if len(e.sim.Servers()) != 1 {
		t.Error("the faulted DELETE removed the server")
	}
}

// TestSSHKeyFingerprintMatchesSDK checks the fingerprint against hcloud-go's
// own implementation (x/crypto/ssh underneath).
func TestSSHKeyFingerprintMatchesSDK(t *testing.T) {
	e := newEnv(t, Options{})
	_, pub, err := sshutil.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	want, err := sshutil.GetPublicKeyFingerprint(pub)
	if err != nil {
		t.Fatal(err)
	}
	k, _, err := e.c.SSHKey.Create(e.ctx, hcloud.SSHKeyCreateOpts{Name: "k", PublicKey: string(pub)})
	if err != nil {
		t.Fatal(err)
	}
	if k.Fingerprint != want {
		t.Errorf("fingerprint = %q, want %q", k.Fingerprint, want)
	}
	byFP, _, err := e.c.SSHKey.GetByFingerprint(e.ctx, want)
	if err != nil || byFP == nil || byFP.ID != k.ID {
		t.Errorf("GetByFingerprint = %v, %v", byFP, err)
	}
}
