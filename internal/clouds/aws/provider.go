package aws

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// defaultRegion is the region of calls that name none, when neither the
// region setting nor the environment sets one.
const defaultRegion = "us-east-1"

// Provider is the AWS EC2 implementation of framework.Provider. It also
// implements framework.SnapshotGetter, SnapshotStarter, RequestValidator,
// LabelValidator, FilteringLister, InstanceFinder, InstanceUpdater,
// SnapshotUpdater, Cataloguer and ManyReader.
type Provider struct {
	framework.Defaults

	cfg      aws.Config
	endpoint string
	region   string // for calls that name no region
	timeouts framework.Timeouts
	log      framework.LogFunc
	retry    framework.RetryPolicy

	mu      sync.Mutex
	clients map[string]*ec2.Client // by region, made on first use

	// What lookups found, kept for the process (framework.Memo).
	images  framework.Memo[string, string]              // region/spec/arch: the newest AMI
	specs   framework.Memo[string, framework.ImageSpec] // region/AMI: the spec it boots
	archs   framework.Memo[string, string]              // instance type: its architecture
	regions framework.Memo[struct{}, []string]          // the enabled regions

	ready *framework.Watcher[struct{}]
	gone  *framework.Watcher[struct{}]
	seen  framework.Seen // a finished wait returns the instance its last poll read
	// listPages is the page count of the last list of managed instances.
	listPages atomic.Int64
}

var (
	_ framework.Provider         = (*Provider)(nil)
	_ framework.SnapshotGetter   = (*Provider)(nil)
	_ framework.RequestValidator = (*Provider)(nil)
	_ framework.LabelValidator   = (*Provider)(nil)
	_ framework.FilteringLister  = (*Provider)(nil)
	_ framework.InstanceFinder   = (*Provider)(nil)
	_ framework.ManyReader       = (*Provider)(nil)
)

// New validates cfg and builds an AWS provider. It reads the shared AWS
// config files (for the profile) but calls no API.
func New(cfg framework.Config) (*Provider, error) {
	if err := cfg.Timeouts.Validate(); err != nil {
		return nil, err
	}
	if err := framework.ValidateEndpoint(cfg.Endpoint); err != nil {
		return nil, err
	}
	region := cfg.Settings["region"]
	if region == "" {
		region = defaultRegion
	}
	if !regionRE.MatchString(region) {
		return nil, framework.InvalidConfig("region", fmt.Sprintf("%q is not an AWS region name such as \"eu-central-1\"", region))
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		// No SDK retries and no client-side retry quota: the framework's
		// policy is the only one.
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
	}
	if ua := cfg.UserAgent; ua != "" {
		opts = append(opts, config.WithAppID(strings.ReplaceAll(ua, "/", "-")))
	}
	if profile := cfg.Settings["profile"]; profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	if tok := strings.TrimSpace(cfg.Token); tok != "" {
		creds, err := staticCredentials(tok)
		if err != nil {
			return nil, err
		}
		opts = append(opts, config.WithCredentialsProvider(creds))
	}
	// The shared files are read here; credentials are resolved on the
	// first call. The SDK builds the transport (so that a CA bundle,
	// AWS_CA_BUNDLE or ca_bundle in the profile, reaches it); the
	// provider's wrapper (logging) goes around it, and OwnRequestBody between.
	awsCfg, err := config.LoadDefaultConfig(context.Background(),
		append(opts, config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(cfg.Timeouts.HTTPRequest)))...)
	if err != nil {
		return nil, framework.InvalidConfig("profile", "the AWS configuration could not be loaded: "+err.Error())
	}
	if bc, ok := awsCfg.HTTPClient.(*awshttp.BuildableClient); ok {
		rt := OwnRequestBody(bc.GetTransport())
		if cfg.WrapTransport != nil {
			rt = cfg.WrapTransport(rt)
		}
		awsCfg.HTTPClient = &http.Client{Transport: rt, Timeout: cfg.Timeouts.HTTPRequest}
	}
	p := &Provider{
		cfg:      awsCfg,
		endpoint: cfg.Endpoint,
		region:   region,
		timeouts: cfg.Timeouts,
		log:      cfg.Log,
		retry:    framework.DefaultRetryPolicy(),
		clients:  map[string]*ec2.Client{},
	}
	if cfg.Retry != nil {
		p.retry = *cfg.Retry
	}
	p.ready = newReadyWatcher(p)
	p.gone = framework.GoneWatcher(p.pollGone, p.timeouts, p.log, map[string]any{"provider": providerName})
	return p, nil
}

