package digitalocean

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// DigitalOcean's tags are flat strings; the world keeps labels. A tag
// "k:v" is the label k=v and a tag without a colon the label k="" (a
// label k=v shows as the tag "k:v", k="" as "k"). A tag that would clash
// with a label already there ("a:c" beside "a:b"), or that would not
// come back the same ("a:"), is kept whole as a key with an empty value,
// so every set of tags round-trips exactly.

func labelTag(k, v string) string {
	if v == "" {
		return k
	}
	return k + ":" + v
}

func labelsToTags(labels map[string]string) []string {
	tags := make([]string, 0, len(labels))
	for _, k := range world.SortedKeys(labels) {
		tags = append(tags, labelTag(k, labels[k]))
	}
	slices.Sort(tags)
	return tags
}

func hasTag(labels map[string]string, tag string) bool {
	for k, v := range labels {
		if labelTag(k, v) == tag {
			return true
		}
	}
	return false
}

func addTag(labels map[string]string, tag string) {
	if hasTag(labels, tag) {
		return
	}
	for i := 0; i < len(tag); i++ {
		if tag[i] == ':' {
			k, v := tag[:i], tag[i+1:]
			if _, taken := labels[k]; !taken && v != "" {
				labels[k] = v
				return
			}
			break
		}
	}
	labels[tag] = ""
}

// removeTag removes tag and reads the remaining tags again, so that a tag
// kept whole beside a clashing one ("a:c" while "a:b" was there) becomes
// the label a=c once the other is gone: the labels depend on the set of
// tags only, not on the order they were added in.
func removeTag(labels map[string]string, tag string) {
	rest := slices.DeleteFunc(labelsToTags(labels), func(t string) bool { return t == tag })
	clear(labels)
	for _, t := range rest {
		addTag(labels, t)
	}
}

func tagsToLabels(tags []string) map[string]string {
	labels := map[string]string{}
	for _, t := range tags {
		addTag(labels, t)
	}
	return labels
}

// tagRE is DigitalOcean's tag charset: letters, digits, colons, dashes and
// underscores, at most 255 characters.
var tagRE = regexp.MustCompile(`^[a-zA-Z0-9_:-]{1,255}$`)

func checkTag(t string) error {
	if !tagRE.MatchString(t) {
		return unprocessable("tag names must consist of letters, numbers, colons, dashes and underscores and be at most 255 characters long")
	}
	return nil
}

type tagJSON struct {
	Name      string          `json:"name"`
	Resources tagResourceJSON `json:"resources"`
}

type countJSON struct {
	Count int `json:"count"`
}

type tagResourceJSON struct {
	Count    int       `json:"count"`
	Droplets countJSON `json:"droplets"`
	Images   countJSON `json:"images"`
}

func (d *do) tagJSON(name string, c *call) tagJSON {
	out := tagJSON{Name: name}
	for _, m := range d.w.MachinesOf(Name) {
		if m.Phase != world.Gone && hasTag(m.Labels, name) {
			out.Resources.Droplets.Count++
		}
	}
	for _, img := range d.snapshots(c.Now) {
		if hasTag(img.Labels, name) {
			out.Resources.Images.Count++
		}
	}
	out.Resources.Count = out.Resources.Droplets.Count + out.Resources.Images.Count
	return out
}

