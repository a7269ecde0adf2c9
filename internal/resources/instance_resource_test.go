package resources

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/spuff/terraform-provider-spuff/internal/clouds/sim"
)

const devBox = "spuff_instance.dev"

var (
	ipv4Pattern = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
	rfc3339     = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
)

// instanceConfig renders one spuff_instance named "dev" with the given size
// and extra attributes.
func instanceConfig(w *accWorld, size, extra string) string {
	return w.provider() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  name      = "dev-box"
  region    = %q
  size      = %q
  image     = { ubuntu = "24.04" }
  user_data = "#cloud-config\npackages: [git]\n"
  labels    = { team = "platform" }
%s
}
`, w.cloud.region, size, extra)
}

func TestAccInstance_lifecycle(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.world(t, sim.Options{ServerReadyDelay: 300 * time.Millisecond})
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             w.checkDestroyed,
			Steps: []resource.TestStep{
				{
					Config: instanceConfig(w, c.size, ""),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("id"), knownvalue.NotNull()),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("name"), knownvalue.StringExact("dev-box")),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("region"), knownvalue.StringExact(c.region)),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("size"), knownvalue.StringExact(c.size)),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("status"), knownvalue.StringExact("active")),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("ipv4_address"), knownvalue.StringRegexp(ipv4Pattern)),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339)),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("image"), knownvalue.ObjectExact(map[string]knownvalue.Check{
							"ubuntu": knownvalue.StringExact("24.04"), "debian": knownvalue.Null(),
							"custom": knownvalue.Null(), "snapshot": knownvalue.Null(),
						})),
						// State keeps the user's labels only; managed-by is the provider's.
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("labels"), knownvalue.MapExact(map[string]knownvalue.Check{
							"team": knownvalue.StringExact("platform"),
						})),
					},
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: func(s *terraform.State) error {
						id := s.RootModule().Resources[devBox].Primary.ID
						srv, ok := w.servers()[id]
						switch {
						case !ok:
							return fmt.Errorf("instance %s is not in the cloud", id)
						case srv.Labels["managed-by"] != "spuff" || srv.Labels["team"] != "platform":
							return fmt.Errorf("cloud labels are %v, want managed-by=spuff and team=platform", srv.Labels)
						case srv.Status != "running":
							return fmt.Errorf("cloud status is %q, want running", srv.Status)
						}
						return nil
					},
				},
				{
					ResourceName:      devBox,
					ImportState:       true,
					ImportStateVerify: true,
					// The cloud never returns user_data, and timeouts are not the cloud's.
					ImportStateVerifyIgnore: []string{"user_data", "timeouts"},
				},
				{
					Config: instanceConfig(w, c.otherSize, ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionReplace)},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("size"), knownvalue.StringExact(c.otherSize)),
					},
					Check: func(*terraform.State) error {
						if n := len(w.servers()); n != 1 {
							return fmt.Errorf("after replacement the cloud has %d servers, want 1", n)
						}
						return nil
					},
				},
				{
					// Changing only timeouts updates in place.
					Config: instanceConfig(w, c.otherSize, `  timeouts {
    create = "3m"
  }`),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionUpdate)},
					},
				},
			},
		})
	})
}

func TestAccInstance_drift(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.world(t, sim.Options{})
		ids := statecheck.CompareValue(compare.ValuesDiffer())
		var firstID string
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             w.checkDestroyed,
			Steps: []resource.TestStep{
				{
					Config:            instanceConfig(w, c.size, ""),
					ConfigStateChecks: []statecheck.StateCheck{ids.AddStateValue(devBox, tfjsonpath.New("id"))},
					Check: func(s *terraform.State) error {
						firstID = s.RootModule().Resources[devBox].Primary.ID
						return nil
					},
				},
				{
					// Deleted out of band: the plan recreates it, no error.
					PreConfig: func() { w.deleteOutOfBand(t, firstID) },
					Config:    instanceConfig(w, c.size, ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionCreate)},
					},
					ConfigStateChecks: []statecheck.StateCheck{ids.AddStateValue(devBox, tfjsonpath.New("id"))},
				},
			},
		})
	})
}

// A wait that times out must leave the machine in state (tainted), so the
// next apply replaces it and nothing is orphaned.
func TestAccInstance_waitTimeout(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.world(t, sim.Options{ServerReadyDelay: time.Hour})
		timeouts := `  timeouts {
    create = "2s"
  }`
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             w.checkDestroyed,
			Steps: []resource.TestStep{
				{
					Config:      instanceConfig(w, c.size, timeouts),
					ExpectError: regexp.MustCompile(`(?s)Not Ready.*timed out.*was created and is recorded in state`),
				},
				{
					// The machine is known to state and tainted: the plan
					// replaces it; the cloud then holds exactly one machine.
					PreConfig: func() {
						if n := len(w.servers()); n != 1 {
							t.Fatalf("after the timed-out create the cloud has %d servers, want 1", n)
						}
						w.sim.SetDelays(0, 0)
					},
					Config: instanceConfig(w, c.size, timeouts),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionReplace)},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					},
					Check: func(*terraform.State) error {
						if n := len(w.servers()); n != 1 {
							return fmt.Errorf("after replacing the tainted machine the cloud has %d servers, want 1", n)
						}
						return nil
					},
				},
			},
		})
	})
}

func TestAccInstance_apiErrors(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.world(t, sim.Options{Tokens: []string{accToken}})
		badToken := *w
		badToken.token = "wrong" + accToken[5:]
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             w.checkDestroyed,
			Steps: []resource.TestStep{
				{
					Config: w.provider() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  name   = "dev-box"
  region = %q
  size   = %q
  image  = { ubuntu = "24.04" }
}`, c.badRegion, c.size),
					ExpectError: regexp.MustCompile(`(?s)Invalid Region.*` + c.badRegion),
				},
				{
					Config: w.provider() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  name   = "dev-box"
  region = %q
  size   = "no-such-size"
  image  = { ubuntu = "24.04" }
}`, c.region),
					ExpectError: regexp.MustCompile(`(?s)Invalid Size.*no-such-size`),
				},
				{
					Config:      instanceConfig(&badToken, c.size, ""),
					ExpectError: regexp.MustCompile(`Cloud Authentication Failed`),
				},
			},
		})
	})
}

// The provider never imports, manages or deletes a machine that lacks
// managed-by=spuff.
func TestAccInstance_refusesUnmanaged(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.world(t, sim.Options{})
		w.createUnmanaged(t, "not-spuff")
		foreign := w.serverID(t, "not-spuff")
		var managedID string
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             w.checkDestroyed,
			Steps: []resource.TestStep{
				{
					Config: instanceConfig(w, c.size, ""),
					Check: func(s *terraform.State) error {
						managedID = s.RootModule().Resources[devBox].Primary.ID
						return nil
					},
				},
				{
					// No Config of its own: an import step given one writes it
					// without required_providers, which OpenTofu resolves
					// against its own registry; the previous step's is used.
					ResourceName:  devBox,
					ImportState:   true,
					ImportStateId: foreign,
					ExpectError:   regexp.MustCompile(`(?s)Instance Not Managed by Spuff.*` + foreign + `.*managed-by=spuff`),
				},
				{
					// Someone strips the label in the console: the provider
					// stops managing the machine instead of touching it.
					PreConfig:   func() { w.setLabels(t, managedID, map[string]string{"team": "platform"}) },
					Config:      instanceConfig(w, c.size, ""),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Instance Not Managed by Spuff.*refuses to manage`),
				},
				{
					// Labels restored: managed again, nothing to change.
					PreConfig: func() {
						w.setLabels(t, managedID, map[string]string{"team": "platform", "managed-by": "spuff"})
					},
					Config: instanceConfig(w, c.size, ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
			},
		})
		if _, ok := w.servers()[foreign]; !ok {
			t.Error("the unmanaged server was deleted")
		}
	})
}
