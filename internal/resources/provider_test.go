package resources

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
	"github.com/spuff/terraform-provider-spuff/internal/testcloud"
)

// badInput is one wrong configuration: the error it must get at plan,
// whose detail names the attribute and says what is allowed or what to do.
type badInput struct {
	name string
	// object is what the input belongs to: provider, instance, snapshot or
	// data source (for the counts in the note).
	object string
	config string
	want   string
}

// Every bad input is refused at plan time with a diagnostic naming the
// attribute and what is allowed, before anything is created in the cloud.
// The catalogue is the floor of what plan must catch; what only the cloud
// can know (an SSH key name, a snapshot ID's owner) is left to apply and
// covered by the tests of each resource.
func TestAccBadInput(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		w.CreateSSHKey(t, "acc-key", accPublicKey)
		before := w.Sim.RequestCounts()
		instance := func(attrs string) string {
			return w.ProviderBlock() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  region = %q
  size   = %q
%s
}`, c.Region, c.Size, attrs)
		}
		// instanceAt is a valid instance with region, size and image given.
		instanceAt := func(region, size, image string) string {
			return w.ProviderBlock() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  name   = "dev-box"
  region = %q
  size   = %q
  image  = %s
}`, region, size, image)
		}
		named := func(attrs string) string { return instance("name = \"x\"\nimage = { ubuntu = \"24.04\" }\n" + attrs) }
		providerWith := func(attrs string) string {
			return fmt.Sprintf(`
provider "spuff" {
  cloud = %q
  token = %q
%s
}
resource "spuff_instance" "dev" {
  name   = "dev-box"
  region = %q
  size   = %q
  image  = { ubuntu = "24.04" }
}`, c.Name(), w.Token, attrs, c.Region, c.Size)
		}
		snapshot := func(attrs string) string {
			return w.ProviderBlock() + "\nresource \"spuff_snapshot\" \"s\" {\n" + attrs + "\n}"
		}
		data := func(attrs string) string {
			return w.ProviderBlock() + "\ndata \"spuff_instances\" \"d\" {\n" + attrs + "\n}"
		}
		tests := []badInput{
			// The provider block.
			{"unknown cloud", "provider", strings.Replace(named(""), fmt.Sprintf("cloud    = %q", c.Name()), `cloud    = "linode"`, 1),
				`(?s)Unsupported Cloud.*"linode".*cloud to one of:.*"hetzner"\s+\(alias\s+"hcloud"\)`},
			{"planned cloud", "provider", strings.Replace(named(""), fmt.Sprintf("cloud    = %q", c.Name()), `cloud    = "gcp"`, 1),
				`(?s)Cloud Not Implemented Yet.*"gcp".*cloud to one of:.*"aws".*"digitalocean".*"hetzner"`},
			{"http endpoint off loopback", "provider", providerWith(`endpoint = "http://api.example.com/v1"`), `(?s)Invalid Endpoint.*endpoint.*https`},
			{"endpoint not a URL", "provider", providerWith(`endpoint = "not a url"`), `(?s)Invalid Endpoint.*endpoint`},

			{"zero poll interval", "provider", providerWith(`timeouts = { poll_interval = "0s" }`), `(?s)Invalid Duration.*timeouts.poll_interval.*positive`},
			{"negative instance_ready", "provider", providerWith(`timeouts = { instance_ready = "-5m" }`), `(?s)Invalid Duration.*timeouts.instance_ready.*positive`},
			{"malformed http_request", "provider", providerWith(`timeouts = { http_request = "soon" }`), `(?s)Invalid Duration.*timeouts.http_request.*"soon" is not a\s+duration.*"30s"`},
			{"malformed action_complete", "provider", providerWith(`timeouts = { action_complete = "10" }`), `(?s)Invalid Duration.*timeouts.action_complete.*unit`},
			{"zero ssh_connect", "provider", providerWith(`timeouts = { ssh_connect = "0s" }`), `(?s)Invalid Duration.*timeouts.ssh_connect.*positive`},
			{"negative cloud_init", "provider", providerWith(`timeouts = { cloud_init = "-1s" }`), `(?s)Invalid Duration.*timeouts.cloud_init.*positive`},

			// spuff_instance: the provider's own rules.
			{"two image kinds", "instance", instance(`name = "x"
image = { ubuntu = "24.04", debian = "12" }`), `(?s)Conflicting Image.*image sets ubuntu and debian.*exactly one of ubuntu, debian, custom or snapshot`},
			{"no image kind", "instance", instance(`name = "x"
image = {}`), `(?s)Missing Image.*image.ubuntu, image.debian, image.custom or\s+image.snapshot`},
			{"ubuntu codename", "instance", instance(`name = "x"
image = { ubuntu = "noble" }`), `(?s)Invalid Image.*ubuntu.*YY.MM`},
			{"debian codename", "instance", instance(`name = "x"
image = { debian = "bookworm" }`), `(?s)Invalid Image.*debian.*major version`},
			{"empty name", "instance", instance(`name = ""
image = { ubuntu = "24.04" }`), `(?s)Empty Name.*name must not be empty.*"dev-box"`},
			{"reserved label", "instance", named(`labels = { managed-by = "me" }`), `(?s)Reserved Label.*"managed-by".*Remove it from labels`},
			{"reserved request-id label", "instance", named(`labels = { spuff-request-id = "abc" }`), `(?s)Reserved Label.*"spuff-request-id".*Remove it from labels`},
			{"user_data with user_data_wo", "instance", named(`user_data = "a"
user_data_wo = "b"
user_data_wo_version = 1`), `(?s)Invalid Attribute Combination.*user_data`},
			{"user_data_wo without version", "instance", named(`user_data_wo = "b"`), `(?s)Invalid Attribute Combination.*user_data_wo_version.*must be specified`},
			{"version without user_data_wo", "instance", named(`user_data_wo_version = 1`), `(?s)Invalid Attribute Combination.*user_data_wo.*must be specified`},
			{"zero create timeout", "instance", named(`timeouts {
  create = "0s"
}`), `(?s)Invalid Duration.*timeouts.create.*positive.*"10m"`},
			{"negative update timeout", "instance", named(`timeouts {
  update = "-1m"
}`), `(?s)Invalid Duration.*timeouts.update.*positive`},
			{"malformed delete timeout", "instance", named(`timeouts {
  delete = "soon"
}`), `(?s)Invalid Duration.*timeouts.delete: "soon" is not a duration.*"30s"`},

			{"ssh key the account lacks", "instance", instanceAt(c.Region, c.Size, `{ ubuntu = "24.04" }
  ssh_keys = ["no-such-key"]`), `(?s)Unknown SSH Key.*ssh_keys: the account has no SSH key named "no-such-key"; its keys are: "acc-key"`},

			// spuff_instance: the cloud's catalogue.
			{"region not offered", "instance", instanceAt(c.BadRegion, c.Size, `{ ubuntu = "24.04" }`),
				`(?s)Invalid Region.*region: "` + c.BadRegion + `" is not a region.*offered regions are.*"` + c.Region + `"`},
			{"size not offered", "instance", instanceAt(c.Region, "cx999", `{ ubuntu = "24.04" }`),
				`(?s)Invalid Size.*size: "cx999" is not a size.*"` + c.Size + `"`},
			{"size of a retired generation", "instance", instanceAt(c.Region, c.GoneSize, `{ ubuntu = "24.04" }`),
				`(?s)Invalid Size.*size: "` + c.GoneSize + `" is not a size of this cloud.*\(nearest first\):.*"` + c.Size + `"`},
			{"size not offered in the region", "instance", instanceAt(c.SparseRegion, c.SparseSize, `{ ubuntu = "24.04" }`),
				`(?s)Invalid Size.*size: "` + c.SparseSize + `" is not offered in ` + c.SparseRegion + `.*still offered in: .*"` + c.Region + `"`},
			{"ubuntu version not offered", "instance", instanceAt(c.Region, c.Size, `{ ubuntu = "19.10" }`),
				`(?s)Invalid Image Ubuntu.*image.ubuntu: "19.10" is not offered.*"24.04"`},
			{"debian version not offered", "instance", instanceAt(c.Region, c.Size, `{ debian = "9" }`),
				`(?s)Invalid Image Debian.*image.debian: "9" is not offered.*"12"`},

			// spuff_snapshot.
			{"empty snapshot name", "snapshot", snapshot(`instance_id = "1"
name = ""`), `(?s)Invalid Attribute Value Length.*name.*at least 1`},
			{"empty instance_id", "snapshot", snapshot(`instance_id = ""
name = "s"`), `(?s)Invalid Attribute Value Length.*instance_id.*at least 1`},
			{"instance_id of no machine", "snapshot", snapshot(`instance_id = "` + c.UnknownID + `"
name = "s"`), `(?s)Instance Not Found.*instance_id: there is no instance "` + regexp.QuoteMeta(c.UnknownID) + `".*spuff_instance.dev.id`},
			{"reserved snapshot label", "snapshot", snapshot(`instance_id = "1"
name = "s"
labels = { managed-by = "x" }`), `(?s)Reserved Label.*"managed-by".*Remove it from labels`},
			{"negative snapshot timeout", "snapshot", snapshot(`instance_id = "1"
name = "s"
timeouts {
  delete = "-1m"
}`), `(?s)Invalid Duration.*timeouts.delete.*positive`},

			// data.spuff_instances.
			{"filter on managed-by", "data source", data(`labels = { managed-by = "spuff" }`), `(?s)Reserved Label.*"managed-by"`},
			{"filter with an empty key", "data source", data(`labels = { "" = "y" }`), `(?s)Invalid Labels.*labels: a label key must not be empty`},
			{"bad name_regex", "data source", data(`name_regex = "("`), `(?s)Invalid Name Regex.*name_regex:.*missing closing \)`},
			{"unknown status", "data source", data(`status = "running"`), `(?s)Invalid Attribute Value Match.*status value must be one of: \["new" "active" "off" "archive"\]`},
			{"region filter not offered", "data source", data(`region = "` + c.BadRegion + `"`), `(?s)Invalid Region.*region: "` + c.BadRegion + `".*"` + c.Region + `"`},
		}
		if len(c.Cloud.TokenEnv) > 0 {
			tests = append(tests, badInput{"empty token", "provider", strings.Replace(providerWith(""), fmt.Sprintf("token = %q", w.Token), `token = ""`, 1),
				`(?s)Missing API Token.*token in the provider block, or one of the environment variables ` + c.Cloud.TokenEnv[0]})
		}
		if c.RetiredSize != "" {
			tests = append(tests, badInput{"size past its end of sale here", "instance", instanceAt(c.Region, c.RetiredSize, `{ ubuntu = "24.04" }`),
				`(?s)Invalid Size.*size: "` + c.RetiredSize + `" is deprecated and can no longer be ordered in ` + c.Region +
					` \(end of sale \d{4}-\d\d-\d\d\).*"` + c.Size + `".*still offered in: "` + c.FarRegion + `"`})
		}
		// The cloud's own rules.
		for _, r := range c.Rejects {
			config := map[string]func(string) string{"instance": instance, "snapshot": snapshot, "data source": data}[r.Object]
			tests = append(tests, badInput{r.Name, r.Object, config(r.Attrs), r.Want})
		}
		if len(tests) < 40 {
			t.Fatalf("the catalogue has %d bad inputs, want at least 40", len(tests))
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: accProviders,
					Steps: []resource.TestStep{{
						Config:   tt.config,
						PlanOnly: true,
						// Terraform wraps long details: any space may be a line break.
						ExpectError: regexp.MustCompile(strings.ReplaceAll(tt.want, " ", `\s+`)),
					}},
				})
			})
		}
		t.Cleanup(func() {
			// Reading the catalogue is allowed; creating or changing is not.
			for call, n := range w.Sim.RequestCounts() {
				n -= before[call]
				if n > 0 && !c.ReadOnly(call) {
					t.Errorf("bad input must be refused before anything is created, saw %s x%d", call, n)
				}
			}
		})
	})
}

