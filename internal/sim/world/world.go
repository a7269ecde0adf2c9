// Package world is the simulator's cloud-neutral state: machines, images,
// actions, SSH keys, a catalogue per cloud, tombstones, an idempotency
// index, the clock, scripted and random faults, request and fault counts and
// per-token rate-limit buckets.
//
// It knows no wire format and no cloud's words. Machines go through neutral
// phases (Provisioning, Running, Stopping, Off, ...) and actions have
// neutral kinds (KindCreate, KindSnapshot, ...); each cloud registers a
// Policy saying how its machines behave (IPs at create, while booting or
// once running, deletes instant or tombstoned, snapshot images present at
// once or only once their action completes). A front end (packages
// hetzner, digitalocean and ec2) translates its wire format to and from the world;
// package frontend is the request pipeline they share.
//
// Time never advances in the background: every phase is computed from the
// clock on each read (Settle), so a fake clock or a clock advance moves the
// world deterministically. Every field is guarded by the embedded mutex; the
// methods expect the caller to hold it.
package world

import (
	"cmp"
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// FirstID is where the shared ID sequence starts after New and Reset. One
// sequence serves every kind of resource, so a machine ID never equals an
// image or action ID: a client that confuses them gets a 404 instead of
// silently touching the wrong thing.
const FirstID = 100000

// Phase is where a machine is in its life, in no cloud's words. Each front
// end maps phases to its own status words.
type Phase string

// The phases of a machine.
const (
	Provisioning Phase = "provisioning" // being created and booted
	Starting     Phase = "starting"     // powering on
	Running      Phase = "running"
	Stopping     Phase = "stopping" // powering off or shutting down
	Off          Phase = "off"
	Resizing     Phase = "resizing" // changing size (Hetzner: migrating)
	Deleting     Phase = "deleting"
	Gone         Phase = "gone" // deleted; kept as a tombstone where the cloud's policy says so
)

// Kind is what an action does, in no cloud's words.
type Kind string

// The kinds of action.
const (
	KindCreate   Kind = "create"   // create a machine
	KindStart    Kind = "start"    // start it (after create, or power on)
	KindStop     Kind = "stop"     // hard power off
	KindShutdown Kind = "shutdown" // graceful shutdown
	KindReboot   Kind = "reboot"
	KindReset    Kind = "reset"
	KindResize   Kind = "resize"
	KindSnapshot Kind = "snapshot"
	KindDelete   Kind = "delete"
	KindRename   Kind = "rename" // DigitalOcean renames with an action
)

// ActionState is an action's outcome so far.
type ActionState string

// The states of an action.
const (
	ActionRunning   ActionState = "running"
	ActionSucceeded ActionState = "succeeded"
	ActionFailed    ActionState = "failed"
)

// ImageState is an image's availability.
type ImageState string

// The states of an image.
const (
	ImagePending   ImageState = "pending" // the snapshot is being written
	ImageAvailable ImageState = "available"
	ImageFailed    ImageState = "failed" // its snapshot action failed
)

// IPTiming says when a new machine gets its public addresses.
type IPTiming int

const (
	// IPsAtCreate means the create answer already carries them (Hetzner's
	// primary IPs are created with the server).
	IPsAtCreate IPTiming = iota
	// IPsWhileBooting means they appear half way through provisioning
	// (DigitalOcean's droplets boot without networks at first).
	IPsWhileBooting
	// IPsOnceRunning means they appear when provisioning ends (an EC2
	// instance has its public IPv4 only once it runs).
	IPsOnceRunning
)

// SnapshotTiming says when a snapshot image becomes visible.
type SnapshotTiming int

const (
	// SnapshotAtOnce means the image is listed (pending) from the start (Hetzner,
	// EC2 AMIs).
	SnapshotAtOnce SnapshotTiming = iota
	// SnapshotOnCompletion means the image exists only once its action completed
	// (DigitalOcean).
	SnapshotOnCompletion
)

// Policy is how one cloud's machines and images move through the world.
type Policy struct {
	IPs       IPTiming
	Snapshots SnapshotTiming
	// Tombstone is how long a deleted machine stays visible in phase Gone
	// (EC2 keeps terminated instances for about an hour); 0 deletes at once.
	Tombstone time.Duration
	// FailedCreate is the phase a machine whose create (or first start)
	// action failed ends in: "" = Off (Hetzner, DigitalOcean); Gone for a
	// cloud whose failed launches are terminated (EC2), kept as a tombstone.
	FailedCreate Phase
	// ActionName is the cloud's word for an action kind ("create_image"),
	// matched by "action:<word>" faults. nil: the neutral kind.
	ActionName func(Kind) string
}

// Cloud is what a front end registers: its catalogue and its policy.
type Cloud struct {
	Catalog Catalog
	Policy  Policy
}

// Delays are how long transitions take, for resources created from now on.
type Delays struct {
	MachineReady time.Duration // provisioning -> running
	ImageReady   time.Duration // snapshot pending -> available
	Action       time.Duration // other actions
}

// Options configure a world.
type Options struct {
	Now      func() time.Time // nil = time.Now
	Delays   Delays
	Progress ProgressProfile // how running actions report progress; "" = linear
	Faults   FaultRates
	Seed     int64 // 0 = from the time
}

// World is the cloud-neutral state.
type World struct {
	sync.Mutex

	clock  func() time.Time
	Offset time.Duration // moved forward by the admin API

	Delays   Delays
	Progress ProgressProfile // for actions created from now on

	clouds map[string]*Cloud

	nextID      int64
	ipv4Seq     uint32
	ipv6Seq     uint32
	Machines    map[int64]*Machine
	Images      map[int64]*Image // seeded system images and snapshots
	Actions     map[int64]*Action
	SSHKeys     map[int64]*SSHKey
	Tags        map[string]bool  // cloud + "\x00" + name: tags created on their own, on no resource yet (DigitalOcean)
	idempotency map[string]int64 // cloud + "\x00" + key -> machine ID
	// Disks are the disk snapshots behind images, for clouds that show
	// them on their own.
	Disks map[int64]*DiskSnapshot

	Faults   []*Fault
	Counts   map[string]int
	limiters map[string]*Limiter

	Rates       FaultRates     // configuration: survives reset
	Seed        int64          // the generator's seed, never 0; reset starts its stream over
	rng         *rand.Rand     // draws each cloud request's random fate; see Draw
	FaultCounts map[string]int // applied faults by kind
}

// Machine is a virtual server of one cloud.
type Machine struct {
	ID       int64
	Cloud    string
	Name     string
	Region   string // region (location) name
	Size     string // size (server type) name
	DiskGB   int    // primary disk; grows with a change of size only when asked to
	ImageID  int64
	Labels   map[string]string
	UserData string // never rendered by a cloud API or logged; the admin API shows it only when asked for secrets
	SSHKeys  []int64
	Zone     string // placement within the region (an availability zone); "" = none
	Created  time.Time
	// IdempotencyKey is the key the machine was created with ("" = none).
	IdempotencyKey string
	// RequestDigest is the digest of the create request that made the
	// machine, when its front end sent one: a repeated idempotency key with
	// another digest is a different request.
	RequestDigest string

	Phase   Phase       // settled phase; see Settle
	Pending *Transition // phase change waiting for its actions
	Deleted time.Time   // when it became a tombstone (phase Gone)
	// CreateFailed says the create (or first start) action failed.
	CreateFailed bool

	WantIPv4, WantIPv6 bool
	IPv4               string
	IPv4ID             int64
	IPv6Net            string
	IPv6ID             int64
	ipsAt              time.Time // IPsWhileBooting: when the addresses appear

	LockAction int64 // snapshot action that locks the machine while it runs
}

// Transition moves a machine to a new phase when all its actions are done:
// To on success, FailTo when any of them failed. A successful transition
// can also give the machine a new size and disk (a change of size); a
// failed one leaves both as they were.
type Transition struct {
	Actions []int64
	To      Phase
	FailTo  Phase
	Size    string // new size on success; "" = unchanged
	DiskGB  int    // new disk on success; 0 = unchanged
}

// Image is a system image (seeded) or a snapshot taken from a machine.
type Image struct {
	ID          int64
	Cloud       string
	Kind        string // "system" or "snapshot"
	Name        string // system images; a snapshot only where its cloud names snapshots
	Owner       string // the publisher of a system image (an account ID); "" = the caller's own account
	Description string
	OSFlavor    string
	OSVersion   string
	Arch        string
	DiskGB      float64
	Labels      map[string]string
	Created     time.Time
	Deprecated  time.Time // zero when not deprecated
	RapidDeploy bool
	FromMachine int64
	FromName    string
	Region      string // where a snapshot is stored: its machine's region; a system image seeded per region: its region ("" = every region)
	Action      int64  // the snapshot action of a snapshot
	Disk        int64  // the DiskSnapshot it was made from; 0 = none
}

// DiskSnapshot is the stored copy of a machine's disk behind a snapshot
// image, for clouds that list and delete it on its own (an EC2 image's EBS
// snapshot). It outlives its image unless deleted with it, and can't be
// deleted while an image uses it (see DiskInUse).
type DiskSnapshot struct {
	ID          int64
	Cloud       string
	Region      string
	SizeGB      int
	FromMachine int64
	Description string
	Labels      map[string]string
	Created     time.Time
	Action      int64 // the snapshot action writing it
}

// Action is an asynchronous operation. Its state is a function of the
// clock: running until Finish, then succeeded, or failed when Failed.
type Action struct {
	ID        int64
	Cloud     string
	Kind      Kind
	Started   time.Time
	Finish    time.Time
	Resources []Ref
	Failed    bool
	ErrCode   string // from the fault that failed it; "" = the front end's default
	ErrMsg    string
	Profile   ProgressProfile // how Progress moves; "" = linear
}

// RefType names what an action touches.
type RefType string

// The things an action can touch.
const (
	RefMachine RefType = "machine"
	RefImage   RefType = "image"
)

// Ref is a resource an action touches.
type Ref struct {
	ID   int64
	Type RefType
}

// SSHKey is a public key stored in the account.
type SSHKey struct {
	ID          int64
	Cloud       string
	Name        string
	Fingerprint string
	PublicKey   string
	Labels      map[string]string
	Created     time.Time
}

// New returns an empty world. Clouds register with AddCloud.
func New(opts Options) *World {
	w := &World{
		clock:    opts.Now,
		Delays:   opts.Delays,
		Progress: opts.Progress,
		clouds:   map[string]*Cloud{},
		limiters: map[string]*Limiter{},
		Rates:    opts.Faults,
		Seed:     EffectiveSeed(opts.Seed),
	}
	if w.clock == nil {
		w.clock = time.Now
	}
	w.Reset()
	return w
}

// AddCloud registers a cloud's catalogue, policy and rate limiter, and
// seeds its system images.
func (w *World) AddCloud(name string, c Cloud, limiter *Limiter) {
	w.clouds[name] = &c
	w.limiters[name] = limiter
	w.seedImages(&c)
}

// Catalog returns a cloud's catalogue.
func (w *World) Catalog(cloud string) *Catalog { return &w.clouds[cloud].Catalog }

// AddLimiter registers a further limiter under name, for a front end with
// more than one bucket per caller (see frontend.LimiterNamer); Reset
// empties it with the others.
func (w *World) AddLimiter(name string, limiter *Limiter) { w.limiters[name] = limiter }

// Limiter returns a cloud's rate limiter.
func (w *World) Limiter(cloud string) *Limiter { return w.limiters[cloud] }

func (w *World) policy(cloud string) Policy {
	if c := w.clouds[cloud]; c != nil {
		return c.Policy
	}
	return Policy{}
}

func (w *World) seedImages(c *Cloud) {
	for _, img := range c.Catalog.Images {
		w.Images[img.ID] = &img
	}
}

// Reset empties the world but keeps the clouds, the delays, the limits and
// the fault rates. The random stream starts over from the seed.
func (w *World) Reset() {
	w.Offset = 0
	w.nextID = FirstID
	w.ipv4Seq, w.ipv6Seq = 0, 0
	w.Machines = map[int64]*Machine{}
	w.Images = map[int64]*Image{}
	for _, c := range w.clouds {
		w.seedImages(c)
	}
	w.Actions = map[int64]*Action{}
	w.SSHKeys = map[int64]*SSHKey{}
	w.Disks = map[int64]*DiskSnapshot{}
	w.Tags = map[string]bool{}
	w.idempotency = map[string]int64{}
	w.Faults = nil
	w.Counts = map[string]int{}
	w.FaultCounts = map[string]int{}
	w.rng = newRNG(w.Seed)
	for _, l := range w.limiters {
		l.Reset()
	}
}

// Reseed restarts the random stream from seed (0 = from the time).
func (w *World) Reseed(seed int64) {
	w.Seed = EffectiveSeed(seed)
	w.rng = newRNG(w.Seed)
}

// Now is the simulator's clock.
func (w *World) Now() time.Time { return w.clock().Add(w.Offset).UTC() }

// NewID takes the next ID of the shared sequence.
func (w *World) NewID() int64 {
	w.nextID++
	return w.nextID
}

// NewAction records an action of a cloud that finishes after delay. A
// pending action fault for it (matched on the cloud's word for kind)
// decides now whether it will fail.
func (w *World) NewAction(cloud string, kind Kind, now time.Time, delay time.Duration, res ...Ref) *Action {
	a := &Action{ID: w.NewID(), Cloud: cloud, Kind: kind, Started: now, Finish: now.Add(delay), Resources: res, Profile: w.Progress}
	name := string(kind)
	if n := w.policy(cloud).ActionName; n != nil {
		name = n(kind)
	}
	if f := w.takeActionFault(name); f != nil {
		a.Failed, a.ErrCode, a.ErrMsg = true, f.Code, f.Message
	}
	w.Actions[a.ID] = a
	return a
}

// Done reports whether the action has finished at now.
func (a *Action) Done(now time.Time) bool { return !now.Before(a.Finish) }

// State is the action's state at now.
func (a *Action) State(now time.Time) ActionState {
	switch {
	case !a.Done(now):
		return ActionRunning
	case a.Failed:
		return ActionFailed
	default:
		return ActionSucceeded
	}
}

// Progress is the percentage done at now, as the action's profile reports
// it: 100 only once the action is done, below 100 until then.
func (a *Action) Progress(now time.Time) int {
	if a.Done(now) {
		return 100
	}
	total := a.Finish.Sub(a.Started)
	if total <= 0 {
		return 0
	}
	return a.Profile.progress(float64(now.Sub(a.Started)) / float64(total))
}

// Touches reports whether the action touches the resource.
func (a *Action) Touches(typ RefType, id int64) bool {
	return slices.Contains(a.Resources, Ref{ID: id, Type: typ})
}

// Settle applies every transition whose actions are done, in the order they
// finished (ties by ID), however long nobody looked; assigns addresses that
// are due; and forgets tombstones whose time is up.
func (w *World) Settle(now time.Time) {
	type ready struct {
		m  *Machine
		at time.Time
	}
	var due []ready
	for _, m := range w.Machines {
		if !m.ipsAt.IsZero() && !now.Before(m.ipsAt) {
			w.assignIPs(m)
			m.ipsAt = time.Time{}
		}
		if m.Phase == Gone {
			if !now.Before(m.Deleted.Add(w.policy(m.Cloud).Tombstone)) {
				delete(w.Machines, m.ID)
			}
			continue
		}
		if m.Pending == nil {
			continue
		}
		at, done := w.transitionDone(m.Pending, now)
		if done {
			due = append(due, ready{m, at})
		}
	}
	slices.SortFunc(due, func(a, b ready) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.m.ID, b.m.ID))
	})
	for _, r := range due {
		m, t := r.m, r.m.Pending
		ok := true
		for _, id := range t.Actions {
			if a := w.Actions[id]; a.Failed {
				ok = false
				m.CreateFailed = m.CreateFailed || a.Kind == KindCreate || a.Kind == KindStart && m.Phase == Provisioning
			}
		}
		m.Phase = t.FailTo
		if ok {
			m.Phase = t.To
			if t.Size != "" {
				m.Size = t.Size
			}
			if t.DiskGB != 0 {
				m.DiskGB = t.DiskGB
			}
		}
		if m.Phase == Gone {
			m.Deleted = r.at
		}
		m.Pending = nil
	}
}

