package digitalocean

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// imageJSON is an image as /v2/images and /v2/droplets/{id}/snapshots
// show it: integer IDs.
type imageJSON struct {
	ID            int64    `json:"id"`
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Distribution  string   `json:"distribution"`
	Slug          *string  `json:"slug"`
	Public        bool     `json:"public"`
	Regions       []string `json:"regions"`
	CreatedAt     string   `json:"created_at"`
	MinDiskSize   int      `json:"min_disk_size"`
	SizeGigabytes float64  `json:"size_gigabytes"`
	Description   string   `json:"description"`
	Tags          []string `json:"tags"`
	Status        string   `json:"status"`
	ErrorMessage  string   `json:"error_message"`
}

// snapshotJSON is a snapshot as /v2/snapshots shows it: string IDs.
type snapshotJSON struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	CreatedAt     string   `json:"created_at"`
	Regions       []string `json:"regions"`
	ResourceID    string   `json:"resource_id"`
	ResourceType  string   `json:"resource_type"`
	MinDiskSize   int      `json:"min_disk_size"`
	SizeGigabytes float64  `json:"size_gigabytes"`
	Tags          []string `json:"tags"`
}

// snapshotGB is the compressed size of a snapshot of a disk: what
// size_gigabytes reports (and DigitalOcean bills).
func snapshotGB(diskGB float64) float64 { return math.Round(diskGB*0.09*100) / 100 }

func (d *do) imageJSON(img *world.Image) imageJSON {
	if img.Kind == "system" {
		out := imageJSON{ID: img.ID, Name: img.Description, Type: "base", Distribution: img.OSFlavor, Public: true,
			CreatedAt: timestamp(img.Created), MinDiskSize: int(img.DiskGB), Tags: []string{}, Status: "available"}
		slug := img.Name
		out.Slug = &slug
		for _, r := range d.w.Catalog(Name).Regions {
			out.Regions = append(out.Regions, r.Name)
		}
		if s := seedDistro(img.ID); s != nil {
			out.SizeGigabytes = s.sizeGB
		}
		return out
	}
	return imageJSON{ID: img.ID, Name: img.Description, Type: "snapshot", Distribution: img.OSFlavor,
		Regions: []string{img.Region}, CreatedAt: timestamp(img.Created), MinDiskSize: int(img.DiskGB),
		SizeGigabytes: snapshotGB(img.DiskGB), Tags: labelsToTags(img.Labels), Status: "available"}
}

func (d *do) snapshotJSON(img *world.Image) snapshotJSON {
	return snapshotJSON{ID: strconv.FormatInt(img.ID, 10), Name: img.Description, CreatedAt: timestamp(img.Created),
		Regions: []string{img.Region}, ResourceID: strconv.FormatInt(img.FromMachine, 10), ResourceType: "droplet",
		MinDiskSize: int(img.DiskGB), SizeGigabytes: snapshotGB(img.DiskGB), Tags: labelsToTags(img.Labels)}
}

// shown reports whether the API shows the image: a snapshot only once its
// action completed, and never when it failed.
func (d *do) shown(img *world.Image, now time.Time) bool {
	return d.w.ImageVisible(img, now) && d.w.ImageState(img, now) == world.ImageAvailable
}

// visibleImages are the images the API shows at now, by ID.
func (d *do) visibleImages(now time.Time) []*world.Image {
	var out []*world.Image
	for _, img := range d.w.ImagesOf(Name, now) {
		if d.shown(img, now) {
			out = append(out, img)
		}
	}
	return out
}

func (d *do) visibleImage(id int64, now time.Time) *world.Image {
	if img := d.w.ImageOf(Name, id, now); img != nil && d.shown(img, now) {
		return img
	}
	return nil
}

func (d *do) imageBySlug(slug string) *world.Image {
	for _, img := range d.w.ImagesOf(Name, time.Time{}) {
		if img.Kind == "system" && img.Name == slug {
			return img
		}
	}
	return nil
}

