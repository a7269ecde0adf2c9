package digitalocean

import (
	"context"
	"slices"
	"strconv"

	"github.com/digitalocean/godo"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

var _ framework.InstanceUpdater = (*Provider)(nil)

// UpdateCapabilities says what DigitalOcean changes in place: the Cloud
// descriptor's Updates.
func (p *Provider) UpdateCapabilities() framework.UpdateCapabilities { return Cloud.Updates }

// UpdateInstance renames (rename action), relabels (tag/untag) and resizes
// (power off, resize keeping the disk, power on again if it was on) a
// managed droplet, waiting for each action, and returns it afterwards.
func (p *Provider) UpdateInstance(ctx context.Context, id string, change framework.InstanceChange) (*framework.Instance, error) {
	n, err := parseID("id", id)
	if err != nil {
		return nil, err
	}
	d, err := p.droplet(ctx, id)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, framework.NotFound("instance", id)
	}
	current := tagsToLabels(d.Tags)
	if !framework.IsManaged(current) {
		return nil, framework.NotManaged("instance", id)
	}
	if change.Name != nil && *change.Name != d.Name {
		if err := p.ValidateRequestName(*change.Name); err != nil {
			return nil, err
		}
		if err := p.act(ctx, id, "name", "rename", func(ctx context.Context) (*godo.Action, *godo.Response, error) {
			return p.client.DropletActions.Rename(ctx, n, *change.Name)
		}); err != nil {
			return nil, err
		}
	}
	if change.Labels != nil {
		if err := p.ValidateLabels(framework.UserLabels(change.Labels)); err != nil {
			return nil, err
		}
		if err := p.retag(ctx, godo.Resource{ID: id, Type: godo.DropletResourceType}, d.Tags, framework.MergeLabels(current, change.Labels)); err != nil {
			return nil, err
		}
	}
	if change.Size != nil && *change.Size != d.SizeSlug {
		if err := p.resize(ctx, n, id, d.Status, *change.Size); err != nil {
			return nil, err
		}
	}
	return p.existingInstance(ctx, id)
}

// ValidateRequestName applies the droplet name rule alone.
func (p *Provider) ValidateRequestName(name string) error {
	if name == "" || len(name) > maxNameLen || !hostname.MatchString(name) {
		return framework.InvalidConfig("name", strconv.Quote(name)+" must be a valid hostname: letters, digits, dots and hyphens, starting and ending with a letter or digit")
	}
	return nil
}

// retag makes the resource's tags those of labels: new ones tagged, stale
// ones untagged.
func (p *Provider) retag(ctx context.Context, r godo.Resource, have []string, labels map[string]string) error {
	want := labelsToTags(labels)
	for _, t := range want {
		if !slices.Contains(have, t) {
			if err := p.tag(ctx, t, r); err != nil {
				return err
			}
		}
	}
	for _, t := range have {
		if !slices.Contains(want, t) {
			if err := p.untag(ctx, t, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// resize powers the droplet off when it is on, resizes it without growing
// the disk, and powers it on again when it was on.
func (p *Provider) resize(ctx context.Context, n int, id, status, size string) error {
	wasOn := framework.ParseStatus(status).Kind != framework.StatusOff
	if wasOn {
		if err := p.act(ctx, id, "size", "power_off", func(ctx context.Context) (*godo.Action, *godo.Response, error) {
			return p.client.DropletActions.PowerOff(ctx, n)
		}); err != nil {
			return err
		}
	}
	if err := p.act(ctx, id, "size", "resize", func(ctx context.Context) (*godo.Action, *godo.Response, error) {
		return p.client.DropletActions.Resize(ctx, n, size, false)
	}); err != nil {
		return err
	}
	if wasOn {
		return p.act(ctx, id, "size", "power_on", func(ctx context.Context) (*godo.Action, *godo.Response, error) {
			return p.client.DropletActions.PowerOn(ctx, n)
		})
	}
	return nil
}

// act starts a droplet action (again while the droplet is busy) and waits
// for it. field names spuff's attribute in a 422.
func (p *Provider) act(ctx context.Context, id, field, what string, start func(ctx context.Context) (*godo.Action, *godo.Response, error)) error {
	var action *godo.Action
	err := p.whileBusy(ctx, "instance "+id, func(ctx context.Context) error {
		a, _, err := start(ctx)
		if err != nil {
			return fail(ctx, err, subject{Type: "instance", ID: id, Field: field})
		}
		action = a
		return nil
	})
	if err != nil {
		return err
	}
	_, err = p.waitAction(ctx, action, what+" of instance "+id)
	return err
}

var _ framework.SnapshotUpdater = (*Provider)(nil)

// UpdateSnapshot renames (image update) and relabels (tag/untag) a managed
// snapshot image.
func (p *Provider) UpdateSnapshot(ctx context.Context, id string, change framework.SnapshotChange) (*framework.Snapshot, error) {
	n, err := parseID("id", id)
	if err != nil {
		return nil, err
	}
	img, err := p.image(ctx, id)
	if err != nil {
		return nil, err
	}
	if img == nil || img.Type != "snapshot" {
		return nil, framework.NotFound("snapshot", id)
	}
	current := tagsToLabels(img.Tags)
	if !framework.IsManaged(current) {
		return nil, framework.NotManaged("snapshot", id)
	}
	if change.Name != nil && *change.Name != img.Name {
		if _, _, err := p.client.Images.Update(ctx, n, &godo.ImageUpdateRequest{Name: *change.Name}); err != nil {
			return nil, fail(ctx, err, subject{Type: "snapshot", ID: id, Field: "name"})
		}
	}
	if change.Labels != nil {
		if err := p.ValidateLabels(framework.UserLabels(change.Labels)); err != nil {
			return nil, err
		}
		if err := p.retag(ctx, godo.Resource{ID: id, Type: godo.ImageResourceType}, img.Tags, framework.MergeLabels(current, change.Labels)); err != nil {
			return nil, err
		}
	}
	snap, err := p.GetSnapshot(ctx, id)
	if err != nil {
		return nil, err
	}
	if snap == nil {
		return nil, framework.NotFound("snapshot", id)
	}
	return snap, nil
}

// existingInstance reads a droplet that must exist: gone is NotFound.
func (p *Provider) existingInstance(ctx context.Context, id string) (*framework.Instance, error) {
	inst, err := p.GetInstance(ctx, id)
	if err != nil {
		return nil, err
	}
	if inst == nil {
		return nil, framework.NotFound("instance", id)
	}
	return inst, nil
}
