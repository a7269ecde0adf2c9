package digitalocean

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim/frontend"
	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// Name is the cloud's name in the world and in spuff.
const Name = "digitalocean"

// Rate limits per token: 5,000 requests per hour and 250 per minute.
const (
	HourlyLimit = 5000
	MinuteLimit = 250
)

// Policy is how droplets and snapshots move through the world: a droplet
// gets its addresses while it boots (networks are empty at first), a
// deleted droplet is gone at once (GET answers 404), and a snapshot image
// exists only once its snapshot action has completed.
var Policy = world.Policy{
	IPs:        world.IPsWhileBooting,
	Snapshots:  world.SnapshotOnCompletion,
	Tombstone:  0,
	ActionName: func(k world.Kind) string { return actionTypes[k] },
}

// actionTypes are DigitalOcean's action types for the world's kinds.
var actionTypes = map[world.Kind]string{
	world.KindCreate:   "create",
	world.KindStart:    "power_on",
	world.KindStop:     "power_off",
	world.KindShutdown: "shutdown",
	world.KindReboot:   "reboot",
	world.KindReset:    "power_cycle",
	world.KindResize:   "resize",
	world.KindSnapshot: "snapshot",
	world.KindDelete:   "destroy",
	world.KindRename:   "rename",
}

// statuses are droplet status words (new, active, off, archive) for the
// world's phases. A droplet being powered off is still active until the
// action completes; one being powered on or resized is off.
var statuses = map[world.Phase]string{
	world.Provisioning: "new",
	world.Starting:     "off",
	world.Running:      "active",
	world.Stopping:     "active",
	world.Off:          "off",
	world.Resizing:     "off",
	world.Deleting:     "archive",
	world.Gone:         "archive",
}

// Status is DigitalOcean's word for a phase.
func Status(p world.Phase) string { return statuses[p] }

// ImageStatus is DigitalOcean's word for an image state. A pending or
// failed snapshot is never shown by the API; the words are for the
// simulator's own state listing.
func ImageStatus(s world.ImageState) string {
	switch s {
	case world.ImagePending:
		return "pending"
	case world.ImageFailed:
		return "deleted"
	default:
		return "available"
	}
}

// ErrorCodes are DigitalOcean's error ids by status; they also fill in
// the id of a fault that names none.
var ErrorCodes = map[int]string{
	http.StatusBadRequest:          "bad_request",
	http.StatusUnauthorized:        "unauthorized",
	http.StatusForbidden:           "forbidden",
	http.StatusNotFound:            "not_found",
	http.StatusMethodNotAllowed:    "method_not_allowed",
	http.StatusConflict:            "conflict",
	http.StatusUnprocessableEntity: "unprocessable_entity",
	http.StatusTooManyRequests:     "too_many_requests",
	http.StatusInternalServerError: "server_error",
	http.StatusBadGateway:          "bad_gateway",
	http.StatusServiceUnavailable:  "service_unavailable",
	http.StatusGatewayTimeout:      "gateway_timeout",
}

// Messages the API uses verbatim.
const (
	msgNotFound     = "The resource you requested could not be found."
	msgUnauthorized = "Unable to authenticate you"
	msgRateLimited  = "API Rate limit exceeded."
	msgPending      = "Droplet already has a pending event."
	msgServerError  = "Unexpected server-side error"
)

// Options configure the front end.
type Options struct {
	// RateLimit, when positive, replaces DigitalOcean's two windows with one
	// bucket of that many requests refilled at one per second; 0 = the real
	// limits (5,000/hour and 250/minute); negative never refuses (the
	// headers are still sent).
	RateLimit int
}

// do is the front end: the pipeline's hooks and the handlers.
type do struct {
	w      *world.World
	routes []route
}

// handler runs with the world locked and settled at c.Now. A nil body
// means an empty answer (204).
type handler func(d *do, c *call) (status int, body any, err error)

// call is one request as the handlers see it.
type call struct {
	*frontend.Call
	path string
	p    map[string]string // path parameters
}

// id is a numeric path parameter (the router has checked it).
func (c *call) id(name string) int64 {
	n, _ := strconv.ParseInt(c.p[name], 10, 64)
	return n
}

type route struct {
	method, pattern string
	segs            []string
	fn              handler
}