// staticCredentials parses the token "ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]".
func staticCredentials(token string) (aws.CredentialsProvider, error) {
	parts := strings.SplitN(token, ":", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return nil, framework.InvalidConfig("token", "for AWS the token is \"ACCESS_KEY_ID:SECRET_ACCESS_KEY\" (or with \":SESSION_TOKEN\"); leave it unset to use the standard AWS credential chain")
	}
	session := ""
	if len(parts) == 3 {
		session = parts[2]
	}
	return credentials.NewStaticCredentialsProvider(parts[0], parts[1], session), nil
}

// client is the EC2 client of region, made once and kept.
func (p *Provider) client(region string) *ec2.Client {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[region]; ok {
		return c
	}
	c := ec2.NewFromConfig(p.cfg, func(o *ec2.Options) {
		o.Region = region
		if p.endpoint != "" {
			o.BaseEndpoint = aws.String(p.endpoint)
		}
	})
	p.clients[region] = c
	return c
}

func (p *Provider) logf(ctx context.Context, msg string, fields map[string]any) {
	if p.log != nil {
		p.log(ctx, msg, fields)
	}
}

// Name returns "aws".
func (p *Provider) Name() string { return providerName }

// CreateInstance launches an instance and returns at once, "pending".
func (p *Provider) CreateInstance(ctx context.Context, req framework.InstanceRequest) (*framework.Instance, error) {
	if err := framework.ValidateRequest(p, req); err != nil {
		return nil, err
	}
	if err := p.nameFree(ctx, req.Region, req.Name); err != nil {
		return nil, err
	}
	ami, err := p.resolveImage(ctx, req.Region, req.Size, req.Image)
	if err != nil {
		return nil, err
	}
	in := &ec2.RunInstancesInput{
		ImageId:      aws.String(ami),
		InstanceType: types.InstanceType(req.Size),
		MinCount:     aws.Int32(1),
		MaxCount:     aws.Int32(1),
		TagSpecifications: []types.TagSpecification{
			{ResourceType: types.ResourceTypeInstance, Tags: tagList(req.Name, req.Labels)},
		},
	}
	// The request ID makes the launch idempotent on EC2's side too: a
	// retry with the same token returns the first instance.
	if token := req.Labels[framework.RequestIDKey]; token != "" {
		in.ClientToken = aws.String(clientToken(token))
	}
	if req.UserData != "" {
		in.UserData = aws.String(base64.StdEncoding.EncodeToString([]byte(req.UserData)))
	}
	switch len(req.SSHKeys) {
	case 0:
	case 1:
		in.KeyName = aws.String(req.SSHKeys[0])
	default:
		return nil, framework.InvalidConfig("ssh_keys", "EC2 installs one key pair per instance: give one key pair name")
	}
	out, err := p.client(req.Region).RunInstances(ctx, in)
	if err != nil {
		return nil, fail(ctx, err, subject{})
	}
	if len(out.Instances) == 0 {
		return nil, framework.API(0, "the RunInstances answer carried no instance")
	}
	return instanceToFramework(req.Region, &out.Instances[0]), nil
}

// clientToken derives RunInstances' ClientToken (at most 64 ASCII
// characters) from a create's request ID.
func clientToken(requestID string) string {
	t := "spuff-" + requestID
	if len(t) > 64 {
		t = t[:64]
	}
	return t
}

