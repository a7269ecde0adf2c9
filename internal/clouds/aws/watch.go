package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// Waiting is the framework's batched watchers: EC2 reports no progress,
// and DescribeInstances reads many instances of a region in one call, so
// a poll asks each region once for every instance waited for there.

func newReadyWatcher(p *Provider) *framework.Watcher[struct{}] {
	return framework.NewWatcher(framework.WatcherConfig[struct{}]{
		Poll:           p.pollReady,
		PollInterval:   p.timeouts.PollInterval,
		RequestTimeout: p.timeouts.HTTPRequest,
		Log:            p.log,
		Message:        "waiting for instance to be running",
		Fields:         map[string]any{"provider": providerName},
	})
}

// ReadInstances reads many instances at once, one DescribeInstances per
// region (framework.ManyReader); gone ones (shutting down, terminated) and
// unknown ones are missing from the answer.
func (p *Provider) ReadInstances(ctx context.Context, ids map[string]struct{}) (map[string]*framework.Instance, error) {
	byRegion := map[string][]string{}
	for id := range ids {
		r, err := parseRef("id", id, "i")
		if err != nil {
			return nil, err
		}
		byRegion[r.Region] = append(byRegion[r.Region], r.ID)
	}
	out := make(map[string]*framework.Instance, len(ids))
	for region, list := range byRegion {
		found, err := p.describeMany(ctx, region, list)
		if err != nil {
			return nil, err
		}
		for _, in := range found {
			if gone(in) {
				continue
			}
			inst, err := p.withImage(ctx, region, in)
			if err != nil {
				return nil, err
			}
			out[inst.ID] = inst
		}
	}
	return out, nil
}

// describeMany reads instances of one region by ID. EC2 fails the whole
// call when one ID is unknown (a launch it has not caught up with yet, or
// one long terminated): the IDs are then read one by one.
func (p *Provider) describeMany(ctx context.Context, region string, ids []string) ([]*types.Instance, error) {
	out, err := p.client(region).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids})
	if err == nil {
		var found []*types.Instance
		for _, res := range out.Reservations {
			for i := range res.Instances {
				found = append(found, &res.Instances[i])
			}
		}
		return found, nil
	}
	if err = fail(ctx, err, subject{Type: "instance"}); !framework.IsNotFound(err) || len(ids) == 1 {
		if framework.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	var found []*types.Instance
	for _, id := range ids {
		in, err := p.describe(ctx, ref{Region: region, ID: id})
		if err != nil {
			return nil, err
		}
		if in != nil {
			found = append(found, in)
		}
	}
	return found, nil
}

// pollReady reads every instance waited for in one call per region.
func (p *Provider) pollReady(ctx context.Context, ids map[string]struct{}) (map[string]framework.WatchState, error) {
	found, err := p.ReadInstances(ctx, ids)
	if err != nil {
		return nil, err
	}
	return p.seen.ReadyStates(ids, found), nil
}

// pollGone says which instances waited for are terminated (or unknown).
func (p *Provider) pollGone(ctx context.Context, ids map[string]struct{}) (map[string]framework.WatchState, error) {
	found, err := p.ReadInstances(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]framework.WatchState, len(ids))
	for id := range ids {
		out[id] = framework.GoneState(found[id])
	}
	return out, nil
}

// WaitReady waits until the instance is running with a public IPv4,
// bounded by Timeouts.InstanceReady and ctx, through the shared watcher.
func (p *Provider) WaitReady(ctx context.Context, id string) (*framework.Instance, error) {
	if _, err := parseRef("id", id, "i"); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeouts.InstanceReady)
	defer cancel()
	inst, err := p.seen.WaitReady(ctx, p.ready, framework.Watch[struct{}]{Key: id, FirstLook: framework.ReadyFirstLook, Operation: "waiting for instance " + id + " to be running"})
	if err != nil || inst != nil {
		return inst, err
	}
	inst, err = p.GetInstance(ctx, id)
	if err == nil && inst == nil {
		err = framework.NotFound("instance", id)
	}
	return inst, err
}

// WaitGone waits until the instance is terminated, bounded by ctx, through
// the shared watcher.
func (p *Provider) WaitGone(ctx context.Context, id string) error {
	if _, err := parseRef("id", id, "i"); err != nil {
		return err
	}
	return framework.WaitGone(ctx, p.gone, id)
}