// New registers DigitalOcean (catalogue, policy, rate limiter) in the
// world and returns its front end, to be served through frontend.New and
// Handler.
func New(w *world.World, opts Options) frontend.FrontEnd {
	var lim *world.Limiter
	switch {
	case opts.RateLimit > 0:
		lim = world.NewLimiter(opts.RateLimit, opts.RateLimit)
	default:
		lim = world.NewWindowLimiter(world.Window{Size: HourlyLimit, Per: time.Hour}, world.Window{Size: MinuteLimit, Per: time.Minute})
		if opts.RateLimit < 0 {
			lim.Disable()
		}
	}
	w.Lock()
	w.AddCloud(Name, world.Cloud{Catalog: Catalog(), Policy: Policy}, lim)
	w.Unlock()
	d := &do{w: w}
	d.handle("GET", "/v2/account", (*do).getAccount)
	d.handle("GET", "/v2/regions", (*do).listRegions)
	d.handle("GET", "/v2/sizes", (*do).listSizes)

	d.handle("GET", "/v2/droplets", (*do).listDroplets)
	d.handle("POST", "/v2/droplets", (*do).createDroplets)
	d.handle("DELETE", "/v2/droplets", (*do).deleteDropletsByTag)
	d.handle("GET", "/v2/droplets/{id}", (*do).getDroplet)
	d.handle("DELETE", "/v2/droplets/{id}", (*do).deleteDroplet)
	d.handle("GET", "/v2/droplets/{id}/snapshots", (*do).listDropletSnapshots)
	d.handle("GET", "/v2/droplets/{id}/actions", (*do).listDropletActions)
	d.handle("POST", "/v2/droplets/{id}/actions", (*do).dropletAction)
	d.handle("GET", "/v2/droplets/{id}/actions/{action_id}", (*do).getDropletAction)

	d.handle("GET", "/v2/actions", (*do).listActions)
	d.handle("GET", "/v2/actions/{action_id}", (*do).getAction)

	d.handle("GET", "/v2/images", (*do).listImages)
	d.handle("GET", "/v2/images/{*image}", (*do).getImage)
	d.handle("PUT", "/v2/images/{id}", (*do).updateImage)
	d.handle("DELETE", "/v2/images/{id}", (*do).deleteImage)
	d.handle("GET", "/v2/snapshots", (*do).listSnapshots)
	d.handle("GET", "/v2/snapshots/{id}", (*do).getSnapshot)
	d.handle("DELETE", "/v2/snapshots/{id}", (*do).deleteImage)

	d.handle("GET", "/v2/account/keys", (*do).listKeys)
	d.handle("POST", "/v2/account/keys", (*do).createKey)
	d.handle("GET", "/v2/account/keys/{*key}", (*do).getKey)
	d.handle("PUT", "/v2/account/keys/{*key}", (*do).updateKey)
	d.handle("DELETE", "/v2/account/keys/{*key}", (*do).deleteKey)

	d.handle("GET", "/v2/tags", (*do).listTags)
	d.handle("POST", "/v2/tags", (*do).createTag)
	d.handle("GET", "/v2/tags/{*tag}", (*do).getTag)
	d.handle("DELETE", "/v2/tags/{*tag}", (*do).deleteTag)
	d.handle("POST", "/v2/tags/{*tag}/resources", (*do).tagResources)
	d.handle("DELETE", "/v2/tags/{*tag}/resources", (*do).untagResources)
	return d
}

// handle adds a route. "{name}" matches a positive decimal ID, "{*name}"
// any non-empty segment (a slug, a fingerprint, a tag).
func (d *do) handle(method, pattern string, fn handler) {
	d.routes = append(d.routes, route{method, pattern, strings.Split(pattern, "/"), fn})
}

// Name implements frontend.FrontEnd.
func (d *do) Name() string { return Name }

