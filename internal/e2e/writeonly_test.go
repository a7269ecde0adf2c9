package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
	"github.com/spuff/terraform-provider-spuff/internal/testcloud"
)

// writeOnlyConfig is one machine whose user data is write-only.
func writeOnlyConfig(w *world, marker string, version int) string {
	return providerConfig(w) + fmt.Sprintf(`
resource "spuff_instance" "wo" {
  name                 = "wo-box"
  region               = %q
  size                 = %q
  image                = { ubuntu = "24.04" }
  user_data_wo         = "#cloud-config\n# %s\n"
  user_data_wo_version = %d
}
`, w.Region, w.Size, marker, version)
}

// Write-only user data reaches the machine but never the state file or a
// saved plan; bumping its version replaces the machine. Needs Terraform
// 1.11 (write-only attributes).
func TestWriteOnlyUserDataStaysOutOfState(t *testing.T) {
	requireTF(t)
	forEachCloud(t, func(t *testing.T, c testcloud.Fixture) {
		w := newWorld(t, c, sim.Options{})
		wd := newWorkdir(t)
		out, err := wd.run("version")
		if err != nil {
			t.Fatalf("terraform version: %v\n%s", err, out)
		}
		if m := regexp.MustCompile(`v1\.(\d+)\.`).FindStringSubmatch(out); m == nil || minor(m[1]) < 11 {
			t.Skipf("write-only attributes need Terraform 1.11 or later: %s", strings.SplitN(out, "\n", 2)[0])
		}
		const marker = "marker-Q7ZK-secret"
		wd.write(writeOnlyConfig(w, marker, 1))
		if out, err := wd.run("plan", "-out", "tfplan"); err != nil {
			t.Fatalf("plan: %v\n%s", err, out)
		}
		if out, err := wd.run("apply", "-auto-approve", "tfplan"); err != nil {
			t.Fatalf("apply: %v\n%s", err, out)
		}
		for _, name := range []string{"terraform.tfstate", "tfplan"} {
			b, err := os.ReadFile(filepath.Join(wd.dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), marker) {
				t.Errorf("%s holds the write-only user data", name)
			}
		}
		got := ""
		for _, s := range w.Sim.ServersWithSecrets() {
			got += s.UserData
		}
		if !strings.Contains(got, marker) {
			t.Errorf("the machine did not get the write-only user data; the cloud has %q", got)
		}
		if out, err := wd.run("plan", "-detailed-exitcode"); err != nil {
			t.Errorf("plan after apply is not empty: %v\n%s", err, out)
		}
		wd.write(writeOnlyConfig(w, marker, 2))
		out, err = wd.run("plan")
		if err != nil {
			t.Fatalf("plan: %v\n%s", err, out)
		}
		if !strings.Contains(out, "1 to add, 0 to change, 1 to destroy") {
			t.Errorf("bumping user_data_wo_version does not replace the machine:\n%s", out)
		}
		if out, err := wd.run("destroy", "-auto-approve"); err != nil {
			t.Fatalf("destroy: %v\n%s", err, out)
		}
	})
}

func minor(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
