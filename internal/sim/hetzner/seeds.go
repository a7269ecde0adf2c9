package hetzner

import (
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

var (
	eu      = []string{"fsn1", "nbg1", "hel1"}
	euSin   = []string{"fsn1", "nbg1", "hel1", "sin"}
	allLocs = []string{"fsn1", "nbg1", "hel1", "ash", "hil", "sin"}
)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// gen2026 is the deprecation Hetzner announced on 2025-10-16 for the CX
// (Intel, second generation) and CPX (AMD, first generation) server types:
// no longer orderable after 2025-12-31T23:59:59Z. The CX types were sold only
// in the EU and so retired entirely; the old CPX types were deprecated in
// the EU (and Singapore) but stay on sale in Ashburn and Hillsboro, where
// the new CPX generation isn't offered.
var gen2026 = &world.Deprecation{Announced: day("2025-10-16T06:00:00Z"), UnavailableAfter: day("2025-12-31T23:59:59Z")}

func offers(regions []string, dep *world.Deprecation, deprecatedIn ...string) []world.Offer {
	out := make([]world.Offer, 0, len(regions))
	for _, r := range regions {
		o := world.Offer{Region: r}
		for _, d := range deprecatedIn {
			if d == r {
				o.Deprecation = dep
			}
		}
		out = append(out, o)
	}
	return out
}

// Catalog is Hetzner's catalogue of late 2026.
func Catalog() world.Catalog {
	cx2 := offers(eu, gen2026, eu...)
	cpx1 := offers(allLocs, gen2026, euSin...)
	c := world.Catalog{
		// IDs and names follow the real API so that configurations written
		// against the simulator work unchanged against Hetzner.
		Regions: []world.Region{
			rg(1, "fsn1", "Falkenstein DC Park 1", "DE", "Falkenstein", 50.47612, 12.370071, "eu-central"),
			rg(2, "nbg1", "Nuremberg DC Park 1", "DE", "Nuremberg", 49.452102, 11.076665, "eu-central"),
			rg(3, "hel1", "Helsinki DC Park 1", "FI", "Helsinki", 60.169855, 24.938379, "eu-central"),
			rg(4, "ash", "Ashburn, VA", "US", "Ashburn, VA", 39.045821, -77.487073, "us-east"),
			rg(5, "hil", "Hillsboro, OR", "US", "Hillsboro, OR", 45.54222, -122.951924, "us-west"),
			rg(6, "sin", "Singapore", "SG", "Singapore", 1.283333, 103.833333, "ap-southeast"),
		},
		Sizes: []world.Size{
			// Cost-optimized x86 (Intel/AMD), EU only, since October 2025.
			sz(114, "cx23", "CX23", "cost_optimized", 2, 4, 40, "x86", "shared", offers(eu, nil)),
			sz(115, "cx33", "CX33", "cost_optimized", 4, 8, 80, "x86", "shared", offers(eu, nil)),
			sz(116, "cx43", "CX43", "cost_optimized", 8, 16, 160, "x86", "shared", offers(eu, nil)),
			sz(117, "cx53", "CX53", "cost_optimized", 16, 32, 320, "x86", "shared", offers(eu, nil)),
			// Regular performance AMD, second generation: EU and Singapore.
			sz(108, "cpx12", "CPX 12", "regular_purpose", 1, 2, 40, "x86", "shared", offers(euSin, nil)),
			sz(109, "cpx22", "CPX 22", "regular_purpose", 2, 4, 80, "x86", "shared", offers(euSin, nil)),
			sz(110, "cpx32", "CPX 32", "regular_purpose", 4, 8, 160, "x86", "shared", offers(euSin, nil)),
			sz(111, "cpx42", "CPX 42", "regular_purpose", 8, 16, 320, "x86", "shared", offers(euSin, nil)),
			sz(112, "cpx52", "CPX 52", "regular_purpose", 12, 24, 480, "x86", "shared", offers(euSin, nil)),
			sz(113, "cpx62", "CPX 62", "regular_purpose", 16, 32, 640, "x86", "shared", offers(euSin, nil)),
			// Arm (Ampere), EU only.
			sz(45, "cax11", "CAX11", "cost_optimized", 2, 4, 40, "arm", "shared", offers(eu, nil)),
			sz(93, "cax21", "CAX21", "cost_optimized", 4, 8, 80, "arm", "shared", offers(eu, nil)),
			sz(94, "cax31", "CAX31", "cost_optimized", 8, 16, 160, "arm", "shared", offers(eu, nil)),
			sz(95, "cax41", "CAX41", "cost_optimized", 16, 32, 320, "arm", "shared", offers(eu, nil)),
			// Dedicated vCPU (AMD), everywhere.
			sz(96, "ccx13", "CCX13 Dedicated CPU", "general_purpose", 2, 8, 80, "x86", "dedicated", offers(allLocs, nil)),
			sz(97, "ccx23", "CCX23 Dedicated CPU", "general_purpose", 4, 16, 160, "x86", "dedicated", offers(allLocs, nil)),
			sz(98, "ccx33", "CCX33 Dedicated CPU", "general_purpose", 8, 32, 240, "x86", "dedicated", offers(allLocs, nil)),
			sz(99, "ccx43", "CCX43 Dedicated CPU", "general_purpose", 16, 64, 360, "x86", "dedicated", offers(allLocs, nil)),
			sz(100, "ccx53", "CCX53 Dedicated CPU", "general_purpose", 32, 128, 600, "x86", "dedicated", offers(allLocs, nil)),
			sz(101, "ccx63", "CCX63 Dedicated CPU", "general_purpose", 48, 192, 960, "x86", "dedicated", offers(allLocs, nil)),
			// The generation retired in January 2026 (see gen2026).
			sz(104, "cx22", "CX22", "cost_optimized", 2, 4, 40, "x86", "shared", cx2),
			sz(105, "cx32", "CX32", "cost_optimized", 4, 8, 80, "x86", "shared", cx2),
			sz(106, "cx42", "CX42", "cost_optimized", 8, 16, 160, "x86", "shared", cx2),
			sz(107, "cx52", "CX52", "cost_optimized", 16, 32, 320, "x86", "shared", cx2),
			sz(22, "cpx11", "CPX 11", "regular_purpose", 2, 2, 40, "x86", "shared", cpx1),
			sz(23, "cpx21", "CPX 21", "regular_purpose", 3, 4, 80, "x86", "shared", cpx1),
			sz(24, "cpx31", "CPX 31", "regular_purpose", 4, 8, 160, "x86", "shared", cpx1),
			sz(25, "cpx41", "CPX 41", "regular_purpose", 8, 16, 240, "x86", "shared", cpx1),
			sz(26, "cpx51", "CPX 51", "regular_purpose", 16, 32, 360, "x86", "shared", cpx1),
		},
	}
	type distro struct {
		name, desc, flavor, version, created, deprecated string
	}
	distros := []distro{
		{"ubuntu-22.04", "Ubuntu 22.04", "ubuntu", "22.04", "2022-04-21", ""},
		{"ubuntu-24.04", "Ubuntu 24.04", "ubuntu", "24.04", "2024-04-25", ""},
		{"debian-11", "Debian 11", "debian", "11", "2021-08-16", "2024-08-15"},
		{"debian-12", "Debian 12", "debian", "12", "2023-06-13", ""},
		{"debian-13", "Debian 13", "debian", "13", "2025-08-12", ""},
		// Appended rather than sorted in, so that the IDs above stay put.
		{"ubuntu-26.04", "Ubuntu 26.04", "ubuntu", "26.04", "2026-04-28", ""},
	}
	id := int64(100)
	for _, d := range distros {
		// The same name exists once per architecture with different IDs;
		// that is why clients look images up by name and architecture.
		for _, arch := range []string{"x86", "arm"} {
			id++
			img := world.Image{
				ID: id, Cloud: Name, Kind: "system", Name: d.name, Description: d.desc,
				OSFlavor: d.flavor, OSVersion: d.version, Arch: arch,
				DiskGB: 5, Labels: map[string]string{}, Created: day(d.created), RapidDeploy: true,
			}
			if d.deprecated != "" {
				img.Deprecated = day(d.deprecated)
			}
			c.Images = append(c.Images, img)
		}
	}
	return c
}

func rg(id int64, name, desc, country, city string, lat, lon float64, zone string) world.Region {
	return world.Region{ID: id, Name: name, Description: desc, Country: country, City: city,
		Latitude: lat, Longitude: lon, NetworkZone: zone}
}

func sz(id int64, name, desc, category string, cores int, mem float64, disk int, arch, cpu string, offers []world.Offer) world.Size {
	return world.Size{ID: id, Name: name, Description: desc, Category: category, Cores: cores,
		MemoryGB: mem, DiskGB: disk, Arch: arch, CPUType: cpu, Offers: offers}
}
