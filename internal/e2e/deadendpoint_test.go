package e2e

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/sim"
	"github.com/spuff/terraform-provider-spuff/internal/testcloud"
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
	forEachCloud(t, func(t *testing.T, c testcloud.Fixture) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		host := ln.Addr().String()
		_ = ln.Close() // nothing listens there any more: connections are refused

		// The cloud's endpoint URL, with the dead host:port in it.
		w := newWorld(t, c, sim.Options{})
		u, err := url.Parse(w.Endpoint)
		if err != nil {
			t.Fatal(err)
		}
		u.Host = host
		w.Endpoint = u.String()

		wd := newWorkdir(t)
		wd.write(providerConfig(w) + fmt.Sprintf(`
resource "spuff_instance" "dead" {
  name   = "dead-endpoint"
  region = %q
  size   = %q
  image  = { ubuntu = "24.04" }
}
`, c.Region, c.Size))

		start := time.Now()
		out, err := wd.run("apply", "-auto-approve")
		elapsed := time.Since(start)
		if err == nil {
			t.Fatalf("apply against the closed port %s succeeded:\n%s", host, out)
		}
		// Terraform wraps diagnostics at 78 columns: compare with the line
		// breaks folded into spaces.
		flat := regexp.MustCompile(`\s+`).ReplaceAllString(out, " ")
		for _, want := range []string{"Cloud API Unreachable", "cannot connect to the", "API at " + host, "connection refused", "endpoint setting"} {
			if !strings.Contains(flat, want) {
				t.Errorf("apply output lacks %q:\n%s", want, out)
			}
		}
		if at := strings.Index(strings.ToLower(flat), "cannot connect to the "); at < 0 || !strings.Contains(strings.ToLower(flat[at:]), c.Name()) {
			t.Errorf("apply output does not name the %s API:\n%s", c.Name(), out)
		}
		if elapsed > deadEndpointLimit {
			t.Errorf("apply failed after %v, want within %v", elapsed.Round(time.Millisecond), deadEndpointLimit)
		}
		if instances, _ := wd.stateIDs(); len(instances) != 0 {
			t.Errorf("state holds %v after a create that sent nothing", instances)
		}
		t.Logf("apply against closed port %s failed after %v", host, elapsed.Round(time.Millisecond))
	})
}
