package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// imageModel is the image attribute: exactly one of its fields is set.
type imageModel struct {
	Ubuntu   types.String `tfsdk:"ubuntu"`
	Debian   types.String `tfsdk:"debian"`
	Custom   types.String `tfsdk:"custom"`
	Snapshot types.String `tfsdk:"snapshot"`
}

var imageAttrTypes = map[string]attr.Type{
	"ubuntu":   types.StringType,
	"debian":   types.StringType,
	"custom":   types.StringType,
	"snapshot": types.StringType,
}

// fields pairs each variant with its value, in framework.ImageKind order.
func (m imageModel) fields() []types.String {
	return []types.String{m.Ubuntu, m.Debian, m.Custom, m.Snapshot}
}

// spec converts a fully known image to an ImageSpec. It reports how many
// variants are set so that callers can explain a wrong count.
func (m imageModel) spec() (framework.ImageSpec, []string) {
	var spec framework.ImageSpec
	var set []string
	for i, v := range m.fields() {
		if !v.IsNull() {
			set = append(set, framework.ImageKinds[i])
			spec = framework.ImageSpec{Kind: framework.ImageKind(i + 1), Value: v.ValueString()}
		}
	}
	return spec, set
}

func (m imageModel) hasUnknown() bool {
	for _, v := range m.fields() {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}

// imageObject renders an ImageSpec as the image attribute's value.
func imageObject(spec framework.ImageSpec) (types.Object, diag.Diagnostics) {
	m := imageModel{Ubuntu: types.StringNull(), Debian: types.StringNull(), Custom: types.StringNull(), Snapshot: types.StringNull()}
	switch spec.Kind {
	case framework.ImageUbuntu:
		m.Ubuntu = types.StringValue(spec.Value)
	case framework.ImageDebian:
		m.Debian = types.StringValue(spec.Value)
	case framework.ImageCustom:
		m.Custom = types.StringValue(spec.Value)
	case framework.ImageSnapshot:
		m.Snapshot = types.StringValue(spec.Value)
	default:
		return types.ObjectNull(imageAttrTypes), nil
	}
	return types.ObjectValueFrom(context.Background(), imageAttrTypes, m)
}

// imageValidator requires exactly one image variant and a valid value for
// it, at validate time whenever the values are known.
type imageValidator struct{}

func (imageValidator) Description(context.Context) string {
	return "exactly one of ubuntu, debian, custom or snapshot must be set"
}

func (v imageValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (imageValidator) ValidateObject(ctx context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var m imageModel
	resp.Diagnostics.Append(req.ConfigValue.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, set := m.spec()
	switch {
	case len(set) == 0 && m.hasUnknown():
		return
	case len(set) == 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Missing Image",
			"Set exactly one of image.ubuntu, image.debian, image.custom or image.snapshot, e.g. image = { ubuntu = \"24.04\" }.")
		return
	case len(set) > 1:
		resp.Diagnostics.AddAttributeError(req.Path, "Conflicting Image",
			fmt.Sprintf("image sets %s; set exactly one of ubuntu, debian, custom or snapshot.", strings.Join(set, " and ")))
		return
	case m.hasUnknown():
		return
	}
	if err := spec.Validate(); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path.AtName(spec.Kind.String()), "Invalid Image", configErrorDetail(err))
	}
}
