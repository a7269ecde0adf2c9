package aws

import "github.com/spuff/terraform-provider-spuff/internal/framework"

// Cloud is everything the AWS plug-in declares about itself.
var Cloud = framework.Cloud{
	Name:        providerName,
	DisplayName: "AWS EC2",
	Aliases:     []string{"ec2"},
	Credentials: "AWS's standard credential chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the shared config and credentials files with the `profile` setting, SSO, web identity, container and instance roles)",
	Settings: []framework.Setting{
		{Name: "profile", Env: []string{"AWS_PROFILE"}, Description: "The named profile of the shared AWS config and credentials files to take credentials and settings from."},
		{Name: "region", Env: []string{"AWS_REGION", "AWS_DEFAULT_REGION"}, Description: "The region for calls that name none (SSH key pairs, the catalogue's images); `us-east-1` when unset. Every instance names its own region."},
	},
	EndpointExample: "http://127.0.0.1:8082",
	Example: framework.CloudExample{
		Region:    "eu-central-1",
		Size:      "t3.micro",
		OtherSize: "t3.small",
		Regions:   []string{"us-east-1", "us-west-2", "eu-central-1", "eu-west-1"},
		Sizes:     []string{"t3.micro", "t3.small", "t4g.small", "m7i.large"},
	},
	Snapshots: true,
	// Tags (and the Name tag) change in place; an instance type changes
	// while the instance is stopped. The EBS root volume is not the type's,
	// so a type change never touches the disk; the instance comes back
	// with another public IPv4 (no Elastic IP). An AMI's name is fixed at
	// creation: a rename replaces the snapshot; its tags change in place.
	Updates: framework.UpdateCapabilities{
		Name: true, Labels: true,
		Resize: true, ResizePowersOff: true, ResizeChangesAddress: true,
		SnapshotLabels: true,
	},
	Notes: map[string]string{
		"token":  "optional: `ACCESS_KEY_ID:SECRET_ACCESS_KEY` (or `...:SESSION_TOKEN`) for static keys; when unset, " + credentialsChain + ".",
		"id":     "`<region>/<instance ID>`, e.g. `eu-central-1/i-0123456789abcdef0`: import takes the same form.",
		"name":   "it is the instance's `Name` tag; EC2 names are not unique, spuff finds its own by a request-ID tag.",
		"size":   "the instance is stopped, its type changed (`ModifyInstanceAttribute`) and it is started again; its EBS volume stays as it is. An arm type (`t4g`, `m7g`) to or from an x86 one replaces it.",
		"image":  "`ubuntu = \"24.04\"` is Canonical's newest Ubuntu 24.04 AMI for the region and the type's architecture, `debian = \"12\"` Debian's; a custom image is an AMI ID, a snapshot a `spuff_snapshot` ID (`<region>/ami-…`).",
		"labels": "stored as tags 1:1 (key up to 128, value up to 256 characters; the `aws:` prefix is reserved); filtered by tag on EC2's side.",
	},
	New: func(cfg framework.Config) (framework.Provider, error) {
		p, err := New(cfg)
		if err != nil {
			return nil, err
		}
		return p, nil
	},
}

// credentialsChain is the chain in words, for the token's note.
const credentialsChain = "the standard AWS credential chain (environment, shared files and `profile`, SSO, roles)"
