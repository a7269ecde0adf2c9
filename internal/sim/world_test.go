package sim

import (
	"testing"
	"time"
)

func TestAddressSequences(t *testing.T) {
	w := newWorld(Options{})
	next := func() string {
		m := &machine{wantIPv4: true}
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
	a := &action{Started: start, Finish: start.Add(4 * time.Second)}
	for _, tt := range []struct {
		at       time.Duration
		progress int
		status   string
	}{
		{0, 0, actionRunning},
		{time.Second, 25, actionRunning},
		{4*time.Second - time.Nanosecond, 99, actionRunning},
		{4 * time.Second, 100, actionSuccess},
	} {
		now := start.Add(tt.at)
		if p, s := a.progress(now), a.status(now); p != tt.progress || s != tt.status {
			t.Errorf("at %v: %d%% %s, want %d%% %s", tt.at, p, s, tt.progress, tt.status)
		}
	}
	failed := &action{Started: start, Finish: start, ErrCode: "action_failed"}
	if s := failed.status(start); s != actionError {
		t.Errorf("failed action status = %s", s)
	}
}
