package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// hetzner is the Hetzner Cloud API front end (served under /v1/). It
// translates requests into world operations and world state into the wire
// format hcloud-go and terraform-provider-hcloud decode.
type hetzner struct {
	w      *world
	tokens map[[sha256.Size]byte]bool // allow-list by hash; empty = any token
	routes router[hzHandler]
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

// maxBody bounds request bodies; the largest legitimate one is a server
// create with 32 KiB of user_data.
const maxBody = 1 << 20

func newHetzner(w *world, tokens []string) *hetzner {
	h := &hetzner{w: w, tokens: map[[sha256.Size]byte]bool{}}
	for _, t := range tokens {
		h.tokens[tokenKey(t)] = true
	}
	r := &h.routes
	r.handle("GET", "/v1/servers", (*hetzner).listServers)
	r.handle("POST", "/v1/servers", (*hetzner).createServer)
	r.handle("GET", "/v1/servers/actions", (*hetzner).listServersActions)
	r.handle("GET", "/v1/servers/actions/{action_id}", (*hetzner).getServersAction)
	r.handle("GET", "/v1/servers/{id}", (*hetzner).getServer)
	r.handle("PUT", "/v1/servers/{id}", (*hetzner).updateServer)
	r.handle("DELETE", "/v1/servers/{id}", (*hetzner).deleteServer)
	r.handle("GET", "/v1/servers/{id}/actions", (*hetzner).listServerActions)
	r.handle("GET", "/v1/servers/{id}/actions/{action_id}", (*hetzner).getServerAction)
	r.handle("POST", "/v1/servers/{id}/actions/create_image", (*hetzner).createImage)
	r.handle("POST", "/v1/servers/{id}/actions/change_type", (*hetzner).changeServerType)
	for _, p := range powerCommands {
		r.handle("POST", "/v1/servers/{id}/actions/"+p.path, p.handler())
	}

	r.handle("GET", "/v1/images", (*hetzner).listImages)
	r.handle("GET", "/v1/images/actions", (*hetzner).listImagesActions)
	r.handle("GET", "/v1/images/actions/{action_id}", (*hetzner).getImagesAction)
	r.handle("GET", "/v1/images/{id}", (*hetzner).getImage)
	r.handle("PUT", "/v1/images/{id}", (*hetzner).updateImage)
	r.handle("DELETE", "/v1/images/{id}", (*hetzner).deleteImage)
	r.handle("GET", "/v1/images/{id}/actions", (*hetzner).listImageActions)
	r.handle("GET", "/v1/images/{id}/actions/{action_id}", (*hetzner).getImageAction)

	r.handle("GET", "/v1/actions", (*hetzner).listActions)
	r.handle("GET", "/v1/actions/{action_id}", (*hetzner).getAction)

	r.handle("GET", "/v1/ssh_keys", (*hetzner).listSSHKeys)
	r.handle("POST", "/v1/ssh_keys", (*hetzner).createSSHKey)
	r.handle("GET", "/v1/ssh_keys/{id}", (*hetzner).getSSHKey)
	r.handle("PUT", "/v1/ssh_keys/{id}", (*hetzner).updateSSHKey)
	r.handle("DELETE", "/v1/ssh_keys/{id}", (*hetzner).deleteSSHKey)

	r.handle("GET", "/v1/locations", (*hetzner).listLocations)
	r.handle("GET", "/v1/locations/{id}", (*hetzner).getLocation)
	r.handle("GET", "/v1/datacenters", (*hetzner).datacentersGone)
	r.handle("GET", "/v1/datacenters/{id}", (*hetzner).datacentersGone)
	r.handle("GET", "/v1/server_types", (*hetzner).listServerTypes)
	r.handle("GET", "/v1/server_types/{id}", (*hetzner).getServerType)
	return h
}

// hzResponse is prepared under the world lock and written (or the
// connection dropped) after it is released, so a slow client never stalls
// the simulator.
type hzResponse struct {
	status int
	rate   rateState
	body   []byte
	drop   bool // close the connection without answering
}

func (h *hetzner) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	arr := h.arrive(r)
	var body []byte
	var readErr error
	if r.Body != nil {
		body, readErr = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	}
	// The delay comes after reading the body: only then does net/http watch
	// the connection and cancel the request context when the client leaves.
	if !sleepCtx(r, arr.delay) {
		return // the client gave up while the request was delayed; nothing happened
	}
	resp := h.serve(r, body, readErr, arr)
	if resp.drop {
		dropConnection(rw)
		return
	}
	hdr := rw.Header()
	hdr.Set("RateLimit-Limit", strconv.Itoa(resp.rate.Limit))
	hdr.Set("RateLimit-Remaining", strconv.Itoa(resp.rate.Remaining))
	hdr.Set("RateLimit-Reset", strconv.FormatInt(ceilUnix(resp.rate.Reset), 10))
	if resp.body != nil {
		hdr.Set("Content-Type", "application/json")
	}
	rw.WriteHeader(resp.status)
	_, _ = rw.Write(resp.body)
}

