package hetzner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim/frontend"
	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// Name is the cloud's name in the world and in spuff.
const Name = "hetzner"

// Prefix is where the API is served; hcloud-go's endpoint is base+Prefix.
const Prefix = "/v1"

// DefaultRateLimit is the real Hetzner bucket: 3600 requests, refilled at
// one request per second.
const DefaultRateLimit = 3600

// Policy is how Hetzner's servers and images move through the world: the
// primary IPs come with the create answer, a deleted server is gone at
// once, and a snapshot image is listed ("creating") from the start.
var Policy = world.Policy{
	IPs:        world.IPsAtCreate,
	Snapshots:  world.SnapshotAtOnce,
	Tombstone:  0,
	ActionName: func(k world.Kind) string { return commands[k] },
}

// commands are Hetzner's words for the world's action kinds.
var commands = map[world.Kind]string{
	world.KindCreate:   "create_server",
	world.KindStart:    "start_server",
	world.KindStop:     "stop_server",
	world.KindShutdown: "shutdown_server",
	world.KindReboot:   "reboot_server",
	world.KindReset:    "reset_server",
	world.KindResize:   "change_server_type",
	world.KindSnapshot: "create_image",
	world.KindDelete:   "delete_server",
}

// statuses are Hetzner's server status words for the world's phases.
var statuses = map[world.Phase]string{
	world.Provisioning: "initializing",
	world.Starting:     "starting",
	world.Running:      "running",
	world.Stopping:     "stopping",
	world.Off:          "off",
	world.Resizing:     "migrating",
	world.Deleting:     "deleting",
	world.Gone:         "deleting",
}

// Status is Hetzner's word for a phase.
func Status(p world.Phase) string { return statuses[p] }

// Action statuses.
const (
	actionRunning = "running"
	actionSuccess = "success"
	actionError   = "error"
)

func actionStatus(a *world.Action, now time.Time) string {
	switch a.State(now) {
	case world.ActionRunning:
		return actionRunning
	case world.ActionFailed:
		return actionError
	default:
		return actionSuccess
	}
}

// imageStatuses are Hetzner's image status words.
var imageStatuses = map[world.ImageState]string{
	world.ImagePending:   "creating",
	world.ImageAvailable: "available",
	world.ImageFailed:    "unavailable",
}

// ImageStatus is Hetzner's word for an image state.
func ImageStatus(s world.ImageState) string { return imageStatuses[s] }

func (h *hetzner) imageStatus(img *world.Image, now time.Time) string {
	return imageStatuses[h.w.ImageState(img, now)]
}

// refTypes are Hetzner's resource types in actions.
var refTypes = map[world.RefType]string{world.RefMachine: "server", world.RefImage: "image"}

// Options configure the front end.
type Options struct {
	// RateLimit is the bucket size per token; 0 = DefaultRateLimit,
	// negative disables limiting (the headers are still sent).
	RateLimit int
}

// hetzner is the front end: the pipeline's hooks and the handlers.
type hetzner struct {
	w      *world.World
	routes frontend.Router[frontend.Handler]
}

// hzHandler runs with the world locked and settled at c.now. A nil body
// means an empty response (204).
type hzHandler func(h *hetzner, c *hzCall) (status int, body any, err error)

// hzCall is one request as the handlers see it.
type hzCall struct {
	q    url.Values
	body []byte
	id   map[string]int64 // path parameters
	now  time.Time
}

