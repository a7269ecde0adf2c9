// Command terraform-provider-spuff serves the spuff Terraform provider over
// plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/spuff/terraform-provider-spuff/internal/clouds/aws"
	"github.com/spuff/terraform-provider-spuff/internal/clouds/digitalocean"
	"github.com/spuff/terraform-provider-spuff/internal/clouds/hetzner"
	"github.com/spuff/terraform-provider-spuff/internal/framework"
	"github.com/spuff/terraform-provider-spuff/internal/resources"
)

// version is set by goreleaser at build time.
var version = "dev"

//go:generate go tool tfplugindocs generate --provider-name spuff

// clouds are the cloud plug-ins this binary serves: adding a cloud is one
// line here. The planned ones are named so that users hear "not yet", not
// "unknown".
var clouds = []framework.Cloud{
	hetzner.Cloud,
	digitalocean.Cloud,
	aws.Cloud,
}

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	quietUnrequestedLogs()

	err := providerserver.Serve(context.Background(), resources.New(version, framework.NewRegistry(clouds...)), providerserver.ServeOpts{
		Address: "registry.terraform.io/spuff/spuff",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}

// quietUnrequestedLogs turns the plugin SDK's and the provider's logging off
// when the user set no TF_LOG* variable at all. The SDK's loggers default to
// TRACE and format every line of every call, which Terraform then discards:
// measured, that was about half the provider's CPU time. With any TF_LOG*
// variable set, the SDK's own defaults apply unchanged.
func quietUnrequestedLogs() {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_LOG") {
			return
		}
	}
	for _, env := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		_ = os.Setenv(env, "OFF")
	}
}
