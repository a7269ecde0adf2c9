package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim/frontend"
	"github.com/spuff/terraform-provider-spuff/internal/sim/hetzner"
	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// admin is the simulator's own API under /_sim/, kept apart from every
// cloud path so it can never be mistaken for a cloud endpoint. It needs no
// token: it's for whoever runs the simulator. JSON in, JSON out; errors are
// {"error": "..."}.
//
//	POST   /_sim/reset     empty the world, counters, faults and buckets
//	GET    /_sim/config    the delays (Go duration strings) and rate limit
//	POST   /_sim/config    change delays: {"server_ready_delay":"2s","image_ready_delay":"1s","action_delay":"0s"}; omitted keys stay
//	POST   /_sim/faults    arm a Fault: {"method","path","status","code","message","times","drop","after"}
//	GET    /_sim/faults    the armed faults
//	DELETE /_sim/faults    disarm all scripted faults (the rates stay)
//	GET    /_sim/faults/rates   the random fault rates, latency and seed:
//	                            {"server_error":0.1,"rate_limit":0.05,"drop":0.02,"latency":"20ms","latency_jitter":"5ms","seed":42}
//	POST   /_sim/faults/rates   change them; omitted keys stay; "seed" restarts the random stream (0 = from the time)
//	DELETE /_sim/faults/rates   all rates and latency back to 0
//	GET    /_sim/faults/counts  applied faults by kind, as FaultCounts()
//	POST   /_sim/clock     move the clock forward: {"advance":"30s"}
//	GET    /_sim/state     {"servers":[...],"images":[...]} as Servers() and Images();
//	                       ?secrets=1 adds each server's user_data (as ServersWithSecrets())
//	GET    /_sim/requests  request counts by route, as RequestCounts() (fault counts: /_sim/faults/counts)
//
// Out-of-band changes, in no cloud's wire format (as if someone used the
// console; nothing is counted, faulted or rate-limited):
//
//	POST   /_sim/machines               create a machine: {"cloud","name","region","size","image","labels","user_data"} (as CreateMachine)
//	GET    /_sim/machines/{id}          one machine, as in /_sim/state
//	POST   /_sim/machines/{id}/delete   delete it (as DeleteMachine)
//	PUT    /_sim/machines/{id}/labels   replace its labels: {"labels":{...}} (as SetLabels)
//	POST   /_sim/machines/{id}/stop     power it off at once (as StopMachine)
//	POST   /_sim/images/{id}/delete     delete a snapshot (as DeleteImage)
//	PUT    /_sim/images/{id}/labels     replace a snapshot's labels: {"labels":{...}} (as SetImageLabels)
type admin struct {
	s      *Sim
	routes frontend.Router[adminHandler]
}

// adminHandler serves one admin route; q is the request's query, id its
// path parameters.
type adminHandler func(a *admin, c adminCall) (int, any, error)

type adminCall struct {
	body []byte
	q    url.Values
	id   map[string]int64
}

func newAdmin(s *Sim) *admin {
	a := &admin{s: s}
	a.routes.Handle("POST", "/_sim/reset", (*admin).reset)
	a.routes.Handle("GET", "/_sim/config", (*admin).getConfig)
	a.routes.Handle("POST", "/_sim/config", (*admin).setConfig)
	a.routes.Handle("POST", "/_sim/faults", (*admin).addFault)
	a.routes.Handle("GET", "/_sim/faults", (*admin).listFaults)
	a.routes.Handle("DELETE", "/_sim/faults", (*admin).clearFaults)
	a.routes.Handle("GET", "/_sim/faults/rates", (*admin).getRates)
	a.routes.Handle("POST", "/_sim/faults/rates", (*admin).setRates)
	a.routes.Handle("DELETE", "/_sim/faults/rates", (*admin).clearRates)
	a.routes.Handle("GET", "/_sim/faults/counts", (*admin).faultCounts)
	a.routes.Handle("POST", "/_sim/clock", (*admin).advanceClock)
	a.routes.Handle("GET", "/_sim/state", (*admin).state)
	a.routes.Handle("GET", "/_sim/requests", (*admin).requests)
	a.routes.Handle("POST", "/_sim/machines", (*admin).createMachine)
	a.routes.Handle("GET", "/_sim/machines/{id}", (*admin).getMachine)
	a.routes.Handle("POST", "/_sim/machines/{id}/delete", (*admin).deleteMachine)
	a.routes.Handle("PUT", "/_sim/machines/{id}/labels", (*admin).setLabels)
	a.routes.Handle("POST", "/_sim/machines/{id}/stop", (*admin).stopMachine)
	a.routes.Handle("POST", "/_sim/images/{id}/delete", (*admin).deleteImage)
	a.routes.Handle("PUT", "/_sim/images/{id}/labels", (*admin).setImageLabels)
	return a
}

