package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/hetznercloud/hcloud-go/v2/hcloud/exp/kit/sshutil"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

// firstID is the first ID after New and Reset.
const firstID = world.FirstID

// testToken is 64 characters, the length terraform-provider-hcloud insists on.
var testToken = strings.Repeat("a", 64)

// fakeClock only moves when a test says so.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 1, 30, 23, 50, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a simulator behind a real HTTP server with an hcloud-go client.
type env struct {
	t   *testing.T
	sim *Sim
	srv *httptest.Server
	c   *hcloud.Client
	ctx context.Context

	mu   sync.Mutex
	reqs []string // "METHOD /request?uri" in arrival order
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	e := &env{t: t, sim: New(opts), ctx: t.Context()}
	h := e.sim.Handler()
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.reqs = append(e.reqs, r.Method+" "+r.URL.RequestURI())
		e.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	e.c = e.client(testToken)
	return e
}

// client uses the fast settings of simulator notes section 6.
func (e *env) client(token string) *hcloud.Client {
	return hcloud.NewClient(
		hcloud.WithEndpoint(e.srv.URL+"/v1"),
		hcloud.WithToken(token),
		hcloud.WithPollOpts(hcloud.PollOpts{BackoffFunc: hcloud.ConstantBackoff(20 * time.Millisecond)}),
		hcloud.WithRetryOpts(hcloud.RetryOpts{BackoffFunc: hcloud.ConstantBackoff(10 * time.Millisecond), MaxRetries: 2}),
	)
}

func (e *env) requests() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.reqs...)
}

// reply is the part of a raw response the tests look at; the body is read
// and closed inside doToken.
type reply struct {
	StatusCode int
	Header     http.Header
}

// do sends a raw request with the test token; body may be nil, a string or
// a value to encode as JSON.
func (e *env) do(method, path string, body any) (reply, []byte) {
	e.t.Helper()
	return e.doToken(method, path, body, testToken)
}

func (e *env) doToken(method, path string, body any, token string) (reply, []byte) {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(e.ctx, method, e.srv.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header}, out
}

// doJSON is do plus decoding of the answer into a generic map.
func (e *env) doJSON(method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	resp, raw := e.do(method, path, body)
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			e.t.Fatalf("%s %s: body is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return resp.StatusCode, m
}

// createServer creates a server through the SDK and fails the test on error.
func (e *env) createServer(name string, labels map[string]string) hcloud.ServerCreateResult {
	e.t.Helper()
	r, _, err := e.c.Server.Create(e.ctx, hcloud.ServerCreateOpts{
		Name:       name,
		ServerType: &hcloud.ServerType{Name: "cx23"},
		Image:      &hcloud.Image{Name: "ubuntu-24.04"},
		Location:   &hcloud.Location{Name: "fsn1"},
		Labels:     labels,
	})
	if err != nil {
		e.t.Fatalf("create server %s: %v", name, err)
	}
	return r
}

// createSSHKey creates a fresh ed25519 key through the SDK.
func (e *env) createSSHKey(name string) *hcloud.SSHKey {
	e.t.Helper()
	_, pub, err := sshutil.GenerateKeyPair()
	if err != nil {
		e.t.Fatal(err)
	}
	k, _, err := e.c.SSHKey.Create(e.ctx, hcloud.SSHKeyCreateOpts{Name: name, PublicKey: string(pub)})
	if err != nil {
		e.t.Fatalf("create ssh key %s: %v", name, err)
	}
	return k
}

// apiError fails the test unless err is an API error with the given code.
func apiError(t *testing.T, err error, code hcloud.ErrorCode) {
	t.Helper()
	if !hcloud.IsError(err, code) {
		t.Fatalf("got error %v, want API error %q", err, code)
	}
}

// apiErrorOf is apiError returning the error's details. It returns a pointer
// so that linters don't take the result for an error left unchecked.
func apiErrorOf(t *testing.T, err error, code hcloud.ErrorCode) *hcloud.Error {
	t.Helper()
	apiError(t, err, code)
	var he hcloud.Error
	errors.As(err, &he)
	return &he
}

// invalidField returns the single field named by an invalid_input error.
func invalidField(t *testing.T, err error) string {
	t.Helper()
	he := apiErrorOf(t, err, hcloud.ErrorCodeInvalidInput)
	d, ok := he.Details.(hcloud.ErrorDetailsInvalidInput)
	if !ok || len(d.Fields) != 1 {
		t.Fatalf("invalid_input details = %#v, want one field", he.Details)
	}
	return d.Fields[0].Name
}

// dig walks a decoded JSON document: dig(m, "server", "datacenter", "location", "name").
func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}
