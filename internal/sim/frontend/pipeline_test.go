package frontend

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// fake is a front end of another shape than Hetzner's: an EC2-like API
// that POSTs everything to / with the operation in a form field, an
// "X-Key" auth scheme, text error bodies and its own rate-limit header. It
// proves the pipeline takes every wire decision from the hooks.
type fake struct {
	w       *world.World
	creates int
}

func (f *fake) Name() string { return "fake" }

func (f *fake) Route(method, path string) (Handler, map[string]int64, string, int) {
	if path != "/" {
		return nil, nil, method + " (no route)", http.StatusNotFound
	}
	if method != http.MethodPost {
		return nil, nil, method + " /", http.StatusMethodNotAllowed
	}
	return func(c *Call) (int, []byte, error) {
		if c.Query.Get("Action") == "Boom" {
			return 0, nil, errors.New("handler failed")
		}
		f.creates++
		return http.StatusOK, []byte("ok " + c.Token), nil
	}, nil, "POST /", 0
}

func (f *fake) FaultKey(r *http.Request) string { return r.URL.Query().Get("Action") }

func (f *fake) Token(r *http.Request) string { return r.Header.Get("X-Key") }

func (f *fake) RenderError(err error) (int, []byte) {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Status, []byte("fake error kind " + strconv.Itoa(int(pe.Kind)) + ": " + pe.Code + " " + pe.Message)
	}
	return http.StatusInternalServerError, []byte("fake internal: " + err.Error())
}

func (f *fake) RateHeaders(h http.Header, rs world.RateState) {
	h.Set("X-Fake-Remaining", strconv.Itoa(rs.Remaining))
}

func (f *fake) ContentType() string { return "text/plain" }

func TestPipelineUsesTheHooks(t *testing.T) {
	w := world.New(world.Options{})
	w.AddCloud("fake", world.Cloud{}, world.NewLimiter(2, 100))
	fe := &fake{w: w}
	srv := httptest.NewServer(New(w, fe, []string{"good"}))
	defer srv.Close()
	call := func(action, key string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/?Action="+action, strings.NewReader(""))
		if key != "" {
			req.Header.Set("X-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}

	// Faults match the front end's key (here the action name) and strike
	// before the handler runs.
	w.Lock()
	w.AddFault(world.Fault{Path: "RunInstances", Status: 503, Code: "Unavailable", Message: "try later"}.Normalize(nil))
	w.Unlock()
	if code, body, hdr := call("RunInstances", "good"); code != 503 || body != "fake error kind 6: Unavailable try later" ||
		hdr.Get("Content-Type") != "text/plain" || hdr.Get("X-Fake-Remaining") != "2" || fe.creates != 0 {
		t.Errorf("faulted: %d %q %v, creates %d", code, body, hdr, fe.creates)
	}
	if code, body, _ := call("RunInstances", "bad"); code != 401 || !strings.HasPrefix(body, "fake error kind 1:") {
		t.Errorf("unknown key: %d %q", code, body)
	}
	if code, body, hdr := call("RunInstances", "good"); code != 200 || body != "ok good" || hdr.Get("X-Fake-Remaining") != "1" {
		t.Errorf("served: %d %q %v", code, body, hdr)
	}
	if code, body, _ := call("Boom", "good"); code != 500 || body != "fake internal: handler failed" {
		t.Errorf("handler error: %d %q", code, body)
	}
	if code, body, _ := call("RunInstances", "good"); code != 429 || !strings.HasPrefix(body, "fake error kind 2:") {
		t.Errorf("over the limit: %d %q", code, body)
	}
	w.Lock()
	counts := w.Counts["POST /"]
	w.Unlock()
	if counts != 5 || fe.creates != 1 {
		t.Errorf("counted %d requests, %d creates; want 5 and 1", counts, fe.creates)
	}
}

// classed is fake with a bucket per class of action (LimiterNamer) and a
// handler that reads a request header.
type classed struct{ fake }

func (c *classed) LimiterName(r *http.Request) string {
	if strings.HasPrefix(r.URL.Query().Get("Action"), "Describe") {
		return "fake/describe"
	}
	return "fake/mutate"
}

func (c *classed) Route(method, path string) (Handler, map[string]int64, string, int) {
	return func(call *Call) (int, []byte, error) {
		return http.StatusOK, []byte("region " + call.Header.Get("X-Region")), nil
	}, nil, "POST /", 0
}

func TestPipelineLimiterNamer(t *testing.T) {
	w := world.New(world.Options{})
	w.AddCloud("fake", world.Cloud{}, world.NewLimiter(100, 100))
	w.AddLimiter("fake/describe", world.NewWindowLimiter(world.Window{Size: 2, Per: time.Hour}))
	w.AddLimiter("fake/mutate", world.NewWindowLimiter(world.Window{Size: 1, Per: time.Hour}))
	srv := httptest.NewServer(New(w, &classed{fake{w: w}}, nil))
	defer srv.Close()
	call := func(action string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/?Action="+action, nil)
		req.Header.Set("X-Key", "k")
		req.Header.Set("X-Region", "r1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for i, tc := range []struct {
		action string
		status int
	}{{"DescribeA", 200}, {"Create", 200}, {"DescribeB", 200}, {"Create", 429}, {"DescribeA", 429}} {
		if st, body := call(tc.action); st != tc.status || st == 200 && body != "region r1" {
			t.Errorf("request %d (%s): %d %q, want %d", i+1, tc.action, st, body, tc.status)
		}
	}
}
