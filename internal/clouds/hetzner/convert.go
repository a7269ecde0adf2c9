package hetzner

import (
	"fmt"
	"maps"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// Hetzner names its system images "<os>-<version>", e.g. "ubuntu-24.04".
const (
	ubuntuPrefix = "ubuntu-"
	debianPrefix = "debian-"
)

// parseID reads a Hetzner resource ID (a positive int64 in decimal). field
// names the attribute in the error.
func parseID(field, id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, framework.InvalidConfig(field, fmt.Sprintf("%q is not a Hetzner Cloud ID: IDs are positive decimal numbers such as \"4711\"", id))
	}
	return n, nil
}

// imageFor translates the spec's ImageSpec to the image hcloud-go sends:
// Ubuntu and Debian map to Hetzner's system image names, a custom image is
// passed through (by ID when numeric, else by name), a snapshot by its ID.
func imageFor(spec framework.ImageSpec) (*hcloud.Image, error) {
	switch spec.Kind {
	case framework.ImageUbuntu:
		return &hcloud.Image{Name: ubuntuPrefix + spec.Value}, nil
	case framework.ImageDebian:
		return &hcloud.Image{Name: debianPrefix + spec.Value}, nil
	case framework.ImageCustom:
		if id, err := strconv.ParseInt(spec.Value, 10, 64); err == nil && id > 0 {
			return &hcloud.Image{ID: id}, nil
		}
		return &hcloud.Image{Name: spec.Value}, nil
	case framework.ImageSnapshot:
		id, err := strconv.ParseInt(spec.Value, 10, 64)
		if err != nil || id <= 0 {
			return nil, framework.InvalidConfig("image.snapshot", fmt.Sprintf("%q is not a Hetzner snapshot ID: use the snapshot's numeric image ID, e.g. \"123456\"", spec.Value))
		}
		return &hcloud.Image{ID: id}, nil
	}
	return nil, framework.InvalidConfig("image", "exactly one of "+strings.Join(framework.ImageKinds, ", ")+" must be set")
}

// imageSpecOf maps the image a server was created from back to an ImageSpec,
// the inverse of imageFor as far as Hetzner's answer allows. A name only maps
// back to Ubuntu or Debian when the version is one the framework accepts,
// so that the result always validates; anything else stays Custom.
func imageSpecOf(img *hcloud.Image) framework.ImageSpec {
	if img == nil {
		return framework.ImageSpec{}
	}
	id := strconv.FormatInt(img.ID, 10)
	if img.Type == hcloud.ImageTypeSnapshot {
		return framework.FromSnapshot(id)
	}
	if img.Name == "" {
		return framework.Custom(id)
	}
	if v, ok := strings.CutPrefix(img.Name, ubuntuPrefix); ok {
		if spec := framework.Ubuntu(v); spec.Validate() == nil {
			return spec
		}
	}
	if v, ok := strings.CutPrefix(img.Name, debianPrefix); ok {
		if spec := framework.Debian(v); spec.Validate() == nil {
			return spec
		}
	}
	return framework.Custom(img.Name)
}

// serverToInstance converts a server as hcloud-go decodes it.
func serverToInstance(s *hcloud.Server) *framework.Instance {
	inst := &framework.Instance{
		ID:        strconv.FormatInt(s.ID, 10),
		IP:        publicIPv4(s),
		Status:    framework.ParseStatus(string(s.Status)),
		CreatedAt: s.Created,
		Name:      s.Name,
		Image:     imageSpecOf(s.Image),
		Labels:    cloneLabels(s.Labels),
		DiskGB:    s.PrimaryDiskSize,
	}
	if s.Location != nil {
		inst.Region = s.Location.Name
	}
	if s.ServerType != nil {
		inst.Size = s.ServerType.Name
	}
	return inst
}

// publicIPv4 is the server's public IPv4, or IPUnassigned while it has none
// (a new server, or one created without IPv4).
func publicIPv4(s *hcloud.Server) netip.Addr {
	ip, ok := netip.AddrFromSlice(s.PublicNet.IPv4.IP)
	if !ok {
		return framework.IPUnassigned
	}
	ip = ip.Unmap()
	if !ip.Is4() || ip.IsUnspecified() {
		return framework.IPUnassigned
	}
	return ip
}

// imageToSnapshot converts a snapshot image. Its name is the description:
// Hetzner snapshots have no name of their own.
func imageToSnapshot(img *hcloud.Image) *framework.Snapshot {
	snap := &framework.Snapshot{
		ID:     strconv.FormatInt(img.ID, 10),
		Name:   img.Description,
		Labels: cloneLabels(img.Labels),
		DiskGB: int(math.Ceil(float64(img.DiskSize))),
	}
	if !img.Created.IsZero() {
		created := img.Created
		snap.CreatedAt = &created
	}
	if img.CreatedFrom != nil && img.CreatedFrom.ID != 0 {
		snap.InstanceID = strconv.FormatInt(img.CreatedFrom.ID, 10)
	}
	return snap
}

// cloneLabels copies labels so callers cannot alias the SDK's maps; it never
// returns nil, so an unlabeled resource compares equal to an empty map.
func cloneLabels(labels map[string]string) map[string]string {
	out := make(map[string]string, len(labels))
	maps.Copy(out, labels)
	return out
}
