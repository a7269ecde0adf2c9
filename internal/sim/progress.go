package sim

import "github.com/spuff/terraform-provider-spuff/internal/sim/world"

// ProgressProfile is how a running action's progress moves where the
// cloud's API shows it (Hetzner's; DigitalOcean's actions carry none); see
// world.ProgressProfile.
type ProgressProfile = world.ProgressProfile

// The progress profiles; see world.ProgressProfile.
const (
	ProgressLinear = world.ProgressLinear
	ProgressSteps  = world.ProgressSteps
	ProgressStall  = world.ProgressStall
	ProgressNone   = world.ProgressNone
)

// ProgressProfiles lists every profile, the default first.
var ProgressProfiles = world.ProgressProfiles

// ParseProgressProfile reads a profile name; "" is linear.
func ParseProgressProfile(s string) (ProgressProfile, error) { return world.ParseProgressProfile(s) }

// SetProgress sets the progress profile of actions created from now on
// (the simulator starts linear). It survives a reset, as the delays do.
func (s *Sim) SetProgress(p ProgressProfile) {
	s.w.Lock()
	defer s.w.Unlock()
	s.w.Progress = p
}
