package sim

import (
	"cmp"
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// firstID is where the shared ID sequence starts after New and Reset. One
// sequence serves every kind of resource, so a server ID never equals an
// image or action ID: a client that confuses them gets a 404 instead of
// silently touching the wrong thing.
const firstID = 100000

// Action statuses, the same words in every cloud the simulator speaks so far.
const (
	actionRunning = "running"
	actionSuccess = "success"
	actionError   = "error"
)

// world is the cloud-neutral state. Every field is guarded by mu; the
// methods below expect the caller to hold it.
type world struct {
	mu sync.Mutex

	clock  func() time.Time
	offset time.Duration // moved forward by the admin API

	serverReadyDelay time.Duration
	imageReadyDelay  time.Duration
	actionDelay      time.Duration

	catalog catalog

	nextID   int64
	ipv4Seq  uint32
	ipv6Seq  uint32
	machines map[int64]*machine
	images   map[int64]*image // seeded system images and snapshots
	actions  map[int64]*action
	sshKeys  map[int64]*sshKey

	faults  []*Fault
	counts  map[string]int
	limiter limiter

	rates       FaultRates     // configuration: survives reset
	seed        int64          // the generator's seed, never 0; reset starts its stream over
	rng         *rand.Rand     // draws each cloud request's random fate; see draw
	faultCounts map[string]int // applied faults by kind; see Sim.FaultCounts
}

// machine is a virtual server.
type machine struct {
	ID       int64
	Name     string
	Region   string // region (location) name
	Size     string // size (server type) name
	DiskGB   int    // primary disk; grows with a change of size only when asked to
	ImageID  int64
	Labels   map[string]string
	UserData string // never rendered by the cloud API or logged; the admin API shows it only when asked for secrets
	SSHKeys  []int64
	Created  time.Time

	status  string      // settled status; see settle
	pending *transition // status change waiting for its actions

	wantIPv4, wantIPv6 bool
	IPv4               string // assigned at creation, as Hetzner's primary IPs are
	IPv4ID             int64
	IPv6Net            string
	IPv6ID             int64

	lockAction int64 // create_image action that locks the machine while it runs
}

// A transition moves a machine to a new status when all its actions are
// done: to on success, failTo when any of them failed. A successful
// transition can also give the machine a new size and disk (a change of
// size); a failed one leaves both as they were.
type transition struct {
	actions []int64
	to      string
	failTo  string
	size    string // new size on success; "" = unchanged
	diskGB  int    // new disk on success; 0 = unchanged
}

// image is a system image (seeded) or a snapshot taken from a machine.
type image struct {
	ID          int64
	Kind        string // "system" or "snapshot"
	Name        string // system images only; snapshots have no name
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
	Action      int64 // the create_image action of a snapshot
}

// action is an asynchronous operation. Its status is a function of the clock:
// running until Finish, then success, or error when ErrCode is set.
type action struct {
	ID        int64
	Command   string
	Started   time.Time
	Finish    time.Time
	Resources []resourceRef
	ErrCode   string
	ErrMsg    string
}

type resourceRef struct {
	ID   int64
	Type string // "server", "image"
}

type sshKey struct {
	ID          int64
	Name        string
	Fingerprint string
	PublicKey   string
	Labels      map[string]string
	Created     time.Time
}

func newWorld(opts Options) *world {
	w := &world{
		clock:            opts.Now,
		serverReadyDelay: opts.ServerReadyDelay,
		imageReadyDelay:  opts.ImageReadyDelay,
		actionDelay:      opts.ActionDelay,
		catalog:          hetznerCatalog(),
		limiter:          newLimiter(opts.RateLimit),
		rates:            opts.Faults,
		seed:             effectiveSeed(opts.Seed),
	}
	if w.clock == nil {
		w.clock = time.Now
	}
	w.reset()
	return w
}

// reset empties the world but keeps the catalog, the delays, the limits and
// the fault rates. The random stream starts over from the seed.
func (w *world) reset() {
	w.offset = 0
	w.nextID = firstID
	w.ipv4Seq, w.ipv6Seq = 0, 0
	w.machines = map[int64]*machine{}
	w.images = map[int64]*image{}
	for _, img := range w.catalog.images {
		w.images[img.ID] = &img
	}
	w.actions = map[int64]*action{}
	w.sshKeys = map[int64]*sshKey{}
	w.faults = nil
	w.counts = map[string]int{}
	w.faultCounts = map[string]int{}
	w.rng = newRNG(w.seed)
	w.limiter.reset()
}

func (w *world) now() time.Time { return w.clock().Add(w.offset).UTC() }

func (w *world) newID() int64 {
	w.nextID++
	return w.nextID
}

// newAction records an action that finishes after delay. A pending action
// fault for its command decides now whether it will end in error.
func (w *world) newAction(command string, now time.Time, delay time.Duration, res ...resourceRef) *action {
	a := &action{ID: w.newID(), Command: command, Started: now, Finish: now.Add(delay), Resources: res}
	if f := w.takeActionFault(command); f != nil {
		a.ErrCode, a.ErrMsg = f.Code, f.Message
		if a.ErrCode == "" {
			a.ErrCode = "action_failed"
		}
		if a.ErrMsg == "" {
			a.ErrMsg = "Action failed"
		}
	}
	w.actions[a.ID] = a
	return a
}

func (a *action) done(now time.Time) bool { return !now.Before(a.Finish) }

func (a *action) status(now time.Time) string {
	switch {
	case !a.done(now):
		return actionRunning
	case a.ErrCode != "":
		return actionError
	default:
		return actionSuccess
	}
}

// progress grows linearly with the clock; 100 only once the action is done.
func (a *action) progress(now time.Time) int {
	if a.done(now) {
		return 100
	}
	total := a.Finish.Sub(a.Started)
	if total <= 0 {
		return 0
	}
	p := int(100 * float64(now.Sub(a.Started)) / float64(total))
	return min(max(p, 0), 99)
}

func (a *action) touches(typ string, id int64) bool {
	return slices.Contains(a.Resources, resourceRef{ID: id, Type: typ})
}

// settle applies every transition whose actions are done, in the order they
// finished (ties by ID), however long nobody looked.
func (w *world) settle(now time.Time) {
	type ready struct {
		m  *machine
		at time.Time
	}
	var due []ready
	for _, m := range w.machines {
		if m.pending == nil {
			continue
		}
		at, done := w.transitionDone(m.pending, now)
		if done {
			due = append(due, ready{m, at})
		}
	}
	slices.SortFunc(due, func(a, b ready) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.m.ID, b.m.ID))
	})
	for _, r := range due {
		m, t := r.m, r.m.pending
		ok := true
		for _, id := range t.actions {
			if w.actions[id].ErrCode != "" {
				ok = false
			}
		}
		m.status = t.failTo
		if ok {
			m.status = t.to
			if t.size != "" {
				m.Size = t.size
			}
			if t.diskGB != 0 {
				m.DiskGB = t.diskGB
			}
		}
		m.pending = nil
	}
}

