package sim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
)

// What an in-place update of a machine needs from the cloud, and the
// catalogue of late 2026 it runs against, through the real hcloud-go.

// serverOf fetches a server and fails the test when it is gone.
func (e *env) serverOf(id int64) *hcloud.Server {
	e.t.Helper()
	s, _, err := e.c.Server.GetByID(e.ctx, id)
	if err != nil || s == nil {
		e.t.Fatalf("GetByID(%d) = %v, %v", id, s, err)
	}
	return s
}

// createOn creates a server of the given type in a location.
func (e *env) createOn(name, serverType, location string) *hcloud.Server {
	e.t.Helper()
	r, _, err := e.c.Server.Create(e.ctx, hcloud.ServerCreateOpts{
		Name: name, ServerType: &hcloud.ServerType{Name: serverType},
		Image: &hcloud.Image{Name: "ubuntu-24.04"}, Location: &hcloud.Location{Name: location},
	})
	if err != nil {
		e.t.Fatalf("create %s (%s in %s): %v", name, serverType, location, err)
	}
	return r.Server
}

// stop powers a server off and waits for it.
func (e *env) stop(s *hcloud.Server) {
	e.t.Helper()
	a, _, err := e.c.Server.Poweroff(e.ctx, s)
	if err != nil {
		e.t.Fatalf("poweroff: %v", err)
	}
	if err := e.c.Action.WaitFor(e.ctx, a); err != nil {
		e.t.Fatalf("wait for poweroff: %v", err)
	}
}

// stopBy powers a server off on a fake clock, moving it by d for the action.
func (e *env) stopBy(s *hcloud.Server, clock *fakeClock, d time.Duration) {
	e.t.Helper()
	if _, _, err := e.c.Server.Poweroff(e.ctx, s); err != nil {
		e.t.Fatalf("poweroff: %v", err)
	}
	clock.Advance(d)
	if got := e.serverOf(s.ID); got.Status != hcloud.ServerStatusOff {
		e.t.Fatalf("after poweroff: %s", got.Status)
	}
}

func (e *env) changeType(s *hcloud.Server, to string, upgradeDisk bool) (*hcloud.Action, error) {
	a, _, err := e.c.Server.ChangeType(e.ctx, s, hcloud.ServerChangeTypeOpts{
		ServerType: &hcloud.ServerType{Name: to}, UpgradeDisk: upgradeDisk,
	})
	return a, err
}

// wantAPIError checks code, HTTP status and message of an API error.
func wantAPIError(t *testing.T, err error, code hcloud.ErrorCode, status int, message string) {
	t.Helper()
	he := apiErrorOf(t, err, code)
	if got := he.Response().StatusCode; got != status {
		t.Errorf("%s: status %d, want %d", code, got, status)
	}
	if message != "" && he.Message != message {
		t.Errorf("%s: message %q, want %q", code, he.Message, message)
	}
}

func TestChangeTypeRefusedWhileRunning(t *testing.T) {
	e := newEnv(t, Options{})
	s := e.createOn("busy", "cx23", "fsn1")
	if got := e.serverOf(s.ID); got.Status != hcloud.ServerStatusRunning {
		t.Fatalf("status %s, want running", got.Status)
	}
	_, err := e.changeType(s, "cx33", true)
	wantAPIError(t, err, hcloud.ErrorCodeServerNotStopped, http.StatusUnprocessableEntity, "Server must be offline for this action")
	if got := e.serverOf(s.ID); got.ServerType.Name != "cx23" || got.Status != hcloud.ServerStatusRunning || got.PrimaryDiskSize != 40 {
		t.Errorf("after the refusal: %s %s %d GB", got.ServerType.Name, got.Status, got.PrimaryDiskSize)
	}
	// While the server is still being created the answer is locked.
	clock := newFakeClock()
	slow := newEnv(t, Options{ServerReadyDelay: time.Minute, Now: clock.Now})
	young := slow.createOn("young", "cx23", "fsn1")
	_, err = slow.changeType(young, "cx33", true)
	wantAPIError(t, err, hcloud.ErrorCodeLocked, http.StatusLocked, "")
}

