package resources

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

var (
	_ resource.Resource                   = (*snapshotResource)(nil)
	_ resource.ResourceWithConfigure      = (*snapshotResource)(nil)
	_ resource.ResourceWithImportState    = (*snapshotResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*snapshotResource)(nil)
	_ resource.ResourceWithValidateConfig = (*snapshotResource)(nil)
)

type snapshotResource struct {
	// clouds are the provider's, for the docs.
	clouds []framework.Cloud
	data   *providerData
}

type snapshotModel struct {
	ID         types.String   `tfsdk:"id"`
	InstanceID types.String   `tfsdk:"instance_id"`
	Name       types.String   `tfsdk:"name"`
	Labels     types.Map      `tfsdk:"labels"`
	CreatedAt  types.String   `tfsdk:"created_at"`
	Timeouts   timeouts.Value `tfsdk:"timeouts"`
}

func (r *snapshotResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_snapshot"
}

func (r *snapshotResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A snapshot of a `spuff_instance`, usable as `image = { snapshot = spuff_snapshot.x.id }`. " +
			"`terraform apply` waits until the snapshot is complete; it is recorded in state as soon as the cloud starts it, " +
			"so a failed or interrupted wait leaves a tainted resource, never an unknown snapshot. It carries the label `managed-by = spuff`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The cloud's ID of the snapshot.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"instance_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The ID of the instance to snapshot, e.g. `spuff_instance.dev.id`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The snapshot's name. " +
					inPlaceOn(r.clouds, func(u framework.UpdateCapabilities) bool { return u.SnapshotName }) + notesOn(r.clouds, "snapshot.name"),
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"labels": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Labels to put on the snapshot. The provider adds `managed-by = spuff` itself; that key cannot be set here. " +
					"The cloud's label rules apply and are checked at plan time. " +
					inPlaceOn(r.clouds, func(u framework.UpdateCapabilities) bool { return u.SnapshotLabels }),
				Validators: []validator.Map{reservedLabelValidator{}},
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the cloud created the snapshot, RFC 3339; null when the cloud does not say.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeoutsBlock(ctx, "the snapshot is complete",
				"the provider's `timeouts.action_complete` plus `timeouts.http_request`",
				"the cloud has the new name and labels", "the provider's `timeouts.http_request`",
				"an action still running on the snapshot has ended", "the provider's `timeouts.action_complete`"),
		},
	}
}

func (r *snapshotResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *snapshotResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	validateTimeouts(ctx, req.Config, &resp.Diagnostics)
}

// ModifyPlan fails the plan when the configured cloud cannot snapshot, and
// decides update-or-replace for name and labels from its capabilities.
func (r *snapshotResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || req.Plan.Raw.IsNull() {
		return
	}
	var plan snapshotModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() {
		if !r.data.cloud.SupportsSnapshots() {
			resp.Diagnostics.AddError("Snapshots Not Supported",
				fmt.Sprintf("The %s cloud does not support snapshots, so spuff_snapshot cannot be used with it. "+
					"Remove the spuff_snapshot resources, or configure a cloud that supports snapshots.", r.data.cloud.Name()))
			return
		}
		checkLabelRules(ctx, r.data.cloud, plan.Labels, &resp.Diagnostics)
		r.checkInstance(ctx, plan.InstanceID, &resp.Diagnostics)
		return
	}
	var state snapshotModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	caps := framework.CapabilitiesOf(r.data.cloud)
	if !plan.Name.Equal(state.Name) && !caps.SnapshotName {
		resp.RequiresReplace.Append(path.Root("name"))
	}
	if !plan.Labels.Equal(state.Labels) {
		if !caps.SnapshotLabels {
			resp.RequiresReplace.Append(path.Root("labels"))
		}
		checkLabelRules(ctx, r.data.cloud, plan.Labels, &resp.Diagnostics)
	}
}

// checkInstance refuses, at plan, a snapshot of a machine that does not
// exist or that the provider does not manage (one read, when the ID is known).
func (r *snapshotResource) checkInstance(ctx context.Context, id types.String, diags *diag.Diagnostics) {
	if id.IsNull() || id.IsUnknown() || id.ValueString() == "" {
		return
	}
	inst, err := r.data.cloud.GetInstance(withLogging(ctx, r.data.token), id.ValueString())
	var ic *framework.InvalidConfigError
	switch {
	case errors.As(err, &ic):
		addPlanError(diags, framework.InvalidConfig("instance_id", ic.Message))
	case err != nil:
		return // the cloud checks it at apply
	case inst == nil:
		diags.AddAttributeError(path.Root("instance_id"), "Instance Not Found",
			fmt.Sprintf("instance_id: there is no instance %q in this account. Use the ID of a spuff_instance, e.g. spuff_instance.dev.id.", id.ValueString()))
	case !framework.IsManaged(inst.Labels):
		diags.AddAttributeError(path.Root("instance_id"), "Instance Not Managed by Spuff",
			fmt.Sprintf("instance_id: the instance %s does not carry the label %s=%s, so this provider refuses to snapshot it. Snapshot a machine spuff created.",
				id.ValueString(), framework.ManagedByKey, framework.ManagedByValue))
	}
}

