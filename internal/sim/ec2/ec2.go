package ec2sim

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim/frontend"
	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// Name is the cloud's name in the world and in spuff (alias "ec2").
const Name = "aws"

// APIVersion is the only EC2 API version the SDKs send.
const APIVersion = "2016-11-15"

const xmlns = "http://ec2.amazonaws.com/doc/" + APIVersion + "/"

// DefaultAccount is the account of a caller whose access key ID is not 12
// digits (as LocalStack does); a 12-digit access key ID names the account.
const DefaultAccount = "000000000000"

// Policy is how instances and AMIs move through the world: the public IPv4
// appears once the instance runs, a terminated instance stays listed as
// terminated for an hour (so does one whose launch failed), and an AMI is
// listed (pending) from CreateImage on.
var Policy = world.Policy{
	IPs:          world.IPsOnceRunning,
	Snapshots:    world.SnapshotAtOnce,
	Tombstone:    time.Hour,
	FailedCreate: world.Gone,
	ActionName:   func(k world.Kind) string { return actionNames[k] },
}

// actionNames are the EC2 actions that start the world's kinds of action,
// matched by "action:<name>" faults ("action:CreateImage").
var actionNames = map[world.Kind]string{
	world.KindCreate:   "RunInstances",
	world.KindStart:    "StartInstances",
	world.KindStop:     "StopInstances",
	world.KindShutdown: "StopInstances",
	world.KindReboot:   "RebootInstances",
	world.KindSnapshot: "CreateImage",
	world.KindDelete:   "TerminateInstances",
	world.KindResize:   "ModifyInstanceAttribute",
}

// state is an instance state: its name and code.
type state struct {
	name string
	code int
}

// states are EC2's instance states for the world's phases.
var states = map[world.Phase]state{
	world.Provisioning: {"pending", 0},
	world.Starting:     {"pending", 0},
	world.Running:      {"running", 16},
	world.Stopping:     {"stopping", 64},
	world.Off:          {"stopped", 80},
	world.Resizing:     {"stopped", 80},
	world.Deleting:     {"shutting-down", 32},
	world.Gone:         {"terminated", 48},
}

// Status is EC2's instance state name for a phase.
func Status(p world.Phase) string { return states[p].name }

// ImageStatus is EC2's AMI state for an image state.
func ImageStatus(s world.ImageState) string {
	switch s {
	case world.ImagePending:
		return "pending"
	case world.ImageFailed:
		return "failed"
	default:
		return "available"
	}
}

// ErrorCodes are EC2's error codes by status; they fill in the code of a
// fault that names only a status, or the status of one naming only a code.
// A 429 is answered as 503 RequestLimitExceeded, EC2's throttling.
var ErrorCodes = map[int]string{
	http.StatusBadRequest:          "InvalidParameterValue",
	http.StatusUnauthorized:        "AuthFailure",
	http.StatusForbidden:           "UnauthorizedOperation",
	http.StatusTooManyRequests:     "RequestLimitExceeded",
	http.StatusInternalServerError: "InternalError",
	http.StatusServiceUnavailable:  "Unavailable",
}