// transitionDone reports when the last action of t finishes and whether that
// is at or before now.
func (w *World) transitionDone(t *Transition, now time.Time) (time.Time, bool) {
	var last time.Time
	for _, id := range t.Actions {
		if f := w.Actions[id].Finish; f.After(last) {
			last = f
		}
	}
	return last, !now.Before(last)
}

// ipv4Base is 198.18.0.0/15, the benchmarking range: never routable, so a
// simulated address can't be mistaken for (or reach) a real host.
var ipv4Base = netip.MustParseAddr("198.18.0.0")

// ipv4Hosts is the number of usable addresses in the /15 (network and
// broadcast excluded); the sequence wraps around after that.
const ipv4Hosts = 1<<17 - 2

func (w *World) assignIPs(m *Machine) {
	if m.WantIPv4 && m.IPv4 == "" {
		n := w.ipv4Seq%ipv4Hosts + 1
		w.ipv4Seq++
		b := ipv4Base.As4()
		binary.BigEndian.PutUint32(b[:], binary.BigEndian.Uint32(b[:])+n)
		m.IPv4 = netip.AddrFrom4(b).String()
		m.IPv4ID = w.NewID()
	}
	if m.WantIPv6 && m.IPv6Net == "" {
		m.IPv6Net = w.nextIPv6Net()
		m.IPv6ID = w.NewID()
	}
}