// The provider block can be empty: cloud, token and endpoint come from the
// environment, the token from the cloud's own variable first.
func TestAccProviderFromEnvironment(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{Tokens: []string{c.SimToken()}})
		clearTokenEnv(t)
		config := fmt.Sprintf(`
provider "spuff" {}
resource "spuff_instance" "dev" {
  name   = "dev-box"
  region = %q
  size   = %q
  image  = { ubuntu = "24.04" }
}`, c.Region, c.Size)

		t.Run("missing token", func(t *testing.T) {
			t.Setenv(envCloud, c.Name())
			t.Setenv(envEndpoint, w.Endpoint)
			want := `(?s)Missing API Token.*` + strings.Join(tokenEnvVars(c.Cloud), `,\s+`)
			if c.Cloud.Credentials != "" {
				// The token is optional; the credential chain finds none.
				want = `(?s)no\s+AWS\s+credentials\s+were\s+found.*AWS_ACCESS_KEY_ID`
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: accProviders,
				Steps: []resource.TestStep{{
					Config:      config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(want),
				}},
			})
		})
		t.Run("missing cloud", func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: accProviders,
				Steps: []resource.TestStep{{
					Config:      config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Missing Cloud.*SPUFF_CLOUD`),
				}},
			})
		})
		t.Run("from env", func(t *testing.T) {
			t.Setenv(envCloud, c.Name())
			t.Setenv(envEndpoint, w.Endpoint)
			if len(c.Cloud.TokenEnv) > 0 {
				// The cloud's own variable wins over SPUFF_TOKEN: the simulator
				// accepts only c.Token, so the wrong generic token must be ignored.
				t.Setenv(tokenEnvVars(c.Cloud)[0], c.Token)
				t.Setenv(envToken, "wrong"+c.Token[5:])
			}
			// A cloud with a credential chain finds its credentials there.
			for k, v := range c.CredentialEnv {
				t.Setenv(k, v)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: accProviders,
				CheckDestroy:             checkDestroyed(w),
				Steps: []resource.TestStep{{
					Config: config,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					},
				}},
			})
		})
	})
}

func clearTokenEnv(t *testing.T) {
	t.Helper()
	for _, c := range accRegistry().Registered() {
		for _, env := range tokenEnvVars(c) {
			t.Setenv(env, "")
		}
	}
	t.Setenv(envCloud, "")
	t.Setenv(envEndpoint, "")
	for _, c := range testcloud.All {
		for k, v := range c.HermeticEnv {
			t.Setenv(k, v)
		}
	}
}

func TestTokenEnvVars(t *testing.T) {
	tests := []struct {
		cloud framework.Cloud
		want  []string
	}{
		{framework.Cloud{Name: "a", TokenEnv: []string{"A_TOKEN", "A_KEY"}}, []string{"A_TOKEN", "A_KEY", "SPUFF_TOKEN"}},
		{framework.Planned("other", "Other"), []string{"SPUFF_TOKEN"}},
	}
	for _, tt := range tests {
		if got := tokenEnvVars(tt.cloud); !slices.Equal(got, tt.want) {
			t.Errorf("tokenEnvVars(%s) = %v, want %v", tt.cloud.Name, got, tt.want)
		}
	}
	// The cloud's list must not be modified by callers appending to the result.
	c := tests[0].cloud
	got := tokenEnvVars(c)
	_ = append(got[:1], "X")
	if tokenEnvVars(c)[1] != "A_KEY" {
		t.Error("tokenEnvVars shares its backing array")
	}
}

func TestParsePositiveDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30s", 30 * time.Second, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"250ms", 250 * time.Millisecond, ""},
		{"0s", 0, "positive"},
		{"-1m", 0, "positive"},
		{"5", 0, "not a duration"},
		{"", 0, "not a duration"},
	}
	for _, tt := range tests {
		got, err := parsePositiveDuration(tt.in)
		if tt.err == "" && (err != nil || got != tt.want) {
			t.Errorf("parsePositiveDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("parsePositiveDuration(%q) error = %v, want one containing %q", tt.in, err, tt.err)
		}
	}
}

func TestSupportedClouds(t *testing.T) {
	if got, want := supportedClouds(accRegistry()), `"aws" (alias "ec2"), "digitalocean" (alias "do"), "hetzner" (alias "hcloud")`; got != want {
		t.Errorf("supportedClouds = %s, want %s", got, want)
	}
	if got := supportedClouds(framework.NewRegistry()); got != "(none)" {
		t.Errorf("empty registry: %s", got)
	}
}

func TestFieldPathAndTitle(t *testing.T) {
	tests := []struct {
		field, path, title string
		ok                 bool
	}{
		{"region", "region", "Region", true},
		{"user_data", "user_data", "User Data", true},
		{"image.snapshot", "image.snapshot", "Image Snapshot", true},
		{"token", "", "Token", false},
	}
	for _, tt := range tests {
		p, ok := fieldPath(tt.field)
		if ok != tt.ok || (ok && p.String() != tt.path) {
			t.Errorf("fieldPath(%q) = %s, %v", tt.field, p, ok)
		}
		if got := titleField(tt.field); got != tt.title {
			t.Errorf("titleField(%q) = %q, want %q", tt.field, got, tt.title)
		}
	}
}

// A cloud's own settings become provider-block attributes that say which
// cloud reads them and where from; they never replace a common attribute.
func TestSettingAttributes(t *testing.T) {
	clouds := []framework.Cloud{
		{Name: "a", DisplayName: "Cloud A", Settings: []framework.Setting{
			{Name: "profile", Env: []string{"A_PROFILE", "A_DEFAULT_PROFILE"}, Description: "The named profile."},
			{Name: "token", Description: "Must not replace the common token."},
		}},
		{Name: "b", DisplayName: "Cloud B", Settings: []framework.Setting{{Name: "profile", Description: "B's profile."}}},
	}
	got := settingAttributes(clouds)
	desc := got["profile"].GetMarkdownDescription()
	for _, want := range []string{"On Cloud A: The named profile. When unset, read from `A_PROFILE`, then `A_DEFAULT_PROFILE`.", "On Cloud B: B's profile.", "Other clouds ignore it."} {
		if !strings.Contains(desc, want) {
			t.Errorf("profile's description %q lacks %q", desc, want)
		}
	}
	p := &spuffProvider{registry: framework.NewRegistry(framework.Cloud{Name: "a", DisplayName: "Cloud A", Settings: clouds[0].Settings,
		New: func(framework.Config) (framework.Provider, error) { return nil, nil }})}
	var resp provider.SchemaResponse
	p.Schema(context.Background(), provider.SchemaRequest{}, &resp)
	if _, ok := resp.Schema.Attributes["profile"]; !ok {
		t.Error("the schema lacks the cloud's profile setting")
	}
	if d := resp.Schema.Attributes["token"].GetMarkdownDescription(); strings.Contains(d, "Must not replace") {
		t.Errorf("a cloud's setting replaced the common token attribute: %q", d)
	}
}
