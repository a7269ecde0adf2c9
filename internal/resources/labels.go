package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// userLabelsOf reads a known labels map; nil when it is null.
func userLabelsOf(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	out := map[string]string{}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

// knownLabels returns the labels of m whose values are known; a label whose
// value is still unknown is given the empty value, which every cloud
// accepts, so that its key is checked at plan all the same.
func knownLabels(m types.Map) map[string]string {
	out := map[string]string{}
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok && !s.IsUnknown() {
			out[k] = s.ValueString()
		} else {
			out[k] = ""
		}
	}
	return out
}

// checkLabelRules applies the cloud's label rules to the labels known at
// plan, blaming attr (labels by default).
func checkLabelRules(_ context.Context, cloud framework.Provider, m types.Map, diags *diag.Diagnostics, attr ...path.Path) {
	if m.IsNull() || m.IsUnknown() {
		return
	}
	err := framework.ValidateLabels(cloud, knownLabels(m))
	if err == nil {
		return
	}
	p := path.Root("labels")
	if len(attr) > 0 {
		p = attr[0]
	}
	var d diag.Diagnostics
	addPlanError(&d, err)
	for _, e := range d.Errors() {
		diags.AddAttributeError(p, e.Summary(), e.Detail())
	}
}
