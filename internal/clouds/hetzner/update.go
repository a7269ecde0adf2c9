package hetzner

import (
	"context"
	"maps"
	"strconv"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

var (
	_ framework.InstanceUpdater = (*Provider)(nil)
	_ framework.SnapshotUpdater = (*Provider)(nil)
)

// UpdateCapabilities says what Hetzner changes in place (Cloud.Updates).
func (p *Provider) UpdateCapabilities() framework.UpdateCapabilities { return Cloud.Updates }

// UpdateInstance renames and relabels the server (PUT /servers/{id}), then
// resizes it: power off, change_type, power on. Each step is skipped when
// the server already shows its outcome, so a retry after a failure part
// way through converges instead of repeating what was done. The server is
// powered on after a resize even when a previous attempt left it off.
func (p *Provider) UpdateInstance(ctx context.Context, id string, change framework.InstanceChange) (*framework.Instance, error) {
	n, err := parseID("id", id)
	if err != nil {
		return nil, err
	}
	s, err := p.managedServer(ctx, id, n)
	if err != nil {
		return nil, err
	}
	opts := hcloud.ServerUpdateOpts{}
	if change.Name != nil && *change.Name != s.Name {
		opts.Name = *change.Name
	}
	if change.Labels != nil {
		if merged := framework.MergeLabels(s.Labels, change.Labels); !maps.Equal(merged, s.Labels) {
			opts.Labels = merged
		}
	}
	if opts.Name != "" || opts.Labels != nil {
		if err := validateLabels(opts.Labels); err != nil {
			return nil, err
		}
		if opts.Name != "" {
			if err := validateServerName(opts.Name); err != nil {
				return nil, err
			}
		}
		updated, _, err := p.client.Server.Update(ctx, s, opts)
		if err != nil {
			return nil, fail(ctx, err, subject{Type: "instance", ID: id})
		}
		p.logf(ctx, "server updated", map[string]any{"provider": providerName, "id": id, "renamed": opts.Name != "", "relabeled": opts.Labels != nil})
		s = updated
	}
	if change.Size != nil {
		if err := p.resize(ctx, s, *change.Size); err != nil {
			return nil, err
		}
		if s, _, err = p.client.Server.GetByID(ctx, n); err != nil {
			return nil, fail(ctx, err, subject{Type: "instance", ID: id})
		}
		if s == nil {
			return nil, framework.NotFound("instance", id)
		}
	}
	return serverToInstance(s), nil
}

// managedServer reads the server and refuses one without managed-by=spuff.
func (p *Provider) managedServer(ctx context.Context, id string, n int64) (*hcloud.Server, error) {
	s, _, err := p.client.Server.GetByID(ctx, n)
	if err != nil {
		return nil, fail(ctx, err, subject{Type: "instance", ID: id})
	}
	if s == nil {
		return nil, framework.NotFound("instance", id)
	}
	if !framework.IsManaged(s.Labels) {
		return nil, framework.NotManaged("instance", id)
	}
	return s, nil
}

// resize changes the server's type with its disk kept. Hetzner refuses
// change_type on a running server, so it is powered off first; change_type
// starts it again itself. A server left off by an earlier attempt that
// failed part way is powered on.
func (p *Provider) resize(ctx context.Context, s *hcloud.Server, size string) error {
	id := strconv.FormatInt(s.ID, 10)
	if s.ServerType == nil || s.ServerType.Name != size {
		if s.Status != hcloud.ServerStatusOff {
			if err := p.serverAction(ctx, id, func() (*hcloud.Action, *hcloud.Response, error) {
				return p.client.Server.Poweroff(ctx, s)
			}); err != nil {
				return err
			}
		}
		if err := p.serverAction(ctx, id, func() (*hcloud.Action, *hcloud.Response, error) {
			return p.client.Server.ChangeType(ctx, s, hcloud.ServerChangeTypeOpts{
				ServerType:  &hcloud.ServerType{Name: size},
				UpgradeDisk: false,
			})
		}); err != nil {
			return err
		}
		p.logf(ctx, "server type changed", map[string]any{"provider": providerName, "id": id, "size": size})
		now, _, err := p.client.Server.GetByID(ctx, s.ID)
		if err != nil {
			return fail(ctx, err, subject{Type: "instance", ID: id})
		}
		if now == nil {
			return framework.NotFound("instance", id)
		}
		s = now
	}
	if s.Status != hcloud.ServerStatusOff {
		return nil
	}
	return p.serverAction(ctx, id, func() (*hcloud.Action, *hcloud.Response, error) {
		return p.client.Server.Poweron(ctx, s)
	})
}

// serverAction starts an action (waiting out 423 locked while another runs)
// and waits until it has finished.
func (p *Provider) serverAction(ctx context.Context, id string, start func() (*hcloud.Action, *hcloud.Response, error)) error {
	what := "instance " + id
	var action *hcloud.Action
	err := p.whileBusy(ctx, what, func(ctx context.Context) error {
		a, _, err := start()
		if err != nil {
			return fail(ctx, err, subject{Type: "instance", ID: id})
		}
		action = a
		return nil
	})
	if err != nil {
		return err
	}
	return p.waitAction(ctx, action, what)
}

// UpdateSnapshot sets the snapshot's description (its name) and user labels
// with one PUT /images/{id}.
func (p *Provider) UpdateSnapshot(ctx context.Context, id string, change framework.SnapshotChange) (*framework.Snapshot, error) {
	img, err := p.snapshotImage(ctx, id)
	if err != nil {
		return nil, err
	}
	if img == nil {
		return nil, framework.NotFound("snapshot", id)
	}
	if !framework.IsManaged(img.Labels) {
		return nil, framework.NotManaged("snapshot", id)
	}
	opts := hcloud.ImageUpdateOpts{}
	changed := false
	if change.Name != nil && *change.Name != img.Description {
		opts.Description, changed = change.Name, true
	}
	if change.Labels != nil {
		if merged := framework.MergeLabels(img.Labels, change.Labels); !maps.Equal(merged, img.Labels) {
			if err := validateLabels(merged); err != nil {
				return nil, err
			}
			opts.Labels, changed = merged, true
		}
	}
	if !changed {
		return imageToSnapshot(img), nil
	}
	updated, _, err := p.client.Image.Update(ctx, img, opts)
	if err != nil {
		return nil, fail(ctx, err, subject{Type: "snapshot", ID: id})
	}
	return imageToSnapshot(updated), nil
}
