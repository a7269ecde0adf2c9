package hetzner

import "github.com/spuff/terraform-provider-spuff/internal/framework"

// Cloud is everything the Hetzner plug-in declares about itself: the
// registry, the Terraform layer and the docs derive from it.
var Cloud = framework.Cloud{
	Name:        providerName,
	DisplayName: "Hetzner Cloud",
	Aliases:     []string{"hcloud"},
	// The hcloud CLI's and provider's variable first, then the name
	// people guess.
	TokenEnv:        []string{"HCLOUD_TOKEN", "HETZNER_TOKEN"},
	EndpointExample: "http://127.0.0.1:8080/v1",
	Example: framework.CloudExample{
		Region:    "fsn1",
		Size:      "cx23",
		OtherSize: "cx33",
		Regions:   []string{"fsn1", "nbg1", "hel1", "ash", "hil", "sin"},
		Sizes:     []string{"cx23", "cpx22", "cax11"},
	},
	Snapshots: true,
	// Renames and relabels take one PUT; a server's type changes while it
	// is off. The disk is left as it is (upgrade_disk=false): Hetzner cannot
	// shrink a disk, so a grown disk would make the change one-way, while a
	// kept disk lets the user go back to the smaller type by reverting the
	// configuration.
	Updates: framework.UpdateCapabilities{
		Name: true, Labels: true,
		Resize: true, ResizePowersOff: true, ResizeKeepsDisk: true,
		SnapshotName: true, SnapshotLabels: true,
	},
	Notes: map[string]string{
		"name":          "it must be a valid hostname (RFC 1123).",
		"size":          "the machine is powered off, its type changed (`change_type`, the disk kept as it is) and it runs again.",
		"image":         "`ubuntu = \"24.04\"` is the system image `ubuntu-24.04`; a snapshot is given by its numeric image ID.",
		"labels":        "key/value labels with Hetzner's syntax (optional DNS-subdomain prefix, 63-character names and values); filtered by the API's label selector.",
		"snapshot.name": "the snapshot image's description (Hetzner snapshots have no name of their own).",
	},
	New: func(cfg framework.Config) (framework.Provider, error) {
		p, err := New(cfg)
		if err != nil {
			return nil, err // not p: a nil *Provider in an interface is not nil
		}
		return p, nil
	},
}
