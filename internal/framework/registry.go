package framework

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// Cloud is everything one cloud plug-in declares about itself, in one
// value: its names, where its token comes from, examples for docs and
// tests, what it can do, and how to build it. The registry, the Terraform
// layer's validators and descriptions, and error messages all derive from
// it, so the framework itself names no cloud.
type Cloud struct {
	// Name is the canonical name, lower case, e.g. "hetzner".
	Name string
	// DisplayName is the cloud as users know it, e.g. "Hetzner Cloud".
	DisplayName string
	// Aliases are accepted alternative names, lower case.
	Aliases []string
	// TokenEnv are the environment variables read for the token, most
	// specific first; callers add their own generic fallback after them.
	TokenEnv []string
	// Credentials, when set, says where the cloud finds its credentials
	// when no token is given (AWS's standard chain), in words for docs and
	// diagnostics: the token is then optional.
	Credentials string
	// Settings are provider-block settings only this cloud reads (AWS's
	// profile and default region).
	Settings []Setting
	// EndpointExample is an endpoint override to show in docs, e.g. the
	// bundled simulator's URL for this cloud.
	EndpointExample string
	// Example is a valid configuration, for docs and tests.
	Example CloudExample
	// Snapshots is true when the cloud can snapshot machines.
	Snapshots bool
	// Updates is what the cloud changes in place.
	Updates UpdateCapabilities
	// Notes are sentences for the docs of one attribute about this cloud,
	// keyed by the attribute's path in the cloud-neutral schema ("name",
	// "size", "image", "snapshot.name", "labels", ...).
	Notes map[string]string
	// New builds the provider; it validates the config but calls no API.
	// Nil for a cloud that is known but not built yet.
	New func(cfg Config) (Provider, error)
}

// Setting is a provider-block setting a cloud declares: a string set in
// the block or, when unset, from the first of Env that is set.
type Setting struct {
	// Name is the attribute's name, e.g. "profile".
	Name string
	// Env are the environment variables read when it is unset.
	Env []string
	// Description is its documentation (markdown), without the cloud's
	// name and the environment variables, which the docs add.
	Description string
}

// CloudExample is a configuration the cloud accepts: a region, two sizes of
// one architecture (OtherSize with the bigger disk) and the words the
// cloud uses for them in docs.
type CloudExample struct {
	Region    string
	Size      string
	OtherSize string
	// Regions and Sizes are a few more, for descriptions.
	Regions []string
	Sizes   []string
}

// Implemented reports whether the cloud can be used.
func (c Cloud) Implemented() bool { return c.New != nil }

// Planned is a cloud that is known but not built yet: creating it fails
// with NotImplementedError, and validators say it is planned.
func Planned(name, displayName string, aliases ...string) Cloud {
	return Cloud{Name: name, DisplayName: displayName, Aliases: aliases}
}

// LogFunc receives the cloud layer's log lines (wait progress and the like).
// Fields never carry secrets.
type LogFunc func(ctx context.Context, msg string, fields map[string]any)

// Config is what a Factory needs to build a Provider: the spec's token and
// timeouts, plus an endpoint (for the simulator or a proxy), an HTTP client
// (through which the caller may log), and a log sink.
type Config struct {
	// Token is the API token; "" only for a cloud with Credentials.
	Token string
	// Settings are the cloud's declared settings that are set, by name.
	Settings map[string]string
	Timeouts Timeouts
	// Endpoint overrides the cloud's API base URL; "" means the real cloud.
	Endpoint string
	// HTTPClient is used for every API call when set.
	HTTPClient *http.Client
	// WrapTransport, when set, is what HTTPClient adds around a transport
	// (logging), for a cloud whose SDK must build its own transport (AWS's
	// CA bundle setting).
	WrapTransport func(http.RoundTripper) http.RoundTripper
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

// Registry maps cloud names and aliases to clouds (the spec's
// ProviderRegistry). main composes the default one.
type Registry struct {
	clouds map[string]Cloud
}

// NewRegistry returns a registry of clouds.
func NewRegistry(clouds ...Cloud) *Registry {
	r := &Registry{clouds: map[string]Cloud{}}
	for _, c := range clouds {
		r.Register(c)
	}
	return r
}

// Register adds c, replacing any cloud of the same name.
func (r *Registry) Register(c Cloud) {
	r.clouds[c.Name] = c
}

// normalize is how names and aliases are compared: case and surrounding
// space do not matter.
func normalize(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Lookup returns the cloud named name or one of its aliases.
func (r *Registry) Lookup(name string) (Cloud, bool) {
	n := normalize(name)
	if c, ok := r.clouds[n]; ok {
		return c, true
	}
	for _, c := range r.clouds {
		if slices.Contains(c.Aliases, n) {
			return c, true
		}
	}
	return Cloud{}, false
}

// CreateByName builds the provider named by name or one of its aliases,
// wrapped in WithRetry: every cloud call follows the one retry policy, and
// destroys and snapshot deletes are refused for what lacks managed-by=spuff.
// An unregistered name gives UnknownProviderError listing the registered
// names; a registered but unimplemented one gives NotImplementedError.
func (r *Registry) CreateByName(name string, cfg Config) (Provider, error) {
	c, ok := r.Lookup(name)
	if !ok {
		return nil, &UnknownProviderError{Name: name, Supported: names(r.Registered())}
	}
	if !c.Implemented() {
		return nil, &NotImplementedError{Name: c.Name}
	}
	p, err := c.New(cfg)
	if err != nil {
		return nil, err
	}
	policy := DefaultRetryPolicy()
	if cfg.Retry != nil {
		policy = *cfg.Retry
	}
	return WithRetry(p, policy, cfg.Log), nil
}

// Registered returns every registered cloud, sorted by name.
func (r *Registry) Registered() []Cloud {
	out := make([]Cloud, 0, len(r.clouds))
	for _, c := range r.clouds {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Cloud) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Implemented returns the registered clouds that can be used, sorted.
func (r *Registry) Implemented() []Cloud {
	var out []Cloud
	for _, c := range r.Registered() {
		if c.Implemented() {
			out = append(out, c)
		}
	}
	return out
}

func names(clouds []Cloud) []string {
	out := make([]string, len(clouds))
	for i, c := range clouds {
		out[i] = c.Name
	}
	return out
}
