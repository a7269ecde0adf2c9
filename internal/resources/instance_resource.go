package resources

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

var (
	_ resource.Resource                   = (*instanceResource)(nil)
	_ resource.ResourceWithConfigure      = (*instanceResource)(nil)
	_ resource.ResourceWithImportState    = (*instanceResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*instanceResource)(nil)
	_ resource.ResourceWithValidateConfig = (*instanceResource)(nil)
)

func newInstanceResource() resource.Resource { return &instanceResource{} }

type instanceResource struct {
	data *providerData
}

type instanceModel struct {
	ID          types.String   `tfsdk:"id"`
	Name        types.String   `tfsdk:"name"`
	Region      types.String   `tfsdk:"region"`
	Size        types.String   `tfsdk:"size"`
	Image       types.Object   `tfsdk:"image"`
	UserData    types.String   `tfsdk:"user_data"`
	SSHKeys     types.List     `tfsdk:"ssh_keys"`
	Labels      types.Map      `tfsdk:"labels"`
	IPv4Address types.String   `tfsdk:"ipv4_address"`
	Status      types.String   `tfsdk:"status"`
	CreatedAt   types.String   `tfsdk:"created_at"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

func (r *instanceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_instance"
}

func (r *instanceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replaceString := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keepString := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	imageVariant := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A cloud machine (a dev box, CI runner or GPU box). `terraform apply` creates it and waits until it is " +
			"running with a public IPv4 address; the machine is recorded in state before the wait, so a failed or interrupted wait " +
			"leaves a tainted resource, never an unknown machine. Every input forces a new machine when it changes. " +
			"The machine carries the label `managed-by = spuff`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The cloud's ID of the machine.",
				PlanModifiers:       keepString,
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The machine's name, unique in the account. On Hetzner it must be a valid hostname (RFC 1123).",
				PlanModifiers:       replaceString,
			},
			"region": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The cloud's region or location, e.g. `fsn1`, `nbg1`, `hel1`, `ash`, `hil` or `sin` on Hetzner.",
				PlanModifiers:       replaceString,
			},
			"size": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The cloud's machine type, e.g. `cx22` on Hetzner.",
				PlanModifiers:       replaceString,
			},
			"image": schema.SingleNestedAttribute{
				Required: true,
				MarkdownDescription: "The image to boot: exactly one of `ubuntu`, `debian`, `custom` or `snapshot`. " +
					"Ubuntu and Debian versions are mapped to each cloud's own image (`ubuntu = \"24.04\"` is `ubuntu-24.04` on Hetzner).",
				Attributes: map[string]schema.Attribute{
					"ubuntu":   imageVariant("An Ubuntu release as `YY.MM`, e.g. `24.04`."),
					"debian":   imageVariant("A Debian major version, e.g. `12`."),
					"custom":   imageVariant("A cloud-specific image name or ID, passed through unchanged."),
					"snapshot": imageVariant("The ID of a snapshot to restore, e.g. `spuff_snapshot.golden.id`."),
				},
				Validators:    []validator.Object{imageValidator{}},
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
			},
			"user_data": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Cloud-init user data, as raw YAML (the provider encodes it as the cloud needs). " +
					"Never logged. Clouds do not return it, so it is not read back on import.",
				PlanModifiers: replaceString,
			},
			"ssh_keys": schema.ListAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Names or IDs of SSH keys, already in the cloud account, to install on the machine.",
				PlanModifiers:       []planmodifier.List{listplanmodifier.RequiresReplace()},
			},
			"labels": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Labels to put on the machine. The provider adds `managed-by = spuff` itself; that key cannot be set here. " +
					"The cloud's label rules apply and are checked at plan time.",
				Validators:    []validator.Map{reservedLabelValidator{}},
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"ipv4_address": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The machine's public IPv4 address.",
				PlanModifiers:       keepString,
			},
			"status": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The machine's status: `new`, `active`, `off` or `archive`, or the cloud's own state when it maps " +
					"to none of those (e.g. `deleting`).",
				PlanModifiers: keepString,
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the cloud created the machine, RFC 3339.",
				PlanModifiers:       keepString,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeoutsBlock(ctx, "the machine is running with a public IP",
				"the provider's `timeouts.instance_ready` plus `timeouts.http_request`",
				"the cloud no longer has the machine", "the provider's `timeouts.action_complete`"),
		},
	}
}

