package sim

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim/digitalocean"
	ec2sim "github.com/spuff/terraform-provider-spuff/internal/sim/ec2"
	"github.com/spuff/terraform-provider-spuff/internal/sim/frontend"
	"github.com/spuff/terraform-provider-spuff/internal/sim/hetzner"
	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// Options configure a simulator. The zero value is a usable simulator with
// instant transitions, any token accepted and the real rate limit.
type Options struct {
	ServerReadyDelay time.Duration    // provisioning -> running (on Hetzner the public IPv4 is there from the create answer on; a DigitalOcean droplet gets it half way). 0 = next read sees running.
	ImageReadyDelay  time.Duration    // snapshot image pending -> available (and its snapshot action -> success)
	ActionDelay      time.Duration    // other actions (delete, power) running -> success; default 0
	Tokens           []string         // allow-list; empty = any non-empty bearer token is accepted (EC2: the access key IDs of SigV4 signatures)
	RateLimit        int              // bucket size per token, refills 1 request/s; 0 means each cloud's real limits (Hetzner 3600; DigitalOcean 5,000/hour and 250/minute; EC2 per class of action: Describe* 100 refilling 20/s, others 50 refilling 5/s); negative disables limiting (headers still sent)
	Now              func() time.Time // clock; nil = time.Now (tests may inject a fake clock)
	Faults           FaultRates       // random faults and latency for every cloud request; New panics if they don't Validate
	Seed             int64            // seed of the random faults; 0 = seeded from the time (Seed reports it)
}

// Fault is a scripted fault; see world.Fault.
type Fault = world.Fault

// FaultRates are random fault rates and latency; see world.FaultRates.
type FaultRates = world.FaultRates

// FrontEnd is one cloud API the simulator serves.
type FrontEnd struct {
	Cloud string // "hetzner"
	Title string // "Hetzner Cloud API"
	// Path is the API's root on its handler: the SDK's endpoint is the
	// base URL plus Path ("/v1"). "" = the root (DigitalOcean, EC2).
	Path string
	// OwnPort says the API must be served at the root of its own
	// listener (godo drops path prefixes); otherwise it shares Handler().
	OwnPort bool
	// FaultPrefix is the path prefix of the API's fault keys when Path is
	// "" ("/v2"): a scripted fault whose path starts with it takes this
	// API's error codes.
	FaultPrefix string
	// OwnsFaultKey, when set, claims the scripted faults whose path it
	// accepts (EC2: an action name such as "RunInstances"), so they take
	// this API's error codes.
	OwnsFaultKey func(path string) bool
	// DefaultImage, when set, is the name pattern (a trailing "*" matches
	// any rest; the newest match wins) of the system image an out-of-band
	// machine of an architecture boots when its spec names none.
	DefaultImage func(arch string) string
	Handler      http.Handler
	// Status and ImageStatus word the world's states the cloud's way, for
	// Servers() and Images().
	Status      func(world.Phase) string
	ImageStatus func(world.ImageState) string
	// ErrorCodes fill in the code of a fault aimed at this API that names
	// only a status (or the status of one that names only a code).
	ErrorCodes map[int]string
}

// frontEnds are the clouds the simulator serves: one line per cloud.
var frontEnds = []func(w *world.World, opts Options) FrontEnd{
	func(w *world.World, opts Options) FrontEnd {
		fe := hetzner.New(w, hetzner.Options{RateLimit: opts.RateLimit})
		return FrontEnd{Cloud: hetzner.Name, Title: "Hetzner Cloud API", Path: hetzner.Prefix,
			Handler: frontend.New(w, fe, opts.Tokens), Status: hetzner.Status, ImageStatus: hetzner.ImageStatus,
			ErrorCodes: hetzner.ErrorCodes}
	},
	func(w *world.World, opts Options) FrontEnd {
		fe := digitalocean.New(w, digitalocean.Options{RateLimit: opts.RateLimit})
		return FrontEnd{Cloud: digitalocean.Name, Title: "DigitalOcean API", OwnPort: true, FaultPrefix: "/v2",
			Handler: digitalocean.Handler(frontend.New(w, fe, opts.Tokens)), Status: digitalocean.Status,
			ImageStatus: digitalocean.ImageStatus, ErrorCodes: digitalocean.ErrorCodes}
	},
	func(w *world.World, opts Options) FrontEnd {
		fe := ec2sim.New(w, ec2sim.Options{RateLimit: opts.RateLimit})
		return FrontEnd{Cloud: ec2sim.Name, Title: "AWS EC2 API", OwnPort: true, OwnsFaultKey: ec2sim.IsFaultKey,
			DefaultImage: ec2sim.DefaultImage, Handler: ec2sim.Handler(frontend.New(w, fe, opts.Tokens)),
			Status: ec2sim.Status, ImageStatus: ec2sim.ImageStatus, ErrorCodes: ec2sim.ErrorCodes}
	},
}

