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
// droplets (a missing one is gone: WaitGone
// is for droplets DestroyInstance accepted, which are managed).
func (p *Provider) pollGone(ctx context.Context, ids map[string]struct{}) (map[string]framework.WatchState, error) {
	if int64(len(ids)) <= max(p.listPages.Load(), 1) {
		return framework.PollEach(p.GetInstance)(ctx, ids)
	}
	droplets, err := p.listByTag(ctx, managedTag)
	if err != nil {
		return nil, err
	}
	alive := make(map[string]*framework.Instance, len(droplets))
	for i := range droplets {
		inst := dropletToInstance(&droplets[i])
		alive[inst.ID] = inst
	}
	out := make(map[string]framework.WatchState, len(ids))
	for id := range ids {
		out[id] = framework.GoneState(alive[id])
	}
	return out, nil
}
