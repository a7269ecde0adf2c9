package hetzner

import (
	"github.com/spuff/terraform-provider-spuff/internal/sim/world"

	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"time"
)

var typeOfIDOrName = reflect.TypeFor[hzIDOrName]()

// Wire types of the Hetzner Cloud API. They are written out here rather than
// borrowed from hcloud-go's schema package because the simulator must speak
// what the real API sends, which is not always what one SDK version decodes
// (for example a null public_net.ipv4, or the per-location deprecations of
// server types). Servers have no "datacenter" any more: Hetzner removed it
// in July 2026 (changelog 2026-07-01-removing-datacenters), and hcloud-go
// has not decoded it since v2.45.

type hzLocation struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Country     string  `json:"country"`
	City        string  `json:"city"`
	Latitude    float64 `json:"latitude"`
	Longitude   float64 `json:"longitude"`
	NetworkZone string  `json:"network_zone"`
}

type hzServerType struct {
	ID              int64                  `json:"id"`
	Name            string                 `json:"name"`
	Description     string                 `json:"description"`
	Category        string                 `json:"category"`
	Cores           int                    `json:"cores"`
	Memory          float64                `json:"memory"`
	Disk            int                    `json:"disk"`
	Deprecated      bool                   `json:"deprecated"`
	Deprecation     *hzDeprecation         `json:"deprecation"`
	Prices          []any                  `json:"prices"`
	StorageType     string                 `json:"storage_type"`
	CPUType         string                 `json:"cpu_type"`
	Architecture    string                 `json:"architecture"`
	IncludedTraffic int64                  `json:"included_traffic"`
	Locations       []hzServerTypeLocation `json:"locations"`
}

type hzServerTypeLocation struct {
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	Recommended bool           `json:"recommended"`
	Available   bool           `json:"available"`
	Deprecation *hzDeprecation `json:"deprecation"`
}

type hzDeprecation struct {
	Announced        string `json:"announced"`
	UnavailableAfter string `json:"unavailable_after"`
}

type hzServer struct {
	ID              int64              `json:"id"`
	Name            string             `json:"name"`
	Status          string             `json:"status"`
	Created         string             `json:"created"`
	PublicNet       hzPublicNet        `json:"public_net"`
	PrivateNet      []any              `json:"private_net"`
	ServerType      hzServerType       `json:"server_type"`
	Location        hzLocation         `json:"location"`
	Image           *hzImage           `json:"image"`
	ISO             any                `json:"iso"`
	RescueEnabled   bool               `json:"rescue_enabled"`
	Locked          bool               `json:"locked"`
	BackupWindow    *string            `json:"backup_window"`
	OutgoingTraffic uint64             `json:"outgoing_traffic"`
	IngoingTraffic  uint64             `json:"ingoing_traffic"`
	IncludedTraffic uint64             `json:"included_traffic"`
	Protection      hzServerProtection `json:"protection"`
	Labels          map[string]string  `json:"labels"`
	Volumes         []int64            `json:"volumes"`
	LoadBalancers   []int64            `json:"load_balancers"`
	PrimaryDiskSize int                `json:"primary_disk_size"`
	PlacementGroup  any                `json:"placement_group"`
}

type hzPublicNet struct {
	IPv4        *hzIPv4 `json:"ipv4"` // null when the server has no IPv4
	IPv6        *hzIPv6 `json:"ipv6"`
	FloatingIPs []int64 `json:"floating_ips"`
	Firewalls   []any   `json:"firewalls"`
}

type hzIPv4 struct {
	ID      int64  `json:"id"`
	IP      string `json:"ip"`
	Blocked bool   `json:"blocked"`
	DNSPtr  string `json:"dns_ptr"`
}

type hzIPv6 struct {
	ID      int64  `json:"id"`
	IP      string `json:"ip"`
	Blocked bool   `json:"blocked"`
	DNSPtr  []any  `json:"dns_ptr"`
}

type hzServerProtection struct {
	Delete  bool `json:"delete"`
	Rebuild bool `json:"rebuild"`
}

type hzImage struct {
	ID           int64             `json:"id"`
	Type         string            `json:"type"`
	Status       string            `json:"status"`
	Name         *string           `json:"name"`
	Description  string            `json:"description"`
	ImageSize    *float64          `json:"image_size"`
	DiskSize     float64           `json:"disk_size"`
	Created      string            `json:"created"`
	CreatedFrom  *hzCreatedFrom    `json:"created_from"`
	BoundTo      *int64            `json:"bound_to"`
	OSFlavor     string            `json:"os_flavor"`
	OSVersion    *string           `json:"os_version"`
	RapidDeploy  bool              `json:"rapid_deploy"`
	Protection   hzImageProtection `json:"protection"`
	Deprecated   *string           `json:"deprecated"`
	Deprecation  *hzDeprecation    `json:"deprecation"`
	Deleted      *string           `json:"deleted"`
	Labels       map[string]string `json:"labels"`
	Architecture string            `json:"architecture"`
}

