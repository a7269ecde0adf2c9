package resources

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

const devBox = "spuff_instance.dev"

var (
	ipv4Pattern = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
	rfc3339     = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
)

// instanceConfig renders one spuff_instance named "dev" with the given size
// and extra attributes.
func instanceConfig(w *accWorld, size, extra string) string {
	return w.ProviderBlock() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  name      = "dev-box"
  region    = %q
  size      = %q
  image     = { ubuntu = "24.04" }
  user_data = "#cloud-config\npackages: [git]\n"
  labels    = { team = "platform" }
%s
}
`, w.Region, size, extra)
}

func TestAccInstance_lifecycle(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{ServerReadyDelay: 300 * time.Millisecond})
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{
					Config: instanceConfig(w, c.Size, ""),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("id"), knownvalue.NotNull()),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("name"), knownvalue.StringExact("dev-box")),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("region"), knownvalue.StringExact(c.Region)),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("size"), knownvalue.StringExact(c.Size)),
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
						srv, ok := w.Servers()[id]
						switch {
						case !ok:
							return fmt.Errorf("instance %s is not in the cloud", id)
						case srv.Labels["managed-by"] != "spuff" || srv.Labels["team"] != "platform":
							return fmt.Errorf("cloud labels are %v, want managed-by=spuff and team=platform", srv.Labels)
						case srv.Phase != "running":
							return fmt.Errorf("cloud phase is %q, want running", srv.Phase)
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
					// The image cannot change in place on any cloud.
					Config: debianConfig(instanceConfig(w, c.Size, "")),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionReplace)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("image").AtMapKey("debian"), knownvalue.StringExact("12")),
					},
					Check: func(*terraform.State) error {
						if n := len(w.Servers()); n != 1 {
							return fmt.Errorf("after replacement the cloud has %d servers, want 1", n)
						}
						return nil
					},
				},
				{
					// Changing only timeouts updates in place.
					Config: debianConfig(instanceConfig(w, c.Size, `  timeouts {
    create = "3m"
  }`)),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionUpdate)},
					},
				},
			},
		})
	})
}

// debianConfig swaps the Ubuntu image of a config for Debian 12.
func debianConfig(cfg string) string {
	return strings.Replace(cfg, `image     = { ubuntu = "24.04" }`, `image     = { debian = "12" }`, 1)
}

func TestAccInstance_drift(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		ids := statecheck.CompareValue(compare.ValuesDiffer())
		var firstID string
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{
					Config:            instanceConfig(w, c.Size, ""),
					ConfigStateChecks: []statecheck.StateCheck{ids.AddStateValue(devBox, tfjsonpath.New("id"))},
					Check: func(s *terraform.State) error {
						firstID = s.RootModule().Resources[devBox].Primary.ID
						return nil
					},
				},
				{
					// Deleted out of band: the plan recreates it, no error.
					PreConfig: func() { w.Delete(t, firstID) },
					Config:    instanceConfig(w, c.Size, ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionCreate)},
					},
					ConfigStateChecks: []statecheck.StateCheck{ids.AddStateValue(devBox, tfjsonpath.New("id"))},
				},
			},
		})
	})
}

// A create whose answer is lost after the cloud made the machine (the
// connection dropped, or a 5xx) adopts that machine by its request ID: one
// machine, in state, and an empty plan, also where names are not unique.
func TestAccInstance_createAnswerLost(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		w.Sim.InjectFault(sim.Fault{Method: "POST", Path: c.CreatePath, Drop: true, After: true})
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{{
				Config: instanceConfig(w, c.Size, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					id := s.RootModule().Resources[devBox].Primary.ID
					servers := w.Servers()
					if _, ok := servers[id]; !ok || len(servers) != 1 {
						return fmt.Errorf("state has %s, the cloud %d machines; want that one only", id, len(servers))
					}
					if n := w.Sim.FaultCounts()["scripted"]; n != 1 {
						return fmt.Errorf("%d scripted faults fired, want the one dropped answer: the test proved nothing", n)
					}
					return nil
				},
			}},
		})
	})
}

// A wait that times out must leave the machine in state (tainted), so the
// next apply replaces it and nothing is orphaned.
func TestAccInstance_waitTimeout(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{ServerReadyDelay: time.Hour})
		timeouts := `  timeouts {
    create = "2s"
  }`
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{
					Config:      instanceConfig(w, c.Size, timeouts),
					ExpectError: regexp.MustCompile(`(?s)Not Ready.*timed out.*was\s+created\s+and\s+is\s+recorded\s+in\s+state`),
				},
				{
					// The machine is known to state and tainted: the plan
					// replaces it; the cloud then holds exactly one machine.
					PreConfig: func() {
						if n := len(w.Servers()); n != 1 {
							t.Fatalf("after the timed-out create the cloud has %d servers, want 1", n)
						}
						w.Sim.SetDelays(0, 0)
					},
					Config: instanceConfig(w, c.Size, timeouts),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionReplace)},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					},
					Check: func(*terraform.State) error {
						if n := len(w.Servers()); n != 1 {
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
		w := c.Start(t, sim.Options{Tokens: []string{c.SimToken()}})
		badToken := *w
		badToken.Token = "wrong" + c.Token[5:]
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{
					Config: w.ProviderBlock() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  name   = "dev-box"
  region = %q
  size   = %q
  image  = { ubuntu = "24.04" }
}`, c.BadRegion, c.Size),
					ExpectError: regexp.MustCompile(`(?s)Invalid Region.*` + c.BadRegion),
				},
				{
					Config: w.ProviderBlock() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  name   = "dev-box"
  region = %q
  size   = "no-such-size"
  image  = { ubuntu = "24.04" }
}`, c.Region),
					ExpectError: regexp.MustCompile(`(?s)Invalid Size.*no-such-size`),
				},
				{
					Config:      instanceConfig(&badToken, c.Size, ""),
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
		w := c.Start(t, sim.Options{})
		w.CreateUnmanaged(t, "not-spuff", map[string]string{"team": "acc"})
		foreign := w.ServerID(t, "not-spuff")
		var managedID string
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{
					Config: instanceConfig(w, c.Size, ""),
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
					PreConfig:   func() { w.SetLabels(t, managedID, map[string]string{"team": "platform"}) },
					Config:      instanceConfig(w, c.Size, ""),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Instance Not Managed by Spuff.*refuses to manage`),
				},
				{
					// Labels restored: managed again, nothing to change.
					PreConfig: func() {
						w.SetLabels(t, managedID, map[string]string{"team": "platform", "managed-by": "spuff"})
					},
					Config: instanceConfig(w, c.Size, ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
			},
		})
		if _, ok := w.Servers()[foreign]; !ok {
			t.Error("the unmanaged server was deleted")
		}
	})
}

