package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// timeoutsBlock is the create/update/delete timeouts block, described for a
// resource whose create waits until createWait, whose update waits until
// updateWait and whose delete waits until deleteWait, with the defaults named.
func timeoutsBlock(ctx context.Context, createWait, createDefault, updateWait, updateDefault, deleteWait, deleteDefault string) schema.Block {
	const format = ` A duration such as "30s", "10m" or "1h30m".`
	block := timeouts.Block(ctx, timeouts.Opts{
		Create: true,
		Update: true,
		Delete: true,
		CreateDescription: "Bounds the whole create, including the wait until " + createWait + ". When it passes, the resource " +
			"is kept in state and marked tainted." + format + " Defaults to " + createDefault + ".",
		UpdateDescription: "Bounds an in-place update, including the wait until " + updateWait + "." + format +
			" Defaults to " + updateDefault + ".",
		DeleteDescription: "Bounds the delete, including the wait until " + deleteWait + "." + format +
			" Defaults to " + deleteDefault + ".",
	}).(schema.SingleNestedBlock)
	block.MarkdownDescription = "How long create, update and delete may take."
	return block
}

// validateTimeouts refuses zero or negative create/delete timeouts at plan
// time; the timeouts package itself only checks that they parse.
func validateTimeouts(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	var tv timeouts.Value
	diags.Append(config.GetAttribute(ctx, path.Root("timeouts"), &tv)...)
	if diags.HasError() || tv.IsNull() || tv.IsUnknown() {
		return
	}
	for name, v := range tv.Attributes() {
		s, ok := v.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		d, err := time.ParseDuration(s.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("timeouts").AtName(name), "Invalid Duration",
				fmt.Sprintf("timeouts.%s: %q is not a duration: use a number with a unit (s, m, h), such as \"30s\", \"10m\" or \"1h30m\".", name, s.ValueString()))
			continue
		}
		if d <= 0 {
			diags.AddAttributeError(path.Root("timeouts").AtName(name), "Invalid Duration",
				fmt.Sprintf("timeouts.%s: %q must be a positive duration, greater than zero, such as \"10m\".", name, s.ValueString()))
		}
	}
}