// errBadRequest marks admin errors that are the caller's fault.
var errBadRequest = errors.New("bad request")

func (a *admin) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	status, v := a.serve(r)
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_, _ = rw.Write(mustJSON(v))
}

func (a *admin) serve(r *http.Request) (int, any) {
	h, ids, _, routeStatus := a.routes.Match(r.Method, r.URL.Path)
	if routeStatus != 0 {
		return routeStatus, adminError(fmt.Sprintf("%s %s: %s", r.Method, r.URL.Path, http.StatusText(routeStatus)))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, frontend.MaxBody))
	if err != nil {
		return http.StatusBadRequest, adminError("reading body: " + err.Error())
	}
	status, v, err := h(a, adminCall{body: body, q: r.URL.Query(), id: ids})
	switch {
	case errors.Is(err, errBadRequest), errors.Is(err, ErrInvalid):
		return http.StatusBadRequest, adminError(err.Error())
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound, adminError(err.Error())
	case err != nil:
		return http.StatusInternalServerError, adminError(err.Error())
	}
	return status, v
}

func adminError(msg string) map[string]string { return map[string]string{"error": msg} }

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, args...))
}

func decodeStrict(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return badRequest("%v", err)
	}
	return nil
}

func (a *admin) reset(adminCall) (int, any, error) {
	a.s.Reset()
	return http.StatusOK, map[string]any{}, nil
}

type adminConfig struct {
	ServerReadyDelay string `json:"server_ready_delay"`
	ImageReadyDelay  string `json:"image_ready_delay"`
	ActionDelay      string `json:"action_delay"`
	RateLimit        int    `json:"rate_limit"` // read-only: set at start
	RateLimitEnabled bool   `json:"rate_limit_enabled"`
	Now              string `json:"now"` // the simulator clock, RFC 3339
}

func (a *admin) config() adminConfig {
	w := a.s.w
	w.Lock()
	defer w.Unlock()
	lim := w.Limiter(hetzner.Name)
	return adminConfig{
		ServerReadyDelay: w.Delays.MachineReady.String(),
		ImageReadyDelay:  w.Delays.ImageReady.String(),
		ActionDelay:      w.Delays.Action.String(),
		RateLimit:        lim.Size(),
		RateLimitEnabled: lim.Enabled(),
		Now:              w.Now().Format(time.RFC3339Nano),
	}
}

func (a *admin) getConfig(adminCall) (int, any, error) {
	return http.StatusOK, a.config(), nil
}

func (a *admin) setConfig(c adminCall) (int, any, error) {
	var req struct {
		ServerReadyDelay *string `json:"server_ready_delay"`
		ImageReadyDelay  *string `json:"image_ready_delay"`
		ActionDelay      *string `json:"action_delay"`
	}
	if err := decodeStrict(c.body, &req); err != nil {
		return 0, nil, err
	}
	// Parse everything first so a bad value changes nothing.
	parse := func(name string, s *string, dst *time.Duration) error {
		if s == nil {
			return nil
		}
		d, err := time.ParseDuration(*s)
		if err != nil || d < 0 {
			return badRequest("%s: %q is not a non-negative Go duration", name, *s)
		}
		*dst = d
		return nil
	}
	w := a.s.w
	w.Lock()
	server, img, act := w.Delays.MachineReady, w.Delays.ImageReady, w.Delays.Action
	w.Unlock()
	if err := errors.Join(
		parse("server_ready_delay", req.ServerReadyDelay, &server),
		parse("image_ready_delay", req.ImageReadyDelay, &img),
		parse("action_delay", req.ActionDelay, &act),
	); err != nil {
		return 0, nil, err
	}
	w.Lock()
	w.Delays = world.Delays{MachineReady: server, ImageReady: img, Action: act}
	w.Unlock()
	return http.StatusOK, a.config(), nil
}