// nextIPv6Net hands out /64 networks from 2001:db8::/32, the documentation
// prefix, one per machine.
func (w *World) nextIPv6Net() string {
	w.ipv6Seq++
	n := w.ipv6Seq
	b := [16]byte{0x20, 0x01, 0x0d, 0xb8}
	binary.BigEndian.PutUint32(b[4:8], n)
	return netip.PrefixFrom(netip.AddrFrom16(b), 64).String()
}

// MachineSpec is what a front end (or the admin API) has resolved and
// validated before asking the world for a machine.
type MachineSpec struct {
	Cloud    string
	Name     string
	Region   string
	Size     string
	DiskGB   int
	ImageID  int64
	Labels   map[string]string
	UserData string
	SSHKeys  []int64
	Zone     string
	Start    bool
	IPv4     bool
	IPv6     bool
	// IdempotencyKey, when set, is remembered: a second create with the
	// same key finds the first machine (see Idempotent).
	IdempotencyKey string
	// RequestDigest is kept on the machine (Machine.RequestDigest).
	RequestDigest string
}

// CreateMachine adds a machine that provisions for Delays.MachineReady. It
// returns the create action and, when the machine is to be started, the
// start action that finishes at the same instant.
func (w *World) CreateMachine(spec MachineSpec, now time.Time) (*Machine, *Action, *Action) {
	m := &Machine{
		ID:       w.NewID(),
		Cloud:    spec.Cloud,
		Name:     spec.Name,
		Region:   spec.Region,
		Size:     spec.Size,
		DiskGB:   spec.DiskGB,
		ImageID:  spec.ImageID,
		Labels:   spec.Labels,
		UserData: spec.UserData,
		SSHKeys:  spec.SSHKeys,
		Zone:     spec.Zone,
		Created:  now,
		Phase:    Provisioning,
		WantIPv4: spec.IPv4,
		WantIPv6: spec.IPv6,
	}
	m.IdempotencyKey, m.RequestDigest = spec.IdempotencyKey, spec.RequestDigest
	delay := w.Delays.MachineReady
	switch w.policy(spec.Cloud).IPs {
	case IPsAtCreate:
		w.assignIPs(m)
	case IPsWhileBooting:
		m.ipsAt = now.Add(delay / 2)
		if delay == 0 {
			w.assignIPs(m)
			m.ipsAt = time.Time{}
		}
	case IPsOnceRunning:
		m.ipsAt = now.Add(delay)
		if delay == 0 {
			w.assignIPs(m)
			m.ipsAt = time.Time{}
		}
	}
	ref := Ref{ID: m.ID, Type: RefMachine}
	create := w.NewAction(spec.Cloud, KindCreate, now, delay, ref)
	failTo := w.policy(spec.Cloud).FailedCreate
	if failTo == "" {
		failTo = Off
	}
	t := &Transition{Actions: []int64{create.ID}, To: Off, FailTo: failTo}
	var start *Action
	if spec.Start {
		start = w.NewAction(spec.Cloud, KindStart, now, delay, ref)
		t.Actions = append(t.Actions, start.ID)
		t.To = Running
	}
	m.Pending = t
	w.Machines[m.ID] = m
	if spec.IdempotencyKey != "" {
		w.idempotency[spec.Cloud+"\x00"+spec.IdempotencyKey] = m.ID
	}
	return m, create, start
}

