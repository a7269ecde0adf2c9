package aws

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		id, prefix string
		want       ref
		ok         bool
	}{
		{"eu-central-1/i-0123456789abcdef0", "i", ref{"eu-central-1", "i-0123456789abcdef0"}, true},
		{"us-gov-west-1/ami-0a1b2c3d", "ami", ref{"us-gov-west-1", "ami-0a1b2c3d"}, true},
		{"i-0123456789abcdef0", "i", ref{}, false},                  // no region
		{"eu-central-1/ami-0123456789abcdef0", "i", ref{}, false},   // another kind
		{"Mars/i-0123456789abcdef0", "i", ref{}, false},             // not a region
		{"eu-central-1/i-XYZ", "i", ref{}, false},                   // not hex
		{"eu-central-1/i-0123456789abcdef01234", "i", ref{}, false}, // too long
	} {
		got, err := parseRef("id", tc.id, tc.prefix)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("parseRef(%q) = %+v, %v", tc.id, got, err)
		}
		var ic *framework.InvalidConfigError
		if err != nil && (!errors.As(err, &ic) || !strings.Contains(err.Error(), "eu-central-1/"+tc.prefix+"-")) {
			t.Errorf("parseRef(%q) error %v does not show the form", tc.id, err)
		}
	}
	if got := joinID("eu-west-1", "i-0abc"); got != "eu-west-1/i-0abc" {
		t.Errorf("joinID = %q", got)
	}
}

func TestStaticCredentials(t *testing.T) {
	for _, tc := range []struct {
		token   string
		ok      bool
		session string
	}{
		{"AKIDEXAMPLE:secret", true, ""},
		{"AKIDEXAMPLE:secret:session-token", true, "session-token"},
		{"AKIDEXAMPLE", false, ""},
		{":secret", false, ""},
		{"AKIDEXAMPLE:", false, ""},
	} {
		p, err := staticCredentials(tc.token)
		if tc.ok != (err == nil) {
			t.Errorf("staticCredentials(%q) error = %v", tc.token, err)
			continue
		}
		if err != nil {
			continue
		}
		creds, err := p.Retrieve(t.Context())
		if err != nil || creds.AccessKeyID != "AKIDEXAMPLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != tc.session {
			t.Errorf("staticCredentials(%q) = %+v, %v", tc.token, creds, err)
		}
	}
}

func TestDistroQuery(t *testing.T) {
	for _, tc := range []struct {
		spec           framework.ImageSpec
		arch           string
		owner, pattern string
	}{
		{framework.Ubuntu("24.04"), "x86_64", canonicalOwner, "ubuntu/images/hvm-ssd*/ubuntu-*-24.04-amd64-server-*"},
		{framework.Ubuntu("22.04"), "arm64", canonicalOwner, "ubuntu/images/hvm-ssd*/ubuntu-*-22.04-arm64-server-*"},
		{framework.Debian("12"), "x86_64", debianOwner, "debian-12-amd64-*"},
	} {
		owner, pattern, err := distroQuery(tc.spec, tc.arch)
		if err != nil || owner != tc.owner || pattern != tc.pattern {
			t.Errorf("distroQuery(%v, %s) = %s %s %v", tc.spec, tc.arch, owner, pattern, err)
		}
	}
	if _, _, err := distroQuery(framework.Ubuntu("24.04"), "x86_64_mac"); err == nil {
		t.Error("a mac architecture got a distribution AMI")
	}
	for name, want := range map[string]bool{
		"ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260801":  true,
		"ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-20260715.1":    true,
		"ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-minimal-20260801": false,
		"ubuntu-pro-server/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-pro":   false,
	} {
		if got := ubuntuName.MatchString(name); got != want {
			t.Errorf("ubuntuName(%q) = %v", name, got)
		}
	}
	if m := debianName.FindStringSubmatch("debian-13-arm64-20260810-2201"); m == nil || m[1] != "13" || m[2] != "arm64" {
		t.Errorf("debianName: %v", m)
	}
}

