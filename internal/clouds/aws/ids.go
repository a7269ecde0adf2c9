package aws

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// regionRE is an AWS region name such as "eu-central-1" or "us-gov-west-1".
var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

// ref is an EC2 resource in its region.
type ref struct {
	Region string
	ID     string // "i-…", "ami-…"
}

func (r ref) String() string { return r.Region + "/" + r.ID }

// joinID is the framework ID of an EC2 resource: "<region>/<id>".
func joinID(region, id string) string { return ref{Region: region, ID: id}.String() }

// parseRef splits "<region>/<prefix>-<hex>", naming field in the error.
func parseRef(field, id, prefix string) (ref, error) {
	region, rest, ok := strings.Cut(id, "/")
	hex := strings.TrimPrefix(rest, prefix+"-")
	if !ok || !regionRE.MatchString(region) || hex == rest || !isHex(hex) {
		return ref{}, framework.InvalidConfig(field, fmt.Sprintf("%q is not an AWS ID: IDs are the region and the EC2 ID, such as \"eu-central-1/%s-0123456789abcdef0\"", id, prefix))
	}
	return ref{Region: region, ID: rest}, nil
}

func isHex(s string) bool {
	if len(s) < 8 || len(s) > 17 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}
