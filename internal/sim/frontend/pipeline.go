// Package frontend is the request pipeline every cloud front end of the
// simulator shares, in the order a real deployment would run it: the
// request is counted and its random fate drawn on arrival, delayed, then
// scripted faults (a load balancer in front), random faults, authentication,
// the rate limit, routing, the handler, and last the scripted faults that
// strike after the request was handled. Faults never strike after a change
// unless a scripted fault says After, so a retried request can't duplicate
// anything.
//
// A front end (packages hetzner, digitalocean and ec2) plugs in through
// the FrontEnd hooks: its routes, the key its faults are matched on
// ("/v1/servers" for Hetzner, the action name for EC2), its auth scheme,
// its error bodies, its rate-limit headers and content type. The world
// holds its rate limiter under its name, or several when it implements
// LimiterNamer (EC2's bucket per class of action).
package frontend

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// MaxBody bounds request bodies; the largest legitimate one is a server
// create with 32 KiB of user_data.
const MaxBody = 1 << 20

// FrontEnd is one cloud's wire format: the hooks the pipeline calls. Every
// hook but Token and FaultKey runs with the world locked.
type FrontEnd interface {
	// Name is the cloud's name ("hetzner"): the world keys the cloud's
	// catalogue, policy and rate limiter by it.
	Name() string
	// Route finds the handler of a request. key names the route for
	// request counting ("GET /v1/servers/{id}"); status is 0 on a match,
	// 404 when no route has the path and 405 when only other methods do.
	Route(method, path string) (h Handler, params map[string]int64, key string, status int)
	// FaultKey is what scripted faults' Path is matched against.
	FaultKey(r *http.Request) string
	// Token extracts the caller's credential (the auth scheme); "" = none.
	Token(r *http.Request) string
	// RenderError turns an error (an *Error of the pipeline's, or one of
	// the front end's own from a handler) into a status and a body.
	RenderError(err error) (status int, body []byte)
	// RateHeaders sets the cloud's rate-limit headers on every answer.
	RateHeaders(h http.Header, rs world.RateState)
	// ContentType is the type of every body the front end writes.
	ContentType() string
}

// LimiterNamer is implemented by a front end with more than one rate-limit
// bucket per caller (EC2: one per class of action). LimiterName names the
// world limiter (see world.AddLimiter) the request draws from; front ends
// without it draw from the limiter under their Name.
type LimiterNamer interface {
	LimiterName(r *http.Request) string
}

// Handler serves one route with the world locked and settled at c.Now. A
// nil body means an empty response.
type Handler func(c *Call) (status int, body []byte, err error)

// Call is one request as a handler sees it.
type Call struct {
	Method string
	Query  url.Values
	Body   []byte
	Params map[string]int64 // path parameters
	Now    time.Time
	Token  string
	Header http.Header // the request's headers (EC2 reads the region from its signature's scope)
	// Base is the scheme and host the client called ("http://127.0.0.1:41234"),
	// for front ends whose answers carry absolute links (DigitalOcean).
	Base string
}

// ErrorKind is a neutral reason the pipeline refuses a request; each front
// end words it its own way.
type ErrorKind int

// The errors the pipeline raises.
const (
	ErrUnauthorized ErrorKind = iota + 1
	ErrRateLimited            // the bucket is empty, or an injected 429
	ErrNoRoute                // 404
	ErrMethod                 // 405
	ErrBadBody                // unreadable or too large
	ErrFault                  // a scripted or random fault: Status, and Code when the fault named one
)

// Error is an error raised by the pipeline.
type Error struct {
	Kind    ErrorKind
	Status  int
	Code    string // the cloud's code when already known (a scripted fault's)
	Message string
}

func (e *Error) Error() string { return e.Message }

// Pipeline serves one front end over the world.
type Pipeline struct {
	w      *world.World
	fe     FrontEnd
	tokens map[[sha256.Size]byte]bool // allow-list by hash; empty = any token
}

// New returns the pipeline of fe. tokens is the allow-list; empty accepts
// any non-empty credential.
func New(w *world.World, fe FrontEnd, tokens []string) *Pipeline {
	p := &Pipeline{w: w, fe: fe, tokens: map[[sha256.Size]byte]bool{}}
	for _, t := range tokens {
		p.tokens[world.TokenKey(t)] = true
	}
	return p
}

// response is prepared under the world lock and written (or the connection
// dropped) after it is released, so a slow client never stalls the
// simulator.
type response struct {
	status int
	rate   world.RateState
	body   []byte
	drop   bool // close the connection without answering
}

func (p *Pipeline) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	arr := p.arrive(r)
	var body []byte
	var readErr error
	if r.Body != nil {
		body, readErr = io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	}
	// The delay comes after reading the body: only then does net/http watch
	// the connection and cancel the request context when the client leaves.
	if !sleepCtx(r, arr.Delay) {
		return // the client gave up while the request was delayed; nothing happened
	}
	resp := p.serve(r, body, readErr, arr)
	if resp.drop {
		dropConnection(rw)
		return
	}
	p.fe.RateHeaders(rw.Header(), resp.rate)
	if resp.body != nil {
		rw.Header().Set("Content-Type", p.fe.ContentType())
	}
	rw.WriteHeader(resp.status)
	_, _ = rw.Write(resp.body)
}

// arrive counts the request and draws its random fate.
func (p *Pipeline) arrive(r *http.Request) world.Arrival {
	_, _, key, _ := p.fe.Route(r.Method, r.URL.Path)
	w := p.w
	w.Lock()
	defer w.Unlock()
	w.Counts[key]++
	a := w.Draw()
	if a.Delay > 0 {
		w.FaultCounts[world.CountLatency]++
	}
	return a
}

