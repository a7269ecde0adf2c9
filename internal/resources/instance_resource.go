package resources

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
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

type instanceResource struct {
	// clouds are the provider's, for the docs.
	clouds []framework.Cloud
	data   *providerData
}

type instanceModel struct {
	ID          types.String   `tfsdk:"id"`
	Name        types.String   `tfsdk:"name"`
	Region      types.String   `tfsdk:"region"`
	Size        types.String   `tfsdk:"size"`
	Image       types.Object   `tfsdk:"image"`
	UserData    types.String   `tfsdk:"user_data"`
	UserDataWO  types.String   `tfsdk:"user_data_wo"`
	UserDataWOV types.Int64    `tfsdk:"user_data_wo_version"`
	SSHKeys     types.List     `tfsdk:"ssh_keys"`
	Labels      types.Map      `tfsdk:"labels"`
	IPv4Address types.String   `tfsdk:"ipv4_address"`
	Status      types.String   `tfsdk:"status"`
	CreatedAt   types.String   `tfsdk:"created_at"`
	DiskGB      types.Int64    `tfsdk:"disk_gb"`
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
			"leaves a tainted resource, never an unknown machine. What the configured cloud can change in place is updated in " +
			"place, and the plan says so; every other change replaces the machine. The machine carries the label `managed-by = spuff`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The cloud's ID of the machine.",
				PlanModifiers:       keepString,
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The machine's name; a create that meets a managed machine of that name it did not make fails, naming the ID to import. " +
					inPlaceOn(r.clouds, func(u framework.UpdateCapabilities) bool { return u.Name }) + notesOn(r.clouds, "name"),
			},
			"region": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The cloud's region or location, e.g. " +
					examplesOf(r.clouds, func(e framework.CloudExample) []string { return e.Regions }) +
					". Checked against the cloud's catalogue at plan time. A change replaces the machine.",
				PlanModifiers: replaceString,
			},
			"size": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The cloud's machine type, e.g. " +
					examplesOf(r.clouds, func(e framework.CloudExample) []string { return e.Sizes }) +
					". Checked against the cloud's catalogue at plan time (offered in `region`; a deprecated type gets a warning with its " +
					"end-of-sale date). " + inPlaceOn(r.clouds, func(u framework.UpdateCapabilities) bool { return u.Resize }) +
					" An in-place change is bounded by the `update` timeout; a change of architecture (x86 to arm), or to a type with a " +
					"smaller disk than the machine's where the cloud keeps disks, replaces the machine." + notesOn(r.clouds, "size"),
			},
			"image": schema.SingleNestedAttribute{
				Required: true,
				MarkdownDescription: "The image to boot: exactly one of `ubuntu`, `debian`, `custom` or `snapshot`. " +
					"Ubuntu and Debian versions are mapped to each cloud's own image and checked against the cloud's catalogue at plan time. " +
					"A change replaces the machine." + notesOn(r.clouds, "image"),
				Attributes: map[string]schema.Attribute{
					"ubuntu":   imageVariant("An Ubuntu release as `YY.MM`, e.g. `24.04`."),
					"debian":   imageVariant("A Debian major version, e.g. `12`."),
					"custom":   imageVariant("A cloud-specific image name or ID, passed through unchanged."),
					"snapshot": imageVariant("The ID of a snapshot to restore, e.g. `spuff_snapshot.golden.id`. The size's disk must be at least the snapshot's."),
				},
				Validators:    []validator.Object{imageValidator{}},
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
			},
			"user_data": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Cloud-init user data, as raw YAML (the provider encodes it as the cloud needs). **It is stored in " +
					"Terraform state in clear text** (sensitive only hides it in the CLI): with Terraform or OpenTofu 1.11 or later use " +
					"`user_data_wo` instead. Never logged. A change replaces the machine. Clouds do not return it, so after an import the " +
					"first apply records it in state without touching the machine. Conflicts with `user_data_wo`.",
				Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("user_data_wo"))},
			},
			"user_data_wo": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				MarkdownDescription: "Cloud-init user data, write-only: it is sent to the cloud when the machine is created and never " +
					"stored in plan or state. Needs Terraform or OpenTofu 1.11 or later. Terraform cannot see changes of a write-only " +
					"value: bump `user_data_wo_version` to replace the machine with new user data. Conflicts with `user_data`.",
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot("user_data")),
					stringvalidator.AlsoRequires(path.MatchRoot("user_data_wo_version")),
				},
			},
			"user_data_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "The version of `user_data_wo`. Change it (e.g. increment it) whenever `user_data_wo` changes: " +
					"a change replaces the machine, which boots with the new user data.",
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("user_data_wo"))},
			},
			"ssh_keys": schema.ListAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Names or IDs of SSH keys, already in the cloud account, to install on the machine. A change replaces the machine.",
				PlanModifiers:       []planmodifier.List{listplanmodifier.RequiresReplace()},
			},
			"labels": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Labels to put on the machine. The provider adds `managed-by = spuff` itself; that key cannot be set here. " +
					"The cloud's label rules apply and are checked at plan time. " +
					inPlaceOn(r.clouds, func(u framework.UpdateCapabilities) bool { return u.Labels }) +
					" Labels edited outside Terraform show as drift." + notesOn(r.clouds, "labels"),
				Validators: []validator.Map{reservedLabelValidator{}},
			},
			"ipv4_address": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The machine's public IPv4 address." + addressOnResize(r.clouds),
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
			"disk_gb": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "The size of the machine's disk in GB, as the cloud reports it; null when the cloud does not say.",
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeoutsBlock(ctx, "the machine is running with a public IP",
				"the provider's `timeouts.instance_ready` plus `timeouts.http_request`",
				"the machine is updated in place (for a resize: powered off, changed and running again)",
				"the provider's `timeouts.action_complete` plus `timeouts.instance_ready`",
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

// importedKey marks, in private state, a machine that came in by import:
// the cloud does not return user data, so the first plan must not take the
// user_data (or user_data_wo_version) that state lacks for a change.
const importedKey = "imported"

func isImported(ctx context.Context, p interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}) bool {
	if p == nil {
		return false
	}
	v, _ := p.GetKey(ctx, importedKey)
	return len(v) > 0
}