// New registers Hetzner (catalogue, policy, rate limiter) in the world and
// returns its front end, to be served through frontend.New.
func New(w *world.World, opts Options) frontend.FrontEnd {
	w.Lock()
	w.AddCloud(Name, world.Cloud{Catalog: Catalog(), Policy: Policy}, world.NewLimiter(opts.RateLimit, DefaultRateLimit))
	w.Unlock()
	h := &hetzner{w: w}
	h.handle("GET", "/v1/servers", (*hetzner).listServers)
	h.handle("POST", "/v1/servers", (*hetzner).createServer)
	h.handle("GET", "/v1/servers/actions", (*hetzner).listServersActions)
	h.handle("GET", "/v1/servers/actions/{action_id}", (*hetzner).getServersAction)
	h.handle("GET", "/v1/servers/{id}", (*hetzner).getServer)
	h.handle("PUT", "/v1/servers/{id}", (*hetzner).updateServer)
	h.handle("DELETE", "/v1/servers/{id}", (*hetzner).deleteServer)
	h.handle("GET", "/v1/servers/{id}/actions", (*hetzner).listServerActions)
	h.handle("GET", "/v1/servers/{id}/actions/{action_id}", (*hetzner).getServerAction)
	h.handle("POST", "/v1/servers/{id}/actions/create_image", (*hetzner).createImage)
	h.handle("POST", "/v1/servers/{id}/actions/change_type", (*hetzner).changeServerType)
	for _, p := range powerCommands {
		h.handle("POST", "/v1/servers/{id}/actions/"+p.path, p.handler())
	}

	h.handle("GET", "/v1/images", (*hetzner).listImages)
	h.handle("GET", "/v1/images/actions", (*hetzner).listImagesActions)
	h.handle("GET", "/v1/images/actions/{action_id}", (*hetzner).getImagesAction)
	h.handle("GET", "/v1/images/{id}", (*hetzner).getImage)
	h.handle("PUT", "/v1/images/{id}", (*hetzner).updateImage)
	h.handle("DELETE", "/v1/images/{id}", (*hetzner).deleteImage)
	h.handle("GET", "/v1/images/{id}/actions", (*hetzner).listImageActions)
	h.handle("GET", "/v1/images/{id}/actions/{action_id}", (*hetzner).getImageAction)

	h.handle("GET", "/v1/actions", (*hetzner).listActions)
	h.handle("GET", "/v1/actions/{action_id}", (*hetzner).getAction)

	h.handle("GET", "/v1/ssh_keys", (*hetzner).listSSHKeys)
	h.handle("POST", "/v1/ssh_keys", (*hetzner).createSSHKey)
	h.handle("GET", "/v1/ssh_keys/{id}", (*hetzner).getSSHKey)
	h.handle("PUT", "/v1/ssh_keys/{id}", (*hetzner).updateSSHKey)
	h.handle("DELETE", "/v1/ssh_keys/{id}", (*hetzner).deleteSSHKey)

	h.handle("GET", "/v1/locations", (*hetzner).listLocations)
	h.handle("GET", "/v1/locations/{id}", (*hetzner).getLocation)
	h.handle("GET", "/v1/datacenters", (*hetzner).datacentersGone)
	h.handle("GET", "/v1/datacenters/{id}", (*hetzner).datacentersGone)
	h.handle("GET", "/v1/server_types", (*hetzner).listServerTypes)
	h.handle("GET", "/v1/server_types/{id}", (*hetzner).getServerType)
	return h
}

func (h *hetzner) handle(method, pattern string, fn hzHandler) {
	h.routes.Handle(method, pattern, func(c *frontend.Call) (int, []byte, error) {
		status, v, err := fn(h, &hzCall{q: c.Query, body: c.Body, id: c.Params, now: c.Now})
		if err != nil {
			return 0, nil, err
		}
		var body []byte
		if v != nil {
			body = mustJSON(v)
		}
		return status, body, nil
	})
}

func (h *hetzner) cat() *world.Catalog { return h.w.Catalog(Name) }

// Name implements frontend.FrontEnd.
func (h *hetzner) Name() string { return Name }

// Route implements frontend.FrontEnd.
func (h *hetzner) Route(method, path string) (frontend.Handler, map[string]int64, string, int) {
	return h.routes.Match(method, path)
}

// FaultKey implements frontend.FrontEnd: Hetzner's faults match the request
// path, /v1 prefix included.
func (h *hetzner) FaultKey(r *http.Request) string { return r.URL.Path }

// Token implements frontend.FrontEnd: a bearer token.
func (h *hetzner) Token(r *http.Request) string { return frontend.BearerToken(r) }

// ContentType implements frontend.FrontEnd.
func (h *hetzner) ContentType() string { return "application/json" }

// RateHeaders implements frontend.FrontEnd: RateLimit-Limit, -Remaining
// and -Reset (a Unix time).
func (h *hetzner) RateHeaders(hdr http.Header, rs world.RateState) {
	frontend.RateLimitHeaders(hdr, rs)
}

// pipelineCodes are Hetzner's codes for the pipeline's refusals.
var pipelineCodes = map[frontend.ErrorKind]string{
	frontend.ErrUnauthorized: "unauthorized",
	frontend.ErrRateLimited:  "rate_limit_exceeded",
	frontend.ErrNoRoute:      "not_found",
	frontend.ErrMethod:       "method_not_allowed",
	frontend.ErrBadBody:      "json_error",
}

