package digitalocean

import (
	"context"

	"github.com/digitalocean/godo"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

var _ framework.Cataloguer = (*Provider)(nil)

// arch is the one architecture DigitalOcean sells droplets for.
const arch = "x86"

// Catalog lists DigitalOcean's regions, sizes (with the regions each can be
// ordered in) and Ubuntu and Debian distribution images: three list walks.
func (p *Provider) Catalog(ctx context.Context) (*framework.Catalog, error) {
	regions, err := allPages(ctx, p, "regions", func(ctx context.Context, lo *godo.ListOptions) ([]godo.Region, *godo.Response, error) {
		return p.client.Regions.List(ctx, lo)
	})
	if err != nil {
		return nil, err
	}
	sizes, err := allPages(ctx, p, "sizes", func(ctx context.Context, lo *godo.ListOptions) ([]godo.Size, *godo.Response, error) {
		return p.client.Sizes.List(ctx, lo)
	})
	if err != nil {
		return nil, err
	}
	images, err := allPages(ctx, p, "distribution images", func(ctx context.Context, lo *godo.ListOptions) ([]godo.Image, *godo.Response, error) {
		return p.client.Images.ListDistribution(ctx, lo)
	})
	if err != nil {
		return nil, err
	}
	cat := &framework.Catalog{}
	for _, r := range regions {
		if r.Available {
			cat.Regions = append(cat.Regions, framework.CatalogRegion{Name: r.Slug, Description: r.Name})
		}
	}
	for _, s := range sizes {
		cs := framework.CatalogSize{
			Name: s.Slug, Arch: arch, Cores: s.Vcpus,
			MemoryGB: float64(s.Memory) / 1024, DiskGB: s.Disk,
		}
		if s.Available {
			cs.Regions = append(cs.Regions, s.Regions...)
		}
		cat.Sizes = append(cat.Sizes, cs)
	}
	for _, img := range images {
		if spec, ok := imageSpecOfSlug(img.Slug); ok {
			cat.Images = append(cat.Images, framework.CatalogImage{Kind: spec.Kind, Version: spec.Value, Arch: arch})
		}
	}
	p.logf(ctx, "catalogue fetched", map[string]any{"provider": providerName, "regions": len(cat.Regions), "sizes": len(cat.Sizes), "images": len(cat.Images)})
	return cat, nil
}
