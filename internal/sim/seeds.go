package sim

import "time"

// catalog is the read-only part of a cloud: where machines can run, what
// sizes they come in and which system images they boot. The types are
// neutral; the data below is Hetzner's. Another front end brings its own.
type catalog struct {
	regions []region
	sizes   []size
	images  []image // system images
}

// region is a location. Hetzner's datacenters (fsn1-dc14, ...) are gone
// from the API since 2026: servers carry only their location, and the
// datacenter endpoints answer 410.
type region struct {
	ID          int64
	Name        string
	Description string
	Country     string
	City        string
	Latitude    float64
	Longitude   float64
	NetworkZone string
}

type size struct {
	ID          int64
	Name        string
	Description string
	Category    string
	Cores       int
	MemoryGB    float64
	DiskGB      int
	Arch        string // "x86" or "arm"
	CPUType     string // "shared" or "dedicated"
	Offers      []offer
}

// offer is a size sold in a region, possibly on its way out there.
type offer struct {
	Region      string
	Deprecation *deprecation // nil while the size is sold there without an end date
}

// deprecation is an announced end of sale: from UnavailableAfter on nobody
// can order it any more; machines that have it keep it.
type deprecation struct {
	Announced        time.Time
	UnavailableAfter time.Time
}

// past reports whether the deprecation has taken effect at now.
func (d *deprecation) past(now time.Time) bool { return d != nil && now.After(d.UnavailableAfter) }

func (c *catalog) region(name string) *region {
	for i := range c.regions {
		if c.regions[i].Name == name {
			return &c.regions[i]
		}
	}
	return nil
}

// size finds a size by name, retired or not: machines keep the size they
// were created with.
func (c *catalog) size(name string) *size {
	for i := range c.sizes {
		if c.sizes[i].Name == name {
			return &c.sizes[i]
		}
	}
	return nil
}

func (s *size) offer(region string) *offer {
	for i := range s.Offers {
		if s.Offers[i].Region == region {
			return &s.Offers[i]
		}
	}
	return nil
}

// orderable reports whether a new machine of this size can be had in region
// at now: the size is offered there and its deprecation, if any, has not
// taken effect.
func (s *size) orderable(region string, now time.Time) bool {
	o := s.offer(region)
	return o != nil && !o.Deprecation.past(now)
}

// deprecatedEverywhere is the deprecation that covers every region the size
// is offered in, or nil. Hetzner reports it as the server type's top-level
// "deprecation" (and "deprecated": true); a size deprecated only in some
// regions has only the per-location deprecations.
func (s *size) deprecatedEverywhere() *deprecation {
	var d *deprecation
	for _, o := range s.Offers {
		if o.Deprecation == nil {
			return nil
		}
		if d == nil || o.Deprecation.UnavailableAfter.After(d.UnavailableAfter) {
			d = o.Deprecation
		}
	}
	return d
}

// retired reports whether the size can no longer be ordered anywhere. The
// Hetzner API then stops knowing it: it is missing from GET /server_types
// (also by name and by ID) and a create naming it is told it doesn't exist,
// as happened to cx11 in 2024 and to cx22 in January 2026. Machines that
// have it still show it.
func (s *size) retired(now time.Time) bool {
	d := s.deprecatedEverywhere()
	return d.past(now)
}

// Hetzner's locations, by ID.
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
var gen2026 = &deprecation{Announced: day("2025-10-16T06:00:00Z"), UnavailableAfter: day("2025-12-31T23:59:59Z")}

func offers(regions []string, dep *deprecation, deprecatedIn ...string) []offer {
	out := make([]offer, 0, len(regions))
	for _, r := range regions {
		o := offer{Region: r}
		for _, d := range deprecatedIn {
			if d == r {
				o.Deprecation = dep
			}
		}
		out = append(out, o)
	}
	return out
}

