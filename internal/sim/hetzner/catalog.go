package hetzner

import (
	"github.com/spuff/terraform-provider-spuff/internal/sim/world"

	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"
)

// SSH keys and the read-only catalog (locations, server types; the
// datacenters are gone).

var sshKeySortKeys = sortKeys[*world.SSHKey]{
	"id":   func(a, b *world.SSHKey) int { return cmp.Compare(a.ID, b.ID) },
	"name": func(a, b *world.SSHKey) int { return cmp.Compare(a.Name, b.Name) },
}

func (h *hetzner) listSSHKeys(c *hzCall) (int, any, error) {
	sel, err := c.selector()
	if err != nil {
		return 0, nil, err
	}
	name, fp := c.q.Get("name"), c.q.Get("fingerprint")
	var keys []*world.SSHKey
	for _, k := range h.w.SSHKeysOf(Name) {
		if (name == "" || k.Name == name) && (fp == "" || k.Fingerprint == fp) && sel.matches(k.Labels) {
			keys = append(keys, k)
		}
	}
	if err := sortBy(c, keys, sshKeySortKeys); err != nil {
		return 0, nil, err
	}
	return listPage(c, "ssh_keys", keys, h.sshKeyJSON)
}

func (h *hetzner) sshKey(c *hzCall) (*world.SSHKey, error) {
	id := c.id["id"]
	k := h.w.SSHKeyOf(Name, id)
	if k == nil {
		return nil, notFound("SSH key", id)
	}
	return k, nil
}

