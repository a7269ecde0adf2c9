package ec2sim

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// visible reports whether the caller's region shows the image: a seeded
// AMI of its region or one of the account's own there.
func visible(img *world.Image, region string) bool {
	return img.Region == "" || img.Region == region
}

// own reports whether the image is the account's (not a seeded public one).
func own(img *world.Image) bool { return img.Kind != "system" }

// ownerID is the image's owner account.
func ownerID(c *call, img *world.Image) string {
	if img.Owner != "" {
		return img.Owner
	}
	return c.account
}

// findImage resolves an AMI ID visible in the caller's region.
func (f *fe) findImage(c *call, id string) (*world.Image, error) {
	n, ok := decodeID("ami", id)
	if !ok {
		return nil, malformedID("InvalidAMIID.Malformed", id, "ami")
	}
	img := f.w.ImageOf(Name, n, c.Now)
	if img == nil || !visible(img, c.region) {
		return nil, apiErr("InvalidAMIID.NotFound", fmt.Sprintf("The image id '[%s]' does not exist", id))
	}
	return img, nil
}

// taggable is a resource CreateTags and DeleteTags can reach: its tags.
func (f *fe) taggable(c *call, id string) (*map[string]string, error) {
	prefix, _, _ := strings.Cut(id, "-")
	switch prefix {
	case "i":
		m, err := f.findInstance(c, id)
		if err != nil {
			return nil, err
		}
		f.renamed = append(f.renamed, m)
		return &m.Labels, nil
	case "ami":
		img, err := f.findImage(c, id)
		if err != nil {
			return nil, err
		}
		if !own(img) {
			return nil, &apiError{status: 403, code: "UnauthorizedOperation", message: "You are not authorized to perform this operation: the image " + id + " belongs to another account."}
		}
		return &img.Labels, nil
	case "snap":
		d, err := f.findDisk(c, id)
		if err != nil {
			return nil, err
		}
		return &d.Labels, nil
	case "key":
		n, ok := decodeID("key", id)
		if k := f.w.SSHKeyOf(Name, n); ok && k != nil {
			return &k.Labels, nil
		}
		return nil, apiErr("InvalidKeyPair.NotFound", fmt.Sprintf("The key pair '%s' does not exist", id))
	}
	return nil, apiErr("InvalidID", fmt.Sprintf("The ID '%s' is not valid", id))
}

// syncNames gives the instances whose tags changed the name of their Name
// tag, the machine name the world (and sim.Servers) shows.
func (f *fe) syncNames() {
	for _, m := range f.renamed {
		m.Name = m.Labels["Name"]
	}
	f.renamed = nil
}

func (f *fe) createTags(c *call) ([]*node, error) {
	ids := c.list("ResourceId")
	if len(ids) == 0 {
		return nil, missing("ResourceId")
	}
	tags, err := c.tags("Tag")
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, missing("Tag")
	}
	var targets []*map[string]string
	for _, id := range ids {
		t, err := f.taggable(c, id)
		if err != nil {
			f.renamed = nil
			return nil, err
		}
		targets = append(targets, t)
	}
	for _, t := range targets {
		if *t == nil {
			*t = map[string]string{}
		}
		for k, v := range tags {
			(*t)[k] = v
		}
	}
	f.syncNames()
	return []*node{tb("return", true)}, nil
}

// deleteTags removes Tag.N.Key: only where the value matches when
// Tag.N.Value is given, whatever the value otherwise; without any Tag, all
// of the resources' tags.
func (f *fe) deleteTags(c *call) ([]*node, error) {
	ids := c.list("ResourceId")
	if len(ids) == 0 {
		return nil, missing("ResourceId")
	}
	type del struct {
		key, value string
		anyValue   bool
	}
	var dels []del
	for _, n := range c.indices("Tag") {
		k := c.get(fmt.Sprintf("Tag.%d.Key", n))
		v, has := c.p[fmt.Sprintf("Tag.%d.Value", n)]
		d := del{key: k, anyValue: !has}
		if has {
			d.value = v[0]
		}
		dels = append(dels, d)
	}
	var targets []*map[string]string
	for _, id := range ids {
		t, err := f.taggable(c, id)
		if err != nil {
			f.renamed = nil
			return nil, err
		}
		targets = append(targets, t)
	}
	defer f.syncNames()
	for _, t := range targets {
		if len(dels) == 0 {
			*t = map[string]string{}
			continue
		}
		for _, d := range dels {
			if v, ok := (*t)[d.key]; ok && (d.anyValue || v == d.value) {
				delete(*t, d.key)
			}
		}
	}
	return []*node{tb("return", true)}, nil
}

