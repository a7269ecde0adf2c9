package digitalocean

import "github.com/spuff/terraform-provider-spuff/internal/framework"

// Cloud is everything the DigitalOcean plug-in declares about itself.
var Cloud = framework.Cloud{
	Name:        providerName,
	DisplayName: "DigitalOcean",
	Aliases:     []string{"do"},
	// doctl's and the official Terraform provider's variables.
	TokenEnv:        []string{"DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"},
	EndpointExample: "http://127.0.0.1:8081",
	Example: framework.CloudExample{
		Region:    "nyc3",
		Size:      "s-1vcpu-1gb",
		OtherSize: "s-2vcpu-2gb",
		Regions:   []string{"nyc3", "fra1", "ams3", "sgp1", "lon1"},
		Sizes:     []string{"s-1vcpu-1gb", "s-2vcpu-2gb", "s-2vcpu-4gb"},
	},
	Snapshots: true,
	// A rename is a droplet action, labels are tags (tag/untag), a resize
	// needs the droplet off and keeps the disk (resize without disk), so
	// that it can be reverted. A snapshot is renamed by an image update
	// (PUT /v2/images/{id}) and relabelled by tags.
	Updates: framework.UpdateCapabilities{
		Name: true, Labels: true,
		Resize: true, ResizePowersOff: true, ResizeKeepsDisk: true,
		SnapshotName: true, SnapshotLabels: true,
	},
	Notes: map[string]string{
		"name":   "it must be a valid hostname; DigitalOcean droplet names are not unique, spuff finds its own by a request-ID tag.",
		"size":   "the droplet is powered off, resized without growing its disk (so the change can be reverted) and powered on again.",
		"image":  "`ubuntu = \"24.04\"` is the distribution image `ubuntu-24-04-x64`; custom images are passed through by slug or ID, a snapshot by its numeric image ID.",
		"labels": "stored as flat tags `key:value` (`key` alone for an empty value): keys are letters, digits, `-` and `_`; values may also contain `:`; each tag at most 255 characters.",
	},
	New: func(cfg framework.Config) (framework.Provider, error) {
		p, err := New(cfg)
		if err != nil {
			return nil, err
		}
		return p, nil
	},
}
