package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// The publishers of the distribution AMIs spuff boots.
const (
	canonicalOwner = "099720109477"
	debianOwner    = "136693071363"
)

// distroQuery is how the newest AMI of a distribution version and
// architecture ("x86_64", "arm64") is found: owner and name pattern.
// Canonical's names carry the volume type (hvm-ssd-gp3 since noble,
// hvm-ssd before) and the release's codename, hence the wildcards.
func distroQuery(spec framework.ImageSpec, arch string) (owner, pattern string, err error) {
	a := map[string]string{"x86_64": "amd64", "arm64": "arm64"}[arch]
	if a == "" {
		return "", "", framework.InvalidConfig("size", fmt.Sprintf("the architecture %q has no Ubuntu or Debian AMI", arch))
	}
	switch spec.Kind {
	case framework.ImageUbuntu:
		return canonicalOwner, "ubuntu/images/hvm-ssd*/ubuntu-*-" + spec.Value + "-" + a + "-server-*", nil
	case framework.ImageDebian:
		return debianOwner, "debian-" + spec.Value + "-" + a + "-*", nil
	}
	return "", "", framework.InvalidConfig("image", "not a distribution image: "+spec.String())
}

// resolveImage is the AMI a machine of size boots in region.
func (p *Provider) resolveImage(ctx context.Context, region, size string, spec framework.ImageSpec) (string, error) {
	switch spec.Kind {
	case framework.ImageCustom:
		if !strings.HasPrefix(spec.Value, "ami-") {
			return "", framework.InvalidConfig("image.custom", fmt.Sprintf("%q is not an AMI ID such as \"ami-0123456789abcdef0\"", spec.Value))
		}
		return spec.Value, nil
	case framework.ImageSnapshot:
		r, err := parseRef("image.snapshot", spec.Value, "ami")
		if err != nil {
			return "", err
		}
		if r.Region != region {
			return "", framework.InvalidConfig("image.snapshot", fmt.Sprintf("the snapshot %s is in %s, the instance in %s: an AMI boots only in its own region", spec.Value, r.Region, region))
		}
		return r.ID, nil
	}
	arch, err := p.arch(ctx, region, size)
	if err != nil {
		return "", err
	}
	return p.newestImage(ctx, region, spec, arch)
}

// newestImage is the newest AMI of a distribution version and
// architecture in region, looked up once per provider process.
func (p *Provider) newestImage(ctx context.Context, region string, spec framework.ImageSpec, arch string) (string, error) {
	return p.images.Get(ctx, region+"/"+spec.String()+"/"+arch, func(ctx context.Context) (string, error) {
		imgs, err := p.distroImages(ctx, region, spec, arch)
		if err != nil {
			return "", err
		}
		if len(imgs) == 0 {
			return "", framework.InvalidConfig("image."+spec.Kind.String(), fmt.Sprintf("%q has no %s AMI for %s in %s", spec.Value, spec.Kind, arch, region))
		}
		return aws.ToString(imgs[0].ImageId), nil
	})
}

// distroImages lists the available AMIs of a distribution version and
// architecture in region, newest first.
func (p *Provider) distroImages(ctx context.Context, region string, spec framework.ImageSpec, arch string) ([]types.Image, error) {
	owner, pattern, err := distroQuery(spec, arch)
	if err != nil {
		return nil, err
	}
	c := p.client(region)
	imgs, err := allPages(ctx, p, "images", func(ctx context.Context, token *string) ([]types.Image, *string, error) {
		out, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{
			Owners: []string{owner},
			Filters: []types.Filter{
				{Name: aws.String("name"), Values: []string{pattern}},
				{Name: aws.String("architecture"), Values: []string{arch}},
				{Name: aws.String("state"), Values: []string{"available"}},
			},
			MaxResults: aws.Int32(1000),
			NextToken:  token,
		})
		if err != nil {
			return nil, nil, fail(ctx, err, subject{Field: "image"})
		}
		return out.Images, out.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	// Creation dates are RFC 3339 in UTC: as strings they sort as times.
	slices.SortFunc(imgs, func(a, b types.Image) int {
		return strings.Compare(aws.ToString(b.CreationDate), aws.ToString(a.CreationDate))
	})
	return imgs, nil
}

// arch is an instance type's architecture ("x86_64", "arm64"), looked
// up once per provider process.
func (p *Provider) arch(ctx context.Context, region, size string) (string, error) {
	return p.archs.Get(ctx, size, func(ctx context.Context) (string, error) {
		out, err := p.client(region).DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []types.InstanceType{types.InstanceType(size)}})
		if err != nil {
			return "", fail(ctx, err, subject{Field: "size"})
		}
		if len(out.InstanceTypes) == 0 {
			return "", framework.InvalidConfig("size", fmt.Sprintf("%q is not an EC2 instance type", size))
		}
		return archOf(&out.InstanceTypes[0]), nil
	})
}

// archOf is a type's architecture: arm64 for Graviton types, x86_64
// otherwise (a type supporting both, such as i386 and x86_64, is x86).
func archOf(t *types.InstanceTypeInfo) string {
	if t.ProcessorInfo != nil && slices.Contains(t.ProcessorInfo.SupportedArchitectures, types.ArchitectureTypeArm64) {
		return string(types.ArchitectureTypeArm64)
	}
	return string(types.ArchitectureTypeX8664)
}

// imageSpec is the spec of the AMI ami of region: Ubuntu or Debian by the
// publisher's name, else the AMI as a custom image. AMIs never change, so
// that a read or an import says `ubuntu = "24.04"` for Canonical's AMI at
// one DescribeImages per AMI and provider process, shared by the reads
// that ask at once.
func (p *Provider) imageSpec(ctx context.Context, region, ami string) (framework.ImageSpec, error) {
	return p.specs.Get(ctx, region+"/"+ami, func(ctx context.Context) (framework.ImageSpec, error) {
		img, err := p.image(ctx, ref{Region: region, ID: ami})
		if err != nil {
			return framework.ImageSpec{}, err
		}
		return specOf(region, ami, img), nil
	})
}

// specOf is the spec an AMI stands for: a distribution's version, a
// spuff snapshot (an AMI spuff made), or the AMI itself.
func specOf(region, ami string, img *types.Image) framework.ImageSpec {
	if img == nil {
		return framework.Custom(ami)
	}
	name, owner := aws.ToString(img.Name), aws.ToString(img.OwnerId)
	if m := ubuntuName.FindStringSubmatch(name); m != nil && owner == canonicalOwner {
		return framework.Ubuntu(m[1])
	}
	if m := debianName.FindStringSubmatch(name); m != nil && owner == debianOwner {
		return framework.Debian(m[1])
	}
	if framework.IsManaged(tagsToMap(img.Tags)) {
		return framework.FromSnapshot(joinID(region, ami))
	}
	return framework.Custom(ami)
}