// accPublicKey is an ed25519 public key for SSH keys created in the
// simulated account.
const accPublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHHkpZuhUXdUMajsSAthsZdMMoVNOCon09AVkUfJN6+1 acc"

// Inputs taken from other resources are unknown at plan time, down to
// single map and list elements and nested image fields; plan, apply and
// the plan after apply must all work. terraform_data's output is unknown
// until apply, as another provider's ID would be.
func TestAccInstance_unknownValues(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		w.CreateSSHKey(t, "acc-key", accPublicKey)
		cfg := w.ProviderBlock() + fmt.Sprintf(`
resource "terraform_data" "key" {
  input = "acc-key"
}

resource "terraform_data" "ubuntu" {
  input = "24.04"
}

resource "terraform_data" "tags" {
  input = { team = "qa", tier = "dev" }
}

resource "spuff_instance" "a" {
  name   = "ue-a"
  region = %[1]q
  size   = %[2]q
  image  = { ubuntu = terraform_data.ubuntu.output }
}

resource "spuff_instance" "b" {
  name     = "ue-b"
  region   = %[1]q
  size     = %[2]q
  image    = { ubuntu = "24.04" }
  ssh_keys = [terraform_data.key.output]
  labels   = { parent = spuff_instance.a.id, team = "qa" }
}

resource "spuff_instance" "c" {
  name   = "ue-c"
  region = %[1]q
  size   = %[2]q
  image  = { debian = "12" }
  labels = { for k, v in terraform_data.tags.output : k => upper(v) }
}
`, c.Region, c.Size)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue("spuff_instance.b", tfjsonpath.New("labels").AtMapKey("parent")),
						plancheck.ExpectUnknownValue("spuff_instance.b", tfjsonpath.New("ssh_keys").AtSliceIndex(0)),
						plancheck.ExpectUnknownValue("spuff_instance.a", tfjsonpath.New("image").AtMapKey("ubuntu")),
						plancheck.ExpectUnknownValue("spuff_instance.c", tfjsonpath.New("labels")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("spuff_instance.b", tfjsonpath.New("labels").AtMapKey("parent"),
						"spuff_instance.a", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("spuff_instance.c", tfjsonpath.New("labels"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("QA"), "tier": knownvalue.StringExact("DEV"),
					})),
					statecheck.ExpectKnownValue("spuff_instance.a", tfjsonpath.New("image").AtMapKey("ubuntu"), knownvalue.StringExact("24.04")),
				},
				Check: func(s *terraform.State) error {
					b := w.Servers()[s.RootModule().Resources["spuff_instance.b"].Primary.ID]
					a := s.RootModule().Resources["spuff_instance.a"].Primary.ID
					if b.Labels["parent"] != a || b.Labels["managed-by"] != "spuff" {
						return fmt.Errorf("cloud labels of b are %v, want parent=%s and managed-by=spuff", b.Labels, a)
					}
					// The key named by an unknown value was resolved at apply:
					// an unknown key name fails the create.
					return nil
				},
			}},
		})
	})
}

