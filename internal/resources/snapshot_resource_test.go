package resources

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

const (
	golden   = "spuff_snapshot.golden"
	restored = "spuff_instance.restored"
)

func snapshotConfig(w *accWorld, extra string) string {
	return w.ProviderBlock() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  name   = "dev-box"
  region = %[1]q
  size   = %[2]q
  image  = { ubuntu = "24.04" }
}

resource "spuff_snapshot" "golden" {
  instance_id = spuff_instance.dev.id
  name        = "dev-golden"
%[3]s
}

resource "spuff_instance" "restored" {
  name   = "dev-restored"
  region = %[1]q
  size   = %[2]q
  image  = { snapshot = spuff_snapshot.golden.id }
}
`, w.Region, w.Size, extra)
}

func TestAccSnapshot_restore(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{ServerReadyDelay: 200 * time.Millisecond, ImageReadyDelay: 500 * time.Millisecond})
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{
					Config: snapshotConfig(w, ""),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(golden, tfjsonpath.New("id"), knownvalue.NotNull()),
						statecheck.ExpectKnownValue(golden, tfjsonpath.New("name"), knownvalue.StringExact("dev-golden")),
						statecheck.ExpectKnownValue(golden, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339)),
						statecheck.CompareValuePairs(golden, tfjsonpath.New("instance_id"), devBox, tfjsonpath.New("id"), compare.ValuesSame()),
						statecheck.CompareValuePairs(restored, tfjsonpath.New("image").AtMapKey("snapshot"), golden, tfjsonpath.New("id"), compare.ValuesSame()),
						statecheck.ExpectKnownValue(restored, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					},
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: func(s *terraform.State) error {
						id := s.RootModule().Resources[golden].Primary.ID
						for _, img := range w.Sim.Images() {
							if w.ImageID(img) == id {
								if img.Status != "available" || !framework.IsManaged(img.Labels) {
									return fmt.Errorf("snapshot %s is %s with labels %v, want available and managed", id, img.Status, img.Labels)
								}
								return nil
							}
						}
						return fmt.Errorf("snapshot %s is not in the cloud", id)
					},
				},
				{
					ResourceName:            golden,
					ImportState:             true,
					ImportStateVerify:       true,
					ImportStateVerifyIgnore: []string{"timeouts"},
				},
			},
		})
	})
}

// A snapshot whose wait fails is still recorded, then replaced.
func TestAccSnapshot_waitTimeout(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		// The snapshot takes an hour of simulated time; the test moves the
		// clock past it before the replacing apply.
		var offset atomic.Int64
		w := c.Start(t, sim.Options{ImageReadyDelay: time.Hour, Now: func() time.Time {
			return time.Now().Add(time.Duration(offset.Load()))
		}})
		cfg := w.ProviderBlock() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  name   = "dev-box"
  region = %q
  size   = %q
  image  = { ubuntu = "24.04" }
}

resource "spuff_snapshot" "golden" {
  instance_id = spuff_instance.dev.id
  name        = "dev-golden"
  timeouts {
    create = "2s"
  }
}
`, c.Region, c.Size)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{
					Config:      cfg,
					ExpectError: regexp.MustCompile(`(?s)Not Complete.*was\s+created\s+and\s+is\s+recorded\s+in\s+state`),
				},
				{
					PreConfig: func() {
						if n := len(w.Sim.Images()); n != 1 {
							t.Fatalf("after the timed-out snapshot the cloud has %d snapshots, want 1", n)
						}
						w.Sim.SetDelays(0, 0)
						offset.Store(int64(2 * time.Hour))
					},
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(golden, plancheck.ResourceActionReplace)},
					},
				},
			},
		})
	})
}

// noSnapshots is a cloud that cannot snapshot, for the plan-time check.
type noSnapshots struct{ framework.Provider }

func (noSnapshots) SupportsSnapshots() bool { return false }

func TestAccSnapshot_notSupported(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		registry := withCloud(c, func(p framework.Provider) framework.Provider { return noSnapshots{p} })
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6(registry),
			Steps: []resource.TestStep{{
				Config: w.ProviderBlock() + `
resource "spuff_snapshot" "golden" {
  instance_id = "1"
  name        = "dev-golden"
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Snapshots Not Supported.*does not support snapshots`),
			}},
		})
		if n := len(w.Sim.RequestCounts()); n != 0 {
			t.Errorf("a plan-time refusal must not call the cloud, saw %v", w.Sim.RequestCounts())
		}
	})
}

func TestSnapshotFromSnapshot(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	var m snapshotModel
	m.fromSnapshot(&framework.Snapshot{ID: "9", Name: "gold", CreatedAt: &created, InstanceID: "4"}, true)
	if m.ID.ValueString() != "9" || m.Name.ValueString() != "gold" || m.InstanceID.ValueString() != "4" ||
		m.CreatedAt.ValueString() != "2026-01-02T02:04:05Z" {
		t.Errorf("fromSnapshot = %+v", m)
	}
}