// TestPoweroffChangeTypePoweron is the sequence an in-place change of size
// runs: power off, change the type, power on, each an action that takes
// time on the simulator's clock.
func TestPoweroffChangeTypePoweron(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{ActionDelay: 10 * time.Second, Now: clock.Now})
	s := e.createOn("grow", "cx23", "nbg1")

	off, _, err := e.c.Server.Poweroff(e.ctx, s)
	if err != nil || off.Command != "stop_server" {
		t.Fatalf("poweroff = %+v, %v", off, err)
	}
	if got := e.serverOf(s.ID); got.Status != hcloud.ServerStatusStopping {
		t.Errorf("during poweroff: %s, want stopping", got.Status)
	}
	_, err = e.changeType(s, "cx33", false)
	wantAPIError(t, err, hcloud.ErrorCodeLocked, http.StatusLocked, "")
	clock.Advance(10 * time.Second)
	if got := e.serverOf(s.ID); got.Status != hcloud.ServerStatusOff {
		t.Fatalf("after poweroff: %s, want off", got.Status)
	}

	// A larger type, keeping the disk.
	a, resp := e.do("POST", "/v1/servers/"+strconv.FormatInt(s.ID, 10)+"/actions/change_type",
		map[string]any{"server_type": "cx33", "upgrade_disk": false})
	type ref struct {
		ID   int64  `json:"id"`
		Type string `json:"type"`
	}
	var body struct {
		Action struct {
			ID        int64  `json:"id"`
			Command   string `json:"command"`
			Status    string `json:"status"`
			Resources []ref  `json:"resources"`
		} `json:"action"`
	}
	if err := json.Unmarshal(resp, &body); err != nil || a.StatusCode != http.StatusCreated ||
		body.Action.Command != "change_server_type" || body.Action.Status != "running" ||
		len(body.Action.Resources) != 1 || body.Action.Resources[0] != (ref{ID: s.ID, Type: "server"}) {
		t.Fatalf("change_type = %d %s", a.StatusCode, resp)
	}
	during := e.serverOf(s.ID)
	if during.Status != hcloud.ServerStatusMigrating || during.ServerType.Name != "cx23" {
		t.Errorf("during change_type: %s %s, want migrating on cx23", during.Status, during.ServerType.Name)
	}
	_, _, err = e.c.Server.Poweron(e.ctx, s)
	wantAPIError(t, err, hcloud.ErrorCodeLocked, http.StatusLocked, "")
	clock.Advance(10 * time.Second)
	act, _, err := e.c.Action.GetByID(e.ctx, body.Action.ID)
	if err != nil || act.Status != hcloud.ActionStatusSuccess {
		t.Fatalf("change_server_type action = %+v, %v", act, err)
	}
	// Hetzner copies the disk and starts the server again.
	after := e.serverOf(s.ID)
	if after.ServerType.Name != "cx33" || after.ServerType.Cores != 4 || after.PrimaryDiskSize != 40 || after.Status != hcloud.ServerStatusRunning {
		t.Errorf("after change_type: %s (%d cores) %d GB %s, want cx33 with the 40 GB disk kept, running",
			after.ServerType.Name, after.ServerType.Cores, after.PrimaryDiskSize, after.Status)
	}
	if got := e.sim.Servers()[0].ServerType; got != "cx33" {
		t.Errorf("Servers() type = %s", got)
	}

	// Power on is accepted on the running server and leaves it running.
	on, _, err := e.c.Server.Poweron(e.ctx, s)
	if err != nil || on.Command != "start_server" {
		t.Fatalf("poweron = %+v, %v", on, err)
	}
	if got := e.serverOf(s.ID); got.Status != hcloud.ServerStatusStarting {
		t.Errorf("during poweron: %s, want starting", got.Status)
	}
	clock.Advance(10 * time.Second)
	if got := e.serverOf(s.ID); got.Status != hcloud.ServerStatusRunning {
		t.Errorf("after poweron: %s", got.Status)
	}

	// The kept disk is what makes the way back possible...
	e.stopBy(s, clock, 10*time.Second)
	if _, err := e.changeType(s, "cx23", false); err != nil {
		t.Fatalf("back to cx23: %v", err)
	}
	clock.Advance(10 * time.Second)
	if got := e.serverOf(s.ID); got.ServerType.Name != "cx23" || got.PrimaryDiskSize != 40 {
		t.Errorf("after the downgrade: %s %d GB", got.ServerType.Name, got.PrimaryDiskSize)
	}
	// ...while an upgraded disk can't shrink again.
	e.stopBy(s, clock, 10*time.Second)
	if _, err := e.changeType(s, "cx43", true); err != nil {
		t.Fatalf("to cx43 with its disk: %v", err)
	}
	clock.Advance(10 * time.Second)
	if got := e.serverOf(s.ID); got.ServerType.Name != "cx43" || got.PrimaryDiskSize != 160 {
		t.Errorf("after upgrade_disk: %s %d GB, want cx43 160 GB", got.ServerType.Name, got.PrimaryDiskSize)
	}
	e.stopBy(s, clock, 10*time.Second)
	_, err = e.changeType(s, "cx33", false)
	wantAPIError(t, err, hcloud.ErrorCodeInvalidServerType, http.StatusUnprocessableEntity,
		"cannot change type because the selected server_type has not sufficient disk space")
}

