package hetzner

import (
	"context"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// WaitGone waits until the server no longer exists, bounded by ctx, through
// the provider's shared watcher: the deletes of one apply are confirmed by
// the same polls.
func (p *Provider) WaitGone(ctx context.Context, id string) error {
	if _, err := parseID("id", id); err != nil {
		return err
	}
	// The delete's own action is cheaper to follow than the server: it is
	// polled with every other action waited for (25 servers a request),
	// and needs no request at all when the answer says it is done.
	if v, ok := p.deleting.LoadAndDelete(id); ok {
		action := v.(*hcloud.Action)
		if action.Status == hcloud.ActionStatusSuccess {
			return nil
		}
		p.logf(ctx, "waiting for instance deletion", map[string]any{"provider": providerName, "id": id, "action": action.ID})
		err := p.waitAction(ctx, action, "deletion of instance "+id)
		if err == nil || ctx.Err() != nil {
			return err
		}
		p.logf(ctx, "delete action failed, checking the server", map[string]any{"provider": providerName, "id": id, "error": err.Error()})
	}
	return framework.WaitGone(ctx, p.gone, id)
}

// pollGone says which of the servers waited for are gone. Hetzner cannot
// read servers by a list of IDs, so for one server (or few, against many
// managed ones) it reads each; for more it lists the managed servers, as
// many pages as there are 50 of them.
func (p *Provider) pollGone(ctx context.Context, ids map[string]struct{}) (map[string]framework.WatchState, error) {
	return framework.PollEachOrList(p.GetInstance, p.ListInstances, p.listPages.Load)(ctx, ids)
}

var _ framework.ManyReader = (*Provider)(nil)

// ReadInstances reads many machines at once, as pollGone does, for the
// managed-by checks of concurrent deletes (framework.ManyReader).
func (p *Provider) ReadInstances(ctx context.Context, ids map[string]struct{}) (map[string]*framework.Instance, error) {
	return framework.ReadEachOrList(p.GetInstance, p.ListInstances, p.listPages.Load)(ctx, ids)
}