func (p *Pipeline) errorResponse(rate world.RateState, err error) response {
	status, body := p.fe.RenderError(err)
	return response{status: status, rate: rate, body: body}
}

// serve runs faults in front (scripted, then random: a load balancer),
// the backend, and the scripted faults that strike after it.
func (p *Pipeline) serve(r *http.Request, body []byte, readErr error, arr world.Arrival) response {
	w := p.w
	faultKey := p.fe.FaultKey(r)
	token := p.fe.Token(r)
	w.Lock()
	defer w.Unlock()
	lim := p.limiter(r)
	now := w.Now()
	authorized := p.authorized(token)
	// What the headers of an answer that never reached the backend report:
	// the caller's bucket, unspent.
	peek := func() world.RateState {
		if authorized {
			return lim.Peek(token, now)
		}
		return lim.Peek("", now)
	}

	if f := w.TakeRequestFault(r.Method, faultKey, false); f != nil {
		return p.faultResponse(f, peek(), lim.Emptied(now))
	}
	switch arr.Fault {
	case world.RandomDrop:
		w.FaultCounts[world.CountDrop]++
		return response{drop: true}
	case world.RandomRateLimit:
		w.FaultCounts[world.CountRateLimit]++
		return p.errorResponse(lim.Emptied(now), &Error{Kind: ErrRateLimited, Status: http.StatusTooManyRequests,
			Message: "injected fault: rate limit exceeded"})
	case world.RandomServerError:
		w.FaultCounts[world.CountServerError]++
		return p.errorResponse(peek(), &Error{Kind: ErrFault, Status: arr.Status})
	}

	resp := p.backend(r, body, readErr, token, authorized, now)
	if f := w.TakeRequestFault(r.Method, faultKey, true); f != nil {
		return p.faultResponse(f, resp.rate, lim.Emptied(now))
	}
	return resp
}

// faultResponse answers a scripted fault: nothing at all for a drop, else
// its error with the headers of rate, or of an empty bucket for a 429.
func (p *Pipeline) faultResponse(f *world.Fault, rate, empty world.RateState) response {
	if f.Drop {
		return response{drop: true}
	}
	if f.Status == http.StatusTooManyRequests {
		rate = empty
	}
	return p.errorResponse(rate, &Error{Kind: ErrFault, Status: f.Status, Code: f.Code, Message: f.Message})
}

// backend is authentication, rate limit, routing and the handler, with the
// world locked by serve.
func (p *Pipeline) backend(r *http.Request, body []byte, readErr error, token string, authorized bool, now time.Time) response {
	w := p.w
	lim := p.limiter(r)
	handler, params, _, routeStatus := p.fe.Route(r.Method, r.URL.Path)
	if !authorized {
		return p.errorResponse(lim.Peek("", now),
			&Error{Kind: ErrUnauthorized, Status: http.StatusUnauthorized, Message: "unable to authenticate"})
	}
	rate, ok := lim.Take(token, now)
	if !ok {
		return p.errorResponse(rate, &Error{Kind: ErrRateLimited, Status: http.StatusTooManyRequests,
			Message: fmt.Sprintf("limit of %d requests reached; it refills by one request per second", rate.Limit)})
	}
	switch {
	case routeStatus == http.StatusNotFound:
		return p.errorResponse(rate, &Error{Kind: ErrNoRoute, Status: routeStatus, Message: "not found"})
	case routeStatus == http.StatusMethodNotAllowed:
		return p.errorResponse(rate, &Error{Kind: ErrMethod, Status: routeStatus,
			Message: fmt.Sprintf("method %s not allowed", r.Method)})
	case readErr != nil || len(body) > MaxBody:
		return p.errorResponse(rate, &Error{Kind: ErrBadBody, Status: http.StatusUnprocessableEntity,
			Message: "request body could not be read or is too large"})
	}

	w.Settle(now)
	status, out, err := handler(&Call{Method: r.Method, Query: r.URL.Query(), Body: body, Params: params, Now: now, Token: token, Header: r.Header, Base: baseURL(r)})
	if err != nil {
		return p.errorResponse(rate, err)
	}
	return response{status: status, rate: rate, body: out}
}

// limiter is the world limiter the request draws from; the world must be
// locked.
func (p *Pipeline) limiter(r *http.Request) *world.Limiter {
	if n, ok := p.fe.(LimiterNamer); ok {
		return p.w.Limiter(n.LimiterName(r))
	}
	return p.w.Limiter(p.fe.Name())
}

func (p *Pipeline) authorized(token string) bool {
	if token == "" {
		return false
	}
	return len(p.tokens) == 0 || p.tokens[world.TokenKey(token)]
}

// RateLimitHeaders sets RateLimit-Limit, -Remaining and -Reset (a Unix
// time, rounded up so that a reset due within the current second is still
// in the future), the headers Hetzner and DigitalOcean both send.
func RateLimitHeaders(h http.Header, rs world.RateState) {
	h.Set("RateLimit-Limit", strconv.Itoa(rs.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(rs.Remaining))
	reset := rs.Reset.Unix()
	if rs.Reset.Nanosecond() > 0 {
		reset++
	}
	h.Set("RateLimit-Reset", strconv.FormatInt(reset, 10))
}

// BearerToken is the "Authorization: Bearer <token>" scheme (Hetzner,
// DigitalOcean).
func BearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// baseURL is the scheme and host the request was sent to.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// sleepCtx waits d unless the request is cancelled first; it reports
// whether the full delay passed.
func sleepCtx(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// dropConnection closes the client's connection without writing anything,
// so the client sees EOF or a reset. When the connection can't be taken
// over (HTTP/2, or a wrapper that hides it), aborting the handler resets
// the stream or closes the connection just the same.
func dropConnection(rw http.ResponseWriter) {
	conn, _, err := http.NewResponseController(rw).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
