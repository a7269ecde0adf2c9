package resources

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

// logEntry starts a log entry; continuation lines are indented.
var logEntry = regexp.MustCompile(`^\d{4}-\d\d-\d\dT`)

// withoutHarnessEntries drops the test harness's own entries: it echoes the
// test's configuration, secrets and all, which is not the provider logging.
func withoutHarnessEntries(log string) string {
	var out strings.Builder
	skip := false
	for line := range strings.Lines(log) {
		if logEntry.MatchString(line) {
			skip = strings.Contains(line, "] sdk.helper_resource:")
		}
		if !skip {
			out.WriteString(line)
		}
	}
	return out.String()
}

// A full apply and destroy at TRACE never writes the token or user_data to
// any log (the provider's own, the SDK's, or Terraform's), while the
// provider's lines about every cloud call are there.
func TestAccSecretsNeverLogged(t *testing.T) {
	accPreCheck(t)
	forEachCloud(t, func(t *testing.T, c accCloud) {
		w := c.Start(t, sim.Options{})
		dir := t.TempDir()
		t.Setenv("TF_LOG_PATH_MASK", filepath.Join(dir, "%s.log"))
		t.Setenv("TF_LOG", "TRACE")
		const secretUserData = "sekrit-user-data-4711"
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: accProviders,
			CheckDestroy:             checkDestroyed(w),
			Steps: []resource.TestStep{{
				Config: w.ProviderBlock() + fmt.Sprintf(`
resource "spuff_instance" "dev" {
  name      = "dev-box"
  region    = %q
  size      = %q
  image     = { ubuntu = "24.04" }
  user_data = "#cloud-config\nwrite_files: [{path: /etc/x, content: %s}]\n"
}
data "spuff_instances" "all" {
  depends_on = [spuff_instance.dev]
}
`, c.Region, c.Size, secretUserData),
			}},
		})

		files, err := filepath.Glob(filepath.Join(dir, "*.log"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no log files written (%v)", err)
		}
		var all strings.Builder
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			all.WriteString(withoutHarnessEntries(string(b)))
		}
		logs := all.String()
		for _, want := range []string{"spuff.spuff: cloud API call", "spuff.spuff: instance ready", "spuff.spuff: waiting for instance deletion"} {
			if !strings.Contains(logs, want) {
				t.Errorf("the log lacks %q: the provider's lines were not captured", want)
			}
		}
		if strings.Contains(logs, w.Token) {
			t.Error("the token appears in the log")
		}
		if strings.Contains(logs, secretUserData) {
			t.Error("user_data appears in the log")
		}
	})
}
