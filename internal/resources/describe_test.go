package resources

import (
	"testing"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

func TestAddressOnResizeNamesOnlyCloudsWhoseResizeMovesTheAddress(t *testing.T) {
	keeps := framework.Cloud{DisplayName: "Keeps", Updates: framework.UpdateCapabilities{Resize: true}}
	moves := framework.Cloud{DisplayName: "Moves", Updates: framework.UpdateCapabilities{Resize: true, ResizeChangesAddress: true}}
	noResize := framework.Cloud{DisplayName: "Replaces", Updates: framework.UpdateCapabilities{ResizeChangesAddress: true}}
	for _, tc := range []struct {
		name   string
		clouds []framework.Cloud
		want   string
	}{
		{"none moves", []framework.Cloud{keeps, noResize}, ""},
		{"one moves", []framework.Cloud{keeps, moves}, " An in-place resize on Moves gives the machine a new address, so the plan shows it as known after apply."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := addressOnResize(tc.clouds); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
