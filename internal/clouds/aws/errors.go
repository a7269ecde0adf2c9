package aws

import (
	"context"
	"errors"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// providerName is how errors and logs name this cloud.
const providerName = "aws"

// apiName is how transport errors name what was called.
const apiName = "the AWS EC2 API"

// subject says what a failed call was about (framework.Subject).
type subject = framework.Subject

// fail maps err at this cloud's edge (framework.Fail).
func fail(ctx context.Context, err error, about subject) error {
	return framework.Fail(ctx, err, func(err error) error { return mapError(err, about) })
}

// mapError is the one edge where the SDK's errors become the framework's
// kinds: by EC2's error code (every EC2 error is a smithy.APIError), then
// by HTTP status, then as a transport error.
func mapError(err error, about subject) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		status := 0
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			status = re.HTTPStatusCode()
		}
		return mapCode(ae.ErrorCode(), ae.ErrorMessage(), status, about)
	}
	if terr := framework.TransportError(err, apiName); terr != nil {
		return terr
	}
	if noCredentials(err) {
		return framework.Auth(providerName, "no AWS credentials were found: set token (\"ACCESS_KEY_ID:SECRET_ACCESS_KEY\"), "+
			"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile (the profile setting or AWS_PROFILE) with credentials, SSO or a role ("+err.Error()+")")
	}
	return &framework.OtherError{Message: "aws: " + err.Error()}
}

// noCredentials reports the SDK's failure to find credentials in its chain
// before any request was sent (its errors have no type to match).
func noCredentials(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "failed to refresh cached credentials") || strings.Contains(msg, "failed to retrieve credentials") ||
		strings.Contains(msg, "get credentials:")
}

func mapCode(code, msg string, status int, about subject) error {
	if msg == "" {
		msg = code
	}
	switch {
	case code == "InvalidKeyPair.NotFound":
		return framework.InvalidConfig("ssh_keys", msg)
	case strings.HasSuffix(code, ".NotFound"):
		if about.Type != "" {
			return framework.NotFound(about.Type, about.ID)
		}
		// Not what the call was about, but something it names (the AMI
		// of a launch): a value in the configuration.
		return framework.InvalidConfig(fieldOf(code, msg, about.Field), msg)
	case code == "AuthFailure", code == "UnrecognizedClientException", code == "InvalidClientTokenId", code == "SignatureDoesNotMatch":
		return framework.Auth(providerName, msg+" (check the AWS credentials: the token, the profile or the environment)")
	case code == "UnauthorizedOperation", code == "OptInRequired", code == "Blocked":
		return framework.Auth(providerName, msg+" (the credentials' IAM policy does not allow this call, or the region is not enabled)")
	case code == "RequestLimitExceeded", code == "Throttling", code == "ThrottlingException":
		return framework.RateLimit(-1)
	case code == "InstanceLimitExceeded", code == "VcpuLimitExceeded", code == "MaxSpotInstanceCountExceeded", code == "AMIQuotaExceeded":
		return framework.Quota(orDefault(about.Type, "instances"), msg+" (raise the account's quota in Service Quotas or delete unused resources)")
	case code == "InsufficientInstanceCapacity", code == "InsufficientCapacity":
		return framework.API(http.StatusServiceUnavailable, msg+" (AWS has no capacity for this type here now: try another size or region, or later)")
	case code == "IncorrectInstanceState", code == "IncorrectState", code == "InvalidInstanceState":
		return framework.Busy(about.Type, about.ID, msg)
	case strings.HasPrefix(code, "Invalid"), code == "MissingParameter", code == "UnknownParameter", code == "IdempotentParameterMismatch", code == "Unsupported":
		return framework.InvalidConfig(fieldOf(code, msg, about.Field), msg)
	case code == "InternalError", code == "InternalFailure", code == "Unavailable", code == "ServiceUnavailable":
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		return framework.API(status, msg)
	}
	return framework.API(status, code+": "+msg)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fieldOf names spuff's attribute an EC2 validation error is about.
func fieldOf(code, msg, fallback string) string {
	c, m := strings.ToLower(code), strings.ToLower(msg)
	switch {
	case fallback != "":
		return fallback
	case strings.Contains(c, "ami") || strings.Contains(m, "image"):
		return "image"
	case strings.Contains(c, "keypair") || strings.Contains(m, "key pair"):
		return "ssh_keys"
	case strings.Contains(m, "instance type") || strings.Contains(m, "instancetype"):
		return "size"
	case strings.Contains(m, "userdata") || strings.Contains(m, "user data"):
		return "user_data"
	case strings.Contains(c, "tag") || strings.Contains(m, "tag"):
		return "labels"
	case strings.Contains(m, "region") || strings.Contains(m, "availability zone"):
		return "region"
	}
	return "request"
}
