package digitalocean

import (
	"math"
	"slices"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// region is a seeded region.
type region struct{ slug, name string }

// regions are DigitalOcean's Droplet regions of late 2026, in the API's
// order. (sfo1, nyc2 and ams2 are closed to new Droplets and not listed.)
var regions = []region{
	{"nyc1", "New York 1"}, {"sfo2", "San Francisco 2"}, {"nyc3", "New York 3"},
	{"ams3", "Amsterdam 3"}, {"sgp1", "Singapore 1"}, {"lon1", "London 1"},
	{"fra1", "Frankfurt 1"}, {"tor1", "Toronto 1"}, {"blr1", "Bangalore 1"},
	{"sfo3", "San Francisco 3"}, {"syd1", "Sydney 1"}, {"atl1", "Atlanta 1"},
}

// regionFeatures are what every region offers.
var regionFeatures = []string{"backups", "ipv6", "metadata", "install_agent", "storage", "image_transfer"}

// size is a seeded Droplet size: memory in MiB, disk in GB, transfer in
// TB, monthly price in USD (hourly is monthly/672, DigitalOcean's billing
// cap of 672 hours a month). notIn lists regions that don't sell it.
type size struct {
	slug, description   string
	vcpus, memory, disk int
	transfer, monthly   float64
	notIn               []string
}

// sizes are the Droplet plans: Basic (regular SSD) from $4, Basic AMD
// (premium), and one each of CPU-Optimized, General Purpose and
// Memory-Optimized.
var sizes = []size{
	{"s-1vcpu-512mb-10gb", "Basic", 1, 512, 10, 0.5, 4, []string{"blr1", "syd1", "atl1"}},
	{"s-1vcpu-1gb", "Basic", 1, 1024, 25, 1, 6, nil},
	{"s-1vcpu-2gb", "Basic", 1, 2048, 50, 2, 12, nil},
	{"s-2vcpu-2gb", "Basic", 2, 2048, 60, 3, 18, nil},
	{"s-2vcpu-4gb", "Basic", 2, 4096, 80, 4, 24, nil},
	{"s-4vcpu-8gb", "Basic", 4, 8192, 160, 5, 48, nil},
	{"s-8vcpu-16gb", "Basic", 8, 16384, 320, 6, 96, nil},
	{"s-1vcpu-1gb-amd", "Basic AMD", 1, 1024, 25, 1, 7, []string{"sfo2"}},
	{"s-2vcpu-4gb-amd", "Basic AMD", 2, 4096, 80, 4, 28, []string{"sfo2"}},
	{"c-2", "CPU-Optimized", 2, 4096, 25, 4, 42, []string{"sfo2", "atl1"}},
	{"g-2vcpu-8gb", "General Purpose", 2, 8192, 25, 4, 63, []string{"sfo2", "atl1"}},
	{"m-2vcpu-16gb", "Memory-Optimized", 2, 16384, 50, 4, 84, []string{"sfo2", "atl1"}},
}

// distro is a seeded distribution image.
type distro struct {
	id                       int64
	slug, name, distribution string
	minDisk                  int
	sizeGB                   float64
	created                  string
}

// distros are the distribution images spuff's docs and tests use, with
// IDs of the magnitude the real API hands out.
var distros = []distro{
	{170000101, "ubuntu-22-04-x64", "22.04 (LTS) x64", "Ubuntu", 7, 2.37, "2024-10-01"},
	{170000102, "ubuntu-24-04-x64", "24.04 (LTS) x64", "Ubuntu", 7, 2.61, "2026-07-20"},
	{170000103, "ubuntu-26-04-x64", "26.04 (LTS) x64", "Ubuntu", 7, 2.74, "2026-05-04"},
	{170000104, "debian-12-x64", "12 x64", "Debian", 7, 1.11, "2026-06-30"},
	{170000105, "debian-13-x64", "13 x64", "Debian", 7, 1.24, "2026-08-14"},
}

func (s *size) hourly() float64 { return math.Round(s.monthly/672*1e5) / 1e5 }

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Catalog is DigitalOcean's catalogue in the world's terms: a region's Name
// is its slug, a size's Name its slug, a system image's Name its slug.
func Catalog() world.Catalog {
	var c world.Catalog
	for i, r := range regions {
		c.Regions = append(c.Regions, world.Region{ID: int64(i + 1), Name: r.slug, Description: r.name})
	}
	for i, s := range sizes {
		ws := world.Size{ID: int64(i + 1), Name: s.slug, Description: s.description, Category: s.description,
			Cores: s.vcpus, MemoryGB: float64(s.memory) / 1024, DiskGB: s.disk, Arch: "x86", CPUType: "shared"}
		for _, r := range regions {
			if !slices.Contains(s.notIn, r.slug) {
				ws.Offers = append(ws.Offers, world.Offer{Region: r.slug})
			}
		}
		c.Sizes = append(c.Sizes, ws)
	}
	for _, d := range distros {
		c.Images = append(c.Images, world.Image{ID: d.id, Cloud: Name, Kind: "system", Name: d.slug,
			Description: d.name, OSFlavor: d.distribution, Arch: "x86", DiskGB: float64(d.minDisk),
			Labels: map[string]string{}, Created: day(d.created)})
	}
	return c
}

func seedSize(slug string) *size {
	for i := range sizes {
		if sizes[i].slug == slug {
			return &sizes[i]
		}
	}
	return nil
}

func seedDistro(id int64) *distro {
	for i := range distros {
		if distros[i].id == id {
			return &distros[i]
		}
	}
	return nil
}

type regionJSON struct {
	Slug      string   `json:"slug"`
	Name      string   `json:"name"`
	Sizes     []string `json:"sizes"`
	Available bool     `json:"available"`
	Features  []string `json:"features"`
}

type sizeJSON struct {
	Slug         string   `json:"slug"`
	Memory       int      `json:"memory"`
	Vcpus        int      `json:"vcpus"`
	Disk         int      `json:"disk"`
	Transfer     float64  `json:"transfer"`
	PriceMonthly float64  `json:"price_monthly"`
	PriceHourly  float64  `json:"price_hourly"`
	Regions      []string `json:"regions"`
	Available    bool     `json:"available"`
	Description  string   `json:"description"`
}

func (d *do) regionJSON(r *world.Region, now time.Time) regionJSON {
	out := regionJSON{Slug: r.Name, Name: r.Description, Sizes: []string{}, Available: true, Features: regionFeatures}
	for _, s := range d.w.Catalog(Name).Sizes {
		if s.Orderable(r.Name, now) {
			out.Sizes = append(out.Sizes, s.Name)
		}
	}
	return out
}

func (d *do) sizeJSON(s *world.Size, now time.Time) sizeJSON {
	out := sizeJSON{Slug: s.Name, Memory: int(s.MemoryGB * 1024), Vcpus: s.Cores, Disk: s.DiskGB,
		Regions: []string{}, Description: s.Description}
	if seed := seedSize(s.Name); seed != nil {
		out.Transfer, out.PriceMonthly, out.PriceHourly = seed.transfer, seed.monthly, seed.hourly()
	}
	for _, o := range s.Offers {
		if s.Orderable(o.Region, now) {
			out.Regions = append(out.Regions, o.Region)
		}
	}
	out.Available = len(out.Regions) > 0
	return out
}

func (d *do) listRegions(c *call) (int, any, error) {
	var rs []*world.Region
	for i := range d.w.Catalog(Name).Regions {
		rs = append(rs, &d.w.Catalog(Name).Regions[i])
	}
	return list(c, "regions", rs, func(r *world.Region) regionJSON { return d.regionJSON(r, c.Now) })
}

func (d *do) listSizes(c *call) (int, any, error) {
	var ss []*world.Size
	for i := range d.w.Catalog(Name).Sizes {
		ss = append(ss, &d.w.Catalog(Name).Sizes[i])
	}
	return list(c, "sizes", ss, func(s *world.Size) sizeJSON { return d.sizeJSON(s, c.Now) })
}
