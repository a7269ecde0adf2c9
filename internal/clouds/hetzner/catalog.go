package hetzner

import (
	"context"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

var _ framework.Cataloguer = (*Provider)(nil)

// Catalog lists Hetzner's locations, server types (with where each can be
// ordered and its per-location deprecation) and Ubuntu and Debian system
// images per architecture: three list walks, one page each today.
func (p *Provider) Catalog(ctx context.Context) (*framework.Catalog, error) {
	locations, err := allPages(ctx, p, "locations", func(ctx context.Context, lo hcloud.ListOpts) ([]*hcloud.Location, *hcloud.Response, error) {
		return p.client.Location.List(ctx, hcloud.LocationListOpts{ListOpts: lo})
	})
	if err != nil {
		return nil, err
	}
	types, err := allPages(ctx, p, "server types", func(ctx context.Context, lo hcloud.ListOpts) ([]*hcloud.ServerType, *hcloud.Response, error) {
		return p.client.ServerType.List(ctx, hcloud.ServerTypeListOpts{ListOpts: lo})
	})
	if err != nil {
		return nil, err
	}
	images, err := allPages(ctx, p, "system images", func(ctx context.Context, lo hcloud.ListOpts) ([]*hcloud.Image, *hcloud.Response, error) {
		return p.client.Image.List(ctx, hcloud.ImageListOpts{ListOpts: lo, Type: []hcloud.ImageType{hcloud.ImageTypeSystem}, IncludeDeprecated: true})
	})
	if err != nil {
		return nil, err
	}
	cat := &framework.Catalog{}
	for _, l := range locations {
		cat.Regions = append(cat.Regions, framework.CatalogRegion{Name: l.Name, Description: l.Description})
	}
	for _, t := range types {
		cat.Sizes = append(cat.Sizes, catalogSize(t))
	}
	for _, img := range images {
		if ci, ok := catalogImage(img); ok {
			cat.Images = append(cat.Images, ci)
		}
	}
	p.logf(ctx, "catalogue fetched", map[string]any{"provider": providerName, "regions": len(cat.Regions), "sizes": len(cat.Sizes), "images": len(cat.Images)})
	return cat, nil
}

// catalogSize maps a server type. Its locations say where it can be ordered
// (available) and carry the per-location deprecation that replaced the
// type-wide one. A location marked unavailable without a deprecation (sold
// out for now, or an answer without the flag) is kept: the create itself
// tells, and a plan must not fail on a guess.
func catalogSize(t *hcloud.ServerType) framework.CatalogSize {
	s := framework.CatalogSize{
		Name: t.Name, Arch: string(t.Architecture), Cores: t.Cores,
		MemoryGB: float64(t.Memory), DiskGB: t.Disk,
		Deprecations: map[string]framework.Deprecation{},
	}
	for _, l := range t.Locations {
		if l.Location == nil {
			continue
		}
		if l.Available || l.Deprecation == nil {
			s.Regions = append(s.Regions, l.Location.Name)
		}
		if d := l.Deprecation; d != nil {
			s.Deprecations[l.Location.Name] = framework.Deprecation{Announced: d.Announced, UnavailableAfter: d.UnavailableAfter}
		}
	}
	if len(t.Locations) == 0 {
		// Older answers list locations only through prices.
		for _, pr := range t.Pricings {
			if pr.Location == nil {
				continue
			}
			s.Regions = append(s.Regions, pr.Location.Name)
			if d := t.Deprecation; d != nil {
				s.Deprecations[pr.Location.Name] = framework.Deprecation{Announced: d.Announced, UnavailableAfter: d.UnavailableAfter}
			}
		}
	}
	return s
}

// catalogImage maps an available Ubuntu or Debian system image.
func catalogImage(img *hcloud.Image) (framework.CatalogImage, bool) {
	if img.Status != hcloud.ImageStatusAvailable {
		return framework.CatalogImage{}, false
	}
	var kind framework.ImageKind
	switch img.OSFlavor {
	case "ubuntu":
		kind = framework.ImageUbuntu
	case "debian":
		kind = framework.ImageDebian
	default:
		return framework.CatalogImage{}, false
	}
	ci := framework.CatalogImage{Kind: kind, Version: img.OSVersion, Arch: string(img.Architecture)}
	if img.IsDeprecated() {
		ci.Deprecated = img.DeprecationAnnounced()
	}
	return ci, true
}
