package world

import (
	"testing"
	"time"
)

func TestProgressProfiles(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const total = 100 * time.Second
	// Each row: the progress at 0, 5, 10, 24, 25, 60, 99.9 and 100 s of a
	// 100 s action.
	at := []time.Duration{0, 5 * time.Second, 10 * time.Second, 24 * time.Second, 25 * time.Second,
		60 * time.Second, total - 100*time.Millisecond, total}
	for _, tt := range []struct {
		profile ProgressProfile
		want    []int
	}{
		{"", []int{0, 5, 10, 24, 25, 60, 99, 100}},
		{ProgressLinear, []int{0, 5, 10, 24, 25, 60, 99, 100}},
		{ProgressSteps, []int{0, 0, 0, 0, 25, 50, 75, 100}},
		{ProgressStall, []int{0, 40, 80, 80, 80, 80, 80, 100}},
		{ProgressNone, []int{0, 0, 0, 0, 0, 0, 0, 100}},
	} {
		a := &Action{Started: start, Finish: start.Add(total), Profile: tt.profile}
		for i, d := range at {
			if got := a.Progress(start.Add(d)); got != tt.want[i] {
				t.Errorf("%q at %v: %d%%, want %d%%", tt.profile, d, got, tt.want[i])
			}
		}
	}
}

func TestNewActionTakesTheWorldsProfile(t *testing.T) {
	w := New(Options{Progress: ProgressStall})
	now := w.Now()
	a := w.NewAction("x", KindCreate, now, 10*time.Second)
	if got := a.Progress(now.Add(5 * time.Second)); got != 80 {
		t.Errorf("stall world's action at half time: %d%%, want 80%%", got)
	}
	w.Progress = ProgressNone
	w.Reset() // configuration, like the delays: kept
	if b := w.NewAction("x", KindCreate, now, 10*time.Second); b.Profile != ProgressNone || a.Profile != ProgressStall {
		t.Errorf("profiles after a change and a reset: new %q, old %q", b.Profile, a.Profile)
	}
}

func TestParseProgressProfile(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want ProgressProfile
		ok   bool
	}{
		{"", ProgressLinear, true},
		{"linear", ProgressLinear, true},
		{"steps", ProgressSteps, true},
		{"stall", ProgressStall, true},
		{"none", ProgressNone, true},
		{"Stall", "", false},
		{"jumpy", "", false},
	} {
		got, err := ParseProgressProfile(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseProgressProfile(%q) = %q, %v", tt.in, got, err)
		}
	}
}
