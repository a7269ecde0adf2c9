// Package testcloud holds one fixture per cloud for the acceptance and
// end-to-end tests: the plug-in, values its API accepts, and how to start a
// simulated account of it. Out-of-band changes (delete, relabel, unmanage,
// create) go through the simulator's cloud-neutral API, never through one
// cloud's wire format, so every suite loops over All unchanged.
package testcloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/clouds/digitalocean"
	"github.com/spuff/terraform-provider-spuff/internal/clouds/hetzner"
	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

// Fixture is one cloud as the tests use it.
type Fixture struct {
	// Cloud is the plug-in under test.
	Cloud framework.Cloud
	// Token has the shape the cloud's tokens have (Hetzner's are 64
	// characters; terraform-provider-hcloud checks).
	Token string
	// Region, Size and OtherSize are valid; OtherSize shares Size's
	// architecture and has the bigger disk. ArmSize is of another
	// architecture ("" where the cloud sells one). Image is a system image
	// name for out-of-band machines.
	Region, Size, OtherSize, ArmSize, Image string
	// BadRegion does not exist; GoneSize is of a generation the cloud no
	// longer knows. RetiredSize is past its end of sale in Region but still
	// sold in FarRegion ("" where the cloud deprecates no size that way).
	BadRegion, GoneSize, RetiredSize, FarRegion string
	// SparseSize is offered in Region but not in SparseRegion.
	SparseSize, SparseRegion string
	// CatalogRequests are the requests (as the simulator counts them) of
	// one catalogue fetch; ListRequest lists machines, PageSize at most per
	// page; ReadRequest reads one.
	CatalogRequests          []string
	ListRequest, ReadRequest string
	PageSize                 int
	// CreatePath is the path a machine is created at (POST), for faults.
	CreatePath string
	// Rejects are inputs the cloud's own rules refuse at plan.
	Rejects []Reject
	// machineID and imageID are the provider's IDs of a simulated machine
	// and snapshot; nil means the simulator's ID in decimal.
	machineID func(s sim.Server) string
	imageID   func(img sim.Image) string
	// createSSHKey adds a key through the cloud's own API (the simulator
	// has no neutral SSH key API, and a user would use the cloud's).
	createSSHKey func(tb testing.TB, a *Account, name, publicKey string)
}

// Reject is an input a cloud's own rules refuse at plan, and the
// diagnostic that says so.
type Reject struct {
	Name string
	// Object is what Attrs belong to: "instance" (beside a valid region
	// and size; Attrs give the name and image), "snapshot" or "data
	// source".
	Object, Attrs string
	// Want is a regular expression on the output, a space matching any
	// run of white space (Terraform wraps long lines).
	Want string
}

// Name is the cloud's name in a provider block.
func (f Fixture) Name() string { return f.Cloud.Name }

