package resources

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

var (
	_ datasource.DataSource              = (*instancesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*instancesDataSource)(nil)
)

func newInstancesDataSource() datasource.DataSource { return &instancesDataSource{} }

type instancesDataSource struct {
	data *providerData
}

type instancesDataSourceModel struct {
	Labels    types.Map           `tfsdk:"labels"`
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
			"to those carrying given labels. Machines without that label are never returned.",
		Attributes: map[string]schema.Attribute{
			"labels": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Only return instances carrying all of these labels with these values.",
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
	var want map[string]string
	if !cfg.Labels.IsNull() {
		resp.Diagnostics.Append(cfg.Labels.ElementsAs(ctx, &want, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	list, err := d.data.cloud.ListInstances(ctx)
	if err != nil {
		addCloudError(&resp.Diagnostics, "Error Listing Instances", err)
		return
	}
	insts := filterInstances(list, want)
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

// filterInstances keeps the managed instances carrying every wanted label,
// sorted by name then ID. The managed check is repeated here because the
// cloud's server-side filter is the only other guard.
func filterInstances(list []framework.Instance, want map[string]string) []framework.Instance {
	out := make([]framework.Instance, 0, len(list))
	for _, inst := range list {
		if !framework.IsManaged(inst.Labels) {
			continue
		}
		match := true
		for k, v := range want {
			if got, ok := inst.Labels[k]; !ok || got != v {
				match = false
				break
			}
		}
		if match {
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