func TestChangeTypeRefusals(t *testing.T) {
	e := newEnv(t, Options{})
	eu := e.createOn("eu", "cx23", "fsn1")
	e.stop(eu)
	us := e.createOn("us", "cpx11", "ash")
	e.stop(us)

	for _, tt := range []struct {
		name     string
		server   *hcloud.Server
		to       string
		code     hcloud.ErrorCode
		message  string
		upgrades bool
	}{
		{"other architecture", eu, "cax21", hcloud.ErrorCodeInvalidServerType, "server type has incompatible architecture", true},
		{"smaller disk", e.createOnStopped("big", "cx33"), "cpx12", hcloud.ErrorCodeInvalidServerType,
			"cannot change type because the selected server_type has not sufficient disk space", false},
		{"retired in the location", eu, "cpx21", hcloud.ErrorCodeInvalidServerType, "server type is not available in the location of the server", true},
		{"not sold in the location", us, "cpx22", hcloud.ErrorCodeInvalidServerType, "server type is not available in the location of the server", true},
		{"retired everywhere", eu, "cx32", hcloud.ErrorCodeInvalidInput, "server type 'cx32' not found", true},
		{"unknown", eu, "cx999", hcloud.ErrorCodeInvalidInput, "server type 'cx999' not found", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.changeType(tt.server, tt.to, tt.upgrades)
			wantAPIError(t, err, tt.code, http.StatusUnprocessableEntity, tt.message)
		})
	}
	// What is sold where it runs is fine: cpx11 in Ashburn may grow to
	// cpx21, which Ashburn still sells, or to a dedicated type.
	for _, to := range []string{"cpx21", "ccx13"} {
		if _, err := e.changeType(us, to, false); err != nil {
			t.Errorf("cpx11 in ash to %s: %v", to, err)
		}
		e.stop(us)
	}
	// Both fields are required, as documented.
	for _, body := range []map[string]any{{"upgrade_disk": true}, {"server_type": "cx33"}} {
		code, resp := e.doJSON("POST", "/v1/servers/"+strconv.FormatInt(eu.ID, 10)+"/actions/change_type", body)
		if code != http.StatusUnprocessableEntity || dig(resp, "error", "code") != "invalid_input" {
			t.Errorf("%v: %d %v", body, code, resp)
		}
	}
	if code, _ := e.doJSON("POST", "/v1/servers/424242/actions/change_type", map[string]any{"server_type": "cx33", "upgrade_disk": true}); code != http.StatusNotFound {
		t.Errorf("unknown server: %d", code)
	}
	if got := e.serverOf(eu.ID); got.ServerType.Name != "cx23" || got.Status != hcloud.ServerStatusOff {
		t.Errorf("refusals changed the server: %s %s", got.ServerType.Name, got.Status)
	}
}

func (e *env) createOnStopped(name, serverType string) *hcloud.Server {
	e.t.Helper()
	s := e.createOn(name, serverType, "fsn1")
	e.stop(s)
	return s
}

func TestFailedChangeTypeKeepsTheServer(t *testing.T) {
	e := newEnv(t, Options{})
	s := e.createOnStopped("unlucky", "cx23")
	e.sim.InjectFault(Fault{Path: "action:change_server_type"})
	a, err := e.changeType(s, "cx33", true)
	if err != nil {
		t.Fatal(err)
	}
	var ae hcloud.ActionError
	if err := e.c.Action.WaitFor(e.ctx, a); !errors.As(err, &ae) || ae.Code != "action_failed" {
		t.Fatalf("WaitFor = %v, want action_failed", err)
	}
	if got := e.serverOf(s.ID); got.ServerType.Name != "cx23" || got.PrimaryDiskSize != 40 || got.Status != hcloud.ServerStatusOff {
		t.Errorf("after a failed change: %s %d GB %s, want cx23 40 GB off", got.ServerType.Name, got.PrimaryDiskSize, got.Status)
	}
}