type hzCreatedFrom struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type hzImageProtection struct {
	Delete bool `json:"delete"`
}

type hzAction struct {
	ID        int64           `json:"id"`
	Command   string          `json:"command"`
	Status    string          `json:"status"`
	Progress  int             `json:"progress"`
	Started   string          `json:"started"`
	Finished  *string         `json:"finished"`
	Resources []hzResourceRef `json:"resources"`
	Error     *hzActionError  `json:"error"`
}

type hzResourceRef struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

type hzActionError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type hzSSHKey struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Fingerprint string            `json:"fingerprint"`
	PublicKey   string            `json:"public_key"`
	Labels      map[string]string `json:"labels"`
	Created     string            `json:"created"`
}

type hzMeta struct {
	Pagination hzPagination `json:"pagination"`
}

// hzPagination: previous_page and next_page are null at the ends. A non-null
// next_page on the last page would make hcloud-go's All* loop forever.
type hzPagination struct {
	Page         int  `json:"page"`
	PerPage      int  `json:"per_page"`
	PreviousPage *int `json:"previous_page"`
	NextPage     *int `json:"next_page"`
	LastPage     int  `json:"last_page"`
	TotalEntries int  `json:"total_entries"`
}

type hzErrorBody struct {
	Error hzErrorPayload `json:"error"`
}

// hzDeprecatedDetails is the details object of deprecated_api_endpoint.
type hzDeprecatedDetails struct {
	Announcement string `json:"announcement"`
}

type hzErrorPayload struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details"`
}

type hzInvalidField struct {
	Name     string   `json:"name"`
	Messages []string `json:"messages,omitempty"`
}

type hzFieldDetails struct {
	Fields []hzInvalidField `json:"fields"`
}

// hzIDOrName decodes the request fields that take either a numeric ID or a
// name: 7, "7" and "cx23" are all accepted, like the real API.
type hzIDOrName struct {
	ID   int64
	Name string
}

func (o *hzIDOrName) UnmarshalJSON(data []byte) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return err
	}
	switch t := v.(type) {
	case nil:
	case json.Number:
		id, err := t.Int64()
		if err != nil {
			return &json.UnmarshalTypeError{Value: "number " + t.String(), Type: typeOfIDOrName}
		}
		o.ID = id
	case string:
		if id, err := strconv.ParseInt(t, 10, 64); err == nil {
			o.ID = id
		} else {
			o.Name = t
		}
	default:
		return &json.UnmarshalTypeError{Value: string(data), Type: typeOfIDOrName}
	}
	return nil
}

func (o hzIDOrName) empty() bool { return o.ID == 0 && o.Name == "" }

func (o hzIDOrName) String() string {
	if o.Name != "" {
		return o.Name
	}
	return strconv.FormatInt(o.ID, 10)
}

// hzTime formats like the real API: RFC 3339 with seconds and "+00:00".
func hzTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-07:00") }

func hzTimePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := hzTime(t)
	return &s
}

// includedTraffic is 20 TiB, what a server in the EU includes. (Server
// types report 0: their included_traffic is deprecated and always 0 since
// 2024-08-05; the figure moved to the per-location prices.)
const includedTraffic = 21990232555520

func (h *hetzner) locationJSON(r *world.Region) hzLocation {
	return hzLocation{r.ID, r.Name, r.Description, r.Country, r.City, r.Latitude, r.Longitude, r.NetworkZone}
}

func deprecationJSON(d *world.Deprecation) *hzDeprecation {
	if d == nil {
		return nil
	}
	return &hzDeprecation{Announced: hzTime(d.Announced), UnavailableAfter: hzTime(d.UnavailableAfter)}
}

// serverTypeJSON renders a size as of now. Each location says whether the
// type can be ordered there (available, and recommended likewise) and
// carries its deprecation; the top-level deprecated/deprecation are set only
// when the type is deprecated in every location, as the API does since it
// moved deprecations to the locations in September 2025.
func (h *hetzner) serverTypeJSON(s *world.Size, now time.Time) hzServerType {
	locs := make([]hzServerTypeLocation, 0, len(s.Offers))
	for _, o := range s.Offers {
		r := h.cat().Region(o.Region)
		ok := s.Orderable(o.Region, now)
		locs = append(locs, hzServerTypeLocation{ID: r.ID, Name: r.Name, Recommended: ok, Available: ok,
			Deprecation: deprecationJSON(o.Deprecation)})
	}
	all := s.DeprecatedEverywhere()
	return hzServerType{
		ID: s.ID, Name: s.Name, Description: s.Description, Category: s.Category,
		Cores: s.Cores, Memory: s.MemoryGB, Disk: s.DiskGB, Prices: []any{},
		Deprecated: all != nil, Deprecation: deprecationJSON(all),
		StorageType: "local", CPUType: s.CPUType, Architecture: s.Arch, Locations: locs,
	}
}

