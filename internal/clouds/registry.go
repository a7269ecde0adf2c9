package clouds

import (
	"github.com/spuff/terraform-provider-spuff/internal/clouds/hetzner"
	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// WithDefaults returns a registry with every known cloud registered (the
// spec's ProviderRegistry::with_defaults): Hetzner is implemented;
// DigitalOcean and AWS are known but not implemented yet.
func WithDefaults() *framework.Registry {
	r := framework.NewRegistry()
	r.Register(hetzner.Factory{})
	r.Register(framework.Unimplemented(framework.DigitalOcean))
	r.Register(framework.Unimplemented(framework.AWS))
	return r
}