func (r *snapshotResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !configured(r.data, &resp.Diagnostics) {
		return
	}
	ctx = withLogging(ctx, r.data.token)
	var plan snapshotModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, r.data.timeouts.ActionComplete+r.data.timeouts.HTTPRequest)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	instanceID := plan.InstanceID.ValueString()
	logDebug(ctx, "creating snapshot", map[string]any{"instance_id": instanceID, "name": plan.Name.ValueString()})
	snap, err := r.data.cloud.CreateSnapshot(ctx, instanceID, plan.Name.ValueString())
	var inc *framework.IncompleteError
	if errors.As(err, &inc) && inc.ID != "" {
		// Nothing lost: the snapshot exists, so record it; Terraform marks it
		// tainted because of the error.
		plan.ID = types.StringValue(inc.ID)
		plan.CreatedAt = types.StringNull()
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		addTaintedError(&resp.Diagnostics, "Snapshot "+inc.ID+" Not Complete", "snapshot", inc.ID, inc.Err)
		return
	}
	if err != nil {
		addCloudError(&resp.Diagnostics, "Error Creating Snapshot of Instance "+instanceID, err)
		return
	}
	plan.fromSnapshot(snap, false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	logDebug(ctx, "snapshot created", map[string]any{"id": snap.ID})
	if labels := userLabelsOf(ctx, plan.Labels, &resp.Diagnostics); len(labels) > 0 && !resp.Diagnostics.HasError() {
		// The spec's create_snapshot takes only a name; the user's labels
		// follow at once. Should that fail, the snapshot is in state
		// (tainted) and nothing is lost.
		if _, err := r.updater(&resp.Diagnostics).UpdateSnapshot(ctx, snap.ID, framework.SnapshotChange{Labels: labels}); err != nil {
			addTaintedError(&resp.Diagnostics, "Error Labelling Snapshot "+snap.ID, "snapshot", snap.ID, err)
		}
	}
}

func (r *snapshotResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !configured(r.data, &resp.Diagnostics) {
		return
	}
	ctx = withLogging(ctx, r.data.token)
	var state snapshotModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	snap, err := framework.GetSnapshot(ctx, r.data.cloud, state.ID.ValueString())
	if err != nil {
		addCloudError(&resp.Diagnostics, "Error Reading Snapshot "+state.ID.ValueString(), err)
		return
	}
	if snap == nil {
		logDebug(ctx, "snapshot gone, removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if !framework.IsManaged(snap.Labels) {
		addNotManagedError(&resp.Diagnostics, "snapshot", snap.ID, "manage")
		return
	}
	state.fromSnapshot(snap, true)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update renames and relabels the snapshot in place; a change of timeouts
// alone is Terraform's own.
func (r *snapshotResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !configured(r.data, &resp.Diagnostics) {
		return
	}
	ctx = withLogging(ctx, r.data.token)
	var plan, state snapshotModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	change := framework.SnapshotChange{}
	if !plan.Name.Equal(state.Name) {
		change.Name = plan.Name.ValueStringPointer()
	}
	if !plan.Labels.Equal(state.Labels) {
		change.Labels = userLabelsOf(ctx, plan.Labels, &resp.Diagnostics)
		if change.Labels == nil {
			change.Labels = map[string]string{}
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if change.Name != nil || change.Labels != nil {
		timeout, diags := plan.Timeouts.Update(ctx, r.data.timeouts.HTTPRequest)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		id := state.ID.ValueString()
		if _, err := r.updater(&resp.Diagnostics).UpdateSnapshot(ctx, id, change); err != nil {
			addCloudError(&resp.Diagnostics, "Error Updating Snapshot "+id, err)
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// updater is the cloud's snapshot update capability; the retry decorator
// always has one, which says when the cloud has none.
func (r *snapshotResource) updater(diags *diag.Diagnostics) framework.SnapshotUpdater {
	if u, ok := r.data.cloud.(framework.SnapshotUpdater); ok {
		return u
	}
	diags.AddError("Update Not Supported", "The "+r.data.cloud.Name()+" cloud cannot change snapshots in place. This is a bug in the provider's plan: please report it.")
	return noSnapshotUpdates{}
}

type noSnapshotUpdates struct{}

func (noSnapshotUpdates) UpdateSnapshot(context.Context, string, framework.SnapshotChange) (*framework.Snapshot, error) {
	return nil, &framework.NotSupportedError{Feature: "updating a snapshot in place"}
}

func (r *snapshotResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !configured(r.data, &resp.Diagnostics) {
		return
	}
	ctx = withLogging(ctx, r.data.token)
	var state snapshotModel
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

	// The cloud layer refuses a snapshot without managed-by=spuff and takes
	// one already gone for done: deletes are idempotent.
	logDebug(ctx, "deleting snapshot", map[string]any{"id": id})
	if err := r.data.cloud.DeleteSnapshot(ctx, id); err != nil {
		addCloudError(&resp.Diagnostics, "Error Deleting Snapshot "+id, err)
	}
}

func (r *snapshotResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// fromSnapshot copies what the cloud reports. On refresh the name and the
// source instance are taken too (after import they are not known yet).
func (m *snapshotModel) fromSnapshot(s *framework.Snapshot, refresh bool) {
	m.ID = types.StringValue(s.ID)
	if s.CreatedAt != nil {
		m.CreatedAt = types.StringValue(s.CreatedAt.UTC().Format(time.RFC3339))
	} else if m.CreatedAt.IsUnknown() {
		m.CreatedAt = types.StringNull()
	}
	if !refresh {
		return
	}
	if s.Name != "" {
		m.Name = types.StringValue(s.Name)
	}
	if s.InstanceID != "" {
		m.InstanceID = types.StringValue(s.InstanceID)
	}
	if user := framework.UserLabels(s.Labels); len(user) > 0 || !m.Labels.IsNull() {
		m.Labels, _ = types.MapValueFrom(context.Background(), types.StringType, user)
	}
}
