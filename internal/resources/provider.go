package resources

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

var _ provider.Provider = (*spuffProvider)(nil)

// Environment variables the provider block falls back to.
const (
	envCloud    = "SPUFF_CLOUD"
	envToken    = "SPUFF_TOKEN"
	envEndpoint = "SPUFF_ENDPOINT"
)

// tokenEnvVars returns the variables read for the token of cloud c, in
// order: the cloud's own first (more specific when one configuration uses
// several clouds), then the generic SPUFF_TOKEN.
func tokenEnvVars(c framework.Cloud) []string {
	return append(append([]string{}, c.TokenEnv...), envToken)
}

type spuffProvider struct {
	version  string
	registry *framework.Registry
}

// New returns the provider resolving clouds through registry; main
// composes it from the cloud plug-ins.
func New(version string, registry *framework.Registry) func() provider.Provider {
	return func() provider.Provider {
		return &spuffProvider{version: version, registry: registry}
	}
}

type providerModel struct {
	Cloud    types.String `tfsdk:"cloud"`
	Token    types.String `tfsdk:"token"`
	Endpoint types.String `tfsdk:"endpoint"`
	Timeouts types.Object `tfsdk:"timeouts"`
}

type providerTimeoutsModel struct {
	InstanceReady  types.String `tfsdk:"instance_ready"`
	ActionComplete types.String `tfsdk:"action_complete"`
	PollInterval   types.String `tfsdk:"poll_interval"`
	HTTPRequest    types.String `tfsdk:"http_request"`
	SSHConnect     types.String `tfsdk:"ssh_connect"`
	CloudInit      types.String `tfsdk:"cloud_init"`
}

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	cloud    framework.Provider
	timeouts framework.Timeouts
	// catalog is the cloud's catalogue, fetched on first use and kept for
	// the provider process; nil when the cloud has none.
	catalog *framework.CatalogCache
	// token is kept only to mask it from logs.
	token string
}

func (p *spuffProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "spuff"
	resp.Version = p.version
}

func (p *spuffProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	duration := func(desc string, def time.Duration) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: fmt.Sprintf("%s, as a duration such as `%s`. Defaults to `%s`.", desc, def, def),
			Validators:          []validator.String{durationValidator{}},
		}
	}
	clouds := p.registry.Implemented()
	resp.Schema = schema.Schema{
		MarkdownDescription: "The spuff provider creates short-lived cloud machines (dev boxes, CI runners, GPU boxes) and their snapshots " +
			"on " + eachCloud(clouds, func(c framework.Cloud) string { return c.DisplayName }) + " from one cloud-agnostic schema. " +
			"Everything it creates carries the label `managed-by = spuff`, and it only ever lists, changes or deletes what carries that label.",
		Attributes: map[string]schema.Attribute{
			"cloud": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The cloud to manage machines on: " + supportedCloudsMarkdown(p.registry) +
					". Can also be set with the `SPUFF_CLOUD` environment variable.",
				Validators: []validator.String{cloudValidator{registry: p.registry}},
			},
			"token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The cloud API token. When unset, read from the cloud's own environment variables (" +
					eachCloud(withTokenEnv(clouds), func(c framework.Cloud) string {
						return "`" + strings.Join(c.TokenEnv, "`, then `") + "` for " + c.DisplayName
					}) + "), then from `" + envToken + "`. Never logged." + notesOn(clouds, "token"),
			},
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Override the cloud's API URL, e.g. " +
					eachCloud(clouds, func(c framework.Cloud) string { return "`" + c.EndpointExample + "` for " + c.DisplayName }) +
					" on the bundled simulator `spuff-sim`. Must be `https`, or `http` only on a loopback host. Can also be set with `" + envEndpoint + "`.",
				Validators: []validator.String{endpointValidator{}},
			},
			"timeouts": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Bounds on the provider's cloud operations. Every value is a positive duration.",
				Attributes: map[string]schema.Attribute{
					"instance_ready":  duration("Longest wait for a new instance to be running with a public IP", framework.DefaultInstanceReady),
					"action_complete": duration("Longest wait for a cloud action such as a snapshot", framework.DefaultActionComplete),
					"poll_interval":   duration("Longest pause between two status polls (polling starts faster and backs off up to this)", framework.DefaultPollInterval),
					"http_request":    duration("Timeout of one HTTP request to the cloud API", framework.DefaultHTTPRequest),
					"ssh_connect":     duration("Timeout for SSH connection attempts, passed to the cloud layer (no resource of this version connects over SSH)", framework.DefaultSSHConnect),
					"cloud_init":      duration("Timeout for cloud-init to finish, passed to the cloud layer (no resource of this version waits for cloud-init)", framework.DefaultCloudInit),
				},
			},
		},
	}
	for name, a := range settingAttributes(clouds) {
		if _, taken := resp.Schema.Attributes[name]; !taken {
			resp.Schema.Attributes[name] = a
		}
	}
}