// Sim is a running simulator: one world and the front ends serving it.
// All methods are safe for concurrent use.
type Sim struct {
	w         *world.World
	frontEnds []FrontEnd
	handler   http.Handler
}

// Server is a snapshot of a simulated machine.
type Server struct {
	ID         int64             `json:"id"`
	Cloud      string            `json:"cloud"`
	Name       string            `json:"name"`
	Status     string            `json:"status"` // the cloud's word ("initializing")
	Phase      string            `json:"phase"`  // the neutral phase ("provisioning")
	Location   string            `json:"location"`
	ServerType string            `json:"server_type"`
	Image      string            `json:"image"` // system image name, or the image ID in decimal for snapshots
	IPv4       string            `json:"ipv4"`  // "" until assigned, or when created without IPv4
	Labels     map[string]string `json:"labels"`
	Created    time.Time         `json:"created"`
	UserData   string            `json:"user_data,omitempty"` // only from ServersWithSecrets
}

// Image is a snapshot of a simulated snapshot image.
type Image struct {
	ID          int64             `json:"id"`
	Cloud       string            `json:"cloud"`
	Type        string            `json:"type"`
	Status      string            `json:"status"`
	Description string            `json:"description"`
	CreatedFrom int64             `json:"created_from"`
	Labels      map[string]string `json:"labels"`
	Created     time.Time         `json:"created"`
	// Name is the image's name where the API keeps one apart from its
	// description (an EC2 AMI's); the other clouds name snapshots by
	// Description.
	Name string `json:"name,omitempty"`
	// Region is where the image is (EC2's AMIs are regional).
	Region string `json:"region"`
	// Listed says whether the cloud's API shows it yet: DigitalOcean's
	// snapshot only appears once its action has finished.
	Listed bool `json:"listed"`
}

// New returns a simulator with an empty world. It panics when opts.Faults
// are invalid: check them with FaultRates.Validate first.
func New(opts Options) *Sim {
	if err := opts.Faults.Validate(); err != nil {
		panic("sim: invalid Options.Faults: " + err.Error())
	}
	w := world.New(world.Options{
		Now:    opts.Now,
		Delays: world.Delays{MachineReady: opts.ServerReadyDelay, ImageReady: opts.ImageReadyDelay, Action: opts.ActionDelay},
		Faults: opts.Faults,
		Seed:   opts.Seed,
	})
	s := &Sim{w: w}
	mux := http.NewServeMux()
	for _, mk := range frontEnds {
		fe := mk(w, opts)
		s.frontEnds = append(s.frontEnds, fe)
		if !fe.OwnPort {
			mux.Handle(fe.Path+"/", fe.Handler)
		}
	}
	mux.Handle("/_sim/", newAdmin(s))
	mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusNotFound)
		_, _ = rw.Write(hetzner.NotFoundBody("not found: the Hetzner API is under /v1/, the admin API under /_sim/"))
	})
	s.handler = mux
	return s
}

// Handler serves every front end that shares a listener (the Hetzner API
// under /v1/) and the admin API under /_sim/.
func (s *Sim) Handler() http.Handler { return s.handler }

// FrontEnds lists the cloud APIs served, in a fixed order. Those with
// OwnPort need a listener of their own; the others are in Handler().
func (s *Sim) FrontEnds() []FrontEnd { return s.frontEnds }

// Reset empties the world (the seeded catalog stays) and clears request
// and fault counts, scripted faults, rate-limit buckets and any clock
// advance. Delays, tokens, the rate limit and the fault rates stay as
// configured; IDs and addresses start over, and so does the random stream,
// so the same requests after a Reset meet the same random faults.
func (s *Sim) Reset() {
	s.w.Lock()
	defer s.w.Unlock()
	s.w.Reset()
}

// SetDelays changes the transition delays for resources created from now on.
func (s *Sim) SetDelays(serverReady, imageReady time.Duration) {
	s.w.Lock()
	defer s.w.Unlock()
	s.w.Delays.MachineReady, s.w.Delays.ImageReady = serverReady, imageReady
}

