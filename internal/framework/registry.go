package framework

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// ProviderType names a cloud.
type ProviderType string

// The clouds spuff knows.
const (
	DigitalOcean ProviderType = "digitalocean"
	Hetzner      ProviderType = "hetzner"
	AWS          ProviderType = "aws"
)

// aliases maps accepted spellings to the canonical type.
var aliases = map[string]ProviderType{
	"digitalocean": DigitalOcean, "do": DigitalOcean,
	"hetzner": Hetzner, "hcloud": Hetzner,
	"aws": AWS, "ec2": AWS,
}

// ParseProviderType resolves a name or alias (case-insensitive), e.g.
// "hcloud" -> Hetzner. Names not in the alias table are returned as they
// are, lowercased, so that registered test or third-party clouds resolve too.
func ParseProviderType(name string) ProviderType {
	n := strings.ToLower(strings.TrimSpace(name))
	if t, ok := aliases[n]; ok {
		return t
	}
	return ProviderType(n)
}

// Aliases returns the accepted alternative names of t, sorted.
func (t ProviderType) Aliases() []string {
	var out []string
	for a, target := range aliases {
		if target == t && a != string(t) {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

func (t ProviderType) String() string { return string(t) }

// LogFunc receives the cloud layer's log lines (wait progress and the like).
// Fields never carry secrets.
type LogFunc func(ctx context.Context, msg string, fields map[string]any)

// Config is what a Factory needs to build a Provider: the spec's token and
// timeouts, plus an endpoint (for the simulator or a proxy), an HTTP client
// (through which the caller may log), and a log sink.
type Config struct {
	Token    string
	Timeouts Timeouts
	// Endpoint overrides the cloud's API base URL; "" means the real cloud.
	Endpoint string
	// HTTPClient is used for every API call when set.
	HTTPClient *http.Client
	// UserAgent is prepended to the SDK's own user agent when set.
	UserAgent string
	// Log is optional.
	Log LogFunc
	// Retry overrides DefaultRetryPolicy for the providers CreateByName
	// builds (tests use a fast one).
	Retry *RetryPolicy
}

// Logf calls c.Log when it is set.
func (c Config) Logf(ctx context.Context, msg string, fields map[string]any) {
	if c.Log != nil {
		c.Log(ctx, msg, fields)
	}
}

// Factory builds the Provider of one cloud (the spec's ProviderFactory).
type Factory interface {
	// Type is the cloud this factory builds.
	Type() ProviderType
	// Create builds a provider; it validates the config but calls no API.
	Create(cfg Config) (Provider, error)
	// Implemented reports whether the cloud can be used.
	Implemented() bool
}

// Unimplemented is the factory of a cloud that is known but not built yet:
// creating it fails with NotImplementedError.
type Unimplemented ProviderType

// Type returns the cloud.
func (u Unimplemented) Type() ProviderType { return ProviderType(u) }

// Create always fails with NotImplementedError.
func (u Unimplemented) Create(Config) (Provider, error) {
	return nil, &NotImplementedError{Name: string(u)}
}

// Implemented is false.
func (Unimplemented) Implemented() bool { return false }

// Registry maps cloud names to factories (the spec's ProviderRegistry). The
// default one, with every cloud registered, is clouds.WithDefaults.
type Registry struct {
	factories map[ProviderType]Factory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{factories: map[ProviderType]Factory{}}
}

// Register adds f, replacing any factory of the same type.
func (r *Registry) Register(f Factory) {
	r.factories[f.Type()] = f
}

// CreateByName builds the provider named by name or one of its aliases,
// wrapped in WithRetry: every cloud call follows the one retry policy.
// An unregistered name gives UnknownProviderError listing the registered
// names; a registered but unimplemented one gives NotImplementedError.
func (r *Registry) CreateByName(name string, cfg Config) (Provider, error) {
	f, ok := r.factories[ParseProviderType(name)]
	if !ok {
		return nil, &UnknownProviderError{Name: name, Supported: names(r.Registered())}
	}
	if !f.Implemented() {
		return nil, &NotImplementedError{Name: string(f.Type())}
	}
	p, err := f.Create(cfg)
	if err != nil {
		return nil, err
	}
	policy := DefaultRetryPolicy()
	if cfg.Retry != nil {
		policy = *cfg.Retry
	}
	return WithRetry(p, policy, cfg.Log), nil
}

// Lookup returns the factory for name or one of its aliases.
func (r *Registry) Lookup(name string) (Factory, bool) {
	f, ok := r.factories[ParseProviderType(name)]
	return f, ok
}

// Registered returns every registered type, sorted.
func (r *Registry) Registered() []ProviderType {
	out := make([]ProviderType, 0, len(r.factories))
	for t := range r.factories {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Implemented returns the registered types that can be used, sorted.
func (r *Registry) Implemented() []ProviderType {
	var out []ProviderType
	for _, t := range r.Registered() {
		if r.factories[t].Implemented() {
			out = append(out, t)
		}
	}
	return out
}

func names(types []ProviderType) []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = string(t)
	}
	return out
}
