package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
	"github.com/spuff/terraform-provider-spuff/internal/testcloud"
)

// readmeUsage returns the first hcl block of README.md's Usage section.
func readmeUsage(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, usage, ok := strings.Cut(string(b), "\n## Usage\n")
	if !ok {
		t.Fatal("README.md has no '## Usage' section")
	}
	usage, _, _ = strings.Cut(usage, "\n## ")
	_, block, ok := strings.Cut(usage, "```hcl\n")
	if !ok {
		t.Fatal("README.md's Usage section has no hcl block")
	}
	block, _, ok = strings.Cut(block, "\n```")
	if !ok {
		t.Fatal("README.md's Usage hcl block is not closed")
	}
	return block + "\n"
}

// The README's usage example runs as written against the simulator, with
// the token and the endpoint from the environment as the README says, and
// is formatted as terraform fmt would.
func TestReadmeUsageExample(t *testing.T) {
	requireTF(t)
	w := newWorld(t, testcloud.Hetzner, sim.Options{})
	wd := newWorkdir(t)
	wd.env = append(wd.env, "SPUFF_ENDPOINT="+w.Endpoint, "SPUFF_TOKEN="+w.Token)
	wd.write(readmeUsage(t))

	if out, err := wd.run("fmt", "-check", "-diff"); err != nil {
		t.Errorf("the README's usage example is not terraform fmt clean:\n%s", out)
	}
	if out, err := wd.run("apply", "-auto-approve"); err != nil {
		t.Fatalf("apply of the README's usage example: %v\n%s", err, out)
	}
	out, err := wd.run("output", "-json")
	if err != nil {
		t.Fatalf("terraform output: %v\n%s", err, out)
	}
	var outputs struct {
		IP       struct{ Value string }   `json:"ip"`
		Machines struct{ Value []string } `json:"platform_machines"`
	}
	if err := json.Unmarshal([]byte(out), &outputs); err != nil {
		t.Fatalf("terraform output -json: %v\n%s", err, out)
	}
	if outputs.IP.Value == "" || !slices.Contains(outputs.Machines.Value, "dev-box") {
		t.Errorf("outputs = %+v, want an IP and dev-box among the platform machines", outputs)
	}
	if servers, snapshots := w.Managed(); len(servers) != 1 || len(snapshots) != 1 {
		t.Errorf("the cloud holds servers %v and snapshots %v, want one of each", servers, snapshots)
	}
	if out, err := wd.run("destroy", "-auto-approve"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, out)
	}
	if servers, snapshots := w.Managed(); len(servers)+len(snapshots) != 0 {
		t.Errorf("left behind after destroy: servers %v, snapshots %v", servers, snapshots)
	}
}
