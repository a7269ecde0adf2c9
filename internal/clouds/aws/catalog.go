package aws

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

var _ framework.Cataloguer = (*Provider)(nil)

// Catalog lists what EC2 offers: the enabled regions, the instance types
// (their architecture, vCPUs and memory; no disk: volumes are EBS) and
// where each is offered (DescribeInstanceTypeOfferings per region, the
// regions at once), and the Ubuntu and Debian versions of the provider's
// region per architecture.
func (p *Provider) Catalog(ctx context.Context) (*framework.Catalog, error) {
	regions, err := p.regionNames(ctx)
	if err != nil {
		return nil, err
	}
	cat := &framework.Catalog{}
	for _, r := range regions {
		cat.Regions = append(cat.Regions, framework.CatalogRegion{Name: r})
	}
	c := p.client(p.region)
	infos, err := allPages(ctx, p, "instance types", func(ctx context.Context, token *string) ([]types.InstanceTypeInfo, *string, error) {
		out, err := c.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{MaxResults: aws.Int32(100), NextToken: token})
		if err != nil {
			return nil, nil, fail(ctx, err, subject{})
		}
		return out.InstanceTypes, out.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	offered, err := p.offerings(ctx, regions)
	if err != nil {
		return nil, err
	}
	for i := range infos {
		t := &infos[i]
		size := framework.CatalogSize{Name: string(t.InstanceType), Arch: archOf(t), Regions: offered[string(t.InstanceType)]}
		if t.VCpuInfo != nil {
			size.Cores = int(aws.ToInt32(t.VCpuInfo.DefaultVCpus))
		}
		if t.MemoryInfo != nil {
			size.MemoryGB = float64(aws.ToInt64(t.MemoryInfo.SizeInMiB)) / 1024
		}
		cat.Sizes = append(cat.Sizes, size)
	}
	images, err := p.catalogImages(ctx)
	if err != nil {
		return nil, err
	}
	cat.Images = images
	return cat, nil
}

// offerings maps each instance type to the regions that offer it.
func (p *Provider) offerings(ctx context.Context, regions []string) (map[string][]string, error) {
	found := make([][]string, len(regions))
	errs := make([]error, len(regions))
	var wg sync.WaitGroup
	for i, region := range regions {
		wg.Go(func() {
			c := p.client(region)
			offers, err := allPages(ctx, p, "instance type offerings in "+region, func(ctx context.Context, token *string) ([]types.InstanceTypeOffering, *string, error) {
				out, err := c.DescribeInstanceTypeOfferings(ctx, &ec2.DescribeInstanceTypeOfferingsInput{
					LocationType: types.LocationTypeRegion, MaxResults: aws.Int32(1000), NextToken: token,
				})
				if err != nil {
					return nil, nil, fail(ctx, err, subject{})
				}
				return out.InstanceTypeOfferings, out.NextToken, nil
			})
			if err != nil {
				errs[i] = err
				return
			}
			for _, o := range offers {
				found[i] = append(found[i], string(o.InstanceType))
			}
		})
	}
	wg.Wait()
	out := map[string][]string{}
	for i, region := range regions {
		if errs[i] != nil {
			return nil, errs[i]
		}
		for _, t := range found[i] {
			out[t] = append(out[t], region)
		}
	}
	return out, nil
}

var (
	// ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260801
	ubuntuName = regexp.MustCompile(`^ubuntu/images/hvm-ssd[^/]*/ubuntu-[a-z]+-(\d{2}\.\d{2})-(amd64|arm64)-server-\d{8}(\.\d+)?$`)
	// debian-12-amd64-20260801-1234
	debianName = regexp.MustCompile(`^debian-(\d{1,2})-(amd64|arm64)-\d{8}-\d+$`)
)

// catalogImages lists the Ubuntu and Debian versions the provider's region
// has AMIs of, per architecture.
func (p *Provider) catalogImages(ctx context.Context) ([]framework.CatalogImage, error) {
	c := p.client(p.region)
	seen := map[framework.CatalogImage]bool{}
	var out []framework.CatalogImage
	for _, q := range []struct {
		owner, pattern string
		kind           framework.ImageKind
		re             *regexp.Regexp
	}{
		{canonicalOwner, "ubuntu/images/hvm-ssd*/ubuntu-*-server-*", framework.ImageUbuntu, ubuntuName},
		{debianOwner, "debian-*", framework.ImageDebian, debianName},
	} {
		imgs, err := allPages(ctx, p, "images", func(ctx context.Context, token *string) ([]types.Image, *string, error) {
			res, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{
				Owners:     []string{q.owner},
				Filters:    []types.Filter{{Name: aws.String("name"), Values: []string{q.pattern}}, {Name: aws.String("state"), Values: []string{"available"}}},
				MaxResults: aws.Int32(1000),
				NextToken:  token,
			})
			if err != nil {
				return nil, nil, fail(ctx, err, subject{})
			}
			return res.Images, res.NextToken, nil
		})
		if err != nil {
			return nil, err
		}
		for _, img := range imgs {
			m := q.re.FindStringSubmatch(aws.ToString(img.Name))
			if m == nil {
				continue
			}
			arch := map[string]string{"amd64": "x86_64", "arm64": "arm64"}[m[2]]
			ci := framework.CatalogImage{Kind: q.kind, Version: m[1], Arch: arch}
			if !seen[ci] {
				seen[ci] = true
				out = append(out, ci)
			}
		}
	}
	slices.SortFunc(out, func(a, b framework.CatalogImage) int {
		if a.Kind != b.Kind {
			return int(a.Kind) - int(b.Kind)
		}
		if a.Version != b.Version {
			return strings.Compare(a.Version, b.Version)
		}
		return strings.Compare(a.Arch, b.Arch)
	})
	return out, nil
}
