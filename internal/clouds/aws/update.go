package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

var (
	_ framework.InstanceUpdater = (*Provider)(nil)
	_ framework.SnapshotUpdater = (*Provider)(nil)
)

// UpdateCapabilities says what EC2 changes in place: the Cloud
// descriptor's Updates.
func (p *Provider) UpdateCapabilities() framework.UpdateCapabilities { return Cloud.Updates }

// UpdateInstance renames (the Name tag), relabels (CreateTags and
// DeleteTags) and resizes (stop, ModifyInstanceAttribute, start again if
// it was running) a managed instance, and returns it afterwards.
func (p *Provider) UpdateInstance(ctx context.Context, id string, change framework.InstanceChange) (*framework.Instance, error) {
	r, err := parseRef("id", id, "i")
	if err != nil {
		return nil, err
	}
	in, err := p.describe(ctx, r)
	if err != nil {
		return nil, err
	}
	if in == nil || gone(in) {
		return nil, framework.NotFound("instance", id)
	}
	current := tagsToMap(in.Tags)
	if !framework.IsManaged(current) {
		return nil, framework.NotManaged("instance", id)
	}
	c := p.client(r.Region)
	if change.Name != nil && *change.Name != current[nameTag] {
		if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{r.ID}, Tags: tagList(*change.Name, nil)}); err != nil {
			return nil, fail(ctx, err, subject{Type: "instance", ID: id, Field: "name"})
		}
	}
	if change.Labels != nil {
		if err := p.ValidateLabels(framework.UserLabels(change.Labels)); err != nil {
			return nil, err
		}
		if err := p.retag(ctx, r, labelsOf(current), framework.MergeLabels(current, change.Labels)); err != nil {
			return nil, err
		}
	}
	if change.Size != nil && *change.Size != string(in.InstanceType) {
		if err := p.resize(ctx, r, in.State.Name, *change.Size); err != nil {
			return nil, err
		}
	}
	return p.existing(ctx, id)
}

// retag makes the resource's tags (other than Name) those of want.
func (p *Provider) retag(ctx context.Context, r ref, have, want map[string]string) error {
	var stale []types.Tag
	for k := range have {
		if _, ok := want[k]; !ok {
			stale = append(stale, types.Tag{Key: aws.String(k)})
		}
	}
	changed := map[string]string{}
	for k, v := range want {
		if cur, ok := have[k]; !ok || cur != v {
			changed[k] = v
		}
	}
	c := p.client(r.Region)
	if len(changed) > 0 {
		if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{r.ID}, Tags: tagList("", changed)}); err != nil {
			return fail(ctx, err, subject{Type: "instance", ID: r.String(), Field: "labels"})
		}
	}
	if len(stale) > 0 {
		if _, err := c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{r.ID}, Tags: stale}); err != nil {
			return fail(ctx, err, subject{Type: "instance", ID: r.String(), Field: "labels"})
		}
	}
	return nil
}

// resize stops the instance, changes its type and starts it again when it
// was running, each step bounded by ctx (the update timeout).
func (p *Provider) resize(ctx context.Context, r ref, state types.InstanceStateName, size string) error {
	c := p.client(r.Region)
	about := subject{Type: "instance", ID: r.String(), Field: "size"}
	wasRunning := state == types.InstanceStateNameRunning || state == types.InstanceStateNamePending
	if state != types.InstanceStateNameStopped {
		if _, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{r.ID}}); err != nil {
			return fail(ctx, err, about)
		}
		if err := p.waitState(ctx, r, types.InstanceStateNameStopped); err != nil {
			return err
		}
	}
	if _, err := c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{
		InstanceId: aws.String(r.ID), InstanceType: &types.AttributeValue{Value: aws.String(size)},
	}); err != nil {
		return fail(ctx, err, about)
	}
	if !wasRunning {
		return nil
	}
	if _, err := c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{r.ID}}); err != nil {
		return fail(ctx, err, about)
	}
	_, err := p.WaitReady(ctx, r.String())
	return err
}

// waitState polls the instance until it is in want, bounded by ctx.
func (p *Provider) waitState(ctx context.Context, r ref, want types.InstanceStateName) error {
	_, err := framework.WaitFor(ctx, func(ctx context.Context) (*types.Instance, error) {
		return p.describe(ctx, r)
	}, func(in *types.Instance) (bool, error) {
		switch {
		case in == nil || gone(in):
			return false, framework.NotFound("instance", r.String())
		}
		return in.State != nil && in.State.Name == want, nil
	}, framework.WaitOptions[types.Instance]{
		Operation: fmt.Sprintf("waiting for instance %s to be %s", r, want),
		Backoff:   framework.DefaultBackoff(p.timeouts.PollInterval),
	})
	return err
}

// existing reads an instance that must exist.
func (p *Provider) existing(ctx context.Context, id string) (*framework.Instance, error) {
	inst, err := p.GetInstance(ctx, id)
	if err == nil && inst == nil {
		err = framework.NotFound("instance", id)
	}
	return inst, err
}

// UpdateSnapshot relabels a managed AMI (an AMI's name cannot change: the
// capabilities say so, and a rename replaces it).
func (p *Provider) UpdateSnapshot(ctx context.Context, id string, change framework.SnapshotChange) (*framework.Snapshot, error) {
	r, err := parseRef("id", id, "ami")
	if err != nil {
		return nil, err
	}
	img, err := p.image(ctx, r)
	if err != nil {
		return nil, err
	}
	if img == nil {
		return nil, framework.NotFound("snapshot", id)
	}
	current := tagsToMap(img.Tags)
	if !framework.IsManaged(current) {
		return nil, framework.NotManaged("snapshot", id)
	}
	if change.Name != nil && *change.Name != aws.ToString(img.Name) {
		return nil, framework.InvalidConfig("name", "an AMI's name cannot be changed: the snapshot must be replaced")
	}
	if change.Labels != nil {
		if err := p.ValidateLabels(framework.UserLabels(change.Labels)); err != nil {
			return nil, err
		}
		want := framework.MergeLabels(current, change.Labels)
		if src := current[sourceTag]; src != "" {
			want[sourceTag] = src
		}
		if err := p.retag(ctx, r, labelsOf(current), want); err != nil {
			return nil, err
		}
	}
	snap, err := p.GetSnapshot(ctx, id)
	if err == nil && snap == nil {
		err = framework.NotFound("snapshot", id)
	}
	return snap, err
}
