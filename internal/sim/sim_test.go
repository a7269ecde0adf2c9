package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/sim/hetzner"
)

func TestServerTransitionsFollowTheClock(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{ServerReadyDelay: 10 * time.Second, Now: clock.Now})
	r := e.createServer("slow", nil)
	id := r.Server.ID

	get := func() *hcloud.Server {
		t.Helper()
		s, _, err := e.c.Server.GetByID(e.ctx, id)
		if err != nil || s == nil {
			t.Fatalf("GetByID = %v, %v", s, err)
		}
		return s
	}
	action := func() *hcloud.Action {
		t.Helper()
		a, _, err := e.c.Action.GetByID(e.ctx, r.Action.ID)
		if err != nil || a == nil {
			t.Fatalf("Action.GetByID = %v, %v", a, err)
		}
		return a
	}

	// The primary IPv4 exists from the create answer on, as on Hetzner;
	// only the status waits for the delay.
	if r.Server.PublicNet.IPv4.IP.String() != "198.18.0.1" {
		t.Errorf("create answered IPv4 %v, want 198.18.0.1", r.Server.PublicNet.IPv4.IP)
	}
	if s := get(); s.Status != hcloud.ServerStatusInitializing || s.PublicNet.IPv4.IP.String() != "198.18.0.1" {
		t.Errorf("at t=0: %s with IPv4 %v, want initializing with 198.18.0.1", s.Status, s.PublicNet.IPv4.IP)
	}
	if ip := e.sim.Servers()[0].IPv4; ip != "198.18.0.1" {
		t.Errorf("Servers() IPv4 at t=0 = %q, want 198.18.0.1", ip)
	}

	clock.Advance(5 * time.Second)
	if s := get(); s.Status != hcloud.ServerStatusInitializing {
		t.Errorf("at t=5s: %s, want initializing", s.Status)
	}
	if a := action(); a.Status != hcloud.ActionStatusRunning || a.Progress != 50 || !a.Finished.IsZero() {
		t.Errorf("action at t=5s = %s %d%% finished %v, want running 50%%", a.Status, a.Progress, a.Finished)
	}

	clock.Advance(5 * time.Second)
	s := get()
	if s.Status != hcloud.ServerStatusRunning || s.PublicNet.IPv4.IP.String() != "198.18.0.1" {
		t.Errorf("at t=10s: %s with IPv4 %v, want running with 198.18.0.1", s.Status, s.PublicNet.IPv4.IP)
	}
	if a := action(); a.Status != hcloud.ActionStatusSuccess || a.Progress != 100 || !a.Finished.Equal(clock.Now()) {
		t.Errorf("action at t=10s = %s %d%% finished %v, want success 100%% at %v", a.Status, a.Progress, a.Finished, clock.Now())
	}
	if got := e.sim.Servers()[0]; got.Status != "running" || got.IPv4 != "198.18.0.1" {
		t.Errorf("Servers() = %+v", got)
	}
}

func TestIPv4AssignedInOrderOfCreation(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{ServerReadyDelay: 10 * time.Second, Now: clock.Now})
	e.createServer("slow", nil) // created first, ready at 10s
	e.sim.SetDelays(time.Second, 0)
	e.createServer("fast", nil) // ready at 1s

	// Addresses come with the create answer, so they follow creation order,
	// whichever server turns running first.
	clock.Advance(10 * time.Second)
	got := map[string]string{}
	for _, s := range e.sim.Servers() {
		got[s.Name] = s.IPv4
	}
	if got["slow"] != "198.18.0.1" || got["fast"] != "198.18.0.2" {
		t.Errorf("slow=%q fast=%q, want 198.18.0.1 and 198.18.0.2", got["slow"], got["fast"])
	}
}

func TestZeroDelayCreateAnswersInitializingThenRunning(t *testing.T) {
	clock := newFakeClock() // frozen: "next read" must not need time to pass
	e := newEnv(t, Options{Now: clock.Now})
	r := e.createServer("instant", nil)
	if r.Server.Status != hcloud.ServerStatusInitializing || r.Action.Status != hcloud.ActionStatusRunning {
		t.Errorf("create answered %s / action %s, want initializing / running", r.Server.Status, r.Action.Status)
	}
	s, _, err := e.c.Server.GetByID(e.ctx, r.Server.ID)
	if err != nil || s.Status != hcloud.ServerStatusRunning || s.PublicNet.IPv4.IsUnspecified() {
		t.Fatalf("next read = %+v, %v; want running with an IPv4", s, err)
	}
	if err := e.c.Action.WaitFor(e.ctx, append([]*hcloud.Action{r.Action}, r.NextActions...)...); err != nil {
		t.Error(err)
	}
}