// Hetzner is the Hetzner Cloud fixture.
var Hetzner = Fixture{
	Cloud:     hetzner.Cloud,
	Token:     strings.Repeat("acc0", 16),
	Region:    "fsn1",
	Size:      "cx23",
	OtherSize: "cx33",
	ArmSize:   "cax11",
	Image:     "ubuntu-24.04",
	BadRegion: "mars1",
	// Hetzner stopped selling the CPX11 generation in the EU on
	// 2025-12-31 (the US keeps it), retired CX22 everywhere, and sells its
	// arm types in the EU only.
	RetiredSize:     "cpx11",
	GoneSize:        "cx22",
	FarRegion:       "ash",
	SparseSize:      "cax11",
	SparseRegion:    "ash",
	CatalogRequests: []string{"GET /v1/server_types", "GET /v1/locations", "GET /v1/images"},
	CreatePath:      "/v1/servers",
	ListRequest:     "GET /v1/servers",
	ReadRequest:     "GET /v1/servers/{id}",
	PageSize:        50,
	Rejects: []Reject{
		{"name the cloud rejects", "instance", `name = "not_a_hostname!"
image = { ubuntu = "24.04" }`, `(?s)Invalid Name.*name: "not_a_hostname!" must be a valid hostname`},
		{"name too long", "instance", `name = "` + strings.Repeat("a", 64) + `"
image = { ubuntu = "24.04" }`, `(?s)Invalid Name.*name:.*1-63`},
		{"label key the cloud rejects", "instance", named(`labels = { "-bad" = "v" }`), `(?s)Invalid Labels.*labels: key "-bad" is invalid.*letter or digit`},
		{"label value the cloud rejects", "instance", named(`labels = { team = "a b" }`), `(?s)Invalid Labels.*labels: value "a b" of label "team".*letters, digits`},
		{"label value too long", "instance", named(`labels = { team = "` + strings.Repeat("v", 64) + `" }`), `(?s)Invalid Labels.*labels: value.*1-63`},
		{"reserved label prefix", "instance", named(`labels = { "hetzner.cloud/x" = "v" }`), `(?s)Invalid Labels.*labels:.*prefix "hetzner.cloud/" is reserved`},
		{"upper-case label prefix", "instance", named(`labels = { "Example.com/x" = "v" }`), `(?s)Invalid Labels.*labels:.*DNS subdomain`},
		{"empty label key", "instance", named(`labels = { "" = "v" }`), `(?s)Invalid Labels.*labels:.*key "" is invalid`},
		{"user data too big", "instance", named(`user_data = "` + strings.Repeat("a", 33*1024) + `"`), `(?s)Invalid User Data.*user_data:.*at most 32 KiB`},
		{"empty ssh key", "instance", named(`ssh_keys = [""]`), `(?s)Invalid Ssh Keys.*ssh_keys:.*SSH key names or numeric IDs`},
		{"instance_id not an ID", "snapshot", `instance_id = "dev-box"
name = "s"`, `(?s)Invalid Instance Id.*instance_id: "dev-box" is not a Hetzner Cloud ID.*"4711"`},
		{"snapshot label the cloud rejects", "snapshot", `instance_id = "1"
name = "s"
labels = { "a/b/c" = "x" }`, `(?s)Invalid Labels.*labels: key "a/b/c" is invalid`},
		{"filter label key the cloud rejects", "data source", `labels = { "-x" = "y" }`, `(?s)Invalid Labels.*labels: key "-x" is invalid`},
		{"filter in selector syntax", "data source", `labels = { "team=ci" = "" }`, `(?s)Invalid Labels.*labels: key "team=ci" is invalid`},
		{"filter value the cloud rejects", "data source", `labels = { team = "a,b" }`, `(?s)Invalid Labels.*labels: value "a,b"`},
	},
	createSSHKey: func(tb testing.TB, a *Account, name, publicKey string) {
		a.cloudAPI(tb, http.MethodPost, "/ssh_keys", map[string]any{"name": name, "public_key": publicKey}, http.StatusCreated)
	},
}

