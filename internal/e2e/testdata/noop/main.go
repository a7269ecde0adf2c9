// Command noop is a Terraform provider that does nothing, built on the same
// plugin framework and protocol (6) as spuff: BenchmarkApplyDestroy100's
// second floor. Its one resource, noop_instance, takes the attributes of a
// spuff_instance and stores them; create, read, update and delete return
// the plan or the state and call nothing. Terraform then pays what any
// provider of this framework costs (a plugin process, its gRPC calls, the
// schema and the value conversions) and nothing of spuff's, so spuff's time
// over this floor is spuff's own.
//
// It lives under testdata so that `go build ./...` and the linters' layer
// rules (only internal/resources and main speak Terraform) leave it out; the
// benchmark builds it with `go build ./testdata/noop`.
package main

import (
	"context"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func main() {
	// As spuff's main does: without a TF_LOG* variable the SDK's TRACE
	// logging is turned off, so both pay the same for logs.
	quiet := true
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_LOG") {
			quiet = false
		}
	}
	if quiet {
		for _, env := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
			_ = os.Setenv(env, "OFF")
		}
	}
	err := providerserver.Serve(context.Background(), func() provider.Provider { return noopProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/spuff/noop"})
	if err != nil {
		log.Fatal(err)
	}
}

type noopProvider struct{}

func (noopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "noop"
}

func (noopProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (noopProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (noopProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return instance{} }}
}

func (noopProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// instance has spuff_instance's configurable attributes and an ID.
type instance struct{}

func (instance) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_instance"
}

func (instance) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"name":   schema.StringAttribute{Required: true},
			"region": schema.StringAttribute{Required: true},
			"size":   schema.StringAttribute{Required: true},
			"image": schema.SingleNestedAttribute{Required: true, Attributes: map[string]schema.Attribute{
				"ubuntu": schema.StringAttribute{Optional: true},
			}},
			"labels": schema.MapAttribute{Optional: true, ElementType: types.StringType},
		},
	}
}

func (instance) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var name types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, pathName, &name)...)
	resp.State.Raw = req.Plan.Raw
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathID, name)...)
}

func (instance) Read(_ context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	resp.State.Raw = req.State.Raw
}

func (instance) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (instance) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

var (
	pathID   = path.Root("id")
	pathName = path.Root("name")
)
