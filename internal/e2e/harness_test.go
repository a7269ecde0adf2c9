package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
	"github.com/spuff/terraform-provider-spuff/internal/testcloud"
)

// providerDir holds the provider binary built once for the package.
var providerDir string

func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC") == "" {
		fmt.Println("e2e: skipped; set TF_ACC=1 (make test does) to drive the terraform CLI")
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "spuff-e2e-provider")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	providerDir = dir
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-spuff"), "github.com/spuff/terraform-provider-spuff")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the provider:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func requireTF(t *testing.T) {
	t.Helper()
	if providerDir == "" {
		t.Skip("end-to-end test: run with TF_ACC=1 (make test)")
	}
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Skip("terraform is not on PATH")
	}
}

// world is a simulated account on an in-process simulator.
type world = testcloud.Account

func newWorld(tb testing.TB, c testcloud.Fixture, opts sim.Options) *world {
	tb.Helper()
	return c.Start(tb, opts)
}

// forEachCloud runs fn as a subtest per cloud, named after it.
func forEachCloud(t *testing.T, fn func(t *testing.T, c testcloud.Fixture)) {
	for _, c := range testcloud.All {
		t.Run(c.Name(), func(t *testing.T) { fn(t, c) })
	}
}

// forEachCloudB is forEachCloud for benchmarks.
func forEachCloudB(b *testing.B, fn func(b *testing.B, c testcloud.Fixture)) {
	for _, c := range testcloud.All {
		b.Run(c.Name(), func(b *testing.B) { fn(b, c) })
	}
}

// workdir is a Terraform working directory using the built provider.
type workdir struct {
	t   testing.TB
	dir string
	env []string
}

// writeDevOverride writes a CLI config at path that takes the provider
// source from the binary in dir and every other provider as usual.
func writeDevOverride(t testing.TB, path, source, dir string) {
	t.Helper()
	cfg := fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, source, dir)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

func newWorkdir(t testing.TB) *workdir {
	t.Helper()
	dir := t.TempDir()
	rc := filepath.Join(dir, "dev.tfrc")
	writeDevOverride(t, rc, "registry.terraform.io/spuff/spuff", providerDir)
	env := []string{"TF_CLI_CONFIG_FILE=" + rc, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1"}
	for _, kv := range os.Environ() {
		// No TF_*, SPUFF_* or cloud credential variable of the user's
		// reaches the test's terraform.
		k, _, _ := strings.Cut(kv, "=")
		leak := strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "SPUFF_")
		for _, prefix := range testcloud.EnvPrefixes() {
			leak = leak || strings.HasPrefix(k, prefix)
		}
		if !leak {
			env = append(env, kv)
		}
	}
	return &workdir{t: t, dir: dir, env: env}
}

// write replaces main.tf.
func (wd *workdir) write(config string) {
	wd.t.Helper()
	if err := os.WriteFile(filepath.Join(wd.dir, "main.tf"), []byte(config), 0o600); err != nil {
		wd.t.Fatal(err)
	}
}

// command prepares terraform with args in the working directory.
func (wd *workdir) command(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, "terraform", args...)
	cmd.Dir = wd.dir
	cmd.Env = wd.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

// run runs terraform and returns its combined output and error.
func (wd *workdir) run(args ...string) (string, error) {
	cmd, out := wd.command(context.Background(), append(args, "-no-color")...)
	err := cmd.Run()
	return out.String(), err
}

// stateIDs returns the IDs of the instances and snapshots in state.
func (wd *workdir) stateIDs() (instances, snapshots []string) {
	wd.t.Helper()
	out, err := wd.run("show", "-json")
	if err != nil {
		wd.t.Fatalf("terraform show: %v\n%s", err, out)
	}
	var state struct {
		Values *struct {
			RootModule struct {
				Resources []struct {
					Type   string         `json:"type"`
					Values map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(out), &state); err != nil {
		wd.t.Fatalf("terraform show -json: %v\n%s", err, out)
	}
	if state.Values == nil {
		return nil, nil
	}
	for _, r := range state.Values.RootModule.Resources {
		id, _ := r.Values["id"].(string)
		switch r.Type {
		case "spuff_instance":
			instances = append(instances, id)
		case "spuff_snapshot":
			snapshots = append(snapshots, id)
		}
	}
	slices.Sort(instances)
	slices.Sort(snapshots)
	return instances, snapshots
}

// diff describes how the world differs from state: orphans (in the cloud,
// unknown to state) and ghosts (in state, gone from the cloud).
func diff(world, state []string) (orphans, ghosts []string) {
	for _, id := range world {
		if !slices.Contains(state, id) {
			orphans = append(orphans, id)
		}
	}
	for _, id := range state {
		if !slices.Contains(world, id) {
			ghosts = append(ghosts, id)
		}
	}
	return orphans, ghosts
}

// providerConfig is the terraform block and a provider block for w.
func providerConfig(w *world) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    spuff = { source = "spuff/spuff" }
  }
}

provider "spuff" {
  cloud    = %q
  token    = %q
  endpoint = %q
  timeouts = { poll_interval = "1s" }
}
`, w.Cloud.Name, w.Token, w.Endpoint)
}

// fleetConfig is n instances in w and snapshots of the first `snapshots`
// of them.
func fleetConfig(w *world, n, snapshots int) string {
	return providerConfig(w) + fmt.Sprintf(`
resource "spuff_instance" "fleet" {
  count  = %d
  name   = "fleet-${count.index}"
  region = %q
  size   = %q
  image  = { ubuntu = "24.04" }
  labels = { role = "soak" }
}

resource "spuff_snapshot" "golden" {
  count       = %d
  instance_id = spuff_instance.fleet[count.index].id
  name        = "golden-${count.index}"
}
`, n, w.Region, w.Size, snapshots)
}
