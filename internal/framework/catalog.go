package framework

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The catalogue capability: what a cloud sells (regions, sizes and where
// each is offered, system images per architecture). A cloud that can list it
// implements Cataloguer, so that a region, size or image version it does not
// offer is refused before anything is created, with what it does offer.

// Catalog is what a cloud offers.
type Catalog struct {
	Regions []CatalogRegion
	Sizes   []CatalogSize
	Images  []CatalogImage
}

// CatalogRegion is a region (location) machines can be created in.
type CatalogRegion struct {
	Name        string
	Description string
}

// CatalogSize is a machine type.
type CatalogSize struct {
	Name string
	// Arch is the CPU architecture, in the cloud's words ("x86", "arm").
	Arch     string
	Cores    int
	MemoryGB float64
	DiskGB   int
	// Regions are the regions the size can be ordered in now, as the cloud
	// says: its word, not a local clock's, decides.
	Regions []string
	// Deprecations maps a region to the size's deprecation there (also
	// where it can no longer be ordered); a region not in the map has none.
	Deprecations map[string]Deprecation
}

// Deprecation is a cloud's announcement that it stops selling something.
type Deprecation struct {
	Announced time.Time
	// UnavailableAfter is when it can no longer be ordered.
	UnavailableAfter time.Time
}

// CatalogImage is a system image the cloud offers, as an ImageSpec kind and
// version (only ImageUbuntu and ImageDebian are listed).
type CatalogImage struct {
	Kind    ImageKind
	Version string
	Arch    string
	// Deprecated is when the cloud deprecated it; zero when it did not.
	Deprecated time.Time
}

// Cataloguer is implemented by clouds that can list their catalogue.
type Cataloguer interface {
	Catalog(ctx context.Context) (*Catalog, error)
}

// CatalogCache fetches a cloud's catalogue once and keeps it: callers that
// ask at the same time share the one fetch. A failed fetch is not kept, so
// the next caller tries again, except when the endpoint took no connection
// (ConnectError): that is kept, so a plan of many machines against a wrong
// endpoint fails once, fast, not once per machine.
type CatalogCache struct {
	mu   sync.Mutex
	src  Cataloguer
	cat  *Catalog
	dead error
}

// NewCatalogCache returns a cache over p's catalogue, or nil when p has none.
func NewCatalogCache(p Provider) *CatalogCache {
	c, ok := p.(Cataloguer)
	if !ok {
		return nil
	}
	return &CatalogCache{src: c}
}

// Get returns the catalogue, fetching it on first use.
func (c *CatalogCache) Get(ctx context.Context) (*Catalog, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cat != nil {
		return c.cat, nil
	}
	if c.dead != nil {
		return nil, c.dead
	}
	cat, err := c.src.Catalog(ctx)
	if err != nil {
		if IsConnectFailure(err) {
			c.dead = err
		}
		return nil, err
	}
	c.cat = cat
	return cat, nil
}

// Region returns the named region, or nil.
func (c *Catalog) Region(name string) *CatalogRegion {
	for i := range c.Regions {
		if c.Regions[i].Name == name {
			return &c.Regions[i]
		}
	}
	return nil
}

// Size returns the named size, or nil.
func (c *Catalog) Size(name string) *CatalogSize {
	for i := range c.Sizes {
		if c.Sizes[i].Name == name {
			return &c.Sizes[i]
		}
	}
	return nil
}

// OfferedIn reports whether the size can be ordered in region.
func (s *CatalogSize) OfferedIn(region string) bool {
	return slices.Contains(s.Regions, region)
}

// CheckRegion refuses a region the cloud does not offer, listing those it
// does, nearest match first.
func (c *Catalog) CheckRegion(region string) error {
	if c.Region(region) != nil {
		return nil
	}
	names := make([]string, 0, len(c.Regions))
	for _, r := range c.Regions {
		names = append(names, r.Name)
	}
	return InvalidConfig("region", fmt.Sprintf("%q is not a region of this cloud; offered regions are (nearest first): %s",
		region, QuoteList(ByNearest(region, names))))
}

// CheckSize refuses a size the cloud does not sell in region, listing what
// it does sell there, nearest match first. A size sold but deprecated passes
// with a warning that gives its end-of-sale date.
func (c *Catalog) CheckSize(region, size string) (warning string, err error) {
	s := c.Size(size)
	if s == nil {
		return "", InvalidConfig("size", fmt.Sprintf("%q is not a size of this cloud; sizes offered in %s are (nearest first): %s",
			size, region, QuoteList(ByNearest(size, c.sizesIn(region)))))
	}
	if !s.OfferedIn(region) {
		elsewhere := s.Regions
		why := "is not offered in " + region
		if d, ok := s.Deprecations[region]; ok && !d.UnavailableAfter.IsZero() {
			why = fmt.Sprintf("is deprecated and can no longer be ordered in %s (end of sale %s)", region, d.UnavailableAfter.UTC().Format(time.DateOnly))
		}
		msg := fmt.Sprintf("%q %s; sizes offered there are (nearest first): %s", size, why, QuoteList(ByNearest(size, c.sizesIn(region))))
		if len(elsewhere) > 0 {
			msg += fmt.Sprintf(". %s is still offered in: %s", size, QuoteList(elsewhere))
		}
		return "", InvalidConfig("size", msg)
	}
	if d, ok := s.Deprecations[region]; ok {
		warning = fmt.Sprintf("The size %q is deprecated (announced %s)", size, d.Announced.UTC().Format(time.DateOnly))
		if !d.UnavailableAfter.IsZero() {
			warning += fmt.Sprintf(" and can be ordered in %s until %s", region, d.UnavailableAfter.UTC().Format(time.DateOnly))
		}
		if alt := c.successors(s, region); len(alt) > 0 {
			warning += "; sizes of the current generation with the same architecture are: " + QuoteList(alt)
		}
		warning += "."
	}
	return warning, nil
}

// sizesIn lists the sizes that can be ordered in region.
func (c *Catalog) sizesIn(region string) []string {
	var out []string
	for i := range c.Sizes {
		if c.Sizes[i].OfferedIn(region) {
			out = append(out, c.Sizes[i].Name)
		}
	}
	return out
}

// successors lists the undeprecated sizes of s's architecture in region,
// smallest first: what to move to.
func (c *Catalog) successors(s *CatalogSize, region string) []string {
	var alt []CatalogSize
	for _, o := range c.Sizes {
		if _, dep := o.Deprecations[region]; !dep && o.Arch == s.Arch && o.OfferedIn(region) {
			alt = append(alt, o)
		}
	}
	slices.SortStableFunc(alt, func(a, b CatalogSize) int {
		return cmp.Or(cmp.Compare(a.Cores, b.Cores), cmp.Compare(a.MemoryGB, b.MemoryGB), cmp.Compare(a.Name, b.Name))
	})
	out := make([]string, 0, len(alt))
	for _, a := range alt {
		out = append(out, a.Name)
	}
	return out
}

// CheckImage refuses an Ubuntu or Debian version the cloud does not offer
// for the architecture arch ("" for any), listing the versions it offers.
// Other image kinds are the cloud's to check when the machine is created.
func (c *Catalog) CheckImage(spec ImageSpec, arch string) error {
	if spec.Kind != ImageUbuntu && spec.Kind != ImageDebian {
		return nil
	}
	var versions []string
	for _, img := range c.Images {
		if img.Kind != spec.Kind || (arch != "" && img.Arch != arch) {
			continue
		}
		if img.Version == spec.Value {
			return nil
		}
		if !slices.Contains(versions, img.Version) {
			versions = append(versions, img.Version)
		}
	}
	// Newest first reads best for versions.
	slices.SortFunc(versions, func(a, b string) int { return compareVersions(b, a) })
	field := "image." + spec.Kind.String()
	what := spec.Kind.String()
	if arch != "" {
		what += " for the " + arch + " architecture of the size"
	}
	if len(versions) == 0 {
		return InvalidConfig(field, fmt.Sprintf("this cloud offers no %s image", what))
	}
	return InvalidConfig(field, fmt.Sprintf("%q is not offered; %s versions offered are: %s", spec.Value, what, QuoteList(versions)))
}

// CanResize reports whether a machine of size from, in region, with a disk
// of diskGB (0 when unknown: from's disk), can move to size to in place
// under caps. When it cannot, reason says why (for a plan's explanation).
func (c *Catalog) CanResize(caps UpdateCapabilities, region, from, to string, diskGB int) (ok bool, reason string) {
	if !caps.Resize {
		return false, "this cloud cannot resize a machine in place"
	}
	src, dst := c.Size(from), c.Size(to)
	switch {
	case dst == nil:
		return false, fmt.Sprintf("size %q is not in the catalogue", to)
	case !dst.OfferedIn(region):
		return false, fmt.Sprintf("size %q is not offered in %s", to, region)
	case src == nil:
		return false, fmt.Sprintf("size %q is not in the catalogue", from)
	case src.Arch != dst.Arch:
		return false, fmt.Sprintf("%s is %s and %s is %s: the architecture cannot change in place", from, src.Arch, to, dst.Arch)
	}
	if diskGB == 0 {
		diskGB = src.DiskGB
	}
	if caps.ResizeKeepsDisk && dst.DiskGB < diskGB {
		return false, fmt.Sprintf("the machine's disk is %d GB and %s has %d GB: disks cannot shrink", diskGB, to, dst.DiskGB)
	}
	return true, ""
}

// ByNearest orders names by edit distance to want, then by name.
func ByNearest(want string, names []string) []string {
	out := slices.Clone(names)
	dist := make(map[string]int, len(out))
	for _, n := range out {
		dist[n] = editDistance(strings.ToLower(want), strings.ToLower(n))
	}
	slices.SortStableFunc(out, func(a, b string) int {
		return cmp.Or(cmp.Compare(dist[a], dist[b]), cmp.Compare(a, b))
	})
	return out
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// compareVersions orders dotted numeric versions ("22.04" < "24.04" < "24.10").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return cmp.Compare(a, b)
}

// QuoteList quotes names for a diagnostic: "a", "b", or (none).
func QuoteList(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
