// Package testcloud holds one fixture per cloud for the acceptance and
// end-to-end tests: the plug-in, values its API accepts, and how to start a
// simulated account of it. Out-of-band changes (delete, relabel, unmanage,
// create) go through the simulator's cloud-neutral API, never through one
// cloud's wire format, so every suite loops over All unchanged.
package testcloud

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/clouds/aws"
	"github.com/spuff/terraform-provider-spuff/internal/clouds/digitalocean"
	"github.com/spuff/terraform-provider-spuff/internal/clouds/hetzner"
	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
	ec2sim "github.com/spuff/terraform-provider-spuff/internal/sim/ec2"
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
	// EmptyRegionPages are the list pages a list of every managed machine
	// reads besides the pages of the region the machines are in (EC2 lists
	// each enabled region), and ListLookups the other requests such a list
	// makes once (EC2's region list and the AMI a machine boots).
	EmptyRegionPages, ListLookups int
	// ReadLookups are the requests a provider process that only reads
	// machines (a refresh) makes once besides the reads (EC2: the AMI the
	// machines boot, mapped back to its image spec).
	ReadLookups int
	// CreatePath is the path a machine is created at (POST), for faults.
	CreatePath string
	// VolumesBySnapshot is true where a machine's disk is sized from its
	// image, not by its size (EC2's EBS volumes): any size restores any
	// snapshot.
	VolumesBySnapshot bool
	// UnknownID is a well-formed machine ID of no machine.
	UnknownID string
	// readOnly says whether a request (as the simulator counts it) only
	// reads; nil means a GET.
	readOnly func(call string) bool
	// Rejects are inputs the cloud's own rules refuse at plan.
	Rejects []Reject
	// machineID and imageID are the provider's IDs of a simulated machine
	// and snapshot; nil means the simulator's ID in decimal.
	machineID func(s sim.Server) string
	imageID   func(img sim.Image) string
	// simToken is the credential the simulator's allow-list holds for
	// Token; nil means Token itself.
	simToken func(token string) string
	// CatalogCost is how many requests one catalogue fetch makes.
	CatalogCost int
	// CredentialEnv are environment variables that give the account's
	// credentials without a token, for a cloud with a credential chain.
	CredentialEnv map[string]string
	// HermeticEnv are environment variables that keep a user's own
	// configuration (files, instance roles) out of a test.
	HermeticEnv map[string]string
	// nameLabel is the label that holds a machine's name where the cloud
	// keeps names as labels (EC2's Name tag); "" elsewhere.
	nameLabel string
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

// ReadOnly reports whether a request, as the simulator counts it, only
// reads.
func (f Fixture) ReadOnly(call string) bool {
	if f.readOnly != nil {
		return f.readOnly(call)
	}
	return strings.HasPrefix(call, "GET ")
}

// SimToken is the credential to put in sim.Options.Tokens so that the
// simulator accepts Token (AWS's allow-list holds access key IDs).
func (f Fixture) SimToken() string {
	if f.simToken != nil {
		return f.simToken(f.Token)
	}
	return f.Token
}

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
	CatalogCost:     3,
	CreatePath:      "/v1/servers",
	UnknownID:       "999999",
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
		{"snapshot ID not numeric", "instance", `name = "x"
image = { snapshot = "golden" }`, `(?s)Invalid Image Snapshot.*image.snapshot:.*numeric image ID`},
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
	CatalogCost:     3,
	CreatePath:      "/v2/droplets",
	UnknownID:       "999999",
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
		{"snapshot ID not numeric", "instance", `name = "x"
image = { snapshot = "golden" }`, `(?s)Invalid Image Snapshot.*image.snapshot:.*numeric image ID`},
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