func TestStartAfterCreateFalseEndsOff(t *testing.T) {
	e := newEnv(t, Options{})
	r, _, err := e.c.Server.Create(e.ctx, hcloud.ServerCreateOpts{
		Name: "cold", ServerType: &hcloud.ServerType{Name: "cx23"}, Image: &hcloud.Image{Name: "debian-12"},
		StartAfterCreate: hcloud.Ptr(false),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.NextActions) != 0 {
		t.Errorf("next actions = %v, want none", r.NextActions)
	}
	if r.RootPassword == "" {
		t.Error("no root password although no SSH keys were given")
	}
	s, _, _ := e.c.Server.GetByID(e.ctx, r.Server.ID)
	if s.Status != hcloud.ServerStatusOff {
		t.Errorf("status = %s, want off", s.Status)
	}
	// Power on through the action endpoint.
	a, _, err := e.c.Server.Poweron(e.ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if a.Command != "start_server" {
		t.Errorf("poweron command = %q", a.Command)
	}
	if err := e.c.Action.WaitFor(e.ctx, a); err != nil {
		t.Fatal(err)
	}
	s, _, _ = e.c.Server.GetByID(e.ctx, s.ID)
	if s.Status != hcloud.ServerStatusRunning {
		t.Errorf("status after poweron = %s, want running", s.Status)
	}
}

func TestFailedCreateLeavesServerOff(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.InjectFault(Fault{Path: "action:create_server", Code: "placement_error", Message: "no capacity"})
	r := e.createServer("unlucky", nil)
	err := e.c.Action.WaitFor(e.ctx, r.Action)
	var ae hcloud.ActionError
	if !errors.As(err, &ae) || ae.Code != "placement_error" || ae.Message != "no capacity" {
		t.Fatalf("WaitFor = %v, want ActionError placement_error", err)
	}
	s, _, _ := e.c.Server.GetByID(e.ctx, r.Server.ID)
	// Its primary IPv4 was created with it and stays until it is deleted.
	if s.Status != hcloud.ServerStatusOff || s.PublicNet.IPv4.IsUnspecified() {
		t.Errorf("server = %s with IPv4 %v, want off, keeping its IPv4", s.Status, s.PublicNet.IPv4.IP)
	}
}

func TestAuthAllowList(t *testing.T) {
	good := strings.Repeat("g", 64)
	e := newEnv(t, Options{Tokens: []string{good}})

	_, resp, err := e.client(strings.Repeat("b", 64)).Server.List(e.ctx, hcloud.ServerListOpts{})
	he := apiErrorOf(t, err, hcloud.ErrorCodeUnauthorized)
	if resp.StatusCode != http.StatusUnauthorized || he.Message != "unable to authenticate" {
		t.Errorf("wrong token: %d %q", resp.StatusCode, he.Message)
	}
	if resp.Meta.Ratelimit.Limit != 3600 {
		t.Errorf("401 without RateLimit headers: %+v", resp.Meta.Ratelimit)
	}
	if _, _, err := e.client(good).Server.List(e.ctx, hcloud.ServerListOpts{}); err != nil {
		t.Errorf("allowed token refused: %v", err)
	}
	for _, tok := range []string{"", "   "} {
		raw, body := e.doToken("GET", "/v1/servers", nil, tok)
		if raw.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), `"unauthorized"`) {
			t.Errorf("token %q: %d %s", tok, raw.StatusCode, body)
		}
	}
	// Without an allow-list any non-empty token works, but none is required to be 64 long.
	open := newEnv(t, Options{})
	if resp, _ := open.doToken("GET", "/v1/servers", nil, "x"); resp.StatusCode != http.StatusOK {
		t.Errorf("open simulator refused a token: %d", resp.StatusCode)
	}
	if resp, _ := open.doToken("GET", "/v1/servers", nil, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("open simulator accepted a missing token: %d", resp.StatusCode)
	}
}

func TestRateLimitBucket(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{RateLimit: 3, Now: clock.Now})
	for i := range 3 {
		resp, _ := e.do("GET", "/v1/locations", nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("RateLimit-Remaining") != strconv.Itoa(2-i) {
			t.Fatalf("request %d: %d remaining %s", i+1, resp.StatusCode, resp.Header.Get("RateLimit-Remaining"))
		}
	}
	resp, body := e.do("GET", "/v1/locations", nil)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), "rate_limit_exceeded") {
		t.Fatalf("4th request: %d %s", resp.StatusCode, body)
	}
	if reset := resp.Header.Get("RateLimit-Reset"); reset != strconv.FormatInt(clock.Now().Unix()+3, 10) {
		t.Errorf("reset = %s, want now+3s", reset)
	}
	// Another token has its own bucket.
	if resp, _ := e.doToken("GET", "/v1/locations", nil, "other"); resp.StatusCode != http.StatusOK {
		t.Errorf("other token: %d", resp.StatusCode)
	}
	clock.Advance(time.Second)
	if resp, _ := e.do("GET", "/v1/locations", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("after refill: %d", resp.StatusCode)
	}

	// Negative disables limiting but keeps the headers.
	unlimited := newEnv(t, Options{RateLimit: -1, Now: clock.Now})
	for range 5 {
		resp, _ := unlimited.do("GET", "/v1/locations", nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("RateLimit-Limit") == "" {
			t.Fatalf("unlimited: %d, headers %v", resp.StatusCode, resp.Header)
		}
	}
}

func TestFaultAnswersBeforeStateChanges(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.InjectFault(Fault{Method: "POST", Path: "/v1/servers", Status: 503, Times: 1})
	_, _, err := e.c.Server.Create(e.ctx, hcloud.ServerCreateOpts{
		Name: "x", ServerType: &hcloud.ServerType{Name: "cx23"}, Image: &hcloud.Image{Name: "debian-12"},
	})
	apiError(t, err, "unavailable") // 503 is not retried by hcloud-go
	if len(e.sim.Servers()) != 0 {
		t.Fatal("faulted create left a server behind")
	}
	e.createServer("x", nil) // spent: the same call works now

	// Method and path must both match; a prefix fault covers sub-paths.
	e.sim.InjectFault(Fault{Method: "DELETE", Path: "/v1/servers*", Status: 500, Times: 2})
	if resp, _ := e.do("GET", "/v1/servers", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("GET hit a DELETE fault: %d", resp.StatusCode)
	}
	id := strconv.FormatInt(e.sim.Servers()[0].ID, 10)
	for range 2 {
		code, body := e.doJSON("DELETE", "/v1/servers/"+id, nil)
		if code != http.StatusInternalServerError || dig(body, "error", "code") != "server_error" {
			t.Errorf("faulted DELETE = %d %v", code, body)
		}
	}
	if code, _ := e.doJSON("DELETE", "/v1/servers/"+id, nil); code != http.StatusOK {
		t.Errorf("DELETE after the fault was spent = %d", code)
	}
}