func (h *hetzner) serverJSON(m *world.Machine, now time.Time) hzServer {
	r := h.cat().Region(m.Region)
	s := h.cat().Size(m.Size)
	out := hzServer{
		ID: m.ID, Name: m.Name, Status: statuses[m.Phase], Created: hzTime(m.Created),
		PublicNet:  hzPublicNet{FloatingIPs: []int64{}, Firewalls: []any{}},
		PrivateNet: []any{}, ServerType: h.serverTypeJSON(s, now),
		Location:        h.locationJSON(r),
		Locked:          h.w.Locked(m, now),
		IncludedTraffic: includedTraffic,
		Labels:          world.CloneLabels(m.Labels),
		Volumes:         []int64{}, LoadBalancers: []int64{},
		PrimaryDiskSize: m.DiskGB,
	}
	if m.IPv4 != "" {
		out.PublicNet.IPv4 = &hzIPv4{ID: m.IPv4ID, IP: m.IPv4, DNSPtr: reverseDNS(m.IPv4)}
	}
	if m.IPv6Net != "" {
		out.PublicNet.IPv6 = &hzIPv6{ID: m.IPv6ID, IP: m.IPv6Net, DNSPtr: []any{}}
	}
	if img := h.w.Images[m.ImageID]; img != nil {
		j := h.imageJSON(img, now)
		out.Image = &j
	}
	return out
}

// reverseDNS mimics Hetzner's default PTR, "static.4.3.2.1.clients.your-server.de".
func reverseDNS(ipv4 string) string {
	var b []byte
	start := len(ipv4)
	for i := len(ipv4) - 1; i >= -1; i-- {
		if i == -1 || ipv4[i] == '.' {
			b = append(b, ipv4[i+1:start]...)
			b = append(b, '.')
			start = i
		}
	}
	return "static." + string(b) + "clients.your-server.de"
}

func (h *hetzner) imageJSON(img *world.Image, now time.Time) hzImage {
	out := hzImage{
		ID: img.ID, Type: img.Kind, Status: h.imageStatus(img, now),
		Description: img.Description, DiskSize: img.DiskGB, Created: hzTime(img.Created),
		OSFlavor: img.OSFlavor, RapidDeploy: img.RapidDeploy,
		Labels: world.CloneLabels(img.Labels), Architecture: img.Arch,
	}
	if img.Name != "" {
		out.Name = &img.Name
	}
	if img.OSVersion != "" {
		out.OSVersion = &img.OSVersion
	}
	if img.Kind == "snapshot" {
		out.CreatedFrom = &hzCreatedFrom{ID: img.FromMachine, Name: img.FromName}
	}
	if out.Status == "available" {
		// A compressed snapshot is much smaller than the disk; the exact
		// figure is made up but stable.
		size := img.DiskGB / 20
		out.ImageSize = &size
	}
	if !img.Deprecated.IsZero() {
		out.Deprecated = hzTimePtr(img.Deprecated)
		out.Deprecation = &hzDeprecation{
			Announced: hzTime(img.Deprecated),
			// Far enough ahead that the image stays usable whatever the clock.
			UnavailableAfter: hzTime(img.Deprecated.AddDate(3, 0, 0)),
		}
	}
	return out
}

func (h *hetzner) actionJSON(a *world.Action, now time.Time) hzAction {
	out := hzAction{
		ID: a.ID, Command: commands[a.Kind], Status: actionStatus(a, now), Progress: a.Progress(now),
		Started: hzTime(a.Started), Resources: make([]hzResourceRef, len(a.Resources)),
	}
	for i, r := range a.Resources {
		out.Resources[i] = hzResourceRef{ID: r.ID, Type: refTypes[r.Type]}
	}
	if a.Done(now) {
		out.Finished = hzTimePtr(a.Finish)
		if a.Failed {
			e := hzActionError{Code: a.ErrCode, Message: a.ErrMsg}
			if e.Code == "" {
				e.Code = "action_failed"
			}
			if e.Message == "" {
				e.Message = "Action failed"
			}
			out.Error = &e
		}
	}
	return out
}

// freshActionJSON renders an action as the response that started it: still
// running at progress 0, as the real API answers even for instant actions.
func (h *hetzner) freshActionJSON(a *world.Action) hzAction {
	out := h.actionJSON(a, a.Started)
	out.Status, out.Progress, out.Finished, out.Error = actionRunning, 0, nil, nil
	return out
}

func (h *hetzner) sshKeyJSON(k *world.SSHKey) hzSSHKey {
	return hzSSHKey{k.ID, k.Name, k.Fingerprint, k.PublicKey, world.CloneLabels(k.Labels), hzTime(k.Created)}
}
