package resources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// timeoutsBlock is the create/delete timeouts block, described for a
// resource whose create waits until createWait and whose delete waits until
// deleteWait, with the defaults named.
func timeoutsBlock(ctx context.Context, createWait, createDefault, deleteWait, deleteDefault string) schema.Block {
	const format = ` A duration such as "30s", "10m" or "1h30m".`
	block := timeouts.Block(ctx, timeouts.Opts{
		Create: true,
		Delete: true,
		CreateDescription: "Bounds the whole create, including the wait until " + createWait + ". When it passes, the resource " +
			"is kept in state and marked tainted." + format + " Defaults to " + createDefault + ".",
		DeleteDescription: "Bounds the delete, including the wait until " + deleteWait + "." + format +
			" Defaults to " + deleteDefault + ".",
	}).(schema.SingleNestedBlock)
	block.MarkdownDescription = "How long create and delete may take."
	return block
}