// Idempotent returns the machine a create with this key made before, if it
// is still there (tombstones included, as EC2 answers a repeated
// ClientToken with the original reservation).
func (w *World) Idempotent(cloud, key string) *Machine {
	if key == "" {
		return nil
	}
	return w.Machines[w.idempotency[cloud+"\x00"+key]]
}

// Machine returns a live machine (not a tombstone) by ID, or nil.
func (w *World) Machine(id int64) *Machine {
	if m := w.Machines[id]; m != nil && m.Phase != Gone {
		return m
	}
	return nil
}

// Locked reports whether a snapshot is being taken of m.
func (w *World) Locked(m *Machine, now time.Time) bool {
	return m.LockAction != 0 && !w.Actions[m.LockAction].Done(now)
}

// Busy reports whether any action still runs on m; new actions on a busy
// machine are refused, as the real clouds do.
func (w *World) Busy(m *Machine, now time.Time) bool {
	return m.Pending != nil || w.Locked(m, now)
}

// DeleteMachine deletes m with an action; its actions stay queryable.
func (w *World) DeleteMachine(m *Machine, now time.Time) *Action {
	a := w.NewAction(m.Cloud, KindDelete, now, w.Delays.Action, Ref{ID: m.ID, Type: RefMachine})
	w.RemoveMachine(m, now)
	return a
}

