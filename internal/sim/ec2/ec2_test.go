package ec2sim_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	awscloud "github.com/spuff/terraform-provider-spuff/internal/clouds/aws"
	"github.com/spuff/terraform-provider-spuff/internal/sim"
)

const (
	akid   = "AKIDEXAMPLE"
	region = "us-east-1"
	noble  = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-"
)

// clock is the wall clock moved forward by Advance, so SDK waiters (which
// sleep in real time) see transitions, and tombstones can be aged.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
	frozen time.Time // non-zero: the clock stands still there (plus offset)
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen.Add(c.offset)
	}
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

type env struct {
	t     *testing.T
	s     *sim.Sim
	clock *clock
	url   string
	c     *ec2.Client
	ctx   context.Context
}

func newEnv(t *testing.T, opts sim.Options) *env {
	t.Helper()
	clk := &clock{}
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	s := sim.New(opts)
	fe, ok := s.FrontEnd("aws")
	if !ok || !fe.OwnPort || fe.Title != "AWS EC2 API" {
		t.Fatalf("no AWS EC2 front end with a port of its own: %+v", s.FrontEnds())
	}
	srv := httptest.NewServer(fe.Handler)
	t.Cleanup(srv.Close)
	e := &env{t: t, s: s, clock: clk, url: srv.URL, ctx: context.Background()}
	e.c = e.client(akid, region, 1)
	return e
}

// client is the SDK as the notes configure it: attempts 1 = no retries;
// retries back off 1 ms and spend no retry quota. Its transport is the
// provider's (awscloud.OwnRequestBody): without retries, smithy's early
// close of the request body would lose some long answers on loopback.
func (e *env) client(key, reg string, attempts int) *ec2.Client {
	return ec2.New(ec2.Options{
		HTTPClient:   &http.Client{Transport: awscloud.OwnRequestBody(http.DefaultTransport)},
		Region:       reg,
		BaseEndpoint: aws.String(e.url),
		Credentials:  credentials.NewStaticCredentialsProvider(key, "secret", ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
			o.RateLimiter = ratelimit.None
		}),
	})
}

// apiCode is the EC2 error code and HTTP status of err; it fails the test
// when err is not an API error.
func apiCode(t *testing.T, err error) (string, int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an API error: %v", err)
	}
	status := 0
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), status
}

func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s (%d), got success", code, status)
	}
	if c, s := apiCode(t, err); c != code || s != status {
		t.Fatalf("got %s (%d), want %s (%d): %v", c, s, code, status, err)
	}
}

func tag(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

func instanceTags(tags ...types.Tag) []types.TagSpecification {
	return []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: tags}}
}

// newestAMI looks the newest seeded AMI of a name pattern up the way the
// provider does.
func (e *env) newestAMI(c *ec2.Client, owner, pattern, arch string) types.Image {
	e.t.Helper()
	out, err := c.DescribeImages(e.ctx, &ec2.DescribeImagesInput{Owners: []string{owner}, Filters: []types.Filter{
		{Name: aws.String("name"), Values: []string{pattern}},
		{Name: aws.String("architecture"), Values: []string{arch}},
		{Name: aws.String("state"), Values: []string{"available"}},
	}})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(out.Images) == 0 {
		e.t.Fatalf("no image %s %s of %s", pattern, arch, owner)
	}
	best := out.Images[0]
	for _, img := range out.Images {
		if *img.CreationDate > *best.CreationDate {
			best = img
		}
	}
	return best
}

func (e *env) noble() string {
	return *e.newestAMI(e.c, "099720109477", noble+"*", "x86_64").ImageId
}

func (e *env) run(in *ec2.RunInstancesInput) types.Instance {
	e.t.Helper()
	if in.ImageId == nil {
		in.ImageId = aws.String(e.noble())
	}
	if in.InstanceType == "" {
		in.InstanceType = types.InstanceTypeT3Micro
	}
	in.MinCount, in.MaxCount = aws.Int32(1), aws.Int32(1)
	out, err := e.c.RunInstances(e.ctx, in)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(out.Instances) != 1 {
		e.t.Fatalf("RunInstances: %d instances", len(out.Instances))
	}
	return out.Instances[0]
}

func (e *env) describe(id string) types.Instance {
	e.t.Helper()
	out, err := e.c.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		e.t.Fatalf("DescribeInstances(%s): %+v", id, out.Reservations)
	}
	return out.Reservations[0].Instances[0]
}

func (e *env) waitRunning(ids ...string) {
	e.t.Helper()
	w := ec2.NewInstanceRunningWaiter(e.c, func(o *ec2.InstanceRunningWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
	})
	if err := w.Wait(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: ids}, 10*time.Second); err != nil {
		e.t.Fatal(err)
	}
}

// publicKey is an OpenSSH ed25519 public key line.
func publicKey(seed byte) string {
	var blob []byte
	for _, part := range [][]byte{[]byte("ssh-ed25519"), bytesOf(seed, 32)} {
		blob = binary.BigEndian.AppendUint32(blob, uint32(len(part)))
		blob = append(blob, part...)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob) + " test@spuff"
}

func bytesOf(b byte, n int) []byte { return []byte(strings.Repeat(string(rune(b)), n))[:n] }

func (e *env) importKey(name string) {
	e.t.Helper()
	if _, err := e.c.ImportKeyPair(e.ctx, &ec2.ImportKeyPairInput{KeyName: aws.String(name), PublicKeyMaterial: []byte(publicKey('k'))}); err != nil {
		e.t.Fatal(err)
	}
}

