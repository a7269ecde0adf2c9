package aws

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// Snapshots are AMIs of the instance's volumes. CreateImage answers with
// the AMI's ID at once (pending), and tags it and its EBS snapshots at
// creation, so the framework can record the ID before the wait and adopt a
// start whose answer was lost by its request-ID tag.

var _ framework.SnapshotStarter = (*Provider)(nil)

// StartSnapshot starts an AMI of the instance, tagged with labels (the
// managed-by and request-ID labels among them) and the Name.
func (p *Provider) StartSnapshot(ctx context.Context, instanceID, name string, labels map[string]string) (*framework.Snapshot, error) {
	r, err := parseRef("instance_id", instanceID, "i")
	if err != nil {
		return nil, err
	}
	tags := framework.ManagedLabels(labels)
	tags[sourceTag] = instanceID
	list := tagList(name, tags)
	out, err := p.client(r.Region).CreateImage(ctx, &ec2.CreateImageInput{
		InstanceId: aws.String(r.ID),
		Name:       aws.String(name),
		// No reboot: the instance keeps running, as on the other clouds;
		// what is in flight on its disk may not be in the AMI.
		NoReboot: aws.Bool(true),
		TagSpecifications: []types.TagSpecification{
			{ResourceType: types.ResourceTypeImage, Tags: list},
			{ResourceType: types.ResourceTypeSnapshot, Tags: list},
		},
	})
	if err != nil {
		return nil, fail(ctx, err, subject{Type: "instance", ID: instanceID, Field: "name"})
	}
	return &framework.Snapshot{ID: joinID(r.Region, aws.ToString(out.ImageId)), Name: name, InstanceID: instanceID, Labels: labelsOf(tags)}, nil
}

// WaitSnapshot waits until the AMI is available, bounded by
// Timeouts.ActionComplete; a failed AMI fails the wait.
func (p *Provider) WaitSnapshot(ctx context.Context, id string) (*framework.Snapshot, error) {
	r, err := parseRef("id", id, "ami")
	if err != nil {
		return nil, err
	}
	img, err := framework.WaitFor(ctx, func(ctx context.Context) (*types.Image, error) {
		return p.image(ctx, r)
	}, func(img *types.Image) (bool, error) {
		switch {
		case img == nil:
			return false, framework.NotFound("snapshot", id)
		case img.State == types.ImageStateFailed || img.State == types.ImageStateError || img.State == types.ImageStateInvalid:
			reason := string(img.State)
			if img.StateReason != nil {
				reason += ": " + aws.ToString(img.StateReason.Message)
			}
			return false, framework.API(0, fmt.Sprintf("the AMI %s failed (%s)", id, reason))
		}
		return img.State == types.ImageStateAvailable, nil
	}, framework.WaitOptions[types.Image]{
		Operation: "waiting for snapshot " + id + " to be available",
		Timeout:   p.timeouts.ActionComplete,
		Backoff:   framework.DefaultBackoff(p.timeouts.PollInterval),
	})
	if err != nil {
		return nil, err
	}
	return imageToSnapshot(r.Region, img), nil
}

// CreateSnapshot starts the AMI and waits for it; a wait that fails after
// the start carries the AMI's ID (framework.IncompleteError).
func (p *Provider) CreateSnapshot(ctx context.Context, instanceID, name string) (*framework.Snapshot, error) {
	snap, err := p.StartSnapshot(ctx, instanceID, name, nil)
	if err != nil {
		return nil, err
	}
	done, err := p.WaitSnapshot(ctx, snap.ID)
	if err != nil {
		return nil, &framework.IncompleteError{ResourceType: "snapshot", ID: snap.ID, Err: err}
	}
	return done, nil
}

// image reads an AMI, nil when it does not exist or is deregistered.
func (p *Provider) image(ctx context.Context, r ref) (*types.Image, error) {
	out, err := p.client(r.Region).DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{r.ID}})
	if err != nil {
		err = fail(ctx, err, subject{Type: "snapshot", ID: r.String()})
		if framework.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	for i := range out.Images {
		if aws.ToString(out.Images[i].ImageId) == r.ID && out.Images[i].State != types.ImageStateDeregistered {
			return &out.Images[i], nil
		}
	}
	return nil, nil
}

// GetSnapshot returns the AMI, or (nil, nil) when it does not exist.
func (p *Provider) GetSnapshot(ctx context.Context, id string) (*framework.Snapshot, error) {
	r, err := parseRef("id", id, "ami")
	if err != nil {
		return nil, err
	}
	img, err := p.image(ctx, r)
	if err != nil || img == nil {
		return nil, err
	}
	return imageToSnapshot(r.Region, img), nil
}

// ListSnapshots returns the account's managed AMIs in every enabled region.
func (p *Provider) ListSnapshots(ctx context.Context) ([]framework.Snapshot, error) {
	regions, err := p.regionNames(ctx)
	if err != nil {
		return nil, err
	}
	results := make([][]framework.Snapshot, len(regions))
	errs := make([]error, len(regions))
	var wg sync.WaitGroup
	for i, region := range regions {
		wg.Go(func() {
			c := p.client(region)
			imgs, err := allPages(ctx, p, "images in "+region, func(ctx context.Context, token *string) ([]types.Image, *string, error) {
				out, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{
					Owners:     []string{"self"},
					Filters:    []types.Filter{{Name: aws.String("tag:" + framework.ManagedByKey), Values: []string{framework.ManagedByValue}}},
					MaxResults: aws.Int32(1000),
					NextToken:  token,
				})
				if err != nil {
					return nil, nil, fail(ctx, err, subject{})
				}
				return out.Images, out.NextToken, nil
			})
			if err != nil {
				errs[i] = err
				return
			}
			for j := range imgs {
				if imgs[j].State != types.ImageStateDeregistered {
					results[i] = append(results[i], *imageToSnapshot(region, &imgs[j]))
				}
			}
		})
	}
	wg.Wait()
	var out []framework.Snapshot
	for i := range regions {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, results[i]...)
	}
	return out, nil
}

// DeleteSnapshot deregisters the AMI and deletes its EBS snapshots with
// it; an AMI that does not exist is not an error.
func (p *Provider) DeleteSnapshot(ctx context.Context, id string) error {
	r, err := parseRef("id", id, "ami")
	if err != nil {
		return err
	}
	_, err = p.client(r.Region).DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: aws.String(r.ID), DeleteAssociatedSnapshots: aws.Bool(true)})
	if err = fail(ctx, err, subject{Type: "snapshot", ID: id}); framework.IsNotFound(err) {
		return nil
	}
	return err
}
