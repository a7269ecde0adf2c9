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

// region is a location together with its single datacenter.
type region struct {
	ID          int64
	Name        string
	Description string
	Country     string
	City        string
	Latitude    float64
	Longitude   float64
	NetworkZone string
	DCID        int64
	DCName      string
	DCDesc      string
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
	Regions     []string
}

func (c *catalog) region(name string) *region {
	for i := range c.regions {
		if c.regions[i].Name == name {
			return &c.regions[i]
		}
	}
	return nil
}

func (c *catalog) size(name string) *size {
	for i := range c.sizes {
		if c.sizes[i].Name == name {
			return &c.sizes[i]
		}
	}
	return nil
}

func hetznerCatalog() catalog {
	eu := []string{"fsn1", "nbg1", "hel1"}
	all := []string{"fsn1", "nbg1", "hel1", "ash", "hil", "sin"}
	day := func(s string) time.Time {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	c := catalog{
		// IDs and names follow the real API so that configurations written
		// against the simulator work unchanged against Hetzner.
		regions: []region{
			{1, "fsn1", "Falkenstein DC Park 1", "DE", "Falkenstein", 50.47612, 12.370071, "eu-central", 4, "fsn1-dc14", "Falkenstein 1 virtual DC 14"},
			{2, "nbg1", "Nuremberg DC Park 1", "DE", "Nuremberg", 49.452102, 11.076665, "eu-central", 2, "nbg1-dc3", "Nuremberg 1 virtual DC 3"},
			{3, "hel1", "Helsinki DC Park 1", "FI", "Helsinki", 60.169855, 24.938379, "eu-central", 3, "hel1-dc2", "Helsinki 1 virtual DC 2"},
			{4, "ash", "Ashburn, VA", "US", "Ashburn, VA", 39.045821, -77.487073, "us-east", 5, "ash-dc1", "Ashburn virtual DC 1"},
			{5, "hil", "Hillsboro, OR", "US", "Hillsboro, OR", 45.54222, -122.951924, "us-west", 6, "hil-dc1", "Hillsboro virtual DC 1"},
			{6, "sin", "Singapore", "SG", "Singapore", 1.283333, 103.833333, "ap-southeast", 7, "sin-dc1", "Singapore virtual DC 1"},
		},
		sizes: []size{
			{104, "cx22", "CX22", "cost_optimized", 2, 4, 40, "x86", "shared", eu},
			{105, "cx32", "CX32", "cost_optimized", 4, 8, 80, "x86", "shared", eu},
			{106, "cx42", "CX42", "cost_optimized", 8, 16, 160, "x86", "shared", eu},
			{107, "cx52", "CX52", "cost_optimized", 16, 32, 320, "x86", "shared", eu},
			{22, "cpx11", "CPX 11", "regular_purpose", 2, 2, 40, "x86", "shared", all},
			{23, "cpx21", "CPX 21", "regular_purpose", 3, 4, 80, "x86", "shared", all},
			{24, "cpx31", "CPX 31", "regular_purpose", 4, 8, 160, "x86", "shared", all},
			{45, "cax11", "CAX11", "cost_optimized", 2, 4, 40, "arm", "shared", eu},
			{93, "cax21", "CAX21", "cost_optimized", 4, 8, 80, "arm", "shared", eu},
			{96, "ccx13", "CCX13 Dedicated CPU", "general_purpose", 2, 8, 80, "x86", "dedicated", all},
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