func isAs[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

func TestMapCode(t *testing.T) {
	inst := subject{Type: "instance", ID: "eu-central-1/i-0abc"}
	for _, tc := range []struct {
		code   string
		status int
		is     func(error) bool
		field  string
	}{
		{"InvalidInstanceID.NotFound", 400, framework.IsNotFound, ""},
		{"InvalidAMIID.NotFound", 400, framework.IsNotFound, ""},
		{"AuthFailure", 401, isAs[*framework.AuthenticationError], ""},
		{"UnauthorizedOperation", 403, isAs[*framework.AuthenticationError], ""},
		{"RequestLimitExceeded", 503, isAs[*framework.RateLimitError], ""},
		{"InstanceLimitExceeded", 400, isAs[*framework.QuotaExceededError], ""},
		{"IncorrectInstanceState", 400, framework.IsBusy, ""},
		{"InvalidKeyPair.NotFound", 400, nil, "ssh_keys"},
		{"InvalidParameterValue", 400, nil, "request"},
		{"InvalidAMIID.Malformed", 400, nil, "image"},
	} {
		err := mapCode(tc.code, "msg", tc.status, inst)
		if tc.is != nil && !tc.is(err) {
			t.Errorf("%s: %T %v has the wrong kind", tc.code, err, err)
		}
		var ic *framework.InvalidConfigError
		if tc.field != "" && (!errors.As(err, &ic) || ic.Field != tc.field) {
			t.Errorf("%s: %v, want an invalid %s", tc.code, err, tc.field)
		}
	}
	var ic *framework.InvalidConfigError
	if err := mapCode("InvalidAMIID.NotFound", "The image id '[ami-1]' does not exist", 400, subject{}); !errors.As(err, &ic) || ic.Field != "image" {
		t.Errorf("an unknown AMI in a launch: %v, want an invalid image", err)
	}
	err := mapCode("InsufficientInstanceCapacity", "none left", 500, inst)
	var ae *framework.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || !strings.Contains(err.Error(), "another size or region") {
		t.Errorf("capacity: %v", err)
	}
}

func TestValidateLabels(t *testing.T) {
	for _, tc := range []struct {
		labels map[string]string
		ok     bool
	}{
		{map[string]string{"team": "a b/c:d.e", "example.com/role": ""}, true},
		{map[string]string{"aws:cloudformation": "x"}, false},
		{map[string]string{"AWS:x": "x"}, false},
		{map[string]string{"Name": "x"}, false},
		{map[string]string{strings.Repeat("k", 129): "x"}, false},
		{map[string]string{"k": strings.Repeat("v", 257)}, false},
		{map[string]string{"": "x"}, false},
	} {
		if err := validateLabels(tc.labels); tc.ok != (err == nil) {
			t.Errorf("validateLabels(%v) = %v", tc.labels, err)
		}
	}
}

func TestInstanceConversion(t *testing.T) {
	launched := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	in := &types.Instance{
		InstanceId: aws.String("i-0123456789abcdef0"), InstanceType: "t3.micro", PublicIpAddress: aws.String("203.0.113.9"),
		LaunchTime: &launched, State: &types.InstanceState{Name: types.InstanceStateNameRunning},
		Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("dev")}, {Key: aws.String("managed-by"), Value: aws.String("spuff")}},
	}
	got := instanceToFramework("eu-central-1", in)
	if got.ID != "eu-central-1/i-0123456789abcdef0" || got.Name != "dev" || got.Region != "eu-central-1" || got.Size != "t3.micro" ||
		got.IP.String() != "203.0.113.9" || !got.IsReady() || !framework.IsManaged(got.Labels) || got.Labels["Name"] != "" || !got.CreatedAt.Equal(launched) {
		t.Fatalf("converted %+v", got)
	}
	for state, isGone := range map[types.InstanceStateName]bool{"pending": false, "stopped": false, "shutting-down": true, "terminated": true} {
		in.State.Name = state
		if gone(in) != isGone || (instanceToFramework("eu-central-1", in).Status.Kind == framework.StatusArchive) != isGone {
			t.Errorf("state %s: gone %v", state, gone(in))
		}
	}
	tags := tagList("dev", map[string]string{"b": "2", "a": "1"})
	if len(tags) != 3 || aws.ToString(tags[0].Key) != "a" || aws.ToString(tags[2].Key) != "Name" {
		t.Errorf("tagList = %v", tags)
	}
	if got := clientToken(strings.Repeat("x", 80)); len(got) != 64 || !strings.HasPrefix(got, "spuff-") {
		t.Errorf("clientToken = %q", got)
	}
}