// resizeConfig is one machine named "dev" with a size and a label.
func resizeConfig(w *accWorld, name, size, team string) string {
	return w.ProviderBlock() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  name   = %q
  region = %q
  size   = %q
  image  = { ubuntu = "24.04" }
  labels = { team = %q }
}
`, name, w.Region, size, team)
}

// What the cloud can change in place is updated in place, with the same
// machine; what it cannot replaces it. The plan says which, per cloud.
func TestAccInstance_inPlace(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{ServerReadyDelay: 200 * time.Millisecond})
		sameID := statecheck.CompareValue(compare.ValuesSame())
		var id string
		cloudHas := func(name, size, team string) resource.TestCheckFunc {
			return func(s *terraform.State) error {
				got := s.RootModule().Resources[devBox].Primary.ID
				srv, ok := w.Servers()[got]
				switch {
				case !ok:
					return fmt.Errorf("instance %s is not in the cloud", got)
				case srv.Name != name || srv.ServerType != size || srv.Labels["team"] != team || srv.Labels["managed-by"] != "spuff":
					return fmt.Errorf("cloud has name %q size %q labels %v, want %q %q team=%s", srv.Name, srv.ServerType, srv.Labels, name, size, team)
				case srv.Phase != "running":
					return fmt.Errorf("cloud phase is %q after the update, want running", srv.Phase)
				case len(w.Servers()) != 1:
					return fmt.Errorf("the cloud has %d servers, want 1", len(w.Servers()))
				}
				return nil
			}
		}
		update := resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionUpdate)},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		}
		replace := resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionReplace)},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		}
		tc := resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{
					Config:            resizeConfig(w, "ip-a", c.Size, "red"),
					ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(devBox, tfjsonpath.New("id"))},
					Check: func(s *terraform.State) error {
						id = s.RootModule().Resources[devBox].Primary.ID
						return nil
					},
				},
				{
					// One label and the name: in place.
					Config:            resizeConfig(w, "ip-b", c.Size, "blue"),
					ConfigPlanChecks:  update,
					ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(devBox, tfjsonpath.New("id"))},
					Check:             cloudHas("ip-b", c.Size, "blue"),
				},
				{
					// A label edited in the console is drift, put right in place.
					PreConfig: func() {
						w.SetLabels(t, id, map[string]string{"team": "console", "managed-by": "spuff"})
					},
					Config:            resizeConfig(w, "ip-b", c.Size, "blue"),
					ConfigPlanChecks:  update,
					ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(devBox, tfjsonpath.New("id"))},
					Check:             cloudHas("ip-b", c.Size, "blue"),
				},
				{
					// A bigger size of the same architecture: in place.
					Config:           resizeConfig(w, "ip-b", c.OtherSize, "blue"),
					ConfigPlanChecks: update,
					ConfigStateChecks: []statecheck.StateCheck{
						sameID.AddStateValue(devBox, tfjsonpath.New("id")),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("size"), knownvalue.StringExact(c.OtherSize)),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					},
					Check: cloudHas("ip-b", c.OtherSize, "blue"),
				},
				{
					// Back again: the disk was kept, so this is in place too.
					Config:            resizeConfig(w, "ip-b", c.Size, "blue"),
					ConfigPlanChecks:  update,
					ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(devBox, tfjsonpath.New("id"))},
					Check:             cloudHas("ip-b", c.Size, "blue"),
				},
			},
		}
		if c.ArmSize != "" {
			// Another architecture cannot be changed in place.
			tc.Steps = append(tc.Steps, resource.TestStep{
				Config:           resizeConfig(w, "ip-b", c.ArmSize, "blue"),
				ConfigPlanChecks: replace,
				Check:            cloudHas("ip-b", c.ArmSize, "blue"),
			})
		}
		resource.ParallelTest(t, tc)
	})
}

// A machine created on a bigger disk cannot move to a smaller one in place,
// where the disk comes with the size; where it does not (EC2's EBS
// volumes), the smaller size is an update like any other.
func TestAccInstance_shrinkReplaces(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		want := plancheck.ResourceActionReplace
		if !c.Cloud.Updates.ResizeKeepsDisk {
			want = plancheck.ResourceActionUpdate
		}
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{Config: resizeConfig(w, "shrink", c.OtherSize, "a")},
				{
					Config: resizeConfig(w, "shrink", c.Size, "a"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, want)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
			},
		})
	})
}

// Import, then plan with the configuration that made the machine: the user
// data the cloud cannot return is recorded in place, never a replacement;
// afterwards the plan is empty. The machines were made by another spuff
// configuration (managed-by=spuff), and come in through import blocks.
func TestAccInstance_importKeepsMachine(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		const userData = "#cloud-config\npackages: [git]\n"
		udID := w.CreateManaged(t, "dev-box", userData, map[string]string{"team": "platform"})
		plainID := w.CreateManaged(t, "imp-plain", "", map[string]string{"team": "imp"})
		importBlock := func(to, id string) string {
			return fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", to, id)
		}
		// Timeouts are Terraform's, not the cloud's: like user data they are
		// recorded by the first apply after an import.
		withUserData := instanceConfig(w, c.Size, `  timeouts {
    create = "5m"
  }`)
		const plainBox = "spuff_instance.plain"
		plain := fmt.Sprintf(`