// EC2-run-idempotent (§6.13).
func TestRunWaitAndClientToken(t *testing.T) {
	e := newEnv(t, sim.Options{ServerReadyDelay: 150 * time.Millisecond})
	e.importKey("laptop")
	ud := base64.StdEncoding.EncodeToString([]byte("#cloud-config\npackages: [git]\n"))
	in := &ec2.RunInstancesInput{KeyName: aws.String("laptop"), UserData: aws.String(ud), ClientToken: aws.String("token-1"),
		TagSpecifications: instanceTags(tag("spuff", "1"), tag("Name", "dev-box"))}
	inst := e.run(in)
	if inst.State.Name != types.InstanceStateNamePending || *inst.State.Code != 0 || inst.PublicIpAddress != nil {
		t.Fatalf("RunInstances: state %v/%d, public IP %v", inst.State.Name, *inst.State.Code, inst.PublicIpAddress)
	}
	if !strings.HasPrefix(*inst.InstanceId, "i-") || len(*inst.InstanceId) != 19 || inst.PrivateIpAddress == nil ||
		*inst.Placement.AvailabilityZone != "us-east-1a" || *inst.ClientToken != "token-1" || *inst.KeyName != "laptop" {
		t.Fatalf("RunInstances instance: %+v", inst)
	}
	e.waitRunning(*inst.InstanceId)
	got := e.describe(*inst.InstanceId)
	tags := map[string]string{}
	for _, tg := range got.Tags {
		tags[*tg.Key] = *tg.Value
	}
	if got.State.Name != types.InstanceStateNameRunning || *got.State.Code != 16 || tags["spuff"] != "1" || tags["Name"] != "dev-box" ||
		got.PublicIpAddress == nil || *got.PublicIpAddress == "" || got.Architecture != types.ArchitectureValuesX8664 ||
		*got.SubnetId == "" || *got.VpcId == "" || got.LaunchTime == nil {
		t.Fatalf("after the waiter: %+v", got)
	}
	if srv := e.s.ServersWithSecrets(); len(srv) != 1 || srv[0].UserData != "#cloud-config\npackages: [git]\n" || srv[0].Status != "running" || srv[0].Cloud != "aws" {
		t.Fatalf("simulator state: %+v", srv)
	}

	// The same token and parameters: the original reservation, no new
	// instance.
	again, err := e.c.RunInstances(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if *again.Instances[0].InstanceId != *inst.InstanceId || again.Instances[0].State.Name != types.InstanceStateNameRunning || len(e.s.Servers()) != 1 {
		t.Fatalf("repeated ClientToken: %s (%v), %d machines", *again.Instances[0].InstanceId, again.Instances[0].State.Name, len(e.s.Servers()))
	}
	// The same token, other parameters.
	other := *in
	other.InstanceType = types.InstanceTypeT3Small
	_, err = e.c.RunInstances(e.ctx, &other)
	wantCode(t, err, "IdempotentParameterMismatch", 400)
	if len(e.s.Servers()) != 1 {
		t.Fatalf("a mismatch created a machine")
	}
	// ClientTokens are per region: the same token elsewhere is a new launch.
	eu := e.client(akid, "eu-west-1", 1)
	euIn := &ec2.RunInstancesInput{ImageId: e.newestAMI(eu, "099720109477", noble+"*", "x86_64").ImageId, InstanceType: types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), ClientToken: aws.String("token-1")}
	euOut, err := eu.RunInstances(e.ctx, euIn)
	if err != nil {
		t.Fatal(err)
	}
	if *euOut.Instances[0].InstanceId == *inst.InstanceId || *euOut.Instances[0].ClientToken != "token-1" || len(e.s.Servers()) != 2 {
		t.Fatalf("the token in eu-west-1: %s, %d machines", *euOut.Instances[0].InstanceId, len(e.s.Servers()))
	}
}

func TestRunInstancesRefusals(t *testing.T) {
	e := newEnv(t, sim.Options{})
	e.importKey("laptop")
	amd := e.noble()
	arm := *e.newestAMI(e.c, "099720109477", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*", "arm64").ImageId
	sg := e.client(akid, "ap-southeast-1", 1)
	armSG := *e.newestAMI(sg, "136693071363", "debian-12-arm64-*", "arm64").ImageId
	for _, tc := range []struct {
		name   string
		c      *ec2.Client
		in     ec2.RunInstancesInput
		code   string
		status int
	}{
		{"user data not base64", e.c, ec2.RunInstancesInput{ImageId: &amd, UserData: aws.String("#cloud-config!")}, "InvalidParameterValue", 400},
		{"unknown key", e.c, ec2.RunInstancesInput{ImageId: &amd, KeyName: aws.String("nobody")}, "InvalidKeyPair.NotFound", 400},
		{"two instances", e.c, ec2.RunInstancesInput{ImageId: &amd, MaxCount: aws.Int32(2)}, "InvalidParameterValue", 400},
		{"unknown AMI", e.c, ec2.RunInstancesInput{ImageId: aws.String("ami-0000000000000beef")}, "InvalidAMIID.NotFound", 400},
		{"malformed AMI", e.c, ec2.RunInstancesInput{ImageId: aws.String("ubuntu-24.04")}, "InvalidAMIID.Malformed", 400},
		{"AMI of another region", sg, ec2.RunInstancesInput{ImageId: &amd}, "InvalidAMIID.NotFound", 400},
		{"unknown type", e.c, ec2.RunInstancesInput{ImageId: &amd, InstanceType: "t1.nano"}, "InvalidParameterValue", 400},
		{"type not offered in the region", sg, ec2.RunInstancesInput{ImageId: &armSG, InstanceType: types.InstanceTypeM7gLarge}, "Unsupported", 400},
		{"arm type, amd64 AMI", e.c, ec2.RunInstancesInput{ImageId: &amd, InstanceType: types.InstanceTypeT4gMicro}, "InvalidParameterValue", 400},
		{"unknown subnet", e.c, ec2.RunInstancesInput{ImageId: &amd, SubnetId: aws.String("subnet-0000000000000beef")}, "InvalidSubnetID.NotFound", 400},
		{"image tags on an instance", e.c, ec2.RunInstancesInput{ImageId: &amd, TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeImage, Tags: []types.Tag{tag("a", "b")}}}}, "InvalidParameterValue", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.InstanceType == "" {
				in.InstanceType = types.InstanceTypeT3Micro
			}
			in.MinCount = aws.Int32(1)
			if in.MaxCount == nil {
				in.MaxCount = aws.Int32(1)
			}
			_, err := tc.c.RunInstances(e.ctx, &in)
			wantCode(t, err, tc.code, tc.status)
		})
	}
	if n := len(e.s.Servers()); n != 0 {
		t.Fatalf("refused launches made %d machines", n)
	}
	// The same arm AMI with an arm type in a region offering it works.
	e.run(&ec2.RunInstancesInput{ImageId: &arm, InstanceType: types.InstanceTypeT4gMicro})
	if srv := e.s.Servers(); len(srv) != 1 || srv[0].ServerType != "t4g.micro" {
		t.Fatalf("arm launch: %+v", srv)
	}
}

// A launch whose world action fails ends terminated with
// Server.InternalError, so the running waiter fails instead of waiting.
func TestFailedLaunch(t *testing.T) {
	e := newEnv(t, sim.Options{ServerReadyDelay: 100 * time.Millisecond})
	e.s.InjectFault(sim.Fault{Path: "action:RunInstances"})
	inst := e.run(&ec2.RunInstancesInput{})
	if inst.State.Name != types.InstanceStateNamePending {
		t.Fatalf("a failing launch answers %s", inst.State.Name)
	}
	w := ec2.NewInstanceRunningWaiter(e.c, func(o *ec2.InstanceRunningWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
	})
	err := w.Wait(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{*inst.InstanceId}}, 10*time.Second)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "failure") {
		t.Fatalf("running waiter on a failed launch: %v", err)
	}
	got := e.describe(*inst.InstanceId)
	if got.State.Name != types.InstanceStateNameTerminated || got.StateReason == nil || *got.StateReason.Code != "Server.InternalError" {
		t.Fatalf("failed launch: %v %+v", got.State.Name, got.StateReason)
	}
}