func (a *admin) addFault(c adminCall) (int, any, error) {
	var f Fault
	if err := decodeStrict(c.body, &f); err != nil {
		return 0, nil, err
	}
	if f.Path == "" {
		return 0, nil, badRequest("path is required")
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		return 0, nil, badRequest("status %d is not an error status", f.Status)
	}
	if f.IsAction() && (f.Drop || f.After) {
		return 0, nil, badRequest("drop and after apply to request faults, not to %s", f.Path)
	}
	if f.Drop && (f.Status != 0 || f.Code != "" || f.Message != "") {
		return 0, nil, badRequest("a drop fault answers nothing: status, code and message don't apply")
	}
	a.s.InjectFault(f)
	return http.StatusCreated, a.s.normalize(f), nil
}

func (a *admin) listFaults(adminCall) (int, any, error) {
	w := a.s.w
	w.Lock()
	defer w.Unlock()
	out := make([]Fault, 0, len(w.Faults))
	for _, f := range w.Faults {
		out = append(out, *f)
	}
	return http.StatusOK, map[string]any{"faults": out}, nil
}

func (a *admin) clearFaults(adminCall) (int, any, error) {
	w := a.s.w
	w.Lock()
	defer w.Unlock()
	w.Faults = nil
	return http.StatusOK, map[string]any{"faults": []Fault{}}, nil
}

