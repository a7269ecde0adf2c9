package e2e

import (
	"strings"
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
	"github.com/spuff/terraform-provider-spuff/internal/testcloud"
)

// A destroy that skips the refresh goes straight to Delete: the provider
// must still refuse to delete a machine that no longer carries
// managed-by=spuff, and say so.
func TestDestroyRefusesUnmanaged(t *testing.T) {
	requireTF(t)
	forEachCloud(t, func(t *testing.T, c testcloud.Fixture) {
		w := newWorld(t, c, sim.Options{})
		wd := newWorkdir(t)
		wd.write(fleetConfig(w, 1, 0))
		if out, err := wd.run("apply", "-auto-approve"); err != nil {
			t.Fatalf("apply: %v\n%s", err, out)
		}
		servers, _ := w.Managed()
		if len(servers) != 1 {
			t.Fatalf("the cloud holds %v, want one machine", servers)
		}
		id := servers[0]
		w.SetLabels(t, id, map[string]string{"role": "soak"})
		out, err := wd.run("destroy", "-auto-approve", "-refresh=false")
		if err == nil || !strings.Contains(out, "Instance Not Managed by Spuff") || !strings.Contains(out, "refuses to delete") {
			t.Fatalf("destroy of an unmanaged machine: err = %v, want a refusal:\n%s", err, out)
		}
		if _, still := w.Servers()[id]; !still {
			t.Fatal("the unmanaged machine was deleted")
		}

		w.SetLabels(t, id, map[string]string{"role": "soak", "managed-by": "spuff"})
		if out, err := wd.run("destroy", "-auto-approve"); err != nil {
			t.Fatalf("destroy after restoring the label: %v\n%s", err, out)
		}
		if servers, _ := w.Managed(); len(servers) != 0 {
			t.Fatalf("after destroy the cloud still holds %v", servers)
		}
	})
}
