package e2e

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

// TestInterruptedApply sends SIGINT to terraform while machines are being
// created and waited for. Every machine the cloud then holds must be in
// state; the next apply must converge without duplicates and destroy must
// leave nothing behind.
func TestInterruptedApply(t *testing.T) {
	requireTF(t)
	const n = 6
	// Slow machines and some latency, so the interrupt lands during waits
	// and, likely, during a create request in flight.
	w := newWorld(t, sim.Options{ServerReadyDelay: 5 * time.Second, Faults: sim.FaultRates{Latency: 200 * time.Millisecond}})
	wd := newWorkdir(t)
	wd.write(fleetConfig(w.Endpoint, n, 0))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd, out := wd.command(ctx, "apply", "-auto-approve", "-no-color", "-parallelism=4")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); len(w.Sim.Servers()) < 3; {
		if time.Now().After(deadline) {
			t.Fatalf("no machines were created within a minute:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatalf("the interrupted apply succeeded; it should have been cut short:\n%s", out.String())
	}
	t.Logf("interrupted apply:\n%s", tail(out.String(), 25))

	servers, _ := w.Managed()
	inState, _ := wd.stateIDs()
	if orphans, _ := diff(servers, inState); len(orphans) > 0 {
		t.Fatalf("after the interrupt the cloud holds machines %v that state does not know (state: %v)", orphans, inState)
	}
	if len(servers) == 0 || len(servers) >= n {
		t.Logf("note: the interrupt left %d of %d machines", len(servers), n)
	}

	w.Sim.SetDelays(0, 0)
	if out, err := wd.run("apply", "-auto-approve"); err != nil {
		t.Fatalf("apply after the interrupt: %v\n%s", err, out)
	}
	servers, _ = w.Managed()
	inState, _ = wd.stateIDs()
	if orphans, ghosts := diff(servers, inState); len(servers) != n || len(orphans)+len(ghosts) > 0 {
		t.Fatalf("after the second apply the cloud holds %v and state %v; want the same %d machines", servers, inState, n)
	}
	names := map[string]bool{}
	for _, s := range w.Sim.Servers() {
		if names[s.Name] {
			t.Errorf("duplicate machine named %s", s.Name)
		}
		names[s.Name] = true
	}

	if out, err := wd.run("destroy", "-auto-approve"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, out)
	}
	if servers, _ := w.Managed(); len(servers) > 0 {
		t.Fatalf("after destroy the cloud still holds %v", servers)
	}
}
