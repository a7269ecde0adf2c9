package world

import (
	"testing"
	"time"
)

func TestAddressSequences(t *testing.T) {
	w := New(Options{})
	next := func() string {
		m := &Machine{WantIPv4: true}
		w.assignIPs(m)
		return m.IPv4
	}
	if got := next(); got != "198.18.0.1" {
		t.Errorf("first IPv4 = %s", got)
	}
	w.ipv4Seq = 255
	if got := next(); got != "198.18.1.0" {
		t.Errorf("256th IPv4 = %s", got) // a valid host inside the /15
	}
	w.ipv4Seq = ipv4Hosts - 1
	if got := next(); got != "198.19.255.254" {
		t.Errorf("last IPv4 = %s", got)
	}
	if got := next(); got != "198.18.0.1" {
		t.Errorf("IPv4 after wrapping = %s", got)
	}
	if got := w.nextIPv6Net(); got != "2001:db8:0:1::/64" {
		t.Errorf("first IPv6 net = %s", got)
	}
	w.ipv6Seq = 0x1ffff
	if got := w.nextIPv6Net(); got != "2001:db8:2::/64" {
		t.Errorf("IPv6 net after 0x1ffff = %s", got)
	}
}

func TestActionProgress(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &Action{Started: start, Finish: start.Add(4 * time.Second)}
	for _, tt := range []struct {
		at       time.Duration
		progress int
		state    ActionState
	}{
		{0, 0, ActionRunning},
		{time.Second, 25, ActionRunning},
		{4*time.Second - time.Nanosecond, 99, ActionRunning},
		{4 * time.Second, 100, ActionSucceeded},
	} {
		now := start.Add(tt.at)
		if p, s := a.Progress(now), a.State(now); p != tt.progress || s != tt.state {
			t.Errorf("at %v: %d%% %s, want %d%% %s", tt.at, p, s, tt.progress, tt.state)
		}
	}
	failed := &Action{Started: start, Finish: start, Failed: true}
	if s := failed.State(start); s != ActionFailed {
		t.Errorf("failed action state = %s", s)
	}
}