// ModifyPlan decides update-or-replace from the configured cloud's
// capabilities, and checks a new machine (or its replacement) against the
// cloud's rules and catalogue so that bad input fails at plan.
func (r *instanceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || req.Plan.Raw.Equal(req.State.Raw) {
		return // destroy, or nothing changes (every refresh-only plan)
	}
	var plan instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	userDataWO, diags := configUserDataWO(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() {
		r.checkNew(ctx, plan, userDataWO, &resp.Diagnostics)
		return
	}
	var state instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	caps := framework.UpdateCapabilities{}
	if r.data != nil {
		caps = framework.CapabilitiesOf(r.data.cloud)
	}
	replace := func(p path.Path) { resp.RequiresReplace.Append(p) }
	imported := isImported(ctx, req.Private)
	// User data cannot be read back: after an import, state has none, and
	// taking that for a change would destroy the machine.
	notReadBack := func(v attr.Value) bool { return imported && v.IsNull() }
	if !plan.UserData.Equal(state.UserData) && !notReadBack(state.UserData) {
		replace(path.Root("user_data"))
	}
	if !plan.UserDataWOV.Equal(state.UserDataWOV) && !notReadBack(state.UserDataWOV) {
		replace(path.Root("user_data_wo_version"))
	}
	if !plan.Name.Equal(state.Name) && !caps.Name {
		replace(path.Root("name"))
	}
	if !plan.Labels.Equal(state.Labels) && !caps.Labels {
		replace(path.Root("labels"))
	}
	resizing := false
	if !plan.Size.Equal(state.Size) {
		if ok, why := r.canResize(ctx, caps, state, plan.Size, &resp.Diagnostics); ok {
			resizing = true
		} else {
			logDebug(ctx, "size change replaces the machine", map[string]any{"reason": why})
			replace(path.Root("size"))
		}
	}

	if len(resp.RequiresReplace) > 0 {
		// A replacement is a new machine: check it like one.
		r.checkNew(ctx, plan, userDataWO, &resp.Diagnostics)
		return
	}
	if !plan.Name.Equal(state.Name) || !plan.Labels.Equal(state.Labels) {
		r.checkRules(ctx, plan, userDataWO, &resp.Diagnostics)
	}
	if !resizing {
		return
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("size"), "Machine Is Powered Off While It Is Resized",
		fmt.Sprintf("Changing size from %q to %q is done in place: the %s cloud powers the machine off, changes its type and "+
			"powers it on again, so it is unreachable for a while.", state.Size.ValueString(), plan.Size.ValueString(), r.data.cloud.Name()))
	if !caps.ResizeKeepsDisk {
		// The disk grows with the size: say so in the plan.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("disk_gb"), types.Int64Unknown())...)
	}
	if caps.ResizeChangesAddress {
		// The machine comes back with another address: say so too.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("ipv4_address"), types.StringUnknown())...)
	}
}

// canResize reports whether the machine in state can move to size in place.
// An unknown size, or a cloud whose catalogue cannot be read, replaces: the
// plan never promises an update it cannot check.
func (r *instanceResource) canResize(ctx context.Context, caps framework.UpdateCapabilities, state instanceModel, size types.String, diags *diag.Diagnostics) (bool, string) {
	switch {
	case !caps.Resize:
		return false, "the cloud cannot resize in place"
	case size.IsUnknown():
		return false, "the new size is not known until apply"
	}
	cat, ok := r.catalog(ctx, diags)
	if !ok {
		return false, "the catalogue is not available"
	}
	return cat.CanResize(caps, state.Region.ValueString(), state.Size.ValueString(), size.ValueString(), int(state.DiskGB.ValueInt64()))
}

// catalog returns the cloud's catalogue, fetched once per provider process.
// A cloud without one, or a failed fetch (a warning), gives false: the
// cloud checks the values itself when the machine is created.
func (r *instanceResource) catalog(ctx context.Context, diags *diag.Diagnostics) (*framework.Catalog, bool) {
	if r.data == nil || r.data.catalog == nil {
		return nil, false
	}
	cat, err := r.data.catalog.Get(withLogging(ctx, r.data.token))
	if err != nil {
		// A bad token or a dead endpoint fails the apply too: say so now.
		var ae *framework.AuthenticationError
		if errors.As(err, &ae) || framework.IsConnectFailure(err) {
			addCloudError(diags, "Error Reading the Cloud's Catalogue", err)
			return nil, false
		}
		diags.AddWarning("Cloud Catalogue Not Checked",
			fmt.Sprintf("The %s catalogue (regions, sizes, images) could not be read, so region, size and image are checked by the cloud at apply: %s", r.data.cloud.Name(), err))
		return nil, false
	}
	return cat, true
}

// checkNew checks a machine to be created against the cloud's rules and,
// for every value known at plan, its catalogue.
func (r *instanceResource) checkNew(ctx context.Context, plan instanceModel, userDataWO types.String, diags *diag.Diagnostics) {
	if r.data == nil {
		return
	}
	r.checkRules(ctx, plan, userDataWO, diags)
	if diags.HasError() {
		return
	}
	r.checkCatalog(ctx, plan, diags)
	if diags.HasError() {
		return
	}
	r.checkSSHKeys(ctx, plan, diags)
}

// checkRules applies the cloud's own rules (name syntax, label charset,
// user-data size) to every value known at plan; unknown values are
// checked by the cloud when they are known, at apply.
func (r *instanceResource) checkRules(ctx context.Context, plan instanceModel, userDataWO types.String, diags *diag.Diagnostics) {
	if r.data == nil {
		return
	}
	request, unknown, d := plan.knownRequest(ctx, userDataWO)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	err := framework.ValidateRequest(r.data.cloud, request)
	var ic *framework.InvalidConfigError
	if errors.As(err, &ic) && unknown[strings.SplitN(ic.Field, ".", 2)[0]] {
		return // about a placeholder for an unknown value
	}
	if err != nil {
		addPlanError(diags, err)
	}
}

// checkCatalog checks region, size and image against the cloud's catalogue,
// as far as they are known at plan.
func (r *instanceResource) checkCatalog(ctx context.Context, plan instanceModel, diags *diag.Diagnostics) {
	var img imageModel
	imageKnown := !plan.Image.IsUnknown() && !plan.Image.IsNull()
	if imageKnown {
		diags.Append(plan.Image.As(ctx, &img, basetypes.ObjectAsOptions{})...)
		imageKnown = !img.hasUnknown()
	}
	regionKnown, sizeKnown := !plan.Region.IsUnknown(), !plan.Size.IsUnknown()
	if !regionKnown && !sizeKnown && !imageKnown {
		return
	}
	cat, ok := r.catalog(ctx, diags)
	if !ok {
		return
	}
	region, size := plan.Region.ValueString(), plan.Size.ValueString()
	if regionKnown {
		if err := cat.CheckRegion(region); err != nil {
			addPlanError(diags, err)
			return
		}
	}
	arch := ""
	if regionKnown && sizeKnown {
		warning, err := cat.CheckSize(region, size)
		if err != nil {
			addPlanError(diags, err)
			return
		}
		if warning != "" {
			diags.AddAttributeWarning(path.Root("size"), "Deprecated Size", warning+" Choose a current size to keep this configuration working.")
		}
	}
	if s := cat.Size(size); sizeKnown && s != nil {
		arch = s.Arch
	}
	if !imageKnown {
		return
	}
	spec, _ := img.spec()
	if err := cat.CheckImage(spec, arch); err != nil {
		addPlanError(diags, err)
		return
	}
	if spec.Kind == framework.ImageSnapshot && sizeKnown && cat.Size(size) != nil {
		r.checkSnapshotFits(ctx, spec.Value, cat.Size(size), diags)
	}
}

// checkSSHKeys refuses SSH key names the account does not have, listing
// those it has (one list request, only when keys are named). IDs, and keys
// still unknown, are left to the cloud at apply.
func (r *instanceResource) checkSSHKeys(ctx context.Context, plan instanceModel, diags *diag.Diagnostics) {
	if plan.SSHKeys.IsNull() || plan.SSHKeys.IsUnknown() {
		return
	}
	var names []string
	for _, v := range plan.SSHKeys.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsUnknown() || s.ValueString() == "" {
			continue
		}
		if _, err := strconv.ParseUint(s.ValueString(), 10, 64); err != nil {
			names = append(names, s.ValueString())
		}
	}
	if len(names) == 0 {
		return
	}
	have, err := r.data.cloud.SSHKeys(withLogging(ctx, r.data.token))
	if err != nil {
		return // the cloud checks them at apply
	}
	for _, n := range names {
		if !slices.Contains(have, n) {
			diags.AddAttributeError(path.Root("ssh_keys"), "Unknown SSH Key",
				fmt.Sprintf("ssh_keys: the account has no SSH key named %q; its keys are: %s. Add the key to the account first, or use one of these names.",
					n, framework.QuoteList(have)))
		}
	}
}

