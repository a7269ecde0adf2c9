package digitalocean

import (
	"context"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// WaitGone waits until the droplet no longer exists, bounded by ctx,
// through the provider's shared watcher.
func (p *Provider) WaitGone(ctx context.Context, id string) error {
	if _, err := parseID("id", id); err != nil {
		return err
	}
	return framework.WaitGone(ctx, p.gone, id)
}

// pollGone says which droplets waited for are gone: read by ID while they
// are no more than the pages of a list, else by one walk of the managed
// droplets.
func (p *Provider) pollGone(ctx context.Context, ids map[string]struct{}) (map[string]framework.WatchState, error) {
	return framework.PollEachOrList(p.GetInstance, p.ListInstances, p.listPages.Load)(ctx, ids)
}

var _ framework.ManyReader = (*Provider)(nil)

// ReadInstances reads many machines at once, as pollGone does, for the
// managed-by checks of concurrent deletes (framework.ManyReader).
func (p *Provider) ReadInstances(ctx context.Context, ids map[string]struct{}) (map[string]*framework.Instance, error) {
	return framework.ReadEachOrList(p.GetInstance, p.ListInstances, p.listPages.Load)(ctx, ids)
}