// Servers returns copies of all machines as of now, sorted by ID, without
// their user data.
func (s *Sim) Servers() []Server { return s.servers(false) }

// ServersWithSecrets is Servers with each machine's user data, which the
// cloud APIs never show back.
func (s *Sim) ServersWithSecrets() []Server { return s.servers(true) }

func (s *Sim) servers(secrets bool) []Server {
	s.w.Lock()
	defer s.w.Unlock()
	s.w.Settle(s.w.Now())
	var out []Server
	for _, m := range world.SortedValues(s.w.Machines) {
		out = append(out, s.server(m, secrets))
	}
	return out
}

// server renders m; the world must be locked.
func (s *Sim) server(m *world.Machine, secrets bool) Server {
	img := strconv.FormatInt(m.ImageID, 10)
	if i := s.w.Images[m.ImageID]; i != nil && i.Kind == "system" && i.Name != "" {
		img = i.Name
	}
	srv := Server{
		ID: m.ID, Cloud: m.Cloud, Name: m.Name, Status: s.frontEnd(m.Cloud).Status(m.Phase), Phase: string(m.Phase), Location: m.Region, ServerType: m.Size,
		Image: img, IPv4: m.IPv4, Labels: world.CloneLabels(m.Labels), Created: m.Created,
	}
	if secrets {
		srv.UserData = m.UserData
	}
	return srv
}

// FrontEnd returns the front end of a cloud ("hetzner", "digitalocean",
// "aws"); ok is false for a cloud the simulator does not serve.
func (s *Sim) FrontEnd(cloud string) (fe FrontEnd, ok bool) {
	for _, fe := range s.frontEnds {
		if fe.Cloud == cloud {
			return fe, true
		}
	}
	return FrontEnd{}, false
}

// frontEnd returns the front end of a cloud whose machines the world holds.
func (s *Sim) frontEnd(cloud string) FrontEnd {
	fe, ok := s.FrontEnd(cloud)
	if !ok {
		panic("sim: no front end for cloud " + cloud)
	}
	return fe
}

// Images returns copies of the snapshot images (not the seeded system
// images) as of now, sorted by ID, including those the cloud's API does not
// show yet (Listed false).
func (s *Sim) Images() []Image {
	s.w.Lock()
	defer s.w.Unlock()
	now := s.w.Now()
	var out []Image
	for _, img := range world.SortedValues(s.w.Images) {
		if img.Kind == "system" {
			continue
		}
		out = append(out, s.image(img, now))
	}
	return out
}

func (s *Sim) image(img *world.Image, now time.Time) Image {
	return Image{
		ID: img.ID, Cloud: img.Cloud, Type: img.Kind, Status: s.frontEnd(img.Cloud).ImageStatus(s.w.ImageState(img, now)), Description: img.Description,
		CreatedFrom: img.FromMachine, Labels: world.CloneLabels(img.Labels), Created: img.Created,
		Name: img.Name, Region: img.Region, Listed: s.w.ImageVisible(img, now),
	}
}

// normalize fills in a fault with the codes of the API its path aims at:
// the front end with the longest Path that prefixes it (the first front
// end for "*" and action faults).
func (s *Sim) normalize(f Fault) Fault {
	best, bestLen := s.frontEnds[0], 0
	for _, fe := range s.frontEnds {
		if fe.OwnsFaultKey != nil && fe.OwnsFaultKey(f.Path) {
			return f.Normalize(fe.ErrorCodes)
		}
		p := cmp.Or(fe.Path, fe.FaultPrefix)
		if p != "" && strings.HasPrefix(f.Path, p) && len(p) > bestLen {
			best, bestLen = fe, len(p)
		}
	}
	return f.Normalize(best.ErrorCodes)
}

// InjectFault arms a fault; see Fault for the matching rules.
func (s *Sim) InjectFault(f Fault) {
	f = s.normalize(f)
	s.w.Lock()
	defer s.w.Unlock()
	s.w.AddFault(f)
}

// RequestCounts returns how often each route was requested, keyed like
// "GET /v1/servers/{id}". Requests that match no route count under
// "GET (no route)". Faulted, dropped, unauthorized and rate-limited
// requests count too, and so do requests whose client gave up during an
// injected latency: they all reached the simulator. The admin API is not
// counted.
func (s *Sim) RequestCounts() map[string]int {
	s.w.Lock()
	defer s.w.Unlock()
	return maps.Clone(s.w.Counts)
}

