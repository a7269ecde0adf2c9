// Command terraform-provider-spuff serves the spuff Terraform provider over
// plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/spuff/terraform-provider-spuff/internal/resources"
)

// version is set by goreleaser at build time.
var version = "dev"

//go:generate go tool tfplugindocs generate --provider-name spuff

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), resources.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/spuff/spuff",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
