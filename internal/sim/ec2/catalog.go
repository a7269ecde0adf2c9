package ec2sim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// Publishers of the seeded public AMIs.
const (
	OwnerCanonical = "099720109477"
	OwnerDebian    = "136693071363"
)

// region is a seeded region: its name, description and the prefix of its
// zone IDs ("use1" for use1-az1).
type region struct{ name, description, zonePrefix string }

// regions are a selection of EC2's regions of late 2026 (all opted in by
// default), each with three availability zones a, b and c.
var regions = []region{
	{"us-east-1", "US East (N. Virginia)", "use1"},
	{"us-east-2", "US East (Ohio)", "use2"},
	{"us-west-2", "US West (Oregon)", "usw2"},
	{"eu-central-1", "Europe (Frankfurt)", "euc1"},
	{"eu-west-1", "Europe (Ireland)", "euw1"},
	{"ap-southeast-1", "Asia Pacific (Singapore)", "apse1"},
}

var zoneLetters = []string{"a", "b", "c"}

// instanceType is a seeded instance type: memory in MiB; notIn lists the
// regions that don't offer it.
type instanceType struct {
	name      string
	vcpus     int
	memoryMiB int
	arch      string // world arch: "x86" or "arm"
	burstable bool
	clockGHz  float64
	notIn     []string
}

// instanceTypes are current-generation general purpose and compute types,
// all EBS-only (no instance storage). m7g.large is not offered in
// ap-southeast-1 here, so "not offered in this region" is testable.
var instanceTypes = []instanceType{
	{"t3.micro", 2, 1024, "x86", true, 3.1, nil},
	{"t3.small", 2, 2048, "x86", true, 3.1, nil},
	{"t3.medium", 2, 4096, "x86", true, 3.1, nil},
	{"t3.large", 2, 8192, "x86", true, 3.1, nil},
	{"t4g.micro", 2, 1024, "arm", true, 2.5, nil},
	{"t4g.small", 2, 2048, "arm", true, 2.5, nil},
	{"t4g.medium", 2, 4096, "arm", true, 2.5, nil},
	{"m7i.large", 2, 8192, "x86", false, 3.2, nil},
	{"m7g.large", 2, 8192, "arm", false, 2.6, []string{"ap-southeast-1"}},
	{"c7i.large", 2, 4096, "x86", false, 3.2, nil},
}

// series is a seeded AMI series: the name of a build is prefix + the
// build's date (+ suffix), one AMI per build, architecture and region.
type series struct {
	owner, flavor, version, codename string
	builds                           []build
}

type build struct{ date, serial string }

// amiSeries are the public images the spuff provider looks up: Ubuntu
// 24.04 (Canonical publishes it under hvm-ssd-gp3) and 22.04 (under
// hvm-ssd), Debian 12 and 13, each in two builds for amd64 and arm64.
var amiSeries = []series{
	{OwnerCanonical, "ubuntu", "24.04", "noble", []build{{"20261015", ""}, {"20261118", ""}}},
	{OwnerCanonical, "ubuntu", "22.04", "jammy", []build{{"20261008", ""}, {"20261112", ""}}},
	{OwnerDebian, "debian", "12", "bookworm", []build{{"20261010", "2260"}, {"20261109", "2290"}}},
	{OwnerDebian, "debian", "13", "trixie", []build{{"20261012", "0510"}, {"20261110", "0540"}}},
}

// amiName is a build's AMI name, as its publisher writes it.
func (s *series) amiName(b build, arch string) string {
	a := debArch(arch)
	if s.flavor == "debian" {
		return fmt.Sprintf("debian-%s-%s-%s-%s", s.version, a, b.date, b.serial)
	}
	store := "hvm-ssd-gp3"
	if s.codename == "jammy" {
		store = "hvm-ssd"
	}
	return fmt.Sprintf("ubuntu/images/%s/ubuntu-%s-%s-%s-server-%s", store, s.codename, s.version, a, b.date)
}

func (s *series) description(b build, arch string) string {
	if s.flavor == "debian" {
		return fmt.Sprintf("Debian %s (%s-%s)", s.version, b.date, b.serial)
	}
	return fmt.Sprintf("Canonical, Ubuntu, %s, %s %s image", s.version, debArch(arch), s.codename)
}