func (h *hetzner) getSSHKey(c *hzCall) (int, any, error) {
	k, err := h.sshKey(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, one("ssh_key", h.sshKeyJSON(k)), nil
}

type hzSSHKeyRequest struct {
	Name      *string            `json:"name"`
	PublicKey string             `json:"public_key"`
	Labels    *map[string]string `json:"labels"`
}

func (h *hetzner) createSSHKey(c *hzCall) (int, any, error) {
	var req hzSSHKeyRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if req.Name == nil || strings.TrimSpace(*req.Name) == "" {
		return 0, nil, invalidInput("name", "is required")
	}
	fp, err := world.ParsePublicKey(req.PublicKey)
	if err != nil {
		return 0, nil, invalidInput("public_key", "%v", err)
	}
	labels := map[string]string{}
	if req.Labels != nil {
		if msg := checkLabels(*req.Labels); msg != "" {
			return 0, nil, invalidInput("labels", "%s", msg)
		}
		labels = world.CloneLabels(*req.Labels)
	}
	if h.w.SSHKeyByName(Name, *req.Name) != nil {
		return 0, nil, uniquenessError("name", "SSH key with the same name already exists")
	}
	if h.w.SSHKeyByFingerprint(Name, fp) != nil {
		return 0, nil, uniquenessError("public_key", "SSH key with the same fingerprint already exists")
	}
	k := &world.SSHKey{
		Cloud: Name,
		ID:    h.w.NewID(), Name: *req.Name, Fingerprint: fp,
		PublicKey: strings.TrimSpace(req.PublicKey), Labels: labels, Created: c.now,
	}
	h.w.SSHKeys[k.ID] = k
	return http.StatusCreated, one("ssh_key", h.sshKeyJSON(k)), nil
}

func (h *hetzner) updateSSHKey(c *hzCall) (int, any, error) {
	k, err := h.sshKey(c)
	if err != nil {
		return 0, nil, err
	}
	var req hzSSHKeyRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if req.Name != nil {
		if strings.TrimSpace(*req.Name) == "" {
			return 0, nil, invalidInput("name", "must not be empty")
		}
		if other := h.w.SSHKeyByName(Name, *req.Name); other != nil && other != k {
			return 0, nil, uniquenessError("name", "SSH key with the same name already exists")
		}
	}
	if req.Labels != nil {
		if msg := checkLabels(*req.Labels); msg != "" {
			return 0, nil, invalidInput("labels", "%s", msg)
		}
		k.Labels = world.CloneLabels(*req.Labels)
	}
	if req.Name != nil {
		k.Name = *req.Name
	}
	return http.StatusOK, one("ssh_key", h.sshKeyJSON(k)), nil
}

func (h *hetzner) deleteSSHKey(c *hzCall) (int, any, error) {
	k, err := h.sshKey(c)
	if err != nil {
		return 0, nil, err
	}
	delete(h.w.SSHKeys, k.ID)
	return http.StatusNoContent, nil, nil
}

// catalogList serves the catalog lists: filtered by ?name=, sortable by id
// and name, paginated like everything else.
func catalogList[T, J any](c *hzCall, key string, items []T, id func(T) int64, name func(T) string, render func(T) J) (int, any, error) {
	want := c.q.Get("name")
	var out []T
	for _, it := range items {
		if want == "" || name(it) == want {
			out = append(out, it)
		}
	}
	err := sortBy(c, out, sortKeys[T]{
		"id":   func(a, b T) int { return cmp.Compare(id(a), id(b)) },
		"name": func(a, b T) int { return cmp.Compare(name(a), name(b)) },
	})
	if err != nil {
		return 0, nil, err
	}
	return listPage(c, key, out, render)
}

func catalogGet[T, J any](c *hzCall, key, kind string, items []T, id func(T) int64, render func(T) J) (int, any, error) {
	want := c.id["id"]
	for _, it := range items {
		if id(it) == want {
			return http.StatusOK, one(key, render(it)), nil
		}
	}
	return 0, nil, notFound(kind, want)
}

func (h *hetzner) regions() []*world.Region {
	out := make([]*world.Region, len(h.cat().Regions))
	for i := range h.cat().Regions {
		out[i] = &h.cat().Regions[i]
	}
	return out
}

// sizes are the server types the API knows at now, sorted by ID: retired
// ones are gone (see size.retired).
func (h *hetzner) sizes(now time.Time) []*world.Size {
	var out []*world.Size
	for i := range h.cat().Sizes {
		if s := &h.cat().Sizes[i]; !s.Retired(now) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *world.Size) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func locationID(r *world.Region) int64    { return r.ID }
func locationName(r *world.Region) string { return r.Name }
func sizeID(s *world.Size) int64          { return s.ID }
func sizeName(s *world.Size) string       { return s.Name }

func (h *hetzner) listLocations(c *hzCall) (int, any, error) {
	return catalogList(c, "locations", h.regions(), locationID, locationName, h.locationJSON)
}

func (h *hetzner) getLocation(c *hzCall) (int, any, error) {
	return catalogGet(c, "location", "location", h.regions(), locationID, h.locationJSON)
}

// datacentersAnnouncement is the changelog entry that announced the end of
// GET /datacenters and GET /datacenters/{id} (after 2026-10-01).
const datacentersAnnouncement = "https://docs.hetzner.cloud/changelog#2026-06-02-datacenters-deprecated"

// datacentersGone answers both datacenter endpoints the way the API does
// since 2026-10-01: 410 deprecated_api_endpoint linking the announcement,
// which hcloud-go decodes into ErrorDetailsDeprecatedAPIEndpoint.
func (h *hetzner) datacentersGone(*hzCall) (int, any, error) {
	return 0, nil, &hzError{status: http.StatusGone, code: "deprecated_api_endpoint",
		message: "API functionality was removed", details: hzDeprecatedDetails{Announcement: datacentersAnnouncement}}
}

func (h *hetzner) listServerTypes(c *hzCall) (int, any, error) {
	return catalogList(c, "server_types", h.sizes(c.now), sizeID, sizeName,
		func(s *world.Size) hzServerType { return h.serverTypeJSON(s, c.now) })
}

func (h *hetzner) getServerType(c *hzCall) (int, any, error) {
	return catalogGet(c, "server_type", "server type", h.sizes(c.now), sizeID,
		func(s *world.Size) hzServerType { return h.serverTypeJSON(s, c.now) })
}