func TestUpdateServerNameAndLabels(t *testing.T) {
	e := newEnv(t, Options{})
	s := e.createServer("before", map[string]string{"team": "red"}).Server
	resp, raw := e.do("PUT", "/v1/servers/"+strconv.FormatInt(s.ID, 10), map[string]any{"name": "after", "labels": map[string]string{"team": "blue"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"name":"after"`) {
		t.Fatalf("PUT = %d %s", resp.StatusCode, raw)
	}
	// Labels alone keep the name; a name alone keeps the labels.
	if _, _, err := e.c.Server.Update(e.ctx, s, hcloud.ServerUpdateOpts{Labels: map[string]string{"team": "green", "x": ""}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.c.Server.Update(e.ctx, s, hcloud.ServerUpdateOpts{Name: "again"}); err != nil {
		t.Fatal(err)
	}
	got := e.serverOf(s.ID)
	if got.Name != "again" || len(got.Labels) != 2 || got.Labels["team"] != "green" || got.Status != hcloud.ServerStatusRunning {
		t.Errorf("after updates: %s %v %s", got.Name, got.Labels, got.Status)
	}
	if code, _ := e.doJSON("PUT", "/v1/servers/424242", map[string]any{"name": "x"}); code != http.StatusNotFound {
		t.Errorf("PUT unknown server: %d", code)
	}
}

func TestUpdateSnapshotImage(t *testing.T) {
	e := newEnv(t, Options{})
	src := e.createServer("src", nil).Server
	res, _, err := e.c.Server.CreateImage(e.ctx, src, &hcloud.ServerCreateImageOpts{
		Type: hcloud.ImageTypeSnapshot, Description: hcloud.Ptr("first"), Labels: map[string]string{"spuff": "1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, raw := e.do("PUT", "/v1/images/"+strconv.FormatInt(res.Image.ID, 10),
		map[string]any{"description": "second", "labels": map[string]string{"spuff": "1", "keep": "yes"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"description":"second"`) {
		t.Fatalf("PUT /images = %d %s", resp.StatusCode, raw)
	}
	img, _, err := e.c.Image.GetByID(e.ctx, res.Image.ID)
	if err != nil || img.Description != "second" || len(img.Labels) != 2 || img.Labels["keep"] != "yes" || img.Name != "" {
		t.Errorf("after PUT: %+v, %v", img, err)
	}
	// A description alone keeps the labels.
	if _, _, err := e.c.Image.Update(e.ctx, img, hcloud.ImageUpdateOpts{Description: hcloud.Ptr("third")}); err != nil {
		t.Fatal(err)
	}
	found, err := e.c.Image.AllWithOpts(e.ctx, hcloud.ImageListOpts{
		Type: []hcloud.ImageType{hcloud.ImageTypeSnapshot}, ListOpts: hcloud.ListOpts{LabelSelector: "keep=yes"},
	})
	if err != nil || len(found) != 1 || found[0].Description != "third" {
		t.Errorf("by the new label: %+v, %v", found, err)
	}
	// System images are Hetzner's.
	system, _, _ := e.c.Image.GetForArchitecture(e.ctx, "ubuntu-24.04", hcloud.ArchitectureX86)
	_, _, err = e.c.Image.Update(e.ctx, system, hcloud.ImageUpdateOpts{Description: hcloud.Ptr("mine")})
	apiError(t, err, hcloud.ErrorCodeForbidden)
}

func TestSnapshotDiskSize(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{ActionDelay: time.Second, Now: clock.Now})
	big := e.createOn("big", "cx33", "fsn1") // 80 GB
	res, _, err := e.c.Server.CreateImage(e.ctx, big, nil)
	if err != nil {
		t.Fatal(err)
	}
	img, _, _ := e.c.Image.GetByID(e.ctx, res.Image.ID)
	if img.DiskSize != 80 || res.Image.DiskSize != 80 {
		t.Fatalf("snapshot of an 80 GB disk: disk_size %v (create answer %v)", img.DiskSize, res.Image.DiskSize)
	}

	create := func(name, serverType string) error {
		_, _, err := e.c.Server.Create(e.ctx, hcloud.ServerCreateOpts{
			Name: name, ServerType: &hcloud.ServerType{Name: serverType}, Image: &hcloud.Image{ID: img.ID},
			Location: &hcloud.Location{Name: "fsn1"},
		})
		return err
	}
	err = create("small", "cx23") // 40 GB
	wantAPIError(t, err, hcloud.ErrorCodeInvalidInput, http.StatusUnprocessableEntity, "image disk is bigger than server type disk")
	for name, serverType := range map[string]string{"same": "cx33", "amd": "cpx22", "bigger": "cx43"} {
		if err := create(name, serverType); err != nil {
			t.Errorf("snapshot of 80 GB onto %s: %v", serverType, err)
		}
	}
	// A server on a new type keeps its disk unless asked: its snapshot is
	// as big as the disk, not as the type.
	grown := e.createOn("grown", "cx23", "fsn1")
	e.stopBy(grown, clock, time.Second)
	if _, err := e.changeType(grown, "cx43", false); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	res, _, err = e.c.Server.CreateImage(e.ctx, grown, nil)
	if err != nil || res.Image.DiskSize != 40 {
		t.Fatalf("snapshot of cx43 with a 40 GB disk: %+v, %v", res, err)
	}
	if err := create("fits", "cpx12"); err == nil {
		t.Error("the 80 GB snapshot fit onto cpx12")
	}
}

func TestServerTypesOfLate2026(t *testing.T) {
	e := newEnv(t, Options{})
	want := map[string]struct {
		id                 int64
		cores              int
		memory             float32
		disk               int
		arch               hcloud.Architecture
		cpu                hcloud.CPUType
		category           string
		locations, bought  string // where offered, where orderable
		deprecatedLocation string
	}{
		"cx23":  {114, 2, 4, 40, "x86", "shared", "cost_optimized", "fsn1 nbg1 hel1", "fsn1 nbg1 hel1", ""},
		"cx53":  {117, 16, 32, 320, "x86", "shared", "cost_optimized", "fsn1 nbg1 hel1", "fsn1 nbg1 hel1", ""},
		"cpx12": {108, 1, 2, 40, "x86", "shared", "regular_purpose", "fsn1 nbg1 hel1 sin", "fsn1 nbg1 hel1 sin", ""},
		"cpx22": {109, 2, 4, 80, "x86", "shared", "regular_purpose", "fsn1 nbg1 hel1 sin", "fsn1 nbg1 hel1 sin", ""},
		"cpx62": {113, 16, 32, 640, "x86", "shared", "regular_purpose", "fsn1 nbg1 hel1 sin", "fsn1 nbg1 hel1 sin", ""},
		"cax41": {95, 16, 32, 320, "arm", "shared", "cost_optimized", "fsn1 nbg1 hel1", "fsn1 nbg1 hel1", ""},
		"ccx63": {101, 48, 192, 960, "x86", "dedicated", "general_purpose", "fsn1 nbg1 hel1 ash hil sin", "fsn1 nbg1 hel1 ash hil sin", ""},
		"cpx11": {22, 2, 2, 40, "x86", "shared", "regular_purpose", "fsn1 nbg1 hel1 ash hil sin", "ash hil", "fsn1"},
		"cpx41": {25, 8, 16, 240, "x86", "shared", "regular_purpose", "fsn1 nbg1 hel1 ash hil sin", "ash hil", "sin"},
	}
	for name, w := range want {
		st, _, err := e.c.ServerType.GetByName(e.ctx, name)
		if err != nil || st == nil {
			t.Errorf("%s: %v, %v", name, st, err)
			continue
		}
		var offered, bought []string
		for _, l := range st.Locations {
			offered = append(offered, l.Location.Name)
			if l.Available && l.Recommended {
				bought = append(bought, l.Location.Name)
			}
			if l.Location.Name == w.deprecatedLocation && !l.IsDeprecated() {
				t.Errorf("%s in %s is not deprecated", name, l.Location.Name)
			}
		}
		if st.ID != w.id || st.Cores != w.cores || st.Memory != w.memory || st.Disk != w.disk || st.Architecture != w.arch ||
			st.CPUType != w.cpu || st.Category != w.category || st.StorageType != hcloud.StorageTypeLocal ||
			strings.Join(offered, " ") != w.locations || strings.Join(bought, " ") != w.bought {
			t.Errorf("%s = id %d %d cores %v GB %d GB %s %s %s, offered in %v, orderable in %v", name,
				st.ID, st.Cores, st.Memory, st.Disk, st.Architecture, st.CPUType, st.Category, offered, bought)
		}
	}
	for _, retired := range []string{"cx22", "cx32", "cx42", "cx52"} {
		if st, _, err := e.c.ServerType.GetByName(e.ctx, retired); st != nil || err != nil {
			t.Errorf("%s = %+v, %v; want gone", retired, st, err)
		}
	}
	if st, _, err := e.c.ServerType.GetByID(e.ctx, 104); st != nil || err != nil {
		t.Errorf("server type 104 (cx22) = %+v, %v; want gone", st, err)
	}
}

// TestServerTypeDeprecationDecodes checks both shapes of a deprecation as
// hcloud-go v2.52 decodes them: per location (cpx11: retired in the EU and
// Singapore, still sold in the US) and for the whole type (cx22 before it
// was retired everywhere).
func TestServerTypeDeprecationDecodes(t *testing.T) {
	announced := time.Date(2025, 10, 16, 6, 0, 0, 0, time.UTC)
	unavailable := time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)

	e := newEnv(t, Options{}) // the real clock: late 2026
	cpx11, _, err := e.c.ServerType.GetByName(e.ctx, "cpx11")
	if err != nil || cpx11 == nil {
		t.Fatal(err)
	}
	//nolint:staticcheck // the top-level deprecation is phased out; here it must be absent
	if cpx11.IsDeprecated() {
		t.Error("cpx11 is deprecated as a whole; it is still sold in ash and hil")
	}
	for _, l := range cpx11.Locations {
		us := l.Location.Name == "ash" || l.Location.Name == "hil"
		switch {
		case us && (l.IsDeprecated() || !l.Available):
			t.Errorf("cpx11 in %s: deprecated %v available %v", l.Location.Name, l.IsDeprecated(), l.Available)
		case !us && (!l.IsDeprecated() || l.Available || l.Recommended ||
			!l.DeprecationAnnounced().Equal(announced) || !l.UnavailableAfter().Equal(unavailable)):
			t.Errorf("cpx11 in %s: deprecated %v (%v, %v) available %v", l.Location.Name, l.IsDeprecated(),
				l.DeprecationAnnounced(), l.UnavailableAfter(), l.Available)
		}
	}
	// The wire form: RFC 3339 with +00:00, as Hetzner writes it.
	_, raw := e.doJSON("GET", "/v1/server_types?name=cpx11", nil)
	loc := dig(raw, "server_types").([]any)[0].(map[string]any)["locations"].([]any)[0]
	if dig(loc, "deprecation", "unavailable_after") != "2025-12-31T23:59:59+00:00" || dig(loc, "id") != 1.0 {
		t.Errorf("cpx11 fsn1 on the wire = %v", loc)
	}

	// Before the end of sale, cx22 was listed, deprecated in every location.
	clock := &fakeClock{t: time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC)}
	old := newEnv(t, Options{Now: clock.Now})
	cx22, _, err := old.c.ServerType.GetByName(old.ctx, "cx22")
	if err != nil || cx22 == nil {
		t.Fatalf("cx22 in November 2025 = %v, %v", cx22, err)
	}
	//nolint:staticcheck // the top-level deprecation is what this checks
	if !cx22.IsDeprecated() || !cx22.UnavailableAfter().Equal(unavailable) || !cx22.DeprecationAnnounced().Equal(announced) {
		t.Errorf("cx22 deprecation = %+v", cx22.DeprecatableResource) //nolint:staticcheck // see above
	}
	for _, l := range cx22.Locations {
		if !l.IsDeprecated() || !l.Available {
			t.Errorf("cx22 in %s in November 2025: deprecated %v available %v", l.Location.Name, l.IsDeprecated(), l.Available)
		}
	}
	s := old.createOn("last-cx22", "cx22", "hel1")
	// After the end of sale the type is gone from the catalogue; the server
	// keeps it, deprecation and all.
	clock.Advance(61 * 24 * time.Hour)
	if st, _, err := old.c.ServerType.GetByName(old.ctx, "cx22"); st != nil || err != nil {
		t.Errorf("cx22 in January 2026 = %+v, %v", st, err)
	}
	kept := old.serverOf(s.ID)
	//nolint:staticcheck // the top-level deprecation is what this checks
	if kept.ServerType.Name != "cx22" || !kept.ServerType.IsDeprecated() || len(kept.ServerType.Locations) != 3 || kept.ServerType.Locations[2].Available {
		t.Errorf("the server's type = %+v", kept.ServerType)
	}
	_, _, err = old.c.Server.Create(old.ctx, hcloud.ServerCreateOpts{Name: "too-late", ServerType: &hcloud.ServerType{Name: "cx22"},
		Image: &hcloud.Image{Name: "debian-12"}})
	wantAPIError(t, err, hcloud.ErrorCodeInvalidInput, http.StatusUnprocessableEntity, "server type 'cx22' not found")
	_, _, err = old.c.Server.Create(old.ctx, hcloud.ServerCreateOpts{Name: "too-late", ServerType: &hcloud.ServerType{Name: "cpx21"},
		Image: &hcloud.Image{Name: "debian-12"}, Location: &hcloud.Location{Name: "nbg1"}})
	wantAPIError(t, err, hcloud.ErrorCodeInvalidInput, http.StatusUnprocessableEntity, "unsupported location for server type")
}