// checkSnapshotFits refuses to restore a snapshot onto a size whose disk is
// smaller than the snapshot's, as the cloud would at apply.
func (r *instanceResource) checkSnapshotFits(ctx context.Context, id string, size *framework.CatalogSize, diags *diag.Diagnostics) {
	snap, err := framework.GetSnapshot(withLogging(ctx, r.data.token), r.data.cloud, id)
	var ic *framework.InvalidConfigError
	switch {
	case errors.As(err, &ic):
		addPlanError(diags, framework.InvalidConfig("image.snapshot", ic.Message))
	case err != nil:
		diags.AddAttributeWarning(path.Root("image").AtName("snapshot"), "Snapshot Not Checked",
			fmt.Sprintf("The snapshot %s could not be read, so the cloud checks it at apply: %s", id, err))
	case snap == nil:
		diags.AddAttributeError(path.Root("image").AtName("snapshot"), "Snapshot Not Found",
			fmt.Sprintf("There is no snapshot with the ID %q in this account. Use the ID of an existing snapshot, e.g. spuff_snapshot.golden.id.", id))
	case size.DiskGB > 0 && snap.DiskGB > size.DiskGB:
		// (A size without a disk of its own, EC2's, boots any snapshot:
		// the volume is sized from the image.)
		diags.AddAttributeError(path.Root("size"), "Disk Too Small for the Snapshot",
			fmt.Sprintf("The snapshot %s needs a disk of at least %d GB, and size %q has %d GB. Choose a size with a disk of %d GB or more.",
				id, snap.DiskGB, size.Name, size.DiskGB, snap.DiskGB))
	}
}