// TotalRequests is how many requests the simulator has counted in all.
func (s *Sim) TotalRequests() int {
	s.w.Lock()
	defer s.w.Unlock()
	n := 0
	for _, c := range s.w.Counts {
		n += c
	}
	return n
}

// SetFaultRates replaces the random fault rates and latency for requests
// arriving from now on. Invalid rates are refused and change nothing.
func (s *Sim) SetFaultRates(r FaultRates) error {
	if err := r.Validate(); err != nil {
		return err
	}
	s.w.Lock()
	defer s.w.Unlock()
	s.w.Rates = r
	return nil
}

// FaultRates returns the random fault rates and latency in force.
func (s *Sim) FaultRates() FaultRates {
	s.w.Lock()
	defer s.w.Unlock()
	return s.w.Rates
}

// Seed returns the seed of the random faults: Options.Seed, or the one
// taken from the time when that was 0. A simulator started with it meets
// the same random faults for the same sequence of requests.
func (s *Sim) Seed() int64 {
	s.w.Lock()
	defer s.w.Unlock()
	return s.w.Seed
}

// Reseed restarts the random stream from seed (0 = from the time).
func (s *Sim) Reseed(seed int64) {
	s.w.Lock()
	defer s.w.Unlock()
	s.w.Reseed(seed)
}

// FaultCounts returns how many faults were applied since New or Reset, by
// kind: "server_error", "rate_limit" and "drop" count random faults,
// "latency" the requests delayed by Latency or LatencyJitter, and
// "scripted" the scripted faults that fired (request faults, before or
// after, and action faults). Every key is present. A request can count as
// delayed and faulted; a random fault drawn for a request that a scripted
// fault answered first does not count.
func (s *Sim) FaultCounts() map[string]int {
	s.w.Lock()
	defer s.w.Unlock()
	out := make(map[string]int, len(world.FaultCountKeys))
	for _, k := range world.FaultCountKeys {
		out[k] = s.w.FaultCounts[k]
	}
	return out
}

// ErrNotFound is returned by the out-of-band methods for an unknown ID.
var ErrNotFound = errors.New("not found")

// ErrInvalid is returned by CreateMachine for a spec the cloud's catalogue
// refuses.
var ErrInvalid = errors.New("invalid")

// MachineSpec is a machine created out of band (CreateMachine): as if
// another client (the console, a script, someone else's Terraform) had
// created it. Empty Cloud means Hetzner; empty Region, Size or Image take
// the cloud's first region, size sold there and system image of that
// architecture (on EC2, "aws": the newest Ubuntu 24.04 AMI of the region).
// Image is a system image's name, or a pattern ending in "*" whose newest
// match is taken ("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*").
type MachineSpec struct {
	Cloud    string            `json:"cloud"`
	Name     string            `json:"name"`
	Region   string            `json:"region"`
	Size     string            `json:"size"`
	Image    string            `json:"image"` // system image name
	Labels   map[string]string `json:"labels"`
	UserData string            `json:"user_data"`
}