func hetznerCatalog() catalog {
	cx2 := offers(eu, gen2026, eu...)
	cpx1 := offers(allLocs, gen2026, euSin...)
	c := catalog{
		// IDs and names follow the real API so that configurations written
		// against the simulator work unchanged against Hetzner.
		regions: []region{
			{1, "fsn1", "Falkenstein DC Park 1", "DE", "Falkenstein", 50.47612, 12.370071, "eu-central"},
			{2, "nbg1", "Nuremberg DC Park 1", "DE", "Nuremberg", 49.452102, 11.076665, "eu-central"},
			{3, "hel1", "Helsinki DC Park 1", "FI", "Helsinki", 60.169855, 24.938379, "eu-central"},
			{4, "ash", "Ashburn, VA", "US", "Ashburn, VA", 39.045821, -77.487073, "us-east"},
			{5, "hil", "Hillsboro, OR", "US", "Hillsboro, OR", 45.54222, -122.951924, "us-west"},
			{6, "sin", "Singapore", "SG", "Singapore", 1.283333, 103.833333, "ap-southeast"},
		},
		sizes: []size{
			// Cost-optimized x86 (Intel/AMD), EU only, since October 2025.
			{114, "cx23", "CX23", "cost_optimized", 2, 4, 40, "x86", "shared", offers(eu, nil)},
			{115, "cx33", "CX33", "cost_optimized", 4, 8, 80, "x86", "shared", offers(eu, nil)},
			{116, "cx43", "CX43", "cost_optimized", 8, 16, 160, "x86", "shared", offers(eu, nil)},
			{117, "cx53", "CX53", "cost_optimized", 16, 32, 320, "x86", "shared", offers(eu, nil)},
			// Regular performance AMD, second generation: EU and Singapore.
			{108, "cpx12", "CPX 12", "regular_purpose", 1, 2, 40, "x86", "shared", offers(euSin, nil)},
			{109, "cpx22", "CPX 22", "regular_purpose", 2, 4, 80, "x86", "shared", offers(euSin, nil)},
			{110, "cpx32", "CPX 32", "regular_purpose", 4, 8, 160, "x86", "shared", offers(euSin, nil)},
			{111, "cpx42", "CPX 42", "regular_purpose", 8, 16, 320, "x86", "shared", offers(euSin, nil)},
			{112, "cpx52", "CPX 52", "regular_purpose", 12, 24, 480, "x86", "shared", offers(euSin, nil)},
			{113, "cpx62", "CPX 62", "regular_purpose", 16, 32, 640, "x86", "shared", offers(euSin, nil)},
			// Arm (Ampere), EU only.
			{45, "cax11", "CAX11", "cost_optimized", 2, 4, 40, "arm", "shared", offers(eu, nil)},
			{93, "cax21", "CAX21", "cost_optimized", 4, 8, 80, "arm", "shared", offers(eu, nil)},
			{94, "cax31", "CAX31", "cost_optimized", 8, 16, 160, "arm", "shared", offers(eu, nil)},
			{95, "cax41", "CAX41", "cost_optimized", 16, 32, 320, "arm", "shared", offers(eu, nil)},
			// Dedicated vCPU (AMD), everywhere.
			{96, "ccx13", "CCX13 Dedicated CPU", "general_purpose", 2, 8, 80, "x86", "dedicated", offers(allLocs, nil)},
			{97, "ccx23", "CCX23 Dedicated CPU", "general_purpose", 4, 16, 160, "x86", "dedicated", offers(allLocs, nil)},
			{98, "ccx33", "CCX33 Dedicated CPU", "general_purpose", 8, 32, 240, "x86", "dedicated", offers(allLocs, nil)},
			{99, "ccx43", "CCX43 Dedicated CPU", "general_purpose", 16, 64, 360, "x86", "dedicated", offers(allLocs, nil)},
			{100, "ccx53", "CCX53 Dedicated CPU", "general_purpose", 32, 128, 600, "x86", "dedicated", offers(allLocs, nil)},
			{101, "ccx63", "CCX63 Dedicated CPU", "general_purpose", 48, 192, 960, "x86", "dedicated", offers(allLocs, nil)},
			// The generation retired in January 2026 (see gen2026).
			{104, "cx22", "CX22", "cost_optimized", 2, 4, 40, "x86", "shared", cx2},
			{105, "cx32", "CX32", "cost_optimized", 4, 8, 80, "x86", "shared", cx2},
			{106, "cx42", "CX42", "cost_optimized", 8, 16, 160, "x86", "shared", cx2},
			{107, "cx52", "CX52", "cost_optimized", 16, 32, 320, "x86", "shared", cx2},
			{22, "cpx11", "CPX 11", "regular_purpose", 2, 2, 40, "x86", "shared", cpx1},
			{23, "cpx21", "CPX 21", "regular_purpose", 3, 4, 80, "x86", "shared", cpx1},
			{24, "cpx31", "CPX 31", "regular_purpose", 4, 8, 160, "x86", "shared", cpx1},
			{25, "cpx41", "CPX 41", "regular_purpose", 8, 16, 240, "x86", "shared", cpx1},
			{26, "cpx51", "CPX 51", "regular_purpose", 16, 32, 360, "x86", "shared", cpx1},
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
			img := image{
				ID: id, Kind: "system", Name: d.name, Description: d.desc,
				OSFlavor: d.flavor, OSVersion: d.version, Arch: arch,
				DiskGB: 5, Labels: map[string]string{}, Created: day(d.created), RapidDeploy: true,
			}
			if d.deprecated != "" {
				img.Deprecated = day(d.deprecated)
			}
			c.images = append(c.images, img)
		}
	}
	return c
}
