package digitalocean

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// Snapshots are the droplet snapshot action. The image exists only once
// the action completes, and the action does not name it, so it is found
// without comparing timestamps as strings (the official provider matches
// created_at == started_at, which breaks on sub-second or +00:00 times):
// a droplet runs one action at a time, so the snapshot is the image that
// joined the droplet's snapshot_ids during the action, under the name
// given. Failing that, the droplet's snapshots are searched by name
// within the action's time window, parsed as times.

// actionErrored is the status of a failed action; godo has no constant.
const actionErrored = "errored"

// CreateSnapshot snapshots the droplet, waits for the action (bounded by
// Timeouts.ActionComplete), finds the image and tags it managed-by:spuff.
func (p *Provider) CreateSnapshot(ctx context.Context, instanceID, name string) (*framework.Snapshot, error) {
	n, err := parseID("instance_id", instanceID)
	if err != nil {
		return nil, err
	}
	// The read and the action are retried under the framework's policy
	// (CreateSnapshot is not retried as a whole: the POST is not
	// idempotent). A POST whose answer was lost is retried only once the
	// droplet's actions show that it started none; one that did start is
	// adopted.
	about := subject{Type: "instance", ID: instanceID, Field: "name"}
	var before *godo.Droplet
	var action *godo.Action
	err = p.retry.Do(ctx, func(ctx context.Context) error {
		b, err := p.droplet(ctx, instanceID)
		if err != nil {
			return err
		}
		if b == nil {
			return framework.NotFound("instance", instanceID)
		}
		before = b
		t0 := time.Now()
		err = p.whileBusy(ctx, "instance "+instanceID, func(ctx context.Context) error {
			a, _, err := p.client.DropletActions.Snapshot(ctx, n, name)
			if err != nil {
				return fail(ctx, err, about)
			}
			action = a
			return nil
		})
		if err == nil || !framework.IsAmbiguous(err) || ctx.Err() != nil {
			return err
		}
		// The answer was lost: the action may run all the same, and the
		// image it makes would be orphaned. A droplet runs one action at
		// a time, so a snapshot action started since is this one. Should
		// it be an earlier one (within the clock skew), its image is in
		// before.SnapshotIDs, which findSnapshot never returns: the call
		// then fails rather than adopt another snapshot.
		a, ferr := p.startedSnapshotAction(ctx, n, t0)
		switch {
		case ferr != nil:
			// Whether it started is unknown: another POST could make a
			// second snapshot.
			return framework.Retried(err)
		case a != nil:
			p.logf(ctx, "adopted the snapshot action this call started although its answer was lost", map[string]any{"provider": providerName, "action": a.ID, "instance": instanceID})
			action = a
			return nil
		}
		return err // none started: another POST is safe
	}, func(attempt int, err error, _ time.Duration) {
		p.logf(ctx, "retrying a snapshot", map[string]any{"provider": providerName, "instance": instanceID, "attempt": attempt + 1, "error": err.Error()})
	})
	if err != nil {
		return nil, err
	}
	// Until the image is found, the snapshot is known by its action: an
	// IncompleteError carries that pending ID, which GetSnapshot and
	// DeleteSnapshot resolve to the image once the action completes.
	pending := pendingPrefix + strconv.Itoa(action.ID)
	done, err := p.waitAction(ctx, action, "snapshot "+name+" of instance "+instanceID)
	if err != nil {
		return nil, &framework.IncompleteError{ResourceType: "snapshot", ID: pending, Err: err}
	}
	// Finding and tagging the image are retried on their own: the action's
	// wait is over, and a transient error here must not fail the create.
	// Should they fail all the same, state keeps the pending ID, which
	// resolvePending finds and tags on the next refresh: an image kept
	// under its own ID untagged would be refused as not spuff's.
	var snap *framework.Snapshot
	err = p.retry.Do(ctx, func(ctx context.Context) error {
		img, err := p.findSnapshot(ctx, instanceID, name, before.SnapshotIDs, done)
		if err == nil {
			snap, err = p.adopt(ctx, img, instanceID)
		}
		return err
	}, func(attempt int, err error, _ time.Duration) {
		p.logf(ctx, "retrying the lookup of a finished snapshot", map[string]any{"provider": providerName, "action": action.ID, "attempt": attempt + 1, "error": err.Error()})
	})
	if err != nil {
		return nil, &framework.IncompleteError{ResourceType: "snapshot", ID: pending, Err: err}
	}
	return snap, nil
}

// clockSkew is how far the API's clock may be behind this one when an
// action's start is compared with the time a call was made.
const clockSkew = 5 * time.Second

// startedSnapshotAction returns the droplet's newest snapshot action
// started since t0, or nil.
func (p *Provider) startedSnapshotAction(ctx context.Context, n int, t0 time.Time) (*godo.Action, error) {
	actions, err := allPages(ctx, p, "droplet actions", func(ctx context.Context, lo *godo.ListOptions) ([]godo.Action, *godo.Response, error) {
		return p.client.Droplets.Actions(ctx, n, lo)
	})
	if err != nil {
		return nil, err
	}
	var best *godo.Action
	for i := range actions {
		a := &actions[i]
		if a.Type == "snapshot" && a.StartedAt != nil && !a.StartedAt.Before(t0.Add(-clockSkew).Truncate(time.Second)) && (best == nil || a.ID > best.ID) {
			best = a
		}
	}
	return best, nil
}