// listImages is GET /v2/images with the filters type (distribution,
// application: distributions are all there is), private=true (the
// account's snapshots) and tag_name.
func (d *do) listImages(c *call) (int, any, error) {
	typ, private, tag := c.Query.Get("type"), c.Query.Get("private") == "true", c.Query.Get("tag_name")
	var imgs []*world.Image
	for _, img := range d.visibleImages(c.Now) {
		system := img.Kind == "system"
		switch {
		case typ == "distribution" && !system, typ == "application", typ != "" && typ != "distribution":
			continue
		case private && system:
			continue
		case tag != "" && !hasTag(img.Labels, tag):
			continue
		}
		imgs = append(imgs, img)
	}
	return list(c, "images", imgs, d.imageJSON)
}

// getImage is GET /v2/images/{id or slug}.
func (d *do) getImage(c *call) (int, any, error) {
	ref := c.p["image"]
	var img *world.Image
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		img = d.visibleImage(id, c.Now)
	} else {
		img = d.imageBySlug(ref)
	}
	if img == nil {
		return 0, nil, notFound()
	}
	return http.StatusOK, one("image", d.imageJSON(img)), nil
}

// updateImage is PUT /v2/images/{id}: a snapshot's or custom image's
// name, description and distribution; 200 with the image. Distribution
// images can't be changed (403).
func (d *do) updateImage(c *call) (int, any, error) {
	var req struct {
		Name         *string `json:"name"`
		Description  *string `json:"description"`
		Distribution *string `json:"distribution"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	img := d.visibleImage(c.id("id"), c.Now)
	if img == nil {
		return 0, nil, notFound()
	}
	if img.Kind == "system" {
		return 0, nil, &apiError{status: http.StatusForbidden, id: "forbidden", message: "You do not have permission to perform this action."}
	}
	if req.Name != nil {
		if *req.Name == "" {
			return 0, nil, unprocessable("name is required")
		}
		img.Description = *req.Name
	}
	if req.Distribution != nil {
		img.OSFlavor = *req.Distribution
	}
	return http.StatusOK, one("image", d.imageJSON(img)), nil
}

// deleteImage is DELETE /v2/images/{id} and /v2/snapshots/{id}: 204. A
// distribution image can't be deleted (403); a snapshot still being
// written doesn't exist yet (404).
func (d *do) deleteImage(c *call) (int, any, error) {
	img := d.visibleImage(c.id("id"), c.Now)
	if img == nil {
		return 0, nil, notFound()
	}
	if img.Kind == "system" {
		return 0, nil, &apiError{status: http.StatusForbidden, id: "forbidden", message: "You do not have permission to perform this action."}
	}
	delete(d.w.Images, img.ID)
	return http.StatusNoContent, nil, nil
}

func (d *do) snapshots(now time.Time) []*world.Image {
	var out []*world.Image
	for _, img := range d.visibleImages(now) {
		if img.Kind != "system" {
			out = append(out, img)
		}
	}
	return out
}

// listSnapshots is GET /v2/snapshots[?resource_type=droplet|volume]; the
// simulator has no volumes.
func (d *do) listSnapshots(c *call) (int, any, error) {
	var imgs []*world.Image
	if rt := c.Query.Get("resource_type"); rt == "" || rt == "droplet" {
		imgs = d.snapshots(c.Now)
	}
	return list(c, "snapshots", imgs, d.snapshotJSON)
}

func (d *do) getSnapshot(c *call) (int, any, error) {
	img := d.visibleImage(c.id("id"), c.Now)
	if img == nil || img.Kind == "system" {
		return 0, nil, notFound()
	}
	return http.StatusOK, one("snapshot", d.snapshotJSON(img)), nil
}

// listDropletSnapshots is GET /v2/droplets/{id}/snapshots: images, with
// integer IDs.
func (d *do) listDropletSnapshots(c *call) (int, any, error) {
	m, err := d.droplet(c)
	if err != nil {
		return 0, nil, err
	}
	var imgs []*world.Image
	for _, img := range d.snapshots(c.Now) {
		if img.FromMachine == m.ID {
			imgs = append(imgs, img)
		}
	}
	return list(c, "snapshots", imgs, d.imageJSON)
}