// transitionDone reports when the last action of t finishes and whether that
// is at or before now.
func (w *world) transitionDone(t *transition, now time.Time) (time.Time, bool) {
	var last time.Time
	for _, id := range t.actions {
		if f := w.actions[id].Finish; f.After(last) {
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

func (w *world) assignIPs(m *machine) {
	if m.wantIPv4 && m.IPv4 == "" {
		n := w.ipv4Seq%ipv4Hosts + 1
		w.ipv4Seq++
		b := ipv4Base.As4()
		binary.BigEndian.PutUint32(b[:], binary.BigEndian.Uint32(b[:])+n)
		m.IPv4 = netip.AddrFrom4(b).String()
		m.IPv4ID = w.newID()
	}
}

// nextIPv6Net hands out /64 networks from 2001:db8::/32, the documentation
// prefix, one per machine.
func (w *world) nextIPv6Net() string {
	w.ipv6Seq++
	n := w.ipv6Seq
	b := [16]byte{0x20, 0x01, 0x0d, 0xb8}
	binary.BigEndian.PutUint32(b[4:8], n)
	return netip.PrefixFrom(netip.AddrFrom16(b), 64).String()
}

// machineSpec is what a front end has resolved and validated before asking
// the world for a machine.
type machineSpec struct {
	Name     string
	Region   string
	Size     string
	DiskGB   int
	ImageID  int64
	Labels   map[string]string
	UserData string
	SSHKeys  []int64
	Start    bool
	IPv4     bool
	IPv6     bool
}

// createMachine adds a machine that initializes for serverReadyDelay. It
// returns the create action and, when the machine is to be started, the
// start action that finishes at the same instant.
func (w *world) createMachine(spec machineSpec, now time.Time) (*machine, *action, *action) {
	m := &machine{
		ID:       w.newID(),
		Name:     spec.Name,
		Region:   spec.Region,
		Size:     spec.Size,
		DiskGB:   spec.DiskGB,
		ImageID:  spec.ImageID,
		Labels:   spec.Labels,
		UserData: spec.UserData,
		SSHKeys:  spec.SSHKeys,
		Created:  now,
		status:   "initializing",
		wantIPv4: spec.IPv4,
		wantIPv6: spec.IPv6,
	}
	// Hetzner creates a server's primary IPs with it: the create answer
	// already carries both addresses, while the server is initializing.
	w.assignIPs(m)
	if m.wantIPv6 {
		m.IPv6Net = w.nextIPv6Net()
		m.IPv6ID = w.newID()
	}
	ref := resourceRef{ID: m.ID, Type: "server"}
	create := w.newAction("create_server", now, w.serverReadyDelay, ref)
	t := &transition{actions: []int64{create.ID}, to: "off", failTo: "off"}
	var start *action
	if spec.Start {
		start = w.newAction("start_server", now, w.serverReadyDelay, ref)
		t.actions = append(t.actions, start.ID)
		t.to = "running"
	}
	m.pending = t
	w.machines[m.ID] = m
	return m, create, start
}

// locked reports whether a snapshot is being taken of m.
func (w *world) locked(m *machine, now time.Time) bool {
	return m.lockAction != 0 && !w.actions[m.lockAction].done(now)
}

// busy reports whether any action still runs on m; new actions on a busy
// machine are refused, as the real clouds do.
func (w *world) busy(m *machine, now time.Time) bool {
	return m.pending != nil || w.locked(m, now)
}

// deleteMachine removes m at once; its actions stay queryable.
func (w *world) deleteMachine(m *machine, now time.Time) *action {
	a := w.newAction("delete_server", now, w.actionDelay, resourceRef{ID: m.ID, Type: "server"})
	delete(w.machines, m.ID)
	return a
}

// powerAction runs a power command on m: the machine shows interim while
// the action runs and to afterwards (or its current status if it failed).
func (w *world) powerAction(m *machine, command, interim, to string, now time.Time) *action {
	a := w.newAction(command, now, w.actionDelay, resourceRef{ID: m.ID, Type: "server"})
	m.pending = &transition{actions: []int64{a.ID}, to: to, failTo: m.status}
	m.status = interim
	return a
}

// changeMachineSize moves a stopped machine to another size. The machine
// shows "migrating" while the action runs; afterwards it has the new size
// (and the new size's disk if upgradeDisk) and is started again: Hetzner
// copies the disk and starts the server ("This copies the content of its
// disk, and starts it again", API reference for change_type). If the action
// fails the machine is off with its old size.
func (w *world) changeMachineSize(m *machine, to *size, upgradeDisk bool, now time.Time) *action {
	a := w.newAction("change_server_type", now, w.actionDelay, resourceRef{ID: m.ID, Type: "server"})
	t := &transition{actions: []int64{a.ID}, to: "running", failTo: m.status, size: to.Name}
	if upgradeDisk {
		t.diskGB = to.DiskGB
	}
	m.pending = t
	m.status = "migrating"
	return a
}

// snapshotMachine starts a snapshot of m. The image is "creating" until the
// create_image action finishes; m is locked meanwhile.
func (w *world) snapshotMachine(m *machine, description string, labels map[string]string, now time.Time) (*image, *action) {
	src := w.images[m.ImageID]
	img := &image{
		ID:          w.newID(),
		Kind:        "snapshot",
		Description: description,
		Labels:      labels,
		Created:     now,
		FromMachine: m.ID,
		FromName:    m.Name,
		DiskGB:      float64(m.DiskGB), // a snapshot is as big as the disk it copies
		Arch:        w.catalog.size(m.Size).Arch,
	}
	if src != nil {
		img.OSFlavor, img.OSVersion = src.OSFlavor, src.OSVersion
	}
	a := w.newAction("create_image", now, w.imageReadyDelay,
		resourceRef{ID: m.ID, Type: "server"}, resourceRef{ID: img.ID, Type: "image"})
	img.Action = a.ID
	m.lockAction = a.ID
	w.images[img.ID] = img
	return img, a
}

// imageStatus: system images are always available; a snapshot is creating
// while its action runs, then available, or unavailable if the action failed.
func (w *world) imageStatus(img *image, now time.Time) string {
	if img.Action == 0 {
		return "available"
	}
	switch w.actions[img.Action].status(now) {
	case actionRunning:
		return "creating"
	case actionError:
		return "unavailable"
	default:
		return "available"
	}
}

// imageBusy reports whether the snapshot is still being written.
func (w *world) imageBusy(img *image, now time.Time) bool {
	return img.Action != 0 && !w.actions[img.Action].done(now)
}

func (w *world) machineByName(name string) *machine {
	for _, m := range w.machines {
		if m.Name == name {
			return m
		}
	}
	return nil
}

func (w *world) sshKeyByName(name string) *sshKey {
	for _, k := range w.sshKeys {
		if k.Name == name {
			return k
		}
	}
	return nil
}

func (w *world) sshKeyByFingerprint(fp string) *sshKey {
	for _, k := range w.sshKeys {
		if k.Fingerprint == fp {
			return k
		}
	}
	return nil
}

// sortedValues returns the map's values ordered by ID, the natural order of
// every list the clouds return.
func sortedValues[T any](m map[int64]*T) []*T {
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

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func cloneLabels(l map[string]string) map[string]string {
	out := make(map[string]string, len(l))
	for k, v := range l {
		out[k] = v
	}
	return out
}
