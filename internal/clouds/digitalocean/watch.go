package digitalocean

import (
	"context"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// Waiting for droplets to be ready is the framework's batched watcher.
// DigitalOcean reports no progress, so the watcher polls blind (a steady
// step near a second, shorter when many droplets share each look; see
// framework.Watcher); this file only says how to ask: one droplet is read
// by ID, several at once by one walk of the managed droplets' list.

func newReadyWatcher(p *Provider) *framework.Watcher[struct{}] {
	return framework.NewWatcher(framework.WatcherConfig[struct{}]{
		Poll:           p.pollReady,
		PollInterval:   p.timeouts.PollInterval,
		RequestTimeout: p.timeouts.HTTPRequest,
		Log:            p.log,
		Message:        "waiting for droplet to be ready",
		Fields:         map[string]any{"provider": providerName},
	})
}

// pollReady reads the droplets waited for: by ID while they are no more
// than the pages a list of the managed droplets takes, else by one list.
func (p *Provider) pollReady(ctx context.Context, ids map[string]struct{}) (map[string]framework.WatchState, error) {
	found := make(map[string]*framework.Instance, len(ids))
	if int64(len(ids)) <= max(p.listPages.Load(), 1) {
		for id := range ids {
			inst, err := p.GetInstance(ctx, id)
			if err != nil {
				return nil, err
			}
			found[id] = inst
		}
	} else {
		droplets, err := p.listByTag(ctx, managedTag)
		if err != nil {
			return nil, err
		}
		for i := range droplets {
			inst := dropletToInstance(&droplets[i])
			if _, ok := ids[inst.ID]; ok {
				found[inst.ID] = inst
			}
		}
		// A droplet missing from the list (not managed, or just made)
		// is read on its own.
		for id := range ids {
			if found[id] != nil {
				continue
			}
			inst, err := p.GetInstance(ctx, id)
			if err != nil {
				return nil, err
			}
			found[id] = inst
		}
	}
	return p.seen.ReadyStates(ids, found), nil
}

// WaitReady waits until the droplet is active with a public IPv4, bounded
// by Timeouts.InstanceReady and ctx, through the shared watcher.
func (p *Provider) WaitReady(ctx context.Context, id string) (*framework.Instance, error) {
	if _, err := parseID("id", id); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeouts.InstanceReady)
	defer cancel()
	inst, err := p.seen.WaitReady(ctx, p.ready, framework.Watch[struct{}]{
		Key: id, FirstLook: framework.ReadyFirstLook,
		Operation: "waiting for instance " + id + " to be ready",
	})
	if err != nil {
		return nil, err
	}
	if inst != nil {
		p.logf(ctx, "droplet ready", map[string]any{"provider": providerName, "id": id, "ip": inst.IP.String()})
		return inst, nil
	}
	return p.existingInstance(ctx, id)
}