func TestDatacentersGone(t *testing.T) {
	e := newEnv(t, Options{})
	//nolint:staticcheck // the datacenter client is deprecated because the endpoints are gone; this is what it gets
	_, err := e.c.Datacenter.All(e.ctx)
	he := apiErrorOf(t, err, hcloud.ErrorDeprecatedAPIEndpoint)
	d, ok := he.Details.(hcloud.ErrorDetailsDeprecatedAPIEndpoint)
	if he.Response().StatusCode != http.StatusGone || he.Message != "API functionality was removed" || !ok ||
		d.Announcement != "https://docs.hetzner.cloud/changelog#2026-06-02-datacenters-deprecated" {
		t.Errorf("GET /datacenters = %d %q %#v", he.Response().StatusCode, he.Message, he.Details)
	}
	// GetByID turns only not_found into (nil, nil): a 410 is an error.
	//nolint:staticcheck // see above
	dc, _, err := e.c.Datacenter.GetByID(e.ctx, 4)
	if dc != nil || !hcloud.IsError(err, hcloud.ErrorDeprecatedAPIEndpoint) {
		t.Errorf("GET /datacenters/4 = %v, %v", dc, err)
	}
	for _, path := range []string{"/v1/datacenters?name=fsn1-dc14", "/v1/datacenters/424242"} {
		if code, body := e.doJSON("GET", path, nil); code != http.StatusGone || dig(body, "error", "code") != "deprecated_api_endpoint" {
			t.Errorf("%s = %d %v", path, code, body)
		}
	}
}