// arrive counts the request and draws its random fate.
func (h *hetzner) arrive(r *http.Request) arrival {
	_, _, key, _ := h.routes.match(r.Method, r.URL.Path)
	w := h.w
	w.mu.Lock()
	defer w.mu.Unlock()
	w.counts[key]++
	a := w.draw()
	if a.delay > 0 {
		w.faultCounts[countLatency]++
	}
	return a
}

// ceilUnix rounds up, so a reset that is due within the current second is
// still reported as in the future.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// serve runs the request pipeline in the order a real deployment would:
// faults in front (scripted, then random: a load balancer), authentication,
// rate limit, routing, handler, and last the scripted faults that strike
// after the request was handled. The request was counted and delayed on
// arrival.
func (h *hetzner) serve(r *http.Request, body []byte, readErr error, arr arrival) hzResponse {
	w := h.w
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	token := bearerToken(r)
	authorized := h.authorized(token)
	// What the headers of an answer that never reached the backend report:
	// the caller's bucket, unspent.
	peek := func() rateState {
		if authorized {
			return w.limiter.peek(token, now)
		}
		return w.limiter.peek("", now)
	}

	if f := w.takeRequestFault(r.Method, r.URL.Path, false); f != nil {
		return faultResponse(f, peek(), w.limiter.emptied(now))
	}
	switch arr.fault {
	case randomDrop:
		w.faultCounts[countDrop]++
		return hzResponse{drop: true}
	case randomRateLimit:
		w.faultCounts[countRateLimit]++
		return errorResponse(w.limiter.emptied(now), &hzError{status: http.StatusTooManyRequests,
			code: "rate_limit_exceeded", message: "injected fault: rate limit exceeded"})
	case randomServerError:
		w.faultCounts[countServerError]++
		f := Fault{Status: arr.status}.normalize()
		return errorResponse(peek(), &hzError{status: f.Status, code: f.Code, message: f.Message})
	}

	resp := h.handle(r, body, readErr, token, authorized, now)
	if f := w.takeRequestFault(r.Method, r.URL.Path, true); f != nil {
		return faultResponse(f, resp.rate, w.limiter.emptied(now))
	}
	return resp
}

// faultResponse answers a scripted fault: nothing at all for a drop, else
// its error with the headers of rate, or of an empty bucket for a 429.
func faultResponse(f *Fault, rate, empty rateState) hzResponse {
	if f.Drop {
		return hzResponse{drop: true}
	}
	if f.Status == http.StatusTooManyRequests {
		rate = empty
	}
	return errorResponse(rate, &hzError{status: f.Status, code: f.Code, message: f.Message})
}

// handle is the backend: authentication, rate limit, routing and the
// handler, with the world locked by serve.
func (h *hetzner) handle(r *http.Request, body []byte, readErr error, token string, authorized bool, now time.Time) hzResponse {
	w := h.w
	handler, ids, _, routeStatus := h.routes.match(r.Method, r.URL.Path)
	if !authorized {
		return errorResponse(w.limiter.peek("", now),
			&hzError{status: http.StatusUnauthorized, code: "unauthorized", message: "unable to authenticate"})
	}
	rate, ok := w.limiter.take(token, now)
	if !ok {
		return errorResponse(rate, &hzError{status: http.StatusTooManyRequests, code: "rate_limit_exceeded",
			message: fmt.Sprintf("limit of %d requests reached; it refills by one request per second", rate.Limit)})
	}
	switch {
	case routeStatus == http.StatusNotFound:
		return errorResponse(rate, &hzError{status: routeStatus, code: "not_found", message: "not found"})
	case routeStatus == http.StatusMethodNotAllowed:
		return errorResponse(rate, &hzError{status: routeStatus, code: "method_not_allowed",
			message: fmt.Sprintf("method %s not allowed", r.Method)})
	case readErr != nil || len(body) > maxBody:
		return errorResponse(rate, &hzError{status: http.StatusUnprocessableEntity, code: "json_error",
			message: "request body could not be read or is too large"})
	}

	w.settle(now)
	status, v, err := handler(h, &hzCall{q: r.URL.Query(), body: body, id: ids, now: now})
	if err != nil {
		var he *hzError
		if !errors.As(err, &he) {
			he = &hzError{status: http.StatusInternalServerError, code: "server_error", message: err.Error()}
		}
		return errorResponse(rate, he)
	}
	resp := hzResponse{status: status, rate: rate}
	if v != nil {
		resp.body = mustJSON(v)
	}
	return resp
}

func (h *hetzner) authorized(token string) bool {
	if token == "" {
		return false
	}
	return len(h.tokens) == 0 || h.tokens[tokenKey(token)]
}

func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
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

func errorResponse(rate rateState, e *hzError) hzResponse {
	details := e.details
	if details == nil {
		details = struct{}{}
	}
	return hzResponse{
		status: e.status,
		rate:   rate,
		body:   mustJSON(hzErrorBody{hzErrorPayload{Code: e.code, Message: e.message, Details: details}}),
	}
}

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