// EC2-describe-paging (§6.14) and filters.
func TestDescribeInstancesPagingAndFilters(t *testing.T) {
	e := newEnv(t, sim.Options{})
	var tagged []string
	for i := range 15 {
		var tags []types.Tag
		if i < 12 {
			tags = []types.Tag{tag("spuff", "1"), tag("team", fmt.Sprintf("platform-%d", i%3))}
		}
		inst := e.run(&ec2.RunInstancesInput{TagSpecifications: instanceTags(tags...)})
		if i < 12 {
			tagged = append(tagged, *inst.InstanceId)
		}
	}
	byTag := []types.Filter{
		{Name: aws.String("tag:spuff"), Values: []string{"1"}},
		{Name: aws.String("instance-state-name"), Values: []string{"pending", "running"}},
	}
	p := ec2.NewDescribeInstancesPaginator(e.c, &ec2.DescribeInstancesInput{Filters: byTag, MaxResults: aws.Int32(5)})
	pages, seen := 0, map[string]bool{}
	for p.HasMorePages() {
		out, err := p.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.Reservations {
			for _, i := range r.Instances {
				seen[*i.InstanceId] = true
			}
		}
		if pages < 3 && out.NextToken == nil || pages == 3 && out.NextToken != nil {
			t.Fatalf("page %d: next token %v", pages, out.NextToken)
		}
	}
	if pages != 3 || len(seen) != 12 {
		t.Fatalf("paginator: %d pages, %d instances", pages, len(seen))
	}
	for _, id := range tagged {
		if !seen[id] {
			t.Fatalf("paginator missed %s", id)
		}
	}

	for _, tc := range []struct {
		name    string
		filters []types.Filter
		want    int
	}{
		{"no filter", nil, 15},
		{"tag value wildcard *", []types.Filter{{Name: aws.String("tag:team"), Values: []string{"platform-*"}}}, 12},
		{"tag value wildcard ?", []types.Filter{{Name: aws.String("tag:team"), Values: []string{"platform-?"}}}, 12},
		{"values OR-ed", []types.Filter{{Name: aws.String("tag:team"), Values: []string{"platform-0", "platform-1"}}}, 8},
		{"filters AND-ed", []types.Filter{{Name: aws.String("tag:team"), Values: []string{"platform-0"}}, {Name: aws.String("instance-id"), Values: []string{tagged[0], tagged[1]}}}, 1},
		{"tag-key", []types.Filter{{Name: aws.String("tag-key"), Values: []string{"team"}}}, 12},
		{"no such tag value", []types.Filter{{Name: aws.String("tag:team"), Values: []string{"other"}}}, 0},
		{"instance-id", []types.Filter{{Name: aws.String("instance-id"), Values: []string{tagged[3]}}}, 1},
		{"state stopped", []types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"stopped"}}}, 0},
		{"instance type", []types.Filter{{Name: aws.String("instance-type"), Values: []string{"t3.*"}}}, 15},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.c.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{Filters: tc.filters})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range out.Reservations {
				n += len(r.Instances)
			}
			if n != tc.want || out.NextToken != nil {
				t.Fatalf("%d instances (next %v), want %d", n, out.NextToken, tc.want)
			}
		})
	}

	for _, tc := range []struct {
		name string
		in   ec2.DescribeInstancesInput
		code string
	}{
		{"MaxResults with InstanceIds", ec2.DescribeInstancesInput{InstanceIds: tagged[:1], MaxResults: aws.Int32(5)}, "InvalidParameterCombination"},
		{"MaxResults below 5", ec2.DescribeInstancesInput{MaxResults: aws.Int32(2)}, "InvalidParameterValue"},
		{"MaxResults above 1000", ec2.DescribeInstancesInput{MaxResults: aws.Int32(1001)}, "InvalidParameterValue"},
		{"garbage token", ec2.DescribeInstancesInput{NextToken: aws.String("garbage")}, "InvalidPaginationToken"},
		{"unknown filter", ec2.DescribeInstancesInput{Filters: []types.Filter{{Name: aws.String("colour"), Values: []string{"red"}}}}, "InvalidParameterValue"},
		{"filter without a name", ec2.DescribeInstancesInput{Filters: []types.Filter{{Values: []string{"red"}}}}, "InvalidParameterValue"},
		{"malformed ID", ec2.DescribeInstancesInput{InstanceIds: []string{"instance-1"}}, "InvalidInstanceID.Malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.DescribeInstances(e.ctx, &tc.in)
			wantCode(t, err, tc.code, 400)
		})
	}
}

// EC2-notfound-terminate (§6.15) and the tombstone.
func TestNotFoundTerminateAndTombstone(t *testing.T) {
	e := newEnv(t, sim.Options{ActionDelay: 150 * time.Millisecond})
	_, err := e.c.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0000000000000dead"}})
	wantCode(t, err, "InvalidInstanceID.NotFound", 400)
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Fatalf("no request ID in %v", err)
	}
	if !strings.Contains(err.Error(), "i-0000000000000dead") {
		t.Fatalf("the message does not name the ID: %v", err)
	}

	inst := e.run(&ec2.RunInstancesInput{TagSpecifications: instanceTags(tag("spuff", "1"))})
	id := *inst.InstanceId
	e.waitRunning(id)
	out, err := e.c.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	ch := out.TerminatingInstances[0]
	if *ch.InstanceId != id || ch.CurrentState.Name != types.InstanceStateNameShuttingDown || *ch.CurrentState.Code != 32 ||
		ch.PreviousState.Name != types.InstanceStateNameRunning || *ch.PreviousState.Code != 16 {
		t.Fatalf("TerminateInstances: %+v -> %+v", ch.PreviousState, ch.CurrentState)
	}
	if got := e.describe(id); got.State.Name != types.InstanceStateNameShuttingDown {
		t.Fatalf("right after terminate: %v", got.State.Name)
	}
	w := ec2.NewInstanceTerminatedWaiter(e.c, func(o *ec2.InstanceTerminatedWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
	})
	if err := w.Wait(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	got := e.describe(id)
	if got.State.Name != types.InstanceStateNameTerminated || *got.State.Code != 48 || got.PublicIpAddress != nil || got.StateReason == nil {
		t.Fatalf("terminated: %+v", got)
	}
	// A second terminate answers terminated -> terminated.
	out, err = e.c.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	if err != nil || out.TerminatingInstances[0].CurrentState.Name != types.InstanceStateNameTerminated {
		t.Fatalf("second terminate: %v %+v", err, out)
	}

	count := func(filters ...types.Filter) int {
		out, err := e.c.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{Filters: filters})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Reservations)
	}
	byTag := types.Filter{Name: aws.String("tag:spuff"), Values: []string{"1"}}
	live := types.Filter{Name: aws.String("instance-state-name"), Values: []string{"pending", "running"}}
	if count(byTag) != 1 || count(byTag, live) != 0 {
		t.Fatalf("listing: by tag %d, by tag and live %d", count(byTag), count(byTag, live))
	}
	e.clock.Advance(59 * time.Minute)
	if got := e.describe(id); got.State.Name != types.InstanceStateNameTerminated {
		t.Fatalf("after 59 minutes: %v", got.State.Name)
	}
	e.clock.Advance(2 * time.Minute)
	_, err = e.c.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	wantCode(t, err, "InvalidInstanceID.NotFound", 400)
	if count(byTag) != 0 {
		t.Fatal("the tombstone is still listed after an hour")
	}
}