func TestFaultMatching(t *testing.T) {
	tests := []struct {
		f            Fault
		method, path string
		want         bool
	}{
		{Fault{Path: "/v1/servers"}, "GET", "/v1/servers", true},
		{Fault{Path: "/v1/servers"}, "GET", "/v1/servers/1", false},
		{Fault{Path: "/v1/servers*"}, "GET", "/v1/servers/1/actions", true},
		{Fault{Path: "/v1/servers*"}, "GET", "/v1/ssh_keys", false},
		{Fault{Method: "post", Path: "/v1/servers"}, "POST", "/v1/servers", true},
		{Fault{Method: "POST", Path: "/v1/servers"}, "GET", "/v1/servers", false},
		{Fault{Path: "action:create_image"}, "POST", "action:create_image", false},
		{Fault{Path: "*"}, "GET", "/anything", true},
	}
	for _, tt := range tests {
		if got := tt.f.MatchesRequest(tt.method, tt.path); got != tt.want {
			t.Errorf("%+v matches %s %s = %v, want %v", tt.f, tt.method, tt.path, got, tt.want)
		}
	}
	if !(&Fault{Path: "action:*"}).MatchesAction("delete_server") || (&Fault{Path: "action:create_image"}).MatchesAction("delete_server") {
		t.Error("action fault matching is wrong")
	}
	n := Fault{Status: 429}.Normalize(hetzner.ErrorCodes)
	if n.Code != "rate_limit_exceeded" || n.Times != 1 || n.Message == "" {
		t.Errorf("normalize(429) = %+v", n)
	}
	if n := (Fault{Code: "locked"}).Normalize(hetzner.ErrorCodes); n.Status != http.StatusLocked {
		t.Errorf("normalize(locked) = %+v", n)
	}
}

func TestInjected429CarriesEmptyRemaining(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.InjectFault(Fault{Path: "/v1/locations", Status: 429})
	resp, body := e.do("GET", "/v1/locations", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("RateLimit-Remaining") != "0" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("injected 429: %d remaining %q type %q", resp.StatusCode, resp.Header.Get("RateLimit-Remaining"), resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(string(body), `"code":"rate_limit_exceeded"`) {
		t.Errorf("body = %s", body)
	}
}

func TestCreateServerValidation(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{ImageReadyDelay: time.Minute, Now: clock.Now})
	src := e.createServer("src", nil).Server
	creating, _, err := e.c.Server.CreateImage(e.ctx, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := func() map[string]any {
		return map[string]any{"name": "ok", "server_type": "cx23", "image": "ubuntu-24.04", "location": "fsn1"}
	}
	tests := []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"missing name", func(m map[string]any) { delete(m, "name") }, "name"},
		{"bad hostname", func(m map[string]any) { m["name"] = "no_underscores" }, "name"},
		{"name too long", func(m map[string]any) { m["name"] = strings.Repeat("a", 64) }, "name"},
		{"unknown server type", func(m map[string]any) { m["server_type"] = "cx999" }, "server_type"},
		{"unknown location", func(m map[string]any) { m["location"] = "mars1" }, "location"},
		{"type not in location", func(m map[string]any) { m["location"] = "ash" }, "location"},
		{"type retired in location", func(m map[string]any) { m["server_type"] = "cpx11" }, "location"},
		{"retired type", func(m map[string]any) { m["server_type"] = "cx22" }, "server_type"},
		{"retired type by id", func(m map[string]any) { m["server_type"] = 104 }, "server_type"},
		{"datacenter", func(m map[string]any) { m["datacenter"] = "fsn1-dc14" }, "datacenter"},
		{"only a datacenter", func(m map[string]any) { delete(m, "location"); m["datacenter"] = "fsn1-dc14" }, "datacenter"},
		{"unknown image", func(m map[string]any) { m["image"] = "windows-95" }, "image"},
		{"unknown image id", func(m map[string]any) { m["image"] = 987654321 }, "image"},
		{"arch mismatch", func(m map[string]any) { m["image"] = 102 }, "image"}, // 102 is ubuntu-22.04 arm
		{"snapshot still creating", func(m map[string]any) { m["image"] = creating.Image.ID }, "image"},
		{"bad label key", func(m map[string]any) { m["labels"] = map[string]string{"-x": "1"} }, "labels"},
		{"reserved label prefix", func(m map[string]any) { m["labels"] = map[string]string{"hetzner.cloud/x": "1"} }, "labels"},
		{"user_data too long", func(m map[string]any) { m["user_data"] = strings.Repeat("x", 32*1024+1) }, "user_data"},
		{"unknown ssh key id", func(m map[string]any) { m["ssh_keys"] = []any{424242} }, "ssh_keys"},
		{"unknown ssh key name", func(m map[string]any) { m["ssh_keys"] = []any{"nobody"} }, "ssh_keys"},
		{"unknown volume", func(m map[string]any) { m["volumes"] = []int{5} }, "volumes"},
		{"labels wrong type", func(m map[string]any) { m["labels"] = []string{"x"} }, "labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := base()
			tt.edit(body)
			code, resp := e.doJSON("POST", "/v1/servers", body)
			fields, _ := dig(resp, "error", "details", "fields").([]any)
			if code != http.StatusUnprocessableEntity || dig(resp, "error", "code") != "invalid_input" || len(fields) != 1 ||
				dig(fields[0], "name") != tt.field {
				t.Errorf("got %d %v, want 422 invalid_input naming %q", code, resp, tt.field)
			}
		})
	}
	if n := len(e.sim.Servers()); n != 1 {
		t.Errorf("%d servers after invalid creates, want 1", n)
	}

	// Through the SDK the details decode into ErrorDetailsInvalidInput.
	_, _, err = e.c.Server.Create(e.ctx, hcloud.ServerCreateOpts{
		Name: "ok", ServerType: &hcloud.ServerType{Name: "cx23"}, Image: &hcloud.Image{Name: "ubuntu-24.04"},
		Labels: map[string]string{"bad key": "x"},
	})
	if f := invalidField(t, err); f != "labels" {
		t.Errorf("SDK invalid field = %q", f)
	}

	// The API's own words for what it refuses most often.
	for _, tt := range []struct {
		edit func(m map[string]any)
		msg  string
	}{
		{func(m map[string]any) { m["server_type"] = "cx22" }, "server type 'cx22' not found"},
		{func(m map[string]any) { m["location"] = "ash" }, "unsupported location for server type"},
		{func(m map[string]any) { m["server_type"] = "cpx21"; m["location"] = "hel1" }, "unsupported location for server type"},
	} {
		body := base()
		tt.edit(body)
		if _, resp := e.doJSON("POST", "/v1/servers", body); dig(resp, "error", "message") != tt.msg {
			t.Errorf("%v: message %v, want %q", body, dig(resp, "error", "message"), tt.msg)
		}
	}

	// Malformed JSON is a json_error.
	code, resp := e.doJSON("POST", "/v1/servers", "{not json")
	if code != http.StatusUnprocessableEntity || dig(resp, "error", "code") != "json_error" {
		t.Errorf("malformed JSON: %d %v", code, resp)
	}

	// The user_data limit is inclusive.
	ok := base()
	ok["user_data"] = strings.Repeat("x", 32*1024)
	if code, resp := e.doJSON("POST", "/v1/servers", ok); code != http.StatusCreated {
		t.Errorf("32 KiB user_data refused: %d %v", code, resp)
	}
}