// DigitalOcean is the DigitalOcean fixture.
var DigitalOcean = Fixture{
	Cloud: digitalocean.Cloud,
	// Personal access tokens are "dop_v1_" and 64 hex digits.
	Token:     "dop_v1_" + strings.Repeat("ac0c", 16),
	Region:    "nyc3",
	Size:      "s-1vcpu-1gb",
	OtherSize: "s-2vcpu-2gb",
	Image:     "ubuntu-24-04-x64",
	BadRegion: "mars1",
	// The first-generation slugs ("512mb", "1gb", ...) are gone from the
	// API; every Droplet is x86, and no size is deprecated per region, but
	// CPU-Optimized Droplets are not sold in Atlanta.
	GoneSize:        "512mb",
	SparseSize:      "c-2",
	SparseRegion:    "atl1",
	CatalogRequests: []string{"GET /v2/regions", "GET /v2/sizes", "GET /v2/images"},
	CreatePath:      "/v2/droplets",
	ListRequest:     "GET /v2/droplets",
	ReadRequest:     "GET /v2/droplets/{id}",
	PageSize:        200,
	Rejects: []Reject{
		{"name the cloud rejects", "instance", `name = "not_a_hostname!"
image = { ubuntu = "24.04" }`, `(?s)Invalid Name.*name: "not_a_hostname!" must be a valid hostname`},
		{"name too long", "instance", `name = "` + strings.Repeat("a", 256) + `"
image = { ubuntu = "24.04" }`, `(?s)Invalid Name.*name:.*at most 255`},
		{"label key the cloud rejects", "instance", named(`labels = { "example.com/role" = "v" }`), `(?s)Invalid Labels.*labels: the key "example.com/role" cannot be a DigitalOcean tag.*letters, digits, '-' and '_'`},
		{"label value the cloud rejects", "instance", named(`labels = { team = "a b" }`), `(?s)Invalid Labels.*labels: the value "a b" of "team" cannot be a DigitalOcean tag.*letters, digits, ':', '-' and '_'`},
		{"label too long", "instance", named(`labels = { team = "` + strings.Repeat("v", 251) + `" }`), `(?s)Invalid Labels.*labels: the label "team" is too long.*256 characters, DigitalOcean allows 255`},
		{"empty label key", "instance", named(`labels = { "" = "v" }`), `(?s)Invalid Labels.*labels: the key "" cannot be a DigitalOcean tag`},
		{"user data too big", "instance", named(`user_data = "` + strings.Repeat("a", 65*1024) + `"`), `(?s)Invalid User Data.*user_data:.*at most 64 KiB`},
		{"empty ssh key", "instance", named(`ssh_keys = [""]`), `(?s)Invalid Ssh Keys.*ssh_keys: must not contain empty entries`},
		{"instance_id not an ID", "snapshot", `instance_id = "dev-box"
name = "s"`, `(?s)Invalid Instance Id.*instance_id: "dev-box" is not a DigitalOcean ID.*"3164444"`},
		{"snapshot label the cloud rejects", "snapshot", `instance_id = "1"
name = "s"
labels = { "a/b/c" = "x" }`, `(?s)Invalid Labels.*labels: the key "a/b/c" cannot be a DigitalOcean tag`},
		{"filter label key the cloud rejects", "data source", `labels = { "a.b" = "y" }`, `(?s)Invalid Labels.*labels: the key "a.b" cannot be a DigitalOcean tag`},
		{"filter value the cloud rejects", "data source", `labels = { team = "a,b" }`, `(?s)Invalid Labels.*labels: the value "a,b" of "team" cannot be a DigitalOcean tag`},
	},
	createSSHKey: func(tb testing.TB, a *Account, name, publicKey string) {
		a.cloudAPI(tb, http.MethodPost, "/v2/account/keys", map[string]any{"name": name, "public_key": publicKey}, http.StatusCreated)
	},
}

// named is instance attributes with a valid name and image.
func named(attrs string) string { return "name = \"x\"\nimage = { ubuntu = \"24.04\" }\n" + attrs }

// All is every cloud the suites run against.
var All = []Fixture{Hetzner, DigitalOcean}

// Account is one simulated account of a cloud, on its own simulator.
type Account struct {
	Fixture
	Sim *sim.Sim
	// Endpoint is the cloud API's URL, for the provider block.
	Endpoint string
}

// Start runs a simulated account for one test; it stops with the test.
func (f Fixture) Start(tb testing.TB, opts sim.Options) *Account {
	tb.Helper()
	s := sim.New(opts)
	for _, fe := range s.FrontEnds() {
		if fe.Cloud != f.Cloud.Name {
			continue
		}
		h := s.Handler()
		if fe.OwnPort {
			h = fe.Handler
		}
		srv := httptest.NewServer(h)
		tb.Cleanup(srv.Close)
		return &Account{Fixture: f, Sim: s, Endpoint: srv.URL + fe.Path}
	}
	tb.Fatalf("the simulator has no front end for %s", f.Cloud.Name)
	return nil
}

// ProviderBlock is a provider block for this account.
func (a *Account) ProviderBlock() string {
	return fmt.Sprintf(`
provider "spuff" {
  cloud    = %q
  token    = %q
  endpoint = %q
}
`, a.Cloud.Name, a.Token, a.Endpoint)
}

// Servers returns the account's machines by the provider's ID.
func (a *Account) Servers() map[string]sim.Server {
	out := map[string]sim.Server{}
	for _, s := range a.Sim.Servers() {
		if s.Cloud == "" || s.Cloud == a.Cloud.Name {
			out[a.MachineID(s)] = s
		}
	}
	return out
}