// debArch is Debian's and Ubuntu's word for an architecture.
func debArch(arch string) string {
	if arch == "arm" {
		return "arm64"
	}
	return "amd64"
}

// ec2Arch is EC2's word for a world architecture.
func ec2Arch(arch string) string {
	if arch == "arm" {
		return "arm64"
	}
	return "x86_64"
}

// firstAMI is the world ID of the first seeded AMI; each region has its
// own block of IDs, so each AMI has a different ID in every region, as on
// EC2.
const firstAMI = 910000000

// Catalog is EC2's catalogue in the world's terms: a region's Name is its
// code, a size's Name the instance type, a system image's Name the AMI
// name, with its Region and publisher (Owner).
func Catalog() world.Catalog {
	var c world.Catalog
	for i, r := range regions {
		c.Regions = append(c.Regions, world.Region{ID: int64(i + 1), Name: r.name, Description: r.description})
	}
	for i, t := range instanceTypes {
		family, _, _ := strings.Cut(t.name, ".")
		cpu := "dedicated"
		if t.burstable {
			cpu = "shared"
		}
		s := world.Size{ID: int64(i + 1), Name: t.name, Description: t.name, Category: family, Cores: t.vcpus,
			MemoryGB: float64(t.memoryMiB) / 1024, Arch: t.arch, CPUType: cpu}
		for _, r := range regions {
			if !slices.Contains(t.notIn, r.name) {
				s.Offers = append(s.Offers, world.Offer{Region: r.name})
			}
		}
		c.Sizes = append(c.Sizes, s)
	}
	for ri, r := range regions {
		id := int64(firstAMI + ri*1000)
		for _, s := range amiSeries {
			for bi, b := range s.builds {
				for _, arch := range []string{"x86", "arm"} {
					id++
					created, err := time.Parse("20060102", b.date)
					if err != nil {
						panic(err)
					}
					c.Images = append(c.Images, world.Image{
						ID: id, Cloud: Name, Kind: "system", Name: s.amiName(b, arch), Owner: s.owner,
						Description: s.description(b, arch), OSFlavor: s.flavor, OSVersion: s.version, Arch: arch,
						DiskGB: 8, Labels: map[string]string{}, Region: r.name,
						Created: created.Add(time.Duration(10+bi)*time.Hour + 17*time.Minute),
					})
				}
			}
		}
	}
	return c
}

func seedType(name string) *instanceType {
	for i := range instanceTypes {
		if instanceTypes[i].name == name {
			return &instanceTypes[i]
		}
	}
	return nil
}

func seedRegion(name string) (int, *region) {
	for i := range regions {
		if regions[i].name == name {
			return i, &regions[i]
		}
	}
	return -1, nil
}

// Default VPC and subnets: one VPC (172.31.0.0/16) per region and one
// default subnet per zone (172.31.0.0/20, 172.31.16.0/20, ...), as every
// account has them.
type subnet struct {
	id, vpc, zone, zoneID, cidr string
	base                        [4]byte
}

func vpcID(regionIdx int) string { return encodeID("vpc", int64(regionIdx+1)) }

func subnets(regionName string) []subnet {
	ri, r := seedRegion(regionName)
	if r == nil {
		return nil
	}
	var out []subnet
	for zi, z := range zoneLetters {
		third := byte(zi * 16)
		out = append(out, subnet{
			id: encodeID("subnet", int64((ri+1)*10+zi)), vpc: vpcID(ri), zone: r.name + z,
			zoneID: fmt.Sprintf("%s-az%d", r.zonePrefix, zi+1), cidr: fmt.Sprintf("172.31.%d.0/20", third),
			base: [4]byte{172, 31, third, 0},
		})
	}
	return out
}

// subnetOfZone is the default subnet of an availability zone.
func subnetOfZone(zone string) *subnet {
	for _, s := range subnets(strings.TrimRight(zone, "abcdef")) {
		if s.zone == zone {
			return &s
		}
	}
	return nil
}