func (r *instanceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *instanceResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	if !name.IsNull() && !name.IsUnknown() && name.ValueString() == "" {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Empty Name", "name must not be empty: set it to the machine's name, e.g. \"dev-box\".")
	}
	validateTimeouts(ctx, req.Config, &resp.Diagnostics)
}

// ModifyPlan checks a new machine against the cloud's own rules (name
// syntax, label charset, user-data size) so that bad input fails at plan.
func (r *instanceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() {
		return
	}
	var plan instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	request, known, diags := plan.request(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || !known {
		return
	}
	if err := framework.ValidateRequest(r.data.cloud, request); err != nil {
		addCloudError(&resp.Diagnostics, "Invalid Instance", err)
	}
}

func (r *instanceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !configured(r.data, &resp.Diagnostics) {
		return
	}
	ctx = withLogging(ctx, r.data.token)
	var plan instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, r.data.timeouts.InstanceReady+r.data.timeouts.HTTPRequest)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	request, known, diags := plan.request(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !known {
		resp.Diagnostics.AddError("Unknown Instance Value", "An input of the instance is still unknown at apply time. This is a bug in the provider: please report it.")
		return
	}

	logDebug(ctx, "creating instance", map[string]any{"name": request.Name, "region": request.Region, "size": request.Size, "image": request.Image.String()})
	inst, err := r.data.cloud.CreateInstance(ctx, request)
	if err != nil {
		addCloudError(&resp.Diagnostics, "Error Creating Instance", err)
		return
	}

	// Nothing lost: the machine is in state before any wait, so a failed or
	// cancelled wait leaves a tainted resource instead of an unknown machine.
	resp.Diagnostics.Append(plan.fromInstance(inst, false)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	logDebug(ctx, "instance created, waiting until ready", map[string]any{"id": inst.ID, "timeout": timeout.String()})

	ready, err := r.data.cloud.WaitReady(ctx, inst.ID)
	if err != nil {
		addTaintedError(&resp.Diagnostics, "Instance "+inst.ID+" Not Ready", "instance", inst.ID, err)
		return
	}
	resp.Diagnostics.Append(plan.fromInstance(ready, false)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	logDebug(ctx, "instance ready", map[string]any{"id": ready.ID, "ipv4_address": ready.IP.String()})
}

func (r *instanceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !configured(r.data, &resp.Diagnostics) {
		return
	}
	ctx = withLogging(ctx, r.data.token)
	var state instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	inst, err := r.data.cloud.GetInstance(ctx, state.ID.ValueString())
	if err != nil {
		addCloudError(&resp.Diagnostics, "Error Reading Instance "+state.ID.ValueString(), err)
		return
	}
	if inst == nil || inst.Status.Kind == framework.StatusArchive {
		// Deleted out of band: drift, so the next plan creates it again.
		logDebug(ctx, "instance gone, removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if !framework.IsManaged(inst.Labels) {
		addNotManagedError(&resp.Diagnostics, "instance", inst.ID, "manage")
		return
	}
	resp.Diagnostics.Append(state.fromInstance(inst, true)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update only ever changes timeouts: every other input forces replacement.
func (r *instanceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *instanceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !configured(r.data, &resp.Diagnostics) {
		return
	}
	ctx = withLogging(ctx, r.data.token)
	var state instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, r.data.timeouts.ActionComplete)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id := state.ID.ValueString()

	inst, err := r.data.cloud.GetInstance(ctx, id)
	if err != nil {
		addCloudError(&resp.Diagnostics, "Error Deleting Instance "+id, err)
		return
	}
	if inst == nil {
		return // already gone: deletes are idempotent
	}
	if !framework.IsManaged(inst.Labels) {
		addNotManagedError(&resp.Diagnostics, "instance", id, "delete")
		return
	}
	logDebug(ctx, "deleting instance", map[string]any{"id": id})
	if err := r.data.cloud.DestroyInstance(ctx, id); err != nil {
		addCloudError(&resp.Diagnostics, "Error Deleting Instance "+id, err)
		return
	}
	// Wait until the machine is gone, so that a replacement with the same
	// name does not collide with it and the delete timeout means something.
	err = framework.WaitGone(ctx, id, func(ctx context.Context) (*framework.Instance, error) {
		return r.data.cloud.GetInstance(ctx, id)
	}, timeout, r.data.timeouts.PollInterval, func(attempt int, inst *framework.Instance, err error) {
		fields := map[string]any{"id": id, "attempt": attempt, "gone": inst == nil}
		if err != nil {
			fields["error"] = err.Error()
		}
		logDebug(ctx, "waiting for instance deletion", fields)
	})
	if err != nil {
		addCloudError(&resp.Diagnostics, "Error Waiting for Instance "+id+" Deletion", err)
	}
}

func (r *instanceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// configured reports whether the provider handed over its data, adding a
// diagnostic when it did not.
func configured(data *providerData, diags *diag.Diagnostics) bool {
	if data == nil {
		diags.AddError("Provider Not Configured", "The spuff provider was not configured. Check the provider block for errors.")
		return false
	}
	return true
}

// request builds the cloud request from the plan. known is false when an
// input is still unknown (at plan time); the request is then incomplete.
func (m instanceModel) request(ctx context.Context) (framework.InstanceRequest, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	req := framework.InstanceRequest{
		Name:     m.Name.ValueString(),
		Region:   m.Region.ValueString(),
		Size:     m.Size.ValueString(),
		UserData: m.UserData.ValueString(),
	}
	known := !m.Name.IsUnknown() && !m.Region.IsUnknown() && !m.Size.IsUnknown() && !m.UserData.IsUnknown() &&
		!m.Image.IsUnknown() && !m.SSHKeys.IsUnknown() && !m.Labels.IsUnknown()
	if !known {
		return req, false, diags
	}
	var img imageModel
	diags.Append(m.Image.As(ctx, &img, basetypes.ObjectAsOptions{})...)
	if img.hasUnknown() {
		return req, false, diags
	}
	req.Image, _ = img.spec()

	var user map[string]string
	if !m.Labels.IsNull() {
		diags.Append(m.Labels.ElementsAs(ctx, &user, false)...)
	}
	req.Labels = framework.ManagedLabels(user)
	if !m.SSHKeys.IsNull() {
		diags.Append(m.SSHKeys.ElementsAs(ctx, &req.SSHKeys, false)...)
	}
	return req, true, diags
}

// fromInstance copies what the cloud reports into the model. On refresh it
// also takes name, region, size and labels, so out-of-band changes show as
// drift; the image is only filled in when state has none (after import),
// because a cloud's mapping back to an ImageSpec is not always exact.
func (m *instanceModel) fromInstance(inst *framework.Instance, refresh bool) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(inst.ID)
	m.Status = types.StringValue(inst.Status.String())
	if inst.HasIP() {
		m.IPv4Address = types.StringValue(inst.IP.String())
	} else {
		m.IPv4Address = types.StringNull()
	}
	if inst.CreatedAt.IsZero() {
		m.CreatedAt = types.StringNull()
	} else {
		m.CreatedAt = types.StringValue(inst.CreatedAt.UTC().Format(time.RFC3339))
	}
	if !refresh {
		return diags
	}
	m.Name = types.StringValue(inst.Name)
	m.Region = types.StringValue(inst.Region)
	m.Size = types.StringValue(inst.Size)
	user := framework.UserLabels(inst.Labels)
	if len(user) == 0 && m.Labels.IsNull() {
		m.Labels = types.MapNull(types.StringType)
	} else {
		labels, d := types.MapValueFrom(context.Background(), types.StringType, user)
		diags.Append(d...)
		m.Labels = labels
	}
	if m.Image.IsNull() {
		img, d := imageObject(inst.Image)
		diags.Append(d...)
		m.Image = img
	}
	return diags
}