// nameFree refuses a name a managed instance of the region already has
// (see doc.go): one list, in the region the create goes to, where an
// instance an earlier, killed apply made is.
func (p *Provider) nameFree(ctx context.Context, region, name string) error {
	taken, err := p.listRegion(ctx, region, byName(name))
	if err != nil {
		return err
	}
	if len(taken) > 0 {
		return framework.InvalidConfig("name", fmt.Sprintf("an instance named %q managed by spuff already exists (ID %s)", name, taken[0].ID))
	}
	return nil
}

// DestroyInstance terminates an instance without waiting. One that does
// not exist, or is terminated already, is not an error.
func (p *Provider) DestroyInstance(ctx context.Context, id string) error {
	r, err := parseRef("id", id, "i")
	if err != nil {
		return err
	}
	_, err = p.client(r.Region).TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{r.ID}})
	if err = fail(ctx, err, subject{Type: "instance", ID: id}); framework.IsNotFound(err) {
		return nil
	}
	return err
}

// GetInstance returns the instance, or (nil, nil) when it does not exist
// or is shutting down or terminated.
func (p *Provider) GetInstance(ctx context.Context, id string) (*framework.Instance, error) {
	r, err := parseRef("id", id, "i")
	if err != nil {
		return nil, err
	}
	in, err := p.describe(ctx, r)
	if err != nil || in == nil || gone(in) {
		return nil, err
	}
	return p.withImage(ctx, r.Region, in)
}

// withImage converts an instance with the image spec its AMI stands for.
func (p *Provider) withImage(ctx context.Context, region string, in *types.Instance) (*framework.Instance, error) {
	inst := instanceToFramework(region, in)
	spec, err := p.imageSpec(ctx, region, aws.ToString(in.ImageId))
	if err != nil {
		return nil, err
	}
	inst.Image = spec
	return inst, nil
}

// describe reads one instance, nil when EC2 does not know it.
func (p *Provider) describe(ctx context.Context, r ref) (*types.Instance, error) {
	out, err := p.client(r.Region).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{r.ID}})
	if err != nil {
		err = fail(ctx, err, subject{Type: "instance", ID: r.String()})
		if framework.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	for _, res := range out.Reservations {
		for i := range res.Instances {
			if aws.ToString(res.Instances[i].InstanceId) == r.ID {
				return &res.Instances[i], nil
			}
		}
	}
	return nil, nil
}

// liveStates are the states of an instance spuff still sees.
var liveStates = []string{"pending", "running", "stopping", "stopped"}

// ListInstances returns every managed instance in every enabled region.
func (p *Provider) ListInstances(ctx context.Context) ([]framework.Instance, error) {
	return p.ListInstancesFiltered(ctx, framework.InstanceFilter{})
}

// ListInstancesFiltered lists the managed instances carrying all of f's
// labels, filtered by tag on EC2's side, in every enabled region at once.
func (p *Provider) ListInstancesFiltered(ctx context.Context, f framework.InstanceFilter) ([]framework.Instance, error) {
	if err := p.ValidateLabels(f.Labels); err != nil {
		return nil, err
	}
	filters := []types.Filter{
		{Name: aws.String("tag:" + framework.ManagedByKey), Values: []string{framework.ManagedByValue}},
		{Name: aws.String("instance-state-name"), Values: liveStates},
	}
	for _, k := range framework.SortedKeys(f.Labels) {
		filters = append(filters, types.Filter{Name: aws.String("tag:" + k), Values: []string{f.Labels[k]}})
	}
	regions, err := p.regionNames(ctx)
	if err != nil {
		return nil, err
	}
	out, err := p.listIn(ctx, regions, filters)
	if err == nil && len(f.Labels) == 0 {
		p.listPages.Store(int64(len(out)/listPerPage + 1))
	}
	return out, err
}

