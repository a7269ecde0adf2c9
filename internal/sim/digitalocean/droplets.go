package digitalocean

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

type dropletJSON struct {
	ID               int64        `json:"id"`
	Name             string       `json:"name"`
	Memory           int          `json:"memory"`
	Vcpus            int          `json:"vcpus"`
	Disk             int          `json:"disk"`
	Locked           bool         `json:"locked"`
	Status           string       `json:"status"`
	Kernel           *struct{}    `json:"kernel"`
	CreatedAt        string       `json:"created_at"`
	Features         []string     `json:"features"`
	BackupIDs        []int64      `json:"backup_ids"`
	NextBackupWindow *struct{}    `json:"next_backup_window"`
	SnapshotIDs      []int64      `json:"snapshot_ids"`
	Image            *imageJSON   `json:"image"`
	VolumeIDs        []string     `json:"volume_ids"`
	Size             sizeJSON     `json:"size"`
	SizeSlug         string       `json:"size_slug"`
	Networks         networksJSON `json:"networks"`
	Region           regionJSON   `json:"region"`
	Tags             []string     `json:"tags"`
	VPCUUID          string       `json:"vpc_uuid"`
}

type networksJSON struct {
	V4 []networkJSON `json:"v4"`
	V6 []networkJSON `json:"v6"`
}

type networkJSON struct {
	IPAddress string `json:"ip_address"`
	Netmask   any    `json:"netmask"`
	Gateway   string `json:"gateway"`
	Type      string `json:"type"`
}

// vpcUUID is the default VPC every droplet lands in.
func vpcUUID(region string) string {
	var n uint32
	for _, b := range region {
		n = n*31 + uint32(b)
	}
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", n)
}

func (d *do) dropletJSON(m *world.Machine, now time.Time) dropletJSON {
	cat := d.w.Catalog(Name)
	out := dropletJSON{
		ID: m.ID, Name: m.Name, Disk: m.DiskGB, Locked: d.w.Busy(m, now), Status: Status(m.Phase),
		CreatedAt: timestamp(m.Created), Features: []string{"droplet_agent", "private_networking"},
		BackupIDs: []int64{}, SnapshotIDs: []int64{}, VolumeIDs: []string{}, SizeSlug: m.Size,
		Networks: networksJSON{V4: []networkJSON{}, V6: []networkJSON{}}, Tags: labelsToTags(m.Labels),
		VPCUUID: vpcUUID(m.Region),
	}
	if s := cat.Size(m.Size); s != nil {
		out.Size = d.sizeJSON(s, now)
		out.Memory, out.Vcpus = out.Size.Memory, out.Size.Vcpus
	}
	if r := cat.Region(m.Region); r != nil {
		out.Region = d.regionJSON(r, now)
	}
	if img := d.w.Images[m.ImageID]; img != nil {
		j := d.imageJSON(img)
		out.Image = &j
	}
	for _, img := range d.visibleImages(now) {
		if img.FromMachine == m.ID {
			out.SnapshotIDs = append(out.SnapshotIDs, img.ID)
		}
	}
	if m.IPv4 != "" {
		gw := netip.MustParseAddr(m.IPv4).As4()
		gw[2], gw[3] = gw[2]&0xc0, 1
		out.Networks.V4 = append(out.Networks.V4,
			networkJSON{IPAddress: m.IPv4, Netmask: "255.255.192.0", Gateway: netip.AddrFrom4(gw).String(), Type: "public"},
			networkJSON{IPAddress: fmt.Sprintf("10.%d.%d.%d", 100+m.ID%100, m.ID/250%250, m.ID%250+2), Netmask: "255.255.240.0", Type: "private"})
	}
	if m.IPv6Net != "" {
		p := netip.MustParsePrefix(m.IPv6Net)
		addr := p.Addr().As16()
		addr[15] = 1
		out.Networks.V6 = append(out.Networks.V6, networkJSON{IPAddress: netip.AddrFrom16(addr).String(), Netmask: 64,
			Gateway: p.Addr().String(), Type: "public"})
	}
	return out
}

func (d *do) droplet(c *call) (*world.Machine, error) {
	m := d.w.MachineOf(Name, c.id("id"))
	if m == nil || m.Phase == world.Gone {
		return nil, notFound()
	}
	return m, nil
}

