package framework

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// fakeCloud is a cloud of the given name and aliases built on fakeProvider.
func fakeCloud(name string, aliases ...string) Cloud {
	return Cloud{Name: name, Aliases: aliases, New: func(cfg Config) (Provider, error) {
		if err := cfg.Validate(); err != nil {
			return nil, err
		}
		return fakeProvider{name: name}, nil
	}}
}

// fakeProvider implements Provider with Defaults for the optional methods.
type fakeProvider struct {
	Defaults
	name  string
	snaps []Snapshot
}

func (p fakeProvider) Name() string { return p.name }
func (fakeProvider) CreateInstance(context.Context, InstanceRequest) (*Instance, error) {
	return nil, nil
}
func (fakeProvider) DestroyInstance(context.Context, string) error          { return nil }
func (fakeProvider) GetInstance(context.Context, string) (*Instance, error) { return nil, nil }
func (fakeProvider) ListInstances(context.Context) ([]Instance, error)      { return nil, nil }
func (fakeProvider) WaitReady(context.Context, string) (*Instance, error)   { return nil, nil }
func (fakeProvider) WaitGone(context.Context, string) error                 { return nil }
func (fakeProvider) CreateSnapshot(context.Context, string, string) (*Snapshot, error) {
	return nil, nil
}
func (p fakeProvider) ListSnapshots(context.Context) ([]Snapshot, error) { return p.snaps, nil }
func (fakeProvider) DeleteSnapshot(context.Context, string) error        { return nil }

var _ Provider = fakeProvider{}

func testRegistry() *Registry {
	return NewRegistry(fakeCloud("alpha", "al"), Planned("beta", "Beta", "be"), Planned("gamma", "Gamma", "ga"))
}

func TestCreateByName(t *testing.T) {
	r := testRegistry()
	cfg := Config{Token: "t", Timeouts: DefaultTimeouts()}
	for _, name := range []string{"alpha", "al", "AL", " Alpha "} {
		p, err := r.CreateByName(name, cfg)
		if err != nil || p.Name() != "alpha" {
			t.Errorf("CreateByName(%q) = %v, %v", name, p, err)
		}
	}
	for _, name := range []string{"beta", "be", "gamma", "GA"} {
		var ni *NotImplementedError
		if _, err := r.CreateByName(name, cfg); !errors.As(err, &ni) {
			t.Errorf("CreateByName(%q) = %v, want NotImplementedError", name, err)
		}
	}
	var up *UnknownProviderError
	_, err := r.CreateByName("gcp", cfg)
	if !errors.As(err, &up) || up.Name != "gcp" {
		t.Fatalf("CreateByName(gcp) = %v, want UnknownProviderError", err)
	}
	if want := []string{"alpha", "beta", "gamma"}; !slices.Equal(up.Supported, want) {
		t.Errorf("Supported = %v, want %v", up.Supported, want)
	}
	var ic *InvalidConfigError
	if _, err := r.CreateByName("alpha", Config{Timeouts: DefaultTimeouts()}); !errors.As(err, &ic) || ic.Field != "token" {
		t.Errorf("missing token = %v, want InvalidConfigError on token", err)
	}
}

func TestRegistryLists(t *testing.T) {
	r := testRegistry()
	if got, want := names(r.Registered()), []string{"alpha", "beta", "gamma"}; !slices.Equal(got, want) {
		t.Errorf("Registered = %v, want %v", got, want)
	}
	if got, want := names(r.Implemented()), []string{"alpha"}; !slices.Equal(got, want) {
		t.Errorf("Implemented = %v, want %v", got, want)
	}
	if got := NewRegistry().Registered(); len(got) != 0 {
		t.Errorf("empty registry lists %v", got)
	}
	// Register replaces a cloud of the same name.
	r.Register(fakeCloud("gamma"))
	if got, want := names(r.Implemented()), []string{"alpha", "gamma"}; !slices.Equal(got, want) {
		t.Errorf("after replacing gamma: Implemented = %v, want %v", got, want)
	}
	if c, ok := r.Lookup(" BE "); !ok || c.Name != "beta" || c.Implemented() {
		t.Errorf("Lookup(be) = %v, %v", c, ok)
	}
	if _, ok := r.Lookup("delta"); ok {
		t.Error("Lookup of an unregistered name succeeded")
	}
}

func TestDefaultsAndGetSnapshot(t *testing.T) {
	p := fakeProvider{snaps: []Snapshot{{ID: "1", Name: "a"}, {ID: "2", Name: "b"}}}
	keys, err := p.SSHKeys(context.Background())
	if err != nil || keys == nil || len(keys) != 0 {
		t.Errorf("default SSHKeys = %v, %v; want empty, non-nil", keys, err)
	}
	if !p.SupportsSnapshots() {
		t.Error("default SupportsSnapshots must be true")
	}
	s, err := GetSnapshot(context.Background(), p, "2")
	if err != nil || s == nil || s.Name != "b" {
		t.Errorf("GetSnapshot(2) by listing = %v, %v", s, err)
	}
	s, err = GetSnapshot(context.Background(), p, "3")
	if err != nil || s != nil {
		t.Errorf("GetSnapshot(3) = %v, %v; want nil, nil", s, err)
	}
}

func TestValidateEndpoint(t *testing.T) {
	ok := []string{"", "https://api.hetzner.cloud/v1", "http://127.0.0.1:8080/v1", "http://localhost:1/v1", "http://[::1]:9/v1", "http://127.1.2.3/v1"}
	for _, e := range ok {
		if err := ValidateEndpoint(e); err != nil {
			t.Errorf("ValidateEndpoint(%q) = %v, want nil", e, err)
		}
	}
	bad := []string{"http://api.example.com/v1", "http://10.0.0.1/v1", "ftp://127.0.0.1/", "127.0.0.1:8080", "not a url", "https://"}
	for _, e := range bad {
		var ic *InvalidConfigError
		if err := ValidateEndpoint(e); !errors.As(err, &ic) || ic.Field != "endpoint" {
			t.Errorf("ValidateEndpoint(%q) = %v, want InvalidConfigError on endpoint", e, err)
		}
	}
}
