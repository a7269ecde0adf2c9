package resources

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/spuff/terraform-provider-spuff/internal/clouds"
	"github.com/spuff/terraform-provider-spuff/internal/clouds/sim"
	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// Every bad input is refused at plan time with a diagnostic naming the
// attribute and what is allowed, before anything reaches the cloud.
func TestAccBadInput(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.world(t, sim.Options{})
		instance := func(attrs string) string {
			return w.provider() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  region = %q
  size   = %q
%s
}`, c.region, c.size, attrs)
		}
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
}`, c.name, w.token, attrs, c.region, c.size)
		}
		tests := []struct {
			name   string
			config string
			want   string
		}{
			{"unknown cloud", strings.Replace(instance(`name = "x"
image = { ubuntu = "24.04" }`), fmt.Sprintf("cloud    = %q", c.name), `cloud    = "gcp"`, 1),
				`(?s)Unsupported Cloud.*"gcp".*"hetzner"\s+\(alias\s+"hcloud"\)`},
			{"two image kinds", instance(`name = "x"
image = { ubuntu = "24.04", debian = "12" }`), `(?s)Conflicting Image.*ubuntu and debian`},
			{"no image kind", instance(`name = "x"
image = {}`), `(?s)Missing Image.*image.ubuntu, image.debian, image.custom or\s+image.snapshot`},
			{"bad ubuntu version", instance(`name = "x"
image = { ubuntu = "noble" }`), `(?s)Invalid Image.*YY.MM`},
			{"empty name", instance(`name = ""
image = { ubuntu = "24.04" }`), `(?s)Empty Name.*name must not be empty`},
			{"label the cloud rejects", instance(`name = "x"
image = { ubuntu = "24.04" }
labels = { "-bad" = "v" }`), `(?s)Invalid Labels.*-bad`},
			{"reserved label", instance(`name = "x"
image = { ubuntu = "24.04" }
labels = { managed-by = "me" }`), `(?s)Reserved Label.*managed-by`},
			{"reserved request-id label", instance(`name = "x"
image = { ubuntu = "24.04" }
labels = { spuff-request-id = "abc" }`), `(?s)Reserved Label.*spuff-request-id`},
			{"name the cloud rejects", instance(`name = "not_a_hostname!"
image = { ubuntu = "24.04" }`), `(?s)Invalid Name.*not_a_hostname!`},
			{"http endpoint off loopback", providerWith(`endpoint = "http://api.example.com/v1"`),
				`(?s)Invalid Endpoint.*use https`},
			{"zero timeout", providerWith(`timeouts = { poll_interval = "0s" }`), `(?s)Invalid Duration.*positive`},
			{"negative timeout", providerWith(`timeouts = { instance_ready = "-5m" }`), `(?s)Invalid Duration.*positive`},
			{"zero resource timeout", instance(`name = "x"
image = { ubuntu = "24.04" }
timeouts {
  create = "0s"
}`), `(?s)Invalid Duration.*positive`},
			{"negative snapshot timeout", w.provider() + `
resource "spuff_snapshot" "s" {
  instance_id = "1"
  name        = "s"
  timeouts {
    delete = "-1m"
  }
}`, `(?s)Invalid Duration.*positive`},
			{"malformed timeout", providerWith(`timeouts = { http_request = "soon" }`), `(?s)Invalid Duration.*"soon" is not a duration`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: accProviders,
					Steps: []resource.TestStep{{
						Config:      tt.config,
						PlanOnly:    true,
						ExpectError: regexp.MustCompile(tt.want),
					}},
				})
			})
		}
		if counts := w.sim.RequestCounts(); len(counts) != 0 {
			t.Errorf("bad input must be refused before any cloud call, saw %v", counts)
		}
	})
}

// The provider block can be empty: cloud, token and endpoint come from the
// environment, the token from the cloud's own variable first.
func TestAccProviderFromEnvironment(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.world(t, sim.Options{Tokens: []string{accToken}})
		clearTokenEnv(t)
		config := fmt.Sprintf(`
provider "spuff" {}
resource "spuff_instance" "dev" {
  name   = "dev-box"
  region = %q
  size   = %q
  image  = { ubuntu = "24.04" }
}`, c.region, c.size)

		t.Run("missing token", func(t *testing.T) {
			t.Setenv(envCloud, c.name)
			t.Setenv(envEndpoint, w.endpoint)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: accProviders,
				Steps: []resource.TestStep{{
					Config:      config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Missing API Token.*HCLOUD_TOKEN, HETZNER_TOKEN,\s+SPUFF_TOKEN`),
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
			t.Setenv(envCloud, c.name)
			t.Setenv(envEndpoint, w.endpoint)
			// The cloud's own variable wins over SPUFF_TOKEN: the simulator
			// accepts only accToken, so the wrong generic token must be ignored.
			t.Setenv(tokenEnvVars(framework.ParseProviderType(c.name))[0], accToken)
			t.Setenv(envToken, "wrong"+accToken[5:])
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: accProviders,
				CheckDestroy:             w.checkDestroyed,
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
	for _, typ := range []framework.ProviderType{framework.Hetzner, framework.DigitalOcean, framework.AWS} {
		for _, env := range tokenEnvVars(typ) {
			t.Setenv(env, "")
		}
	}
	t.Setenv(envCloud, "")
	t.Setenv(envEndpoint, "")
}

func TestTokenEnvVars(t *testing.T) {
	tests := []struct {
		cloud framework.ProviderType
		want  []string
	}{
		{framework.Hetzner, []string{"HCLOUD_TOKEN", "HETZNER_TOKEN", "SPUFF_TOKEN"}},
		{framework.DigitalOcean, []string{"DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN", "SPUFF_TOKEN"}},
		{"other", []string{"SPUFF_TOKEN"}},
	}
	for _, tt := range tests {
		if got := tokenEnvVars(tt.cloud); !slices.Equal(got, tt.want) {
			t.Errorf("tokenEnvVars(%s) = %v, want %v", tt.cloud, got, tt.want)
		}
	}
	// The table must not be modified by callers appending to the result.
	got := tokenEnvVars(framework.Hetzner)
	_ = append(got[:1], "X")
	if tokenEnvVars(framework.Hetzner)[1] != "HETZNER_TOKEN" {
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
	if got, want := supportedClouds(clouds.WithDefaults()), `"hetzner" (alias "hcloud")`; got != want {
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