func TestCreateServerResolvesReferences(t *testing.T) {
	e := newEnv(t, Options{})
	e.createSSHKey("laptop")

	// Image by name follows the server type's architecture.
	arm, _, err := e.c.Server.Create(e.ctx, hcloud.ServerCreateOpts{
		Name: "arm", ServerType: &hcloud.ServerType{Name: "cax11"}, Image: &hcloud.Image{Name: "ubuntu-24.04"},
	})
	if err != nil {
		t.Fatal(err)
	}
	armImg, _, err := e.c.Image.GetForArchitecture(e.ctx, "ubuntu-24.04", hcloud.ArchitectureARM)
	if err != nil || armImg == nil {
		t.Fatal(err)
	}
	x86Img, _, _ := e.c.Image.GetForArchitecture(e.ctx, "ubuntu-24.04", hcloud.ArchitectureX86)
	if arm.Server.Image.ID != armImg.ID || armImg.ID == x86Img.ID {
		t.Errorf("arm server booted image %d; arm image %d, x86 image %d", arm.Server.Image.ID, armImg.ID, x86Img.ID)
	}
	if arm.Server.Location.Name != "fsn1" {
		t.Errorf("default location = %q, want fsn1", arm.Server.Location.Name)
	}

	// Location, server type and image by ID, ssh key by name. cpx11 (22)
	// is retired in the EU and Singapore but still sold in the US.
	code, resp := e.doJSON("POST", "/v1/servers", map[string]any{
		"name": "by-ids", "server_type": 22, "image": strconv.FormatInt(x86Img.ID, 10),
		"location": 4, "ssh_keys": []any{"laptop"},
	})
	if code != http.StatusCreated || dig(resp, "server", "location", "name") != "ash" ||
		dig(resp, "server", "server_type", "name") != "cpx11" || dig(resp, "root_password") != nil {
		t.Errorf("create by IDs: %d %v", code, resp)
	}
	// Without a location the API picks one where the type is sold.
	code, resp = e.doJSON("POST", "/v1/servers", map[string]any{"name": "anywhere", "server_type": "cpx21", "image": "debian-13"})
	if code != http.StatusCreated || dig(resp, "server", "location", "name") != "ash" {
		t.Errorf("create cpx21 without a location: %d %v", code, dig(resp, "server", "location"))
	}

	// A finished snapshot boots a new server.
	src := e.createServer("src", nil).Server
	snap, _, err := e.c.Server.CreateImage(e.ctx, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := e.c.Server.Create(e.ctx, hcloud.ServerCreateOpts{
		Name: "from-snap", ServerType: &hcloud.ServerType{Name: "cx33"}, Image: &hcloud.Image{ID: snap.Image.ID},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Server.Image.ID != snap.Image.ID || r.Server.Image.Type != hcloud.ImageTypeSnapshot {
		t.Errorf("server image = %+v", r.Server.Image)
	}
	for _, s := range e.sim.Servers() {
		if s.Name == "from-snap" && s.Image != strconv.FormatInt(snap.Image.ID, 10) {
			t.Errorf("Servers() image for snapshot boot = %q", s.Image)
		}
	}
}

func TestUpdateServer(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.createServer("a", map[string]string{"x": "1"}).Server
	e.createServer("b", nil)

	s, _, err := e.c.Server.Update(e.ctx, a, hcloud.ServerUpdateOpts{Name: "a2", Labels: map[string]string{"y": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "a2" || len(s.Labels) != 1 || s.Labels["y"] != "2" {
		t.Errorf("updated = %s %v", s.Name, s.Labels)
	}
	_, _, err = e.c.Server.Update(e.ctx, a, hcloud.ServerUpdateOpts{Name: "b"})
	apiError(t, err, hcloud.ErrorCodeUniquenessError)
	_, _, err = e.c.Server.Update(e.ctx, a, hcloud.ServerUpdateOpts{Name: "a3", Labels: map[string]string{"!": ""}})
	if invalidField(t, err) != "labels" {
		t.Error("wrong field")
	}
	if got, _, _ := e.c.Server.GetByID(e.ctx, a.ID); got.Name != "a2" {
		t.Errorf("a refused update changed the name to %q", got.Name)
	}
	// Renaming to its own name is not a conflict.
	if _, _, err := e.c.Server.Update(e.ctx, a, hcloud.ServerUpdateOpts{Name: "a2"}); err != nil {
		t.Error(err)
	}
}

func TestDeleteServerKeepsActions(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.createServer("gone", nil)
	res, resp, err := e.c.Server.DeleteWithResult(e.ctx, r.Server)
	if err != nil || resp.StatusCode != http.StatusOK || res.Action.Command != "delete_server" {
		t.Fatalf("delete = %+v, %v, %v", res, resp, err)
	}
	if s, _, err := e.c.Server.GetByID(e.ctx, r.Server.ID); s != nil || err != nil {
		t.Errorf("GetByID after delete = %v, %v; want nil, nil", s, err)
	}
	if all, _ := e.c.Server.All(e.ctx); len(all) != 0 {
		t.Errorf("list after delete has %d servers", len(all))
	}
	if err := e.c.Action.WaitFor(e.ctx, res.Action); err != nil {
		t.Errorf("WaitFor(delete_server): %v", err)
	}
	for _, path := range []string{
		fmt.Sprintf("/v1/actions/%d", r.Action.ID),
		fmt.Sprintf("/v1/servers/actions/%d", res.Action.ID),
	} {
		if code, body := e.doJSON("GET", path, nil); code != http.StatusOK || dig(body, "action", "status") != "success" {
			t.Errorf("GET %s after delete: %d %v", path, code, body)
		}
	}
	if code, _ := e.doJSON("GET", fmt.Sprintf("/v1/servers/%d/actions", r.Server.ID), nil); code != http.StatusNotFound {
		t.Errorf("actions of a deleted server: %d, want 404", code)
	}
}

func TestSnapshotLocksServer(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{ImageReadyDelay: time.Minute, Now: clock.Now})
	srv := e.createServer("busy", nil).Server
	res, _, err := e.c.Server.CreateImage(e.ctx, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, _, _ := e.c.Server.GetByID(e.ctx, srv.ID); !s.Locked {
		t.Error("server not shown as locked during create_image")
	}
	_, _, err = e.c.Server.CreateImage(e.ctx, srv, nil)
	apiError(t, err, hcloud.ErrorCodeLocked)
	_, _, err = e.c.Server.Poweroff(e.ctx, srv)
	apiError(t, err, hcloud.ErrorCodeLocked)
	_, _, err = e.c.Server.DeleteWithResult(e.ctx, srv)
	apiError(t, err, hcloud.ErrorCodeLocked)
	_, err = e.c.Image.Delete(e.ctx, res.Image)
	apiError(t, err, hcloud.ErrorCodeLocked)
	// Reads and label updates still work.
	if _, _, err := e.c.Server.Update(e.ctx, srv, hcloud.ServerUpdateOpts{Labels: map[string]string{"a": "b"}}); err != nil {
		t.Errorf("update during snapshot: %v", err)
	}

	clock.Advance(time.Minute)
	if s, _, _ := e.c.Server.GetByID(e.ctx, srv.ID); s.Locked {
		t.Error("server still locked after create_image finished")
	}
	if _, _, err := e.c.Server.DeleteWithResult(e.ctx, srv); err != nil {
		t.Errorf("delete after snapshot: %v", err)
	}
	// The snapshot outlives its server.
	img, _, _ := e.c.Image.GetByID(e.ctx, res.Image.ID)
	if img == nil || img.Status != hcloud.ImageStatusAvailable || img.CreatedFrom.ID != srv.ID {
		t.Errorf("snapshot after server delete = %+v", img)
	}
}

func TestPowerActions(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{ActionDelay: 5 * time.Second, Now: clock.Now})
	srv := e.createServer("pwr", nil).Server
	a, _, err := e.c.Server.Shutdown(e.ctx, srv)
	if err != nil {
		t.Fatal(err)
	}
	if s, _, _ := e.c.Server.GetByID(e.ctx, srv.ID); s.Status != hcloud.ServerStatusStopping {
		t.Errorf("during shutdown: %s", s.Status)
	}
	_, _, err = e.c.Server.Reboot(e.ctx, srv)
	apiError(t, err, hcloud.ErrorCodeLocked)
	clock.Advance(5 * time.Second)
	if s, _, _ := e.c.Server.GetByID(e.ctx, srv.ID); s.Status != hcloud.ServerStatusOff {
		t.Errorf("after shutdown: %s", s.Status)
	}
	if got, _, _ := e.c.Action.GetByID(e.ctx, a.ID); got.Command != "shutdown_server" || got.Status != hcloud.ActionStatusSuccess {
		t.Errorf("shutdown action = %s %s", got.Command, got.Status)
	}
	actions, err := e.c.Server.Action.All(e.ctx, hcloud.ActionListOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) != 3 { // create_server, start_server, shutdown_server
		t.Errorf("/servers/actions lists %d actions, want 3", len(actions))
	}
}

func TestActionEndpoints(t *testing.T) {
	e := newEnv(t, Options{})
	r1 := e.createServer("one", nil)
	r2 := e.createServer("two", nil)

	code, body := e.doJSON("GET", "/v1/actions", nil)
	if code != http.StatusBadRequest || dig(body, "error", "code") != "invalid_input" {
		t.Errorf("GET /v1/actions without id: %d %v", code, body)
	}
	code, body = e.doJSON("GET", fmt.Sprintf("/v1/actions?id=%d&id=424242&id=%d", r1.Action.ID, r2.Action.ID), nil)
	actions, _ := body["actions"].([]any)
	if code != http.StatusOK || len(actions) != 2 {
		t.Errorf("GET /v1/actions?id=..: %d %v", code, body)
	}
	if code, _ := e.doJSON("GET", "/v1/actions?id=abc", nil); code != http.StatusBadRequest {
		t.Errorf("non-numeric id: %d", code)
	}

	list, _, err := e.c.Server.Action.List(e.ctx, hcloud.ActionListOpts{})
	if err != nil || len(list) != 4 {
		t.Errorf("server actions = %d, %v; want 4", len(list), err)
	}
	own := fmt.Sprintf("/v1/servers/%d/actions", r1.Server.ID)
	code, body = e.doJSON("GET", own+"?sort=command:desc", nil)
	actions, _ = body["actions"].([]any)
	if code != http.StatusOK || len(actions) != 2 || dig(actions[0], "command") != "start_server" {
		t.Errorf("GET %s: %d %v", own, code, body)
	}
	if code, _ := e.doJSON("GET", fmt.Sprintf("%s/%d", own, r1.Action.ID), nil); code != http.StatusOK {
		t.Errorf("own action: %d", code)
	}
	if code, _ := e.doJSON("GET", fmt.Sprintf("%s/%d", own, r2.Action.ID), nil); code != http.StatusNotFound {
		t.Errorf("another server's action under this server: %d, want 404", code)
	}
	if code, _ := e.doJSON("GET", fmt.Sprintf("/v1/images/actions/%d", r1.Action.ID), nil); code != http.StatusNotFound {
		t.Errorf("server action under /images/actions: %d, want 404", code)
	}
	if code, _ := e.doJSON("GET", "/v1/actions?id=1&sort=bogus", nil); code != http.StatusBadRequest {
		t.Errorf("bad sort: %d", code)
	}
	if code, _ := e.doJSON("GET", "/v1/actions?id=1&status=done", nil); code != http.StatusBadRequest {
		t.Errorf("bad status filter: %d", code)
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t, Options{})
	for i := range 60 {
		code, _ := e.doJSON("POST", "/v1/servers", map[string]any{
			"name": fmt.Sprintf("p%02d", i), "server_type": "cx23", "image": "debian-12",
		})
		if code != http.StatusCreated {
			t.Fatalf("create %d: %d", i, code)
		}
	}
	type page struct {
		Servers []struct {
			Name string `json:"name"`
		} `json:"servers"`
		Meta struct {
			Pagination map[string]any `json:"pagination"`
		} `json:"meta"`
	}
	get := func(query string) (int, page) {
		resp, raw := e.do("GET", "/v1/servers"+query, nil)
		var p page
		_ = json.Unmarshal(raw, &p)
		return resp.StatusCode, p
	}
	num := func(v any) any {
		if f, ok := v.(float64); ok {
			return int(f)
		}
		return v
	}
	tests := []struct {
		query                                  string
		items                                  int
		first                                  string
		page, perPage, prev, next, last, total any
	}{
		{"", 25, "p00", 1, 25, nil, 2, 3, 60},
		{"?page=3", 10, "p50", 3, 25, 2, nil, 3, 60},
		{"?per_page=100", 50, "p00", 1, 50, nil, 2, 2, 60},
		{"?page=2&per_page=50", 10, "p50", 2, 50, 1, nil, 2, 60},
		{"?page=9", 0, "", 9, 25, 8, nil, 3, 60},
		{"?name=p07", 1, "p07", 1, 25, nil, nil, 1, 1},
		{"?name=none", 0, "", 1, 25, nil, nil, 1, 0},
		{"?sort=name:desc&per_page=2", 2, "p59", 1, 2, nil, 2, 30, 60},
	}
	for _, tt := range tests {
		code, p := get(tt.query)
		pg := p.Meta.Pagination
		if code != http.StatusOK || len(p.Servers) != tt.items {
			t.Errorf("%q: %d with %d items, want 200 with %d", tt.query, code, len(p.Servers), tt.items)
			continue
		}
		if tt.items > 0 && p.Servers[0].Name != tt.first {
			t.Errorf("%q: first item %q, want %q", tt.query, p.Servers[0].Name, tt.first)
		}
		got := []any{num(pg["page"]), num(pg["per_page"]), num(pg["previous_page"]), num(pg["next_page"]), num(pg["last_page"]), num(pg["total_entries"])}
		want := []any{tt.page, tt.perPage, tt.prev, tt.next, tt.last, tt.total}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: pagination %v, want %v (page, per_page, prev, next, last, total)", tt.query, got, want)
		}
	}
	for _, q := range []string{"?page=0", "?page=abc", "?per_page=0", "?per_page=-5", "?sort=nope", "?status=asleep", "?label_selector=a%20b"} {
		if code, _ := get(q); code != http.StatusBadRequest {
			t.Errorf("%q: %d, want 400", q, code)
		}
	}
}

func TestImageListFilters(t *testing.T) {
	e := newEnv(t, Options{})
	count := func(query string) int {
		t.Helper()
		code, body := e.doJSON("GET", "/v1/images"+query, nil)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %v", query, code, body)
		}
		return len(body["images"].([]any))
	}
	tests := map[string]int{
		"?type=system":                                               10, // debian-11 is deprecated
		"?type=system&include_deprecated=true":                       12,
		"?type=system&architecture=arm":                              5,
		"?name=debian-11&include_deprecated=true":                    2,
		"?name=ubuntu-24.04&architecture=x86":                        1,
		"?name=ubuntu-26.04":                                         2,
		"?type=snapshot":                                             0,
		"?type=snapshot&type=system&status=available":                10,
		"?status=creating":                                           0,
		"?bound_to=5":                                                0,
		"?architecture=x86&architecture=arm&type=system&per_page=50": 10,
	}
	for q, want := range tests {
		if got := count(q); got != want {
			t.Errorf("%s: %d images, want %d", q, got, want)
		}
	}
	for _, q := range []string{"?type=iso", "?architecture=sparc", "?include_deprecated=maybe", "?status=gone"} {
		if code, _ := e.doJSON("GET", "/v1/images"+q, nil); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, code)
		}
	}
	// The image hcloud-go resolves by name for x86 is the seeded x86 one.
	img, _, err := e.c.Image.GetForArchitecture(e.ctx, "debian-11", hcloud.ArchitectureX86)
	if err != nil || img == nil || !img.IsDeprecated() || img.Architecture != hcloud.ArchitectureX86 {
		t.Errorf("debian-11 x86 = %+v, %v", img, err)
	}
}

func TestImageUpdateAndDelete(t *testing.T) {
	e := newEnv(t, Options{})
	srv := e.createServer("src", nil).Server
	res, _, err := e.c.Server.CreateImage(e.ctx, srv, &hcloud.ServerCreateImageOpts{Type: hcloud.ImageTypeSnapshot})
	if err != nil {
		t.Fatal(err)
	}
	if res.Image.Description == "" {
		t.Error("a snapshot without description got no generated one")
	}
	img, _, err := e.c.Image.Update(e.ctx, res.Image, hcloud.ImageUpdateOpts{Description: hcloud.Ptr("d2"), Labels: map[string]string{"k": "v"}})
	if err != nil || img.Description != "d2" || img.Labels["k"] != "v" {
		t.Errorf("update = %+v, %v", img, err)
	}
	_, _, err = e.c.Image.Update(e.ctx, res.Image, hcloud.ImageUpdateOpts{Labels: map[string]string{"k": "bad value"}})
	if invalidField(t, err) != "labels" {
		t.Error("wrong field")
	}
	got := e.sim.Images()
	if len(got) != 1 || got[0].Description != "d2" || got[0].CreatedFrom != srv.ID || got[0].Type != "snapshot" {
		t.Errorf("Images() = %+v", got)
	}

	system, _, _ := e.c.Image.GetForArchitecture(e.ctx, "ubuntu-24.04", hcloud.ArchitectureX86)
	_, err = e.c.Image.Delete(e.ctx, system)
	apiError(t, err, hcloud.ErrorCodeForbidden)
	if _, err := e.c.Image.Delete(e.ctx, img); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.Image.Delete(e.ctx, img)
	apiError(t, err, hcloud.ErrorCodeNotFound)
	if len(e.sim.Images()) != 0 {
		t.Error("Images() still lists the deleted snapshot")
	}
}

func TestSSHKeys(t *testing.T) {
	e := newEnv(t, Options{})
	k := e.createSSHKey("laptop")
	if k.Fingerprint == "" || strings.Count(k.Fingerprint, ":") != 15 {
		t.Errorf("fingerprint = %q", k.Fingerprint)
	}

	// Duplicate name, duplicate key, broken key.
	_, _, err := e.c.SSHKey.Create(e.ctx, hcloud.SSHKeyCreateOpts{Name: "laptop", PublicKey: k.PublicKey})
	apiError(t, err, hcloud.ErrorCodeUniquenessError)
	_, _, err = e.c.SSHKey.Create(e.ctx, hcloud.SSHKeyCreateOpts{Name: "other", PublicKey: k.PublicKey})
	apiError(t, err, hcloud.ErrorCodeUniquenessError)
	for _, bad := range []string{"ssh-ed25519", "ssh-ed25519 !!!", "ssh-foo AAAA", "ssh-rsa " + strings.Fields(k.PublicKey)[1]} {
		_, _, err = e.c.SSHKey.Create(e.ctx, hcloud.SSHKeyCreateOpts{Name: "bad", PublicKey: bad})
		if invalidField(t, err) != "public_key" {
			t.Errorf("key %q: wrong field", bad)
		}
	}

	k2 := e.createSSHKey("desktop")
	if _, _, err := e.c.SSHKey.Update(e.ctx, k2, hcloud.SSHKeyUpdateOpts{Labels: map[string]string{"spuff": "1"}}); err != nil {
		t.Fatal(err)
	}
	byName, _, err := e.c.SSHKey.GetByName(e.ctx, "desktop")
	if err != nil || byName == nil || byName.ID != k2.ID {
		t.Errorf("GetByName = %v, %v", byName, err)
	}
	sel, err := e.c.SSHKey.AllWithOpts(e.ctx, hcloud.SSHKeyListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "spuff=1"}})
	if err != nil || len(sel) != 1 || sel[0].ID != k2.ID {
		t.Errorf("label_selector = %v, %v", sel, err)
	}
	all, err := e.c.SSHKey.All(e.ctx)
	if err != nil || len(all) != 2 {
		t.Errorf("All = %d, %v", len(all), err)
	}

	resp, err := e.c.SSHKey.Delete(e.ctx, k)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Errorf("Delete = %v, %v", resp, err)
	}
	if got, _, err := e.c.SSHKey.GetByID(e.ctx, k.ID); got != nil || err != nil {
		t.Errorf("GetByID after delete = %v, %v", got, err)
	}
}