// EC2-ami-lifecycle (§6.16).
func TestImageLifecycle(t *testing.T) {
	e := newEnv(t, sim.Options{ImageReadyDelay: 150 * time.Millisecond})
	inst := e.run(&ec2.RunInstancesInput{})
	id := *inst.InstanceId
	in := &ec2.CreateImageInput{InstanceId: &id, Name: aws.String("dev-golden"), Description: aws.String("golden image"), NoReboot: aws.Bool(true),
		TagSpecifications: []types.TagSpecification{
			{ResourceType: types.ResourceTypeImage, Tags: []types.Tag{tag("spuff", "1")}},
			{ResourceType: types.ResourceTypeSnapshot, Tags: []types.Tag{tag("spuff", "1"), tag("kind", "disk")}},
		}}
	out, err := e.c.CreateImage(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	ami := *out.ImageId
	now, err := e.c.DescribeImages(e.ctx, &ec2.DescribeImagesInput{ImageIds: []string{ami}})
	if err != nil {
		t.Fatal(err)
	}
	if len(now.Images) != 1 || now.Images[0].State != types.ImageStatePending || *now.Images[0].Name != "dev-golden" {
		t.Fatalf("right after CreateImage: %+v", now.Images)
	}
	w := ec2.NewImageAvailableWaiter(e.c, func(o *ec2.ImageAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
	})
	if err := w.Wait(e.ctx, &ec2.DescribeImagesInput{ImageIds: []string{ami}}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	mine, err := e.c.DescribeImages(e.ctx, &ec2.DescribeImagesInput{Owners: []string{"self"},
		Filters: []types.Filter{{Name: aws.String("tag:spuff"), Values: []string{"1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(mine.Images) != 1 || *mine.Images[0].ImageId != ami || mine.Images[0].State != types.ImageStateAvailable ||
		*mine.Images[0].Public || *mine.Images[0].OwnerId != "000000000000" || *mine.Images[0].SourceInstanceId != id {
		t.Fatalf("own images by tag: %+v", mine.Images)
	}
	snap := mine.Images[0].BlockDeviceMappings[0].Ebs.SnapshotId
	if snap == nil || !strings.HasPrefix(*snap, "snap-") {
		t.Fatalf("no EBS snapshot in %+v", mine.Images[0].BlockDeviceMappings)
	}
	snaps, err := e.c.DescribeSnapshots(e.ctx, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"},
		Filters: []types.Filter{{Name: aws.String("tag:kind"), Values: []string{"disk"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps.Snapshots) != 1 || *snaps.Snapshots[0].SnapshotId != *snap || snaps.Snapshots[0].State != types.SnapshotStateCompleted {
		t.Fatalf("DescribeSnapshots: %+v", snaps.Snapshots)
	}

	_, err = e.c.CreateImage(e.ctx, in)
	wantCode(t, err, "InvalidAMIName.Duplicate", 400)
	_, err = e.c.DeleteSnapshot(e.ctx, &ec2.DeleteSnapshotInput{SnapshotId: snap})
	wantCode(t, err, "InvalidSnapshot.InUse", 400)
	if _, err := e.c.DeregisterImage(e.ctx, &ec2.DeregisterImageInput{ImageId: &ami}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.DeleteSnapshot(e.ctx, &ec2.DeleteSnapshotInput{SnapshotId: snap}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.DescribeImages(e.ctx, &ec2.DescribeImagesInput{ImageIds: []string{ami}})
	wantCode(t, err, "InvalidAMIID.NotFound", 400)
	_, err = e.c.DeleteSnapshot(e.ctx, &ec2.DeleteSnapshotInput{SnapshotId: snap})
	wantCode(t, err, "InvalidSnapshot.NotFound", 400)
	_, err = e.c.DeleteSnapshot(e.ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String("snapshot-1")})
	wantCode(t, err, "InvalidSnapshotID.Malformed", 400)

	// The name is free again; DeleteAssociatedSnapshots takes the snapshot
	// along.
	out, err = e.c.CreateImage(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	dr, err := e.c.DeregisterImage(e.ctx, &ec2.DeregisterImageInput{ImageId: out.ImageId, DeleteAssociatedSnapshots: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(dr.DeleteSnapshotResults) != 1 || dr.DeleteSnapshotResults[0].ReturnCode != types.SnapshotReturnCodesSuccess {
		t.Fatalf("DeregisterImage results: %+v", dr.DeleteSnapshotResults)
	}
	snaps, err = e.c.DescribeSnapshots(e.ctx, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}})
	if err != nil || len(snaps.Snapshots) != 0 {
		t.Fatalf("snapshots after DeleteAssociatedSnapshots: %v %+v", err, snaps)
	}
	// Seeded AMIs are not the caller's to deregister; a terminated
	// instance can't be imaged.
	_, err = e.c.DeregisterImage(e.ctx, &ec2.DeregisterImageInput{ImageId: inst.ImageId})
	wantCode(t, err, "UnauthorizedOperation", 403)
	if _, err := e.c.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.CreateImage(e.ctx, &ec2.CreateImageInput{InstanceId: &id, Name: aws.String("too-late")})
	wantCode(t, err, "IncorrectInstanceState", 400)
}

// An AMI whose snapshot fails is failed, with a state reason, and the
// available waiter fails on it.
func TestFailedImage(t *testing.T) {
	e := newEnv(t, sim.Options{ImageReadyDelay: 100 * time.Millisecond})
	id := *e.run(&ec2.RunInstancesInput{}).InstanceId
	e.s.InjectFault(sim.Fault{Path: "action:CreateImage", Message: "disk on fire"})
	out, err := e.c.CreateImage(e.ctx, &ec2.CreateImageInput{InstanceId: &id, Name: aws.String("doomed")})
	if err != nil {
		t.Fatal(err)
	}
	w := ec2.NewImageAvailableWaiter(e.c, func(o *ec2.ImageAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
	})
	err = w.Wait(e.ctx, &ec2.DescribeImagesInput{ImageIds: []string{*out.ImageId}}, 10*time.Second)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "failure") {
		t.Fatalf("available waiter on a failed AMI: %v", err)
	}
	imgs, err := e.c.DescribeImages(e.ctx, &ec2.DescribeImagesInput{ImageIds: []string{*out.ImageId}})
	if err != nil {
		t.Fatal(err)
	}
	if img := imgs.Images[0]; img.State != types.ImageStateFailed || img.StateReason == nil || *img.StateReason.Message != "disk on fire" {
		t.Fatalf("failed AMI: %v %+v", img.State, img.StateReason)
	}
	if imgs := e.s.Images(); len(imgs) != 1 || imgs[0].Status != "failed" || imgs[0].Cloud != "aws" {
		t.Fatalf("simulator images: %+v", imgs)
	}
}

// EC2-distro-lookup (§6.17).
func TestDistroLookup(t *testing.T) {
	e := newEnv(t, sim.Options{})
	for _, tc := range []struct {
		owner, pattern, arch string
		newest               string
	}{
		{"099720109477", noble + "*", "x86_64", noble + "20261118"},
		{"099720109477", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*", "arm64", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20261118"},
		{"099720109477", "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*", "x86_64", "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20261112"},
		{"136693071363", "debian-12-arm64-*", "arm64", "debian-12-arm64-20261109-2290"},
		{"136693071363", "debian-13-amd64-????????-*", "x86_64", "debian-13-amd64-20261110-0540"},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			out, err := e.c.DescribeImages(e.ctx, &ec2.DescribeImagesInput{Owners: []string{tc.owner}, Filters: []types.Filter{
				{Name: aws.String("name"), Values: []string{tc.pattern}},
				{Name: aws.String("architecture"), Values: []string{tc.arch}},
				{Name: aws.String("state"), Values: []string{"available"}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Images) != 2 {
				t.Fatalf("%d images", len(out.Images))
			}
			for _, img := range out.Images {
				if string(img.Architecture) != tc.arch || *img.OwnerId != tc.owner || !*img.Public || img.RootDeviceType != types.DeviceTypeEbs ||
					img.VirtualizationType != types.VirtualizationTypeHvm || !*img.EnaSupport || img.ImageType != types.ImageTypeValuesMachine {
					t.Fatalf("image %+v", img)
				}
			}
			if got := *e.newestAMI(e.c, tc.owner, tc.pattern, tc.arch).Name; got != tc.newest {
				t.Fatalf("newest %s, want %s", got, tc.newest)
			}
		})
	}
	self, err := e.c.DescribeImages(e.ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
	if err != nil || len(self.Images) != 0 {
		t.Fatalf("owner self lists seeded images: %v %d", err, len(self.Images))
	}
	all, err := e.c.DescribeImages(e.ctx, &ec2.DescribeImagesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Images) != 16 {
		t.Fatalf("without owner: %d images, want the 16 public ones of the region", len(all.Images))
	}
	// Every region has its own IDs for the same AMI.
	east := *e.newestAMI(e.c, "099720109477", noble+"*", "x86_64").ImageId
	eu := e.newestAMI(e.client(akid, "eu-west-1", 1), "099720109477", noble+"*", "x86_64")
	if *eu.ImageId == east || *eu.Name != noble+"20261118" {
		t.Fatalf("eu-west-1 %s (%s), us-east-1 %s", *eu.ImageId, *eu.Name, east)
	}
	p := ec2.NewDescribeImagesPaginator(e.c, &ec2.DescribeImagesInput{Owners: []string{"136693071363"}, MaxResults: aws.Int32(5)})
	n, pages := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		n, pages = n+len(out.Images), pages+1
	}
	if n != 8 || pages != 2 {
		t.Fatalf("Debian images by pages of 5: %d in %d pages", n, pages)
	}
}

// EC2-throttle (§6.18), scripted faults by action name.
func TestThrottlingAndFaults(t *testing.T) {
	e := newEnv(t, sim.Options{})
	retrying := e.client(akid, region, 3)

	e.s.InjectFault(sim.Fault{Path: "DescribeRegions", Code: "RequestLimitExceeded"})
	if _, err := retrying.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatalf("one throttle with retries: %v", err)
	}
	if n := e.s.RequestCounts()["DescribeRegions"]; n != 2 {
		t.Fatalf("%d attempts, want 2", n)
	}

	// The same with the SDK's default retryer (3 attempts, backoff up to
	// 2 s after a throttle).
	e.s.Reset()
	e.s.InjectFault(sim.Fault{Path: "DescribeRegions", Status: http.StatusServiceUnavailable, Code: "RequestLimitExceeded"})
	def := ec2.New(ec2.Options{Region: region, BaseEndpoint: aws.String(e.url), Credentials: credentials.NewStaticCredentialsProvider(akid, "secret", "")})
	if _, err := def.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatalf("one throttle, default retryer: %v", err)
	}
	if n := e.s.RequestCounts()["DescribeRegions"]; n != 2 {
		t.Fatalf("default retryer: %d attempts, want 2", n)
	}

	e.s.InjectFault(sim.Fault{Path: "DescribeRegions", Status: http.StatusTooManyRequests, Times: 3})
	_, err := e.client(akid, region, 2).DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{})
	wantCode(t, err, "RequestLimitExceeded", 503)
	e.s.Reset()

	// A bare 429 with a code of its own stays a 429. The notes (§4.6,
	// SDK core v1.47.7) say it is not retried; core v1.48.0 retries
	// unmodeled 429s as throttles, which this documents.
	e.s.InjectFault(sim.Fault{Path: "DescribeRegions", Status: http.StatusTooManyRequests, Code: "Throttled"})
	_, err = e.c.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{})
	wantCode(t, err, "Throttled", 429)
	e.s.InjectFault(sim.Fault{Path: "DescribeRegions", Status: http.StatusTooManyRequests, Code: "Throttled"})
	if _, err := retrying.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatalf("a bare 429 with retries: %v", err)
	}
	if n := e.s.RequestCounts()["DescribeRegions"]; n != 3 {
		t.Fatalf("%d requests, want 1 + 2 (the SDK retried the bare 429 once)", n)
	}

	for _, tc := range []struct {
		status int
		code   string
	}{{500, "InternalError"}, {503, "Unavailable"}} {
		e.s.InjectFault(sim.Fault{Path: "Describe*", Status: tc.status})
		_, err = e.c.DescribeAvailabilityZones(e.ctx, &ec2.DescribeAvailabilityZonesInput{})
		wantCode(t, err, tc.code, tc.status)
	}

	// A create whose answer is lost after the instance was made: one
	// instance, and the retry with the same ClientToken finds it.
	e.s.Reset()
	e.s.InjectFault(sim.Fault{Path: "RunInstances", Drop: true, After: true})
	in := &ec2.RunInstancesInput{ImageId: aws.String(e.noble()), InstanceType: types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1), ClientToken: aws.String("lost-answer")}
	if _, err := e.c.RunInstances(e.ctx, in); err == nil {
		t.Fatal("the dropped answer reached the client")
	}
	if n := len(e.s.Servers()); n != 1 {
		t.Fatalf("%d machines after the dropped answer", n)
	}
	out, err := e.c.RunInstances(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.s.Servers()); n != 1 || fmt.Sprint(e.s.Servers()[0].ID) == "" || out.Instances[0].InstanceId == nil {
		t.Fatalf("%d machines after the retry", n)
	}
	// A fault before the change, retried by the SDK with its own token:
	// one more instance, not two.
	e.s.InjectFault(sim.Fault{Path: "RunInstances", Status: 500})
	in.ClientToken = nil
	if _, err := retrying.RunInstances(e.ctx, in); err != nil {
		t.Fatal(err)
	}
	if n := len(e.s.Servers()); n != 2 {
		t.Fatalf("%d machines after a retried 500", n)
	}
}

func TestRateLimitBuckets(t *testing.T) {
	frozen := func() *clock { return &clock{frozen: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)} }
	t.Run("describe bucket of 100", func(t *testing.T) {
		clk := frozen()
		e := newEnv(t, sim.Options{Now: clk.Now})
		for i := range 100 {
			if _, err := e.c.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{}); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		_, err := e.c.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{})
		wantCode(t, err, "RequestLimitExceeded", 503)
		// Mutating actions have a bucket of their own.
		if _, err := e.c.CreateTags(e.ctx, &ec2.CreateTagsInput{Resources: []string{"i-0000000000000dead"}, Tags: []types.Tag{tag("a", "b")}}); err == nil {
			t.Fatal("tagging an unknown instance succeeded")
		} else if c, _ := apiCode(t, err); c != "InvalidInstanceID.NotFound" {
			t.Fatalf("CreateTags was throttled with the describe bucket: %v", err)
		}
		// Another caller has full buckets.
		if _, err := e.client("AKIDOTHER", region, 1).DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(100 * time.Millisecond) // 20/s: two requests back
		for i := range 2 {
			if _, err := e.c.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{}); err != nil {
				t.Fatalf("refilled request %d: %v", i+1, err)
			}
		}
		_, err = e.c.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{})
		wantCode(t, err, "RequestLimitExceeded", 503)
	})
	t.Run("mutating bucket of 50", func(t *testing.T) {
		e := newEnv(t, sim.Options{Now: frozen().Now})
		for i := range 50 {
			_, err := e.c.DeleteKeyPair(e.ctx, &ec2.DeleteKeyPairInput{KeyName: aws.String("nobody")})
			if err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		_, err := e.c.DeleteKeyPair(e.ctx, &ec2.DeleteKeyPairInput{KeyName: aws.String("nobody")})
		wantCode(t, err, "RequestLimitExceeded", 503)
		if _, err := e.c.DescribeKeyPairs(e.ctx, &ec2.DescribeKeyPairsInput{}); err != nil {
			t.Fatalf("describe after the mutating bucket ran dry: %v", err)
		}
	})
	t.Run("RateLimit overrides", func(t *testing.T) {
		e := newEnv(t, sim.Options{Now: frozen().Now, RateLimit: 3})
		for range 3 {
			if _, err := e.c.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.c.DeleteKeyPair(e.ctx, &ec2.DeleteKeyPairInput{KeyName: aws.String("nobody")})
		wantCode(t, err, "RequestLimitExceeded", 503)
	})
	t.Run("RateLimit off", func(t *testing.T) {
		e := newEnv(t, sim.Options{Now: frozen().Now, RateLimit: -1})
		for i := range 150 {
			if _, err := e.c.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{}); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
	})
}

// Auth (§6.18 last item, §6.19): the allow-list holds access key IDs.
func TestAuth(t *testing.T) {
	e := newEnv(t, sim.Options{Tokens: []string{akid}})
	if _, err := e.c.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatalf("allowed key: %v", err)
	}
	_, err := e.client("AKIDWRONG", region, 1).DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{})
	wantCode(t, err, "AuthFailure", 401)
	_, err = e.client(akid, "mars-north-1", 1).DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{})
	wantCode(t, err, "AuthFailure", 401)

	for _, tc := range []struct{ name, auth string }{
		{"no Authorization", ""},
		{"bearer token", "Bearer " + akid},
		{"scope of another service", "AWS4-HMAC-SHA256 Credential=" + akid + "/20261120/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"},
		{"no credential", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body, _ := e.post("Action=DescribeRegions&Version=2016-11-15", tc.auth)
			if st != 401 || !strings.Contains(body, "<Code>AuthFailure</Code>") {
				t.Fatalf("%d %s", st, body)
			}
		})
	}
	if st, body, _ := e.post("Action=DescribeRegions&Version=2016-11-15", sigv4(akid, region)); st != 200 {
		t.Fatalf("raw signed request: %d %s", st, body)
	}
}