// Route implements frontend.FrontEnd.
func (d *do) Route(method, path string) (frontend.Handler, map[string]int64, string, int) {
	segs := strings.Split(path, "/")
	status, key := http.StatusNotFound, method+" (no route)"
	for _, r := range d.routes {
		p, ok := match(r.segs, segs)
		if !ok {
			continue
		}
		k := method + " " + strings.ReplaceAll(r.pattern, "{*", "{")
		if r.method != method {
			status, key = http.StatusMethodNotAllowed, k
			continue
		}
		fn := r.fn
		return func(fc *frontend.Call) (int, []byte, error) {
			st, v, err := fn(d, &call{Call: fc, path: path, p: p})
			if err != nil {
				return 0, nil, err
			}
			var body []byte
			if v != nil {
				body = mustJSON(v)
			}
			return st, body, nil
		}, nil, k, 0
	}
	return nil, nil, key, status
}

func match(pattern, path []string) (map[string]string, bool) {
	if len(pattern) != len(path) {
		return nil, false
	}
	p := map[string]string{}
	for i, seg := range pattern {
		name, isParam := strings.CutPrefix(seg, "{")
		if !isParam {
			if seg != path[i] {
				return nil, false
			}
			continue
		}
		name = strings.TrimSuffix(name, "}")
		if free, ok := strings.CutPrefix(name, "*"); ok {
			if path[i] == "" {
				return nil, false
			}
			p[free] = path[i]
			continue
		}
		id, err := strconv.ParseInt(path[i], 10, 64)
		if err != nil || id <= 0 || strings.HasPrefix(path[i], "+") {
			return nil, false
		}
		p[name] = path[i]
	}
	return p, true
}

// FaultKey implements frontend.FrontEnd: faults match the request path
// ("/v2/droplets"), with the method in the fault's Method.
func (d *do) FaultKey(r *http.Request) string { return r.URL.Path }

// Token implements frontend.FrontEnd: a bearer token (godo sends it
// through an oauth2.Transport).
func (d *do) Token(r *http.Request) string { return frontend.BearerToken(r) }

// ContentType implements frontend.FrontEnd.
func (d *do) ContentType() string { return "application/json; charset=utf-8" }

// RateHeaders implements frontend.FrontEnd: ratelimit-limit, -remaining
// and -reset (a Unix time) of the hourly window.
func (d *do) RateHeaders(h http.Header, rs world.RateState) {
	frontend.RateLimitHeaders(h, rs)
}

// apiError is an error as the API reports it.
type apiError struct {
	status  int
	id      string
	message string
}

func (e *apiError) Error() string { return e.id + ": " + e.message }

func notFound() *apiError {
	return &apiError{status: http.StatusNotFound, id: "not_found", message: msgNotFound}
}

func unprocessable(msg string) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, id: "unprocessable_entity", message: msg}
}

func badRequest(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, id: "bad_request", message: msg}
}

// ridPlaceholder stands for the request ID in an error body until Handler
// writes it, so that the body's request_id and the x-request-id header
// agree.
const ridPlaceholder = "\x00request-id\x00"

// RenderError implements frontend.FrontEnd: {"id", "message",
// "request_id"}.
func (d *do) RenderError(err error) (int, []byte) {
	var ae *apiError
	var pe *frontend.Error
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &pe):
		ae = &apiError{status: pe.Status, message: pe.Message}
		switch pe.Kind {
		case frontend.ErrUnauthorized:
			ae.message = msgUnauthorized
		case frontend.ErrRateLimited:
			ae.status, ae.message = http.StatusTooManyRequests, msgRateLimited
		case frontend.ErrNoRoute:
			ae.message = msgNotFound
		case frontend.ErrFault:
			if pe.Code != "" && isErrorID(pe.Code) {
				ae.id = pe.Code
			}
			if ae.status == 0 {
				ae.status = http.StatusInternalServerError
			}
			if ae.message == "" {
				ae.message = msgServerError
			}
		}
	default:
		ae = &apiError{status: http.StatusInternalServerError, message: msgServerError}
	}
	if ae.id == "" {
		ae.id = ErrorCodes[ae.status]
		if ae.id == "" {
			ae.id = "server_error"
		}
	}
	return ae.status, mustJSON(errorBody{ID: ae.id, Message: ae.message, RequestID: ridPlaceholder})
}

func isErrorID(id string) bool {
	for _, v := range ErrorCodes {
		if v == id {
			return true
		}
	}
	return false
}