// DeleteMachineSlowly deletes m with an action: the machine is in phase
// Deleting while the action runs (EC2's shutting-down) and then Gone, a
// tombstone for the cloud's Tombstone from then on (or removed at the next
// Settle when the cloud keeps none).
func (w *World) DeleteMachineSlowly(m *Machine, now time.Time) *Action {
	a := w.NewAction(m.Cloud, KindDelete, now, w.Delays.Action, Ref{ID: m.ID, Type: RefMachine})
	m.Pending = &Transition{Actions: []int64{a.ID}, To: Gone, FailTo: Gone}
	m.Phase = Deleting
	m.ipsAt = time.Time{}
	return a
}

// RemoveMachine deletes m without an action (an out-of-band delete): at
// once, or as a tombstone in phase Gone where the cloud's policy says so.
func (w *World) RemoveMachine(m *Machine, now time.Time) {
	if w.policy(m.Cloud).Tombstone <= 0 {
		delete(w.Machines, m.ID)
		return
	}
	m.Phase, m.Pending, m.Deleted = Gone, nil, now
}

// PowerAction runs a power action on m: the machine is in phase interim
// while the action runs and to afterwards (or its current phase if it
// failed).
func (w *World) PowerAction(m *Machine, kind Kind, interim, to Phase, now time.Time) *Action {
	a := w.NewAction(m.Cloud, kind, now, w.Delays.Action, Ref{ID: m.ID, Type: RefMachine})
	m.Pending = &Transition{Actions: []int64{a.ID}, To: to, FailTo: m.Phase}
	m.Phase = interim
	return a
}

