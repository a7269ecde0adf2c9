package clouds

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

func testConfig() framework.Config {
	return framework.Config{
		Token:    strings.Repeat("t", 64),
		Timeouts: framework.DefaultTimeouts(),
	}
}

func TestCreateByNameHetzner(t *testing.T) {
	r := WithDefaults()
	for _, name := range []string{"hetzner", "hcloud", "HCLOUD", " Hetzner "} {
		t.Run(name, func(t *testing.T) {
			p, err := r.CreateByName(name, testConfig())
			if err != nil {
				t.Fatalf("CreateByName(%q): %v", name, err)
			}
			if p.Name() != "hetzner" {
				t.Errorf("Name() = %q, want hetzner", p.Name())
			}
			// Wrapped in the retry policy, the Hetzner provider's own
			// plan-time checks still answer.
			v, ok := p.(framework.RequestValidator)
			if !ok {
				t.Fatalf("CreateByName(%q) = %T, which hides the cloud's request validation", name, p)
			}
			bad := framework.InstanceRequest{Name: "not_a_hostname", Region: "fsn1", Size: "cx23",
				Image: framework.Ubuntu("24.04"), Labels: framework.ManagedLabels(nil)}
			var ic *framework.InvalidConfigError
			if err := v.ValidateRequest(bad); !errors.As(err, &ic) || ic.Field != "name" {
				t.Errorf("ValidateRequest(bad name) = %v, want Hetzner's InvalidConfigError on name", err)
			}
		})
	}
}

func TestCreateByNameHetznerValidatesConfig(t *testing.T) {
	cfg := testConfig()
	cfg.Token = ""
	p, err := WithDefaults().CreateByName("hetzner", cfg)
	var ic *framework.InvalidConfigError
	if !errors.As(err, &ic) || ic.Field != "token" {
		t.Fatalf("CreateByName with no token = (%v, %v), want InvalidConfigError on token", p, err)
	}
	if p != nil {
		t.Errorf("provider = %#v, want nil interface", p)
	}
}

func TestCreateByNameNotImplemented(t *testing.T) {
	r := WithDefaults()
	for _, tc := range []struct{ name, want string }{
		{"digitalocean", "digitalocean"},
		{"do", "digitalocean"},
		{"aws", "aws"},
		{"ec2", "aws"},
		{"EC2", "aws"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.CreateByName(tc.name, testConfig())
			var ni *framework.NotImplementedError
			if !errors.As(err, &ni) {
				t.Fatalf("CreateByName(%q) error = %v, want NotImplementedError", tc.name, err)
			}
			if ni.Name != tc.want {
				t.Errorf("NotImplementedError.Name = %q, want %q", ni.Name, tc.want)
			}
		})
	}
}

func TestCreateByNameUnknown(t *testing.T) {
	_, err := WithDefaults().CreateByName("linode", testConfig())
	var up *framework.UnknownProviderError
	if !errors.As(err, &up) {
		t.Fatalf("error = %v, want UnknownProviderError", err)
	}
	want := []string{"aws", "digitalocean", "hetzner"}
	if !slices.Equal(up.Supported, want) {
		t.Errorf("Supported = %v, want %v", up.Supported, want)
	}
	if up.Name != "linode" {
		t.Errorf("Name = %q, want linode", up.Name)
	}
}

func TestRegisteredAndImplemented(t *testing.T) {
	r := WithDefaults()
	if got, want := r.Registered(), []framework.ProviderType{framework.AWS, framework.DigitalOcean, framework.Hetzner}; !slices.Equal(got, want) {
		t.Errorf("Registered() = %v, want %v", got, want)
	}
	if got, want := r.Implemented(), []framework.ProviderType{framework.Hetzner}; !slices.Equal(got, want) {
		t.Errorf("Implemented() = %v, want %v", got, want)
	}
}

func TestLookupByAlias(t *testing.T) {
	f, ok := WithDefaults().Lookup("hcloud")
	if !ok || f.Type() != framework.Hetzner || !f.Implemented() {
		t.Fatalf("Lookup(hcloud) = (%v, %v), want the implemented Hetzner factory", f, ok)
	}
}