var actionName = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*\*?$`)

// IsFaultKey reports whether a scripted fault's Path aims at this API: an
// action name ("RunInstances") or a prefix of one ("Describe*").
func IsFaultKey(path string) bool { return actionName.MatchString(path) }

// DefaultImage is the name pattern of the seeded AMI an out-of-band machine
// of the architecture ("x86" or "arm") boots when none is named: the
// newest Ubuntu 24.04 of its region.
func DefaultImage(arch string) string {
	return "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-" + debArch(arch) + "-server-*"
}

// Throttling: a token bucket per class of action and caller, as EC2 does
// (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).
var (
	describeWindow  = world.Window{Size: 100, Per: 5 * time.Second} // refills 20/s
	mutateWindow    = world.Window{Size: 50, Per: 10 * time.Second} // refills 5/s
	limiterDescribe = Name + "/describe"
	limiterMutate   = Name + "/mutate"
)

// Options configure the front end.
type Options struct {
	// RateLimit, when positive, replaces the per-class buckets with one
	// bucket per caller of that many requests refilled at one per second;
	// 0 = EC2's buckets (Describe* 100, refilling 20/s; every other action
	// 50, refilling 5/s); negative never refuses.
	RateLimit int
}

// fe is the front end: the pipeline's hooks and the handlers.
type fe struct {
	w        *world.World
	override bool // one bucket for every action (Options.RateLimit > 0)
	// renamed are the instances a tagging call touches, whose names follow
	// their Name tag; guarded by the world's lock like everything else.
	renamed []*world.Machine
}

// New registers EC2 (catalogue, policy, rate limiters) in the world and
// returns its front end, to be served through frontend.New and Handler.
func New(w *world.World, opts Options) frontend.FrontEnd {
	f := &fe{w: w, override: opts.RateLimit > 0}
	var lim *world.Limiter
	if f.override {
		lim = world.NewLimiter(opts.RateLimit, opts.RateLimit)
	} else {
		lim = world.NewWindowLimiter(describeWindow)
	}
	describe, mutate := world.NewWindowLimiter(describeWindow), world.NewWindowLimiter(mutateWindow)
	if opts.RateLimit < 0 {
		lim.Disable()
		describe.Disable()
		mutate.Disable()
	}
	w.Lock()
	defer w.Unlock()
	w.AddCloud(Name, world.Cloud{Catalog: Catalog(), Policy: Policy}, lim)
	w.AddLimiter(limiterDescribe, describe)
	w.AddLimiter(limiterMutate, mutate)
	return f
}

// Name implements frontend.FrontEnd.
func (f *fe) Name() string { return Name }

// ContentType implements frontend.FrontEnd.
func (f *fe) ContentType() string { return "text/xml;charset=UTF-8" }

// RateHeaders implements frontend.FrontEnd: EC2 sends none.
func (f *fe) RateHeaders(http.Header, world.RateState) {}

// actionPrefix starts the internal path Handler gives a request: no client
// path lacks the leading slash, so it can't be forged.
const actionPrefix = "ec2:"

// action is the EC2 action of a request Handler rewrote; "" = none.
func action(r *http.Request) string { return strings.TrimPrefix(r.URL.Path, actionPrefix) }

// FaultKey implements frontend.FrontEnd: the action name, since every call
// is POST /.
func (f *fe) FaultKey(r *http.Request) string { return action(r) }

// LimiterName implements frontend.LimiterNamer.
func (f *fe) LimiterName(r *http.Request) string {
	switch {
	case f.override:
		return Name
	case strings.HasPrefix(action(r), "Describe"):
		return limiterDescribe
	default:
		return limiterMutate
	}
}

// Token implements frontend.FrontEnd: the access key ID of the SigV4
// Authorization header (or of a presigned URL's X-Amz-Credential). The
// signature is not verified.
func (f *fe) Token(r *http.Request) string {
	akid, _, ok := credential(r.Header, r.URL.Query())
	if !ok {
		return ""
	}
	return akid
}

// credential parses "AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/ec2/aws4_request, ...".
func credential(h http.Header, q url.Values) (akid, region string, ok bool) {
	cred := q.Get("X-Amz-Credential")
	if a := h.Get("Authorization"); a != "" {
		scheme, rest, found := strings.Cut(a, " ")
		if !found || scheme != "AWS4-HMAC-SHA256" {
			return "", "", false
		}
		cred = ""
		for _, part := range strings.Split(rest, ",") {
			if v, found := strings.CutPrefix(strings.TrimSpace(part), "Credential="); found {
				cred = v
			}
		}
	}
	p := strings.Split(cred, "/")
	if len(p) != 5 || p[0] == "" || len(p[1]) != 8 || p[2] == "" || p[3] != "ec2" || p[4] != "aws4_request" {
		return "", "", false
	}
	return p[0], p[2], true
}

// Route implements frontend.FrontEnd. Handler has moved the action into
// the path; the key is the action's name.
func (f *fe) Route(method, path string) (frontend.Handler, map[string]int64, string, int) {
	act, ok := strings.CutPrefix(path, actionPrefix)
	if !ok {
		return nil, nil, method + " (no route)", http.StatusNotFound
	}
	if method != http.MethodPost && method != http.MethodGet {
		return nil, nil, act, http.StatusMethodNotAllowed
	}
	h := handlers[act]
	key := act
	switch {
	case act == "":
		key = "(no action)"
		h = func(*fe, *call) ([]*node, error) {
			return nil, apiErr("MissingAction", "The request must contain the parameter Action.")
		}
	case h == nil:
		key = "(unknown action)"
		h = func(*fe, *call) ([]*node, error) {
			return nil, apiErr("InvalidAction", fmt.Sprintf("The action %s is not valid for this web service.", act))
		}
	}
	return func(fc *frontend.Call) (int, []byte, error) {
		c, err := f.newCall(fc, act)
		if err != nil {
			return 0, nil, err
		}
		if c.bool("DryRun") {
			return 0, nil, &apiError{status: http.StatusPreconditionFailed, code: "DryRunOperation",
				message: "Request would have succeeded, but DryRun flag is set."}
		}
		kids, err := h(f, c)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, response(act, kids), nil
	}, nil, key, 0
}

// call is one request as the handlers see it.
type call struct {
	*frontend.Call
	p       url.Values
	action  string
	region  string
	account string
}

func (f *fe) newCall(fc *frontend.Call, act string) (*call, error) {
	p, err := url.ParseQuery(string(fc.Body))
	if err != nil {
		return nil, apiErr("MalformedQueryString", "The request body is not a valid form: "+err.Error())
	}
	for k, v := range fc.Query {
		if _, dup := p[k]; !dup {
			p[k] = v
		}
	}
	akid, region, _ := credential(fc.Header, fc.Query)
	if f.w.Catalog(Name).Region(region) == nil {
		return nil, &apiError{status: http.StatusUnauthorized, code: "AuthFailure",
			message: fmt.Sprintf("AWS was not able to validate the provided access credentials: region '%s' of the credential scope is not enabled", region)}
	}
	account := DefaultAccount
	if len(akid) == 12 && strings.Trim(akid, "0123456789") == "" {
		account = akid
	}
	return &call{Call: fc, p: p, action: act, region: region, account: account}, nil
}

// apiError is an error as EC2 reports it.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// apiErr is a 400 with a code.
func apiErr(code, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, message: msg}
}

func invalidValue(msg string) *apiError { return apiErr("InvalidParameterValue", msg) }
func missing(name string) *apiError {
	return apiErr("MissingParameter", "The request must contain the parameter "+name)
}
func combination(msg string) *apiError    { return apiErr("InvalidParameterCombination", msg) }
func incorrectState(msg string) *apiError { return apiErr("IncorrectInstanceState", msg) }

// Messages EC2 uses verbatim.
const (
	msgAuth        = "AWS was not able to validate the provided access credentials"
	msgThrottled   = "Request limit exceeded."
	msgInternal    = "An internal error has occurred"
	msgUnavailable = "The service is unavailable. Please try again shortly."
)

// RenderError implements frontend.FrontEnd: the XML error envelope. A 429
// (a full bucket or an injected 429 without a code of its own) is 503
// RequestLimitExceeded, as EC2 throttles; random and scripted 5xx are 500
// InternalError or 503 Unavailable.
func (f *fe) RenderError(err error) (int, []byte) {
	var ae *apiError
	var pe *frontend.Error
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &pe):
		ae = &apiError{status: pe.Status, message: pe.Message}
		switch pe.Kind {
		case frontend.ErrUnauthorized:
			ae.status, ae.code, ae.message = http.StatusUnauthorized, "AuthFailure", msgAuth
		case frontend.ErrRateLimited:
			ae.status, ae.code, ae.message = http.StatusServiceUnavailable, "RequestLimitExceeded", msgThrottled
		case frontend.ErrNoRoute:
			ae.status, ae.code, ae.message = http.StatusBadRequest, "InvalidAction", "EC2 answers POST / only"
		case frontend.ErrMethod:
			ae.code, ae.message = "InvalidAction", "EC2 answers POST / (or GET /) only"
		case frontend.ErrBadBody:
			ae.status, ae.code = http.StatusBadRequest, "InvalidParameterValue"
		case frontend.ErrFault:
			ae.code = pe.Code
			if ae.code == "unknown_error" || strings.Contains(ae.code, "_") {
				ae.code = "" // a code in another cloud's words
			}
			if ae.status == 0 {
				ae.status = http.StatusInternalServerError
			}
		}
	default:
		ae = &apiError{status: http.StatusInternalServerError, code: "InternalError", message: msgInternal}
	}
	if ae.status == http.StatusTooManyRequests && (ae.code == "" || ae.code == "RequestLimitExceeded") {
		ae.status, ae.code = http.StatusServiceUnavailable, "RequestLimitExceeded"
	}
	if ae.code == "" {
		switch {
		case ae.status == http.StatusServiceUnavailable:
			ae.code = "Unavailable"
		case ae.status >= 500:
			ae.code = "InternalError"
		default:
			ae.code = ErrorCodes[ae.status]
		}
		if ae.code == "" {
			ae.code = "InvalidParameterValue"
		}
	}
	if ae.message == "" {
		switch ae.code {
		case "RequestLimitExceeded":
			ae.message = msgThrottled
		case "Unavailable":
			ae.message = msgUnavailable
		default:
			ae.message = msgInternal
		}
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	el("Response",
		el("Errors", el("Error", tx("Code", ae.code), tx("Message", ae.message))),
		tx("RequestID", ridPlaceholder)).write(&b)
	return ae.status, b.Bytes()
}

// response is a success body: <ActionResponse xmlns=...> with requestId
// first.
func response(act string, kids []*node) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	root := el(act+"Response", append([]*node{tx("requestId", ridPlaceholder)}, kids...)...)
	root.attr = `xmlns="` + xmlns + `"`
	root.write(&b)
	return b.Bytes()
}

// ridPlaceholder stands for the request ID in a body until Handler writes
// it, so that the body and the x-amzn-requestid header agree.
const ridPlaceholder = "\x00request-id\x00"

// Handler wraps the pipeline of the front end. It reads the form (body and
// query) for the Action and gives the pipeline a request whose path names
// it, so routing, request counts, fault keys and rate limits go by action;
// every answer gets a request ID (the x-amzn-requestid header and the
// body's requestId or RequestID).
func Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			var err error
			body, err = io.ReadAll(io.LimitReader(r.Body, frontend.MaxBody+1))
			if err != nil {
				body = nil
			}
		}
		r2 := r.Clone(r.Context())
		r2.Body = io.NopCloser(bytes.NewReader(body))
		if r.URL.Path == "/" {
			form, _ := url.ParseQuery(string(body))
			act := form.Get("Action")
			if act == "" {
				act = r.URL.Query().Get("Action")
			}
			r2.URL.Path = actionPrefix + act
			r2.URL.RawPath = ""
		}
		rid := requestID()
		rw.Header().Set("X-Amzn-Requestid", rid)
		next.ServeHTTP(&ridWriter{ResponseWriter: rw, old: []byte(ridPlaceholder), new: []byte(rid)}, r2)
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

// Unwrap lets http.ResponseController reach the connection, which the
// pipeline takes over to drop it.
func (w *ridWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestID is a random UUID, the form EC2's request IDs take.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