func TestCatalog(t *testing.T) {
	e := newEnv(t, Options{})
	locs, err := e.c.Location.All(e.ctx)
	if err != nil || len(locs) != 6 {
		t.Fatalf("locations = %d, %v", len(locs), err)
	}
	// 20 current types and the five first-generation CPX still sold in the
	// US; the CX second generation is gone.
	types, err := e.c.ServerType.All(e.ctx)
	if err != nil || len(types) != 25 {
		t.Fatalf("server types = %d, %v", len(types), err)
	}
	for i, st := range types {
		if i > 0 && st.ID <= types[i-1].ID {
			t.Errorf("server types not in ID order: %d after %d", st.ID, types[i-1].ID)
		}
		if strings.HasPrefix(st.Name, "cx") && strings.HasSuffix(st.Name, "2") {
			t.Errorf("retired %s listed", st.Name)
		}
	}
	l, _, err := e.c.Location.GetByName(e.ctx, "hel1")
	if err != nil || l == nil || l.Country != "FI" || l.NetworkZone != "eu-central" {
		t.Errorf("hel1 = %+v, %v", l, err)
	}
	st, _, err := e.c.ServerType.GetByName(e.ctx, "cax21")
	if err != nil || st == nil || st.Architecture != hcloud.ArchitectureARM || st.Cores != 4 || len(st.Locations) != 3 {
		t.Errorf("cax21 = %+v, %v", st, err)
	}
	byID, _, err := e.c.ServerType.GetByID(e.ctx, st.ID)
	if err != nil || byID == nil || byID.Name != "cax21" {
		t.Errorf("GetByID(%d) = %+v, %v", st.ID, byID, err)
	}
	if got, _, err := e.c.Location.GetByID(e.ctx, 999); got != nil || err != nil {
		t.Errorf("unknown location = %v, %v", got, err)
	}
}

