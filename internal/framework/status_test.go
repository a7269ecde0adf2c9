package framework

import "testing"

func TestParseStatus(t *testing.T) {
	tests := []struct {
		state string
		kind  StatusKind
		str   string
	}{
		{"new", StatusNew, "new"},
		{"initializing", StatusNew, "new"},
		{"starting", StatusNew, "new"},
		{"pending", StatusNew, "new"},
		{"active", StatusActive, "active"},
		{"running", StatusActive, "active"},
		{"Running", StatusActive, "active"},
		{" running ", StatusActive, "active"},
		{"stopping", StatusOff, "off"},
		{"off", StatusOff, "off"},
		{"stopped", StatusOff, "off"},
		{"archive", StatusArchive, "archive"},
		{"terminated", StatusArchive, "archive"},
		{"deleting", StatusUnknown, "deleting"},
		{"shutting-down", StatusUnknown, "shutting-down"},
		{"Migrating", StatusUnknown, "migrating"},
		{"", StatusUnknown, "unknown"},
		{"   ", StatusUnknown, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			got := ParseStatus(tt.state)
			if got.Kind != tt.kind {
				t.Errorf("ParseStatus(%q).Kind = %d, want %d", tt.state, got.Kind, tt.kind)
			}
			if got.Raw != tt.state {
				t.Errorf("ParseStatus(%q).Raw = %q, want the input kept", tt.state, got.Raw)
			}
			if got.String() != tt.str {
				t.Errorf("ParseStatus(%q).String() = %q, want %q", tt.state, got.String(), tt.str)
			}
		})
	}
}

func TestInstanceReady(t *testing.T) {
	ip := mustAddr(t, "198.18.0.7")
	tests := []struct {
		name string
		inst Instance
		want bool
	}{
		{"active with ip", Instance{Status: ParseStatus("running"), IP: ip}, true},
		{"active without ip", Instance{Status: ParseStatus("running"), IP: IPUnassigned}, false},
		{"active zero addr", Instance{Status: ParseStatus("running")}, false},
		{"new with ip", Instance{Status: ParseStatus("initializing"), IP: ip}, false},
		{"off with ip", Instance{Status: ParseStatus("off"), IP: ip}, false},
		{"ipv6 unspecified", Instance{Status: ParseStatus("active"), IP: mustAddr(t, "::")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.inst.IsReady(); got != tt.want {
				t.Errorf("IsReady() = %v, want %v", got, tt.want)
			}
		})
	}
}