// ChangeMachineSize moves a stopped machine to another size. The machine is
// Resizing while the action runs; afterwards it has the new size (and the
// new size's disk if upgradeDisk) and runs again. If the action fails the
// machine is in its old phase with its old size.
func (w *World) ChangeMachineSize(m *Machine, to *Size, upgradeDisk bool, now time.Time) *Action {
	a := w.NewAction(m.Cloud, KindResize, now, w.Delays.Action, Ref{ID: m.ID, Type: RefMachine})
	t := &Transition{Actions: []int64{a.ID}, To: Running, FailTo: m.Phase, Size: to.Name}
	if upgradeDisk {
		t.DiskGB = to.DiskGB
	}
	m.Pending = t
	m.Phase = Resizing
	return a
}

// SnapshotMachine starts a snapshot of m. The image is pending until the
// snapshot action finishes; m is locked meanwhile.
func (w *World) SnapshotMachine(m *Machine, description string, labels map[string]string, now time.Time) (*Image, *Action) {
	src := w.Images[m.ImageID]
	img := &Image{
		ID:          w.NewID(),
		Cloud:       m.Cloud,
		Kind:        "snapshot",
		Description: description,
		Labels:      labels,
		Created:     now,
		FromMachine: m.ID,
		FromName:    m.Name,
		Region:      m.Region,
		DiskGB:      float64(m.DiskGB), // a snapshot is as big as the disk it copies
		Arch:        w.Catalog(m.Cloud).Size(m.Size).Arch,
	}
	if src != nil {
		img.OSFlavor, img.OSVersion = src.OSFlavor, src.OSVersion
	}
	a := w.NewAction(m.Cloud, KindSnapshot, now, w.Delays.ImageReady,
		Ref{ID: m.ID, Type: RefMachine}, Ref{ID: img.ID, Type: RefImage})
	img.Action = a.ID
	m.LockAction = a.ID
	w.Images[img.ID] = img
	return img, a
}

