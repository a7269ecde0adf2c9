package world

import "time"

// Catalog is the read-only part of a cloud: where machines can run, what
// sizes they come in and which system images they boot. The types are
// neutral; each front end brings its own data (hetzner.Catalog).
type Catalog struct {
	Regions []Region
	Sizes   []Size
	Images  []Image // system images
}

// Region is where machines run (a Hetzner location, a DigitalOcean or EC2
// region). Hetzner's datacenters (fsn1-dc14, ...) are gone
// from the API since 2026: servers carry only their location, and the
// datacenter endpoints answer 410.
type Region struct {
	ID          int64
	Name        string
	Description string
	Country     string
	City        string
	Latitude    float64
	Longitude   float64
	NetworkZone string
}

// Size is a machine size (Hetzner: server type).
type Size struct {
	ID          int64
	Name        string
	Description string
	Category    string
	Cores       int
	MemoryGB    float64
	DiskGB      int
	Arch        string // "x86" or "arm"
	CPUType     string // "shared" or "dedicated"
	Offers      []Offer
}

// Offer is a size sold in a region, possibly on its way out there.
type Offer struct {
	Region      string
	Deprecation *Deprecation // nil while the size is sold there without an end date
}

// Deprecation is an announced end of sale: from UnavailableAfter on nobody
// can order it any more; machines that have it keep it.
type Deprecation struct {
	Announced        time.Time
	UnavailableAfter time.Time
}

// Past reports whether the deprecation has taken effect at now.
func (d *Deprecation) Past(now time.Time) bool { return d != nil && now.After(d.UnavailableAfter) }

// Region finds a region by name.
func (c *Catalog) Region(name string) *Region {
	for i := range c.Regions {
		if c.Regions[i].Name == name {
			return &c.Regions[i]
		}
	}
	return nil
}

// Size finds a size by name, retired or not: machines keep the size they
// were created with.
func (c *Catalog) Size(name string) *Size {
	for i := range c.Sizes {
		if c.Sizes[i].Name == name {
			return &c.Sizes[i]
		}
	}
	return nil
}

// Offer is the size's offer in region, or nil.
func (s *Size) Offer(region string) *Offer {
	for i := range s.Offers {
		if s.Offers[i].Region == region {
			return &s.Offers[i]
		}
	}
	return nil
}

// Orderable reports whether a new machine of this size can be had in region
// at now: the size is offered there and its deprecation, if any, has not
// taken effect.
func (s *Size) Orderable(region string, now time.Time) bool {
	o := s.Offer(region)
	return o != nil && !o.Deprecation.Past(now)
}

// DeprecatedEverywhere is the deprecation that covers every region the size
// is offered in, or nil. Hetzner reports it as the server type's top-level
// "deprecation" (and "deprecated": true); a size deprecated only in some
// regions has only the per-location deprecations.
func (s *Size) DeprecatedEverywhere() *Deprecation {
	var d *Deprecation
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

// Retired reports whether the size can no longer be ordered anywhere. The
// Hetzner API then stops knowing it: it is missing from GET /server_types
// (also by name and by ID) and a create naming it is told it doesn't exist,
// as happened to cx11 in 2024 and to cx22 in January 2026. Machines that
// have it still show it.
func (s *Size) Retired(now time.Time) bool {
	d := s.DeprecatedEverywhere()
	return d.Past(now)
}