// CreateMachine creates a machine out of band, bypassing every cloud API
// (no request is counted, no fault or rate limit applies). It provisions
// like any other machine, with the configured delay.
func (s *Sim) CreateMachine(spec MachineSpec) (Server, error) {
	if spec.Cloud == "" {
		spec.Cloud = hetzner.Name
	}
	s.w.Lock()
	defer s.w.Unlock()
	now := s.w.Now()
	s.w.Settle(now)
	if !slices.ContainsFunc(s.frontEnds, func(fe FrontEnd) bool { return fe.Cloud == spec.Cloud }) {
		return Server{}, fmt.Errorf("%w: cloud %q is not simulated", ErrInvalid, spec.Cloud)
	}
	if spec.Name == "" {
		return Server{}, fmt.Errorf("%w: name is required", ErrInvalid)
	}
	cat := s.w.Catalog(spec.Cloud)
	if spec.Region == "" && len(cat.Regions) > 0 {
		spec.Region = cat.Regions[0].Name
	}
	reg := cat.Region(spec.Region)
	if reg == nil {
		return Server{}, fmt.Errorf("%w: region %q not found", ErrInvalid, spec.Region)
	}
	var size *world.Size
	for i := range cat.Sizes {
		sz := &cat.Sizes[i]
		if (spec.Size == "" || sz.Name == spec.Size) && sz.Orderable(reg.Name, now) {
			size = sz
			break
		}
	}
	if size == nil {
		return Server{}, fmt.Errorf("%w: size %q is not sold in %s", ErrInvalid, spec.Size, reg.Name)
	}
	pattern := spec.Image
	if fe := s.frontEnd(spec.Cloud); pattern == "" && fe.DefaultImage != nil {
		pattern = fe.DefaultImage(size.Arch)
	}
	prefix, newest := strings.CutSuffix(pattern, "*")
	var img *world.Image
	for _, i := range world.SortedValues(s.w.Images) {
		if i.Cloud != spec.Cloud || i.Kind != "system" || i.Arch != size.Arch || (i.Region != "" && i.Region != reg.Name) {
			continue
		}
		switch {
		case pattern == "" || i.Name == pattern:
		case newest && strings.HasPrefix(i.Name, prefix):
			if img != nil && !i.Created.After(img.Created) {
				continue
			}
		default:
			continue
		}
		img = i
		if !newest {
			break
		}
	}
	if img == nil {
		return Server{}, fmt.Errorf("%w: image %q not found for %s", ErrInvalid, spec.Image, size.Arch)
	}
	disk := size.DiskGB
	if disk == 0 {
		disk = 8 // an EBS-only size (EC2): the root volume of the seeded AMIs
	}
	m, _, _ := s.w.CreateMachine(world.MachineSpec{
		Cloud: spec.Cloud, Name: spec.Name, Region: reg.Name, Zone: defaultZone(spec.Cloud, reg.Name), Size: size.Name, DiskGB: disk, ImageID: img.ID,
		Labels: world.CloneLabels(spec.Labels), UserData: spec.UserData, Start: true, IPv4: true, IPv6: true,
	}, now)
	return s.server(m, false), nil
}

// defaultZone is where an out-of-band machine of the cloud is placed in
// region: EC2's first availability zone; "" for clouds without zones.
func defaultZone(cloud, region string) string {
	if cloud == ec2sim.Name {
		return region + "a"
	}
	return ""
}

// Machine returns one machine as of now.
func (s *Sim) Machine(id int64) (Server, error) {
	s.w.Lock()
	defer s.w.Unlock()
	s.w.Settle(s.w.Now())
	m := s.w.Machines[id]
	if m == nil {
		return Server{}, fmt.Errorf("machine %d: %w", id, ErrNotFound)
	}
	return s.server(m, false), nil
}

// DeleteMachine deletes a machine out of band, as if someone had deleted it
// in the console: at once, or as a tombstone where the cloud keeps deleted
// machines visible. Its actions stay queryable.
func (s *Sim) DeleteMachine(id int64) error {
	s.w.Lock()
	defer s.w.Unlock()
	now := s.w.Now()
	s.w.Settle(now)
	m := s.w.Machine(id)
	if m == nil {
		return fmt.Errorf("machine %d: %w", id, ErrNotFound)
	}
	s.w.RemoveMachine(m, now)
	return nil
}

// SetLabels replaces a machine's labels out of band (nil clears them);
// removing managed-by=spuff makes it unmanaged.
func (s *Sim) SetLabels(id int64, labels map[string]string) error {
	s.w.Lock()
	defer s.w.Unlock()
	m := s.w.Machine(id)
	if m == nil {
		return fmt.Errorf("machine %d: %w", id, ErrNotFound)
	}
	m.Labels = world.CloneLabels(labels)
	return nil
}

// StopMachine powers a machine off out of band, at once.
func (s *Sim) StopMachine(id int64) error {
	s.w.Lock()
	defer s.w.Unlock()
	s.w.Settle(s.w.Now())
	m := s.w.Machine(id)
	if m == nil {
		return fmt.Errorf("machine %d: %w", id, ErrNotFound)
	}
	m.Phase, m.Pending = world.Off, nil
	return nil
}

// DeleteImage deletes a snapshot image out of band.
func (s *Sim) DeleteImage(id int64) error {
	s.w.Lock()
	defer s.w.Unlock()
	img := s.w.Images[id]
	if img == nil || img.Kind == "system" {
		return fmt.Errorf("snapshot %d: %w", id, ErrNotFound)
	}
	delete(s.w.Images, id)
	return nil
}

// SetImageLabels replaces a snapshot image's labels out of band.
func (s *Sim) SetImageLabels(id int64, labels map[string]string) error {
	s.w.Lock()
	defer s.w.Unlock()
	img := s.w.Images[id]
	if img == nil || img.Kind == "system" {
		return fmt.Errorf("snapshot %d: %w", id, ErrNotFound)
	}
	img.Labels = world.CloneLabels(labels)
	return nil
}
