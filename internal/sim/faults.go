package sim

import (
	"net/http"
	"strings"
)

// Fault makes the next Times matching requests fail, the way a load
// balancer or an overloaded backend would.
//
// By default a fault strikes before the request changes anything: the
// client gets Status (or a dropped connection with Drop) and the world is
// untouched. With After, the request is handled first and its effect stays,
// but the client gets the fault instead of the answer: the "create
// succeeded but the answer was lost" case a retrying client must survive.
// An After fault replaces whatever the answer would have been, errors
// included.
//
// Path is an exact request path including the /v1 prefix, or a prefix
// ending in "*" ("/v1/servers*"). The special form "action:<command>"
// ("action:create_image", or "action:*" for any command) does not match
// requests: it makes the next Times actions with that command end in status
// "error" (Code defaults to "action_failed", Message to "Action failed");
// Drop and After don't apply to it.
//
// Scripted faults are checked before the random FaultRates, so a script
// fires exactly as written even under random load.
type Fault struct {
	Method  string `json:"method,omitempty"`  // "" = any
	Path    string `json:"path"`              // see above
	Status  int    `json:"status,omitempty"`  // HTTP status; 0 = derived from Code, else 500
	Code    string `json:"code,omitempty"`    // error code, e.g. "rate_limit_exceeded"; "" = derived from Status
	Message string `json:"message,omitempty"` // "" = a generic message for the code
	Times   int    `json:"times,omitempty"`   // how many matching calls fail; 0 counts as 1
	Drop    bool   `json:"drop,omitempty"`    // close the connection without any answer instead of answering Status
	After   bool   `json:"after,omitempty"`   // strike after the request was handled; its effect stays
}

const actionFaultPrefix = "action:"

func (f *Fault) isAction() bool { return strings.HasPrefix(f.Path, actionFaultPrefix) }

func (f *Fault) matchesRequest(method, path string) bool {
	if f.isAction() || (f.Method != "" && !strings.EqualFold(f.Method, method)) {
		return false
	}
	if prefix, ok := strings.CutSuffix(f.Path, "*"); ok {
		return strings.HasPrefix(path, prefix)
	}
	return f.Path == path
}

func (f *Fault) matchesAction(command string) bool {
	c, ok := strings.CutPrefix(f.Path, actionFaultPrefix)
	return ok && (c == "*" || c == command)
}

// errorCodeForStatus gives the Hetzner error code a status usually carries.
var errorCodeForStatus = map[int]string{
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

// normalize fills in what the caller left out, so a spent or listed fault
// shows exactly what it answers.
func (f Fault) normalize() Fault {
	if f.Times <= 0 {
		f.Times = 1
	}
	if f.isAction() || f.Drop {
		return f
	}
	if f.Status == 0 {
		f.Status = http.StatusInternalServerError
		for st, code := range errorCodeForStatus {
			if code == f.Code && f.Code != "" {
				f.Status = st
			}
		}
	}
	if f.Code == "" {
		f.Code = errorCodeForStatus[f.Status]
		if f.Code == "" {
			f.Code = "unknown_error"
		}
	}
	if f.Message == "" {
		f.Message = "injected fault: " + strings.ReplaceAll(f.Code, "_", " ")
	}
	return f
}

func (w *world) addFault(f Fault) {
	f = f.normalize()
	w.faults = append(w.faults, &f)
}

// take consumes one use of the first fault that matches and returns a copy.
func (w *world) take(match func(*Fault) bool) *Fault {
	for i, f := range w.faults {
		if !match(f) {
			continue
		}
		f.Times--
		if f.Times <= 0 {
			w.faults = append(w.faults[:i:i], w.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

// takeRequestFault consumes a request fault that strikes before (after ==
// false) or after the request is handled.
func (w *world) takeRequestFault(method, path string, after bool) *Fault {
	f := w.take(func(f *Fault) bool { return f.After == after && f.matchesRequest(method, path) })
	if f != nil {
		w.faultCounts[countScripted]++
	}
	return f
}

func (w *world) takeActionFault(command string) *Fault {
	f := w.take(func(f *Fault) bool { return f.matchesAction(command) })
	if f != nil {
		w.faultCounts[countScripted]++
	}
	return f
}
