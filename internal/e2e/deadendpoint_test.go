package e2e

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// deadEndpointLimit bounds an apply against an endpoint that refuses
// connections. The create itself gives up after about 2 s (3 attempts
// within framework.DefaultConnectBudget); the rest is terraform's own start,
// plan and any plan-time cloud reads, which get the same short budget.
// Before the connect budget the apply ran into the create timeout (225 s).
const deadEndpointLimit = 30 * time.Second

// An apply against a closed port fails within seconds, names the endpoint
// (host:port) and the setting to check, and leaves nothing in state.
func TestApplyAgainstDeadEndpointFailsFast(t *testing.T) {
	requireTF(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := ln.Addr().String()
	_ = ln.Close() // nothing listens there any more: connections are refused

	wd := newWorkdir(t)
	wd.write(fmt.Sprintf(`
terraform {
  required_providers {
    spuff = { source = "spuff/spuff" }
  }
}

provider "spuff" {
  cloud    = "hetzner"
  token    = %q
  endpoint = "http://%s/v1"
}

resource "spuff_instance" "dead" {
  name   = "dead-endpoint"
  region = "fsn1"
  size   = "cx23"
  image  = { ubuntu = "24.04" }
}
`, token, host))

	start := time.Now()
	out, err := wd.run("apply", "-auto-approve")
	elapsed := time.Since(start)
	if err == nil {
		t.Fatalf("apply against the closed port %s succeeded:\n%s", host, out)
	}
	// Terraform wraps diagnostics at 78 columns: compare with the line
	// breaks folded into spaces.
	flat := regexp.MustCompile(`\s+`).ReplaceAllString(out, " ")
	for _, want := range []string{"Cloud API Unreachable", "cannot connect to the Hetzner API at " + host, "connection refused", "endpoint setting"} {
		if !strings.Contains(flat, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}
	if elapsed > deadEndpointLimit {
		t.Errorf("apply failed after %v, want within %v", elapsed.Round(time.Millisecond), deadEndpointLimit)
	}
	if instances, _ := wd.stateIDs(); len(instances) != 0 {
		t.Errorf("state holds %v after a create that sent nothing", instances)
	}
	t.Logf("apply against closed port %s failed after %v", host, elapsed.Round(time.Millisecond))
}
