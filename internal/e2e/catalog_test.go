package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
	"github.com/spuff/terraform-provider-spuff/internal/testcloud"
)

// catalogCalls counts the catalogue lists among a world's requests.
func catalogCalls(w *world) int {
	n := 0
	counts := w.Sim.RequestCounts()
	for _, list := range w.CatalogRequests {
		n += counts[list]
	}
	return n
}

// The catalogue is read at most once per provider process (three list
// requests, however many machines the plan creates), and not at all by a
// plan that creates or replaces nothing.
func TestCatalogOncePerPlan(t *testing.T) {
	requireTF(t)
	forEachCloud(t, func(t *testing.T, c testcloud.Fixture) {
		w := newWorld(t, c, sim.Options{})
		wd := newWorkdir(t)
		wd.write(fleetConfig(w, 8, 0))
		if out, err := wd.run("plan"); err != nil {
			t.Fatalf("plan: %v\n%s", err, out)
		}
		if n := catalogCalls(w); n != c.CatalogCost {
			t.Errorf("a plan creating 8 machines made %d catalogue requests, want %d (one list each): %v", n, c.CatalogCost, w.Sim.RequestCounts())
		}
		if out, err := wd.run("apply", "-auto-approve"); err != nil {
			t.Fatalf("apply: %v\n%s", err, out)
		}
		before := catalogCalls(w)
		if out, err := wd.run("plan", "-detailed-exitcode"); err != nil {
			t.Fatalf("plan after apply is not empty: %v\n%s", err, out)
		}
		if n := catalogCalls(w) - before; n != 0 {
			t.Errorf("a plan with nothing to create made %d catalogue requests, want 0", n)
		}
		// A label edit is in place: still no catalogue.
		wd.write(strings.Replace(fleetConfig(w, 8, 0), `role = "soak"`, `role = "edited"`, 1))
		before = catalogCalls(w)
		out, err := wd.run("plan")
		if err != nil || !strings.Contains(out, "0 to add, 8 to change, 0 to destroy") {
			t.Fatalf("plan of a label edit: %v\n%s", err, out)
		}
		if n := catalogCalls(w) - before; n != 0 {
			t.Errorf("a plan of in-place updates made %d catalogue requests, want 0", n)
		}
		if out, err := wd.run("destroy", "-auto-approve"); err != nil {
			t.Fatalf("destroy: %v\n%s", err, out)
		}
		t.Logf("catalogue requests over plan, apply, two plans and destroy: %d", catalogCalls(w))
	})
}

// A size the cloud still sells but has deprecated plans with a warning that
// gives its end-of-sale date and the current sizes to move to. The
// simulated clock stands before Hetzner's 2025-12-31 end of sale of cpx11.
// Hetzner only: DigitalOcean deprecates no size per region.
func TestDeprecatedSizeWarns(t *testing.T) {
	requireTF(t)
	before := time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC)
	w := newWorld(t, testcloud.Hetzner, sim.Options{Now: func() time.Time { return before }})
	wd := newWorkdir(t)
	wd.write(strings.Replace(fleetConfig(w, 1, 0), `size   = "cx23"`, `size   = "cpx11"`, 1))
	out, err := wd.run("plan")
	if err != nil {
		t.Fatalf("plan of a deprecated but orderable size failed: %v\n%s", err, out)
	}
	for _, want := range []string{"Warning: Deprecated Size", `"cpx11" is deprecated (announced 2025-10-16)`, "until 2025-12-31", `"cpx12"`, "1 to add"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
}
