package resources

import (
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/testcloud"
)

// The acceptance tests run against one simulated account per test and
// cloud: accCloud is a cloud's fixture (the plug-in and values its API
// accepts), accWorld one account. Every test loops over testcloud.All, so
// a cloud joins the suite by adding its fixture there.
type (
	accCloud = testcloud.Fixture
	accWorld = testcloud.Account
)

// forEachCloud runs fn as a subtest per cloud, named after it.
func forEachCloud(t *testing.T, fn func(t *testing.T, c accCloud)) {
	for _, c := range testcloud.All {
		t.Run(c.Name(), func(t *testing.T) { fn(t, c) })
	}
}

// checkDestroyed asks the simulator that no machine or snapshot of the
// state is left, and that nothing managed by spuff is left at all.
func checkDestroyed(w *accWorld) func(*terraform.State) error {
	return func(state *terraform.State) error { return destroyed(w, state) }
}

func destroyed(w *accWorld, state *terraform.State) error {
	servers := w.Servers()
	images := map[string]bool{}
	for _, img := range w.Sim.Images() {
		images[w.ImageID(img)] = true
		if framework.IsManaged(img.Labels) {
			return fmt.Errorf("snapshot %s (%s) is still in the cloud", w.ImageID(img), img.Description)
		}
	}
	for _, rs := range state.RootModule().Resources {
		switch rs.Type {
		case "spuff_instance":
			if _, ok := servers[rs.Primary.ID]; ok {
				return fmt.Errorf("instance %s is still in the cloud", rs.Primary.ID)
			}
		case "spuff_snapshot":
			if images[rs.Primary.ID] {
				return fmt.Errorf("snapshot %s is still in the cloud", rs.Primary.ID)
			}
		}
	}
	for _, s := range servers {
		if framework.IsManaged(s.Labels) {
			return fmt.Errorf("managed instance %d (%s) is still in the cloud", s.ID, s.Name)
		}
	}
	return nil
}

// protoV6 serves the provider in-process with the given registry.
func protoV6(registry *framework.Registry) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"spuff": providerserver.NewProtocol6WithError(New("test", registry)()),
	}
}

// accRegistry is every cloud of the suite, plus a planned one, as main
// composes them.
func accRegistry() *framework.Registry {
	r := framework.NewRegistry(framework.Planned("gcp", "Google Cloud", "gce"))
	for _, c := range testcloud.All {
		r.Register(c.Cloud)
	}
	return r
}

// withCloud is accRegistry with cloud c's plug-in wrapped by wrap, to take
// capabilities away in a test.
func withCloud(c accCloud, wrap func(framework.Provider) framework.Provider) *framework.Registry {
	r := accRegistry()
	inner := c.Cloud.New
	wrapped := c.Cloud
	wrapped.New = func(cfg framework.Config) (framework.Provider, error) {
		p, err := inner(cfg)
		if err != nil {
			return nil, err
		}
		return wrap(p), nil
	}
	r.Register(wrapped)
	return r
}

var accProviders = protoV6(accRegistry())

// accPreCheck skips acceptance tests unless TF_ACC is set, as
// terraform-plugin-testing does, with a hint on how to run them.
func accPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: run with `make testacc` (TF_ACC=1); it needs only the terraform CLI, no credentials")
	}
}
