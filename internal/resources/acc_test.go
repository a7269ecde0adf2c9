package resources

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/spuff/terraform-provider-spuff/internal/clouds/hetzner"
	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

// accToken is 64 characters, the length real Hetzner tokens have.
var accToken = strings.Repeat("acc0", 16)

// accCloud describes how the acceptance tests run against one cloud: its
// name in the provider block, valid inputs, and how to start and inspect a
// simulated account. Every test loops over accClouds, so a cloud added to
// the registry (and the simulator) joins the suite by adding an entry here.
type accCloud struct {
	// cloud is the plug-in under test.
	cloud  framework.Cloud
	name   string
	region string
	// size and otherSize share an architecture; otherSize has the bigger
	// disk. armSize is of another architecture.
	size      string
	otherSize string
	armSize   string
	// badRegion is a region the cloud does not have.
	badRegion string
	// retiredSize can no longer be ordered in region but still can in
	// farRegion; goneSize is of a generation the cloud no longer knows.
	// farRegion does not offer armSize.
	retiredSize string
	goneSize    string
	farRegion   string
	// start runs a simulated account for one test.
	start func(t *testing.T, opts sim.Options) *accWorld
}

var accClouds = []accCloud{
	{
		cloud:     hetzner.Cloud,
		name:      "hetzner",
		region:    "fsn1",
		size:      "cx23",
		otherSize: "cx33",
		armSize:   "cax11",
		badRegion: "mars1",
		// Hetzner stopped selling the CPX11 generation in the EU on
		// 2025-12-31 (the US keeps it), retired CX22 everywhere, and sells
		// its arm types in the EU only.
		retiredSize: "cpx11",
		goneSize:    "cx22",
		farRegion:   "ash",
		start:       startHetznerSim,
	},
}

// accWorld is one simulated cloud account.
type accWorld struct {
	cloud    accCloud
	sim      *sim.Sim
	endpoint string
	token    string
}

func startHetznerSim(t *testing.T, opts sim.Options) *accWorld {
	t.Helper()
	s := sim.New(opts)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &accWorld{sim: s, endpoint: srv.URL + "/v1", token: accToken}
}

// forEachCloud runs fn as a subtest per cloud.
func forEachCloud(t *testing.T, fn func(t *testing.T, c accCloud)) {
	for _, c := range accClouds {
		t.Run(c.name, func(t *testing.T) { fn(t, c) })
	}
}

func (c accCloud) world(t *testing.T, opts sim.Options) *accWorld {
	w := c.start(t, opts)
	w.cloud = c
	return w
}

// provider renders the provider block for this world.
func (w *accWorld) provider() string {
	return fmt.Sprintf(`
provider "spuff" {
  cloud    = %q
  token    = %q
  endpoint = %q
}
`, w.cloud.name, w.token, w.endpoint)
}

// servers returns the world's machines by ID.
func (w *accWorld) servers() map[string]sim.Server {
	out := map[string]sim.Server{}
	for _, s := range w.sim.Servers() {
		out[fmt.Sprint(s.ID)] = s
	}
	return out
}

// checkDestroyed asks the simulator that no machine or snapshot of the
// state is left, and that nothing managed by spuff is left at all.
func (w *accWorld) checkDestroyed(state *terraform.State) error {
	servers := w.servers()
	images := map[string]bool{}
	for _, img := range w.sim.Images() {
		images[fmt.Sprint(img.ID)] = true
		if framework.IsManaged(img.Labels) {
			return fmt.Errorf("snapshot %d (%s) is still in the cloud", img.ID, img.Description)
		}
	}
	for _, rs := range state.RootModule().Resources {
		switch rs.Type {
		case "spuff_instance":
			if _, ok := servers[rs.Primary.ID]; ok {
				return fmt.Errorf("instance %s is still in the cloud", rs.Primary.ID)
			}
		case "spuff_snapshot":
			if images[rs.Primary.ID] {
				return fmt.Errorf("snapshot %s is still in the cloud", rs.Primary.ID)
			}
		}
	}
	for _, s := range servers {
		if framework.IsManaged(s.Labels) {
			return fmt.Errorf("managed instance %d (%s) is still in the cloud", s.ID, s.Name)
		}
	}
	return nil
}