// AddDisk records the disk snapshot behind img (made by its snapshot
// action, of the image's machine and size), with its own labels.
func (w *World) AddDisk(img *Image, sizeGB int, labels map[string]string) *DiskSnapshot {
	d := &DiskSnapshot{ID: w.NewID(), Cloud: img.Cloud, Region: img.Region, SizeGB: sizeGB, FromMachine: img.FromMachine,
		Description: img.Description, Labels: labels, Created: img.Created, Action: img.Action}
	w.Disks[d.ID] = d
	img.Disk = d.ID
	return d
}

// DiskInUse returns an image made from the disk snapshot, or nil.
func (w *World) DiskInUse(id int64) *Image {
	for _, img := range SortedValues(w.Images) {
		if img.Disk == id {
			return img
		}
	}
	return nil
}

// DiskDone reports whether the disk snapshot has been written at now.
func (w *World) DiskDone(d *DiskSnapshot, now time.Time) bool {
	a := w.Actions[d.Action]
	return a == nil || a.Done(now)
}

// DisksOf returns the cloud's disk snapshots by ID.
func (w *World) DisksOf(cloud string) []*DiskSnapshot {
	return ofCloud(w.Disks, func(d *DiskSnapshot) bool { return d.Cloud == cloud })
}

// ImageState is the image's state at now: system images are always available; a snapshot is pending
// while its action runs, then available, or failed if the action failed.
func (w *World) ImageState(img *Image, now time.Time) ImageState {
	if img.Action == 0 {
		return ImageAvailable
	}
	switch w.Actions[img.Action].State(now) {
	case ActionRunning:
		return ImagePending
	case ActionFailed:
		return ImageFailed
	default:
		return ImageAvailable
	}
}