type errorBody struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// Handler wraps the pipeline of the front end: every answer gets an
// x-request-id header, an error body the same request_id, and a 429 a
// retry-after.
func Handler(next http.Handler) http.Handler {
	placeholder, _ := json.Marshal(ridPlaceholder)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rid := requestID()
		rw.Header().Set("X-Request-Id", rid)
		quoted, _ := json.Marshal(rid)
		next.ServeHTTP(&ridWriter{ResponseWriter: rw, old: placeholder, new: quoted}, r)
	})
}

type ridWriter struct {
	http.ResponseWriter
	old, new []byte
}

func (w *ridWriter) Write(b []byte) (int, error) {
	if bytes.Contains(b, w.old) {
		if _, err := w.ResponseWriter.Write(bytes.ReplaceAll(b, w.old, w.new)); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// WriteHeader adds retry-after to a 429: one second, by when both of the
// token's buckets (refilled continuously, 250 a minute and 5,000 an hour)
// have a request again.
func (w *ridWriter) WriteHeader(code int) {
	if code == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection, which the
// pipeline takes over to drop it.
func (w *ridWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestID is a random UUID, the form DigitalOcean's request IDs take.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only the simulator's own wire types are encoded
	}
	return append(b, '\n')
}

// decode reads a JSON body; an empty one counts as {}.
func (c *call) decode(v any) error {
	if len(bytes.TrimSpace(c.Body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return badRequest("error parsing request body: " + err.Error())
	}
	return nil
}

// timestamp is DigitalOcean's time format: UTC, whole seconds, "Z". The
// digitalocean Terraform provider finds a droplet's new snapshot by
// comparing its created_at with the action's started_at with ==, so both
// must be rendered alike.
func timestamp(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}

const (
	defaultPerPage = 20
	maxPerPage     = 200
)

type links struct {
	Pages   *pages       `json:"pages,omitempty"`
	Actions []actionLink `json:"actions,omitempty"`
}

type pages struct {
	First string `json:"first,omitempty"`
	Prev  string `json:"prev,omitempty"`
	Next  string `json:"next,omitempty"`
	Last  string `json:"last,omitempty"`
}

type actionLink struct {
	ID   int64  `json:"id"`
	Rel  string `json:"rel"`
	HREF string `json:"href"`
}

type meta struct {
	Total int `json:"total"`
}

func (c *call) intQuery(name string, def int) int {
	n, err := strconv.Atoi(c.Query.Get(name))
	if err != nil || n < 1 {
		return def
	}
	return n
}

// pageURL is the absolute URL of page n of this listing: godo reads the
// page number from the prev link's page= parameter.
func (c *call) pageURL(n int) string {
	q := url.Values{}
	for k, v := range c.Query {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(n))
	return c.Base + c.path + "?" + q.Encode()
}

// list paginates items (filtered and sorted) as {key: [...], "links":
// {"pages": ...}, "meta": {"total": n}}. links.pages has only the keys
// that make sense: first and prev after page 1, next and last before the
// last page; a single page has "links": {}.
func list[T, J any](c *call, key string, items []T, render func(T) J) (int, any, error) {
	page := c.intQuery("page", 1)
	perPage := min(c.intQuery("per_page", defaultPerPage), maxPerPage)
	total := len(items)
	last := max(1, (total+perPage-1)/perPage)
	start := total
	if page <= last {
		start = (page - 1) * perPage
	}
	end := min(start+perPage, total)
	out := make([]J, 0, end-start)
	for _, it := range items[start:end] {
		out = append(out, render(it))
	}
	l := links{}
	if last > 1 {
		p := &pages{}
		if page > 1 {
			p.First, p.Prev = c.pageURL(1), c.pageURL(min(page-1, last))
		}
		if page < last {
			p.Next, p.Last = c.pageURL(page+1), c.pageURL(last)
		}
		l.Pages = p
	}
	return http.StatusOK, map[string]any{key: out, "links": l, "meta": meta{Total: total}}, nil
}

func one(key string, v any) map[string]any { return map[string]any{key: v} }

func (d *do) getAccount(c *call) (int, any, error) {
	return http.StatusOK, one("account", map[string]any{
		"droplet_limit": 25, "floating_ip_limit": 3, "volume_limit": 100,
		"email": "simulated@example.com", "uuid": "5a1e7c0d-0000-4000-8000-000000000001",
		"email_verified": true, "status": "active", "status_message": "",
	}), nil
}