// pendingPrefix makes the ID of a snapshot whose action has not been seen
// to complete: "action-<action ID>".
const pendingPrefix = "action-"

// adopt tags the image the snapshot action made managed-by:spuff.
func (p *Provider) adopt(ctx context.Context, img *godo.Image, instanceID string) (*framework.Snapshot, error) {
	labels := framework.ManagedLabels(nil)
	if err := p.tagImage(ctx, strconv.Itoa(img.ID), labels); err != nil {
		return nil, err
	}
	snap := imageToSnapshot(img)
	snap.InstanceID = instanceID
	for k, v := range labels {
		snap.Labels[k] = v
	}
	return snap, nil
}

// resolvePending reads the action of a pending snapshot ID. While it runs,
// the snapshot is reported under the pending ID (managed: only spuff makes
// such IDs); once it completed, the image it made is found, tagged and
// reported under its own ID; a failed or unknown action is no snapshot.
// With wait, a running action is waited for (bounded by ctx).
func (p *Provider) resolvePending(ctx context.Context, id string, wait bool) (*framework.Snapshot, error) {
	n, err := parseID("id", strings.TrimPrefix(id, pendingPrefix))
	if err != nil {
		return nil, err
	}
	a, _, err := p.client.Actions.Get(ctx, n)
	if err != nil {
		err = fail(ctx, err, subject{Type: "snapshot", ID: id})
		if framework.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if a == nil || a.Status == actionErrored {
		return nil, nil
	}
	instanceID := strconv.Itoa(a.ResourceID)
	if a.Status != godo.ActionCompleted && a.CompletedAt == nil {
		if !wait {
			return &framework.Snapshot{ID: id, InstanceID: instanceID, Labels: framework.ManagedLabels(nil)}, nil
		}
		if a, err = p.waitAction(ctx, a, "snapshot "+id); err != nil {
			return nil, err
		}
	}
	img, err := p.findSnapshot(ctx, instanceID, "", nil, a)
	if err != nil {
		return nil, err
	}
	return p.adopt(ctx, img, instanceID)
}

// waitAction polls the action until it completes, bounded by
// Timeouts.ActionComplete; an errored action fails.
func (p *Provider) waitAction(ctx context.Context, action *godo.Action, what string) (*godo.Action, error) {
	if action == nil {
		return nil, framework.API(0, "the action answer carried no action")
	}
	id := action.ID
	return framework.WaitFor(ctx, func(ctx context.Context) (*godo.Action, error) {
		a, _, err := p.client.Actions.Get(ctx, id)
		if err != nil {
			return nil, fail(ctx, err, subject{Type: "action", ID: strconv.Itoa(id)})
		}
		return a, nil
	}, func(a *godo.Action) (bool, error) {
		switch {
		case a == nil:
			return false, framework.NotFound("action", strconv.Itoa(id))
		case a.Status == actionErrored:
			return false, framework.API(0, fmt.Sprintf("the %s action %d for %s failed", a.Type, a.ID, what))
		}
		return a.Status == godo.ActionCompleted || a.CompletedAt != nil, nil
	}, framework.WaitOptions[godo.Action]{
		Operation: "waiting for " + what + fmt.Sprintf(" (%s action %d)", action.Type, id),
		Timeout:   p.timeouts.ActionComplete,
		Backoff:   p.pollBackoff(),
		Progress: func(attempt int, a *godo.Action, err error) {
			fields := map[string]any{"provider": providerName, "action": id, "attempt": attempt}
			if err != nil {
				fields["error"] = err.Error()
			} else if a != nil {
				fields["status"] = a.Status
			}
			p.logf(ctx, "waiting for action", fields)
		},
	})
}

// findSnapshot finds the image the completed snapshot action made.
func (p *Provider) findSnapshot(ctx context.Context, instanceID, name string, before []int, action *godo.Action) (*godo.Image, error) {
	after, err := p.droplet(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	if after != nil && before != nil {
		for _, sid := range after.SnapshotIDs {
			if slices.Contains(before, sid) {
				continue
			}
			img, err := p.image(ctx, strconv.Itoa(sid))
			if err != nil {
				return nil, err
			}
			if img != nil && img.Name == name {
				return img, nil
			}
		}
	}
	// The droplet is gone or did not list it: search its snapshots.
	n, _ := strconv.Atoi(instanceID)
	imgs, err := allPages(ctx, p, "droplet snapshots", func(ctx context.Context, lo *godo.ListOptions) ([]godo.Image, *godo.Response, error) {
		return p.client.Droplets.Snapshots(ctx, n, lo)
	})
	if err != nil && !framework.IsNotFound(err) {
		return nil, err
	}
	// created_at is the action's start at second precision; the newest
	// image in the window wins (the droplet ran no other action since).
	var from, to time.Time
	if action.StartedAt != nil {
		from = action.StartedAt.Truncate(time.Second)
	}
	to = time.Now().Add(time.Minute)
	if action.CompletedAt != nil {
		to = action.CompletedAt.Add(time.Second)
	}
	var best *godo.Image
	for i := range imgs {
		img := &imgs[i]
		created, perr := time.Parse(time.RFC3339, img.Created)
		if (name == "" || img.Name == name) && !slices.Contains(before, img.ID) && perr == nil && !created.Before(from) && !created.After(to) {
			if best == nil || img.ID > best.ID {
				best = img
			}
		}
	}
	if best != nil {
		return best, nil
	}
	return nil, framework.API(0, fmt.Sprintf("the snapshot action %d completed, but no new snapshot named %q of droplet %s was found", action.ID, name, instanceID))
}

// tagImage tags the image with labels (creating each tag first: tagging
// needs an existing tag).
func (p *Provider) tagImage(ctx context.Context, id string, labels map[string]string) error {
	for _, tag := range labelsToTags(labels) {
		if err := p.tag(ctx, tag, godo.Resource{ID: id, Type: godo.ImageResourceType}); err != nil {
			return err
		}
	}
	return nil
}

// tag creates tag (a no-op when it exists) and attaches it to r.
func (p *Provider) tag(ctx context.Context, tag string, r godo.Resource) error {
	if _, _, err := p.client.Tags.Create(ctx, &godo.TagCreateRequest{Name: tag}); err != nil {
		return fail(ctx, err, subject{Field: "labels"})
	}
	if _, err := p.client.Tags.TagResources(ctx, tag, &godo.TagResourcesRequest{Resources: []godo.Resource{r}}); err != nil {
		return fail(ctx, err, subject{Type: string(r.Type), ID: r.ID, Field: "labels"})
	}
	return nil
}

// untag detaches tag from r; a tag that is gone is not an error.
func (p *Provider) untag(ctx context.Context, tag string, r godo.Resource) error {
	_, err := p.client.Tags.UntagResources(ctx, tag, &godo.UntagResourcesRequest{Resources: []godo.Resource{r}})
	if err != nil {
		err = fail(ctx, err, subject{Type: "tag", ID: tag, Field: "labels"})
		if framework.IsNotFound(err) {
			return nil
		}
	}
	return err
}

// ListSnapshots returns every snapshot image tagged managed-by:spuff.
func (p *Provider) ListSnapshots(ctx context.Context) ([]framework.Snapshot, error) {
	imgs, err := allPages(ctx, p, "snapshots", func(ctx context.Context, lo *godo.ListOptions) ([]godo.Image, *godo.Response, error) {
		return p.client.Images.ListByTag(ctx, managedTag, lo)
	})
	if err != nil {
		return nil, err
	}
	out := make([]framework.Snapshot, 0, len(imgs))
	for i := range imgs {
		if imgs[i].Type == "snapshot" {
			out = append(out, *imageToSnapshot(&imgs[i]))
		}
	}
	return out, nil
}

// GetSnapshot returns the snapshot, or (nil, nil) when no droplet
// snapshot has that ID. It reads /v2/snapshots/{id}, not the image: only
// the snapshot names the droplet it was taken of.
func (p *Provider) GetSnapshot(ctx context.Context, id string) (*framework.Snapshot, error) {
	if strings.HasPrefix(id, pendingPrefix) {
		return p.resolvePending(ctx, id, false)
	}
	if _, err := parseID("id", id); err != nil {
		return nil, err
	}
	s, _, err := p.client.Snapshots.Get(ctx, id)
	if err != nil {
		err = fail(ctx, err, subject{Type: "snapshot", ID: id})
		if framework.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if s.ResourceType != "droplet" {
		return nil, nil
	}
	return dropletSnapshot(s), nil
}

// image reads an image by ID, nil when it does not exist.
func (p *Provider) image(ctx context.Context, id string) (*godo.Image, error) {
	n, err := parseID("id", id)
	if err != nil {
		return nil, err
	}
	img, _, err := p.client.Images.GetByID(ctx, n)
	if err != nil {
		err = fail(ctx, err, subject{Type: "snapshot", ID: id})
		if framework.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return img, nil
}

// DeleteSnapshot deletes a snapshot image; one that does not exist is not
// an error.
func (p *Provider) DeleteSnapshot(ctx context.Context, id string) error {
	if strings.HasPrefix(id, pendingPrefix) {
		// Wait for the action, so that the image it makes is not orphaned.
		snap, err := p.resolvePending(ctx, id, true)
		if err != nil || snap == nil {
			return err
		}
		id = snap.ID
	}
	n, err := parseID("id", id)
	if err != nil {
		return err
	}
	about := subject{Type: "snapshot", ID: id}
	err = p.whileBusy(ctx, "snapshot "+id, func(ctx context.Context) error {
		if _, err := p.client.Images.Delete(ctx, n); err != nil {
			return fail(ctx, err, about)
		}
		return nil
	})
	if framework.IsNotFound(err) {
		return nil
	}
	return err
}
