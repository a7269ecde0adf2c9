package framework

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var testNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func testCatalog() *Catalog {
	soon := Deprecation{Announced: testNow.AddDate(0, -1, 0), UnavailableAfter: testNow.AddDate(0, 1, 0)}
	gone := Deprecation{Announced: testNow.AddDate(-1, 0, 0), UnavailableAfter: testNow.AddDate(0, -1, 0)}
	return &Catalog{
		Regions: []CatalogRegion{{Name: "fsn1"}, {Name: "nbg1"}, {Name: "ash"}},
		Sizes: []CatalogSize{
			{Name: "cx23", Arch: "x86", Cores: 2, MemoryGB: 4, DiskGB: 40, Regions: []string{"fsn1", "nbg1"}},
			{Name: "cx33", Arch: "x86", Cores: 4, MemoryGB: 8, DiskGB: 80, Regions: []string{"fsn1", "nbg1"}},
			{Name: "cax11", Arch: "arm", Cores: 2, MemoryGB: 4, DiskGB: 40, Regions: []string{"fsn1"}},
			{Name: "old1", Arch: "x86", Cores: 1, MemoryGB: 2, DiskGB: 20, Regions: []string{"fsn1", "ash"},
				Deprecations: map[string]Deprecation{"fsn1": soon}},
			// Past its end of sale in fsn1: the cloud no longer offers it there.
			{Name: "old2", Arch: "x86", Cores: 1, MemoryGB: 2, DiskGB: 20, Regions: []string{"ash"},
				Deprecations: map[string]Deprecation{"fsn1": gone}},
		},
		Images: []CatalogImage{
			{Kind: ImageUbuntu, Version: "22.04", Arch: "x86"}, {Kind: ImageUbuntu, Version: "24.04", Arch: "x86"},
			{Kind: ImageUbuntu, Version: "24.04", Arch: "arm"}, {Kind: ImageDebian, Version: "12", Arch: "x86"},
		},
	}
}

func TestCatalogChecks(t *testing.T) {
	c := testCatalog()
	tests := []struct {
		name    string
		err     error
		field   string
		message []string // fragments, in order
	}{
		{"unknown region lists regions nearest first", c.CheckRegion("fsn2"), "region", []string{`"fsn2"`, `"fsn1", "ash", "nbg1"`}},
		{"known region", c.CheckRegion("ash"), "", nil},
		{"unknown size lists sizes of the region", first(c.CheckSize("fsn1", "cx22")), "size", []string{`"cx22"`, `"cx23"`}},
		{"size not in the region", first(c.CheckSize("ash", "cax11")), "size", []string{"not offered in ash", `still offered in: "fsn1"`}},
		{"size past its end of sale", first(c.CheckSize("fsn1", "old2")), "size", []string{"can no longer be ordered in fsn1", "end of sale 2026-11-01", `still offered in: "ash"`}},
		{"deprecated size still sold", first(c.CheckSize("fsn1", "old1")), "", nil},
		{"ubuntu version not offered", c.CheckImage(Ubuntu("19.10"), "x86"), "image.ubuntu", []string{`"19.10"`, `"24.04", "22.04"`}},
		{"version not offered for the architecture", c.CheckImage(Ubuntu("22.04"), "arm"), "image.ubuntu", []string{"arm architecture", `"24.04"`}},
		{"debian offered", c.CheckImage(Debian("12"), ""), "", nil},
		{"custom images are the cloud's to check", c.CheckImage(Custom("my-image"), "x86"), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.field == "" {
				if tt.err != nil {
					t.Fatalf("got %v, want no error", tt.err)
				}
				return
			}
			var ic *InvalidConfigError
			if !errors.As(tt.err, &ic) || ic.Field != tt.field {
				t.Fatalf("got %v, want an InvalidConfigError on %s", tt.err, tt.field)
			}
			rest := ic.Message
			for _, frag := range tt.message {
				i := strings.Index(rest, frag)
				if i < 0 {
					t.Fatalf("message %q lacks %q (in order)", ic.Message, frag)
				}
				rest = rest[i+len(frag):]
			}
		})
	}
}

func first(_ string, err error) error { return err }