resource "spuff_instance" "plain" {
  name   = "imp-plain"
  region = %q
  size   = %q
  image  = { ubuntu = "24.04" }
  labels = { team = "imp" }
}
`, c.Region, c.Size)
		sameID := func(addr, id string) statecheck.StateCheck {
			return statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(id))
		}
		changed := strings.Replace(withUserData, "[git]", "[git, jq]", 1)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{
					// State has no user data: recorded in place, not replaced.
					Config: withUserData + importBlock(devBox, udID),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						sameID(devBox, udID),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("user_data"), knownvalue.StringExact(userData)),
					},
				},
				{
					// Once recorded, a change of user data replaces as usual.
					Config: changed,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionReplace)},
					},
				},
				{
					// Nothing the cloud cannot return: the import plans no change.
					Config: changed + plain + importBlock(plainBox, plainID),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{sameID(plainBox, plainID)},
				},
			},
		})
	})
}

// woConfig is one machine whose user data is write-only, at a version.
func woConfig(w *accWorld, version int) string {
	return w.ProviderBlock() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  name                 = "wo-box"
  region               = %q
  size                 = %q
  image                = { ubuntu = "24.04" }
  user_data_wo         = "#cloud-config\n# wo-marker-%d\n"
  user_data_wo_version = %d
}
`, w.Region, w.Size, version, version)
}

// Write-only user data reaches the machine and never plan or state; a new
// version replaces the machine. (internal/e2e reads the state file itself.)
func TestAccInstance_writeOnlyUserData(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		cloudUserData := func(want string) resource.TestCheckFunc {
			return func(*terraform.State) error {
				for _, s := range w.Sim.ServersWithSecrets() {
					if s.UserData == want {
						return nil
					}
				}
				return fmt.Errorf("no machine in the cloud has the user data %q", want)
			}
		}
		resource.ParallelTest(t, resource.TestCase{
			TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{
					Config: woConfig(w, 1),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("user_data_wo"), knownvalue.Null()),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("user_data"), knownvalue.Null()),
						statecheck.ExpectKnownValue(devBox, tfjsonpath.New("user_data_wo_version"), knownvalue.Int64Exact(1)),
					},
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectKnownValue(devBox, tfjsonpath.New("user_data_wo"), knownvalue.Null())},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: cloudUserData("#cloud-config\n# wo-marker-1\n"),
				},
				{
					Config: woConfig(w, 2),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionReplace)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: cloudUserData("#cloud-config\n# wo-marker-2\n"),
				},
			},
		})
	})
}

// noUpdates is a cloud that changes nothing in place: its Provider hides
// every optional capability of the cloud it wraps.
type noUpdates struct{ framework.Provider }

// The plan is honest per cloud: where the cloud cannot change a machine in
// place, the same edits that Hetzner makes in place replace it.
func TestAccInstance_replaceWhereCloudCannotUpdate(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		registry := withCloud(c, func(p framework.Provider) framework.Provider { return noUpdates{p} })
		replace := resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionReplace)},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		}
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6(registry),
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{Config: resizeConfig(w, "nu-a", c.Size, "red")},
				{Config: resizeConfig(w, "nu-a", c.Size, "blue"), ConfigPlanChecks: replace},
				{Config: resizeConfig(w, "nu-b", c.Size, "blue"), ConfigPlanChecks: replace},
				{Config: resizeConfig(w, "nu-b", c.OtherSize, "blue"), ConfigPlanChecks: replace},
			},
		})
	})
}
