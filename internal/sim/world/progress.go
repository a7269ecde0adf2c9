package world

import (
	"fmt"
	"strings"
)

// ProgressProfile is how a running action's progress moves between its
// start and its finish. The simulator's default, linear growth, is the best
// case for a client that estimates the finish from progress; real clouds'
// progress jumps and stalls (Hetzner's CLI has reports of actions stuck at
// 80% for a long time), and some clouds report none. The other profiles let
// such a client be measured against those.
type ProgressProfile string

// The progress profiles. Every profile reports 100 exactly when the action
// is done, so only the way there differs.
const (
	ProgressLinear ProgressProfile = "linear" // elapsed share of the duration
	ProgressSteps  ProgressProfile = "steps"  // 0, 25, 50, 75: a jump at each quarter
	ProgressStall  ProgressProfile = "stall"  // linear to 80 in the first tenth, then 80 until done
	ProgressNone   ProgressProfile = "none"   // 0 until done
)

// ProgressProfiles lists every profile, the default first.
var ProgressProfiles = []ProgressProfile{ProgressLinear, ProgressSteps, ProgressStall, ProgressNone}

// stallAt and stallShare shape ProgressStall: it reaches stallAt after
// stallShare of the duration, which quickly suggests an early finish that
// does not come.
const (
	stallAt    = 80
	stallShare = 0.1
)

// ParseProgressProfile reads a profile name; "" is linear.
func ParseProgressProfile(s string) (ProgressProfile, error) {
	if s == "" {
		return ProgressLinear, nil
	}
	for _, p := range ProgressProfiles {
		if string(p) == s {
			return p, nil
		}
	}
	names := make([]string, len(ProgressProfiles))
	for i, p := range ProgressProfiles {
		names[i] = string(p)
	}
	return "", fmt.Errorf("unknown progress profile %q (want one of %s)", s, strings.Join(names, ", "))
}

// progress is the percentage a running action reports when share (0 to
// below 1) of its duration has elapsed; never 100, which means done.
func (p ProgressProfile) progress(share float64) int {
	var pct float64
	switch p {
	case ProgressSteps:
		pct = 25 * float64(int(share*4))
	case ProgressStall:
		pct = min(stallAt*share/stallShare, stallAt)
	case ProgressNone:
		pct = 0
	default:
		pct = 100 * share
	}
	return min(max(int(pct), 0), 99)
}
