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
	return framework.WaitGone(ctx, p.gone, id)
}

// pollGone says which of the servers waited for are gone. Hetzner cannot
// read servers by a list of IDs, so for one server (or few, against many
// managed ones) it reads each; for more it lists the managed servers, as
// many pages as there are 50 of them, and a server missing from the list
// is gone. WaitGone is for servers DestroyInstance accepted, which are
// managed.
func (p *Provider) pollGone(ctx context.Context, ids map[string]struct{}) (map[string]framework.WatchState, error) {
	if int64(len(ids)) <= max(p.listPages.Load(), 1) {
		return framework.PollEach(p.GetInstance)(ctx, ids)
	}
	servers, err := allPages(ctx, p, "servers", func(ctx context.Context, lo hcloud.ListOpts) ([]*hcloud.Server, *hcloud.Response, error) {
		lo.LabelSelector = managedSelector
		return p.client.Server.List(ctx, hcloud.ServerListOpts{ListOpts: lo})
	})
	if err != nil {
		return nil, err
	}
	p.listPages.Store(int64(len(servers)/listPerPage + 1))
	alive := make(map[string]*framework.Instance, len(servers))
	for _, s := range servers {
		inst := serverToInstance(s)
		alive[inst.ID] = inst
	}
	out := make(map[string]framework.WatchState, len(ids))
	for id := range ids {
		out[id] = framework.GoneState(alive[id])
	}
	return out, nil
}