// listPerPage is the page of a list of instances: half DescribeInstances'
// largest (1,000), which held the provider's peak memory over 10,000
// instances about 10 MB lower for 10 more requests.
const listPerPage = 500

// listIn lists the instances matching filters in each region, the regions
// at once, each walking its pages.
func (p *Provider) listIn(ctx context.Context, regions []string, filters []types.Filter) ([]framework.Instance, error) {
	results := make([][]framework.Instance, len(regions))
	errs := make([]error, len(regions))
	var wg sync.WaitGroup
	for i, region := range regions {
		wg.Go(func() {
			results[i], errs[i] = p.listRegion(ctx, region, filters)
		})
	}
	wg.Wait()
	var out []framework.Instance
	for i := range regions {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, results[i]...)
	}
	slices.SortFunc(out, func(a, b framework.Instance) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (p *Provider) listRegion(ctx context.Context, region string, filters []types.Filter) ([]framework.Instance, error) {
	c := p.client(region)
	// Each page is converted as it comes, so that the SDK's structures of
	// one page at most are held at a time (10,000 instances are 10 pages).
	return allPages(ctx, p, "instances in "+region, func(ctx context.Context, token *string) ([]framework.Instance, *string, error) {
		out, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: filters, MaxResults: aws.Int32(listPerPage), NextToken: token})
		if err != nil {
			return nil, nil, fail(ctx, err, subject{})
		}
		var got []framework.Instance
		for _, r := range out.Reservations {
			for i := range r.Instances {
				if gone(&r.Instances[i]) {
					continue
				}
				inst, err := p.withImage(ctx, region, &r.Instances[i])
				if err != nil {
					return nil, nil, err
				}
				got = append(got, *inst)
			}
		}
		return got, out.NextToken, nil
	})
}

// FindInstances returns the managed instances named name in every enabled
// region (framework.InstanceFinder).
func (p *Provider) FindInstances(ctx context.Context, name string) ([]framework.Instance, error) {
	regions, err := p.regionNames(ctx)
	if err != nil {
		return nil, err
	}
	return p.listIn(ctx, regions, byName(name))
}

// byName filters the live managed instances named name.
func byName(name string) []types.Filter {
	return []types.Filter{
		{Name: aws.String("tag:" + framework.ManagedByKey), Values: []string{framework.ManagedByValue}},
		{Name: aws.String("tag:" + nameTag), Values: []string{name}},
		{Name: aws.String("instance-state-name"), Values: liveStates},
	}
}

// SSHKeys returns the names of the key pairs of every enabled region (key
// pairs are regional; a name found anywhere is accepted at plan, and
// RunInstances says when it is not in the instance's region).
func (p *Provider) SSHKeys(ctx context.Context) ([]string, error) {
	regions, err := p.regionNames(ctx)
	if err != nil {
		return nil, err
	}
	names := make([][]string, len(regions))
	errs := make([]error, len(regions))
	var wg sync.WaitGroup
	for i, region := range regions {
		wg.Go(func() {
			out, err := p.client(region).DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
			if err != nil {
				errs[i] = fail(ctx, err, subject{})
				return
			}
			for _, k := range out.KeyPairs {
				names[i] = append(names[i], aws.ToString(k.KeyName))
			}
		})
	}
	wg.Wait()
	var out []string
	for i := range regions {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, names[i]...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// regionNames is the enabled regions, listed once (DescribeRegions in
// the provider's region).
func (p *Provider) regionNames(ctx context.Context) ([]string, error) {
	return p.regions.Get(ctx, struct{}{}, func(ctx context.Context) ([]string, error) {
		out, err := p.client(p.region).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
		if err != nil {
			return nil, fail(ctx, err, subject{})
		}
		var list []string
		for _, reg := range out.Regions {
			list = append(list, aws.ToString(reg.RegionName))
		}
		slices.Sort(list)
		return list, nil
	})
}