func sigv4(key, reg string) string {
	return "AWS4-HMAC-SHA256 Credential=" + key + "/20261120/" + reg + "/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=deadbeef"
}

// post sends a raw form to the API.
func (e *env) post(form, auth string) (int, string, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// The wire format the SDK decodes: the XML answer and error envelope.
func TestWireFormat(t *testing.T) {
	e := newEnv(t, sim.Options{})
	st, body, h := e.post("Action=DescribeRegions&Version=2016-11-15&RegionName.1=eu-west-1", sigv4(akid, region))
	rid := h.Get("X-Amzn-Requestid")
	if st != 200 || h.Get("Content-Type") != "text/xml;charset=UTF-8" || rid == "" ||
		!strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>`+rid+`</requestId>`) ||
		!strings.Contains(body, "<regionInfo><item><regionName>eu-west-1</regionName>") || strings.Contains(body, "us-east-1") {
		t.Fatalf("%d %v\n%s", st, h, body)
	}
	for _, tc := range []struct {
		name, form, code string
		status           int
	}{
		{"unknown action", "Action=LaunchRocket&Version=2016-11-15", "InvalidAction", 400},
		{"no action", "Version=2016-11-15", "MissingAction", 400},
		{"dry run", "Action=DescribeRegions&DryRun=true", "DryRunOperation", 412},
		{"missing parameter", "Action=TerminateInstances", "MissingParameter", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body, h := e.post(tc.form, sigv4(akid, region))
			rid := h.Get("X-Amzn-Requestid")
			want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Response><Errors><Error><Code>` + tc.code + `</Code><Message>`
			if st != tc.status || !strings.HasPrefix(body, want) || !strings.HasSuffix(body, "<RequestID>"+rid+"</RequestID></Response>") || rid == "" {
				t.Fatalf("%d %s", st, body)
			}
		})
	}
	if n := e.s.RequestCounts()["(unknown action)"]; n != 1 {
		t.Fatalf("request counts %v", e.s.RequestCounts())
	}
	// Random 5xx are InternalError or Unavailable, random 429s throttles.
	for _, tc := range []struct {
		rates sim.FaultRates
		codes map[int]string
	}{
		{sim.FaultRates{ServerError: 1}, map[int]string{500: "InternalError", 503: "Unavailable", 502: "InternalError", 504: "InternalError"}},
		{sim.FaultRates{RateLimit: 1}, map[int]string{503: "RequestLimitExceeded"}},
	} {
		if err := e.s.SetFaultRates(tc.rates); err != nil {
			t.Fatal(err)
		}
		for range 8 {
			_, err := e.c.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{})
			if err == nil {
				t.Fatal("no fault")
			}
			code, st := apiCode(t, err)
			if tc.codes[st] != code {
				t.Fatalf("random fault %d %s", st, code)
			}
		}
	}
}

