package main

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// The clouds main composes: every name and alias resolves, the planned ones
// say so, and anything else is unknown with the list.
func TestComposedClouds(t *testing.T) {
	r := framework.NewRegistry(clouds...)
	cfg := framework.Config{Token: strings.Repeat("t", 64), Timeouts: framework.DefaultTimeouts()}
	// Names are matched without case or surrounding space.
	for _, tc := range []struct{ name, want string }{
		{"hetzner", "hetzner"}, {"hcloud", "hetzner"}, {" HCLOUD ", "hetzner"},
		{"digitalocean", "digitalocean"}, {"DO", "digitalocean"},
		{"aws", "aws"}, {"EC2", "aws"},
	} {
		cfg := cfg
		if tc.want == "aws" {
			cfg.Token = "AKIDEXAMPLE:secret" // AWS's static keys
		}
		p, err := r.CreateByName(tc.name, cfg)
		if err != nil || p.Name() != tc.want {
			t.Errorf("CreateByName(%q) = %v, %v; want %s", tc.name, p, err, tc.want)
		}
	}
	var up *framework.UnknownProviderError
	if _, err := r.CreateByName("linode", cfg); !errors.As(err, &up) || !slices.Equal(up.Supported, []string{"aws", "digitalocean", "hetzner"}) {
		t.Errorf("CreateByName(linode) = %v, want UnknownProviderError listing every cloud", err)
	}
	for _, c := range r.Implemented() {
		if c.DisplayName == "" || len(c.TokenEnv) == 0 && c.Credentials == "" || c.Example.Region == "" || c.Example.Size == "" || c.EndpointExample == "" {
			t.Errorf("cloud %s does not declare everything about itself: %+v", c.Name, c)
		}
	}
}