// configUserDataWO reads the write-only user data, which only the config has.
func configUserDataWO(ctx context.Context, cfg tfsdk.Config) (types.String, diag.Diagnostics) {
	var v types.String
	diags := cfg.GetAttribute(ctx, path.Root("user_data_wo"), &v)
	return v, diags
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
	userDataWO, diags := configUserDataWO(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
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

	request, unknown, diags := plan.knownRequest(ctx, userDataWO)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(unknown) > 0 {
		resp.Diagnostics.AddError("Unknown Instance Value", "An input of the instance is still unknown at apply time. This is a bug in the provider: please report it.")
		return
	}

	logDebug(ctx, "creating instance", map[string]any{"name": request.Name, "region": request.Region, "size": request.Size, "image": request.Image.String()})
	inst, err := r.data.cloud.CreateInstance(ctx, request)
	if err != nil {
		// Values unknown at plan were checked by the cloud only: say what
		// its catalogue offers.
		var cat diag.Diagnostics
		r.checkCatalog(ctx, plan, &cat)
		if cat.HasError() {
			resp.Diagnostics.Append(cat.Errors()...)
			return
		}
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

// Update makes the changes ModifyPlan found the cloud can make in place:
// name, labels and size through the cloud's InstanceUpdater. A change of
// user_data or user_data_wo_version only reaches here after an import, to be
// recorded; timeouts are Terraform's own.
func (r *instanceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !configured(r.data, &resp.Diagnostics) {
		return
	}
	ctx = withLogging(ctx, r.data.token)
	var plan, state instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	change := framework.InstanceChange{}
	if !plan.Name.Equal(state.Name) {
		change.Name = plan.Name.ValueStringPointer()
	}
	if !plan.Labels.Equal(state.Labels) {
		change.Labels = map[string]string{}
		if !plan.Labels.IsNull() {
			resp.Diagnostics.Append(plan.Labels.ElementsAs(ctx, &change.Labels, false)...)
		}
	}
	if !plan.Size.Equal(state.Size) {
		change.Size = plan.Size.ValueStringPointer()
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if !change.IsEmpty() {
		timeout, diags := plan.Timeouts.Update(ctx, r.data.timeouts.ActionComplete+r.data.timeouts.InstanceReady)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		updater, ok := r.data.cloud.(framework.InstanceUpdater)
		if !ok {
			resp.Diagnostics.AddError("Update Not Supported", "The "+r.data.cloud.Name()+" cloud cannot change this instance in place. This is a bug in the provider's plan: please report it.")
			return
		}
		id := state.ID.ValueString()
		logDebug(ctx, "updating instance", map[string]any{"id": id, "rename": change.Name != nil, "relabel": change.Labels != nil, "resize": change.Size != nil})
		inst, err := updater.UpdateInstance(ctx, id, change)
		if err != nil {
			addCloudError(&resp.Diagnostics, "Error Updating Instance "+id, err)
			return
		}
		resp.Diagnostics.Append(plan.fromInstance(inst, false)...)
	}
	// Recorded: a later plan compares user data as usual.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, nil)...)
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

	// The cloud layer refuses a machine without managed-by=spuff and takes
	// one already gone for done: deletes are idempotent.
	logDebug(ctx, "deleting instance", map[string]any{"id": id})
	if err := r.data.cloud.DestroyInstance(ctx, id); err != nil {
		addCloudError(&resp.Diagnostics, "Error Deleting Instance "+id, err)
		return
	}
	// Wait until the machine is gone, so that a replacement with the same
	// name does not collide with it and the delete timeout means something.
	// The cloud's watcher shares the polls of concurrent deletes.
	if err := r.data.cloud.WaitGone(ctx, id); err != nil {
		addCloudError(&resp.Diagnostics, "Error Waiting for Instance "+id+" Deletion", err)
	}
}

// ImportState takes the machine's ID. The cloud does not return user data:
// the machine is marked imported, so that the first plan records the
// configuration's user_data (or user_data_wo_version) in place instead of
// replacing the machine.
func (r *instanceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte(`{"user_data":"not readable"}`))...)
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

// knownRequest builds the cloud request from the plan. unknown names the
// inputs still unknown (at plan time: a value from another resource, down
// to single list and map elements and image fields); each is given a
// placeholder the cloud accepts, so the known rest can be checked.
func (m instanceModel) knownRequest(ctx context.Context, userDataWO types.String) (framework.InstanceRequest, map[string]bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	unknown := map[string]bool{}
	str := func(field string, v types.String, placeholder string) string {
		if v.IsUnknown() {
			unknown[field] = true
			return placeholder
		}
		return v.ValueString()
	}
	req := framework.InstanceRequest{
		Name:     str("name", m.Name, "placeholder"),
		Region:   str("region", m.Region, "placeholder"),
		Size:     str("size", m.Size, "placeholder"),
		UserData: str("user_data", m.UserData, ""),
		Image:    framework.Ubuntu("24.04"),
	}
	if req.UserData == "" && !unknown["user_data"] {
		req.UserData = str("user_data", userDataWO, "")
	}

	var img imageModel
	switch {
	case m.Image.IsUnknown():
		unknown["image"] = true
	case !m.Image.IsNull():
		diags.Append(m.Image.As(ctx, &img, basetypes.ObjectAsOptions{})...)
		if img.hasUnknown() {
			unknown["image"] = true
		} else {
			req.Image, _ = img.spec()
		}
	}

	user := map[string]string{}
	switch {
	case m.Labels.IsUnknown():
		unknown["labels"] = true
	case !m.Labels.IsNull():
		for k, v := range m.Labels.Elements() {
			s, ok := v.(types.String)
			if !ok || s.IsUnknown() {
				// The key is known: check it with an empty value, which
				// every cloud accepts.
				unknown["label:"+k] = true
				user[k] = ""
				continue
			}
			user[k] = s.ValueString()
		}
	}
	req.Labels = framework.ManagedLabels(user)

	switch {
	case m.SSHKeys.IsUnknown():
		unknown["ssh_keys"] = true
	case !m.SSHKeys.IsNull():
		for _, v := range m.SSHKeys.Elements() {
			s, ok := v.(types.String)
			if !ok || s.IsUnknown() {
				unknown["ssh_keys"] = true
				continue
			}
			req.SSHKeys = append(req.SSHKeys, s.ValueString())
		}
	}
	return req, unknown, diags
}

// fromInstance copies what the cloud reports into the model. On refresh it
// also takes name, region, size and labels, so out-of-band changes show as
// drift; the image is only filled in when state has none (after import),
// because a cloud's mapping back to an ImageSpec is not always exact.
func (m *instanceModel) fromInstance(inst *framework.Instance, refresh bool) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(inst.ID)
	m.Status = types.StringValue(inst.Status.String())
	if inst.DiskGB > 0 {
		m.DiskGB = types.Int64Value(int64(inst.DiskGB))
	} else {
		m.DiskGB = types.Int64Null()
	}
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
