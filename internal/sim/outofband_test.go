package sim

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
)

// Out-of-band changes go around every cloud API: the Hetzner API sees
// their effect, but nothing is counted, faulted or rate-limited.
func TestOutOfBandGoMethods(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{Now: clock.Now, ServerReadyDelay: 10 * time.Second})
	e.sim.InjectFault(Fault{Path: "*", Status: 503, Times: 100}) // the cloud API is down; the admin side is not

	srv, err := e.sim.CreateMachine(MachineSpec{Name: "console-made", Labels: map[string]string{"team": "ops"}})
	if err != nil {
		t.Fatal(err)
	}
	if srv.Cloud != "hetzner" || srv.Status != "initializing" || srv.Phase != "provisioning" ||
		srv.Location != "fsn1" || srv.ServerType == "" || srv.Image == "" || srv.IPv4 == "" {
		t.Errorf("created = %+v", srv)
	}
	for _, bad := range []MachineSpec{{}, {Name: "x", Region: "mars"}, {Name: "x", Size: "cx22"}, {Name: "x", Image: "windows"}, {Cloud: "nimbus", Name: "x"}} {
		if _, err := e.sim.CreateMachine(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateMachine(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	clock.Advance(10 * time.Second)
	if got, _ := e.sim.Machine(srv.ID); got.Status != "running" || got.Phase != "running" {
		t.Errorf("after the ready delay: %+v", got)
	}

	if err := e.sim.SetLabels(srv.ID, map[string]string{"managed-by": "spuff"}); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.StopMachine(srv.ID); err != nil {
		t.Fatal(err)
	}
	e.sim.Reset()
	if len(e.sim.Servers()) != 0 {
		t.Fatal("reset left machines")
	}

	// Now through the Hetzner API, with the fault gone.
	srv, _ = e.sim.CreateMachine(MachineSpec{Name: "oob", Region: "nbg1", Size: "cx33", Image: "debian-12"})
	if err := e.sim.SetLabels(srv.ID, map[string]string{"managed-by": "spuff", "env": "dev"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * time.Second)
	got, _, err := e.c.Server.GetByID(e.ctx, srv.ID)
	if err != nil || got == nil || got.Name != "oob" || got.Labels["env"] != "dev" || got.Location.Name != "nbg1" ||
		got.ServerType.Name != "cx33" || got.Image.Name != "debian-12" || got.Status != hcloud.ServerStatusRunning {
		t.Fatalf("GET /servers/%d = %+v, %v", srv.ID, got, err)
	}
	if err := e.sim.StopMachine(srv.ID); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := e.c.Server.GetByID(e.ctx, srv.ID); got.Status != hcloud.ServerStatusOff {
		t.Errorf("after StopMachine: %s", got.Status)
	}
	before := e.sim.RequestCounts()
	if err := e.sim.DeleteMachine(srv.ID); err != nil {
		t.Fatal(err)
	}
	if got, _, err := e.c.Server.GetByID(e.ctx, srv.ID); got != nil || err != nil {
		t.Errorf("GET after DeleteMachine = %v, %v; want nil, nil (404)", got, err)
	}
	if after := e.sim.RequestCounts(); after["GET /v1/servers/{id}"] != before["GET /v1/servers/{id}"]+1 || len(after) != len(before) {
		t.Errorf("out-of-band calls were counted: %v -> %v", before, after)
	}
	for _, err := range []error{e.sim.DeleteMachine(srv.ID), e.sim.SetLabels(srv.ID, nil), e.sim.StopMachine(srv.ID),
		e.sim.DeleteImage(srv.ID), e.sim.SetImageLabels(101, nil)} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("on a gone machine or a system image: %v, want ErrNotFound", err)
		}
	}
}

func TestOutOfBandSnapshots(t *testing.T) {
	e := newEnv(t, Options{})
	s := e.createServer("snap-src", nil).Server
	res, _, err := e.c.Server.CreateImage(e.ctx, s, &hcloud.ServerCreateImageOpts{Type: hcloud.ImageTypeSnapshot})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Image.ID
	if err := e.sim.SetImageLabels(id, map[string]string{"managed-by": "other"}); err != nil {
		t.Fatal(err)
	}
	img, _, err := e.c.Image.GetByID(e.ctx, id)
	if err != nil || img.Labels["managed-by"] != "other" {
		t.Fatalf("image after SetImageLabels = %+v, %v", img, err)
	}
	if err := e.sim.DeleteImage(id); err != nil {
		t.Fatal(err)
	}
	if img, _, err := e.c.Image.GetByID(e.ctx, id); img != nil || err != nil {
		t.Errorf("image after DeleteImage = %+v, %v", img, err)
	}
}

func TestOutOfBandAdminAPI(t *testing.T) {
	e := newEnv(t, Options{})
	code, m := e.doJSON("POST", "/_sim/machines", map[string]any{"name": "adm-made", "labels": map[string]string{"managed-by": "spuff"}})
	if code != http.StatusCreated || m["name"] != "adm-made" || m["cloud"] != "hetzner" {
		t.Fatalf("POST /_sim/machines = %d %v", code, m)
	}
	id := strconv.FormatInt(int64(m["id"].(float64)), 10)
	if code, body := e.doJSON("POST", "/_sim/machines", map[string]any{"name": "x", "region": "mars"}); code != http.StatusBadRequest || body["error"] == nil {
		t.Errorf("bad region: %d %v", code, body)
	}
	if code, body := e.doJSON("POST", "/_sim/machines", map[string]any{"name": "x", "bogus": 1}); code != http.StatusBadRequest {
		t.Errorf("unknown field: %d %v", code, body)
	}

	code, m = e.doJSON("PUT", "/_sim/machines/"+id+"/labels", map[string]any{"labels": map[string]string{"env": "prod"}})
	if code != http.StatusOK || dig(m, "labels", "env") != "prod" || dig(m, "labels", "managed-by") != nil {
		t.Errorf("PUT labels = %d %v", code, m)
	}
	// Unmanaged now: a managed-by selector no longer finds it.
	servers, err := e.c.Server.AllWithOpts(e.ctx, hcloud.ServerListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "managed-by=spuff"}})
	if err != nil || len(servers) != 0 {
		t.Errorf("managed servers after relabelling = %v, %v", servers, err)
	}
	if code, m := e.doJSON("POST", "/_sim/machines/"+id+"/stop", nil); code != http.StatusOK || m["status"] != "off" || m["phase"] != "off" {
		t.Errorf("stop = %d %v", code, m)
	}
	if code, m := e.doJSON("GET", "/_sim/machines/"+id, nil); code != http.StatusOK || m["name"] != "adm-made" {
		t.Errorf("GET machine = %d %v", code, m)
	}
	if code, _ := e.doJSON("POST", "/_sim/machines/"+id+"/delete", nil); code != http.StatusOK {
		t.Errorf("delete = %d", code)
	}
	if code, body := e.doJSON("POST", "/_sim/machines/"+id+"/delete", nil); code != http.StatusNotFound || body["error"] == nil {
		t.Errorf("second delete = %d %v", code, body)
	}
	if code, _ := e.doJSON("GET", "/v1/servers/"+id, nil); code != http.StatusNotFound {
		t.Errorf("Hetzner GET after the out-of-band delete = %d", code)
	}
	if code, _ := e.doJSON("POST", "/_sim/images/101/delete", nil); code != http.StatusNotFound {
		t.Errorf("deleting a system image = %d", code)
	}
	if code, _ := e.doJSON("PUT", "/_sim/images/101/labels", map[string]any{"labels": map[string]string{}}); code != http.StatusNotFound {
		t.Errorf("relabelling a system image = %d", code)
	}
	if _, counts := e.doJSON("GET", "/_sim/requests", nil); len(counts) != 2 {
		t.Errorf("requests = %v, want only the two Hetzner calls", counts)
	}
}

func TestFrontEnds(t *testing.T) {
	s := New(Options{})
	fes := s.FrontEnds()
	if len(fes) != 3 || fes[0].Cloud != "hetzner" || fes[0].Path != "/v1" || fes[0].OwnPort || fes[0].Handler == nil {
		t.Errorf("FrontEnds = %+v", fes)
	}
	// godo drops path prefixes: DigitalOcean needs the root of its own port.
	if do := fes[1]; do.Cloud != "digitalocean" || do.Path != "" || !do.OwnPort || do.FaultPrefix != "/v2" || do.Handler == nil {
		t.Errorf("DigitalOcean front end = %+v", do)
	}
	// EC2 posts every call to / and matches faults by action name.
	if aws := fes[2]; aws.Cloud != "aws" || aws.Title != "AWS EC2 API" || aws.Path != "" || !aws.OwnPort || aws.Handler == nil ||
		aws.OwnsFaultKey == nil || !aws.OwnsFaultKey("RunInstances") || aws.OwnsFaultKey("/v1/servers") {
		t.Errorf("EC2 front end = %+v", aws)
	}
}
