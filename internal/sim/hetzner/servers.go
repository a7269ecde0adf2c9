package hetzner

import (
	"github.com/spuff/terraform-provider-spuff/internal/sim/world"

	"cmp"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

var serverStatuses = []string{"running", "initializing", "starting", "stopping", "off", "deleting", "migrating", "rebuilding", "unknown"}

var serverSortKeys = sortKeys[*world.Machine]{
	"id":      func(a, b *world.Machine) int { return cmp.Compare(a.ID, b.ID) },
	"name":    func(a, b *world.Machine) int { return cmp.Compare(a.Name, b.Name) },
	"created": func(a, b *world.Machine) int { return a.Created.Compare(b.Created) },
}

func (h *hetzner) listServers(c *hzCall) (int, any, error) {
	sel, err := c.selector()
	if err != nil {
		return 0, nil, err
	}
	statuses, err := c.oneOf("status", serverStatuses...)
	if err != nil {
		return 0, nil, err
	}
	name := c.q.Get("name")
	var ms []*world.Machine
	for _, m := range h.w.MachinesOf(Name) {
		if (name == "" || m.Name == name) &&
			(len(statuses) == 0 || slices.Contains(statuses, Status(m.Phase))) &&
			sel.matches(m.Labels) {
			ms = append(ms, m)
		}
	}
	if err := sortBy(c, ms, serverSortKeys); err != nil {
		return 0, nil, err
	}
	return listPage(c, "servers", ms, func(m *world.Machine) hzServer { return h.serverJSON(m, c.now) })
}

func (h *hetzner) server(c *hzCall) (*world.Machine, error) {
	id := c.id["id"]
	m := h.w.MachineOf(Name, id)
	if m == nil {
		return nil, notFound("server", id)
	}
	return m, nil
}

func (h *hetzner) getServer(c *hzCall) (int, any, error) {
	m, err := h.server(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, one("server", h.serverJSON(m, c.now)), nil
}

// hostnameRE is one RFC 1123 label; a server name is one or more of them
// joined by dots, at most 253 characters.
var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

func checkHostname(name string) error {
	if name == "" {
		return invalidInput("name", "is required")
	}
	valid := len(name) <= 253
	for _, part := range strings.Split(name, ".") {
		valid = valid && hostnameRE.MatchString(part)
	}
	if !valid {
		return invalidInput("name", "must be a valid hostname according to RFC 1123")
	}
	return nil
}

// checkNameFree enforces unique server names per project; self is the
// server being renamed, if any.
func (h *hetzner) checkNameFree(name string, self *world.Machine) error {
	if other := h.w.MachineByName(Name, name); other != nil && other != self {
		return uniquenessError("name", "server name is already used")
	}
	return nil
}

// maxUserData is the documented limit of cloud-init user data.
const maxUserData = 32 * 1024

type hzServerCreateRequest struct {
	Name             string            `json:"name"`
	ServerType       hzIDOrName        `json:"server_type"`
	Image            hzIDOrName        `json:"image"`
	Location         hzIDOrName        `json:"location"`
	Datacenter       json.RawMessage   `json:"datacenter"` // removed from the API in July 2026
	SSHKeys          []hzIDOrName      `json:"ssh_keys"`
	UserData         string            `json:"user_data"`
	StartAfterCreate *bool             `json:"start_after_create"`
	Labels           map[string]string `json:"labels"`
	Automount        *bool             `json:"automount"`
	Volumes          []int64           `json:"volumes"`
	Networks         []int64           `json:"networks"`
	Firewalls        []struct {
		Firewall int64 `json:"firewall"`
	} `json:"firewalls"`
	PlacementGroup int64 `json:"placement_group"`
	PublicNet      *struct {
		EnableIPv4 *bool `json:"enable_ipv4"`
		EnableIPv6 *bool `json:"enable_ipv6"`
		IPv4       int64 `json:"ipv4"`
		IPv6       int64 `json:"ipv6"`
	} `json:"public_net"`
}

func (h *hetzner) createServer(c *hzCall) (int, any, error) {
	var req hzServerCreateRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	spec, err := h.resolveServerCreate(&req, c.now)
	if err != nil {
		return 0, nil, err
	}
	m, create, start := h.w.CreateMachine(spec, c.now)

	next := []hzAction{}
	if start != nil {
		next = append(next, h.freshActionJSON(start))
	}
	// Without SSH keys the real API returns a generated root password;
	// with keys it is null.
	var rootPassword *string
	if len(spec.SSHKeys) == 0 {
		pw := rand.Text()
		rootPassword = &pw
	}
	return http.StatusCreated, map[string]any{
		"server":        h.serverJSON(m, c.now),
		"action":        h.freshActionJSON(create),
		"next_actions":  next,
		"root_password": rootPassword,
	}, nil
}

// resolveServerCreate validates a create request in the order the fields
// appear in the API docs and resolves names and IDs against the world.
func (h *hetzner) resolveServerCreate(req *hzServerCreateRequest, now time.Time) (world.MachineSpec, error) {
	var spec world.MachineSpec
	if err := checkHostname(req.Name); err != nil {
		return spec, err
	}

	if req.ServerType.empty() {
		return spec, invalidInput("server_type", "is required")
	}
	st := h.findSize(req.ServerType, now)
	if st == nil {
		return spec, sizeNotFound(req.ServerType)
	}

	// Hetzner removed "datacenter" from the server create request (and
	// from servers) in July 2026, announced on 2025-12-16.
	if len(req.Datacenter) > 0 && string(req.Datacenter) != "null" {
		return spec, invalidInputMsg("datacenter", "invalid input: unknown field name 'datacenter'")
	}
	var reg *world.Region
	if !req.Location.empty() {
		if reg = h.findRegion(req.Location); reg == nil {
			return spec, invalidInput("location", "location %s not found", req.Location)
		}
	} else {
		// The real API picks a location itself; the first one that sells
		// the server type is as good as any and deterministic.
		for _, o := range st.Offers {
			if st.Orderable(o.Region, now) {
				reg = h.cat().Region(o.Region)
				break
			}
		}
	}
	// A type that isn't sold in the location, never or no longer (its
	// deprecation there took effect), is refused in the API's words.
	if reg == nil || !st.Orderable(reg.Name, now) {
		return spec, invalidInputMsg("location", "unsupported location for server type")
	}

	img, err := h.resolveBootImage(req.Image, st, now)
	if err != nil {
		return spec, err
	}

	var keys []int64
	for _, ref := range req.SSHKeys {
		k := h.findSSHKey(ref)
		if k == nil {
			return spec, invalidInput("ssh_keys", "SSH key %s not found", ref)
		}
		if !slices.Contains(keys, k.ID) {
			keys = append(keys, k.ID)
		}
	}
	if len(req.UserData) > maxUserData {
		return spec, invalidInput("user_data", "is too long (maximum is %d bytes)", maxUserData)
	}
	if msg := checkLabels(req.Labels); msg != "" {
		return spec, invalidInput("labels", "%s", msg)
	}

	// The simulator has no volumes, networks, firewalls, placement groups
	// or primary IPs, so any reference to one is to something that doesn't
	// exist.
	switch {
	case len(req.Volumes) > 0:
		return spec, invalidInput("volumes", "volume %d not found", req.Volumes[0])
	case len(req.Networks) > 0:
		return spec, invalidInput("networks", "network %d not found", req.Networks[0])
	case len(req.Firewalls) > 0:
		return spec, invalidInput("firewalls", "firewall %d not found", req.Firewalls[0].Firewall)
	case req.PlacementGroup != 0:
		return spec, invalidInput("placement_group", "placement group %d not found", req.PlacementGroup)
	case req.PublicNet != nil && req.PublicNet.IPv4 != 0:
		return spec, invalidInput("public_net", "primary IP %d not found", req.PublicNet.IPv4)
	case req.PublicNet != nil && req.PublicNet.IPv6 != 0:
		return spec, invalidInput("public_net", "primary IP %d not found", req.PublicNet.IPv6)
	}

	// Uniqueness is checked last, once the input is known to be valid.
	if err := h.checkNameFree(req.Name, nil); err != nil {
		return spec, err
	}

	spec = world.MachineSpec{
		Cloud: Name, Name: req.Name, Region: reg.Name, Size: st.Name, DiskGB: st.DiskGB, ImageID: img.ID,
		Labels: world.CloneLabels(req.Labels), UserData: req.UserData, SSHKeys: keys,
		Start: req.StartAfterCreate == nil || *req.StartAfterCreate,
		IPv4:  true, IPv6: true,
	}
	if pn := req.PublicNet; pn != nil {
		spec.IPv4 = pn.EnableIPv4 == nil || *pn.EnableIPv4
		spec.IPv6 = pn.EnableIPv6 == nil || *pn.EnableIPv6
	}
	return spec, nil
}

// resolveBootImage finds the image a server boots: a system image by name
// (the one built for the server type's architecture) or any image by ID.
func (h *hetzner) resolveBootImage(ref hzIDOrName, st *world.Size, now time.Time) (*world.Image, error) {
	if ref.empty() {
		return nil, invalidInput("image", "is required")
	}
	var img *world.Image
	if ref.ID != 0 {
		img = h.w.ImageOf(Name, ref.ID, now)
	} else {
		for _, i := range h.w.ImagesOf(Name, now) {
			if i.Kind == "system" && i.Name == ref.Name && i.Arch == st.Arch {
				img = i
				break
			}
		}
	}
	if img == nil {
		return nil, invalidInput("image", "image %s not found", ref)
	}
	if img.Arch != st.Arch {
		return nil, invalidInput("image", "image architecture %s does not match server type architecture %s", img.Arch, st.Arch)
	}
	if status := h.imageStatus(img, now); status != "available" {
		return nil, invalidInput("image", "image %d is not available (status %s)", img.ID, status)
	}
	// A snapshot keeps the disk size of the server it was taken from and
	// cannot shrink; the API refuses a smaller server type with these words
	// (observed in 2026: 422 invalid_input).
	if img.DiskGB > float64(st.DiskGB) {
		return nil, invalidInputMsg("image", "image disk is bigger than server type disk")
	}
	return img, nil
}

// findSize resolves a server type reference the way the API does at now: a
// retired type (see size.retired) is unknown.
func (h *hetzner) findSize(ref hzIDOrName, now time.Time) *world.Size {
	for i, s := range h.cat().Sizes {
		if s.ID == ref.ID || (ref.Name != "" && s.Name == ref.Name) {
			if s.Retired(now) {
				return nil
			}
			return &h.cat().Sizes[i]
		}
	}
	return nil
}

// sizeNotFound is the API's answer to an unknown server type, e.g.
// "server type 'cpx31-ceph' not found (invalid_input)".
func sizeNotFound(ref hzIDOrName) *hzError {
	return invalidInputMsg("server_type", fmt.Sprintf("server type '%s' not found", ref))
}

func (h *hetzner) findRegion(ref hzIDOrName) *world.Region {
	for i, r := range h.cat().Regions {
		if r.ID == ref.ID || (ref.Name != "" && r.Name == ref.Name) {
			return &h.cat().Regions[i]
		}
	}
	return nil
}

func (h *hetzner) findSSHKey(ref hzIDOrName) *world.SSHKey {
	if ref.ID != 0 {
		return h.w.SSHKeyOf(Name, ref.ID)
	}
	return h.w.SSHKeyByName(Name, ref.Name)
}

type hzServerUpdateRequest struct {
	Name   *string            `json:"name"`
	Labels *map[string]string `json:"labels"`
}

func (h *hetzner) updateServer(c *hzCall) (int, any, error) {
	m, err := h.server(c)
	if err != nil {
		return 0, nil, err
	}
	var req hzServerUpdateRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if req.Name != nil {
		if err := checkHostname(*req.Name); err != nil {
			return 0, nil, err
		}
		if err := h.checkNameFree(*req.Name, m); err != nil {
			return 0, nil, err
		}
	}
	if req.Labels != nil {
		if msg := checkLabels(*req.Labels); msg != "" {
			return 0, nil, invalidInput("labels", "%s", msg)
		}
	}
	// Validate everything before changing anything.
	if req.Name != nil {
		m.Name = *req.Name
	}
	if req.Labels != nil {
		m.Labels = world.CloneLabels(*req.Labels)
	}
	return http.StatusOK, one("server", h.serverJSON(m, c.now)), nil
}

func (h *hetzner) deleteServer(c *hzCall) (int, any, error) {
	m, err := h.server(c)
	if err != nil {
		return 0, nil, err
	}
	if h.w.Locked(m, c.now) {
		return 0, nil, lockedError("server", m.ID)
	}
	a := h.w.DeleteMachine(m, c.now)
	return http.StatusOK, one("action", h.freshActionJSON(a)), nil
}

type hzCreateImageRequest struct {
	Type        *string            `json:"type"`
	Description *string            `json:"description"`
	Labels      *map[string]string `json:"labels"`
}

func (h *hetzner) createImage(c *hzCall) (int, any, error) {
	m, err := h.server(c)
	if err != nil {
		return 0, nil, err
	}
	var req hzCreateImageRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if req.Type != nil {
		switch *req.Type {
		case "snapshot":
		case "backup":
			// Backups need the backup option, which the simulator doesn't offer.
			return 0, nil, invalidInput("type", "backups are not enabled for this server")
		default:
			return 0, nil, invalidInput("type", "%q is not one of snapshot, backup", *req.Type)
		}
	}
	var labels map[string]string
	if req.Labels != nil {
		if msg := checkLabels(*req.Labels); msg != "" {
			return 0, nil, invalidInput("labels", "%s", msg)
		}
		labels = world.CloneLabels(*req.Labels)
	}
	if h.w.Busy(m, c.now) {
		return 0, nil, lockedError("server", m.ID)
	}
	desc := m.Name + "-" + c.now.Format("20060102150405")
	if req.Description != nil {
		desc = *req.Description
	}
	img, a := h.w.SnapshotMachine(m, desc, labels, c.now)
	imgJSON := h.imageJSON(img, img.Created)
	imgJSON.Status, imgJSON.ImageSize = "creating", nil
	return http.StatusCreated, map[string]any{"image": imgJSON, "action": h.freshActionJSON(a)}, nil
}

type hzChangeTypeRequest struct {
	ServerType  hzIDOrName `json:"server_type"`
	UpgradeDisk *bool      `json:"upgrade_disk"`
}

// changeServerType is POST /servers/{id}/actions/change_type. The API
// requires a stopped server and a type that fits it: same architecture, a
// disk at least as big as the server's current one (with upgrade_disk false
// the disk stays as it is, which is what allows a later downgrade), sold in
// the server's location.
func (h *hetzner) changeServerType(c *hzCall) (int, any, error) {
	m, err := h.server(c)
	if err != nil {
		return 0, nil, err
	}
	var req hzChangeTypeRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if req.ServerType.empty() {
		return 0, nil, invalidInput("server_type", "is required")
	}
	if req.UpgradeDisk == nil {
		return 0, nil, invalidInput("upgrade_disk", "is required")
	}
	to := h.findSize(req.ServerType, c.now)
	if to == nil {
		return 0, nil, sizeNotFound(req.ServerType)
	}
	if h.w.Busy(m, c.now) {
		return 0, nil, lockedError("server", m.ID)
	}
	if m.Phase != world.Off {
		return 0, nil, &hzError{status: http.StatusUnprocessableEntity, code: "server_not_stopped",
			message: "Server must be offline for this action"}
	}
	from := h.cat().Size(m.Size)
	switch {
	case to.Arch != from.Arch:
		return 0, nil, invalidServerType("server type has incompatible architecture")
	case to.DiskGB < m.DiskGB:
		return 0, nil, invalidServerType("cannot change type because the selected server_type has not sufficient disk space")
	case !to.Orderable(m.Region, c.now):
		return 0, nil, invalidServerType("server type is not available in the location of the server")
	}
	a := h.w.ChangeMachineSize(m, to, *req.UpgradeDisk, c.now)
	return http.StatusCreated, one("action", h.freshActionJSON(a)), nil
}

// invalidServerType is change_type's refusal of a type that doesn't fit
// the server ("The server type does not fit for the given server or is
// deprecated", API reference).
func invalidServerType(message string) *hzError {
	return &hzError{status: http.StatusUnprocessableEntity, code: "invalid_server_type", message: message}
}

// powerCommand is a server action that changes the power state: the server
// shows interim while the action runs, then to.
type powerCommand struct {
	path        string
	kind        world.Kind
	interim, to world.Phase
}

var powerCommands = []powerCommand{
	{"poweron", world.KindStart, world.Starting, world.Running},
	{"poweroff", world.KindStop, world.Stopping, world.Off},
	{"shutdown", world.KindShutdown, world.Stopping, world.Off},
	{"reboot", world.KindReboot, world.Running, world.Running},
	{"reset", world.KindReset, world.Running, world.Running},
}

func (p powerCommand) handler() hzHandler {
	return func(h *hetzner, c *hzCall) (int, any, error) {
		m, err := h.server(c)
		if err != nil {
			return 0, nil, err
		}
		if h.w.Busy(m, c.now) {
			return 0, nil, lockedError("server", m.ID)
		}
		a := h.w.PowerAction(m, p.kind, p.interim, p.to, c.now)
		return http.StatusCreated, one("action", h.freshActionJSON(a)), nil
	}
}