// labelledSnapshotConfig is snapshotConfig with the snapshot's name and
// labels given.
func labelledSnapshotConfig(w *accWorld, name, team string) string {
	return strings.Replace(snapshotConfig(w, fmt.Sprintf("  labels = { team = %q }", team)),
		`name        = "dev-golden"`, fmt.Sprintf(`name        = %q`, name), 1)
}

// A snapshot's name and labels change in place where the cloud can: the
// snapshot, and the machine restored from it, stay.
func TestAccSnapshot_inPlace(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		sameSnap := statecheck.CompareValue(compare.ValuesSame())
		sameRestored := statecheck.CompareValue(compare.ValuesSame())
		cloudHas := func(name, team string) resource.TestCheckFunc {
			return func(s *terraform.State) error {
				id := s.RootModule().Resources[golden].Primary.ID
				for _, img := range w.Sim.Images() {
					if w.ImageID(img) == id {
						if (img.Description != name && img.Name != name) || img.Labels["team"] != team || !framework.IsManaged(img.Labels) {
							return fmt.Errorf("snapshot %s is %q with labels %v, want %q with team=%s and managed-by", id, img.Description, img.Labels, name, team)
						}
						return nil
					}
				}
				return fmt.Errorf("snapshot %s is not in the cloud", id)
			}
		}
		newName := "dev-golden"
		if c.Cloud.Updates.SnapshotName {
			newName = "dev-golden-v2"
		}
		checks := func() []statecheck.StateCheck {
			return []statecheck.StateCheck{
				sameSnap.AddStateValue(golden, tfjsonpath.New("id")),
				sameRestored.AddStateValue(restored, tfjsonpath.New("id")),
			}
		}
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{
					Config:            labelledSnapshotConfig(w, "dev-golden", "red"),
					ConfigStateChecks: append(checks(), statecheck.ExpectKnownValue(golden, tfjsonpath.New("labels"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("red")}))),
					Check:             cloudHas("dev-golden", "red"),
				},
				{
					// The labels change in place, and so does the name where
					// the cloud renames snapshots (an AMI's name is fixed).
					Config: labelledSnapshotConfig(w, newName, "blue"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(golden, plancheck.ResourceActionUpdate),
							plancheck.ExpectResourceAction(restored, plancheck.ResourceActionNoop),
							plancheck.ExpectResourceAction(devBox, plancheck.ResourceActionNoop),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: checks(),
					Check:             cloudHas(newName, "blue"),
				},
				{
					ResourceName:            golden,
					ImportState:             true,
					ImportStateVerify:       true,
					ImportStateVerifyIgnore: []string{"timeouts"},
				},
			},
		})
	})
}

// A snapshot is refused at plan for a size whose disk is smaller than the
// snapshot's, as the cloud would refuse it at apply.
func TestAccSnapshot_diskTooSmall(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		base := w.ProviderBlock() + fmt.Sprintf(`
resource "spuff_instance" "big" {
  name   = "big-box"
  region = %[1]q
  size   = %[2]q
  image  = { ubuntu = "24.04" }
}

resource "spuff_snapshot" "golden" {
  instance_id = spuff_instance.big.id
  name        = "big-golden"
}
`, c.Region, c.OtherSize)
		small := base + fmt.Sprintf(`
resource "spuff_instance" "restored" {
  name   = "small-box"
  region = %q
  size   = %q
  image  = { snapshot = spuff_snapshot.golden.id }
}
`, c.Region, c.Size)
		var servers int
		if c.VolumesBySnapshot {
			// The volume is sized from the snapshot: the small size restores it.
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: accProviders,
				CheckDestroy:             checkDestroyed(w),
				Steps: []resource.TestStep{
					{Config: base},
					{
						Config: small,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(restored, plancheck.ResourceActionCreate)},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
					},
				},
			})
			return
		}
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{
				{
					Config: base,
					Check: func(*terraform.State) error {
						servers = len(w.Servers())
						return nil
					},
				},
				{
					Config:      small,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Disk Too Small for the Snapshot.*needs a disk of at least \d+ GB.*` + c.Size),
				},
				{
					// Unknown at plan (snapshot and machine in one apply): the
					// cloud refuses it at apply, and nothing is left behind.
					PreConfig: func() {
						if n := len(w.Servers()); n != servers {
							t.Fatalf("the refused plan changed the cloud: %d servers, want %d", n, servers)
						}
					},
					Config: base + fmt.Sprintf(`
resource "spuff_snapshot" "fresh" {
  instance_id = spuff_instance.big.id
  name        = "big-fresh"
}

resource "spuff_instance" "restored" {
  name   = "small-box"
  region = %q
  size   = %q
  image  = { snapshot = spuff_snapshot.fresh.id }
}
`, c.Region, c.Size),
					ExpectError: regexp.MustCompile(`(?s)Disk Too Small for the Snapshot.*` + c.Size),
				},
			},
		})
	})
}