func TestAdminStateSecrets(t *testing.T) {
	e := newEnv(t, Options{})
	const secret = "#cloud-config\n# marker-Q7ZK1\n"
	if _, _, err := e.c.Server.Create(e.ctx, hcloud.ServerCreateOpts{
		Name: "s", ServerType: &hcloud.ServerType{Name: "cpx22"}, Image: &hcloud.Image{Name: "ubuntu-26.04"},
		UserData: secret,
	}); err != nil {
		t.Fatal(err)
	}
	state := func(query string) (int, []byte) {
		resp, raw := e.do("GET", "/_sim/state"+query, nil)
		return resp.StatusCode, raw
	}
	for _, q := range []string{"", "?secrets=0", "?secrets=false"} {
		if code, raw := state(q); code != http.StatusOK || strings.Contains(string(raw), "marker-Q7ZK") || strings.Contains(string(raw), "user_data") {
			t.Errorf("state%s = %d %s", q, code, raw)
		}
	}
	for _, q := range []string{"?secrets=1", "?secrets=true"} {
		code, raw := state(q)
		var body struct{ Servers []Server }
		if err := json.Unmarshal(raw, &body); err != nil || code != http.StatusOK || len(body.Servers) != 1 || body.Servers[0].UserData != secret {
			t.Errorf("state%s = %d %s", q, code, raw)
		}
		if !strings.Contains(string(raw), "marker-Q7ZK1") {
			t.Errorf("state%s: grep for the marker finds nothing", q)
		}
	}
	if code, _ := state("?secrets=maybe"); code != http.StatusBadRequest {
		t.Errorf("secrets=maybe: %d, want 400", code)
	}
	if got := e.sim.Servers()[0].UserData; got != "" {
		t.Errorf("Servers() carries user data %q", got)
	}
	if got := e.sim.ServersWithSecrets()[0].UserData; got != secret {
		t.Errorf("ServersWithSecrets() user data = %q", got)
	}
}