// amiName is what EC2 allows in an AMI name.
var amiNameForm = regexp.MustCompile(`^[A-Za-z0-9()\[\] ./\-'@_]{3,128}$`)

func (f *fe) createImage(c *call) ([]*node, error) {
	w := f.w
	id := c.get("InstanceId")
	if id == "" {
		return nil, missing("InstanceId")
	}
	name := c.get("Name")
	if name == "" {
		return nil, missing("Name")
	}
	m, err := f.findInstance(c, id)
	if err != nil {
		return nil, err
	}
	if !amiNameForm.MatchString(name) {
		return nil, invalidValue(fmt.Sprintf("AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_': %q", name))
	}
	if len(c.get("Description")) > 255 {
		return nil, invalidValue("The description must be at most 255 characters")
	}
	if m.Phase != world.Running && m.Phase != world.Off && m.Phase != world.Stopping {
		return nil, incorrectState(fmt.Sprintf("Instance '%s' is not in a valid state for this operation (it is %s).", id, states[m.Phase].name))
	}
	for _, img := range w.ImagesOf(Name, c.Now) {
		if own(img) && img.Region == m.Region && img.Name == name {
			return nil, apiErr("InvalidAMIName.Duplicate", fmt.Sprintf("AMI name %s is already in use by AMI %s", name, encodeID("ami", img.ID)))
		}
	}
	specs, err := c.tagSpecs("image", "snapshot")
	if err != nil {
		return nil, err
	}
	img, _ := w.SnapshotMachine(m, c.get("Description"), world.CloneLabels(specs["image"]), c.Now)
	img.Name = name
	w.AddDisk(img, m.DiskGB, world.CloneLabels(specs["snapshot"]))
	return []*node{tx("imageId", encodeID("ami", img.ID))}, nil
}

var imageFilters = knownFilters("image-id", "name", "state", "architecture", "owner-id", "owner-alias", "is-public",
	"image-type", "root-device-type", "root-device-name", "virtualization-type", "description", "platform-details",
	"hypervisor", "ena-support", "block-device-mapping.snapshot-id", "block-device-mapping.volume-type", "creation-date")

func (f *fe) imageFields(c *call, img *world.Image) func(string) []string {
	return func(name string) []string {
		switch name {
		case "image-id":
			return []string{encodeID("ami", img.ID)}
		case "name":
			return []string{img.Name}
		case "state":
			return []string{ImageStatus(f.w.ImageState(img, c.Now))}
		case "architecture":
			return []string{ec2Arch(img.Arch)}
		case "owner-id":
			return []string{ownerID(c, img)}
		case "is-public":
			return []string{strconv.FormatBool(!own(img))}
		case "image-type":
			return []string{"machine"}
		case "root-device-type":
			return []string{"ebs"}
		case "root-device-name":
			return []string{rootDevice(f.sourceImage(img))}
		case "virtualization-type":
			return []string{"hvm"}
		case "description":
			return []string{img.Description}
		case "platform-details":
			return []string{"Linux/UNIX"}
		case "hypervisor":
			return []string{"xen"}
		case "ena-support":
			return []string{"true"}
		case "block-device-mapping.snapshot-id":
			return []string{f.snapshotOf(img)}
		case "block-device-mapping.volume-type":
			return []string{"gp3"}
		case "creation-date":
			return []string{timestamp(img.Created)}
		}
		return nil // owner-alias: no seeded publisher has one
	}
}

// sourceImage is the seeded image an own image descends from (for its
// root device), or the image itself.
func (f *fe) sourceImage(img *world.Image) *world.Image {
	if own(img) {
		if m := f.w.Machines[img.FromMachine]; m != nil {
			if src := f.w.Images[m.ImageID]; src != nil {
				return src
			}
		}
		if img.OSFlavor == "debian" {
			return &world.Image{OSFlavor: "debian"}
		}
	}
	return img
}

// snapshotOf is the EBS snapshot ID behind an image; a seeded AMI's is
// derived from its ID (it is not listed: it belongs to the publisher).
func (f *fe) snapshotOf(img *world.Image) string {
	if img.Disk != 0 {
		return encodeID("snap", img.Disk)
	}
	return encodeID("snap", img.ID)
}

// ownerMatch reports whether the image is among Owner.N: "self" and the
// caller's account are its own images, "amazon" (and "aws-marketplace")
// images of Amazon's (none are seeded), an account ID a publisher's.
func ownerMatch(c *call, img *world.Image, owners []string) bool {
	for _, o := range owners {
		switch {
		case o == "self" || o == c.account:
			if own(img) {
				return true
			}
		case img.Owner != "" && o == img.Owner:
			return true
		}
	}
	return false
}