// AWS is the AWS EC2 fixture. Its IDs are "<region>/<EC2 ID>".
var AWS = Fixture{
	Cloud: aws.Cloud,
	// Static keys in the token's "ACCESS_KEY_ID:SECRET" form; the
	// simulator parses the signature, it does not verify it.
	Token:     "AKIASPUFFACCTEST0001:c2ltdWxhdGVkLXNlY3JldC1rZXk",
	Region:    "eu-central-1",
	Size:      "t3.micro",
	OtherSize: "t3.small",
	ArmSize:   "t4g.micro",
	BadRegion: "eu-mars-1",
	// First-generation types are no longer sold; Graviton 3 general
	// purpose types are not offered in Singapore (in the simulator).
	GoneSize:     "t1.micro",
	SparseSize:   "m7g.large",
	SparseRegion: "ap-southeast-1",
	// The types and the offerings of each of the 6 regions (the region
	// list and the images are read for other calls too).
	CatalogRequests:   []string{"DescribeInstanceTypes", "DescribeInstanceTypeOfferings"},
	CatalogCost:       7,
	CreatePath:        "RunInstances",
	UnknownID:         "eu-central-1/i-0123456789abcdef0",
	VolumesBySnapshot: true,
	readOnly:          func(call string) bool { return strings.HasPrefix(call, "Describe") },
	ListRequest:       "DescribeInstances",
	ReadRequest:       "DescribeInstances",
	// The 6 simulated regions: 5 hold none of the machines.
	EmptyRegionPages: 5,
	ListLookups:      2,
	ReadLookups:      1,
	PageSize:         500,
	Rejects: []Reject{
		{"name too long", "instance", `name = "` + strings.Repeat("a", 257) + `"
image = { ubuntu = "24.04" }`, `(?s)Invalid Name.*name:.*must be 1 to 256 characters`},
		{"reserved aws: tag", "instance", named(`labels = { "aws:cloudformation:stack" = "v" }`), `(?s)Invalid Labels.*labels: the key "aws:cloudformation:stack" starts with "aws:"`},
		{"Name as a label", "instance", named(`labels = { Name = "v" }`), `(?s)Invalid Labels.*labels: the key "Name" is the instance's name on EC2: set name instead`},
		{"label key too long", "instance", named(`labels = { "` + strings.Repeat("k", 129) + `" = "v" }`), `(?s)Invalid Labels.*longer than EC2's 128 characters`},
		{"label value too long", "instance", named(`labels = { team = "` + strings.Repeat("v", 257) + `" }`), `(?s)Invalid Labels.*the value of "team" is longer than EC2's 256 characters`},
		{"user data too big", "instance", named(`user_data = "` + strings.Repeat("a", 17*1024) + `"`), `(?s)Invalid User Data.*user_data:.*at most 16 KiB`},
		{"two key pairs", "instance", named(`ssh_keys = ["a", "b"]`), `(?s)Invalid Ssh Keys.*ssh_keys: EC2 installs one key pair per instance`},
		{"empty ssh key", "instance", named(`ssh_keys = [""]`), `(?s)Invalid Ssh Keys.*ssh_keys: must not contain an empty entry`},
		{"snapshot ID not an AMI", "instance", `name = "x"
image = { snapshot = "golden" }`, `(?s)Invalid Image Snapshot.*image.snapshot: "golden" is not an AWS ID.*"eu-central-1/ami-0123456789abcdef0"`},
		{"instance_id not an ID", "snapshot", `instance_id = "dev-box"
name = "s"`, `(?s)Invalid Instance Id.*instance_id: "dev-box" is not an AWS ID.*"eu-central-1/i-0123456789abcdef0"`},
		{"snapshot label the cloud rejects", "snapshot", `instance_id = "eu-central-1/i-0123456789abcdef0"
name = "s"
labels = { "aws:x" = "x" }`, `(?s)Invalid Labels.*labels: the key "aws:x" starts with "aws:"`},
		{"filter label key the cloud rejects", "data source", `labels = { "aws:x" = "y" }`, `(?s)Invalid Labels.*labels: the key "aws:x" starts with "aws:"`},
	},
	machineID: func(s sim.Server) string { return s.Location + "/" + ec2sim.InstanceID(s.ID) },
	imageID:   func(img sim.Image) string { return img.Region + "/" + ec2sim.ImageID(img.ID) },
	simToken:  func(token string) string { k, _, _ := strings.Cut(token, ":"); return k },
	nameLabel: "Name",
	CredentialEnv: map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIASPUFFACCTEST0001",
		"AWS_SECRET_ACCESS_KEY": "c2ltdWxhdGVkLXNlY3JldC1rZXk",
	},
	HermeticEnv: map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_CA_BUNDLE": "",
		"AWS_CONFIG_FILE": "/nonexistent/spuff-test", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/spuff-test",
		"AWS_EC2_METADATA_DISABLED": "true",
	},
	createSSHKey: func(tb testing.TB, a *Account, name, publicKey string) {
		a.ec2Call(tb, "ImportKeyPair", url.Values{"KeyName": {name}, "PublicKeyMaterial": {base64.StdEncoding.EncodeToString([]byte(publicKey))}})
	},
}

// All is every cloud the suites run against.
var All = []Fixture{Hetzner, DigitalOcean, AWS}

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
	fe, ok := s.FrontEnd(f.Cloud.Name)
	if !ok {
		tb.Fatalf("the simulator has no front end for %s", f.Cloud.Name)
	}
	h := s.Handler()
	if fe.OwnPort {
		h = fe.Handler
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return &Account{Fixture: f, Sim: s, Endpoint: srv.URL + fe.Path}
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

// Servers returns the account's machines by the provider's ID: not the
// tombstones of deleted ones (EC2 lists terminated instances for an hour).
func (a *Account) Servers() map[string]sim.Server {
	out := map[string]sim.Server{}
	for _, s := range a.Sim.Servers() {
		if s.Phase == "gone" {
			continue
		}
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
	if a.nameLabel != "" {
		// The name stays: the console edits other tags.
		labels = maps.Clone(labels)
		labels[a.nameLabel] = a.Servers()[id].Name
	}
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
	if a.nameLabel != "" {
		labels = maps.Clone(labels)
		labels[a.nameLabel] = name
	}
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

// ec2Call makes one EC2 Query call in the account's region, signed in
// form only (the simulator parses the credential scope, it does not
// verify the signature), and fails the test unless it succeeds.
func (a *Account) ec2Call(tb testing.TB, action string, params url.Values) {
	tb.Helper()
	params.Set("Action", action)
	params.Set("Version", "2016-11-15")
	req, err := http.NewRequest(http.MethodPost, a.Endpoint+"/", strings.NewReader(params.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	akid, _, _ := strings.Cut(a.Token, ":")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+akid+"/20261201/"+a.Region+"/ec2/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("EC2 %s: HTTP %d", action, resp.StatusCode)
	}
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
		envs := slices.Clone(f.Cloud.TokenEnv)
		for _, st := range f.Cloud.Settings {
			envs = append(envs, st.Env...)
		}
		for _, env := range envs {
			if i := strings.Index(env, "_"); i > 0 {
				out = append(out, env[:i+1])
			}
		}
	}
	return out
}