// allTags are the tags that exist: created ones and those on a resource.
func (d *do) allTags(c *call) []string {
	set := map[string]bool{}
	for k := range d.w.Tags {
		if cloud, t, _ := strings.Cut(k, "\x00"); cloud == Name {
			set[t] = true
		}
	}
	for _, m := range d.w.MachinesOf(Name) {
		if m.Phase != world.Gone {
			for _, t := range labelsToTags(m.Labels) {
				set[t] = true
			}
		}
	}
	for _, img := range d.snapshots(c.Now) {
		for _, t := range labelsToTags(img.Labels) {
			set[t] = true
		}
	}
	var out []string
	for t := range set {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

func (d *do) listTags(c *call) (int, any, error) {
	return list(c, "tags", d.allTags(c), func(t string) tagJSON { return d.tagJSON(t, c) })
}

// createTag is POST /v2/tags: 201 with the tag, also when it exists.
func (d *do) createTag(c *call) (int, any, error) {
	var req struct {
		Name string `json:"name"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if err := checkTag(req.Name); err != nil {
		return 0, nil, err
	}
	d.w.Tags[Name+"\x00"+req.Name] = true
	return http.StatusCreated, one("tag", d.tagJSON(req.Name, c)), nil
}

func (d *do) getTag(c *call) (int, any, error) {
	name := c.p["tag"]
	if !slices.Contains(d.allTags(c), name) {
		return 0, nil, notFound()
	}
	return http.StatusOK, one("tag", d.tagJSON(name, c)), nil
}

// deleteTag is DELETE /v2/tags/{tag}: the tag is taken off every resource.
func (d *do) deleteTag(c *call) (int, any, error) {
	name := c.p["tag"]
	if !slices.Contains(d.allTags(c), name) {
		return 0, nil, notFound()
	}
	delete(d.w.Tags, Name+"\x00"+name)
	for _, m := range d.w.MachinesOf(Name) {
		removeTag(m.Labels, name)
	}
	for _, img := range d.w.ImagesOf(Name, c.Now) {
		if img.Kind != "system" {
			removeTag(img.Labels, name)
		}
	}
	return http.StatusNoContent, nil, nil
}

type tagResourcesRequest struct {
	Resources []struct {
		ID   string `json:"resource_id"`
		Type string `json:"resource_type"`
	} `json:"resources"`
}

// resolveResources finds every resource of a (un)tag request, or fails
// for the first unknown one before anything changes.
func (d *do) resolveResources(c *call) ([]map[string]string, error) {
	var req tagResourcesRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if len(req.Resources) == 0 {
		return nil, unprocessable("resources must not be empty")
	}
	var out []map[string]string
	for _, r := range req.Resources {
		id, err := strconv.ParseInt(r.ID, 10, 64)
		if err != nil {
			return nil, notFound()
		}
		switch r.Type {
		case "droplet":
			m := d.w.MachineOf(Name, id)
			if m == nil || m.Phase == world.Gone {
				return nil, notFound()
			}
			if m.Labels == nil {
				m.Labels = map[string]string{}
			}
			out = append(out, m.Labels)
		case "image", "volume_snapshot":
			img := d.visibleImage(id, c.Now)
			if img == nil || img.Kind == "system" {
				return nil, notFound()
			}
			if img.Labels == nil {
				img.Labels = map[string]string{}
			}
			out = append(out, img.Labels)
		default:
			return nil, unprocessable("resource_type " + strconv.Quote(r.Type) + " is not supported")
		}
	}
	return out, nil
}

// tagResources is POST /v2/tags/{tag}/resources: 204. Tagging creates
// the tag if needed.
func (d *do) tagResources(c *call) (int, any, error) {
	name := c.p["tag"]
	if err := checkTag(name); err != nil {
		return 0, nil, err
	}
	targets, err := d.resolveResources(c)
	if err != nil {
		return 0, nil, err
	}
	for _, l := range targets {
		addTag(l, name)
	}
	return http.StatusNoContent, nil, nil
}

// untagResources is DELETE /v2/tags/{tag}/resources: 204.
func (d *do) untagResources(c *call) (int, any, error) {
	name := c.p["tag"]
	if !slices.Contains(d.allTags(c), name) {
		return 0, nil, notFound()
	}
	targets, err := d.resolveResources(c)
	if err != nil {
		return 0, nil, err
	}
	for _, l := range targets {
		removeTag(l, name)
	}
	return http.StatusNoContent, nil, nil
}