// withTokenEnv are the clouds that read a token from variables of their own.
func withTokenEnv(clouds []framework.Cloud) []framework.Cloud {
	var out []framework.Cloud
	for _, c := range clouds {
		if len(c.TokenEnv) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// settingAttributes are the provider-block attributes the clouds declare
// for themselves (framework.Setting), by name; each says which cloud reads
// it and where it is read from when unset.
func settingAttributes(clouds []framework.Cloud) map[string]schema.Attribute {
	descs := map[string][]string{}
	var names []string
	for _, c := range clouds {
		for _, st := range c.Settings {
			if _, seen := descs[st.Name]; !seen {
				names = append(names, st.Name)
			}
			d := "On " + c.DisplayName + ": " + st.Description
			if len(st.Env) > 0 {
				d += " When unset, read from `" + strings.Join(st.Env, "`, then `") + "`."
			}
			descs[st.Name] = append(descs[st.Name], d)
		}
	}
	out := map[string]schema.Attribute{}
	for _, n := range names {
		out[n] = schema.StringAttribute{Optional: true, MarkdownDescription: strings.Join(descs[n], " ") + " Other clouds ignore it."}
	}
	return out
}

// settings reads the configured cloud's declared settings from the
// provider block, else from their environment variables; unset ones are
// absent.
func settings(ctx context.Context, c framework.Cloud, config tfsdk.Config, diags *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	for _, st := range c.Settings {
		var v types.String
		diags.Append(config.GetAttribute(ctx, path.Root(st.Name), &v)...)
		if v.IsUnknown() {
			diags.AddAttributeError(path.Root(st.Name), "Unknown Provider Configuration Value",
				fmt.Sprintf("The provider's %s depends on a value that is only known after apply, so the provider cannot be configured. "+
					"Set it to a static value or a variable, or apply the resources it depends on first with -target.", st.Name))
			continue
		}
		val := v.ValueString()
		for _, env := range st.Env {
			if val != "" {
				break
			}
			val = os.Getenv(env)
		}
		if val != "" {
			out[st.Name] = val
		}
	}
	return out
}

func (p *spuffProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	// Attribute by attribute: the clouds' own settings are attributes too,
	// which the model does not name.
	var cfg providerModel
	for name, dst := range map[string]any{"cloud": &cfg.Cloud, "token": &cfg.Token, "endpoint": &cfg.Endpoint, "timeouts": &cfg.Timeouts} {
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), dst)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	for name, v := range map[string]interface{ IsUnknown() bool }{"cloud": cfg.Cloud, "token": cfg.Token, "endpoint": cfg.Endpoint, "timeouts": cfg.Timeouts} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown Provider Configuration Value",
				fmt.Sprintf("The provider's %s depends on a value that is only known after apply, so the provider cannot be configured. "+
					"Set it to a static value or a variable, or apply the resources it depends on first with -target.", name))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	cloudName := stringOrEnv(cfg.Cloud, envCloud)
	if cloudName == "" {
		resp.Diagnostics.AddAttributeError(path.Root("cloud"), "Missing Cloud",
			fmt.Sprintf("Set cloud in the provider block, or the %s environment variable, to one of: %s.", envCloud, supportedClouds(p.registry)))
		return
	}
	desc, ok := p.registry.Lookup(cloudName)
	if !ok || !desc.Implemented() {
		resp.Diagnostics.AddAttributeError(path.Root("cloud"), "Unsupported Cloud",
			fmt.Sprintf("The cloud %q is not supported by this version of the provider. Use one of: %s.", cloudName, supportedClouds(p.registry)))
		return
	}

	token := cfg.Token.ValueString()
	if token == "" {
		for _, env := range tokenEnvVars(desc) {
			if token = os.Getenv(env); token != "" {
				break
			}
		}
	}
	if token == "" && desc.Credentials == "" {
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Missing API Token",
			fmt.Sprintf("The %s cloud needs an API token. Set token in the provider block, or one of the environment variables %s.",
				desc.Name, strings.Join(tokenEnvVars(desc), ", ")))
		return
	}
	ctx = withLogging(ctx, token)

	endpoint := stringOrEnv(cfg.Endpoint, envEndpoint)
	if err := framework.ValidateEndpoint(endpoint); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid Endpoint", configErrorDetail(err))
		return
	}

	timeouts, diags := p.timeouts(ctx, cfg.Timeouts)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	cloudSettings := settings(ctx, desc, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	cloud, err := p.registry.CreateByName(cloudName, framework.Config{
		Token:      token,
		Settings:   cloudSettings,
		Timeouts:   timeouts,
		Endpoint:   endpoint,
		HTTPClient: newHTTPClient(timeouts.HTTPRequest),
		WrapTransport: func(next http.RoundTripper) http.RoundTripper {
			return loggingTransport{next: next}
		},
		UserAgent: "terraform-provider-spuff/" + p.version,
		Log:       logDebug,
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Configure the Cloud", fmt.Sprintf("The %s cloud could not be set up: %s", desc.Name, configErrorDetail(err)))
		return
	}
	logDebug(ctx, "provider configured", map[string]any{"cloud": cloud.Name(), "endpoint": endpoint})

	data := &providerData{cloud: cloud, timeouts: timeouts, catalog: framework.NewCatalogCache(cloud), token: token}
	resp.ResourceData = data
	resp.DataSourceData = data
}

// timeouts reads the provider's timeouts block over the spec's defaults.
func (p *spuffProvider) timeouts(ctx context.Context, obj types.Object) (framework.Timeouts, diag.Diagnostics) {
	t := framework.DefaultTimeouts()
	var diags diag.Diagnostics
	if obj.IsNull() {
		return t, diags
	}
	var m providerTimeoutsModel
	diags.Append(obj.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	if diags.HasError() {
		return t, diags
	}
	for _, f := range []struct {
		name string
		v    types.String
		dst  *time.Duration
	}{
		{"instance_ready", m.InstanceReady, &t.InstanceReady},
		{"action_complete", m.ActionComplete, &t.ActionComplete},
		{"poll_interval", m.PollInterval, &t.PollInterval},
		{"http_request", m.HTTPRequest, &t.HTTPRequest},
		{"ssh_connect", m.SSHConnect, &t.SSHConnect},
		{"cloud_init", m.CloudInit, &t.CloudInit},
	} {
		if f.v.IsNull() {
			continue
		}
		d, err := parsePositiveDuration(f.v.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("timeouts").AtName(f.name), "Invalid Duration", "timeouts."+f.name+": "+err.Error())
			continue
		}
		*f.dst = d
	}
	return t, diags
}

// Resources are built with the clouds, whose declarations their docs
// quote.
func (p *spuffProvider) Resources(context.Context) []func() resource.Resource {
	clouds := p.registry.Implemented()
	return []func() resource.Resource{
		func() resource.Resource { return &instanceResource{clouds: clouds} },
		func() resource.Resource { return &snapshotResource{clouds: clouds} },
	}
}

func (p *spuffProvider) DataSources(context.Context) []func() datasource.DataSource {
	clouds := p.registry.Implemented()
	return []func() datasource.DataSource{func() datasource.DataSource { return &instancesDataSource{clouds: clouds} }}
}

// eachCloud renders one phrase per cloud, joined for a description.
func eachCloud(clouds []framework.Cloud, phrase func(framework.Cloud) string) string {
	parts := make([]string, 0, len(clouds))
	for _, c := range clouds {
		parts = append(parts, phrase(c))
	}
	switch len(parts) {
	case 0:
		return "(no cloud)"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// stringOrEnv returns v, or the environment variable when v is null or empty.
func stringOrEnv(v types.String, env string) string {
	if s := v.ValueString(); s != "" {
		return s
	}
	return os.Getenv(env)
}
