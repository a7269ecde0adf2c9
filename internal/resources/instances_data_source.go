package resources

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

var (
	_ datasource.DataSource                   = (*instancesDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*instancesDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*instancesDataSource)(nil)
)

// statusFilters are the statuses the status filter accepts.
var statusFilters = []string{"new", "active", "off", "archive"}

type instancesDataSource struct {
	// clouds are the provider's, for the docs.
	clouds []framework.Cloud
	data   *providerData
}

type instancesDataSourceModel struct {
	Labels    types.Map           `tfsdk:"labels"`
	NameRegex types.String        `tfsdk:"name_regex"`
	Region    types.String        `tfsdk:"region"`
	Status    types.String        `tfsdk:"status"`
	Instances []instanceItemModel `tfsdk:"instances"`
}

type instanceItemModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Region      types.String `tfsdk:"region"`
	Size        types.String `tfsdk:"size"`
	IPv4Address types.String `tfsdk:"ipv4_address"`
	Status      types.String `tfsdk:"status"`
	CreatedAt   types.String `tfsdk:"created_at"`
	Labels      types.Map    `tfsdk:"labels"`
}

func (d *instancesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_instances"
}

func (d *instancesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every machine in the account that carries the label `managed-by = spuff`, optionally narrowed " +
			"by labels, name, region and status (all filters must match). Machines without that label are never returned. " +
			"Filters are checked at plan time with the cloud's rules; label filters are applied by the cloud where it can, " +
			"the others by the provider.",
		Attributes: map[string]schema.Attribute{
			"labels": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Only return instances carrying all of these labels with these values. Keys and values follow the " +
					"cloud's label rules; `managed-by` is the provider's own and cannot be used." + notesOn(d.clouds, "labels"),
				Validators: []validator.Map{reservedLabelValidator{}},
			},
			"name_regex": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only return instances whose name matches this regular expression (RE2 syntax, unanchored: use `^` and `$` to anchor).",
				Validators:          []validator.String{regexValidator{}},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only return instances in this region, e.g. `fsn1`. Checked against the cloud's regions.",
			},
			"status": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only return instances with this status: one of `new`, `active`, `off` or `archive`.",
				Validators:          []validator.String{stringvalidator.OneOf(statusFilters...)},
			},
			"instances": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The instances, sorted by name, then ID.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":           computed("The cloud's ID of the machine."),
						"name":         computed("The machine's name."),
						"region":       computed("The cloud's region or location."),
						"size":         computed("The cloud's machine type."),
						"ipv4_address": computed("The public IPv4 address; null until assigned."),
						"status":       computed("`new`, `active`, `off` or `archive`, or the cloud's own state."),
						"created_at":   computed("When the cloud created the machine, RFC 3339."),
						"labels": schema.MapAttribute{
							Computed:            true,
							ElementType:         types.StringType,
							MarkdownDescription: "The machine's labels, without `managed-by`.",
						},
					},
				},
			},
		},
	}
}

func (d *instancesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig applies the rules that need no cloud: every label key must
// be non-empty (the cloud's own label rules are applied when the provider is
// configured, still before any list).
func (d *instancesDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var labels types.Map
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("labels"), &labels)...)
	if labels.IsNull() || labels.IsUnknown() {
		return
	}
	for k := range labels.Elements() {
		if strings.TrimSpace(k) == "" {
			resp.Diagnostics.AddAttributeError(path.Root("labels"), "Invalid Labels",
				"labels: a label key must not be empty. Use the key of a label your instances carry, e.g. labels = { team = \"ci\" }.")
		}
	}
}

func (d *instancesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !configured(d.data, &resp.Diagnostics) {
		return
	}
	ctx = withLogging(ctx, d.data.token)
	var cfg instancesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	want := userLabelsOf(ctx, cfg.Labels, &resp.Diagnostics)
	checkLabelRules(ctx, d.data.cloud, cfg.Labels, &resp.Diagnostics)
	f := instanceFilter{labels: want, region: cfg.Region.ValueString(), status: cfg.Status.ValueString()}
	if !cfg.NameRegex.IsNull() {
		re, err := regexp.Compile(cfg.NameRegex.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name_regex"), "Invalid Name Regex", regexDetail(err))
		}
		f.name = re
	}
	if f.region != "" {
		d.checkRegion(ctx, f.region, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	list, err := framework.ListInstancesMatching(ctx, d.data.cloud, framework.InstanceFilter{Labels: want})
	if err != nil {
		addCloudError(&resp.Diagnostics, "Error Listing Instances", err)
		return
	}
	insts := filterInstances(list, f)
	logDebug(ctx, "listed instances", map[string]any{"listed": len(list), "returned": len(insts)})

	cfg.Instances = make([]instanceItemModel, 0, len(insts))
	for _, inst := range insts {
		labels, diags := types.MapValueFrom(ctx, types.StringType, framework.UserLabels(inst.Labels))
		resp.Diagnostics.Append(diags...)
		item := instanceItemModel{
			ID:          types.StringValue(inst.ID),
			Name:        types.StringValue(inst.Name),
			Region:      types.StringValue(inst.Region),
			Size:        types.StringValue(inst.Size),
			IPv4Address: types.StringNull(),
			Status:      types.StringValue(inst.Status.String()),
			CreatedAt:   types.StringNull(),
			Labels:      labels,
		}
		if inst.HasIP() {
			item.IPv4Address = types.StringValue(inst.IP.String())
		}
		if !inst.CreatedAt.IsZero() {
			item.CreatedAt = types.StringValue(inst.CreatedAt.UTC().Format(time.RFC3339))
		}
		cfg.Instances = append(cfg.Instances, item)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// checkRegion refuses a region filter the cloud does not have, listing its
// regions: a typo would otherwise silently return nothing.
func (d *instancesDataSource) checkRegion(ctx context.Context, region string, diags *diag.Diagnostics) {
	if d.data.catalog == nil {
		return
	}
	cat, err := d.data.catalog.Get(ctx)
	if err != nil {
		return // the filter still works; only the check is skipped
	}
	if err := cat.CheckRegion(region); err != nil {
		addPlanError(diags, err)
	}
}

// instanceFilter is the data source's filters; zero fields match all.
type instanceFilter struct {
	labels map[string]string
	name   *regexp.Regexp
	region string
	status string
}

func (f instanceFilter) matches(inst framework.Instance) bool {
	for k, v := range f.labels {
		if got, ok := inst.Labels[k]; !ok || got != v {
			return false
		}
	}
	return (f.name == nil || f.name.MatchString(inst.Name)) &&
		(f.region == "" || inst.Region == f.region) &&
		(f.status == "" || inst.Status.String() == f.status)
}

// filterInstances keeps the managed instances matching f, sorted by name
// then ID. The managed check is repeated here because the cloud's
// server-side filter is the only other guard.
func filterInstances(list []framework.Instance, f instanceFilter) []framework.Instance {
	out := make([]framework.Instance, 0, len(list))
	for _, inst := range list {
		if framework.IsManaged(inst.Labels) && f.matches(inst) {
			out = append(out, inst)
		}
	}
	slices.SortFunc(out, func(a, b framework.Instance) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return compareIDs(a.ID, b.ID)
	})
	return out
}

// compareIDs orders numeric IDs numerically: a shorter decimal is smaller.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