func TestRoutingErrors(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/v1/nothing", 404, "not_found"},
		{"GET", "/v1/servers/abc", 404, "not_found"},
		{"GET", "/v1/servers/-1", 404, "not_found"},
		{"PATCH", "/v1/servers", 405, "method_not_allowed"},
		{"DELETE", "/v1/locations/1", 405, "method_not_allowed"},
		{"GET", "/v1/servers/1/actions/create_image", 405, "method_not_allowed"}, // only POST has this path
		{"POST", "/v1/servers/100/actions/create_image", 404, "not_found"},
		{"GET", "/elsewhere", 404, "not_found"},
	}
	for _, tt := range tests {
		resp, raw := e.do(tt.method, tt.path, nil)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		if resp.StatusCode != tt.status || dig(body, "error", "code") != tt.code || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d %s (%s), want %d %s", tt.method, tt.path, resp.StatusCode, raw, resp.Header.Get("Content-Type"), tt.status, tt.code)
		}
	}
}

func TestSecretsAreNotEchoed(t *testing.T) {
	e := newEnv(t, Options{})
	const secret = "very-secret-user-data"
	code, body := e.doJSON("POST", "/v1/servers", map[string]any{
		"name": "s", "server_type": "cx23", "image": "debian-12", "user_data": secret,
	})
	if code != http.StatusCreated {
		t.Fatal(code, body)
	}
	for _, path := range []string{"/v1/servers", "/v1/servers/" + strconv.FormatInt(e.sim.Servers()[0].ID, 10), "/_sim/state", "/_sim/state?secrets=0", "/_sim/requests"} {
		resp, raw := e.do("GET", path, nil)
		all := string(raw) + fmt.Sprint(resp.Header)
		if strings.Contains(all, secret) || strings.Contains(all, testToken) {
			t.Errorf("%s echoes user_data or the token", path)
		}
	}
}