func (d *do) listDroplets(c *call) (int, any, error) {
	tag, name := c.Query.Get("tag_name"), c.Query.Get("name")
	var ms []*world.Machine
	for _, m := range d.w.MachinesOf(Name) {
		if m.Phase != world.Gone && (tag == "" || hasTag(m.Labels, tag)) && (name == "" || m.Name == name) {
			ms = append(ms, m)
		}
	}
	return list(c, "droplets", ms, func(m *world.Machine) dropletJSON { return d.dropletJSON(m, c.Now) })
}

func (d *do) getDroplet(c *call) (int, any, error) {
	m, err := d.droplet(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, one("droplet", d.dropletJSON(m, c.Now)), nil
}

// hostnameRE is what DigitalOcean accepts as a droplet name.
var hostnameRE = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,253}[a-zA-Z0-9])?$`)

const msgHostname = "Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)"

// maxUserData is the documented user_data limit.
const maxUserData = 64 * 1024

// maxNames is how many droplets one multi-create makes at most.
const maxNames = 10

type createRequest struct {
	Name              string            `json:"name"`
	Names             []string          `json:"names"`
	Region            string            `json:"region"`
	Size              string            `json:"size"`
	Image             json.RawMessage   `json:"image"`
	SSHKeys           []json.RawMessage `json:"ssh_keys"`
	Backups           bool              `json:"backups"`
	IPv6              bool              `json:"ipv6"`
	PrivateNetworking bool              `json:"private_networking"`
	Monitoring        bool              `json:"monitoring"`
	UserData          string            `json:"user_data"`
	Tags              []string          `json:"tags"`
	VPCUUID           string            `json:"vpc_uuid"`
	PublicNetworking  *bool             `json:"public_networking"`
}

// createDroplets is POST /v2/droplets, with "name" (one droplet) or
// "names" (up to ten). Names need not be unique. 202 with the droplets
// (status "new", no networks yet) and links.actions, one create action
// per droplet.
func (d *do) createDroplets(c *call) (int, any, error) {
	var req createRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	names := req.Names
	multi := names != nil
	if !multi {
		names = []string{req.Name}
	}
	if len(names) == 0 || len(names) > maxNames {
		return 0, nil, unprocessable(fmt.Sprintf("names must contain between 1 and %d names", maxNames))
	}
	for _, n := range names {
		if n == "" {
			return 0, nil, unprocessable("Name is required.")
		}
		if len(n) > 255 || !hostnameRE.MatchString(n) {
			return 0, nil, unprocessable(msgHostname)
		}
	}
	cat := d.w.Catalog(Name)
	if cat.Region(req.Region) == nil {
		return 0, nil, unprocessable("You specified an invalid region for Droplet creation.")
	}
	size := cat.Size(req.Size)
	if size == nil {
		return 0, nil, unprocessable("You specified an invalid size for Droplet creation.")
	}
	if !size.Orderable(req.Region, c.Now) {
		return 0, nil, unprocessable("Size is not available in this region.")
	}
	img := d.resolveImage(req.Image, c.Now)
	if img == nil {
		return 0, nil, unprocessable("You specified an invalid image for Droplet creation.")
	}
	if img.Kind != "system" && img.Region != req.Region {
		return 0, nil, unprocessable("You specified an invalid image for Droplet creation.")
	}
	if int(img.DiskGB) > size.DiskGB {
		return 0, nil, unprocessable("Image is larger than the selected size's disk.")
	}
	var keys []int64
	for _, raw := range req.SSHKeys {
		k := d.resolveKeyRef(raw)
		if k == nil {
			return 0, nil, unprocessable("You specified an invalid SSH key for Droplet creation.")
		}
		keys = append(keys, k.ID)
	}
	if len(req.UserData) > maxUserData {
		return 0, nil, unprocessable("user_data is limited to 64 KiB.")
	}
	for _, t := range req.Tags {
		if err := checkTag(t); err != nil {
			return 0, nil, err
		}
	}
	publicIPv4 := req.PublicNetworking == nil || *req.PublicNetworking
	var droplets []dropletJSON
	l := links{}
	for _, n := range names {
		m, create, _ := d.w.CreateMachine(world.MachineSpec{
			Cloud: Name, Name: n, Region: req.Region, Size: size.Name, DiskGB: size.DiskGB, ImageID: img.ID,
			Labels: tagsToLabels(req.Tags), UserData: req.UserData, SSHKeys: keys,
			IPv4: publicIPv4, IPv6: req.IPv6,
		}, c.Now)
		// One create action boots the droplet: it is active when it completes.
		m.Pending.To = world.Running
		droplets = append(droplets, d.dropletJSON(m, c.Now))
		l.Actions = append(l.Actions, actionLink{ID: create.ID, Rel: "create", HREF: c.Base + "/v2/actions/" + strconv.FormatInt(create.ID, 10)})
	}
	if multi {
		return http.StatusAccepted, map[string]any{"droplets": droplets, "links": l}, nil
	}
	return http.StatusAccepted, map[string]any{"droplet": droplets[0], "links": l}, nil
}

// resolveImage finds the image a create names: a slug (string) or an ID
// (number, or a string of digits), of a distribution or of a snapshot of
// the account.
func (d *do) resolveImage(raw json.RawMessage, now time.Time) *world.Image {
	var slug string
	var id int64
	if json.Unmarshal(raw, &slug) != nil {
		if json.Unmarshal(raw, &id) != nil {
			return nil
		}
	} else if n, err := strconv.ParseInt(slug, 10, 64); err == nil {
		id = n
	}
	if id != 0 {
		return d.visibleImage(id, now)
	}
	return d.imageBySlug(slug)
}

func (d *do) deleteDroplet(c *call) (int, any, error) {
	m, err := d.droplet(c)
	if err != nil {
		return 0, nil, err
	}
	d.w.DeleteMachine(m, c.Now)
	return http.StatusNoContent, nil, nil
}

// deleteDropletsByTag is DELETE /v2/droplets?tag_name=.
func (d *do) deleteDropletsByTag(c *call) (int, any, error) {
	tag := c.Query.Get("tag_name")
	if tag == "" {
		return 0, nil, badRequest("tag_name is required")
	}
	for _, m := range d.w.MachinesOf(Name) {
		if m.Phase != world.Gone && hasTag(m.Labels, tag) {
			d.w.DeleteMachine(m, c.Now)
		}
	}
	return http.StatusNoContent, nil, nil
}

type actionRequest struct {
	Type string `json:"type"`
	Name string `json:"name"`
	Size string `json:"size"`
	Disk bool   `json:"disk"`
}

// dropletAction is POST /v2/droplets/{id}/actions: 201 with the action,
// in-progress. A droplet runs one event at a time: a second action while
// one is in progress gets 422 "Droplet already has a pending event.".
func (d *do) dropletAction(c *call) (int, any, error) {
	m, err := d.droplet(c)
	if err != nil {
		return 0, nil, err
	}
	var req actionRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if d.w.Busy(m, c.Now) {
		return 0, nil, unprocessable(msgPending)
	}
	var a *world.Action
	switch req.Type {
	case "power_off":
		a = d.w.PowerAction(m, world.KindStop, world.Stopping, world.Off, c.Now)
	case "shutdown":
		a = d.w.PowerAction(m, world.KindShutdown, world.Stopping, world.Off, c.Now)
	case "power_on":
		a = d.w.PowerAction(m, world.KindStart, world.Starting, world.Running, c.Now)
	case "reboot":
		a = d.w.PowerAction(m, world.KindReboot, m.Phase, world.Running, c.Now)
	case "power_cycle":
		a = d.w.PowerAction(m, world.KindReset, m.Phase, world.Running, c.Now)
	case "resize":
		size := d.w.Catalog(Name).Size(req.Size)
		switch {
		case size == nil:
			return 0, nil, unprocessable("You specified an invalid size for Droplet resize.")
		case !size.Orderable(m.Region, c.Now):
			return 0, nil, unprocessable("Size is not available in this region.")
		case size.DiskGB < m.DiskGB:
			return 0, nil, unprocessable("This size is not available because it has a smaller disk.")
		case m.Phase != world.Off:
			return 0, nil, unprocessable("Droplet is currently on. Please power it off to run this event.")
		}
		a = d.w.ChangeMachineSize(m, size, req.Disk, c.Now)
		// The droplet stays off after a resize; the user powers it on.
		m.Pending.To = world.Off
	case "rename":
		if req.Name == "" || len(req.Name) > 255 || !hostnameRE.MatchString(req.Name) {
			return 0, nil, unprocessable(msgHostname)
		}
		a = d.w.NewAction(Name, world.KindRename, c.Now, d.w.Delays.Action, world.Ref{ID: m.ID, Type: world.RefMachine})
		m.Name = req.Name
		m.Pending = &world.Transition{Actions: []int64{a.ID}, To: m.Phase, FailTo: m.Phase}
	case "snapshot":
		name := req.Name
		if name == "" {
			name = fmt.Sprintf("%s-%d", m.Name, c.Now.Unix())
		}
		_, a = d.w.SnapshotMachine(m, name, nil, c.Now)
	case "":
		return 0, nil, unprocessable("type is required")
	default:
		return 0, nil, unprocessable(fmt.Sprintf("Action type %q is not supported by the simulator.", req.Type))
	}
	return http.StatusCreated, one("action", d.actionJSON(a, c.Now)), nil
}

type actionJSON struct {
	ID           int64       `json:"id"`
	Status       string      `json:"status"`
	Type         string      `json:"type"`
	StartedAt    string      `json:"started_at"`
	CompletedAt  *string     `json:"completed_at"`
	ResourceID   int64       `json:"resource_id"`
	ResourceType string      `json:"resource_type"`
	Region       *regionJSON `json:"region"`
	RegionSlug   *string     `json:"region_slug"`
}

func (d *do) actionJSON(a *world.Action, now time.Time) actionJSON {
	out := actionJSON{ID: a.ID, Type: actionTypes[a.Kind], StartedAt: timestamp(a.Started), Status: "in-progress"}
	switch a.State(now) {
	case world.ActionSucceeded:
		out.Status = "completed"
	case world.ActionFailed:
		out.Status = "errored"
	}
	if a.Done(now) {
		t := timestamp(a.Finish)
		out.CompletedAt = &t
	}
	if len(a.Resources) > 0 {
		r := a.Resources[0]
		out.ResourceID, out.ResourceType = r.ID, "droplet"
		if r.Type == world.RefImage {
			out.ResourceType = "image"
		}
		if m := d.w.Machines[r.ID]; m != nil {
			if reg := d.w.Catalog(Name).Region(m.Region); reg != nil {
				rj := d.regionJSON(reg, now)
				out.Region, out.RegionSlug = &rj, &reg.Name
			}
		}
	}
	return out
}

func (d *do) action(id int64) (*world.Action, error) {
	a := d.w.ActionOf(Name, id)
	if a == nil {
		return nil, notFound()
	}
	return a, nil
}

func (d *do) getAction(c *call) (int, any, error) {
	a, err := d.action(c.id("action_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, one("action", d.actionJSON(a, c.Now)), nil
}

func (d *do) listActions(c *call) (int, any, error) {
	return list(c, "actions", d.w.ActionsOf(Name), func(a *world.Action) actionJSON { return d.actionJSON(a, c.Now) })
}

// Completed actions stay queryable, also under a deleted droplet.
func (d *do) getDropletAction(c *call) (int, any, error) {
	a, err := d.action(c.id("action_id"))
	if err != nil {
		return 0, nil, err
	}
	if !a.Touches(world.RefMachine, c.id("id")) {
		return 0, nil, notFound()
	}
	return http.StatusOK, one("action", d.actionJSON(a, c.Now)), nil
}

func (d *do) listDropletActions(c *call) (int, any, error) {
	if _, err := d.droplet(c); err != nil {
		return 0, nil, err
	}
	var as []*world.Action
	for _, a := range d.w.ActionsOf(Name) {
		if a.Touches(world.RefMachine, c.id("id")) {
			as = append(as, a)
		}
	}
	return list(c, "actions", as, func(a *world.Action) actionJSON { return d.actionJSON(a, c.Now) })
}