// RenderError implements frontend.FrontEnd: {"error": {code, message,
// details}}.
func (h *hetzner) RenderError(err error) (int, []byte) {
	var he *hzError
	var pe *frontend.Error
	switch {
	case errors.As(err, &he):
	case errors.As(err, &pe) && pe.Kind == frontend.ErrFault:
		f := world.Fault{Path: "*", Status: pe.Status, Code: pe.Code, Message: pe.Message}.Normalize(ErrorCodes)
		he = &hzError{status: f.Status, code: f.Code, message: f.Message}
	case errors.As(err, &pe):
		he = &hzError{status: pe.Status, code: pipelineCodes[pe.Kind], message: pe.Message}
	default:
		he = &hzError{status: http.StatusInternalServerError, code: "server_error", message: err.Error()}
	}
	details := he.details
	if details == nil {
		details = struct{}{}
	}
	return he.status, mustJSON(hzErrorBody{hzErrorPayload{Code: he.code, Message: he.message, Details: details}})
}

// NotFoundBody is the answer outside every API path.
func NotFoundBody(message string) []byte {
	return mustJSON(hzErrorBody{hzErrorPayload{Code: "not_found", Message: message, Details: struct{}{}}})
}

// ErrorCodes gives the Hetzner error code a status usually carries; it
// also fills in the code of a fault that names none.
var ErrorCodes = map[int]string{
	http.StatusBadRequest:          "invalid_input",
	http.StatusUnauthorized:        "unauthorized",
	http.StatusForbidden:           "forbidden",
	http.StatusNotFound:            "not_found",
	http.StatusConflict:            "conflict",
	http.StatusPreconditionFailed:  "resource_unavailable",
	http.StatusUnprocessableEntity: "service_error",
	http.StatusLocked:              "locked",
	http.StatusTooManyRequests:     "rate_limit_exceeded",
	http.StatusInternalServerError: "server_error",
	http.StatusBadGateway:          "bad_gateway",
	http.StatusServiceUnavailable:  "unavailable",
	http.StatusGatewayTimeout:      "timeout",
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the simulator's own wire types are encoded; failing here is
		// a programming error.
		panic(err)
	}
	return append(b, '\n')
}

// hzError is an API error as the real API reports it.
type hzError struct {
	status  int
	code    string
	message string
	details any
}

func (e *hzError) Error() string { return e.code + ": " + e.message }

// invalidInput refuses a request body, naming the offending field the way
// hcloud-go's ErrorDetailsInvalidInput expects. The API answers 422 for
// those (documented in its error table, and observed, e.g. "image disk is
// bigger than server type disk" on POST /servers).
func invalidInput(field, format string, args ...any) *hzError {
	msg := fmt.Sprintf(format, args...)
	return &hzError{
		status:  http.StatusUnprocessableEntity,
		code:    "invalid_input",
		message: fmt.Sprintf("invalid input in field '%s': %s", field, msg),
		details: hzFieldDetails{Fields: []hzInvalidField{{Name: field, Messages: []string{msg}}}},
	}
}

// invalidInputMsg is invalidInput with the API's own wording as the message,
// for refusals whose text is known verbatim ("unsupported location for
// server type"); the field is still named in the details.
func invalidInputMsg(field, message string) *hzError {
	return &hzError{
		status:  http.StatusUnprocessableEntity,
		code:    "invalid_input",
		message: message,
		details: hzFieldDetails{Fields: []hzInvalidField{{Name: field, Messages: []string{message}}}},
	}
}

// badQuery refuses a query parameter (label_selector, sort, page, id, ...)
// with invalid_input and 400. The simulator notes leave the status of these
// open; 400 is what the simulator has always answered for them.
func badQuery(field, format string, args ...any) *hzError {
	e := invalidInput(field, format, args...)
	e.status = http.StatusBadRequest
	return e
}

func uniquenessError(field, message string) *hzError {
	return &hzError{
		status:  http.StatusConflict,
		code:    "uniqueness_error",
		message: message,
		details: hzFieldDetails{Fields: []hzInvalidField{{Name: field}}},
	}
}

func notFound(kind string, id int64) *hzError {
	return &hzError{status: http.StatusNotFound, code: "not_found",
		message: fmt.Sprintf("%s with ID '%d' not found", kind, id)}
}