func (f *fe) describeImages(c *call) ([]*node, error) {
	fs, err := c.filters(imageFilters)
	if err != nil {
		return nil, err
	}
	owners := c.list("Owner")
	var all []*world.Image
	if ids := c.list("ImageId"); len(ids) > 0 {
		var unknown []string
		for _, id := range ids {
			img, err := f.findImage(c, id)
			if err != nil {
				if ae := (*apiError)(nil); errors.As(err, &ae) && ae.code == "InvalidAMIID.NotFound" {
					unknown = append(unknown, id)
					continue
				}
				return nil, err
			}
			if !slices.Contains(all, img) {
				all = append(all, img)
			}
		}
		if len(unknown) > 0 {
			return nil, apiErr("InvalidAMIID.NotFound", fmt.Sprintf("The image id '[%s]' does not exist", strings.Join(unknown, ", ")))
		}
		slices.SortFunc(all, func(a, b *world.Image) int { return int(a.ID - b.ID) })
	} else {
		all = f.regionImages(c)
	}
	var kept []*world.Image
	for _, img := range all {
		if (len(owners) == 0 || ownerMatch(c, img, owners)) && matches(fs, f.imageFields(c, img), img.Labels) {
			kept = append(kept, img)
		}
	}
	pg, next, err := page(c, kept, func(img *world.Image) int64 { return img.ID }, 5, 1000, "ImageId")
	if err != nil {
		return nil, err
	}
	var out []*node
	for _, img := range pg {
		out = append(out, f.image(c, img))
	}
	return []*node{items("imagesSet", out), opt("nextToken", next)}, nil
}

// regionImages are the images the region shows, by ID: the seeded public
// ones and the account's own.
func (f *fe) regionImages(c *call) []*world.Image {
	var out []*world.Image
	for _, img := range f.w.ImagesOf(Name, c.Now) {
		if visible(img, c.region) {
			out = append(out, img)
		}
	}
	return out
}

// image renders an image <item>.
func (f *fe) image(c *call, img *world.Image) *node {
	st := ImageStatus(f.w.ImageState(img, c.Now))
	owner := ownerID(c, img)
	var source, stateReason *node
	if own(img) {
		source = tx("sourceInstanceId", encodeID("i", img.FromMachine))
	}
	if st == "failed" {
		msg := "Instance snapshot failed"
		if a := f.w.Actions[img.Action]; a != nil && a.ErrMsg != "" {
			msg = a.ErrMsg
		}
		stateReason = el("stateReason", tx("code", "Server.InternalError"), tx("message", msg))
	}
	var deprecation *node
	if !own(img) {
		deprecation = tt("deprecationTime", img.Created.AddDate(2, 0, 0))
	}
	return item(
		tx("imageId", encodeID("ami", img.ID)),
		tx("imageLocation", owner+"/"+img.Name),
		tx("imageState", st),
		tx("imageOwnerId", owner),
		tt("creationDate", img.Created),
		tb("isPublic", !own(img)),
		tx("architecture", ec2Arch(img.Arch)),
		tx("imageType", "machine"),
		source,
		tx("name", img.Name),
		opt("description", img.Description),
		tx("rootDeviceType", "ebs"),
		tx("rootDeviceName", rootDevice(f.sourceImage(img))),
		items("blockDeviceMapping", []*node{item(tx("deviceName", rootDevice(f.sourceImage(img))),
			el("ebs", tx("snapshotId", f.snapshotOf(img)), ti("volumeSize", max(int(img.DiskGB), 1)),
				tb("deleteOnTermination", true), tx("volumeType", "gp3"), tb("encrypted", false)))}),
		tx("virtualizationType", "hvm"),
		tagSet(img.Labels),
		tx("hypervisor", "xen"),
		tb("enaSupport", true),
		tx("sriovNetSupport", "simple"),
		tx("platformDetails", "Linux/UNIX"),
		tx("usageOperation", "RunInstances"),
		tx("bootMode", "uefi-preferred"),
		tx("imdsSupport", "v2.0"),
		deprecation,
		stateReason,
	)
}

