package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
	"github.com/spuff/terraform-provider-spuff/internal/testcloud"
)

// TestInterruptedApply sends SIGINT to terraform while machines are being
// created and waited for. Every machine the cloud then holds must be in
// state; the next apply must converge without duplicates and destroy must
// leave nothing behind.
func TestInterruptedApply(t *testing.T) {
	requireTF(t)
	forEachCloud(t, func(t *testing.T, c testcloud.Fixture) {
		const n = 6
		// Slow machines and some latency, so the interrupt lands during waits
		// and, likely, during a create request in flight.
		w := newWorld(t, c, sim.Options{ServerReadyDelay: 5 * time.Second, Faults: sim.FaultRates{Latency: 200 * time.Millisecond}})
		wd := newWorkdir(t)
		wd.write(fleetConfig(w, n, 0))

		cmd, out := applyUntil(t, wd, w, 3, "-parallelism=4")
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
		for _, s := range w.Servers() {
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
	})
}

// TestKilledApplyFindsTheMachine kills terraform (SIGKILL: no state is
// written) after the cloud created a machine. The next apply must not
// create a second machine of that name, even where names are not unique
// (DigitalOcean): it fails, naming the managed machine's ID to import.
// After the import, the apply converges on that one machine.
func TestKilledApplyFindsTheMachine(t *testing.T) {
	requireTF(t)
	forEachCloud(t, func(t *testing.T, c testcloud.Fixture) {
		w := newWorld(t, c, sim.Options{ServerReadyDelay: time.Minute})
		wd := newWorkdir(t)
		wd.write(fleetConfig(w, 1, 0))

		cmd, _ := applyUntil(t, wd, w, 1)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if inState, _ := wd.stateIDs(); len(inState) != 0 {
			t.Fatalf("state holds %v after SIGKILL; the test needs a machine that state does not know", inState)
		}
		servers, _ := w.Managed()
		if len(servers) != 1 {
			t.Fatalf("the cloud holds %v, want the one machine the killed apply created", servers)
		}
		id := servers[0]

		w.Sim.SetDelays(0, 0)
		again, err := wd.run("apply", "-auto-approve")
		flat := strings.Join(strings.Fields(again), " ")
		if err == nil || !strings.Contains(flat, id) || !strings.Contains(flat, "terraform import") {
			t.Fatalf("the apply after SIGKILL: err = %v; want a failure naming machine %s and terraform import:\n%s", err, id, again)
		}
		if servers, _ := w.Managed(); len(servers) != 1 {
			t.Fatalf("the apply after SIGKILL left the cloud with %v, want only %s", servers, id)
		}

		if out, err := wd.run("import", "spuff_instance.fleet[0]", id); err != nil {
			t.Fatalf("import %s: %v\n%s", id, err, out)
		}
		if out, err := wd.run("apply", "-auto-approve"); err != nil {
			t.Fatalf("apply after the import: %v\n%s", err, out)
		}
		if out, err := wd.run("plan", "-detailed-exitcode"); err != nil {
			t.Errorf("plan after the import and apply is not empty: %v\n%s", err, out)
		}
		if servers, _ := w.Managed(); len(servers) != 1 || servers[0] != id {
			t.Fatalf("after the import the cloud holds %v, want only %s", servers, id)
		}
		if out, err := wd.run("destroy", "-auto-approve"); err != nil {
			t.Fatalf("destroy: %v\n%s", err, out)
		}
		if servers, _ := w.Managed(); len(servers) != 0 {
			t.Fatalf("after destroy the cloud still holds %v", servers)
		}
	})
}

// applyUntil starts terraform apply (with args) in wd and returns once the
// cloud holds at least n machines, with the running command and its
// output. The command is killed when the test ends, at the latest.
func applyUntil(t *testing.T, wd *workdir, w *world, n int, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	cmd, out := wd.command(ctx, append([]string{"apply", "-auto-approve", "-no-color"}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); len(w.Servers()) < n; {
		if time.Now().After(deadline) {
			t.Fatalf("the cloud held fewer than %d machines a minute into the apply:\n%s", n, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cmd, out
}
