package sim

import (
	"testing"
	"time"
)

// The Hetzner API shows the profile's progress; only the way to 100 differs.
func TestHetznerActionProgressFollowsTheProfile(t *testing.T) {
	for _, tt := range []struct {
		profile ProgressProfile
		at6s    int // progress 6 s into a 10 s create
	}{
		{ProgressLinear, 60},
		{ProgressSteps, 50},
		{ProgressStall, 80},
		{ProgressNone, 0},
	} {
		t.Run(string(tt.profile), func(t *testing.T) {
			clock := newFakeClock()
			e := newEnv(t, Options{ServerReadyDelay: 10 * time.Second, Now: clock.Now})
			e.sim.SetProgress(tt.profile)
			r := e.createServer("p", nil)
			progress := func() int {
				t.Helper()
				a, _, err := e.c.Action.GetByID(e.ctx, r.Action.ID)
				if err != nil || a == nil {
					t.Fatalf("Action.GetByID = %v, %v", a, err)
				}
				return a.Progress
			}
			clock.Advance(6 * time.Second)
			if got := progress(); got != tt.at6s {
				t.Errorf("at 6 s: %d%%, want %d%%", got, tt.at6s)
			}
			clock.Advance(4 * time.Second)
			if got := progress(); got != 100 {
				t.Errorf("at 10 s: %d%%, want 100%%", got)
			}
		})
	}
}