func (f *fe) deregisterImage(c *call) ([]*node, error) {
	id := c.get("ImageId")
	if id == "" {
		return nil, missing("ImageId")
	}
	img, err := f.findImage(c, id)
	if err != nil {
		return nil, err
	}
	if !own(img) {
		return nil, &apiError{status: 403, code: "UnauthorizedOperation", message: "You are not authorized to perform this operation: the image " + id + " belongs to another account."}
	}
	delete(f.w.Images, img.ID)
	kids := []*node{tb("return", true)}
	if c.bool("DeleteAssociatedSnapshots") && img.Disk != 0 {
		code := "success"
		if f.w.DiskInUse(img.Disk) != nil {
			code = "client-error"
		} else {
			delete(f.w.Disks, img.Disk)
		}
		kids = append(kids, items("deleteSnapshotResultSet", []*node{item(tx("snapshotId", encodeID("snap", img.Disk)), tx("returnCode", code))}))
	}
	return kids, nil
}

// findDisk resolves a snapshot ID of the account's in the caller's region.
func (f *fe) findDisk(c *call, id string) (*world.DiskSnapshot, error) {
	n, ok := decodeID("snap", id)
	if !ok {
		return nil, malformedID("InvalidSnapshotID.Malformed", id, "snap")
	}
	d := f.w.Disks[n]
	if d == nil || d.Cloud != Name || d.Region != c.region {
		return nil, apiErr("InvalidSnapshot.NotFound", fmt.Sprintf("The snapshot '%s' does not exist.", id))
	}
	return d, nil
}

func (f *fe) deleteSnapshot(c *call) ([]*node, error) {
	id := c.get("SnapshotId")
	if id == "" {
		return nil, missing("SnapshotId")
	}
	d, err := f.findDisk(c, id)
	if err != nil {
		return nil, err
	}
	if img := f.w.DiskInUse(d.ID); img != nil {
		return nil, apiErr("InvalidSnapshot.InUse", fmt.Sprintf("The snapshot %s is currently in use by %s", id, encodeID("ami", img.ID)))
	}
	delete(f.w.Disks, d.ID)
	return []*node{tb("return", true)}, nil
}

var snapshotFilters = knownFilters("snapshot-id", "status", "owner-id", "volume-id", "volume-size", "description")

func (f *fe) describeSnapshots(c *call) ([]*node, error) {
	fs, err := c.filters(snapshotFilters)
	if err != nil {
		return nil, err
	}
	var all []*world.DiskSnapshot
	if ids := c.list("SnapshotId"); len(ids) > 0 {
		for _, id := range ids {
			d, err := f.findDisk(c, id)
			if err != nil {
				return nil, err
			}
			all = append(all, d)
		}
	} else {
		for _, d := range f.w.DisksOf(Name) {
			if d.Region == c.region {
				all = append(all, d)
			}
		}
	}
	owners := c.list("Owner")
	var kept []*world.DiskSnapshot
	for _, d := range all {
		if len(owners) > 0 && !slices.Contains(owners, "self") && !slices.Contains(owners, c.account) {
			continue
		}
		st := f.diskStatus(c, d)
		fields := func(name string) []string {
			switch name {
			case "snapshot-id":
				return []string{encodeID("snap", d.ID)}
			case "status":
				return []string{st}
			case "owner-id":
				return []string{c.account}
			case "volume-id":
				return []string{encodeID("vol", d.FromMachine)}
			case "volume-size":
				return []string{strconv.Itoa(d.SizeGB)}
			case "description":
				return []string{d.Description}
			}
			return nil
		}
		if matches(fs, fields, d.Labels) {
			kept = append(kept, d)
		}
	}
	pg, next, err := page(c, kept, func(d *world.DiskSnapshot) int64 { return d.ID }, 5, 1000, "SnapshotId")
	if err != nil {
		return nil, err
	}
	var out []*node
	for _, d := range pg {
		st := f.diskStatus(c, d)
		progress := "100%"
		if st == "pending" {
			progress = "0%"
		}
		out = append(out, item(
			tx("snapshotId", encodeID("snap", d.ID)), tx("volumeId", encodeID("vol", d.FromMachine)), tx("status", st),
			tt("startTime", d.Created), tx("progress", progress), tx("ownerId", c.account), ti("volumeSize", d.SizeGB),
			tx("description", d.Description), tb("encrypted", false), tx("storageTier", "standard"), tagSet(d.Labels)))
	}
	return []*node{items("snapshotSet", out), opt("nextToken", next)}, nil
}

func (f *fe) diskStatus(c *call, d *world.DiskSnapshot) string {
	if a := f.w.Actions[d.Action]; a != nil && a.Done(c.Now) && a.Failed {
		return "error"
	}
	if f.w.DiskDone(d, c.Now) {
		return "completed"
	}
	return "pending"
}