// ImageVisible reports whether the image exists for its cloud's API at now:
// always, except a snapshot of a SnapshotOnCompletion cloud whose action
// has not completed.
func (w *World) ImageVisible(img *Image, now time.Time) bool {
	return img.Action == 0 || w.policy(img.Cloud).Snapshots == SnapshotAtOnce ||
		w.Actions[img.Action].Done(now)
}

// ImageBusy reports whether the snapshot is still being written.
func (w *World) ImageBusy(img *Image, now time.Time) bool {
	return img.Action != 0 && !w.Actions[img.Action].Done(now)
}

// MachineByName finds a live machine of the cloud by name.
func (w *World) MachineByName(cloud, name string) *Machine {
	for _, m := range w.Machines {
		if m.Cloud == cloud && m.Name == name && m.Phase != Gone {
			return m
		}
	}
	return nil
}

// SSHKeyByName finds an SSH key of the cloud by name.
func (w *World) SSHKeyByName(cloud, name string) *SSHKey {
	for _, k := range w.SSHKeys {
		if k.Cloud == cloud && k.Name == name {
			return k
		}
	}
	return nil
}

// SSHKeyByFingerprint finds an SSH key of the cloud by fingerprint.
func (w *World) SSHKeyByFingerprint(cloud, fp string) *SSHKey {
	for _, k := range w.SSHKeys {
		if k.Cloud == cloud && k.Fingerprint == fp {
			return k
		}
	}
	return nil
}

// One world holds every cloud's resources; a front end sees only its own.

// MachinesOf returns the cloud's machines (tombstones included) by ID.
func (w *World) MachinesOf(cloud string) []*Machine {
	return ofCloud(w.Machines, func(m *Machine) bool { return m.Cloud == cloud })
}

// MachineOf returns a machine of the cloud (or a tombstone), or nil.
func (w *World) MachineOf(cloud string, id int64) *Machine {
	if m := w.Machines[id]; m != nil && m.Cloud == cloud {
		return m
	}
	return nil
}

// ImagesOf returns the cloud's images visible at now, by ID.
func (w *World) ImagesOf(cloud string, now time.Time) []*Image {
	return ofCloud(w.Images, func(img *Image) bool { return img.Cloud == cloud && w.ImageVisible(img, now) })
}

// ImageOf returns an image of the cloud visible at now, or nil.
func (w *World) ImageOf(cloud string, id int64, now time.Time) *Image {
	if img := w.Images[id]; img != nil && img.Cloud == cloud && w.ImageVisible(img, now) {
		return img
	}
	return nil
}

// ActionsOf returns the cloud's actions by ID.
func (w *World) ActionsOf(cloud string) []*Action {
	return ofCloud(w.Actions, func(a *Action) bool { return a.Cloud == cloud })
}

// ActionOf returns an action of the cloud, or nil.
func (w *World) ActionOf(cloud string, id int64) *Action {
	if a := w.Actions[id]; a != nil && a.Cloud == cloud {
		return a
	}
	return nil
}

// SSHKeysOf returns the cloud's SSH keys by ID.
func (w *World) SSHKeysOf(cloud string) []*SSHKey {
	return ofCloud(w.SSHKeys, func(k *SSHKey) bool { return k.Cloud == cloud })
}

// SSHKeyOf returns an SSH key of the cloud, or nil.
func (w *World) SSHKeyOf(cloud string, id int64) *SSHKey {
	if k := w.SSHKeys[id]; k != nil && k.Cloud == cloud {
		return k
	}
	return nil
}

func ofCloud[T any](m map[int64]*T, keep func(*T) bool) []*T {
	var out []*T
	for _, v := range SortedValues(m) {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// SortedValues returns the map's values ordered by ID, the natural order of
// every list the clouds return.
func SortedValues[T any](m map[int64]*T) []*T {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]*T, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out
}

// SortedKeys returns the label keys in order.
func SortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// CloneLabels copies labels; a nil map gives an empty one.
func CloneLabels(l map[string]string) map[string]string {
	out := make(map[string]string, len(l))
	for k, v := range l {
		out[k] = v
	}
	return out
}
