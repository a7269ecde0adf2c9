package hetzner

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

func TestCloud(t *testing.T) {
	if Cloud.Name != "hetzner" || !Cloud.Implemented() || !slices.Equal(Cloud.Aliases, []string{"hcloud"}) {
		t.Fatalf("Cloud = %s aliases %v implemented=%v", Cloud.Name, Cloud.Aliases, Cloud.Implemented())
	}
	p, err := Cloud.New(framework.Config{Token: strings.Repeat("t", 64), Timeouts: framework.DefaultTimeouts()})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if p.Name() != "hetzner" || p.SupportsSnapshots() != Cloud.Snapshots {
		t.Errorf("provider Name=%q SupportsSnapshots=%v", p.Name(), p.SupportsSnapshots())
	}
	if u, ok := p.(framework.InstanceUpdater); !ok || u.UpdateCapabilities() != Cloud.Updates {
		t.Errorf("provider's update capabilities differ from the Cloud's: %T", p)
	}
}

func TestFactoryRejectsBadConfig(t *testing.T) {
	good := framework.Config{Token: strings.Repeat("t", 64), Timeouts: framework.DefaultTimeouts()}
	for _, tc := range []struct {
		name  string
		edit  func(*framework.Config)
		field string
	}{
		{"no token", func(c *framework.Config) { c.Token = " " }, "token"},
		{"zero timeout", func(c *framework.Config) { c.Timeouts.PollInterval = 0 }, "timeouts.poll_interval"},
		{"http on a remote host", func(c *framework.Config) { c.Endpoint = "http://api.example.com/v1" }, "endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.edit(&cfg)
			p, err := Cloud.New(cfg)
			if p != nil {
				t.Errorf("provider = %#v, want a nil interface", p)
			}
			var ic *framework.InvalidConfigError
			if !errors.As(err, &ic) || ic.Field != tc.field {
				t.Errorf("error = %v, want InvalidConfigError on %s", err, tc.field)
			}
		})
	}
}

// headerServer answers an empty SSH key list and records the headers.
func headerServer(t *testing.T) (*httptest.Server, func() http.Header) {
	t.Helper()
	var mu sync.Mutex
	var last http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		last = r.Header.Clone()
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ssh_keys":[],"meta":{"pagination":{"page":1,"per_page":50,"previous_page":null,"next_page":null,"last_page":1,"total_entries":0}}}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() http.Header {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
}

func TestClientHeaders(t *testing.T) {
	srv, last := headerServer(t)
	token := strings.Repeat("k", 64)
	for _, tc := range []struct {
		userAgent string
		wantStart string
	}{
		{"", "spuff hcloud-go/"},
		{"terraform-provider-spuff/1.2.3", "terraform-provider-spuff/1.2.3 hcloud-go/"},
	} {
		p, err := New(framework.Config{Token: token, Timeouts: framework.DefaultTimeouts(), Endpoint: srv.URL + "/v1/", UserAgent: tc.userAgent})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.SSHKeys(context.Background()); err != nil {
			t.Fatalf("SSHKeys: %v", err)
		}
		h := last()
		if ua := h.Get("User-Agent"); !strings.HasPrefix(ua, tc.wantStart) {
			t.Errorf("User-Agent = %q, want prefix %q", ua, tc.wantStart)
		}
		if got := h.Get("Authorization"); got != "Bearer "+token {
			t.Errorf("Authorization = %q", got)
		}
	}
}

type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestCallerHTTPClientIsUsed(t *testing.T) {
	srv, _ := headerServer(t)
	ct := &countingTransport{}
	p, err := New(framework.Config{
		Token: strings.Repeat("k", 64), Timeouts: framework.DefaultTimeouts(), Endpoint: srv.URL + "/v1",
		HTTPClient: &http.Client{Transport: ct},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.SSHKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ct.n.Load() != 1 {
		t.Errorf("the caller's HTTP client saw %d requests, want 1", ct.n.Load())
	}
}

// Bad IDs and bad requests are refused before any API call.
func TestBadInputCallsNoAPI(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	p := fastProvider(t, srv.URL+"/v1")
	ctx := context.Background()

	_, err := p.GetInstance(ctx, "web-1")
	wantInvalid(t, err, "id")
	wantInvalid(t, p.DestroyInstance(ctx, "12x"), "id")
	_, err = p.WaitReady(ctx, "")
	wantInvalid(t, err, "id")
	_, err = p.CreateSnapshot(ctx, "srv", "name")
	wantInvalid(t, err, "instance_id")
	_, err = p.GetSnapshot(ctx, "snap")
	wantInvalid(t, err, "id")
	wantInvalid(t, p.DeleteSnapshot(ctx, "-1"), "id")

	req := validRequest()
	req.Name = "bad_name"
	_, err = p.CreateInstance(ctx, req)
	wantInvalid(t, err, "name")
	req = validRequest()
	req.Image = framework.FromSnapshot("latest")
	_, err = p.CreateInstance(ctx, req)
	wantInvalid(t, err, "image.snapshot")

	if n := calls.Load(); n != 0 {
		t.Errorf("%d API calls were made for invalid input", n)
	}
}

func TestPollBackoffIsCappedAtPollInterval(t *testing.T) {
	const interval = 2 * time.Second
	f := pollBackoff(interval)
	if d := f(0); d < 400*time.Millisecond || d > 600*time.Millisecond {
		t.Errorf("first poll pause = %v, want about 500ms", d)
	}
	for retries := range 30 {
		if d := f(retries); d > interval*12/10 {
			t.Errorf("pause %d = %v, above the %v cap (+20%% jitter)", retries, d, interval)
		}
	}
	if d := f(30); d < interval*8/10 {
		t.Errorf("late pause = %v, want about the cap %v", d, interval)
	}
}