func (a *admin) advanceClock(c adminCall) (int, any, error) {
	var req struct {
		Advance string `json:"advance"`
	}
	if err := decodeStrict(c.body, &req); err != nil {
		return 0, nil, err
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil || d < 0 {
		return 0, nil, badRequest("advance: %q is not a non-negative Go duration", req.Advance)
	}
	w := a.s.w
	w.Lock()
	defer w.Unlock()
	w.Offset += d
	return http.StatusOK, map[string]string{"now": w.Now().Format(time.RFC3339Nano)}, nil
}

// state is the world as Servers() and Images(). User data is a secret of
// the world (it may carry credentials), so it is left out unless the caller
// asks with secrets=1: tests use that to prove a machine got its user data
// while Terraform state never saw it.
func (a *admin) state(c adminCall) (int, any, error) {
	secrets := false
	if v := c.q.Get("secrets"); v != "" {
		var err error
		if secrets, err = strconv.ParseBool(v); err != nil {
			return 0, nil, badRequest("secrets: %q is not a boolean (use secrets=1)", v)
		}
	}
	servers := a.s.Servers()
	if secrets {
		servers = a.s.ServersWithSecrets()
	}
	images := a.s.Images()
	if servers == nil {
		servers = []Server{}
	}
	if images == nil {
		images = []Image{}
	}
	return http.StatusOK, map[string]any{"servers": servers, "images": images}, nil
}

func (a *admin) requests(adminCall) (int, any, error) {
	return http.StatusOK, a.s.RequestCounts(), nil
}

// adminRates is FaultRates on the wire, with Go duration strings.
type adminRates struct {
	ServerError   float64 `json:"server_error"`
	RateLimit     float64 `json:"rate_limit"`
	Drop          float64 `json:"drop"`
	Latency       string  `json:"latency"`
	LatencyJitter string  `json:"latency_jitter"`
	Seed          int64   `json:"seed"`
}

func (a *admin) rates() adminRates {
	r := a.s.FaultRates()
	return adminRates{
		ServerError:   r.ServerError,
		RateLimit:     r.RateLimit,
		Drop:          r.Drop,
		Latency:       r.Latency.String(),
		LatencyJitter: r.LatencyJitter.String(),
		Seed:          a.s.Seed(),
	}
}

func (a *admin) getRates(adminCall) (int, any, error) { return http.StatusOK, a.rates(), nil }

func (a *admin) setRates(c adminCall) (int, any, error) {
	var req struct {
		ServerError   *float64 `json:"server_error"`
		RateLimit     *float64 `json:"rate_limit"`
		Drop          *float64 `json:"drop"`
		Latency       *string  `json:"latency"`
		LatencyJitter *string  `json:"latency_jitter"`
		Seed          *int64   `json:"seed"`
	}
	if err := decodeStrict(c.body, &req); err != nil {
		return 0, nil, err
	}
	duration := func(name string, s *string, dst *time.Duration) error {
		if s == nil {
			return nil
		}
		d, err := time.ParseDuration(*s)
		if err != nil {
			return badRequest("%s: %q is not a Go duration", name, *s)
		}
		*dst = d
		return nil
	}
	// Everything is checked against the merged result before anything
	// changes. Another admin call in between may be overwritten: the admin
	// API has one user, whoever runs the simulator.
	r := a.s.FaultRates()
	for _, f := range []struct {
		v   *float64
		dst *float64
	}{{req.ServerError, &r.ServerError}, {req.RateLimit, &r.RateLimit}, {req.Drop, &r.Drop}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if err := errors.Join(
		duration("latency", req.Latency, &r.Latency),
		duration("latency_jitter", req.LatencyJitter, &r.LatencyJitter),
	); err != nil {
		return 0, nil, err
	}
	if err := a.s.SetFaultRates(r); err != nil {
		return 0, nil, badRequest("%v", err)
	}
	if req.Seed != nil {
		a.s.Reseed(*req.Seed)
	}
	return http.StatusOK, a.rates(), nil
}

func (a *admin) clearRates(adminCall) (int, any, error) {
	if err := a.s.SetFaultRates(FaultRates{}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a.rates(), nil
}

func (a *admin) faultCounts(adminCall) (int, any, error) {
	return http.StatusOK, a.s.FaultCounts(), nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only the admin API's own types are encoded
	}
	return append(b, '\n')
}

func (a *admin) createMachine(c adminCall) (int, any, error) {
	var spec MachineSpec
	if err := decodeStrict(c.body, &spec); err != nil {
		return 0, nil, err
	}
	srv, err := a.s.CreateMachine(spec)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, srv, nil
}

func (a *admin) getMachine(c adminCall) (int, any, error) {
	srv, err := a.s.Machine(c.id["id"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, srv, nil
}

func (a *admin) deleteMachine(c adminCall) (int, any, error) {
	if err := a.s.DeleteMachine(c.id["id"]); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{}, nil
}

type labelsBody struct {
	Labels map[string]string `json:"labels"`
}

func (a *admin) setLabels(c adminCall) (int, any, error) {
	var req labelsBody
	if err := decodeStrict(c.body, &req); err != nil {
		return 0, nil, err
	}
	if err := a.s.SetLabels(c.id["id"], req.Labels); err != nil {
		return 0, nil, err
	}
	srv, err := a.s.Machine(c.id["id"])
	return http.StatusOK, srv, err
}

func (a *admin) stopMachine(c adminCall) (int, any, error) {
	if err := a.s.StopMachine(c.id["id"]); err != nil {
		return 0, nil, err
	}
	srv, err := a.s.Machine(c.id["id"])
	return http.StatusOK, srv, err
}

func (a *admin) deleteImage(c adminCall) (int, any, error) {
	if err := a.s.DeleteImage(c.id["id"]); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{}, nil
}

func (a *admin) setImageLabels(c adminCall) (int, any, error) {
	var req labelsBody
	if err := decodeStrict(c.body, &req); err != nil {
		return 0, nil, err
	}
	if err := a.s.SetImageLabels(c.id["id"], req.Labels); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{}, nil
}