// MachineID is the provider's ID of a simulated machine.
func (a *Account) MachineID(s sim.Server) string {
	if a.machineID != nil {
		return a.machineID(s)
	}
	return strconv.FormatInt(s.ID, 10)
}

// ImageID is the provider's ID of a simulated snapshot.
func (a *Account) ImageID(img sim.Image) string {
	if a.imageID != nil {
		return a.imageID(img)
	}
	return strconv.FormatInt(img.ID, 10)
}

// Managed returns the IDs of the managed machines and snapshots.
func (a *Account) Managed() (servers, snapshots []string) {
	for id, s := range a.Servers() {
		if framework.IsManaged(s.Labels) {
			servers = append(servers, id)
		}
	}
	for _, img := range a.Sim.Images() {
		if (img.Cloud == "" || img.Cloud == a.Cloud.Name) && framework.IsManaged(img.Labels) {
			snapshots = append(snapshots, a.ImageID(img))
		}
	}
	slices.Sort(servers)
	slices.Sort(snapshots)
	return servers, snapshots
}

// ServerID returns the ID of the machine with that name.
func (a *Account) ServerID(tb testing.TB, name string) string {
	tb.Helper()
	for id, s := range a.Servers() {
		if s.Name == name {
			return id
		}
	}
	tb.Fatalf("no machine named %s", name)
	return ""
}

// simID is the simulator's ID of the machine the provider calls id.
func (a *Account) simID(tb testing.TB, id string) int64 {
	tb.Helper()
	s, ok := a.Servers()[id]
	if !ok {
		tb.Fatalf("no machine %q in the simulated account", id)
	}
	return s.ID
}

// Delete deletes a machine out of band, as someone at the console would.
func (a *Account) Delete(tb testing.TB, id string) {
	tb.Helper()
	if err := a.Sim.DeleteMachine(a.simID(tb, id)); err != nil {
		tb.Fatal(err)
	}
}

// SetLabels replaces a machine's labels out of band (without managed-by
// it is no longer spuff's).
func (a *Account) SetLabels(tb testing.TB, id string, labels map[string]string) {
	tb.Helper()
	if err := a.Sim.SetLabels(a.simID(tb, id), labels); err != nil {
		tb.Fatal(err)
	}
}

// CreateManaged creates a machine labelled managed-by=spuff out of band,
// as another spuff configuration would have, and returns its ID.
func (a *Account) CreateManaged(tb testing.TB, name, userData string, labels map[string]string) string {
	tb.Helper()
	return a.create(tb, name, userData, framework.ManagedLabels(labels))
}

// CreateUnmanaged creates a machine without managed-by, as another tool
// sharing the account would, and returns its ID.
func (a *Account) CreateUnmanaged(tb testing.TB, name string, labels map[string]string) string {
	tb.Helper()
	return a.create(tb, name, "", labels)
}

func (a *Account) create(tb testing.TB, name, userData string, labels map[string]string) string {
	tb.Helper()
	s, err := a.Sim.CreateMachine(sim.MachineSpec{
		Cloud: a.Cloud.Name, Name: name, Region: a.Region, Size: a.Size, Image: a.Image,
		Labels: labels, UserData: userData,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return a.MachineID(s)
}

// CreateSSHKey adds an SSH key to the account.
func (a *Account) CreateSSHKey(tb testing.TB, name, publicKey string) {
	tb.Helper()
	a.createSSHKey(tb, a, name, publicKey)
}

// cloudAPI makes one call to the cloud's own API with the account's token,
// and fails the test unless the answer has status want.
func (a *Account) cloudAPI(tb testing.TB, method, path string, body any, want int) {
	tb.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	req, err := http.NewRequest(method, a.Endpoint+path, bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		tb.Fatalf("%s %s: HTTP %d, want %d", method, path, resp.StatusCode, want)
	}
}

// EnvPrefixes are the environment variable prefixes of every cloud's
// token variables, for a harness that must not leak a user's credentials
// into a test.
func EnvPrefixes() []string {
	var out []string
	for _, f := range All {
		for _, env := range f.Cloud.TokenEnv {
			if i := strings.Index(env, "_"); i > 0 {
				out = append(out, env[:i+1])
			}
		}
	}
	return out
}