// createManaged creates a machine labelled managed-by=spuff through the
// cloud API, as another spuff configuration would have, and returns its ID.
func (w *accWorld) createManaged(t *testing.T, name, userData string, labels map[string]string) string {
	t.Helper()
	labels = framework.ManagedLabels(labels)
	var out struct {
		Server struct {
			ID int64 `json:"id"`
		} `json:"server"`
	}
	w.cloudAPIResult(t, http.MethodPost, "/servers", map[string]any{
		"name": name, "server_type": w.cloud.size, "location": w.cloud.region, "image": "ubuntu-24.04",
		"labels": labels, "user_data": userData,
	}, http.StatusCreated, &out)
	return fmt.Sprint(out.Server.ID)
}

// cloudAPI makes one call to the cloud's API with the account's token, as
// another tool or a person at the console would, and fails the test unless
// the answer has status want.
func (w *accWorld) cloudAPI(t *testing.T, method, path string, body any, want int) {
	t.Helper()
	w.cloudAPIResult(t, method, path, body, want, nil)
}

// cloudAPIResult is cloudAPI that decodes the answer into result, if set.
func (w *accWorld) cloudAPIResult(t *testing.T, method, path string, body any, want int, result any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.endpoint+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+w.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: HTTP %d, want %d", method, path, resp.StatusCode, want)
	}
	if result != nil {
		if err := json.NewDecoder(resp.Body).Decode(result); err != nil {
			t.Fatalf("%s %s: decoding the answer: %v", method, path, err)
		}
	}
}

// deleteOutOfBand deletes a server through the cloud API.
func (w *accWorld) deleteOutOfBand(t *testing.T, id string) {
	t.Helper()
	w.cloudAPI(t, http.MethodDelete, "/servers/"+id, nil, http.StatusOK)
}

// createUnmanaged creates a server without the managed-by label, as
// another tool sharing the account would.
func (w *accWorld) createUnmanaged(t *testing.T, name string) {
	t.Helper()
	w.cloudAPI(t, http.MethodPost, "/servers", map[string]any{
		"name": name, "server_type": w.cloud.size, "location": w.cloud.region, "image": "ubuntu-24.04",
		"labels": map[string]string{"team": "acc"},
	}, http.StatusCreated)
}

// protoV6 serves the provider in-process with the given registry.
func protoV6(registry *framework.Registry) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"spuff": providerserver.NewProtocol6WithError(New("test", registry)()),
	}
}

// accRegistry is every cloud of the suite, plus a planned one, as main
// composes them.
func accRegistry() *framework.Registry {
	r := framework.NewRegistry(framework.Planned("digitalocean", "DigitalOcean", "do"))
	for _, c := range accClouds {
		r.Register(c.cloud)
	}
	return r
}

// withCloud is accRegistry with cloud c's plug-in wrapped by wrap, to take
// capabilities away in a test.
func withCloud(c accCloud, wrap func(framework.Provider) framework.Provider) *framework.Registry {
	r := accRegistry()
	inner := c.cloud.New
	wrapped := c.cloud
	wrapped.New = func(cfg framework.Config) (framework.Provider, error) {
		p, err := inner(cfg)
		if err != nil {
			return nil, err
		}
		return wrap(p), nil
	}
	r.Register(wrapped)
	return r
}

var accProviders = protoV6(accRegistry())

// accPreCheck skips acceptance tests unless TF_ACC is set, as
// terraform-plugin-testing does, with a hint on how to run them.
func accPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: run with `make testacc` (TF_ACC=1); it needs only the terraform CLI, no credentials")
	}
}

// setLabels replaces a server's labels, as someone editing them in the
// cloud console would.
func (w *accWorld) setLabels(t *testing.T, id string, labels map[string]string) {
	t.Helper()
	w.cloudAPI(t, http.MethodPut, "/servers/"+id, map[string]any{"labels": labels}, http.StatusOK)
}

// createSSHKey adds an SSH key to the account, as a user would in the
// console.
func (w *accWorld) createSSHKey(t *testing.T, name, publicKey string) {
	t.Helper()
	w.cloudAPI(t, http.MethodPost, "/ssh_keys", map[string]any{"name": name, "public_key": publicKey}, http.StatusCreated)
}

// serverID returns the ID of the world's server with that name.
func (w *accWorld) serverID(t *testing.T, name string) string {
	t.Helper()
	for id, s := range w.servers() {
		if s.Name == name {
			return id
		}
	}
	t.Fatalf("no server named %s", name)
	return ""
}
