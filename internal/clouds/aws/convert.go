package aws

import (
	"net/netip"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// nameTag is where EC2 keeps a resource's name.
const nameTag = "Name"

// instanceToFramework converts an instance of region. Shutting-down and
// terminated instances are archived (gone for Terraform).
func instanceToFramework(region string, in *types.Instance) *framework.Instance {
	tags := tagsToMap(in.Tags)
	out := &framework.Instance{
		ID:     joinID(region, aws.ToString(in.InstanceId)),
		IP:     framework.IPUnassigned,
		Name:   tags[nameTag],
		Region: region,
		Size:   string(in.InstanceType),
		Labels: labelsOf(tags),
	}
	delete(out.Labels, nameTag)
	if ip, err := netip.ParseAddr(aws.ToString(in.PublicIpAddress)); err == nil {
		out.IP = ip
	}
	if in.LaunchTime != nil {
		out.CreatedAt = *in.LaunchTime
	}
	state := ""
	if in.State != nil {
		state = string(in.State.Name)
	}
	out.Status = statusOf(state)
	return out
}

// statusOf maps an EC2 state: shutting-down is on its way to terminated,
// so it is archived already.
func statusOf(state string) framework.InstanceStatus {
	if state == string(types.InstanceStateNameShuttingDown) {
		st := framework.ParseStatus(string(types.InstanceStateNameTerminated))
		st.Raw = state
		return st
	}
	return framework.ParseStatus(state)
}

// gone reports whether an instance state is, for spuff, no instance.
func gone(in *types.Instance) bool {
	if in == nil || in.State == nil {
		return in == nil
	}
	return in.State.Name == types.InstanceStateNameShuttingDown || in.State.Name == types.InstanceStateNameTerminated
}

func tagsToMap(tags []types.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// labelsOf copies tags without the Name tag.
func labelsOf(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		if k != nameTag {
			out[k] = v
		}
	}
	return out
}

// tagList is labels (and the Name tag, when name is set) as EC2 tags,
// sorted by key so that requests are reproducible.
func tagList(name string, labels map[string]string) []types.Tag {
	out := make([]types.Tag, 0, len(labels)+1)
	for _, k := range framework.SortedKeys(labels) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(labels[k])})
	}
	if name != "" {
		out = append(out, types.Tag{Key: aws.String(nameTag), Value: aws.String(name)})
	}
	return out
}

// imageToSnapshot converts an AMI of region.
func imageToSnapshot(region string, img *types.Image) *framework.Snapshot {
	tags := tagsToMap(img.Tags)
	snap := &framework.Snapshot{
		ID:     joinID(region, aws.ToString(img.ImageId)),
		Name:   aws.ToString(img.Name),
		Labels: labelsOf(tags),
	}
	if src := aws.ToString(img.SourceInstanceId); src != "" {
		snap.InstanceID = joinID(region, src)
	} else if src := tags[sourceTag]; src != "" {
		snap.InstanceID = src
	}
	delete(snap.Labels, sourceTag)
	if t, err := time.Parse(time.RFC3339, aws.ToString(img.CreationDate)); err == nil {
		snap.CreatedAt = &t
	}
	for _, bd := range img.BlockDeviceMappings {
		if bd.Ebs != nil && bd.Ebs.VolumeSize != nil {
			snap.DiskGB += int(*bd.Ebs.VolumeSize)
		}
	}
	return snap
}

// sourceTag records the instance an AMI was made from (EC2 reports
// SourceInstanceId only for some images), as the framework ID.
const sourceTag = "spuff-source-instance"
