package resources

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

func TestAccInstancesDataSource(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		// Another tool's server in the same account, with a matching team
		// label but no managed-by: it must never be listed.
		w.CreateUnmanaged(t, "not-spuff", map[string]string{"team": "acc"})
		cfg := w.ProviderBlock() + fmt.Sprintf(`
resource "spuff_instance" "a" {
  name   = "box-a"
  region = %[1]q
  size   = %[2]q
  image  = { ubuntu = "24.04" }
  labels = { team = "acc", role = "ci" }
}

resource "spuff_instance" "b" {
  name   = "box-b"
  region = %[1]q
  size   = %[2]q
  image  = { debian = "12" }
  labels = { team = "acc" }
}

data "spuff_instances" "all" {
  depends_on = [spuff_instance.a, spuff_instance.b]
}

data "spuff_instances" "ci" {
  labels     = { role = "ci" }
  depends_on = [spuff_instance.a, spuff_instance.b]
}

data "spuff_instances" "b_by_name" {
  name_regex = "-b$"
  region     = %[1]q
  status     = "active"
  labels     = { team = "acc" }
  depends_on = [spuff_instance.a, spuff_instance.b]
}

data "spuff_instances" "none_off" {
  status     = "off"
  depends_on = [spuff_instance.a, spuff_instance.b]
}
`, c.Region, c.Size)
		item := func(name string) knownvalue.Check {
			return knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"name":         knownvalue.StringExact(name),
				"region":       knownvalue.StringExact(c.Region),
				"size":         knownvalue.StringExact(c.Size),
				"status":       knownvalue.StringExact("active"),
				"ipv4_address": knownvalue.StringRegexp(ipv4Pattern),
				"created_at":   knownvalue.StringRegexp(rfc3339),
				"id":           knownvalue.NotNull(),
			})
		}
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.spuff_instances.all", tfjsonpath.New("instances"),
						knownvalue.ListExact([]knownvalue.Check{item("box-a"), item("box-b")})),
					statecheck.ExpectKnownValue("data.spuff_instances.all", tfjsonpath.New("instances").AtSliceIndex(0).AtMapKey("labels"),
						knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("acc"), "role": knownvalue.StringExact("ci")})),
					statecheck.ExpectKnownValue("data.spuff_instances.ci", tfjsonpath.New("instances"),
						knownvalue.ListExact([]knownvalue.Check{item("box-a")})),
					statecheck.ExpectKnownValue("data.spuff_instances.b_by_name", tfjsonpath.New("instances"),
						knownvalue.ListExact([]knownvalue.Check{item("box-b")})),
					statecheck.ExpectKnownValue("data.spuff_instances.none_off", tfjsonpath.New("instances"), knownvalue.ListSizeExact(0)),
				},
			}},
		})
	})
}

func TestFilterInstances(t *testing.T) {
	managed := func(id, name string, extra map[string]string) framework.Instance {
		return framework.Instance{ID: id, Name: name, IP: netip.MustParseAddr("198.18.0.1"), Labels: framework.ManagedLabels(extra),
			Region: "fsn1", Status: framework.ParseStatus("running")}
	}
	list := []framework.Instance{
		managed("10", "b", map[string]string{"team": "x"}),
		managed("9", "b", nil),
		managed("100", "a", map[string]string{"team": "x", "role": "ci"}),
		{ID: "5", Name: "a-foreign", Labels: map[string]string{"team": "x"}, Region: "fsn1", Status: framework.ParseStatus("running")},
	}
	list[1].Region = "nbg1"
	list[0].Status = framework.ParseStatus("off")
	ids := func(insts []framework.Instance) []string {
		var out []string
		for _, i := range insts {
			out = append(out, i.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    instanceFilter
		ids  []string
	}{
		{"all managed, by name then numeric id", instanceFilter{}, []string{"100", "9", "10"}},
		{"label filter", instanceFilter{labels: map[string]string{"team": "x"}}, []string{"100", "10"}},
		{"two labels", instanceFilter{labels: map[string]string{"team": "x", "role": "ci"}}, []string{"100"}},
		{"value mismatch", instanceFilter{labels: map[string]string{"team": "y"}}, nil},
		{"managed-by is not a user filter escape", instanceFilter{labels: map[string]string{"managed-by": "spuff"}}, []string{"100", "9", "10"}},
		{"name regex", instanceFilter{name: regexp.MustCompile("^b$")}, []string{"9", "10"}},
		{"name regex never returns the unmanaged", instanceFilter{name: regexp.MustCompile("foreign")}, nil},
		{"region", instanceFilter{region: "nbg1"}, []string{"9"}},
		{"status", instanceFilter{status: "off"}, []string{"10"}},
		{"status and label", instanceFilter{status: "active", labels: map[string]string{"team": "x"}}, []string{"100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(filterInstances(list, tt.f)); !slices.Equal(got, tt.ids) {
				t.Errorf("filterInstances = %v, want %v", got, tt.ids)
			}
		})
	}
}