func TestStopStartModify(t *testing.T) {
	e := newEnv(t, sim.Options{ActionDelay: 100 * time.Millisecond})
	id := *e.run(&ec2.RunInstancesInput{}).InstanceId
	e.waitRunning(id)
	modify := func(typ string) error {
		_, err := e.c.ModifyInstanceAttribute(e.ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: &id, InstanceType: &types.AttributeValue{Value: &typ}})
		return err
	}
	wantCode(t, modify("t3.large"), "IncorrectInstanceState", 400)
	out, err := e.c.StopInstances(e.ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if s := out.StoppingInstances[0]; s.CurrentState.Name != types.InstanceStateNameStopping || s.PreviousState.Name != types.InstanceStateNameRunning {
		t.Fatalf("StopInstances: %+v -> %+v", s.PreviousState, s.CurrentState)
	}
	wantCode(t, modify("t3.large"), "IncorrectInstanceState", 400)
	w := ec2.NewInstanceStoppedWaiter(e.c, func(o *ec2.InstanceStoppedWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
	})
	if err := w.Wait(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := e.describe(id); got.State.Name != types.InstanceStateNameStopped || *got.State.Code != 80 || got.PublicIpAddress != nil {
		t.Fatalf("stopped: %+v", got.State)
	}
	wantCode(t, modify("t4g.large"), "InvalidParameterValue", 400)
	wantCode(t, modify("t4g.small"), "InvalidParameterValue", 400) // arm64 on an x86_64 instance
	if err := modify("t3.large"); err != nil {
		t.Fatal(err)
	}
	if got := e.describe(id); got.InstanceType != types.InstanceTypeT3Large {
		t.Fatalf("type after modify: %s", got.InstanceType)
	}
	st, err := e.c.StartInstances(e.ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if s := st.StartingInstances[0]; s.CurrentState.Name != types.InstanceStateNamePending || s.PreviousState.Name != types.InstanceStateNameStopped {
		t.Fatalf("StartInstances: %+v -> %+v", s.PreviousState, s.CurrentState)
	}
	e.waitRunning(id)
	if _, err := e.c.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.StartInstances(e.ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
	wantCode(t, err, "IncorrectInstanceState", 400)
}

func TestTags(t *testing.T) {
	e := newEnv(t, sim.Options{})
	id := *e.run(&ec2.RunInstancesInput{TagSpecifications: instanceTags(tag("spuff", "1"), tag("team", "a"), tag("keep", "x"))}).InstanceId
	ami, err := e.c.CreateImage(e.ctx, &ec2.CreateImageInput{InstanceId: &id, Name: aws.String("tagged")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CreateTags(e.ctx, &ec2.CreateTagsInput{Resources: []string{id, *ami.ImageId}, Tags: []types.Tag{tag("owner", "me"), tag("team", "b")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.DeleteTags(e.ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: []types.Tag{
		{Key: aws.String("team")},                         // any value
		{Key: aws.String("keep"), Value: aws.String("y")}, // another value: stays
	}}); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tg := range e.describe(id).Tags {
		got[*tg.Key] = *tg.Value
	}
	if fmt.Sprint(got) != "map[keep:x owner:me spuff:1]" {
		t.Fatalf("instance tags %v", got)
	}
	// The Name tag is the machine's name.
	if _, err := e.c.CreateTags(e.ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []types.Tag{tag("Name", "renamed")}}); err != nil {
		t.Fatal(err)
	}
	if srv := e.s.Servers(); srv[0].Name != "renamed" {
		t.Fatalf("name after tagging: %q", srv[0].Name)
	}
	if _, err := e.c.DeleteTags(e.ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: []types.Tag{{Key: aws.String("Name")}}}); err != nil {
		t.Fatal(err)
	}
	if srv := e.s.Servers(); srv[0].Name != "" {
		t.Fatalf("name after untagging: %q", srv[0].Name)
	}
	imgs, err := e.c.DescribeImages(e.ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}, Filters: []types.Filter{{Name: aws.String("tag:team"), Values: []string{"b"}}}})
	if err != nil || len(imgs.Images) != 1 {
		t.Fatalf("image by its new tag: %v %+v", err, imgs)
	}
	for _, tc := range []struct {
		id, code string
	}{{"i-0000000000000dead", "InvalidInstanceID.NotFound"}, {"vol-0000000000000dead", "InvalidID"}, {"ami-0000000000000dead", "InvalidAMIID.NotFound"}} {
		_, err := e.c.CreateTags(e.ctx, &ec2.CreateTagsInput{Resources: []string{id, tc.id}, Tags: []types.Tag{tag("x", "y")}})
		wantCode(t, err, tc.code, 400)
	}
	for _, tg := range e.describe(id).Tags {
		if *tg.Key == "x" {
			t.Fatal("a refused CreateTags tagged the first resource")
		}
	}
}

func TestCatalogue(t *testing.T) {
	e := newEnv(t, sim.Options{})
	regs, err := e.c.DescribeRegions(e.ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range regs.Regions {
		names = append(names, *r.RegionName)
	}
	for _, want := range []string{"us-east-1", "us-east-2", "us-west-2", "eu-central-1", "eu-west-1", "ap-southeast-1"} {
		if !slices.Contains(names, want) {
			t.Fatalf("regions %v lack %s", names, want)
		}
	}
	azs, err := e.c.DescribeAvailabilityZones(e.ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil || len(azs.AvailabilityZones) != 3 || *azs.AvailabilityZones[1].ZoneName != "us-east-1b" || azs.AvailabilityZones[1].State != types.AvailabilityZoneStateAvailable {
		t.Fatalf("zones: %v %+v", err, azs)
	}
	for _, tc := range []struct {
		typ    types.InstanceType
		arch   types.ArchitectureType
		vcpus  int32
		memory int64
	}{
		{types.InstanceTypeT3Micro, types.ArchitectureTypeX8664, 2, 1024},
		{types.InstanceTypeT4gMedium, types.ArchitectureTypeArm64, 2, 4096},
		{types.InstanceTypeM7gLarge, types.ArchitectureTypeArm64, 2, 8192},
		{types.InstanceTypeC7iLarge, types.ArchitectureTypeX8664, 2, 4096},
	} {
		out, err := e.c.DescribeInstanceTypes(e.ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []types.InstanceType{tc.typ}})
		if err != nil {
			t.Fatal(err)
		}
		it := out.InstanceTypes[0]
		if len(out.InstanceTypes) != 1 || it.InstanceType != tc.typ || !slices.Equal(it.ProcessorInfo.SupportedArchitectures, []types.ArchitectureType{tc.arch}) ||
			*it.VCpuInfo.DefaultVCpus != tc.vcpus || *it.MemoryInfo.SizeInMiB != tc.memory || *it.InstanceStorageSupported {
			t.Fatalf("%s: %+v", tc.typ, it)
		}
	}
	_, err = e.c.DescribeInstanceTypes(e.ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []types.InstanceType{"t1.nano"}})
	wantCode(t, err, "InvalidInstanceType", 400)
	types10, err := e.c.DescribeInstanceTypes(e.ctx, &ec2.DescribeInstanceTypesInput{})
	if err != nil || len(types10.InstanceTypes) != 10 {
		t.Fatalf("instance types of us-east-1: %v %d", err, len(types10.InstanceTypes))
	}

	offered := func(reg, typ string) int {
		out, err := e.client(akid, reg, 1).DescribeInstanceTypeOfferings(e.ctx, &ec2.DescribeInstanceTypeOfferingsInput{
			LocationType: types.LocationTypeRegion, Filters: []types.Filter{{Name: aws.String("instance-type"), Values: []string{typ}}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.InstanceTypeOfferings {
			if *o.Location != reg || o.LocationType != types.LocationTypeRegion {
				t.Fatalf("offering %+v", o)
			}
		}
		return len(out.InstanceTypeOfferings)
	}
	if offered("us-east-1", "m7g.large") != 1 || offered("ap-southeast-1", "m7g.large") != 0 || offered("ap-southeast-1", "t4g.*") != 3 {
		t.Fatal("m7g.large must be offered in us-east-1 only of the two, t4g everywhere")
	}

	vpcs, err := e.c.DescribeVpcs(e.ctx, &ec2.DescribeVpcsInput{})
	if err != nil || len(vpcs.Vpcs) != 1 || !*vpcs.Vpcs[0].IsDefault {
		t.Fatalf("VPCs: %v %+v", err, vpcs)
	}
	subs, err := e.c.DescribeSubnets(e.ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{
		{Name: aws.String("default-for-az"), Values: []string{"true"}}, {Name: aws.String("availability-zone"), Values: []string{"us-east-1b"}}}})
	if err != nil || len(subs.Subnets) != 1 || *subs.Subnets[0].VpcId != *vpcs.Vpcs[0].VpcId {
		t.Fatalf("subnets: %v %+v", err, subs)
	}
	inst := e.run(&ec2.RunInstancesInput{SubnetId: subs.Subnets[0].SubnetId})
	if *inst.Placement.AvailabilityZone != "us-east-1b" || *inst.SubnetId != *subs.Subnets[0].SubnetId || !strings.HasPrefix(*inst.PrivateIpAddress, "172.31.16.") {
		t.Fatalf("instance in subnet b: %s %s %s", *inst.Placement.AvailabilityZone, *inst.SubnetId, *inst.PrivateIpAddress)
	}
}

func TestKeyPairs(t *testing.T) {
	e := newEnv(t, sim.Options{})
	imp, err := e.c.ImportKeyPair(e.ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("laptop"), PublicKeyMaterial: []byte(publicKey('a')),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeKeyPair, Tags: []types.Tag{tag("spuff", "1")}}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.c.DescribeKeyPairs(e.ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{"laptop"}, IncludePublicKey: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	k := out.KeyPairs[0]
	if len(out.KeyPairs) != 1 || *k.KeyPairId != *imp.KeyPairId || *k.KeyFingerprint != *imp.KeyFingerprint || k.KeyType != types.KeyTypeEd25519 ||
		*k.PublicKey != publicKey('a') || len(k.Tags) != 1 || !strings.HasPrefix(*k.KeyPairId, "key-") {
		t.Fatalf("key pair %+v", k)
	}
	_, err = e.c.ImportKeyPair(e.ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("laptop"), PublicKeyMaterial: []byte(publicKey('b'))})
	wantCode(t, err, "InvalidKeyPair.Duplicate", 400)
	_, err = e.c.ImportKeyPair(e.ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("bad"), PublicKeyMaterial: []byte("not a key")})
	wantCode(t, err, "InvalidParameterValue", 400)
	_, err = e.c.DescribeKeyPairs(e.ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{"nobody"}})
	wantCode(t, err, "InvalidKeyPair.NotFound", 400)
}

// Out-of-band machines of the cloud "aws" boot the newest Ubuntu 24.04
// of their region and show in DescribeInstances.
func TestOutOfBandMachine(t *testing.T) {
	e := newEnv(t, sim.Options{})
	for _, tc := range []struct {
		size, region, image string
	}{
		{"", "", noble + "20261118"},
		{"t4g.small", "eu-central-1", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20261118"},
		{"t3.micro", "us-west-2", "debian-12-amd64-20261010-2260"},
	} {
		spec := sim.MachineSpec{Cloud: "aws", Name: "oob", Size: tc.size, Region: tc.region}
		if strings.HasPrefix(tc.image, "debian") {
			spec.Image = tc.image
		}
		srv, err := e.s.CreateMachine(spec)
		if err != nil {
			t.Fatal(err)
		}
		if srv.Status != "pending" {
			t.Fatalf("new out-of-band machine: %s", srv.Status)
		}
		if srv, err = e.s.Machine(srv.ID); err != nil {
			t.Fatal(err)
		}
		if srv.Image != tc.image || srv.Status != "running" {
			t.Fatalf("out-of-band machine %+v, want image %s", srv, tc.image)
		}
	}
	out, err := e.c.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{})
	if err != nil || len(out.Reservations) != 1 || *out.Reservations[0].Instances[0].Placement.AvailabilityZone != "us-east-1a" {
		t.Fatalf("us-east-1 lists %v %+v", err, out)
	}
}
