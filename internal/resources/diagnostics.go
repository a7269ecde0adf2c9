package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// providerDataFrom unpacks what Configure handed over. It returns nil,
// without a diagnostic, while the provider is not configured yet (as during
// validation).
func providerDataFrom(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider: please report it.", data))
		return nil
	}
	return pd
}

// fieldPaths maps a framework error's field to the attribute to blame.
var fieldPaths = map[string]path.Path{
	"name":        path.Root("name"),
	"region":      path.Root("region"),
	"size":        path.Root("size"),
	"image":       path.Root("image"),
	"user_data":   path.Root("user_data"),
	"id":          path.Root("id"),
	"instance_id": path.Root("instance_id"),
	"ssh_keys":    path.Root("ssh_keys"),
	"labels":      path.Root("labels"),
}

func fieldPath(field string) (path.Path, bool) {
	if p, ok := fieldPaths[field]; ok {
		return p, true
	}
	if kind, ok := strings.CutPrefix(field, "image."); ok {
		return path.Root("image").AtName(kind), true
	}
	return path.Empty(), false
}

// addCloudError turns a framework error into a diagnostic that says what
// happened and what to do, blaming an attribute where the error names one.
func addCloudError(diags *diag.Diagnostics, summary string, err error) {
	var (
		nt *framework.NameTakenError
		nm *framework.NotManagedError
		be *framework.BusyError
		ic *framework.InvalidConfigError
		ae *framework.AuthenticationError
		rl *framework.RateLimitError
		qe *framework.QuotaExceededError
		te *framework.TimeoutError
		ne *framework.NetworkError
		ns *framework.NotSupportedError
	)
	switch {
	case errors.As(err, &nt):
		diags.AddAttributeError(path.Root("name"), "Name Already Taken",
			fmt.Sprintf("%s: %s. Import it with terraform import (ID %s), delete it, or choose another name.", summary, nt.Error(), nt.ID))
	case errors.As(err, &nm):
		action := "change"
		if strings.HasPrefix(summary, "Error Deleting") {
			action = "delete"
		}
		addNotManagedError(diags, nm.ResourceType, nm.ID, action)
	case errors.As(err, &be):
		diags.AddError("Cloud Resource Busy", fmt.Sprintf("%s: %s. Another action is still running on it; apply again when it has finished, "+
			"or raise the resource's timeouts.", summary, be.Error()))
	case errors.As(err, &ic):
		detail := fmt.Sprintf("%s: the cloud rejected %s: %s. Fix the value and apply again.", summary, ic.Field, strings.TrimSuffix(ic.Message, "."))
		if p, ok := fieldPath(ic.Field); ok {
			diags.AddAttributeError(p, "Invalid "+titleField(ic.Field), detail)
			return
		}
		diags.AddError("Invalid "+titleField(ic.Field), detail)
	case errors.As(err, &ae):
		diags.AddError("Cloud Authentication Failed", fmt.Sprintf("%s: the %s API rejected the token (%s). Check the provider's token or its environment variables.", summary, ae.Provider, ae.Message))
	case errors.As(err, &rl):
		diags.AddError("Cloud Rate Limit Exceeded", fmt.Sprintf("%s: %s. Wait and apply again, or lower -parallelism.", summary, rl.Error()))
	case errors.As(err, &qe):
		diags.AddError("Cloud Quota Exceeded", fmt.Sprintf("%s: %s. Free resources or ask the cloud for a higher limit.", summary, qe.Error()))
	case errors.As(err, &te):
		diags.AddError("Cloud Operation Timed Out", fmt.Sprintf("%s: %s. Raise the resource's timeouts or the provider's timeouts if the cloud is slow.", summary, te.Error()))
	case errors.As(err, &ne):
		diags.AddError("Cloud API Unreachable", fmt.Sprintf("%s: %s. Check the network and the provider's endpoint, then apply again.", summary, ne.Error()))
	case errors.As(err, &ns):
		diags.AddError("Not Supported by This Cloud", fmt.Sprintf("%s: %s.", summary, ns.Error()))
	case errors.Is(err, context.Canceled):
		diags.AddError("Operation Cancelled", summary+": the operation was cancelled.")
	default:
		diags.AddError(summary, err.Error())
	}
}

// addPlanError reports a value found wrong before any request was made (at
// plan, by the provider's own rules or the cloud's catalogue), blaming the
// attribute the error names.
func addPlanError(diags *diag.Diagnostics, err error) {
	var ic *framework.InvalidConfigError
	if !errors.As(err, &ic) {
		addCloudError(diags, "Invalid Instance", err)
		return
	}
	detail := fmt.Sprintf("%s: %s. Fix the value in the configuration.", ic.Field, strings.TrimSuffix(ic.Message, "."))
	if p, ok := fieldPath(ic.Field); ok {
		diags.AddAttributeError(p, "Invalid "+titleField(ic.Field), detail)
		return
	}
	diags.AddError("Invalid "+titleField(ic.Field), detail)
}

// addNotManagedError refuses to touch a resource without the managed-by
// label. action is what was refused ("manage" or "delete").
func addNotManagedError(diags *diag.Diagnostics, kind, id, action string) {
	diags.AddError(titleField(kind)+" Not Managed by Spuff",
		fmt.Sprintf("The %s %s does not carry the label %s=%s, so this provider refuses to %s it. "+
			"Import only what spuff created, or remove the resource from state with terraform state rm.",
			kind, id, framework.ManagedByKey, framework.ManagedByValue, action))
}

// addTaintedError reports a wait that failed after the resource was created
// and recorded in state, so the user knows nothing is lost.
func addTaintedError(diags *diag.Diagnostics, summary, kind, id string, err error) {
	var d diag.Diagnostics
	addCloudError(&d, summary, err)
	for _, e := range d.Errors() {
		diags.AddError(e.Summary(), fmt.Sprintf("%s\n\nThe %s %s was created and is recorded in state. Terraform marks it tainted: "+
			"the next apply replaces it, and terraform destroy deletes it.", e.Detail(), kind, id))
	}
}

// titleField renders "user_data" as "User Data" for a diagnostic summary.
func titleField(field string) string {
	words := strings.FieldsFunc(field, func(r rune) bool { return r == '_' || r == '.' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}
