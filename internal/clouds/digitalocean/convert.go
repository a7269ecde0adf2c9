package digitalocean

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// DigitalOcean names its distribution images "<os>-<version>-x64", the
// version's dots as dashes: "ubuntu-24-04-x64", "debian-12-x64".
const (
	ubuntuPrefix = "ubuntu-"
	debianPrefix = "debian-"
	archSuffix   = "-x64"
)

// Labels are flat tags: the label k=v is the tag "k:v", k="" the tag "k".
// A key holds no colon, so a tag splits back at its first colon; a value
// may hold colons. This is also how the simulator shows its labels.

// labelTag is the tag of one label.
func labelTag(k, v string) string {
	if v == "" {
		return k
	}
	return k + ":" + v
}

// labelsToTags encodes labels as tags, sorted.
func labelsToTags(labels map[string]string) []string {
	tags := make([]string, 0, len(labels))
	for k, v := range labels {
		tags = append(tags, labelTag(k, v))
	}
	slices.Sort(tags)
	return tags
}

// tagsToLabels decodes tags; it never returns nil.
func tagsToLabels(tags []string) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v, _ := strings.Cut(t, ":")
		out[k] = v
	}
	return out
}

// managedTag selects what spuff created (tag_name filter).
var managedTag = labelTag(framework.ManagedByKey, framework.ManagedByValue)

// parseID reads a DigitalOcean numeric ID. field names the attribute.
func parseID(field, id string) (int, error) {
	n, err := strconv.Atoi(id)
	if err != nil || n <= 0 {
		return 0, framework.InvalidConfig(field, fmt.Sprintf("%q is not a DigitalOcean ID: IDs are positive decimal numbers such as \"3164444\"", id))
	}
	return n, nil
}

// imageFor translates an ImageSpec to what godo sends: distribution slugs
// for Ubuntu and Debian, a custom image by ID when numeric else by slug,
// a snapshot by its numeric image ID.
func imageFor(spec framework.ImageSpec) (godo.DropletCreateImage, error) {
	switch spec.Kind {
	case framework.ImageUbuntu:
		return godo.DropletCreateImage{Slug: ubuntuPrefix + strings.ReplaceAll(spec.Value, ".", "-") + archSuffix}, nil
	case framework.ImageDebian:
		return godo.DropletCreateImage{Slug: debianPrefix + spec.Value + archSuffix}, nil
	case framework.ImageCustom:
		if id, err := strconv.Atoi(spec.Value); err == nil && id > 0 {
			return godo.DropletCreateImage{ID: id}, nil
		}
		return godo.DropletCreateImage{Slug: spec.Value}, nil
	case framework.ImageSnapshot:
		id, err := strconv.Atoi(spec.Value)
		if err != nil || id <= 0 {
			return godo.DropletCreateImage{}, framework.InvalidConfig("image.snapshot", fmt.Sprintf("%q is not a DigitalOcean snapshot ID: use the snapshot's numeric image ID, e.g. \"7938206\"", spec.Value))
		}
		return godo.DropletCreateImage{ID: id}, nil
	}
	return godo.DropletCreateImage{}, framework.InvalidConfig("image", "exactly one of "+strings.Join(framework.ImageKinds, ", ")+" must be set")
}

// imageSpecOfSlug maps a distribution slug back to Ubuntu or Debian when the
// version is one the framework accepts; ok is false otherwise.
func imageSpecOfSlug(slug string) (framework.ImageSpec, bool) {
	rest, ok := strings.CutSuffix(slug, archSuffix)
	if !ok {
		return framework.ImageSpec{}, false
	}
	if v, ok := strings.CutPrefix(rest, ubuntuPrefix); ok {
		if spec := framework.Ubuntu(strings.ReplaceAll(v, "-", ".")); spec.Validate() == nil {
			return spec, true
		}
	}
	if v, ok := strings.CutPrefix(rest, debianPrefix); ok {
		if spec := framework.Debian(v); spec.Validate() == nil {
			return spec, true
		}
	}
	return framework.ImageSpec{}, false
}

// imageSpecOf maps a droplet's image back to an ImageSpec.
func imageSpecOf(img *godo.Image) framework.ImageSpec {
	if img == nil || (img.ID == 0 && img.Slug == "") {
		return framework.ImageSpec{}
	}
	id := strconv.Itoa(img.ID)
	if img.Type == "snapshot" {
		return framework.FromSnapshot(id)
	}
	if spec, ok := imageSpecOfSlug(img.Slug); ok {
		return spec
	}
	if img.Slug != "" {
		return framework.Custom(img.Slug)
	}
	return framework.Custom(id)
}

// dropletToInstance converts a droplet as godo decodes it.
func dropletToInstance(d *godo.Droplet) *framework.Instance {
	inst := &framework.Instance{
		ID:     strconv.Itoa(d.ID),
		IP:     publicIPv4(d),
		Status: framework.ParseStatus(d.Status),
		Name:   d.Name,
		Size:   d.SizeSlug,
		Image:  imageSpecOf(d.Image),
		Labels: tagsToLabels(d.Tags),
		DiskGB: d.Disk,
	}
	if t, err := time.Parse(time.RFC3339, d.Created); err == nil {
		inst.CreatedAt = t
	}
	if d.Region != nil {
		inst.Region = d.Region.Slug
	}
	if inst.Size == "" && d.Size != nil {
		inst.Size = d.Size.Slug
	}
	return inst
}

// publicIPv4 is the droplet's public IPv4, or IPUnassigned while it has none.
func publicIPv4(d *godo.Droplet) netip.Addr {
	s, err := d.PublicIPv4()
	if err != nil || s == "" {
		return framework.IPUnassigned
	}
	ip, err := netip.ParseAddr(s)
	if err != nil || !ip.Is4() || ip.IsUnspecified() {
		return framework.IPUnassigned
	}
	return ip
}

// dropletSnapshot is a snapshot as /v2/snapshots shows it: unlike an image,
// it names the droplet it was taken of (resource_id), which import needs.
func dropletSnapshot(s *godo.Snapshot) *framework.Snapshot {
	snap := snapshotOf(s.ID, s.Name, s.Tags, s.Created, s.MinDiskSize, s.SizeGigaBytes)
	snap.InstanceID = s.ResourceID
	return snap
}

// imageToSnapshot converts a snapshot image.
func imageToSnapshot(img *godo.Image) *framework.Snapshot {
	return snapshotOf(strconv.Itoa(img.ID), img.Name, img.Tags, img.Created, img.MinDiskSize, img.SizeGigaBytes)
}

// snapshotOf is what images and snapshots share: the disk a machine made
// from it needs is min_disk_size, or the image's size where that is unset.
func snapshotOf(id, name string, tags []string, created string, minDisk int, sizeGB float64) *framework.Snapshot {
	snap := &framework.Snapshot{ID: id, Name: name, Labels: tagsToLabels(tags), DiskGB: minDisk}
	if t, err := time.Parse(time.RFC3339, created); err == nil {
		snap.CreatedAt = &t
	}
	if snap.DiskGB == 0 && sizeGB > 0 {
		snap.DiskGB = int(math.Ceil(sizeGB))
	}
	return snap
}