func TestCatalogDeprecationWarning(t *testing.T) {
	warning, err := testCatalog().CheckSize("fsn1", "old1")
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{`"old1" is deprecated`, "announced 2026-11-01", "until 2027-01-01", `"cx23", "cx33"`} {
		if !strings.Contains(warning, frag) {
			t.Errorf("warning %q lacks %q", warning, frag)
		}
	}
	if w, _ := testCatalog().CheckSize("fsn1", "cx23"); w != "" {
		t.Errorf("a current size got the warning %q", w)
	}
}

func TestCanResize(t *testing.T) {
	c := testCatalog()
	caps := UpdateCapabilities{Resize: true, ResizeKeepsDisk: true}
	tests := []struct {
		name     string
		caps     UpdateCapabilities
		from, to string
		disk     int
		ok       bool
		reason   string
	}{
		{"bigger, same architecture", caps, "cx23", "cx33", 0, true, ""},
		{"back down with the disk kept", caps, "cx33", "cx23", 40, true, ""},
		{"down to a smaller disk", caps, "cx33", "cx23", 80, false, "disks cannot shrink"},
		{"down when the cloud grows disks", UpdateCapabilities{Resize: true}, "cx33", "cx23", 80, true, ""},
		{"other architecture", caps, "cx23", "cax11", 0, false, "architecture"},
		{"not offered in the region", caps, "cx23", "old2", 0, false, "not offered"},
		{"unknown target", caps, "cx23", "nope", 0, false, "not in the catalogue"},
		{"cloud cannot resize", UpdateCapabilities{}, "cx23", "cx33", 0, false, "cannot resize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := c.CanResize(tt.caps, "fsn1", tt.from, tt.to, tt.disk)
			if ok != tt.ok || !strings.Contains(reason, tt.reason) {
				t.Errorf("CanResize = %v %q, want %v with %q", ok, reason, tt.ok, tt.reason)
			}
		})
	}
}

func TestByNearest(t *testing.T) {
	got := ByNearest("cx22", []string{"cpx62", "cax11", "cx23", "cpx22", "cx33"})
	if want := []string{"cpx22", "cx23", "cpx62", "cx33", "cax11"}; !slices.Equal(got, want) {
		t.Errorf("ByNearest = %v, want %v", got, want)
	}
}

type countingCatalog struct {
	calls atomic.Int32
	fail  atomic.Bool
}

func (c *countingCatalog) Catalog(context.Context) (*Catalog, error) {
	c.calls.Add(1)
	time.Sleep(5 * time.Millisecond)
	if c.fail.Load() {
		return nil, errors.New("boom")
	}
	return testCatalog(), nil
}

func TestCatalogCacheFetchesOnce(t *testing.T) {
	src := &countingCatalog{}
	src.fail.Store(true)
	cache := &CatalogCache{src: src}
	if _, err := cache.Get(context.Background()); err == nil {
		t.Fatal("a failed fetch returned no error")
	}
	src.fail.Store(false)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := cache.Get(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := src.calls.Load(); n != 2 {
		t.Errorf("the source was asked %d times, want 2 (a failure is not kept; then one fetch for all)", n)
	}
}

func TestMergeLabels(t *testing.T) {
	current := map[string]string{ManagedByKey: ManagedByValue, RequestIDKey: "tok", "old": "x"}
	got := MergeLabels(current, map[string]string{"team": "a", ManagedByKey: "me"})
	want := map[string]string{ManagedByKey: ManagedByValue, RequestIDKey: "tok", "team": "a"}
	if len(got) != len(want) || got["team"] != "a" || got[RequestIDKey] != "tok" || got[ManagedByKey] != ManagedByValue || got["old"] != "" {
		t.Errorf("MergeLabels = %v, want %v", got, want)
	}
}

type deadCatalog struct{ calls atomic.Int32 }

func (d *deadCatalog) Catalog(context.Context) (*Catalog, error) {
	d.calls.Add(1)
	return nil, &NetworkError{Err: &ConnectError{API: "Test", Endpoint: "127.0.0.1:1", Err: errors.New("connection refused")}}
}

func TestCatalogCacheKeepsDeadEndpoint(t *testing.T) {
	src := &deadCatalog{}
	cache := &CatalogCache{src: src}
	for range 3 {
		if _, err := cache.Get(context.Background()); !IsConnectFailure(err) {
			t.Fatalf("Get = %v, want the connect failure", err)
		}
	}
	if n := src.calls.Load(); n != 1 {
		t.Errorf("a dead endpoint was tried %d times, want once", n)
	}
}