func TestSnapshotsAreCopies(t *testing.T) {
	e := newEnv(t, Options{})
	e.createServer("c", map[string]string{"k": "v"})
	got := e.sim.Servers()
	got[0].Labels["k"] = "changed"
	if e.sim.Servers()[0].Labels["k"] != "v" {
		t.Error("Servers() exposes the world's label map")
	}
	if counts := e.sim.RequestCounts(); counts["POST /v1/servers"] != 1 {
		t.Errorf("counts = %v", counts)
	}
}

func TestAdminAPI(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, Options{Now: clock.Now})

	code, cfg := e.doJSON("POST", "/_sim/config", map[string]string{"server_ready_delay": "30s", "image_ready_delay": "1m"})
	if code != http.StatusOK || cfg["server_ready_delay"] != "30s" || cfg["image_ready_delay"] != "1m0s" || cfg["action_delay"] != "0s" {
		t.Fatalf("POST config: %d %v", code, cfg)
	}
	if code, body := e.doJSON("POST", "/_sim/config", map[string]string{"server_ready_delay": "1s", "action_delay": "soon"}); code != http.StatusBadRequest || body["error"] == nil {
		t.Errorf("bad duration: %d %v", code, body)
	}
	if code, body := e.doJSON("POST", "/_sim/config", map[string]string{"bogus": "1s"}); code != http.StatusBadRequest {
		t.Errorf("unknown key: %d %v", code, body)
	}
	if _, cfg := e.doJSON("GET", "/_sim/config", nil); cfg["server_ready_delay"] != "30s" || cfg["rate_limit"] != float64(3600) {
		t.Errorf("GET config after a refused change: %v", cfg)
	}

	e.createServer("adm", nil)
	_, state := e.doJSON("GET", "/_sim/state", nil)
	servers, _ := state["servers"].([]any)
	if len(servers) != 1 || dig(servers[0], "status") != "initializing" || dig(servers[0], "name") != "adm" {
		t.Fatalf("state = %v", state)
	}
	if code, now := e.doJSON("POST", "/_sim/clock", map[string]string{"advance": "30s"}); code != http.StatusOK || now["now"] == nil {
		t.Errorf("clock: %d %v", code, now)
	}
	_, state = e.doJSON("GET", "/_sim/state", nil)
	servers, _ = state["servers"].([]any)
	if dig(servers[0], "status") != "running" || dig(servers[0], "ipv4") != "198.18.0.1" {
		t.Errorf("state after advancing the clock = %v", servers[0])
	}

	code, f := e.doJSON("POST", "/_sim/faults", map[string]any{"method": "GET", "path": "/v1/servers", "status": 502, "times": 1})
	if code != http.StatusCreated || f["code"] != "bad_gateway" {
		t.Errorf("POST faults: %d %v", code, f)
	}
	if _, list := e.doJSON("GET", "/_sim/faults", nil); len(list["faults"].([]any)) != 1 {
		t.Errorf("GET faults = %v", list)
	}
	if code, _ := e.doJSON("GET", "/v1/servers", nil); code != http.StatusBadGateway {
		t.Errorf("faulted GET: %d", code)
	}
	if code, _ := e.doJSON("GET", "/v1/servers", nil); code != http.StatusOK {
		t.Errorf("GET after the fault: %d", code)
	}
	if code, _ := e.doJSON("POST", "/_sim/faults", map[string]any{"status": 500}); code != http.StatusBadRequest {
		t.Errorf("fault without path: %d", code)
	}
	e.doJSON("POST", "/_sim/faults", map[string]any{"path": "*"})
	if code, _ := e.doJSON("DELETE", "/_sim/faults", nil); code != http.StatusOK {
		t.Errorf("DELETE faults: %d", code)
	}
	if code, _ := e.doJSON("GET", "/v1/locations", nil); code != http.StatusOK {
		t.Errorf("cleared fault still fires: %d", code)
	}

	_, counts := e.doJSON("GET", "/_sim/requests", nil)
	if counts["GET /v1/servers"] != float64(2) || counts["POST /v1/servers"] != float64(1) {
		t.Errorf("requests = %v", counts)
	}

	if code, _ := e.doJSON("POST", "/_sim/reset", nil); code != http.StatusOK {
		t.Errorf("reset: %d", code)
	}
	_, state = e.doJSON("GET", "/_sim/state", nil)
	if len(state["servers"].([]any)) != 0 || len(state["images"].([]any)) != 0 {
		t.Errorf("state after reset = %v", state)
	}
	if _, counts := e.doJSON("GET", "/_sim/requests", nil); len(counts) != 0 {
		t.Errorf("requests after reset = %v", counts)
	}
	// Seeds survive a reset and IDs start over.
	r := e.createServer("again", nil)
	if r.Server.ID != firstID+1 {
		t.Errorf("first ID after reset = %d, want %d", r.Server.ID, firstID+1)
	}
	if code, _ := e.doJSON("GET", "/_sim/nothing", nil); code != http.StatusNotFound {
		t.Errorf("unknown admin route: %d", code)
	}
	if code, _ := e.doJSON("PUT", "/_sim/reset", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("wrong admin method: %d", code)
	}
}

func TestActionFaultViaAdmin(t *testing.T) {
	e := newEnv(t, Options{})
	srv := e.createServer("s", nil).Server
	if code, _ := e.doJSON("POST", "/_sim/faults", map[string]any{"path": "action:delete_server"}); code != http.StatusCreated {
		t.Fatal(code)
	}
	res, _, err := e.c.Server.DeleteWithResult(e.ctx, srv)
	if err != nil {
		t.Fatal(err)
	}
	err = e.c.Action.WaitFor(e.ctx, res.Action)
	var ae hcloud.ActionError
	if !errors.As(err, &ae) || ae.Code != "action_failed" || ae.Message != "Action failed" {
		t.Errorf("WaitFor = %v", err)
	}
}
