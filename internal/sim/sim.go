package sim

import (
	"maps"
	"net/http"
	"strconv"
	"time"
)

// Options configure a simulator. The zero value is a usable simulator with
// instant transitions, any token accepted and the real rate limit.
type Options struct {
	ServerReadyDelay time.Duration    // initializing -> running (the public IPv4 is there from the create answer on, as on Hetzner). 0 = next read sees running.
	ImageReadyDelay  time.Duration    // snapshot image creating -> available (and its create_image action -> success)
	ActionDelay      time.Duration    // other actions (delete_server etc.) running -> success; default 0
	Tokens           []string         // allow-list; empty = any non-empty bearer token is accepted
	RateLimit        int              // bucket size per token, refills 1 request/s; 0 means the real default 3600; negative disables limiting (headers still sent)
	Now              func() time.Time // clock; nil = time.Now (tests may inject a fake clock)
	Faults           FaultRates       // random faults and latency for every cloud request; New panics if they don't Validate
	Seed             int64            // seed of the random faults; 0 = seeded from the time (Seed reports it)
}

// Sim is a running simulator: one world and the front ends serving it.
// All methods are safe for concurrent use.
type Sim struct {
	w       *world
	handler http.Handler
}

// Server is a snapshot of a simulated server.
type Server struct {
	ID         int64             `json:"id"`
	Name       string            `json:"name"`
	Status     string            `json:"status"`
	Location   string            `json:"location"`
	ServerType string            `json:"server_type"`
	Image      string            `json:"image"` // system image name, or the image ID in decimal for snapshots
	IPv4       string            `json:"ipv4"`  // from creation on; "" when created without IPv4
	Labels     map[string]string `json:"labels"`
	Created    time.Time         `json:"created"`
	UserData   string            `json:"user_data,omitempty"` // only from ServersWithSecrets
}

// Image is a snapshot of a simulated snapshot image.
type Image struct {
	ID          int64             `json:"id"`
	Type        string            `json:"type"`
	Status      string            `json:"status"`
	Description string            `json:"description"`
	CreatedFrom int64             `json:"created_from"`
	Labels      map[string]string `json:"labels"`
	Created     time.Time         `json:"created"`
}

// New returns a simulator with an empty world. It panics when opts.Faults
// are invalid: check them with FaultRates.Validate first.
func New(opts Options) *Sim {
	if err := opts.Faults.Validate(); err != nil {
		panic("sim: invalid Options.Faults: " + err.Error())
	}
	w := newWorld(opts)
	s := &Sim{w: w}
	mux := http.NewServeMux()
	mux.Handle("/v1/", newHetzner(w, opts.Tokens))
	mux.Handle("/_sim/", newAdmin(s))
	mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusNotFound)
		_, _ = rw.Write(mustJSON(hzErrorBody{hzErrorPayload{Code: "not_found",
			Message: "not found: the Hetzner API is under /v1/, the admin API under /_sim/", Details: struct{}{}}}))
	})
	s.handler = mux
	return s
}

// Handler serves the Hetzner API under /v1/ and the admin API under /_sim/.
func (s *Sim) Handler() http.Handler { return s.handler }

// Reset empties the world (the seeded catalog stays) and clears request
// and fault counts, scripted faults, rate-limit buckets and any clock
// advance. Delays, tokens, the rate limit and the fault rates stay as
// configured; IDs and addresses start over, and so does the random stream,
// so the same requests after a Reset meet the same random faults.
func (s *Sim) Reset() {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	s.w.reset()
}

// SetDelays changes the transition delays for resources created from now on.
func (s *Sim) SetDelays(serverReady, imageReady time.Duration) {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	s.w.serverReadyDelay, s.w.imageReadyDelay = serverReady, imageReady
}

// Servers returns copies of all servers as of now, sorted by ID, without
// their user data.
func (s *Sim) Servers() []Server { return s.servers(false) }

// ServersWithSecrets is Servers with each server's user data, which the
// cloud API never shows back.
func (s *Sim) ServersWithSecrets() []Server { return s.servers(true) }

func (s *Sim) servers(secrets bool) []Server {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	now := s.w.now()
	s.w.settle(now)
	var out []Server
	for _, m := range sortedValues(s.w.machines) {
		img := strconv.FormatInt(m.ImageID, 10)
		if i := s.w.images[m.ImageID]; i != nil && i.Name != "" {
			img = i.Name
		}
		srv := Server{
			ID: m.ID, Name: m.Name, Status: m.status, Location: m.Region, ServerType: m.Size,
			Image: img, IPv4: m.IPv4, Labels: cloneLabels(m.Labels), Created: m.Created,
		}
		if secrets {
			srv.UserData = m.UserData
		}
		out = append(out, srv)
	}
	return out
}

// Images returns copies of the snapshot images (not the seeded system
// images) as of now, sorted by ID.
func (s *Sim) Images() []Image {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	now := s.w.now()
	var out []Image
	for _, img := range sortedValues(s.w.images) {
		if img.Kind == "system" {
			continue
		}
		out = append(out, Image{
			ID: img.ID, Type: img.Kind, Status: s.w.imageStatus(img, now), Description: img.Description,
			CreatedFrom: img.FromMachine, Labels: cloneLabels(img.Labels), Created: img.Created,
		})
	}
	return out
}

// InjectFault arms a fault; see Fault for the matching rules.
func (s *Sim) InjectFault(f Fault) {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	s.w.addFault(f)
}

// RequestCounts returns how often each route was requested, keyed like
// "GET /v1/servers/{id}". Requests that match no route count under
// "GET (no route)". Faulted, dropped, unauthorized and rate-limited
// requests count too, and so do requests whose client gave up during an
// injected latency: they all reached the simulator. The admin API is not
// counted.
func (s *Sim) RequestCounts() map[string]int {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	return maps.Clone(s.w.counts)
}

// SetFaultRates replaces the random fault rates and latency for requests
// arriving from now on. Invalid rates are refused and change nothing.
func (s *Sim) SetFaultRates(r FaultRates) error {
	if err := r.Validate(); err != nil {
		return err
	}
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	s.w.rates = r
	return nil
}

// FaultRates returns the random fault rates and latency in force.
func (s *Sim) FaultRates() FaultRates {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	return s.w.rates
}

// Seed returns the seed of the random faults: Options.Seed, or the one
// taken from the time when that was 0. A simulator started with it meets
// the same random faults for the same sequence of requests.
func (s *Sim) Seed() int64 {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	return s.w.seed
}

// Reseed restarts the random stream from seed (0 = from the time).
func (s *Sim) Reseed(seed int64) {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	s.w.seed = effectiveSeed(seed)
	s.w.rng = newRNG(s.w.seed)
}

// FaultCounts returns how many faults were applied since New or Reset, by
// kind: "server_error", "rate_limit" and "drop" count random faults,
// "latency" the requests delayed by Latency or LatencyJitter, and
// "scripted" the scripted faults that fired (request faults, before or
// after, and action faults). Every key is present. A request can count as
// delayed and faulted; a random fault drawn for a request that a scripted
// fault answered first does not count.
func (s *Sim) FaultCounts() map[string]int {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	out := make(map[string]int, len(faultCountKeys))
	for _, k := range faultCountKeys {
		out[k] = s.w.faultCounts[k]
	}
	return out
}