func lockedError(kind string, id int64) *hzError {
	return &hzError{status: http.StatusLocked, code: "locked",
		message: fmt.Sprintf("%s %d is locked: another action is running", kind, id)}
}

// decode reads a JSON request body into v. An empty body counts as {} (the
// action endpoints are often called without one). Syntax errors are
// json_error; a value of the wrong type is invalid_input naming the field.
func (c *hzCall) decode(v any) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	err := json.Unmarshal(c.body, v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te) && te.Field != "":
		return invalidInput(te.Field, "has the wrong type")
	default:
		// 422, not the 400 of the API's error table: that is what the API
		// answered to a malformed POST /servers in 2026.
		return &hzError{status: http.StatusUnprocessableEntity, code: "json_error", message: "request body is not valid JSON"}
	}
}

func (c *hzCall) selector() (selector, error) {
	sel, err := parseSelector(c.q.Get("label_selector"))
	if err != nil {
		return nil, badQuery("label_selector", "%v", err)
	}
	return sel, nil
}

// oneOf checks a repeatable enum query parameter.
func (c *hzCall) oneOf(name string, allowed ...string) ([]string, error) {
	vals := c.q[name]
	for _, v := range vals {
		if !slices.Contains(allowed, v) {
			return nil, badQuery(name, "%q is not one of %s", v, strings.Join(allowed, ", "))
		}
	}
	return vals, nil
}

// ids parses the repeatable "id" query parameter.
func (c *hzCall) ids() ([]int64, error) {
	var out []int64
	for _, s := range c.q["id"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, badQuery("id", "%q is not a valid ID", s)
		}
		out = append(out, id)
	}
	return out, nil
}

// positiveInt reads an optional positive integer query parameter.
func (c *hzCall) positiveInt(name string, def int) (int, error) {
	s := c.q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, badQuery(name, "must be a positive integer")
	}
	return n, nil
}

const (
	defaultPerPage = 25
	maxPerPage     = 50
)

// listPage paginates items (already filtered and sorted), renders the page
// and wraps it as {key: [...], "meta": {"pagination": ...}}. A page beyond
// the last is empty but still carries the true totals.
func listPage[T, J any](c *hzCall, key string, items []T, render func(T) J) (int, any, error) {
	page, err := c.positiveInt("page", 1)
	if err != nil {
		return 0, nil, err
	}
	perPage, err := c.positiveInt("per_page", defaultPerPage)
	if err != nil {
		return 0, nil, err
	}
	perPage = min(perPage, maxPerPage)
	total := len(items)
	last := max(1, (total+perPage-1)/perPage)
	start := total // a page beyond the last (guarding the multiplication) is empty
	if page <= last {
		start = (page - 1) * perPage
	}
	end := min(start+perPage, total)

	out := make([]J, 0, end-start)
	for _, it := range items[start:end] {
		out = append(out, render(it))
	}
	p := hzPagination{Page: page, PerPage: perPage, LastPage: last, TotalEntries: total}
	if page > 1 {
		prev := page - 1
		p.PreviousPage = &prev
	}
	if page < last {
		next := page + 1
		p.NextPage = &next
	}
	return http.StatusOK, map[string]any{key: out, "meta": hzMeta{Pagination: p}}, nil
}

// sortKeys maps a "sort" field name to an ascending comparison.
type sortKeys[T any] map[string]func(a, b T) int

// sortBy applies the repeatable "sort" parameter ("field", "field:asc",
// "field:desc"); earlier fields take precedence. Items come in ID order and
// the sort is stable, so ID is the final tie-breaker.
func sortBy[T any](c *hzCall, items []T, keys sortKeys[T]) error {
	var cmps []func(a, b T) int
	for _, s := range c.q["sort"] {
		field, dir, _ := strings.Cut(s, ":")
		f := keys[field]
		if f == nil || (dir != "" && dir != "asc" && dir != "desc") {
			return badQuery("sort", "%q is not a valid sort", s)
		}
		if dir == "desc" {
			asc := f
			f = func(a, b T) int { return asc(b, a) }
		}
		cmps = append(cmps, f)
	}
	slices.SortStableFunc(items, func(a, b T) int {
		for _, f := range cmps {
			if r := f(a, b); r != 0 {
				return r
			}
		}
		return 0
	})
	return nil
}

func one(key string, v any) map[string]any { return map[string]any{key: v} }
