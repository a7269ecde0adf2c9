package world

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
// Path is matched against the fault key a front end gives each request:
// for Hetzner the request path including the /v1 prefix, for EC2 its
// action name. It is an exact key, or a prefix ending in "*"
// ("/v1/servers*"). The special form "action:<command>"
// ("action:create_image", or "action:*" for any command) does not match
// requests: it makes the next Times actions the cloud calls command fail
// (the front end renders a missing Code and Message in its own words);
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

// IsAction reports whether the fault fails actions rather than requests.
func (f *Fault) IsAction() bool { return strings.HasPrefix(f.Path, actionFaultPrefix) }

// MatchesRequest reports whether the fault matches a request with this fault key.
func (f *Fault) MatchesRequest(method, key string) bool {
	if f.IsAction() || (f.Method != "" && !strings.EqualFold(f.Method, method)) {
		return false
	}
	if prefix, ok := strings.CutSuffix(f.Path, "*"); ok {
		return strings.HasPrefix(key, prefix)
	}
	return f.Path == key
}

// MatchesAction reports whether the fault fails an action the cloud calls command.
func (f *Fault) MatchesAction(command string) bool {
	c, ok := strings.CutPrefix(f.Path, actionFaultPrefix)
	return ok && (c == "*" || c == command)
}

// Normalize fills in what the caller left out, so a spent or listed fault
// shows exactly what it answers. codes gives a cloud's error code for a
// status (hetzner.ErrorCodes).
func (f Fault) Normalize(codes map[int]string) Fault {
	if f.Times <= 0 {
		f.Times = 1
	}
	if f.IsAction() || f.Drop {
		return f
	}
	if f.Status == 0 {
		f.Status = http.StatusInternalServerError
		for st, code := range codes {
			if code == f.Code && f.Code != "" {
				f.Status = st
			}
		}
	}
	if f.Code == "" {
		f.Code = codes[f.Status]
		if f.Code == "" {
			f.Code = "unknown_error"
		}
	}
	if f.Message == "" {
		f.Message = "injected fault: " + strings.ReplaceAll(f.Code, "_", " ")
	}
	return f
}

// AddFault arms a fault, normalized by the caller.
func (w *World) AddFault(f Fault) {
	w.Faults = append(w.Faults, &f)
}

// take consumes one use of the first fault that matches and returns a copy.
func (w *World) take(match func(*Fault) bool) *Fault {
	for i, f := range w.Faults {
		if !match(f) {
			continue
		}
		f.Times--
		if f.Times <= 0 {
			w.Faults = append(w.Faults[:i:i], w.Faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

// TakeRequestFault consumes a request fault that strikes before (after ==
// false) or after the request is handled.
func (w *World) TakeRequestFault(method, key string, after bool) *Fault {
	f := w.take(func(f *Fault) bool { return f.After == after && f.MatchesRequest(method, key) })
	if f != nil {
		w.FaultCounts[CountScripted]++
	}
	return f
}

func (w *World) takeActionFault(command string) *Fault {
	f := w.take(func(f *Fault) bool { return f.MatchesAction(command) })
	if f != nil {
		w.FaultCounts[CountScripted]++
	}
	return f
}
